"""Properties of the ranked counts, checked on generated ballot profiles (hypothesis)."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from elections.counting import (
    TieMethod,
    count_approval,
    count_irv,
    count_meek,
    count_plurality,
    count_stv,
)
from elections.counting.types import CountResult, TieBreak

NAMES = ["a", "b", "c", "d", "e"]
UNIT = 100_000


@st.composite
def profiles(draw: st.DrawFn, max_papers: int = 40) -> tuple[list[str], list[tuple[str, ...]]]:
    """Candidates (2 to 5) and papers: each a prefix of a permutation (some empty)."""
    candidates = NAMES[: draw(st.integers(2, len(NAMES)))]
    ranking = st.permutations(candidates).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda k: tuple(order[:k]))
    )
    papers = draw(st.lists(ranking, max_size=max_papers))
    return candidates, papers


PROPERTY_SETTINGS = settings(max_examples=50, deadline=None)


@PROPERTY_SETTINGS
@given(profile=profiles(), seats=st.integers(1, 4))
def test_stv_never_elects_more_than_the_seats(profile, seats):
    candidates, papers = profile
    result = count_stv(papers, candidates, seats, seed="p")
    assert len(result.elected) <= seats
    assert len(set(result.elected)) == len(result.elected)


@PROPERTY_SETTINGS
@given(profile=profiles(), seats=st.integers(1, 4))
def test_meek_never_elects_more_than_the_seats(profile, seats):
    candidates, papers = profile
    result = count_meek(papers, candidates, seats, seed="p")
    assert len(result.elected) <= seats
    assert len(set(result.elected)) == len(result.elected)


@PROPERTY_SETTINGS
@given(profile=profiles(), seats=st.integers(1, 4))
def test_stv_fills_every_seat_it_can(profile, seats):
    candidates, papers = profile
    result = count_stv(papers, candidates, seats, seed="p")
    if result.valid:
        assert len(result.elected) == min(seats, len(candidates))


@PROPERTY_SETTINGS
@given(profile=profiles(), winner=st.sampled_from(NAMES[:2]), extra=st.integers(1, 5))
def test_majority_of_first_preferences_wins_one_seat_by_every_ranked_method(profile, winner, extra):
    candidates, papers = profile
    others = [p for p in papers if p and p[0] != winner]
    # Give the winner more first preferences than everyone else together.
    papers = others + [(winner,)] * (len(others) + extra)
    for count in (count_irv, lambda p, c, seed: count_stv(p, c, 1, seed=seed)):
        assert count(papers, candidates, seed="p").elected == [winner]
    assert count_meek(papers, candidates, 1, seed="p").elected == [winner]


@PROPERTY_SETTINGS
@given(profile=profiles(), seats=st.integers(1, 3), shuffle_seed=st.integers(0, 10**6))
def test_count_does_not_depend_on_the_order_of_the_papers(profile, seats, shuffle_seed):
    candidates, papers = profile
    shuffled = list(papers)
    random.Random(shuffle_seed).shuffle(shuffled)
    for count in (
        lambda p: count_stv(p, candidates, seats, seed="p"),
        lambda p: count_meek(p, candidates, seats, seed="p"),
        lambda p: count_irv(p, candidates, seed="p"),
    ):
        assert count(papers).as_dict() == count(shuffled).as_dict()


def _cumulative_losses(result: CountResult) -> list[Decimal]:
    total = Decimal(0)
    losses = []
    for stage in result.stages:
        total += stage.loss
        losses.append(total)
    return losses


@PROPERTY_SETTINGS
@given(profile=profiles(), seats=st.integers(1, 4))
def test_stv_votes_plus_exhausted_plus_truncation_loss_equal_the_valid_papers(profile, seats):
    candidates, papers = profile
    result = count_stv(papers, candidates, seats, seed="p")
    for stage, lost in zip(result.stages, _cumulative_losses(result), strict=True):
        assert stage.loss >= 0
        assert sum(stage.votes.values()) + stage.exhausted_total + lost == result.valid


@PROPERTY_SETTINGS
@given(profile=profiles(), seats=st.integers(1, 4))
def test_meek_rounding_difference_stays_tiny(profile, seats):
    candidates, papers = profile
    result = count_meek(papers, candidates, seats, seed="p")
    for stage, lost in zip(result.stages, _cumulative_losses(result), strict=True):
        assert sum(stage.votes.values()) + stage.exhausted_total + lost == result.valid
        assert abs(lost) <= Decimal("0.000001") * max(result.valid, 1)


@PROPERTY_SETTINGS
@given(profile=profiles())
def test_irv_votes_plus_exhausted_equal_the_valid_papers(profile):
    candidates, papers = profile
    result = count_irv(papers, candidates, seed="p")
    for stage in result.stages:
        assert sum(stage.votes.values()) + stage.exhausted_total == result.valid
    assert len(result.elected) == (1 if result.valid else 0)


@PROPERTY_SETTINGS
@given(profile=profiles(), seats=st.integers(1, 3))
def test_grouped_rankings_count_like_papers_one_by_one(profile, seats):
    candidates, papers = profile
    grouped = dict(Counter(papers))
    for count in (
        lambda p: count_stv(p, candidates, seats, seed="p"),
        lambda p: count_meek(p, candidates, seats, seed="p"),
        lambda p: count_irv(p, candidates, seed="p"),
    ):
        assert count(grouped).as_dict() == count(papers).as_dict()


class _Replayed:
    """Lots taken from the engine's record, checked against the reference's own tie."""

    def __init__(self, records: list[TieBreak]) -> None:
        self.lots = [r for r in records if r.method == TieMethod.LOT]

    def draw(self, tied: list[str]) -> str:
        record = self.lots.pop(0)
        assert sorted(record.drawn_from) == sorted(tied)
        return record.chosen[0]


def reference_scottish_stv(
    papers: list[tuple[str, ...]], candidates: list[str], seats: int, lots: _Replayed
) -> tuple[list[str], list[dict[str, int]]]:
    """Scottish STV paper by paper, without grouping: each paper carries its own value."""
    order = {c: i for i, c in enumerate(candidates)}
    valid = [p for p in papers if p]
    quota = (len(valid) // (seats + 1) + 1) * UNIT
    held: dict[str, list[tuple[tuple[str, ...], int]]] = {c: [] for c in candidates}
    votes = dict.fromkeys(candidates, 0)
    for paper in valid:
        held[paper[0]].append((paper, UNIT))
        votes[paper[0]] += UNIT
    continuing = list(candidates)
    elected: list[str] = []
    pending: list[str] = []
    history: list[dict[str, int]] = []

    def tie_break(tied: list[str], lowest: bool) -> str:
        group = sorted(tied, key=order.__getitem__)
        for figures in reversed(history):
            values = {figures[c] for c in group}
            if len(values) > 1:
                target = min(values) if lowest else max(values)
                group = [c for c in group if figures[c] == target]
                if len(group) == 1:
                    return group[0]
        return group[0] if len(group) == 1 else lots.draw(group)

    def elect() -> None:
        reached = [c for c in continuing if votes[c] >= quota]
        for c in sorted(reached, key=lambda c: (-votes[c], order[c])):
            continuing.remove(c)
            elected.append(c)
            if votes[c] > quota:
                pending.append(c)

    def transfer(source: str, numerator: int, denominator: int) -> None:
        for ranking, value in held[source]:
            new_value = numerator * value // denominator
            nxt = next((c for c in ranking if c in continuing), None)
            if nxt is not None:
                held[nxt].append((ranking, new_value))
                votes[nxt] += new_value
        held[source] = []

    if not valid:
        return [], []
    elect()
    history.append(dict(votes))
    while len(elected) < seats and continuing:
        if len(continuing) <= seats - len(elected):
            elected.extend(sorted(continuing, key=lambda c: (-votes[c], order[c])))
            history.append(dict(votes))
            break
        if pending:
            largest = max(votes[c] for c in pending)
            source = tie_break([c for c in pending if votes[c] == largest], lowest=False)
            pending.remove(source)
            total, surplus = votes[source], votes[source] - quota
            transfer(source, surplus, total)
            votes[source] = quota
        else:
            low = min(votes[c] for c in continuing)
            lowest = tie_break([c for c in continuing if votes[c] == low], lowest=True)
            continuing.remove(lowest)
            if len(continuing) <= seats - len(elected):
                elected.extend(sorted(continuing, key=lambda c: (-votes[c], order[c])))
                history.append(dict(votes))
                break
            transfer(lowest, 1, 1)
            votes[lowest] = 0
        elect()
        history.append(dict(votes))
    return elected, history


@settings(max_examples=100, deadline=None)
@given(profile=profiles(max_papers=60), seats=st.integers(1, 4))
def test_stv_agrees_with_a_paper_by_paper_reference_count(profile, seats):
    candidates, papers = profile
    result = count_stv(papers, candidates, seats, seed="p")
    elected, history = reference_scottish_stv(
        papers, candidates, seats, _Replayed(result.tie_breaks)
    )
    assert result.elected == elected
    engine_history = [{c: int(v * UNIT) for c, v in stage.votes.items()} for stage in result.stages]
    assert engine_history == history or (not history and result.valid == 0)


@PROPERTY_SETTINGS
@given(
    ballots=st.lists(st.lists(st.sampled_from(NAMES), unique=True, max_size=3), max_size=30),
    seats=st.integers(1, 3),
)
def test_plurality_and_approval_elect_no_one_with_fewer_votes_than_a_loser(ballots, seats):
    for result in (
        count_plurality(ballots, NAMES, seats, seed="p"),
        count_approval(ballots, NAMES, seats, seed="p"),
    ):
        votes = result.stages[0].votes
        losers = [c for c in NAMES if c not in result.elected]
        assert len(result.elected) == (seats if result.valid else 0)
        if result.elected:
            assert min(votes[c] for c in result.elected) >= max(votes[c] for c in losers)
