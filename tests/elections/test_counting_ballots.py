"""Ballot validation and grouping shared by every counting method."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from elections.counting import (
    InvalidBallot,
    InvalidCode,
    group_rankings,
    validate_choices,
    validate_ranking,
    validate_yes_no,
)
from elections.counting.types import CountResult, Stage, TieBreak, as_grouped

CANDIDATES = ["amina", "youssef", "salma"]


def test_valid_ranking_is_returned_as_a_tuple():
    assert validate_ranking(["salma", "amina"], CANDIDATES) == ("salma", "amina")


def test_empty_ranking_is_blank_not_invalid():
    assert validate_ranking([], CANDIDATES) == ()


def test_ranking_naming_a_candidate_twice_is_invalid():
    with pytest.raises(InvalidBallot) as raised:
        validate_ranking(["amina", "salma", "amina"], CANDIDATES)
    assert raised.value.code == InvalidCode.REPEATED_CANDIDATE
    assert raised.value.candidate == "amina"


def test_ranking_with_an_unknown_candidate_is_invalid():
    with pytest.raises(InvalidBallot) as raised:
        validate_ranking(["amina", "karim"], CANDIDATES)
    assert raised.value.code == InvalidCode.UNKNOWN_CANDIDATE


def test_ranking_given_as_a_string_is_malformed():
    with pytest.raises(InvalidBallot) as raised:
        validate_ranking("amina", CANDIDATES)
    assert raised.value.code == InvalidCode.MALFORMED


def test_approval_paper_over_the_limit_is_invalid():
    with pytest.raises(InvalidBallot) as raised:
        validate_choices(["amina", "salma", "youssef"], CANDIDATES, limit=2)
    assert raised.value.code == InvalidCode.TOO_MANY_CHOICES


def test_approval_paper_without_limit_may_approve_everyone():
    assert validate_choices(CANDIDATES, CANDIDATES) == tuple(CANDIDATES)


@pytest.mark.parametrize("choice", ["yes", "no", "abstain", "blank"])
def test_yes_no_paper_accepts_the_four_choices(choice):
    assert validate_yes_no(choice) == choice


def test_yes_no_paper_with_another_word_is_invalid():
    with pytest.raises(InvalidBallot) as raised:
        validate_yes_no("maybe")
    assert raised.value.code == InvalidCode.UNKNOWN_CHOICE


def test_grouping_counts_identical_rankings_once_with_their_number():
    papers = [["amina", "salma"], ("amina", "salma"), ["youssef"]]
    assert group_rankings(papers) == {("amina", "salma"): 2, ("youssef",): 1}


def test_grouped_input_merges_equal_keys_and_drops_zero_weights():
    assert as_grouped({("a",): 2, ("b",): 0}) == {("a",): 2}


def test_grouped_input_refuses_a_negative_number_of_papers():
    with pytest.raises(ValueError):
        as_grouped({("a",): -1})


def test_result_serialises_decimals_as_fixed_point_strings():
    tie = TieBreak(stage=2, purpose="exclusion", method="lot", candidates=("a", "b"), chosen=("a",))
    stage = Stage(1, "first_preferences", None, "first preferences", {"a": Decimal("1E-9")})
    stage.tie_break = tie
    result = CountResult(
        method="meek",
        rule="meek_nz_schedule_1a",
        seats=1,
        candidates=["a", "b"],
        elected=["a"],
        stages=[stage],
        quota=Decimal("0E-9"),
        tie_breaks=[tie],
        seed="s",
        valid=1,
        invalid=0,
        blank=0,
    )
    data = json.loads(json.dumps(result.as_dict()))
    assert data["quota"] == "0.000000000"
    assert data["stages"][0]["votes"] == {"a": "0.000000001"}
    assert data["tie_breaks"][0]["explanation"].endswith("lot chose a")
