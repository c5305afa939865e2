"""A decision's trail: the ballot that produced it and every audit event, in order, for auditors."""

import re

import pytest
from django.urls import reverse

from elections import services as elections
from governance import services
from governance.audit import trail
from governance.audit.trail import AuditRef, TrailContribution, TrailSection, decision_trail
from governance.models import AuditEvent, Decision, StatuteVersion
from governance.services import SYSTEM
from tests.elections.conftest import add_voters, draft_ballot
from tests.factories import close_and_tally

pytestmark = pytest.mark.django_db


def counted_question(world, voters: int) -> Decision:
    """A yes/no question with `voters` extra members on the roll, all voting yes, counted."""
    users = add_voters(world, voters)
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    for user in users:
        elections.cast_vote(actor=user, ballot=ballot, choices="yes")
    close_and_tally(actor=world.officer, ballot=ballot)
    elections.count_ballot(actor=world.officer, ballot=ballot)
    elections.publish_results(actor=world.officer, ballot=ballot)
    ballot.refresh_from_db()
    return ballot.decision


def test_the_trail_shows_the_ballot_with_electorate_turnout_method_rules_and_files(
    client_for, world
):
    decision = counted_question(world, 3)
    ballot = decision.ballot
    html = client_for("auditor").get(reverse("decision_detail", args=[decision.reference]))
    text = html.content.decode()
    assert html.status_code == 200
    section = text[text.index('id="trail-ballot"') :]
    assert "Yes / no / abstain" in section
    assert re.search(r"Electorate \(frozen roll\)</dt><dd>7<", section)
    assert "3 of 7 (3 online, 0 on paper)" in section
    assert "Rules applied at the count" in section and "needed" in section
    assert reverse("ballot_results", args=[ballot.pk]) in section
    assert reverse("ballot_papers_json", args=[ballot.pk]) in section


def test_the_trail_lists_the_events_of_the_decision_and_its_ballot_in_sequence_order(world):
    decision = counted_question(world, 2)
    result = decision_trail(Decision.objects.for_register().get(pk=decision.pk))
    actions = [event.action for event in result.events]
    assert actions == [
        "ballot.created",
        "ballot.opened",
        "ballot.closed",
        "ballot.tally_prepared",  # by the task worker, after the close
        "decision.recorded",
        "ballot.counted",
        "ballot.published",
    ]
    sequences = [event.sequence for event in result.events]
    assert sequences == sorted(sequences)
    # Votes are counted, not listed: they would drown a large ballot's trail.
    assert [(s.action, s.count) for s in result.summaries] == [("ballot.vote_cast", 2)]
    closed = next(event for event in result.events if event.action == "ballot.closed")
    assert ("status", "open", "closed") in closed.changes


def test_the_page_shows_old_and_new_values_of_each_event(client_for, world):
    decision = counted_question(world, 1)
    text = client_for("auditor").get(reverse("decision_detail", args=[decision.reference]))
    html = text.content.decode()
    assert "<td>status</td><td>open</td><td>closed</td>" in html
    assert html.index("ballot.opened") < html.index("ballot.closed") < html.index("ballot.counted")


def test_a_decision_recorded_without_a_ballot_has_only_its_own_events(client_for, world):
    decision = services.record_decision(
        actor=SYSTEM,
        body=world.assembly_body,
        title="Noted",
        text="Text",
        article=StatuteVersion.objects.get().articles.get(number="8"),
        outcome="noted",
        decided_on=StatuteVersion.objects.get().effective_from,
    )
    result = decision_trail(decision)
    assert result.sections == [] and [e.action for e in result.events] == ["decision.recorded"]
    html = client_for("auditor").get(reverse("decision_detail", args=[decision.reference]))
    assert "no ballot or motion led to this decision" in html.content.decode()


def test_members_see_the_decision_but_not_its_trail(client_for, world):
    decision = counted_question(world, 1)
    html = client_for("member").get(reverse("decision_detail", args=[decision.reference]))
    assert html.status_code == 200 and 'id="trail"' not in html.content.decode()


@pytest.mark.parametrize("voters", [1, 12])
def test_the_trail_page_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries, voters
):
    decision = counted_question(world, voters)
    client = client_for("auditor")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("decision_detail", args=[decision.reference]))
    assert response.status_code == 200


def test_another_app_contributes_sections_and_events_through_the_registry(world):
    decision = counted_question(world, 1)
    first = AuditEvent.objects.order_by("sequence").first()

    def motion_trail(d):
        assert d.pk == decision.pk
        return TrailContribution(
            sections=[
                TrailSection(key="motion", title="Motion M-1", occurred_at=first.occurred_at)
            ],
            audit_refs=[AuditRef(first.object_type, first.object_id)],
        )

    trail.register_trail_provider("test-motions", motion_trail)
    try:
        result = decision_trail(decision)
    finally:
        trail._providers.pop("test-motions")
    assert [s.key for s in result.sections] == ["motion", "ballot"]  # in time order
    assert result.events[0].sequence == first.sequence
