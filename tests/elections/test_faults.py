"""Faults while casting over HTTP, on PostgreSQL: a killed worker or a restarted database loses nothing.

Each test starts gunicorn (2 workers, never recycled) on the test database, casts one vote
for each of 90 voters from several threads through `POST /api/ballots/<pk>/vote/`, and
injects one fault when a third of the votes are in: SIGKILL to a worker (the master starts
another), or a restart of the PostgreSQL cluster (every server connection breaks; the
app's persistent connections must recover). A vote whose request failed without an
acknowledgement is sent again, as a voter would: the second attempt either succeeds or is
refused as already cast, never a second paper. Then the ballot is closed and counted
through the services, and the count is checked against the acknowledgements.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils.crypto import get_random_string

from elections import services
from elections.models import Ballot, BallotPaper, BoardEntry, Participation
from governance.audit import log as audit
from governance.models import User
from tests.elections.conftest import add_voters, draft_ballot
from tests.factories import close_and_tally

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]

ROOT = Path(__file__).resolve().parents[2]
VOTERS = 90
CLIENTS = 8
#: Every wait is bounded: a stuck server fails the test, it never hangs CI.
REQUEST_TIMEOUT = 15
DEADLINE = 120
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


# ---------------------------------------------------------------------------
# The app server
# ---------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def workers(self) -> set[int]:
        """The master's children: its workers."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in path.read_text().split()}

    def request(self, method: str, path: str, *, body: str = "", headers: dict | None = None):
        """The status and the body; a 503 must say when to try again, in JSON and a header."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            if response.status == 503:
                assert response.getheader("Retry-After", "").isdigit(), text
                assert response.getheader("Content-Type") == "application/json", text
                assert json.loads(text)["retry_after"] > 0
            return response.status, text
        finally:
            conn.close()


def database_url() -> str:
    """The test database (pytest-django's `test_<NAME>`), as the server's DATABASE_URL."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{quote(db['USER'] or '', safe='')}{password}@{host}{port}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    """gunicorn on the test database: 2 workers of 4 threads, persistent connections."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="gunicorn-faults-", suffix=".log")[1])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        # As in production: connections kept between requests and checked before reuse.
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "true",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "governance.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--threads=4",
            "--max-requests=0",
            f"--timeout={REQUEST_TIMEOUT * 2}",
            "--graceful-timeout=5",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    running = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
            with contextlib.suppress(OSError):
                if running.request("GET", "/health/")[0] == 200 and len(running.workers()) == 2:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
        log.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# Voters who retry, and the fault
# ---------------------------------------------------------------------------


@dataclass
class Outcome:
    voter: int
    attempts: int = 0
    failed_attempts: int = 0
    unavailable: int = 0  # answered 503 (the database was restarting)
    fingerprint: str | None = None
    already_cast: bool = False
    refusal: str = ""
    acknowledged_at: float | None = None


@dataclass
class Stream:
    """The acknowledgements so far, so the fault can wait for a third of them."""

    acknowledged: int = 0
    fault_at: float | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)


