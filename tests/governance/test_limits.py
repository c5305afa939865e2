"""Caps on candidates, texts and lists, refused alike by the services, the pages and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from elections import services as elections
from elections.models import Candidate
from governance.exceptions import DomainError
from motions import services as motions
from motions.models import Motion
from tests.elections.conftest import draft_election

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_caps(settings):
    settings.LIMIT_CANDIDATES = 3
    settings.LIMIT_TEXT_CHARS = 1000
    settings.LIMIT_LIST_ITEMS = 2
    return settings


def test_a_ballot_with_ten_thousand_candidates_is_refused_at_the_cap(world):
    ballot = draft_election(world, names=())
    Candidate.objects.bulk_create(
        Candidate(
            ballot=ballot, code=f"c{n}", name=f"Option {n}", position=n, nominated_by=world.officer
        )
        for n in range(1, 201)
    )
    with pytest.raises(DomainError, match="at most 200 candidates"):
        elections.nominate_candidate(actor=world.officer, ballot=ballot, name="Option 201")
    assert ballot.candidates.count() == 200


def test_the_api_refuses_a_candidate_past_the_cap_with_a_400_naming_it(
    client_for, world, small_caps
):
    ballot = draft_election(world)  # three names already
    response = client_for("officer").post(
        reverse("api_ballot_candidates", args=[ballot.pk]),
        {"name": "A fourth"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "at most 3 candidates" in response.json()["name"][0]
    assert ballot.candidates.count() == 3


def test_the_page_refuses_a_candidate_past_the_cap_on_the_form(client_for, world, small_caps):
    ballot = draft_election(world)
    response = client_for("officer").post(
        reverse("ballot_nominate", args=[ballot.pk]), {"name": "A fourth"}
    )
    assert response.status_code == 400
    assert "at most 3 candidates" in response.content.decode()
    assert ballot.candidates.count() == 3


def test_seats_past_the_cap_are_refused(world, small_caps):
    with pytest.raises(DomainError, match="at most 3 seats"):
        draft_election(world, names=(), seats=4)


def test_a_motion_text_past_the_cap_is_refused_through_the_api(client_for, world, small_caps):
    response = client_for("member").post(
        reverse("api_motions"),
        {
            "kind": "resolution",
            "body": world.assembly_body.code,
            "title": "Long",
            "text": "word " * 400,
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "at most 1,000 are allowed" in str(response.json())
    assert not Motion.objects.exists()


def test_a_motion_text_past_the_cap_is_refused_on_the_form(client_for, world, small_caps):
    response = client_for("member").post(
        reverse("motion_create"),
        {
            "kind": "resolution",
            "body": world.assembly_body.code,
            "title": "Long",
            "text": "word " * 400,
        },
    )
    assert response.status_code == 400
    assert "at most 1,000 are allowed" in response.content.decode()
    assert not Motion.objects.exists()


def test_a_title_longer_than_its_column_is_a_clear_error_not_a_database_error(world):
    with pytest.raises(DomainError, match="at most 300"):
        motions.create_motion(
            actor=world.member,
            kind="resolution",
            body=world.assembly_body,
            title="t" * 301,
            text="Text",
        )


def test_a_nul_byte_is_refused_before_the_database_sees_it(world):
    with pytest.raises(DomainError, match="NUL"):
        motions.create_motion(
            actor=world.member,
            kind="resolution",
            body=world.assembly_body,
            title="Title",
            text="Before\x00after",
        )


def test_a_statute_amendment_with_too_many_changes_is_refused(world, small_caps):
    changes = [{"action": "remove", "article": str(n)} for n in range(3)]
    with pytest.raises(DomainError, match="at most 2 are allowed"):
        motions.create_motion(
            actor=world.member,
            kind="statute_amendment",
            body=world.assembly_body,
            title="Many",
            text="Many",
            statute_changes=changes,
        )
