"""Secrecy beyond the tables: what an attacker holding the server, its logs and its caches finds.

The linkage queries on the tables are in test_secrecy_postgres.py. Here, a secret question and
a secret STV election are voted on the page (review, then cast) and through the API, and a
receipt checked both ways; then each place a server keeps things is searched for the
plaintext choice and for the tracker (the receipt):

- every statement sent to the database, with its parameters (what `log_statement = all`
  would write): no choice, ever, for an online secret paper;
- the session rows and the cache (sessions, rate limits, throttles): neither choice nor tracker;
- the tasks enqueued (the worker's table holds their arguments): none at the cast;
- the log records of every logger, at DEBUG: neither choice nor tracker;
- the e-mail outbox: nothing is mailed at the cast, so no receipt e-mail ties a tracker to
  an address;
- the URLs requested and linked from the receipt page (what an access log keeps): no code;
- the report of a request that fails while casting (mailed to ADMINS): no choice.

Runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
import pickle
import re
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.tasks.signals import task_enqueued
from django.test import override_settings
from django.urls import reverse

from elections import services
from tests.elections.conftest import add_voters, draft_ballot, draft_election
from tests.factories import close_and_tally

RANKING = ["c3", "c1", "c2"]
CHOICES = ["yes", "no", "abstain", "blank"]
CHOICE = "abstain"


def _params(params) -> list[str]:
    if params is None:
        return []
    if isinstance(params, dict):
        params = list(params.values())
    flat = []
    for value in params:
        if isinstance(value, (list, tuple)):
            flat.extend(str(v) for v in value)
        else:
            flat.append(str(value))
    return flat


class Recorder:
    """Every statement and its parameters as they are sent to the database server."""

    def __init__(self):
        self.statements: list[tuple[str, list[str]]] = []

    def __call__(self, execute, sql, params, many, context):
        for one in params if many else [params]:
            self.statements.append((sql, _params(one)))
        return execute(sql, params, many, context)


@pytest.fixture
def secret_ballots(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    election = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    return question, election


@pytest.fixture
def voted(client, world, secret_ballots, caplog):
    """The member votes on the page, the officer through the API; both check a receipt."""
    question, election = secret_ballots
    caplog.set_level(logging.DEBUG)
    recorder, enqueued, urls, trackers, pages = Recorder(), [], [], [], []

    def on_enqueue(sender, task_result, **kwargs):
        enqueued.append(task_result)

    def post(path, data, **kwargs):
        urls.append(path)
        response = client.post(path, data, **kwargs)
        pages.append(response.content.decode())
        return response

    task_enqueued.connect(on_enqueue)
    mail.outbox.clear()
    try:
        with connection.execute_wrapper(recorder):
            client.force_login(world.member)
            review = reverse("ballot_vote_review", args=[question.pk])
            post(review, {"choice": CHOICE})
            response = post(reverse("ballot_vote", args=[question.pk]), {"choice": CHOICE})
            trackers.extend(response.context["receipt"].trackers)
            ranking = {f"preference_{n}": code for n, code in enumerate(RANKING, 1)}
            post(reverse("ballot_vote_review", args=[election.pk]), ranking)
            response = post(reverse("ballot_vote", args=[election.pk]), ranking)
            trackers.extend(response.context["receipt"].trackers)
            post(reverse("ballot_receipt_check"), {"code": trackers[0]})
            client.force_login(world.officer)
            api = {"content_type": "application/json"}
            vote = "api_ballot_vote"
            response = post(reverse(vote, args=[question.pk]), {"choices": CHOICE}, **api)
            trackers.append(response.json()["receipt"])
            response = post(reverse(vote, args=[election.pk]), {"choices": RANKING}, **api)
            trackers.append(response.json()["receipt"])
            post(reverse("api_receipt_check"), {"code": trackers[-1]}, **api)
    finally:
        task_enqueued.disconnect(on_enqueue)
    assert len(set(trackers)) == 4
    return {
        "statements": recorder.statements,
        "enqueued": enqueued,
        "urls": urls,
        "pages": pages,
        "trackers": trackers,
        "records": caplog.records,
    }


def _holds_a_choice(text: str) -> bool:
    return CHOICE in text or '"c3", "c1"' in text or "c3,c1" in text or "'c3', 'c1'" in text


def test_no_statement_sent_to_the_database_carries_a_secret_choice(voted):
    statements = voted["statements"]
    assert any("INSERT" in sql and "boardentry" in sql for sql, _params in statements)
    for sql, params in statements:
        assert not _holds_a_choice(sql)
        for value in params:
            assert not _holds_a_choice(value), sql
            assert value not in RANKING, sql  # not even one candidate code, as a lookup


def test_the_sessions_and_the_cache_keep_neither_choice_nor_tracker(voted):
    texts = [str(s.get_decoded()) + s.session_data for s in Session.objects.all()]
    cache = caches["default"]
    if hasattr(cache, "_cache"):  # the local-memory cache of the suite: its pickled values
        for key, value in cache._cache.items():
            texts.append(f"{key} {pickle.loads(value)!r}")
    assert texts
    for text in texts:
        assert not _holds_a_choice(text)
        assert not any(tracker in text for tracker in voted["trackers"])


def test_no_task_is_enqueued_no_mail_sent_and_no_log_line_written_with_a_tracker(voted):
    assert voted["enqueued"] == []  # the worker's table gets nothing at the cast
    assert mail.outbox == []  # no receipt e-mail: the tracker never meets an address
    for record in voted["records"]:
        text = record.getMessage()
        assert not _holds_a_choice(text)
        assert not any(tracker in text for tracker in voted["trackers"])


def test_no_code_travels_in_a_url(voted):
    for url in voted["urls"]:
        assert "?" not in url
    links = [href for page in voted["pages"] for href in re.findall(r'href="([^"]*)"', page)]
    assert links
    for href in links:
        assert not any(tracker in href for tracker in voted["trackers"])
        assert not any(tracker[:16] in href for tracker in voted["trackers"])


@override_settings(DEBUG=False, ADMINS=["admins@example.org"])
def test_the_report_of_a_failed_vote_lists_no_choice(client, world, secret_ballots):
    """Django mails ADMINS the request's POST beside the user when a request fails."""
    question, election = secret_ballots
    client.raise_request_exception = False
    client.force_login(world.member)
    mail.outbox.clear()
    with mock.patch("elections.ballot_box.append_to_board", side_effect=RuntimeError("disk full")):
        for ballot, data in [
            (question, {"choice": CHOICE}),
            (election, {f"preference_{n}": code for n, code in enumerate(RANKING, 1)}),
        ]:
            response = client.post(reverse("ballot_vote", args=[ballot.pk]), data)
            assert response.status_code == 500
    reports = [m.body + "".join(str(a[1]) for a in m.alternatives) for m in mail.outbox]
    assert len(reports) == 2 and all("disk full" in r for r in reports)
    for report in reports:
        assert not _holds_a_choice(report)
        assert not re.search(r"preference_1 = '(c\d)'", report)
        assert "preference_1 = '********************'" in report or "choice = '****" in report


