"""Pages show the record, stay within a constant number of queries, and answer htmx with fragments."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import StatuteVersion
from governance.services import SYSTEM, ArticleSpec, RuleSpec
from tests.factories import DuesFactory, MandateFactory, MemberFactory

pytestmark = pytest.mark.django_db


def add_decisions(world, count: int):
    article = StatuteVersion.objects.get().articles.get(number="8")
    for index in range(count):
        services.record_decision(
            actor=SYSTEM,
            body=world.assembly_body,
            title=f"Resolution {index}",
            text="Text",
            article=article,
            outcome="adopted",
            decided_on=timezone.localdate(),
        )


def add_members(world, count: int):
    for _ in range(count):
        DuesFactory(member=MemberFactory(unit=world.group))


@pytest.mark.parametrize("count", [1, 30])
def test_decision_register_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries, count
):
    add_decisions(world, count)
    client = client_for("member")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("decision_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 60])
def test_member_roll_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries, count
):
    add_members(world, count)
    client = client_for("staff")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("member_roll")).status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_organisation_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries, count
):
    for index in range(count):
        services.create_unit(
            actor=SYSTEM,
            code=f"g{index}",
            name=f"G{index}",
            kind="local_group",
            parent=world.section,
        )
        services.create_body(
            actor=SYSTEM, unit=world.section, code=f"b{index}", name=f"B{index}", kind="committee"
        )
    client = client_for("member")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("organisation")).status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_body_page_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries, count
):
    for _ in range(count):
        MandateFactory(body=world.board, member=MemberFactory(unit=world.group))
    client = client_for("member")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("body_detail", args=["board"])).status_code == 200


def test_statute_version_page_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries
):
    client = client_for("member")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("statute_version", args=[1]))
    assert "Quorum of the General Assembly" in response.content.decode()


@pytest.mark.parametrize("role", ["member", "officer", "auditor", "staff"])
def test_dashboard_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries, role
):
    add_decisions(world, 10)
    client = client_for(role)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize("count", [1, 60])
def test_audit_log_has_a_constant_number_of_queries(
    client_for, world, django_assert_max_num_queries, count
):
    add_decisions(world, count)  # one event each, past a page of 50 at the larger count
    client = client_for("auditor")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audit_log")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audit_log"), {"page": 2}).status_code == 200


def test_member_dashboard_shows_good_standing(client_for, world):
    page = client_for("member").get(reverse("dashboard")).content.decode()
    assert world.member.member.membership_number in page
    assert "in good standing" in page


def test_staff_dashboard_counts_those_the_eligibility_rule_entitles_to_vote(client_for, world):
    today = timezone.localdate()
    MemberFactory(unit=world.group)  # dues unpaid
    DuesFactory(member=MemberFactory(unit=world.group, joined_on=today))  # joined today
    response = client_for("staff").get(reverse("dashboard"))
    figures = response.context["roll_stats"]
    # The four members of the world have paid and joined long ago; the two added may not vote.
    assert figures["entitled"] == 4
    assert figures["active"] == 6
    assert "Entitled to vote today" in response.content.decode()


def test_body_page_lists_current_mandates(client_for, world):
    page = client_for("member").get(reverse("body_detail", args=["board"])).content.decode()
    assert world.officer.member.last_name in page
    assert "Chair" in page


def test_article_page_describes_its_rules_in_plain_words(client_for, world):
    page = client_for("member").get(reverse("article_detail", args=[1, "15"])).content.decode()
    assert "2/3" in page
    assert "1/3" in page


def test_statute_diff_shows_word_changes_between_versions(client_for, world):
    services.adopt_statute_version(
        actor=SYSTEM,
        title="Statutes",
        effective_from=timezone.localdate(),
        articles=[
            ArticleSpec(
                "7",
                "Quorum of the General Assembly",
                "A fifth of the members must take part.",
                [
                    RuleSpec(
                        "quorum",
                        "assembly",
                        {"first_convocation": "1/5", "second_convocation": None},
                    )
                ],
            ),
            ArticleSpec("17", "Dissolution", "Dissolution needs three quarters of the votes cast."),
        ],
    )
    page = client_for("member").get(reverse("statute_diff"), {"old": 1, "new": 2}).content.decode()
    assert "<ins>" in page and "<del>" in page
    assert "rules changed" in page
    assert "added" in page and "removed" in page


def test_decision_register_filters_by_text_and_date(client_for, world):
    add_decisions(world, 3)
    client = client_for("member")
    page = client.get(reverse("decision_list"), {"q": "Resolution 1"}).content.decode()
    assert "Resolution 1" in page and "Resolution 2" not in page
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = client.get(
        reverse("decision_list"), {"date_from": tomorrow.isoformat()}
    ).content.decode()
    assert "Resolution 1" not in page


def test_decision_register_rejects_an_inverted_date_range(client_for, world):
    add_decisions(world, 1)
    page = client_for("member").get(
        reverse("decision_list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert "The end date is before the start date." in page.content.decode()


def test_htmx_request_gets_only_the_results_fragment(client_for, world):
    add_decisions(world, 2)
    response = client_for("member").get(reverse("decision_list"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body


def test_decision_detail_shows_article_rule_and_figures(client_for, world):
    version = StatuteVersion.objects.get()
    quorum_rule = version.articles.get(number="7").rules.get()
    from governance.statutes import rules

    outcome = rules.evaluate_quorum(quorum_rule.parsed(), eligible=200, took_part=60, article="7")
    decision = services.record_decision(
        actor=SYSTEM,
        body=world.assembly_body,
        title="Annual report",
        text="Approved.",
        article=quorum_rule.article,
        outcome="adopted",
        decided_on=timezone.localdate(),
        applied=[(quorum_rule, outcome)],
        figures={"eligible": 200, "took_part": 60},
    )
    page = (
        client_for("auditor")
        .get(reverse("decision_detail", args=[decision.reference]))
        .content.decode()
    )
    assert decision.reference in page
    assert "Article 7" in page
    assert "took_part" in page
    assert "decision.recorded" in page  # the audit trail, for auditors


def test_audit_verify_fragment_reports_a_broken_chain(client_for, world):
    from governance.models import AuditEvent

    AuditEvent.objects.filter(sequence=1).update(action="forged")
    response = client_for("auditor").get(reverse("audit_verify"), headers={"HX-Request": "true"})
    assert "broken at event 1" in response.content.decode()


def test_roll_search_finds_by_number(client_for, world):
    number = world.member.member.membership_number
    page = client_for("staff").get(reverse("member_roll"), {"q": number}).content.decode()
    assert number in page
    assert world.officer.member.membership_number not in page


@pytest.mark.parametrize("count", [1, 55])
def test_body_page_pages_its_past_mandates_in_constant_queries(
    client_for, world, django_assert_max_num_queries, count
):
    today = timezone.localdate()
    for n in range(count):
        MandateFactory(
            body=world.board,
            member=MemberFactory(unit=world.group, last_name=f"Former{n:02d}"),
            starts_on=today - dt.timedelta(days=900 + n),
            ends_on=today - dt.timedelta(days=1 + n),  # the first ended most recently
        )
    client = client_for("member")
    url = reverse("body_detail", args=["board"])
    with django_assert_max_num_queries(12):
        first = client.get(url).content.decode()
    assert "Former00" in first and ("Page 1 of 2" in first) == (count > 50)
    if count > 50:
        assert "Former49" in first and "Former50" not in first
        with django_assert_max_num_queries(12):
            second = client.get(url, {"page": 2}).content.decode()
        assert "Former50" in second and "Former54" in second and "Former00" not in second
        assert 'rel="prev"' in second
