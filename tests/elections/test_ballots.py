"""The ballot lifecycle, casting, secrecy, proxies, paper results and the recorded decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import models
from django.utils import timezone

from elections import services
from elections.models import (
    Ballot,
    BallotPaper,
    BoardEntry,
    Candidate,
    NamedVote,
    PaperCount,
    Participation,
    Proxy,
    RollEntry,
)
from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import AuditEvent, Decision
from tests.elections.boxes import decrypted_board
from tests.elections.conftest import add_voters, draft_ballot, draft_election, enlarge_roll
from tests.factories import DuesFactory, MandateFactory, MemberFactory, close_and_tally

pytestmark = pytest.mark.django_db


def vote(user, ballot, choices, **kwargs):
    return services.cast_vote(actor=user, ballot=ballot, choices=choices, **kwargs)


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------


def test_opening_freezes_the_roll_from_the_eligibility_rule(world):
    recent = MemberFactory(unit=world.group, joined_on=timezone.localdate() - dt.timedelta(days=30))
    DuesFactory(member=recent)  # paid, but a member for less than three months (article 4)
    unpaid = MemberFactory(unit=world.group)
    supporter = MemberFactory(unit=world.group, kind="supporter")
    DuesFactory(member=supporter)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    roll = set(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True))
    expected = {
        world.member.member.pk,
        world.officer.member.pk,
        world.other_officer.member.pk,
        world.auditor.member.pk,
    }
    assert roll == expected
    assert not {recent.pk, unpaid.pk, supporter.pk} & roll
    # A member who becomes eligible later is not added to an open ballot.
    DuesFactory(member=unpaid)
    assert not RollEntry.objects.filter(ballot=ballot, member=unpaid).exists()


def test_opening_sends_invitations_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    assert len(mail.outbox) == 4
    assert "Vote open" in mail.outbox[0].subject
    assert "/ballots/" in mail.outbox[0].body


def test_invitations_are_handed_to_the_mail_backend_in_batches(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from types import SimpleNamespace

    from django.core.mail import mailers

    from elections import tasks

    monkeypatch.setattr(tasks, "SEND_BATCH", 3)
    batches = []

    def send_messages(messages):
        batches.append(len(messages))
        return mailers.default.send_messages(messages)

    fake = SimpleNamespace(default=SimpleNamespace(send_messages=send_messages))
    monkeypatch.setattr(tasks, "mailers", fake)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    assert batches == [3, 1]
    assert len(mail.outbox) == 4


def test_a_board_roll_call_has_the_board_as_electorate(world):
    ballot = draft_ballot(
        world, body=world.board, rule_scope="board", kind=Ballot.Kind.ROLL_CALL, article=article14()
    )
    assert not ballot.secret and ballot.electorate == Ballot.Electorate.BODY
    services.open_ballot(actor=world.officer, ballot=ballot)
    assert list(ballot.roll.values_list("member_id", flat=True)) == [world.officer.member.pk]


def article14():
    from tests.elections.conftest import article

    return article("14")


@pytest.mark.parametrize("role", ["member", "other_officer", "auditor", "staff_without_rights"])
def test_only_officers_of_the_body_run_a_ballot(world, role):
    ballot = draft_ballot(world)
    user = world.outsider if role == "staff_without_rights" else world.user(role)
    with pytest.raises(NotAllowed):
        services.open_ballot(actor=user, ballot=ballot)
    assert Ballot.objects.get(pk=ballot.pk).status == "draft"


def test_the_lifecycle_refuses_skipped_steps(question, world):
    with pytest.raises(DomainError, match="cannot become"):
        services.publish_results(actor=world.officer, ballot=question)
    with pytest.raises(DomainError, match="cannot become"):
        services.count_ballot(actor=world.officer, ballot=question)
    with pytest.raises(DomainError, match="cannot become"):
        services.open_ballot(actor=world.officer, ballot=question)


def test_cancelling_needs_a_reason_and_is_final(question, world):
    with pytest.raises(DomainError, match="reason"):
        services.cancel_ballot(actor=world.officer, ballot=question, reason=" ")
    services.cancel_ballot(actor=world.officer, ballot=question, reason="Wrong question text")
    with pytest.raises(DomainError):
        vote(world.member, question, "yes")
    with pytest.raises(DomainError):
        services.open_ballot(actor=world.officer, ballot=question)
    assert AuditEvent.objects.get(action="ballot.cancelled").new["reason"] == "Wrong question text"


def test_bad_ballot_settings_are_refused_naming_the_field(world):
    cases = [
        ({"method": "stv"}, "method"),
        ({"closes_at": timezone.now() - dt.timedelta(days=1)}, "closes_at"),
        ({"rule_scope": "nowhere"}, "rule_scope"),
        ({"title": "  "}, "title"),
        ({"seats": 2}, "seats"),
    ]
    for overrides, field in cases:
        with pytest.raises(DomainError) as caught:
            draft_ballot(world, **overrides)
        assert caught.value.field == field
    assert not Ballot.objects.exists()


# ---------------------------------------------------------------------------
# Casting
# ---------------------------------------------------------------------------


def test_a_vote_returns_a_tracker_that_finds_its_encrypted_paper_and_not_the_vote(question, world):
    receipt = vote(world.member, question, "yes")
    found = services.find_paper(receipt.code)
    assert found is not None and found.ballot == question and found.position == 0
    assert found.content is None
    assert services.find_paper("not-a-receipt") is None
    assert Participation.objects.filter(ballot=question, member=world.member.member).exists()
    assert decrypted_board(question) == [{"choice": "yes"}]


def test_a_secret_vote_writes_no_plaintext_paper(question, world):
    vote(world.member, question, "yes")
    assert not BallotPaper.objects.filter(ballot=question).exists()
    entry = BoardEntry.objects.get(box__ballot=question)
    assert "yes" not in str(entry.paper)


def test_second_vote_from_the_same_member_is_refused(question, world):
    vote(world.member, question, "yes")
    with pytest.raises(DomainError, match="already been cast"):
        vote(world.member, question, "no")
    assert decrypted_board(question) == [{"choice": "yes"}]


def test_voters_not_on_the_roll_are_refused(question, world):
    late = add_voters(world, 1)[0]
    with pytest.raises(NotAllowed, match="roll"):
        vote(late, question, "yes")
    with pytest.raises(NotAllowed):
        vote(world.staff, question, "yes")  # staff account without membership


def test_a_ballot_read_before_it_opened_is_checked_against_its_roll_and_candidates(world):
    # The roll and the candidates are read before the ballot's lock only when the caller's
    # ballot was read open; a stale draft reads them under the lock, after the opening.
    draft = draft_election(world)
    services.open_ballot(actor=world.officer, ballot=draft)
    assert draft.status == Ballot.Status.DRAFT
    vote(world.member, draft, ["c2", "c1"])
    with pytest.raises(DomainError, match="not on this ballot"):
        vote(world.other_officer, draft, ["c9"])
    with pytest.raises(NotAllowed, match="roll"):
        vote(add_voters(world, 1)[0], draft, ["c1"])
    assert decrypted_board(draft) == [{"ranking": ["c2", "c1"]}]


def test_auditors_cannot_vote_even_on_the_roll(question, world):
    with pytest.raises(NotAllowed, match="Auditor"):
        vote(world.auditor, question, "yes")


@pytest.mark.parametrize("choices", ["maybe", ["yes"], None, 1])
def test_invalid_yes_no_choices_change_nothing(question, world, choices):
    with pytest.raises(DomainError):
        vote(world.member, question, choices)
    assert not Participation.objects.exists() and not BallotPaper.objects.exists()


@pytest.mark.parametrize(
    ("ranking", "message"),
    [(["c1", "c1"], "once"), (["c9"], "not on this ballot"), ("c1", "not valid")],
)
def test_invalid_rankings_are_refused(election, world, ranking, message):
    with pytest.raises(DomainError, match=message):
        vote(world.member, election, ranking)
    assert not BallotPaper.objects.exists()


def test_a_vote_after_closing_time_is_refused(question, world):
    now = timezone.now()
    Ballot.objects.filter(pk=question.pk).update(
        opens_at=now - dt.timedelta(days=1), closes_at=now - dt.timedelta(seconds=1)
    )
    with pytest.raises(DomainError, match="not open"):
        vote(world.member, question, "yes")


def test_a_vote_after_close_is_refused(question, world):
    close_and_tally(actor=world.officer, ballot=question)
    with pytest.raises(DomainError, match="not open"):
        vote(world.member, question, "yes")


def test_the_audit_log_records_that_a_vote_was_cast_never_what_nor_whose(question, world):
    """A secret ballot's event commits to the participation (integrity.cast_commitment);
    a named ballot's names the voter (test_cast_audit.py)."""
    from elections.integrity import cast_commitment

    vote(world.member, question, "no")
    event = AuditEvent.objects.get(action="ballot.vote_cast")
    participation = Participation.objects.get(ballot=question)
    assert event.new == {
        "commitment": cast_commitment(
            ballot_id=question.pk,
            member_id=world.member.member.pk,
            by_proxy=False,
            salt=participation.salt,
        )
    }
    assert event.actor_id is None
    assert "no" not in str(event.new)
    assert audit.verify_chain().ok


