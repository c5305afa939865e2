"""The count of a secret ballot waits for the task worker's tally (issue 15).

Closing queues `elections.tasks.prepare_tally`; the count decrypts only a tally the worker
has mixed (or added up), never preparing it in its own request (about 30 s of CPU at
10,000 voters). While the tally waits, mixes or has failed, the count step's guard
(`lifecycle.hindrance`) refuses it with the same sentence on the service, the page (a
message on the console, never a 500) and the API (a 400), and the console's Count button is
disabled with it; nothing is written, not even an audit event.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from elections import ballot_box, services, tasks
from elections.models import Ballot, BallotBox, BallotPaper
from governance import lifecycle
from governance.exceptions import DomainError
from governance.models import AuditEvent, Decision
from tests.elections.conftest import draft_ballot
from tests.elections.test_tally_task import voted_election
from tests.factories import close_and_tally

pytestmark = pytest.mark.django_db

TALLY = BallotBox.TallyState

REFUSALS = {
    TALLY.WAITING: "The tally is waiting for the task worker: the ballot can be counted once "
    "the tally is mixed.",
    TALLY.MIXING: "The task worker is still preparing the tally: the ballot can be counted "
    "once the tally is mixed.",
    TALLY.FAILED: "The tally failed, so the ballot cannot be counted: prepare the tally again "
    "(the console says why it failed).",
}


def closed_in(world, state) -> Ballot:
    """A secret election closed without its task run, its tally left in `state`."""
    ballot = voted_election(world)
    services.close_ballot(actor=world.officer, ballot=ballot)  # the task not run
    BallotBox.objects.filter(ballot=ballot).update(tally_state=state)
    return Ballot.objects.get(pk=ballot.pk)


def written(ballot) -> tuple:
    """What a count would write: the events, the papers, the decision, the box's tally."""
    box = BallotBox.objects.get(ballot=ballot)
    return (
        AuditEvent.objects.count(),
        BallotPaper.objects.filter(ballot=ballot).count(),
        Decision.objects.count(),
        Ballot.objects.get(pk=ballot.pk).status,
        box.tally_state,
        box.tally,
    )


@pytest.fixture
def no_mix_here(monkeypatch):
    """The count's request must never prepare the tally (totals or mix)."""
    monkeypatch.setattr(
        ballot_box, "prepare_tally", lambda *a: pytest.fail("the count prepared the tally")
    )


@pytest.mark.parametrize("state", [TALLY.WAITING, TALLY.MIXING, TALLY.FAILED])
def test_the_service_refuses_the_count_until_the_tally_is_mixed(world, no_mix_here, state):
    ballot = closed_in(world, state)
    before = written(ballot)
    assert before[3:5] == (Ballot.Status.CLOSED, state)
    with pytest.raises(DomainError) as refused:
        services.count_ballot(actor=world.officer, ballot=ballot)
    assert refused.value.message == REFUSALS[state]
    assert written(ballot) == before  # nothing changed, the audit log neither
    step = services.BALLOT.steps["count"]
    assert lifecycle.hindrance(step, ballot) == REFUSALS[state]


@pytest.mark.parametrize("state", [TALLY.WAITING, TALLY.MIXING, TALLY.FAILED])
def test_the_page_refuses_the_count_with_a_message(client_for, world, no_mix_here, state):
    ballot = closed_in(world, state)
    before = written(ballot)
    client = client_for("officer")
    response = client.post(reverse("ballot_action", args=[ballot.pk, "count"]), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("ballot_console", args=[ballot.pk]), 302)]
    text = response.content.decode()
    assert REFUSALS[state] in text
    assert "The ballot is counted" not in text
    # The confirmation page sends back to the console with the same sentence.
    confirm = client.get(reverse("ballot_confirm", args=[ballot.pk, "count"]), follow=True)
    assert confirm.redirect_chain == [(reverse("ballot_console", args=[ballot.pk]), 302)]
    assert REFUSALS[state] in confirm.content.decode().replace("&#x27;", "'")
    assert written(ballot) == before


