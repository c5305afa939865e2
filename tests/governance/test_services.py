"""Governance services: permissions, statute rules and the decision register."""

import datetime as dt

import pytest
from django.utils import timezone

from governance import services
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import AuditEvent, Decision, Mandate, StatuteVersion
from governance.services import SYSTEM, ArticleSpec, RuleSpec
from governance.statutes.rules import add_months
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def article(number: str):
    return StatuteVersion.objects.get(number=1).articles.get(number=number)


def decide(world, **overrides):
    values = {
        "actor": SYSTEM,
        "body": world.assembly_body,
        "title": "Resolution",
        "text": "Text",
        "article": article("8"),
        "outcome": "adopted",
        "decided_on": dt.date(2026, 3, 1),
    }
    values.update(overrides)
    return services.record_decision(**values)


def test_decisions_get_consecutive_references_per_year(world):
    first, second = decide(world), decide(world)
    other_year = decide(world, decided_on=dt.date(2025, 6, 1))
    assert first.reference == "ORG 50/001/2026"
    assert second.reference == "ORG 50/002/2026"
    assert other_year.reference == "ORG 50/001/2025"


def test_decision_cites_the_version_it_was_taken_under(world):
    decision = decide(world)
    assert decision.statute_version.number == 1
    assert decision.article.number == "8"


def test_a_decision_is_superseded_only_once(world):
    first = decide(world)
    later = decide(world, supersedes=first)
    assert later.supersedes == first
    with pytest.raises(DomainError):
        decide(world, supersedes=first)


def test_officers_record_decisions_only_for_their_bodies(world):
    decide(world, actor=world.officer, body=world.board)
    decide(
        world, actor=world.officer, body=world.assembly_body
    )  # the board acts for its unit's assembly
    with pytest.raises(NotAllowed):
        decide(world, actor=world.other_officer, body=world.board)
    with pytest.raises(NotAllowed):
        decide(world, actor=world.member, body=world.board)


def test_auditors_change_nothing_even_with_a_mandate(world):
    from tests.factories import MandateFactory

    MandateFactory(member=world.auditor.member, body=world.board)
    with pytest.raises(NotAllowed, match="Auditor"):
        decide(world, actor=world.auditor, body=world.board)
    with pytest.raises(NotAllowed):
        services.create_unit(actor=world.auditor, code="x", name="X", kind="local_group")
    assert not Decision.objects.exists()


def test_convening_within_the_notice_period_is_accepted(world):
    today = timezone.localdate()
    starts = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=30), dt.time(10)))
    assembly = services.convene_assembly(
        actor=world.officer, body=world.assembly_body, title="AGM", starts_at=starts, place="Rabat"
    )
    assert assembly.convened_on == today
    assert AuditEvent.objects.filter(action="assembly.convened").exists()


def test_convening_too_late_is_refused_naming_the_article_and_deadline(world):
    today = timezone.localdate()
    starts = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=29), dt.time(10)))
    with pytest.raises(RuleViolation, match="article 6") as caught:
        services.convene_assembly(
            actor=world.officer,
            body=world.assembly_body,
            title="AGM",
            starts_at=starts,
            place="Rabat",
        )
    assert (today - dt.timedelta(days=1)).isoformat() in caught.value.message


def test_a_board_meeting_needs_only_seven_days_notice(world):
    starts = timezone.now() + dt.timedelta(days=7, hours=1)
    services.convene_assembly(
        actor=world.officer, body=world.board, title="Board", starts_at=starts, place="Office"
    )


def test_convening_needs_a_place_or_a_link(world):
    starts = timezone.now() + dt.timedelta(days=40)
    with pytest.raises(DomainError, match="place"):
        services.convene_assembly(
            actor=world.officer, body=world.board, title="Board", starts_at=starts
        )


def in_force() -> dt.date:
    """A day well inside the `world` statutes' time (they take effect 1000 days ago)."""
    return timezone.localdate() - dt.timedelta(days=900)


def seat(world, **overrides):
    """A mandate created through the service: by default a Board seat from `in_force()`."""
    values = {
        "actor": SYSTEM,
        "body": world.board,
        "role": "member",
        "starts_on": in_force(),
        "decision": None,
    }
    values.update(overrides)
    return services.create_mandate(**values)


def test_mandate_length_comes_from_the_terms_rule(world):
    member = MemberFactory(unit=world.group)
    mandate = seat(world, actor=world.officer, member=member, starts_on=in_force().replace(day=1))
    assert mandate.ends_on == add_months(mandate.starts_on, 24) - dt.timedelta(days=1)


