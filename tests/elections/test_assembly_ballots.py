"""Votes in the room: the roll is the members present and the proxies carried in."""

from __future__ import annotations

import pytest

from elections import services
from elections.models import Ballot, Participation, Proxy, RollEntry
from governance.assemblies import services as assemblies
from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed
from governance.models import Assembly, AuditEvent
from tests.elections.conftest import draft_ballot
from tests.factories import close_and_tally
from tests.governance.assembly_support import convene, voters

pytestmark = pytest.mark.django_db


@pytest.fixture
def ga(world) -> Assembly:
    return convene(world.assembly_body, title="Ordinary General Assembly")


@pytest.fixture
def room(world, ga):
    """16 entitled (4 + 12); in the room: holder, b, c; g1 and g2 gave their proxy to holder."""
    people = voters(world, 12, with_accounts=True)
    holder, b, c, g1, g2 = people[:5]
    assemblies.register_proxy(actor=world.officer, assembly=ga, giver=g1, holder=holder)
    assemblies.register_proxy(actor=world.officer, assembly=ga, giver=g2, holder=holder)
    for member in (holder, b, c):
        assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    assemblies.open_session(actor=world.officer, assembly=ga)
    return {"holder": holder, "b": b, "c": c, "g1": g1, "g2": g2, "absent": people[5]}


def vote_in_the_room(world, ga) -> Ballot:
    ballot = draft_ballot(world, electorate=Ballot.Electorate.ASSEMBLY, assembly=ga)
    return services.open_ballot(actor=world.officer, ballot=ballot)


def roll_of(ballot) -> set[int]:
    return set(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True))


def test_the_roll_is_the_members_present_and_the_givers_of_proxies_carried_in(world, ga, room):
    ballot = vote_in_the_room(world, ga)
    assert roll_of(ballot) == {m.pk for k, m in room.items() if k != "absent"}
    assert ballot.quorum_eligible == 16
    proxies = set(
        Proxy.objects.filter(ballot=ballot, status="active").values_list("giver_id", "holder_id")
    )
    assert proxies == {(room["g1"].pk, room["holder"].pk), (room["g2"].pk, room["holder"].pk)}
    opened = AuditEvent.objects.get(action="ballot.opened", object_id=str(ballot.pk))
    assert opened.new["quorum_eligible"] == 16 and len(opened.new["proxies"]) == 2


def test_a_proxy_whose_holder_is_not_in_the_room_brings_no_vote(world, ga, room):
    assemblies.check_out(actor=world.officer, assembly=ga, member=room["holder"])
    ballot = vote_in_the_room(world, ga)
    assert roll_of(ballot) == {room["b"].pk, room["c"].pk}
    assert not Proxy.objects.filter(ballot=ballot).exists()


def test_the_holder_votes_for_themselves_and_for_each_giver(world, ga, room):
    ballot = vote_in_the_room(world, ga)
    holder = room["holder"].user
    services.cast_vote(actor=holder, ballot=ballot, choices="yes")
    services.cast_vote(actor=holder, ballot=ballot, choices="yes", on_behalf_of=room["g1"])
    services.cast_vote(actor=holder, ballot=ballot, choices="no", on_behalf_of=room["g2"])
    took_part = dict(
        Participation.objects.filter(ballot=ballot).values_list("member_id", "by_proxy")
    )
    assert took_part == {room["holder"].pk: False, room["g1"].pk: True, room["g2"].pk: True}
    assert set(Proxy.objects.filter(ballot=ballot).values_list("status", flat=True)) == {"used"}
    with pytest.raises(NotAllowed):
        services.cast_vote(actor=holder, ballot=ballot, choices="yes", on_behalf_of=room["g1"])
    assert audit.verify_chain().ok


def test_a_member_not_in_the_room_cannot_vote(world, ga, room):
    ballot = vote_in_the_room(world, ga)
    with pytest.raises(NotAllowed):
        services.cast_vote(actor=room["absent"].user, ballot=ballot, choices="yes")
    with pytest.raises(NotAllowed):
        services.cast_vote(
            actor=room["b"].user, ballot=ballot, choices="yes", on_behalf_of=room["g1"]
        )


