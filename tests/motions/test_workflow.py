"""The motion workflow: drafting and versions, co-sponsors, deadlines, every step and who may take it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import AuditEvent, AuditHead
from governance.textdiff import word_diff
from motions import services, workflow
from motions.models import Motion, MotionVersion, Support
from tests.motions.conftest import convene, draft, gather_support, scheduled, submitted

pytestmark = pytest.mark.django_db

M = Motion.Status


def head():
    return AuditHead.objects.values_list("sequence", flat=True).first()


# ---------------------------------------------------------------------------
# Drafting and versions
# ---------------------------------------------------------------------------


def test_drafting_saves_version_one_and_each_edit_a_new_version(section):
    motion = draft(section)
    assert motion.status == M.DRAFT and motion.reference is None
    assert motion.current_version.number == 1
    v2 = services.edit_motion(
        actor=section.proposer,
        motion=motion,
        title=motion.title,
        text="The General Assembly calls for universal abolition.\n\nThe Board shall report.",
    )
    assert v2.number == 2
    assert list(motion.versions.values_list("number", flat=True)) == [1, 2]
    # Saving the same text again makes no version.
    assert (
        services.edit_motion(actor=section.proposer, motion=motion, title=v2.title, text=v2.text)
        is None
    )
    pieces = word_diff(motion.versions.get(number=1).text, v2.text)
    assert ("added", "universal") in [(p.op, p.text.strip()) for p in pieces]


def test_only_the_proposer_edits_and_only_a_draft(section):
    motion = draft(section)
    with pytest.raises(NotAllowed):
        services.edit_motion(actor=section.chair, motion=motion, title="X", text="Y")
    gather_support(section, motion)
    services.submit_motion(actor=section.proposer, motion=motion)
    with pytest.raises(DomainError, match="Only a draft"):
        services.edit_motion(actor=section.proposer, motion=motion, title="X", text="Y")
    assert MotionVersion.objects.filter(motion=motion).count() == 1


def test_auditors_and_accounts_without_a_member_cannot_draft(section):
    for user in (section.world.auditor, section.world.staff):
        with pytest.raises(NotAllowed):
            draft(section, actor=user)
    assert not Motion.objects.exists()


def test_empty_title_or_text_is_refused_with_the_field(section):
    with pytest.raises(DomainError) as error:
        draft(section, title="  ")
    assert error.value.field == "title"
    with pytest.raises(DomainError) as error:
        draft(section, text="\n\n  ")
    assert error.value.field == "text"


# ---------------------------------------------------------------------------
# Co-sponsors and submission
# ---------------------------------------------------------------------------


def test_support_is_one_click_withdrawable_until_submission(section):
    motion = draft(section)
    supporter = section.supporters[0]
    services.support(actor=supporter, item=motion)
    with pytest.raises(DomainError, match="already"):
        services.support(actor=supporter, item=motion)
    services.withdraw_support(actor=supporter, item=motion)
    assert not Support.objects.filter(motion=motion).exists()
    gather_support(section, motion)
    services.submit_motion(actor=section.proposer, motion=motion)
    with pytest.raises(DomainError, match="no longer"):
        services.withdraw_support(actor=section.supporters[0], item=motion)
    assert Support.objects.filter(motion=motion).count() == 5


def test_the_proposer_and_members_not_entitled_to_vote_cannot_cosponsor(section, world):
    motion = draft(section)
    with pytest.raises(DomainError, match="proposer"):
        services.support(actor=section.proposer, item=motion)
    unpaid = section.supporters[0].member
    unpaid.dues_payments.all().delete()
    with pytest.raises(RuleViolation, match="entitled to vote"):
        services.support(actor=section.supporters[0], item=motion)


def test_submission_needs_the_cosponsors_of_article_10(section):
    motion = draft(section)
    gather_support(section, motion, 4)
    before = head()
    with pytest.raises(RuleViolation, match="Article 10 requires 5 co-sponsors") as error:
        services.submit_motion(actor=section.proposer, motion=motion)
    assert error.value.field == "supports"
    motion.refresh_from_db()
    assert motion.status == M.DRAFT and motion.reference is None and head() == before


def test_a_cosponsor_who_lost_the_right_to_vote_no_longer_counts(section):
    motion = draft(section)
    gather_support(section, motion, 5)
    section.supporters[0].member.dues_payments.all().delete()
    with pytest.raises(RuleViolation, match="there are 4"):
        services.submit_motion(actor=section.proposer, motion=motion)


def test_ic_motions_need_ten_cosponsors_under_article_11(section):
    motion = draft(section, kind=Motion.Kind.IC_MOTION)
    gather_support(section, motion, 9)
    with pytest.raises(RuleViolation, match="Article 11 requires 10"):
        services.submit_motion(actor=section.proposer, motion=motion)
    services.support(actor=section.supporters[9], item=motion)
    assert services.submit_motion(actor=section.proposer, motion=motion).status == M.SUBMITTED


def test_submission_assigns_the_next_reference_in_the_document_index(section):
    first = submitted(section)
    second = submitted(section, title="Second")
    year = timezone.localdate().year
    assert first.reference == f"ORG 52/001/{year}"
    assert second.reference == f"ORG 52/002/{year}"
    event = AuditEvent.objects.filter(action="motion.submit").first()
    assert event.new["reference"] == first.reference
    assert event.new["sponsorship"]["satisfied"] is True


@pytest.mark.parametrize(("days_ahead", "accepted"), [(22, True), (21, True), (20, False)])
def test_motions_close_21_days_before_the_assembly(section, world, days_ahead, accepted):
    assembly = convene(world, days_ahead=days_ahead)
    motion = draft(section, assembly=assembly)
    gather_support(section, motion)
    if accepted:
        services.submit_motion(actor=section.proposer, motion=motion)
        return
    deadline = timezone.localdate() + dt.timedelta(days=days_ahead - 21)
    with pytest.raises(RuleViolation, match="article 6") as error:
        services.submit_motion(actor=section.proposer, motion=motion)
    assert error.value.field == "assembly"
    assert str(deadline.day) in error.value.message
    motion.refresh_from_db()
    assert motion.status == M.DRAFT


# ---------------------------------------------------------------------------
# Every step, and every role that may not take it
# ---------------------------------------------------------------------------


def users_by_role(section) -> dict[str, object]:
    return {
        workflow.PROPOSER: section.proposer,
        workflow.STANDING_ORDERS: section.standing_orders,
        workflow.BOARD: section.board_member,
        workflow.CHAIR: section.chair,
        workflow.STAFF: section.world.staff,
        "auditor": section.world.auditor,
        "member": section.supporters[-1],
    }


def motion_in(section, status: str) -> Motion:
    kind = Motion.Kind.IC_MOTION if status in (M.FORWARDED, "adopted_ic") else None
    overrides = {"kind": kind} if kind else {}
    if status == M.DRAFT:
        motion = draft(section)
        gather_support(section, motion)
        return motion
    if status == M.SUBMITTED:
        return submitted(section, **overrides)
    motion = submitted(section, **overrides)
    services.take_step(actor=section.standing_orders, motion=motion, step="admit")
    if status == M.ADMISSIBLE:
        return motion
    return services.schedule_motion(actor=section.chair, motion=motion)


def take(step: str, user, motion: Motion, section):
    """Take a workflow step by its service, with what the step needs."""
    if step == "submit":
        return services.submit_motion(actor=user, motion=motion)
    if step in workflow.SIMPLE_STEPS:
        return services.take_step(actor=user, motion=motion, step=step, reason="Out of scope")
    if step == "schedule":
        return services.schedule_motion(actor=user, motion=motion)
    if step == "refer":
        return services.refer_motion(
            actor=user, motion=motion, body=section.world.board, reason="Needs study"
        )
    if step == "put_to_vote":
        return services.put_motion_to_vote(
            actor=user,
            motion=motion,
            mode=services.ONLINE,
            closes_at=timezone.now() + dt.timedelta(days=1),
        )
    raise AssertionError(step)


PERSON_STEPS = [
    (step.name, source)
    for step in workflow.MOTION.steps.values()
    if workflow.SYSTEM not in step.roles and step.kinds is None
    for source in sorted(step.sources)
]


@pytest.mark.parametrize(("step", "source"), PERSON_STEPS)
def test_each_step_is_refused_to_every_role_that_may_not_take_it(section, step, source):
    motion = motion_in(section, source)
    allowed = workflow.MOTION.steps[step].roles
    for role, user in users_by_role(section).items():
        if role in allowed:
            continue
        before = head()
        with pytest.raises(NotAllowed):
            take(step, user, motion, section)
        motion.refresh_from_db()
        assert motion.status == source, (step, role)
        assert head() == before, (step, role)


@pytest.mark.parametrize(("step", "source"), PERSON_STEPS)
def test_each_step_is_taken_by_a_role_that_may(section, step, source):
    motion = motion_in(section, source)
    role = sorted(workflow.MOTION.steps[step].roles)[0]
    take(step, users_by_role(section)[role], motion, section)
    motion.refresh_from_db()
    assert motion.status == workflow.MOTION.steps[step].target
    event = AuditEvent.objects.filter(action=f"motion.{step}").last()
    assert event.old == {"status": source}
    assert event.new["status"] == motion.status


def test_steps_are_refused_from_states_they_do_not_leave(section):
    motion = motion_in(section, M.DRAFT)
    with pytest.raises(DomainError, match="not possible"):
        services.take_step(actor=section.standing_orders, motion=motion, step="admit")
    with pytest.raises(DomainError, match="not possible"):
        services.schedule_motion(actor=section.chair, motion=motion)


def test_inadmissibility_and_referral_carry_a_reason(section):
    motion = motion_in(section, M.SUBMITTED)
    with pytest.raises(DomainError) as error:
        services.take_step(
            actor=section.standing_orders, motion=motion, step="reject_admissibility", reason=" "
        )
    assert error.value.field == "reason"
    services.take_step(
        actor=section.standing_orders,
        motion=motion,
        step="reject_admissibility",
        reason="Outside the section's mandate",
    )
    motion.refresh_from_db()
    assert motion.status == M.INADMISSIBLE
    assert motion.status_reason == "Outside the section's mandate"
    other = motion_in(section, M.ADMISSIBLE)
    with pytest.raises(DomainError):
        services.refer_motion(
            actor=section.chair, motion=other, body=section.world.board, reason=""
        )
    services.refer_motion(
        actor=section.chair, motion=other, body=section.world.board, reason="Study"
    )
    other.refresh_from_db()
    assert other.referred_to == section.world.board and other.status == M.REFERRED


def test_nobody_takes_the_steps_reserved_to_the_count(section):
    motion = motion_in(section, M.SCHEDULED)
    for user in users_by_role(section).values():
        with pytest.raises(DomainError):
            services.take_step(actor=user, motion=motion, step="adopt")


def test_scheduling_places_motions_in_agenda_order(section):
    first = scheduled(section)
    second = scheduled(section, title="Second")
    assert (first.agenda_position, second.agenda_position) == (1, 2)
    assert list(section.assembly.motions.on_agenda()) == [first, second]


def test_next_steps_list_what_the_user_may_do(section):
    motion = motion_in(section, M.SUBMITTED)
    assert [s.name for s in services.next_steps(section.proposer, motion)] == ["withdraw"]
    assert [s.name for s in services.next_steps(section.standing_orders, motion)] == [
        "admit",
        "reject_admissibility",
    ]
    assert services.next_steps(section.world.auditor, motion) == []


def test_withdrawing_a_motion_withdraws_its_pending_amendments(section):
    motion = motion_in(section, M.SCHEDULED)
    amendment = services.create_amendment(
        actor=section.supporters[0], motion=motion, kind="replace_text", text="Other"
    )
    services.take_step(actor=section.proposer, motion=motion, step="withdraw")
    amendment.refresh_from_db()
    assert amendment.status == "withdrawn"


def test_versions_of_an_arabic_text_compare_word_by_word(section):
    motion = draft(
        section, title="إلغاء عقوبة الإعدام", text="تدعو الجمعية العامة إلى إلغاء عقوبة الإعدام."
    )
    services.edit_motion(
        actor=section.proposer,
        motion=motion,
        title=motion.title,
        text="تطالب الجمعية العامة بإلغاء عقوبة الإعدام فورا.",
    )
    pieces = [(p.op, p.text) for p in word_diff(*motion.versions.values_list("text", flat=True))]
    assert ("removed", "تدعو") in pieces and ("added", "تطالب") in pieces
    assert ("added", " فورا") in pieces
    assert ("same", " الجمعية العامة ") in pieces
