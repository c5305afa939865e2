"""Paper results entered by tellers: a batch entered, confirmed by a second teller, or set aside."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from elections import integrity
from elections.models import (
    Ballot,
    PaperCount,
)
from elections.services.casting import candidate_codes, paper_content
from elections.services.common import S, _locked
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed
from governance.permissions import ensure_may_act_for_body


def enter_paper_count(
    *, actor, ballot: Ballot, label: str, groups: Sequence[Sequence[Any]]
) -> PaperCount:
    """A teller (an officer of the body) enters a batch of papers counted by hand.

    `groups` lists each distinct paper with how many there were; the batch counts only
    once a second teller confirms it.
    """
    ensure_may_act_for_body(actor, ballot.body)
    if not label.strip():
        raise DomainError(_("Name the batch (e.g. the room or the box)."), field="label")
    codes = candidate_codes(ballot)
    clean: list[list[Any]] = []
    for index, group in enumerate(groups, start=1):
        if (
            not isinstance(group, list | tuple)
            or len(group) != 2
            or isinstance(group[1], bool)
            or not isinstance(group[1], int)
            or group[1] < 1
        ):
            raise DomainError(
                _("Line %(line)s: give a paper and a number of at least 1.") % {"line": index},
                field="groups",
            )
        try:
            content = paper_content(ballot, group[0], codes)
        except DomainError as error:
            raise DomainError(
                _("Line %(line)s: %(problem)s") % {"line": index, "problem": error.message},
                field="groups",
            ) from None
        clean.append([next(iter(content.values())), group[1]])
    if not clean:
        raise DomainError(_("The batch is empty."), field="groups")
    with transaction.atomic():
        ballot = _locked(ballot)
        if ballot.status not in (S.OPEN, S.CLOSED):
            raise DomainError(
                _("Paper results are entered while the ballot is open or closed, before the count.")
            )
        if ballot.paper_counts.live().filter(label=label.strip()).exists():
            raise DomainError(_("A batch with this name was already entered."), field="label")
        papers = sum(n for _paper, n in clean)
        # Under the ballot's lock, so two batches entered at once cannot both fit.
        too_many = integrity.batch_problem(
            integrity.turnout(ballot), label=label.strip(), papers=papers
        )
        if too_many:
            raise DomainError(too_many, field="groups")
        batch = PaperCount.objects.create(
            ballot=ballot,
            label=label.strip(),
            content={"groups": clean},
            papers=papers,
            entered_by=actor,
        )
        audit.record(actor, "paper_count.entered", batch, new=model_values(batch))
    return batch


def _locked_for(actor, batch: PaperCount) -> PaperCount:
    """In the caller's transaction: the batch re-read and locked, once the actor is shown to
    act for the ballot's body."""
    batch = (
        PaperCount.objects.select_for_update(of=("self",))
        .select_related("ballot__body")
        .get(pk=batch.pk)
    )
    ensure_may_act_for_body(actor, batch.ballot.body)
    return batch


def confirm_paper_count(*, actor, batch: PaperCount) -> PaperCount:
    """A second teller confirms a batch entered by another; it is then merged into the count."""
    with transaction.atomic():
        batch = _locked_for(actor, batch)
        if batch.entered_by_id == actor.pk:
            raise NotAllowed(_("A second teller must confirm: not the one who entered the batch."))
        if batch.status != PaperCount.Status.PENDING:
            raise DomainError(
                _("This batch is %(status)s: it cannot be confirmed.")
                % {"status": batch.get_status_display()}
            )
        if batch.ballot.status not in (S.OPEN, S.CLOSED):
            raise DomainError(_("The ballot has already been counted."))
        batch.confirmed_by, batch.status = actor, PaperCount.Status.CONFIRMED
        batch.save(update_fields=["confirmed_by", "status"])
        audit.record(
            actor,
            "paper_count.confirmed",
            batch,
            old={"status": PaperCount.Status.PENDING},
            new={"confirmed_by": actor.pk, "status": PaperCount.Status.CONFIRMED},
        )
    return batch


def set_aside_paper_count(*, actor, batch: PaperCount, reason: str) -> PaperCount:
    """Take a batch out before it is confirmed: withdrawn by the teller who entered it,
    rejected by a second teller. The reason is kept on the batch and in the audit event;
    the batch stays on the record and never counts. Officers of the ballot's body only.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        batch = _locked_for(actor, batch)
        if batch.status != PaperCount.Status.PENDING:
            raise DomainError(
                _("This batch is %(status)s: only a batch awaiting confirmation can be set aside.")
                % {"status": batch.get_status_display()}
            )
        if batch.ballot.status not in (S.OPEN, S.CLOSED):
            raise DomainError(_("The ballot has already been counted."))
        withdrawn = batch.entered_by_id == actor.pk
        batch.status = PaperCount.Status.WITHDRAWN if withdrawn else PaperCount.Status.REJECTED
        batch.set_aside_by, batch.reason = actor, reason
        batch.save(update_fields=["status", "set_aside_by", "reason"])
        audit.record(
            actor,
            "paper_count.withdrawn" if withdrawn else "paper_count.rejected",
            batch,
            old={"status": PaperCount.Status.PENDING},
            new={"status": batch.status, "reason": reason},
        )
    return batch
