"""My account: the roll's facts read-only, the member's own language stored, audited and
applied (pages after each login, every request after, the ballots' e-mails), in the pages
and the API."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse

from elections import services as elections
from governance import services
from governance.exceptions import DomainError
from governance.models import AuditEvent, Member
from tests.elections.conftest import draft_ballot

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's


def language_events():
    return AuditEvent.objects.filter(action="member.language_changed")


# --- The service ---------------------------------------------------------------------------


def test_a_member_sets_their_own_language_once_audited(world):
    member = services.set_own_language(actor=world.member, language="ar")
    assert member.language == "ar"
    assert Member.objects.get(pk=member.pk).language == "ar"
    event = language_events().get()
    assert (event.actor, event.old, event.new) == (
        world.member,
        {"language": ""},
        {"language": "ar"},
    )
    services.set_own_language(actor=world.member, language="ar")  # no change: no event
    assert language_events().count() == 1


@pytest.mark.parametrize("language", ["es", "", "AR", "fr-ca"])
def test_only_the_three_languages_of_the_platform_are_taken(world, language):
    with pytest.raises(DomainError) as refused:
        services.set_own_language(actor=world.member, language=language)
    assert refused.value.field == "language"
    assert Member.objects.get(pk=world.member.member.pk).language == ""
    assert not language_events().exists()


def test_an_account_off_the_roll_has_no_language_to_store(world):
    with pytest.raises(DomainError, match="not on the membership roll") as refused:
        services.set_own_language(actor=world.staff, language="fr")
    assert refused.value.field == "language"
    assert not language_events().exists()


def test_an_auditor_sets_their_own_language_it_is_not_the_record(world):
    services.set_own_language(actor=world.auditor, language="fr")
    assert Member.objects.get(user=world.auditor).language == "fr"


# --- The page ------------------------------------------------------------------------------


def test_the_page_shows_the_roll_and_saves_the_language(client_for, world):
    member = world.member.member
    client = client_for("member")
    page = client.get(reverse("account_profile")).content.decode()
    for fact in (member.full_name, member.email, member.membership_number, "Rabat group"):
        assert fact in page
    assert 'value="ar"' in page and "العربيّة" in page and "Français" in page
    assert "<input" not in page.split('id="roll-facts"')[1].split("</section>")[0]  # read-only
    response = client.post(reverse("account_profile"), {"language": "ar"})
    assert response.status_code == 302 and response.url == reverse("account_profile")
    assert response.cookies["django_language"].value == "ar"
    assert Member.objects.get(pk=member.pk).language == "ar"
    page = client.get(reverse("account_profile")).content.decode()
    assert 'lang="ar"' in page and 'dir="rtl"' in page
    assert "حُفظت لغتك" in page  # "Your language is saved.", in the language chosen


def test_a_bad_language_is_a_form_error_and_nothing_is_written(client_for, world):
    response = client_for("member").post(reverse("account_profile"), {"language": "es"})
    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not language_events().exists()


def test_an_account_off_the_roll_sees_its_address_and_no_language_form(client_for, world):
    client = client_for("staff")
    page = client.get(reverse("account_profile")).content.decode()
    assert world.staff.email in page and "not on the membership roll" in page
    assert 'name="language" value="fr"' not in page.split("<main")[1]
    response = client.post(reverse("account_profile"), {"language": "fr"})
    assert response.status_code == 400
    assert "not on the membership roll" in response.context["form"].errors["language"][0]


def test_the_user_menu_links_to_the_page(client_for, world):
    page = client_for("member").get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("account_profile")}" class="account-link"' in page
    assert (
        reverse("account_profile")
        in client_for("member").get(reverse("account_email")).content.decode()
    )


def test_the_page_runs_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries
):
    client = client_for("member")
    client.get(reverse("account_profile"))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("account_profile")).status_code == 200


# --- Applied on login and on every request -------------------------------------------------


def test_the_login_applies_the_members_language(client, world):
    Member.objects.filter(user=world.member).update(language="fr")
    client.cookies["django_language"] = "ar"  # chosen on the login page, before signing in
    response = client.post(
        reverse("account_login"), {"login": world.member.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    page = client.get(reverse("dashboard")).content.decode()
    assert 'lang="fr"' in page


def test_every_request_follows_the_choice_made_on_another_device(client_for, world):
    client = client_for("member")
    client.cookies["django_language"] = "en"
    services.set_own_language(actor=world.member, language="ar")  # on the phone, say
    response = client.get(reverse("dashboard"))
    assert 'lang="ar"' in response.content.decode()
    assert response["Content-Language"] == "ar"
    assert response.cookies["django_language"].value == "ar"
    again = client.get(reverse("dashboard"))
    assert "django_language" not in again.cookies  # the cookie agrees now: not set again


def test_a_member_with_no_choice_keeps_the_browsers_language(client_for, world):
    client = client_for("member")
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("dashboard"))
    assert 'lang="fr"' in response.content.decode() and "django_language" not in response.cookies


def test_the_header_switch_stores_a_members_choice(client_for, world):
    client = client_for("member")
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert Member.objects.get(user=world.member).language == "fr"
    assert language_events().get().actor == world.member
    anonymous = client_for("anonymous")
    response = anonymous.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.cookies["django_language"].value == "ar"
    assert language_events().count() == 1


def test_the_ballots_emails_follow_the_members_choice(world, django_capture_on_commit_callbacks):
    services.set_own_language(actor=world.member, language="fr")
    ballot = draft_ballot(world)
    with django_capture_on_commit_callbacks(execute=True):
        elections.open_ballot(actor=world.officer, ballot=ballot)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[world.member.member.email].subject.startswith("Vote ouvert")
    assert by_address[world.officer.member.email].subject.startswith("Vote open")


# --- The API -------------------------------------------------------------------------------


def test_the_api_reads_and_patches_my_language(client_for, world):
    client = client_for("member")
    url = reverse("api_me")
    member = world.member.member
    body = client.get(url).json()
    assert body == {
        "email": world.member.email,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "membership_number": member.membership_number,
        "unit": {"code": "rabat", "name": "Rabat group"},
        "language": "",
    }
    response = client.patch(url, json.dumps({"language": "ar"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["language"] == "ar"
    assert Member.objects.get(pk=member.pk).language == "ar"
    assert language_events().get().actor == world.member


@pytest.mark.parametrize("payload", [{"language": "es"}, {"language": 3}, {}])
def test_the_api_refuses_a_bad_language_with_a_field_message(client_for, world, payload):
    response = client_for("member").patch(
        reverse("api_me"), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["language"] and response.json()["detail"]
    assert not language_events().exists()


def test_the_api_says_why_an_account_off_the_roll_has_no_language(client_for, world):
    client = client_for("staff")
    assert client.get(reverse("api_me")).json()["membership_number"] is None
    response = client.patch(
        reverse("api_me"), json.dumps({"language": "fr"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "not on the membership roll" in response.json()["language"][0]


def test_the_api_runs_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries
):
    client = client_for("member")
    with django_assert_max_num_queries(4):
        assert client.get(reverse("api_me")).status_code == 200
