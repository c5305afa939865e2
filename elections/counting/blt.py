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

import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from elections.counting.types import GroupedRankings, RankingsInput, as_grouped, check_seats

_QUOTED = re.compile(r'"([^"]*)"')
_CLOSING_LINE = re.compile(rb"^[ \t]*0[ \t]*\r?$", re.MULTILINE)
_BLOCK = 1 << 20


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
    """Parse a BLT file held in a string; raise `BltError` naming the first malformed line."""
    return read_blt(io.BytesIO(text.encode("utf-8")))


def _lines(block: bytes) -> list[bytes]:
    """The lines of a block that ends at a line break (or at the end of the file)."""
    lines = block.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def _decoded(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BltError(number, "not UTF-8 text") from None


def read_blt(stream: BinaryIO) -> BltElection:
    """Read a BLT file from a binary stream, in one pass, without holding it in memory.

    The stream should be seekable: a bad ballot line's number is found by reading again.

    Memory holds one entry per *distinct* ballot line, not one per paper: identical lines
    are counted as they stream past, in blocks, and each distinct line is parsed once at
    the end (a million papers usually hold a few hundred thousand distinct rankings, often
    far fewer). Errors still name the first malformed line, by its number in the file.
    """
    read, readline = stream.read, stream.readline
    numbered = enumerate(iter(readline, b""), start=1)

    def content_line() -> tuple[int, str] | None:
        for number, raw in numbered:
            line = raw.strip()
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf").strip()
            if line and not line.startswith(b"#"):
                return number, _decoded(line, number)
        return None

    first = content_line()
    if first is None:
        raise BltError(0, "empty file: expected 'candidates seats'")
    number, line = first
    header = line.split()
    if len(header) != 2:
        raise BltError(number, "the first line must be 'candidates seats'")
    count = _int(header[0], number, "the number of candidates")
    seats = _int(header[1], number, "the number of seats")
    if count < 1:
        raise BltError(number, "there must be at least one candidate")
    if seats < 1:
        raise BltError(number, "there must be at least one seat")

    following = content_line()
    if following is None:
        raise BltError(0, "the file ends before the '0' line closing the ballots")
    withdrawn_numbers: list[int] = []
    if following[1].startswith("-"):
        number, line = following
        for token in line.split():
            value = _int(token, number, "a withdrawn candidate")
            if value >= 0 or -value > count:
                raise BltError(number, f"withdrawn candidates are -1 to -{count}, not {token}")
            withdrawn_numbers.append(-value)
        following = content_line()
        if following is None:
            raise BltError(0, "the file ends before the '0' line closing the ballots")

    # The hot part: blocks of lines counted at C speed (Counter.update). Where a distinct
    # line is bad, its first line number is found by reading the section again.
    ballots_from = following[0]
    times: Counter[bytes] = Counter({following[1].encode("utf-8"): 1})
    number = following[0]
    rest = b""
    closed = following[1] == "0"
    while not closed:
        block = read(_BLOCK) + readline()
        if not block:
            break
        end = _CLOSING_LINE.search(block)
        if end is not None:
            block, rest, closed = block[: end.start()], block[end.end() :], True
        lines = _lines(block)
        times.update(lines)
        number += len(lines)
    if not closed:
        raise BltError(0, "the file ends before the '0' line closing the ballots")
    closing = number + 1

    names_error: BltError | None = None
    try:
        names, title = _names_and_title(
            enumerate(itertools.chain(_lines(rest[1:]), stream), closing + 1), count
        )
    except BltError as error:  # reported after any bad ballot line, which comes first
        names_error, names, title = error, [str(n) for n in range(1, count + 1)], ""

    name_of = {str(n).encode(): name for n, name in enumerate(names, start=1)}
    rankings: dict[tuple[str, ...], int] = {}
    for key, times_seen in times.items():
        tokens = key.split()
        try:
            if tokens[-1] != b"0" or tokens[0] == b"0":
                raise KeyError(key)
            weight = int(tokens[0])
            ranking = tuple(map(name_of.__getitem__, tokens[1:-1]))
        except (KeyError, ValueError, IndexError):
            stripped = key.strip()
            if stripped == b"0" or not stripped or stripped.startswith(b"#"):
                continue
            line_number = _first_line(stream, key, ballots_from)
            weight, numbers = _parse_ballot_line(
                _decoded(stripped, line_number), line_number, count
            )
            ranking = tuple(names[n - 1] for n in numbers)
        if weight < 1:
            line_number = _first_line(stream, key, ballots_from)
            raise BltError(line_number, f"a ballot weight must be positive, not {weight}")
        rankings[ranking] = rankings.get(ranking, 0) + weight * times_seen
    if names_error is not None:
        raise names_error
    return BltElection(
        candidates=names,
        seats=seats,
        rankings=rankings,
        title=title,
        withdrawn=[names[w - 1] for w in sorted(set(withdrawn_numbers))],
    )


def _first_line(stream: BinaryIO, key: bytes, start: int) -> int:
    """The number of the first line from line `start` on that reads `key` (an error's line)."""
    if not stream.seekable():
        return 0
    stream.seek(0)
    wanted = key.strip()
    for number, line in enumerate(stream, start=1):
        if number >= start and line.strip() == wanted:
            return number
    return 0


def _parse_ballot_line(line: str, number: int, count: int) -> tuple[int, list[int]]:
    """A ballot line's weight and candidate numbers, or the `BltError` that says why not."""
    if "=" in line:
        raise BltError(number, "equal rankings ('=') are not supported")
    tokens = line.split()
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
    return weight, preferences


def _names_and_title(numbered: Iterable[tuple[int, bytes]], count: int) -> tuple[list[str], str]:
    strings: list[tuple[int, str]] = []
    for number, raw_line in numbered:
        line = _decoded(raw_line.strip(), number)
        if not line or line.startswith("#"):
            continue
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
    return names, strings[count][1] if len(strings) > count else ""


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
