"""The officers' forms and API actions ask the workflow for the role before reading the input:
a role that may not take the step gets 403 whatever it posts, and nothing is written; a role
that may gets the form's 400."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance.models import AuditHead
from motions import services
from motions.models import Motion
from tests.motions.conftest import scheduled
from tests.motions.test_votes import tabled

pytestmark = pytest.mark.django_db


def head():
    return AuditHead.objects.values_list("sequence", flat=True).first()


def user(section, role: str):
    return {
        "proposer": section.proposer,
        "member": section.supporters[-1],
        "standing_orders": section.standing_orders,
        "board": section.board_member,
        "chair": section.chair,
        "staff": section.world.staff,
    }[role]


#: (page, who may not, who may): empty or bad input from the second is a 403, from the third a 400.
PAGES = [
    ("motion_refer", ["proposer", "member", "standing_orders", "staff"], ["board", "chair"]),
    ("motion_vote", ["proposer", "member", "standing_orders", "board", "staff"], ["chair"]),
    ("motion_forward", ["proposer", "member", "standing_orders", "staff"], ["board", "chair"]),
    ("motion_ic_outcome", ["proposer", "member", "standing_orders"], ["board", "staff"]),
    ("motion_follow_up", ["proposer", "member", "standing_orders"], ["board", "staff"]),
]


@pytest.mark.parametrize(("name", "refused", "allowed"), PAGES)
@pytest.mark.parametrize("data", [{}, {"mode": "nonsense", "body": "nowhere", "outcome": "x"}])
def test_officer_pages_refuse_other_roles_before_reading_the_form(
    client, section, name, refused, allowed, data
):
    motion = scheduled(section, kind=Motion.Kind.IC_MOTION)
    url = reverse(name, args=[motion.pk])
    before = head()
    for role in refused:
        client.force_login(user(section, role))
        assert client.post(url, data).status_code == 403, (name, role)
    for role in allowed:
        client.force_login(user(section, role))
        assert client.post(url, data).status_code == 400, (name, role)
    assert head() == before
    motion.refresh_from_db()
    assert motion.status == Motion.Status.SCHEDULED


def test_putting_an_amendment_to_the_vote_from_the_page_is_the_chairs(client, section):
    motion = scheduled(section)
    amendment = tabled(section, motion)
    url = reverse("motion_vote", args=[motion.pk])
    before = head()
    for role in ("proposer", "member", "board", "staff"):
        client.force_login(user(section, role))
        response = client.post(url, {"amendment": amendment.pk, "mode": "nonsense"})
        assert response.status_code == 403, role
    client.force_login(section.chair)
    assert client.post(url, {"amendment": amendment.pk, "mode": "nonsense"}).status_code == 400
    assert head() == before


def api(who) -> APIClient:
    client = APIClient()
    client.force_authenticate(who)
    return client


#: (path after /api/motions/<pk>/, bad input, who may not, who may).
API_ACTIONS = [
    ("steps/refer/", {"body": "nowhere"}, ["proposer", "member", "staff"], ["board", "chair"]),
    ("steps/put_to_vote/", {"mode": "nonsense"}, ["proposer", "board", "staff"], ["chair"]),
    ("steps/schedule/", {"assembly": 10**6}, ["proposer", "member", "staff"], ["board", "chair"]),
    ("steps/withdraw/", {"reason": ["not", "text"]}, ["member", "chair"], ["proposer"]),
    ("ic-submission/", {}, ["proposer", "member", "standing_orders", "staff"], ["board"]),
    ("ic-outcome/", {}, ["proposer", "member", "standing_orders"], ["board", "staff"]),
    ("follow-ups/", {}, ["proposer", "member", "standing_orders"], ["board", "staff"]),
    ("versions/", {}, ["member", "chair", "staff"], ["proposer"]),
]


@pytest.mark.parametrize(("path", "data", "refused", "allowed"), API_ACTIONS)
def test_api_actions_refuse_other_roles_before_reading_the_input(
    section, path, data, refused, allowed
):
    motion = scheduled(section, kind=Motion.Kind.IC_MOTION)
    url = f"/api/motions/{motion.pk}/{path}"
    before = head()
    for role in refused:
        response = api(user(section, role)).post(url, data, format="json")
        assert response.status_code == 403, (path, role, response.content)
        assert response.json()["detail"].startswith("Only the")
    for role in allowed:
        response = api(user(section, role)).post(url, data, format="json")
        assert response.status_code == 400, (path, role, response.content)
    assert head() == before


def test_the_amendment_step_api_checks_the_role_first(section):
    motion = scheduled(section)
    amendment = tabled(section, motion)
    url = f"/api/amendments/{amendment.pk}/steps/put_to_vote/"
    for role in ("proposer", "member", "board", "staff"):
        response = api(user(section, role)).post(url, {"mode": "nonsense"}, format="json")
        assert response.status_code == 403, role
    assert api(section.chair).post(url, {"mode": "nonsense"}, format="json").status_code == 400
    # Steps that no one takes through the API stay 404, for every role.
    for who in (section.proposer, section.chair):
        response = api(who).post(f"/api/amendments/{amendment.pk}/steps/adopt/", {}, format="json")
        assert response.status_code == 404


def test_may_take_asks_the_workflow_whatever_the_status(section):
    motion = scheduled(section, kind=Motion.Kind.IC_MOTION)
    assert services.may_take(section.board_member, motion, "forward")  # not adopted yet
    assert not services.may_take(section.proposer, motion, "forward")
    assert services.may_take(section.world.staff, motion, "ic_adopted", "ic_rejected")
    assert services.may_take(section.world.staff, motion, "follow_up")
    assert not services.may_take(section.world.auditor, motion, "follow_up")
    assert services.may_take(section.proposer, motion, "edit")
    assert not services.may_take(section.chair, motion, "edit")