def test_third_consecutive_term_is_refused(world):
    member = MemberFactory(unit=world.group)
    start = in_force()
    for _ in range(2):
        mandate = seat(world, member=member, starts_on=start)
        start = mandate.ends_on + dt.timedelta(days=1)
    with pytest.raises(RuleViolation, match="consecutive"):
        seat(world, member=member, starts_on=start)


def test_a_break_resets_the_consecutive_terms(world):
    # Two consecutive two-year terms from the statutes' first months, then a break of three
    # months: the third term starts a new run (the world's statutes take effect 1000 days ago).
    first = in_force()
    member = MemberFactory(unit=world.group)
    for starts_on in (first, add_months(first, 24), add_months(first, 51)):
        seat(world, member=member, starts_on=starts_on)
    assert Mandate.objects.filter(member=member).count() == 3


def test_youth_seat_is_refused_above_the_age_limit(world):
    older = MemberFactory(unit=world.group, birth_date=in_force() - dt.timedelta(days=36 * 365))
    with pytest.raises(RuleViolation, match="25"):
        seat(world, member=older, role="youth_representative", on_youth_seat=True)


def test_only_as_many_youth_seats_as_reserved(world):
    young = [
        MemberFactory(unit=world.group, birth_date=in_force() - dt.timedelta(days=22 * 365))
        for _ in range(2)
    ]
    seat(world, member=young[0], role="youth_representative", on_youth_seat=True)
    with pytest.raises(RuleViolation, match="youth seats"):
        seat(world, member=young[1], on_youth_seat=True)


def test_overlapping_mandates_on_one_body_are_refused(world):
    with pytest.raises(DomainError, match="already holds"):
        seat(world, member=world.officer.member, starts_on=timezone.localdate())


def test_ending_a_mandate_needs_a_reason_and_is_audited(world):
    mandate = world.officer.member.mandates.get()
    with pytest.raises(DomainError):
        services.end_mandate(
            actor=world.officer, mandate=mandate, ends_on=timezone.localdate(), reason=" "
        )
    services.end_mandate(
        actor=world.officer, mandate=mandate, ends_on=timezone.localdate(), reason="Resigned"
    )
    event = AuditEvent.objects.get(action="mandate.ended")
    assert event.new["reason"] == "Resigned"


def test_a_bad_rule_refuses_the_whole_statute_version(world):
    with pytest.raises(DomainError, match="Article 2"):
        services.adopt_statute_version(
            actor=SYSTEM,
            title="Broken",
            effective_from=timezone.localdate(),
            articles=[
                ArticleSpec("1", "Fine", "Text"),
                ArticleSpec(
                    "2",
                    "Broken",
                    "Text",
                    [
                        RuleSpec(
                            "quorum",
                            "assembly",
                            {"first_convocation": "3/2", "second_convocation": None},
                        )
                    ],
                ),
            ],
        )
    assert StatuteVersion.objects.count() == 1


def test_dues_are_recorded_once_per_year(world):
    member = MemberFactory(unit=world.group)
    services.record_dues_payment(
        actor=world.staff, member=member, year=2026, amount=100, paid_on=dt.date(2026, 1, 5)
    )
    assert member.is_in_good_standing(2026)
    with pytest.raises(DomainError):
        services.record_dues_payment(
            actor=world.staff, member=member, year=2026, amount=100, paid_on=dt.date(2026, 1, 6)
        )
    with pytest.raises(NotAllowed):
        services.record_dues_payment(
            actor=world.officer, member=member, year=2025, amount=100, paid_on=dt.date(2025, 1, 6)
        )


def test_good_standing_is_derived_from_dues(world):
    member = MemberFactory(unit=world.group)
    assert not member.is_in_good_standing()
    services.record_dues_payment(
        actor=SYSTEM,
        member=member,
        year=timezone.localdate().year,
        amount=100,
        paid_on=timezone.localdate(),
    )
    from governance.models import Member

    assert Member.objects.in_good_standing().filter(pk=member.pk).exists()


def test_account_roles_change_only_by_the_administrator(world):
    with pytest.raises(NotAllowed):
        services.set_account_roles(
            actor=world.staff, user=world.member, is_staff=True, is_auditor=False
        )
    services.set_account_roles(actor=SYSTEM, user=world.member, is_staff=False, is_auditor=True)
    world.member.refresh_from_db()
    assert world.member.is_auditor
    assert AuditEvent.objects.filter(action="account.roles_changed").exists()
