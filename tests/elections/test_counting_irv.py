"""Instant run-off: hand-checked counts."""

from __future__ import annotations

from elections.counting import Action, TieMethod, count_irv

CANDIDATES = ["a", "b", "c", "d"]


def test_first_preference_majority_wins_at_once():
    result = count_irv({("a",): 6, ("b",): 5}, CANDIDATES)
    assert result.elected == ["a"]
    assert len(result.stages) == 1


def test_lowest_is_excluded_until_a_majority_of_continuing_votes():
    # Stage 1: a 8, b 7, c 4, d 1 (20). Exclude d -> c 5. Exclude c: 3 to b, 2 exhausted:
    # a 8, b 10 of 18 continuing votes: b has the majority (needs 10).
    rankings = {("a",): 8, ("b",): 7, ("c", "b"): 3, ("c",): 1, ("d", "c"): 1}
    result = count_irv(rankings, CANDIDATES)
    assert result.elected == ["b"]
    assert result.excluded == ["d", "c"]
    last = result.stages[-1]
    assert last.votes == {"a": 8, "b": 10, "c": 0, "d": 0}
    assert (last.exhausted, last.exhausted_total, last.quota) == (2, 2, 10)


def test_exclusion_tie_is_broken_by_the_earlier_stage():
    # Stage 1: a 9, b 6, c 4, d 3. Exclude d: 2 to c -> c 6 = b 6 (1 exhausted).
    # Tie b/c: at stage 1 c had fewer, so c is excluded; its papers go to a: a wins.
    rankings = {("a",): 9, ("b",): 6, ("c", "a"): 4, ("d", "c", "a"): 2, ("d",): 1}
    result = count_irv(rankings, CANDIDATES)
    assert result.excluded == ["d", "c"]
    tie = result.stages[2].tie_break
    assert tie is not None and tie.method == TieMethod.EARLIER_STAGE
    assert tie.decided_at_stage == 1
    assert result.elected == ["a"]


def test_two_way_tie_at_every_stage_is_drawn_by_lot():
    result = count_irv({("a",): 2, ("b",): 2}, ["a", "b"], seed="seed")
    assert len(result.elected) == 1
    assert result.tie_breaks[0].method == TieMethod.LOT
    assert count_irv({("a",): 2, ("b",): 2}, ["a", "b"], seed="seed").elected == result.elected


def test_no_valid_papers_elect_nobody():
    result = count_irv({(): 3}, CANDIDATES)
    assert result.elected == []
    assert result.stages[0].action_code == Action.NO_VALID_VOTES
