"""Benchmark of the register export: N decisions and M audit events, exported and verified.

Run from the project root:

    .venv/bin/python benchmarks/export_register.py             # 100,000 decisions, 1,000,000 events, SQLite
    .venv/bin/python benchmarks/export_register.py --decisions 10000 --events 100000 --pdf
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python benchmarks/export_register.py        # the database must exist and be empty

Without DATABASE_URL a throw-away SQLite file in a temporary folder is used. The database is
migrated; it must hold no decision and no audit event. The founding statutes, a section and
two bodies are set up through the services; then N decisions (with rule snapshots and figures
like the voting engine's) and audit events up to M in all (one ``decision.recorded`` per
decision, the rest member updates) are bulk-inserted with a valid hash chain, computed as
`governance.audit.log.record_many` does. That setup is not timed.

Each measured step runs as its own ``manage.py`` process (DEBUG off), timed with
``time.perf_counter``; its peak memory is the process's own high-water resident set size
(``VmHWM`` in ``/proc/self/status``, read as it exits; Linux only). The steps are
``export_register --format json`` and ``--format csv`` to files, ``verify_export`` of each,
``verify_audit``, ``anomaly_report`` (which re-checks every decision's figures against its
rule snapshot), and with ``--pdf`` the PDF export and its verification (the PDF is built in
memory: try it at a smaller N). ``manage.py check`` gives the baseline memory of a process
that loads the project and does nothing else.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 5000


def decisions(count: int, setup: dict, seed: int) -> Iterator:
    """Unsaved decisions spread over the years, with the snapshots a ballot result stores."""
    from governance.models import Decision

    rng = random.Random(seed)
    years = list(range(2000, 2027))
    numbers = dict.fromkeys(years, 0)
    recorded = dt.datetime(2000, 1, 1, 9, tzinfo=dt.UTC)
    for index in range(count):
        year = years[index * len(years) // count]
        numbers[year] += 1
        eligible = rng.randint(7, 9000)
        # At least the quorum of article 7 (a quarter, rounded up): the anomaly report re-checks it.
        took_part = rng.randint(-(-eligible // 4), eligible)
        yes = rng.randint(0, took_part)
        no = rng.randint(0, took_part - yes)
        abstain = took_part - yes - no
        figures = {
            "eligible": eligible,
            "took_part": took_part,
            "yes": yes,
            "no": no,
            "abstain": abstain,
        }
        outcome = "adopted" if yes > no else "rejected"
        snapshot = [
            {
                **setup["quorum"],
                "outcome": {
                    "kind": "quorum",
                    "satisfied": True,
                    "article": setup["quorum"]["article"],
                    "threshold": "1/4",
                    "figures": {"convocation": 1, "eligible": eligible, "took_part": took_part},
                },
            },
            {
                **setup["majority"],
                "outcome": {
                    "kind": "majority",
                    "satisfied": outcome == "adopted",
                    "article": setup["majority"]["article"],
                    "threshold": "simple 1/2",
                    "figures": {"yes": yes, "no": no, "abstain": abstain, "base": yes + no},
                },
            },
        ]
        decided_on = dt.date(year, 1, 1) + dt.timedelta(days=numbers[year] % 360)
        yield Decision(
            reference=f"ORG 50/{numbers[year]:03d}/{year}",
            body=setup["body"] if index % 3 else setup["board"],
            decided_on=decided_on,
            title=f"Resolution {index}: campaign, budget and representation",
            text=(
                f"The assembly decides item {index}: the section joins the regional campaign, "
                "adopts the budget line proposed by the Board and mandates its delegates to the "
                "International Council accordingly. « Texte adopté en séance. »"
            ),
            statute_version=setup["version"],
            article=setup["article"],
            rule_snapshot=snapshot,
            figures=figures,
            outcome=outcome,
            recorded_at=recorded + dt.timedelta(minutes=index),
        )


def chained_events(first_sequence: int, prev_hash: str, decided: Iterator, filler: int):
    """Audit events continuing the chain: one per decision, then `filler` member updates."""
    from governance.audit.log import event_hash
    from governance.models import AuditEvent

    sequence, prev = first_sequence, prev_hash
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def event(action, object_type, object_id, label, old, new):
        nonlocal sequence, prev, moment
        moment += dt.timedelta(milliseconds=1)
        values = {
            "sequence": sequence,
            "occurred_at": moment,
            "actor_id": None,
            "actor_label": "system",
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "object_label": label,
            "old": old,
            "new": new,
            "prev_hash": prev,
        }
        digest = event_hash(**values)
        prev, sequence = digest, sequence + 1
        return AuditEvent(**values, hash=digest)

    for pk, reference, title in decided:
        yield event(
            "decision.recorded",
            "governance.decision",
            str(pk),
            f"{reference} — {title}"[:300],
            None,
            {"reference": reference, "title": title},
        )
    for index in range(filler):
        yield event(
            "member.updated",
            "governance.member",
            str(index % 10_000 + 1),
            f"Member {index % 10_000}",
            {"email": f"old{index}@bench.example"},
            {"email": f"new{index}@bench.example"},
        )


def populate(decision_count: int, event_count: int, seed: int) -> None:
    from django.db import transaction

    from governance import services
    from governance.audit.log import store_blocks
    from governance.demo import statutes_v1
    from governance.models import AuditEvent, AuditHead, Decision, StatuteVersion
    from governance.services import SYSTEM

    section = services.create_unit(actor=SYSTEM, code="bench", name="Section", kind="section")
    version = services.adopt_statute_version(
        actor=SYSTEM,
        title="Statutes",
        effective_from=dt.date(1999, 1, 1),
        articles=statutes_v1(),
    )
    body = services.create_body(
        actor=SYSTEM, unit=section, code="bench-ga", name="General Assembly", kind="assembly"
    )
    board = services.create_body(
        actor=SYSTEM, unit=section, code="bench-board", name="Board", kind="board", seats=7
    )
    version = StatuteVersion.objects.get(pk=version.pk)
    rules = {
        rule.kind: rule.snapshot()
        for rule in version.articles.get(number="7").rules.all()
        | version.articles.get(number="8").rules.all()
    }
    setup = {
        "version": version,
        "article": version.articles.get(number="8"),
        "body": body,
        "board": board,
        "quorum": rules["quorum"],
        "majority": rules["majority"],
    }
    with transaction.atomic():
        pending = []
        for decision in decisions(decision_count, setup, seed):
            pending.append(decision)
            if len(pending) == BATCH:
                Decision.objects.bulk_create(pending)
                pending = []
        Decision.objects.bulk_create(pending)
        head = AuditHead.objects.select_for_update().get(id=1)
        recorded = Decision.objects.order_by("pk").values_list("pk", "reference", "title")
        filler = max(event_count - head.sequence - decision_count, 0)
        events = chained_events(
            head.sequence + 1, head.hash, recorded.iterator(chunk_size=BATCH), filler
        )
        last = None
        pending = []
        for event in events:
            pending.append(event)
            if len(pending) == BATCH:
                AuditEvent.objects.bulk_create(pending)
                last, pending = pending[-1], []
        if pending:
            AuditEvent.objects.bulk_create(pending)
            last = pending[-1]
        if last is not None:
            head.sequence, head.hash = last.sequence, last.hash
            head.save(update_fields=["sequence", "hash"])
            # Bulk-created: store the blocks' hashes as the appending functions would.
            store_blocks(0, head.sequence)


# Runs manage.py and reports the process's own peak resident set size (VmHWM) on exit. The
# rusage of a child (os.wait4) is no good here: Linux carries the parent's peak over the exec.
MEASURED = """
import atexit, runpy, sys

