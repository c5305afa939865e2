"""Putting motions and amendments to the vote, and the count's outcome (inside `count_ballot`'s transaction)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from elections import services as elections
from elections.models import Ballot
from governance import lifecycle
from governance import services as governance
from governance.exceptions import DomainError
from governance.models import (
    Assembly,
    Body,
    Decision,
)
from governance.permissions import ensure_may_write
from governance.statutes.lookup import require_rule_for
from motions import texts, workflow
from motions.models import (
    Amendment,
    Motion,
)
from motions.services.amendments import as_change, final_text, text_before
from motions.services.common import LIVE_AMENDMENT, M, _step
from motions.services.drafting import proposed_statutes
from motions.services.statute_rules import vote_scope

IN_ROOM, ONLINE = "in_room", "online"


def _open_vote(
    *, actor, motion: Motion, title: str, question: str, mode: str, closes_at: dt.datetime | None
) -> Ballot:
    """A yes/no ballot on the motion's body under the motion's rules, opened at once."""
    if mode not in (IN_ROOM, ONLINE):
        raise DomainError(_("The vote is in the room or online."), field="mode")
    assembly = motion.assembly
    now = timezone.now()
    if mode == IN_ROOM:
        if assembly is None or assembly.status != Assembly.Status.IN_SESSION:
            raise DomainError(_("An in-room vote needs the assembly in session."), field="mode")
        closes_at = closes_at or now + dt.timedelta(minutes=30)
    elif closes_at is None:
        raise DomainError(_("Give the closing time of the online vote."), field="closes_at")
    if closes_at <= now:
        raise DomainError(_("The vote must close in the future."), field="closes_at")
    scope = vote_scope(motion)
    majority = require_rule_for("majority", scope)
    board = motion.body.kind == Body.Kind.BOARD
    ballot = elections.create_ballot(
        actor=actor,
        body=motion.body,
        title=title,
        question=question,
        kind=Ballot.Kind.ROLL_CALL if board else Ballot.Kind.QUESTION,
        method=Ballot.Method.YESNO,
        rule_scope=scope,
        article=majority.article,
        opens_at=now,
        closes_at=closes_at,
        electorate=(
            Ballot.Electorate.BODY
            if board
            else (Ballot.Electorate.ASSEMBLY if mode == IN_ROOM else Ballot.Electorate.MEMBERS)
        ),
        assembly=assembly,
        convocation=assembly.convocation if assembly else 1,
    )
    return elections.open_ballot(actor=actor, ballot=ballot)


def put_amendment_to_vote(
    *, actor, amendment: Amendment, mode: str = IN_ROOM, closes_at: dt.datetime | None = None
) -> Ballot:
    """The chair puts an admissible amendment to the vote, in the order they were tabled."""
    ensure_may_write(actor)
    step = _step(amendment, "put_to_vote")
    return lifecycle.take(step, amendment, actor, mode=mode, closes_at=closes_at).ballot


def open_amendment_vote(amendment: Amendment, actor, *, mode: str, closes_at) -> dict:
    """Opens the amendment's ballot, its motion on the agenda and the earlier amendments decided."""
    motion = amendment.motion
    if motion.status != M.SCHEDULED:
        raise DomainError(_("Amendments are voted when their motion is on the agenda."))
    earlier = motion.amendments.filter(
        number__lt=amendment.number, status__in=LIVE_AMENDMENT
    ).order_by("number")
    if earlier.exists():
        raise DomainError(
            _("Vote the earlier amendments first: %(labels)s.")
            % {"labels": ", ".join(a.label for a in earlier)}
        )
    try:
        texts.apply_change(text_before(amendment), as_change(amendment))
    except texts.MergeError as error:
        raise DomainError(
            _("Paragraph %(n)s no longer exists after the earlier amendments.")
            % {"n": error.paragraph}
        ) from error
    amendment.ballot = _open_vote(
        actor=actor,
        motion=motion,
        title=_("%(motion)s — amendment %(label)s")
        % {"motion": motion.reference, "label": amendment.label},
        question=amendment.text,
        mode=mode,
        closes_at=closes_at,
    )
    return {"ballot": amendment.ballot.pk}


