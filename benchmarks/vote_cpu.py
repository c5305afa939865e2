"""The application's CPU per vote through the whole middleware stack, in one process.

Run from the project root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_vote_cpu \\
        .venv/bin/python benchmarks/vote_cpu.py                # 3 x 2 x 200 votes
    .venv/bin/python benchmarks/vote_cpu.py --voters 100     # a throw-away SQLite file

Sets up the benchmark section (benchmarks/bench_section.py), opens one yes/no question
per run, then casts each voter's vote with Django's test client
(`POST /api/ballots/<pk>/vote/`, the session of a logged-in member, the CSRF check on),
through every middleware, and measures this process's CPU time (`time.process_time`) and
the statements sent, per vote. Each run is done twice, alternately:

- "one query": the session's user as the platform loads it (governance/accounts/auth.py: the member,
  whether a mandate is held today and whether a TOTP authenticator exists, in one query);
- "before": the user loaded as before (with the member only), so the second-factor
  middleware reads the mandates and then the authenticators, as it did.

The figures are medians over --runs runs of each. The database must be empty (PostgreSQL:
dropped and created by the script).
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
    parser.add_argument("--voters", type=int, default=200, help="votes per run")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    # Production settings, as the load test runs them (no debug logging of statements).
    production_database(sqlite=True, ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from elections import services
    from governance.accounts import auth

    runs = options.runs * 2
    bench = section_with_members(
        options.voters * runs + 1, prefix="C", email="voter{n}@cpu.example"
    )
    officer, voters = bench.chair, bench.users[1:]
    ballots = []
    for run in range(runs):
        ballot = bench.draft_question(f"CPU run {run}")
        ballots.append(services.open_ballot(actor=officer, ballot=ballot).pk)

    one_query = auth.session_users

    def before():
        return auth.django_backends.UserModel._default_manager.select_related("member")

    figures: dict[str, list[tuple[float, float]]] = {"one query": [], "before": []}
    for run, ballot_id in enumerate(ballots):
        variant = "one query" if run % 2 == 0 else "before"
        auth.session_users = one_query if variant == "one query" else before
        people = voters[run * options.voters : (run + 1) * options.voters]
        clients = []
        for user in people:
            client = Client(enforce_csrf_checks=True)
            client.force_login(user, backend="governance.accounts.auth.ModelBackend")
            client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
            clients.append(client)
        path = f"/api/ballots/{ballot_id}/vote/"
        statements = 0
        start = time.process_time()
        for client in clients:
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                response = client.post(
                    path,
                    {"choices": "yes"},
                    content_type="application/json",
                    secure=True,
                    headers={
                        "X-CSRFToken": client.cookies[settings.CSRF_COOKIE_NAME].value,
                        "Origin": "https://testserver",
                    },
                )
            if response.status_code != 201:
                sys.exit(f"vote refused: {response.status_code} {response.content[:200]!r}")
            statements += len(captured)
        cpu = (time.process_time() - start) / len(clients)
        figures[variant].append((cpu * 1000, statements / len(clients)))
    auth.session_users = one_query
    print(
        f"{options.voters} votes a run, {options.runs} runs of each, "
        f"{connection.vendor}, {os.cpu_count()} CPUs, load average "
        f"{Path('/proc/loadavg').read_text().split()[0]}"
    )
    for variant, rows in figures.items():
        cpu = statistics.median(r[0] for r in rows)
        queries = statistics.median(r[1] for r in rows)
        print(f"{variant:10} {cpu:6.2f} ms of CPU a vote   {queries:5.1f} statements a vote")


if __name__ == "__main__":
    main()
