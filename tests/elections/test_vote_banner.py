"""The banner a member's pages fetch: the open votes on whose roll they are and that they
have not cast yet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from elections import services
from tests.elections.conftest import draft_ballot

pytestmark = pytest.mark.django_db


def test_a_member_on_the_roll_of_an_open_vote_sees_the_banner(client_for, world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    response = client_for("member").get(reverse("ballot_banner"))
    assert response.status_code == 200
    assert "A vote is open for you:" in response.text
    assert reverse("ballot_detail", args=[ballot.pk]) in response.text


def test_the_banner_goes_once_the_member_has_voted(client_for, world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    assert "A vote is open" not in client_for("member").get(reverse("ballot_banner")).text


def test_no_banner_for_a_draft(client_for, world):
    draft_ballot(world)
    assert "A vote is open" not in client_for("member").get(reverse("ballot_banner")).text


def test_the_banner_costs_a_few_queries(client_for, world, django_assert_max_num_queries):
    for title in ("One", "Two", "Three", "Four"):
        services.open_ballot(actor=world.officer, ballot=draft_ballot(world, title=title))
    client = client_for("member")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("ballot_banner"))
    assert "Votes are open for you:" in response.text


def test_every_page_of_a_member_asks_for_the_banner(client_for, world):
    page = client_for("member").get(reverse("dashboard"))
    assert f'hx-get="{reverse("ballot_banner")}"' in page.text


def test_an_auditor_gets_no_banner(client_for, world):
    services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    assert "A vote is open" not in client_for("auditor").get(reverse("ballot_banner")).text
