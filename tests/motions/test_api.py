"""The motions REST API: the same services as the pages, refusals as 400 with the field or 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from motions.models import Amendment, Motion
from tests.motions.conftest import draft, gather_support, scheduled, submitted

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_draft_support_submit_and_read_a_motion(section):
    response = api(section.proposer).post(
        "/api/motions/",
        {
            "kind": "resolution",
            "body": "general-assembly",
            "assembly": section.assembly.pk,
            "title": "Refugee rights",
            "text": "One.\n\nTwo.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["next_steps"] == ["submit", "withdraw"]
    # The draft is found with its share token, which the proposer sends to the co-sponsors.
    share = {"share": response.json()["share_token"]}
    for user in section.supporters[:5]:
        assert (
            api(user).post(f"/api/motions/{pk}/support/?share={share['share']}").status_code == 204
        )
    # A co-sponsor finds the draft without the token from then on.
    assert api(section.supporters[0]).delete(f"/api/motions/{pk}/support/").status_code == 204
    refused = api(section.proposer).post(f"/api/motions/{pk}/steps/submit/", {}, format="json")
    assert refused.status_code == 400 and "supports" in refused.json()
    api(section.supporters[5]).post(f"/api/motions/{pk}/support/?share={share['share']}")
    done = api(section.proposer).post(f"/api/motions/{pk}/steps/submit/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert done.json()["reference"].startswith("ORG 52/")
    listed = api(section.supporters[9]).get("/api/motions/", {"status": "submitted"}).json()
    assert [m["id"] for m in listed] == [pk]


def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(section):
    client = api(section.proposer)
    response = client.post(
        "/api/motions/",
        {"kind": "nonsense", "body": "nowhere", "title": "", "text": ""},
        format="json",
    )
    assert response.status_code == 400
    assert {"kind", "body", "title", "text"} <= set(response.json())
    response = client.post(
        "/api/motions/",
        {
            "kind": "statute_amendment",
            "body": "general-assembly",
            "title": "Amend",
            "text": "Amend.",
            "statute_changes": [{"action": "remove", "number": "99"}],
        },
        format="json",
    )
    assert response.status_code == 400 and "statute_changes[0].number" in response.json()
    assert not Motion.objects.exists()


def test_versions_and_diff(section):
    motion = draft(section)
    client = api(section.proposer)
    response = client.post(
        f"/api/motions/{motion.pk}/versions/",
        {"title": motion.title, "text": "The General Assembly demands abolition.\n\nReport."},
        format="json",
    )
    assert response.status_code == 201 and response.json()["version"] == 2
    diff = client.get(f"/api/motions/{motion.pk}/diff/", {"from": 1, "to": 2}).json()
    assert {"op": "added", "text": "demands"} in diff["text"]
    assert client.get(f"/api/motions/{motion.pk}/diff/", {"from": 1}).status_code == 400
    assert client.get(f"/api/motions/{motion.pk}/diff/", {"from": 1, "to": 7}).status_code == 404
    other = api(section.supporters[0]).post(
        f"/api/motions/{motion.pk}/versions/", {"title": "x", "text": "y"}, format="json"
    )
    assert other.status_code == 404  # without its share token, someone else's draft is not found


def test_steps_by_role_and_reasons(section):
    motion = submitted(section)
    url = f"/api/motions/{motion.pk}/steps/"
    assert api(section.proposer).post(url + "admit/", {}, format="json").status_code == 403
    no_reason = api(section.standing_orders).post(url + "reject_admissibility/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert api(section.standing_orders).post(url + "admit/", {}, format="json").status_code == 200
    assert api(section.chair).post(url + "adopt/", {}, format="json").status_code == 404
    assert api(section.chair).post(url + "nonsense/", {}, format="json").status_code == 404
    refer = api(section.chair).post(url + "refer/", {"reason": "Study"}, format="json")
    assert refer.status_code == 400 and "body" in refer.json()
    scheduled_ = api(section.chair).post(url + "schedule/", {}, format="json")
    assert scheduled_.json()["agenda_position"] == 1
    closes = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    vote = api(section.chair).post(
        url + "put_to_vote/", {"mode": "online", "closes_at": closes}, format="json"
    )
    assert vote.status_code == 200 and vote.json()["status"] == "in_vote"
    assert vote.json()["ballot"] is not None


def test_auditors_are_refused_every_write(section):
    motion = submitted(section)
    client = api(section.world.auditor)
    for url in (
        "/api/motions/",
        f"/api/motions/{motion.pk}/versions/",
        f"/api/motions/{motion.pk}/support/",
        f"/api/motions/{motion.pk}/steps/withdraw/",
        f"/api/motions/{motion.pk}/amendments/",
        f"/api/motions/{motion.pk}/ic-submission/",
        f"/api/motions/{motion.pk}/ic-outcome/",
        f"/api/motions/{motion.pk}/follow-ups/",
    ):
        assert client.post(url, {}, format="json").status_code == 403, url
    assert client.get(f"/api/motions/{motion.pk}/").status_code == 200


def test_amendments_through_the_api(section):
    motion = scheduled(section)
    client = api(section.supporters[-1])
    bad = client.post(
        f"/api/motions/{motion.pk}/amendments/",
        {"kind": "replace_paragraph", "paragraph": 5, "text": "x"},
        format="json",
    )
    assert bad.status_code == 400 and "paragraph" in bad.json()
    created = client.post(
        f"/api/motions/{motion.pk}/amendments/",
        {"kind": "replace_paragraph", "paragraph": 2, "text": "Twice a year."},
        format="json",
    )
    assert created.status_code == 201
    amendment = Amendment.objects.get()
    gather_support(section, amendment, 2)
    submitted_ = client.post(f"/api/amendments/{amendment.pk}/steps/submit/", {}, format="json")
    assert submitted_.json()["label"] == "A1"
    admit = api(section.standing_orders).post(
        f"/api/amendments/{amendment.pk}/steps/admit/", {}, format="json"
    )
    assert admit.json()["status"] == "admissible"
    detail = api(section.supporters[0]).get(f"/api/motions/{motion.pk}/").json()
    assert [a["label"] for a in detail["amendments"]] == ["A1"]
