"""Assemblies in the room: the session's lifecycle, check-in at the door, proxies, the quorum."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from governance.assemblies import services as assemblies
from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import Assembly, AssemblyProxy, Attendance, AuditEvent, Member
from tests.factories import DuesFactory, MandateFactory, MemberFactory
from tests.governance.assembly_support import convene, unpaid_member, voters

pytestmark = pytest.mark.django_db


@pytest.fixture
def ga(world) -> Assembly:
    """The General Assembly, meeting today on first convocation."""
    return convene(world.assembly_body, title="Ordinary General Assembly")


@pytest.fixture
def unchanged():
    """Run a refused call; check it wrote nothing and the audit chain still verifies."""

    def check(call, error=DomainError):
        before = (
            AuditEvent.objects.count(),
            Attendance.objects.count(),
            list(AssemblyProxy.objects.values_list("pk", "status")),
            list(Assembly.objects.values_list("pk", "status")),
        )
        with pytest.raises(error) as raised:
            call()
        after = (
            AuditEvent.objects.count(),
            Attendance.objects.count(),
            list(AssemblyProxy.objects.values_list("pk", "status")),
            list(Assembly.objects.values_list("pk", "status")),
        )
        assert after == before
        assert audit.verify_chain().ok
        return raised.value

    return check


def present_ids(assembly) -> set[int]:
    return set(
        Attendance.objects.filter(assembly=assembly).present().values_list("member_id", flat=True)
    )


# ---------------------------------------------------------------------------
# Check-in and check-out
# ---------------------------------------------------------------------------


def test_an_officer_checks_in_a_member_entitled_to_vote(world, ga):
    attendance = assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    assert attendance.present and attendance.checked_in_by == world.officer
    assert present_ids(ga) == {world.member.member.pk}
    event = AuditEvent.objects.get(action="assembly.checked_in")
    assert event.new["member"] == world.member.member.pk
    assert audit.verify_chain().ok


def test_staff_at_the_door_check_members_in(world, ga):
    assemblies.check_in(actor=world.staff, assembly=ga, member=world.member.member)
    assert present_ids(ga) == {world.member.member.pk}


@pytest.mark.parametrize("role", ["member", "auditor", "other_officer", "outsider"])
def test_check_in_is_refused_to_roles_without_the_door(world, ga, unchanged, role):
    error = unchanged(
        lambda: assemblies.check_in(
            actor=world.user(role), assembly=ga, member=world.member.member
        ),
        NotAllowed,
    )
    assert error.message


def test_a_member_whose_dues_are_unpaid_is_refused_with_the_reason(world, ga, unchanged):
    member = unpaid_member(world)
    error = unchanged(
        lambda: assemblies.check_in(actor=world.officer, assembly=ga, member=member), RuleViolation
    )
    assert error.field == "member"
    assert "article 4" in error.message and "dues" in error.message


def test_a_supporter_and_a_recent_member_are_refused(world, ga, unchanged):
    supporter = MemberFactory(unit=world.group, kind="supporter")
    DuesFactory(member=supporter)
    recent = MemberFactory(unit=world.group, joined_on=timezone.localdate() - dt.timedelta(days=20))
    DuesFactory(member=recent)
    for member, words in ((supporter, "not a voting member"), (recent, "too short")):
        error = unchanged(
            lambda m=member: assemblies.check_in(actor=world.officer, assembly=ga, member=m),
            RuleViolation,
        )
        assert words in error.message


def test_checking_in_twice_says_since_when(world, ga, unchanged):
    first = assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    error = unchanged(
        lambda: assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    )
    time = timezone.localtime(first.checked_in_at).strftime("%H:%M")
    assert error.field == "member"
    assert f"already checked in (at {time})" in error.message


def test_a_member_checks_out_and_back_in(world, ga, unchanged):
    member = world.member.member
    assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    assemblies.check_out(actor=world.officer, assembly=ga, member=member)
    assert present_ids(ga) == set()
    unchanged(lambda: assemblies.check_out(actor=world.officer, assembly=ga, member=member))
    assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    assert present_ids(ga) == {member.pk}
    assert Attendance.objects.filter(assembly=ga).count() == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="assembly.checked").values_list(
            "action", flat=True
        )
    )
    assert actions == ["assembly.checked_in", "assembly.checked_out", "assembly.checked_in"]


def test_nobody_is_checked_in_before_the_day_of_the_meeting(world, unchanged):
    later = convene(world.assembly_body, day=timezone.localdate() + dt.timedelta(days=3))
    error = unchanged(
        lambda: assemblies.check_in(actor=world.officer, assembly=later, member=world.member.member)
    )
    assert "day of the meeting" in error.message


def test_nobody_is_checked_in_once_the_session_is_closed(world, ga, unchanged):
    assemblies.open_session(actor=world.officer, assembly=ga)
    assemblies.close_session(actor=world.officer, assembly=ga)
    unchanged(
        lambda: assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    )


def test_only_board_members_are_checked_in_at_a_board_meeting(world, unchanged):
    meeting = convene(world.board, title="Board meeting")
    assemblies.check_in(actor=world.officer, assembly=meeting, member=world.officer.member)
    error = unchanged(
        lambda: assemblies.check_in(
            actor=world.officer, assembly=meeting, member=world.member.member
        ),
        RuleViolation,
    )
    assert "no current seat" in error.message


# ---------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------


def test_a_proxy_is_registered_between_two_members_entitled_to_vote(world, ga):
    giver, holder = voters(world, 2)
    proxy = assemblies.register_proxy(actor=world.staff, assembly=ga, giver=giver, holder=holder)
    assert proxy.status == AssemblyProxy.Status.ACTIVE and proxy.registered_by == world.staff
    event = AuditEvent.objects.get(action="assembly.proxy_registered")
    assert event.new["rule"]["article"] == "9"


def test_a_holder_carries_at_most_what_the_statutes_allow(world, ga, unchanged):
    holder, *givers = voters(world, 4)
    for giver in givers[:2]:
        assemblies.register_proxy(actor=world.officer, assembly=ga, giver=giver, holder=holder)
    error = unchanged(
        lambda: assemblies.register_proxy(
            actor=world.officer, assembly=ga, giver=givers[2], holder=holder
        ),
        RuleViolation,
    )
    assert error.field == "holder"
    assert "article 9" in error.message and "at most 2" in error.message


def test_a_member_present_cannot_give_a_proxy(world, ga, unchanged):
    giver, holder = voters(world, 2)
    assemblies.check_in(actor=world.officer, assembly=ga, member=giver)
    error = unchanged(
        lambda: assemblies.register_proxy(
            actor=world.officer, assembly=ga, giver=giver, holder=holder
        )
    )
    assert error.field == "giver" and "present" in error.message


def test_checking_in_a_giver_revokes_their_proxy(world, ga):
    giver, holder = voters(world, 2)
    proxy = assemblies.register_proxy(actor=world.officer, assembly=ga, giver=giver, holder=holder)
    assemblies.check_in(actor=world.officer, assembly=ga, member=holder)
    assert assemblies.quorum_status(ga).represented == 1
    assemblies.check_in(actor=world.officer, assembly=ga, member=giver)
    proxy.refresh_from_db()
    assert proxy.status == AssemblyProxy.Status.REVOKED and proxy.revoke_reason
    status = assemblies.quorum_status(ga)
    assert (status.present, status.represented) == (2, 0)
    revoked = AuditEvent.objects.get(action="assembly.proxy_revoked")
    assert revoked.object_id == str(proxy.pk)
    assert audit.verify_chain().ok


def test_a_proxy_needs_both_members_entitled_to_vote(world, ga, unchanged):
    (entitled,) = voters(world, 1)
    unpaid = unpaid_member(world)
    error = unchanged(
        lambda: assemblies.register_proxy(
            actor=world.officer, assembly=ga, giver=unpaid, holder=entitled
        ),
        RuleViolation,
    )
    assert error.field == "giver"
    error = unchanged(
        lambda: assemblies.register_proxy(
            actor=world.officer, assembly=ga, giver=entitled, holder=unpaid
        ),
        RuleViolation,
    )
    assert error.field == "holder"


def test_no_proxy_to_oneself_nor_twice_nor_in_chains(world, ga, unchanged):
    a, b, c = voters(world, 3)
    assert (
        unchanged(
            lambda: assemblies.register_proxy(actor=world.officer, assembly=ga, giver=a, holder=a)
        ).field
        == "holder"
    )
    assemblies.register_proxy(actor=world.officer, assembly=ga, giver=a, holder=b)
    assert "revoke it first" in (
        unchanged(
            lambda: assemblies.register_proxy(actor=world.officer, assembly=ga, giver=a, holder=c)
        ).message
    )
    assert (
        unchanged(
            lambda: assemblies.register_proxy(actor=world.officer, assembly=ga, giver=b, holder=c)
        ).field
        == "giver"
    )
    assert (
        unchanged(
            lambda: assemblies.register_proxy(actor=world.officer, assembly=ga, giver=c, holder=a)
        ).field
        == "holder"
    )


def test_a_revoked_proxy_frees_the_giver_and_the_place(world, ga, unchanged):
    a, b, c = voters(world, 3)
    proxy = assemblies.register_proxy(actor=world.officer, assembly=ga, giver=a, holder=b)
    unchanged(lambda: assemblies.revoke_proxy(actor=world.auditor, proxy=proxy), NotAllowed)
    assemblies.revoke_proxy(actor=world.officer, proxy=proxy, reason="Changed their mind")
    unchanged(lambda: assemblies.revoke_proxy(actor=world.officer, proxy=proxy))
    assemblies.register_proxy(actor=world.officer, assembly=ga, giver=a, holder=c)
    assert AssemblyProxy.objects.live().get().holder == c


def test_the_board_allows_no_proxies(world, unchanged):
    meeting = convene(world.board)
    other = MandateFactory(body=world.board).member
    DuesFactory(member=other)
    error = unchanged(
        lambda: assemblies.register_proxy(
            actor=world.officer, assembly=meeting, giver=other, holder=world.officer.member
        ),
        RuleViolation,
    )
    assert "no proxies" in error.message


def test_auditors_cannot_register_proxies(world, ga, unchanged):
    giver, holder = voters(world, 2)
    unchanged(
        lambda: assemblies.register_proxy(
            actor=world.auditor, assembly=ga, giver=giver, holder=holder
        ),
        NotAllowed,
    )


# ---------------------------------------------------------------------------
# The quorum
# ---------------------------------------------------------------------------


def test_quorum_counts_those_present_and_the_proxies_whose_holder_is_present(world, ga):
    people = voters(world, 4)  # 8 entitled with the four of the world fixture
    assemblies.register_proxy(actor=world.officer, assembly=ga, giver=people[0], holder=people[1])
    assemblies.register_proxy(actor=world.officer, assembly=ga, giver=people[2], holder=people[3])
    assemblies.check_in(actor=world.officer, assembly=ga, member=people[1])
    status = assemblies.quorum_status(ga)
    assert (status.eligible, status.present, status.represented, status.took_part) == (8, 1, 1, 2)
    assert status.article == "7" and status.outcome.threshold == "1/4"
    assert status.needed == 2 and status.satisfied  # a quarter of 8 is 2: met at the boundary


def test_quorum_is_not_met_one_below_the_boundary(world, ga):
    voters(world, 5)  # 9 entitled: a quarter is 2.25, so 3 are needed
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.officer.member)
    status = assemblies.quorum_status(ga)
    assert (status.eligible, status.took_part, status.needed) == (9, 2, 3)
    assert not status.satisfied and status.missing == 1
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.auditor.member)
    assert assemblies.quorum_status(ga).satisfied


def test_members_not_entitled_do_not_count_in_the_quorum_base(world, ga):
    unpaid_member(world)
    MemberFactory(unit=world.group, kind="supporter")
    assert assemblies.quorum_status(ga).eligible == 4


def test_second_convocation_has_no_quorum_for_the_general_assembly(world):
    second = convene(world.assembly_body, convocation=2)
    status = assemblies.quorum_status(second)
    assert status.outcome.threshold == "none"
    assert status.needed == 0 and status.satisfied


def test_statute_amendments_need_a_third_then_a_fifth(world, ga):
    voters(world, 11)  # 15 entitled
    second = convene(world.assembly_body, convocation=2)
    for member in (world.member.member, world.officer.member, world.auditor.member):
        assemblies.check_in(actor=world.officer, assembly=ga, member=member)
        assemblies.check_in(actor=world.officer, assembly=second, member=member)
    first = assemblies.quorum_status(ga, scope="statute_amendment")
    assert (first.article, first.needed, first.satisfied) == ("15", 5, False)
    later = assemblies.quorum_status(second, scope="statute_amendment")
    assert (later.needed, later.satisfied) == (3, True)


def test_a_board_meeting_counts_the_seats_of_the_board(world):
    meeting = convene(world.board)
    MandateFactory(body=world.board)
    assemblies.check_in(actor=world.officer, assembly=meeting, member=world.officer.member)
    status = assemblies.quorum_status(meeting)
    assert (status.eligible, status.present, status.needed) == (2, 1, 1)
    assert status.article == "14" and status.satisfied


def test_a_holder_who_leaves_takes_their_proxies_out_of_the_count(world, ga):
    giver, holder = voters(world, 2)
    assemblies.register_proxy(actor=world.officer, assembly=ga, giver=giver, holder=holder)
    assemblies.check_in(actor=world.officer, assembly=ga, member=holder)
    assemblies.check_out(actor=world.officer, assembly=ga, member=holder)
    status = assemblies.quorum_status(ga)
    assert (status.present, status.represented) == (0, 0)


def test_quorum_status_takes_a_constant_number_of_queries(world, ga, django_assert_max_num_queries):
    people = voters(world, 30)
    for giver, holder in zip(people[:10], people[10:20], strict=True):
        assemblies.register_proxy(actor=world.officer, assembly=ga, giver=giver, holder=holder)
    for member in people[10:]:
        assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    # attendance, proxies, the eligibility rule (2), the members, the quorum rule (2)
    with django_assert_max_num_queries(7):
        status = assemblies.quorum_status(ga)
    assert (status.eligible, status.present, status.represented) == (34, 20, 10)


# ---------------------------------------------------------------------------
# The session's lifecycle
# ---------------------------------------------------------------------------


def test_officers_open_and_close_the_session(world, ga):
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    assemblies.open_session(actor=world.officer, assembly=ga)
    ga.refresh_from_db()
    assert ga.status == Assembly.Status.IN_SESSION and ga.opened_at is not None
    opened = AuditEvent.objects.get(action="assembly.session_opened")
    assert opened.new["quorum"]["present"] == 1
    assemblies.close_session(actor=world.staff, assembly=ga)
    ga.refresh_from_db()
    assert ga.status == Assembly.Status.CLOSED and ga.eligible_at_close == 4
    assert audit.verify_chain().ok


def test_the_quorum_on_record_does_not_move_after_the_close(world, ga):
    assemblies.open_session(actor=world.officer, assembly=ga)
    assemblies.close_session(actor=world.officer, assembly=ga)
    voters(world, 5)
    assert assemblies.quorum_status(Assembly.objects.get(pk=ga.pk)).eligible == 4


@pytest.mark.parametrize("role", ["member", "auditor", "other_officer", "outsider"])
def test_lifecycle_steps_are_refused_to_other_roles(world, ga, unchanged, role):
    user = world.user(role)
    unchanged(lambda: assemblies.open_session(actor=user, assembly=ga), NotAllowed)
    unchanged(lambda: assemblies.cancel_assembly(actor=user, assembly=ga, reason="x"), NotAllowed)
    assemblies.open_session(actor=world.officer, assembly=ga)
    unchanged(lambda: assemblies.close_session(actor=user, assembly=ga), NotAllowed)


def test_the_lifecycle_forbids_steps_out_of_order(world, ga, unchanged):
    unchanged(lambda: assemblies.close_session(actor=world.officer, assembly=ga))
    assemblies.open_session(actor=world.officer, assembly=ga)
    unchanged(lambda: assemblies.open_session(actor=world.officer, assembly=ga))
    unchanged(lambda: assemblies.cancel_assembly(actor=world.officer, assembly=ga, reason="Rain"))
    assemblies.close_session(actor=world.officer, assembly=ga)
    unchanged(lambda: assemblies.close_session(actor=world.officer, assembly=ga))
    unchanged(lambda: assemblies.open_session(actor=world.officer, assembly=ga))


def test_the_session_opens_only_on_the_day_of_the_meeting(world, unchanged):
    later = convene(world.assembly_body, day=timezone.localdate() + dt.timedelta(days=2))
    error = unchanged(lambda: assemblies.open_session(actor=world.officer, assembly=later))
    assert "day of the meeting" in error.message


def test_a_convened_meeting_is_cancelled_with_a_reason(world, ga, unchanged):
    error = unchanged(
        lambda: assemblies.cancel_assembly(actor=world.officer, assembly=ga, reason=" ")
    )
    assert error.field == "reason"
    assemblies.cancel_assembly(actor=world.officer, assembly=ga, reason="The hall is unavailable")
    ga.refresh_from_db()
    assert ga.status == Assembly.Status.CANCELLED and ga.cancel_reason == "The hall is unavailable"
    assert AuditEvent.objects.get(action="assembly.cancelled").new["reason"] == ga.cancel_reason
    unchanged(lambda: assemblies.open_session(actor=world.officer, assembly=ga))


# ---------------------------------------------------------------------------
# The door's search
# ---------------------------------------------------------------------------


def test_door_search_finds_by_number_and_says_who_may_vote(
    world, ga, django_assert_max_num_queries
):
    unpaid = unpaid_member(world)
    (giver,) = voters(world, 1)
    assemblies.register_proxy(
        actor=world.officer, assembly=ga, giver=giver, holder=world.member.member
    )
    assemblies.check_in(actor=world.officer, assembly=ga, member=world.member.member)
    # Four for the search, two for the access layer's door (the viewer's mandates).
    with django_assert_max_num_queries(6):
        (found,) = assemblies.door_search(ga, unpaid.membership_number, viewer=world.officer)
    assert found == unpaid and not found.entitlement.entitled
    assert "dues" in found.entitlement.reasons
    with django_assert_max_num_queries(6):
        results = {m.pk: m for m in assemblies.door_search(ga, "Amina", viewer=world.officer)}
    me = results[world.member.member.pk]
    assert me.present and me.carried_count == 1 and me.entitlement.entitled
    assert results[giver.pk].gave_proxy and not results[giver.pk].present


def test_the_door_looks_members_up_through_the_access_layer(world, ga):
    """Those who run the meeting find every member at its door; a member or an auditor, who
    does not run it, finds nobody, whatever they type."""
    number = world.member.member.membership_number
    assert [m.pk for m in assemblies.door_search(ga, number, viewer=world.officer)] == [
        world.member.member.pk
    ]
    for viewer in (world.member, world.auditor):
        assert assemblies.door_search(ga, number, viewer=viewer) == []
        assert not Member.objects.visible_at_door(viewer, ga).exists()


def _decisions_of(world, ga, count: int) -> None:
    from governance import services
    from governance.models import StatuteVersion
    from governance.services import SYSTEM

    version = StatuteVersion.objects.get()
    article = version.articles.get(number="8")
    for index in range(count):
        services.record_decision(
            actor=SYSTEM,
            body=world.assembly_body,
            title=f"Decision {index}",
            text="Text",
            article=article,
            outcome="adopted",
            decided_on=version.effective_from,
            assembly=ga,
        )


def test_the_meeting_page_pages_its_decisions_in_as_many_queries_whatever_their_number(
    client_for, world, ga, monkeypatch, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from governance.assemblies import views as assembly_views

    monkeypatch.setattr(assembly_views, "DECISIONS_A_PAGE", 10)
    client = client_for("member")
    url = reverse("assembly_detail", args=[ga.pk])
    _decisions_of(world, ga, 2)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert page.count("Decision ") == 2 and "Page 1 of" not in page
    _decisions_of(world, ga, 28)
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert page.count("Decision ") == 10 and "Page 1 of 3" in page
    assert len(many) == len(few)
    assert client.get(url + "?page=3").content.decode().count("Decision ") == 10
