"""The published ballot list ("ballot-list/1"): reading, writing, and recounting from a file.

After a ballot closes the platform publishes every paper, without any link to its voter,
so that anyone entitled can check their receipt and recount. The format is one JSON
object (UTF-8)::

    {
      "format": "ballot-list/1",
      "ballot": {
        "reference": "ORG 50/003/2026",        # the ballot's document reference
        "title": "Election of the Section Board",
        "method": "stv",                       # yesno | plurality | approval | irv | stv | meek
        "seats": 3,                            # 1 for yesno and irv
        "candidates": [{"id": "c1", "name": "Amina"}, ...],   # ballot order; [] for yesno
        "max_approvals": null,                 # approval only: a limit, or null for none
        "seed": "4f1c..."                      # published before the count; lots use it
      },
      "papers": [
        {"receipt_fingerprint": "9b2e...", "content": {...}},
        ...
      ]
    }

A paper's `content` is the platform's paper format (`elections.counting.papers`): ``choice``
for yes/no, ``choices`` for plurality and approval, ``ranking`` for irv, stv and meek.

`receipt_fingerprint` is what the voter's receipt shows; fingerprints are unique within
a list. Papers are in no meaningful order (the platform shuffles them).

`parse_export` checks the *structure* and raises `ExportError(location, message)`, where
location is the JSON line for a syntax error or a path such as ``papers[12].content``.
The *contents* (an unknown candidate, a repeated one, too many choices, an unknown yes/no
choice) are not structural errors: the count reports such papers as invalid, with codes.
"""

from __future__ import annotations

import io
import json
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any, BinaryIO

import ijson
import orjson

from elections.counting.approval import count_approval
from elections.counting.blt import BltElection, read_blt
from elections.counting.irv import count_irv
from elections.counting.meek import count_meek
from elections.counting.papers import content_key
from elections.counting.plurality import count_plurality
from elections.counting.stv import count_stv
from elections.counting.types import (
    CHOICE_METHODS,
    METHODS,
    RANKED_METHODS,
    CountResult,
    check_seats,
)
from elections.counting.yesno import YesNoResult, count_yes_no

FORMAT = "ballot-list/1"


class ExportError(ValueError):
    """A malformed ballot list: `location` is a JSON line number or a path in the document."""

    def __init__(self, location: int | str, message: str) -> None:
        where = f"line {location}" if isinstance(location, int) else location
        super().__init__(f"{where}: {message}")
        self.location = location
        self.message = message


@dataclass(frozen=True)
class ListedCandidate:
    id: str
    name: str


@dataclass(frozen=True)
class Paper:
    receipt_fingerprint: str
    content: dict[str, Any]


@dataclass
class BallotList:
    """A published ballot list, as read by `parse_export`."""

    reference: str
    title: str
    method: str
    seats: int
    candidates: list[ListedCandidate]
    seed: str
    papers: list[Paper] = field(default_factory=list)
    max_approvals: int | None = None
    #: Read from a file (`read_export`): each distinct content -> its number of papers.
    groups: dict[Any, int] = field(default_factory=dict, compare=False, repr=False)
    number_of_papers: int = field(default=0, compare=False)

    @property
    def candidate_ids(self) -> list[str]:
        return [c.id for c in self.candidates]

    @property
    def names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.candidates}

    def ballots(self) -> list[Any] | dict[Any, int]:
        """The papers' contents in the shape the count functions take (grouped if not kept)."""
        if self.groups and not self.papers:
            return self.groups
        key = content_key(self.method)
        return [paper.content[key] for paper in self.papers]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "ballot": {
                "reference": self.reference,
                "title": self.title,
                "method": self.method,
                "seats": self.seats,
                "candidates": [{"id": c.id, "name": c.name} for c in self.candidates],
                "max_approvals": self.max_approvals,
                "seed": self.seed,
            },
            "papers": [
                {"receipt_fingerprint": p.receipt_fingerprint, "content": p.content}
                for p in self.papers
            ],
        }


