"""Instant run-off (alternative vote), one seat: exclude the lowest until one has a majority."""

from __future__ import annotations

from collections.abc import Sequence

from elections.counting.ties import TieBreaker
from elections.counting.types import (
    Action,
    CountResult,
    RankingsInput,
    Stage,
    TieBreak,
    TiePurpose,
    check_candidates,
    prepare_rankings,
)


def count_irv(
    rankings: RankingsInput, candidates: Sequence[str], *, seed: str | None = None
) -> CountResult:
    """Count ranked papers for one seat by instant run-off.

    A candidate is elected when their votes are more than half of the votes still on
    continuing candidates (exhausted papers leave the base). Otherwise the candidate with
    fewest votes is excluded and their papers go, whole, to the next continuing
    preference; a tie for exclusion is broken by the most recent earlier stage where the
    tied candidates differed (fewest is excluded), then by lot from `seed`. Each stage's
    `quota` is the number of votes that made a majority at that stage.
    """
    ids = check_candidates(candidates)
    prepared = prepare_rankings(rankings, ids)
    n = len(ids)
    piles: list[dict[tuple[int, ...], int]] = [{} for _ in range(n)]
    votes = [0] * n
    for ranking, number in prepared.groups.items():
        piles[ranking[0]][ranking] = number
        votes[ranking[0]] += number
    continuing = [True] * n
    ties = TieBreaker(ids, seed)
    stages: list[Stage] = []
    history: list[list[int]] = []
    excluded: list[str] = []
    elected: list[str] = []
    exhausted_total = 0

    def close_stage(
        action_code: str,
        subject: int | None,
        action: str,
        transfers: dict[int, int],
        exhausted: int,
        tie: TieBreak | None,
    ) -> None:
        total = sum(votes[c] for c in range(n) if continuing[c])
        winner = None
        if total:
            leader = max((c for c in range(n) if continuing[c]), key=lambda c: votes[c])
            if votes[leader] * 2 > total:
                winner = ids[leader]
                elected.append(winner)
        history.append(list(votes))
        stages.append(
            Stage(
                number=len(stages) + 1,
                action_code=action_code,
                subject=None if subject is None else ids[subject],
                action=action,
                votes=dict(zip(ids, votes, strict=True)),
                transfers={ids[c]: v for c, v in transfers.items() if v},
                exhausted=exhausted,
                exhausted_total=exhausted_total,
                quota=total // 2 + 1 if total else None,
                elected=[winner] if winner else [],
                excluded=[]
                if subject is None or action_code != Action.EXCLUDED
                else [ids[subject]],
                note=tie.explanation if tie else None,
                tie_break=tie,
            )
        )

    if prepared.valid:
        close_stage(Action.FIRST_PREFERENCES, None, "first preferences", {}, 0, None)
    else:
        close_stage(Action.NO_VALID_VOTES, None, "no valid votes", {}, 0, None)

    while prepared.valid and not elected:
        remaining = [c for c in range(n) if continuing[c]]
        low = min(votes[c] for c in remaining)
        lowest, tie = ties.by_earlier_stages(
            [c for c in remaining if votes[c] == low],
            history,
            lowest=True,
            stage=len(stages) + 1,
            purpose=TiePurpose.EXCLUSION,
        )
        continuing[lowest] = False
        excluded.append(ids[lowest])
        transfers = {lowest: -votes[lowest]}
        exhausted = 0
        for ranking, number in piles[lowest].items():
            recipient = next((c for c in ranking if continuing[c]), None)
            if recipient is None:
                exhausted += number
                continue
            pile = piles[recipient]
            pile[ranking] = pile.get(ranking, 0) + number
            votes[recipient] += number
            transfers[recipient] = transfers.get(recipient, 0) + number
        piles[lowest] = {}
        votes[lowest] = 0
        exhausted_total += exhausted
        close_stage(Action.EXCLUDED, lowest, f"{ids[lowest]} excluded", transfers, exhausted, tie)

    return CountResult(
        method="irv",
        rule="instant_runoff",
        seats=1,
        candidates=ids,
        elected=elected,
        stages=stages,
        quota=None,
        tie_breaks=list(ties.records),
        seed=ties.seed,
        valid=prepared.valid,
        invalid=prepared.invalid,
        blank=prepared.blank,
        excluded=excluded,
        invalid_reasons=prepared.invalid_reasons,
    )
