"""Shared types of the counting engine: ballots, validation, stages, tie-breaks and results."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Number = int | Decimal
Ranking = tuple[str, ...]
GroupedRankings = dict[Ranking, int]
#: What the count functions accept: rankings already grouped (ranking -> number of ballot
#: papers) or one sequence per ballot paper, which is grouped before counting.
RankingsInput = Mapping[Ranking, int] | Iterable[Sequence[str]]

METHODS = ("yesno", "plurality", "approval", "irv", "stv", "meek")
RANKED_METHODS = ("irv", "stv", "meek")
CHOICE_METHODS = ("plurality", "approval")
YES_NO_CHOICES = ("yes", "no", "abstain", "blank")


class Action:
    """Codes of what happened in a stage; the platform translates them, `Stage.action` is English."""

    VOTES_COUNTED = "votes_counted"  # plurality and approval: the single stage
    FIRST_PREFERENCES = "first_preferences"
    SURPLUS_TRANSFERRED = "surplus_transferred"  # subject: the elected candidate
    EXCLUDED = "excluded"  # subject: the excluded candidate
    KEEP_FACTORS_ADJUSTED = "keep_factors_adjusted"  # Meek: iteration ended by an election
    REMAINING_ELECTED = "remaining_elected"  # continuing candidates = seats left
    NO_VALID_VOTES = "no_valid_votes"


class TieMethod:
    """How a tie was broken."""

    EARLIER_STAGE = "earlier_stage"
    LOT = "lot"


class TiePurpose:
    """Which decision needed the tie to be broken."""

    EXCLUSION = "exclusion"
    SURPLUS_ORDER = "surplus_order"
    LAST_SEATS = "last_seats"


class InvalidCode:
    """Why a ballot paper is invalid (codes, translated by the platform)."""

    MALFORMED = "malformed"
    UNKNOWN_CANDIDATE = "unknown_candidate"
    REPEATED_CANDIDATE = "repeated_candidate"
    TOO_MANY_CHOICES = "too_many_choices"
    UNKNOWN_CHOICE = "unknown_choice"


class InvalidBallot(ValueError):
    """A ballot paper that cannot be counted; `code` is one of `InvalidCode`."""

    def __init__(self, code: str, message: str, candidate: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.candidate = candidate


def validate_ranking(ranking: Sequence[str], candidates: Sequence[str] | frozenset[str]) -> Ranking:
    """Return the ranking as a tuple, or raise `InvalidBallot`.

    An empty ranking is *blank*, not invalid: it is returned as `()` and the count
    functions report it under `blank`, outside the valid votes (and so outside the quota).
    """
    if isinstance(ranking, str) or not isinstance(ranking, Sequence):
        raise InvalidBallot(InvalidCode.MALFORMED, "a ranking must be a list of candidate ids")
    known = candidates if isinstance(candidates, frozenset) else frozenset(candidates)
    seen: set[str] = set()
    for candidate in ranking:
        if not isinstance(candidate, str):
            raise InvalidBallot(InvalidCode.MALFORMED, "a ranking must be a list of candidate ids")
        if candidate not in known:
            raise InvalidBallot(
                InvalidCode.UNKNOWN_CANDIDATE, f"unknown candidate {candidate!r}", candidate
            )
        if candidate in seen:
            raise InvalidBallot(
                InvalidCode.REPEATED_CANDIDATE, f"candidate {candidate!r} ranked twice", candidate
            )
        seen.add(candidate)
    return tuple(ranking)


def validate_choices(
    choices: Sequence[str],
    candidates: Sequence[str] | frozenset[str],
    *,
    limit: int | None = None,
) -> tuple[str, ...]:
    """Validate a plurality or approval paper: distinct known candidates, at most `limit`.

    For plurality `limit` is the number of seats; for approval it is `max_approvals`
    (None: any number). An empty paper is blank, returned as `()`.
    """
    if isinstance(choices, str) or not isinstance(choices, Sequence):
        raise InvalidBallot(InvalidCode.MALFORMED, "choices must be a list of candidate ids")
    choice_tuple = validate_ranking(choices, candidates)
    if limit is not None and len(choice_tuple) > limit:
        raise InvalidBallot(
            InvalidCode.TOO_MANY_CHOICES, f"{len(choice_tuple)} choices marked, at most {limit}"
        )
    return choice_tuple


def validate_yes_no(choice: object) -> str:
    """Validate a yes/no paper: exactly one of yes, no, abstain, or blank."""
    if choice not in YES_NO_CHOICES:
        raise InvalidBallot(
            InvalidCode.UNKNOWN_CHOICE, f"{choice!r} is not yes, no, abstain or blank"
        )
    return str(choice)


def group_rankings(rankings: Iterable[Sequence[str]]) -> GroupedRankings:
    """Group identical rankings: ranking tuple -> number of ballot papers.

    Counting works on groups, so a million papers with a few thousand distinct rankings
    count in about the time of a few thousand.
    """
    return dict(Counter(map(tuple, rankings)))


def as_grouped(rankings: RankingsInput) -> GroupedRankings:
    """Accept grouped (mapping) or ungrouped (one sequence per paper) rankings; return groups."""
    if not isinstance(rankings, Mapping):
        return group_rankings(rankings)
    grouped: GroupedRankings = {}
    for ranking, weight in rankings.items():
        if _check_weight(ranking, weight):
            key = tuple(ranking)
            grouped[key] = grouped.get(key, 0) + weight
    return grouped


def check_candidates(candidates: Sequence[str]) -> list[str]:
    """Candidate ids must be distinct non-empty strings."""
    ids = list(candidates)
    if any(not isinstance(c, str) or not c for c in ids):
        raise ValueError("candidate ids must be non-empty strings")
    if len(set(ids)) != len(ids):
        raise ValueError("candidate ids must be distinct")
    return ids


def check_seats(seats: int) -> int:
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValueError("seats must be a positive integer")
    return seats


@dataclass
class PreparedRankings:
    """Rankings validated and translated to candidate indices, with the paper counts."""

    groups: dict[tuple[int, ...], int]
    valid: int
    invalid: int
    blank: int
    invalid_reasons: dict[str, int]


def _check_weight(ranking: object, weight: object) -> int:
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise TypeError(f"the number of papers for {ranking!r} must be an integer")
    if weight < 0:
        raise ValueError(f"the number of papers for {ranking!r} is negative")
    return weight


def prepare_rankings(rankings: RankingsInput, candidates: Sequence[str]) -> PreparedRankings:
    """Group, validate and index rankings; invalid papers are counted, not raised."""
    known = frozenset(candidates)
    index_of = {c: i for i, c in enumerate(candidates)}.__getitem__
    groups: dict[tuple[int, ...], int] = {}
    valid = invalid = blank = 0
    reasons: Counter[str] = Counter()
    items = rankings.items() if isinstance(rankings, Mapping) else group_rankings(rankings).items()
    for ranking, weight in items:
        if type(weight) is not int:
            _check_weight(ranking, weight)
        if weight <= 0:
            _check_weight(ranking, weight)
            continue
        # Fast path (C-level checks) for the common case; details only for bad papers.
        if (
            type(ranking) is tuple
            and known.issuperset(ranking)
            and len(set(ranking)) == len(ranking)
        ):
            checked: tuple[str, ...] = ranking
        else:
            try:
                checked = validate_ranking(ranking, known)
            except InvalidBallot as error:
                invalid += weight
                reasons[error.code] += weight
                continue
        if not checked:
            blank += weight
            continue
        valid += weight
        key = tuple(map(index_of, checked))
        groups[key] = groups.get(key, 0) + weight
    return PreparedRankings(groups, valid, invalid, blank, dict(sorted(reasons.items())))


def units_to_decimal(units: int, places: int) -> Decimal:
    """An integer count of 10**-places units as an exact Decimal showing `places` decimals."""
    return Decimal(units).scaleb(-places)


def plain(value: Any) -> Any:
    """Make a value JSON-safe: Decimals become fixed-point strings, dataclasses dicts, tuples lists."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class TieBreak:
    """How one tie was broken: data for the published result.

    `stage` is the stage whose action needed the decision; `decided_at_stage` the earlier
    stage whose figures separated the candidates (None if none did); when a lot was drawn,
    `drawn_from` lists the candidates still tied and `chosen` what the lot gave.
    """

    stage: int
    purpose: str
    method: str
    candidates: tuple[str, ...]
    chosen: tuple[str, ...]
    decided_at_stage: int | None = None
    drawn_from: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """English explanation for the CLI (the platform translates from the fields)."""
        tied = ", ".join(self.candidates)
        chosen = ", ".join(self.chosen)
        if self.method == TieMethod.LOT:
            narrowed = (
                f" (stage {self.decided_at_stage} narrowed it to {', '.join(self.drawn_from)})"
                if self.decided_at_stage
                else ""
            )
            return (
                f"stage {self.stage}: {tied} tied for {self.purpose}{narrowed}; lot chose {chosen}"
            )
        return (
            f"stage {self.stage}: {tied} tied for {self.purpose}; "
            f"decided by the votes at stage {self.decided_at_stage}: {chosen}"
        )

    def as_dict(self) -> dict[str, Any]:
        data = plain(self)
        data["explanation"] = self.explanation
        return data


