"""A ballot paper's content: one format for every method, here and nowhere else. Pure.

A paper's content is a JSON object with one key, named by the family of its method:

- yes/no: ``{"choice": "yes" | "no" | "abstain" | "blank"}``;
- plurality, approval: ``{"choices": [candidate codes]}`` (``[]`` is a blank paper), at most
  `mark_limit` of them (the seats for plurality, the ballot's cap for approval);
- irv, stv, meek: ``{"ranking": [candidate codes, most preferred first]}`` (``[]`` is blank).

The services validate and store it (`content`), the count reads its value (`value_of`),
the ballot box encrypts it column by column in `YES_NO_OPTIONS` order or the candidates',
the bundle rebuilds it from decrypted totals, and the ballot-list export writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elections.counting.types import (
    YES_NO_CHOICES,
    validate_choices,
    validate_ranking,
    validate_yes_no,
)

#: The columns of a yes/no paper, in the order the ballot box encrypts them.
YES_NO_OPTIONS = list(YES_NO_CHOICES)

CONTENT_KEY = {
    "yesno": "choice",
    "plurality": "choices",
    "approval": "choices",
    "irv": "ranking",
    "stv": "ranking",
    "meek": "ranking",
}


def content_key(method: str) -> str:
    """The key of a paper's content for `method`."""
    return CONTENT_KEY[method]


def mark_limit(method: str, *, seats: int, max_approvals: int | None) -> int | None:
    """How many candidates a marking paper may mark: the seats (plurality), else the cap."""
    return seats if method == "plurality" else max_approvals


def content_of(method: str, value: Any) -> dict[str, Any]:
    """The content holding `value` (a choice, or a list of codes), unchecked."""
    key = content_key(method)
    return {key: value if key == "choice" else list(value)}


def value_of(method: str, content: dict[str, Any]) -> Any:
    """What the count takes from a paper: its choice, choices or ranking."""
    return content[content_key(method)]


def content(
    method: str,
    chosen: Any,
    codes: Sequence[str],
    *,
    seats: int,
    max_approvals: int | None = None,
) -> dict[str, Any]:
    """The validated content of a paper for `method`; raises `InvalidBallot`."""
    key = content_key(method)
    if key == "choice":
        return {key: validate_yes_no(chosen)}
    if key == "ranking":
        return {key: list(validate_ranking(chosen, codes))}
    limit = mark_limit(method, seats=seats, max_approvals=max_approvals)
    return {key: list(validate_choices(chosen, codes, limit=limit))}
