"""The production task path: an invitation queued in the database goes out through the worker."""

from __future__ import annotations

import signal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from elections import services
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


def test_the_demo_sends_nothing_through_the_queue(database_tasks):
    call_command("load_demo", stdout=StringIO())
    assert not DBTaskResult.objects.exists()  # its tasks ran in process, with no mailer
    assert mail.outbox == []
