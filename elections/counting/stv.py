"""Single transferable vote under the Scottish Local Government Elections Order 2007, rules 45-52.

What the rules say, and how this module follows them (rule numbers of Schedule 1):

- 45: first preferences are counted; the valid papers are the papers with at least one
  preference for a known candidate, each ranking it once (others are invalid; empty ones
  are blank and, like invalid ones, outside the count).
- 46: quota = floor(valid papers / (seats + 1)) + 1.
- 47: a candidate whose votes equal or exceed the quota at the end of a stage is elected.
  Candidates elected at the same stage are listed by votes, highest first.
- 48: a surplus is transferred by sorting *all* the ballot papers received by the elected
  candidate by their next available preference for a continuing candidate; every paper
  is transferred at (surplus x the paper's value when received) / (candidate's total
  votes), calculated to five decimal places with any remainder ignored. This is the
  weighted inclusive Gregory method. (Unlike the Northern Irish and older ERS rules,
  the 2007 Order does not restrict a surplus arising from transfers to the last parcel
  received: rule 48(1) says "the ballot papers received by that candidate", and
  48(4)(b) gives each its value when received.) Papers with no next preference for a
  continuing candidate are non-transferable ("exhausted"); their value and the value lost
  to truncation are both recorded, so that sum(votes) + exhausted + losses = valid papers.
- 49: the largest surplus is transferred first; equal surpluses go in the order of the
  votes at the most recent preceding stage where the candidates differed (highest first),
  and by lot when they were equal at every stage.
- 50: when no surplus remains, the candidate with fewest votes is excluded and all their
  papers are transferred at the value they carry (one, or the transfer value they came
  with), in one stage.
- 51: a tie for exclusion looks back to the most recent stage where the tied candidates
  had unequal votes (the fewest is excluded), then a lot. When three or more are tied and
  that stage separates only some of them, the look-back continues among those left.
- 52: when the continuing candidates are as many as the vacancies left, they are elected
  and no further transfer is made (also before any pending surplus is transferred).

All arithmetic is on integers counting hundred-thousandths of a vote (no float); values
are published as Decimals with five places. Lots come from `random.Random(seed)`, see
`elections.counting.ties`. With no valid paper nobody is elected.
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
    PreparedRankings,
    RankingsInput,
    Stage,
    TieBreak,
    TiePurpose,
    check_candidates,
    check_seats,
    prepare_rankings,
    units_to_decimal,
)

PLACES = 5
UNIT = 10**PLACES

CONTINUING = STANDING

# A parcel key: the ranking (candidate indices) and the paper's value in units.
Parcel = tuple[tuple[int, ...], int]


def count_stv(
    rankings: RankingsInput,
    candidates: Sequence[str],
    seats: int,
    *,
    seed: str | None = None,
) -> CountResult:
    """Count ranked papers for `seats` seats by Scottish STV (see the module docstring)."""
    ids = check_candidates(candidates)
    check_seats(seats)
    prepared = prepare_rankings(rankings, ids)
    return _ScottishCount(ids, seats, prepared.groups, seed).run(prepared)


class _ScottishCount(FillsLastVacancies):
    """Rule 52's last vacancies are `FillsLastVacancies.fill_last_vacancies`."""

    def __init__(
        self,
        ids: list[str],
        seats: int,
        groups: dict[tuple[int, ...], int],
        seed: str | None,
    ) -> None:
        self.ids = ids
        self.seats = seats
        self.n = len(ids)
        self.valid = sum(groups.values())
        self.quota = (self.valid // (seats + 1) + 1) * UNIT
        self.state = [CONTINUING] * self.n
        self.votes = [0] * self.n
        self.piles: list[dict[Parcel, int]] = [{} for _ in range(self.n)]
        for ranking, number in groups.items():
            self.piles[ranking[0]][(ranking, UNIT)] = number
            self.votes[ranking[0]] += number * UNIT
        self.elected: list[int] = []
        self.excluded: list[int] = []
        self.pending: list[int] = []  # elected candidates whose surplus is not yet transferred
        self.history: list[list[int]] = []
        self.stages: list[Stage] = []
        self.exhausted_total = 0
        self.ties = TieBreaker(ids, seed)

    # -- helpers ---------------------------------------------------------------------------

    def continuing(self) -> list[int]:
        return [c for c in range(self.n) if self.state[c] == CONTINUING]

    standing = continuing

    def seats_left(self) -> int:
        return self.seats - len(self.elected)

    def dec(self, units: int) -> Decimal:
        return units_to_decimal(units, PLACES)

    def elect_reaching_quota(self) -> list[int]:
        """Rule 47: continuing candidates at or over the quota are elected, highest first."""
        reached = [c for c in self.continuing() if self.votes[c] >= self.quota]
        reached.sort(key=lambda c: (-self.votes[c], c))
        reached = reached[: self.seats_left()]
        for c in reached:
            self.state[c] = ELECTED
            self.elected.append(c)
            if self.votes[c] > self.quota:
                self.pending.append(c)
        return reached

    def close_stage(
        self,
        action_code: str,
        subject: int | None,
        action: str,
        *,
        transfers: dict[int, int] | None = None,
        exhausted: int = 0,
        loss: int = 0,
        surplus: int | None = None,
        elected: Sequence[int] = (),
        excluded: Sequence[int] = (),
        tie: TieBreak | None = None,
    ) -> None:
        self.exhausted_total += exhausted
        self.history.append(list(self.votes))
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action_code=action_code,
                subject=None if subject is None else self.ids[subject],
                action=action,
                votes={self.ids[c]: self.dec(self.votes[c]) for c in range(self.n)},
                transfers={self.ids[c]: self.dec(v) for c, v in (transfers or {}).items() if v},
                exhausted=self.dec(exhausted),
                exhausted_total=self.dec(self.exhausted_total),
                loss=self.dec(loss),
                surplus=None if surplus is None else self.dec(surplus),
                quota=self.dec(self.quota),
                elected=[self.ids[c] for c in elected],
                excluded=[self.ids[c] for c in excluded],
                note=tie.explanation if tie else None,
                tie_break=tie,
            )
        )

    def next_stage(self) -> int:
        return len(self.stages) + 1

    def move(self, parcel: Parcel, number: int, value: int, transfers: dict[int, int]) -> bool:
        """Put `number` papers of `parcel`'s ranking, at `value`, with their next continuing
        preference; return False if there is none (non-transferable)."""
        for c in parcel[0]:
            if self.state[c] == CONTINUING:
                key = (parcel[0], value)
                pile = self.piles[c]
                pile[key] = pile.get(key, 0) + number
                self.votes[c] += number * value
                transfers[c] = transfers.get(c, 0) + number * value
                return True
        return False

    # -- the count -------------------------------------------------------------------------

    def run(self, prepared: PreparedRankings) -> CountResult:
        if not self.valid:
            self.close_stage(Action.NO_VALID_VOTES, None, "no valid votes")
        else:
            self.close_stage(
                Action.FIRST_PREFERENCES,
                None,
                "first preferences",
                elected=self.elect_reaching_quota(),
            )
            while self.seats_left() > 0 and self.continuing():
                if len(self.continuing()) <= self.seats_left():
                    self.fill_last_vacancies(None, None)
                    break
                if self.pending:
                    self.transfer_surplus()
                else:
                    self.exclude_lowest()
        return CountResult(
            method="stv",
            rule="scottish_stv_2007",
            seats=self.seats,
            candidates=self.ids,
            elected=[self.ids[c] for c in self.elected],
            stages=self.stages,
            quota=self.dec(self.quota),
            tie_breaks=list(self.ties.records),
            seed=self.ties.seed,
            valid=self.valid,
            invalid=prepared.invalid,
            blank=prepared.blank,
            excluded=[self.ids[c] for c in self.excluded],
            invalid_reasons=prepared.invalid_reasons,
        )

    def transfer_surplus(self) -> None:
        """Rules 48-49: transfer the largest surplus, every paper at its transfer value."""
        largest = max(self.votes[c] for c in self.pending)
        source, tie = self.ties.by_earlier_stages(
            [c for c in self.pending if self.votes[c] == largest],
            self.history,
            lowest=False,
            stage=self.next_stage(),
            purpose=TiePurpose.SURPLUS_ORDER,
        )
        self.pending.remove(source)
        total = self.votes[source]
        surplus = total - self.quota
        transfers: dict[int, int] = {}
        exhausted = 0
        for parcel, number in self.piles[source].items():
            # (surplus x value when received) / total votes, remainder ignored: rule 48(3).
            value = surplus * parcel[1] // total
            if not self.move(parcel, number, value, transfers):
                exhausted += number * value
        self.piles[source] = {}
        self.votes[source] = self.quota
        loss = surplus - sum(transfers.values()) - exhausted
        transfers[source] = -surplus
        self.close_stage(
            Action.SURPLUS_TRANSFERRED,
            source,
            f"surplus of {self.ids[source]} transferred",
            transfers=transfers,
            exhausted=exhausted,
            loss=loss,
            surplus=surplus,
            elected=self.elect_reaching_quota(),
            tie=tie,
        )

    def exclude_lowest(self) -> None:
        """Rules 50-52: exclude the lowest continuing candidate and transfer their papers."""
        remaining = self.continuing()
        low = min(self.votes[c] for c in remaining)
        lowest, tie = self.ties.by_earlier_stages(
            [c for c in remaining if self.votes[c] == low],
            self.history,
            lowest=True,
            stage=self.next_stage(),
            purpose=TiePurpose.EXCLUSION,
        )
        self.state[lowest] = EXCLUDED
        self.excluded.append(lowest)
        if len(remaining) - 1 <= self.seats_left():
            self.fill_last_vacancies(lowest, tie)
            return
        transfers: dict[int, int] = {}
        exhausted = 0
        for parcel, number in self.piles[lowest].items():
            if not self.move(parcel, number, parcel[1], transfers):
                exhausted += number * parcel[1]
        transfers[lowest] = -self.votes[lowest]
        self.piles[lowest] = {}
        self.votes[lowest] = 0
        self.close_stage(
            Action.EXCLUDED,
            lowest,
            f"{self.ids[lowest]} excluded",
            transfers=transfers,
            exhausted=exhausted,
            elected=self.elect_reaching_quota(),
            excluded=[lowest],
            tie=tie,
        )
