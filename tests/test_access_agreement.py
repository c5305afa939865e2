"""The pages and the API agree on who sees what and who may do what (issue 13).

Every kind of object (a ballot in each status, draft and draft election included; the
candidates, proxies and paper counts of a ballot; a motion submitted and a draft, a draft
amendment; a meeting and its proxies; a decision; a member of the roll; the audit log and
its proofs) is asked for as every role, once through its page and once through the API, and
the two answers must fall in the same class: seen, refused (403, or the login page for a
visitor) or not found (404). The write actions both offer are sent the same way: an action may end in a form error
or a refusal by the statutes (the input here is minimal), but a role refused or an object not
found on one side is refused or not found on the other.

The rules themselves are `elections/access.py`, `motions/access.py` and `governance/access.py`;
the statuses each route answers are `tests/governance/test_authorization_matrix.py`'s, whose
rolled-back `send` this walk uses too, so one role's write does not change what the next role
sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from elections import ballot_box
from elections import services as elections
from elections.models import Ballot
from governance import services as governance
from governance.assemblies import services as assemblies
from governance.models import AuditEvent, StatuteVersion
from governance.services import SYSTEM
from motions import services as motions
from tests.elections.conftest import add_voters, draft_ballot, draft_election
from tests.factories import close_and_tally
from tests.governance.assembly_support import convene
from tests.governance.test_authorization_matrix import logged_in, send
from tests.motions.conftest import convene as convene_ahead
from tests.worlds import members_own_proxy

pytestmark = pytest.mark.django_db

#: anonymous; a member; the Board's chair, who acts for the General Assembly (an officer of
#: the body every object here belongs to); the chair of a local group's committee (an officer
#: elsewhere); an auditor; staff.
ROLES = ("anonymous", "member", "officer", "other_officer", "auditor", "staff")

SEEN, REFUSED, NOT_FOUND, ACTED = "seen", "refused", "not found", "acted"


@dataclass(frozen=True)
class Call:
    """One request: a URL name with its arguments, the method and the input."""

    name: str
    args: tuple = ()
    method: str = "get"
    data: dict = field(default_factory=dict)

    def url(self) -> str:
        return reverse(self.name, args=self.args)


def ask(client, call: Call, *, api: bool):
    return send(client, call.method, call.url(), api=api, data=call.data)


def answer(response, *, write: bool) -> str:
    """The class of an answer: what the page and the API must have in common."""
    code = response.status_code
    if code == 403 or (code == 302 and response["Location"].startswith("/accounts/login/")):
        return REFUSED
    if code == 404:
        return NOT_FOUND
    if write:
        return ACTED  # done, or a form error or the statutes' refusal: access let it through
    assert code == 200, (response.request["PATH_INFO"], code)
    return SEEN


@dataclass
class Pair:
    """The same thing asked of the page and of the API."""

    what: str
    page: Call
    api: Call

    @property
    def write(self) -> bool:
        return self.page.method != "get"


def _ballot_in(world, status: str) -> Ballot:
    """A yes/no question to the General Assembly, taken through the services to `status`."""
    ballot = draft_ballot(world, title=f"A question, {status}")
    if status == "draft":
        return ballot
    elections.open_ballot(actor=world.officer, ballot=ballot)
    if status == "cancelled":
        return elections.cancel_ballot(actor=world.officer, ballot=ballot, reason="Wrong text")
    if status == "open":
        return ballot
    elections.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    close_and_tally(actor=world.officer, ballot=ballot)
    if status == "closed":
        return ballot
    elections.count_ballot(actor=world.officer, ballot=ballot)
    if status == "counted":
        return ballot
    return elections.publish_results(actor=world.officer, ballot=ballot)


STATUSES = ("draft", "open", "closed", "counted", "published", "cancelled")


@pytest.fixture
def pairs(world) -> list[Pair]:
    today = timezone.localdate()
    holder = add_voters(world, 1)[0]
    ballots = {status: _ballot_in(world, status) for status in STATUSES}
    election = draft_election(world, names=("Option A",))
    nomination = elections.nominate_candidate(
        actor=world.officer, ballot=election, member=world.member.member
    )
    voting = ballots["open"]
    proxy = elections.give_proxy(actor=world.member, ballot=voting, holder=holder.member)
    batch = elections.enter_paper_count(
        actor=world.officer, ballot=voting, label="Room", groups=[["yes", 3]]
    )
    draft_proxy = elections.give_proxy(
        actor=world.member, ballot=ballots["draft"], holder=holder.member
    )

    meeting = convene(world.assembly_body, day=today)
    meeting_proxy = assemblies.register_proxy(
        actor=world.officer, assembly=meeting, giver=holder.member, holder=world.member.member
    )
    future = convene_ahead(world, title="General Assembly")
    own_proxy = members_own_proxy(world, future)

    def motion(title: str, *, submitted: bool):
        item = motions.create_motion(
            actor=world.member,
            kind="resolution",
            body=world.assembly_body,
            assembly=future,
            title=title,
            text="The General Assembly calls for abolition.\n\nThe Board reports each year.",
        )
        if submitted:
            for supporter in add_voters(world, 5):
                motions.support(actor=supporter, item=item)
            motions.submit_motion(actor=world.member, motion=item)
        return item

    submitted = motion("Abolition", submitted=True)
    draft_motion = motion("A draft", submitted=False)
    amendment = motions.create_amendment(
        actor=world.member, motion=submitted, kind="replace_text", text="A new text."
    )
    decision = governance.record_decision(
        actor=SYSTEM,
        body=world.board,
        title="Budget",
        text="The Board adopts the budget.",
        article=StatuteVersion.objects.get(number=1).articles.get(number="8"),
        outcome="adopted",
        decided_on=today,
    )
    member = world.member.member
    # A secret draft whose one trustee is the member (the trusteeship is theirs alone).
    trusteeship = ballot_box.appoint_trustees(
        actor=world.officer,
        ballot=draft_ballot(world, title="A secret question"),
        members=[member],
        threshold_k=1,
    ).trustees.get()
    assert AuditEvent.objects.exists()

    found = []
    for status, ballot in {**ballots, "draft election": election}.items():
        pk = (ballot.pk,)
        found += [
            Pair(f"ballot ({status})", Call("ballot_detail", pk), Call("api_ballot", pk)),
            Pair(
                f"vote ({status})",
                Call("ballot_vote", pk, "post", {"choice": "yes"}),
                Call("api_ballot_vote", pk, "post", {"choices": "yes"}),
            ),
            Pair(
                f"give a proxy ({status})",
                Call("proxy_give", pk, "post"),
                Call("api_ballot_proxies", pk, "post"),
            ),
            Pair(
                f"nominate a member ({status})",
                Call("ballot_nominate", pk, "post", {"member": holder.member.membership_number}),
                Call(
                    "api_ballot_candidates",
                    pk,
                    "post",
                    {"membership_number": holder.member.membership_number},
                ),
            ),
            Pair(
                f"enter papers ({status})",
                Call("paper_count_enter", pk, "post"),
                Call("api_ballot_paper_counts", pk, "post"),
            ),
            Pair(
                f"name the trustees ({status})",
                Call("ballot_trustees", pk, "post"),
                Call("api_ballot_trustees", pk, "post"),
            ),
        ]
        for step in ("open", "close", "count", "publish"):
            found.append(
                Pair(
                    f"{step} ({status})",
                    Call("ballot_action", (*pk, step), "post"),
                    Call(f"api_ballot_{step}", pk, "post"),
                )
            )
        found.append(
            Pair(
                f"cancel ({status})",
                Call("ballot_action", (*pk, "cancel"), "post", {"reason": "Wrong text"}),
                Call("api_ballot_cancel", pk, "post", {"reason": "Wrong text"}),
            )
        )
        if status in ("open", "closed", "counted", "published"):
            found.append(
                Pair(
                    f"results ({status})",
                    Call("ballot_results", pk),
                    Call("api_ballot_results", pk),
                )
            )
            found.append(
                Pair(
                    f"list of papers ({status})",
                    Call("ballot_papers_json", pk),
                    Call("api_ballot_papers", pk),
                )
            )
    for candidate, where in ((nomination, "draft election"),):
        pk = (candidate.pk,)
        found += [
            Pair(
                f"accept a nomination ({where})",
                Call("candidate_consent", pk, "post"),
                Call("api_candidate_consent", pk, "post"),
            ),
            Pair(
                f"withdraw a candidate ({where})",
                Call("candidate_withdraw", pk, "post"),
                Call("api_candidate_withdraw", pk, "post"),
            ),
        ]
    for item, where in ((proxy, "open"), (draft_proxy, "draft")):
        found.append(
            Pair(
                f"revoke a proxy ({where})",
                Call("proxy_revoke", (item.pk,), "post"),
                Call("api_proxy_revoke", (item.pk,), "post"),
            )
        )
    found += [
        Pair(
            "confirm a batch of papers",
            Call("paper_count_confirm", (batch.pk,), "post"),
            Call("api_paper_count_confirm", (batch.pk,), "post"),
        ),
        Pair(
            "set a batch of papers aside",
            Call("paper_count_set_aside", (batch.pk,), "post", {"reason": "Miscounted"}),
            Call("api_paper_count_set_aside", (batch.pk,), "post", {"reason": "Miscounted"}),
        ),
        # Trustees: the page's ceremony file and the API's trusteeship, then the upload.
        Pair(
            "a trusteeship",
            Call("trustee_ceremony", (trusteeship.pk,)),
            Call("api_trusteeship", (trusteeship.pk,)),
        ),
        Pair(
            "a trusteeship's bundle (draft)",
            Call("trustee_bundle", (trusteeship.pk,)),
            Call("api_trusteeship_bundle", (trusteeship.pk,)),
        ),
        Pair(
            "upload a trustee's file",
            Call("trustee_upload", (trusteeship.pk,), "post"),
            Call("api_trusteeship_upload", (trusteeship.pk,), "post"),
        ),
        Pair(
            "drafting a ballot",
            Call("ballot_create", (), "post"),
            Call("api_ballot_create", (), "post"),
        ),
        # Meetings.
        Pair(
            "a meeting", Call("assembly_detail", (meeting.pk,)), Call("api_assembly", (meeting.pk,))
        ),
        Pair(
            "open a meeting",
            Call("assembly_action", (meeting.pk, "open"), "post"),
            Call("api_assembly_open", (meeting.pk,), "post"),
        ),
        Pair(
            "close a meeting",
            Call("assembly_action", (meeting.pk, "close"), "post"),
            Call("api_assembly_close", (meeting.pk,), "post"),
        ),
        Pair(
            "cancel a meeting",
            Call("assembly_action", (meeting.pk, "cancel"), "post", {"reason": "No room"}),
            Call("api_assembly_cancel", (meeting.pk,), "post", {"reason": "No room"}),
        ),
        Pair(
            "check a member in",
            Call("assembly_check_in", (meeting.pk,), "post", {"member": str(member.pk)}),
            Call(
                "api_assembly_check_in",
                (meeting.pk,),
                "post",
                {"membership_number": member.membership_number},
            ),
        ),
        Pair(
            "check a member out",
            Call("assembly_check_out", (meeting.pk,), "post", {"member": str(member.pk)}),
            Call(
                "api_assembly_check_out",
                (meeting.pk,),
                "post",
                {"membership_number": member.membership_number},
            ),
        ),
        Pair(
            "register a proxy at the door",
            Call("assembly_proxy_register", (meeting.pk,), "post"),
            Call("api_assembly_proxies", (meeting.pk,), "post"),
        ),
        Pair(
            "revoke a proxy at the door",
            Call("assembly_proxy_revoke", (meeting_proxy.pk,), "post"),
            Call("api_assembly_proxy_revoke", (meeting_proxy.pk,), "post"),
        ),
        Pair(
            "give one's own proxy for a meeting",
            Call("assembly_own_proxy_give", (future.pk,), "post"),
            Call("api_assembly_own_proxy", (future.pk,), "post"),
        ),
        Pair(
            "withdraw one's own proxy",
            Call("assembly_own_proxy_withdraw", (own_proxy.pk,), "post"),
            Call("api_assembly_own_proxy_withdraw", (own_proxy.pk,), "post"),
        ),
        # Motions and amendments.
        Pair(
            "a submitted motion",
            Call("motion_detail", (submitted.pk,)),
            Call("api_motion", (submitted.pk,)),
        ),
        Pair(
            "a draft motion",
            Call("motion_detail", (draft_motion.pk,)),
            Call("api_motion", (draft_motion.pk,)),
        ),
        Pair(
            "withdraw a draft motion",
            Call("motion_action", (draft_motion.pk, "withdraw"), "post"),
            Call("api_motion_step", (draft_motion.pk, "withdraw"), "post"),
        ),
        Pair(
            "withdraw a submitted motion",
            Call("motion_action", (submitted.pk, "withdraw"), "post"),
            Call("api_motion_step", (submitted.pk, "withdraw"), "post"),
        ),
        Pair(
            "withdraw a draft amendment",
            Call("amendment_action", (amendment.pk, "withdraw"), "post"),
            Call("api_amendment_step", (amendment.pk, "withdraw"), "post"),
        ),
        Pair(
            "co-sponsor a draft amendment",
            Call("amendment_action", (amendment.pk, "support"), "post"),
            Call("api_amendment_support", (amendment.pk,), "post"),
        ),
        Pair(
            "table an amendment",
            Call("amendment_create", (submitted.pk,), "post"),
            Call("api_motion_amendments", (submitted.pk,), "post"),
        ),
        # The record, the roll and the audit log.
        Pair(
            "a decision",
            Call("decision_detail", (decision.reference,)),
            Call("api_decision", (decision.reference,)),
        ),
        Pair("the register", Call("decision_list"), Call("api_decisions")),
        Pair(
            "a member",
            Call("member_detail", (member.pk,)),
            Call("api_member", (member.membership_number,)),
        ),
        Pair("the roll", Call("member_roll"), Call("api_members")),
        Pair(
            "record a member's dues",
            Call("member_dues_record", (member.pk,), "post"),
            Call("api_member_dues", (member.membership_number,), "post"),
        ),
        Pair("the audit log", Call("audit_log"), Call("api_audit_events")),
        Pair(
            "an event's inclusion proof",
            Call("audit_checkpoint_check", data={"sequence": 1}),
            Call("api_audit_inclusion_proof", data={"sequence": 1}),
        ),
    ]
    return found


def test_the_pages_and_the_api_agree_for_every_object_and_role(world, pairs):
    clients = {role: logged_in(world, role) for role in ROLES}
    disagreements, seen_by = [], {}
    for pair in pairs:
        for role in ROLES:
            page = answer(ask(clients[role], pair.page, api=False), write=pair.write)
            api = answer(ask(clients[role], pair.api, api=True), write=pair.write)
            seen_by.setdefault(pair.what, {})[role] = page
            if page != api:
                disagreements.append(f"{pair.what} as {role}: page {page}, API {api}")
    assert not disagreements, "\n".join(disagreements)
    # The walk reached what it says it checks: drafts hidden from others, shown to runners.
    assert seen_by["ballot (draft)"] == {
        "anonymous": REFUSED,
        "member": NOT_FOUND,
        "officer": SEEN,
        "other_officer": NOT_FOUND,
        "auditor": NOT_FOUND,
        "staff": SEEN,
    }
    assert seen_by["ballot (draft election)"] == {"anonymous": REFUSED} | dict.fromkeys(
        ROLES[1:], SEEN
    )
    assert seen_by["a draft motion"]["member"] == SEEN  # its proposer
    assert seen_by["a draft motion"]["officer"] == NOT_FOUND
    assert seen_by["a member"]["member"] == REFUSED and seen_by["a member"]["auditor"] == SEEN
    # A trusteeship is its member's own: every other role finds none, staff included.
    assert seen_by["a trusteeship"] == {"anonymous": REFUSED, "member": SEEN} | dict.fromkeys(
        ROLES[2:], NOT_FOUND
    )
    assert len(pairs) * len(ROLES) > 500
