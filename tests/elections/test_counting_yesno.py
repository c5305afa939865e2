"""Yes/no/abstain figures."""

from __future__ import annotations

from elections.counting import count_yes_no


def test_yes_no_figures_count_each_choice():
    result = count_yes_no(["yes", "yes", "no", "abstain", "blank", "yes"])
    assert (result.yes, result.no, result.abstain, result.blank) == (3, 1, 1, 1)


def test_total_counts_every_paper_including_invalid_ones():
    result = count_yes_no(["yes", "oui", "no"])
    assert (result.total, result.invalid) == (3, 1)
    assert result.invalid_reasons == {"unknown_choice": 1}


def test_no_papers_give_zero_figures():
    assert count_yes_no([]).as_dict() == {
        "method": "yesno",
        "yes": 0,
        "no": 0,
        "abstain": 0,
        "blank": 0,
        "invalid": 0,
        "total": 0,
        "invalid_reasons": {},
    }
