"""The hall's projector: the quorum, the vote open in the room with its live turnout, the
last result published, refreshing itself through htmx in a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from elections import services as elections
from elections.models import Ballot
from governance.assemblies import services as assemblies
from governance.models import Assembly
from tests.elections.conftest import draft_ballot
from tests.factories import close_and_tally
from tests.governance.assembly_support import convene, voters

pytestmark = pytest.mark.django_db


@pytest.fixture
def ga(world) -> Assembly:
    return convene(world.assembly_body, title="Ordinary General Assembly")


def in_session(world, ga, count: int):
    people = voters(world, count, with_accounts=True)
    for member in people:
        assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    assemblies.open_session(actor=world.officer, assembly=ga)
    return people


def vote_in_the_room(world, ga, title: str = "Adopt the activity report") -> Ballot:
    ballot = draft_ballot(world, electorate=Ballot.Electorate.ASSEMBLY, assembly=ga, title=title)
    return elections.open_ballot(actor=world.officer, ballot=ballot)


@pytest.mark.parametrize("count", [3, 25])
def test_the_projector_shows_the_open_vote_and_its_turnout_in_constant_queries(
    client_for, world, ga, django_assert_max_num_queries, count
):
    people = in_session(world, ga, count)
    ballot = vote_in_the_room(world, ga)
    elections.cast_vote(actor=people[0].user, ballot=ballot, choices="yes")
    client = client_for("member")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("assembly_projector", args=[ga.pk]))
    assert response.status_code == 200
    assert "Adopt the activity report" in response.text
    assert f"1 of {count} have voted" in response.text
    assert f"{count} present, 0 by proxy" in response.text
    assert 'hx-trigger="every 5s"' in response.text


def test_the_projector_shows_the_last_result_once_published(client_for, world, ga):
    people = in_session(world, ga, 3)
    ballot = vote_in_the_room(world, ga)
    for person in people:
        elections.cast_vote(actor=person.user, ballot=ballot, choices="yes")
    close_and_tally(actor=world.officer, ballot=ballot)
    elections.count_ballot(actor=world.officer, ballot=ballot)
    page = client_for("member").get(reverse("assembly_projector", args=[ga.pk]))
    assert "Last result" not in page.text  # counted, not yet published
    elections.publish_results(actor=world.officer, ballot=ballot)
    page = client_for("member").get(reverse("assembly_projector", args=[ga.pk]))
    assert "Last result" in page.text and "No vote is open." in page.text


def test_htmx_gets_only_the_screen(client_for, world, ga):
    in_session(world, ga, 2)
    response = client_for("member").get(
        reverse("assembly_projector", args=[ga.pk]), headers={"HX-Request": "true"}
    )
    body = response.text.strip()
    assert body.startswith('<div id="projector"') and "<html" not in body


def test_a_closed_meeting_stops_polling(client_for, world, ga):
    in_session(world, ga, 2)
    assemblies.close_session(actor=world.officer, assembly=ga)
    response = client_for("member").get(reverse("assembly_projector", args=[ga.pk]))
    assert "hx-trigger" not in response.text.split('id="projector"')[1].split(">")[0]


def test_the_projector_is_for_logged_in_members_and_officers(client_for, world, ga):
    assert (
        client_for("anonymous").get(reverse("assembly_projector", args=[ga.pk])).status_code == 302
    )
    assert (
        client_for("outsider").get(reverse("assembly_projector", args=[ga.pk])).status_code == 403
    )
