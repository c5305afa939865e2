"""Browser journeys of the foundation: logging in with a second factor, Arabic right to left."""

import pytest

from tests.conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email: str, code: bool = False) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "secret-pass-123")
    page.click("main form button[type=submit]")
    if code:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.fill("input[name=code]", totp_code())
        page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def console_errors_of(page) -> list[str]:
    """The errors the page's console reports from now on, each with its source and page."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and errors.append(f"{message.text} {message.location.get('url')} on {page.url}")
        ),
    )
    return errors


def test_member_dashboard_in_arabic_is_right_to_left(page, live_server, world, tmp_path):
    log_in(page, live_server, "member@example.org")
    page.select_option("#language-select-wide", "ar")
    page.click(".header-bar > .header-tools .language-switch button")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    page.screenshot(path=str(tmp_path / "dashboard-ar.png"), full_page=True)
    # The header's tools sit on the left in RTL: the brand starts on the right.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > 640


def test_officer_logs_in_with_the_second_factor_and_reads_the_register(page, live_server, world):
    log_in(page, live_server, "officer@example.org", code=True)
    page.click(".site-nav >> text=Decisions")
    page.wait_for_url("**/decisions/")
    assert page.locator("h1").inner_text() == "Decision register"


def test_auditor_verifies_the_chain_with_htmx(page, live_server, world):
    log_in(page, live_server, "auditor@example.org", code=True)
    page.goto(f"{live_server.url}/audit/")
    page.click("text=Verify the chain")
    page.wait_for_selector("#verification .ok")
    assert "The chain holds" in page.locator("#verification").inner_text()
