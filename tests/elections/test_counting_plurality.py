"""Plurality and approval: top N elected, ties at the last seat by lot."""

from __future__ import annotations

import pytest

from elections.counting import TieMethod, TiePurpose, count_approval, count_plurality

CANDIDATES = ["a", "b", "c", "d"]


def test_plurality_elects_the_candidates_with_most_votes_in_order():
    papers = [["a", "b"], ["a", "c"], ["b"], ["a", "d"]]
    result = count_plurality(papers, CANDIDATES, 2)
    assert result.stages[0].votes == {"a": 3, "b": 2, "c": 1, "d": 1}
    assert result.elected == ["a", "b"]


def test_plurality_paper_marking_more_than_the_seats_is_invalid():
    result = count_plurality([["a", "b", "c"], ["a"]], CANDIDATES, 2)
    assert (result.valid, result.invalid) == (1, 1)
    assert result.invalid_reasons == {"too_many_choices": 1}


def test_empty_paper_is_counted_blank():
    result = count_plurality([[], ["a"]], CANDIDATES, 1)
    assert (result.valid, result.blank) == (1, 1)


def test_tie_at_the_last_seat_is_drawn_by_lot_from_the_seed():
    papers = [["a"], ["a"], ["b"], ["c"]]
    result = count_plurality(papers, CANDIDATES, 2, seed="2026-agm")
    assert result.elected[0] == "a"
    assert result.elected[1] in {"b", "c"}
    tie = result.tie_breaks[0]
    assert (tie.method, tie.purpose, tie.candidates) == (
        TieMethod.LOT,
        TiePurpose.LAST_SEATS,
        ("b", "c"),
    )
    assert result.stages[0].note is not None


def test_last_seat_lot_is_reproducible_and_depends_on_the_seed():
    papers = [["a"], ["b"], ["c"]]
    same = {tuple(count_plurality(papers, CANDIDATES, 1, seed="s").elected) for _ in range(3)}
    assert len(same) == 1
    drawn = {count_plurality(papers, CANDIDATES, 1, seed=f"s{i}").elected[0] for i in range(30)}
    assert drawn == {"a", "b", "c"}


def test_ties_inside_the_elected_set_need_no_lot():
    result = count_plurality([["a"], ["b"], ["c"], ["c"]], CANDIDATES, 3)
    assert result.elected == ["c", "a", "b"]
    assert result.tie_breaks == []


def test_no_valid_papers_elect_nobody():
    assert count_plurality([[]], CANDIDATES, 1).elected == []


def test_approval_counts_every_approved_candidate():
    papers = [["a", "b", "c"], ["b", "c"], ["c"]]
    result = count_approval(papers, CANDIDATES, 2)
    assert result.stages[0].votes == {"a": 1, "b": 2, "c": 3, "d": 0}
    assert result.elected == ["c", "b"]


def test_approval_paper_over_the_limit_is_invalid():
    result = count_approval([["a", "b", "c"], ["a"]], CANDIDATES, 1, max_approvals=2)
    assert (result.valid, result.invalid, result.elected) == (1, 1, ["a"])


def test_approval_refuses_a_limit_below_one():
    with pytest.raises(ValueError):
        count_approval([], CANDIDATES, 1, max_approvals=0)


def test_seats_must_be_positive():
    with pytest.raises(ValueError):
        count_plurality([], CANDIDATES, 0)


def test_papers_grouped_with_their_numbers_count_every_paper():
    from elections.counting import count_plurality as count

    result = count({("a",): 2, ("b",): 1}, ["a", "b"], 1)
    assert result.elected == ["a"] and result.valid == 3
