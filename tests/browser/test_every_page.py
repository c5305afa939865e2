"""Every main page, for each role, in English, French and Arabic, at 1280 px and at 390 px.

On the demo section (the richest data the project has). Each page is saved as a screenshot
under ``test-results/screenshots/`` (an artefact of the run, not committed), must not scroll
sideways at either width, and passes axe-core's rules with no serious or critical violation
(axe runs in the page, from the ``axe-playwright-python`` package). One login per role; the
language is the cookie Django's LocaleMiddleware reads, the width the viewport's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from elections.models import Ballot
from governance.demo import DEMO_ACCOUNTS
from governance.models import Assembly, Body, Decision, Member
from motions.models import Motion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
LANGUAGES = ("en", "fr", "ar")
WIDTHS = (1280, 390)
PASSWORD = "demo-governance-2026"


def pages_for(role: str) -> dict[str, str]:
    """The main pages of a role, by a short name for the screenshot's file."""
    decision = Decision.objects.order_by("pk").first()
    assembly = Assembly.objects.order_by("starts_at").last()
    published = Ballot.objects.filter(status="published").order_by("pk").first()
    open_ballot = Ballot.objects.filter(status="open").order_by("pk").first()
    motion = Motion.objects.exclude(status="draft").order_by("pk").first()
    common = {
        "dashboard": reverse("dashboard"),
        "organisation": reverse("organisation"),
        "body": reverse("body_detail", args=["board"]),
        "statutes": reverse("statute_list"),
        "statute": reverse("statute_version", args=[1]),
        "article": reverse("article_detail", args=[1, "8"]),
        "decisions": reverse("decision_list"),
        "decision": reverse("decision_detail", args=[decision.reference]),
        "ballots": reverse("ballot_list"),
        "ballot": reverse("ballot_detail", args=[open_ballot.pk]),
        "results": reverse("ballot_results", args=[published.pk]),
        "assemblies": reverse("assembly_list"),
        "assembly": reverse("assembly_detail", args=[assembly.pk]),
        "motions": reverse("motion_list"),
        "motion": reverse("motion_detail", args=[motion.pk]),
        "account": reverse("account_change_password"),
    }
    if role == "member":
        return common
    if role == "officer":
        return {
            **common,
            "console": reverse("ballot_console", args=[open_ballot.pk]),
            "door": reverse("assembly_door", args=[assembly.pk]),
            "new-motion": reverse("motion_create"),
            "translate": reverse(
                "translate_names", args=["body", Body.objects.get(code="board").pk]
            ),
        }
    if role == "auditor":
        return {
            "dashboard": reverse("dashboard"),
            "decisions": reverse("decision_list"),
            "decision": reverse("decision_detail", args=[decision.reference]),
            "audit": reverse("audit_log"),
            "as-of": reverse("audit_as_of"),
            "anomalies": reverse("audit_anomalies"),
            "proofs": reverse("audit_checkpoint_check") + "?sequence=3#inclusion",
            "roll": reverse("member_roll"),
            "results": reverse("ballot_results", args=[published.pk]),
        }
    return {  # staff
        "dashboard": reverse("dashboard"),
        "roll": reverse("member_roll"),
        "member": reverse("member_detail", args=[Member.objects.order_by("pk").first().pk]),
        "import": reverse("member_import"),
        "audit": reverse("audit_log"),
        "organisation": reverse("organisation"),
    }


def log_in(page, live_server, account) -> None:
    from tests.conftest import totp_code

    page.goto(f"{live_server.url}{reverse('account_login')}")
    page.fill("input[name=login]", account.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    if account.totp_secret:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.fill("input[name=code]", totp_code(account.totp_secret))
        page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def visit_everything(page, live_server, name: str, urls: dict[str, str]) -> list[str]:
    """Every URL in each language and width: a screenshot, no sideways scroll, axe at 1280 px
    (in every language: the Arabic page is a different layout) and once at 390 px."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for language in LANGUAGES:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for label, url in urls.items():
                response = page.goto(f"{live_server.url}{url}")
                where = f"{name} {language} {width}px {url}"
                if response.status != 200:
                    problems.append(f"{where}: status {response.status}")
                    continue
                page.screenshot(
                    path=str(SCREENSHOTS / f"{name}-{language}-{width}-{label}.png"),
                    full_page=True,
                )
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"{where}: {scroll}px wide")
                if width == 1280 or language == "ar":
                    problems += [f"{where}: {v}" for v in serious_violations(page)]
    return problems


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize("role", ["member", "officer", "auditor", "staff"])
def test_every_main_page_of_a_role_is_finished_in_three_languages(role, demo, browser, live_server):
    account = next(a for a in DEMO_ACCOUNTS if a.email.startswith(role))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        log_in(page, live_server, account)
        problems = visit_everything(page, live_server, role, pages_for(role))
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_the_front_door_is_finished_in_three_languages(demo, browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    urls = {
        "login": reverse("account_login"),
        "password-reset": reverse("account_reset_password"),
    }
    try:
        problems = visit_everything(page, live_server, "visitor", urls)
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "url": live_server.url}]
        )
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/no-such-page/")
        page.screenshot(path=str(SCREENSHOTS / "visitor-en-1280-404.png"), full_page=True)
        problems += serious_violations(page)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
