"""Motion texts as paragraphs, and the merge of adopted amendments into the final text (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def normalise(text: str) -> str:
    """Line endings unified, trailing spaces and blank runs collapsed: what versions store."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n\n".join(paragraphs("\n".join(lines)))


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (separated by blank lines), numbered from 1 by position."""
    return [p.strip() for p in PARAGRAPH_BREAK.split(text.strip()) if p.strip()]


@dataclass(frozen=True)
class Change:
    """An adopted amendment as the merge sees it: the whole text, or paragraph `paragraph`."""

    label: str
    text: str
    paragraph: int | None = None


class MergeError(ValueError):
    def __init__(self, label: str, paragraph: int, count: int):
        super().__init__(f"{label}: paragraph {paragraph} of {count}")
        self.label, self.paragraph, self.count = label, paragraph, count


def apply_change(text: str, change: Change) -> str:
    """The text with one amendment merged; `MergeError` if its paragraph is not there."""
    if change.paragraph is None:
        return normalise(change.text)
    parts = paragraphs(text)
    if not 1 <= change.paragraph <= len(parts):
        raise MergeError(change.label, change.paragraph, len(parts))
    parts[change.paragraph - 1] = normalise(change.text)
    return "\n\n".join(p for p in parts if p)


def merge(text: str, changes: Iterable[Change]) -> str:
    """Adopted amendments merged in the order given (the order they were voted).

    Each applies to the text as the earlier ones left it, so a paragraph number means the
    paragraph at the time of its vote: the page shows each amendment against that text.
    """
    for change in changes:
        text = apply_change(text, change)
    return text
