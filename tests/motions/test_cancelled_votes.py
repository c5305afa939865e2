"""A cancelled ballot puts its motion or amendment back where it was before the vote, in the
cancellation's transaction, and it can be put to the vote again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from elections import services as elections
from elections.models import Ballot
from governance.exceptions import DomainError
from governance.models import AuditEvent
from motions import services
from motions.models import Amendment, Motion
from tests.factories import close_and_tally
from tests.motions.conftest import scheduled, voting_mandate
from tests.motions.test_votes import decide, online, tabled

pytestmark = pytest.mark.django_db

M, A = Motion.Status, Amendment.Status


def cancel(section, ballot, reason="The question was misprinted"):
    return elections.cancel_ballot(actor=section.chair, ballot=ballot, reason=reason)


def test_a_cancelled_vote_puts_the_motion_back_on_the_agenda_with_the_reason(section):
    motion = scheduled(section)
    position = motion.agenda_position
    ballot = online(section, motion)
    cancel(section, ballot)
    motion.refresh_from_db()
    assert motion.status == M.SCHEDULED and motion.ballot is None
    assert motion.agenda_position == position
    assert "The question was misprinted" in motion.status_reason
    # The move is audited right after the cancellation, by the officer who cancelled.
    cancelled, moved = AuditEvent.objects.order_by("-sequence")[:2][::-1]
    assert cancelled.action == "ballot.cancelled"
    assert moved.action == "motion.vote_cancelled" and moved.object_id == str(motion.pk)
    assert moved.actor == section.chair
    assert moved.old == {"status": "in_vote"}
    assert moved.new["status"] == "scheduled" and moved.new["ballot"] == ballot.pk
    assert "The question was misprinted" in moved.new["reason"]
    # The chair sees the vote among the next steps again, and the motion is voted.
    assert "put_to_vote" in [s.name for s in services.next_steps(section.chair, motion)]
    again = online(section, motion)
    assert again.pk != ballot.pk and again.status == "open"
    decide(section, again, yes=5)
    motion.refresh_from_db()
    assert motion.status == M.ADOPTED


def test_a_vote_cancelled_after_closing_also_puts_the_motion_back(section):
    motion = scheduled(section)
    ballot = online(section, motion)
    close_and_tally(actor=section.chair, ballot=ballot)
    cancel(section, ballot)
    motion.refresh_from_db()
    assert motion.status == M.SCHEDULED and motion.ballot is None


def test_a_cancelled_amendment_vote_makes_it_admissible_and_it_is_voted_again(section):
    motion = scheduled(section)
    first = tabled(section, motion, paragraph=1, text="The General Assembly calls for it now.")
    ballot = online(section, first)
    cancel(section, ballot, reason="Wrong paragraph shown")
    first.refresh_from_db()
    motion.refresh_from_db()
    assert first.status == A.ADMISSIBLE and first.ballot is None
    assert "Wrong paragraph shown" in first.status_reason
    assert motion.status == M.SCHEDULED  # the motion was never in vote
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == "amendment.vote_cancelled" and event.new["ballot"] == ballot.pk
    # The motion still waits for its amendment, which is put to the vote again.
    with pytest.raises(DomainError, match="Decide the amendments before the motion: A1"):
        online(section, motion)
    decide(section, online(section, first), yes=5)
    first.refresh_from_db()
    assert first.status == A.ADOPTED


def test_a_cancelled_motion_vote_keeps_its_decided_amendments(section):
    motion = scheduled(section)
    amendment = tabled(section, motion, paragraph=1, text="The General Assembly calls for it now.")
    amendment_decision = decide(section, online(section, amendment), yes=5)
    ballot = online(section, motion)
    motion.refresh_from_db()
    final = motion.final_text
    cancel(section, ballot)
    motion.refresh_from_db()
    amendment.refresh_from_db()
    # The amendment's vote was counted: its decision stands, and it is merged again.
    assert amendment.status == A.ADOPTED and amendment.decision == amendment_decision
    assert motion.status == M.SCHEDULED
    again = online(section, motion)
    assert again.question == final


def test_a_motion_cannot_leave_the_agenda_while_an_amendment_is_voted_on(section):
    """Withdrawing or referring it would leave the amendment's vote deciding nothing."""
    motion = scheduled(section)
    amendment = tabled(section, motion)
    ballot = online(section, amendment)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="Amendment A1 is being voted on"):
        services.take_step(actor=section.proposer, motion=motion, step="withdraw")
    with pytest.raises(DomainError, match="Amendment A1 is being voted on"):
        services.refer_motion(
            actor=section.chair, motion=motion, body=section.world.board, reason="Not ready"
        )
    motion.refresh_from_db()
    assert motion.status == M.SCHEDULED and AuditEvent.objects.count() == before
    # Once the amendment's vote is cancelled, the motion may be withdrawn (the amendment with it).
    cancel(section, ballot)
    services.take_step(actor=section.proposer, motion=motion, step="withdraw")
    amendment.refresh_from_db()
    assert amendment.status == A.WITHDRAWN