@pytest.mark.parametrize("state", [TALLY.WAITING, TALLY.MIXING, TALLY.FAILED])
def test_the_api_refuses_the_count_with_a_400(client_for, world, no_mix_here, state):
    ballot = closed_in(world, state)
    before = written(ballot)
    response = client_for("officer").post(
        reverse("api_ballot_count", args=[ballot.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == REFUSALS[state]
    assert written(ballot) == before


def test_the_count_goes_ahead_once_the_task_has_mixed(world, client_for):
    ballot = closed_in(world, TALLY.WAITING)
    box = BallotBox.objects.get(ballot=ballot)
    assert tasks.prepare_tally.call(box.pk) == TALLY.MIXED  # the worker's run
    response = client_for("officer").post(
        reverse("api_ballot_count", args=[ballot.pk]), {}, content_type="application/json"
    )
    assert response.json() == {"id": ballot.pk, "status": "counted"}
    ballot.refresh_from_db()
    assert ballot.decision is not None and ballot.result["encrypted"]["decrypted"] == "mix"
    assert BallotPaper.objects.filter(ballot=ballot).count() == 3


def test_the_count_does_not_prepare_a_tally_the_worker_has_mixed(world, monkeypatch):
    ballot = voted_election(world)
    close_and_tally(actor=world.officer, ballot=ballot)
    tally = BallotBox.objects.get(ballot=ballot).tally
    monkeypatch.setattr(ballot_box, "prepare_tally", lambda *a: pytest.fail("mixed again"))
    services.count_ballot(actor=world.officer, ballot=ballot)
    assert BallotBox.objects.get(ballot=ballot).tally == tally


def test_a_retried_tally_is_counted_once_the_worker_has_mixed_it(world, monkeypatch):
    ballot = voted_election(world)
    monkeypatch.setattr(ballot_box, "prepare_tally", lambda *a: 1 / 0)
    close_and_tally(actor=world.officer, ballot=ballot)
    monkeypatch.undo()
    with pytest.raises(DomainError, match="The tally failed"):
        services.count_ballot(actor=world.officer, ballot=ballot)
    services.retry_tally(actor=world.officer, ballot=ballot)  # its task not run yet
    with pytest.raises(DomainError, match="waiting for the task worker"):
        services.count_ballot(actor=world.officer, ballot=ballot)
    tasks.prepare_tally.call(BallotBox.objects.get(ballot=ballot).pk)
    assert services.count_ballot(actor=world.officer, ballot=ballot).status == "counted"


def test_a_ballot_that_is_not_secret_is_counted_without_a_tally(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world, secret=False))
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    services.close_ballot(actor=world.officer, ballot=ballot)
    assert services.count_ballot(actor=world.officer, ballot=ballot).status == "counted"


def test_the_retry_guard_asks_for_a_failed_or_stuck_tally(world):
    ballot = closed_in(world, TALLY.WAITING)
    retry = services.BALLOT.steps["retry_tally"]
    assert lifecycle.hindrance(retry, ballot) == "Only a tally that failed can be tried again."
    for state in (TALLY.FAILED, TALLY.MIXING):
        BallotBox.objects.filter(ballot=ballot).update(tally_state=state)
        assert lifecycle.hindrance(retry, Ballot.objects.get(pk=ballot.pk)) == ""


def test_the_console_retries_a_tally_stuck_in_mixing(client_for, world):
    ballot = closed_in(world, TALLY.MIXING)  # its worker died: nobody holds the box
    client = client_for("officer")
    console = client.get(reverse("ballot_console", args=[ballot.pk])).content.decode()
    assert "the task worker may have died" in console
    response = client.post(reverse("ballot_action", args=[ballot.pk, "retry_tally"]), follow=True)
    assert "The tally is prepared again by the task worker." in response.content.decode()
    assert BallotBox.objects.get(ballot=ballot).tally_state == TALLY.WAITING


@pytest.mark.parametrize(
    "language, words",
    [
        ("fr", "Le dépouillement attend le processus"),
        ("ar", "ينتظر الفرز العامل الخلفي"),
    ],
)
def test_the_refusal_is_translated(world, language, words):
    ballot = closed_in(world, TALLY.WAITING)
    with translation.override(language), pytest.raises(DomainError) as refused:
        services.count_ballot(actor=world.officer, ballot=ballot)
    assert words in refused.value.message
