"""What the motions' services share: the status names, the workflow's roles and steps, the member behind an account."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from governance import lifecycle
from governance.exceptions import NotAllowed
from governance.models import Member
from governance.permissions import ensure_may_write
from motions import workflow
from motions.models import (
    Amendment,
    Motion,
)

M = Motion.Status
A = Amendment.Status
LIVE_AMENDMENT = (A.SUBMITTED, A.ADMISSIBLE, A.IN_VOTE)
AMENDABLE = (M.SUBMITTED, M.ADMISSIBLE, M.SCHEDULED)


def next_steps(user, item: Motion | Amendment) -> list[workflow.Step]:
    """The steps `user` may take on the item now (for the pages' buttons and the API)."""
    table, kind = _table(item)
    held = workflow.roles_on(user, item)
    return [s for s in table.steps_from(item.status, kind) if s.roles & held]


def _table(item) -> tuple[lifecycle.Lifecycle, str]:
    if isinstance(item, Motion):
        return workflow.MOTION, item.kind
    return workflow.AMENDMENT, item.motion.kind


def _step(item, name: str) -> workflow.Step:
    """The named step of the item's table (a `DomainError` if its kind has no such step)."""
    return _table(item)[0].get(name, item)


def _roles_for(item, names: Sequence[str]) -> frozenset[str]:
    """The roles that may take any of the named steps (or `workflow.ACTION_ROLES`) on the item."""
    table, _kind = _table(item)
    roles: frozenset[str] = frozenset()
    for name in names:
        step = table.steps.get(name)
        roles |= step.roles if step is not None else workflow.ACTION_ROLES[name]
    return roles


def may_take(user, item: Motion | Amendment, *names: str) -> bool:
    """Whether `user` holds a role that may take one of the named steps (or actions) on the
    item, whatever its status: who may, not whether it is possible now."""
    return bool(_roles_for(item, names) & workflow.roles_on(user, item))


def ensure_may_take(user, item: Motion | Amendment, *names: str) -> None:
    """Refuse (`NotAllowed`) a user who may take none of the named steps on the item.

    The pages and the API call this before reading any input, so a role that may not gets
    a 403 whatever it posts; the service checks the step again, with the item's status.
    """
    ensure_may_write(user)
    if may_take(user, item, *names):
        return
    table, _kind = _table(item)
    if len(names) == 1 and names[0] in table.steps:
        step = table.steps[names[0]]
        raise NotAllowed(
            _("Only the %(roles)s may take the step “%(step)s”.")
            % {"roles": workflow.role_names(step.roles), "step": step.label}
        )
    raise NotAllowed(
        _("Only the %(roles)s may do this.")
        % {"roles": workflow.role_names(_roles_for(item, names))}
    )


def _member_of(user) -> Member:
    ensure_may_write(user)
    member = getattr(user, "member", None)
    if member is None:
        raise NotAllowed(_("Only members on the roll may do this."))
    return member
