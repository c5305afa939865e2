"""Word-level text diff for statutes and motions: plain data, works for Arabic and French too.

Bounded in size and time, since any member can ask for a diff of texts a member wrote:
difflib's matcher is quadratic on repetitive text (16 KB of "a b a b ..." took a minute), so
the comparison is Myers' O(ND) algorithm (Google's diff-match-patch) over words, stopped at
a deadline; texts past a size cap are not compared at all. Either way the result says so.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from django.conf import settings
from django.utils.translation import gettext as _

# Words (any script), runs of white space, and single punctuation marks are the units.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

_OPS = {diff_match_patch.DIFF_EQUAL: "same", -1: "removed", 1: "added"}


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "removed" or "added"
    text: str


class WordDiff(list):
    """The pieces, and `notice`: why the diff is coarser than word by word (or "")."""

    notice: str = ""


def _encode(tokens: list[str], codes: dict[str, str], table: list[str]) -> str:
    """Each distinct token as one character, so the character diff is a word diff."""
    chars = []
    for token in tokens:
        char = codes.get(token)
        if char is None:
            char = codes[token] = chr(len(table))
            table.append(token)
        chars.append(char)
    return "".join(chars)


def word_diff(old: str, new: str) -> WordDiff:
    """The pieces that turn `old` into `new`, adjacent pieces of the same kind merged.

    Past `settings.DIFF_MAX_CHARS` (either text) nothing is compared: the old text is shown
    removed and the new one added, with a notice. Past `settings.DIFF_TIMEOUT_SECONDS` the
    algorithm returns what it has, correct but coarser, also with a notice.
    """
    pieces = WordDiff()

    def add(op: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op, pieces[-1].text + text)
        else:
            pieces.append(Piece(op, text))

    limit = settings.DIFF_MAX_CHARS
    if max(len(old), len(new)) > limit:
        if old == new:
            add("same", old)
        else:
            add("removed", old)
            add("added", new)
        pieces.notice = _(
            "These texts are too long to compare word by word (more than %(limit)s "
            "characters): the two versions are shown whole."
        ) % {"limit": f"{limit:,}"}
        return pieces

    codes: dict[str, str] = {}
    table: list[str] = []
    a = _encode(TOKEN.findall(old), codes, table)
    b = _encode(TOKEN.findall(new), codes, table)
    timeout = settings.DIFF_TIMEOUT_SECONDS
    matcher = diff_match_patch()
    matcher.Diff_Timeout = timeout
    started = time.monotonic()
    result = matcher.diff_main(a, b, checklines=False)
    if time.monotonic() - started >= timeout:
        pieces.notice = _(
            "The comparison was stopped after %(seconds)s seconds: some changes are shown "
            "as larger than they are."
        ) % {"seconds": timeout}
    for op, chars in result:
        add(_OPS[op], "".join(table[ord(char)] for char in chars))
    return pieces