def test_the_quorum_is_of_everyone_entitled_not_only_of_the_room(world, ga, room):
    ballot = vote_in_the_room(world, ga)
    # 3 of the 5 on the roll vote: most of the room, but a quarter of the 16 entitled is 4.
    services.cast_vote(actor=room["holder"].user, ballot=ballot, choices="yes")
    services.cast_vote(actor=room["b"].user, ballot=ballot, choices="yes")
    services.cast_vote(actor=room["c"].user, ballot=ballot, choices="no")
    close_and_tally(actor=world.officer, ballot=ballot)
    counted = services.count_ballot(actor=world.officer, ballot=ballot)
    decision = counted.decision
    assert decision.outcome == "no_quorum"
    assert decision.figures["eligible"] == 16 and decision.figures["on_roll"] == 5
    assert decision.figures["took_part"] == 3
    quorum = next(r for r in decision.rule_snapshot if r["kind"] == "quorum")
    assert quorum["outcome"]["figures"]["needed"] == 4 and not quorum["outcome"]["satisfied"]
    assert decision.assembly == ga


def test_a_vote_in_the_room_with_the_quorum_is_decided_with_its_figures(world, ga, room):
    ballot = vote_in_the_room(world, ga)
    holder = room["holder"].user
    services.cast_vote(actor=holder, ballot=ballot, choices="yes")
    services.cast_vote(actor=holder, ballot=ballot, choices="yes", on_behalf_of=room["g1"])
    services.cast_vote(actor=holder, ballot=ballot, choices="no", on_behalf_of=room["g2"])
    services.cast_vote(actor=room["b"].user, ballot=ballot, choices="abstain")
    close_and_tally(actor=world.officer, ballot=ballot)
    decision = services.count_ballot(actor=world.officer, ballot=ballot).decision
    assert decision.outcome == "adopted"
    figures = decision.figures
    assert (figures["eligible"], figures["on_roll"], figures["took_part"]) == (16, 5, 4)
    assert (figures["yes"], figures["no"], figures["abstain"]) == (2, 1, 1)
    majority = next(r for r in decision.rule_snapshot if r["kind"] == "majority")
    assert majority["outcome"]["figures"]["needed"] == 2 and majority["article"] == "8"
    assert decision.assembly == ga


def test_a_vote_in_the_room_needs_its_assembly(world, ga):
    with pytest.raises(DomainError) as raised:
        draft_ballot(world, electorate=Ballot.Electorate.ASSEMBLY)
    assert raised.value.field == "assembly"
    board_meeting = convene(world.board)
    with pytest.raises(DomainError) as raised:
        draft_ballot(world, electorate=Ballot.Electorate.ASSEMBLY, assembly=board_meeting)
    assert raised.value.field == "assembly"


def test_a_vote_in_the_room_opens_only_while_the_assembly_is_in_session(world, ga):
    ballot = draft_ballot(world, electorate=Ballot.Electorate.ASSEMBLY, assembly=ga)
    with pytest.raises(DomainError) as raised:
        services.open_ballot(actor=world.officer, ballot=ballot)
    assert raised.value.field == "assembly"
    assert Ballot.objects.get(pk=ballot.pk).status == Ballot.Status.DRAFT


def test_proxies_for_a_vote_in_the_room_are_not_given_online(world, ga, room):
    ballot = vote_in_the_room(world, ga)
    with pytest.raises(DomainError):
        services.give_proxy(actor=room["b"].user, ballot=ballot, holder=room["c"])


def test_a_giver_who_arrives_after_the_opening_votes_once_only(world, ga, room):
    ballot = vote_in_the_room(world, ga)
    assemblies.check_in(actor=world.officer, assembly=ga, member=room["g1"])
    services.cast_vote(actor=room["g1"].user, ballot=ballot, choices="no")
    with pytest.raises(DomainError):
        services.cast_vote(
            actor=room["holder"].user, ballot=ballot, choices="yes", on_behalf_of=room["g1"]
        )
    assert Participation.objects.filter(ballot=ballot, member=room["g1"]).count() == 1


def test_other_electorates_keep_their_roll(world, ga, room):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world, assembly=ga))
    assert len(roll_of(ballot)) == 16 and ballot.quorum_eligible is None


def test_an_officer_drafts_a_vote_in_the_room_from_the_ballot_form(client_for, world):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from tests.elections.conftest import article

    meeting = convene(world.assembly_body)
    now = timezone.localtime()
    data = {
        "body": world.assembly_body.pk,
        "title": "Adopt the accounts",
        "question": "Does the General Assembly adopt the accounts?",
        "kind": "question",
        "method": "yesno",
        "secret": "on",
        "electorate": "assembly",
        "rule_scope": "assembly",
        "article": article("8").pk,
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "convocation": 1,
        "seats": 1,
    }
    client = client_for("officer")
    refused = client.post(reverse("ballot_create"), data)
    assert refused.status_code == 400 and not Ballot.objects.exists()
    assert "meeting" in refused.content.decode()
    created = client.post(reverse("ballot_create"), {**data, "assembly": meeting.pk})
    assert created.status_code == 302
    assert Ballot.objects.get().assembly == meeting
