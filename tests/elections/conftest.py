"""Ballots for the voting-engine tests, drafted and opened through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from elections import services
from elections.models import Ballot, BallotPaper, RollEntry
from governance.models import Decision, StatuteVersion
from tests.factories import DuesFactory, MemberFactory, UserFactory, close_and_tally


def article(number: str):
    return StatuteVersion.objects.get(number=1).articles.get(number=number)


def enlarge_roll(ballot: Ballot, voters: int) -> None:
    """Put `voters` more members on an open ballot's frozen roll, so batches of papers fit."""
    members = MemberFactory.create_batch(voters)
    RollEntry.objects.bulk_create(RollEntry(ballot=ballot, member=m) for m in members)


def draft_ballot(world, **overrides) -> Ballot:
    """A yes/no question to the General Assembly under articles 7-8, open for a week."""
    now = timezone.now()
    values = {
        "actor": world.officer,
        "body": world.assembly_body,
        "title": "Adopt the activity report",
        "question": "Does the General Assembly adopt the activity report?",
        "kind": Ballot.Kind.QUESTION,
        "method": Ballot.Method.YESNO,
        "rule_scope": "assembly",
        "article": article("8"),
        "opens_at": now,
        "closes_at": now + dt.timedelta(days=7),
    }
    values.update(overrides)
    return services.create_ballot(**values)


def draft_election(
    world, *, method="stv", seats=2, names=("Amina", "Youssef", "Salma"), **overrides
) -> Ballot:
    ballot = draft_ballot(
        world,
        title="Election of the Control Committee",
        question="",
        kind=Ballot.Kind.ELECTION,
        method=method,
        seats=seats,
        article=article("16"),
        **overrides,
    )
    for name in names:
        services.nominate_candidate(actor=world.officer, ballot=ballot, name=name)
    return ballot


def published(world, ballot: Ballot, choices) -> Ballot:
    """Each (user, choice) votes, then the officer closes, counts and publishes the ballot."""
    for user, choice in choices:
        services.cast_vote(actor=user, ballot=ballot, choices=choice)
    close_and_tally(actor=world.officer, ballot=ballot)
    services.count_ballot(actor=world.officer, ballot=ballot)
    return services.publish_results(actor=world.officer, ballot=ballot)


def rewrite_one_no_as_yes(ballot: Ballot) -> dict:
    """What a database administrator rewriting a published 1-1 ballot as 2-0 changes: the
    "no" paper, the stored result and the decision's figures (returned); not the audit log."""
    BallotPaper.objects.filter(ballot=ballot, content={"choice": "no"}).update(
        content={"choice": "yes"}
    )
    result = ballot.result
    result["count"].update(yes=2, no=0)
    result["figures"].update(yes=2, no=0)
    Ballot.objects.filter(pk=ballot.pk).update(result=result)
    figures = dict(ballot.decision.figures, yes=2, no=0)
    Decision.objects.filter(pk=ballot.decision.pk).update(figures=figures)
    return figures


def add_voters(world, count: int) -> list:
    """Members in good standing with accounts, eligible under article 4."""
    users = []
    for _ in range(count):
        user = UserFactory()
        member = MemberFactory(
            user=user, unit=world.group, joined_on=timezone.localdate() - dt.timedelta(days=400)
        )
        DuesFactory(member=member)
        users.append(user)
    return users


@pytest.fixture
def question(world) -> Ballot:
    """An open yes/no question; its roll holds the four members of the `world` fixture."""
    return services.open_ballot(actor=world.officer, ballot=draft_ballot(world))


@pytest.fixture
def election(world) -> Ballot:
    """An open STV election for 2 seats among c1 Amina, c2 Youssef, c3 Salma."""
    return services.open_ballot(actor=world.officer, ballot=draft_election(world))