def write_export(ballot_list: BallotList) -> str:
    """Serialise a ballot list: one paper per line, so a diff or a grep finds a receipt."""
    header = json.dumps(ballot_list.as_dict()["ballot"], ensure_ascii=False, sort_keys=True)
    papers = ",\n".join(
        "  " + json.dumps(paper, ensure_ascii=False, sort_keys=True)
        for paper in ballot_list.as_dict()["papers"]
    )
    body = f"\n{papers}\n" if papers else ""
    return f'{{"format": "{FORMAT}",\n "ballot": {header},\n "papers": [{body}]}}\n'


def _expect(condition: bool, location: str, message: str) -> None:
    if not condition:
        raise ExportError(location, message)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_export(text: str) -> BallotList:
    """Read a ballot list held in a string, keeping every paper (see `read_export`)."""
    return read_export(io.BytesIO(text.encode("utf-8")), keep_papers=True)


#: Deeper than any ballot list (the papers' ids sit five levels down): a document nested
#: further is refused before the parser builds it, since its cost grows with the square of
#: the depth (each event carries its whole path).
MAX_DEPTH = 32
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_LONGEST_STRING = 1 << 20


class _DepthGuard(io.RawIOBase):
    """A binary stream that refuses JSON nested deeper than `MAX_DEPTH` as it is read.

    Strings are cut out (a bracket inside one does not count), the brackets kept, and
    matched pairs removed innermost first: a document nested at most `MAX_DEPTH` deep is
    reduced in as many rounds, all in C-level byte operations.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._open = b""  # brackets still open, outermost first
        self._pending = b""  # the start of a string that the last chunk cut

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        self._check(data)
        buffer[: len(data)] = data
        return len(data)

    def _check(self, data: bytes) -> None:
        text = _STRING.sub(b"", self._pending + data)
        quote = text.find(b'"')
        if quote >= 0:
            self._pending, text = text[quote:], text[:quote]
            if len(self._pending) > _LONGEST_STRING:
                raise ExportError("$", "a string in the file is longer than 1 MiB")
        else:
            self._pending = b""
        brackets = self._open + text.translate(None, _NOT_BRACKETS)
        for _round in range(MAX_DEPTH + 1):
            reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
            if reduced == brackets:
                break
            brackets = reduced
        else:
            raise _too_deep()
        # What is left opens brackets for later chunks; an unmatched closing bracket is a
        # syntax error, which the parser itself reports.
        self._open = brackets.lstrip(b"]}")
        if len(self._open) > MAX_DEPTH:
            raise _too_deep()


def _too_deep() -> ExportError:
    return ExportError("$", f"the JSON is nested more than {MAX_DEPTH} levels deep")


def _build(events: Iterator[tuple[str, str, Any]]) -> Any:
    """The value whose events come next, built from them (the header's small values)."""
    builder = ijson.ObjectBuilder()
    depth = 0
    for _prefix, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        if depth == 0:
            return builder.value
    raise ijson.IncompleteJSONError("premature EOF")


_MISSING = object()


def _read_header(stream: BinaryIO) -> tuple[Any, Any]:
    """The top-level "format" and "ballot" values, and a check that "papers" is a list.

    The platform writes the header first, so this usually stops at the papers' opening
    bracket; a document with its header last is read to its end here, more slowly.
    """
    events = ijson.parse(stream, use_float=True)
    first = next(events, None)
    _expect(
        first is not None and first[1] == "start_map", "$", "the document must be a JSON object"
    )
    found: dict[str, Any] = {}
    papers_listed = False
    for prefix, event, value in events:
        if prefix != "" or event != "map_key":
            continue
        if value in ("format", "ballot"):
            found[value] = _build(events)
        elif value == "papers":
            _expect(next(events)[1] == "start_array", "papers", "expected a list")
            papers_listed = True
            if len(found) == 2:
                break
    _expect(papers_listed, "papers", "expected a list")
    return found.get("format", _MISSING), found.get("ballot", _MISSING)


def _check_header(document_format: Any, ballot: Any) -> BallotList:
    _expect(document_format == FORMAT, "format", f'expected "{FORMAT}"')
    _expect(isinstance(ballot, dict), "ballot", "expected an object")
    for key in ("reference", "title", "seed"):
        _expect(isinstance(ballot.get(key), str), f"ballot.{key}", "expected a string")
    method = ballot.get("method")
    _expect(method in METHODS, "ballot.method", f"expected one of {', '.join(METHODS)}")
    seats = ballot.get("seats")
    _expect(_is_int(seats) and seats >= 1, "ballot.seats", "expected a positive integer")
    max_approvals = ballot.get("max_approvals")
    _expect(
        max_approvals is None or (_is_int(max_approvals) and max_approvals >= 1),
        "ballot.max_approvals",
        "expected a positive integer or null",
    )
    raw_candidates = ballot.get("candidates")
    _expect(isinstance(raw_candidates, list), "ballot.candidates", "expected a list")
    candidates: list[ListedCandidate] = []
    for index, item in enumerate(raw_candidates):
        where = f"ballot.candidates[{index}]"
        _expect(isinstance(item, dict), where, "expected an object with id and name")
        _expect(
            isinstance(item.get("id"), str) and bool(item["id"]), f"{where}.id", "expected an id"
        )
        _expect(isinstance(item.get("name"), str), f"{where}.name", "expected a string")
        _expect(
            item["id"] not in {c.id for c in candidates}, f"{where}.id", "duplicate candidate id"
        )
        candidates.append(ListedCandidate(item["id"], item["name"]))
    _expect(method == "yesno" or bool(candidates), "ballot.candidates", "no candidates")
    return BallotList(
        reference=ballot["reference"],
        title=ballot["title"],
        method=method,
        seats=seats,
        candidates=candidates,
        seed=ballot["seed"],
        max_approvals=max_approvals,
    )


def _check_paper(index: int, item: Any, key: str) -> None:
    """Raise the `ExportError` that names what is wrong with one paper (the slow path)."""
    where = f"papers[{index}]"
    _expect(isinstance(item, dict), where, "expected an object")
    fingerprint = item.get("receipt_fingerprint")
    _expect(
        isinstance(fingerprint, str) and bool(fingerprint),
        f"{where}.receipt_fingerprint",
        "expected a non-empty string",
    )
    content = item.get("content")
    _expect(
        isinstance(content, dict) and set(content) == {key},
        f"{where}.content",
        f'expected {{"{key}": ...}}',
    )
    value = content[key]
    if key == "choice":
        _expect(isinstance(value, str), f"{where}.content.choice", "expected a string")
    else:
        _expect(_is_str_list(value), f"{where}.content.{key}", "expected a list of ids")


def _read_papers(
    stream: BinaryIO, key: str, papers: list[Paper] | None
) -> tuple[dict[Any, int], int, set[int]]:
    """Stream the papers: each distinct content with its number of papers, and the total.

    One paper is held at a time. Receipt fingerprints are checked for repeats through
    64-bit hashes in 256 arrays (8 bytes a paper instead of a set of strings); a
    repeated hash is then confirmed, or cleared, by a second pass over the fingerprints.
    """
    groups: dict[Any, int] = {}
    buckets = [array("q") for _ in range(256)]
    index = -1
    for index, item in enumerate(ijson.items(stream, "papers.item", use_float=True)):
        try:
            fingerprint = item["receipt_fingerprint"]
            ((content_key, value),) = item["content"].items()
            if content_key != key or type(fingerprint) is not str or not fingerprint:
                raise TypeError
            if key == "choice":
                if type(value) is not str:
                    raise TypeError
                group: Any = value
            else:
                if type(value) is not list:  # a string is not a list of its characters
                    raise TypeError
                group = tuple(value)
                if not all(type(c) is str for c in group):
                    raise TypeError
            groups[group] = groups.get(group, 0) + 1
        except (TypeError, KeyError, ValueError, AttributeError):
            _check_paper(index, item, key)
            raise
        digest = hash(fingerprint)
        buckets[digest & 255].append(digest)
        if papers is not None:
            papers.append(Paper(fingerprint, item["content"]))
    repeated: set[int] = set()
    for bucket in buckets:
        if len(set(bucket)) < len(bucket):
            repeated.update(h for h, times in Counter(bucket).items() if times > 1)
    return groups, index + 1, repeated


class _Unsure(Exception):
    """The fast reader cannot vouch for the document: the streaming reader reads it instead."""


#: The top-level "papers" key and its opening bracket, looked for in the first MiB.
_PAPERS_KEY = re.compile(rb'"papers"[ \t\n\r]*:[ \t\n\r]*\[')
_HEAD = 1 << 20
_BLOCK = 1 << 20
#: Held beyond a block without a place to cut it or the list's end: ijson reads instead.
_UNCUT = 1 << 20
_CLOSE_TRIES = 8
_FINGERPRINT, _CONTENT = itemgetter("receipt_fingerprint"), itemgetter("content")


class _Chained(io.RawIOBase):
    """Bytes already in memory, then the rest of a stream."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            data, self._head = self._head[: len(buffer)], self._head[len(buffer) :]
        else:
            data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _papers_offset(stream: BinaryIO, start: int) -> int:
    """Where the top-level papers list's items begin: just past its opening bracket.

    The first match of `_PAPERS_KEY` outside any string and directly inside the top-level
    object (strings cut out and matched brackets removed before it leave only "{").
    """
    stream.seek(start)
    head = stream.read(_HEAD)
    for match in _PAPERS_KEY.finditer(head):
        before = _STRING.sub(b"", head[: match.start()])
        if b'"' in before:  # the match is inside a string
            continue
        brackets = before.translate(None, _NOT_BRACKETS)
        for _round in range(MAX_DEPTH + 1):
            reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
            if reduced == brackets:
                break
            brackets = reduced
        if brackets == b"{":
            return start + match.end()
    raise _Unsure


def _count_items(
    items: list, key: str, groups: Counter, buckets: list[array], papers: list[Paper] | None
) -> None:
    """The checks of `_read_papers` over a block of papers at once, in C-level maps.

    Only the plain shape is taken: an object of exactly the two keys, a content of exactly
    its method's key, a non-empty string fingerprint, a string or a list (its items are
    checked per distinct ranking, in `_read_papers_fast`). Anything else is `_Unsure`.
    """
    if set(map(type, items)) != {dict} or set(map(len, items)) != {2}:
        raise _Unsure
    fingerprints = list(map(_FINGERPRINT, items))
    contents = list(map(_CONTENT, items))
    if set(map(type, fingerprints)) != {str} or not all(fingerprints):
        raise _Unsure
    if max(map(len, fingerprints)) > _LONGEST_STRING // 6:  # the depth guard's limit
        raise _Unsure
    if set(map(type, contents)) != {dict} or set(map(len, contents)) != {1}:
        raise _Unsure
    values = list(map(itemgetter(key), contents))
    if key == "choice":
        if set(map(type, values)) != {str}:
            raise _Unsure
        groups.update(values)
    else:
        if set(map(type, values)) != {list}:
            raise _Unsure
        groups.update(map(tuple, values))  # a list or an object inside: TypeError
    for digest in map(hash, fingerprints):
        buckets[digest & 255].append(digest)
    if papers is not None:
        papers.extend(map(Paper, fingerprints, contents))


def _without_comma(piece: bytes) -> tuple[bytes, bool]:
    """`piece` without one trailing comma (and the blanks around it), and whether it had one."""
    body = piece.rstrip(b" \t\n\r")
    if body.endswith(b","):
        return body[:-1], True
    return body, False


def _closing(buffer: bytes, after_comma: bool) -> tuple[list, int] | None:
    """The papers before the list's closing bracket in `buffer`, and where it is.

    The closing bracket is the one before which the papers parse as a list; one further
    on would leave the rest of the document inside the list, one before it an object or
    a string open. After a comma the list must not end (``[..., ]``)."""
    close = len(buffer)
    for _try in range(_CLOSE_TRIES):
        close = buffer.rfind(b"]", 0, close)
        if close < 0:
            return None
        try:
            items = orjson.loads(b"[" + buffer[:close] + b"]")
        except orjson.JSONDecodeError:
            continue
        return None if after_comma and not items else (items, close)
    return None


def _read_papers_fast(
    stream: BinaryIO, start: int, key: str, papers: list[Paper] | None
) -> tuple[dict[Any, int], int, set[int]]:
    """`_read_papers` for a document laid out as the platform writes it, several times faster.

    The papers list is cut into blocks of about 1 MiB where a line ends (or between
    ``},{`` or ``}, {`` in a file on one line), each block parsed by orjson as one list and checked as a
    whole (`_count_items`). A block must end with the comma before the next paper; the
    list's closing bracket is the one after which the items parse; what follows it, with
    the header before the list, is then read by ijson behind the depth guard as a document
    whose papers list is empty (a syntax error there, or another "papers" list, is
    `_Unsure`). Anything unsure, a malformed paper included, raises `_Unsure`: the
    streaming reader then reads the whole document and names the error as it always did.
    """
    offset = _papers_offset(stream, start)
    groups: Counter = Counter()
    buckets = [array("q") for _ in range(256)]
    number, after_comma, pending = 0, False, b""
    stream.seek(offset)
    while True:
        block = stream.read(_BLOCK)
        buffer = pending + block
        if block:
            cut = buffer.rfind(b"\n") + 1
            if not cut:  # one line: between papers, as json.dumps writes them
                cut = max(buffer.rfind(b"},{"), buffer.rfind(b"}, {"), -2) + 2
            body, comma = _without_comma(buffer[:cut])
            if comma and body:
                try:
                    items = orjson.loads(b"[" + body + b"]")
                except orjson.JSONDecodeError:
                    items = None  # the list ends here, or a paper spans the cut
                if items is not None:
                    _count_items(items, key, groups, buckets, papers)
                    number += len(items)
                    after_comma, pending = True, buffer[cut:]
                    continue
        found = _closing(buffer, after_comma)
        if found is None:
            # The last paper without the closing bracket yet, or not the plain layout.
            if block and len(buffer) <= _BLOCK + _UNCUT:
                pending = buffer
                continue
            raise _Unsure
        items, close = found
        if items:
            _count_items(items, key, groups, buckets, papers)
            number += len(items)
        break
    read_to = stream.tell()
    stream.seek(start)
    header = stream.read(offset - start)
    stream.seek(read_to)
    rest = _Chained(header + b"]" + buffer[close + 1 :], stream)
    if next(iter(ijson.items(io.BufferedReader(_DepthGuard(rest)), "papers.item")), None):
        raise _Unsure  # another top-level "papers" list further on
    if key != "choice" and groups:
        # Each distinct ranking's items once, in C-level maps: strings, none too long.
        ids = list(chain.from_iterable(groups))
        if ids and (set(map(type, ids)) != {str} or max(map(len, ids)) > _LONGEST_STRING // 6):
            raise _Unsure
    elif groups and max(map(len, groups)) > _LONGEST_STRING // 6:
        raise _Unsure
    repeated: set[int] = set()
    for bucket in buckets:
        if len(set(bucket)) < len(bucket):
            repeated.update(h for h, times in Counter(bucket).items() if times > 1)
    return dict(groups), number, repeated


def _find_repeated_fingerprint(stream: BinaryIO, suspects: set[int]) -> None:
    seen: set[str] = set()
    for index, fingerprint in enumerate(ijson.items(stream, "papers.item.receipt_fingerprint")):
        if hash(fingerprint) in suspects:
            _expect(
                fingerprint not in seen,
                f"papers[{index}].receipt_fingerprint",
                "duplicate receipt fingerprint",
            )
            seen.add(fingerprint)


#: An escape (valid ones in group 1), or a control character, in JSON text.
_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])?|[\x00-\x08\x0b\x0c\x0e-\x1f]')


def _first_bad_escape(stream: BinaryIO) -> int | None:
    """The character offset of the first invalid escape or control character, if any."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    read = 0
    try:
        for chunk in iter(lambda: text.read(1 << 16), ""):
            for match in _ESCAPE.finditer(chunk):
                if match.group(1) is None:
                    return read + match.start()
            read += len(chunk)
    finally:
        text.detach()
    return None


