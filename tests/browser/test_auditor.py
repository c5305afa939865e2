"""Browser journey of an auditor: register filters, a decision's trail, the record as of a date,
the anomaly report and the chain, with no write button anywhere and no console error."""

import pytest
from django.utils import timezone

from governance.models import AuditEvent
from tests.browser.test_foundation import console_errors_of, log_in
from tests.governance.test_trail import counted_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_forms(page) -> int:
    """Forms that would post something, outside the header's language switch and log-out."""
    return page.locator("main form[method=post], main form[method=POST]").count()


def test_auditor_reads_the_trail_the_record_as_of_a_date_and_the_anomalies(
    page, live_server, world
):
    decision = counted_question(world, 2)
    events = AuditEvent.objects.count()
    log_in(page, live_server, "auditor@example.org", code=True)
    # Listened to from the dashboard on: allauth's own sign-in layout has no favicon link,
    # so Chromium may ask for /favicon.ico there (a 404 that is not the auditors' pages').
    console_errors = console_errors_of(page)

    # The register, filtered by body and outcome (htmx swaps the results in).
    page.click(".site-nav >> text=Decisions")
    page.wait_for_url("**/decisions/")
    page.get_by_label("Body").select_option("general-assembly")
    page.get_by_label("Outcome").select_option("adopted")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/decisions/?*body=general-assembly*")
    assert page.locator("#results tbody tr").count() == 1
    assert write_forms(page) == 0

    # The decision's trail: the ballot with its electorate and files, then the events.
    page.click(f"text={decision.reference}")
    page.wait_for_selector("#trail-ballot")
    ballot = page.locator("#trail-ballot").inner_text()
    assert "Electorate (frozen roll)" in ballot and "Papers for a recount (JSON)" in ballot
    actions = page.locator(".trail-events code").all_inner_texts()
    assert actions[:2] == ["ballot.created", "ballot.opened"] and "decision.recorded" in actions
    assert write_forms(page) == 0

    # The record as of today: the statutes in force and the Board's chair.
    page.click(".site-nav >> text=Audit log")
    page.click("text=As of a date")
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_selector("#as-of-bodies")
    assert "Statutes in force on" in page.locator("#as-of-statutes").inner_text()
    assert world.officer.member.last_name in page.locator("#as-of-bodies").inner_text()
    assert write_forms(page) == 0

    # The anomaly report: the question was closed a week early, before most had voted.
    page.click("text=Anomaly report")
    page.wait_for_selector("#anomalies .bad")
    report = page.locator("#anomalies").inner_text()
    assert "1 anomaly found" in report and "Ballot closed before its announced time" in report
    assert write_forms(page) == 0

    # The chain, verified from the audit log with htmx.
    page.click(".site-nav >> text=Audit log")
    page.click("text=Verify the chain")
    page.wait_for_selector("#verification .ok")
    assert f"{events} events verified" in page.locator("#verification").inner_text()

    # The ballot itself: the auditor reads it but is offered no step to take.
    page.goto(f"{live_server.url}/ballots/{decision.ballot.pk}/")
    assert write_forms(page) == 0
    assert page.locator("text=Open the ballot").count() == 0

    assert AuditEvent.objects.count() == events  # reading wrote nothing
    assert console_errors == []
