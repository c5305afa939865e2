"""Meek STV with the fixed-point arithmetic of New Zealand's Schedule 1A (9 decimal places).

Variant implemented (Meek's method as in Hill, Wichmann and Woodall's Algorithm 123 and
the New Zealand Local Electoral Regulations 2001, Schedule 1A):

- Every candidate has a keep factor: 1 while hopeful, 0 once excluded, and for an elected
  candidate the share of each vote reaching them that they keep.
- Each paper starts with weight 1 and passes down its ranking: a candidate keeps
  weight x keep factor, the rest (weight x (1 - keep factor)) goes on; excluded
  candidates are skipped. Both amounts are rounded *up* to 9 decimal places (NZ 1A).
  What is left when the ranking ends is non-transferable.
- quota = (valid papers - non-transferable) / (seats + 1), truncated to 9 places, plus
  10**-9; a hopeful candidate at or over the quota is elected.
- After each distribution, elected candidates' keep factors become
  keep factor x quota / votes, rounded up to 9 places (at most 1), and the papers are
  distributed again, until a candidate is newly elected, or the total surplus of the
  elected candidates is below `omega` (default 0.00001), or it stops decreasing.
- Then, if seats remain, the hopeful candidate with fewest votes is excluded (keep factor
  0). A tie for exclusion is broken like the Scottish rules and the other methods here:
  the most recent earlier stage where the tied candidates differed, then a lot from
  `seed`. (NZ 1A looks at the *first* differing stage and uses its own generator; we
  keep one tie rule across the platform.) One candidate is excluded at a time.
- When the hopeful candidates are as many as the seats left, they are elected.

Arithmetic is on integers counting 10**-9 of a vote; results are Decimals with 9 places.
Each stage is one election or one exclusion; `iterations` records how many distributions
it took. For speed, rankings are bucketed by the part that matters, their *path*: the
elected candidates before the first hopeful one, and that one (excluded ones dropped).
That is exact, because a hopeful candidate keeps the whole remaining weight, and the
iterations then run over a few hundred paths instead of every distinct ranking. When a
candidate stops being hopeful, only the rankings whose path ends with them move on.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from elections.counting.ties import TieBreaker
from elections.counting.types import (
    ELECTED,
    EXCLUDED,
    STANDING,
    Action,
    CountResult,
    FillsLastVacancies,
    RankingsInput,
    Stage,
    TieBreak,
    TiePurpose,
    check_candidates,
    check_seats,
    prepare_rankings,
    units_to_decimal,
)

PLACES = 9
UNIT = 10**PLACES
DEFAULT_OMEGA = Decimal("0.00001")

HOPEFUL = STANDING


def count_meek(
    rankings: RankingsInput,
    candidates: Sequence[str],
    seats: int,
    *,
    seed: str | None = None,
    omega: Decimal = DEFAULT_OMEGA,
) -> CountResult:
    """Count ranked papers for `seats` seats by Meek STV (see the module docstring)."""
    ids = check_candidates(candidates)
    check_seats(seats)
    prepared = prepare_rankings(rankings, ids)
    count = _MeekCount(ids, seats, prepared.groups, seed, int(omega * UNIT))
    count.run()
    return CountResult(
        method="meek",
        rule="meek_nz_schedule_1a",
        seats=seats,
        candidates=ids,
        elected=[ids[c] for c in count.elected],
        stages=count.stages,
        quota=units_to_decimal(count.quota, PLACES),
        tie_breaks=list(count.ties.records),
        seed=count.ties.seed,
        valid=prepared.valid,
        invalid=prepared.invalid,
        blank=prepared.blank,
        excluded=[ids[c] for c in count.excluded],
        invalid_reasons=prepared.invalid_reasons,
    )


class _MeekCount(FillsLastVacancies):
    def __init__(
        self,
        ids: list[str],
        seats: int,
        groups: dict[tuple[int, ...], int],
        seed: str | None,
        omega: int,
    ) -> None:
        self.ids = ids
        self.n = len(ids)
        self.seats = seats
        self.valid = sum(groups.values())
        self.omega = max(omega, 1)
        self.state = [HOPEFUL] * self.n
        self.keep = [UNIT] * self.n
        self.votes = [0] * self.n
        self.non_transferable = 0
        self.quota = 0
        self.elected: list[int] = []
        self.excluded: list[int] = []
        self.stages: list[Stage] = []
        self.history: list[list[int]] = []
        self.ties = TieBreaker(ids, seed)
        self.buckets: dict[tuple[int, ...], list[tuple[tuple[int, ...], int, int]]] = {}
        self.totals: dict[tuple[int, ...], int] = {}
        self.ending: list[list[tuple[int, ...]]] = [[] for _ in range(self.n)]
        for ranking, number in groups.items():  # every path starts at the first preference
            key = ranking[:1]
            if key not in self.buckets:
                self.buckets[key] = []
                self.totals[key] = 0
                self.ending[key[0]].append(key)
            self.buckets[key].append((ranking, 0, number))
            self.totals[key] += number
        self.previous_votes = [0] * self.n
        self.previous_non_transferable = 0
        self.previous_loss = 0

    def hopeful(self) -> list[int]:
        return [c for c in range(self.n) if self.state[c] == HOPEFUL]

    standing = hopeful

    def seats_left(self) -> int:
        return self.seats - len(self.elected)

    def place(
        self, ranking: tuple[int, ...], start: int, prefix: tuple[int, ...], number: int
    ) -> None:
        """Bucket a ranking by its path, reading on from `start` after `prefix`."""
        path = list(prefix)
        end = len(ranking) - 1
        state = self.state
        for position in range(start, len(ranking)):
            c = ranking[position]
            status = state[c]
            if status == EXCLUDED:
                continue
            path.append(c)
            if status == HOPEFUL:
                end = position
                break
        key = tuple(path)
        bucket = self.buckets.get(key)
        if bucket is None:
            self.buckets[key] = bucket = []
            self.totals[key] = 0
            if path and state[path[-1]] == HOPEFUL:
                self.ending[path[-1]].append(key)
        bucket.append((ranking, end, number))
        self.totals[key] += number

    def no_longer_hopeful(self, candidate: int) -> None:
        """Move on the rankings whose path ended with `candidate` (now elected or excluded)."""
        keys, self.ending[candidate] = self.ending[candidate], []
        for key in keys:
            entries = self.buckets.pop(key)
            del self.totals[key]
            prefix = key if self.state[candidate] == ELECTED else key[:-1]
            for ranking, end, number in entries:
                self.place(ranking, end + 1, prefix, number)

    def distribute(self) -> None:
        votes = [0] * self.n
        keep = self.keep
        left_over = 0
        for path, number in self.totals.items():
            weight = UNIT
            for c in path:
                factor = keep[c]
                if factor == UNIT:
                    votes[c] += weight * number
                    weight = 0
                    break
                kept = -(-weight * factor // UNIT)  # rounded up
                votes[c] += kept * number
                weight = -(-weight * (UNIT - factor) // UNIT)  # rounded up
            left_over += weight * number
        self.votes = votes
        self.non_transferable = left_over
        self.quota = (self.valid * UNIT - left_over) // (self.seats + 1) + 1

    def elect_reaching_quota(self) -> list[int]:
        reached = [c for c in self.hopeful() if self.votes[c] >= self.quota]
        reached.sort(key=lambda c: (-self.votes[c], c))
        reached = reached[: self.seats_left()]
        for c in reached:
            self.state[c] = ELECTED
            self.elected.append(c)
            self.no_longer_hopeful(c)
        return reached

    def total_surplus(self) -> int:
        return sum(max(0, self.votes[c] - self.quota) for c in self.elected)

    def close_stage(
        self,
        action_code: str,
        subject: int | None,
        action: str,
        *,
        elected: Sequence[int] = (),
        excluded: Sequence[int] = (),
        tie: TieBreak | None = None,
        iterations: int | None = None,
    ) -> None:
        def dec(units: int) -> Decimal:
            return units_to_decimal(units, PLACES)

        loss_total = self.valid * UNIT - sum(self.votes) - self.non_transferable
        self.history.append(list(self.votes))
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action_code=action_code,
                subject=None if subject is None else self.ids[subject],
                action=action,
                votes={self.ids[c]: dec(self.votes[c]) for c in range(self.n)},
                transfers={
                    self.ids[c]: dec(self.votes[c] - self.previous_votes[c])
                    for c in range(self.n)
                    if self.votes[c] != self.previous_votes[c] and self.stages
                },
                exhausted=dec(self.non_transferable - self.previous_non_transferable),
                exhausted_total=dec(self.non_transferable),
                loss=dec(loss_total - self.previous_loss),
                surplus=dec(self.total_surplus()),
                quota=dec(self.quota),
                elected=[self.ids[c] for c in elected],
                excluded=[self.ids[c] for c in excluded],
                note=tie.explanation if tie else None,
                tie_break=tie,
                keep_factors={self.ids[c]: dec(self.keep[c]) for c in range(self.n)},
                iterations=iterations,
            )
        )
        self.previous_votes = list(self.votes)
        self.previous_non_transferable = self.non_transferable
        self.previous_loss = loss_total

    def run(self) -> None:
        if not self.valid:
            self.quota = UNIT
            self.close_stage(Action.NO_VALID_VOTES, None, "no valid votes")
            return
        self.distribute()
        self.close_stage(
            Action.FIRST_PREFERENCES,
            None,
            "first preferences",
            elected=self.elect_reaching_quota(),
            iterations=1,
        )
        while self.seats_left() > 0 and self.hopeful():
            if len(self.hopeful()) <= self.seats_left():
                self.fill_last_vacancies(None, None)
                return
            newly, iterations = self.iterate()
            if newly:
                names = ", ".join(self.ids[c] for c in newly)
                self.close_stage(
                    Action.KEEP_FACTORS_ADJUSTED,
                    newly[0],
                    f"keep factors adjusted; {names} elected",
                    elected=newly,
                    iterations=iterations,
                )
            else:
                self.exclude_lowest(iterations)

    def iterate(self) -> tuple[list[int], int]:
        """Adjust keep factors and redistribute until an election or convergence."""
        last_surplus: int | None = None
        iterations = 0
        while True:
            iterations += 1
            for c in self.elected:
                if self.votes[c] > 0:
                    adjusted = -(-self.keep[c] * self.quota // self.votes[c])  # rounded up
                    self.keep[c] = min(UNIT, adjusted)
            self.distribute()
            newly = self.elect_reaching_quota()
            if newly:
                return newly, iterations
            surplus = self.total_surplus()
            if surplus < self.omega or (last_surplus is not None and surplus >= last_surplus):
                return [], iterations
            last_surplus = surplus

    def exclude_lowest(self, iterations: int) -> None:
        remaining = self.hopeful()
        low = min(self.votes[c] for c in remaining)
        lowest, tie = self.ties.by_earlier_stages(
            [c for c in remaining if self.votes[c] == low],
            self.history,
            lowest=True,
            stage=len(self.stages) + 1,
            purpose=TiePurpose.EXCLUSION,
        )
        self.state[lowest] = EXCLUDED
        self.keep[lowest] = 0
        self.excluded.append(lowest)
        if len(remaining) - 1 <= self.seats_left():
            self.fill_last_vacancies(lowest, tie, iterations=iterations)
            return
        self.no_longer_hopeful(lowest)
        self.distribute()
        self.close_stage(
            Action.EXCLUDED,
            lowest,
            f"{self.ids[lowest]} excluded",
            elected=self.elect_reaching_quota(),
            excluded=[lowest],
            tie=tie,
            iterations=iterations,
        )
