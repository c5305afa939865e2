"""Meek STV (New Zealand Schedule 1A arithmetic): hand-checked counts."""

from __future__ import annotations

from decimal import Decimal

from elections.counting import Action, TieMethod, count_irv, count_meek

D = Decimal

# Worked by hand. 2 seats, 15 papers: 8 "A B", 3 "B", 4 "C".
#
# Stage 1 (all keep factors 1): A 8, B 3, C 4; nothing is non-transferable, so
# quota = 15 / 3 + 0.000000001 = 5.000000001. A is elected.
#
# Stage 2: A's keep factor = 1 x 5.000000001 / 8 = 0.625000000125, rounded up to nine
# places: 0.625000001. Each "A B" paper: A keeps 0.625000001 (x 8 = 5.000000008); the rest,
# 1 x (1 - 0.625000001) = 0.374999999, goes to B (x 8 = 2.999999992), so B has
# 5.999999992 >= 5.000000001: B is elected after one iteration. Seats filled: A, B.
HAND = {("A", "B"): 8, ("B",): 3, ("C",): 4}


def test_first_stage_is_first_preferences_with_the_meek_quota():
    stage = count_meek(HAND, ["A", "B", "C"], 2).stages[0]
    assert stage.votes == {"A": D("8.000000000"), "B": D("3.000000000"), "C": D("4.000000000")}
    assert stage.quota == D("5.000000001")
    assert stage.elected == ["A"]


def test_keep_factor_is_rounded_up_and_the_rest_passes_on():
    result = count_meek(HAND, ["A", "B", "C"], 2)
    stage = result.stages[1]
    assert stage.action_code == Action.KEEP_FACTORS_ADJUSTED
    assert stage.keep_factors is not None and stage.keep_factors["A"] == D("0.625000001")
    assert stage.votes["A"] == D("5.000000008")
    assert stage.votes["B"] == D("5.999999992")
    assert stage.iterations == 1
    assert result.elected == ["A", "B"]


def test_non_transferable_papers_lower_the_quota_after_an_exclusion():
    # 17 papers, 2 seats: quota 17 / 3 -> 5.666666667; A (8) is elected. One iteration:
    # A's keep factor 5.666666667 / 8 -> 0.708333334 leaves A a surplus of 0.000000005,
    # below 0.00001, so the lowest, D (3), is excluded. D's papers have no further
    # preference: 3 votes become non-transferable and the quota falls to
    # (17 - 3) / 3 -> 4.666666667. C (2 + A's surplus) then reaches it.
    rankings = {("A", "C"): 8, ("B",): 4, ("C",): 2, ("D",): 3}
    result = count_meek(rankings, ["A", "B", "C", "D"], 2)
    stage = result.stages[1]
    assert (stage.action_code, stage.subject, stage.iterations) == (Action.EXCLUDED, "D", 1)
    assert stage.exhausted_total == D("3.000000000")
    assert stage.quota == D("4.666666667")
    assert result.elected == ["A", "C"]


def test_excluded_candidate_keeps_nothing():
    rankings = {("A", "C"): 8, ("B",): 4, ("C",): 2, ("D", "B"): 3}
    result = count_meek(rankings, ["A", "B", "C", "D"], 2)
    stage = next(s for s in result.stages if s.action_code == Action.EXCLUDED)
    assert stage.keep_factors is not None and stage.keep_factors[stage.subject] == D(0)
    assert stage.votes[stage.subject] == D(0)


def test_one_seat_meek_elects_the_instant_runoff_winner():
    rankings = {("a",): 8, ("b",): 7, ("c", "b"): 3, ("c",): 1, ("d", "c"): 1}
    candidates = ["a", "b", "c", "d"]
    assert count_meek(rankings, candidates, 1).elected == count_irv(rankings, candidates).elected


def test_tie_for_exclusion_equal_at_every_stage_is_drawn_by_lot_reproducibly():
    rankings = {("A", "B"): 3, ("B", "A"): 3, ("C",): 4}
    first = count_meek(rankings, ["A", "B", "C"], 1, seed="meek")
    assert first.tie_breaks[0].method == TieMethod.LOT
    assert count_meek(rankings, ["A", "B", "C"], 1, seed="meek").as_dict() == first.as_dict()


def test_hopeful_candidates_equal_to_seats_left_are_elected():
    result = count_meek({("A",): 5, ("B",): 1}, ["A", "B"], 2)
    assert result.elected == ["A", "B"]
    assert result.stages[-1].action_code == Action.REMAINING_ELECTED
