"""Secrecy as an attacker with the database would test it, on PostgreSQL.

200 votes from 16 concurrent clients under a 2-of-3 trustees' key, then the linkage queries
of issue 15: participations joined to what each transaction wrote (`xmin`), the n-th
`ballot.vote_cast` event against the n-th row by `ctid`, and the same after a
pg_dump / pg_restore. Each reaches only ciphertexts; the decrypted papers are written by
the count's one transaction, in mixed or rebuilt order, and no single trustee's share
decrypts anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from elections import services
from elections.crypto import threshold
from elections.models import Ballot, BallotBox, BallotPaper, Trustee
from governance.exceptions import DomainError
from governance.models import User
from tests.elections.conftest import add_voters, draft_ballot
from tests.elections.test_ballot_box import _ceremony, _decrypt
from tests.factories import close_and_tally

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="linkage is tested on PostgreSQL"),
]

VOTERS = 200
CHOICES = ["yes", "no", "abstain", "blank"]


def _cast(user_id: int, ballot_id: int, choice: str):
    try:
        return services.cast_vote(
            actor=User.objects.get(pk=user_id),
            ballot=Ballot.objects.get(pk=ballot_id),
            choices=choice,
        )
    except DomainError as error:
        return error
    finally:
        connections.close_all()


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


XMIN_LINK = """
    SELECT p.member_id, t.relname
    FROM elections_participation p, LATERAL (
        SELECT 'elections_ballotpaper' AS relname FROM elections_ballotpaper b
        WHERE b.ballot_id = p.ballot_id AND b.xmin = p.xmin
        UNION ALL
        SELECT 'elections_boardentry' FROM elections_boardentry e WHERE e.xmin = p.xmin
    ) t
    WHERE p.ballot_id = %s
"""

ORDER_LINK = """
    WITH events AS (
        SELECT row_number() OVER (ORDER BY sequence) AS n, new AS payload FROM governance_auditevent
        WHERE action = 'ballot.vote_cast'
    ), papers AS (
        SELECT row_number() OVER (ORDER BY ctid) AS n, content FROM elections_ballotpaper
        WHERE ballot_id = %s
    )
    SELECT events.payload, papers.content FROM events JOIN papers USING (n)
"""


@pytest.fixture
def voted(world, tmp_path):
    voters = add_voters(world, VOTERS - 3)
    ballot = draft_ballot(world)
    _box, users, trustees = _ceremony(world, ballot, tmp_path)
    ballot = services.open_ballot(actor=world.officer, ballot=ballot)
    everyone = [*users, *voters]
    connection.close()
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(
            pool.map(
                lambda n: _cast(everyone[n].pk, ballot.pk, CHOICES[n % 4]), range(len(everyone))
            )
        )
    assert all(isinstance(o, services.Receipt) for o in outcomes)
    return ballot, users, trustees


def test_what_one_transaction_wrote_with_a_participation_is_only_a_ciphertext(voted):
    ballot, _users, _trustees = voted
    linked = _rows(XMIN_LINK, [ballot.pk])
    assert len(linked) == VOTERS  # the transaction does tie each voter to their entry...
    assert {relname for _member, relname in linked} == {"elections_boardentry"}  # ...a ciphertext
    assert not BallotPaper.objects.filter(ballot=ballot).exists()
    for (paper,) in _rows("SELECT paper::text FROM elections_boardentry"):
        assert not any(f'"{word}"' in paper for word in CHOICES)


def test_after_the_count_no_order_or_transaction_links_a_voter_to_a_paper(world, tmp_path, voted):
    ballot, users, trustees = voted
    close_and_tally(actor=world.officer, ballot=ballot)
    # One trustee's share is not enough.
    _decrypt(ballot, tmp_path, users, trustees, who=[1])
    with pytest.raises(DomainError, match="still missing"):
        services.count_ballot(actor=world.officer, ballot=ballot)
    _decrypt(ballot, tmp_path, users, trustees, who=[3])
    services.count_ballot(actor=world.officer, ballot=ballot)
    assert not _rows(
        "SELECT 1 FROM elections_participation p JOIN elections_ballotpaper b"
        " ON b.xmin = p.xmin AND b.ballot_id = p.ballot_id WHERE p.ballot_id = %s",
        [ballot.pk],
    )
    xmins = _rows(
        "SELECT DISTINCT xmin::text FROM elections_ballotpaper WHERE ballot_id = %s", [ballot.pk]
    )
    assert len(xmins) == 1  # all written by the count, none by a vote
    _assert_order_links_nothing(_rows(ORDER_LINK, [ballot.pk]))
    # The platform holds no secret that decrypts: no demo key, no private file.
    box = BallotBox.objects.get(ballot=ballot)
    assert not box.demo_secret
    assert not Trustee.objects.filter(box=box, demo_private__isnull=False).exists()


def _assert_order_links_nothing(pairs):
    """The n-th vote's event against the n-th paper: matches no better than the rebuilt order."""
    assert len(pairs) == VOTERS
    # Voters cast CHOICES[n % 4] in order; the papers are rebuilt from totals, grouped by
    # option: pairing by position recovers nobody's choice beyond the group sizes.
    contents = [json.loads(c) if isinstance(c, str) else c for _event, c in pairs]
    assert [c["choice"] for c in contents] == sorted(
        (c["choice"] for c in contents), key=CHOICES.index
    )


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump and pg_restore")
def test_a_dump_and_restore_keeps_no_order_that_links(world, tmp_path, voted):
    ballot, users, trustees = voted
    close_and_tally(actor=world.officer, ballot=ballot)
    _decrypt(ballot, tmp_path, users, trustees, who=[2, 3])
    services.count_ballot(actor=world.officer, ballot=ballot)
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    base = [
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"],
    ]
    copy = f"{settings['NAME']}_restore"
    dump = tmp_path / "dump"
    subprocess.run(
        ["pg_dump", *base, "-Fc", "-f", str(dump), settings["NAME"]], check=True, env=env
    )
    subprocess.run(["dropdb", *base, "--if-exists", copy], check=True, env=env)
    subprocess.run(["createdb", *base, copy], check=True, env=env)
    try:
        subprocess.run(["pg_restore", *base, "-d", copy, str(dump)], check=True, env=env)
        query = ORDER_LINK.replace("%s", str(int(ballot.pk)))
        out = subprocess.run(
            ["psql", *base, "-d", copy, "-tA", "-F", "\t", "-c", query],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
        pairs = [line.split("\t") for line in out.splitlines() if line]
        _assert_order_links_nothing([(event, json.loads(content)) for event, content in pairs])
        entries = subprocess.run(
            [
                "psql",
                *base,
                "-d",
                copy,
                "-tA",
                "-c",
                "SELECT paper::text FROM elections_boardentry",
            ],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
        assert not any(f'"{word}"' in entries for word in CHOICES)
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", copy], check=False, env=env)


def test_one_trustees_share_decrypts_no_paper(world, tmp_path, voted):
    ballot, users, trustees = voted
    close_and_tally(actor=world.officer, ballot=ballot)
    _decrypt(ballot, tmp_path, users, trustees, who=[2])
    share = threshold.DecryptionShare.from_json(Trustee.objects.get(pk=trustees[1].pk).decryption)
    from elections import ballot_box

    with pytest.raises(threshold.ThresholdError, match="2 are needed"):
        threshold.combine(ballot_box.joint_key(BallotBox.objects.get(ballot=ballot)), [share])
