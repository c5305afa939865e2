"""Who holds a secret ballot's key: by default the body the statutes name (the trustees
rule of article 16: the Control Committee, 2 of its members), else whom officers appoint,
on the page or the API, while the ballot is a draft and no trustee has begun the ceremony."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from elections import ballot_box, services
from elections.models import BallotBox
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent, Body
from tests.elections.conftest import add_voters, draft_ballot
from tests.factories import MandateFactory, close_and_tally

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 10
CONSOLE_QUERIES = 15
DETAIL_QUERIES = 15  # the ballot's page, as tests/elections/test_pages.py bounds it


@pytest.fixture
def control(world):
    """The Control Committee of the suite's article 16, with three members in office."""
    body = Body.objects.create(
        unit=world.section, code="control-committee", name="Control Committee", kind="committee"
    )
    users = add_voters(world, 3)
    for user in users:
        MandateFactory(member=user.member, body=body)
    return [u.member for u in users]


def test_a_secret_ballot_is_drafted_with_the_trustees_the_statutes_name(world, control):
    ballot = draft_ballot(world)
    box = BallotBox.objects.get(ballot=ballot)
    assert box.threshold == 2 and box.trustees_article.number == "16"
    assert {t.member_id for t in box.trustees.all()} == {m.pk for m in control}
    assert not any(t.is_demo for t in box.trustees.all())
    event = AuditEvent.objects.get(action="ballot.trustees_appointed")
    assert event.new["article"] == "16" and event.new["threshold"] == 2


def test_no_default_without_enough_members_in_office_or_for_a_named_ballot(world, control):
    assert not BallotBox.objects.filter(
        ballot=draft_ballot(world, kind="roll_call", body=world.board, rule_scope="board")
    ).exists()
    world_body = Body.objects.get(code="control-committee")
    world_body.mandates.update(ends_on=world_body.mandates.first().starts_on)
    assert not BallotBox.objects.filter(ballot=draft_ballot(world)).exists()


def test_officers_name_other_trustees_until_the_ceremony_begins(world, control, tmp_path):
    ballot = draft_ballot(world)
    others = [world.member.member, world.officer.member]
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=others, threshold_k=1
    )
    assert box.trustees_article is None and box.threshold == 1
    assert [t.member_id for t in box.trustees.all()] == [m.pk for m in others]
    event = AuditEvent.objects.filter(action="ballot.trustees_appointed").last()
    assert event.old["article"] == "16" and event.new["article"] is None
    # Back to the statutes' choice: the article is recorded again.
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=control, threshold_k=2
    )
    assert box.trustees_article.number == "16"
    # Once a trustee has published their transport key, the choice stands.
    box.trustees.filter(index=1).update(transport_key={"index": 1, "key": "00"})
    with pytest.raises(DomainError, match="key ceremony"):
        ballot_box.appoint_trustees(
            actor=world.officer, ballot=ballot, members=others, threshold_k=1
        )


@pytest.mark.parametrize(
    ("case", "field"),
    [("k_above_n", "threshold"), ("twice", "members"), ("outsider", "members"), ("demo", "demo")],
)
def test_a_bad_appointment_is_refused_naming_the_field(world, settings, case, field):
    settings.ELECTIONS_DEMO_SERVER_KEY = case != "demo"
    ballot = draft_ballot(world)
    one, two = world.member.member, world.officer.member
    outsider = add_voters(world, 1)[0].member
    outsider.kind = "supporter"
    outsider.save()
    members, k = {
        "k_above_n": ([one, two], 3),
        "twice": ([one, one], 1),
        "outsider": ([one, outsider], 1),
        "demo": ([one], 1),
    }[case]
    with pytest.raises(DomainError) as caught:
        ballot_box.appoint_trustees(
            actor=world.officer, ballot=ballot, members=members, threshold_k=k, demo=case == "demo"
        )
    assert caught.value.field == field
    assert not BallotBox.objects.filter(ballot=ballot).exists()


def test_only_officers_of_the_body_and_only_on_a_draft(world):
    ballot = draft_ballot(world)
    with pytest.raises(NotAllowed):
        ballot_box.appoint_trustees(
            actor=world.member, ballot=ballot, members=[world.member.member], threshold_k=1
        )
    services.open_ballot(actor=world.officer, ballot=ballot)
    with pytest.raises(DomainError, match="draft"):
        ballot_box.appoint_trustees(
            actor=world.officer, ballot=ballot, members=[world.member.member], threshold_k=1
        )


