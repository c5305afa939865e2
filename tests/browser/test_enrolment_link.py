"""Staff issue a member's second-factor enrolment link from the roll, in three languages."""

import pytest
from django.urls import reverse

from governance.demo import DEMO_ACCOUNTS
from governance.models import Member
from tests.browser.test_every_page import (
    LANGUAGES,
    SCREENSHOTS,
    WIDTHS,
    demo,  # noqa: F401  (the demo section, a fixture)
    log_in,
    serious_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_issue_an_enrolment_link_from_the_members_page(demo, browser, live_server):  # noqa: F811
    staff = next(a for a in DEMO_ACCOUNTS if a.email.startswith("staff"))
    member = Member.objects.filter(user__isnull=False).order_by("pk").first()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        log_in(page, live_server, staff)
        for language in LANGUAGES:
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{live_server.url}{reverse('member_detail', args=[member.pk])}")
                page.click("#second-factor ~ form button[type=submit]")
                page.wait_for_selector("input.copy-link")
                link = page.input_value("input.copy-link")
                assert "/accounts/" in link
                page.screenshot(
                    path=str(SCREENSHOTS / f"staff-{language}-{width}-enrolment-link.png"),
                    full_page=True,
                )
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"{language} {width}px: {scroll}px wide")
                problems += [f"{language} {width}px: {v}" for v in serious_violations(page)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