def put_motion_to_vote(
    *, actor, motion: Motion, mode: str = IN_ROOM, closes_at: dt.datetime | None = None
) -> Ballot:
    """The chair puts a scheduled motion to the vote: its amendments all decided first, the
    question is the final text with the adopted amendments merged."""
    ensure_may_write(actor)
    step = _step(motion, "put_to_vote")
    return lifecycle.take(step, motion, actor, mode=mode, closes_at=closes_at).ballot


def open_motion_vote(motion: Motion, actor, *, mode: str, closes_at) -> dict:
    """Opens the motion's ballot on its final text, its amendments all decided."""
    pending = motion.amendments.filter(status__in=LIVE_AMENDMENT).order_by("number")
    if pending.exists():
        raise DomainError(
            _("Decide the amendments before the motion: %(labels)s.")
            % {"labels": ", ".join(a.label for a in pending)}
        )
    if motion.is_statute_amendment:
        proposed_statutes(motion)
    motion.final_text = final_text(motion)
    motion.ballot = _open_vote(
        actor=actor,
        motion=motion,
        title=f"{motion.reference} — {motion.title}",
        question=motion.final_text,
        mode=mode,
        closes_at=closes_at,
    )
    return {"ballot": motion.ballot.pk, "mode": mode}


def apply_count(*, actor, ballot: Ballot, decision: Decision) -> None:
    """Move the motion, amendment or voting mandate a counted ballot decided.

    Adopted: the motion is adopted and linked to its decision; an adopted statute
    amendment creates the next statute version, effective from the decision's date and
    citing it. Rejected: rejected. No quorum: back where it was before the vote.
    """
    step = {"adopted": "adopt", "rejected": "reject", "no_quorum": "no_quorum"}.get(
        decision.outcome
    )
    motion = Motion.objects.filter(ballot=ballot).first()
    amendment = Amendment.objects.filter(ballot=ballot).first()
    item = motion or amendment
    if item is None or step is None:
        return
    item = workflow.lock_motion(item) if motion else workflow.lock_amendment(item)
    reason = _("The quorum was not reached (%(ref)s).") % {"ref": decision.reference}
    if step != "no_quorum":
        item.decision = decision
        reason = ""
    else:
        item.ballot = None
    lifecycle.move(
        _step(item, step),
        item,
        actor,
        reason=reason,
        system=True,
        update_fields=["decision", "ballot"],
        decision=decision.reference,
    )
    if motion and step == "adopt" and motion.is_statute_amendment:
        version, _current, proposed = proposed_statutes(motion, decision.decided_on)
        governance.adopt_statute_version(
            actor=actor,
            title=version.title,
            effective_from=decision.decided_on,
            articles=proposed,
            adopted_by=decision,
            note=_("Amended by %(reference)s (motion %(motion)s).")
            % {"reference": decision.reference, "motion": motion.reference},
        )


def apply_cancellation(*, actor, ballot: Ballot) -> None:
    """Put the motion or amendment a cancelled ballot was voting on back where it was before
    the vote (on the agenda, or admissible), with the cancellation's reason.

    Called inside `cancel_ballot`'s transaction: if the move fails, the ballot stays as it
    was. The motion (or amendment) can be put to the vote again. A motion's ballot opens
    only once its amendments are decided (they stay decided), and an amendment's only while
    its motion waits on the agenda, which it cannot leave during that vote, so a
    cancellation never has another ballot to undo.
    """
    motion = Motion.objects.filter(ballot=ballot).first()
    amendment = None if motion else Amendment.objects.filter(ballot=ballot).first()
    if motion is None and amendment is None:
        return  # not a motion's vote (a voting mandate's ballot just shows as cancelled)
    item = (
        workflow.lock_motion(motion) if motion is not None else workflow.lock_amendment(amendment)
    )
    item.ballot = None
    lifecycle.move(
        _step(item, "vote_cancelled"),
        item,
        actor,
        reason=_("The vote was cancelled: %(reason)s") % {"reason": ballot.cancel_reason},
        system=True,
        update_fields=["ballot"],
        ballot=ballot.pk,
    )
