"""The ballots' e-mails through the task worker: batches, a cursor, progress on the console.

Each batch is read after the mailing's cursor and sent in the transaction that moves it, so
a rerun sends nobody twice, a failed batch is sent again whole, and memory is one batch's
whatever the roll (no list of every message is ever built).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.mail import mailers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elections import services, tasks
from elections.models import Mailing
from governance.models import Member
from tests.elections.conftest import add_voters, draft_ballot

pytestmark = pytest.mark.django_db

#: The console's bound (tests/elections/test_pages.py).
MAX_QUERIES = 15


def opened(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.open_ballot(actor=world.officer, ballot=draft_ballot(world))


def addresses() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def counting_mailer(monkeypatch, *, fail_at: int | None = None) -> list[int]:
    """The mail backend seen by the tasks, recording each batch's size; the batch numbered
    `fail_at` (from 1) raises, as an SMTP server gone away would."""
    batches: list[int] = []

    def send_messages(messages):
        batches.append(len(messages))
        if fail_at is not None and len(batches) == fail_at:
            raise ConnectionError("the SMTP server went away")
        return mailers.default.send_messages(messages)

    fake = SimpleNamespace(default=SimpleNamespace(send_messages=send_messages))
    monkeypatch.setattr(tasks, "mailers", fake)
    return batches


def test_the_invitations_record_their_progress_and_finish(
    world, django_capture_on_commit_callbacks
):
    ballot = opened(world, django_capture_on_commit_callbacks)
    mailing = Mailing.objects.get(ballot=ballot)
    assert mailing.kind == Mailing.Kind.INVITATION
    assert (mailing.sent, mailing.total) == (4, 4)
    assert mailing.finished_at is not None
    assert len(addresses()) == len(set(addresses())) == 4


def test_a_rerun_sends_nobody_twice(world, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(tasks, "SEND_BATCH", 3)
    ballot = opened(world, django_capture_on_commit_callbacks)
    before = addresses()
    assert tasks.send_invitations.call(ballot.pk) == 0  # the worker ran it again
    assert addresses() == before
    assert Mailing.objects.get(ballot=ballot).sent == 4


def test_a_failed_batch_is_sent_again_whole_and_the_others_once(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    add_voters(world, 4)  # eight on the roll: batches of 3, 3, 2
    monkeypatch.setattr(tasks, "SEND_BATCH", 3)
    batches = counting_mailer(monkeypatch, fail_at=2)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    with pytest.raises(ConnectionError):
        tasks.send_invitations.call(ballot.pk)
    mailing = Mailing.objects.get(ballot=ballot)
    assert (mailing.sent, mailing.total, mailing.finished_at) == (3, 8, None)
    assert len(mail.outbox) == 3

    assert tasks.send_invitations.call(ballot.pk) == 5  # the worker retries the task
    assert batches == [3, 3, 3, 2]
    assert len(addresses()) == len(set(addresses())) == 8
    mailing.refresh_from_db()
    assert (mailing.sent, mailing.total) == (8, 8) and mailing.finished_at is not None


def test_each_batch_is_read_by_itself(world, django_capture_on_commit_callbacks, monkeypatch):
    """Memory is one batch's: every read of the recipients is bounded by the batch size,
    and the mail backend is never handed more than one batch."""
    add_voters(world, 6)  # ten on the roll
    monkeypatch.setattr(tasks, "SEND_BATCH", 4)
    batches = counting_mailer(monkeypatch)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    with CaptureQueriesContext(connection) as queries:
        tasks.send_invitations.call(ballot.pk)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "governance_member"') and "ORDER BY" in q["sql"]
    ]
    assert batches == [4, 4, 2]
    assert len(reads) == 4  # three batches, and the empty read that ends the mailing
    assert all("LIMIT 4" in sql for sql in reads)


def test_each_invitation_is_written_in_its_recipients_language(
    world, django_capture_on_commit_callbacks
):
    Member.objects.filter(pk=world.member.member.pk).update(language="fr")
    Member.objects.filter(pk=world.officer.member.pk).update(language="ar")
    ballot = opened(world, django_capture_on_commit_callbacks)
    by_address = {message.to[0]: message for message in mail.outbox}
    french = by_address[world.member.member.email]
    arabic = by_address[world.officer.member.email]
    english = by_address[world.other_officer.member.email]
    assert french.subject == f"Vote ouvert\u00a0: {ballot.title}"
    assert arabic.subject == f"التصويت مفتوح: {ballot.title}"
    assert english.subject == f"Vote open: {ballot.title}"
    assert "Vote here:" in english.body and "Vote here:" not in french.body


def test_the_reminder_goes_to_those_who_have_not_voted(world, django_capture_on_commit_callbacks):
    ballot = opened(world, django_capture_on_commit_callbacks)
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    mail.outbox.clear()
    assert tasks.send_reminders.call(ballot.pk) == 3
    assert world.member.member.email not in addresses()
    reminder = Mailing.objects.get(ballot=ballot, kind=Mailing.Kind.REMINDER)
    assert (reminder.sent, reminder.total) == (3, 3)
    assert tasks.send_reminders.call(ballot.pk) == 0


@pytest.mark.parametrize("voters", [3, 30])
def test_the_console_shows_the_invitations_progress_in_constant_queries(
    client_for, world, django_capture_on_commit_callbacks, django_assert_max_num_queries, voters
):
    add_voters(world, voters)
    ballot = opened(world, django_capture_on_commit_callbacks)
    # A mailing half way: the worker has sent some batches and not the rest.
    Mailing.objects.filter(ballot=ballot).update(sent=2, finished_at=None)
    client = client_for("officer")
    for headers in ({}, {"HX-Request": "true"}):  # the page, and its turnout refreshed by htmx
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(reverse("ballot_console", args=[ballot.pk]), headers=headers)
        body = response.content.decode()
        assert f"Invitations: 2 of {voters + 4} e-mails sent. Going out in batches." in body
        assert f'<progress class="turnout-bar" max="{voters + 4}" value="2"' in body


def test_the_console_says_so_in_french(client_for, world, django_capture_on_commit_callbacks):
    ballot = opened(world, django_capture_on_commit_callbacks)
    client = client_for("officer")
    client.cookies["django_language"] = "fr"
    body = client.get(reverse("ballot_console", args=[ballot.pk])).content.decode()
    assert "Invitations\u00a0: 4 sur 4 courriels envoyés. Terminé." in body