def _syntax_error(stream: BinaryIO) -> ExportError:
    """Locate a JSON syntax error by its line (a second, slower read: the error path only)."""
    from ijson.backends import python as located

    start = stream.tell()
    try:
        for _ in located.basic_parse(stream):
            pass
    except ijson.JSONError as error:
        # "Unexpected symbol '}' at 39": the offset counts characters.
        match = re.search(r" at (\d+)$", str(error))
        offset = int(match.group(1)) if match else None
        message = str(error)[: match.start()] if match else "the JSON text ends too early"
    except ValueError as error:  # json's string scanner: a bad escape, a control character
        message = f"a string is not valid JSON ({error.msg})"
        stream.seek(start)
        offset = _first_bad_escape(stream)
    else:  # the fast parser and the slow one disagree
        message, offset = "not valid JSON", None
    stream.seek(start)
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    line, read = 1, 0
    for chunk in iter(lambda: text.read(1 << 16), ""):
        if offset is not None and read + len(chunk) >= offset:
            line += chunk.count("\n", 0, offset - read)
            break
        line += chunk.count("\n")
        read += len(chunk)
    text.detach()
    return ExportError(line, message)


def read_export(stream: BinaryIO, *, keep_papers: bool = False) -> BallotList:
    """Read a ballot list from a seekable binary stream and check its structure.

    The papers are streamed, a block at a time: the result holds each distinct content
    with its number of papers (`BallotList.groups`), so a million papers take the memory
    of their distinct rankings. A list laid out as the platform writes it is read by
    orjson in blocks (`_read_papers_fast`); any other layout, and any malformed document,
    by ijson (`_read_papers`), which names what is wrong. `keep_papers` also keeps every `Paper` (small lists). Raises
    `ExportError` naming the line of a syntax error or the path of a structural one.
    """
    guarded = io.BufferedReader(_DepthGuard(stream), buffer_size=1 << 16)
    start = stream.tell()
    try:
        try:
            ballot_list = _check_header(*_read_header(guarded))
            key = content_key(ballot_list.method)
            try:
                papers: list[Paper] | None = [] if keep_papers else None
                groups, number, suspects = _read_papers_fast(stream, start, key, papers)
            except (_Unsure, ValueError, TypeError, KeyError, ijson.JSONError):
                # Not the plain layout, or something is wrong: the streaming reader, which
                # names the error (a JSON error by its line, a paper's by its path).
                stream.seek(start)
                guarded = io.BufferedReader(_DepthGuard(stream), buffer_size=1 << 16)
                papers = [] if keep_papers else None
                groups, number, suspects = _read_papers(guarded, key, papers)
            if suspects:
                stream.seek(start)
                _find_repeated_fingerprint(stream, suspects)
        except ijson.JSONError:
            stream.seek(start)
            raise _syntax_error(stream) from None
    except UnicodeDecodeError:
        raise ExportError("$", "not UTF-8 text") from None
    ballot_list.groups, ballot_list.number_of_papers = groups, number
    if papers is not None:
        ballot_list.papers = papers
    return ballot_list


