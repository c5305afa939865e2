"""The auditors' register filters, on the page and in the read API: one test per filter."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Decision, StatuteVersion
from governance.services import SYSTEM
from tests.factories import adopt_statutes

pytestmark = pytest.mark.django_db

VIAS = ["page", "api"]


@pytest.fixture
def register(world) -> dict[str, Decision]:
    """Five decisions that differ in one respect each, under two statute versions."""
    v1 = StatuteVersion.objects.get(number=1)
    v2 = adopt_statutes(
        title="Statutes as amended", effective_from=timezone.localdate() - dt.timedelta(days=10)
    )
    meeting = services.convene_assembly(
        actor=SYSTEM,
        body=world.assembly_body,
        title="Extraordinary General Assembly",
        starts_at=timezone.now() + dt.timedelta(days=40),
        place="Rabat",
    )

    def decide(title, *, version=v1, article="8", **overrides):
        values = {
            "actor": SYSTEM,
            "body": world.assembly_body,
            "title": title,
            "text": f"The General Assembly decides: {title}.",
            "article": version.articles.get(number=article),
            "outcome": "adopted",
            "decided_on": dt.date(2025, 6, 1),
        }
        values.update(overrides)
        return services.record_decision(**values)

    return {
        "plain": decide("Annual report"),
        "board": decide("Campaign plan", body=world.board, article="14"),
        "meeting": decide("Dues for next year", assembly=meeting, decided_on=dt.date(2025, 9, 1)),
        "rejected": decide("Move the seat", outcome="rejected", decided_on=dt.date(2024, 3, 1)),
        "amended": decide(
            "Youth seat", version=v2, text="Special wording: الشباب", decided_on=dt.date(2026, 1, 5)
        ),
    }


def found(client, via: str, **params) -> set[str]:
    """The references the register lists for the filters, from the page or the API."""
    if via == "page":
        response = client.get(reverse("decision_list"), params)
        assert response.status_code == 200
        return {decision.reference for decision in response.context["page"]}
    response = client.get(reverse("api_decisions"), {**params, "limit": 100})
    assert response.status_code == 200, response.json()
    return {row["reference"] for row in response.json()["results"]}


def refs(register, *names) -> set[str]:
    return {register[name].reference for name in names}


@pytest.mark.parametrize("via", VIAS)
def test_filter_by_body(client_for, register, via):
    assert found(client_for("auditor"), via, body="board") == refs(register, "board")


@pytest.mark.parametrize("via", VIAS)
def test_filter_by_assembly(client_for, register, via):
    assembly = register["meeting"].assembly
    assert found(client_for("auditor"), via, assembly=assembly.pk) == refs(register, "meeting")


@pytest.mark.parametrize("via", VIAS)
def test_filter_by_statute_article(client_for, register, via):
    assert found(client_for("auditor"), via, article="14") == refs(register, "board")


@pytest.mark.parametrize("via", VIAS)
def test_filter_by_statute_version(client_for, register, via):
    assert found(client_for("auditor"), via, statute_version=2) == refs(register, "amended")


@pytest.mark.parametrize("via", VIAS)
def test_filter_by_outcome(client_for, register, via):
    assert found(client_for("auditor"), via, outcome="rejected") == refs(register, "rejected")


@pytest.mark.parametrize("via", VIAS)
def test_filter_by_date_range(client_for, register, via):
    got = found(client_for("auditor"), via, date_from="2025-01-01", date_to="2025-12-31")
    assert got == refs(register, "plain", "board", "meeting")


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [("campaign", "board"), ("الشباب", "amended"), ("/2024", "rejected")],
    ids=["title", "text", "reference"],
)
def test_filter_by_free_text(client_for, register, via, text, expected):
    assert found(client_for("auditor"), via, q=text) == refs(register, expected)


@pytest.mark.parametrize("via", VIAS)
def test_filters_combine(client_for, register, via):
    got = found(client_for("auditor"), via, body="general-assembly", date_from="2025-08-01")
    assert got == refs(register, "meeting", "amended")


def test_api_refuses_a_bad_filter_naming_it(client_for, register):
    response = client_for("auditor").get(reverse("api_decisions"), {"date_from": "2025-13-01"})
    assert response.status_code == 400
    assert "date_from" in response.json()


def test_api_register_has_a_constant_number_of_queries(
    client_for, register, django_assert_max_num_queries
):
    client = client_for("auditor")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api_decisions"), {"q": "e"}).status_code == 200
