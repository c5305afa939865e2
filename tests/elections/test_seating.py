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
from tests.factories import DuesFactory, MandateFactory, MemberFactory, UserFactory, close_and_tally

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
    close_and_tally(actor=world.officer, ballot=ballot)
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


def elect(world, candidates, votes):
    """A plurality election to the Board of `candidates` (members), each voter's choice an
    index into them; counted (the decision seats the elected). Returns the ballot."""
    ballot = draft_election(
        world, names=(), elects_body=world.board, seats=len(votes), method="plurality"
    )
    for member in candidates:
        services.nominate_candidate(actor=member.user, ballot=ballot, member=member)
    codes = dict(ballot.candidates.values_list("member_id", "code"))
    voters = add_voters(world, len(votes))
    services.open_ballot(actor=world.officer, ballot=ballot)
    for user, index in zip(voters, votes, strict=True):
        services.cast_vote(actor=user, ballot=ballot, choices=[codes[candidates[index].pk]])
    close_and_tally(actor=world.officer, ballot=ballot)
    return services.count_ballot(actor=world.officer, ballot=ballot)


def test_an_elected_officer_of_the_body_takes_the_new_term_in_place_of_the_office(world):
    today = timezone.localdate()
    secretary = standing(world, age=45)
    office = MandateFactory(
        member=secretary,
        body=world.board,
        role="secretary",
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=400),
    )
    other = standing(world, age=60)
    decision = elect(world, [secretary, other], [0, 0, 1]).decision

    office.refresh_from_db()
    assert office.ends_on == decision.decided_on - dt.timedelta(days=1)
    ended = AuditEvent.objects.get(action="mandate.ended", object_id=str(office.pk))
    assert ended.new["reason"] == f"Replaced by the election {decision.reference}"
    new = Mandate.objects.get(member=secretary, decision=decision)
    assert (new.body, new.role, new.starts_on) == (world.board, "member", decision.decided_on)
    current = Mandate.objects.current(decision.decided_on).filter(body=world.board)
    assert list(current.filter(member=secretary)) == [new]
    # The chair, not elected, keeps the office.
    assert current.filter(member=world.officer.member, role="chair").exists()


def test_an_elected_holder_of_a_mandate_on_another_body_keeps_it_and_is_seated(world):
    elsewhere = Mandate.objects.get(member=world.other_officer.member, body=world.committee)
    before = elsewhere.ends_on
    other = standing(world, age=60)
    decision = elect(world, [world.other_officer.member, other], [0, 0, 1]).decision

    elsewhere.refresh_from_db()
    assert elsewhere.ends_on == before  # the statutes' rules forbid no two bodies at once
    new = Mandate.objects.get(member=world.other_officer.member, decision=decision)
    assert new.body == world.board
    assert set(
        Mandate.objects.current(decision.decided_on)
        .filter(member=world.other_officer.member)
        .values_list("body__code", flat=True)
    ) == {"board", "group-committee"}


def test_a_youth_seat_held_by_a_mandate_that_stays_is_not_given_twice(world):
    today = timezone.localdate()
    representative = standing(world, age=21)
    MandateFactory(
        member=representative,
        body=world.board,
        role="youth_representative",
        on_youth_seat=True,
        starts_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=900),
    )
    young, elder = standing(world, age=23), standing(world, age=50)
    decision = elect(world, [young, elder], [0, 0, 1]).decision  # no rollback: seated

    seated = {m.member: m.on_youth_seat for m in Mandate.objects.filter(decision=decision)}
    assert seated == {young: False, elder: False}


def test_the_youth_seat_goes_to_the_first_elected_who_qualifies(world):
    young, younger, elder = (
        standing(world, age=24),
        standing(world, age=19),
        standing(world, age=50),
    )
    decision = elect(world, [elder, young, younger], [0, 0, 0, 1, 1, 2]).decision

    seated = {m.member: m.on_youth_seat for m in Mandate.objects.filter(decision=decision)}
    assert seated == {elder: False, young: True, younger: False}
    terms = rule_for("terms", "board", on=decision.decided_on).parsed()
    assert terms.reserved_seats == {"youth": 1} and world.board.reserved_youth_seats == 1
