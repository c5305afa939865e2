"""An election's decision seats those it elected: mandates with the terms rule's dates, the
reserved youth seat, the replaced mandates ended; the body's page shows who and by what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from elections import services
from governance.models import AuditEvent, Mandate
from governance.statutes import rules
from governance.statutes.lookup import rule_for
from tests.elections.conftest import add_voters, draft_election
from tests.factories import DuesFactory, MandateFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def standing(world, *, age: int):
    """A member in good standing with an account, `age` years old."""
    today = timezone.localdate()
    member = MemberFactory(
        user=UserFactory(),
        unit=world.group,
        joined_on=today - dt.timedelta(days=800),
        birth_date=today.replace(year=today.year - age) - dt.timedelta(days=30),
    )
    DuesFactory(member=member)
    return member


def test_the_elected_are_seated_in_order_and_the_replaced_mandates_end(world, client_for):
    today = timezone.localdate()
    outgoing = MandateFactory(
        member=standing(world, age=40),
        body=world.board,
        starts_on=today - dt.timedelta(days=700),
        ends_on=today + dt.timedelta(days=30),
    )
    young, elder, third = standing(world, age=22), standing(world, age=50), standing(world, age=35)
    ballot = draft_election(world, names=(), elects_body=world.board, seats=2, method="plurality")
    for member in (young, elder, third):  # each stands for election
        services.nominate_candidate(actor=member.user, ballot=ballot, member=member)
    codes = dict(ballot.candidates.values_list("member_id", "code"))
    voters = add_voters(world, 3)
    services.open_ballot(actor=world.officer, ballot=ballot)
    for user, choice in zip(
        voters, [[codes[elder.pk]], [codes[elder.pk]], [codes[young.pk]]], strict=True
    ):
        services.cast_vote(actor=user, ballot=ballot, choices=choice)
    services.close_ballot(actor=world.officer, ballot=ballot)
    ballot = services.count_ballot(actor=world.officer, ballot=ballot)
    decision = ballot.decision
    assert decision.figures["elected"] == [elder.full_name, young.full_name]

    seated = Mandate.objects.filter(decision=decision).order_by("pk")
    assert [m.member for m in seated] == [elder, young]
    assert all(m.starts_on == decision.decided_on for m in seated)
    terms = rule_for("terms", "board", on=decision.decided_on).parsed()
    assert all(m.ends_on == rules.term_end(terms, decision.decided_on) for m in seated)
    assert [m.on_youth_seat for m in seated] == [False, True]
    outgoing.refresh_from_db()
    assert outgoing.ends_on == decision.decided_on - dt.timedelta(days=1)
    ended = AuditEvent.objects.get(action="mandate.ended", object_id=str(outgoing.pk))
    assert ended.new["reason"] == f"Replaced by the election {decision.reference}"
    # The chair keeps the office; the body's page shows the new members and their decision.
    assert Mandate.objects.current().filter(body=world.board, role="chair").exists()
    body = client_for("member").get(reverse("body_detail", args=["board"])).content.decode()
    assert elder.full_name in body and young.full_name in body
    assert decision.reference in body
