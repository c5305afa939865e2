"""Reading and writing the BLT ballot format used by STV counting programs.

The format, line by line::

    5 3                  number of candidates, number of seats
    -2 -5                optional: withdrawn candidates, as negative numbers
    12 1 3 2 0           weight, then preferences (candidate numbers from 1), then 0
    7 4 0
    0                    end of ballots
    "Amina"              one quoted name per candidate, in number order
    ...
    "Board election"     the title

Blank lines and lines starting with ``#`` are ignored. Weights are positive integers.
Equal rankings (``=``) and skipped preferences (``-``) are not supported and are refused
with the line number. A ballot naming a candidate twice is kept as written: the count
treats it as an invalid paper. In the parsed election, candidates are identified by
their names (which must be distinct), so rankings read directly as candidate ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from elections.counting.types import GroupedRankings, RankingsInput, as_grouped, check_seats

_QUOTED = re.compile(r'"([^"]*)"')


class BltError(ValueError):
    """A malformed BLT file; `line_number` is 1-based (0 when the file ends too early)."""

    def __init__(self, line_number: int, message: str) -> None:
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number
        self.message = message


@dataclass
class BltElection:
    """A parsed BLT file: candidates (names, in number order), withdrawn names, rankings."""

    candidates: list[str]
    seats: int
    rankings: GroupedRankings
    title: str = ""
    withdrawn: list[str] = field(default_factory=list)

    def continuing_candidates(self) -> list[str]:
        """The candidates standing, in ballot order: the withdrawn ones left out."""
        gone = set(self.withdrawn)
        return [c for c in self.candidates if c not in gone]

    def effective_rankings(self) -> GroupedRankings:
        """Rankings with withdrawn candidates struck out (identical results regrouped)."""
        if not self.withdrawn:
            return dict(self.rankings)
        gone = set(self.withdrawn)
        grouped: GroupedRankings = {}
        for ranking, number in self.rankings.items():
            key = tuple(c for c in ranking if c not in gone)
            grouped[key] = grouped.get(key, 0) + number
        return grouped


def _int(token: str, line_number: int, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise BltError(line_number, f"{what} must be an integer, not {token!r}") from None


def parse_blt(text: str) -> BltElection:
    """Parse a BLT file; raise `BltError` naming the first malformed line."""
    lines = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]
    if not lines:
        raise BltError(0, "empty file: expected 'candidates seats'")
    position = 0

    number, line = lines[position]
    header = line.split()
    if len(header) != 2:
        raise BltError(number, "the first line must be 'candidates seats'")
    count = _int(header[0], number, "the number of candidates")
    seats = _int(header[1], number, "the number of seats")
    if count < 1:
        raise BltError(number, "there must be at least one candidate")
    if seats < 1:
        raise BltError(number, "there must be at least one seat")
    position += 1

    withdrawn_numbers: list[int] = []
    if position < len(lines) and lines[position][1].startswith("-"):
        number, line = lines[position]
        for token in line.split():
            value = _int(token, number, "a withdrawn candidate")
            if value >= 0 or -value > count:
                raise BltError(number, f"withdrawn candidates are -1 to -{count}, not {token}")
            withdrawn_numbers.append(-value)
        position += 1

    raw: dict[tuple[int, ...], int] = {}
    while True:
        if position >= len(lines):
            raise BltError(0, "the file ends before the '0' line closing the ballots")
        number, line = lines[position]
        position += 1
        tokens = line.split()
        if tokens == ["0"]:
            break
        if "=" in line:
            raise BltError(number, "equal rankings ('=') are not supported")
        weight = _int(tokens[0], number, "a ballot weight")
        if weight < 1:
            raise BltError(number, f"a ballot weight must be positive, not {tokens[0]}")
        if len(tokens) < 2 or tokens[-1] != "0":
            raise BltError(number, "a ballot line must end with 0")
        preferences = []
        for token in tokens[1:-1]:
            value = _int(token, number, "a preference")
            if not 1 <= value <= count:
                raise BltError(number, f"candidate numbers go from 1 to {count}, not {token}")
            preferences.append(value)
        key = tuple(preferences)
        raw[key] = raw.get(key, 0) + weight

    strings: list[tuple[int, str]] = []
    for number, line in lines[position:]:
        if _QUOTED.sub("", line).strip():
            raise BltError(number, "expected quoted names and title only")
        strings.extend((number, name) for name in _QUOTED.findall(line))
    if len(strings) < count:
        raise BltError(0, f"expected {count} candidate names, found {len(strings)}")
    if len(strings) > count + 1:
        raise BltError(strings[count + 1][0], "unexpected text after the title")
    names = [name for _, name in strings[:count]]
    for index, (number, name) in enumerate(strings[:count]):
        if not name.strip():
            raise BltError(number, "a candidate name is empty")
        if name in names[:index]:
            raise BltError(number, f"candidate name {name!r} appears twice")
    title = strings[count][1] if len(strings) > count else ""

    rankings = {
        tuple(names[p - 1] for p in preferences): weight for preferences, weight in raw.items()
    }
    return BltElection(
        candidates=names,
        seats=seats,
        rankings=rankings,
        title=title,
        withdrawn=[names[w - 1] for w in sorted(set(withdrawn_numbers))],
    )


def write_blt(
    candidates: Sequence[str],
    seats: int,
    rankings: RankingsInput,
    *,
    title: str = "",
    names: Mapping[str, str] | None = None,
    withdrawn: Sequence[str] = (),
) -> str:
    """Write a BLT file. `candidates` are ids in ballot order, `names` their display names.

    Ballot lines are written most frequent first (then in candidate order), so the same
    papers always give the same file. Blank rankings are left out (BLT has no blank
    papers); a ranking with an unknown candidate raises ValueError.
    """
    check_seats(seats)
    number_of = {c: i + 1 for i, c in enumerate(candidates)}
    shown = [(names or {}).get(c, c) for c in candidates]
    for text in [*shown, title]:
        if '"' in text or "\n" in text:
            raise ValueError(f"{text!r}: BLT names cannot contain quotes or new lines")
    lines = [f"{len(candidates)} {seats}"]
    if withdrawn:
        lines.append(" ".join(f"-{number_of[c]}" for c in withdrawn))
    ballots = []
    for ranking, weight in as_grouped(rankings).items():
        if not ranking:
            continue
        try:
            ballots.append((tuple(number_of[c] for c in ranking), weight))
        except KeyError as error:
            raise ValueError(f"unknown candidate {error.args[0]!r} in a ranking") from None
    ballots.sort(key=lambda item: (-item[1], item[0]))
    lines.extend(" ".join(map(str, [weight, *ranking, 0])) for ranking, weight in ballots)
    lines.append("0")
    lines.extend(f'"{name}"' for name in shown)
    lines.append(f'"{title}"')
    return "\n".join(lines) + "\n"
