"""Browser journey of a voter: rank candidates without a mouse-only widget, keep the receipt, check it."""

import pytest

from elections import services
from elections.models import Ballot, BallotPaper, Participation
from tests.browser.test_foundation import console_errors_of, log_in
from tests.elections.boxes import decrypted_board
from tests.elections.conftest import draft_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_ranks_candidates_gets_a_receipt_and_finds_the_paper_after_publication(
    page, live_server, world
):
    election = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    console_errors = console_errors_of(page)
    log_in(page, live_server, "member@example.org")

    page.goto(f"{live_server.url}/ballots/")
    page.click(f"text={election.title}")
    page.wait_for_url(f"**/ballots/{election.pk}/")

    # A gap in the preferences is refused with the preference named, and nothing is recorded.
    page.get_by_label("Preference 2").select_option(label="Amina")
    page.locator(f"form[action$='/ballots/{election.pk}/vote/review/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "fill the preferences in order" in page.content()
    assert not Participation.objects.exists()

    # Keyboard only: focus the first preference list, choose, move on.
    first = page.get_by_label("Preference 1 (your first choice)")
    first.focus()
    first.select_option(label="Youssef")
    page.get_by_label("Preference 2").select_option(label="Amina")
    page.get_by_label("Preference 3").select_option(label="— no further preference —")
    page.locator(f"form[action$='/ballots/{election.pk}/vote/review/'] button[type=submit]").click()
    # The review step: the preferences in order, nothing cast yet.
    page.wait_for_selector("ol.paper")
    assert page.locator("ol.paper li").all_inner_texts() == ["Youssef", "Amina"]
    assert not Participation.objects.exists()
    page.get_by_role("button", name="Cast my vote").click()
    page.wait_for_selector(".receipt-code code")
    code = page.locator(".receipt-code code").inner_text().strip()
    assert len(code) >= 16
    assert Participation.objects.filter(ballot=election).count() == 1
    assert not BallotPaper.objects.filter(ballot=election).exists()
    assert decrypted_board(election) == [{"ranking": ["c2", "c1"]}]

    # The ballot page now says the vote is in and offers no second vote.
    page.goto(f"{live_server.url}/ballots/{election.pk}/")
    assert page.locator(f"form[action$='/ballots/{election.pk}/vote/review/']").count() == 0

    for step in (services.close_ballot, services.count_ballot, services.publish_results):
        step(actor=world.officer, ballot=Ballot.objects.get(pk=election.pk))

    page.goto(f"{live_server.url}/ballots/receipt/")
    page.get_by_label("Receipt code").fill(code)
    page.locator("form.filters button[type=submit]").click()
    # The receipt is a tracker: it finds the encrypted paper on the board, never the vote.
    page.wait_for_selector("section[aria-live] h2")
    found = page.locator("section[aria-live]").inner_text()
    assert "Your encrypted paper is in the ballot box" in found
    assert "Youssef" not in found and code not in page.url
    # The only error the browser saw is the refused vote (400): no script or style refused by
    # the Content Security Policy, no missing resource.
    assert len(console_errors) == 1 and "status of 400" in console_errors[0], console_errors
