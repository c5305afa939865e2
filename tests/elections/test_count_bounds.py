"""Counts bounded by the roll: batches that would exceed it, batches set aside, and the checks
of the count, the publication, `recount_published` and the anomaly report."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from elections import integrity, services
from elections.models import Ballot, BallotPaper, BoardEntry, PaperCount, Participation
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent, Decision
from tests.elections.conftest import draft_ballot, enlarge_roll, published, rewrite_one_no_as_yes
from tests.factories import MandateFactory, close_and_tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(world) -> Ballot:
    """An open question on a roll of 4 (the world's members), a second teller at hand."""
    MandateFactory(member=world.other_officer.member, body=world.assembly_body)
    return services.open_ballot(actor=world.officer, ballot=draft_ballot(world))


def enter(world, ballot, groups, label="Room A", actor=None):
    return services.enter_paper_count(
        actor=actor or world.officer, ballot=ballot, label=label, groups=groups
    )


def test_a_batch_larger_than_the_roll_is_refused_with_the_figures(world, question):
    services.cast_vote(actor=world.member, ballot=question, choices="yes")
    with pytest.raises(DomainError) as refused:
        enter(world, question, [["yes", 400]])
    assert refused.value.message == (
        "Batch Room A has 400 papers: with the 1 votes cast online and the 0 papers of the "
        "other batches that makes 401, more than the 4 entitled on the roll."
    )
    assert not PaperCount.objects.exists()
    assert not AuditEvent.objects.filter(action="paper_count.entered").exists()


def test_batches_awaiting_confirmation_count_against_the_roll(world, question):
    enter(world, question, [["yes", 3]])
    with pytest.raises(DomainError, match="the 3 papers of the other batches that makes 5"):
        enter(world, question, [["no", 2]], label="Room B")
    assert PaperCount.objects.count() == 1


def test_weights_on_the_roll_are_the_bound(world, question):
    question.roll.update(weight=5)  # 4 voters of weight 5 (a weighted vote of groups)
    services.cast_vote(actor=world.member, ballot=question, choices="yes")
    enter(world, question, [["yes", 15]])  # 5 online + 15 = 20, the whole roll
    with pytest.raises(DomainError, match="more than the 20 entitled"):
        enter(world, question, [["no", 1]], label="Room B")


def test_the_teller_who_entered_a_batch_withdraws_it_with_a_reason(world, question):
    batch = enter(world, question, [["yes", 4]])
    with pytest.raises(DomainError, match="Give the reason"):
        services.set_aside_paper_count(actor=world.officer, batch=batch, reason="  ")
    batch = services.set_aside_paper_count(
        actor=world.officer, batch=batch, reason="Counted the wrong box"
    )
    assert (batch.status, batch.set_aside_by, batch.reason) == (
        "withdrawn",
        world.officer,
        "Counted the wrong box",
    )
    event = AuditEvent.objects.get(action="paper_count.withdrawn")
    assert event.new == {"status": "withdrawn", "reason": "Counted the wrong box"}
    assert event.actor == world.officer
    # It no longer counts: the right batch under the same name fits the roll again.
    again = enter(world, question, [["yes", 3], ["no", 1]])
    services.confirm_paper_count(actor=world.other_officer, batch=again)
    close_and_tally(actor=world.officer, ballot=question)
    ballot = services.count_ballot(actor=world.officer, ballot=question)
    assert ballot.decision.figures["took_part"] == 4
    assert (ballot.decision.figures["yes"], ballot.decision.figures["no"]) == (3, 1)


def test_a_second_teller_rejects_a_batch_before_it_is_confirmed(world, question):
    batch = enter(world, question, [["yes", 4]])
    batch = services.set_aside_paper_count(
        actor=world.other_officer, batch=batch, reason="The tally sheet says 3"
    )
    assert batch.status == "rejected" and batch.set_aside_by == world.other_officer
    assert AuditEvent.objects.get(action="paper_count.rejected").new["reason"] == (
        "The tally sheet says 3"
    )
    with pytest.raises(DomainError, match="rejected: it cannot be confirmed"):
        services.confirm_paper_count(actor=world.other_officer, batch=batch)
    # A rejected batch no longer holds the count back.
    close_and_tally(actor=world.officer, ballot=question)
    assert services.count_ballot(actor=world.officer, ballot=question).status == "counted"


def test_a_confirmed_batch_cannot_be_set_aside(world, question):
    batch = enter(world, question, [["yes", 2]])
    services.confirm_paper_count(actor=world.other_officer, batch=batch)
    with pytest.raises(DomainError, match="only a batch awaiting confirmation"):
        services.set_aside_paper_count(actor=world.officer, batch=batch, reason="Too late")
    assert not AuditEvent.objects.filter(action__startswith="paper_count.w").exists()


def test_only_officers_of_the_body_set_a_batch_aside(world, question):
    batch = enter(world, question, [["yes", 2]])
    with pytest.raises(NotAllowed):
        services.set_aside_paper_count(actor=world.member, batch=batch, reason="Mine")
    assert PaperCount.objects.get().status == "pending"


def test_the_console_withdraws_and_rejects_batches(world, question, client_for):
    mine = enter(world, question, [["yes", 1]])
    theirs = enter(world, question, [["no", 1]], label="Room B", actor=world.other_officer)
    client = client_for("officer")
    console = client.get(reverse("ballot_console", args=[question.pk])).content.decode()
    assert "Withdraw batch Room A" in console and "Reject batch Room B" in console
    url = reverse("paper_count_set_aside", args=[mine.pk])
    assert client.post(url, {"reason": "Wrong room"}).status_code == 302
    url = reverse("paper_count_set_aside", args=[theirs.pk])
    assert client.post(url, {"reason": "Not recounted"}).status_code == 302
    statuses = dict(PaperCount.objects.values_list("label", "status"))
    assert statuses == {"Room A": "withdrawn", "Room B": "rejected"}
    console = client.get(reverse("ballot_console", args=[question.pk])).content.decode()
    assert "Wrong room" in console and "Not recounted" in console


def test_the_count_is_refused_when_the_box_and_the_participations_differ(world, question):
    services.cast_vote(actor=world.member, ballot=question, choices="yes")
    services.cast_vote(actor=world.officer, ballot=question, choices="no")
    close_and_tally(actor=world.officer, ballot=question)
    # Behind the services' back: an encrypted paper taken off the board.
    BoardEntry.objects.filter(box__ballot=question).order_by("position").last().delete()
    with pytest.raises(DomainError) as refused:
        services.count_ballot(actor=world.officer, ballot=question)
    assert "the ballot box holds 1 papers (weight 1) for 2 voters who took part online" in (
        refused.value.message
    )
    assert not Decision.objects.exists()


def test_the_count_is_refused_when_more_took_part_than_are_entitled(world, question):
    batch = enter(world, question, [["yes", 4]])
    services.confirm_paper_count(actor=world.other_officer, batch=batch)
    PaperCount.objects.filter(pk=batch.pk).update(papers=400)  # a batch forced past the roll
    close_and_tally(actor=world.officer, ballot=question)
    with pytest.raises(DomainError, match=r"400 took part .* but only 4 are entitled"):
        services.count_ballot(actor=world.officer, ballot=question)


def test_publication_is_refused_when_the_decision_differs_from_the_recount(world, question):
    services.cast_vote(actor=world.member, ballot=question, choices="yes")
    services.cast_vote(actor=world.officer, ballot=question, choices="no")
    close_and_tally(actor=world.officer, ballot=question)
    services.count_ballot(actor=world.officer, ballot=question)
    BallotPaper.objects.filter(ballot=question, content={"choice": "no"}).update(
        content={"choice": "yes"}
    )
    with pytest.raises(DomainError, match="the decision says yes 1, the recount gives 2"):
        services.publish_results(actor=world.officer, ballot=question)
    assert Ballot.objects.get(pk=question.pk).status == "counted"


def test_the_anomaly_report_names_a_count_larger_than_the_roll(world, question):
    services.cast_vote(actor=world.member, ballot=question, choices="yes")
    close_and_tally(actor=world.officer, ballot=question)
    ballot = services.count_ballot(actor=world.officer, ballot=question)
    # What issue 14 found: a batch of 400 on a small roll, confirmed and counted.
    batch = PaperCount.objects.create(
        ballot=ballot,
        label="Room A",
        content={"groups": [["yes", 400]]},
        papers=400,
        entered_by=world.officer,
        confirmed_by=world.other_officer,
        status="confirmed",
    )
    assert batch.pk
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("anomaly_report", stdout=out)
    report = out.getvalue()
    assert (
        f"[ballot_count] {ballot.decision.decided_on.isoformat()} {ballot.decision.reference}"
        in (report)
    )
    assert "401 took part (1 online, 400 on paper) but only 4 are entitled on the roll" in report
    assert "the decision says took_part 1, the recount gives 401" in report


def test_recount_published_names_papers_result_and_decision_rewritten_together(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    ballot = published(world, ballot, [(world.member, "yes"), (world.officer, "no")])
    # A database administrator makes the "no" a "yes" everywhere the database holds it.
    rewrite_one_no_as_yes(ballot)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 published ballots recount differently"):
        call_command("recount_published", stdout=out)
    assert "the decision's figures differ from those its audit event #" in out.getvalue()


def test_turnout_reads_a_fixed_number_of_queries(world, question, django_assert_num_queries):
    enlarge_roll(question, 20)
    # Five, and one for the secret ballots' boards (online_papers).
    with django_assert_num_queries(6):
        figures = integrity.turnouts([question.pk])[question.pk]
    assert figures.entitled == 24 and figures.took_part == 0
    assert Participation.objects.count() == 0
