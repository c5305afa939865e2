"""Casting: one participation and one paper per vote, under the ballot's lock, with a receipt."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from elections import ballot_box, counting, integrity
from elections.counting import papers as paper_format
from elections.models import (
    Ballot,
    BallotPaper,
    Candidate,
    NamedVote,
    Participation,
    Proxy,
    RollEntry,
)
from elections.services.common import S, _locked, _member_of
from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed
from governance.models import Member
from governance.permissions import ensure_may_write

#: The actor label of a secret ballot's `ballot.vote_cast` event: no one is named.
SECRET_VOTER = "secret ballot"


@dataclass(frozen=True)
class Receipt:
    """Given to the voter once.

    For a secret ballot the code is the tracker of the voter's encrypted paper (the SHA-256
    of its ciphertexts and proofs), which the voter finds on the ballot's public board; it
    says nothing of the vote. For a named vote it finds the paper in the published list.
    """

    code: str
    fingerprint: str
    trackers: tuple[str, ...] = ()


def fingerprint(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def candidate_codes(ballot: Ballot) -> list[str]:
    return list(
        ballot.candidates.filter(status=Candidate.Status.STANDING).values_list("code", flat=True)
    )


def paper_content(ballot: Ballot, choices: Any, codes: Sequence[str]) -> dict[str, Any]:
    """Validate what the voter chose for the ballot's method; the paper's JSON content."""
    try:
        return paper_format.content(
            ballot.method, choices, codes, seats=ballot.seats, max_approvals=ballot.max_approvals
        )
    except counting.InvalidBallot as error:
        messages = {
            counting.InvalidCode.UNKNOWN_CANDIDATE: _("That candidate is not on this ballot."),
            counting.InvalidCode.REPEATED_CANDIDATE: _("Each candidate may be ranked once only."),
            counting.InvalidCode.TOO_MANY_CHOICES: _("Too many candidates marked."),
            counting.InvalidCode.UNKNOWN_CHOICE: _("Choose yes, no, abstain or blank."),
        }
        raise DomainError(
            messages.get(error.code, _("This vote is not valid.")), field="choices"
        ) from None


def _roll_weight(ballot: Ballot, member: Member) -> int | None:
    """The member's weight on the ballot's roll, or None if they are not on it."""
    try:
        return RollEntry.objects.values_list("weight", flat=True).get(ballot=ballot, member=member)
    except RollEntry.DoesNotExist:
        return None


# The choices and the paper are hidden from error reports that show a frame's variables.
@sensitive_variables()
def cast_vote(
    *,
    actor,
    ballot: Ballot,
    choices: Any = None,
    on_behalf_of: Member | None = None,
    encrypted: Sequence[dict] | None = None,
) -> Receipt:
    """A voter on the roll casts their vote (or one they carry by proxy); returns the receipt.

    In one transaction: the ballot is open (its row locked, so closing waits for the vote),
    the voter is on the roll, the choices are valid for the method; the participation (unique
    per ballot and voter, a database constraint) and the paper are written together.

    A secret paper is encrypted to the trustees' joint key and goes on the ballot's board as
    one entry per unit of the voter's weight; its plaintext is never written. ``encrypted``
    takes papers already encrypted (by the voter's browser), one per unit of weight, whose
    proofs are checked like the server's own.
    """
    ensure_may_write(actor)
    holder = _member_of(actor)
    voter = on_behalf_of or holder
    with transaction.atomic():
        # The roll and the candidates never change once a ballot is open: when the caller's
        # ballot was read open, read them before the lock, which every vote queues for, so
        # that it is held for the writes only (benchmarks/load_votes.py).
        if ballot.status == S.OPEN:
            weight = _roll_weight(ballot, voter)
            codes = [] if ballot.yes_no else candidate_codes(ballot)
            # Under the lock, only what can still change: the status and the closing time.
            status, closes_at = (
                Ballot.objects.select_for_update(no_key=True)
                .values_list("status", "closes_at")
                .get(pk=ballot.pk)
            )
        else:  # read before it opened (or closed): everything again, under the lock
            ballot = _locked(ballot)
            status, closes_at = ballot.status, ballot.closes_at
            weight = _roll_weight(ballot, voter)
            codes = [] if ballot.yes_no else candidate_codes(ballot)
        if status != S.OPEN or timezone.now() >= closes_at:
            raise DomainError(_("This ballot is not open for voting."))
        if weight is None:
            raise NotAllowed(_("You are not on the electoral roll of this ballot."))
        if on_behalf_of is not None:
            proxy = (
                Proxy.objects.select_for_update()
                .filter(ballot=ballot, giver=voter, holder=holder)
                .first()
            )
            if proxy is None or proxy.status != Proxy.Status.ACTIVE:
                raise NotAllowed(_("You do not carry a proxy for this member on this ballot."))
            proxy.status = Proxy.Status.USED
            proxy.save(update_fields=["status"])
        if encrypted is None or not ballot.secret:
            content = paper_content(ballot, choices, codes)
            sealed = None
        else:
            content, sealed = None, ballot_box.read_papers(ballot, encrypted, weight)
        by_proxy = on_behalf_of is not None
        salt = integrity.new_salt() if ballot.secret else ""
        if not Participation.objects.take_part(
            ballot_id=ballot.pk, member_id=voter.pk, by_proxy=by_proxy, salt=salt
        ):
            raise DomainError(_("A vote has already been cast for this member in this ballot."))
        if ballot.secret:
            if sealed is None:
                box = ballot_box.BallotBox.objects.get(ballot_id=ballot.pk)
                sealed = [ballot_box.encrypt_paper(box, content) for _n in range(weight)]
            trackers = ballot_box.append_to_board(ballot, sealed)
            receipt = Receipt(code=trackers[0], fingerprint=trackers[0], trackers=tuple(trackers))
        else:
            code = secrets.token_urlsafe(18)
            receipt = Receipt(code=code, fingerprint=fingerprint(code))
            BallotPaper.objects.create(
                ballot=ballot,
                content=content,
                weight=weight,
                receipt_fingerprint=receipt.fingerprint,
            )
        if not ballot.secret:
            NamedVote.objects.create(
                ballot=ballot, member=voter, content=content, cast_at=timezone.now()
            )
        if ballot.secret:
            # No voter, no actor and no proxy flag: the n-th event of a ballot would otherwise
            # name the n-th entry of its board. The commitment proves the participation was
            # audited (`integrity.unaudited_votes`) without saying whose it is.
            audit.record_many(
                None,
                [
                    audit.Change(
                        integrity.VOTE_CAST,
                        ballot,
                        new={
                            "commitment": integrity.cast_commitment(
                                ballot_id=ballot.pk,
                                member_id=voter.pk,
                                by_proxy=by_proxy,
                                salt=salt,
                            )
                        },
                    )
                ],
                actor_label=SECRET_VOTER,
            )
        else:
            # Who took part, never what they chose (the record is NamedVote).
            audit.record(
                actor, integrity.VOTE_CAST, ballot, new={"voter": voter.pk, "by_proxy": by_proxy}
            )
    return receipt
