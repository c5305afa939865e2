"""Benchmark of `verify_audit` on PostgreSQL: N audit events, verified, beside their floor.

Run from the project root, against an empty database of your own:

    createdb -h 127.0.0.1 -U postgres governance_bench_audit
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench_audit \\
        .venv/bin/python benchmarks/verify_audit.py                  # 1,000,000 events
    ... benchmarks/verify_audit.py --events 100000 --runs 3

The database is migrated and must hold no audit event. N events shaped like the platform's
(nine votes in ten, ``ballot.vote_cast`` naming the voter; one in ten a member update with
old and new values of eight fields) are made with a valid hash chain and written by one
``COPY ... FROM STDIN``, with the head; that setup is timed apart and not counted.

Measured in the same run, each `--runs` times (the median is reported):

- the floor: ``COPY`` of the same rows out of PostgreSQL (every column `verify_audit` reads,
  as text), read whole by psycopg, then SHA-256 of every row's bytes in a tight loop;
- ``manage.py verify_audit`` as its own process (DEBUG off), wall time and peak memory
  (``VmHWM``), with the process's start-up (``manage.py check``) measured beside it;
- ``verify_audit --checkpoint`` against a checkpoint of the whole log.

The ratio is verify_audit's time over the floor (COPY + SHA-256).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def make_events(count: int):
    """Rows for COPY, with their chain computed by the same bytes `audit.event_hash` hashes."""
    from governance.audit import log as audit

    prev = audit.GENESIS_HASH
    start = 1_767_225_600  # 2026-01-01 00:00 UTC
    encode = audit._encode_str
    for sequence in range(1, count + 1):
        seconds, micro = divmod(sequence * 137_731, 1_000_000)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + seconds))
        occurred = f"{stamp}.{micro:06d}+00:00"
        if sequence % 10:
            action, otype, oid, label = "ballot.vote_cast", "elections.ballot", "42", "AG 2026"
            old, new = None, {"by_proxy": sequence % 7 == 0, "voter": 1000 + sequence % 9000}
            actor = f"member{sequence % 9000}@section.example.org"
        else:
            action, otype = "member.updated", "governance.member"
            oid, label = str(sequence % 9000), f"Membre n° {sequence % 9000}"
            fields = {
                "city": "Tunis",
                "email": f"member{sequence % 9000}@section.example.org",
                "first_name": "Amina",
                "joined_on": "2019-03-01",
                "last_name": "Ben Salah",
                "membership_number": f"TN-{sequence % 9000:05d}",
                "status": "active",
                "unit": 3,
            }
            old, new = fields, dict(fields, city="Sfax")
            actor = "staff@section.example.org"
        dumps = json.dumps
        body = audit._BODY % (
            encode(action),
            "null",
            encode(actor),
            dumps(new, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            encode(oid),
            encode(label),
            encode(otype),
            occurred,
            "null"
            if old is None
            else dumps(old, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            encode(prev),
            sequence,
        )
        digest = hashlib.sha256(body.encode()).hexdigest()
        yield (
            sequence,
            occurred,
            None,
            actor,
            action,
            otype,
            oid,
            label,
            None if old is None else json.dumps(old),
            json.dumps(new),
            prev,
            digest,
        )
        prev = digest


def build(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from governance.models import AuditEvent, AuditHead

    call_command("migrate", verbosity=0)
    if AuditEvent.objects.exists():
        sys.exit("the database already holds audit events: give an empty one")
    started = time.perf_counter()
    connection.ensure_connection()
    last = None
    columns = (
        "sequence, occurred_at, actor_id, actor_label, action, object_type, object_id, "
        "object_label, old, new, prev_hash, hash"
    )
    copying = f"COPY governance_auditevent ({columns}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(copying) as copy:
        for row in make_events(count):
            copy.write_row(row)
            last = row
    AuditHead.objects.update_or_create(id=1, defaults={"sequence": count, "hash": last[11]})
    # The COPY bypasses the appending functions: store the blocks' hashes as they would.
    from governance.audit.log import store_blocks

    with transaction.atomic():
        store_blocks(0, count)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE governance_auditevent")
    print(f"set up {count:,} events in {time.perf_counter() - started:.1f} s", flush=True)


def floor_once() -> tuple[float, float, int]:
    """COPY of the rows verify_audit reads (as text), then SHA-256 of each row's bytes."""
    from django.db import connection

    from governance.audit.log import _PG_ROWS

    connection.ensure_connection()
    started = time.perf_counter()
    chunks = []
    with connection.connection.cursor() as cursor, cursor.copy(_PG_ROWS) as copy:
        for block in copy:
            chunks.append(bytes(block))
    data = b"".join(chunks)
    copied = time.perf_counter() - started
    started = time.perf_counter()
    sha = hashlib.sha256
    for line in data.split(b"\n"):
        sha(line).digest()
    hashed = time.perf_counter() - started
    return copied, hashed, len(data)


