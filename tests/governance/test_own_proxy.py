"""A member gives (and withdraws) their own proxy for a meeting before it starts, within
the statutes' limit, on the meeting's page and through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.assemblies import services as assemblies
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import Assembly, AssemblyProxy, AuditEvent
from tests.factories import DuesFactory
from tests.governance.assembly_support import convene, voters

pytestmark = pytest.mark.django_db


#: The coming meeting's day: tomorrow, convened (by the platform) 40 days before it.
def coming_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def paid_for_the_meeting(*members) -> None:
    """Dues for the meeting's year too, when tomorrow is already next year."""
    for member in members:
        if not member.dues_payments.filter(year=coming_day().year).exists():
            DuesFactory(member=member, year=coming_day().year)


def entitled_voters(world, count: int):
    people = voters(world, count, with_accounts=True)
    paid_for_the_meeting(*people)
    return people


@pytest.fixture
def coming(world) -> Assembly:
    paid_for_the_meeting(world.member.member, world.other_officer.member)
    return convene(world.assembly_body, day=coming_day())


@pytest.fixture
def holder(world):
    return world.other_officer.member


def give(world, assembly, holder) -> AssemblyProxy:
    return assemblies.give_own_proxy(actor=world.member, assembly=assembly, holder=holder)


# --- the services ----------------------------------------------------------------------


def test_a_member_gives_their_own_proxy_before_the_meeting(world, coming, holder):
    proxy = give(world, coming, holder)
    assert (proxy.giver, proxy.holder, proxy.status) == (world.member.member, holder, "active")
    event = AuditEvent.objects.get(action="assembly.proxy_registered", object_id=str(proxy.pk))
    assert event.actor_id == world.member.pk
    assert event.new["rule"]["article"] == "9"


def test_the_statutes_limit_of_proxies_carried_applies(world, coming, holder):
    for giver in entitled_voters(world, 2):
        assemblies.give_own_proxy(actor=giver.user, assembly=coming, holder=holder)
    with pytest.raises(RuleViolation, match="article 9 allows at most 2"):
        give(world, coming, holder)
    assert not AssemblyProxy.objects.filter(giver=world.member.member).exists()


def test_a_proxy_cannot_be_given_once_the_meeting_has_started(world, holder):
    today = convene(world.assembly_body)
    assemblies.open_session(actor=world.officer, assembly=today)
    with pytest.raises(DomainError, match="before the meeting starts"):
        give(world, today, holder)


def test_a_proxy_to_oneself_is_refused(world, coming):
    with pytest.raises(DomainError, match="themselves"):
        give(world, coming, world.member.member)


def test_an_account_without_a_member_gives_no_proxy(world, coming, holder):
    with pytest.raises(NotAllowed):
        assemblies.give_own_proxy(actor=world.staff, assembly=coming, holder=holder)


def test_an_auditor_gives_no_proxy(world, coming, holder):
    with pytest.raises(NotAllowed):
        assemblies.give_own_proxy(actor=world.auditor, assembly=coming, holder=holder)


def test_the_giver_withdraws_their_proxy_before_the_meeting(world, coming, holder):
    proxy = assemblies.withdraw_own_proxy(actor=world.member, proxy=give(world, coming, holder))
    assert proxy.status == "revoked"
    assert AuditEvent.objects.filter(
        action="assembly.proxy_revoked", object_id=str(proxy.pk), actor_id=world.member.pk
    ).exists()


def test_only_the_giver_withdraws_a_proxy(world, coming, holder):
    proxy = give(world, coming, holder)
    with pytest.raises(NotAllowed):
        assemblies.withdraw_own_proxy(actor=world.other_officer, proxy=proxy)
    assert AssemblyProxy.objects.get(pk=proxy.pk).status == "active"


def test_a_proxy_cannot_be_withdrawn_by_the_giver_once_the_meeting_started(world, holder):
    today = convene(world.assembly_body)
    proxy = assemblies.register_proxy(
        actor=world.officer, assembly=today, giver=world.member.member, holder=holder
    )
    assemblies.open_session(actor=world.officer, assembly=today)
    with pytest.raises(DomainError, match="before the meeting starts"):
        assemblies.withdraw_own_proxy(actor=world.member, proxy=proxy)


