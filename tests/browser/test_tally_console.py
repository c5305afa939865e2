"""The officers' console follows a secret ballot's tally in the task worker: a failure says
why and offers the retry; while the worker mixes, the state is polled (htmx, no inline
script) and the page refreshes once it is mixed. English and Arabic, desktop and phone."""

import pytest
from django.urls import reverse

from elections import ballot_box, services
from elections.models import BallotBox
from tests.browser.test_every_page import SCREENSHOTS
from tests.browser.test_foundation import console_errors_of, log_in
from tests.elections.conftest import draft_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_console_shows_a_failed_tally_retries_it_and_follows_the_mix(
    page, live_server, world, monkeypatch
):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    for user, ranking in ((world.member, ["c1", "c2"]), (world.officer, ["c2"])):
        services.cast_vote(actor=user, ballot=ballot, choices=ranking)
    monkeypatch.setattr(ballot_box, "prepare_tally", lambda *a: 1 / 0)
    # No test transaction here: the close commits and the immediate backend runs the task.
    services.close_ballot(actor=world.officer, ballot=ballot)
    assert BallotBox.objects.get(ballot=ballot).tally_state == "failed"
    monkeypatch.undo()

    console_errors = console_errors_of(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server, "officer@example.org", code=True)
    url = f"{live_server.url}{reverse('ballot_console', args=[ballot.pk])}"
    page.goto(url)
    tally = page.locator("#tally")
    assert "An unexpected error (ZeroDivisionError) stopped it" in tally.inner_text()
    page.screenshot(path=SCREENSHOTS / "tally-failed-en-1280.png", full_page=True)
    tally.get_by_role("button", name="Prepare the tally again").click()
    page.wait_for_url(url)
    assert (
        "The papers are mixed, with the proof of the shuffle" in page.locator("#tally").inner_text()
    )

    # The worker mixing: the Arabic phone page polls, and refreshes itself once mixed.
    BallotBox.objects.filter(ballot=ballot).update(tally_state="mixing")
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(url)
    assert page.locator("#tally[hx-get]").count() == 1
    page.screenshot(path=SCREENSHOTS / "tally-mixing-ar-390.png", full_page=True)
    BallotBox.objects.filter(ballot=ballot).update(tally_state="mixed")
    page.wait_for_selector("#tally:not([hx-get])", timeout=15_000)
    assert "خُلطت الأوراق" in page.locator("#tally").inner_text()
    page.screenshot(path=SCREENSHOTS / "tally-mixed-ar-390.png", full_page=True)
    assert console_errors == [], console_errors
