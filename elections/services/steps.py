"""The ballot's lifecycle table (`BALLOT`) and the steps that take it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from elections.models import Ballot
from elections.services.common import S, _locked
from elections.services.counting import (
    _announce,
    _cancelled,
    _close,
    _count,
    _count_guard,
    _counted,
    _prepare_tally,
    _publish,
    _retry_guard,
    _retry_tally,
)
from elections.services.opening import _invite, _open
from governance import lifecycle
from governance.audit import log as audit


def open_ballot(*, actor, ballot: Ballot) -> Ballot:
    """Officers open a draft ballot: the electoral roll is frozen from the statutes in force.

    Later changes to the membership do not change an open ballot's roll. Invitations are
    sent after the transaction commits.
    """
    return lifecycle.take(BALLOT.steps["open"], ballot, actor)


def close_ballot(*, actor, ballot: Ballot) -> Ballot:
    """Officers close an open ballot. Votes already committed are in; later ones are refused.

    The lock waits for the votes already under way (`_locked`)."""
    return lifecycle.take(BALLOT.steps["close"], ballot, actor)


def count_ballot(*, actor, ballot: Ballot):
    """Officers count a closed ballot; the result is recorded as a decision in the register.

    A secret ballot is counted only once the task worker has mixed its tally (the step's
    guard refuses while it waits, mixes or has failed); its trustees then decrypt. The
    quorum and majority rules of the ballot's scope in the statutes in force are applied;
    the decision cites the ballot's article, the rules' snapshots and the figures.
    """
    return lifecycle.take(BALLOT.steps["count"], ballot, actor)


def retry_tally(*, actor, ballot: Ballot) -> Ballot:
    """Officers send a closed secret ballot's failed tally (totals or mix), or one stuck in
    mixing because its worker died, back to the task worker; the console shows why it
    failed."""
    return lifecycle.take(BALLOT.steps["retry_tally"], ballot, actor)


def publish_results(*, actor, ballot: Ballot) -> Ballot:
    """Officers publish a counted ballot: the result and the list of papers become public."""
    return lifecycle.take(BALLOT.steps["publish"], ballot, actor)


def cancel_ballot(*, actor, ballot: Ballot, reason: str) -> Ballot:
    """Officers cancel a ballot before it is counted, giving the reason (kept on the record)."""
    return lifecycle.take(BALLOT.steps["cancel"], ballot, actor, reason=reason)


OFFICERS = lifecycle.OFFICERS

#: The ballot's lifecycle. Every step needs an officer of the deciding body (or of its
#: unit's board) or staff (`lifecycle.officer_lifecycle`).
BALLOT = lifecycle.officer_lifecycle(
    name="ballot",
    model=Ballot,
    lock=_locked,
    refusal=gettext_lazy("A ballot that is %(status)s cannot become %(target)s."),
    steps=[
        lifecycle.step(
            "open",
            gettext_lazy("Open the ballot and freeze the roll"),
            [S.DRAFT],
            S.OPEN,
            [OFFICERS],
            event="ballot.opened",
            service="elections.services.open_ballot",
            does="freezes the electoral roll; the invitations go out after commit",
            work=_open,
            then=_invite,
            fields=("opened_at", "opens_at", "quorum_eligible"),
            done=gettext_lazy("The ballot is open; the electoral roll is frozen."),
        ),
        lifecycle.step(
            "close",
            gettext_lazy("Close the ballot"),
            [S.OPEN],
            S.CLOSED,
            [OFFICERS],
            event="ballot.closed",
            service="elections.services.close_ballot",
            does="waits for the votes under way, then refuses later ones; the tally is "
            "prepared by the task worker after commit",
            work=_close,
            then=_prepare_tally,
            fields=("closed_at",),
            confirm=gettext_lazy("Close the ballot?"),
            done=gettext_lazy("The ballot is closed."),
        ),
        lifecycle.step(
            "count",
            gettext_lazy("Count and record the decision"),
            [S.CLOSED],
            S.COUNTED,
            [OFFICERS],
            event="ballot.counted",
            service="elections.services.count_ballot",
            does="counts under the statutes' quorum and majority; records the decision "
            "(a secret ballot only once the task worker has mixed its tally)",
            guard=_count_guard,
            work=_count,
            then=_counted,
            fields=("result", "decision"),
            confirm=gettext_lazy("Count the ballot and record the decision?"),
            done=gettext_lazy("The ballot is counted and the decision recorded."),
        ),
        lifecycle.step(
            "retry_tally",
            gettext_lazy("Prepare the tally again"),
            [S.CLOSED],
            S.CLOSED,
            [OFFICERS],
            event="ballot.tally_retried",
            service="elections.services.retry_tally",
            does="a secret ballot's tally that failed (or is stuck in mixing) goes back "
            "to the task worker",
            guard=_retry_guard,
            work=_retry_tally,
            then=_prepare_tally,
            done=gettext_lazy("The tally is prepared again by the task worker."),
        ),
        lifecycle.step(
            "publish",
            gettext_lazy("Publish the results and the papers"),
            [S.COUNTED],
            S.PUBLISHED,
            [OFFICERS],
            event="ballot.published",
            service="elections.services.publish_results",
            does="makes the result and the list of papers public; announces them",
            work=_publish,
            then=_announce,
            confirm=gettext_lazy("Publish the results and the papers?"),
            done=gettext_lazy("The results and the list of papers are published."),
        ),
        lifecycle.step(
            "cancel",
            gettext_lazy("Cancel the ballot"),
            [S.DRAFT, S.OPEN, S.CLOSED],
            S.CANCELLED,
            [OFFICERS],
            event="ballot.cancelled",
            service="elections.services.cancel_ballot",
            inputs=("reason",),
            does="keeps the reason; a motion in that vote goes back where it was",
            then=_cancelled,
            needs_reason=True,
            reason_prompt=gettext_lazy("Give the reason for cancelling."),
            done=gettext_lazy("The ballot is cancelled."),
        ),
    ],
)


def mark_reminded(*, actor, ballot: Ballot) -> bool:
    """The reminder job records that the closing reminder went out (once per ballot)."""
    with transaction.atomic():
        ballot = _locked(ballot)
        if ballot.status != S.OPEN or ballot.reminded_at is not None:
            return False
        ballot.reminded_at = timezone.now()
        ballot.save(update_fields=["reminded_at"])
        audit.record(actor, "ballot.reminder_sent", ballot, new={"reminded_at": ballot.reminded_at})
    return True
