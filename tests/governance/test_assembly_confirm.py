"""Closing a session is confirmed on its own page; a meeting whose day passed unopened is
shown as not held and offers no opening."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.assemblies import services as assemblies
from governance.models import Assembly
from tests.governance.assembly_support import convene, voters

pytestmark = pytest.mark.django_db


@pytest.fixture
def ga(world) -> Assembly:
    return convene(world.assembly_body, title="Ordinary General Assembly")


def in_session(world, ga, present: int = 2) -> Assembly:
    for member in voters(world, present):
        assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    return assemblies.open_session(actor=world.officer, assembly=ga)


def confirm_url(ga) -> str:
    return reverse("assembly_confirm", args=[ga.pk, "close"])


@pytest.mark.parametrize("present", [2, 20])
def test_the_close_confirmation_shows_the_room_and_what_cannot_be_undone(
    client_for, world, ga, django_assert_max_num_queries, present
):
    in_session(world, ga, present)
    client = client_for("officer")
    with django_assert_max_num_queries(16):
        response = client.get(confirm_url(ga))
    assert response.status_code == 200
    assert response.context["quorum"].present == present
    assert "A closed session cannot be opened again." in response.text
    assert f'action="{reverse("assembly_action", args=[ga.pk, "close"])}"' in response.text
    assert Assembly.objects.get(pk=ga.pk).status == "in_session"


def test_the_meeting_page_links_the_close_to_its_confirmation(client_for, world, ga):
    in_session(world, ga)
    response = client_for("officer").get(reverse("assembly_detail", args=[ga.pk]))
    assert f'href="{confirm_url(ga)}"' in response.text


def test_a_meeting_not_in_session_has_no_close_confirmation(client_for, ga):
    response = client_for("officer").get(confirm_url(ga))
    assert response.status_code == 302
    assert response["Location"] == reverse("assembly_detail", args=[ga.pk])


def test_only_the_close_has_a_confirmation_page(client_for, world, ga):
    in_session(world, ga)
    assert (
        client_for("officer").get(reverse("assembly_confirm", args=[ga.pk, "open"])).status_code
        == 404
    )


def test_a_member_may_not_see_the_close_confirmation(client_for, world, ga):
    in_session(world, ga)
    assert client_for("member").get(confirm_url(ga)).status_code == 403


def test_the_close_confirmation_takes_no_post(client_for, world, ga):
    in_session(world, ga)
    assert client_for("officer").post(confirm_url(ga)).status_code == 405
    assert Assembly.objects.get(pk=ga.pk).status == "in_session"


def test_a_meeting_whose_day_passed_unopened_is_shown_not_held(client_for, world):
    past = convene(world.assembly_body, day=timezone.localdate() - dt.timedelta(days=30))
    response = client_for("officer").get(reverse("assembly_detail", args=[past.pk]))
    assert "Not held: its day has passed" in response.text
    assert "Open the session" not in response.text
    assert "Cancel the meeting" in response.text


def test_a_meeting_still_to_come_offers_no_opening_yet(client_for, world):
    coming = convene(world.assembly_body, day=timezone.localdate() + dt.timedelta(days=45))
    response = client_for("officer").get(reverse("assembly_detail", args=[coming.pk]))
    assert "Open the session" not in response.text
    assert "Not held" not in response.text


def test_a_meeting_on_its_day_offers_the_opening(client_for, world, ga):
    response = client_for("officer").get(reverse("assembly_detail", args=[ga.pk]))
    assert "Open the session" in response.text
