"""Benchmark of casting votes through the service, one voter after another, then counting.

Run from the project root:

    .venv/bin/python benchmarks/casting.py                          # 2,000 voters, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python benchmarks/casting.py --voters 5000        # the database must exist and be empty

Each vote is one call of `elections.services.cast_vote` in its own transaction: lock the
ballot row, check the roll, write the participation and the paper, append the audit
event. This measures the cost of one vote without HTTP; the load test over HTTP with
concurrent clients belongs to the production issue. Without DATABASE_URL a throw-away
SQLite file is used.
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

from bench_section import section_with_members  # beside this script

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--method", choices=["yesno", "stv"], default="stv")
    args = parser.parse_args()

    os.environ.setdefault("DEBUG", "true")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = (
            f"sqlite:///{tempfile.mkdtemp(prefix='cast-bench-')}/bench.sqlite3"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from elections import services
    from elections.models import Ballot
    from governance.audit import log as audit
    from governance.models import StatuteVersion, User

    bench = section_with_members(args.voters, prefix="B", email="v{n}@bench.example")
    assembly, users, officer = bench.assembly, bench.users, bench.chair
    articles = {a.number: a for a in StatuteVersion.objects.get().articles.all()}
    now = timezone.now()
    kind, seats = ("question", 1) if args.method == "yesno" else ("election", 3)
    with override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    ):
        ballot = services.create_ballot(
            actor=officer,
            body=assembly,
            title="Bench",
            kind=kind,
            method=args.method,
            seats=seats,
            rule_scope="assembly",
            article=articles["16" if kind == "election" else "8"],
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            secret=False,  # plaintext casting; secret_ballot.py measures the secret path
        )
        if kind == "election":
            for n in range(8):
                services.nominate_candidate(actor=officer, ballot=ballot, name=f"Candidate {n + 1}")
        started = time.perf_counter()
        services.open_ballot(actor=officer, ballot=ballot)
        opened = time.perf_counter() - started
    rng = random.Random(2026)
    codes = [f"c{n + 1}" for n in range(8)]
    fresh = list(User.objects.select_related("member").filter(pk__in=[u.pk for u in users]))
    started = time.perf_counter()
    for user in fresh:
        choices = (
            rng.choice(["yes", "no", "abstain"])
            if kind == "question"
            else rng.sample(codes, rng.randint(1, 5))
        )
        services.cast_vote(actor=user, ballot=ballot, choices=choices)
    casting = time.perf_counter() - started
    services.close_ballot(actor=officer, ballot=ballot)
    started = time.perf_counter()
    counted = services.count_ballot(actor=officer, ballot=Ballot.objects.get(pk=ballot.pk))
    counting = time.perf_counter() - started
    started = time.perf_counter()
    chain = audit.verify_chain()
    verifying = time.perf_counter() - started
    print(
        f"# {args.voters:,} voters, {args.method}, {connection.vendor}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(f"open (freeze the roll): {opened:6.2f} s")
    print(
        f"cast, one at a time:    {casting:6.2f} s  ({args.voters / casting:,.0f} votes/s, {1000 * casting / args.voters:.2f} ms each)"
    )
    print(
        f"count and record:       {counting:6.2f} s  (outcome {counted.decision.outcome}, {counted.decision.reference})"
    )
    print(
        f"verify the audit chain: {verifying:6.2f} s  ({chain.count:,} events, {'holds' if chain.ok else 'BROKEN'})"
    )


if __name__ == "__main__":
    main()
