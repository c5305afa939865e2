"""A trustee takes their first step from their page, in three languages, desktop and phone:
the page says what is asked, a wrong file is a form error, the tool's file is accepted."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from elections import ballot_box, services, trustee
from elections.models import Ballot, Trustee
from governance.demo import DEMO_ACCOUNTS
from tests.browser.test_every_page import (
    LANGUAGES,
    SCREENSHOTS,
    WIDTHS,
    demo,  # noqa: F401  (the demo section, a fixture)
    log_in,
    serious_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def draft_secret_question(officer):
    """A draft secret question like the demo's, drafted by `officer` (a demo account) through
    the service, opening tomorrow: the ballot the trustee pages are shown on."""
    model = Ballot.objects.filter(secret=True, kind="question").order_by("pk").first()
    return services.create_ballot(
        actor=get_user_model().objects.get(email=officer.email),
        body=model.body,
        title="Adopt the financial report",
        question="Does the General Assembly adopt the financial report?",
        kind=model.kind,
        method=model.method,
        rule_scope=model.rule_scope,
        article=model.article,
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=8),
    )


def test_a_trustee_uploads_from_their_page(demo, browser, live_server, tmp_path):  # noqa: F811
    member, officer = DEMO_ACCOUNTS[0], DEMO_ACCOUNTS[1]
    users = get_user_model().objects
    ballot = draft_secret_question(officer)
    box = ballot_box.appoint_trustees(
        actor=users.get(email=officer.email),
        ballot=ballot,
        members=[users.get(email=member.email).member, users.get(email=officer.email).member],
        threshold_k=2,
    )
    mine = box.trustees.get(index=1)
    bad = tmp_path / "notes.json"
    bad.write_text("these are not the tool's files")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = f"{live_server.url}{reverse('trustee_home')}"
    try:
        log_in(page, live_server, member)
        for language in LANGUAGES:
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for width in WIDTHS:
                Trustee.objects.filter(pk=mine.pk).update(transport_key=None)
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(url)
                assert "elections.trustee init --index 1" in page.inner_text("pre.command")
                # The command keeps its one line (no "--ind|ex"): the block scrolls sideways
                # at phone width and the page itself does not.
                wide, shown, wrap = page.eval_on_selector(
                    "pre.command",
                    "e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).whiteSpace]",
                )
                assert wrap == "pre"
                if width < 500:
                    assert wide > shown
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                name = f"trustee-{language}-{width}"
                page.screenshot(path=str(SCREENSHOTS / f"{name}-asked.png"), full_page=True)
                page.set_input_files("input[type=file]", str(bad))
                page.click("form.trustee-upload button[type=submit]")
                page.wait_for_selector(".errorlist")
                page.screenshot(path=str(SCREENSHOTS / f"{name}-error.png"), full_page=True)
                problems += [f"{language} {width}px: {v}" for v in serious_violations(page)]
                public = tmp_path / f"transport-{language}-{width}.json"
                private = tmp_path / f"me-{language}-{width}.json"
                assert (
                    trustee.main(
                        ["init", "--index", "1", "--private", str(private), "--public", str(public)]
                    )
                    == 0
                )
                page.set_input_files("input[type=file]", str(public))
                page.click("form.trustee-upload button[type=submit]")
                page.wait_for_url(url)
                page.screenshot(path=str(SCREENSHOTS / f"{name}-done.png"), full_page=True)
                mine.refresh_from_db()
                assert mine.transport_key == json.loads(public.read_text())
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"{language} {width}px: {scroll}px wide")
                problems += [f"{language} {width}px: {v}" for v in serious_violations(page)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
