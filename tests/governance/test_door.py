"""The door: its count of members present follows each check-in and refreshes by itself,
and a search by several words finds the members matching all of them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance.assemblies import services as assemblies
from governance.models import Assembly, Member
from tests.factories import MemberFactory
from tests.governance.assembly_support import convene, voters

pytestmark = pytest.mark.django_db


@pytest.fixture
def ga(world) -> Assembly:
    return convene(world.assembly_body, title="Ordinary General Assembly")


def test_a_check_in_updates_the_count_of_members_present(client_for, world, ga):
    for member in voters(world, 2):
        assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    response = client_for("staff").post(
        reverse("assembly_check_in", args=[ga.pk]),
        {"member": world.member.member.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="door-count"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "3 members present" in response.text


def test_a_check_out_updates_the_count_too(client_for, world, ga):
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    response = client_for("staff").post(
        reverse("assembly_check_out", args=[ga.pk]),
        {"member": world.member.member.pk},
        headers={"HX-Request": "true"},
    )
    assert "0 members present" in response.text


def test_the_count_refreshes_by_itself_in_few_queries(
    client_for, world, ga, django_assert_max_num_queries
):
    page = client_for("staff").get(reverse("assembly_door", args=[ga.pk]))
    assert 'hx-trigger="every 10s"' in page.text
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    client = client_for("staff")
    with django_assert_max_num_queries(10):
        response = client.get(
            reverse("assembly_door", args=[ga.pk]),
            headers={"HX-Request": "true", "HX-Target": "door-count"},
        )
    body = response.text.strip()
    assert body.startswith('<p class="door-count" id="door-count"')
    assert "1 member present" in body and "door-results" not in body


def test_a_search_by_first_and_last_name_finds_only_who_matches_both(client_for, world, ga):
    salma = MemberFactory(unit=world.group, first_name="Salma", last_name="Tazi")
    MemberFactory(unit=world.group, first_name="Salma", last_name="Alaoui")
    MemberFactory(unit=world.group, first_name="Youssef", last_name="Tazi")
    response = client_for("staff").get(reverse("assembly_door", args=[ga.pk]), {"q": "salma tazi"})
    assert [member.pk for member in response.context["results"]] == [salma.pk]


def test_the_roll_search_needs_every_word_too(world):
    salma = MemberFactory(unit=world.group, first_name="Salma", last_name="Tazi")
    MemberFactory(unit=world.group, first_name="Salma", last_name="Alaoui")
    assert list(Member.objects.search("Tazi Salma")) == [salma]


def test_a_membership_number_still_finds_its_member(world):
    member = world.member.member
    assert list(Member.objects.search(member.membership_number)) == [member]