def test_named_ballots_record_the_vote_with_the_voter(world):
    ballot = draft_ballot(
        world, body=world.board, rule_scope="board", kind=Ballot.Kind.ROLL_CALL, article=article14()
    )
    services.open_ballot(actor=world.officer, ballot=ballot)
    vote(world.officer, ballot, "yes")
    named = NamedVote.objects.get(ballot=ballot)
    assert named.member == world.officer.member and named.content == {"choice": "yes"}


# ---------------------------------------------------------------------------
# Secrecy: no join path between a voter and a paper
# ---------------------------------------------------------------------------


def test_papers_and_participations_share_nothing_but_the_ballot():
    paper_fields = {f.name: f for f in BallotPaper._meta.get_fields()}
    participation_fields = {f.name: f for f in Participation._meta.get_fields()}
    # Nothing on a paper points at a person, a participation or a time.
    for field in paper_fields.values():
        if field.is_relation:
            assert field.related_model is Ballot, field.name
        assert not isinstance(field, models.DateField | models.DateTimeField | models.AutoField), (
            field.name
        )
    # Keys are random, so neither table has an order that could be matched with the other.
    assert isinstance(BallotPaper._meta.pk, models.UUIDField)
    assert isinstance(Participation._meta.pk, models.UUIDField)
    assert not any(
        isinstance(f, models.DateField | models.DateTimeField)
        for f in participation_fields.values()
    )
    # A participation holds no choice: its only columns are its key, the ballot, the member,
    # the proxy flag and the salt of its audit event's commitment.
    assert set(participation_fields) == {"id", "ballot", "member", "by_proxy", "salt"}
    # Papers are never read in insertion order.
    assert BallotPaper._meta.ordering == ["receipt_fingerprint"]


