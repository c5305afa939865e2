"""The motion and amendment workflows as data: the steps, the states they join, who may take them.

`motions.services` takes every step through `take_step`, which looks the step up here,
so the tables below are the whole truth about what may happen to a motion and who may
make it happen; the pages and the API list a user's next steps from them too.

Roles (see `motions.services.roles_on`):

- ``proposer``: the member who tabled the motion (or amendment);
- ``standing_orders``: a member of the standing-orders committee (settings.STANDING_ORDERS_BODY);
- ``board``: an officer of the Board of the deciding body's unit;
- ``chair``: the chair or vice-chair of that Board, who chairs the assembly;
- ``staff``: the national office;
- ``system``: the platform itself, when a ballot is counted or cancelled (never a person).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from motions.models import Amendment, Motion

PROPOSER, STANDING_ORDERS, BOARD, CHAIR, STAFF, SYSTEM = (
    "proposer",
    "standing_orders",
    "board",
    "chair",
    "staff",
    "system",
)
ROLES = (PROPOSER, STANDING_ORDERS, BOARD, CHAIR, STAFF, SYSTEM)
ROLE_LABELS = {
    PROPOSER: _("proposer"),
    STANDING_ORDERS: _("standing-orders committee"),
    BOARD: _("Board"),
    CHAIR: _("assembly chair"),
    STAFF: _("staff"),
    SYSTEM: _("the count"),
}


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_reason: bool = False
    kinds: frozenset[str] | None = None  # motion kinds the step applies to; None: all

    def applies_to(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


M = Motion.Status
A = Amendment.Status
IC = frozenset({Motion.Kind.IC_MOTION})


def _step(name, label, sources, target, roles, *, needs_reason=False, kinds=None) -> Step:
    return Step(name, label, frozenset(sources), target, frozenset(roles), needs_reason, kinds)


MOTION_STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        _step("submit", _("Submit"), [M.DRAFT], M.SUBMITTED, [PROPOSER]),
        _step(
            "withdraw",
            _("Withdraw"),
            [M.DRAFT, M.SUBMITTED, M.ADMISSIBLE, M.SCHEDULED],
            M.WITHDRAWN,
            [PROPOSER],
        ),
        _step("admit", _("Declare admissible"), [M.SUBMITTED], M.ADMISSIBLE, [STANDING_ORDERS]),
        _step(
            "reject_admissibility",
            _("Declare inadmissible"),
            [M.SUBMITTED],
            M.INADMISSIBLE,
            [STANDING_ORDERS],
            needs_reason=True,
        ),
        _step("schedule", _("Put on the agenda"), [M.ADMISSIBLE], M.SCHEDULED, [BOARD, CHAIR]),
        _step(
            "refer",
            _("Refer to a body"),
            [M.ADMISSIBLE, M.SCHEDULED],
            M.REFERRED,
            [BOARD, CHAIR],
            needs_reason=True,
        ),
        _step("put_to_vote", _("Put to the vote"), [M.SCHEDULED], M.IN_VOTE, [CHAIR]),
        _step("adopt", _("Adopted by the vote"), [M.IN_VOTE], M.ADOPTED, [SYSTEM]),
        _step("reject", _("Rejected by the vote"), [M.IN_VOTE], M.REJECTED, [SYSTEM]),
        _step(
            "no_quorum",
            _("Back on the agenda: no quorum"),
            [M.IN_VOTE],
            M.SCHEDULED,
            [SYSTEM],
            needs_reason=True,
        ),
        _step(
            "vote_cancelled",
            _("Back on the agenda: vote cancelled"),
            [M.IN_VOTE],
            M.SCHEDULED,
            [SYSTEM],
            needs_reason=True,
        ),
        _step(
            "forward",
            _("Forward to the International Council"),
            [M.ADOPTED],
            M.FORWARDED,
            [BOARD],
            kinds=IC,
        ),
        _step(
            "ic_adopted",
            _("Adopted by the IC"),
            [M.FORWARDED],
            M.IC_ADOPTED,
            [BOARD, STAFF],
            kinds=IC,
        ),
        _step(
            "ic_rejected",
            _("Rejected by the IC"),
            [M.FORWARDED],
            M.IC_REJECTED,
            [BOARD, STAFF],
            kinds=IC,
        ),
        _step(
            "ic_withdrawn",
            _("Withdrawn at the IC"),
            [M.FORWARDED],
            M.IC_WITHDRAWN,
            [BOARD, STAFF],
            kinds=IC,
        ),
    ]
}

AMENDMENT_STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        _step("submit", _("Submit"), [A.DRAFT], A.SUBMITTED, [PROPOSER]),
        _step(
            "withdraw",
            _("Withdraw"),
            [A.DRAFT, A.SUBMITTED, A.ADMISSIBLE],
            A.WITHDRAWN,
            [PROPOSER],
        ),
        _step("admit", _("Declare admissible"), [A.SUBMITTED], A.ADMISSIBLE, [STANDING_ORDERS]),
        _step(
            "reject_admissibility",
            _("Declare inadmissible"),
            [A.SUBMITTED],
            A.INADMISSIBLE,
            [STANDING_ORDERS],
            needs_reason=True,
        ),
        _step("put_to_vote", _("Put to the vote"), [A.ADMISSIBLE], A.IN_VOTE, [CHAIR]),
        _step("adopt", _("Adopted by the vote"), [A.IN_VOTE], A.ADOPTED, [SYSTEM]),
        _step("reject", _("Rejected by the vote"), [A.IN_VOTE], A.REJECTED, [SYSTEM]),
        _step(
            "no_quorum",
            _("Back to admissible: no quorum"),
            [A.IN_VOTE],
            A.ADMISSIBLE,
            [SYSTEM],
            needs_reason=True,
        ),
        _step(
            "vote_cancelled",
            _("Back to admissible: vote cancelled"),
            [A.IN_VOTE],
            A.ADMISSIBLE,
            [SYSTEM],
            needs_reason=True,
        ),
    ]
}

#: What may be done on a motion without changing its status, and the roles that may do it.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "edit": frozenset({PROPOSER}),  # save a new version of the draft
    "follow_up": frozenset({BOARD, STAFF}),  # dated notes on an IC motion's implementation
    "speakers": frozenset({CHAIR, STAFF}),  # the list of speakers on an item of the agenda
}

#: The steps a person takes with a reason field and nothing else (the others have their
#: own service: submitting checks co-sponsors and the deadline, voting opens a ballot).
SIMPLE_STEPS = ("withdraw", "admit", "reject_admissibility")


def steps_from(table: dict[str, Step], status: str, kind: str) -> list[Step]:
    """The steps that leave `status`, in the table's order."""
    return [s for s in table.values() if status in s.sources and s.applies_to(kind)]
