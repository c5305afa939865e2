"""The voting engine's part of the demo section: a published roll call, two open ballots.

The two secret ballots are held in trust by the Control Committee as article 16 names it
(any 2 of its 3 members), made demonstration trustees: the platform keeps their private
files, so the demo's count decrypts without anyone running the trustees' tool, and every
page and the result say so. No demo ballot uses the 1-of-1 demonstration server key.
"""

from __future__ import annotations

import datetime as dt

from django.dispatch import receiver
from django.utils import timezone

from elections import ballot_box, services
from elections.models import Ballot
from governance import services as governance
from governance.demo import DEMO_ACCOUNTS, demo_section_loaded
from governance.exceptions import DomainError
from governance.models import Body, Mandate, Member, StatuteVersion, User
from governance.services import SYSTEM


def _account(member: Member) -> User:
    """The member's login, created without a password (they would set one by reset)."""
    if not member.user_id:
        governance.create_account_for_member(actor=SYSTEM, member=member)
        member.refresh_from_db()
    return member.user


def _demo_trustees(officer: User, ballot: Ballot) -> Ballot:
    """The trustees the statutes named at drafting (article 16), made demonstration
    trustees through the officers' own appointment, so the article stays recorded."""
    default = ballot_box.default_trustees(ballot)
    if default is None:
        raise RuntimeError("The demo's statutes name no trustees for this ballot.")
    members, threshold_k = default
    ballot_box.appoint_trustees(
        actor=officer, ballot=ballot, members=members, threshold_k=threshold_k, demo=True
    )
    return ballot


@receiver(demo_section_loaded)
def add_demo_ballots(sender, today: dt.date, **kwargs) -> None:
    if not ballot_box.demo_keys_allowed():
        # Refused before the demo's transaction writes anything, saying what to set.
        raise DomainError(
            "The demo's secret ballots are opened under the labelled demonstration key: "
            "set ELECTIONS_DEMO_SERVER_KEY=true to load the demo outside DEBUG (a trial, "
            "never a real section: docs/secrecy.md)."
        )
    now = timezone.now()
    officer = User.objects.get(email=DEMO_ACCOUNTS[1].email)
    articles = {a.number: a for a in StatuteVersion.objects.in_force(today).articles.all()}
    board = Body.objects.get(code="board")
    assembly = Body.objects.get(code="general-assembly")

    # The Board's roll call, taken and published today.
    roll_call = services.create_ballot(
        actor=officer,
        body=board,
        title="Join the regional campaign on freedom of expression",
        question="Does the Board commit the section to the regional campaign on freedom of expression?",
        kind=Ballot.Kind.ROLL_CALL,
        method=Ballot.Method.YESNO,
        rule_scope="board",
        article=articles["14"],
        opens_at=now,
        closes_at=now + dt.timedelta(days=7),
    )
    services.open_ballot(actor=officer, ballot=roll_call)
    seats = list(
        Mandate.objects.current(today)
        .filter(body=board)
        .select_related("member", "member__user")
        .order_by("pk")
    )
    # Every seat votes: the chair closes the roll call before its announced time, which is
    # only regular once the whole roll has voted (see elections.auditing.ballots_closed_early).
    for mandate, choice in zip(
        seats, ["yes", "yes", "yes", "no", "yes", "abstain", "yes"], strict=False
    ):
        services.cast_vote(actor=_account(mandate.member), ballot=roll_call, choices=choice)
    services.close_ballot(actor=officer, ballot=roll_call)
    services.count_ballot(actor=officer, ballot=roll_call)
    services.publish_results(actor=officer, ballot=roll_call)

    # An online question to the members, open for two weeks.
    dues = services.create_ballot(
        actor=officer,
        body=assembly,
        title="Dues for next year",
        question="Does the General Assembly keep the yearly dues at 100 dirhams (50 for members aged 25 or under)?",
        kind=Ballot.Kind.QUESTION,
        method=Ballot.Method.YESNO,
        rule_scope="assembly",
        article=articles["5"],
        opens_at=now,
        closes_at=now + dt.timedelta(days=14),
    )
    services.open_ballot(actor=officer, ballot=_demo_trustees(officer, dues))

    # The Control Committee election by STV, candidates standing by self-nomination.
    election = services.create_ballot(
        actor=officer,
        body=assembly,
        title="Election of the Control Committee",
        question="Three seats, single transferable vote: rank as many candidates as you wish.",
        kind=Ballot.Kind.ELECTION,
        method=Ballot.Method.STV,
        seats=3,
        rule_scope="assembly",
        article=articles["16"],
        elects_body=Body.objects.get(code="control-committee"),
        opens_at=now,
        closes_at=now + dt.timedelta(days=14),
    )
    busy = set(Mandate.objects.current(today).values_list("member_id", flat=True))
    demo_people = set(
        User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).values_list(
            "member", flat=True
        )
    )
    candidates = (
        Member.objects.voting_members()
        .in_good_standing(today.year)
        .filter(joined_on__lte=today - dt.timedelta(days=400))
        .exclude(pk__in=busy | demo_people)
        .order_by("membership_number")[:5]
    )
    statements = [
        "Twelve years as a chartered accountant; I audited the accounts of two associations.",
        "Member since the youth group days; I want the register to be readable by every member.",
        "Lawyer; I followed the last two General Assemblies as a teller.",
        "I will report to the General Assembly on every decision the Board takes.",
        "Treasurer of the Fès group for three years.",
    ]
    for member, statement in zip(candidates, statements, strict=False):
        services.nominate_candidate(
            actor=_account(member), ballot=election, member=member, statement=statement
        )
    services.open_ballot(actor=officer, ballot=_demo_trustees(officer, election))
