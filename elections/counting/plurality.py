"""Plurality (block vote): each paper marks up to `seats` candidates; the top N are elected."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from elections.counting.marks import count_marks
from elections.counting.types import CountResult


def count_plurality(
    ballots: Iterable[Sequence[str]],
    candidates: Sequence[str],
    seats: int,
    *,
    seed: str | None = None,
) -> CountResult:
    """Count plurality papers (lists of candidate ids, at most `seats` each), one vote a mark.

    A tie across the last seat is decided by lot from `seed` (see `TieBreaker`).
    """
    return count_marks(
        ballots, candidates, seats, method="plurality", rule="plurality", limit=seats, seed=seed
    )
