"""A closed secret ballot's tally (totals or mix) is prepared by the task worker, not the close.

The close commits with the box waiting and enqueues `elections.tasks.prepare_tally` on
commit; the task moves it to mixing, then to mixed with the tally and its audit event, or to
failed with the reason and its own event. An officer sends a failed tally back to the worker
(the `retry_tally` step); a rerun or a duplicate task does nothing twice.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from elections import ballot_box, services, tasks
from elections.models import Ballot, BallotBox, Participation
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent
from tests.elections.conftest import add_voters, draft_ballot, draft_election
from tests.factories import close_and_tally

pytestmark = pytest.mark.django_db

TALLY = BallotBox.TallyState
#: The console's bound (tests/elections/test_pages.py, test_mailings.py).
MAX_QUERIES = 15


def voted_election(world, voters=0) -> Ballot:
    extra = add_voters(world, voters)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    rankings = [["c1", "c2"], ["c2"], ["c3", "c1"]]
    for user, ranking in zip(
        [world.member, world.officer, world.other_officer], rankings, strict=True
    ):
        services.cast_vote(actor=user, ballot=ballot, choices=ranking)
    for user in extra:
        services.cast_vote(actor=user, ballot=ballot, choices=["c1"])
    return ballot


def box_of(ballot) -> BallotBox:
    return BallotBox.objects.get(ballot=ballot)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def test_the_close_commits_waiting_and_the_task_runs_after_commit(
    world, django_capture_on_commit_callbacks
):
    ballot = voted_election(world)
    with django_capture_on_commit_callbacks() as callbacks:
        services.close_ballot(actor=world.officer, ballot=ballot)
    box = box_of(ballot)
    # Nothing was mixed in the close's transaction: the board waits for the worker.
    assert (box.tally_state, box.tally) == (TALLY.WAITING, None)
    assert len(callbacks) == 1 and not events("ballot.tally_prepared")
    callbacks[0]()  # the commit: the immediate backend runs the task in process
    box.refresh_from_db()
    assert box.tally_state == TALLY.MIXED and box.tally["kind"] == "mix"
    assert box.tally_error == ""
    [event] = events("ballot.tally_prepared")
    assert event.actor_id is None and event.actor_label == "system"
    assert event.new == {"kind": "mix", "papers": 3, "board_head": box.head}


def test_a_yes_no_ballot_has_its_totals_prepared_by_the_task(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    close_and_tally(actor=world.officer, ballot=ballot)
    box = box_of(ballot)
    assert box.tally_state == TALLY.MIXED and box.tally["kind"] == "totals"


def test_the_task_moves_the_box_to_mixing_before_the_work(world, monkeypatch):
    ballot = voted_election(world)
    services.close_ballot(actor=world.officer, ballot=ballot)
    seen = []
    real = ballot_box.prepare_tally

    def watching(box, entries):
        seen.append(BallotBox.objects.get(pk=box.pk).tally_state)
        return real(box, entries)

    monkeypatch.setattr(ballot_box, "prepare_tally", watching)
    assert ballot_box.run_tally(box_of(ballot).pk) == TALLY.MIXED
    assert seen == [TALLY.MIXING]


def test_a_rerun_or_a_duplicate_task_does_nothing_twice(world, monkeypatch):
    ballot = voted_election(world)
    close_and_tally(actor=world.officer, ballot=ballot)
    box = box_of(ballot)
    tally = box.tally
    calls = []
    monkeypatch.setattr(ballot_box, "prepare_tally", lambda *a: calls.append(a))
    for _run in range(2):
        assert tasks.prepare_tally.call(box.pk) == TALLY.MIXED
    box.refresh_from_db()
    assert box.tally == tally and calls == []
    assert len(events("ballot.tally_prepared")) == 1


def test_a_tally_already_there_is_marked_mixed_not_prepared_again(world, monkeypatch):
    ballot = voted_election(world)
    services.close_ballot(actor=world.officer, ballot=ballot)  # the task not run yet
    # A box tallied before the tally states existed: its tally there, its state not mixed.
    box = box_of(ballot)
    box.tally = ballot_box.prepare_tally(box, ballot_box.check_board(box))
    box.save(update_fields=["tally"])
    monkeypatch.setattr(ballot_box, "prepare_tally", lambda *a: pytest.fail("mixed twice"))
    assert ballot_box.run_tally(box.pk) == TALLY.MIXED
    assert box_of(ballot).tally == box.tally
    assert not events("ballot.tally_prepared")


def test_a_ballot_cancelled_before_the_worker_came_is_not_mixed(world):
    ballot = voted_election(world)
    services.close_ballot(actor=world.officer, ballot=ballot)
    services.cancel_ballot(actor=world.officer, ballot=ballot, reason="A wrong roll")
    assert ballot_box.run_tally(box_of(ballot).pk) == TALLY.WAITING
    assert box_of(ballot).tally is None


def test_an_unexpected_failure_is_recorded_in_words_with_its_event(world, monkeypatch):
    ballot = voted_election(world)

    def broken(box, entries):
        raise RuntimeError("a worker ran out of memory")

    monkeypatch.setattr(ballot_box, "prepare_tally", broken)
    close_and_tally(actor=world.officer, ballot=ballot)
    box = box_of(ballot)
    assert (box.tally_state, box.tally) == (TALLY.FAILED, None)
    assert box.tally_error == (
        "An unexpected error (RuntimeError) stopped it; the worker's log has the details."
    )
    [event] = events("ballot.tally_failed")
    assert event.new == {"error": box.tally_error}
    # The trustees wait; the count's own check refuses nothing it should not.
    trustee_wait = ballot_box.trustees_progress(box, [])["missing"]
    assert trustee_wait == ["The tally failed: an officer must prepare it again."]


def test_a_board_that_does_not_match_fails_with_the_reason(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    Participation.objects.create(ballot=ballot, member=world.officer.member)
    close_and_tally(actor=world.officer, ballot=ballot)
    box = box_of(ballot)
    assert box.tally_state == TALLY.FAILED
    assert box.tally_error == "The ballot box holds 1 papers for 2 votes cast: it is not counted."
    # The count waits for a tally that is mixed; the console gives the reason it failed.
    with pytest.raises(DomainError, match="The tally failed, so the ballot cannot be counted"):
        services.count_ballot(actor=world.officer, ballot=ballot)


def test_an_officer_retries_a_failed_tally(world, monkeypatch, django_capture_on_commit_callbacks):
    ballot = voted_election(world)
    monkeypatch.setattr(ballot_box, "prepare_tally", lambda *a: 1 / 0)
    close_and_tally(actor=world.officer, ballot=ballot)
    assert box_of(ballot).tally_state == TALLY.FAILED
    monkeypatch.undo()
    with pytest.raises(NotAllowed):
        services.retry_tally(actor=world.member, ballot=ballot)
    with django_capture_on_commit_callbacks() as callbacks:
        services.retry_tally(actor=world.officer, ballot=ballot)
    box = box_of(ballot)
    assert (box.tally_state, box.tally_error) == (TALLY.WAITING, "")
    [retried] = events("ballot.tally_retried")
    assert retried.new["previous_error"].startswith("An unexpected error (ZeroDivisionError)")
    assert retried.actor_id == world.officer.pk
    callbacks[0]()
    assert box_of(ballot).tally_state == TALLY.MIXED
    # A prepared tally is not prepared again, nor an open ballot's.
    with pytest.raises(DomainError, match="Only a tally that failed"):
        services.retry_tally(actor=world.officer, ballot=ballot)
    other = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    with pytest.raises(DomainError, match="cannot become closed"):
        services.retry_tally(actor=world.officer, ballot=other)


def test_a_tally_whose_worker_stopped_mid_mix_may_be_retried(world):
    ballot = voted_election(world)
    services.close_ballot(actor=world.officer, ballot=ballot)
    # The worker was killed while mixing: the state stayed, nobody holds the box's lock.
    BallotBox.objects.filter(ballot=ballot).update(tally_state=TALLY.MIXING)
    services.retry_tally(actor=world.officer, ballot=ballot)
    assert box_of(ballot).tally_state == TALLY.WAITING


def test_the_trustees_decrypt_only_once_the_tally_is_mixed(world):
    ballot = voted_election(world)
    services.close_ballot(actor=world.officer, ballot=ballot)
    box = BallotBox.objects.select_related("ballot").get(ballot=ballot)
    trustee = box.trustees.model(box=box, index=1, name="T", share_key={}, dealing={})
    trustee.transport_key = {}
    assert ballot_box.trustee_task(trustee, [trustee]) == ballot_box.WAIT_MIX
    assert ballot_box.trustees_progress(box, [])["missing"] == [
        "The papers are not ready for the trustees yet (the mix)."
    ]
    ballot_box.run_tally(box.pk)
    box = BallotBox.objects.select_related("ballot").get(ballot=ballot)
    trustee.box = box
    assert ballot_box.trustee_task(trustee, [trustee]) == ballot_box.DECRYPT


@pytest.mark.parametrize("voters", [0, 20])
@pytest.mark.parametrize("state", [TALLY.WAITING, TALLY.MIXING, TALLY.MIXED, TALLY.FAILED])
def test_the_console_shows_the_tally_in_constant_queries(
    client_for, world, django_assert_max_num_queries, state, voters
):
    ballot = voted_election(world, voters)
    if state == TALLY.MIXED:
        close_and_tally(actor=world.officer, ballot=ballot)
    else:
        services.close_ballot(actor=world.officer, ballot=ballot)
        BallotBox.objects.filter(ballot=ballot).update(
            tally_state=state, tally_error="The ballot box's chain is broken at paper 2."
        )
    client = client_for("officer")
    url = reverse("ballot_console", args=[ballot.pk])
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(url).content.decode()
    with django_assert_max_num_queries(MAX_QUERIES):
        partial = client.get(url + "?part=tally", headers={"HX-Request": "true"})
    polled = f'hx-get="/ballots/{ballot.pk}/console/?part=tally"'
    text = partial.content.decode()
    assert text.lstrip().startswith('<section id="tally"')
    words = {
        TALLY.WAITING: "the task worker will prepare what the trustees decrypt",
        TALLY.MIXING: "The task worker is mixing the encrypted papers and proving the shuffle.",
        TALLY.MIXED: "The papers are mixed, with the proof of the shuffle: the trustees can decrypt.",
        TALLY.FAILED: "The tally could not be prepared: The ballot box&#x27;s chain is broken at paper 2.",
    }[state]
    assert words in page and words in text
    pending = state in (TALLY.WAITING, TALLY.MIXING)
    assert (polled in page, polled in text) == (pending, pending)
    # Once done, the page is refreshed once (the trustees' table with it), then no polling.
    assert ("HX-Refresh" in partial.headers) == (not pending)
    # A failed tally, or one stuck in mixing (its worker may have died), is sent back to
    # the worker from the console; the count waits for a mixed tally.
    retry = f'action="{reverse("ballot_action", args=[ballot.pk, "retry_tally"])}"'
    assert (retry in page) == (retry in text) == (state in (TALLY.FAILED, TALLY.MIXING))
    assert ("the task worker may have died" in text) == (state == TALLY.MIXING)
    count = f'href="{reverse("ballot_confirm", args=[ballot.pk, "count"])}"'
    assert (count in page) == (state == TALLY.MIXED)
    assert ('<button type="button" disabled' in page) == (state != TALLY.MIXED)


def test_the_console_retries_from_its_button(client_for, world, monkeypatch):
    ballot = voted_election(world)
    monkeypatch.setattr(ballot_box, "prepare_tally", lambda *a: 1 / 0)
    close_and_tally(actor=world.officer, ballot=ballot)
    monkeypatch.undo()
    client = client_for("officer")
    response = client.post(reverse("ballot_action", args=[ballot.pk, "retry_tally"]), follow=True)
    assert "The tally is prepared again by the task worker." in response.content.decode()
    assert box_of(ballot).tally_state == TALLY.WAITING  # the worker's turn (after commit)


def test_the_console_says_so_in_french_and_arabic(client_for, world):
    ballot = voted_election(world)
    close_and_tally(actor=world.officer, ballot=ballot)
    client = client_for("officer")
    url = reverse("ballot_console", args=[ballot.pk])
    client.cookies["django_language"] = "fr"
    assert "Le dépouillement pour les dépositaires de clé" in client.get(url).content.decode()
    client.cookies["django_language"] = "ar"
    assert "الفرز المعدّ للأمناء" in client.get(url).content.decode()
