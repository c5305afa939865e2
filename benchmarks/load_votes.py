"""Load test of casting over HTTP: N members log in, then vote at once against gunicorn + PostgreSQL.

Run from the project root (PostgreSQL on 127.0.0.1:5432 as user postgres, Redis on
127.0.0.1:6379, `pip install -e '.[dev]'` for locust):

    .venv/bin/python benchmarks/load_votes.py          # 2,000 members; 16, 32, 64 clients, then 64 paced
    .venv/bin/python benchmarks/load_votes.py --members 500 --clients 64 --paced '' \
        --login direct --skip-raw                      # a quick look (about a minute)

What it does, all on this machine:

1. Drops and creates the database `governance_load` (``--database``), migrates, and sets up
   through the services a section, the statutes and the General Assembly; N members in
   good standing with verified accounts (one known password) are bulk-created by
   `benchmarks/bench_section.py`, as for `casting.py`. One yes/no question per run is
   drafted and opened through `elections.services` (each roll holds every member). A copy
   of the database (`governance_load_raw`) is taken for the raw comparison.
2. Runs pgbench with `benchmarks/pgbench_vote.sql` (the same rows in one transaction, raw
   SQL) on the copy, back to back at each client count: the raw rate.
3. Starts gunicorn as deployed (`deploy/gunicorn.conf.py`: sync workers, access log) with
   production settings (DEBUG off, a SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CACHE_URL on
   Redis database 13, which it empties; persistent database connections with health
   checks; prepared statements) on a free port: ``--workers`` processes (2), ``--threads``
   each (1).
4. Logs every member in through the login page (GET for the CSRF token, POST e-mail and
   password), each from an address of its own in 127.0.0.0/8 as members do from their own
   networks; this is not timed against the votes (its rate is printed). ``--login direct``
   writes the sessions instead, as Django's test client does, for quick runs.
5. For each client count C: Locust (`benchmarks/locust_votes.py`, headless) runs C users;
   each takes the next member and casts their vote with `POST /api/ballots/<pk>/vote/` (the
   session cookie, the CSRF header, the Origin header of the site behind its TLS proxy),
   until every member has voted once, back to back (saturation). Then the paced runs
   (``--paced 64@25%,64@100``): 64 clients offering, in all, a steady 25 % of the raw rate
   at 64 clients, then 100 votes/s; a paced vote's latency counts from when it was due.
   Throughput is the acknowledged casts (HTTP 201 with a receipt) over the time from the
   first request to the last response; latencies are per request, measured by the client.
   After each run the ballot is closed and counted through the services and the count is
   checked against the acknowledged casts (participations, papers, receipts and the
   counted figures): PASS or FAIL.
6. Stops gunicorn, runs pgbench at the paced runs' rates (``--rate``) for their latencies,
   and prints a table, the platform's rate as a share of the raw rate, and the issue's
   targets at 64 clients: at least 25 % of the raw rate, and p99 under 150 ms.

The load generator runs on the same machine as the server and the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

from bench_section import production_database, section_with_members  # beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent

PASSWORD = "load-test-Password-2026"
REDIS_DB = 13
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def database_url(name: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def admin_sql(*statements: str) -> None:
    """Statements on the maintenance database, outside a transaction (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        for statement in statements:
            conn.execute(statement)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


# ---------------------------------------------------------------------------
# Setup, through the services (members in bulk)
# ---------------------------------------------------------------------------


def label(clients: int, rate: str) -> str:
    """A run's name: "64" back to back, "64 @ 100/s" or "64 @ 25% of raw" paced."""
    if not rate:
        return str(clients)
    return f"{clients} @ {rate} of raw" if rate.endswith("%") else f"{clients} @ {rate}/s"


def parse_paced(spec: str) -> list[tuple[int, str]]:
    """``--paced``: CLIENTS@RATE[,CLIENTS@RATE...], RATE in votes/s or a share of the raw rate
    at the same client count back to back (``64@25%``)."""
    plans = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        clients, _, rate = item.partition("@")
        number = rate.removesuffix("%")
        if not (clients.isdigit() and number.replace(".", "", 1).isdigit() and float(number) > 0):
            sys.exit(
                f"--paced: {item!r} is not CLIENTS@RATE (RATE in votes/s, or a share like 25%)"
            )
        plans.append((int(clients), rate))
    return plans


def set_up(members: int, labels: list[str]) -> dict:
    """Members with accounts and one open yes/no question per run."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connections

    from elections import services

    # The production hasher, once: every member has the same password. One member more
    # than the voters: the first chairs the Board and runs the ballots.
    bench = section_with_members(
        members + 1, prefix="L", email="voter{n}@load.example", password=make_password(PASSWORD)
    )
    people, officer, voters = bench.members, bench.chair, bench.users[1:]
    ballots = {}
    for name in labels:
        ballot = bench.draft_question(f"Load test, {name} clients")
        ballots[name] = services.open_ballot(actor=officer, ballot=ballot).pk
    member_ids = [m.pk for m in people[1:]]
    # pgbench's script takes "the next member" as first_member + a sequence.
    if member_ids != list(range(member_ids[0], member_ids[0] + members)):
        sys.exit("the members' ids are not consecutive: the raw comparison needs them to be")
    connections.close_all()
    return {
        "officer": officer.pk,
        "emails": [u.email for u in voters],
        "ballots": ballots,
        "first_member": member_ids[0],
    }


# ---------------------------------------------------------------------------
# gunicorn
# ---------------------------------------------------------------------------


def start_gunicorn(port: int, workers: int, threads: int, env: dict, log: Path):
    """The production app server: deploy/gunicorn.conf.py, with the workers asked for."""
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "governance.wsgi:application"],
        cwd=ROOT,
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            if http_request(port, "GET", "/health/")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    sys.exit(f"gunicorn did not answer /health/ within 60 s; see {log}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# ---------------------------------------------------------------------------
# Logging in, as a browser does
# ---------------------------------------------------------------------------


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    body: str = "",
    headers: dict | None = None,
    source: str = "127.0.0.1",
):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        all_headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        conn.request(method, path, body=body or None, headers=all_headers)
        response = conn.getresponse()
        cookies = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookies.load(value)
        return response.status, response.read().decode(), {k: v.value for k, v in cookies.items()}
    finally:
        conn.close()


def session_for(email: str) -> dict:
    """``--login direct``: the session a login would store, written by the session engine.

    As Django's test client does in `force_login`; for quick runs, since every login
    through the page costs a hash of the password (PBKDF2, about 0.4 s of CPU).
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import get_random_string

    from governance.models import User

    user = User.objects.get(email=email)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"sessionid": session.session_key, "csrftoken": get_random_string(32)}


