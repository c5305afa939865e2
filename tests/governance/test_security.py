"""CSRF on pages and on the session-authenticated API, the CSP header, the session cookie,
and the login's rate limits (per account, wide per address)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from elections import services
from tests.elections.conftest import draft_ballot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    """A logged-in browser whose CSRF checks are on (the test client turns them off)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(client: Client) -> str:
    client.get(reverse("dashboard"))  # any page that renders a form sets the cookie
    return client.cookies[settings.CSRF_COOKIE_NAME].value


# ---------------------------------------------------------------------------
# CSRF
# ---------------------------------------------------------------------------


def test_a_page_post_without_the_csrf_token_is_refused(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    client = browser(world.member)
    response = client.post(reverse("ballot_vote", args=[ballot.pk]), {"choice": "yes"})
    assert response.status_code == 403
    assert not ballot.participations.exists()


def test_a_page_post_with_the_csrf_token_goes_through(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    client = browser(world.member)
    token = csrf_token(client)
    response = client.post(
        reverse("ballot_vote", args=[ballot.pk]), {"choice": "yes", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert ballot.participations.count() == 1


def test_an_api_write_from_a_browser_session_without_the_csrf_token_is_refused(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    client = browser(world.member)
    url = reverse("api_ballot_vote", args=[ballot.pk])
    response = client.post(url, {"choices": "yes"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not ballot.participations.exists()
    token = csrf_token(client)
    response = client.post(
        url, {"choices": "yes"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


# ---------------------------------------------------------------------------
# Content Security Policy
# ---------------------------------------------------------------------------


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in header.split(";")
        if directive.strip()
    }


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("anonymous", "account_login"),
        ("member", "dashboard"),
        ("member", "ballot_list"),
        ("member", "api_docs"),
        ("officer", "assembly_list"),
    ],
)
def test_pages_carry_a_csp_that_allows_no_inline_script(client_for, role, url_name):
    response = client_for(role).get(reverse(url_name))
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    scripts = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # And the page does not rely on one: every <script> loads a file.
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)


# ---------------------------------------------------------------------------
# The session cookie and the login's rate limits
# ---------------------------------------------------------------------------


def login(client, email: str, password: str = "secret-pass-123"):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_the_session_cookie_is_http_only_and_same_site(client, world):
    login(client, world.member.email)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_failed_logins_on_one_account_do_not_lock_out_another(client, world):
    for _ in range(6):
        login(client, world.member.email, "wrong")
    assert login(Client(), world.officer.email).status_code == 302


def test_a_room_of_members_logs_in_from_one_address(world):
    """Everyone in a meeting room shares the NAT's address: no per-address refusal for 50."""
    for user in UserFactory.create_batch(50):
        assert login(Client(), user.email).status_code == 302