def session_cookies(user: User) -> tuple[str, str]:
    """A logged-in session for the user (stored in the database) and a CSRF token."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value, get_random_string(32)


def cast_until_answered(server: Server, ballot_id: int, voter: int, cookies, stream: Stream):
    sessionid, csrftoken = cookies
    outcome = Outcome(voter)
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"sessionid={sessionid}; csrftoken={csrftoken}",
        "X-CSRFToken": csrftoken,
    }
    body = json.dumps({"choices": ("yes", "no", "abstain")[voter % 3]})
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        outcome.attempts += 1
        try:
            status, text = server.request(
                "POST", f"/api/ballots/{ballot_id}/vote/", body=body, headers=headers
            )
        except (OSError, http.client.HTTPException):
            status, text = 0, ""
        if status == 201:
            outcome.fingerprint = json.loads(text)["fingerprint"]
            with stream.changed:
                stream.acknowledged += 1
                outcome.acknowledged_at = time.monotonic()
                stream.changed.notify_all()
            return outcome
        if status == 400 and "already been cast" in text:
            outcome.already_cast = True
            return outcome
        if status == 503:
            outcome.unavailable += 1
        elif status != 0:  # a 500 included: the database going away is a 503, not a bug
            outcome.refusal = f"HTTP {status}: {text[:300]}"
            return outcome
        # No answer, or the server could not reach the database (503): send it again shortly.
        outcome.failed_attempts += 1
        threading.Event().wait(0.05 * min(outcome.failed_attempts, 10))
    outcome.refusal = f"no answer within {DEADLINE} s"
    return outcome


def cast_with_fault(world, server: Server, fault) -> tuple[Ballot, list[Outcome], Stream]:
    """Open a ballot for the voters, cast for all of them, and inject `fault` a third of the way."""
    voters = add_voters(world, VOTERS)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    cookies = [session_cookies(user) for user in voters]
    connection.close()  # the fault may break it; the threads use their own
    stream = Stream()

    def inject():
        with stream.changed:
            stream.changed.wait_for(lambda: stream.acknowledged >= VOTERS // 3, timeout=DEADLINE)
        stream.fault_at = time.monotonic()
        fault()

    with ThreadPoolExecutor(max_workers=CLIENTS + 1) as pool:
        injected = pool.submit(inject)
        outcomes = list(
            pool.map(
                lambda n: cast_until_answered(server, ballot.pk, n, cookies[n], stream),
                range(VOTERS),
            )
        )
        injected.result(timeout=DEADLINE)
    connections.close_all()
    return ballot, outcomes, stream


def assert_counted_exactly(world, server: Server, ballot: Ballot, outcomes: list[Outcome], stream):
    refused = [o for o in outcomes if o.refusal]
    assert not refused, refused
    # A vote is refused as already cast only when an earlier attempt of it went unanswered.
    assert all(o.failed_attempts for o in outcomes if o.already_cast)
    receipts = {o.fingerprint for o in outcomes if o.fingerprint}
    assert len(receipts) == stream.acknowledged
    # The fault hit mid-stream: votes were still acknowledged after it.
    assert any(o.acknowledged_at and o.acknowledged_at > stream.fault_at for o in outcomes)

    close_and_tally(actor=world.officer, ballot=Ballot.objects.get(pk=ballot.pk))
    counted = services.count_ballot(actor=world.officer, ballot=Ballot.objects.get(pk=ballot.pk))
    voters = list(Participation.objects.filter(ballot=ballot).values_list("member_id", flat=True))
    papers = set(BoardEntry.objects.filter(box__ballot=ballot).values_list("tracker", flat=True))
    assert len(voters) == len(set(voters)), "a voter was counted twice"
    # Every voter has exactly one vote: acknowledged, or committed before the fault cut
    # the answer off (then refused as already cast on the retry).
    assert len(voters) == VOTERS
    assert BallotPaper.objects.filter(ballot=ballot).count() == len(
        voters
    )  # decrypted at the count
    assert len(papers) == len(voters)
    assert receipts <= papers, "an acknowledged vote is missing from the count"
    figures = counted.result["figures"]
    assert figures["took_part"] == len(voters)
    assert figures["yes"] + figures["no"] + figures["abstain"] + figures["blank"] == len(voters)

    # A closed ballot stays closed, through the same (recovered) server.
    sessionid, csrftoken = session_cookies(world.member)
    status, text = server.request(
        "POST",
        f"/api/ballots/{ballot.pk}/vote/",
        body=json.dumps({"choices": "yes"}),
        headers={
            "Content-Type": "application/json",
            "Cookie": f"sessionid={sessionid}; csrftoken={csrftoken}",
            "X-CSRFToken": csrftoken,
        },
    )
    assert status == 400, text
    assert "not open" in text
    assert Participation.objects.filter(ballot=ballot).count() == VOTERS
    assert audit.verify_chain().ok


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------


def test_a_killed_worker_loses_no_acknowledged_vote(world, server):
    before = server.workers()
    killed = []

    def kill_a_worker():
        pid = min(server.workers())
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    ballot, outcomes, stream = cast_with_fault(world, server, kill_a_worker)

    assert killed and killed[0] in before
    deadline = time.monotonic() + 30
    while len(server.workers() - {killed[0]}) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert killed[0] not in server.workers()
    assert len(server.workers()) == 2, "the master did not replace the killed worker"
    assert_counted_exactly(world, server, ballot, outcomes, stream)


def local_cluster() -> tuple[str, str] | None:
    """The Debian cluster (version, name) that serves the test database, if it is on this machine."""
    if shutil.which("pg_ctlcluster") is None or shutil.which("pg_lsclusters") is None:
        return None
    if (connection.settings_dict.get("HOST") or "localhost") not in LOCAL_HOSTS:
        return None
    port = str(connection.settings_dict.get("PORT") or 5432)
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    for line in listing.stdout.splitlines():
        version, name, cluster_port, status, *_ = line.split()
        if cluster_port == port and status == "online":
            return version, name
    return None


def restart_reason() -> str:
    if local_cluster() is None:
        return "PostgreSQL is not a local Debian cluster that pg_ctlcluster can restart"
    if os.geteuid() != 0:
        return "restarting PostgreSQL with pg_ctlcluster needs root"
    return ""


def test_a_database_restart_loses_no_acknowledged_vote(world, server):
    reason = restart_reason()
    if reason:
        pytest.skip(reason)
    version, name = local_cluster()

    def restart_postgresql():
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", "--mode=fast", version, name, "restart"],
            check=True,
            capture_output=True,
            timeout=60,
        )

    try:
        ballot, outcomes, stream = cast_with_fault(world, server, restart_postgresql)
        # The restart broke this process's connection too.
        connections.close_all()
        assert_counted_exactly(world, server, ballot, outcomes, stream)
        # Some requests met the restart, and the retries got through; those the server
        # answered were 503s with Retry-After (checked in Server.request), never 500s.
        assert any(o.failed_attempts for o in outcomes)
    finally:
        connections.close_all()