def source_address(index: int) -> str:
    """A loopback address of the member's own: rate limits per address see one login each."""
    return f"127.10.{index // 250}.{index % 250 + 1}"


def log_in(port: int, index: int, email: str) -> dict:
    source = source_address(index)
    status, page, cookies = http_request(port, "GET", "/accounts/login/", source=source)
    if status != 200 or "csrftoken" not in cookies:
        raise RuntimeError(f"login page: HTTP {status}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    from urllib.parse import urlencode

    status, _page, new = http_request(
        port,
        "POST",
        "/accounts/login/",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Origin": f"https://127.0.0.1:{port}",
        },
        source=source,
    )
    if status != 302 or "sessionid" not in new:
        raise RuntimeError(f"login of {email}: HTTP {status}")
    # Logging in rotates the CSRF token.
    return {"sessionid": new["sessionid"], "csrftoken": new.get("csrftoken", cookies["csrftoken"])}


# ---------------------------------------------------------------------------
# One run of the load generator, then the count
# ---------------------------------------------------------------------------


def run_locust(
    port: int, clients: int, ballot: int, sessions: list[dict], folder: Path, rate: float = 0
) -> dict:
    """One run: `clients` Locust users until every member has voted once.

    With `rate` (votes/s offered by all the clients together) each client waits between its
    votes so that the offered rate is steady; without it, clients vote back to back.
    """
    name = f"{clients}-paced-{rate:g}" if rate else str(clients)
    plan = folder / f"voters-{name}.json"
    results = folder / f"results-{name}.json"
    plan.write_text(
        json.dumps({"ballot": ballot, "origin": f"https://127.0.0.1:{port}", "voters": sessions})
    )
    env = {
        **os.environ,
        "LOAD_VOTERS": str(plan),
        "LOAD_RESULTS": str(results),
        "LOAD_PACING": str(clients / rate) if rate else "",
        "LOAD_CLIENTS": str(clients),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "locust_votes.py"),
        "--headless",
        f"--users={clients}",
        f"--spawn-rate={clients}",
        f"--host=http://127.0.0.1:{port}",
        "--run-time=600s",
        "--stop-timeout=30",
        "--only-summary",
        f"--csv={folder / f'locust-{name}'}",
        "--loglevel=WARNING",
    ]
    with (folder / f"locust-{name}.log").open("w") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    outcomes = json.loads(results.read_text())["outcomes"]
    acknowledged = [o for o in outcomes if "fingerprint" in o]
    latencies = [1000 * (o["end"] - o["start"]) for o in outcomes]
    span = max(o["end"] for o in outcomes) - min(o["start"] for o in outcomes)
    errors: dict[str, int] = {}
    for outcome in outcomes:
        if "fingerprint" not in outcome:
            key = f"HTTP {outcome['status']}" if outcome["status"] else "no response"
            errors[key] = errors.get(key, 0) + 1
    return {
        "clients": clients,
        "offered": rate,
        "requests": len(outcomes),
        "acknowledged": len(acknowledged),
        "fingerprints": {o["fingerprint"] for o in acknowledged},
        "errors": errors,
        "seconds": span,
        "rate": len(acknowledged) / span,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "mean": statistics.fmean(latencies),
    }


