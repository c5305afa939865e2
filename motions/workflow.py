"""The motion and amendment workflows as data: the steps, the states they join, who may take them.

`MOTION` and `AMENDMENT` are `governance.lifecycle` tables: `motions.services` takes every
step a person takes through `lifecycle.take` (a step whose work needs other rows names its
work, and its own lock when the rows must be locked together; the count's steps are moved
by `lifecycle.move` inside `count_ballot`'s transaction), which checks the step here, so
the tables below are the whole truth about what may
happen to a motion and who may make it happen; the pages and the API list a user's next
steps from them too.

Roles (see `roles_on`):

- ``proposer``: the member who tabled the motion (or amendment);
- ``standing_orders``: a member of the standing-orders committee (settings.STANDING_ORDERS_BODY);
- ``board``: an officer of the Board of the deciding body's unit;
- ``chair``: the chair or vice-chair of that Board, who chairs the assembly;
- ``staff``: the national office;
- ``system``: the platform itself, when a ballot is counted or cancelled (never a person).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from governance import lifecycle
from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed
from governance.lifecycle import Step
from governance.models import Body, Mandate
from governance.permissions import roles_for
from motions.models import Amendment, Motion

PROPOSER, STANDING_ORDERS, BOARD, CHAIR, STAFF = (
    "proposer",
    "standing_orders",
    "board",
    "chair",
    "staff",
)
SYSTEM = lifecycle.SYSTEM
ROLES = (PROPOSER, STANDING_ORDERS, BOARD, CHAIR, STAFF, SYSTEM)
ROLE_LABELS = {
    PROPOSER: _("proposer"),
    STANDING_ORDERS: _("standing-orders committee"),
    BOARD: _("Board"),
    CHAIR: _("assembly chair"),
    STAFF: _("staff"),
    SYSTEM: _("the count"),
}


M = Motion.Status
A = Amendment.Status
IC = frozenset({Motion.Kind.IC_MOTION})
IC_OUTCOME = "motions.services.ic.note_ic_outcome"
IC_OUTCOME_DOES = (
    "`motions.services.record_ic_outcome`: the outcome, date and reference go on the submission"
)


def _step(name, label, sources, target, roles, **options) -> Step:
    return lifecycle.step(name, label, sources, target, roles, **options)


def roles_on(user, item: Motion | Amendment) -> frozenset[str]:
    """The workflow roles `user` holds on a motion or amendment today (none for auditors)."""
    roles = roles_for(user)
    if not roles.may_write:
        return frozenset()
    motion = item if isinstance(item, Motion) else item.motion
    held = set()
    if roles.member_id is not None and roles.member_id == item.proposer_id:
        held.add(PROPOSER)
    if roles.staff:
        held.add(STAFF)
    if roles.officer:
        mandates = getattr(user, "_motion_mandates", None)
        if mandates is None:
            mandates = list(
                Mandate.objects.held_by_user(user).values_list(
                    "body__code", "body__kind", "body__unit_id", "role"
                )
            )
            user._motion_mandates = mandates
        for code, kind, unit_id, role in mandates:
            if code == settings.STANDING_ORDERS_BODY:
                held.add(STANDING_ORDERS)
            if kind == Body.Kind.BOARD and unit_id == motion.body.unit_id:
                held.add(BOARD)
                if role in (Mandate.Role.CHAIR, Mandate.Role.VICE_CHAIR):
                    held.add(CHAIR)
    return frozenset(held)


def role_names(roles) -> str:
    return ", ".join(str(ROLE_LABELS[r]) for r in sorted(roles))


def _ensure_role(actor, item, step: Step) -> None:
    if not (step.roles & roles_on(actor, item)):
        raise NotAllowed(
            gettext_now("Only the %(roles)s may take the step “%(step)s”.")
            % {"roles": role_names(step.roles), "step": step.label}
        )


def _refusal(item, step: Step) -> DomainError:
    return DomainError(
        gettext_now("“%(step)s” is not possible while the item is %(status)s.")
        % {"step": step.label, "status": item.get_status_display().lower()}
    )


def lock_motion(motion: Motion) -> Motion:
    return Motion.objects.select_for_update(of=("self",)).select_related("body").get(pk=motion.pk)


def lock_amendment(amendment: Amendment) -> Amendment:
    return (
        Amendment.objects.select_for_update(of=("self",))
        .select_related("motion", "motion__body")
        .get(pk=amendment.pk)
    )


def lock_with_motion(amendment: Amendment) -> Amendment:
    """The amendment, then its motion, locked: submitting numbers the motion's amendments,
    putting to the vote needs the motion to stay on the agenda meanwhile."""
    amendment = lock_amendment(amendment)
    amendment.motion = lock_motion(amendment.motion)
    return amendment


def ensure_no_amendment_in_vote(motion: Motion, actor=None, **args) -> None:
    """A motion leaves the agenda (withdrawn, referred) only when none of its amendments is
    being voted on: that vote would decide an amendment to a text no longer before the
    meeting. Its ballot is closed and counted, or cancelled, first."""
    in_vote = motion.amendments.filter(status=A.IN_VOTE).order_by("number").first()
    if in_vote is not None:
        raise DomainError(
            gettext_now(
                "Amendment %(amendment)s is being voted on: close and count its ballot, or "
                "cancel it, first."
            )
            % {"amendment": in_vote.label}
        )


def fall_with(motion: Motion, actor, **args) -> None:
    """Amendments of a withdrawn motion are withdrawn with it (each with its audit event)."""
    for amendment in motion.amendments.filter(status__in=(A.DRAFT, A.SUBMITTED, A.ADMISSIBLE)):
        old = amendment.status
        amendment.status, amendment.status_reason = A.WITHDRAWN, gettext_now("motion withdrawn")
        amendment.save(update_fields=["status", "status_reason"])
        audit.record(
            actor,
            "amendment.fell",
            amendment,
            old={"status": old},
            new={"status": A.WITHDRAWN},
        )


_MOTION_STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        _step(
            "submit",
            _("Submit"),
            [M.DRAFT],
            M.SUBMITTED,
            [PROPOSER],
            service="motions.services.submit_motion",
            work="motions.services.submission.check_submission",
            fields=("reference", "submitted_at"),
            does="before the notice deadline, with the co-sponsors required; gives the reference",
        ),
        _step(
            "withdraw",
            _("Withdraw"),
            [M.DRAFT, M.SUBMITTED, M.ADMISSIBLE, M.SCHEDULED],
            M.WITHDRAWN,
            [PROPOSER],
            work=ensure_no_amendment_in_vote,
            does="waits for no amendment in the vote; pending amendments fall with it",
            inputs=("reason",),
            then=fall_with,
        ),
        _step(
            "admit",
            _("Declare admissible"),
            [M.SUBMITTED],
            M.ADMISSIBLE,
            [STANDING_ORDERS],
            inputs=("reason",),
        ),
        _step(
            "reject_admissibility",
            _("Declare inadmissible"),
            [M.SUBMITTED],
            M.INADMISSIBLE,
            [STANDING_ORDERS],
            needs_reason=True,
            inputs=("reason",),
        ),
        _step(
            "schedule",
            _("Put on the agenda"),
            [M.ADMISSIBLE],
            M.SCHEDULED,
            [BOARD, CHAIR],
            service="motions.services.schedule_motion",
            inputs=("assembly",),
            work="motions.services.submission.place_on_agenda",
            fields=("assembly", "agenda_position"),
            does="after the items already on that meeting's agenda",
        ),
        _step(
            "refer",
            _("Refer to a body"),
            [M.ADMISSIBLE, M.SCHEDULED],
            M.REFERRED,
            [BOARD, CHAIR],
            needs_reason=True,
            service="motions.services.refer_motion",
            inputs=("body", "reason"),
            work="motions.services.submission.check_referral",
            fields=("referred_to", "agenda_position"),
            does="to another body, no amendment in the vote; it leaves the agenda",
        ),
        _step(
            "put_to_vote",
            _("Put to the vote"),
            [M.SCHEDULED],
            M.IN_VOTE,
            [CHAIR],
            service="motions.services.put_motion_to_vote",
            inputs=("mode", "closes_at"),
            work="motions.services.voting.open_motion_vote",
            does="opens its ballot on the final text, the amendments all decided",
            fields=("final_text", "ballot"),
        ),
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
            service="motions.services.forward_to_ic",
            inputs=("council", "cosponsoring_sections", "forwarded_on"),
            work="motions.services.ic.check_forwarding",
            then="motions.services.ic.file_submission",
            does="files the submission to the IC (its own audit event)",
        ),
        _step(
            "ic_adopted",
            _("Adopted by the IC"),
            [M.FORWARDED],
            M.IC_ADOPTED,
            [BOARD, STAFF],
            kinds=IC,
            work=IC_OUTCOME,
            does=IC_OUTCOME_DOES,
        ),
        _step(
            "ic_rejected",
            _("Rejected by the IC"),
            [M.FORWARDED],
            M.IC_REJECTED,
            [BOARD, STAFF],
            kinds=IC,
            work=IC_OUTCOME,
            does=IC_OUTCOME_DOES,
        ),
        _step(
            "ic_withdrawn",
            _("Withdrawn at the IC"),
            [M.FORWARDED],
            M.IC_WITHDRAWN,
            [BOARD, STAFF],
            kinds=IC,
            work=IC_OUTCOME,
            does=IC_OUTCOME_DOES,
        ),
    ]
}

_AMENDMENT_STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        _step(
            "submit",
            _("Submit"),
            [A.DRAFT],
            A.SUBMITTED,
            [PROPOSER],
            service="motions.services.submit_amendment",
            lock=lock_with_motion,
            work="motions.services.amendments.check_submission",
            fields=("number", "submitted_at"),
            does="before the amendment deadline, the motion still amendable; gives its number",
        ),
        _step(
            "withdraw",
            _("Withdraw"),
            [A.DRAFT, A.SUBMITTED, A.ADMISSIBLE],
            A.WITHDRAWN,
            [PROPOSER],
            inputs=("reason",),
        ),
        _step(
            "admit",
            _("Declare admissible"),
            [A.SUBMITTED],
            A.ADMISSIBLE,
            [STANDING_ORDERS],
            inputs=("reason",),
        ),
        _step(
            "reject_admissibility",
            _("Declare inadmissible"),
            [A.SUBMITTED],
            A.INADMISSIBLE,
            [STANDING_ORDERS],
            needs_reason=True,
            inputs=("reason",),
        ),
        _step(
            "put_to_vote",
            _("Put to the vote"),
            [A.ADMISSIBLE],
            A.IN_VOTE,
            [CHAIR],
            service="motions.services.put_amendment_to_vote",
            inputs=("mode", "closes_at"),
            lock=lock_with_motion,
            work="motions.services.voting.open_amendment_vote",
            does="opens its ballot, the motion on the agenda and earlier amendments decided",
            fields=("ballot",),
        ),
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

MOTION = lifecycle.Lifecycle(
    name="motion",
    model=Motion,
    steps=_MOTION_STEPS,
    role_labels=ROLE_LABELS,
    ensure_role=_ensure_role,
    refusal=_refusal,
    lock=lock_motion,
    kind_of=lambda motion: motion.kind,
    reason_field="status_reason",
    reason_always=True,
)

AMENDMENT = lifecycle.Lifecycle(
    name="amendment",
    model=Amendment,
    steps=_AMENDMENT_STEPS,
    role_labels=ROLE_LABELS,
    ensure_role=_ensure_role,
    refusal=_refusal,
    lock=lock_amendment,
    kind_of=lambda amendment: amendment.motion.kind,
    reason_field="status_reason",
    reason_always=True,
)

#: What may be done on a motion without changing its status, and the roles that may do it.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "edit": frozenset({PROPOSER}),  # save a new version of the draft
    "follow_up": frozenset({BOARD, STAFF}),  # dated notes on an IC motion's implementation
    "speakers": frozenset({CHAIR, STAFF}),  # the list of speakers on an item of the agenda
}

#: The steps a person takes with a reason field and nothing else (the others have their
#: own service: submitting checks co-sponsors and the deadline, voting opens a ballot).
SIMPLE_STEPS = ("withdraw", "admit", "reject_admissibility")
