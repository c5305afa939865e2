"""Irreversible steps are confirmed on a page of their own, and a vote is reviewed before
it is cast: both work without JavaScript, and neither page writes anything."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from elections import services
from elections.models import Ballot, Participation
from tests.elections.conftest import add_voters, draft_ballot, draft_election
from tests.factories import close_and_tally

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def confirm_url(ballot: Ballot, action: str) -> str:
    return reverse("ballot_confirm", args=[ballot.pk, action])


def review_url(ballot: Ballot) -> str:
    return reverse("ballot_vote_review", args=[ballot.pk])


@pytest.fixture
def open_question(world):
    return services.open_ballot(actor=world.officer, ballot=draft_ballot(world))


# --- the officers' confirmation page ---------------------------------------------------


@pytest.mark.parametrize("voters", [2, 20])
def test_closing_early_says_the_turnout_and_the_time_left(
    client_for, world, django_assert_max_num_queries, voters
):
    add_voters(world, voters)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    client = client_for("officer")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(confirm_url(ballot, "close"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"1 of {voters + 4} voters on the roll" in body
    assert "This closes the ballot early: it was set to stay open 6" in body
    assert "A closed ballot cannot be opened again." in body
    assert f'action="{reverse("ballot_action", args=[ballot.pk, "close"])}"' in body


def test_the_confirmation_page_changes_nothing(client_for, open_question):
    client_for("officer").get(confirm_url(open_question, "close"))
    assert Ballot.objects.get(pk=open_question.pk).status == "open"


def test_closing_after_the_set_time_is_not_called_early(client_for, world):
    now = timezone.now()
    ballot = services.open_ballot(
        actor=world.officer, ballot=draft_ballot(world, opens_at=now - dt.timedelta(days=2))
    )
    # The set time passes while the ballot is open.
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=now - dt.timedelta(minutes=1))
    body = client_for("officer").get(confirm_url(ballot, "close")).content.decode()
    assert "closes the ballot early" not in body


def test_the_count_confirmation_warns_of_a_batch_awaiting_its_second_teller(
    client_for, world, open_question
):
    services.enter_paper_count(
        actor=world.officer, ballot=open_question, label="Hall", groups=[["yes", 3]]
    )
    close_and_tally(actor=world.officer, ballot=open_question)
    body = client_for("officer").get(confirm_url(open_question, "count")).content.decode()
    assert "awaits its second teller" in body
    assert "only a later decision can supersede it" in body


def test_the_publication_confirmation_says_it_cannot_be_withdrawn(client_for, world, open_question):
    close_and_tally(actor=world.officer, ballot=open_question)
    services.count_ballot(actor=world.officer, ballot=open_question)
    body = client_for("officer").get(confirm_url(open_question, "publish")).content.decode()
    assert "Publication cannot be withdrawn." in body


def test_confirming_a_step_the_ballot_is_not_at_goes_back_to_the_console(client_for, open_question):
    response = client_for("officer").get(confirm_url(open_question, "publish"))
    assert response.status_code == 302
    assert response["Location"] == reverse("ballot_console", args=[open_question.pk])


def test_an_unknown_step_has_no_confirmation_page(client_for, open_question):
    assert client_for("officer").get(confirm_url(open_question, "explode")).status_code == 404


def test_a_member_may_not_see_the_confirmation_page(client_for, open_question):
    assert client_for("member").get(confirm_url(open_question, "close")).status_code == 403


def test_the_confirmation_page_takes_no_post(client_for, open_question):
    assert client_for("officer").post(confirm_url(open_question, "close")).status_code == 405


# --- the voter's review step -----------------------------------------------------------


def test_the_review_shows_the_choice_and_casts_nothing(
    client_for, open_question, django_assert_max_num_queries
):
    client = client_for("member")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.post(review_url(open_question), {"choice": "no"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Review your vote" in body
    assert "<bdi>No</bdi>" in body
    assert '<input type="hidden" name="choice" value="no">' in body
    assert f'action="{reverse("ballot_vote", args=[open_question.pk])}"' in body
    assert not Participation.objects.filter(ballot=open_question).exists()
    assert "no-cache" in response["Cache-Control"]


def test_the_reviewed_vote_is_cast_from_its_hidden_fields(client_for, open_question):
    client = client_for("member")
    client.post(review_url(open_question), {"choice": "no"})
    response = client.post(reverse("ballot_vote", args=[open_question.pk]), {"choice": "no"})
    assert response.status_code == 200
    assert "Your vote is cast" in response.content.decode()
    assert Participation.objects.filter(ballot=open_question).count() == 1


def test_changing_the_vote_shows_the_form_as_it_was_filled(client_for, open_question):
    response = client_for("member").post(
        review_url(open_question), {"choice": "abstain", "change": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    abstain = re.search(r'<input[^>]*value="abstain"[^>]*>', body).group(0)
    assert "checked" in abstain
    assert "Review my vote" in body
    assert not Participation.objects.filter(ballot=open_question).exists()


def test_an_incomplete_vote_goes_back_to_the_form_with_a_400(client_for, open_question):
    response = client_for("member").post(review_url(open_question), {})
    assert response.status_code == 400
    assert not Participation.objects.filter(ballot=open_question).exists()


def test_a_ranked_vote_is_reviewed_in_order_with_the_candidates_names(client_for, world):
    election = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    response = client_for("member").post(
        review_url(election), {"preference_1": "c2", "preference_2": "c1", "preference_3": ""}
    )
    body = response.content.decode()
    assert "Your preferences, in order" in body
    assert body.index("<bdi>Youssef</bdi>") < body.index("<bdi>Amina</bdi>")


def test_the_review_takes_no_get(client_for, open_question):
    assert client_for("member").get(review_url(open_question)).status_code == 405


def test_an_auditor_has_no_review_step(client_for, open_question):
    assert (
        client_for("auditor").post(review_url(open_question), {"choice": "yes"}).status_code == 403
    )
