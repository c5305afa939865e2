"""Scottish STV (2007 Order, rules 45-52): hand-checked counts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from elections.counting import Action, TieMethod, TiePurpose, count_stv

D = Decimal

# A worked example, checked by hand. 3 seats, 5 candidates, 100 valid papers.
#
#   papers  ranking
#     20    A B
#     12    A C
#      8    A          (no second preference)
#     20    B D
#     18    C
#     12    D E
#      6    E C
#      4    E
#
# Quota (rule 46) = floor(100 / (3 + 1)) + 1 = 26.
#
# Stage 1, first preferences: A 40, B 20, C 18, D 12, E 10. A has the quota: elected.
#
# Stage 2, surplus of A = 40 - 26 = 14. Every A paper has value 1, so the transfer value
# is 14 x 1 / 40 = 0.35 exactly. 20 "A B" papers give B 7.00000; 12 "A C" give C 4.20000;
# 8 "A" papers are non-transferable: 8 x 0.35 = 2.80000 exhausted. A keeps 26.
# B = 27.00000 >= 26: elected (a surplus arising from transfers).
#
# Stage 3, surplus of B = 27 - 26 = 1, over *all* B's papers (rule 48(1), (3)):
#   20 "B D" papers of value 1: 1 x 1 / 27 = 0.0370370... -> 0.03703 each,
#      to D: 20 x 0.03703 = 0.74060.
#   20 "A B" papers of value 0.35: 1 x 0.35 / 27 = 0.0129629... -> 0.01296 each,
#      no continuing preference after B: 20 x 0.01296 = 0.25920 exhausted.
#   Transferred + exhausted = 0.99980: 0.00020 lost to truncation.
#   D = 12.74060. Nobody else has the quota.
#
# Stage 4, no surplus left: exclude the lowest, E (10). 6 "E C" papers to C
# (22.20000 + 6 = 28.20000 >= 26: elected), 4 "E" papers exhausted.
# Three seats filled: A, B, C.
WORKED = {
    ("A", "B"): 20,
    ("A", "C"): 12,
    ("A",): 8,
    ("B", "D"): 20,
    ("C",): 18,
    ("D", "E"): 12,
    ("E", "C"): 6,
    ("E",): 4,
}
CANDIDATES = ["A", "B", "C", "D", "E"]


@pytest.fixture(scope="module")
def worked():
    return count_stv(WORKED, CANDIDATES, 3, seed="worked")


def test_quota_is_droop_floor_plus_one(worked):
    assert worked.quota == D("26.00000")


def test_worked_example_elects_a_b_c_in_that_order(worked):
    assert worked.elected == ["A", "B", "C"]


def test_worked_example_has_four_stages_with_their_actions(worked):
    assert [(s.action_code, s.subject) for s in worked.stages] == [
        (Action.FIRST_PREFERENCES, None),
        (Action.SURPLUS_TRANSFERRED, "A"),
        (Action.SURPLUS_TRANSFERRED, "B"),
        (Action.EXCLUDED, "E"),
    ]


def test_first_stage_surplus_is_transferred_from_all_papers_at_surplus_over_total(worked):
    stage = worked.stages[1]
    assert stage.surplus == D("14.00000")
    assert stage.transfers == {"A": D("-14.00000"), "B": D("7.00000"), "C": D("4.20000")}
    assert stage.exhausted == D("2.80000")
    assert stage.elected == ["B"]


def test_surplus_from_transfers_uses_each_papers_value_when_received(worked):
    stage = worked.stages[2]
    assert stage.votes["D"] == D("12.74060")
    assert stage.exhausted == D("0.25920")
    assert stage.loss == D("0.00020")
    assert stage.votes["B"] == D("26.00000")


def test_exclusion_transfers_papers_and_records_exhausted_ones(worked):
    stage = worked.stages[3]
    assert stage.transfers == {"E": D("-10.00000"), "C": D("6.00000")}
    assert stage.exhausted == D("4.00000")
    assert stage.exhausted_total == D("7.05920")
    assert stage.elected == ["C"]
    assert worked.excluded == ["E"]


def test_votes_exhausted_and_losses_add_up_to_the_valid_papers_at_every_stage(worked):
    lost = D(0)
    for stage in worked.stages:
        lost += stage.loss
        assert sum(stage.votes.values()) + stage.exhausted_total + lost == worked.valid


def test_transfer_value_is_truncated_to_five_decimals():
    # Quota floor(10 / 3) + 1 = 4. A has 6: surplus 2, transfer value 2/6 = 0.333333...
    # truncated to 0.33333; B receives 6 x 0.33333 = 1.99998 and 0.00002 is lost.
    result = count_stv({("A", "B"): 6, ("C",): 2, ("D",): 2}, ["A", "B", "C", "D"], 2)
    stage = result.stages[1]
    assert stage.votes["B"] == D("1.99998")
    assert stage.loss == D("0.00002")


def test_tie_for_exclusion_is_decided_by_the_earlier_stage():
    # Quota floor(45 / 3) + 1 = 16. Stage 1: A 20 (elected), B 14, C 5, D 6.
    # Stage 2: A's surplus 4 at 4/20 = 0.2: five "A C" papers give C 1, so C = D = 6.
    # Stage 3: C and D tie for exclusion; at stage 1 C had 5 < 6, so C is excluded.
    rankings = {("A", "C"): 5, ("A",): 15, ("B",): 14, ("C",): 5, ("D",): 6}
    result = count_stv(rankings, ["A", "B", "C", "D"], 2)
    stage = result.stages[2]
    assert stage.votes["C"] == D(0) and result.stages[1].votes["C"] == D("6.00000")
    assert stage.subject == "C"
    assert stage.tie_break is not None
    assert stage.tie_break.method == TieMethod.EARLIER_STAGE
    assert stage.tie_break.decided_at_stage == 1
    assert stage.tie_break.purpose == TiePurpose.EXCLUSION
    assert result.seed is None


# A and B are equal at every stage, and whoever is excluded elects the other: the seat
# is decided by the lot. Quota floor(10 / 2) + 1 = 6.
SYMMETRIC = {("A", "B"): 3, ("B", "A"): 3, ("C",): 4}


def test_tie_equal_at_every_stage_is_decided_by_lot():
    result = count_stv(SYMMETRIC, ["A", "B", "C"], 1, seed="published-seed")
    assert result.tie_breaks[0].method == TieMethod.LOT
    assert result.tie_breaks[0].drawn_from == ("A", "B")
    assert result.seed == "published-seed"


def test_lot_is_reproducible_with_the_same_seed():
    first = count_stv(SYMMETRIC, ["A", "B", "C"], 1, seed="published-seed")
    again = count_stv(SYMMETRIC, ["A", "B", "C"], 1, seed="published-seed")
    assert first.as_dict() == again.as_dict()


def test_lot_can_differ_with_another_seed():
    winners = {count_stv(SYMMETRIC, ["A", "B", "C"], 1, seed=f"s{i}").elected[0] for i in range(20)}
    assert winners == {"A", "B"}


def test_lot_without_a_seed_draws_one_and_reports_it():
    result = count_stv(SYMMETRIC, ["A", "B", "C"], 1)
    assert result.seed
    assert count_stv(SYMMETRIC, ["A", "B", "C"], 1, seed=result.seed).elected == result.elected


def test_equal_surpluses_go_in_order_of_the_earlier_stage():
    # Quota floor(50 / 4) + 1 = 13. Stage 1: A 12, B 11, C 10, D 9, E 8; nobody elected.
    # Stage 2: E excluded: 2 papers to A, 3 to B, 3 exhausted: A = B = 14, both elected
    # with equal surpluses of 1. At stage 1 A had more, so A's surplus goes first (49(2)).
    rankings = {
        ("A",): 12,
        ("B",): 11,
        ("C",): 10,
        ("D",): 9,
        ("E", "A"): 2,
        ("E", "B"): 3,
        ("E",): 3,
    }
    result = count_stv(rankings, ["A", "B", "C", "D", "E"], 3)
    assert result.stages[1].elected == ["A", "B"]
    stage = result.stages[2]
    assert (stage.action_code, stage.subject) == (Action.SURPLUS_TRANSFERRED, "A")
    assert stage.tie_break is not None
    assert stage.tie_break.purpose == TiePurpose.SURPLUS_ORDER
    assert stage.tie_break.method == TieMethod.EARLIER_STAGE
    assert stage.tie_break.decided_at_stage == 1


def test_equal_surpluses_equal_at_every_stage_go_in_the_order_drawn_by_lot():
    # Quota floor(40 / 4) + 1 = 11: A and B both have 13 at stage 1.
    rankings = {("A", "C"): 13, ("B", "D"): 13, ("C",): 7, ("D",): 7}
    result = count_stv(rankings, ["A", "B", "C", "D"], 3, seed="x")
    surplus_tie = result.tie_breaks[0]
    assert surplus_tie.purpose == TiePurpose.SURPLUS_ORDER
    assert surplus_tie.method == TieMethod.LOT
    assert result.stages[1].subject == surplus_tie.chosen[0]


def test_continuing_candidates_equal_to_seats_left_are_elected_without_transfers():
    # Quota floor(20 / 4) + 1 = 6. Stage 1: A 10 elected. Stage 2: A's surplus 4 is
    # non-transferable. Stage 3: D (1) is excluded, leaving B and C for 2 seats: both are
    # elected and D's paper is not transferred (rule 52), so C keeps 4.
    rankings = {("A",): 10, ("B",): 5, ("C",): 4, ("D", "C"): 1}
    result = count_stv(rankings, ["A", "B", "C", "D"], 3)
    last = result.stages[-1]
    assert result.elected == ["A", "B", "C"]
    assert last.action_code == Action.REMAINING_ELECTED
    assert last.excluded == ["D"]
    assert last.transfers == {}
    assert last.votes["C"] == D("4.00000")


def test_pending_surplus_is_not_transferred_once_the_remaining_seats_are_filled():
    # 2 seats, 2 candidates: both elected at once, A's surplus is never transferred.
    result = count_stv({("A", "B"): 9, ("B",): 1}, ["A", "B"], 2)
    assert result.elected == ["A", "B"]
    assert all(s.action_code != Action.SURPLUS_TRANSFERRED for s in result.stages)


def test_blank_and_invalid_papers_are_outside_the_quota():
    rankings = {("A",): 5, ("B",): 4, (): 3, ("A", "A"): 2, ("Z",): 1}
    result = count_stv(rankings, ["A", "B"], 1)
    assert (result.valid, result.blank, result.invalid) == (9, 3, 3)
    assert result.invalid_reasons == {"repeated_candidate": 2, "unknown_candidate": 1}
    assert result.quota == D("5.00000")


def test_no_valid_papers_elects_nobody():
    result = count_stv({(): 4}, ["A", "B"], 1)
    assert result.elected == []
    assert result.stages[0].action_code == Action.NO_VALID_VOTES


def test_result_as_dict_is_json_with_decimals_as_strings(worked):
    data = json.loads(json.dumps(worked.as_dict()))
    assert data["quota"] == "26.00000"
    assert data["stages"][2]["votes"]["D"] == "12.74060"
    assert data["stages"][1]["action_code"] == "surplus_transferred"


def test_ungrouped_papers_count_like_grouped_ones(worked):
    papers = [ranking for ranking, number in WORKED.items() for _ in range(number)]
    assert count_stv(papers, CANDIDATES, 3, seed="worked").as_dict() == worked.as_dict()
