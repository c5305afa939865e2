"""The production task path: an invitation queued in the database goes out through the worker."""

from __future__ import annotations

import signal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from elections import services
from elections.models import BallotBox
from governance.models import AuditEvent
from tests.elections.conftest import draft_ballot

# The worker commits each task in a transaction of its own, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    # The backends are built again from the setting (governance.apps.forget_task_backends).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def test_an_invitation_waits_in_the_queue_until_the_worker_sends_it(world, database_tasks):
    services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    assert mail.outbox == []  # enqueued on commit, not sent by the request
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "elections.tasks.send_invitations"
    assert queued.status == "READY"

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():  # the worker takes over Ctrl+C for itself
            signal.signal(sig, handler)

    assert len(mail.outbox) == 4
    assert "Vote open" in mail.outbox[0].subject
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == 4


def _run_worker():
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def test_the_tally_waits_in_the_queue_until_the_worker_mixes_it(world, database_tasks):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    DBTaskResult.objects.all().delete()  # the invitations
    services.close_ballot(actor=world.officer, ballot=ballot)
    box = BallotBox.objects.get(ballot=ballot)
    assert (box.tally_state, box.tally) == ("waiting", None)  # the close's request did no work
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "elections.tasks.prepare_tally"
    # The task carries the box's number only: no paper, no voter, no choice.
    assert (queued.args_kwargs["args"], queued.args_kwargs["kwargs"]) == ([box.pk], {})

    _run_worker()

    box.refresh_from_db()
    assert box.tally_state == "mixed" and box.tally["kind"] == "totals"
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "mixed")
    assert AuditEvent.objects.filter(action="ballot.tally_prepared").count() == 1
    services.count_ballot(actor=world.officer, ballot=ballot)


def test_the_demo_sends_nothing_through_the_queue(database_tasks):
    call_command("load_demo", stdout=StringIO())
    assert not DBTaskResult.objects.exists()  # its tasks ran in process, with no mailer
    assert mail.outbox == []
