"""A pg_dump backup restores into a fresh database whose audit chain verifies and whose
published ballots recount as published: the procedure of docs/operations.md, on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from elections import services
from elections.models import Ballot
from governance.audit import verify_chain
from governance.models import Decision
from tests.elections.conftest import add_voters, draft_ballot, draft_election

ROOT = Path(__file__).resolve().parents[2]
HARNESS_VARIABLES = {"DEBUG", "TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}

pytestmark = [
    pytest.mark.postgres,
    # pg_dump reads from its own connection: the data must be committed.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="backups are pg_dump and pg_restore of PostgreSQL (SQLite is a file to copy)",
    ),
]


def pg_environment() -> dict[str, str]:
    """The libpq variables that reach the test database's server as the suite does."""
    database = connection.settings_dict
    environment = {k: v for k, v in os.environ.items() if k not in HARNESS_VARIABLES}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    return environment


def run(*command: str | Path, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=ROOT,
        env={**pg_environment(), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return result


def manage(database: str, *args: str) -> subprocess.CompletedProcess:
    """`manage.py` against another database, as an operator runs it after a restore."""
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "", safe="")
    if settings.get("PASSWORD"):
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    url = (
        f"postgres://{credentials}@{settings['HOST'] or 'localhost'}:"
        f"{settings['PORT'] or 5432}/{database}"
    )
    return run(sys.executable, "manage.py", *args, DEBUG="true", DATABASE_URL=url)


def counted_and_published(world, ballot: Ballot, choices: list) -> Ballot:
    for user, choice in choices:
        services.cast_vote(actor=user, ballot=ballot, choices=choice)
    services.close_ballot(actor=world.officer, ballot=ballot)
    services.count_ballot(actor=world.officer, ballot=ballot)
    return services.publish_results(actor=world.officer, ballot=ballot)


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped at the end whatever happens."""
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    run("dropdb", "--if-exists", name)
    created = run("createdb", name)
    assert created.returncode == 0, created.stderr
    yield name
    dropped = run("dropdb", "--if-exists", name)
    assert dropped.returncode == 0, dropped.stderr


def test_a_restored_dump_verifies_its_audit_chain_and_recounts_as_published(
    world, tmp_path, fresh_database
):
    # The record, written through the services: two ballots counted into decisions.
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    counted_and_published(
        world,
        question,
        [(world.member, "yes"), (world.officer, "yes"), (world.other_officer, "no")],
    )
    voters = add_voters(world, 5)
    election = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    rankings = [["c1", "c2"], ["c2", "c1"], ["c3", "c2"], ["c1", "c3"], ["c2"]]
    counted_and_published(world, election, list(zip(voters, rankings, strict=True)))
    live = verify_chain()
    assert live.ok
    references = sorted(Decision.objects.values_list("reference", flat=True))
    assert len(references) == 2

    # The backup and the restore, as docs/operations.md gives them.
    dump = tmp_path / "governance.dump"
    dumped = run("pg_dump", "--format=custom", "--file", dump, connection.settings_dict["NAME"])
    assert dumped.returncode == 0, dumped.stderr
    restored = run("pg_restore", "--no-owner", "--exit-on-error", "--dbname", fresh_database, dump)
    assert restored.returncode == 0, restored.stderr

    # The chain verifies in the restored database, up to the same head.
    verified = manage(fresh_database, "verify_audit")
    assert verified.returncode == 0, verified.stderr
    assert f"audit chain ok: {live.count} events, head {live.head_hash}" in verified.stdout

    # Every published ballot recounts from its restored papers to the published result.
    lists = tmp_path / "lists"
    recounted = manage(fresh_database, "recount_published", "--write-lists", str(lists))
    assert recounted.returncode == 0, recounted.stdout + recounted.stderr
    assert "2 published ballots recount as published" in recounted.stdout
    lines = recounted.stdout.splitlines()
    for reference in references:
        assert any(line.startswith("ok") and reference in line for line in lines), reference

    # And by hand, with the `tally` command on the restored list, as an auditor would.
    tallied = manage(fresh_database, "tally", str(lists / f"ballot-{election.pk}.json"))
    assert tallied.returncode == 0, tallied.stderr
    published = Ballot.objects.get(pk=election.pk).decision.figures
    assert json.loads(tallied.stdout)["elected"] == published["elected"]
    tallied = manage(fresh_database, "tally", str(lists / f"ballot-{question.pk}.json"))
    figures = json.loads(tallied.stdout)
    assert (figures["yes"], figures["no"]) == (2, 1)
