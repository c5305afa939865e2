"""Locust users for `benchmarks/load_votes.py`: each vote is one logged-in member's POST.

Not run by hand: `load_votes.py` starts it headless, once per client count, with

    LOAD_VOTERS=voters.json LOAD_RESULTS=results.json \\
        locust -f benchmarks/locust_votes.py --headless -u 64 -r 64 --host http://127.0.0.1:PORT

`voters.json` holds the ballot and, for every member, the session and CSRF cookies that
logging in through the login page gave them. Each Locust user is one client connection
that takes the next member who has not voted yet, casts their vote through
`POST /api/ballots/<pk>/vote/` as a browser would (session cookie, CSRF header and cookie,
the Origin header, behind a TLS proxy that sets X-Forwarded-Proto) and records the outcome
with its latency. When every member has an outcome the run stops, and the outcomes are
written to `results.json` (only HTTP 201 with a receipt is an acknowledged cast).
"""

from __future__ import annotations

import json
import os
import time

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

with open(os.environ["LOAD_VOTERS"]) as source:
    PLAN = json.load(source)
VOTERS = iter(enumerate(PLAN["voters"]))
REMAINING = len(PLAN["voters"])
OUTCOMES: list[dict] = []
STARTED = 0
CHOICES = ("yes", "no", "abstain")


class Voter(FastHttpUser):
    # As fast as the server answers (the saturation run), or one vote per LOAD_PACING
    # seconds from each client, on a schedule of its own (the paced run: a steady rate).
    pacing = float(os.environ.get("LOAD_PACING") or 0)
    next_at = 0.0
    # A vote queued behind many others is slow, not lost: wait for it.
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        # Locust starts the users together: spread their first votes over one period, so
        # that the paced clients do not all vote at the same instant.
        global STARTED
        if self.pacing:
            STARTED += 1
            gevent.sleep(self.pacing * (STARTED - 1) / int(os.environ["LOAD_CLIENTS"]))
        self.next_at = time.monotonic()

    def wait_time(self) -> float:
        if not self.pacing:
            return 0.0
        self.next_at += self.pacing
        return max(0.0, self.next_at - time.monotonic())

    @task
    def cast(self) -> None:
        global REMAINING
        try:
            index, voter = next(VOTERS)
        except StopIteration:
            raise StopUser() from None
        body = json.dumps({"choices": CHOICES[index % len(CHOICES)]})
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"sessionid={voter['sessionid']}; csrftoken={voter['csrftoken']}",
            "X-CSRFToken": voter["csrftoken"],
            "Origin": PLAN["origin"],
            "X-Forwarded-Proto": "https",
        }
        # A paced vote's latency counts from when it was due, not from when it was sent: a
        # client held up by a slow answer must not hide the wait (coordinated omission).
        late = max(0.0, time.monotonic() - self.next_at) if self.pacing else 0.0
        started = time.perf_counter()
        outcome = {"voter": index, "start": started - late}
        try:
            with self.client.post(
                f"/api/ballots/{PLAN['ballot']}/vote/",
                data=body,
                headers=headers,
                name="vote",
                catch_response=True,
            ) as response:
                outcome["end"] = time.perf_counter()
                outcome["status"] = response.status_code
                receipt = None
                if response.status_code == 201:
                    try:
                        receipt = response.json()
                    except ValueError:
                        receipt = None
                if receipt and receipt.get("receipt") and receipt.get("fingerprint"):
                    outcome["fingerprint"] = receipt["fingerprint"]
                    response.success()
                else:
                    outcome["error"] = (response.text or str(response.error) or "")[:200]
                    response.failure(f"HTTP {response.status_code}")
        finally:
            outcome.setdefault("end", time.perf_counter())
            outcome.setdefault("status", 0)
            OUTCOMES.append(outcome)
            REMAINING -= 1
            if REMAINING == 0:
                # From a greenlet of its own: quitting stops every user, this one included.
                gevent.spawn(self.environment.runner.quit)


@events.quitting.add_listener
def _write_results(environment, **_kwargs) -> None:
    with open(os.environ["LOAD_RESULTS"], "w") as target:
        json.dump({"outcomes": OUTCOMES, "planned": len(PLAN["voters"])}, target)