# ---------------------------------------------------------------------------
# The page and the API: the same service, the same refusals
# ---------------------------------------------------------------------------


def _numbers(*members) -> str:
    return "\n".join(m.membership_number for m in members)


def test_the_page_shows_the_statutes_choice_and_names_others(
    world, control, client, django_assert_max_num_queries
):
    ballot = draft_ballot(world)
    client.force_login(world.officer)
    url = reverse("ballot_trustees", args=[ballot.pk])
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = client.get(url).content.decode()
    assert "Named by article 16 of the statutes." in page
    assert "Any 2 of the 3 trustees decrypt the count." in page
    assert all(m.membership_number in page for m in control)
    console = client.get(reverse("ballot_console", args=[ballot.pk])).content.decode()
    assert "Named by article 16" in console and url in console
    others = [world.member.member, world.officer.member]
    response = client.post(url, {"members": _numbers(*others), "threshold": 1})
    assert response.status_code == 302
    box = BallotBox.objects.get(ballot=ballot)
    assert box.trustees_article is None and box.threshold == 1
    page = client.get(url).content.decode()
    assert "Named by the officers." in page and "Any 1 of the 2 trustees" in page


@pytest.mark.parametrize("more", [0, 6])
def test_the_page_answers_in_constant_queries(
    world, control, client, django_assert_max_num_queries, more
):
    body = Body.objects.get(code="control-committee")
    for user in add_voters(world, more):
        MandateFactory(member=user.member, body=body)
    ballot = draft_ballot(world)
    assert BallotBox.objects.get(ballot=ballot).trustees.count() == 3 + more
    client.force_login(world.officer)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("ballot_trustees", args=[ballot.pk])).status_code == 200
    with django_assert_max_num_queries(CONSOLE_QUERIES):
        assert client.get(reverse("ballot_console", args=[ballot.pk])).status_code == 200


@pytest.mark.parametrize(
    ("members", "threshold", "field", "words"),
    [
        ("one two", 3, "threshold", "between 1 and the number of trustees (2)"),
        ("one one", 1, "members", "named only once"),
        ("one supporter", 1, "members", "is not"),
        ("one NOSUCH", 1, "members", "No member has the membership number NOSUCH"),
    ],
)
def test_a_bad_choice_is_a_form_error_and_a_400_naming_the_field(
    world, client, members, threshold, field, words
):
    ballot = draft_ballot(world)
    supporter = add_voters(world, 1)[0].member
    supporter.kind = "supporter"
    supporter.save()
    numbers = {
        "one": world.member.member.membership_number,
        "two": world.officer.member.membership_number,
        "supporter": supporter.membership_number,
        "NOSUCH": "NOSUCH",
    }
    typed = [numbers[word] for word in members.split()]
    client.force_login(world.officer)
    page = client.post(
        reverse("ballot_trustees", args=[ballot.pk]),
        {"members": "\n".join(typed), "threshold": threshold},
    )
    assert page.status_code == 400 and words in page.content.decode()
    api = client.post(
        reverse("api_ballot_trustees", args=[ballot.pk]),
        {"members": typed, "threshold": threshold},
        content_type="application/json",
    )
    assert api.status_code == 400 and words in " ".join(api.json()[field])
    assert not BallotBox.objects.filter(ballot=ballot).exists()


def test_demo_trustees_are_refused_outside_a_demonstration(world, client, settings):
    settings.ELECTIONS_DEMO_SERVER_KEY = False
    ballot = draft_ballot(world)
    client.force_login(world.officer)
    api = client.post(
        reverse("api_ballot_trustees", args=[ballot.pk]),
        {"members": [world.member.member.membership_number], "threshold": 1, "demo": True},
        content_type="application/json",
    )
    assert api.status_code == 400 and "only allowed on a demonstration" in api.json()["demo"][0]
    page = client.get(reverse("ballot_trustees", args=[ballot.pk])).content.decode()
    assert 'name="demo"' not in page