def test_if_the_motion_cannot_move_the_cancellation_rolls_back(section):
    motion = scheduled(section)
    ballot = online(section, motion)
    # A motion that left the vote by some other way: the workflow refuses the move.
    Motion.objects.filter(pk=motion.pk).update(status=M.ADOPTED)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="not possible"):
        cancel(section, ballot)
    ballot.refresh_from_db()
    assert ballot.status == "open" and ballot.cancel_reason == ""
    assert AuditEvent.objects.count() == before


def test_cancelling_a_ballot_of_no_motion_moves_nothing(section):
    mandate = voting_mandate(section)
    cancel(section, mandate.ballot)
    assert Ballot.objects.get(pk=mandate.ballot_id).status == "cancelled"
    assert not AuditEvent.objects.filter(action__endswith=".vote_cancelled").exists()


def test_nobody_takes_the_cancellation_step_by_hand(section):
    motion = scheduled(section)
    online(section, motion)
    motion.refresh_from_db()
    for user in (section.chair, section.proposer, section.world.staff):
        assert "vote_cancelled" not in [s.name for s in services.next_steps(user, motion)]
        with pytest.raises(DomainError):
            services.take_step(actor=user, motion=motion, step="vote_cancelled", reason="x")
    response = APIClient()
    response.force_authenticate(section.chair)
    answer = response.post(
        f"/api/motions/{motion.pk}/steps/vote_cancelled/", {"reason": "x"}, format="json"
    )
    assert answer.status_code == 404


def test_cancelled_from_the_ballot_page_and_the_api_then_the_buttons_come_back(client, section):
    motion = scheduled(section)
    ballot = online(section, motion)
    client.force_login(section.chair)
    page = client.get(reverse("motion_detail", args=[motion.pk])).content.decode()
    assert "Put the motion itself to the vote" not in page
    response = client.post(
        reverse("ballot_action", args=[ballot.pk, "cancel"]), {"reason": "Wrong text"}
    )
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.status == M.SCHEDULED
    page = client.get(reverse("motion_detail", args=[motion.pk])).content.decode()
    assert "Put the motion itself to the vote" in page and "Wrong text" in page
    assert reverse("ballot_detail", args=[ballot.pk]) not in page
    api = APIClient()
    api.force_authenticate(section.chair)
    detail = api.get(f"/api/motions/{motion.pk}/").json()
    assert detail["status"] == "scheduled" and detail["ballot"] is None
    assert "put_to_vote" in detail["next_steps"]
    # Again through the API, this time on an amendment.
    amendment = tabled(section, motion)
    ballot = online(section, amendment)
    answer = api.post(f"/api/ballots/{ballot.pk}/cancel/", {"reason": "Typo"}, format="json")
    assert answer.status_code == 200
    detail = api.get(f"/api/motions/{motion.pk}/").json()
    assert detail["amendments"][0]["status"] == "admissible"
    assert detail["amendments"][0]["ballot"] is None
    steps = [s.name for s in services.next_steps(section.chair, Amendment.objects.get())]
    assert steps == ["put_to_vote"]
