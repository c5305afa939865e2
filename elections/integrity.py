"""The bounds every count must keep: the roll, the participations, the papers and the batches.

Online participations plus teller batches never exceed the roll (weights included); for
online votes the ballot box holds exactly the papers of those who took part; a decision's
figures are the recount's. The count, the publication, `recount_published` and the anomaly
report all ask these functions, so they cannot disagree on what adds up.

`turnout` reads the figures (a fixed number of queries, whatever the ballot's size) and
`turnout_problems` judges them as plain data. `online_papers` is the one place that reads
the ballot box, so a change in how papers are stored changes only it. `unaudited_votes`
checks that the participations and the ballot's `ballot.vote_cast` audit events are the same
votes, one for one (on a secret ballot, through the events' commitments).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils.translation import gettext as _

from elections.models import (
    Ballot,
    BallotBox,
    BallotPaper,
    PaperCount,
    Participation,
    RollEntry,
)
from governance.audit.log import canonical_json
from governance.models import AuditEvent


@dataclass(frozen=True)
class Turnout:
    """A ballot's figures as stored: the roll, who took part, the papers, the batches."""

    entitled: int  # weight of the frozen roll
    participations: int  # voters who took part online
    online: int  # their weight on the roll
    papers: int  # papers in the ballot box (online)
    paper_weight: int  # their weight
    confirmed: int  # papers in batches a second teller confirmed
    pending: int  # papers in batches awaiting a second teller
    board: bool = False  # a secret ballot's encrypted board: one entry per unit of weight

    @property
    def took_part(self) -> int:
        return self.online + self.confirmed


def online_papers(ballot_ids: list[int]) -> dict[int, tuple[int, int, bool]]:
    """How many papers each ballot's box holds, and their total weight. Two queries.

    A secret ballot's box is its encrypted board (elections/ballot_box.py): one entry per
    unit of a voter's weight, so its entries are counted against the participations'
    weight (`Turnout.board`); its decrypted papers, written by the count, are not the box.
    """
    boards = dict(
        BallotBox.objects.filter(ballot__in=ballot_ids)
        .annotate(n=Count("entries"))
        .values_list("ballot", "n")
    )
    rows = (
        BallotPaper.objects.filter(ballot__in=ballot_ids)
        .exclude(ballot__in=list(boards))
        .values("ballot")
        .annotate(n=Count("pk"), w=Sum("weight"))
        .values_list("ballot", "n", "w")
    )
    papers = {ballot: (n, w or 0, False) for ballot, n, w in rows}
    papers.update({ballot: (n, n, True) for ballot, n in boards.items()})
    return papers


def _by_ballot(queryset, value) -> dict[int, Any]:
    return dict(queryset.values("ballot").annotate(v=value).values_list("ballot", "v"))


def turnouts(ballot_ids: list[int]) -> dict[int, Turnout]:
    """The stored figures of each ballot, in seven queries whatever their number and size."""
    roll = RollEntry.objects.filter(ballot__in=ballot_ids)
    entitled = _by_ballot(roll, Sum("weight"))
    online = _by_ballot(
        roll.filter(
            Exists(
                Participation.objects.filter(ballot=OuterRef("ballot"), member=OuterRef("member"))
            )
        ),
        Sum("weight"),
    )
    participations = _by_ballot(Participation.objects.filter(ballot__in=ballot_ids), Count("pk"))
    papers = online_papers(ballot_ids)
    batches: dict[tuple[int, str], int] = {
        (ballot, status): n
        for ballot, status, n in PaperCount.objects.filter(ballot__in=ballot_ids)
        .live()
        .values("ballot", "status")
        .annotate(n=Sum("papers"))
        .values_list("ballot", "status", "n")
    }
    return {
        pk: Turnout(
            entitled=entitled.get(pk) or 0,
            participations=participations.get(pk) or 0,
            online=online.get(pk) or 0,
            papers=papers.get(pk, (0, 0, False))[0],
            paper_weight=papers.get(pk, (0, 0, False))[1],
            confirmed=batches.get((pk, PaperCount.Status.CONFIRMED), 0),
            pending=batches.get((pk, PaperCount.Status.PENDING), 0),
            board=papers.get(pk, (0, 0, False))[2],
        )
        for pk in ballot_ids
    }


def turnout(ballot: Ballot) -> Turnout:
    """The ballot's stored figures (see `turnouts`)."""
    return turnouts([ballot.pk])[ballot.pk]


def turnout_problems(figures: Turnout) -> list[str]:
    """What does not add up in a ballot's figures, in words (empty when all holds)."""
    problems = []
    counted_apart = figures.papers != figures.participations and not figures.board
    if counted_apart or figures.paper_weight != figures.online:
        problems.append(
            _(
                "the ballot box holds %(papers)s papers (weight %(paper_weight)s) for "
                "%(participations)s voters who took part online (weight %(online)s)"
            )
            % {
                "papers": figures.papers,
                "paper_weight": figures.paper_weight,
                "participations": figures.participations,
                "online": figures.online,
            }
        )
    if figures.took_part > figures.entitled:
        problems.append(
            _(
                "%(took_part)s took part (%(online)s online, %(confirmed)s on paper) but only "
                "%(entitled)s are entitled on the roll"
            )
            % {
                "took_part": figures.took_part,
                "online": figures.online,
                "confirmed": figures.confirmed,
                "entitled": figures.entitled,
            }
        )
    return problems