def close_and_count(ballot_id: int, officer_id: int, run: dict) -> bool:
    """Close and count through the services; does the count equal the acknowledged casts?"""
    from django.db import connections

    from elections import services
    from elections.models import Ballot, BallotPaper, Participation
    from governance.audit import log as audit
    from governance.exceptions import DomainError
    from governance.models import User

    officer = User.objects.get(pk=officer_id)
    services.close_ballot(actor=officer, ballot=Ballot.objects.get(pk=ballot_id))
    ballot = services.count_ballot(actor=officer, ballot=Ballot.objects.get(pk=ballot_id))
    figures = ballot.result["figures"]
    counted = figures["yes"] + figures["no"] + figures["abstain"] + figures["blank"]
    participations = Participation.objects.filter(ballot=ballot).count()
    papers = set(
        BallotPaper.objects.filter(ballot=ballot).values_list("receipt_fingerprint", flat=True)
    )
    acknowledged = run["acknowledged"]
    try:
        late = services.cast_vote(
            actor=User.objects.exclude(pk=officer_id).first(), ballot=ballot, choices="yes"
        )
    except DomainError:
        late = None
    chain = audit.verify_chain()
    checks = {
        "participations == acknowledged": participations == acknowledged,
        "papers == acknowledged": len(papers) == acknowledged,
        "counted figures == acknowledged": counted == acknowledged,
        "took_part == acknowledged": figures["took_part"] == acknowledged,
        "every receipt is a paper": run["fingerprints"] <= papers,
        "a closed ballot refuses a vote": late is None,
        "audit chain verifies": chain.ok,
    }
    run.update(
        participations=participations,
        papers=len(papers),
        counted=counted,
        checks=checks,
        passed=all(checks.values()),
    )
    connections.close_all()
    return run["passed"]


# ---------------------------------------------------------------------------
# The raw comparison
# ---------------------------------------------------------------------------