# --- the meeting's page ----------------------------------------------------------------


def test_the_meeting_page_offers_the_member_a_proxy_with_the_limit(client_for, coming):
    response = client_for("member").get(reverse("assembly_detail", args=[coming.pk]))
    assert "Article 9 allows each member to carry at most 2 proxies." in response.text
    assert f'action="{reverse("assembly_own_proxy_give", args=[coming.pk])}"' in response.text


def test_the_meeting_page_stays_in_constant_queries_with_a_proxy_given(
    client_for, world, coming, holder, django_assert_max_num_queries
):
    give(world, coming, holder)
    client = client_for("member")
    with django_assert_max_num_queries(18):
        response = client.get(reverse("assembly_detail", args=[coming.pk]))
    assert "You have given your proxy to" in response.text
    assert holder.full_name in response.text


def test_a_member_gives_their_proxy_from_the_page(client_for, world, coming, holder):
    response = client_for("member").post(
        reverse("assembly_own_proxy_give", args=[coming.pk]),
        {"holder": holder.membership_number},
    )
    assert response.status_code == 302
    assert AssemblyProxy.objects.get(giver=world.member.member).holder == holder


def test_an_unknown_holder_number_is_a_form_error(client_for, world, coming):
    response = client_for("member").post(
        reverse("assembly_own_proxy_give", args=[coming.pk]), {"holder": "NOPE-1"}
    )
    assert response.status_code == 400
    assert "No member has this membership number." in response.text
    assert not AssemblyProxy.objects.exists()


def test_a_member_withdraws_their_proxy_from_the_page(client_for, world, coming, holder):
    proxy = give(world, coming, holder)
    response = client_for("member").post(reverse("assembly_own_proxy_withdraw", args=[proxy.pk]))
    assert response.status_code == 302
    assert AssemblyProxy.objects.get(pk=proxy.pk).status == "revoked"


def test_giving_a_proxy_by_get_is_not_allowed(client_for, coming):
    response = client_for("member").get(reverse("assembly_own_proxy_give", args=[coming.pk]))
    assert response.status_code == 405


def test_an_auditor_may_not_give_a_proxy_from_the_page(client_for, world, coming, holder):
    response = client_for("auditor").post(
        reverse("assembly_own_proxy_give", args=[coming.pk]),
        {"holder": holder.membership_number},
    )
    assert response.status_code == 403
    assert not AssemblyProxy.objects.exists()


def test_another_member_may_not_withdraw_the_proxy_from_the_page(client_for, world, coming, holder):
    proxy = give(world, coming, holder)
    response = client_for("other_officer").post(
        reverse("assembly_own_proxy_withdraw", args=[proxy.pk])
    )
    assert response.status_code == 403
    assert AssemblyProxy.objects.get(pk=proxy.pk).status == "active"


# --- the API ---------------------------------------------------------------------------


def test_the_api_gives_a_members_own_proxy(client_for, world, coming, holder):
    response = client_for("member").post(
        reverse("api_assembly_own_proxy", args=[coming.pk]),
        {"holder": holder.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["holder"] == holder.membership_number


def test_the_api_names_the_holder_over_the_limit(client_for, world, coming, holder):
    for giver in entitled_voters(world, 2):
        assemblies.give_own_proxy(actor=giver.user, assembly=coming, holder=holder)
    response = client_for("member").post(
        reverse("api_assembly_own_proxy", args=[coming.pk]),
        {"holder": holder.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "holder" in response.json()


def test_the_api_withdraws_the_proxy(client_for, world, coming, holder):
    proxy = give(world, coming, holder)
    response = client_for("member").post(
        reverse("api_assembly_own_proxy_withdraw", args=[proxy.pk]), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"


def test_staff_without_a_member_get_403_from_the_api(client_for, world, coming, holder):
    response = client_for("staff").post(
        reverse("api_assembly_own_proxy", args=[coming.pk]),
        {"holder": holder.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 403
