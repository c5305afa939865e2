"""The voting engine's REST API: each endpoint, each role, bad input, and the schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from elections import services
from elections.counting import tally_file
from elections.models import (
    Ballot,
    BallotPaper,
    BoardEntry,
    Candidate,
    PaperCount,
    Participation,
    Proxy,
)
from governance.models import AuditEvent, Decision
from tests.elections.boxes import decrypted_board
from tests.elections.conftest import add_voters, draft_ballot, draft_election, enlarge_roll
from tests.factories import DuesFactory, MandateFactory, MemberFactory, close_and_tally

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "officer", "other_officer", "auditor", "staff"]


def post(client, name, *args, data=None):
    return client.post(reverse(name, args=args), data or {}, content_type="application/json")


def get(client, name, *args):
    return client.get(reverse(name, args=args))


def vote(user, ballot, choices, **kwargs):
    return services.cast_vote(actor=user, ballot=ballot, choices=choices, **kwargs)


def counted(world, ballot) -> Ballot:
    close_and_tally(actor=world.officer, ballot=ballot)
    return services.count_ballot(actor=world.officer, ballot=ballot)


def published(world, ballot) -> Ballot:
    return services.publish_results(actor=world.officer, ballot=counted(world, ballot))


def number(user) -> str:
    return user.member.membership_number


def create_payload(**overrides) -> dict:
    now = timezone.now()
    payload = {
        "body": "general-assembly",
        "title": "Adopt the budget",
        "question": "Does the General Assembly adopt the budget?",
        "kind": "question",
        "method": "yesno",
        "rule_scope": "assembly",
        "article": "8",
        "opens_at": now.isoformat(),
        "closes_at": (now + dt.timedelta(days=7)).isoformat(),
    }
    payload.update(overrides)
    return payload


# ---------------------------------------------------------------------------
# Who gets what: every endpoint tried as every role
# ---------------------------------------------------------------------------
#
# Each case builds its object through the services (as the officer) and returns
# (method, url name, url args, body). Expected statuses default to 403 for anonymous
# and outsider; auditors are refused on every POST.


def case_list(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    return "get", "api_ballots", [], None, question


def case_detail(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    return "get", "api_ballot", [question.pk], None, question


def case_draft_detail(world):
    draft = draft_ballot(world)
    return "get", "api_ballot", [draft.pk], None, draft


def case_create(world):
    return "post", "api_ballot_create", [], create_payload(), None


def case_vote(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    return "post", "api_ballot_vote", [question.pk], {"choices": "yes"}, question


def case_open(world):
    draft = draft_ballot(world)
    return "post", "api_ballot_open", [draft.pk], None, draft


def case_close(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    return "post", "api_ballot_close", [question.pk], None, question


def case_count(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    close_and_tally(actor=world.officer, ballot=question)
    return "post", "api_ballot_count", [question.pk], None, question


def case_publish(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    counted(world, question)
    return "post", "api_ballot_publish", [question.pk], None, question


def case_cancel(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    return "post", "api_ballot_cancel", [question.pk], {"reason": "Wrong text"}, question


def case_add_option(world):
    election = draft_election(world, names=())
    return "post", "api_ballot_candidates", [election.pk], {"name": "Option A"}, election


def case_consent(world):
    election = draft_election(world, names=())
    candidate = services.nominate_candidate(
        actor=world.member, ballot=election, member=world.other_officer.member
    )
    return "post", "api_candidate_consent", [candidate.pk], None, election


def case_withdraw(world):
    election = draft_election(world, names=())
    candidate = services.nominate_candidate(
        actor=world.member, ballot=election, member=world.member.member
    )
    return "post", "api_candidate_withdraw", [candidate.pk], None, election


def case_give_proxy(world):
    holder = add_voters(world, 1)[0]
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    return "post", "api_ballot_proxies", [question.pk], {"holder": number(holder)}, question


def case_draft_give_proxy(world):
    draft = draft_ballot(world)
    holder = add_voters(world, 1)[0]
    return "post", "api_ballot_proxies", [draft.pk], {"holder": number(holder)}, draft


def case_revoke_proxy(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    proxy = services.give_proxy(actor=world.member, ballot=question, holder=world.officer.member)
    return "post", "api_proxy_revoke", [proxy.pk], None, question


def case_draft_election_detail(world):
    election = draft_election(world)
    return "get", "api_ballot", [election.pk], None, election


def case_self_nomination(world):
    election = draft_election(world, names=())
    body = {"membership_number": number(world.member)}
    return "post", "api_ballot_candidates", [election.pk], body, election


def case_enter_papers(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    body = {"label": "Room A", "groups": [["yes", 3], ["no", 1]]}
    return "post", "api_ballot_paper_counts", [question.pk], body, question


def case_confirm_papers(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    batch = services.enter_paper_count(
        actor=world.officer, ballot=question, label="Room A", groups=[["yes", 3]]
    )
    return "post", "api_paper_count_confirm", [batch.pk], None, question


def case_counted_results(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    counted(world, question)
    return "get", "api_ballot_results", [question.pk], None, question


def case_published_papers(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    vote(world.member, question, "yes")
    published(world, question)
    return "get", "api_ballot_papers", [question.pk], None, question


def case_receipt(world):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    receipt = vote(world.member, question, "yes")
    return "post", "api_receipt_check", [], {"code": receipt.code}, question


def expect(**statuses) -> dict[str, int]:
    return {"anonymous": 403, "outsider": 403, **statuses}


READ = expect(member=200, officer=200, other_officer=200, auditor=200, staff=200)
OFFICER_STEP = expect(member=403, officer=200, other_officer=403, auditor=403, staff=200)
#: A draft question is seen only by those who run it: to the others it is not there, for a
#: write as for a read (auditors are refused before any lookup: they change nothing).
DRAFT_STEP = expect(member=404, officer=200, other_officer=404, auditor=403, staff=200)

MATRIX = {
    "list": (case_list, READ),
    "detail": (case_detail, READ),
    "draft detail": (
        case_draft_detail,
        expect(member=404, officer=200, other_officer=404, auditor=404, staff=200),
    ),
    # A draft election is the call for candidates: every reader sees it, as on its page.
    "draft election detail": (case_draft_election_detail, READ),
    "create": (
        case_create,
        expect(member=403, officer=201, other_officer=403, auditor=403, staff=201),
    ),
    # Staff have no membership, so no vote; auditors change nothing.
    "vote": (case_vote, expect(member=201, officer=201, other_officer=201, auditor=403, staff=403)),
    "open": (case_open, DRAFT_STEP),
    "close": (case_close, OFFICER_STEP),
    "count": (case_count, OFFICER_STEP),
    "publish": (case_publish, OFFICER_STEP),
    "cancel": (case_cancel, OFFICER_STEP),
    "add option": (
        case_add_option,
        expect(member=403, officer=201, other_officer=403, auditor=403, staff=201),
    ),
    # Only the nominee accepts a nomination.
    "consent": (
        case_consent,
        expect(member=403, officer=403, other_officer=200, auditor=403, staff=403),
    ),
    # The candidate, or an officer of the body.
    "withdraw": (
        case_withdraw,
        expect(member=200, officer=200, other_officer=403, auditor=403, staff=200),
    ),
    "give proxy": (
        case_give_proxy,
        expect(member=201, officer=201, other_officer=201, auditor=403, staff=403),
    ),
    # On a draft question the ballot is not there for members (its page says the same).
    "give proxy on a draft": (
        case_draft_give_proxy,
        expect(member=404, officer=201, other_officer=404, auditor=403, staff=403),
    ),
    # Members stand in a draft election (or nominate another), and read it then; staff
    # hold no membership.
    "nominate a member": (
        case_self_nomination,
        expect(member=201, officer=201, other_officer=201, auditor=403, staff=403),
    ),
    # Only the giver, not even the holder.
    "revoke proxy": (
        case_revoke_proxy,
        expect(member=200, officer=403, other_officer=403, auditor=403, staff=403),
    ),
    "enter papers": (
        case_enter_papers,
        expect(member=403, officer=201, other_officer=403, auditor=403, staff=201),
    ),
    # The teller who entered the batch cannot confirm it.
    "confirm papers": (
        case_confirm_papers,
        expect(member=403, officer=403, other_officer=403, auditor=403, staff=200),
    ),
    "counted results": (
        case_counted_results,
        expect(member=404, officer=200, other_officer=404, auditor=200, staff=200),
    ),
    "published papers": (case_published_papers, READ),
    # Checking a receipt reads; it changes nothing, so auditors may do it too.
    "receipt": (case_receipt, READ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_each_role_gets_the_expected_answer_from_each_endpoint(world, client_for, endpoint, role):
    make_case, expected = MATRIX[endpoint]
    method, name, args, body, _ballot = make_case(world)
    events = AuditEvent.objects.count()
    client = client_for(role)
    response = get(client, name, *args) if method == "get" else post(client, name, *args, data=body)
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert AuditEvent.objects.count() == events  # a refusal writes nothing


@pytest.mark.parametrize(
    "name",
    [
        "api_ballot_vote",
        "api_ballot_open",
        "api_ballot_close",
        "api_ballot_count",
        "api_ballot_retry_tally",
        "api_ballot_publish",
        "api_ballot_cancel",
        "api_ballot_candidates",
        "api_candidate_consent",
        "api_candidate_withdraw",
        "api_ballot_proxies",
        "api_proxy_revoke",
        "api_ballot_paper_counts",
        "api_paper_count_confirm",
    ],
)
def test_get_on_a_post_only_endpoint_is_405(client_for, name):
    assert get(client_for("officer"), name, 1).status_code == 405


@pytest.mark.parametrize("name", ["api_ballot_create", "api_receipt_check"])
def test_get_on_a_post_only_endpoint_without_an_id_is_405(client_for, name):
    assert get(client_for("officer"), name).status_code == 405


@pytest.mark.parametrize("name", ["api_ballot", "api_ballot_results", "api_ballot_papers"])
def test_post_on_a_read_endpoint_is_405(world, client_for, name):
    question = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    assert post(client_for("officer"), name, question.pk).status_code == 405


def test_post_on_the_ballot_list_is_405_as_drafting_has_its_own_url(client_for):
    assert post(client_for("officer"), "api_ballots", data=create_payload()).status_code == 405


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------


def test_the_list_tells_a_member_whether_they_are_on_the_roll_and_have_voted(
    world, client_for, question
):
    vote(world.member, question, "yes")
    data = get(client_for("member"), "api_ballots").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["id"] == question.pk
    assert (row["on_roll"], row["has_voted"]) == (True, True)
    assert (row["status"], row["kind"], row["method"], row["seats"]) == (
        "open",
        "question",
        "yesno",
        1,
    )
    assert (row["body"], row["article"], row["statute_version"]) == ("general-assembly", "8", 1)
    assert row["opens_at"] and row["closes_at"]


def test_the_list_shows_a_member_off_the_roll_as_such(world, client, question):
    late = add_voters(world, 1)[0]  # joined the roll of members after the ballot opened
    client.force_login(late)
    row = client.get(reverse("api_ballots")).json()["results"][0]
    assert (row["title"], row["on_roll"], row["has_voted"]) == (question.title, False, False)


def test_the_list_refuses_anonymous_callers(client, question):
    assert client.get(reverse("api_ballots")).status_code == 403


def test_drafts_are_listed_only_for_those_who_may_run_them(world, client_for):
    draft = draft_ballot(world)
    seen = {
        role: [row["id"] for row in get(client_for(role), "api_ballots").json()["results"]]
        for role in ["member", "officer", "other_officer", "auditor", "staff"]
    }
    assert seen == {
        "member": [],
        "officer": [draft.pk],
        "other_officer": [],
        "auditor": [],
        "staff": [draft.pk],
    }


@pytest.mark.parametrize("role", ["member", "officer"])
def test_the_list_costs_the_same_queries_for_one_ballot_or_twenty(
    world, client_for, django_assert_max_num_queries, role
):
    first = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    vote(world.member, first, "yes")
    client = client_for(role)
    with CaptureQueriesContext(connection) as one:
        assert get(client, "api_ballots").json()["count"] == 1
    for _ in range(19):
        services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    client = client_for(role)
    with django_assert_max_num_queries(len(one)):
        assert get(client, "api_ballots").json()["count"] == 20


# ---------------------------------------------------------------------------
# Drafting
# ---------------------------------------------------------------------------


def test_an_officer_drafts_a_ballot_citing_the_article_by_number(world, client_for):
    response = post(client_for("officer"), "api_ballot_create", data=create_payload())
    assert response.status_code == 201, response.content
    ballot = Ballot.objects.get()
    assert response.json()["id"] == ballot.pk
    assert (ballot.status, ballot.body, ballot.created_by) == (
        "draft",
        world.assembly_body,
        world.officer,
    )
    assert (ballot.article.number, ballot.article.version.number) == ("8", 1)


def test_an_officer_drafts_an_election_for_two_seats(world, client_for):
    payload = create_payload(
        kind="election", method="stv", seats=2, article="16", elects_body="board", question=""
    )
    response = post(client_for("officer"), "api_ballot_create", data=payload)
    assert response.status_code == 201, response.content
    assert response.json()["seats"] == 2 and response.json()["elects_body"] == "board"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"seats": "abc"}, "seats"),
        ({"seats": 0}, "seats"),
        ({"body": "nowhere"}, "body"),
        ({"article": "999"}, "article"),
        ({"kind": "referendum"}, "kind"),
        ({"method": "dictator"}, "method"),
        ({"opens_at": "tomorrow"}, "opens_at"),
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"secret": "perhaps"}, "secret"),
        ({"elects_body": "nowhere"}, "elects_body"),
        ({"convocation": 3}, "convocation"),
        ({"max_approvals": "two"}, "max_approvals"),
        # Refused by the service, reported under the same field names:
        ({"method": "stv"}, "method"),
        ({"seats": 2}, "seats"),
        ({"closes_at": (timezone.now() - dt.timedelta(days=1)).isoformat()}, "closes_at"),
        ({"rule_scope": "nowhere"}, "rule_scope"),
        ({"max_approvals": 2}, "max_approvals"),
    ],
)
def test_bad_ballot_settings_are_a_400_naming_the_field(client_for, overrides, field):
    response = post(client_for("officer"), "api_ballot_create", data=create_payload(**overrides))
    assert response.status_code == 400
    assert field in response.json()
    assert not Ballot.objects.exists()


def test_a_missing_field_is_a_400_naming_it(client_for):
    payload = create_payload()
    del payload["rule_scope"]
    response = post(client_for("officer"), "api_ballot_create", data=payload)
    assert response.status_code == 400 and "rule_scope" in response.json()
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null"])
def test_a_body_that_is_not_an_object_is_a_400(client_for, body):
    response = client_for("officer").post(
        reverse("api_ballot_create"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Ballot.objects.exists()


# ---------------------------------------------------------------------------
# Detail
# ---------------------------------------------------------------------------


def test_the_detail_lists_the_candidates(client_for, election):
    data = get(client_for("member"), "api_ballot", election.pk).json()
    assert [(c["code"], c["name"], c["status"]) for c in data["candidates"]] == [
        ("c1", "Amina", "standing"),
        ("c2", "Youssef", "standing"),
        ("c3", "Salma", "standing"),
    ]
    assert {"id", "statement"} <= set(data["candidates"][0])


def test_officers_see_roll_size_and_turnout_and_members_do_not(world, client_for, question):
    vote(world.member, question, "yes")
    officer = get(client_for("officer"), "api_ballot", question.pk).json()
    assert (officer["roll_size"], officer["turnout"]) == (4, 1)
    member = get(client_for("member"), "api_ballot", question.pk).json()
    assert (member["roll_size"], member["turnout"]) == (None, None)


def test_an_unknown_ballot_is_404(client_for):
    assert get(client_for("member"), "api_ballot", 999).status_code == 404


# ---------------------------------------------------------------------------
# Voting
# ---------------------------------------------------------------------------


def test_a_vote_returns_a_tracker_that_finds_the_encrypted_paper(world, client_for, question):
    response = post(client_for("member"), "api_ballot_vote", question.pk, data={"choices": "yes"})
    assert response.status_code == 201
    receipt = response.json()
    paper = services.find_paper(receipt["receipt"])
    assert paper.receipt_fingerprint == receipt["fingerprint"] == receipt["receipt"]
    assert paper.content is None
    assert decrypted_board(question) == [{"choice": "yes"}]


def test_a_ranking_is_cast_in_an_election(client_for, election):
    response = post(
        client_for("member"), "api_ballot_vote", election.pk, data={"choices": ["c2", "c1"]}
    )
    assert response.status_code == 201
    assert decrypted_board(Ballot.objects.get()) == [{"ranking": ["c2", "c1"]}]


def test_a_second_vote_from_the_same_member_is_a_400(client_for, question):
    client = client_for("member")
    post(client, "api_ballot_vote", question.pk, data={"choices": "yes"})
    response = post(client, "api_ballot_vote", question.pk, data={"choices": "no"})
    assert response.status_code == 400
    assert "already" in response.json()["detail"]
    assert BoardEntry.objects.count() == 1


@pytest.mark.parametrize(
    "choices", ["maybe", ["yes"], {"yes": 1}, 1, True, None, [1, 2], [["c1"]], "c1"]
)
def test_invalid_choices_are_a_400_naming_choices_and_write_nothing(client_for, question, choices):
    response = post(client_for("member"), "api_ballot_vote", question.pk, data={"choices": choices})
    assert response.status_code == 400
    assert "choices" in response.json()
    assert not Participation.objects.exists() and not BallotPaper.objects.exists()


@pytest.mark.parametrize("choices", [["c1", "c1"], ["c9"], "c1", {"c1": 1}, [None]])
def test_invalid_rankings_are_a_400_naming_choices(client_for, election, choices):
    response = post(client_for("member"), "api_ballot_vote", election.pk, data={"choices": choices})
    assert response.status_code == 400 and "choices" in response.json()
    assert not BallotPaper.objects.exists()


def test_a_vote_without_choices_is_a_400(client_for, question):
    response = post(client_for("member"), "api_ballot_vote", question.pk, data={})
    assert response.status_code == 400 and "choices" in response.json()


def test_a_voter_off_the_roll_is_refused_with_403(world, client_for, question):
    MemberFactory(user=world.outsider, unit=world.group)  # a member now, but after the roll froze
    DuesFactory(member=world.outsider.member)
    response = post(client_for("outsider"), "api_ballot_vote", question.pk, data={"choices": "no"})
    assert response.status_code == 403
    assert "roll" in response.json()["detail"]
    assert not BallotPaper.objects.exists()


def test_a_vote_on_a_closed_ballot_is_a_400(world, client_for, question):
    close_and_tally(actor=world.officer, ballot=question)
    response = post(client_for("member"), "api_ballot_vote", question.pk, data={"choices": "yes"})
    assert response.status_code == 400
    assert not BallotPaper.objects.exists()


def test_a_proxy_holder_votes_for_the_giver(world, client_for, question):
    services.give_proxy(actor=world.member, ballot=question, holder=world.officer.member)
    response = post(
        client_for("officer"),
        "api_ballot_vote",
        question.pk,
        data={"choices": "no", "on_behalf_of": number(world.member)},
    )
    assert response.status_code == 201
    assert Participation.objects.get(member=world.member.member).by_proxy
    assert Proxy.objects.get().status == Proxy.Status.USED


def test_voting_for_someone_without_their_proxy_is_403(world, client_for, question):
    response = post(
        client_for("officer"),
        "api_ballot_vote",
        question.pk,
        data={"choices": "no", "on_behalf_of": number(world.member)},
    )
    assert response.status_code == 403
    assert not Participation.objects.exists()


def test_an_unknown_membership_number_for_a_proxy_vote_is_a_400(client_for, question):
    response = post(
        client_for("officer"),
        "api_ballot_vote",
        question.pk,
        data={"choices": "yes", "on_behalf_of": "NO-SUCH-NUMBER"},
    )
    assert response.status_code == 400 and "on_behalf_of" in response.json()
    assert not Participation.objects.exists()


# ---------------------------------------------------------------------------
# The lifecycle
# ---------------------------------------------------------------------------


def test_an_officer_takes_a_ballot_from_draft_to_published(
    world, client_for, django_capture_on_commit_callbacks
):
    draft = draft_ballot(world)
    client = client_for("officer")
    assert post(client, "api_ballot_open", draft.pk).json() == {"id": draft.pk, "status": "open"}
    post(client, "api_ballot_vote", draft.pk, data={"choices": "yes"})
    # The close's commit sends the tally to the task worker (immediate in the suite); the
    # count waits for it (tests/elections/test_count_gate.py).
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "api_ballot_close", draft.pk).json()["status"] == "closed"
    assert post(client, "api_ballot_count", draft.pk).json()["status"] == "counted"
    assert post(client, "api_ballot_publish", draft.pk).json()["status"] == "published"
    ballot = Ballot.objects.get()
    assert ballot.status == "published" and ballot.decision is not None


def test_a_skipped_step_is_a_400_and_changes_nothing(client_for, question):
    response = post(client_for("officer"), "api_ballot_publish", question.pk)
    assert response.status_code == 400
    assert "cannot become" in response.json()["detail"]
    assert Ballot.objects.get().status == "open"


def test_cancelling_records_the_reason(client_for, question):
    response = post(
        client_for("officer"), "api_ballot_cancel", question.pk, data={"reason": "Wrong text"}
    )
    assert response.json() == {"id": question.pk, "status": "cancelled"}
    assert Ballot.objects.get().cancel_reason == "Wrong text"


@pytest.mark.parametrize("body", [{}, {"reason": "  "}, {"reason": None}, {"reason": ["x"]}])
def test_cancelling_without_a_reason_is_a_400_naming_it(client_for, question, body):
    response = post(client_for("officer"), "api_ballot_cancel", question.pk, data=body)
    assert response.status_code == 400 and "reason" in response.json()
    assert Ballot.objects.get().status == "open"


def test_a_step_on_an_unknown_ballot_is_404(client_for):
    assert post(client_for("officer"), "api_ballot_open", 999).status_code == 404


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------


def test_a_member_nominates_themselves_and_stands_at_once(world, client_for):
    election = draft_election(world, names=())
    response = post(
        client_for("member"),
        "api_ballot_candidates",
        election.pk,
        data={"membership_number": number(world.member), "statement": "I will listen."},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "standing"
    assert Candidate.objects.get().statement == "I will listen."


def test_a_nomination_by_another_member_waits_for_the_nominees_consent(world, client_for):
    election = draft_election(world, names=())
    response = post(
        client_for("member"),
        "api_ballot_candidates",
        election.pk,
        data={"membership_number": number(world.other_officer)},
    )
    assert response.json()["status"] == "nominated"
    candidate_id = response.json()["id"]
    response = post(client_for("other_officer"), "api_candidate_consent", candidate_id)
    assert response.status_code == 200 and response.json()["status"] == "standing"


def test_a_candidate_withdraws_before_the_ballot_opens(world, client_for):
    election = draft_election(world, names=())
    candidate = services.nominate_candidate(
        actor=world.member, ballot=election, member=world.member.member
    )
    response = post(client_for("member"), "api_candidate_withdraw", candidate.pk)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_an_officer_adds_an_option_that_is_not_a_person(world, client_for):
    election = draft_election(world, names=())
    response = post(client_for("officer"), "api_ballot_candidates", election.pk, data={"name": "X"})
    assert response.status_code == 201
    assert response.json()["code"] == "c1" and Candidate.objects.get().member is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"membership_number": "NO-SUCH-NUMBER"}, "membership_number"),
        ({"membership_number": 12}, "membership_number"),
        ({"name": "  "}, "name"),
        ({}, "name"),
        ({"name": ["Option"]}, "name"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_a_bad_nomination_is_a_400_naming_the_field(world, client_for, body, field):
    election = draft_election(world, names=())
    response = post(client_for("officer"), "api_ballot_candidates", election.pk, data=body)
    assert response.status_code == 400 and field in response.json()
    assert not Candidate.objects.exists()


def test_a_nomination_with_both_a_member_and_a_name_is_a_400(world, client_for):
    election = draft_election(world, names=())
    body = {"membership_number": number(world.member), "name": "Someone"}
    response = post(client_for("member"), "api_ballot_candidates", election.pk, data=body)
    assert response.status_code == 400 and "name" in response.json()
    assert not Candidate.objects.exists()


def test_an_ineligible_nominee_is_a_400_under_membership_number(world, client_for):
    election = draft_election(world, names=())
    newcomer = MemberFactory(
        unit=world.group, joined_on=timezone.localdate() - dt.timedelta(days=10)
    )
    DuesFactory(member=newcomer)
    body = {"membership_number": newcomer.membership_number}
    response = post(client_for("member"), "api_ballot_candidates", election.pk, data=body)
    assert response.status_code == 400
    assert "article 13" in response.json()["membership_number"][0]
    assert not Candidate.objects.exists()


def test_nominations_close_when_the_ballot_opens(world, client_for, election):
    body = {"membership_number": number(world.member)}
    response = post(client_for("member"), "api_ballot_candidates", election.pk, data=body)
    assert response.status_code == 400
    assert Candidate.objects.count() == 3


# ---------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------


def test_a_member_gives_a_proxy_and_revokes_it(world, client_for, question):
    client = client_for("member")
    response = post(
        client, "api_ballot_proxies", question.pk, data={"holder": number(world.officer)}
    )
    assert response.status_code == 201
    assert response.json()["holder"] == number(world.officer)
    assert response.json()["status"] == "active"
    response = post(client, "api_proxy_revoke", response.json()["id"])
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert Proxy.objects.get().status == Proxy.Status.REVOKED


@pytest.mark.parametrize(
    ("holder", "field"), [("NO-SUCH-NUMBER", "holder"), (None, "holder"), ("self", "holder")]
)
def test_a_bad_proxy_holder_is_a_400_naming_holder(world, client_for, question, holder, field):
    holder = number(world.member) if holder == "self" else holder
    response = post(
        client_for("member"), "api_ballot_proxies", question.pk, data={"holder": holder}
    )
    assert response.status_code == 400 and field in response.json()
    assert not Proxy.objects.exists()


def test_a_proxy_to_someone_off_the_roll_is_a_400(world, client_for, question):
    late = add_voters(world, 1)[0]
    body = {"holder": number(late)}
    response = post(client_for("member"), "api_ballot_proxies", question.pk, data=body)
    assert response.status_code == 400 and "holder" in response.json()
    assert not Proxy.objects.exists()


# ---------------------------------------------------------------------------
# Paper results
# ---------------------------------------------------------------------------


def test_a_batch_entered_by_one_teller_is_confirmed_by_another(world, client_for, question):
    MandateFactory(member=world.other_officer.member, body=world.assembly_body)
    enlarge_roll(question, 35)
    body = {"label": "Room A", "groups": [["yes", 30], ["no", 5]]}
    response = post(client_for("officer"), "api_ballot_paper_counts", question.pk, data=body)
    assert response.status_code == 201
    assert (response.json()["papers"], response.json()["confirmed"]) == (35, False)
    response = post(client_for("other_officer"), "api_paper_count_confirm", response.json()["id"])
    assert response.status_code == 200 and response.json()["confirmed"] is True
    assert PaperCount.objects.get().confirmed_by == world.other_officer


@pytest.mark.parametrize(
    "groups",
    [
        [["maybe", 3]],
        [["yes", 0]],
        [["yes", -1]],
        [["yes"]],
        [["yes", 3, 4]],
        [],
        "yes",
        None,
        {"yes": 3},
        [["yes", "3"]],
        [["yes", True]],
        [["yes", 2.5]],
        [[{"a": 1}, 2]],
        [["yes", 10**9]],
        [[["c1"], 2]],
    ],
)
def test_a_malformed_batch_is_a_400_naming_groups_and_writes_nothing(client_for, question, groups):
    body = {"label": "Box 1", "groups": groups}
    response = post(client_for("officer"), "api_ballot_paper_counts", question.pk, data=body)
    assert response.status_code == 400 and "groups" in response.json()
    assert not PaperCount.objects.exists()


def test_a_batch_without_a_label_is_a_400_naming_label(client_for, question):
    body = {"label": " ", "groups": [["yes", 1]]}
    response = post(client_for("officer"), "api_ballot_paper_counts", question.pk, data=body)
    assert response.status_code == 400 and "label" in response.json()
    assert not PaperCount.objects.exists()


def test_a_ranked_batch_is_accepted_for_an_election(client_for, election):
    enlarge_roll(election, 5)
    body = {"label": "Box 1", "groups": [[["c2", "c1"], 4], [["c3"], 1]]}
    response = post(client_for("officer"), "api_ballot_paper_counts", election.pk, data=body)
    assert response.status_code == 201
    assert PaperCount.objects.get().content == {"groups": [[["c2", "c1"], 4], [["c3"], 1]]}


# ---------------------------------------------------------------------------
# Results, the published list, receipts
# ---------------------------------------------------------------------------


def test_results_are_hidden_from_members_until_published(world, client_for, question):
    vote(world.member, question, "yes")
    vote(world.officer, question, "yes")
    ballot = counted(world, question)
    assert get(client_for("member"), "api_ballot_results", ballot.pk).status_code == 404
    assert get(client_for("officer"), "api_ballot_results", ballot.pk).status_code == 200
    services.publish_results(actor=world.officer, ballot=ballot)
    response = get(client_for("member"), "api_ballot_results", ballot.pk)
    assert response.status_code == 200
    data = response.json()
    assert data["decision"] == Decision.objects.get().reference
    assert data["result"]["outcome"] == "adopted"
    assert data["result"]["figures"]["yes"] == 2


@pytest.mark.parametrize("role", ["officer", "auditor", "staff"])
def test_results_of_an_uncounted_ballot_are_not_found_even_for_officers(
    world, client_for, question, role
):
    close_and_tally(actor=world.officer, ballot=question)
    assert get(client_for(role), "api_ballot_results", question.pk).status_code == 404


def test_the_list_of_papers_is_not_found_until_published(world, client_for, question):
    vote(world.member, question, "yes")
    counted(world, question)
    assert get(client_for("officer"), "api_ballot_papers", question.pk).status_code == 404


def test_the_published_list_of_papers_recounts_to_the_result(world, client_for):
    voters = add_voters(world, 4)
    election = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    rankings = [["c1"], ["c2", "c1"], ["c3", "c2"], ["c1", "c3"]]
    receipts = [
        vote(user, election, ranking) for user, ranking in zip(voters, rankings, strict=True)
    ]
    published(world, election)
    response = get(client_for("member"), "api_ballot_papers", election.pk)
    assert response.status_code == 200
    listed = response.json()
    assert len(listed["papers"]) == 4
    assert {p["receipt_fingerprint"] for p in listed["papers"]}.isdisjoint(
        r.fingerprint for r in receipts
    )
    assert sorted(p["content"]["ranking"] for p in listed["papers"]) == sorted(rankings)
    recount = tally_file(json.dumps(listed))
    assert recount["elected"] == Ballot.objects.get().decision.figures["elected"]


def test_a_receipt_check_finds_the_encrypted_paper_and_shows_no_vote(world, client_for, question):
    receipt = vote(world.member, question, "abstain")
    response = post(client_for("member"), "api_receipt_check", data={"code": receipt.code})
    assert response.status_code == 200
    assert response.json() == {
        "ballot": question.pk,
        "title": question.title,
        "fingerprint": receipt.fingerprint,
        "content": None,
        "position": 0,
    }


def test_an_unknown_receipt_is_not_found(client_for):
    response = post(client_for("member"), "api_receipt_check", data={"code": "not-a-receipt"})
    assert response.status_code == 404


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "x" * 101}, {"code": ["x"]}])
def test_a_malformed_receipt_check_is_a_400_naming_code(client_for, body):
    response = post(client_for("member"), "api_receipt_check", data=body)
    assert response.status_code == 400 and "code" in response.json()


# ---------------------------------------------------------------------------
# The schema
# ---------------------------------------------------------------------------


def test_the_schema_documents_every_voting_endpoint(client_for):
    response = client_for("member").get(reverse("api_schema") + "?format=json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    expected = {
        "/api/ballots/": {"get"},
        "/api/ballots/create/": {"post"},
        "/api/ballots/{id}/": {"get"},
        "/api/ballots/{id}/vote/": {"post"},
        "/api/ballots/{id}/open/": {"post"},
        "/api/ballots/{id}/close/": {"post"},
        "/api/ballots/{id}/count/": {"post"},
        "/api/ballots/{id}/retry_tally/": {"post"},
        "/api/ballots/{id}/publish/": {"post"},
        "/api/ballots/{id}/cancel/": {"post"},
        "/api/ballots/{id}/candidates/": {"post"},
        "/api/candidates/{id}/consent/": {"post"},
        "/api/candidates/{id}/withdraw/": {"post"},
        "/api/ballots/{id}/proxies/": {"post"},
        "/api/proxies/{id}/revoke/": {"post"},
        "/api/ballots/{id}/paper-counts/": {"post"},
        "/api/paper-counts/{id}/confirm/": {"post"},
        "/api/ballots/{id}/results/": {"get"},
        "/api/ballots/{id}/papers/": {"get"},
        "/api/receipts/check/": {"post"},
    }
    assert {path: set(paths.get(path, {})) - {"parameters"} for path in expected} == expected
    vote_operation = paths["/api/ballots/{id}/vote/"]["post"]
    assert {"201", "400", "403"} <= set(vote_operation["responses"])
