"""The assemblies REST API: the same services as the pages, refusals as 400 naming the field or 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance.assemblies import services as assemblies
from governance.models import Assembly, AssemblyProxy, Attendance
from tests.governance.assembly_support import convene, unpaid_member, voters

pytestmark = pytest.mark.django_db


@pytest.fixture
def ga(world) -> Assembly:
    return convene(world.assembly_body, title="Ordinary General Assembly")


def test_members_list_the_assemblies(client_for, world, ga):
    response = client_for("member").get(reverse("api_assemblies"))
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert (item["id"], item["body"], item["status"]) == (ga.pk, "general-assembly", "convened")


def test_the_detail_carries_the_live_quorum(client_for, world, ga):
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    response = client_for("member").get(reverse("api_assembly", args=[ga.pk]))
    assert response.status_code == 200
    quorum = response.json()["quorum"]
    assert quorum == {
        "eligible": 4,
        "present": 1,
        "represented": 0,
        "took_part": 1,
        "scope": "assembly",
        "convocation": 1,
        "article": "7",
        "statute_version": 1,
        "needed": 1,
        "satisfied": True,
        "threshold": "1/4",
    }


def test_staff_check_a_member_in_and_out_by_membership_number(client_for, world, ga):
    client = client_for("staff")
    number = world.member.member.membership_number
    response = client.post(
        reverse("api_assembly_check_in", args=[ga.pk]),
        {"membership_number": number},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["present"] is True
    response = client.post(
        reverse("api_assembly_check_in", args=[ga.pk]),
        {"membership_number": number},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "already checked in" in response.json()["membership_number"][0]
    response = client.post(
        reverse("api_assembly_check_out", args=[ga.pk]),
        {"membership_number": number},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["present"] is False


def test_a_member_not_entitled_is_a_400_naming_the_field_and_the_article(client_for, world, ga):
    unpaid = unpaid_member(world)
    response = client_for("officer").post(
        reverse("api_assembly_check_in", args=[ga.pk]),
        {"membership_number": unpaid.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "article 4" in response.json()["membership_number"][0]
    assert not Attendance.objects.exists()


def test_an_unknown_membership_number_is_a_400(client_for, world, ga):
    response = client_for("officer").post(
        reverse("api_assembly_check_in", args=[ga.pk]),
        {"membership_number": "NOPE"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "NOPE" in response.json()["membership_number"][0]


@pytest.mark.parametrize("name", ["api_assembly_check_in", "api_assembly_check_out"])
def test_auditors_are_refused_at_the_door(client_for, world, ga, name):
    response = client_for("auditor").post(
        reverse(name, args=[ga.pk]),
        {"membership_number": world.member.member.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 403 and not Attendance.objects.exists()


def test_members_are_refused_at_the_door(client_for, world, ga):
    response = client_for("member").post(
        reverse("api_assembly_check_in", args=[ga.pk]),
        {"membership_number": world.member.member.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_attendance_list_is_for_officers_staff_and_auditors(client_for, world, ga):
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    for role in ("officer", "staff", "auditor"):
        response = client_for(role).get(reverse("api_assembly_attendance", args=[ga.pk]))
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert row["membership_number"] == world.member.member.membership_number
    response = client_for("member").get(reverse("api_assembly_attendance", args=[ga.pk]))
    assert response.status_code == 403


def test_proxies_are_registered_listed_and_revoked(client_for, world, ga):
    giver, holder = voters(world, 2)
    client = client_for("officer")
    response = client.post(
        reverse("api_assembly_proxies", args=[ga.pk]),
        {"giver": giver.membership_number, "holder": holder.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 201
    proxy_id = response.json()["id"]
    listed = client.get(reverse("api_assembly_proxies", args=[ga.pk])).json()
    assert [p["id"] for p in listed] == [proxy_id]
    response = client.post(
        reverse("api_assembly_proxy_revoke", args=[proxy_id]),
        {"reason": "Will attend"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "revoked"


def test_a_proxy_over_the_limit_is_a_400_on_the_holder(client_for, world, ga):
    holder, *givers = voters(world, 4)
    for giver in givers[:2]:
        assemblies.register_proxy(actor=world.officer, assembly=ga, giver=giver, holder=holder)
    response = client_for("officer").post(
        reverse("api_assembly_proxies", args=[ga.pk]),
        {"giver": givers[2].membership_number, "holder": holder.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "article 9" in response.json()["holder"][0]
    assert AssemblyProxy.objects.count() == 2


def test_auditors_cannot_register_proxies(client_for, world, ga):
    giver, holder = voters(world, 2)
    response = client_for("auditor").post(
        reverse("api_assembly_proxies", args=[ga.pk]),
        {"giver": giver.membership_number, "holder": holder.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 403 and not AssemblyProxy.objects.exists()


def test_the_session_steps(client_for, world, ga):
    client = client_for("officer")
    assert client_for("auditor").post(reverse("api_assembly_open", args=[ga.pk])).status_code == 403
    client = client_for("officer")
    response = client.post(reverse("api_assembly_open", args=[ga.pk]))
    assert response.status_code == 200 and response.json()["status"] == "in_session"
    response = client.post(
        reverse("api_assembly_cancel", args=[ga.pk]),
        {"reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "cannot become cancelled" in response.json()["status"][0]
    response = client.post(reverse("api_assembly_close", args=[ga.pk]))
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_cancelling_needs_a_reason(client_for, world, ga):
    response = client_for("officer").post(
        reverse("api_assembly_cancel", args=[ga.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 400 and "reason" in response.json()
