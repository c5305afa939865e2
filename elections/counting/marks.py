"""Counting papers that mark candidates (plurality, approval): one vote a mark, top N elected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from elections.counting.ties import TieBreaker
from elections.counting.types import (
    Action,
    CountResult,
    InvalidBallot,
    Stage,
    TiePurpose,
    check_candidates,
    check_seats,
    validate_choices,
)


def count_marks(
    ballots: Iterable[Sequence[str]],
    candidates: Sequence[str],
    seats: int,
    *,
    method: str,
    rule: str,
    limit: int | None,
    seed: str | None,
) -> CountResult:
    """Count marks and elect the `seats` candidates with most votes.

    Papers marking more than `limit` candidates, an unknown candidate or one candidate
    twice are invalid; empty papers are blank. A tie across the last seat is decided by
    lot; candidates tied wholly inside or outside the elected set need no decision and
    keep ballot order. With no valid paper nobody is elected.
    """
    ids = check_candidates(candidates)
    check_seats(seats)
    known = frozenset(ids)
    votes = dict.fromkeys(ids, 0)
    valid = invalid = blank = 0
    reasons: Counter[str] = Counter()
    if isinstance(ballots, Mapping):  # grouped: marks -> number of papers
        papers = Counter({m if isinstance(m, str) else tuple(m): n for m, n in ballots.items()})
    else:
        papers = Counter(b if isinstance(b, str) else tuple(b) for b in ballots)
    for marks, number in papers.items():
        try:
            choices = validate_choices(marks, known, limit=limit)
        except InvalidBallot as error:
            invalid += number
            reasons[error.code] += number
            continue
        if not choices:
            blank += number
            continue
        valid += number
        for candidate in choices:
            votes[candidate] += number

    ties = TieBreaker(ids, seed)
    elected: list[str] = []
    note = None
    tie_record = None
    if valid:
        order = {c: i for i, c in enumerate(ids)}
        ranked = sorted(ids, key=lambda c: (-votes[c], order[c]))
        if len(ranked) <= seats:
            elected = ranked
        else:
            boundary = votes[ranked[seats - 1]]
            above = [c for c in ranked if votes[c] > boundary]
            tied = [c for c in ranked if votes[c] == boundary]
            places = seats - len(above)
            if len(tied) > places:
                drawn, tie_record = ties.by_lot(
                    [order[c] for c in tied], places, stage=1, purpose=TiePurpose.LAST_SEATS
                )
                elected = above + [ids[i] for i in drawn]
                note = tie_record.explanation
            else:
                elected = ranked[:seats]
    stage = Stage(
        number=1,
        action_code=Action.VOTES_COUNTED if valid else Action.NO_VALID_VOTES,
        subject=None,
        action="votes counted" if valid else "no valid votes",
        votes=dict(votes),
        elected=list(elected),
        note=note,
        tie_break=tie_record,
    )
    return CountResult(
        method=method,
        rule=rule,
        seats=seats,
        candidates=ids,
        elected=elected,
        stages=[stage],
        quota=None,
        tie_breaks=list(ties.records),
        seed=ties.seed,
        valid=valid,
        invalid=invalid,
        blank=blank,
        excluded=[],
        invalid_reasons=dict(sorted(reasons.items())),
    )
