"""Opening a ballot at N members, beside the raw roll insert (INSERT ... SELECT) in the same run.

Run from the project root (PostgreSQL; the database is dropped and created):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_open \\
        .venv/bin/python benchmarks/open_ballot.py --members 100000

Sets up the benchmark section (benchmarks/bench_section.py: N members in good standing),
then, --repeat times: creates a draft yes/no question for the General Assembly and times
`elections.services.open_ballot` (the statutes' eligibility rule over every member, the
roll written, the audit event; the invitations are queued for the worker, as in
production, with TASKS_BACKEND=database), and beside it the floor: one
``INSERT INTO elections_rollentry SELECT <ballot>, id, 1 FROM governance_member`` of
the same roll for another draft, in a transaction of its own. The tables are analyzed
after the set-up, as autovacuum would have done. Medians are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_section import production_database, section_with_members  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    production_database(TASKS_BACKEND="database")
    import django

    django.setup()
    from django.db import connection, transaction

    from elections import services

    bench = section_with_members(options.members, prefix="O", email="voter{n}@open.example")
    # The planner's statistics, as autovacuum keeps them on a database in service (this
    # machine's server runs with autovacuum off: without them, every plan is a guess).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    officer = bench.chair
    draft = bench.draft_question

    opening, floor = [], []
    for run in range(options.repeat):
        raw = draft(f"Raw roll {run}")
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO elections_rollentry (ballot_id, member_id, weight) "
                "SELECT %s, id, 1 FROM governance_member",
                [raw.pk],
            )
        floor.append(time.perf_counter() - start)
        ballot = draft(f"Opened {run}")
        start = time.perf_counter()
        opened = services.open_ballot(actor=officer, ballot=ballot)
        opening.append(time.perf_counter() - start)
        assert opened.roll.count() == options.members
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult")
        queued = cursor.fetchone()[0]
    print(
        f"{options.members:,} members, medians of {options.repeat}, {os.cpu_count()} CPUs, "
        f"load average {Path('/proc/loadavg').read_text().split()[0]}; {queued} tasks queued"
    )
    print(f"raw INSERT ... SELECT of the roll  {statistics.median(floor):6.2f} s")
    print(
        f"open_ballot                        {statistics.median(opening):6.2f} s  "
        f"({statistics.median(opening) / statistics.median(floor):.2f}x)"
    )


if __name__ == "__main__":
    main()
