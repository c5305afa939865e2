"""The International Council: forwarding, its outcome, follow-ups and the voting mandate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from elections import services as elections
from elections.models import Ballot
from governance import lifecycle
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed
from governance.models import (
    Body,
    OrganisationUnit,
)
from governance.permissions import ensure_may_write
from motions.models import (
    FollowUp,
    ICSubmission,
    Motion,
    VotingMandate,
)
from motions.services.common import _step, ensure_may_take, may_take


def forward_to_ic(
    *,
    actor,
    motion: Motion,
    council: OrganisationUnit,
    cosponsoring_sections: Sequence[str] = (),
    forwarded_on: dt.date | None = None,
) -> ICSubmission:
    """The Board forwards an adopted IC motion to the International Council."""
    ensure_may_take(actor, motion, "forward")
    if council.kind != OrganisationUnit.Kind.INTERNATIONAL_COUNCIL:
        raise DomainError(_("Choose the International Council."), field="council")
    sections = [s.strip() for s in cosponsoring_sections if s.strip()]
    motion = lifecycle.take(
        _step(motion, "forward"),
        motion,
        actor,
        council=council,
        cosponsoring_sections=sections,
        forwarded_on=forwarded_on or timezone.localdate(),
    )
    return motion.ic_submission


def check_forwarding(
    motion: Motion, actor, *, council, cosponsoring_sections, forwarded_on
) -> dict:
    """Forwarded after the decision that adopted it."""
    if motion.decision_id and forwarded_on < motion.decision.decided_on:
        raise DomainError(
            _("A motion is forwarded after the decision that adopted it."), field="forwarded_on"
        )
    return {"council": council.code, "cosponsoring_sections": cosponsoring_sections}


def file_submission(motion: Motion, actor, *, council, cosponsoring_sections, forwarded_on) -> None:
    """The submission to the IC, with its own audit event, after the motion's."""
    submission = ICSubmission.objects.create(
        motion=motion,
        council=council,
        cosponsoring_sections=cosponsoring_sections,
        forwarded_on=forwarded_on,
        forwarded_by=actor,
    )
    audit.record(actor, "ic_submission.created", submission, new=model_values(submission))


IC_STEPS = {
    ICSubmission.Outcome.ADOPTED: "ic_adopted",
    ICSubmission.Outcome.AMENDED: "ic_adopted",
    ICSubmission.Outcome.REJECTED: "ic_rejected",
    ICSubmission.Outcome.WITHDRAWN: "ic_withdrawn",
}


def record_ic_outcome(
    *,
    actor,
    motion: Motion,
    outcome: str,
    decided_on: dt.date,
    ic_reference: str = "",
    text: str = "",
) -> ICSubmission:
    """An officer records what the IC did with the section's motion, with the IC's reference."""
    ensure_may_take(actor, motion, *IC_STEPS.values())
    if outcome not in IC_STEPS:
        raise DomainError(_("Unknown outcome."), field="outcome")
    if outcome == ICSubmission.Outcome.AMENDED and not text.strip():
        raise DomainError(_("Give the text as the IC adopted it."), field="text")
    step = _step(motion, IC_STEPS[outcome])
    motion = lifecycle.take(
        step,
        motion,
        actor,
        outcome=outcome,
        decided_on=decided_on,
        ic_reference=ic_reference,
        text=text,
    )
    return motion.ic_submission


def note_ic_outcome(motion: Motion, actor, *, outcome, decided_on, ic_reference, text) -> dict:
    """Records the IC's outcome, date, reference and text on the motion's submission."""
    submission = ICSubmission.objects.select_for_update().filter(motion=motion).first()
    if submission is None:
        raise DomainError(_("This motion has not been forwarded to the IC."))
    if decided_on < submission.forwarded_on:
        raise DomainError(
            _("The IC decides after the motion was forwarded (%(date)s).")
            % {"date": date_format(submission.forwarded_on)},
            field="decided_on",
        )
    submission.outcome, submission.outcome_on = outcome, decided_on
    submission.ic_reference, submission.outcome_text = ic_reference.strip(), text.strip()
    submission.save(update_fields=["outcome", "outcome_on", "ic_reference", "outcome_text"])
    submission.motion = motion  # the service returns it as motion.ic_submission
    return {"ic_outcome": outcome, "ic_reference": ic_reference}


def add_follow_up(*, actor, motion: Motion, noted_on: dt.date, text: str) -> FollowUp:
    """Officers of the Board or staff keep dated notes on the implementation of an IC motion."""
    ensure_may_write(actor)
    if not may_take(actor, motion, "follow_up"):
        raise NotAllowed(_("Only the Board or staff keep the follow-up notes."))
    if not text.strip():
        raise DomainError(_("Write the note."), field="text")
    submission = ICSubmission.objects.filter(motion=motion).first()
    if submission is None:
        raise DomainError(_("This motion has not been forwarded to the IC."))
    if noted_on < submission.forwarded_on:
        raise DomainError(_("A follow-up comes after the motion was forwarded."), field="noted_on")
    with transaction.atomic():
        note = FollowUp.objects.create(
            submission=submission, noted_on=noted_on, text=text.strip(), author=actor
        )
        audit.record(actor, "ic_follow_up.added", note, new=model_values(note))
    return note


def propose_voting_mandate(
    *,
    actor,
    board: Body,
    ic_reference: str,
    motion_title: str,
    submitted_by: str,
    position: str,
    closes_at: dt.datetime,
    article,
) -> VotingMandate:
    """The Board decides, by roll call, how its IC delegates vote on another section's motion.

    Opens the Board's roll-call ballot at once; its count records the decision.
    """
    ensure_may_write(actor)
    if board.kind != Body.Kind.BOARD:
        raise DomainError(_("The Board decides the delegates' voting mandate."), field="board")
    if position not in VotingMandate.Position.values:
        raise DomainError(_("Unknown position."), field="position")
    for name, value in (("ic_reference", ic_reference), ("motion_title", motion_title)):
        if not value.strip():
            raise DomainError(_("This field is required."), field=name)
    with transaction.atomic():
        label = VotingMandate.Position(position).label
        ballot = elections.create_ballot(
            actor=actor,
            body=board,
            title=_("Voting mandate on %(ref)s: %(position)s")
            % {"ref": ic_reference.strip(), "position": label},
            question=_(
                "Do our delegates to the International Council %(position)s on motion %(ref)s "
                "(%(title)s), submitted by %(section)s?"
            )
            % {
                "position": str(label).lower(),
                "ref": ic_reference.strip(),
                "title": motion_title.strip(),
                "section": submitted_by.strip(),
            },
            kind=Ballot.Kind.ROLL_CALL,
            method=Ballot.Method.YESNO,
            rule_scope=Body.Kind.BOARD,
            article=article,
            opens_at=timezone.now(),
            closes_at=closes_at,
        )
        mandate = VotingMandate.objects.create(
            ic_reference=ic_reference.strip(),
            motion_title=motion_title.strip(),
            submitted_by=submitted_by.strip(),
            position=position,
            ballot=ballot,
        )
        audit.record(actor, "voting_mandate.proposed", mandate, new=model_values(mandate))
        mandate.ballot = elections.open_ballot(actor=actor, ballot=ballot)
    return mandate