def tally(
    method: str,
    seats: int,
    candidates: Sequence[str],
    ballots: Iterable[Any],
    *,
    seed: str | None = None,
    max_approvals: int | None = None,
) -> CountResult | YesNoResult:
    """Count `ballots` by `method`: yes/no choices, lists of choices, or rankings."""
    if method == "yesno":
        return count_yes_no(ballots)
    if method == "plurality":
        return count_plurality(ballots, candidates, seats, seed=seed)
    if method == "approval":
        return count_approval(ballots, candidates, seats, max_approvals, seed=seed)
    if method == "irv":
        if seats != 1:
            raise ValueError("instant run-off fills one seat")
        return count_irv(ballots, candidates, seed=seed)
    if method == "stv":
        return count_stv(ballots, candidates, seats, seed=seed)
    if method == "meek":
        return count_meek(ballots, candidates, seats, seed=seed)
    raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


def _family(method: str) -> str:
    if method in RANKED_METHODS:
        return "ranked"
    if method in CHOICE_METHODS:
        return "choices"
    return method


def _summary(
    result: CountResult | YesNoResult, names: dict[str, str], head: dict[str, Any]
) -> dict[str, Any]:
    if isinstance(result, YesNoResult):
        return {**head, **result.as_dict(), "seats": None, "elected": [], "stages": []}
    data = result.as_dict()
    data["elected_ids"] = list(result.elected)
    data["elected"] = [names.get(c, c) for c in result.elected]
    data["candidates"] = [{"id": c, "name": names.get(c, c)} for c in result.candidates]
    return {**head, **data}


