"""Approval voting: each paper approves any number of candidates (or up to a limit); top N win."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from elections.counting.marks import count_marks
from elections.counting.types import CountResult


def count_approval(
    ballots: Iterable[Sequence[str]],
    candidates: Sequence[str],
    seats: int,
    max_approvals: int | None = None,
    *,
    seed: str | None = None,
) -> CountResult:
    """Count approval papers (lists of approved ids); papers over `max_approvals` are invalid.

    A tie across the last seat is decided by lot from `seed` (see `TieBreaker`).
    """
    if max_approvals is not None and max_approvals < 1:
        raise ValueError("max_approvals must be positive or None")
    return count_marks(
        ballots,
        candidates,
        seats,
        method="approval",
        rule="approval",
        limit=max_approvals,
        seed=seed,
    )
