"""The front door: allauth's pages and the error pages in the site's layout, translated."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_is_in_the_site_layout_and_offers_no_sign_up(client):
    response = client.get(reverse("account_login"))
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert 'class="auth-main"' in html
    assert reverse("account_signup") not in html
    assert "Sign Up" not in html
    assert 'for="id_login"' in html  # labelled fields, not placeholders alone


def test_the_sign_in_page_speaks_arabic(client):
    client.cookies["django_language"] = "ar"
    response = client.get(reverse("account_login"))
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "تسجيل الدخول" in html


def test_the_password_reset_page_is_in_the_site_layout_in_french(client):
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("account_reset_password")).content.decode()
    assert 'class="site-header"' in html
    assert "Réinitialisation du mot de passe" in html


def test_the_account_pages_have_the_account_menu(client_for):
    html = client_for("member").get(reverse("account_change_password")).content.decode()
    assert 'class="account-nav"' in html
    assert reverse("mfa_index") in html


def test_a_missing_page_is_a_translated_page_with_a_way_back(client):
    client.cookies["django_language"] = "fr"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Cette page n\u2019existe pas" in html
    assert f'href="{reverse("dashboard")}"' in html


def test_a_refused_page_says_why_and_offers_a_way_back(client_for):
    response = client_for("member").get(reverse("audit_log"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do this" in html
    assert "Nothing has been changed" in html
    assert 'class="site-header"' in html


def test_the_server_error_page_renders_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with translation.override("ar"), django_assert_num_queries(0):
        response = defaults.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert 'dir="rtl"' in html
    assert "500" in html
    assert f'href="{reverse("dashboard")}"' in html
