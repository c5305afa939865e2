"""Every participation audited, and no one named: a secret ballot's `ballot.vote_cast` events.

A secret ballot's event carries no voter, no actor and no proxy flag, only a commitment to
the participation (SHA-256 over the ballot, the member, the proxy flag and the
participation's random salt). The count, the publication, `recount_published` and the
anomaly report check that the participations and the events are the same votes, one for
one (`integrity.unaudited_votes`), and name the first that is not. A named (roll-call)
ballot's event still names the voter, by design. Runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from elections import ballot_box, integrity, services
from elections.models import Ballot, BallotBox, BoardEntry, Participation, Proxy
from elections.services.casting import SECRET_VOTER, paper_content
from governance.audit import anomalies
from governance.audit import log as audit
from governance.exceptions import DomainError
from governance.models import AuditEvent
from tests.elections.conftest import add_voters, article, draft_ballot
from tests.factories import close_and_tally


def vote_events(ballot) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="ballot.vote_cast", object_id=str(ballot.pk)).order_by(
            "sequence"
        )
    )


@pytest.fixture
def voted(world):
    """A secret question: two members vote, a third through their proxy holder (the officer)."""
    voters = add_voters(world, 3)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    services.give_proxy(actor=voters[2], ballot=ballot, holder=world.officer.member)
    services.cast_vote(actor=voters[0], ballot=ballot, choices="yes")
    services.cast_vote(actor=voters[1], ballot=ballot, choices="no")
    services.cast_vote(
        actor=world.officer, ballot=ballot, choices="yes", on_behalf_of=voters[2].member
    )
    return ballot, voters


def test_a_secret_vote_cast_event_names_no_one_and_commits_to_its_participation(voted):
    ballot, voters = voted
    events = vote_events(ballot)
    assert [(e.actor_id, e.actor_label) for e in events] == [(None, SECRET_VOTER)] * 3
    assert all(set(e.new) == {"commitment"} for e in events)
    members = {voter.member.pk for voter in voters}
    for event in events:
        assert not {str(pk) for pk in members} & set(str(event.new).split('"'))
        assert event.names_no_one
    participations = Participation.objects.filter(ballot=ballot)
    assert all(len(p.salt) == 32 for p in participations)
    assert len({p.salt for p in participations}) == 3
    recomputed = sorted(
        integrity.cast_commitment(
            ballot_id=ballot.pk, member_id=p.member_id, by_proxy=p.by_proxy, salt=p.salt
        )
        for p in participations
    )
    assert recomputed == sorted(e.new["commitment"] for e in events)
    # The proxy's own trace is its row's status, with no time: nothing in cast order.
    assert Proxy.objects.get(ballot=ballot).status == Proxy.Status.USED
    assert not AuditEvent.objects.filter(object_type="elections.proxy", action__contains="used")
    assert integrity.unaudited_votes([ballot.pk]) == {}
    assert audit.verify_chain().ok


def test_a_named_ballot_keeps_naming_the_voter(world):
    ballot = draft_ballot(
        world,
        body=world.board,
        rule_scope="board",
        kind=Ballot.Kind.ROLL_CALL,
        article=article("14"),
    )
    ballot = services.open_ballot(actor=world.officer, ballot=ballot)
    services.cast_vote(actor=world.officer, ballot=ballot, choices="yes")
    [event] = vote_events(ballot)
    assert event.actor_id == world.officer.pk and not event.names_no_one
    assert event.new == {"voter": world.officer.member.pk, "by_proxy": False}
    assert Participation.objects.get(ballot=ballot).salt == ""
    assert integrity.unaudited_votes([ballot.pk]) == {}
    services.close_ballot(actor=world.officer, ballot=ballot)
    services.count_ballot(actor=world.officer, ballot=ballot)


def stuff_a_vote(ballot, member) -> None:
    """What an intruder with the database does to add a vote: a participation and a valid
    encrypted paper on the board (the lengths then agree, the chain holds), no event."""
    Participation.objects.take_part(
        ballot_id=ballot.pk, member_id=member.pk, by_proxy=False, salt=integrity.new_salt()
    )
    box = BallotBox.objects.get(ballot=ballot)
    ballot_box.append_to_board(
        ballot, [ballot_box.encrypt_paper(box, paper_content(ballot, "yes", []))]
    )


def drop_a_vote(ballot, member) -> None:
    """An intruder removes a vote: a participation and the board's last entry (its head and
    length moved back, so the board's chain and length still hold); its event stays."""
    Participation.objects.filter(ballot=ballot, member=member).delete()
    box = BallotBox.objects.get(ballot=ballot)
    last = box.entries.order_by("-position")[0]
    last.delete()
    previous = box.entries.order_by("-position").first()
    BallotBox.objects.filter(pk=box.pk).update(
        length=box.length - 1, head=previous.digest if previous else "0" * 64
    )


