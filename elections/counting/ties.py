"""Tie-breaking: by the figures of earlier stages, then by a lot drawn from a published seed."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence

from elections.counting.types import TieBreak, TieMethod


class TieBreaker:
    """Breaks ties for one count and keeps the record of how.

    The lot is `random.Random(seed)` with the seed a string published with the result: one
    generator per count, drawn from in the order the ties arise, over the tied candidates
    sorted in ballot order. So the same seed and the same papers always give the same
    result. Without a seed, one is drawn from `secrets` the first time a lot is needed and
    reported in `CountResult.seed`, so the count can still be repeated.
    """

    def __init__(self, candidates: Sequence[str], seed: str | None) -> None:
        self._candidates = list(candidates)
        self._seed = seed
        self._rng: random.Random | None = None
        self.records: list[TieBreak] = []

    @property
    def seed(self) -> str | None:
        return self._seed

    def _random(self) -> random.Random:
        if self._rng is None:
            if self._seed is None:
                self._seed = secrets.token_hex(8)
            self._rng = random.Random(self._seed)
        return self._rng

    def _names(self, indices: Sequence[int]) -> tuple[str, ...]:
        return tuple(self._candidates[i] for i in indices)

    def by_earlier_stages(
        self,
        tied: Sequence[int],
        history: Sequence[Sequence[int]],
        *,
        lowest: bool,
        stage: int,
        purpose: str,
    ) -> tuple[int, TieBreak | None]:
        """Choose one of `tied` (candidate indices) by looking back at earlier stages.

        `history[k]` holds the votes at the end of stage k + 1. Going back from the most
        recent stage, the first stage where the tied candidates' votes differ decides: the
        one with the fewest (``lowest``) or most votes there. If several still share that
        figure, the look-back goes on among them; if they were equal at every stage, a lot
        is drawn among those left (Scottish rules 49(2)-(3) and 51(2)).
        """
        group = sorted(tied)
        if len(group) == 1:
            return group[0], None
        decided_at: int | None = None
        for position in range(len(history) - 1, -1, -1):
            figures = history[position]
            values = [figures[c] for c in group]
            if min(values) == max(values):
                continue
            target = min(values) if lowest else max(values)
            group = [c for c in group if figures[c] == target]
            decided_at = position + 1
            if len(group) == 1:
                break
        if len(group) == 1:
            record = TieBreak(
                stage=stage,
                purpose=purpose,
                method=TieMethod.EARLIER_STAGE,
                candidates=self._names(sorted(tied)),
                chosen=self._names(group),
                decided_at_stage=decided_at,
            )
            self.records.append(record)
            return group[0], record
        chosen = self._random().choice(group)
        record = TieBreak(
            stage=stage,
            purpose=purpose,
            method=TieMethod.LOT,
            candidates=self._names(sorted(tied)),
            chosen=self._names([chosen]),
            decided_at_stage=decided_at,
            drawn_from=self._names(group),
        )
        self.records.append(record)
        return chosen, record

    def by_lot(
        self, tied: Sequence[int], places: int, *, stage: int, purpose: str
    ) -> tuple[list[int], TieBreak]:
        """Draw `places` of the tied candidates by lot, in the order drawn."""
        group = sorted(tied)
        chosen = self._random().sample(group, places)
        record = TieBreak(
            stage=stage,
            purpose=purpose,
            method=TieMethod.LOT,
            candidates=self._names(group),
            chosen=self._names(chosen),
            drawn_from=self._names(group),
        )
        self.records.append(record)
        return chosen, record
