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

A paper's `content` depends on the method:

- yesno: ``{"choice": "yes" | "no" | "abstain" | "blank"}``
- plurality, approval: ``{"choices": [candidate ids]}`` (``[]`` is a blank paper)
- irv, stv, meek: ``{"ranking": [candidate ids, most preferred first]}`` (``[]`` is blank)

`receipt_fingerprint` is what the voter's receipt shows; fingerprints are unique within
a list. Papers are in no meaningful order (the platform shuffles them).

`parse_export` checks the *structure* and raises `ExportError(location, message)`, where
location is the JSON line for a syntax error or a path such as ``papers[12].content``.
The *contents* (an unknown candidate, a repeated one, too many choices, an unknown yes/no
choice) are not structural errors: the count reports such papers as invalid, with codes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from elections.counting.approval import count_approval
from elections.counting.blt import BltElection, parse_blt
from elections.counting.irv import count_irv
from elections.counting.meek import count_meek
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
CONTENT_KEY = {
    "yesno": "choice",
    "plurality": "choices",
    "approval": "choices",
    "irv": "ranking",
    "stv": "ranking",
    "meek": "ranking",
}


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

    @property
    def candidate_ids(self) -> list[str]:
        return [c.id for c in self.candidates]

    @property
    def names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.candidates}

    def ballots(self) -> list[Any]:
        """The papers' contents in the shape the count functions take."""
        key = CONTENT_KEY[self.method]
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
    """Read a ballot list and check its structure (see the module docstring)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(error.lineno, error.msg) from None
    _expect(isinstance(document, dict), "$", "the document must be a JSON object")
    _expect(document.get("format") == FORMAT, "format", f'expected "{FORMAT}"')
    ballot = document.get("ballot")
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

    raw_papers = document.get("papers")
    _expect(isinstance(raw_papers, list), "papers", "expected a list")
    key = CONTENT_KEY[method]
    papers: list[Paper] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_papers):
        where = f"papers[{index}]"
        _expect(isinstance(item, dict), where, "expected an object")
        fingerprint = item.get("receipt_fingerprint")
        _expect(
            isinstance(fingerprint, str) and bool(fingerprint),
            f"{where}.receipt_fingerprint",
            "expected a non-empty string",
        )
        _expect(
            fingerprint not in seen, f"{where}.receipt_fingerprint", "duplicate receipt fingerprint"
        )
        seen.add(fingerprint)
        content = item.get("content")
        _expect(
            isinstance(content, dict) and set(content) == {key},
            f"{where}.content",
            f'expected {{"{key}": ...}} for {method}',
        )
        value = content[key]
        if key == "choice":
            _expect(isinstance(value, str), f"{where}.content.choice", "expected a string")
        else:
            _expect(_is_str_list(value), f"{where}.content.{key}", "expected a list of ids")
        papers.append(Paper(fingerprint, content))
    return BallotList(
        reference=ballot["reference"],
        title=ballot["title"],
        method=method,
        seats=seats,
        candidates=candidates,
        seed=ballot["seed"],
        papers=papers,
        max_approvals=max_approvals,
    )


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
    text: str,
    method: str | None = None,
    seats: int | None = None,
    fmt: str | None = None,
    *,
    seed: str | None = None,
) -> dict[str, Any]:
    """Recount a published ballot list (JSON) or a BLT file; return the result as a dict.

    `fmt` is "json" or "blt"; by default a text starting with "{" is JSON. `method`,
    `seats` and `seed` override the file's (a JSON list's papers can be recounted by
    another method of the same kind: ranked, or choices); a BLT file counts by
    Scottish STV unless told otherwise, its withdrawn candidates struck out.
    """
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "blt"
    if seats is not None:
        check_seats(seats)
    if fmt == "json":
        ballot_list = parse_export(text)
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
        election: BltElection = parse_blt(text)
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