def test_a_participation_without_an_event_is_the_first_failure(voted, world):
    ballot, _voters = voted
    stuff_a_vote(ballot, world.member.member)
    assert audit.verify_chain().ok  # the log alone cannot tell
    assert BoardEntry.objects.filter(box__ballot=ballot).count() == 4
    expected = (
        f"the participation of member {world.member.member.pk} has no ballot.vote_cast audit event"
    )
    assert integrity.unaudited_votes([ballot.pk]) == {ballot.pk: [expected]}
    close_and_tally(actor=world.officer, ballot=ballot)
    with pytest.raises(DomainError) as refused:
        services.count_ballot(actor=world.officer, ballot=ballot)
    assert str(refused.value) == f"The count is refused: {expected}."


def test_an_event_without_a_participation_is_the_first_failure(voted, world):
    ballot, voters = voted
    drop_a_vote(ballot, voters[0].member)
    assert audit.verify_chain().ok
    problems = integrity.unaudited_votes([ballot.pk])[ballot.pk]
    first = vote_events(ballot)[0].sequence
    assert len(problems) == 1 and problems[0].startswith("audit event #")
    assert problems[0].endswith("(ballot.vote_cast) matches no participation")
    assert int(problems[0].split("#")[1].split(" ")[0]) >= first
    close_and_tally(actor=world.officer, ballot=ballot)
    with pytest.raises(DomainError, match=r"The count is refused: audit event #\d+ \(ballot"):
        services.count_ballot(actor=world.officer, ballot=ballot)


def test_a_participation_given_to_someone_else_names_its_event_first(voted, world):
    """Changing who took part (a participation's member swapped for a non-voter's): the
    voter's event now matches nothing, and the new participation has no event."""
    ballot, voters = voted
    Participation.objects.filter(ballot=ballot, member=voters[0].member).update(
        member=world.member.member
    )
    problems = integrity.unaudited_votes([ballot.pk])[ballot.pk]
    assert problems[0].startswith("audit event #") and len(problems) == 2
    assert problems[1] == (
        f"the participation of member {world.member.member.pk} has no ballot.vote_cast audit event"
    )


def test_an_event_recorded_without_a_vote_is_named(voted, world):
    """A vote_cast event appended through the log itself (the chain holds) with no
    participation behind it."""
    ballot, _voters = voted
    from django.db import transaction

    with transaction.atomic():
        forged = audit.record(None, "ballot.vote_cast", ballot, new={"commitment": "0" * 64})
    assert audit.verify_chain().ok
    assert integrity.unaudited_votes([ballot.pk]) == {
        ballot.pk: [f"audit event #{forged.sequence} (ballot.vote_cast) matches no participation"]
    }


def test_recount_published_and_the_anomaly_report_name_a_vote_stuffed_after_publication(
    voted, world
):
    ballot, _voters = voted
    close_and_tally(actor=world.officer, ballot=ballot)
    services.count_ballot(actor=world.officer, ballot=ballot)
    services.publish_results(actor=world.officer, ballot=ballot)
    call_command("recount_published", stdout=StringIO())
    assert [a for a in anomalies.report() if a.kind == "ballot_count"] == []
    stuff_a_vote(ballot, world.member.member)
    expected = (
        f"the participation of member {world.member.member.pk} has no ballot.vote_cast audit event"
    )
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 published ballots recount differently"):
        call_command("recount_published", stdout=out)
    assert f"DIFFERS  {ballot.pk} " in out.getvalue()
    assert f": {expected}; " in out.getvalue()
    [found] = [a for a in anomalies.report() if a.kind == "ballot_count"]
    assert found.message.startswith(expected)