def batch_problem(figures: Turnout, *, label: str, papers: int) -> str | None:
    """Why a new batch of `papers` would take the ballot over its roll, or None."""
    total = figures.online + figures.confirmed + figures.pending + papers
    if total <= figures.entitled:
        return None
    return _(
        "Batch %(label)s has %(papers)s papers: with the %(online)s votes cast online and the "
        "%(batches)s papers of the other batches that makes %(total)s, more than the "
        "%(entitled)s entitled on the roll."
    ) % {
        "label": label,
        "papers": papers,
        "online": figures.online,
        "batches": figures.confirmed + figures.pending,
        "total": total,
        "entitled": figures.entitled,
    }


#: The figures of a decision that a recount reproduces, by the key the count stores them under.
RECOUNTED_FIGURES = ("yes", "no", "abstain", "blank", "invalid", "valid")


def figure_differences(
    decision_figures: dict[str, Any],
    *,
    recount: dict[str, Any],
    figures: Turnout,
    names: dict[str, str],
    quorum_eligible: int | None,
) -> list[str]:
    """The decision's figures that the recount and the stored turnout do not reproduce.

    `recount` is the count of the published list (`tally_file`'s dictionary), `names` the
    ballot's candidates by code. Pure; each difference names the figure and both values.
    """
    expected: dict[str, Any] = {
        "took_part": figures.took_part,
        "eligible": figures.entitled if quorum_eligible is None else quorum_eligible,
    }
    for key in RECOUNTED_FIGURES:
        if key in recount:
            expected[key] = recount[key]
    if "elected_ids" in recount:
        expected["elected"] = [names.get(code, code) for code in recount["elected_ids"]]
    elif "elected" in recount:
        expected["elected"] = recount["elected"]
    differences = []
    for key, value in expected.items():
        if key in decision_figures and decision_figures[key] != value:
            differences.append(
                _("the decision says %(key)s %(stored)s, the recount gives %(recounted)s")
                % {"key": key, "stored": decision_figures[key], "recounted": value}
            )
    return differences


# ---------------------------------------------------------------------------
# Every participation audited, and no vote_cast event without one
# ---------------------------------------------------------------------------

VOTE_CAST = "ballot.vote_cast"


def new_salt() -> str:
    """The random salt of a secret-ballot participation's commitment (128 bits, hex)."""
    return secrets.token_hex(16)


def cast_commitment(*, ballot_id: int, member_id: int, by_proxy: bool, salt: str) -> str:
    """What a secret ballot's `ballot.vote_cast` event carries instead of the voter.

    SHA-256 over the canonical JSON of the ballot, the member, whether a proxy holder cast
    it, and the participation's random salt (`Participation.salt`, never shown). Without
    the salt, no one can tell whose commitment an event holds, even trying every member of
    the roll; with the participations (the database), each one recomputes to its event.
    """
    body = canonical_json(
        {"ballot": ballot_id, "by_proxy": bool(by_proxy), "member": member_id, "salt": salt}
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _participation_key(ballot_id: int, member_id: int, by_proxy: bool, salt: str) -> tuple:
    if salt:
        return ("commitment", cast_commitment(
            ballot_id=ballot_id, member_id=member_id, by_proxy=by_proxy, salt=salt
        ))  # fmt: skip
    # A named ballot's event names the voter (so did a secret one's before commitments).
    return ("voter", member_id, bool(by_proxy))


def _event_key(new: Any) -> tuple | None:
    new = new if isinstance(new, dict) else {}
    if isinstance(new.get("commitment"), str):
        return ("commitment", new["commitment"])
    if isinstance(new.get("voter"), int) and not isinstance(new.get("voter"), bool):
        return ("voter", new["voter"], bool(new.get("by_proxy")))
    return None


def unaudited_votes(ballot_ids: list[int]) -> dict[int, list[str]]:
    """For each ballot, what breaks "one `ballot.vote_cast` event per participation", in
    words, the first failure first (no entry when all holds). Two queries.

    The participations and the events must be equal as multisets: each participation
    recomputes to exactly one event's commitment (or, on a named ballot, names its voter),
    and no event is left without a participation. An event without a participation is
    named by its sequence, in the log's order; a participation without an event by its
    member (who took part is no secret to those who read this: the participations say so).
    """
    expected: dict[int, Counter] = defaultdict(Counter)
    members: dict[tuple, int] = {}
    rows = Participation.objects.filter(ballot__in=ballot_ids).values_list(
        "ballot", "member", "by_proxy", "salt"
    )
    for ballot_id, member_id, by_proxy, salt in rows.iterator(chunk_size=5000):
        key = _participation_key(ballot_id, member_id, by_proxy, salt)
        expected[ballot_id][key] += 1
        members[(ballot_id, key)] = member_id
    events = (
        AuditEvent.objects.filter(
            object_type=Ballot._meta.label_lower,
            object_id__in=[str(pk) for pk in ballot_ids],
            action=VOTE_CAST,
        )
        .order_by("sequence")
        .values_list("object_id", "sequence", "new")
    )
    problems: dict[int, list[str]] = defaultdict(list)
    for object_id, sequence, new in events.iterator(chunk_size=5000):
        ballot_id = int(object_id)
        key = _event_key(new)
        if key is not None and expected[ballot_id][key] > 0:
            expected[ballot_id][key] -= 1
            continue
        problems[ballot_id].append(
            _("audit event #%(sequence)s (%(action)s) matches no participation")
            % {"sequence": sequence, "action": VOTE_CAST}
        )
    for ballot_id, left in expected.items():
        missing = sorted(members[(ballot_id, key)] for key, n in left.items() if n > 0)
        problems[ballot_id] += [
            _("the participation of member %(member)s has no %(action)s audit event")
            % {"member": member, "action": VOTE_CAST}
            for member in missing
        ]
    return {pk: found for pk, found in problems.items() if found}
