"""A second factor is claimed only with a proof beyond the password: a code e-mailed to the
account's verified address, or an enrolment link from staff. The holder is told by e-mail and
the change is an audit event."""

from __future__ import annotations

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from governance.accounts import enrolment
from governance.models import AuditEvent
from tests.conftest import totp_code
from tests.factories import MandateFactory

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def new_officer(world):
    """A member who has just been given a mandate and has no second factor yet."""
    MandateFactory(member=world.member.member, body=world.board, role="treasurer")
    return world.member


def signed_in(user) -> Client:
    """Signed in with the password through the login form (which also counts as a recent
    authentication for allauth's reauthentication)."""
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "secret-pass-123"}
    )
    assert response.status_code == 302
    return client


def mailed_code() -> str:
    return re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)


def prove_by_email(client) -> None:
    client.post(reverse("mfa_enrolment_proof"), {"action": "send", "next": ACTIVATE})
    client.post(
        reverse("mfa_enrolment_proof"),
        {"action": "check", "code": mailed_code(), "next": ACTIVATE},
    )


def reauthenticated(client) -> Client:
    response = client.post(reverse("account_reauthenticate"), {"password": "secret-pass-123"})
    assert response.status_code == 302
    return client


def activate(client) -> None:
    reauthenticated(client)
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302


#: allauth tells the holder and sends its signal once the activation commits, in the request.
commits = pytest.mark.django_db(transaction=True)


def test_the_password_alone_no_longer_claims_an_officers_second_factor(new_officer):
    """The attack of the issue: log in, read the secret, post a code."""
    attacker = reauthenticated(signed_in(new_officer))
    # Sent to set up a second factor, and from there to the proof.
    response = attacker.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_enrolment_proof"))
    assert attacker.get(ACTIVATE)["Location"].startswith(reverse("mfa_enrolment_proof"))
    response = attacker.post(ACTIVATE, {"code": "123456"})
    assert response["Location"].startswith(reverse("mfa_enrolment_proof"))
    assert not Authenticator.objects.filter(user=new_officer).exists()


def test_the_code_goes_to_the_verified_address_and_opens_the_enrolment(new_officer):
    client = signed_in(new_officer)
    client.post(reverse("mfa_enrolment_proof"), {"action": "send", "next": ACTIVATE})
    assert mail.outbox[-1].to == [new_officer.email]
    wrong = client.post(
        reverse("mfa_enrolment_proof"), {"action": "check", "code": "00000000", "next": ACTIVATE}
    )
    assert wrong.status_code == 400 and "not the one we sent" in wrong.content.decode()
    right = client.post(
        reverse("mfa_enrolment_proof"),
        {"action": "check", "code": mailed_code(), "next": ACTIVATE},
    )
    assert right["Location"] == ACTIVATE
    assert reauthenticated(client).get(ACTIVATE).status_code == 200


def test_five_wrong_codes_use_the_code_up(new_officer):
    client = signed_in(new_officer)
    client.post(reverse("mfa_enrolment_proof"), {"action": "send"})
    code = mailed_code()
    for _ in range(5):
        client.post(reverse("mfa_enrolment_proof"), {"action": "check", "code": "00000000"})
    late = client.post(reverse("mfa_enrolment_proof"), {"action": "check", "code": code})
    assert "Too many wrong codes" in late.content.decode()
    assert client.get(ACTIVATE).status_code == 302


@commits
def test_enrolling_tells_the_holder_by_email_and_is_an_audit_event(new_officer):
    client = signed_in(new_officer)
    prove_by_email(client)
    mail.outbox.clear()
    activate(client)
    assert Authenticator.objects.filter(user=new_officer, type="totp").exists()
    assert any(message.to == [new_officer.email] for message in mail.outbox)
    event = AuditEvent.objects.get(action="account.second_factor_added", new__type="totp")
    assert event.actor_id == new_officer.pk and event.new["proof"] == "email"
    # The officer's tools open now.
    assert client.get(reverse("dashboard")).status_code == 200


@commits
def test_a_staff_enrolment_link_is_a_proof_for_its_account_only(world, new_officer):
    out = io.StringIO()
    call_command("issue_enrolment_link", new_officer.email, by=world.staff.email, stdout=out)
    link = out.getvalue().strip()
    path = link[link.index("/accounts/") :]
    assert AuditEvent.objects.filter(action="account.enrolment_link_issued").exists()

    other = Client()
    other.force_login(world.outsider)
    other.get(path)
    assert not enrolment.has_proof_for_session(other.session, world.outsider)

    client = signed_in(new_officer)
    assert client.get(path)["Location"] == ACTIVATE
    activate(client)
    event = AuditEvent.objects.get(action="account.second_factor_added", new__type="totp")
    assert event.new["proof"] == "staff link"


def test_only_staff_issue_enrolment_links(world, new_officer):
    with pytest.raises(CommandError, match="Only staff"):
        call_command(
            "issue_enrolment_link", new_officer.email, by=world.officer.email, stdout=io.StringIO()
        )


def test_a_forged_enrolment_link_is_refused(new_officer):
    client = signed_in(new_officer)
    response = client.get(reverse("mfa_enrolment_link", args=["forged"]), follow=True)
    assert "not valid or has expired" in response.content.decode()
    assert client.get(ACTIVATE).status_code == 302


@commits
def test_staff_issue_the_enrolment_link_from_the_members_page(world, new_officer):
    """The same link as the command, from the roll: shown once, never cached, audited."""
    member = new_officer.member
    staff = Client()
    staff.force_login(world.staff)
    page = staff.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert reverse("member_enrolment_link", args=[member.pk]) in page

    response = staff.post(reverse("member_enrolment_link", args=[member.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    link = re.search(r'value="([^"]+/accounts/[^"]+)"', response.content.decode()).group(1)
    event = AuditEvent.objects.get(action="account.enrolment_link_issued")
    assert event.actor_id == world.staff.pk and event.new == {"user": new_officer.email}

    client = signed_in(new_officer)
    assert client.get(link[link.index("/accounts/") :])["Location"] == ACTIVATE
    activate(client)
    event = AuditEvent.objects.get(action="account.second_factor_added", new__type="totp")
    assert event.new["proof"] == "staff link"


def test_a_member_without_an_account_gets_no_enrolment_link(world):
    from tests.factories import MemberFactory

    member = MemberFactory(unit=world.board.unit)
    staff = Client()
    staff.force_login(world.staff)
    response = staff.post(reverse("member_enrolment_link", args=[member.pk]))
    assert response.status_code == 400
    assert "has no account to enrol" in response.content.decode()
    assert not AuditEvent.objects.filter(action="account.enrolment_link_issued").exists()
