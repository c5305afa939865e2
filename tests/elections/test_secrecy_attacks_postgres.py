"""Every order an attacker with the database has, measured on concurrent page and API votes.

200 voters under a 2-of-3 trustees' key, half voting on the ballot's page and half through
the API, 16 at a time. The attacker pairs voters with board entries by what PostgreSQL keeps:
the transaction (`xmin`), the audit log's sequence against the board's position (the
vote_cast events name no one, but each participation's salt recomputes its event's
commitment), the participations' physical order (`ctid`) against the entries', the
entries' own id. Each
pairing is measured against the trackers the voters were given (the figure the threat model
in docs/secrecy.md states): every one of them ties each voter to their *ciphertext*, and the
test shows that this is all it reaches. No board row holds a choice or a time, no session row
holds a tracker, and decrypting needs k trustees' shares (test_secrecy_postgres.py).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from elections import services
from elections.models import BallotPaper, BoardEntry
from governance.models import User
from tests.elections.conftest import add_voters, draft_ballot
from tests.elections.test_ballot_box import _ceremony

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="linkage is tested on PostgreSQL"),
]

VOTERS = 200
CHOICES = ["yes", "no", "abstain", "blank"]
RECEIPT = re.compile(r'class="receipt-code"[^>]*><code>([0-9a-f]{64})</code>')


def _vote(user_id: int, ballot_id: int, n: int) -> tuple[int, str]:
    """One voter's client: the page for even n, the API for odd n. (member id, tracker)."""
    try:
        user = User.objects.select_related("member").get(pk=user_id)
        client = Client()
        client.force_login(user)
        choice = CHOICES[n % 4]
        if n % 2 == 0:
            response = client.post(reverse("ballot_vote", args=[ballot_id]), {"choice": choice})
            assert response.status_code == 200, response.status_code
            tracker = RECEIPT.search(response.content.decode()).group(1)
        else:
            response = client.post(
                reverse("api_ballot_vote", args=[ballot_id]),
                {"choices": choice},
                content_type="application/json",
            )
            assert response.status_code == 201, response.content
            tracker = response.json()["receipt"]
        return user.member.pk, tracker
    finally:
        connections.close_all()


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _voter_of(event: str) -> str:
    """The member whose participation recomputes to the event's commitment: the database
    holds each participation's salt (elections.integrity.cast_commitment, in SQL)."""
    return (
        "(SELECT p.member_id FROM elections_participation p WHERE p.ballot_id = %(ballot)s"
        " AND encode(sha256(convert_to('{\"ballot\":' || p.ballot_id || ',\"by_proxy\":'"
        " || CASE WHEN p.by_proxy THEN 'true' ELSE 'false' END || ',\"member\":'"
        " || p.member_id || ',\"salt\":\"' || p.salt || '\"}', 'UTF8')), 'hex')"
        f" = {event}.new->>'commitment')"
    )


#: Each pairing the attacker can make: (member, tracker) rows.
PAIRINGS = {
    "xmin of the participation = xmin of the entry": """
        SELECT p.member_id, e.tracker FROM elections_participation p
        JOIN elections_boardentry e ON e.xmin = p.xmin AND e.box_id = %(box)s
        WHERE p.ballot_id = %(ballot)s
    """,
    "xmin of the vote_cast event = xmin of the entry": f"""
        SELECT {_voter_of("a")}, e.tracker FROM governance_auditevent a
        JOIN elections_boardentry e ON e.xmin = a.xmin AND e.box_id = %(box)s
        WHERE a.action = 'ballot.vote_cast' AND a.object_id = %(ballot)s::text
    """,
    "n-th vote_cast event by sequence = n-th entry by position": f"""
        WITH v AS (SELECT row_number() OVER (ORDER BY sequence) n, {_voter_of("a")} m
                   FROM governance_auditevent a
                   WHERE action = 'ballot.vote_cast' AND object_id = %(ballot)s::text),
             e AS (SELECT row_number() OVER (ORDER BY position) n, tracker
                   FROM elections_boardentry WHERE box_id = %(box)s)
        SELECT v.m, e.tracker FROM v JOIN e USING (n)
    """,
    "n-th participation by ctid = n-th entry by ctid": """
        WITH p AS (SELECT row_number() OVER (ORDER BY ctid) n, member_id m
                   FROM elections_participation WHERE ballot_id = %(ballot)s),
             e AS (SELECT row_number() OVER (ORDER BY ctid) n, tracker
                   FROM elections_boardentry WHERE box_id = %(box)s)
        SELECT p.m, e.tracker FROM p JOIN e USING (n)
    """,
    "n-th vote_cast event by time = n-th entry by id": f"""
        WITH v AS (SELECT row_number() OVER (ORDER BY occurred_at, sequence) n,
                          {_voter_of("a")} m FROM governance_auditevent a
                   WHERE action = 'ballot.vote_cast' AND object_id = %(ballot)s::text),
             e AS (SELECT row_number() OVER (ORDER BY id) n, tracker
                   FROM elections_boardentry WHERE box_id = %(box)s)
        SELECT v.m, e.tracker FROM v JOIN e USING (n)
    """,
}


@pytest.fixture
def voted(world, tmp_path):
    voters = add_voters(world, VOTERS - 3)
    ballot = draft_ballot(world)
    box, users, _trustees = _ceremony(world, ballot, tmp_path)
    ballot = services.open_ballot(actor=world.officer, ballot=ballot)
    everyone = [*users, *voters]
    connection.close()
    with ThreadPoolExecutor(max_workers=16) as pool:
        cast = list(pool.map(lambda n: _vote(everyone[n].pk, ballot.pk, n), range(len(everyone))))
    return ballot, box, dict(cast)


def test_every_order_in_the_database_ties_a_voter_to_a_ciphertext_and_no_further(voted):
    ballot, box, trackers = voted
    assert len(trackers) == VOTERS
    figures = {}
    for name, sql in PAIRINGS.items():
        pairs = _rows(sql, {"ballot": ballot.pk, "box": box.pk})
        figures[name] = sum(1 for member, tracker in pairs if trackers.get(member) == tracker)
    # The figures docs/secrecy.md states: each order links every voter to their entry; the
    # physical order (ctid) most of them, as it follows the free space the heap reuses...
    physical = "n-th participation by ctid = n-th entry by ctid"
    assert figures.pop(physical) <= VOTERS
    assert figures == dict.fromkeys(figures, VOTERS), figures
    # ...and an entry is a ciphertext with no time: no table holds a paper before the count.
    assert not BallotPaper.objects.filter(ballot=ballot).exists()
    assert {f.name for f in BoardEntry._meta.fields} == {
        "id",
        "box",
        "position",
        "paper",
        "tracker",
        "digest",
    }
    (papers,) = _rows(
        "SELECT string_agg(paper::text, ' ') FROM elections_boardentry WHERE box_id = %s",
        [box.pk],
    )[0]
    assert not any(f'"{word}"' in papers for word in CHOICES)
    # The web and API sessions keep no tracker beside the user id.
    sessions = [s.session_data + str(s.get_decoded()) for s in Session.objects.all()]
    assert len(sessions) >= VOTERS
    assert not any(tracker in text for text in sessions for tracker in trackers.values())
