"""Amendments voted before their motion and merged in order; the count moves motions on; statute
amendments create the next statute version; the International Council."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from elections import services as elections
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import Decision, OrganisationUnit, StatuteVersion
from motions import services
from motions.models import Amendment, ICSubmission, Motion
from tests.factories import UnitFactory, close_and_tally
from tests.motions.conftest import convene, gather_support, scheduled, submitted, voting_mandate

pytestmark = pytest.mark.django_db

M, A = Motion.Status, Amendment.Status


def online(section, item):
    closes_at = timezone.now() + dt.timedelta(hours=2)
    if isinstance(item, Amendment):
        return services.put_amendment_to_vote(
            actor=section.chair, amendment=item, mode=services.ONLINE, closes_at=closes_at
        )
    return services.put_motion_to_vote(
        actor=section.chair, motion=item, mode=services.ONLINE, closes_at=closes_at
    )


def voters(section):
    """Members entitled to vote who may cast (17 are entitled: the auditor cannot cast)."""
    return [section.proposer, section.standing_orders, section.board_member, *section.supporters]


def decide(section, ballot, yes: int, no: int = 0, abstain: int = 0) -> Decision:
    people = iter(voters(section))
    for choice, count in (("yes", yes), ("no", no), ("abstain", abstain)):
        for _ in range(count):
            elections.cast_vote(actor=next(people), ballot=ballot, choices=choice)
    close_and_tally(actor=section.chair, ballot=ballot)
    counted = elections.count_ballot(actor=section.chair, ballot=ballot)
    return counted.decision


def tabled(section, motion, *, kind="replace_paragraph", paragraph=1, text="New text."):
    amendment = services.create_amendment(
        actor=section.supporters[-1], motion=motion, kind=kind, paragraph=paragraph, text=text
    )
    for user in section.supporters[:2]:
        services.support(actor=user, item=amendment)
    services.submit_amendment(actor=section.supporters[-1], amendment=amendment)
    services.take_amendment_step(actor=section.standing_orders, amendment=amendment, step="admit")
    amendment.refresh_from_db()
    return amendment


# ---------------------------------------------------------------------------
# Motions put to the vote
# ---------------------------------------------------------------------------


def test_an_adopted_motion_is_recorded_against_article_8(section):
    motion = scheduled(section)
    ballot = online(section, motion)
    motion.refresh_from_db()
    assert motion.status == M.IN_VOTE and ballot.question == motion.final_text
    decision = decide(section, ballot, yes=4, no=2)
    motion.refresh_from_db()
    assert motion.status == M.ADOPTED and motion.decision == decision
    assert decision.outcome == "adopted" and decision.article.number == "8"
    assert decision.figures["yes"] == 4


def test_a_rejected_motion_and_a_vote_without_quorum(section):
    rejected = scheduled(section)
    decide(section, online(section, rejected), yes=2, no=3)
    rejected.refresh_from_db()
    assert rejected.status == M.REJECTED
    short = scheduled(section, title="Short")
    decision = decide(section, online(section, short), yes=3)  # 5 of 17 needed (1/4)
    short.refresh_from_db()
    assert decision.outcome == "no_quorum"
    assert short.status == M.SCHEDULED and short.ballot is None
    assert decision.reference in short.status_reason
    # It can be put to the vote again.
    assert online(section, short).status == "open"


def test_only_the_chair_puts_a_motion_to_the_vote_and_a_refusal_leaves_no_ballot(section):
    motion = scheduled(section)
    with pytest.raises(NotAllowed):
        services.put_motion_to_vote(
            actor=section.board_member,
            motion=motion,
            mode=services.ONLINE,
            closes_at=timezone.now() + dt.timedelta(hours=1),
        )
    assert not motion.body.ballots.exists()


def test_an_online_vote_needs_a_closing_time_in_the_future(section):
    motion = scheduled(section)
    for closes_at in (None, timezone.now() - dt.timedelta(minutes=1)):
        with pytest.raises(DomainError) as error:
            services.put_motion_to_vote(
                actor=section.chair, motion=motion, mode=services.ONLINE, closes_at=closes_at
            )
        assert error.value.field == "closes_at"
    with pytest.raises(DomainError, match="in session"):
        services.put_motion_to_vote(actor=section.chair, motion=motion, mode=services.IN_ROOM)


# ---------------------------------------------------------------------------
# Amendments
# ---------------------------------------------------------------------------


def test_amendments_are_voted_before_their_motion_in_the_order_tabled(section):
    motion = scheduled(section)
    first = tabled(
        section, motion, paragraph=1, text="The General Assembly calls for abolition now."
    )
    second = tabled(section, motion, paragraph=2, text="The Board reports every six months.")
    with pytest.raises(DomainError, match="Decide the amendments before the motion: A1, A2"):
        online(section, motion)
    with pytest.raises(DomainError, match="earlier amendments first: A1"):
        online(section, second)
    decide(section, online(section, first), yes=5)
    decide(section, online(section, second), yes=1, no=5)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (A.ADOPTED, A.REJECTED)
    ballot = online(section, motion)
    motion.refresh_from_db()
    assert motion.final_text == (
        "The General Assembly calls for abolition now.\n\nThe Board shall report each year."
    )
    assert ballot.question == motion.final_text
    # The original stays as submitted.
    assert motion.text.startswith("The General Assembly calls for abolition.")


def test_adopted_amendments_merge_in_vote_order_each_on_the_text_left_by_the_last(section):
    motion = scheduled(section, text="A.\n\nB.\n\nC.")
    whole = tabled(
        section, motion, kind="replace_text", paragraph=None, text="One.\n\nTwo.\n\nThree."
    )
    third = tabled(section, motion, paragraph=3, text="Three, amended.")
    decide(section, online(section, whole), yes=5)
    decide(section, online(section, third), yes=5)
    assert services.final_text(motion) == "One.\n\nTwo.\n\nThree, amended."


def test_a_paragraph_that_no_longer_exists_cannot_be_voted(section):
    motion = scheduled(section)
    whole = tabled(section, motion, kind="replace_text", paragraph=None, text="Only one paragraph.")
    second = tabled(section, motion, paragraph=2, text="Gone.")
    decide(section, online(section, whole), yes=5)
    with pytest.raises(DomainError, match="Paragraph 2 no longer exists"):
        online(section, second)


def test_amendments_close_ten_days_before_the_assembly(section, world):
    assembly = convene(world, days_ahead=25)
    motion = scheduled(section, assembly=assembly)
    ok = services.create_amendment(
        actor=section.supporters[-1], motion=motion, kind="replace_text", text="Fine."
    )
    gather_support(section, ok, 2)
    services.submit_amendment(actor=section.supporters[-1], amendment=ok)
    # Nine days before its assembly (moved here directly: services refuse motions this late).
    late_assembly = convene(world, days_ahead=9)
    motion.assembly = late_assembly
    motion.save(update_fields=["assembly"])
    late = services.create_amendment(
        actor=section.supporters[-1], motion=motion, kind="replace_text", text="Too late."
    )
    gather_support(section, late, 2)
    with pytest.raises(RuleViolation, match="article 6 requires amendments 10 days"):
        services.submit_amendment(actor=section.supporters[-1], amendment=late)
    late.refresh_from_db()
    assert late.status == A.DRAFT and late.number is None


def test_amendments_need_two_cosponsors_and_a_valid_paragraph(section):
    motion = scheduled(section)
    with pytest.raises(DomainError) as error:
        services.create_amendment(
            actor=section.supporters[-1],
            motion=motion,
            kind="replace_paragraph",
            paragraph=3,
            text="x",
        )
    assert error.value.field == "paragraph"
    amendment = services.create_amendment(
        actor=section.supporters[-1], motion=motion, kind="replace_paragraph", paragraph=2, text="x"
    )
    services.support(actor=section.supporters[0], item=amendment)
    with pytest.raises(RuleViolation, match="Article 10 requires 2"):
        services.submit_amendment(actor=section.supporters[-1], amendment=amendment)


def test_a_draft_motion_cannot_be_amended(section):
    from tests.motions.conftest import draft

    with pytest.raises(DomainError, match="can no longer be amended"):
        services.create_amendment(
            actor=section.supporters[0], motion=draft(section), kind="replace_text", text="x"
        )


# ---------------------------------------------------------------------------
# Statute amendments
# ---------------------------------------------------------------------------

CHANGES = [
    {
        "action": "replace",
        "number": "9",
        "title": "Proxies",
        "text": "No member may carry more than one proxy.",
        "rules": [
            {"kind": "proxies", "scope": "assembly", "params": {"allowed": True, "max_carried": 1}}
        ],
    },
    {"action": "add", "number": "16a", "after": "16", "title": "Youth", "text": "Youth groups."},
    {"action": "remove", "number": "5"},
]


def statute_motion(section):
    return scheduled(
        section,
        kind=Motion.Kind.STATUTE_AMENDMENT,
        title="Fewer proxies",
        text="The General Assembly amends article 9.",
        statute_changes=CHANGES,
    )


def test_an_adopted_statute_amendment_creates_the_next_version(section):
    earlier = Decision.objects.count()
    motion = statute_motion(section)
    decision = decide(section, online(section, motion), yes=6)  # 6 of 17: a third (article 15)
    assert decision.outcome == "adopted"
    assert decision.article.number == "15" and decision.statute_version.number == 1
    assert [r["scope"] for r in decision.rule_snapshot] == ["statute_amendment"] * 2
    version = StatuteVersion.objects.get(number=2)
    assert version.adopted_by == decision and version.effective_from == decision.decided_on
    numbers = list(version.articles.values_list("number", flat=True))
    assert "5" not in numbers and numbers[-1] == "16a"
    proxies = version.articles.get(number="9").rules.get()
    assert proxies.params == {"allowed": True, "max_carried": 1}
    assert StatuteVersion.objects.in_force() == version
    # Decisions taken before keep citing version 1.
    assert Decision.objects.filter(statute_version__number=1).count() == earlier + 1


def test_a_statute_amendment_below_two_thirds_creates_no_version(section):
    motion = statute_motion(section)
    decision = decide(section, online(section, motion), yes=5, no=3)  # 5/8 < 2/3
    motion.refresh_from_db()
    assert decision.outcome == "rejected" and motion.status == M.REJECTED
    assert not StatuteVersion.objects.filter(number=2).exists()


def test_a_statute_amendment_without_a_third_taking_part_creates_no_version(section):
    motion = statute_motion(section)
    decision = decide(section, online(section, motion), yes=5)  # 5 of 17 < 1/3
    assert decision.outcome == "no_quorum"
    assert not StatuteVersion.objects.filter(number=2).exists()


def test_on_second_convocation_a_fifth_is_enough(section, world):
    assembly = convene(world, days_ahead=40, convocation=2)
    motion = scheduled(
        section,
        assembly=assembly,
        kind=Motion.Kind.STATUTE_AMENDMENT,
        title="Fewer proxies",
        text="Amend article 9.",
        statute_changes=CHANGES,
    )
    decision = decide(section, online(section, motion), yes=4)  # 4 of 17 >= 1/5
    assert decision.outcome == "adopted"
    assert StatuteVersion.objects.filter(number=2).exists()


def test_statute_changes_are_checked_when_drafting(section):
    from tests.motions.conftest import draft

    bad = [{"action": "replace", "number": "99", "title": "x", "text": "y"}]
    with pytest.raises(DomainError) as error:
        draft(section, kind=Motion.Kind.STATUTE_AMENDMENT, statute_changes=bad)
    assert error.value.field == "statute_changes[0].number"
    bad_rule = [
        {
            "action": "replace",
            "number": "9",
            "title": "x",
            "text": "y",
            "rules": [{"kind": "proxies", "scope": "assembly", "params": {"allowed": "yes"}}],
        }
    ]
    with pytest.raises(DomainError) as error:
        draft(section, kind=Motion.Kind.STATUTE_AMENDMENT, statute_changes=bad_rule)
    assert error.value.field == "statute_changes[0].rules"
    with pytest.raises(DomainError) as error:
        draft(section, statute_changes=CHANGES)  # a resolution changes no article
    assert error.value.field == "statute_changes"


# ---------------------------------------------------------------------------
# The International Council
# ---------------------------------------------------------------------------


@pytest.fixture
def council(db):
    return UnitFactory(code="ic", name="International Council", kind="international_council")


def adopted_ic_motion(section):
    motion = scheduled(section, kind=Motion.Kind.IC_MOTION, title="Corporate accountability")
    decide(section, online(section, motion), yes=5)
    motion.refresh_from_db()
    assert motion.status == M.ADOPTED and motion.decision.article.number == "11"
    return motion


def test_an_adopted_ic_motion_is_forwarded_and_its_outcome_recorded(section, council):
    motion = adopted_ic_motion(section)
    with pytest.raises(NotAllowed):
        services.forward_to_ic(actor=section.proposer, motion=motion, council=council)
    submission = services.forward_to_ic(
        actor=section.board_member,
        motion=motion,
        council=council,
        cosponsoring_sections=["Section A", " ", "Section B"],
    )
    assert submission.cosponsoring_sections == ["Section A", "Section B"]
    with pytest.raises(DomainError) as error:
        services.record_ic_outcome(
            actor=section.world.staff,
            motion=motion,
            outcome="amended",
            decided_on=timezone.localdate(),
        )
    assert error.value.field == "text"
    services.record_ic_outcome(
        actor=section.world.staff,
        motion=motion,
        outcome="amended",
        decided_on=timezone.localdate(),
        ic_reference="POL 40/123/2026",
        text="As amended by the IC.",
    )
    motion.refresh_from_db()
    submission.refresh_from_db()
    assert motion.status == M.IC_ADOPTED
    assert (submission.outcome, submission.ic_reference) == ("amended", "POL 40/123/2026")
    note = services.add_follow_up(
        actor=section.board_member,
        motion=motion,
        noted_on=timezone.localdate(),
        text="Campaign launched.",
    )
    assert list(submission.follow_ups.all()) == [note]


def test_only_ic_motions_are_forwarded_and_only_to_the_council(section, council):
    motion = scheduled(section)
    decide(section, online(section, motion), yes=5)
    with pytest.raises(DomainError):
        services.forward_to_ic(actor=section.board_member, motion=motion, council=council)
    ic_motion = adopted_ic_motion(section)
    section_unit = OrganisationUnit.objects.get(code="section")
    with pytest.raises(DomainError) as error:
        services.forward_to_ic(actor=section.board_member, motion=ic_motion, council=section_unit)
    assert error.value.field == "council"
    assert not ICSubmission.objects.exists()


def test_the_board_decides_the_delegates_voting_mandate_by_roll_call(section):
    mandate = voting_mandate(section)
    ballot = mandate.ballot
    assert ballot.kind == "roll_call" and ballot.status == "open"
    for user in (section.chair, section.board_member):
        elections.cast_vote(actor=user, ballot=ballot, choices="yes")
    close_and_tally(actor=section.chair, ballot=ballot)
    decision = elections.count_ballot(actor=section.chair, ballot=ballot).decision
    assert decision.outcome == "adopted" and decision.body == section.world.board
    assert "POL 40/200/2026" in decision.title


# ---------------------------------------------------------------------------
# A vote in the room
# ---------------------------------------------------------------------------


def test_a_motion_voted_in_the_room_by_those_present_and_their_proxies(section, world):
    from governance.assemblies import services as assemblies
    from tests.governance.assembly_support import convene as convene_on

    meeting = convene_on(world.assembly_body, title="Extraordinary General Assembly")
    motion = submitted(section)
    services.take_step(actor=section.standing_orders, motion=motion, step="admit")
    services.schedule_motion(actor=section.chair, motion=motion, assembly=meeting)
    with pytest.raises(DomainError, match="in session"):
        services.put_motion_to_vote(actor=section.chair, motion=motion, mode=services.IN_ROOM)
    assemblies.open_session(actor=section.chair, assembly=meeting)
    present = section.supporters[:5]
    for user in present:
        assemblies.check_in(actor=world.staff, assembly=meeting, member=user.member)
    giver = section.supporters[5].member
    assemblies.register_proxy(
        actor=world.staff, assembly=meeting, giver=giver, holder=present[0].member
    )
    ballot = services.put_motion_to_vote(actor=section.chair, motion=motion, mode=services.IN_ROOM)
    assert ballot.electorate == "assembly" and ballot.roll.count() == 6
    for user in present:
        elections.cast_vote(actor=user, ballot=ballot, choices="yes")
    elections.cast_vote(actor=present[0], ballot=ballot, choices="no", on_behalf_of=giver)
    close_and_tally(actor=section.chair, ballot=ballot)
    decision = elections.count_ballot(actor=section.chair, ballot=ballot).decision
    # The quorum is a quarter of all 17 entitled (5), not of the 6 on the room's roll.
    assert decision.figures["eligible"] == 17 and decision.figures["took_part"] == 6
    assert decision.outcome == "adopted" and decision.assembly == meeting
    motion.refresh_from_db()
    assert motion.status == M.ADOPTED


def test_an_ic_motion_needs_the_assemblys_quorum_too(section):
    motion = scheduled(section, kind=Motion.Kind.IC_MOTION, title="Corporate accountability")
    decision = decide(section, online(section, motion), yes=4)  # 4 of 17 < 1/4
    assert decision.outcome == "no_quorum"
    assert [r["article"] for r in decision.rule_snapshot] == ["7", "11"]


# ---------------------------------------------------------------------------
# The auditors' view
# ---------------------------------------------------------------------------


def test_the_decision_trail_shows_the_motion_its_versions_and_amendments(section, client):
    from django.urls import reverse

    from governance.audit.trail import decision_trail

    motion = scheduled(section, text="A.\n\nB.")
    amendment = tabled(section, motion, paragraph=2, text="B, amended.")
    decide(section, online(section, amendment), yes=5)
    decision = decide(section, online(section, motion), yes=5)
    trail = decision_trail(decision)
    motion_section = next(s for s in trail.sections if s.key == "motion")
    facts = dict(motion_section.facts)
    assert facts["Reference"] == motion.reference and "Version 1" in facts
    assert facts["Amendment A1"].startswith("Adopted (ORG 50/")
    actions = [e.action for e in trail.events]
    assert "motion.submit" in actions and "amendment.adopt" in actions
    assert actions.index("motion.put_to_vote") < actions.index("motion.adopt")
    client.force_login(section.world.auditor)
    page = client.get(reverse("decision_detail", args=[decision.reference]))
    assert page.status_code == 200 and motion.reference in page.content.decode()