def _published_with_a_proxy(world):
    """A secret question voted by four members, one of them through a proxy (proxies are
    public: the ballot's page and the `proxy.given` events name giver and holder), counted
    and published. Returns the ballot, each voter's tracker by e-mail, and who carried whom."""
    voters = [world.member, *add_voters(world, 3)]
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    giver = voters[2]
    services.give_proxy(actor=giver, ballot=ballot, holder=world.officer.member)
    trackers = {}
    for user, choice in zip(voters, CHOICES, strict=True):
        if user is giver:
            receipt = services.cast_vote(
                actor=world.officer, ballot=ballot, choices=choice, on_behalf_of=giver.member
            )
        else:
            receipt = services.cast_vote(actor=user, ballot=ballot, choices=choice)
        trackers[user.email] = receipt.code
    close_and_tally(actor=world.officer, ballot=ballot)
    services.count_ballot(actor=world.officer, ballot=ballot)
    services.publish_results(actor=world.officer, ballot=ballot)
    return ballot, trackers, {world.officer.email: giver.email}


def _board(client, world, ballot) -> list[dict]:
    client.force_login(world.member)
    return client.get(reverse("ballot_bundle", args=[ballot.pk])).json()["board"]


def test_the_audit_log_page_and_the_published_board_do_not_pair_voters_with_trackers(client, world):
    """An auditor (by default a Control Committee member, so a trustee) reads, in the app,
    the audit log's vote_cast events in sequence and the published bundle's board by position:
    were the n-th event to name its voter (or its proxy holder, proxies being public), the
    n-th entry would be theirs, and k such trustees could decrypt a named voter's paper with
    their own key shares, without the database. The events name no one."""
    ballot, trackers, carried = _published_with_a_proxy(world)
    board = _board(client, world, ballot)
    client.force_login(world.auditor)
    page = client.get(reverse("audit_log"), {"action": "ballot.vote_cast"}).content.decode()
    events = sorted(
        (int(sequence), actor)
        for sequence, actor in re.findall(
            r"<tr><td[^>]*>(?:<span>)?(\d+)(?:</span>)?</td>"
            r"<td[^>]*>(?:<span>)?[^<]*(?:</span>)?</td><td[^>]*>(?:<span>)?(?:<bdi>)?([^<]*)"
            r"(?:</bdi>)?(?:</span>)?</td>"
            r"<td[^>]*>(?:<span>)?[^<]*<code[^>]*>ballot.vote_cast</code>",
            page,
        )
    )
    assert len(events) == len(board) == len(trackers)
    linked = sum(
        1
        for (_sequence, actor), entry in zip(events, board, strict=True)
        if trackers.get(carried.get(actor, actor)) == entry["tracker"]
    )
    assert linked == 0, f"{linked} of {len(trackers)} voters paired with their tracker"
    assert "A vote was cast (secret ballot)" in page
    for email in (*trackers, *carried):
        assert email not in page


