"""The demo section includes the voting engine: a published roll call and two open ballots."""

import pytest
from django.core.management import call_command

from elections.models import Ballot, NamedVote

pytestmark = pytest.mark.django_db


def test_demo_has_a_published_roll_call_and_open_ballots(capsys):
    call_command("load_demo")
    published = Ballot.objects.get(status="published")
    assert published.kind == "roll_call" and published.decision.outcome == "adopted"
    assert NamedVote.objects.filter(ballot=published).count() == 7
    election = Ballot.objects.get(kind="election")
    assert election.status == "open" and election.candidates.filter(status="standing").count() == 5
    assert Ballot.objects.get(kind="question").roll.count() > 150
