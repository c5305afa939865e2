"""Browser journey of a motion: drafted with the live preview, submitted, admitted, scheduled, put to
the vote by the chair, counted, and shown adopted with its decision."""

import datetime as dt

import pytest
from django.utils import timezone

from elections import services as elections
from motions.models import Motion
from tests.browser.test_foundation import console_errors_of, log_in
from tests.motions.conftest import gather_support, section  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_motion_goes_from_draft_to_adopted_decision_through_the_browser(
    page,
    live_server,
    section,  # noqa: F811
):
    console_errors = console_errors_of(page)
    # The proposer drafts, watching the preview number the paragraphs.
    log_in(page, live_server, section.proposer.email)
    page.goto(f"{live_server.url}/motions/new/")
    page.get_by_label("Kind").select_option("resolution")
    page.get_by_label("Deciding body").select_option("general-assembly")
    page.get_by_label("Meeting").select_option(str(section.assembly.pk))
    page.get_by_label("Title").fill("Abolish the death penalty")
    page.get_by_label("Text").fill(
        "The section campaigns for abolition.\n\nThe Board reports yearly."
    )
    page.wait_for_selector("#preview li:nth-child(2)")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Abolish the death penalty')")
    motion = Motion.objects.get()

    # Five members entitled to vote co-sponsor it; the proposer submits.
    gather_support(section, motion, 5)
    page.reload()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector("text=Submitted as ORG 52/")

    # The standing-orders committee declares it admissible.
    page.context.clear_cookies()
    log_in(page, live_server, section.standing_orders.email, code=True)
    page.goto(f"{live_server.url}/motions/{motion.pk}/")
    page.get_by_role("button", name="Declare admissible").click()
    page.wait_for_selector(".badge.status-admissible")

    # The chair puts it on the agenda and opens an online vote.
    page.context.clear_cookies()
    log_in(page, live_server, "officer@example.org", code=True)
    page.goto(f"{live_server.url}/motions/{motion.pk}/")
    page.get_by_role("button", name="Put on the agenda").click()
    page.wait_for_selector(".badge.status-scheduled")
    page.locator("summary", has_text="Put the motion itself to the vote").click()
    page.get_by_label("Vote").select_option("online")
    closes = timezone.localtime() + dt.timedelta(hours=2)
    page.get_by_label("Closes at").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Open the vote on the motion").click()
    page.wait_for_url("**/ballots/*/console/")
    motion.refresh_from_db()
    ballot = motion.ballot
    assert ballot.status == "open" and ballot.question == motion.final_text

    # Members vote (the voting journey itself is the voting engine's browser test). The
    # page's own requests (the vote banner) finish first: the in-memory SQLite database
    # of the tests takes one writer or readers, not both.
    page.wait_for_load_state("networkidle")
    for user in section.supporters[:5]:
        elections.cast_vote(actor=user, ballot=ballot, choices="yes")
    elections.cast_vote(actor=section.supporters[5], ballot=ballot, choices="no")

    # The chair closes and counts from the console, confirming each step on its own page.
    page.reload()
    # Each step waits for its page by URL: the console's turnout refresh may be in flight
    # when the link is clicked, and a loaded machine answers slowly.
    for step in ("close", "count"):
        page.locator(f"a[href$='/ballots/{ballot.pk}/{step}/confirm/']").click()
        page.wait_for_url(f"**/ballots/{ballot.pk}/{step}/confirm/")
        with page.expect_navigation():
            page.locator(f"form[action$='/ballots/{ballot.pk}/{step}/'] button").click()
    page.wait_for_selector(f"a[href$='/ballots/{ballot.pk}/publish/confirm/']")
    page.goto(f"{live_server.url}/motions/{motion.pk}/")
    page.wait_for_selector(".badge.status-adopted")
    motion.refresh_from_db()
    assert motion.status == "adopted"
    decision_link = page.locator(
        f"a[href*='{motion.decision.reference.replace(' ', '%20')}']"
    ).first
    assert "article 8" in page.content()
    decision_link.click()
    page.wait_for_selector(f"text={motion.decision.reference}")
    assert not console_errors, console_errors
