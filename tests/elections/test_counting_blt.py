"""BLT files: parsing, writing, round trip and errors with line numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elections.counting import BltError, parse_blt, write_blt

SAMPLE = """\
4 2
-4
3 1 2 0
# a comment
2 2 0

1 3 1 2 0
0
"Amina"
"Youssef"
"Salma"
"Karim"
"Board 2026"
"""


def test_parse_reads_candidates_seats_and_title():
    election = parse_blt(SAMPLE)
    assert election.candidates == ["Amina", "Youssef", "Salma", "Karim"]
    assert (election.seats, election.title) == (2, "Board 2026")


def test_parse_groups_rankings_by_candidate_name():
    assert parse_blt(SAMPLE).rankings == {
        ("Amina", "Youssef"): 3,
        ("Youssef",): 2,
        ("Salma", "Amina", "Youssef"): 1,
    }


def test_parse_reads_the_withdrawn_line():
    election = parse_blt(SAMPLE)
    assert election.withdrawn == ["Karim"]
    assert election.continuing_candidates() == ["Amina", "Youssef", "Salma"]


def test_withdrawn_candidates_are_struck_out_of_rankings():
    text = '3 1\n-2\n2 2 1 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    assert parse_blt(text).effective_rankings() == {("A",): 2, (): 1}


def test_identical_ballot_lines_are_added_together():
    text = '2 1\n2 1 2 0\n3 1 2 0\n0\n"A"\n"B"\n"T"\n'
    assert parse_blt(text).rankings == {("A", "B"): 5}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("x 2\n", 1, "number of candidates"),
        ("3\n", 1, "candidates seats"),
        ('2 1\n1 1 2\n0\n"A"\n"B"\n', 2, "end with 0"),
        ('2 1\n1 1 3 0\n0\n"A"\n"B"\n', 2, "from 1 to 2"),
        ('2 1\n1 1 0\n0 1 0\n0\n"A"\n"B"\n', 3, "positive"),
        ('2 1\n1 1=2 0\n0\n"A"\n"B"\n', 2, "equal rankings"),
        ('2 1\n-3\n1 1 0\n0\n"A"\n"B"\n', 2, "withdrawn"),
        ('2 1\n1 1 0\n0\n"A"\nB\n', 5, "quoted"),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n"T"\n', 5, "twice"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', 7, "after the title"),
    ],
)
def test_malformed_line_is_reported_with_its_number(text, line, words):
    with pytest.raises(BltError) as raised:
        parse_blt(text)
    assert raised.value.line_number == line
    assert words in raised.value.message


def test_file_ending_before_the_ballots_close_is_an_error():
    with pytest.raises(BltError, match="ends before"):
        parse_blt("2 1\n1 1 0\n")


def test_missing_names_are_an_error():
    with pytest.raises(BltError, match="expected 2 candidate names"):
        parse_blt('2 1\n1 1 0\n0\n"A"\n')


def test_write_uses_numbers_names_and_a_stable_order():
    text = write_blt(
        ["a", "b"],
        1,
        {("b",): 1, ("a", "b"): 4, (): 2},
        title="Chair",
        names={"a": "Amina", "b": "Youssef"},
    )
    assert text == '2 1\n4 1 2 0\n1 2 0\n0\n"Amina"\n"Youssef"\n"Chair"\n'


def test_write_refuses_a_name_with_a_quote():
    with pytest.raises(ValueError):
        write_blt(['say "hi"'], 1, {})


CANDIDATE_NAMES = ["Amina", "Youssef", "Salma", "Karim", "Nadia"]


@settings(max_examples=40, deadline=None)
@given(
    rankings=st.dictionaries(
        st.permutations(CANDIDATE_NAMES).flatmap(
            lambda order: st.integers(1, 5).map(lambda k: tuple(order[:k]))
        ),
        st.integers(1, 50),
        max_size=12,
    ),
    seats=st.integers(1, 4),
    withdrawn=st.lists(st.sampled_from(CANDIDATE_NAMES), unique=True, max_size=2),
)
def test_write_then_parse_gives_back_the_election(rankings, seats, withdrawn):
    text = write_blt(CANDIDATE_NAMES, seats, rankings, title="Round trip", withdrawn=withdrawn)
    election = parse_blt(text)
    assert election.candidates == CANDIDATE_NAMES
    assert election.rankings == rankings
    assert (election.seats, election.title) == (seats, "Round trip")
    assert sorted(election.withdrawn) == sorted(withdrawn)


def test_identical_ballot_lines_are_counted_together_with_their_weights():
    lines = ["1 1 2 0"] * 3000 + ["2 2 0"] * 2 + ["1 1 2 0"]
    text = "2 1\n" + "\n".join(lines) + '\n0\n"A"\n"B"\n"T"\n'
    assert parse_blt(text).rankings == {("A", "B"): 3001, ("B",): 4}
