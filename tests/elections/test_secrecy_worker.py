"""Secrecy in the task worker: the mix of a ranked ballot leaves no permutation behind.

The tally of a closed secret ballot is prepared by the task worker (elections.tasks
.prepare_tally). An attacker with the database reads the worker's table (each task's
arguments and result) and the worker's log; with the box's stored tally they would unmix the
papers if the permutation were in any of them. The ballot here is opened with the demo key,
so the test can decrypt both the board and the mix and so knows the permutation the worker
chose; it then searches for it.
"""

from __future__ import annotations

import json
import logging
import signal

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from elections import ballot_box, services
from elections.crypto.elgamal import Ciphertext, DiscreteLogTable, decrypt_with_key
from elections.crypto.group import Scalar
from elections.models import BallotBox
from tests.elections.boxes import decrypted_board
from tests.elections.conftest import add_voters, draft_election

pytestmark = pytest.mark.django_db(transaction=True)

RANKINGS = [
    ["c1"],
    ["c2"],
    ["c3"],
    ["c1", "c2"],
    ["c1", "c3"],
    ["c2", "c1"],
    ["c2", "c3"],
    ["c3", "c1"],
    ["c3", "c2"],
    ["c1", "c2", "c3"],
]


def _run_worker():
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_worker_mixes_a_ranked_ballot_and_keeps_no_permutation(world, settings, caplog):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    caplog.set_level(logging.DEBUG)
    voters = [world.member, *add_voters(world, len(RANKINGS) - 1)]
    ballot = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    for user, ranking in zip(voters, RANKINGS, strict=True):
        services.cast_vote(actor=user, ballot=ballot, choices=ranking)
    DBTaskResult.objects.all().delete()  # the invitations
    services.close_ballot(actor=world.officer, ballot=ballot)
    box = BallotBox.objects.get(ballot=ballot)
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs == {"args": [box.pk], "kwargs": {}}

    _run_worker()

    box.refresh_from_db()
    queued.refresh_from_db()
    assert (box.tally_state, queued.return_value) == ("mixed", "mixed")
    # The permutation the worker chose, found by decrypting both sides with the demo key.
    board = [entry["ranking"] for entry in decrypted_board(ballot)]
    secret, spec = Scalar.from_hex(box.demo_secret), ballot_box.spec_of(box)
    table, options = DiscreteLogTable(spec.width), box.spec["options"]
    mixed = [
        [
            options[v - 1]
            for v in (decrypt_with_key(secret, Ciphertext.from_json(c), table) for c in row)
            if v
        ]
        for row in box.tally["mixes"][0]["rows"]
    ]
    permutation = [board.index(ranking) for ranking in mixed]
    assert sorted(permutation) == list(range(len(RANKINGS)))
    assert permutation != list(range(len(RANKINGS)))  # 1 chance in 3.6 million otherwise
    # Nowhere an attacker with the database and the worker's log looks holds it.
    written = [
        json.dumps(box.tally),
        json.dumps(queued.args_kwargs),
        json.dumps(queued.return_value),
        str(queued.traceback),
        *(record.getMessage() for record in caplog.records),
    ]
    forms = {json.dumps(permutation), ",".join(map(str, permutation)), str(permutation)}
    assert not any(form in text for text in written for form in forms)
    assert not _keys(box.tally) & {"permutation", "nonces", "randomness", "secret"}
