"""A statute amendment drafted as people draft it: an article picked, its text and its
rules' parameters edited in fields of their kind, articles added or repealed, and the new
version compared with the statutes in force. Nobody types JSON."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from governance.exceptions import DomainError
from motions import services
from motions.models import Motion
from tests.motions.conftest import draft, gather_support

pytestmark = pytest.mark.django_db


@pytest.fixture
def amendment(section) -> Motion:
    return draft(
        section,
        kind=Motion.Kind.STATUTE_AMENDMENT,
        title="Modern statutes",
        text="The General Assembly amends its statutes.",
    )


@pytest.fixture
def proposer(client, section):
    client.force_login(section.proposer)
    return client


def url(motion) -> str:
    return reverse("motion_statute_changes", args=[motion.pk])


def changes_of(motion) -> list:
    return Motion.objects.get(pk=motion.pk).current_version.statute_changes


def article_7(**fields) -> dict:
    data = {
        "action": "replace",
        "number": "7",
        "title": "Quorum of the General Assembly",
        "text": "A quarter of the members entitled to vote must take part.",
        "r0_first_convocation": "1/4",
        "r0_second_convocation": "",
    }
    data.update(fields)
    return data


def test_a_statute_amendment_is_drafted_without_any_article_yet(amendment):
    assert amendment.current_version.statute_changes == []


def test_it_cannot_be_submitted_before_it_changes_an_article(section, amendment):
    gather_support(section, amendment)
    with pytest.raises(DomainError, match="at least one article"):
        services.submit_motion(actor=section.proposer, motion=amendment)


def test_the_motion_form_has_no_json_box(proposer):
    response = proposer.get(reverse("motion_create"))
    assert 'name="statute_changes"' not in response.content.decode()


def test_drafting_a_statute_amendment_leads_to_its_articles(proposer, section):
    response = proposer.post(
        reverse("motion_create"),
        {
            "kind": "statute_amendment",
            "body": "general-assembly",
            "assembly": section.assembly.pk,
            "title": "Amend",
            "text": "Amend the statutes.",
        },
    )
    motion = Motion.objects.get()
    assert response.status_code == 302 and response.url == url(motion)


@pytest.mark.parametrize("changed", [0, 3])
def test_the_editor_answers_in_constant_queries(
    proposer, amendment, django_assert_max_num_queries, changed
):
    for number in ["16", "5", "3"][:changed]:
        proposer.post(url(amendment), {"action": "remove", "number": number})
    with django_assert_max_num_queries(16):
        response = proposer.get(url(amendment), {"article": "7", "action": "replace"})
    assert response.status_code == 200


def test_picking_a_quorum_article_shows_a_field_for_each_convocation(proposer, amendment):
    body = proposer.get(url(amendment), {"article": "7", "action": "replace"}).content.decode()
    assert 'name="r0_first_convocation"' in body and 'value="1/4"' in body
    assert 'name="r0_second_convocation"' in body
    assert "Quorum rule, for the General Assembly" in body


def test_a_majority_article_has_its_kind_base_and_share(proposer, amendment):
    body = proposer.get(url(amendment), {"article": "15", "action": "replace"}).content.decode()
    for name in ("kind", "fraction", "count_abstentions", "count_blanks"):
        assert re.search(f'name="r[01]_{name}"', body)
    assert "Majority rule, for statute amendments" in body


def test_a_new_quorum_is_saved_as_a_new_version_with_its_rule(proposer, amendment):
    response = proposer.post(url(amendment), article_7(r0_second_convocation="1/5"))
    assert response.status_code == 302
    (change,) = changes_of(amendment)
    assert change["rules"] == [
        {
            "kind": "quorum",
            "scope": "assembly",
            "params": {"first_convocation": "1/4", "second_convocation": "1/5"},
        }
    ]
    assert Motion.objects.get(pk=amendment.pk).current_version.number == 2


def test_the_new_version_is_compared_with_the_statutes_in_force(proposer, amendment):
    proposer.post(
        url(amendment),
        article_7(text="A fifth of the members must take part.", r0_first_convocation="1/5"),
    )
    body = proposer.get(url(amendment)).content.decode()
    assert "rules changed" in body
    assert "<ins>" in body and "<del>" in body


def test_a_share_that_is_not_a_fraction_is_a_form_error(proposer, amendment):
    response = proposer.post(url(amendment), article_7(r0_first_convocation="a quarter"))
    assert response.status_code == 400
    assert "Write a fraction such as 1/4 or 2/3." in response.content.decode()
    assert changes_of(amendment) == []


def test_the_rules_own_check_names_the_field(proposer, amendment):
    data = {
        "action": "replace",
        "number": "8",
        "title": "Majority",
        "text": "A qualified majority of half.",
        "r0_kind": "qualified",
        "r0_fraction": "1/2",
    }
    response = proposer.post(url(amendment), data)
    assert response.status_code == 400
    assert response.context["form"].errors["r0_fraction"]
    assert changes_of(amendment) == []


def test_terms_keep_their_reserved_seats_and_limits(proposer, amendment):
    data = {
        "action": "replace",
        "number": "12",
        "title": "The Section Board",
        "text": "The Board is elected for three years.",
        "r0_length_months": "36",
        "r0_max_consecutive": "2",
        "r0_youth_seats": "2",
        "r0_youth_max_age": "25",
    }
    assert proposer.post(url(amendment), data).status_code == 302
    (change,) = changes_of(amendment)
    assert change["rules"][0]["params"] == {
        "length_months": 36,
        "max_consecutive": 2,
        "reserved_seats": {"youth": 2},
        "youth_max_age": 25,
    }


def test_proxies_can_be_forbidden(proposer, amendment):
    data = {
        "action": "replace",
        "number": "9",
        "title": "Proxies",
        "text": "No member votes for another.",
        "r0_max_carried": "2",
    }
    assert proposer.post(url(amendment), data).status_code == 302
    assert changes_of(amendment)[0]["rules"][0]["params"] == {"allowed": False, "max_carried": 0}


def test_an_article_is_repealed(proposer, amendment):
    proposer.post(url(amendment), {"action": "remove", "number": "16"})
    assert changes_of(amendment) == [{"action": "remove", "number": "16"}]


def test_an_article_is_added_after_another(proposer, amendment):
    data = {
        "action": "add",
        "number": "16a",
        "after": "16",
        "title": "Youth groups",
        "text": "Youth groups elect their committee.",
    }
    assert proposer.post(url(amendment), data).status_code == 302
    assert changes_of(amendment)[0]["action"] == "add"
    assert "Youth groups elect their committee." in proposer.get(url(amendment)).content.decode()


def test_adding_an_article_that_exists_is_refused_and_changes_nothing(proposer, amendment):
    data = {"action": "add", "number": "7", "after": "", "title": "Again", "text": "Again."}
    response = proposer.post(url(amendment), data)
    assert response.status_code == 400
    assert "article 7 already exists" in response.content.decode()
    assert changes_of(amendment) == []


def test_a_second_edit_of_an_article_replaces_the_first(proposer, amendment):
    proposer.post(url(amendment), article_7(r0_first_convocation="1/5"))
    proposer.post(url(amendment), article_7(r0_first_convocation="1/6"))
    (change,) = changes_of(amendment)
    assert change["rules"][0]["params"]["first_convocation"] == "1/6"


def test_a_change_is_taken_out(proposer, amendment):
    proposer.post(url(amendment), {"action": "remove", "number": "16"})
    proposer.post(url(amendment), {"op": "withdraw", "index": "0"})
    assert changes_of(amendment) == []


def test_another_member_may_not_draft_the_changes(client, section, amendment):
    client.force_login(section.supporters[0])
    assert client.get(url(amendment)).status_code == 404  # someone else's draft, no link
    client.get(reverse("draft_shared", args=[amendment.share_token]))
    assert client.get(url(amendment)).status_code == 403
    assert client.post(url(amendment), {"action": "remove", "number": "16"}).status_code == 403
    assert changes_of(amendment) == []


def test_an_auditor_may_not_draft_the_changes(client, section, amendment):
    client.force_login(section.world.auditor)
    assert client.post(url(amendment), {"action": "remove", "number": "16"}).status_code == 403


def test_a_resolution_has_no_statute_changes_page(proposer, section):
    resolution = draft(section)
    assert proposer.get(url(resolution)).status_code == 403
