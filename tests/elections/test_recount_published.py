"""`recount_published`: every published ballot recounted from its papers, differences named."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from elections import services
from elections.management.commands.recount_published import differences
from elections.models import Ballot, BallotPaper
from tests.elections.conftest import add_voters, draft_ballot, draft_election, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(world) -> Ballot:
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    return published(world, ballot, [(world.member, "yes"), (world.officer, "no")])


@pytest.fixture
def election(world) -> Ballot:
    voters = add_voters(world, 3)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    rankings = [["c1", "c2"], ["c2", "c3"], ["c1"]]
    return published(world, ballot, list(zip(voters, rankings, strict=True)))


def recount(*args: str) -> str:
    out = StringIO()
    call_command("recount_published", *args, stdout=out)
    return out.getvalue()


def test_every_published_ballot_recounts_as_published(question, election, tmp_path):
    output = recount("--write-lists", str(tmp_path))
    assert "2 published ballots recount as published" in output
    assert f"ok       {question.pk} " in output and "2 papers" in output
    assert f"ok       {election.pk} " in output and "elected" in output
    written = json.loads((tmp_path / f"ballot-{election.pk}.json").read_text())
    assert written["format"] == "ballot-list/1" and len(written["papers"]) == 3


def test_a_changed_paper_is_named_and_fails_the_command(question):
    # Tampering behind the services' back, as a bad restore or an intruder would.
    paper = BallotPaper.objects.filter(ballot=question, content={"choice": "no"}).get()
    BallotPaper.objects.filter(pk=paper.pk).update(content={"choice": "yes"})
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 published ballots recount differently"):
        call_command("recount_published", stdout=out)
    assert f"DIFFERS  {question.pk} " in out.getvalue()
    assert "no; yes" in out.getvalue()  # the figures that moved
    # and the decision's own figures, which the recount no longer gives
    assert "the decision says yes 1, the recount gives 2" in out.getvalue()


def test_a_ballot_that_is_not_published_is_refused(world):
    draft = draft_ballot(world)
    with pytest.raises(CommandError, match=f"not published: {draft.pk}"):
        recount(str(draft.pk))


def test_the_explanation_is_words_and_is_not_compared():
    assert (
        differences({"explanation": "Élu", "total": 2}, {"explanation": "Elected", "total": 2})
        == []
    )
