"""Who gets what: every page and every API action, as each role, answers the status the
rules below expect.

The walk covers the whole URLconf (`tests.urlwalk`): pages with GET and POST, API routes
with each method their view implements. Each route's identifiers name one object of a
small section (`tests.worlds.every_object`) that belongs to the General Assembly, so the Board's chair
acts for it and the chair of a local group's committee does not. Every request is rolled
back, so one role's write does not change what the next role sees. A route that no rule
covers fails the test with its name: add its expectations to `RULES`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client

from tests.urlwalk import url_patterns
from tests.worlds import every_object

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "other_officer", "officer", "auditor", "staff")

# ---------------------------------------------------------------------------
# The rules: for each URL name and method, the status each role gets, in the order of
# ROLES: anonymous, member, officer of another body (chair of a local group's committee),
# officer (the Board's chair, who acts for the General Assembly), auditor, staff.
#
# "login" is a redirect to the login page. Pages are sent GET and POST; an API route each
# method its view implements. Writes carry no input, so a role that may act gets the 400 of
# an empty form (or the redirect of a step that needs none); a role that may not gets 403
# before any input is read. The objects belong to the General Assembly (see `objects`).
# ---------------------------------------------------------------------------

#: A page every account reads; anonymous visitors are sent to log in; nothing to post.
PAGE = {"get": "login 200 200 200 200 200", "post": "login 405 405 405 405 405"}
#: The auditors' pages (and staff's): others are refused before the method is looked at.
AUDIT_PAGE = {"get": "login 403 403 403 200 200", "post": "login 403 403 403 405 405"}
#: A page for anyone, logged in or not (allauth's, the probes).
PUBLIC = {"get": "200 200 200 200 200 200", "post": "405 405 405 405 405 405"}
#: A form's target only takes POST; an auditor is refused before the method is looked at.
POST_ONLY = "login 405 405 405 403 405"
#: The API: anonymous callers are refused (403: session authentication sends no challenge).
API_READ = {"get": "403 200 200 200 200 200"}
API_AUDIT = {"get": "403 403 403 403 200 200"}


def form(post: str) -> dict[str, str]:
    """A page that only receives a form: GET is 405, POST as given."""
    return {"get": POST_ONLY, "post": post}


RULES: dict[str, dict[str, str]] = {
    # The record, read by every account.
    "dashboard": PAGE,
    "organisation": PAGE,
    # Names translated by the officers of the body (here the meeting's: the Board's chair).
    "translate_names": {"get": "login 403 403 200 403 200", "post": "login 403 403 302 403 302"},
    "body_detail": PAGE,
    "statute_list": PAGE,
    "statute_diff": PAGE,
    "statute_version": PAGE,
    "article_detail": PAGE,
    "decision_list": PAGE,
    "decision_detail": PAGE,
    "assembly_list": PAGE,
    "assembly_detail": PAGE,
    "assembly_projector": PAGE,
    "ballot_banner": PAGE,
    "ballot_list": PAGE,
    # A read by POST (the code stays out of URLs and logs), auditors too.
    "ballot_receipt_check": {
        "get": "login 200 200 200 200 200",
        "post": "login 200 200 200 200 200",
    },
    "ballot_detail": PAGE,
    "motion_list": PAGE,
    "motion_detail": PAGE,
    # Not published yet: nobody sees the results or the papers of an open ballot.
    "ballot_results": {"get": "login 404 404 404 404 404", "post": "login 405 405 405 405 405"},
    "ballot_papers_json": {"get": "login 404 404 404 404 404", "post": "login 405 405 405 405 405"},
    "ballot_bundle": {"get": "login 404 404 404 404 404", "post": "login 405 405 405 405 405"},
    "ballot_papers_blt": {"get": "login 404 404 404 404 404", "post": "login 405 405 405 405 405"},
    # Without ?from= and ?to=, the comparison is a bad request, for everyone.
    "motion_compare": {"get": "login 400 400 400 400 400", "post": "login 405 405 405 405 405"},
    # The roll and the audit: staff and auditors; the import: staff only.
    "member_roll": AUDIT_PAGE,
    "member_import": {"get": "login 403 403 403 403 200", "post": "login 403 403 403 403 200"},
    # An import's progress: staff only; the world has none, so staff find no such import.
    "member_import_progress": {
        "get": "login 403 403 403 403 404",
        "post": "login 403 403 403 403 405",
    },
    "member_detail": AUDIT_PAGE,
    "dues_import": {"get": "login 403 403 403 403 200", "post": "login 403 403 403 403 200"},
    # Staff record one payment from the member's page: the role first, then the method.
    "member_dues_record": {"get": "login 403 403 403 403 405", "post": "login 403 403 403 403 400"},
    # Staff set the language of the member's e-mails: an empty form is the section's own.
    "member_language": {"get": "login 403 403 403 403 405", "post": "login 403 403 403 403 302"},
    # A second-factor enrolment link for the member's account: staff only, shown once.
    "member_enrolment_link": {
        "get": "login 403 403 403 403 405",
        "post": "login 403 403 403 403 200",
    },
    "audit_log": AUDIT_PAGE,
    "audit_verify": AUDIT_PAGE,
    # A pasted checkpoint is checked by POST (a read): the empty form is a 400.
    "audit_checkpoint_check": {
        "get": "login 403 403 403 200 200",
        "post": "login 403 403 403 400 400",
    },
    "audit_checkpoint_download": AUDIT_PAGE,
    "audit_as_of": AUDIT_PAGE,
    "audit_anomalies": AUDIT_PAGE,
    "audit_export": AUDIT_PAGE,
    "audit_events_export": AUDIT_PAGE,
    # Meetings: officers convene their own body's; the Board's chair runs the General
    # Assembly's door, proxies and session; the committee's chair does not.
    "assembly_convene": {"get": "login 403 200 200 403 200", "post": "login 403 200 200 403 200"},
    "assembly_minutes": {"get": "login 403 403 200 200 200", "post": "login 405 405 405 405 405"},
    # The Board's chair approves with the code of the second factor (none given: a message).
    "assembly_minutes_approve": {
        "get": "login 405 405 405 405 405",
        "post": "login 403 403 302 403 403",
    },
    "assembly_door": {"get": "login 403 403 200 403 200", "post": POST_ONLY},
    "assembly_check_in": form("login 403 403 404 403 404"),  # 404: no member was given
    "assembly_check_out": form("login 403 403 404 403 404"),
    "assembly_proxy_register": form("login 403 403 400 403 400"),
    "assembly_proxy_revoke": form("login 403 403 302 403 302"),
    # A member's own proxy (staff hold no membership); the one withdrawn is the member's.
    "assembly_own_proxy_give": form("login 400 400 400 403 403"),
    "assembly_own_proxy_withdraw": form("login 302 403 403 403 403"),
    "assembly_action": form("login 403 403 302 403 302"),
    # Closing is confirmed first; the meeting is not in session yet, so back to its page.
    "assembly_confirm": {"get": "login 403 403 302 403 302", "post": "login 405 405 405 403 405"},
    # Ballots: officers draft and run them; members (and the officers, who are members)
    # vote, nominate and give proxies; staff draft and run any ballot (page and API alike)
    # but have no vote of their own.
    "ballot_create": {"get": "login 403 200 200 403 200", "post": "login 403 200 200 403 200"},
    "ballot_console": {"get": "login 403 403 200 403 200", "post": POST_ONLY},
    # Naming a secret ballot's trustees: those who run it; an empty form is a 400.
    "ballot_trustees": {"get": "login 403 403 200 403 200", "post": "login 403 403 400 403 400"},
    # A trustee's page: every account has one (a list, empty for most); the trusteeship is
    # the member's own, not found by anyone else; its upload takes a file (none: a 400).
    "trustee_home": PAGE,
    "trustee_ceremony": {"get": "login 200 404 404 404 404", "post": "login 405 405 405 405 405"},
    # Nothing to decrypt before the close: not found, for the trustee too.
    "trustee_bundle": {"get": "login 404 404 404 404 404", "post": "login 405 405 405 405 405"},
    "trustee_upload": form("login 400 404 404 403 404"),
    "ballot_vote": form("login 400 400 400 403 400"),
    "ballot_vote_review": form("login 400 400 400 403 400"),
    # The page before closing, counting or publishing: those who run the ballot.
    "ballot_confirm": {"get": "login 403 403 200 403 200", "post": "login 405 405 405 403 405"},
    "ballot_nominate": form("login 400 400 400 403 400"),
    "proxy_give": form("login 400 400 400 403 400"),
    "paper_count_enter": form("login 403 403 400 403 400"),
    "ballot_action": form("login 403 403 302 403 302"),
    "candidate_consent": form("login 403 403 403 403 403"),  # an option, not a person
    "candidate_withdraw": form("login 403 403 302 403 302"),
    "proxy_revoke": form("login 302 403 403 403 403"),  # only the member who gave it
    # The officer entered the batch: another teller (here staff) confirms it.
    "paper_count_confirm": form("login 403 403 403 403 302"),
    # Withdrawn by the officer who entered it, rejected by staff: both need a reason.
    "paper_count_set_aside": form("login 403 403 302 403 302"),
    # Motions: the member proposed it; the Board's chair holds the voting mandates. The
    # officers' forms ask the workflow for the role first: the Board (and its chair, who
    # chairs the assembly) refers, forwards and puts to the vote; the Board or staff record
    # the IC's outcome and the follow-up.
    "motion_create": {"get": "login 200 200 200 403 200", "post": "login 400 400 400 403 400"},
    "voting_mandates": {"get": "login 200 200 200 200 200", "post": "login 403 403 200 403 403"},
    "motion_edit": {"get": "login 403 403 403 403 403", "post": "login 403 403 403 403 403"},
    # The motion is a submitted resolution: no statute changes to draft, for anyone.
    "motion_statute_changes": {
        "get": "login 403 403 403 403 403",
        "post": "login 403 403 403 403 403",
    },
    "motion_refer": form("login 403 403 400 403 403"),
    "motion_vote": form("login 403 403 400 403 403"),
    "amendment_create": form("login 400 400 400 403 400"),
    "motion_forward": form("login 403 403 400 403 403"),
    "motion_ic_outcome": form("login 403 403 400 403 400"),
    "motion_follow_up": form("login 403 403 400 403 400"),
    # The list of speakers: the assembly's chair (the Board's chair) and staff. The motion is
    # not on the agenda, so giving the floor is refused with a message (302) or a 400.
    "motion_speakers": {"get": "login 403 403 200 403 200", "post": "login 403 403 400 403 400"},
    "speaker_action": form("login 403 403 302 403 302"),
    # A member asks for the floor only while the meeting is in session (the world's is not:
    # a message and back to the motion); staff and auditors are no members of it.
    "motion_floor": form("login 302 302 302 403 403"),
    "motion_action": form("login 302 403 403 403 403"),  # withdraw: the proposer only
    # The amendment is the member's draft: to other roles it is not found (motions/access.py).
    "amendment_action": form("login 302 404 404 403 404"),
    # A draft's share link: anyone who reads motions, given it, is taken to the draft.
    "draft_shared": {"get": "login 302 302 302 302 302", "post": "login 405 405 405 405 405"},
    # allauth: a signed-in account is sent away from the login and sign-up forms; its own
    # settings need a login, and a recent one (reauthentication) for the second factor.
    "account_login": {"get": "200 302 302 302 302 302", "post": "200 302 302 302 302 302"},
    "account_logout": {
        "get": "login 200 200 200 200 200",
        "post": "login login login login login login",
    },
    "account_inactive": PUBLIC,
    "account_signup": {"get": "200 302 302 302 302 302", "post": "200 302 302 302 302 302"},
    "account_reauthenticate": {
        "get": "login 200 200 200 200 200",
        "post": "login 200 200 200 200 200",
    },
    # Reauthentication by a code e-mailed to the account's verified address (django-allauth
    # 65.22): any signed-in account may ask for one (an empty form is shown again, 200)...
    "account_request_reauthentication_code": {
        "get": "login 200 200 200 200 200",
        "post": "login 200 200 200 200 200",
    },
    # ...and the confirmation sends an account with no code pending back to ask for one.
    "account_confirm_reauthentication_code": {
        "get": "login 302 302 302 302 302",
        "post": "login 302 302 302 302 302",
    },
    "account_email": {"get": "login 200 200 200 200 200", "post": "login 302 302 302 302 302"},
    # My account: every account reads its own; an empty form is a 400 (staff: not on the roll).
    "account_profile": {"get": "login 200 200 200 200 200", "post": "login 400 400 400 400 400"},
    "account_email_verification_sent": PUBLIC,
    "account_change_password": {
        "get": "login 200 200 200 200 200",
        "post": "login 200 200 200 200 200",
    },
    "account_set_password": {
        "get": "login 302 302 302 302 302",
        "post": "login 302 302 302 302 302",
    },
    "account_reset_password": {"get": "200 200 200 200 200 200", "post": "200 200 200 200 200 200"},
    "account_confirm_login_code": {
        "get": "login 302 302 302 302 302",
        "post": "login 302 302 302 302 302",
    },
    "account_confirm_email": {"get": "200 200 200 200 200 200", "post": "404 404 404 404 404 404"},
    "account_reset_password_from_key_done": PUBLIC,
    "account_reset_password_from_key": {
        "get": "200 200 200 200 200 200",
        "post": "200 200 200 200 200 200",
    },
    "account_reset_password_done": PUBLIC,
    "mfa_index": {"get": "login 200 200 200 200 200", "post": "login 405 405 405 405 405"},
    "mfa_authenticate": {"get": "login 302 302 302 302 302", "post": "login 302 302 302 302 302"},
    # The member has no second factor to confirm: sent to confirm the password instead.
    "mfa_reauthenticate": {"get": "login 302 200 200 200 200", "post": "login 302 200 200 200 200"},
    "mfa_activate_totp": {"get": "login 302 302 302 302 302", "post": "login 302 302 302 302 302"},
    # The proof before a second factor: the page for any account; an empty code is a 400.
    "mfa_enrolment_proof": {
        "get": "login 200 200 200 200 200",
        "post": "login 400 400 400 400 400",
    },
    # A link that is not valid: sent back to the proof page with the message.
    "mfa_enrolment_link": {"get": "login 302 302 302 302 302", "post": "login 302 302 302 302 302"},
    "mfa_deactivate_totp": {
        "get": "login 404 302 302 302 302",
        "post": "login 404 302 302 302 302",
    },
    "mfa_view_recovery_codes": {
        "get": "login 404 404 404 404 404",
        "post": "login 405 405 405 405 405",
    },
    "mfa_generate_recovery_codes": {
        "get": "login 302 302 302 302 302",
        "post": "login 302 302 302 302 302",
    },
    "mfa_download_recovery_codes": {
        "get": "login 404 404 404 404 404",
        "post": "login 404 404 404 404 404",
    },
    "set_language": {"get": "302 302 302 302 302 302", "post": "302 302 302 302 302 302"},
    "health": PUBLIC,
    "ready": PUBLIC,
    "favicon": {"get": "302 302 302 302 302 302", "post": "405 405 405 405 405 405"},
    # The API reads.
    "api_units": API_READ,
    "api_bodies": API_READ,
    "api_mandates": API_READ,
    "api_statutes": API_READ,
    "api_statute": API_READ,
    "api_decisions": API_READ,
    "api_decision": API_READ,
    "api_assemblies": API_READ,
    "api_assembly": API_READ,
    "api_ballots": API_READ,
    "api_ballot": API_READ,
    "api_motions": {"get": "403 200 200 200 200 200", "post": "403 400 400 400 403 400"},
    "api_motion": API_READ,
    "api_schema": API_READ,
    "api_docs": API_READ,
    "api_ballot_results": {"get": "403 404 404 404 404 404"},
    "api_trusteeships": API_READ,
    "api_trusteeship": {"get": "403 200 404 404 404 404"},
    "api_trusteeship_bundle": {"get": "403 404 404 404 404 404"},
    "api_ballot_papers": {"get": "403 404 404 404 404 404"},
    "api_motion_diff": {"get": "403 400 400 400 400 400"},  # no ?from= and ?to=
    "api_members": API_AUDIT,
    # My account in the API: any signed-in account; a PATCH without a language is a 400.
    "api_me": {"get": "403 200 200 200 200 200", "patch": "403 400 400 400 400 400"},
    "api_member": API_AUDIT,
    "api_member_dues": {"post": "403 403 403 403 403 400"},
    "api_dues_import": {"post": "403 403 403 403 403 400"},
    "api_audit_events": API_AUDIT,
    "api_audit_verify": API_AUDIT,
    "api_audit_anomalies": API_AUDIT,
    "api_audit_as_of": {"get": "403 403 403 403 400 400"},  # no ?date=
    "api_audit_inclusion_proof": {"get": "403 403 403 403 400 400"},  # no ?sequence=
    "api_audit_consistency_proof": {"get": "403 403 403 403 400 400"},  # no ?first=
    # The API's meeting tools: the Board's chair and staff; the role before the input.
    "api_assembly_attendance": {"get": "403 403 403 200 200 200"},
    "api_assembly_check_in": {"post": "403 403 403 400 403 400"},
    "api_assembly_check_out": {"post": "403 403 403 400 403 400"},
    "api_assembly_proxies": {"get": "403 403 403 200 200 200", "post": "403 403 403 400 403 400"},
    "api_assembly_proxy_revoke": {"post": "403 403 403 200 403 200"},
    "api_assembly_own_proxy": {"post": "403 400 400 400 403 403"},
    "api_assembly_own_proxy_withdraw": {"post": "403 200 403 403 403 403"},
    "api_assembly_open": {"post": "403 403 403 200 403 200"},
    "api_assembly_close": {"post": "403 403 403 400 403 400"},  # not open yet
    "api_assembly_cancel": {"post": "403 403 403 400 403 400"},
    # The API's ballots (an open question, a draft election).
    # Officers and staff draft (the body is in the input); members are refused first, as on
    # the page.
    "api_ballot_create": {"post": "403 403 400 400 403 400"},
    "api_ballot_vote": {"post": "403 400 400 400 403 400"},
    "api_ballot_open": {"post": "403 403 403 400 403 400"},  # already open
    "api_ballot_close": {"post": "403 403 403 200 403 200"},
    "api_ballot_count": {"post": "403 403 403 400 403 400"},  # still open
    "api_ballot_retry_tally": {"post": "403 403 403 400 403 400"},  # still open
    "api_ballot_publish": {"post": "403 403 403 400 403 400"},
    "api_ballot_cancel": {"post": "403 403 403 400 403 400"},
    "api_ballot_candidates": {"post": "403 403 403 400 403 400"},
    "api_candidate_consent": {"post": "403 403 403 403 403 403"},
    "api_candidate_withdraw": {"post": "403 403 403 200 403 200"},
    "api_ballot_proxies": {"post": "403 400 400 400 403 400"},
    "api_proxy_revoke": {"post": "403 200 403 403 403 403"},
    "api_ballot_paper_counts": {"post": "403 403 403 400 403 400"},
    "api_ballot_trustees": {"post": "403 403 403 400 403 400"},
    "api_paper_count_confirm": {"post": "403 403 403 403 403 200"},
    "api_paper_count_set_aside": {"post": "403 403 403 400 403 400"},
    "api_receipt_check": {"post": "403 400 400 400 400 400"},  # a read, auditors too
    # Trusteeships: the member's own (see trustee_home); the others find none.
    "api_trusteeship_upload": {"post": "403 400 404 404 403 404"},
    # The API's motions: the member proposed the motion and its amendment.
    "api_motion_versions": {"post": "403 400 403 403 403 403"},  # the proposer's draft
    "api_motion_support": {"post": "403 400 400 400 403 403", "delete": "403 400 400 400 403 403"},
    "api_motion_step": {"post": "403 200 403 403 403 403"},
    "api_motion_amendments": {"post": "403 400 400 400 403 400"},
    "api_motion_ic_forward": {"post": "403 403 403 400 403 403"},
    "api_motion_ic_outcome": {"post": "403 403 403 400 403 400"},
    "api_motion_follow_ups": {"post": "403 403 403 400 403 400"},
    # The member's draft amendment, without its share token: not found by the others.
    "api_amendment_support": {
        "post": "403 400 404 404 403 404",
        "delete": "403 400 404 404 403 404",
    },
    "api_amendment_step": {"post": "403 200 404 404 403 404"},  # as amendment_action
    "api_motion_speakers": {"get": "403 403 403 200 403 200", "post": "403 403 403 400 403 400"},
    "api_speaker_step": {"post": "403 403 403 400 403 400"},
    # The world's speaker waiting on the list is the other officer: they withdraw their own.
    "api_motion_floor": {"post": "403 400 400 400 403 403", "delete": "403 400 200 400 403 403"},
}


@dataclass
class Objects:
    """One object of each kind the routes name, by the kind's name."""

    values: dict[str, str]

    def fill(self, route) -> str:
        """The route's URL, each converter naming the object its path segment calls for."""
        overrides = ROUTE_VALUES.get(route.name, {})

        def value(type_: str, name: str, before: str) -> str:
            if name in overrides:
                return self.values.get(overrides[name], overrides[name])
            segments = before.strip("/").split("/")
            for key in ("/".join(segments[-2:]), segments[-1]):
                if key in SEGMENT_OBJECTS:
                    return self.values[SEGMENT_OBJECTS[key]]
            raise LookupError(
                f"{route.route}: nothing fills <{type_}:{name}>; add it to SEGMENT_OBJECTS"
            )

        return route.fill(value)