def tally_file(
    source: str | bytes | BinaryIO,
    method: str | None = None,
    seats: int | None = None,
    fmt: str | None = None,
    *,
    seed: str | None = None,
) -> dict[str, Any]:
    """Recount a published ballot list (JSON) or a BLT file; return the result as a dict.

    `source` is the file's text or a seekable binary stream, read as it streams (one
    paper at a time; memory grows with the distinct rankings, not the papers). `fmt` is
    "json" or "blt"; by default a file whose first character is "{" is JSON. `method`,
    `seats` and `seed` override the file's (a JSON list's papers can be recounted by
    another method of the same kind: ranked, or choices); a BLT file counts by
    Scottish STV unless told otherwise, its withdrawn candidates struck out.
    """
    if isinstance(source, str):
        source = source.encode("utf-8")
    stream: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source
    if fmt is None:
        start = stream.tell()
        head = stream.read(4096).lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
        stream.seek(start)
        fmt = "json" if head.startswith(b"{") else "blt"
    if seats is not None:
        check_seats(seats)
    if fmt == "json":
        start = stream.tell()
        if stream.read(3) != b"\xef\xbb\xbf":
            stream.seek(start)
        ballot_list = read_export(stream)
        chosen = method or ballot_list.method
        if chosen not in METHODS:
            raise ValueError(f"unknown method {chosen!r}; expected one of {', '.join(METHODS)}")
        if _family(chosen) != _family(ballot_list.method):
            raise ExportError(
                "ballot.method", f"{ballot_list.method} papers cannot be counted by {chosen}"
            )
        result = tally(
            chosen,
            seats or (1 if chosen == "irv" else ballot_list.seats),
            ballot_list.candidate_ids,
            ballot_list.ballots(),
            seed=seed if seed is not None else ballot_list.seed,
            max_approvals=ballot_list.max_approvals,
        )
        head = {"format": FORMAT, "reference": ballot_list.reference, "title": ballot_list.title}
        return _summary(result, ballot_list.names, head)
    if fmt == "blt":
        election: BltElection = read_blt(stream)
        chosen = method or "stv"
        if chosen not in RANKED_METHODS:
            raise ValueError(f"a BLT file holds rankings; {chosen} cannot count them")
        result = tally(
            chosen,
            seats or (1 if chosen == "irv" else election.seats),
            election.continuing_candidates(),
            election.effective_rankings(),
            seed=seed,
        )
        head = {"format": "blt", "title": election.title, "withdrawn": election.withdrawn}
        return _summary(result, {}, head)
    raise ValueError(f"unknown format {fmt!r}; expected json or blt")
