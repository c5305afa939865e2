"""The language of a member's e-mails: set by staff on the member's page, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance import services
from governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_staff_set_a_members_language_from_the_page_and_it_is_audited(client_for, world):
    member = world.member.member
    client = client_for("staff")
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert reverse("member_language", args=[member.pk]) in page
    assert "The section&#x27;s language" in page
    response = client.post(reverse("member_language", args=[member.pk]), {"language": "ar"})
    assert response.status_code == 302 and response.url == reverse(
        "member_detail", args=[member.pk]
    )
    member.refresh_from_db()
    assert member.language == "ar"
    event = AuditEvent.objects.get(action="member.language_changed")
    assert (event.old, event.new, event.actor) == (
        {"language": ""},
        {"language": "ar"},
        world.staff,
    )
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert '<option value="ar" selected>' in page


def test_the_three_shipped_languages_are_offered_and_no_other(client_for, world):
    member = world.member.member
    response = client_for("staff").post(
        reverse("member_language", args=[member.pk]), {"language": "es"}
    )
    assert response.status_code == 400
    assert "language" in response.context["language_form"].errors
    choices = [code for code, _ in response.context["language_form"].fields["language"].choices]
    assert choices == ["", "en", "fr", "ar"]
    member.refresh_from_db()
    assert (
        member.language == ""
        and not AuditEvent.objects.filter(action="member.language_changed").exists()
    )


def test_setting_the_language_a_member_has_writes_no_event(world):
    member = world.member.member
    services.set_member_language(actor=world.staff, member=member, language="fr")
    services.set_member_language(actor=world.staff, member=member, language="fr")
    assert AuditEvent.objects.filter(action="member.language_changed").count() == 1


def test_auditors_read_the_language_but_get_no_form(client_for, world):
    member = world.member.member
    page = client_for("auditor").get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "Language of the platform" in page
    assert reverse("member_language", args=[member.pk]) not in page


def test_the_roll_api_gives_each_members_language(client_for, world):
    member = world.member.member
    services.set_member_language(actor=world.staff, member=member, language="fr")
    rows = client_for("staff").get(reverse("api_members"), {"page_size": 500}).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    by_number = {row["membership_number"]: row["language"] for row in rows}
    assert by_number[member.membership_number] == "fr"
    assert set(by_number.values()) <= {"", "en", "fr", "ar"}
