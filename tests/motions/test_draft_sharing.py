"""Drafts are found by an unguessable share link, and only by those given it: the proposer
gathers co-sponsors for a motion or an amendment by sending it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motions import services
from motions.models import Amendment
from tests.motions.conftest import draft, submitted

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def share_path(item) -> str:
    return reverse("draft_shared", args=[item.share_token])


def test_a_draft_motion_is_not_found_by_its_id_by_another_member(section):
    motion = draft(section)
    other = client_of(section.supporters[0])
    assert other.get(reverse("motion_detail", args=[motion.pk])).status_code == 404
    assert other.get(reverse("api_motion", args=[motion.pk])).status_code == 404
    assert other.post(reverse("api_motion_support", args=[motion.pk])).status_code == 404
    assert not motion.supports.exists()


def test_drafts_are_numbered_by_no_guessable_token(section):
    first, second = draft(section), draft(section, title="Another")
    assert len(first.share_token) >= 32 and first.share_token != second.share_token


def test_the_proposer_sees_the_share_link_and_nobody_else_does(section):
    motion = draft(section)
    page = client_of(section.proposer).get(reverse("motion_detail", args=[motion.pk]))
    assert share_path(motion) in page.content.decode()
    api = client_of(section.proposer).get(reverse("api_motion", args=[motion.pk])).json()
    assert api["share_token"] == motion.share_token

    supporter = client_of(section.supporters[0])
    supporter.get(share_path(motion))
    page = supporter.get(reverse("motion_detail", args=[motion.pk])).content.decode()
    assert motion.share_token not in page


def test_a_member_given_the_link_reads_and_co_sponsors_the_draft(section):
    motion = draft(section)
    supporter = client_of(section.supporters[0])
    response = supporter.get(share_path(motion))
    assert response.status_code == 302
    assert response["Location"] == reverse("motion_detail", args=[motion.pk])
    assert supporter.get(response["Location"]).status_code == 200
    assert supporter.post(reverse("motion_action", args=[motion.pk, "support"])).status_code == 302
    assert motion.supports.filter(member=section.supporters[0].member).exists()
    # A co-sponsor keeps reading it, even in another session.
    again = client_of(section.supporters[0])
    assert again.get(reverse("motion_detail", args=[motion.pk])).status_code == 200


def test_the_api_reads_and_co_sponsors_a_draft_with_its_share_token(section):
    motion = draft(section)
    supporter = client_of(section.supporters[1])
    query = f"?share={motion.share_token}"
    assert supporter.get(reverse("api_motion", args=[motion.pk]) + query).status_code == 200
    assert (
        supporter.get(reverse("api_motion", args=[motion.pk]) + "?share=guess").status_code == 404
    )
    response = supporter.post(reverse("api_motion_support", args=[motion.pk]) + query)
    assert response.status_code == 204
    assert motion.supports.count() == 1


def test_a_link_that_matches_no_draft_is_404(section):
    draft(section)
    assert client_of(section.supporters[0]).get("/motions/drafts/not-a-token/").status_code == 404


def test_a_submitted_motion_is_public_again(section):
    motion = submitted(section)
    assert (
        client_of(section.supporters[9]).get(reverse("motion_detail", args=[motion.pk])).status_code
        == 200
    )


# Amendments --------------------------------------------------------------------------------


@pytest.fixture
def draft_amendment(section) -> Amendment:
    motion = submitted(section)
    return services.create_amendment(
        actor=section.supporters[6], motion=motion, kind="replace_text", text="A new text."
    )


def test_a_draft_amendment_is_hidden_from_members_without_its_link(section, draft_amendment):
    other = client_of(section.supporters[7])
    page = other.get(reverse("motion_detail", args=[draft_amendment.motion_id])).content.decode()
    assert f'id="amendment-{draft_amendment.pk}"' not in page
    url = reverse("amendment_action", args=[draft_amendment.pk, "support"])
    assert other.post(url).status_code == 404
    url = reverse("api_amendment_support", args=[draft_amendment.pk])
    assert other.post(url).status_code == 404
    assert not draft_amendment.supports.exists()


def test_a_draft_amendment_gathers_its_co_sponsors_by_its_link_and_is_tabled(
    section, draft_amendment
):
    proposer = client_of(section.supporters[6])
    page = proposer.get(reverse("motion_detail", args=[draft_amendment.motion_id]))
    assert share_path(draft_amendment) in page.content.decode()

    for user in section.supporters[7:9]:
        sponsor = client_of(user)
        landing = sponsor.get(share_path(draft_amendment))
        assert landing["Location"].endswith(f"#amendment-{draft_amendment.pk}")
        page = sponsor.get(landing["Location"]).content.decode()
        assert f'id="amendment-{draft_amendment.pk}"' in page
        assert "Support this amendment" in page
        support = reverse("amendment_action", args=[draft_amendment.pk, "support"])
        assert sponsor.post(support).status_code == 302
    assert draft_amendment.supports.count() == 2

    submit = reverse("amendment_action", args=[draft_amendment.pk, "submit"])
    assert proposer.post(submit).status_code == 302
    draft_amendment.refresh_from_db()
    assert draft_amendment.status == Amendment.Status.SUBMITTED