def _pairings(events, board, trackers, carried, world) -> int:
    """How many voters an attacker pairs with their tracker from the ballot's vote_cast
    events as the export or the API gives them: by the actor (or whom they carried), by a
    voter named in `new`, by the proxy flag against the public proxies, and by every
    member's commitment recomputed without the salt."""
    from elections.integrity import cast_commitment
    from governance.models import Member

    by_member = {m.pk: m.user.email for m in Member.objects.filter(user__isnull=False)}
    proxy_givers = set(carried.values())
    guesses = {}
    for n, event in enumerate(events):
        new = event["new"] or {}
        guess = carried.get(event["actor_label"], event["actor_label"])
        guess = by_member.get(new.get("voter"), guess)
        if new.get("by_proxy") and len(proxy_givers) == 1:
            guess = next(iter(proxy_givers))
        for pk, email in by_member.items():
            for by_proxy in (False, True):
                unsalted = cast_commitment(
                    ballot_id=int(event["object_id"]), member_id=pk, by_proxy=by_proxy, salt=""
                )
                if new.get("commitment") == unsalted:
                    guess = email
        guesses[n] = guess
    return sum(
        1 for n, entry in enumerate(board) if trackers.get(guesses.get(n)) == entry["tracker"]
    )


def _names_no_one(events, trackers, carried) -> None:
    """No actor, no voter, no proxy flag: a commitment, and a label that names no one."""
    assert all(event["actor_id"] is None for event in events)
    assert {event["actor_label"] for event in events}.isdisjoint({*trackers, *carried})
    assert all(set(event["new"]) == {"commitment"} for event in events)


def _vote_cast(events, ballot) -> list[dict]:
    return sorted(
        (
            e
            for e in events
            if e["action"] == "ballot.vote_cast" and e["object_id"] == str(ballot.pk)
        ),
        key=lambda e: e["sequence"],
    )


def test_the_audit_export_and_the_board_do_not_pair_voters_with_trackers(client, world):
    """The same attack on the audit log's export (the JSON lines auditors keep)."""
    import json

    ballot, trackers, carried = _published_with_a_proxy(world)
    board = _board(client, world, ballot)
    client.force_login(world.auditor)
    response = client.get(reverse("audit_events_export"))
    lines = b"".join(response.streaming_content).decode().splitlines()
    events = _vote_cast([json.loads(line) for line in lines], ballot)
    assert len(events) == len(board) == len(trackers)
    linked = _pairings(events, board, trackers, carried, world)
    assert linked == 0, f"{linked} of {len(trackers)} voters paired with their tracker"
    _names_no_one(events, trackers, carried)


def test_the_audit_api_and_the_board_do_not_pair_voters_with_trackers(client, world):
    """The same attack through the API's audit events, page after page."""
    ballot, trackers, carried = _published_with_a_proxy(world)
    board = _board(client, world, ballot)
    client.force_login(world.auditor)
    events, url = [], reverse("api_audit_events") + "?limit=500"
    while url:
        data = client.get(url).json()
        events += data["results"]
        url = data["next"]
    events = _vote_cast(events, ballot)
    assert len(events) == len(board) == len(trackers)
    linked = _pairings(events, board, trackers, carried, world)
    assert linked == 0, f"{linked} of {len(trackers)} voters paired with their tracker"
    _names_no_one(events, trackers, carried)
