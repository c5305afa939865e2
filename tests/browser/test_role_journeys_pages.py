"""The pages of the roles' new journeys in a real browser, in the three languages at 1280
and 390 px: none overflows the screen sideways, each is saved as a screenshot under
test-results/ (an artefact of the run, not committed) to be looked at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from elections import services as elections
from governance.assemblies import services as assemblies
from motions import services as motions
from motions.models import Motion
from tests.browser.test_foundation import log_in
from tests.elections.conftest import draft_ballot
from tests.factories import DuesFactory, MemberFactory
from tests.governance.assembly_support import convene, voters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"
WIDTHS = (1280, 390)
LANGUAGES = ("en", "fr", "ar")


def look_at(page, live_server, name: str, path: str) -> None:
    """The page in each language and width: no sideways overflow, a screenshot of each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(f"{live_server.url}{path}")
            assert response.status < 400, (path, response.status)
            assert page.get_attribute("html", "lang") == language
            page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = page.evaluate(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect()"
                ".right > document.documentElement.clientWidth + 1).map(e => e.tagName + '.' +"
                " e.className).slice(0, 5).join(' ')"
            )
            assert overflow <= 1, (
                f"{path} overflows by {overflow}px at {width}px in {language}: {wide}"
            )


def test_staff_pages_of_the_roll_and_dues(page, live_server, world):
    member = MemberFactory(unit=world.group, first_name="Salma", last_name="Tazi")
    DuesFactory(member=member, year=timezone.localdate().year - 1)
    log_in(page, live_server, "staff@example.org", code=True)
    look_at(page, live_server, "member", f"/members/{member.pk}/")
    look_at(page, live_server, "dues-import", "/members/dues/import/")
    look_at(page, live_server, "staff-dashboard", "/")


def test_officer_confirmation_pages(page, live_server, world):
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    elections.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    meeting = convene(world.assembly_body, title="Ordinary General Assembly")
    for person in voters(world, 3):
        assemblies.check_in(actor=world.officer, assembly=meeting, member=person)
    assemblies.open_session(actor=world.officer, assembly=meeting)
    log_in(page, live_server, "officer@example.org", code=True)
    look_at(page, live_server, "ballot-close", f"/ballots/{ballot.pk}/close/confirm/")
    look_at(page, live_server, "session-close", f"/assemblies/{meeting.pk}/close/confirm/")
    look_at(page, live_server, "door", f"/assemblies/{meeting.pk}/door/?q=Amina")


def test_member_review_proxy_and_statute_editor(page, live_server, world):
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for member in (world.member.member, world.other_officer.member):
        if tomorrow.year != timezone.localdate().year:
            DuesFactory(member=member, year=tomorrow.year)
    coming = convene(world.assembly_body, day=tomorrow, title="Extraordinary General Assembly")
    amendment = motions.create_motion(
        actor=world.member,
        kind=Motion.Kind.STATUTE_AMENDMENT,
        body=world.assembly_body,
        assembly=coming,
        title="Fewer proxies",
        text="The General Assembly amends article 9.",
        statute_changes=[{"action": "remove", "number": "16"}],
    )
    log_in(page, live_server, "member@example.org")
    look_at(page, live_server, "assembly-own-proxy", f"/assemblies/{coming.pk}/")
    look_at(
        page,
        live_server,
        "statute-editor",
        f"/motions/{amendment.pk}/statute-changes/?article=14&action=replace",
    )
    # The review step is the answer to a post: looked at once per language, at both widths.
    for language in LANGUAGES:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}/ballots/{ballot.pk}/")
            page.locator("input[name=choice][value=no]").check()
            page.locator(f"form[action$='/ballots/{ballot.pk}/vote/review/'] button").click()
            page.wait_for_selector(".danger-zone")
            page.screenshot(path=str(SHOTS / f"vote-review-{language}-{width}.png"), full_page=True)


def test_auditor_exports_page(page, live_server, world):
    log_in(page, live_server, "auditor@example.org", code=True)
    look_at(page, live_server, "exports", "/audit/export/")


def test_member_account_page_and_body_page_on_a_phone(page, live_server, world):
    """My account (roll facts, the language choice) and the body page, whose mandates table
    stacks its rows on a phone so the decision column is not cut off."""
    log_in(page, live_server, "member@example.org")
    look_at(page, live_server, "account-profile", "/accounts/profile/")
    look_at(page, live_server, "body-mandates", f"/bodies/{world.board.code}/")
    page.set_viewport_size({"width": 390, "height": 900})
    cell = page.locator("table.stack-on-phone td[data-label]").last
    assert cell.bounding_box()["x"] + cell.bounding_box()["width"] <= 390
    # Choosing Arabic there: the page answers right to left, and keeps it on the next page.
    page.goto(f"{live_server.url}/accounts/profile/")
    page.locator("input[name=language][value=ar]").check()
    page.locator("main form.stacked button[type=submit]").click()
    page.wait_for_selector("html[lang=ar][dir=rtl]")
    page.screenshot(path=str(SHOTS / "account-profile-saved-ar-390.png"), full_page=True)
    page.goto(f"{live_server.url}/")
    assert page.get_attribute("html", "lang") == "ar"