def report():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"peak-rss-kb {peak}", file=sys.stderr)

atexit.register(report)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run(label: str, *command: str) -> tuple[float, int, str]:
    """Run a manage.py command: its wall time, peak RSS in MB and last line of output."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, str(ROOT / "manage.py"), *command],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{label} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    peak = next(
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("peak-rss-kb")
    )
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    last = next((line for line in reversed(lines) if not line.startswith("peak-rss-kb")), "")
    return elapsed, peak // 1024, last


def export_floor(path: Path) -> tuple[float, float, float]:
    """What `verify_export` cannot do without, in this process: `sha256sum` of the file, the
    live rows it compares with read once (COPY of the same query on PostgreSQL, a cursor on
    SQLite), and the audit log's floor (`benchmarks/verify_audit.py`: COPY of the rows
    `verify_audit` reads, then SHA-256 of each), since it verifies the chain too."""
    import hashlib

    from django.db import connection

    from governance.audit import exports
    from governance.audit.log import _SQL_ROWS
    from governance.models import Decision

    started = time.perf_counter()
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
    file_s = time.perf_counter() - started
    query = Decision.objects.order_by("pk").values_list(*exports._LOOKUPS)
    sql, params = query.query.sql_with_params()
    connection.ensure_connection()
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:  # fmt: skip
            for _block in copy:
                pass
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while cursor.fetchmany(5000):
                pass
    live_s = time.perf_counter() - started
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from verify_audit import floor_once

        copied, hashed, _size = floor_once()
        audit_s = copied + hashed
    else:
        sha = hashlib.sha256
        with connection.cursor() as cursor:
            cursor.execute(_SQL_ROWS)
            while rows := cursor.fetchmany(5000):
                for row in rows:
                    sha(repr(row).encode()).digest()
        audit_s = time.perf_counter() - started
    connection.close()
    return file_s, live_s, audit_s


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pdf", action="store_true", help="also time the PDF export")
    parser.add_argument(
        "--skip-setup", action="store_true", help="reuse the decisions and events already there"
    )
    parser.add_argument(
        "--verify-only",
        action="store_true",
        help="only the JSON and CSV exports and their verification, beside its floor",
    )
    args = parser.parse_args()

    # Production settings: DEBUG would keep every query's SQL in memory.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "export-benchmark-" + os.urandom(16).hex())
    folder = Path(tempfile.mkdtemp(prefix="export-bench-"))
    if not (os.environ.get("AUDIT_SIGNING_KEY_FILE") or os.environ.get("AUDIT_SIGNING_KEY")):
        key = folder / "audit-signing.key"  # the exports carry a signed checkpoint
        key.write_text(base64.b64encode(os.urandom(32)).decode())
        os.environ["AUDIT_SIGNING_KEY_FILE"] = str(key)
    if not os.environ.get("DATABASE_URL"):
        if args.skip_setup:
            sys.exit("--skip-setup needs the DATABASE_URL of the database set up before")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from governance.models import AuditEvent, Decision

    call_command("migrate", verbosity=0)
    setup_time = 0.0
    if not args.skip_setup:
        if Decision.objects.exists() or AuditEvent.objects.exists():
            sys.exit("the benchmark needs an empty database (no decisions, no audit events)")
        started = time.perf_counter()
        populate(args.decisions, args.events, args.seed)
        setup_time = time.perf_counter() - started
    decision_count, event_count = Decision.objects.count(), AuditEvent.objects.count()
    connection.close()  # the measured processes read the database on their own

    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(
        f"# {decision_count:,} decisions, {event_count:,} audit events on {connection.vendor}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC (set up in {setup_time:.0f} s, untimed), "
        f"load average {load}"
    )
    print("| step | time | peak RSS | file |")
    print("|---|---:|---:|---:|")
    steps = [("baseline: manage.py check", ("check",), None)]
    formats = ["json", "csv"] + (["pdf"] if args.pdf and not args.verify_only else [])
    for fmt in formats:
        path = folder / f"register.{fmt}"
        steps.append(
            (
                f"export_register --format {fmt}",
                ("export_register", "--format", fmt, "--output", str(path)),
                path,
            )
        )
    for fmt in formats:
        path = folder / f"register.{fmt}"
        steps.append((f"verify_export ({fmt})", ("verify_export", str(path)), path))
    if not args.verify_only:
        steps.append(("verify_audit", ("verify_audit",), None))
        steps.append(("anomaly_report", ("anomaly_report",), None))
    last_lines, floors = [], []
    for label, command, path in steps:
        elapsed, peak, last = run(label, *command)
        size = f"{path.stat().st_size / 1e6:,.1f} MB" if path else ""
        if label.startswith("verify_export") and path.suffix != ".pdf":
            size = ""
            floor = export_floor(path)
            floors.append((label, elapsed, floor))
        print(f"| {label} | {elapsed:.2f} s | {peak:,} MB | {size} |", flush=True)
        last_lines.append(f"{label}: {last}")
    print()
    for label, elapsed, (file_s, live_s, audit_s) in floors:
        total = file_s + live_s + audit_s
        print(
            f"floor of {label}: sha256sum {file_s:.2f} s + live rows {live_s:.2f} s + audit "
            f"log {audit_s:.2f} s = {total:.2f} s; ratio {elapsed / total:.2f}"
        )
    with open("/proc/loadavg") as loadavg:
        print("load average after:", " ".join(loadavg.read().split()[:3]))
    print()
    for line in last_lines:
        print(f"    {line[:220]}")


if __name__ == "__main__":
    main()
