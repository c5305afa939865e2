"""The paper format (`elections.counting.papers`): one content shape per method family, the
same for casting, counting, the ballot box and the ballot-list export."""

from __future__ import annotations

import pytest

from elections.counting import InvalidBallot, InvalidCode, papers
from elections.counting.types import CHOICE_METHODS, METHODS, RANKED_METHODS

CODES = ["ana", "ben", "chadi"]


def test_every_method_has_one_key_by_its_family():
    assert set(papers.CONTENT_KEY) == set(METHODS)
    assert {papers.content_key(m) for m in RANKED_METHODS} == {"ranking"}
    assert {papers.content_key(m) for m in CHOICE_METHODS} == {"choices"}
    assert papers.content_key("yesno") == "choice"


def test_a_paper_is_validated_for_its_method():
    assert papers.content("yesno", "abstain", CODES, seats=1) == {"choice": "abstain"}
    assert papers.content("stv", ("ben", "ana"), CODES, seats=2) == {"ranking": ["ben", "ana"]}
    assert papers.content("approval", [], CODES, seats=1, max_approvals=2) == {"choices": []}
    with pytest.raises(InvalidBallot) as raised:
        papers.content("yesno", "maybe", CODES, seats=1)
    assert raised.value.code == InvalidCode.UNKNOWN_CHOICE


def test_plurality_marks_up_to_the_seats_approval_up_to_its_cap():
    assert papers.mark_limit("plurality", seats=2, max_approvals=None) == 2
    assert papers.mark_limit("approval", seats=2, max_approvals=None) is None
    assert papers.mark_limit("approval", seats=2, max_approvals=3) == 3
    with pytest.raises(InvalidBallot) as raised:
        papers.content("plurality", CODES, CODES, seats=2)
    assert raised.value.code == InvalidCode.TOO_MANY_CHOICES
    assert papers.content("approval", CODES, CODES, seats=2) == {"choices": CODES}


def test_the_count_reads_what_casting_wrote():
    for method, chosen in (("yesno", "no"), ("irv", ["chadi"]), ("plurality", ["ana"])):
        content = papers.content_of(method, chosen)
        assert papers.value_of(method, content) == chosen
        assert content == papers.content(method, chosen, CODES, seats=1)
