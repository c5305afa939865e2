"""Yes/no/abstain counting: the figures only; quorum and majority are governance rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from elections.counting.types import InvalidBallot, validate_yes_no


@dataclass(frozen=True)
class YesNoResult:
    """Figures of a yes/no ballot; `total` counts every paper, invalid ones included.

    total = yes + no + abstain + blank + invalid. Whether abstentions and blank papers
    count in the majority base is the statutes' business (governance.statutes.rules).
    """

    yes: int
    no: int
    abstain: int
    blank: int
    invalid: int
    total: int
    invalid_reasons: dict[str, int] = field(default_factory=dict)
    method: str = "yesno"

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "blank": self.blank,
            "invalid": self.invalid,
            "total": self.total,
            "invalid_reasons": dict(self.invalid_reasons),
        }


def count_yes_no(papers: Iterable[object]) -> YesNoResult:
    """Count papers each "yes", "no", "abstain" or "blank"; anything else is invalid."""
    tally: Counter[object] = Counter(papers)
    figures = Counter[str]()
    reasons = Counter[str]()
    for choice, number in tally.items():
        try:
            figures[validate_yes_no(choice)] += number
        except InvalidBallot as error:
            figures["invalid"] += number
            reasons[error.code] += number
    return YesNoResult(
        yes=figures["yes"],
        no=figures["no"],
        abstain=figures["abstain"],
        blank=figures["blank"],
        invalid=figures["invalid"],
        total=sum(tally.values()),
        invalid_reasons=dict(reasons),
    )
