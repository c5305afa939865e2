"""Backups restore into a fresh database whose audit chain verifies and whose published
ballots recount as published: the procedure of docs/operations.md, on PostgreSQL.

First by hand (pg_dump, pg_restore, manage.py), then with the scripts: deploy/backup.sh
(pg_dump streamed into gpg, to a public key only; a manifest with the audit head; an off-site
copy) and deploy/restore.sh (checksum, decryption with the private key, pg_restore, then
verify_audit against the manifest and recount_published), with a throwaway GnuPG key."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from elections import services
from elections.models import Ballot
from governance.audit.log import verify_chain
from governance.models import Decision
from tests.elections.conftest import add_voters, draft_ballot, draft_election, published

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup.sh"
RESTORE = ROOT / "deploy" / "restore.sh"
HARNESS_VARIABLES = {"DEBUG", "TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}

ON_POSTGRESQL = (
    pytest.mark.postgres,
    pytest.mark.real_clock,
    # pg_dump reads from its own connection: the data must be committed.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="backups are pg_dump and pg_restore of PostgreSQL (SQLite is a file to copy)",
    ),
)


def on_postgresql(test: Callable) -> Callable:
    for mark in ON_POSTGRESQL:
        test = mark(test)
    return test


def pg_environment() -> dict[str, str]:
    """The libpq variables that reach the test database's server as the suite does."""
    database = connection.settings_dict
    # The harness's switches, and the machine's own backup settings, stay out of the scripts.
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in HARNESS_VARIABLES and not k.startswith("BACKUP_") and k != "GNUPGHOME"
    }
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


def database_url(database: str) -> str:
    """The URL of another database on the test database's server."""
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "", safe="")
    if settings.get("PASSWORD"):
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{settings['HOST'] or 'localhost'}:"
        f"{settings['PORT'] or 5432}/{database}"
    )


def manage(database: str, *args: str) -> subprocess.CompletedProcess:
    """`manage.py` against another database, as an operator runs it after a restore."""
    return run(
        sys.executable, "manage.py", *args, DEBUG="true", DATABASE_URL=database_url(database)
    )


@pytest.fixture
def empty_database() -> Iterator[Callable[[str], str]]:
    """Make empty databases beside the test database; all dropped at the end whatever happens."""
    names: list[str] = []

    def create(suffix: str) -> str:
        name = f"{connection.settings_dict['NAME']}_{suffix}"[:63]
        run("dropdb", "--if-exists", name)
        created = run("createdb", name)
        assert created.returncode == 0, created.stderr
        names.append(name)
        return name

    yield create
    drops = [run("dropdb", "--if-exists", name) for name in names]
    assert all(drop.returncode == 0 for drop in drops), [drop.stderr for drop in drops]


@pytest.fixture
def fresh_database(empty_database) -> str:
    return empty_database("restored")


@on_postgresql
def test_a_restored_dump_verifies_its_audit_chain_and_recounts_as_published(
    world, tmp_path, fresh_database
):
    # The record, written through the services: two ballots counted into decisions.
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    published(
        world,
        question,
        [(world.member, "yes"), (world.officer, "yes"), (world.other_officer, "no")],
    )
    voters = add_voters(world, 5)
    election = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    rankings = [["c1", "c2"], ["c2", "c1"], ["c3", "c2"], ["c1", "c3"], ["c2"]]
    published(world, election, list(zip(voters, rankings, strict=True)))
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
    figures = Ballot.objects.get(pk=election.pk).decision.figures
    assert json.loads(tallied.stdout)["elected"] == figures["elected"]
    tallied = manage(fresh_database, "tally", str(lists / f"ballot-{question.pk}.json"))
    figures = json.loads(tallied.stdout)
    assert (figures["yes"], figures["no"]) == (2, 1)


# --- deploy/backup.sh and deploy/restore.sh ------------------------------------------------


@dataclass(frozen=True)
class BackupKey:
    fingerprint: str
    operator: Path  # the keyring with the private key: where restores run
    server: Path  # the keyring with the public key only: where backups are taken


