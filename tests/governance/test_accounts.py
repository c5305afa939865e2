"""Login by e-mail, the second factor for privileged roles, rate limits, no open sign-up."""

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse

from tests.conftest import totp_code

pytestmark = pytest.mark.django_db


def login(client, email: str, password: str = "secret-pass-123"):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_member_logs_in_with_email_and_password(client, world):
    response = login(client, "member@example.org")
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_password_is_refused(client, world):
    response = login(client, "member@example.org", "wrong")
    assert response.status_code == 200
    assert client.get(reverse("dashboard")).status_code == 302


def test_officer_login_asks_for_the_second_factor(client, world):
    response = login(client, "officer@example.org")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard")).status_code == 302  # not logged in yet
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_wrong_second_factor_keeps_the_officer_out(client, world):
    login(client, "officer@example.org")
    client.post(
        reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"}
    )
    assert client.get(reverse("dashboard")).status_code == 302


def test_failed_logins_are_rate_limited(client, world):
    for _ in range(5):
        login(client, "member@example.org", "wrong")
    response = login(client, "member@example.org")
    assert response.status_code in (200, 429)
    assert client.get(reverse("dashboard")).status_code == 302


def test_sign_up_is_closed(client, world):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "a-Long-pass-99", "password2": "a-Long-pass-99"},
    )
    assert response.status_code in (200, 302)
    from governance.models import User

    assert not User.objects.filter(email="new@example.org").exists()


def test_password_reset_sends_an_email(client, world):
    client.post(reverse("account_reset_password"), {"email": "member@example.org"})
    assert len(mail.outbox) == 1
    assert "member@example.org" in mail.outbox[0].to


def test_the_session_user_comes_with_their_member(client, world, django_assert_num_queries):
    """One query reads the logged-in account and its member (governance/accounts/auth.py)."""
    login(client, "member@example.org")
    request = client.get(reverse("dashboard")).wsgi_request
    del request._cached_user  # read it again from the session
    with django_assert_num_queries(1):
        user = get_user(request)
        assert user.member.email == "member@example.org"