def run_pgbench(
    database: str, clients: int, ballot: int, first_member: int, members: int, rate: float = 0
):
    """The raw transaction at the same client count (and offered rate, with pgbench's --rate)."""
    import psycopg

    with psycopg.connect(dbname=database, autocommit=True, **PG) as conn:
        conn.execute("CREATE SEQUENCE IF NOT EXISTS raw_voter")
        conn.execute("ALTER SEQUENCE raw_voter RESTART WITH 1")
    per_client = members // clients
    folder = Path(tempfile.mkdtemp(prefix="pgbench-vote-"))
    command = [
        "pgbench",
        "-n",
        f"--host={PG['host']}",
        f"--port={PG['port']}",
        f"--username={PG['user']}",
        f"--file={ROOT / 'benchmarks' / 'pgbench_vote.sql'}",
        f"--define=ballot={ballot}",
        f"--define=first_member={first_member}",
        f"--client={clients}",
        "--jobs=2",
        f"--transactions={per_client}",
        *([f"--rate={rate:g}"] if rate else []),
        "--log",
        f"--log-prefix={folder / 'log'}",
        database,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        sys.exit(f"pgbench failed:\n{output.stdout}\n{output.stderr}")
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", output.stdout)[1])
    failed = (
        int(m[1]) if (m := re.search(r"number of failed transactions: (\d+)", output.stdout)) else 0
    )
    latencies = []
    for log in folder.glob("log*"):
        for line in log.read_text().splitlines():
            # client_id transaction_no time script_no time_epoch time_us [schedule_lag]:
            # with --rate, `time` counts from the scheduled start, as a paced client's does.
            latencies.append(int(line.split()[2]) / 1000)
    return {
        "clients": clients,
        "transactions": per_client * clients,
        "failed": failed,
        "rate": tps,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }


# ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--clients", default="16,32,64", help="comma-separated client counts")
    # Three sync workers did best on 2 cores shared with PostgreSQL and the load generator
    # (docs/benchmarks.md); deploy/gunicorn.conf.py's default is 2 x CPUs + 1.
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument(
        "--login",
        choices=["page", "direct"],
        default="page",
        help="log in through the login page (default) or write the sessions directly",
    )
    parser.add_argument(
        "--paced",
        default="64@25%,64@100",
        help="CLIENTS@RATE,...: more runs where the clients offer RATE votes/s in all, or a share "
        "of the raw rate at that client count (64@25%%); '' for none",
    )
    parser.add_argument("--database", default="governance_load")
    parser.add_argument("--skip-raw", action="store_true", help="no pgbench comparison")
    args = parser.parse_args()
    # (clients, offered rate: "" back to back, "100" votes/s or "25%" of the raw rate): each
    # run has a ballot of its own.
    plans = [(int(c), "") for c in args.clients.split(",")] + parse_paced(args.paced)
    shares = {clients for clients, rate in plans if rate.endswith("%")}
    if shares and (args.skip_raw or not shares <= {c for c, rate in plans if not rate}):
        sys.exit("--paced with a share of the raw rate needs the raw runs at that client count")
    labels = [label(*plan) for plan in plans]
    raw_database = f"{args.database}_raw"
    # Stopped from outside (a timeout, Ctrl-C): still stop gunicorn and Locust.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    folder = Path(tempfile.mkdtemp(prefix="load-votes-"))
    started = dt.datetime.now(dt.UTC)
    print(
        f"# {args.members:,} members; runs {', '.join(labels)}; gunicorn {args.workers} workers x "
        f"{args.threads} threads; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; load average {Path('/proc/loadavg').read_text().split()[0]}; "
        f"{started:%Y-%m-%d %H:%M} UTC; files in {folder}",
        flush=True,
    )
    # The database and the raw copy dropped, the database created; the production settings
    # as gunicorn gets them (this process's environment, passed on whole).
    production_database(
        database_url(args.database),
        drop=(raw_database,),
        DJANGO_SETTINGS_MODULE="governance.settings",
        DEBUG="false",
        TESTING="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        CACHE_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        CONN_MAX_AGE="600",
        STATIC_ROOT=str(folder / "static"),
        # Opening a ballot invites every voter by e-mail; nobody is there to read it.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    server_env = dict(os.environ)
    from django.db import connections

    clock = time.perf_counter()
    setup = set_up(args.members, labels)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=server_env,
        check=True,
    )
    admin_sql(f'CREATE DATABASE "{raw_database}" TEMPLATE "{args.database}"')
    print(f"set up in {time.perf_counter() - clock:.1f} s", flush=True)

    raws = {}

    def raw_run(clients: int, rate: float, name: str) -> None:
        time.sleep(3)
        raw = run_pgbench(
            raw_database, clients, setup["ballots"][name], setup["first_member"], args.members, rate
        )
        raws[name] = raw
        print(
            f"raw      {name:>16}: {raw['transactions']:,} transactions = "
            f"{raw['rate']:.1f} votes/s; p50 {raw['p50']:.1f} ms, p95 {raw['p95']:.1f} ms, "
            f"p99 {raw['p99']:.1f} ms; failed {raw['failed']}",
            flush=True,
        )

    # Raw SQL back to back first (gunicorn is not running yet): the paced runs offer a share
    # of its rate.
    if not args.skip_raw:
        for (clients, rate), name in zip(plans, labels, strict=True):
            if not rate:
                raw_run(clients, 0, name)
    offered = {}
    for (clients, rate), name in zip(plans, labels, strict=True):
        if rate.endswith("%"):
            offered[name] = float(rate[:-1]) / 100 * raws[str(clients)]["rate"]
        else:
            offered[name] = float(rate or 0)

    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads, server_env, folder / "gunicorn.log")
    runs = {}
    try:
        clock = time.perf_counter()
        if args.login == "page":
            with ThreadPoolExecutor(max_workers=2 * args.workers) as pool:
                sessions = list(
                    pool.map(lambda pair: log_in(port, *pair), enumerate(setup["emails"]))
                )
        else:
            sessions = [session_for(email) for email in setup["emails"]]
            connections.close_all()
        took = time.perf_counter() - clock
        print(
            f"logged in {len(sessions):,} members ({args.login}) in {took:.1f} s "
            f"({len(sessions) / took:.1f} logins/s)",
            flush=True,
        )
        for (clients, _rate), name in zip(plans, labels, strict=True):
            # Let the machine settle between runs.
            time.sleep(3)
            ballot = setup["ballots"][name]
            run = run_locust(port, clients, ballot, sessions, folder, offered[name])
            close_and_count(ballot, setup["officer"], run)
            runs[name] = run
            print(
                f"platform {name:>16}: {run['acknowledged']:,} of {run['requests']:,} "
                f"acknowledged in {run['seconds']:.2f} s = {run['rate']:.1f} votes/s; "
                f"p50 {run['p50']:.1f} ms, p95 {run['p95']:.1f} ms, p99 {run['p99']:.1f} ms; "
                f"errors {run['errors'] or 0}; count {'PASS' if run['passed'] else 'FAIL'} "
                f"(participations {run['participations']}, papers {run['papers']}, "
                f"counted {run['counted']})",
                flush=True,
            )
            for check, ok in run["checks"].items():
                if not ok:
                    print(f"    FAILED: {check}", flush=True)
    finally:
        stop(server)

    # Raw SQL at the paced runs' rates, for their latencies.
    if not args.skip_raw:
        for (clients, rate), name in zip(plans, labels, strict=True):
            if rate:
                raw_run(clients, offered[name], name)

    print()
    print(
        "| clients | offered | platform votes/s | p50 | p95 | p99 | errors | count "
        "| raw votes/s | raw p50 | raw p99 | platform/raw |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for name, run in runs.items():
        raw = raws.get(name)
        row = (
            f"| {run['clients']} | {f'{run["offered"]:.0f}/s' if run['offered'] else 'back to back'} "
            f"| {run['rate']:.0f} | {run['p50']:.0f} ms | {run['p95']:.0f} ms "
            f"| {run['p99']:.0f} ms | {sum(run['errors'].values())} "
            f"| {'PASS' if run['passed'] else 'FAIL'} "
        )
        if raw:
            # A paced run delivers the offered rate both ways: only its latencies compare.
            ratio = "" if run["offered"] else f"{100 * run['rate'] / raw['rate']:.0f} %"
            row += f"| {raw['rate']:.0f} | {raw['p50']:.1f} ms | {raw['p99']:.1f} ms | {ratio} |"
        else:
            row += "| | | | |"
        print(row)
    print(f"# load average at the end: {Path('/proc/loadavg').read_text().strip()}")
    # The targets at 64 clients: at least 25 % of the raw rate, p99 under 150 ms.
    if "64" in runs and "64" in raws:
        share = runs["64"]["rate"] / raws["64"]["rate"]
        print(
            f"# 64 clients back to back: {100 * share:.0f} % of the raw rate (target >= 25 %): "
            f"{'met' if share >= 0.25 else 'NOT met'}; p99 {runs['64']['p99']:.0f} ms"
        )
    for run in runs.values():
        if run["clients"] == 64 and run["offered"] and "64" in raws:
            share = run["offered"] / raws["64"]["rate"]
            print(
                f"# 64 clients offering {run['offered']:.0f} votes/s ({100 * share:.0f} % of the "
                f"raw rate): p99 {run['p99']:.0f} ms (target < 150 ms): "
                f"{'met' if run['p99'] < 150 else 'NOT met'}"
            )
    sys.exit(0 if all(run["passed"] for run in runs.values()) else 1)


if __name__ == "__main__":
    main()