def gpg(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def backup_key() -> Iterator[BackupKey]:
    """A throwaway key pair, made as docs/operations.md says: on the operator's machine, whose
    public half only is imported on the server."""
    if not (shutil.which("gpg") and shutil.which("gpgconf")):
        pytest.skip("GnuPG is not installed")
    # A short path: gpg-agent's socket lives in the home, and socket paths are short.
    homes = Path(tempfile.mkdtemp(prefix="gpg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    operator, server = homes / "operator", homes / "server"
    operator.mkdir(mode=0o700)
    server.mkdir(mode=0o700)
    try:
        gpg(
            operator,
            *("--passphrase", "", "--quick-generate-key", "Backups <backups@test.invalid>"),
            *("default", "default", "never"),
        )
        listed = gpg(operator, "--with-colons", "--list-keys").stdout
        fingerprint = next(line.split(":")[9] for line in listed.splitlines() if line[:4] == "fpr:")
        public = gpg(operator, "--armor", "--export", fingerprint).stdout
        gpg(server, "--import", stdin=public)
        yield BackupKey(fingerprint, operator, server)
    finally:
        for home in (operator, server):
            subprocess.run(
                ["gpgconf", "--homedir", str(home), "--kill", "all"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(homes, ignore_errors=True)


def backup(key: BackupKey, folder: Path, **env: str) -> subprocess.CompletedProcess:
    """deploy/backup.sh as cron runs it on the server, on the test database."""
    settings = {
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "BACKUP_GPG_RECIPIENT": key.fingerprint,
        "BACKUP_DIR": str(folder),
        "GNUPGHOME": str(key.server),
    }
    return run(BACKUP, **{**settings, **env})


def restore(key: BackupKey, *args: str | Path) -> subprocess.CompletedProcess:
    """deploy/restore.sh as an operator runs it, with the private key."""
    return run(RESTORE, *args, GNUPGHOME=str(key.operator), PYTHON=sys.executable)


def relations(database: str) -> int:
    """Tables, sequences, indexes and views outside the system schemas: 0 for a new database."""
    counted = run(
        "psql", "-X", "-A", "-t", "-d", database, "-c",
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
    )  # fmt: skip
    assert counted.returncode == 0, counted.stderr
    return int(counted.stdout)


def the_backup(folder: Path) -> tuple[Path, Path, Path]:
    """The one backup in the folder: the dump, its checksum and its manifest, and nothing else."""
    (dump,) = folder.glob("governance-*.dump.gpg")
    checksum = dump.with_name(dump.name + ".sha256")
    manifest = dump.with_name(dump.name.removesuffix(".dump.gpg") + ".manifest.json")
    assert sorted(folder.iterdir()) == sorted([dump, checksum, manifest])
    return dump, checksum, manifest


def copy_backup(folder: Path, to: Path) -> Path:
    to.mkdir()
    for file in folder.iterdir():
        shutil.copy2(file, to / file.name)
    return the_backup(to)[0]


@on_postgresql
def test_backup_sh_encrypts_and_copies_off_site_and_restore_sh_checks_the_restore(
    backup_key, tmp_path, empty_database
):
    call_command("load_demo", stdout=io.StringIO())
    live = verify_chain()
    assert live.ok and live.count > 0
    local, offsite = tmp_path / "backups", tmp_path / "offsite"
    local.mkdir()
    offsite.mkdir()
    # A backup older than BACKUP_KEEP_DAYS (14): deleted once the new one is written and copied.
    old = local / "governance-20200101T000000Z.dump.gpg"
    old.write_bytes(b"old")
    twenty_days_ago = time.time() - 20 * 86400
    os.utime(old, (twenty_days_ago, twenty_days_ago))

    made = backup(backup_key, local, BACKUP_OFFSITE=str(offsite))
    assert made.returncode == 0, made.stdout + made.stderr
    assert "backup ok" in made.stdout
    assert not old.exists()

    # Encrypted on disk: neither a pg_dump archive nor readable by pg_restore, nor by the
    # server's own keyring; the off-site copy is the same bytes.
    dump, checksum, manifest_file = the_backup(local)
    data = dump.read_bytes()
    assert not data.startswith(b"PGDMP")
    assert run("pg_restore", "--list", dump).returncode != 0
    on_server = subprocess.run(
        ["gpg", "--homedir", str(backup_key.server), "--batch", "--decrypt", str(dump)],
        capture_output=True,
        check=False,
    )
    assert on_server.returncode != 0 and b"No secret key" in on_server.stderr
    for file in (dump, checksum, manifest_file):
        assert (offsite / file.name).read_bytes() == file.read_bytes(), file.name
    sha256 = hashlib.sha256(data).hexdigest()
    assert checksum.read_text() == f"{sha256}  {dump.name}\n"
    manifest = json.loads(manifest_file.read_text())
    assert manifest["sha256"] == sha256 and manifest["bytes"] == len(data)
    assert manifest["encrypted_to"] == backup_key.fingerprint
    assert manifest["audit_head"] == {"sequence": live.count, "hash": live.head_hash}

    # The restore, from the off-site copy, into a new database: checked end to end.
    target = empty_database("restored")
    restored = restore(backup_key, offsite / dump.name, database_url(target))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"audit chain ok: {live.count} events, head {live.head_hash}" in restored.stdout
    assert "audit head matches the manifest" in restored.stdout
    assert "published ballots recount as published" in restored.stdout
    assert "restore verified" in restored.stdout

    # A database that is not empty is refused, and left alone.
    refused = restore(backup_key, dump, database_url(target))
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--force" in refused.stderr

    # A restore whose chain ends elsewhere than the manifest says fails (here with --force,
    # over the first restore).
    other = copy_backup(local, tmp_path / "other-head")
    other_manifest = other.with_name(manifest_file.name)
    doctored = json.loads(other_manifest.read_text())
    doctored["audit_head"]["sequence"] -= 1
    other_manifest.write_text(json.dumps(doctored))
    mismatch = restore(backup_key, "--force", other, database_url(target))
    assert mismatch.returncode == 1, mismatch.stdout + mismatch.stderr
    assert "audit head mismatch" in mismatch.stderr


@on_postgresql
def test_restore_sh_refuses_a_tampered_backup_and_creates_nothing(
    backup_key, tmp_path, empty_database
):
    local = tmp_path / "backups"
    made = backup(backup_key, local)
    assert made.returncode == 0, made.stdout + made.stderr
    tampered = copy_backup(local, tmp_path / "tampered")
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    target = empty_database("tampered")

    refused = restore(backup_key, tampered, database_url(target))
    assert refused.returncode == 1
    assert "checksum mismatch" in refused.stderr and "nothing restored" in refused.stderr
    assert relations(target) == 0

    # Whoever altered it rewrote the checksums too: gpg's own integrity check still refuses.
    sha256 = hashlib.sha256(data).hexdigest()
    checksum = tampered.with_name(tampered.name + ".sha256")
    checksum.write_text(f"{sha256}  {tampered.name}\n")
    manifest_file = tampered.with_name(tampered.name.removesuffix(".dump.gpg") + ".manifest.json")
    manifest = json.loads(manifest_file.read_text())
    manifest["sha256"] = sha256
    manifest_file.write_text(json.dumps(manifest))
    refused = restore(backup_key, tampered, database_url(target))
    assert refused.returncode == 1
    assert "gpg could not decrypt" in refused.stderr and "nothing restored" in refused.stderr
    assert relations(target) == 0


@on_postgresql
def test_backup_sh_leaves_nothing_when_pg_dump_fails_midway(backup_key, tmp_path):
    # pg_dump writes the start of an archive, then fails (through BACKUP_PG_EXEC, the prefix
    # for running PostgreSQL's tools elsewhere).
    failing = tmp_path / "failing-pg-dump"
    failing.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = pg_dump ] && [ "$2" != --version ]; then\n'
        "  printf PGDMP; echo 'pg_dump: error: connection lost' >&2; exit 1\n"
        "fi\n"
        'exec "$@"\n'
    )
    failing.chmod(0o755)
    local = tmp_path / "backups"
    failed = backup(backup_key, local, BACKUP_PG_EXEC=str(failing))
    assert failed.returncode == 1
    assert "pg_dump failed" in failed.stderr and "nothing written" in failed.stderr
    assert list(local.iterdir()) == []


@pytest.mark.parametrize("missing", ["BACKUP_GPG_RECIPIENT", "DATABASE_URL", "BACKUP_DIR"])
def test_backup_sh_without_a_required_setting_names_it_and_writes_nothing(tmp_path, missing):
    settings = {
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/never_reached",
        "BACKUP_GPG_RECIPIENT": "backups@test.invalid",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "GNUPGHOME": str(tmp_path / "gnupg"),
    }
    del settings[missing]
    environment = {
        k: v for k, v in os.environ.items() if k not in settings and not k.startswith("BACKUP_")
    }
    environment.pop(missing, None)
    result = subprocess.run(
        [str(BACKUP)],
        env={**environment, **settings},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{missing} is not set" in result.stderr
    assert list(tmp_path.iterdir()) == []
