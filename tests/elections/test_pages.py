"""The voting pages through the test client: what each role sees, what each form writes.

Every page that renders is also held to a fixed number of queries, with few and many
voters or candidates, so a loop in a template cannot start querying per row.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from elections import services
from elections.models import Ballot, BallotPaper, Candidate, PaperCount, Participation, Proxy
from tests.elections.boxes import decrypted_board
from tests.elections.conftest import (
    add_voters,
    article,
    draft_ballot,
    draft_election,
    enlarge_roll,
)
from tests.factories import MandateFactory, close_and_tally

pytestmark = pytest.mark.django_db

#: One bound for every page here: the same with 3 or 30 voters or candidates.
MAX_QUERIES = 15
#: A form post that writes (or tries to: locks, audit chain) and then renders a page.
MAX_WRITE_QUERIES = 25


@pytest.fixture
def bounded(django_assert_max_num_queries):
    """Send one request, checking that it stays within a fixed number of queries."""

    def send(method, url, data=None, *, most=MAX_QUERIES, **extra):
        with django_assert_max_num_queries(most):
            return method(url, data, **extra)

    return send


def open_question(world, voters: int = 0) -> Ballot:
    add_voters(world, voters)
    return services.open_ballot(actor=world.officer, ballot=draft_ballot(world))


def open_election(world, *, names=("Amina", "Youssef", "Salma"), voters: int = 0) -> Ballot:
    add_voters(world, voters)
    return services.open_ballot(actor=world.officer, ballot=draft_election(world, names=names))


def draft_roll_call(world) -> Ballot:
    return draft_ballot(
        world,
        title="Board budget",
        body=world.board,
        rule_scope="board",
        kind=Ballot.Kind.ROLL_CALL,
        article=article("14"),
    )


def count(world, ballot: Ballot) -> Ballot:
    close_and_tally(actor=world.officer, ballot=ballot)
    return services.count_ballot(actor=world.officer, ballot=ballot)


def publish(world, ballot: Ballot) -> Ballot:
    count(world, ballot)
    return services.publish_results(actor=world.officer, ballot=ballot)


def counted_election(world, voters: int = 4) -> Ballot:
    """An STV election for 2 seats; Amina and Salma are elected after a surplus transfer."""
    users = add_voters(world, voters)
    ballot = open_election(world)
    rankings = [["c1", "c3"], ["c1", "c3"], ["c1", "c2"], ["c2"], ["c3", "c2"]]
    for user, ranking in zip([world.member, *users], rankings * 10, strict=False):
        services.cast_vote(actor=user, ballot=ballot, choices=ranking)
    return count(world, ballot)


def status_of(ballot: Ballot) -> str:
    return Ballot.objects.get(pk=ballot.pk).status


def page(response) -> str:
    return response.content.decode()


def vote_url(ballot: Ballot) -> str:
    return reverse("ballot_vote", args=[ballot.pk])


def action_url(ballot: Ballot, action: str) -> str:
    return reverse("ballot_action", args=[ballot.pk, action])


# ---------------------------------------------------------------------------
# The list and the ballot's page
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_ballot_list_shows_a_member_the_open_ballots_in_constant_queries(
    client_for, world, django_assert_max_num_queries, size
):
    add_voters(world, size)
    ballots = [
        services.open_ballot(actor=world.officer, ballot=draft_ballot(world, title=f"Motion {n}"))
        for n in range(size)
    ]
    services.cast_vote(actor=world.member, ballot=ballots[0], choices="yes")
    bodies = {}
    for role in ("member", "officer"):
        client = client_for(role)
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(reverse("ballot_list"))
        assert response.status_code == 200
        bodies[role] = page(response)
    # The officer also sees the ballots of the bodies they act for, with their consoles.
    assert reverse("ballot_console", args=[ballots[-1].pk]) in bodies["officer"]
    body = bodies["member"]
    assert f"Motion {size - 1}" in body
    assert body.count('<span class="badge">not voted yet</span>') == size - 1
    assert body.count('<span class="badge ok">voted</span>') == 1
    assert reverse("ballot_detail", args=[ballots[-1].pk]) in body


def test_the_officers_ballots_are_paginated_in_constant_queries(
    client_for, world, django_assert_max_num_queries, monkeypatch
):
    from elections import views

    monkeypatch.setattr(views, "LISTED", 4)
    drafts = [draft_ballot(world, title=f"Draft {n}") for n in range(10)]  # newest first
    client = client_for("officer")
    seen = []
    for number in (1, 2, 3):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(reverse("ballot_list"), {"page": number})
        body = page(response)
        seen += [d.pk for d in drafts if reverse("ballot_console", args=[d.pk]) in body]
        assert f"Page {number} of 3" in body
        assert ('rel="next"' in body) == (number < 3)
        assert ('rel="prev"' in body) == (number > 1)
    assert sorted(seen) == sorted(d.pk for d in drafts)  # each on one page, none lost


def test_the_nav_links_to_the_ballots_for_members_only(client_for, world, bounded):
    link = f'href="{reverse("ballot_list")}"'
    assert link in page(bounded(client_for("member").get, reverse("dashboard")))
    assert link not in page(bounded(client_for("outsider").get, reverse("dashboard")))


@pytest.mark.parametrize("candidates", [3, 30])
def test_election_page_renders_one_labelled_list_per_preference_in_constant_queries(
    client_for, world, django_assert_max_num_queries, candidates
):
    names = [f"Candidate {n}" for n in range(1, candidates + 1)]
    ballot = open_election(world, names=names, voters=candidates)
    client = client_for("member")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("ballot_detail", args=[ballot.pk]))
    assert response.status_code == 200
    body = page(response)
    assert "Single transferable vote (Scottish rules)" in body
    assert f"Candidate {candidates}" in body
    assert body.count('<select name="preference_') == candidates
    assert '<label for="vote-self-preference_1">Preference 1 (your first choice)' in body
    assert f'id="vote-self-preference_{candidates}"' in body
    assert "Article 16" in body


def test_question_page_shows_the_facts_and_the_yes_no_form(
    client_for, world, django_assert_max_num_queries
):
    ballot = open_question(world)
    client = client_for("member")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("ballot_detail", args=[ballot.pk]))
    body = page(response)
    assert ballot.question in body
    assert "Yes/no question" in body
    assert "Secret ballot" in body
    assert "Article 8" in body
    assert 'name="choice" value="yes"' in body
    assert f'action="{reverse("ballot_vote_review", args=[ballot.pk])}"' in body
    assert 'class="badge status-open"' in body


def test_roll_call_page_says_the_vote_is_named(client_for, world, django_assert_max_num_queries):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_roll_call(world))
    client = client_for("officer")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("ballot_detail", args=[ballot.pk]))
    body = page(response)
    assert "Roll-call vote" in body
    assert "Named vote" in body
    assert 'name="choice" value="no"' in body  # the officer sits on the Board: on the roll
    assert reverse("ballot_console", args=[ballot.pk]) in body


def test_a_draft_is_hidden_from_members_and_auditors_and_shown_to_those_who_run_it(
    client_for, world
):
    ballot = draft_ballot(world)
    url = reverse("ballot_detail", args=[ballot.pk])
    assert client_for("member").get(url).status_code == 404
    assert client_for("other_officer").get(url).status_code == 404  # officer of another body
    assert client_for("officer").get(url).status_code == 200
    assert client_for("staff").get(url).status_code == 200
    # A draft is for those who run it (elections/access.py); auditors read it once it opens.
    assert client_for("auditor").get(url).status_code == 404


def test_a_draft_election_is_a_call_for_candidates_a_member_answers(client_for, world, bounded):
    ballot = draft_election(world, names=("Amina",))
    member = client_for("member")
    listing = page(bounded(member.get, reverse("ballot_list")))
    assert "Elections open for nominations" in listing
    assert reverse("ballot_detail", args=[ballot.pk]) in listing
    detail = page(bounded(member.get, reverse("ballot_detail", args=[ballot.pk])))
    assert "Nominations are open" in detail
    assert 'name="myself"' in detail and 'name="name"' not in detail  # no options for members
    assert reverse("ballot_console", args=[ballot.pk]) not in detail

    response = member.post(
        reverse("ballot_nominate", args=[ballot.pk]), {"myself": "on", "statement": "I will."}
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(ballot=ballot, member=world.member.member)
    assert candidate.status == Candidate.Status.STANDING and candidate.nominated_by == world.member


def test_a_member_cannot_add_an_option_that_is_not_a_person(client_for, world):
    ballot = draft_election(world, names=())
    response = client_for("member").post(
        reverse("ballot_nominate", args=[ballot.pk]), {"name": "Nobody"}
    )
    assert response.status_code == 400
    assert "Choose one: stand yourself or give a membership number." in page(response)
    assert not Candidate.objects.exists()


def test_auditors_read_a_call_for_candidates_without_a_nomination_form(client_for, world):
    ballot = draft_election(world, names=("Amina",))
    response = client_for("auditor").get(reverse("ballot_detail", args=[ballot.pk]))
    assert response.status_code == 200 and "Amina" in page(response)
    assert 'name="myself"' not in page(response)


def test_outsiders_and_anonymous_visitors_do_not_see_ballots(client_for, world):
    ballot = open_question(world)
    url = reverse("ballot_detail", args=[ballot.pk])
    assert client_for("outsider").get(url).status_code == 403
    assert client_for("anonymous").get(url).status_code == 302


# ---------------------------------------------------------------------------
# Voting
# ---------------------------------------------------------------------------


def test_voting_on_a_question_gives_a_receipt_page_and_one_participation(
    client_for, world, bounded
):
    ballot = open_question(world)
    client = client_for("member")
    response = bounded(client.post, vote_url(ballot), {"choice": "yes"}, most=MAX_WRITE_QUERIES)
    assert response.status_code == 200
    body = page(response)
    receipt = response.context["receipt"]
    assert "Your vote is cast" in body
    assert receipt.code in body
    assert "no-store" in response["Cache-Control"]
    assert Participation.objects.filter(ballot=ballot, member=world.member.member).count() == 1
    assert decrypted_board(ballot) == [{"choice": "yes"}]


def test_after_voting_the_page_says_so_and_offers_no_form(client_for, world, bounded):
    ballot = open_question(world)
    client = client_for("member")
    client.post(vote_url(ballot), {"choice": "no"})
    body = page(bounded(client.get, reverse("ballot_detail", args=[ballot.pk])))
    assert "You have voted" in body
    assert 'name="choice"' not in body


def test_voting_is_only_a_post(client_for, world):
    ballot = open_question(world)
    assert client_for("member").get(vote_url(ballot)).status_code == 405


def test_a_question_without_an_answer_is_refused_next_to_the_field(client_for, world, bounded):
    ballot = open_question(world)
    response = bounded(client_for("member").post, vote_url(ballot), {})
    assert response.status_code == 400
    body = page(response)
    assert "Choose yes, no, abstain or blank." in body
    assert 'id="vote-self-choice_error"' in body
    assert 'aria-describedby="vote-self-choice_error"' in body  # on the radio group's fieldset
    assert not Participation.objects.exists()


@pytest.mark.parametrize(
    ("preferences", "field", "message"),
    [
        ({"preference_1": "c1", "preference_3": "c2"}, "preference_3", "without gaps"),
        ({"preference_1": "c2", "preference_2": "c2"}, "preference_2", "rank each candidate once"),
    ],
)
def test_a_ranking_with_a_gap_or_a_repeat_is_refused_and_records_nothing(
    client_for, world, bounded, preferences, field, message
):
    ballot = open_election(world)
    response = bounded(client_for("member").post, vote_url(ballot), preferences)
    assert response.status_code == 400
    body = page(response)
    assert message in body
    assert f'id="vote-self-{field}_error"' in body
    assert f'aria-describedby="vote-self-{field}_error"' in body
    assert 'aria-invalid="true"' in body
    # What the voter chose stays selected so it can be corrected.
    assert f'<option value="{preferences["preference_1"]}" selected>' in body
    assert not Participation.objects.exists() and not BallotPaper.objects.exists()


def test_a_ranked_vote_through_the_page_records_the_ranking(client_for, world, bounded):
    ballot = open_election(world)
    response = bounded(
        client_for("member").post,
        vote_url(ballot),
        {"preference_1": "c3", "preference_2": "c1", "preference_3": ""},
        most=MAX_WRITE_QUERIES,
    )
    assert response.status_code == 200
    assert decrypted_board(ballot) == [{"ranking": ["c3", "c1"]}]


def test_a_second_vote_is_refused_with_a_message_and_records_nothing_more(
    client_for, world, bounded
):
    ballot = open_question(world)
    client = client_for("member")
    assert client.post(vote_url(ballot), {"choice": "yes"}).status_code == 200
    response = bounded(client.post, vote_url(ballot), {"choice": "no"}, most=MAX_WRITE_QUERIES)
    assert response.status_code == 400
    assert "A vote has already been cast for this member in this ballot." in page(response)
    assert 'role="alert"' in page(response)
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert decrypted_board(ballot) == [{"choice": "yes"}]


def test_a_member_not_on_the_roll_cannot_vote(client, world, bounded):
    ballot = open_question(world)
    latecomer = add_voters(world, 1)[0]  # eligible now, but the roll froze at opening
    client.force_login(latecomer)
    body = page(bounded(client.get, reverse("ballot_detail", args=[ballot.pk])))
    assert "You are not on the electoral roll" in body
    assert 'name="choice"' not in body
    response = bounded(client.post, vote_url(ballot), {"choice": "yes"}, most=MAX_WRITE_QUERIES)
    assert response.status_code == 403
    assert "You are not on the electoral roll of this ballot." in page(response)
    assert not Participation.objects.exists() and not BallotPaper.objects.exists()


def test_auditors_are_refused_before_any_vote_is_parsed(client_for, world):
    ballot = open_question(world)
    assert client_for("auditor").post(vote_url(ballot), {"choice": "yes"}).status_code == 403
    assert not Participation.objects.exists()


def test_a_vote_after_the_close_is_refused(client_for, world, bounded):
    ballot = open_question(world)
    close_and_tally(actor=world.officer, ballot=ballot)
    response = bounded(
        client_for("member").post, vote_url(ballot), {"choice": "yes"}, most=MAX_WRITE_QUERIES
    )
    assert response.status_code == 400
    assert "This ballot is not open for voting." in page(response)
    assert not BallotPaper.objects.exists()


def test_a_secret_ballot_never_shows_who_voted_what(client_for, world, bounded):
    ballot = open_question(world)
    voter = world.member.member
    client = client_for("member")
    client.post(vote_url(ballot), {"choice": "no"})
    services.cast_vote(actor=world.officer, ballot=ballot, choices="yes")
    publish(world, ballot)
    for role in ("officer", "auditor", "member"):
        client = client_for(role)
        for url in (
            reverse("ballot_detail", args=[ballot.pk]),
            reverse("ballot_results", args=[ballot.pk]),
        ):
            body = page(bounded(client.get, url))
            assert voter.last_name not in body, (role, url)
            assert world.officer.member.last_name not in body, (role, url)
            assert voter.membership_number not in body, (role, url)
    exported = page(client_for("auditor").get(reverse("ballot_papers_json", args=[ballot.pk])))
    assert voter.last_name not in exported and voter.membership_number not in exported


def test_a_roll_call_result_lists_each_vote_by_name(client_for, world, bounded):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_roll_call(world))
    client_for("officer").post(vote_url(ballot), {"choice": "yes"})
    publish(world, ballot)
    body = page(bounded(client_for("member").get, reverse("ballot_results", args=[ballot.pk])))
    assert "Votes by name" in body
    assert f"<tr><td>{world.officer.member.full_name}</td><td>Yes</td></tr>" in body


def test_the_receipt_check_finds_the_encrypted_paper_during_and_after_the_ballot(
    client_for, world, bounded
):
    ballot = open_question(world)
    client = client_for("member")
    code = client.post(vote_url(ballot), {"choice": "abstain"}).context["receipt"].code
    during = page(bounded(client.post, reverse("ballot_receipt_check"), {"code": code}))
    assert "Your encrypted paper is in the ballot box, at place 0" in during
    assert "Abstain" not in during
    publish(world, ballot)
    body = page(bounded(client.post, reverse("ballot_receipt_check"), {"code": code}))
    assert "Your encrypted paper is in the ballot box" in body and "Abstain" not in body
    assert reverse("ballot_results", args=[ballot.pk]) in body
    unknown = page(bounded(client.post, reverse("ballot_receipt_check"), {"code": "not-a-code"}))
    assert "No paper with this receipt." in unknown


def test_a_receipt_check_by_get_shows_the_empty_form_and_reads_no_code(client_for, world):
    ballot = open_question(world)
    client = client_for("member")
    code = client.post(vote_url(ballot), {"choice": "abstain"}).context["receipt"].code
    body = page(client.get(reverse("ballot_receipt_check"), {"code": code}))
    assert "Your encrypted paper" not in body and 'method="post"' in body


# ---------------------------------------------------------------------------
# Results and the published papers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("voters", [4, 30])
def test_published_stv_results_show_the_stage_table_and_the_elected_in_constant_queries(
    client_for, world, django_assert_max_num_queries, voters
):
    ballot = counted_election(world, voters)
    services.publish_results(actor=world.officer, ballot=ballot)
    client = client_for("member")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("ballot_results", args=[ballot.pk]))
    assert response.status_code == 200
    body = page(response)
    ballot.refresh_from_db()
    elected = ballot.decision.figures["elected"]
    assert len(elected) == 2
    assert "".join(f"<li>{name}</li>" for name in elected) in body  # in the order of election
    assert 'class="stages"' in body
    assert "Stage 1" in body and "First preferences counted" in body
    assert "Non-transferable (exhausted) so far" in body
    surplus_stage = ballot.result["count"]["stages"][1]
    assert surplus_stage["action_code"] == "surplus_transferred"
    assert f'<td class="num"><span dir="ltr">{surplus_stage["surplus"]}</span></td>' in body
    assert f'<span class="transfer" dir="ltr">+{surplus_stage["transfers"]["c3"]}</span>' in body
    assert ballot.decision.reference in body
    assert "Article 16" in body
    assert ballot.seed in body
    assert "<meter" in body and "style=" not in body
    assert reverse("ballot_papers_json", args=[ballot.pk]) in body
    assert reverse("ballot_papers_blt", args=[ballot.pk]) in body
    assert reverse("ballot_receipt_check") in body


def test_question_results_show_shares_in_colours_that_mean_and_the_majority_line(
    client_for, world, bounded
):
    ballot = open_question(world)
    for user, choice in (
        (world.member, "yes"),
        (world.officer, "yes"),
        (world.other_officer, "no"),
    ):
        services.cast_vote(actor=user, ballot=ballot, choices=choice)
    publish(world, ballot)
    body = page(bounded(client_for("member").get, reverse("ballot_results", args=[ballot.pk])))
    assert '<span class="share share-for w-67"></span>' in body  # yes: 2 of 3
    assert '<span class="share share-against w-33"></span>' in body  # no: 1 of 3
    assert '<span title="66.67 %">67 %</span>' in body  # rounded, the exact figure beside it
    assert 'class="majority-line at-' in body
    assert "Adopted" in body
    assert reverse("ballot_papers_blt", args=[ballot.pk]) not in body  # not ranked


def test_counted_results_are_for_officers_and_auditors_until_published(client_for, world, bounded):
    ballot = counted_election(world)
    url = reverse("ballot_results", args=[ballot.pk])
    assert client_for("member").get(url).status_code == 404
    assert bounded(client_for("auditor").get, url).status_code == 200
    response = bounded(client_for("officer").get, url)
    assert "Counted but not published yet" in page(response)
    assert reverse("ballot_papers_json", args=[ballot.pk]) not in page(response)


def test_papers_downloads_are_refused_before_publication(client_for, world):
    ballot = counted_election(world)
    client = client_for("officer")
    assert client.get(reverse("ballot_papers_json", args=[ballot.pk])).status_code == 404
    assert client.get(reverse("ballot_papers_blt", args=[ballot.pk])).status_code == 404


def test_papers_json_and_blt_are_published_with_the_results(client_for, world):
    ballot = counted_election(world, voters=4)
    services.publish_results(actor=world.officer, ballot=ballot)
    client = client_for("member")
    response = client.get(reverse("ballot_papers_json", args=[ballot.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ballot-{ballot.pk}.json"'
    exported = json.loads(response.content)
    assert len(exported["papers"]) == 5
    assert exported["ballot"]["seed"] == ballot.seed
    blt = client.get(reverse("ballot_papers_blt", args=[ballot.pk]))
    assert blt.status_code == 200
    assert blt["Content-Type"].startswith("text/plain")
    assert blt.content.decode().splitlines()[0] == "3 2"  # three candidates, two seats
    assert '"Amina"' in blt.content.decode()


def test_a_question_has_no_blt_file(client_for, world):
    ballot = open_question(world)
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    publish(world, ballot)
    assert (
        client_for("member").get(reverse("ballot_papers_blt", args=[ballot.pk])).status_code == 404
    )


# ---------------------------------------------------------------------------
# The officers' console
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("voters", [3, 30])
def test_console_shows_turnout_in_constant_queries(
    client_for, world, django_assert_max_num_queries, voters
):
    users = add_voters(world, voters)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    for user in users[:2]:
        services.cast_vote(actor=user, ballot=ballot, choices="yes")
    client = client_for("officer")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("ballot_console", args=[ballot.pk]))
    assert response.status_code == 200
    body = page(response)
    assert f"2 of {voters + 4} voters on the roll have taken part online." in body
    assert 'hx-trigger="every 10s"' in body
    assert f'href="{reverse("ballot_confirm", args=[ballot.pk, "close"])}"' in body


def test_htmx_refresh_of_the_console_returns_only_the_turnout_partial(
    client_for, world, django_assert_max_num_queries
):
    ballot = open_question(world)
    services.cast_vote(actor=world.member, ballot=ballot, choices="no")
    client = client_for("officer")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(
            reverse("ballot_console", args=[ballot.pk]), headers={"HX-Request": "true"}
        )
    body = page(response).strip()
    assert body.startswith('<section id="turnout"')
    assert body.endswith("</section>")
    assert "<html" not in body and "Next step" not in body
    assert "1 of 4 voters on the roll have taken part online." in body
    assert f'hx-get="{reverse("ballot_console", args=[ballot.pk])}"' in body
    assert 'hx-swap="outerHTML"' in body


def test_an_officer_takes_a_ballot_through_its_lifecycle_from_the_console(
    client_for, world, bounded, django_capture_on_commit_callbacks
):
    ballot = draft_ballot(world)
    client = client_for("officer")
    for action, status in (("open", "open"), ("close", "closed")):
        # The close's commit sends the tally to the task worker (immediate in the suite).
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(action_url(ballot, action))
        assert response.status_code == 302
        assert response["Location"] == reverse("ballot_console", args=[ballot.pk])
        assert status_of(ballot) == status
    response = bounded(
        # The count also asks the motions app whether the ballot decides a motion (2 queries)
        # and opens the ballot box: the guard reads its tally's state, then its row locked,
        # its board, the weight cast, the papers (5); the demo trustees' shares, read and
        # written (2, since the demo keys are demo trustees); the console it lands on reads
        # the mailings' progress (1).
        client.post,
        action_url(ballot, "count"),
        follow=True,
        most=2 * MAX_WRITE_QUERIES + 10,
    )
    assert status_of(ballot) == "counted"
    assert "The ballot is counted and the decision recorded." in page(response)
    client.post(action_url(ballot, "publish"))
    assert status_of(ballot) == "published"
    assert Ballot.objects.get(pk=ballot.pk).decision is not None


def test_a_step_out_of_order_is_refused_with_a_message(client_for, world, bounded):
    ballot = open_question(world)
    response = bounded(
        client_for("officer").post, action_url(ballot, "publish"), follow=True, most=2 * MAX_QUERIES
    )
    assert "cannot become published" in page(response)
    assert status_of(ballot) == "open"


def test_lifecycle_steps_are_posts_only(client_for, world):
    ballot = draft_ballot(world)
    assert client_for("officer").get(action_url(ballot, "open")).status_code == 405
    assert status_of(ballot) == "draft"


def test_the_console_and_its_steps_are_refused_to_members(client_for, world):
    ballot = open_question(world)
    client = client_for("member")
    assert client.get(reverse("ballot_console", args=[ballot.pk])).status_code == 403
    assert client.post(action_url(ballot, "close")).status_code == 403
    assert status_of(ballot) == "open"


def test_auditors_read_the_ballot_but_neither_see_the_console_nor_act(client_for, world):
    ballot = open_question(world)
    client = client_for("auditor")
    assert client.get(reverse("ballot_console", args=[ballot.pk])).status_code == 403
    assert client.post(action_url(ballot, "close")).status_code == 403
    assert status_of(ballot) == "open"
    assert client.get(reverse("ballot_detail", args=[ballot.pk])).status_code == 200


def test_officers_of_another_body_cannot_run_the_ballot(client_for, world):
    ballot = open_question(world)
    client = client_for("other_officer")
    assert client.get(reverse("ballot_console", args=[ballot.pk])).status_code == 403
    assert client.post(action_url(ballot, "close")).status_code == 403
    assert status_of(ballot) == "open"


def test_cancelling_needs_a_reason(client_for, world, bounded):
    ballot = open_question(world)
    client = client_for("officer")
    response = bounded(
        client.post,
        action_url(ballot, "cancel"),
        {"reason": "  "},
        follow=True,
        most=2 * MAX_QUERIES,
    )
    assert "Give the reason for cancelling." in page(response)
    assert status_of(ballot) == "open"
    client.post(action_url(ballot, "cancel"), {"reason": "Wrong question text"})
    ballot.refresh_from_db()
    assert ballot.status == "cancelled" and ballot.cancel_reason == "Wrong question text"
    body = page(bounded(client.get, reverse("ballot_detail", args=[ballot.pk])))
    assert "Wrong question text" in body
    assert 'class="badge status-cancelled"' in body


def test_paper_counts_count_once_a_second_teller_confirms(client_for, world, bounded):
    MandateFactory(member=world.other_officer.member, body=world.assembly_body)
    ballot = open_question(world)
    enlarge_roll(ballot, 35)
    client = client_for("officer")
    response = client.post(
        reverse("paper_count_enter", args=[ballot.pk]),
        {"label": "Room A", "lines": "yes,30\nno,5\n"},
    )
    assert response.status_code == 302
    batch = PaperCount.objects.get(ballot=ballot)
    assert batch.papers == 35 and batch.content == {"groups": [["yes", 30], ["no", 5]]}
    console = page(bounded(client.get, reverse("ballot_console", args=[ballot.pk])))
    assert "Room A" in console and "awaiting a second teller" in console
    # The teller who entered the batch cannot confirm it.
    same = client.post(reverse("paper_count_confirm", args=[batch.pk]))
    assert same.status_code == 403
    assert PaperCount.objects.get(pk=batch.pk).confirmed_by is None
    second = client_for("other_officer")
    assert f'action="{reverse("paper_count_confirm", args=[batch.pk])}"' in page(
        bounded(second.get, reverse("ballot_console", args=[ballot.pk]))
    )
    second.post(reverse("paper_count_confirm", args=[batch.pk]))
    assert PaperCount.objects.get(pk=batch.pk).confirmed_by == world.other_officer


def test_a_bad_paper_batch_is_shown_again_with_the_error_and_writes_nothing(
    client_for, world, bounded
):
    ballot = open_election(world)
    response = bounded(
        client_for("officer").post,
        reverse("paper_count_enter", args=[ballot.pk]),
        {"label": "Box 1", "lines": "c1 c9,4"},
    )
    assert response.status_code == 400
    body = page(response)
    assert "Line 1: c9 is not the code of a candidate standing." in body
    assert 'aria-describedby="id_lines_helptext id_lines_error"' in body
    assert not PaperCount.objects.exists()


# ---------------------------------------------------------------------------
# Candidates and proxies
# ---------------------------------------------------------------------------


def test_a_nomination_waits_for_consent_and_the_nominee_may_withdraw(client_for, world, bounded):
    ballot = draft_election(world, names=("Option A",))
    nominee = world.member.member
    officer = client_for("officer")
    form_page = page(bounded(officer.get, reverse("ballot_detail", args=[ballot.pk])))
    assert f'action="{reverse("ballot_nominate", args=[ballot.pk])}"' in form_page
    response = officer.post(
        reverse("ballot_nominate", args=[ballot.pk]),
        {"member": nominee.membership_number, "statement": "Ten years of accounts."},
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(ballot=ballot, member=nominee)
    assert candidate.status == Candidate.Status.NOMINATED

    member = client_for("member")
    assert f'action="{reverse("candidate_consent", args=[candidate.pk])}"' in page(
        bounded(member.get, reverse("ballot_list"))
    )
    member.post(reverse("candidate_consent", args=[candidate.pk]))
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.STANDING
    member.post(reverse("candidate_withdraw", args=[candidate.pk]))
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.WITHDRAWN


def test_only_the_nominee_consents(client_for, world):
    ballot = draft_election(world, names=("Option A",))
    candidate = services.nominate_candidate(
        actor=world.officer, ballot=ballot, member=world.member.member
    )
    response = client_for("other_officer").post(reverse("candidate_consent", args=[candidate.pk]))
    assert response.status_code == 403
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.NOMINATED


def test_an_officer_standing_themselves_stands_at_once(client_for, world):
    ballot = draft_election(world, names=())
    client_for("officer").post(
        reverse("ballot_nominate", args=[ballot.pk]), {"myself": "on", "statement": "Hello"}
    )
    candidate = Candidate.objects.get(ballot=ballot)
    assert candidate.member == world.officer.member
    assert candidate.status == Candidate.Status.STANDING and candidate.statement == "Hello"


def test_a_nomination_naming_nobody_is_refused_on_the_form(client_for, world, bounded):
    ballot = draft_election(world, names=())
    response = bounded(client_for("officer").post, reverse("ballot_nominate", args=[ballot.pk]))
    assert response.status_code == 400
    body = page(response)
    assert "Choose one: stand yourself, give a membership number, or name an option." in body
    assert 'id="nominate-errors"' in body
    assert not Candidate.objects.exists()


def test_statements_are_shown_with_the_candidates(client_for, world, bounded):
    ballot = draft_election(world, names=())
    services.nominate_candidate(
        actor=world.officer, ballot=ballot, name="Keep the office", statement="Cheaper."
    )
    services.open_ballot(actor=world.officer, ballot=ballot)
    body = page(bounded(client_for("member").get, reverse("ballot_detail", args=[ballot.pk])))
    assert "<strong>Keep the office</strong>" in body and "<p>Cheaper.</p>" in body


def test_a_proxy_is_given_used_by_its_holder_on_the_page_and_revocable_before(
    client_for, world, bounded
):
    ballot = open_question(world)
    giver = world.member.member
    member = client_for("member")
    assert f'action="{reverse("proxy_give", args=[ballot.pk])}"' in page(
        bounded(member.get, reverse("ballot_detail", args=[ballot.pk]))
    )
    response = member.post(
        reverse("proxy_give", args=[ballot.pk]), {"holder": world.officer.member.membership_number}
    )
    assert response.status_code == 302
    proxy = Proxy.objects.get(ballot=ballot, giver=giver)
    assert proxy.status == Proxy.Status.ACTIVE
    body = page(bounded(member.get, reverse("ballot_detail", args=[ballot.pk])))
    assert "carries your proxy" in body and 'name="choice"' not in body

    member.post(reverse("proxy_revoke", args=[proxy.pk]))
    assert Proxy.objects.get(pk=proxy.pk).status == Proxy.Status.REVOKED
    assert 'name="choice"' in page(bounded(member.get, reverse("ballot_detail", args=[ballot.pk])))

    # Given again, the holder sees a second voting form and casts the vote for the giver.
    services.give_proxy(actor=world.member, ballot=ballot, holder=world.officer.member)
    holder = client_for("officer")
    body = page(bounded(holder.get, reverse("ballot_detail", args=[ballot.pk])))
    assert f"Vote for {giver.full_name} (proxy)" in body
    assert f'name="on_behalf_of" value="{giver.pk}"' in body
    response = bounded(
        holder.post,
        vote_url(ballot),
        {"choice": "no", "on_behalf_of": giver.pk},
        most=MAX_WRITE_QUERIES,
    )
    assert response.status_code == 200
    assert Participation.objects.get(ballot=ballot, member=giver).by_proxy
    assert not Participation.objects.filter(ballot=ballot, member=world.officer.member).exists()


def test_a_proxy_to_an_unknown_number_is_refused_on_the_form(client_for, world, bounded):
    ballot = open_question(world)
    response = bounded(
        client_for("member").post, reverse("proxy_give", args=[ballot.pk]), {"holder": "X"}
    )
    assert response.status_code == 400
    assert "No member has this membership number." in page(response)
    assert 'aria-describedby="id_holder_error"' in page(response)
    assert not Proxy.objects.exists()


def test_a_proxy_cannot_be_revoked_by_someone_else(client_for, world):
    ballot = open_question(world)
    proxy = services.give_proxy(actor=world.member, ballot=ballot, holder=world.officer.member)
    assert client_for("officer").post(reverse("proxy_revoke", args=[proxy.pk])).status_code == 403
    assert Proxy.objects.get(pk=proxy.pk).status == Proxy.Status.ACTIVE
