"""Odd input gets a 4xx that names what is wrong, never a server error: the cases the API
fuzzing (test_api_fuzz.py) found, and the same kind on pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance.models import OrganisationUnit
from tests.governance.assembly_support import convene

pytestmark = pytest.mark.django_db


def test_an_api_url_that_matches_no_route_answers_json(client_for):
    response = client_for("member").get("/api/ballots/not-a-number/vote/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_url_that_matches_no_route_is_still_a_page(client_for):
    response = client_for("member").get("/ballots/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("query", ["offset=abc", "offset=-1", "limit=0", "limit=1.5"])
def test_a_bad_page_window_is_a_400_naming_it(client_for, query):
    response = client_for("member").get(f"{reverse('api_ballots')}?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert response.json()[name] and response.json()["detail"]


def test_a_huge_limit_is_cut_to_the_largest_page(client_for):
    response = client_for("member").get(f"{reverse('api_units')}?limit=1000000000")
    assert response.status_code == 200
    assert "limit=500" in (response.json()["next"] or "limit=500")


@pytest.mark.parametrize("query", ["status=bogus", "status=", "kind=nothing"])
def test_an_unknown_motion_filter_is_a_400_naming_it(client_for, query):
    response = client_for("member").get(f"{reverse('api_motions')}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_a_form_encoded_body_is_refused_by_the_json_api(client_for):
    response = client_for("member").post(reverse("api_receipt_check"), {"code": "x"})
    assert response.status_code == 415


def test_input_refused_by_a_serializer_has_a_detail_and_the_field(client_for):
    response = client_for("member").post(
        reverse("api_receipt_check"), {}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["code"]


def test_a_unit_without_parent_is_null_as_the_schema_says(client_for, world):
    assert OrganisationUnit.objects.filter(parent__isnull=True).exists()
    units = client_for("member").get(reverse("api_units")).json()["results"]
    assert any(unit["parent"] is None for unit in units)
    schema = client_for("member").get(reverse("api_schema"), {"format": "json"}).json()
    assert schema["components"]["schemas"]["Unit"]["properties"]["parent"]["nullable"] is True


def test_a_door_check_in_with_a_member_that_is_not_a_number_is_404(client_for, world):
    meeting = convene(world.assembly_body)
    url = reverse("assembly_check_in", args=[meeting.pk])
    assert client_for("officer").post(url, {"member": "abc"}).status_code == 404