def test_the_api_names_the_trustees_and_says_who_they_are(world, control, client):
    ballot = draft_ballot(world)
    client.force_login(world.officer)
    url = reverse("api_ballot_trustees", args=[ballot.pk])
    numbers = [m.membership_number for m in control]
    answer = client.post(url, {"members": numbers, "threshold": 2}, content_type="application/json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["threshold"] == 2 and body["article"] == "16" and body["changeable"]
    assert [t["membership_number"] for t in body["trustees"]] == numbers
    # Not an officer of the body: refused before the input is read.
    client.force_login(world.other_officer)
    assert client.post(url, {}, content_type="application/json").status_code in (403, 404)


def test_once_open_the_choice_stands(world, client):
    ballot = draft_ballot(world)  # no Control Committee here: it opens with a demo key
    services.open_ballot(actor=world.officer, ballot=ballot)
    client.force_login(world.officer)
    data = {"members": [world.member.member.membership_number], "threshold": 1}
    refused = client.post(
        reverse("api_ballot_trustees", args=[ballot.pk]), data, content_type="application/json"
    )
    assert refused.status_code == 400 and "draft" in json.dumps(refused.json())
    page = client.post(
        reverse("ballot_trustees", args=[ballot.pk]),
        {"members": data["members"][0], "threshold": 1},
    )
    assert page.status_code == 400 and "still in draft" in page.content.decode()
    shown = client.get(reverse("ballot_trustees", args=[ballot.pk])).content.decode()
    assert "can no longer be changed" in shown and "1-of-1 demonstration key" in shown


# ---------------------------------------------------------------------------
# The ballot's own page: who holds it in trust, for every member who reads it
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("more", [0, 6])
def test_the_ballot_page_names_its_demonstration_trustees_in_constant_queries(
    world, control, client, settings, django_assert_max_num_queries, more
):
    settings.ELECTIONS_DEMO_SERVER_KEY = True
    body = Body.objects.get(code="control-committee")
    members = control + [u.member for u in add_voters(world, more)]
    for member in members[3:]:
        MandateFactory(member=member, body=body)
    ballot = draft_ballot(world)
    # The statutes' choice, made demonstration trustees: article 16 stays recorded.
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=members, threshold_k=2, demo=True
    )
    assert box.trustees_article.number == "16" and box.public_key
    services.open_ballot(actor=world.officer, ballot=ballot)
    client.force_login(world.member)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        page = client.get(reverse("ballot_detail", args=[ballot.pk])).content.decode()
    assert "Held in trust by" in page
    assert f"Any 2 of the {3 + more} trustees decrypt the count." in page
    assert "Named by article 16 of the statutes." in page
    assert all(f"<bdi>{m.full_name}</bdi>" in page for m in members)
    assert "Demonstration trustees: the platform holds their keys" in page
    assert ">Demonstration trustees</span>" in page and "Demonstration key" not in page


def test_the_ballot_page_says_the_officers_named_real_trustees(world, control, client):
    ballot = draft_ballot(world)
    others = [world.member.member, world.other_officer.member]
    ballot_box.appoint_trustees(actor=world.officer, ballot=ballot, members=others, threshold_k=1)
    client.force_login(world.officer)
    page = client.get(reverse("ballot_detail", args=[ballot.pk])).content.decode()
    assert "Any 1 of the 2 trustees decrypt the count." in page
    assert "Named by the officers." in page
    assert all(f"<bdi>{m.full_name}</bdi>" in page for m in others)
    assert "Demonstration trustees" not in page and "Demonstration key" not in page


def test_without_trustees_the_page_says_the_server_holds_a_one_of_one_key(world, client):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    client.force_login(world.member)
    page = client.get(reverse("ballot_detail", args=[ballot.pk])).content.decode()
    assert "No trustees: the server holds a 1-of-1 demonstration key." in page
    assert ">Demonstration key</span>" in page and "Demonstration trustees" not in page


def test_a_named_vote_s_page_names_no_trustees(world, client):
    ballot = draft_ballot(world, kind="roll_call", body=world.board, rule_scope="board")
    client.force_login(world.officer)
    page = client.get(reverse("ballot_detail", args=[ballot.pk])).content.decode()
    assert "Held in trust by" not in page


def test_the_count_and_the_results_say_demonstration_trustees(world, control, client, settings):
    settings.ELECTIONS_DEMO_SERVER_KEY = True
    ballot = draft_ballot(world)
    ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=control, threshold_k=2, demo=True
    )
    services.open_ballot(actor=world.officer, ballot=ballot)
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    close_and_tally(actor=world.officer, ballot=ballot)
    ballot = services.count_ballot(actor=world.officer, ballot=ballot)
    ballot.refresh_from_db()
    encrypted = ballot.result["encrypted"]
    assert encrypted["demo_key"] is True and encrypted["demo_trustees"] is True
    assert ballot.result["count"]["yes"] == 1
    assert (
        BallotBox.objects.get(ballot=ballot).trustees.filter(decryption__isnull=False).count() == 2
    )
    client.force_login(world.officer)
    results = client.get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    assert ">Demonstration trustees</span>" in results and "Demonstration key" not in results
