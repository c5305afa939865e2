"""Benchmark of the membership import: N generated rows into a fresh database, then again.

Run from the project root:

    .venv/bin/python benchmarks/import_members.py                    # 10,000 rows, SQLite
    .venv/bin/python benchmarks/import_members.py --rows 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python benchmarks/import_members.py               # the database must exist
    ... --command          # each import as its own manage.py process: time and peak memory

Without DATABASE_URL a throw-away SQLite file in a temporary folder is used. The database
is migrated and emptied of members first. Three imports are timed with
``time.perf_counter``, each through `governance.roll.importing.import_members` (the function
behind both the command and the staff page: parse and check every line, write in one
transaction, one audit event per member): the first creates every member, the second
(same file) changes nothing, the third changes one column on every row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generate(rows: int, unit_codes: list[str], seed: int, *, suffix: str = "") -> bytes:
    rng = random.Random(seed)
    today = dt.date.today()
    lines = ["membership_number,first_name,last_name,email,birth_date,joined_on,unit,kind"]
    for index in range(rows):
        born = today - dt.timedelta(days=rng.randint(18 * 366, 80 * 365))
        joined = today - dt.timedelta(days=rng.randint(1, 20 * 365))
        kind = "supporter" if rng.random() < 0.1 else "member"
        lines.append(
            f"B-{index:07d},Prénom{index}{suffix},Nom{index},person{index}@bench.example,"
            f"{born},{joined},{rng.choice(unit_codes)},{kind}"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--first-only", action="store_true", help="time the first import only")
    parser.add_argument(
        "--command",
        action="store_true",
        help="run each import as `manage.py import_members` under GNU time (time and peak RSS)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DEBUG", "true")
    if not os.environ.get("DATABASE_URL"):
        folder = tempfile.mkdtemp(prefix="import-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from governance import services
    from governance.audit import log as audit
    from governance.models import AuditEvent, AuditHead, Member, OrganisationUnit
    from governance.roll import importing
    from governance.services import SYSTEM

    call_command("migrate", verbosity=0)
    if Member.objects.exists() or AuditEvent.objects.exists():
        sys.exit("the benchmark needs an empty database (no members, no audit events)")
    section = OrganisationUnit.objects.filter(code="bench-section").first() or services.create_unit(
        actor=SYSTEM, code="bench-section", name="Section", kind="section"
    )
    codes = [section.code]
    for index in range(8):
        code = f"bench-group-{index}"
        if not OrganisationUnit.objects.filter(code=code).exists():
            services.create_unit(
                actor=SYSTEM, code=code, name=f"Group {index}", kind="local_group", parent=section
            )
        codes.append(code)

    first = generate(args.rows, codes, args.seed)
    changed = generate(args.rows, codes, args.seed, suffix="-x")
    today = dt.date.today()
    print(
        f"# {args.rows:,} rows ({len(first) / 1e6:.1f} MB) on {connection.vendor}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    if args.command:
        elapsed, peak = run_command(None)
        print(
            f"{'floor: start-up':>17}: {elapsed:6.2f} s  peak {peak:.0f} MB  (manage.py import_members --help)"
        )
    if connection.vendor == "postgresql":
        elapsed = copy_floor(first, dict(OrganisationUnit.objects.values_list("code", "id")))
        print(
            f"{'floor: COPY':>17}: {elapsed:6.2f} s  (the same members and as many events, COPY only)"
        )
    for label, data in (
        ("create", first),
        ("same file again", first),
        ("update every row", changed),
    ):
        if args.first_only and label != "create":
            continue
        if args.command:
            elapsed, peak = run_command(data)
            print(
                f"{label:>17}: {elapsed:6.2f} s  ({args.rows / elapsed:,.0f} rows/s)  peak {peak:.0f} MB"
            )
            continue
        started = time.perf_counter()
        report = importing.import_members(actor=SYSTEM, data=data, today=today, system=True)
        elapsed = time.perf_counter() - started
        print(
            f"{label:>17}: {elapsed:6.2f} s  ({args.rows / elapsed:,.0f} rows/s)  "
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
        )
    started = time.perf_counter()
    result = audit.verify_chain()
    print(
        f"{'verify_audit':>17}: {time.perf_counter() - started:6.2f} s  "
        f"({result.count:,} events, chain {'holds' if result.ok else 'BROKEN'}; head {AuditHead.objects.get().sequence})"
    )


def copy_floor(data: bytes, units: dict[str, int]) -> float:
    """The floor of the write: the file's members and one event each, COPY'd into copies of
    their tables (rolled back), the values already prepared (no checks, no hashes, no JSON)."""
    import csv
    import io

    from django.db import connection, transaction

    rows = list(csv.reader(io.StringIO(data.decode())))[1:]
    members = [
        (i, n, f, la, e, b, j, units[u], k, "active", "")
        for i, (n, f, la, e, b, j, u, k) in enumerate(rows, 1)
    ]
    new = '{"birth_date":"1990-01-01","email":"p@bench.example","first_name":"F","joined_on":"2020-01-01","kind":"member","last_name":"L","membership_number":"B-0000000","unit_id":1}'
    now = dt.datetime.now(dt.UTC)
    events = [
        (i, now, None, "system: import", "member.imported", "governance.member", str(i), r[0],
         None, new, "0" * 64, f"{i:064x}")
        for i, r in enumerate(rows, 1)
    ]  # fmt: skip
    member_columns = "id, membership_number, first_name, last_name, email, birth_date, joined_on, unit_id, kind, status, language"
    event_columns = "sequence, occurred_at, actor_id, actor_label, action, object_type, object_id, object_label, old, new, prev_hash, hash"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE floor_member (LIKE governance_member INCLUDING ALL)")
        cursor.execute("CREATE TEMP TABLE floor_event (LIKE governance_auditevent INCLUDING ALL)")
        started = time.perf_counter()
        for table, columns, values in (
            ("floor_member", member_columns, members),
            ("floor_event", event_columns, events),
        ):
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def run_command(data: bytes | None) -> tuple[float, float]:
    """`manage.py import_members FILE` as its own process: wall seconds, peak RSS in MB.
    Without data, `manage.py import_members --help`: the process's start-up alone."""
    import subprocess

    with tempfile.NamedTemporaryFile(suffix=".csv") as csv, tempfile.NamedTemporaryFile("r") as rss:
        csv.write(data or b"")
        csv.flush()
        started = time.perf_counter()
        subprocess.run(
            [
                "/usr/bin/time",
                "-f",
                "%M",
                "-o",
                rss.name,
                sys.executable,
                "manage.py",
                "import_members",
                *([csv.name, "--verbosity", "0"] if data is not None else ["--help"]),
            ],
            check=True,
            stdout=subprocess.DEVNULL if data is None else None,
            cwd=Path(__file__).resolve().parent.parent,
            # Production settings: with DEBUG on, Django keeps the last 9,000 statements.
            env={**os.environ, "DEBUG": "false", "SECRET_KEY": "benchmark-" + "x" * 50},
        )
        return time.perf_counter() - started, int(rss.read().split()[-1]) / 1024


if __name__ == "__main__":
    main()
