"""Casting is rate-limited per account (page and API together), never per address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from elections import services
from elections.models import Participation
from governance.accounts import ratelimit
from tests.elections.conftest import add_voters, draft_ballot

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings, monkeypatch):
    """Three attempts a minute, and a clock that stays in the middle of one minute."""
    settings.VOTE_RATE_LIMIT_PER_MINUTE = LIMIT
    clock = {"now": 1_800_000_030.0}
    monkeypatch.setattr(ratelimit, "_now", lambda: clock["now"])
    return clock


@pytest.fixture
def ballot(world):
    ballot = draft_ballot(world)
    return services.open_ballot(actor=world.officer, ballot=ballot)


def page_vote(client, ballot, choice="yes"):
    return client.post(reverse("ballot_vote", args=[ballot.pk]), {"choice": choice})


def api_vote(client, ballot, choice="yes"):
    return client.post(
        reverse("api_ballot_vote", args=[ballot.pk]),
        {"choices": choice},
        content_type="application/json",
    )


def test_attempts_past_the_limit_get_429_on_the_page(client_for, ballot):
    client = client_for("member")
    assert page_vote(client, ballot).status_code == 200  # the vote is cast
    for _ in range(LIMIT - 1):
        assert page_vote(client, ballot).status_code == 400  # already voted
    response = page_vote(client, ballot)
    assert response.status_code == 429
    assert "Too many attempts to vote" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_attempts_past_the_limit_get_429_from_the_api(client_for, ballot):
    client = client_for("member")
    for _ in range(LIMIT):
        assert api_vote(client, ballot, choice="maybe").status_code == 400
    response = api_vote(client, ballot)
    assert response.status_code == 429
    assert "Too many attempts to vote" in response.json()["detail"]
    assert response["Retry-After"] == "30"
    assert not Participation.objects.filter(ballot=ballot).exists()


def test_the_page_and_the_api_share_one_count(client_for, ballot):
    client = client_for("member")
    for _ in range(LIMIT):
        page_vote(client, ballot, choice="")
    assert api_vote(client, ballot).status_code == 429


def test_another_account_from_the_same_address_is_not_throttled(client_for, world, ballot):
    for _ in range(LIMIT + 1):
        page_vote(client_for("member"), ballot, choice="")
    assert page_vote(client_for("member"), ballot).status_code == 429
    # The test client sends every request from 127.0.0.1, as a room behind one NAT would.
    assert page_vote(client_for("officer"), ballot).status_code == 200


def test_the_count_starts_again_in_the_next_minute(client_for, ballot, small_limit):
    client = client_for("member")
    for _ in range(LIMIT + 1):
        api_vote(client, ballot, choice="maybe")
    small_limit["now"] += 60
    assert api_vote(client, ballot).status_code == 201


def test_the_default_allows_a_proxy_holder_a_full_room(settings, world):
    """Twenty a minute: a member with the statutes' proxies casts well within it."""
    settings.VOTE_RATE_LIMIT_PER_MINUTE = 20
    limit = ratelimit.vote_limit()
    assert (limit.count, limit.seconds) == (20, 60)
    assert all(ratelimit.attempt(limit, world.member) == 0 for _ in range(20))
    assert ratelimit.attempt(limit, world.member) > 0
    assert ratelimit.attempt(limit, world.officer) == 0


def test_many_voters_in_one_test_are_not_throttled_by_each_other(world):
    """The suite casts many votes: each account counts its own, and the cache is emptied
    between tests (tests/conftest.py), so no test inherits another's count."""
    voters = add_voters(world, LIMIT + 2)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    for user in voters:
        client = Client()
        client.force_login(user)
        assert api_vote(client, ballot).status_code == 201


def test_the_schema_documents_the_429_of_the_vote(client_for):
    schema = client_for("member").get(reverse("api_schema"), {"format": "json"}).json()
    responses = schema["paths"]["/api/ballots/{id}/vote/"]["post"]["responses"]
    assert "429" in responses
    assert "Retry-After" in responses["429"]["description"]
