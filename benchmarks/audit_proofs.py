"""Benchmark of the audit log's inclusion and consistency proofs at N events, beside a floor.

Run from the project root against the database `benchmarks/verify_audit.py` filled (its events
and their stored blocks, `AuditSubtree`), PostgreSQL or SQLite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench_audit \\
        .venv/bin/python benchmarks/audit_proofs.py                 # 25 proofs of each kind
    ... benchmarks/audit_proofs.py --proofs 100 --full              # and the whole-log way

Each proof (`governance.audit.proofs.inclusion`, `.consistency`) runs in this process as the
API runs it, in its own read-only snapshot; its wall time and its queries (Django's
`CaptureQueriesContext`) are recorded, and every proof is checked with `governance.audit.merkle`
against the root it gives. The sequences and the tree sizes are drawn at random (seeded),
half of the sizes on a block boundary. Medians and the worst are reported.

The floor, measured in the same run as often: one indexed `SELECT` of a stored block hash
(one row of `AuditSubtree` by its key), and the rows a proof cannot do without, read by one
plain cursor each: the hashes of the complete blocks below the head (about N / 1,024 rows) and
the 1,024 event hashes of one block. `--full` also times the proof computed from every leaf
(`audit.leaves()` then `merkle.inclusion_proof`): the way before the stored blocks.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    import django

    django.setup()


def timed(function, *args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function(*args)
        took = time.perf_counter() - started
    # The SELECTs (the snapshot's BEGIN, SET TRANSACTION and COMMIT are not counted).
    selects = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return took, len(selects), result


def floor_once(size: int, block: int) -> tuple[float, float, float]:
    """One indexed SELECT of a block hash; the block hashes below `size`; one block's events."""
    from django.db import connection

    from governance.audit.log import BLOCK, BLOCK_LEVEL

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT hash FROM governance_auditsubtree WHERE level = %s AND index = %s",
            [BLOCK_LEVEL, block],
        )
        cursor.fetchall()
        one = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "SELECT index, hash FROM governance_auditsubtree WHERE level = %s AND index < %s",
            [BLOCK_LEVEL, size // BLOCK],
        )
        cursor.fetchall()
        blocks = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "SELECT sequence, hash FROM governance_auditevent "
            "WHERE sequence > %s AND sequence <= %s ORDER BY sequence",
            [block * BLOCK, (block + 1) * BLOCK],
        )
        cursor.fetchall()
        events = time.perf_counter() - started
    return one, blocks, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proofs", type=int, default=25, help="proofs of each kind")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--full", action="store_true", help="also the whole-log computation")
    options = parser.parse_args()
    setup_django()
    from django.db import connection

    from governance.audit import log, merkle, proofs

    head = proofs.head_size()
    if head < 2:
        sys.exit("the database holds no audit log: run benchmarks/verify_audit.py first")
    rng = random.Random(options.seed)
    inclusion, consistency, floors = [], [], []
    for _ in range(options.proofs):
        size = rng.choice([head, rng.randrange(1, head // log.BLOCK + 1) * log.BLOCK])
        size = max(size, 2)
        sequence = rng.randint(1, size)
        took, queries, proof = timed(proofs.inclusion, sequence, size)
        assert merkle.verify_inclusion(
            proof.leaf_index, size, proof.leaf_hash, proof.audit_path, proof.root
        )
        inclusion.append((took, queries, len(proof.audit_path)))
        first = rng.randint(1, size - 1)
        took, queries, proof = timed(proofs.consistency, first, size)
        assert merkle.verify_consistency(
            first, size, proof.first_root, proof.second_root, proof.proof
        )
        consistency.append((took, queries, len(proof.proof)))
        floors.append(floor_once(size, (sequence - 1) // log.BLOCK))

    def report(label: str, rows: list[tuple[float, int, int]]) -> None:
        times = [t for t, _q, _n in rows]
        queries = sorted({q for _t, q, _n in rows})
        nodes = max(n for _t, _q, n in rows)
        print(
            f"{label}: median {statistics.median(times) * 1e3:.1f} ms, worst "
            f"{max(times) * 1e3:.1f} ms, SELECTs {'/'.join(map(str, queries))}, "
            f"up to {nodes} hashes in the proof"
        )

    print(f"{connection.vendor}, {head:,} events, {options.proofs} proofs of each kind")
    report("inclusion proof", inclusion)
    report("consistency proof", consistency)
    one = statistics.median(f[0] for f in floors)
    blocks = statistics.median(f[1] for f in floors)
    events = statistics.median(f[2] for f in floors)
    print(
        f"floor: one indexed SELECT of a block hash {one * 1e3:.2f} ms; the block hashes "
        f"below the head {blocks * 1e3:.1f} ms; one block's 1,024 event hashes "
        f"{events * 1e3:.1f} ms (medians)"
    )
    if options.full:
        started = time.perf_counter()
        leaves = log.leaves(head)
        merkle.inclusion_proof(rng.randrange(head), leaves)
        print(f"before, from every leaf: {time.perf_counter() - started:.2f} s (one proof)")
    with open("/proc/loadavg") as loadavg:
        print("load average:", " ".join(loadavg.read().split()[:3]))


if __name__ == "__main__":
    main()
