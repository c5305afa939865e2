"""The anomaly report: empty on the demo; each kind found on data that triggers it.

The services refuse every one of these records, so the tests write them straight through
the ORM (or append the audit event by hand), as a faulty import or a bypass would.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from elections import services as elections
from governance import services
from governance.audit import anomalies
from governance.audit import log as audit
from governance.audit.anomalies import recheck_decision
from governance.demo import load_demo
from governance.models import Decision, DuesPayment, Rule, StatuteVersion
from governance.services import SYSTEM
from tests.elections.conftest import add_voters, draft_ballot
from tests.factories import MandateFactory, MemberFactory, UserFactory, close_and_tally

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def kinds(found) -> list[str]:
    return [anomaly.kind for anomaly in found]


def snapshot(rule_kind: str, scope: str, **outcome) -> dict:
    rule = Rule.objects.select_related("article__version").get(
        article__version__number=1, kind=rule_kind, scope=scope
    )
    return {**rule.snapshot(), "outcome": outcome or None}


def bad_decision(world, **values) -> Decision:
    version = StatuteVersion.objects.get(number=1)
    defaults = {
        "reference": f"ORG 50/9{Decision.objects.count():02d}/2026",
        "body": world.assembly_body,
        "decided_on": TODAY(),
        "title": "Bypassed the count",
        "text": "Text",
        "statute_version": version,
        "article": version.articles.get(number="8"),
        "outcome": "adopted",
    }
    defaults.update(values)
    return Decision.objects.create(**defaults)


# The demo ---------------------------------------------------------------------------------


def test_the_demo_has_no_anomaly():
    load_demo()
    assert anomalies.report() == []
    out = io.StringIO()
    call_command("anomaly_report", stdout=out)
    assert "no anomaly found" in out.getvalue()


def test_the_world_of_the_tests_has_no_anomaly(world):
    assert anomalies.report() == []


# (a) Decisions against the rules they cite ------------------------------------------------


def test_an_adopted_decision_without_its_majority_is_reported(world):
    bad_decision(
        world,
        figures={"eligible": 100, "took_part": 60, "yes": 20, "no": 30, "abstain": 10},
        rule_snapshot=[snapshot("quorum", "assembly"), snapshot("majority", "assembly")],
    )
    found = anomalies.report()
    assert kinds(found) == ["decision_figures"]
    assert "without the majority of article 8" in found[0].message
    assert "20 in favour, 26 needed" in found[0].message


def test_an_election_without_its_quorum_is_reported(world):
    bad_decision(
        world,
        outcome="elected",
        figures={"eligible": 100, "took_part": 10, "seats": 3},
        rule_snapshot=[snapshot("quorum", "assembly")],
    )
    [found] = anomalies.report()
    assert found.kind == "decision_figures" and "10 took part, 25 needed" in found.message


def test_a_snapshot_claiming_a_rule_met_that_the_figures_do_not_meet_is_reported(world):
    bad_decision(
        world,
        outcome="rejected",
        figures={"eligible": 100, "took_part": 10, "yes": 1, "no": 9},
        rule_snapshot=[snapshot("quorum", "assembly", kind="quorum", satisfied=True)],
    )
    messages = [a.message for a in anomalies.report()]
    assert any("the snapshot says met, the figures give not met" in m for m in messages)


def test_a_decision_whose_figures_satisfy_its_rules_is_not_reported():
    rules = [
        {
            **_rule("quorum", {"first_convocation": "1/4", "second_convocation": None}),
            "outcome": None,
        },
        {
            **_rule(
                "majority",
                {
                    "kind": "simple",
                    "fraction": "1/2",
                    "count_abstentions": False,
                    "count_blanks": False,
                },
            )
        },
    ]
    figures = {"eligible": 100, "took_part": 25, "yes": 13, "no": 12}
    assert recheck_decision("adopted", figures, rules) == []
    assert recheck_decision("rejected", {**figures, "yes": 12, "no": 13}, rules) == []
    # A tie loses a simple majority: adopted on a tie is an anomaly.
    assert recheck_decision("adopted", {**figures, "yes": 12, "no": 12}, rules)


def _rule(kind: str, params: dict) -> dict:
    return {"kind": kind, "scope": "assembly", "params": params, "article": "7"}


def test_figures_missing_from_the_decision_are_read_from_the_snapshots_outcome():
    rule = {
        **_rule("quorum", {"first_convocation": "1/2", "second_convocation": "1/2"}),
        "outcome": {
            "kind": "quorum",
            "satisfied": True,
            "figures": {"eligible": 7, "took_part": 6},
        },
    }
    assert recheck_decision("adopted", {"members": 7, "present": 6}, [rule]) == []
    assert recheck_decision("adopted", {"members": 7, "present": 6, "took_part": 3}, [rule])


# (b) Mandates -------------------------------------------------------------------------------


def _mandate(member, body, starts_on: dt.date, ends_on: dt.date):
    return MandateFactory(member=member, body=body, starts_on=starts_on, ends_on=ends_on)


def test_overlapping_mandates_of_one_member_on_one_body_are_reported(world):
    member = MemberFactory(unit=world.group)
    _mandate(member, world.committee, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    _mandate(member, world.committee, dt.date(2025, 6, 1), dt.date(2026, 5, 31))
    [found] = anomalies.report()
    assert found.kind == "mandate_overlap" and "overlaps" in found.message
    assert found.url == reverse("body_detail", args=["group-committee"])


def test_mandates_on_different_bodies_or_back_to_back_do_not_overlap(world):
    member = MemberFactory(unit=world.group)
    _mandate(member, world.committee, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    _mandate(member, world.committee, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    _mandate(member, world.board, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert anomalies.report() == []


def test_a_mandate_longer_than_the_term_is_reported(world):
    start = StatuteVersion.objects.get().effective_from
    MandateFactory(body=world.board, starts_on=start, ends_on=start + dt.timedelta(days=800))
    [found] = anomalies.report()
    assert (
        found.kind == "mandate_term" and "beyond the 24-month term of article 12" in found.message
    )


def test_a_third_consecutive_term_beyond_the_limit_is_reported(world):
    member = MemberFactory(unit=world.group)
    start = StatuteVersion.objects.get().effective_from
    for term in range(3):
        begins = start + dt.timedelta(days=200 * term)
        MandateFactory(
            member=member,
            body=world.board,
            starts_on=begins,
            ends_on=begins + dt.timedelta(days=199),
        )
    [found] = anomalies.report()
    assert found.kind == "mandate_term" and "consecutive term number 3" in found.message


def test_the_terms_rule_is_the_one_in_force_when_the_mandate_started(world):
    start = StatuteVersion.objects.get().effective_from
    # Before the statutes existed no terms rule applies, however long the mandate.
    MandateFactory(
        body=world.board,
        starts_on=start - dt.timedelta(days=1),
        ends_on=start + dt.timedelta(days=900),
    )
    assert anomalies.report() == []


# (c) Ballots closed early --------------------------------------------------------------------


def test_a_ballot_closed_before_its_time_with_voters_still_to_vote_is_reported(world):
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    elections.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    close_and_tally(actor=world.officer, ballot=ballot)
    [found] = anomalies.report()
    assert found.kind == "ballot_closed_early"
    assert "when 1 of the 4 voters on its roll had voted" in found.message
    assert found.url == reverse("ballot_detail", args=[ballot.pk])


def test_closing_early_once_the_whole_roll_has_voted_is_not_reported(world):
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    for user in (world.member, world.officer, world.other_officer):
        elections.cast_vote(actor=user, ballot=ballot, choices="yes")
    # The auditor is on the roll but may not vote: vote for them through the ORM.
    from elections.models import Participation

    Participation.objects.create(ballot=ballot, member=world.auditor.member)
    close_and_tally(actor=world.officer, ballot=ballot)
    assert anomalies.report() == []


def test_a_ballot_closed_after_its_time_is_not_reported(world):
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    ballot = close_and_tally(actor=world.officer, ballot=ballot)
    type(ballot).objects.filter(pk=ballot.pk).update(
        opens_at=ballot.closed_at - dt.timedelta(days=2),
        closes_at=ballot.closed_at - dt.timedelta(minutes=1),
    )
    assert anomalies.report() == []


# (d) Events by accounts without the role ------------------------------------------------------


def record_as(user, action: str, obj, **values):
    with transaction.atomic():
        return audit.record(user, action, obj, **values)


def decision_of(body) -> Decision:
    return services.record_decision(
        actor=SYSTEM,
        body=body,
        title="Decision",
        text="Text",
        article=StatuteVersion.objects.get().articles.get(number="14"),
        outcome="noted",
        decided_on=TODAY(),
    )


def test_an_officer_action_by_someone_without_a_mandate_on_the_body_is_reported(world):
    # other_officer chairs the group committee, not the section Board.
    record_as(world.other_officer, "decision.recorded", decision_of(world.board))
    [found] = anomalies.report()
    assert found.kind == "event_without_role" and "held no mandate on the body" in found.message
    assert found.url == reverse("audit_log") + "?action=decision.recorded"


def test_officers_of_the_body_its_units_board_and_staff_may_take_officer_actions(world):
    record_as(world.officer, "decision.recorded", decision_of(world.board))
    record_as(
        world.officer, "decision.recorded", decision_of(world.assembly_body)
    )  # the Board's unit
    record_as(world.staff, "decision.recorded", decision_of(world.board))
    record_as(world.other_officer, "decision.recorded", decision_of(world.committee))
    assert anomalies.report() == []


def test_an_officer_action_after_the_mandate_ended_is_reported(world):
    decision = decision_of(world.board)
    mandate = world.officer.member.mandates.get()
    type(mandate).objects.filter(pk=mandate.pk).update(ends_on=TODAY() - dt.timedelta(days=1))
    record_as(world.officer, "decision.recorded", decision)
    assert kinds(anomalies.report()) == ["event_without_role"]


def test_ballot_actions_need_an_officer_of_the_ballots_body(world):
    ballot = draft_ballot(world)  # created by world.officer: no anomaly
    record_as(
        world.member, "ballot.closed", ballot, old={"status": "open"}, new={"status": "closed"}
    )
    [found] = anomalies.report()
    assert found.kind == "event_without_role" and "ballot.closed" in found.message


def test_a_staff_action_by_a_non_staff_account_is_reported(world):
    payment = DuesPayment.objects.get(member=world.member.member)
    record_as(world.officer, "dues.recorded", payment)
    [found] = anomalies.report()
    assert "was not staff" in found.message and "dues.recorded" in found.message


def test_the_staff_flag_is_taken_as_it_stood_when_the_event_was_written(world):
    admin = UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    clerk = UserFactory(email="clerk@example.org")
    payment = DuesPayment.objects.get(member=world.member.member)
    record_as(clerk, "dues.recorded", payment)  # not staff yet: reported
    services.set_account_roles(actor=admin, user=clerk, is_staff=True, is_auditor=False)
    record_as(clerk, "dues.recorded", payment)  # staff now: fine
    services.set_account_roles(actor=admin, user=clerk, is_staff=False, is_auditor=False)
    record_as(clerk, "dues.recorded", payment)  # no longer: reported
    found = anomalies.report()
    assert kinds(found) == ["event_without_role", "event_without_role"]
    first, second = (int(a.subject.split()[0][1:]) for a in found)
    assert second - first == 4  # the clerk's event between them, as staff, is fine


def test_any_write_by_an_auditor_account_is_reported(world):
    record_as(world.auditor, "ballot.vote_cast", world.board)
    [found] = anomalies.report()
    assert "held the auditor role" in found.message


def test_a_role_change_by_someone_other_than_the_administrator_is_reported(world):
    record_as(
        world.staff,
        "account.roles_changed",
        world.member,
        old={"is_staff": False},
        new={"is_staff": True},
    )
    assert kinds(anomalies.report()) == ["event_without_role"]


# The report: command, page, API ----------------------------------------------------------------


def test_the_command_prints_each_anomaly_and_exits_1(world):
    bad_decision(
        world,
        figures={"eligible": 100, "took_part": 60, "yes": 20, "no": 30},
        rule_snapshot=[snapshot("majority", "assembly")],
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("anomaly_report", stdout=out)
    assert raised.value.returncode == 1 and "1 anomaly found" in str(raised.value)
    assert out.getvalue().startswith("[decision_figures] ")


def test_the_command_exits_0_when_there_is_none(world):
    out = io.StringIO()
    call_command("anomaly_report", stdout=out)
    assert "no anomaly found" in out.getvalue()


def test_the_page_and_the_api_list_the_anomalies(client_for, world):
    record_as(world.other_officer, "decision.recorded", decision_of(world.board))
    html = client_for("auditor").get(reverse("audit_anomalies")).content.decode()
    assert "1 anomaly found." in html and "Action by an account without the role" in html
    data = client_for("auditor").get(reverse("api_audit_anomalies")).json()
    assert [row["kind"] for row in data] == ["event_without_role"]


@pytest.mark.parametrize("count", [1, 8])
def test_the_page_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries, count
):
    for _ in range(count):
        record_as(world.other_officer, "decision.recorded", decision_of(world.board))
        ballot = draft_ballot(world)
        add_voters(world, 1)
        MandateFactory(body=world.committee)
        del ballot
    client = client_for("auditor")
    with django_assert_max_num_queries(25):
        assert client.get(reverse("audit_anomalies")).status_code == 200