#: The object a converter names, by the path segment before it.
SEGMENT_OBJECTS = {
    "bodies": "body",
    "statutes": "version",
    "articles": "article",
    "decisions": "decision",
    "assemblies": "meeting",
    "assemblies/proxies": "meeting_proxy",
    "assembly-proxies": "meeting_proxy",
    "ballots": "ballot",
    "candidates": "candidate",
    "ballots/proxies": "proxy",
    "api/proxies": "proxy",
    "paper-counts": "batch",
    "trustees": "trustee",
    "trusteeships": "trustee",
    "motions": "motion",
    "amendments": "amendment",
    "members": "member",
    "speakers": "speaker",
}
#: Converters filled by the route's name: the step or action taken, or another object.
ROUTE_VALUES = {
    "member_import_progress": {"pk": "00000000-0000-4000-8000-000000000000"},
    "assembly_action": {"action": "open"},
    "assembly_confirm": {"action": "close"},
    "assembly_own_proxy_withdraw": {"pk": "own_proxy"},
    "speaker_action": {"action": "floor"},
    "motion_floor": {"action": "ask"},
    "api_speaker_step": {"step": "floor"},
    "api_assembly_own_proxy_withdraw": {"pk": "own_proxy"},
    "ballot_confirm": {"action": "close"},
    "translate_names": {"kind": "assembly", "pk": "meeting"},
    "ballot_action": {"action": "close"},
    "ballot_nominate": {"pk": "election"},
    "api_ballot_candidates": {"pk": "election"},
    "motion_action": {"action": "withdraw"},
    "amendment_action": {"action": "withdraw"},
    "draft_shared": {"token": "share_token"},
    "mfa_enrolment_link": {"token": "not-a-valid-link"},
    "api_motion_step": {"step": "withdraw"},
    "api_amendment_step": {"step": "withdraw"},
    "api_member": {"membership_number": "membership_number"},
    "api_member_dues": {"membership_number": "membership_number"},
}


