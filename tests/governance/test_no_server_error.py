"""Hostile bodies and a database that went away get a clear 4xx or a 503, never a 500."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse
from django.utils import translation

from elections import services
from tests.elections.conftest import draft_ballot

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def open_ballot(world):
    return services.open_ballot(actor=world.officer, ballot=draft_ballot(world))


@pytest.mark.parametrize("depth", [100_000, 1_000, 40])
def test_json_nested_deep_on_the_vote_api_is_a_400_saying_so(client_for, open_ballot, depth):
    response = client_for("member").post(
        reverse("api_ballot_vote", args=[open_ballot.pk]),
        nested(depth),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]
    assert not open_ballot.participations.exists()


def test_json_nested_deep_on_the_motions_api_is_a_400(client_for, world):
    body = '{"title": "x", "text": "y", "statute_changes": ' + nested(100_000) + "}"
    response = client_for("member").post(
        reverse("api_motions"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_nested_within_the_limit_reaches_the_serializer(client_for, open_ballot):
    response = client_for("member").post(
        reverse("api_ballot_vote", args=[open_ballot.pk]),
        json.dumps({"choices": [[["yes"]]]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "nested" not in response.json()["detail"]


def test_a_body_over_the_upload_limit_is_refused_by_size(client_for, open_ballot, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for("member").post(
        reverse("api_ballot_vote", args=[open_ballot.pk]),
        json.dumps({"choices": "yes", "padding": "x" * 2000}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "larger than 1,000 bytes" in response.json()["detail"]


# The database going away ---------------------------------------------------------------


def database_gone(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def unreachable_database():
    with mock.patch.object(CursorWrapper, "execute", database_gone):
        yield


def test_the_api_answers_json_503_with_retry_after_when_the_database_is_gone(
    client_for, open_ballot
):
    client = client_for("member")
    client.raise_request_exception = False
    with mock.patch.object(CursorWrapper, "execute", database_gone):
        response = client.post(
            reverse("api_ballot_vote", args=[open_ballot.pk]),
            {"choices": "yes"},
            content_type="application/json",
        )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json()["retry_after"] == 5


def test_a_page_answers_a_translated_503_when_the_database_is_gone(client_for, world):
    client = client_for("member")
    client.raise_request_exception = False
    with mock.patch.object(CursorWrapper, "execute", database_gone):
        response = client.get(reverse("dashboard"), headers={"accept-language": "fr"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    with translation.override("fr"):
        assert translation.gettext("Briefly unavailable") in page
    assert 'lang="fr"' in page


def test_other_errors_stay_500s(client_for, world):
    client = client_for("member")
    client.raise_request_exception = False
    with mock.patch("governance.views.render", side_effect=RuntimeError("a bug")):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 500
    assert "Retry-After" not in response
