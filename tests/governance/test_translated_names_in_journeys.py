"""The names officers translated show on the journey pages too (the member page, the
confirmation pages, the door, the projector, the motions list and the invitation e-mail),
inside <bdi>, in the reader's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from elections import services as elections
from governance import services
from governance.assemblies import services as assemblies
from governance.exceptions import RuleViolation
from governance.models import Mandate
from tests.elections.conftest import draft_ballot
from tests.governance.assembly_support import convene, voters

pytestmark = pytest.mark.django_db

BOARD_AR = "المكتب التنفيذي للفرع"
GROUP_AR = "مجموعة الرباط"
GA_AR = "الجمع العام العادي"


@pytest.fixture
def translated(world):
    services.translate_names(
        actor=world.staff, obj=world.board, language="ar", values={"name": BOARD_AR}
    )
    services.translate_names(
        actor=world.staff, obj=world.group, language="ar", values={"name": GROUP_AR}
    )
    ga = convene(world.assembly_body, title="Ordinary General Assembly")
    services.translate_names(actor=world.staff, obj=ga, language="ar", values={"title": GA_AR})
    return ga


def arabic(client):
    client.cookies["django_language"] = "ar"
    return client


def test_the_member_page_names_the_unit_and_the_bodies_in_the_readers_language(
    world, client_for, translated
):
    member = world.officer.member
    assert Mandate.objects.filter(member=member, body=world.board).exists()
    page = arabic(client_for("staff")).get(reverse("member_detail", args=[member.pk])).text
    assert f"<bdi>{GROUP_AR}</bdi>" in page
    assert f"<bdi>{BOARD_AR}</bdi>" in page
    assert "Rabat group" not in page


def test_the_confirmation_and_meeting_pages_show_translated_names(world, client_for, translated):
    ga = translated
    ballot = elections.open_ballot(
        actor=world.officer, ballot=draft_ballot(world, body=world.board)
    )
    client = arabic(client_for("officer"))
    confirm = client.get(reverse("ballot_confirm", args=[ballot.pk, "close"])).text
    assert f"<bdi>{BOARD_AR}</bdi>" in confirm
    for url in (
        reverse("assembly_door", args=[ga.pk]),
        reverse("assembly_projector", args=[ga.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert GA_AR in page.text
        assert "Ordinary General Assembly" not in page.text


@override_settings(LANGUAGE_CODE="ar")
def test_the_invitation_names_the_body_in_the_sections_language(
    world, translated, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        elections.open_ballot(actor=world.officer, ballot=draft_ballot(world, body=world.board))
    assert mail.outbox
    assert BOARD_AR in mail.outbox[0].body


def test_the_doors_title_isolates_the_translated_meeting_title(world, client_for, translated):
    page = arabic(client_for("officer")).get(reverse("assembly_door", args=[translated.pk])).text
    assert f'<bdi class="user-text">{GA_AR}</bdi>' in page


def test_the_doors_refusal_names_the_body_in_the_readers_language(world, translated):
    board_meeting = convene(world.board, title="Board meeting")
    outsider = voters(world, 1)[0]
    with translation.override("ar"), pytest.raises(RuleViolation) as refused:
        assemblies.check_in(actor=world.officer, assembly=board_meeting, member=outsider)
    assert BOARD_AR in str(refused.value)
    assert world.board.name not in str(refused.value)