@pytest.fixture
def objects(world) -> Objects:
    return Objects(values=every_object(world))


def logged_in(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def send(client: Client, method: str, url: str, *, api: bool, data: dict | None = None):
    """One request, rolled back, with the client's cookies as they were before it (a logout
    would otherwise end the role's session for the routes after it). An API write sends
    `data` as JSON (an empty object by default), a page's POST as a form."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    with transaction.atomic():
        if api and method != "get":
            body = json.dumps(data or {})
            response = getattr(client, method)(url, data=body, content_type="application/json")
        elif data:
            response = getattr(client, method)(url, data)
        else:
            response = getattr(client, method)(url)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def outcome(response) -> str:
    """The status as the rules write it: "login" for a redirect to the login page."""
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "login"
    return str(response.status_code)


def test_every_route_answers_each_role_as_the_rules_say(world, objects):
    clients = {role: logged_in(world, role) for role in ROLES}
    problems, seen, requests = [], set(), 0
    for route in url_patterns():
        seen.add(route.name)
        methods = route.api_methods() if route.is_api else ["get", "post"]
        rules = RULES.get(route.name)
        if rules is None or set(rules) != set(methods):
            problems.append(
                f"{route.route} ({route.name}): no rule for {', '.join(methods)}; "
                "add the expected status of each role to RULES"
            )
            continue
        url = objects.fill(route)
        for method in methods:
            expected = rules[method].split()
            got = [outcome(send(clients[role], method, url, api=route.is_api)) for role in ROLES]
            requests += len(ROLES)
            for role, want, answer in zip(ROLES, expected, got, strict=True):
                if want != answer:
                    problems.append(f"{method.upper()} {url} as {role}: {answer}, expected {want}")
    stale = sorted(set(RULES) - seen)
    assert not stale, f"rules for routes that no longer exist: {stale}"
    assert not problems, "\n".join(problems)
    assert requests > 1000  # the walk reached every route


def test_the_rules_name_each_role_once_per_method():
    for name, rules in RULES.items():
        for method, statuses in rules.items():
            assert len(statuses.split()) == len(ROLES), (name, method)