@dataclass
class Stage:
    """One stage of a count: what was done and the figures at its end.

    `votes` holds every candidate's votes at the end of the stage; `transfers` the
    change in this stage (negative for the candidate whose papers were transferred);
    `exhausted` the value of papers that became non-transferable in this stage and
    `exhausted_total` since the start; `loss` the value lost to truncation in this
    stage (STV; for Meek the rounding difference, which may be negative). At every stage:
    sum(votes) + exhausted_total + sum of losses so far = valid votes.
    """

    number: int
    action_code: str
    subject: str | None
    action: str
    votes: dict[str, Number]
    transfers: dict[str, Number] = field(default_factory=dict)
    exhausted: Number = 0
    exhausted_total: Number = 0
    loss: Number = 0
    surplus: Number | None = None
    quota: Number | None = None
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    note: str | None = None
    tie_break: TieBreak | None = None
    keep_factors: dict[str, Decimal] | None = None
    iterations: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data = plain(self)
        if self.tie_break is not None:
            data["tie_break"] = self.tie_break.as_dict()
        return data


@dataclass
class CountResult:
    """The outcome of a count, with every stage, ready to publish (`as_dict` is JSON-safe).

    `valid` papers took part in the count; `blank` (empty) and `invalid` papers did not,
    and `invalid_reasons` counts the invalid ones by `InvalidCode`.
    """

    method: str
    rule: str
    seats: int
    candidates: list[str]
    elected: list[str]
    stages: list[Stage]
    quota: Number | None
    tie_breaks: list[TieBreak]
    seed: str | None
    valid: int
    invalid: int
    blank: int
    excluded: list[str] = field(default_factory=list)
    invalid_reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = plain(self)
        data["stages"] = [stage.as_dict() for stage in self.stages]
        data["tie_breaks"] = [tie.as_dict() for tie in self.tie_breaks]
        return data


#: A candidate's state in the counts by transfer (STV, Meek): still standing (continuing or
#: hopeful), elected, excluded.
STANDING, ELECTED, EXCLUDED = 0, 1, 2


class FillsLastVacancies:
    """The end the counts by transfer share (Scottish rule 52, NZ Schedule 1A): when the
    candidates still standing are as many as the seats left, they are elected, highest
    first, in one stage and without transfers.

    The count class gives `standing()`, `ids`, `votes`, `state`, `elected` and
    `close_stage(action_code, subject, action, *, elected, excluded, tie, **stage)`.
    """

    def fill_last_vacancies(self, excluded: int | None, tie: TieBreak | None, **stage: Any) -> None:
        remaining = sorted(self.standing(), key=lambda c: (-self.votes[c], c))
        for c in remaining:
            self.state[c] = ELECTED
            self.elected.append(c)
        names = ", ".join(self.ids[c] for c in remaining)
        action = f"{names} elected to the remaining seats"
        if excluded is not None:
            action = f"{self.ids[excluded]} excluded; {action}"
        self.close_stage(
            Action.REMAINING_ELECTED,
            None,
            action,
            elected=remaining,
            excluded=[] if excluded is None else [excluded],
            tie=tie,
            **stage,
        )
