"""What the voting engine's services share: the status names, the methods by kind, the row lock."""

from __future__ import annotations

from django.utils.translation import gettext as _

from elections.models import Ballot
from governance.exceptions import NotAllowed
from governance.models import Member

S = Ballot.Status

METHODS_BY_KIND = {
    Ballot.Kind.QUESTION: {Ballot.Method.YESNO},
    Ballot.Kind.ROLL_CALL: {Ballot.Method.YESNO},
    Ballot.Kind.ELECTION: {
        Ballot.Method.PLURALITY,
        Ballot.Method.APPROVAL,
        Ballot.Method.IRV,
        Ballot.Method.STV,
        Ballot.Method.MEEK,
    },
}


def _locked(ballot: Ballot) -> Ballot:
    """The ballot row, locked until the transaction ends.

    Voters and the closer queue on this lock in arrival order (PostgreSQL queues
    conflicting row locks fairly; a shared lock for voters would let a stream of votes
    starve the chair's close). Votes append to the audit chain, which serialises them
    anyway, so the lock costs no throughput. On SQLite, transactions are IMMEDIATE: the
    database is already locked for writing.
    """
    return (
        Ballot.objects.select_for_update(no_key=True, of=("self",))
        .select_related("body")
        .get(pk=ballot.pk)
    )


def _member_of(user) -> Member:
    member = getattr(user, "member", None) if user is not None else None
    if member is None:
        raise NotAllowed(_("Only members on the roll may do this."))
    return member
