"""Casting under concurrency, on PostgreSQL: one vote per voter, none lost, none after the close."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from elections import services
from elections.models import Ballot, BallotPaper, BoardEntry, Participation
from governance.audit import log as audit
from governance.exceptions import DomainError
from governance.models import User
from tests.elections.conftest import add_voters, draft_ballot

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def cast_in_thread(
    user_id: int, ballot_id: int, choice: str, barrier: threading.Barrier | None = None
):
    """Cast on a connection of the thread's own; return the receipt or the refusal."""
    try:
        user = User.objects.get(pk=user_id)
        ballot = Ballot.objects.get(pk=ballot_id)
        if barrier is not None:
            barrier.wait(timeout=60)
        return services.cast_vote(actor=user, ballot=ballot, choices=choice)
    except DomainError as error:
        return error
    finally:
        connections.close_all()


def test_the_same_voter_from_100_connections_records_one_vote(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    attempts = 100
    barrier = threading.Barrier(attempts)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
            " WHERE backend_type = 'client backend'"
        )
        free = cursor.fetchone()[0] + 1  # this thread's own connection is closed below
    assert free >= attempts, (
        f"the server has room for {free} more connections, the test needs {attempts}: "
        "another client holds the rest (or raise max_connections)"
    )
    connection.close()  # not needed while the threads run
    with ThreadPoolExecutor(max_workers=attempts) as pool:
        outcomes = list(
            pool.map(
                lambda n: cast_in_thread(
                    world.member.pk, ballot.pk, "yes" if n % 2 else "no", barrier
                ),
                range(attempts),
            )
        )
    receipts = [o for o in outcomes if isinstance(o, services.Receipt)]
    refusals = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(receipts) == 1
    assert len(refusals) == attempts - 1
    assert all("already been cast" in str(r) for r in refusals)
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert list(
        BoardEntry.objects.filter(box__ballot=ballot).values_list("tracker", flat=True)
    ) == [receipts[0].fingerprint]
    assert audit.verify_chain().ok


def test_200_voters_at_once_record_200_votes(world):
    voters = add_voters(world, 200)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    connection.close()
    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(lambda user: cast_in_thread(user.pk, ballot.pk, "yes"), voters))
    assert all(isinstance(o, services.Receipt) for o in outcomes), [
        o for o in outcomes if isinstance(o, DomainError)
    ]
    assert Participation.objects.filter(ballot=ballot).count() == 200
    assert not BallotPaper.objects.filter(ballot=ballot).exists()
    assert {e.tracker for e in BoardEntry.objects.filter(box__ballot=ballot)} == {
        o.fingerprint for o in outcomes
    }
    assert audit.verify_chain().ok


def test_votes_racing_the_close_are_counted_or_refused_never_lost(world):
    voters = add_voters(world, 120)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    progress = threading.Condition()
    done = []
    connection.close()

    def close_mid_vote():
        try:
            with progress:
                progress.wait_for(lambda: len(done) >= 30, timeout=60)
            return services.close_ballot(
                actor=User.objects.get(pk=world.officer.pk), ballot=Ballot.objects.get(pk=ballot.pk)
            )
        finally:
            connections.close_all()

    def voter(user):
        outcome = cast_in_thread(user.pk, ballot.pk, "yes")
        with progress:
            done.append(outcome)
            progress.notify_all()
        return outcome

    with ThreadPoolExecutor(max_workers=41) as pool:
        closing = pool.submit(close_mid_vote)
        outcomes = list(pool.map(voter, voters))
        closing.result()
    receipts = [o for o in outcomes if isinstance(o, services.Receipt)]
    refusals = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(receipts) + len(refusals) == len(voters)
    assert len(receipts) >= 30
    assert all("not open" in str(r) for r in refusals)
    # Every vote acknowledged with a receipt is in the count; no refused vote is.
    stored = set(BoardEntry.objects.filter(box__ballot=ballot).values_list("tracker", flat=True))
    assert stored == {r.fingerprint for r in receipts}
    counted = services.count_ballot(actor=world.officer, ballot=Ballot.objects.get(pk=ballot.pk))
    assert counted.decision.figures["took_part"] == len(receipts)
    assert counted.decision.figures["yes"] == len(receipts)
    assert audit.verify_chain().ok
