"""The record as of a date: the statute version then in force and the mandates running that day."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.audit.asof import as_of
from governance.models import StatuteVersion
from governance.services import SYSTEM, ArticleSpec, RuleSpec
from tests.factories import MandateFactory, MemberFactory, statute_articles

pytestmark = pytest.mark.django_db

# Between the `world` statutes (in force 1,000 days ago) and today.
DAY = timezone.localdate() - dt.timedelta(days=500)
LONG_BEFORE = DAY - dt.timedelta(days=700)
LONG_AFTER = DAY + dt.timedelta(days=700)


@pytest.fixture
def history(world):
    """Version 2 takes effect the day after DAY; mandates start and end around DAY."""
    v1 = StatuteVersion.objects.get(number=1)
    articles = [
        *statute_articles()[:-1],
        ArticleSpec(
            "17",
            "Term of the Control Committee",
            "The Control Committee is elected for one year.",
            [RuleSpec("terms", "committee", {"length_months": 12, "max_consecutive": 3})],
        ),
    ]
    v2 = services.adopt_statute_version(
        actor=SYSTEM,
        title="Statutes as amended",
        effective_from=DAY + dt.timedelta(days=1),
        articles=articles,
    )
    election = services.record_decision(
        actor=SYSTEM,
        body=world.assembly_body,
        title="Election of the Board",
        text="Elected.",
        article=v1.articles.get(number="12"),
        outcome="elected",
        decided_on=DAY - dt.timedelta(days=365),
    )

    def seat(name, starts_on, ends_on, role="member", decision=None):
        return MandateFactory(
            member=MemberFactory(last_name=name, unit=world.group),
            body=world.board,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            decision=decision,
        )

    return {
        "v1": v1,
        "v2": v2,
        "election": election,
        "ends_that_day": seat("Endsthatday", LONG_BEFORE, DAY, "treasurer", election),
        "starts_that_day": seat("Startsthatday", DAY, LONG_AFTER, "chair", election),
        "ended_before": seat("Endedbefore", LONG_BEFORE, DAY - dt.timedelta(days=1)),
        "starts_after": seat("Startsafter", DAY + dt.timedelta(days=1), LONG_AFTER),
    }


def board_names(record) -> set[str]:
    board = next(body for body in record.bodies if body.code == "board")
    return {mandate.member.last_name for mandate in board.current_mandates}


def test_mandates_current_on_the_date_are_those_running_that_day(history):
    assert board_names(as_of(DAY)) == {"Endsthatday", "Startsthatday"}
    assert board_names(as_of(DAY + dt.timedelta(days=1))) == {"Startsthatday", "Startsafter"}
    assert board_names(as_of(DAY - dt.timedelta(days=1))) == {"Endsthatday", "Endedbefore"}


def test_the_statute_version_is_the_one_in_force_on_the_date(history):
    assert as_of(DAY).version == history["v1"]
    later = as_of(DAY + dt.timedelta(days=1))
    assert later.version == history["v2"]
    assert "17" in [article.number for article in later.articles]
    assert "17" not in [article.number for article in as_of(DAY).articles]


def test_before_the_first_version_there_are_no_statutes(history):
    record = as_of(dt.date(1990, 1, 1))
    assert record.version is None and record.articles == []


def test_the_page_shows_statutes_rules_and_composition_with_the_creating_decision(
    client_for, history
):
    response = client_for("auditor").get(reverse("audit_as_of"), {"date": DAY.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Statutes in force on" in html and f"v{history['v1'].number}" in html
    assert "Terms of office" in html  # article 12's rule, in words
    assert "Endsthatday" in html and "Startsthatday" in html and "Startsafter" not in html
    assert history["election"].reference in html


@pytest.mark.parametrize("bad", ["2025-02-30", "yesterday", "30/06/2025", ""])
def test_a_bad_date_is_a_form_error_not_a_crash(client_for, history, bad):
    response = client_for("auditor").get(reverse("audit_as_of"), {"date": bad})
    assert response.status_code == 400
    assert response.context["form"].errors["date"]


def test_without_a_date_the_page_offers_the_form(client_for, history):
    response = client_for("auditor").get(reverse("audit_as_of"))
    assert response.status_code == 200 and response.context["record"] is None


def test_the_api_gives_the_same_record(client_for, history):
    response = client_for("auditor").get(
        reverse("api_audit_as_of"), {"date": (DAY + dt.timedelta(days=1)).isoformat()}
    )
    data = response.json()
    assert response.status_code == 200
    assert (
        data["date"] == (DAY + dt.timedelta(days=1)).isoformat()
        and data["statute_version"]["number"] == 2
    )
    assert any(a["number"] == "17" and a["rules"][0]["kind"] == "terms" for a in data["articles"])
    board = next(body for body in data["bodies"] if body["code"] == "board")
    assert {(m["member"].split()[-1], m["role"]) for m in board["mandates"]} == {
        ("Startsthatday", "chair"),
        ("Startsafter", "member"),
    }
    chair = next(m for m in board["mandates"] if m["role"] == "chair")
    assert chair["decision"] == history["election"].reference


@pytest.mark.parametrize("bad", ["2025-02-30", "nonsense", None])
def test_the_api_refuses_a_bad_or_missing_date(client_for, history, bad):
    params = {} if bad is None else {"date": bad}
    response = client_for("auditor").get(reverse("api_audit_as_of"), params)
    assert response.status_code == 400 and "date" in response.json()


@pytest.mark.parametrize("role", ["member", "officer"])
def test_only_auditors_and_staff_read_it(client_for, history, role):
    assert client_for(role).get(reverse("audit_as_of")).status_code == 403
    assert (
        client_for(role).get(reverse("api_audit_as_of"), {"date": DAY.isoformat()}).status_code
        == 403
    )


@pytest.mark.parametrize("extra", [1, 10])
def test_the_page_has_a_constant_number_of_queries(
    client_for, world, history, django_assert_max_num_queries, extra
):
    for index in range(extra):
        MandateFactory(
            member=MemberFactory(unit=world.group),
            body=world.committee,
            starts_on=DAY,
            ends_on=DAY + dt.timedelta(days=index + 1),
        )
    client = client_for("auditor")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("audit_as_of"), {"date": DAY.isoformat()}).status_code == 200