def test_nothing_else_points_at_a_paper():
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                field.is_relation
                and field.concrete
                and field.related_model in (BallotPaper, Participation)
            ):
                pytest.fail(
                    f"{model.__name__}.{field.name} links to {field.related_model.__name__}"
                )


def test_published_list_is_shuffled_and_carries_no_voter(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    voters = add_voters(world, 0)
    receipts = [
        vote(user, ballot, "yes") for user in (world.member, world.officer, world.other_officer)
    ]
    close_and_tally(actor=world.officer, ballot=ballot)
    services.count_ballot(actor=world.officer, ballot=ballot)
    listed = services.ballot_list(ballot)
    # The listed papers are the decrypted count, tied to no tracker and so to no voter.
    assert len(listed.papers) == 3
    assert {p.receipt_fingerprint for p in listed.papers}.isdisjoint(r.code for r in receipts)
    exported = str(listed.as_dict())
    for user in (world.member, world.officer, world.other_officer):
        assert user.member.membership_number not in exported and user.email not in exported
    assert voters == []


# ---------------------------------------------------------------------------
# Counting and the decision
# ---------------------------------------------------------------------------


def close_and_count(world, ballot):
    close_and_tally(actor=world.officer, ballot=ballot)
    return services.count_ballot(actor=world.officer, ballot=ballot)


def test_a_counted_question_writes_a_decision_against_the_statutes(question, world):
    vote(world.member, question, "yes")
    vote(world.officer, question, "yes")
    vote(world.other_officer, question, "no")
    ballot = close_and_count(world, question)
    decision = ballot.decision
    assert decision.outcome == "adopted"
    assert decision.article.number == "8" and decision.statute_version.number == 1
    assert decision.figures["eligible"] == 4 and decision.figures["took_part"] == 3
    assert (decision.figures["yes"], decision.figures["no"]) == (2, 1)
    kinds = {rule["kind"]: rule for rule in decision.rule_snapshot}
    assert kinds["quorum"]["outcome"]["satisfied"] and kinds["majority"]["outcome"]["satisfied"]
    assert kinds["majority"]["article"] == "8" and kinds["quorum"]["article"] == "7"


def test_a_tie_is_rejected(question, world):
    vote(world.member, question, "yes")
    vote(world.officer, question, "no")
    assert close_and_count(world, question).decision.outcome == "rejected"


def test_without_quorum_nothing_is_decided(world):
    add_voters(world, 12)  # 16 on the roll: a quarter is 4
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    for user in (world.member, world.officer, world.other_officer):
        vote(user, ballot, "yes")
    assert close_and_count(world, ballot).decision.outcome == "no_quorum"


def test_an_election_is_counted_by_stv_and_records_the_elected(world):
    voters = add_voters(world, 7)
    election = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    # Quota floor(8 / 3) + 1 = 3. Amina has 4: her surplus of 1 goes 3/4 to Salma, 1/4 to
    # Youssef (2.75 against 2.25); Youssef is excluded and Salma takes the second seat.
    rankings = [
        ["c1", "c3"],
        ["c1", "c3"],
        ["c1", "c3"],
        ["c1", "c2"],
        ["c2"],
        ["c2", "c1"],
        ["c3", "c2"],
        ["c3"],
    ]
    for user, ranking in zip([world.member, *voters], rankings, strict=True):
        vote(user, election, ranking)
    ballot = close_and_count(world, election)
    assert ballot.decision.outcome == "elected"
    assert ballot.result["count"]["elected"] == ["c1", "c3"]
    assert ballot.decision.figures["elected"] == ["Amina", "Salma"]
    assert ballot.result["count"]["stages"]


def test_publishing_sends_results_and_the_recount_matches(
    world, django_capture_on_commit_callbacks
):
    from elections.counting import tally_file, write_export

    voters = add_voters(world, 4)
    election = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    for user, ranking in zip(
        voters, [["c1"], ["c2", "c1"], ["c3", "c2"], ["c1", "c3"]], strict=True
    ):
        vote(user, election, ranking)
    close_and_count(world, election)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_results(actor=world.officer, ballot=election)
    assert any("Result published" in message.subject for message in mail.outbox)
    recount = tally_file(write_export(services.ballot_list(Ballot.objects.get(pk=election.pk))))
    assert recount["elected"] == Ballot.objects.get(pk=election.pk).decision.figures["elected"]


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------


def test_a_nomination_by_someone_else_waits_for_consent(world):
    ballot = draft_election(world, names=())
    nominee = world.other_officer.member
    candidate = services.nominate_candidate(
        actor=world.member, ballot=ballot, member=nominee, statement="Experienced."
    )
    assert candidate.status == Candidate.Status.NOMINATED
    with pytest.raises(DomainError, match="consent"):
        services.open_ballot(actor=world.officer, ballot=ballot)
    with pytest.raises(NotAllowed):
        services.consent_to_nomination(actor=world.member, candidate=candidate)
    services.consent_to_nomination(actor=world.other_officer, candidate=candidate)
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.STANDING


def test_a_self_nomination_stands_at_once_and_can_withdraw_before_opening(world):
    ballot = draft_election(world, names=("Option A",))
    candidate = services.nominate_candidate(
        actor=world.member, ballot=ballot, member=world.member.member
    )
    assert candidate.status == Candidate.Status.STANDING
    services.withdraw_candidate(actor=world.member, candidate=candidate)
    services.open_ballot(actor=world.officer, ballot=ballot)
    with pytest.raises(DomainError):
        services.nominate_candidate(
            actor=world.other_officer, ballot=ballot, member=world.other_officer.member
        )


def test_an_ineligible_candidate_is_refused_with_the_article(world):
    ballot = draft_election(world, names=())
    newcomer = MemberFactory(
        unit=world.group, joined_on=timezone.localdate() - dt.timedelta(days=100)
    )
    DuesFactory(member=newcomer)
    with pytest.raises(RuleViolation, match="article 13"):
        services.nominate_candidate(actor=world.member, ballot=ballot, member=newcomer)


def test_term_limit_applies_to_candidates_of_the_elected_body(world):
    ballot = draft_election(world, names=(), elects_body=world.board)
    veteran = MemberFactory(unit=world.group, joined_on=dt.date(2015, 1, 1))
    DuesFactory(member=veteran)
    today = timezone.localdate()
    MandateFactory(
        member=veteran,
        body=world.board,
        starts_on=today - dt.timedelta(days=1460),
        ends_on=today - dt.timedelta(days=731),
    )
    MandateFactory(
        member=veteran, body=world.board, starts_on=today - dt.timedelta(days=730), ends_on=today
    )
    with pytest.raises(RuleViolation, match="consecutive"):
        services.nominate_candidate(actor=world.member, ballot=ballot, member=veteran)


# ---------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------


def test_a_proxy_holder_casts_the_represented_vote_separately(question, world):
    services.give_proxy(actor=world.member, ballot=question, holder=world.officer.member)
    vote(world.officer, question, "yes")
    vote(world.officer, question, "no", on_behalf_of=world.member.member)
    assert Participation.objects.get(ballot=question, member=world.member.member).by_proxy
    assert Proxy.objects.get().status == Proxy.Status.USED
    with pytest.raises(DomainError, match="already"):
        vote(world.member, question, "yes")


def test_proxies_over_the_statutes_limit_are_refused(world):
    givers = add_voters(world, 3)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    services.give_proxy(actor=givers[0], ballot=ballot, holder=world.officer.member)
    services.give_proxy(actor=givers[1], ballot=ballot, holder=world.officer.member)
    with pytest.raises(RuleViolation, match="article 9"):
        services.give_proxy(actor=givers[2], ballot=ballot, holder=world.officer.member)


def test_a_revoked_proxy_cannot_be_used(question, world):
    proxy = services.give_proxy(actor=world.member, ballot=question, holder=world.officer.member)
    with pytest.raises(NotAllowed):
        services.revoke_proxy(actor=world.officer, proxy=proxy)
    services.revoke_proxy(actor=world.member, proxy=proxy)
    with pytest.raises(NotAllowed, match="proxy"):
        vote(world.officer, question, "yes", on_behalf_of=world.member.member)
    vote(world.member, question, "yes")  # the member votes in person instead


def test_a_used_proxy_cannot_be_revoked(question, world):
    proxy = services.give_proxy(actor=world.member, ballot=question, holder=world.officer.member)
    vote(world.officer, question, "yes", on_behalf_of=world.member.member)
    with pytest.raises(DomainError, match="used or revoked"):
        services.revoke_proxy(actor=world.member, proxy=proxy)


def test_board_ballots_take_no_proxies(world):
    ballot = draft_ballot(
        world, body=world.board, rule_scope="board", kind=Ballot.Kind.ROLL_CALL, article=article14()
    )
    with pytest.raises(RuleViolation, match="no proxies"):
        services.give_proxy(actor=world.member, ballot=ballot, holder=world.officer.member)


# ---------------------------------------------------------------------------
# Paper results
# ---------------------------------------------------------------------------


def test_paper_results_count_once_a_second_teller_confirms(question, world):
    second = world.other_officer
    MandateFactory(member=second.member, body=world.assembly_body)
    enlarge_roll(question, 37)
    vote(world.member, question, "no")
    batch = services.enter_paper_count(
        actor=world.officer,
        ballot=question,
        label="Room A",
        groups=[["yes", 30], ["no", 5], ["abstain", 2]],
    )
    with pytest.raises(NotAllowed, match="second teller"):
        services.confirm_paper_count(actor=world.officer, batch=batch)
    close_and_tally(actor=world.officer, ballot=question)
    with pytest.raises(DomainError, match="confirmation"):
        services.count_ballot(actor=world.officer, ballot=question)
    services.confirm_paper_count(actor=second, batch=batch)
    ballot = services.count_ballot(actor=world.officer, ballot=question)
    figures = ballot.decision.figures
    assert (figures["yes"], figures["no"], figures["abstain"]) == (30, 6, 2)
    assert figures["took_part"] == 38
    assert len(services.ballot_list(ballot).papers) == 38


def test_a_bad_paper_batch_is_refused_and_writes_nothing(question, world):
    for groups in ([["maybe", 3]], [["yes", 0]], [["yes"]], []):
        with pytest.raises(DomainError):
            services.enter_paper_count(
                actor=world.officer, ballot=question, label="Box 1", groups=groups
            )
    assert not PaperCount.objects.exists()


def test_every_step_is_audited_and_the_chain_holds(election, world):
    vote(world.member, election, ["c2"])
    close_and_count(world, election)
    services.publish_results(actor=world.officer, ballot=election)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "ballot.created",
        "candidate.nominated",
        "ballot.opened",
        "ballot.vote_cast",
        "ballot.closed",
        "ballot.counted",
        "decision.recorded",
        "ballot.published",
    } <= actions
    assert audit.verify_chain().ok
    assert Decision.objects.count() == 1


def test_the_closing_reminder_goes_once_to_those_who_have_not_voted(
    question, world, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    vote(world.member, question, "yes")
    Ballot.objects.filter(pk=question.pk).update(closes_at=timezone.now() + dt.timedelta(hours=3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ballot_reminders", stdout=StringIO())
    reminded = sorted(address for message in mail.outbox for address in message.to)
    assert world.member.member.email not in reminded
    assert len(reminded) == 3
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ballot_reminders", stdout=StringIO())
    assert len(mail.outbox) == 3
    assert AuditEvent.objects.filter(action="ballot.reminder_sent").count() == 1
