"""An officer names a secret ballot's trustees, in three languages, desktop and phone: the
page says what the statutes name, a threshold above the number of trustees is a form error,
a good choice goes back to the console, which shows k of n and who named them."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from elections.models import BallotBox
from governance.demo import DEMO_ACCOUNTS
from tests.browser.test_every_page import (
    LANGUAGES,
    SCREENSHOTS,
    WIDTHS,
    demo,  # noqa: F401  (the demo section, a fixture)
    log_in,
    serious_violations,
)
from tests.browser.test_trustee import draft_secret_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_names_the_trustees(demo, browser, live_server):  # noqa: F811
    officer = DEMO_ACCOUNTS[1]
    users = get_user_model().objects
    ballot = draft_secret_question(officer)
    numbers = [users.get(email=a.email).member.membership_number for a in DEMO_ACCOUNTS[:3]]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = f"{live_server.url}{reverse('ballot_trustees', args=[ballot.pk])}"
    console = f"{live_server.url}{reverse('ballot_console', args=[ballot.pk])}"
    try:
        log_in(page, live_server, officer)
        for language in LANGUAGES:
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for width in WIDTHS:
                name = f"trustee-appoint-{language}-{width}"
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(url)
                assert "16" in page.inner_text("#rule-title + p")  # the Control Committee's
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
                page.fill("textarea[name=members]", "\n".join(numbers[:2]))
                page.fill("input[name=threshold]", "3")
                page.click("form.trustees-form button[type=submit]")
                page.wait_for_selector(".errorlist")
                assert "(2)" in page.inner_text(".errorlist")
                page.screenshot(path=str(SCREENSHOTS / f"{name}-error.png"), full_page=True)
                problems += [f"{language} {width}px: {v}" for v in serious_violations(page)]
                page.fill("textarea[name=members]", "\n".join(numbers))
                page.fill("input[name=threshold]", "2")
                page.click("form.trustees-form button[type=submit]")
                page.wait_for_url(console)
                assert page.locator(".trustees-k").count() == 1
                page.screenshot(path=str(SCREENSHOTS / f"{name}-console.png"), full_page=True)
                box = BallotBox.objects.get(ballot=ballot)
                assert box.threshold == 2 and box.trustees.count() == 3
                for shown in (page,):
                    scroll = shown.evaluate("document.documentElement.scrollWidth")
                    if scroll > width:
                        problems.append(f"{language} {width}px: {scroll}px wide")
                problems += [f"{language} {width}px: {v}" for v in serious_violations(page)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
