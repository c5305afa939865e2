"""Roles derived from accounts, mandates and flags, and the guards the services raise.

What a user may see, and the yes/no checks pages and API ask, are in each app's `access.py`
(`governance/access.py` for the governance record); they build on `roles_for` and on
`may_act_for_body` here, which the services' guards use too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from governance.exceptions import NotAllowed
from governance.models import Body, Mandate


@dataclass(frozen=True)
class Roles:
    """The roles of one user today. Officer rights are per body."""

    authenticated: bool = False
    member_id: int | None = None
    staff: bool = False
    auditor: bool = False
    officer_body_ids: frozenset[int] = field(default_factory=frozenset)
    officer_unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def member(self) -> bool:
        return self.member_id is not None

    @property
    def officer(self) -> bool:
        return bool(self.officer_body_ids)

    @property
    def privileged(self) -> bool:
        """Roles whose tools require a second factor."""
        return self.staff or self.auditor or self.officer

    @property
    def may_write(self) -> bool:
        # An auditor's account reads everything and changes nothing, whatever else it holds.
        return self.authenticated and not self.auditor


@dataclass
class _RequestRoles:
    by_user: dict[int, Roles] = field(default_factory=dict)
    #: A role changed during the request: the session user's `holds_mandate` is stale.
    changed: bool = False


# Roles are kept for one request, never on the user object. `RolesPerRequestMiddleware`
# opens the scope; the services that change who holds a role (create_mandate, end_mandate,
# set_account_roles) call `roles_changed()`, so the next check in the same request reads the
# new roles. Outside a request (commands, tasks, tests calling services) nothing is kept.
_request_roles: ContextVar[_RequestRoles | None] = ContextVar("request_roles", default=None)


@contextmanager
def roles_per_request() -> Iterator[None]:
    """Keep each account's roles of today until the block ends or a role changes."""
    token = _request_roles.set(_RequestRoles())
    try:
        yield
    finally:
        _request_roles.reset(token)


def roles_changed() -> None:
    """A mandate or an account's roles changed: forget the roles kept for this request."""
    kept = _request_roles.get()
    if kept is not None:
        kept.by_user.clear()
        kept.changed = True


def roles_for(user, on: dt.date | None = None) -> Roles:
    """The roles of `user` on `on` (today if None); today's are computed once per request."""
    if user is None or not user.is_authenticated:
        return Roles()
    kept = _request_roles.get() if on is None else None
    if kept is not None and user.pk in kept.by_user:
        return kept.by_user[user.pk]
    member = getattr(user, "member", None) if hasattr(user, "member") else None
    # Mandates are a member's: an account without one holds none (no query), and the member,
    # read with the user, spares the join through it.
    # The session's user knows whether it holds a mandate today (governance/accounts/auth.py): a
    # member who holds none, nearly every voter, costs no query here.
    # Trusted only within a request that has changed no role (a request's store knows).
    holds_none = (
        kept is not None and not kept.changed and getattr(user, "holds_mandate", None) is False
    )
    mandates = (
        list(
            Mandate.objects.current(on)
            .filter(member=member)
            .values_list("body_id", "body__unit_id")
        )
        if member is not None and not holds_none
        else []
    )
    roles = Roles(
        authenticated=True,
        member_id=member.pk if member else None,
        staff=user.is_staff,
        auditor=user.is_auditor,
        officer_body_ids=frozenset(body for body, _ in mandates),
        officer_unit_ids=frozenset(unit for _, unit in mandates),
    )
    if kept is not None:
        kept.by_user[user.pk] = roles
    return roles


def may_act_for_body(user, body: Body) -> bool:
    """Staff act for every body; an officer for the body they sit on, and a board's officer for
    every body of its unit. Never an auditor, whatever mandate the account holds."""
    roles = roles_for(user)
    if not roles.may_write:
        return False
    if roles.staff or body.pk in roles.officer_body_ids:
        return True
    return Body.objects.filter(
        pk__in=roles.officer_body_ids, unit_id=body.unit_id, kind=Body.Kind.BOARD
    ).exists()


def bodies_acted_for(user):
    """The bodies `may_act_for_body` admits, as a queryset: every body for staff."""
    roles = roles_for(user)
    if not roles.may_write or not (roles.staff or roles.officer):
        return Body.objects.none()
    if roles.staff:
        return Body.objects.all()
    boards = Body.objects.filter(pk__in=roles.officer_body_ids, kind=Body.Kind.BOARD)
    return Body.objects.filter(
        Q(pk__in=roles.officer_body_ids) | Q(unit_id__in=boards.values("unit_id"))
    )


def ensure_may_write(user) -> Roles:
    roles = roles_for(user)
    if not roles.authenticated:
        raise NotAllowed(_("You must be logged in."))
    if roles.auditor:
        raise NotAllowed(_("Auditor accounts can read everything but change nothing."))
    return roles


def ensure_staff(user) -> None:
    if not ensure_may_write(user).staff:
        raise NotAllowed(_("Only staff who keep the membership roll may do this."))


def ensure_may_act_for_body(user, body: Body) -> None:
    ensure_may_write(user)
    if not may_act_for_body(user, body):
        raise NotAllowed(
            _("Only officers of %(body)s may do this.") % {"body": body.translated("name")}
        )