def in_process_once() -> float:
    """verify_chain in this process, right after the floor (no start-up in it)."""
    from governance.audit.log import verify_chain

    started = time.perf_counter()
    result = verify_chain()
    took = time.perf_counter() - started
    if not result.ok:
        sys.exit(f"the benchmark's log does not verify: {result.problem}")
    return took


def run(*args: str) -> tuple[float, int, str]:
    """A manage.py command in its own process: wall seconds, peak RSS (kB), output."""
    code = (
        "import os, sys, time, runpy\n"
        "sys.argv = ['manage.py', *sys.argv[1:]]\n"
        "started = time.perf_counter()\n"
        "try:\n"
        "    runpy.run_path('manage.py', run_name='__main__')\n"
        "finally:\n"
        "    took = time.perf_counter() - started\n"
        "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "    print(f'@@ {took:.3f} {hwm}', file=sys.stderr)\n"
    )
    env = dict(os.environ, DEBUG="false", SECRET_KEY="bench-" + "x" * 50, ALLOWED_HOSTS="x")
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    marker = [line for line in done.stderr.splitlines() if line.startswith("@@ ")][-1]
    took, hwm = marker.split()[1:]
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed: {done.stdout}{done.stderr}")
    return float(took), int(hwm), done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the events already there")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("give DATABASE_URL=postgres://... of an empty database")
    with tempfile.TemporaryDirectory() as folder:
        key = Path(folder) / "audit-signing.key"
        key.write_text(base64.b64encode(os.urandom(32)).decode())
        os.environ["AUDIT_SIGNING_KEY_FILE"] = str(key)
        setup_django()
        if not options.skip_setup:
            build(options.events)
        checkpoint = Path(folder) / "checkpoint.txt"
        run("audit_checkpoint", "--output", str(checkpoint))
        floors, verifies, checked, starts, inside, load_at_start = [], [], [], [], [], ""
        with open("/proc/loadavg") as loadavg:
            load_at_start = " ".join(loadavg.read().split()[:3])
        for _ in range(options.runs):
            copied, hashed, size = floor_once()
            floors.append((copied, hashed))
            inside.append(in_process_once())
            starts.append(run("check")[:2])
            verifies.append(run("verify_audit")[:2])
            checked.append(run("verify_audit", "--checkpoint", str(checkpoint))[:2])
        copy_s = statistics.median(c for c, _h in floors)
        hash_s = statistics.median(h for _c, h in floors)
        floor = statistics.median(c + h for c, h in floors)
        verify_s = statistics.median(t for t, _m in verifies)
        verify_mb = max(m for _t, m in verifies) / 1024
        checked_s = statistics.median(t for t, _m in checked)
        start_s = statistics.median(t for t, _m in starts)
        start_mb = max(m for _t, m in starts) / 1024
        with open("/proc/loadavg") as loadavg:
            load = " ".join(loadavg.read().split()[:3])
        print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {load}")
        print(f"load at the start: {load_at_start}")
        print(f"events: {options.events:,}; rows copied out: {size / 1e6:.0f} MB")
        print(f"floor: COPY {copy_s:.2f} s + SHA-256 {hash_s:.2f} s = {floor:.2f} s")
        print(f"manage.py check (start-up): {start_s:.2f} s, {start_mb:.0f} MB")
        inside_s = statistics.median(inside)
        print(f"verify_chain in process: {inside_s:.2f} s, ratio {inside_s / floor:.2f}")
        print(f"verify_audit: {verify_s:.2f} s, {verify_mb:.0f} MB, ratio {verify_s / floor:.2f}")
        print(
            f"verify_audit --checkpoint: {checked_s:.2f} s, ratio {checked_s / floor:.2f} "
            f"(medians of {options.runs} runs)"
        )


if __name__ == "__main__":
    main()
