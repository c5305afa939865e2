"""Word-level text diff for statutes and motions: plain data, works for Arabic and French too."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Words (any script), runs of white space, and single punctuation marks are the units.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "removed" or "added"
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn `old` into `new`, adjacent pieces of the same kind merged."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    pieces: list[Piece] = []

    def add(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op, pieces[-1].text + text)
        else:
            pieces.append(Piece(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("same", a[i1:i2])
        else:
            add("removed", a[i1:i2])
            add("added", b[j1:j2])
    return pieces
