"""The motions part of the demo section: motions at every stage for the coming General Assembly."""

from __future__ import annotations

import datetime as dt

from django.dispatch import receiver
from django.utils import timezone

from elections.demo import _account
from governance import services as governance
from governance.demo import DEMO_ACCOUNTS, demo_section_loaded
from governance.models import Assembly, Body, Mandate, Member, StatuteVersion, User
from governance.services import SYSTEM
from motions import services
from motions.models import Motion, VotingMandate

ABOLITION = """The General Assembly reaffirms the section's opposition to the death penalty in all cases, without exception.

The section will campaign for the abolition of the death penalty in law, starting with a public petition and meetings with members of parliament.

The Board reports to the next General Assembly on the campaign's results."""

REFUGEES = """The General Assembly asks the Board to make the protection of refugees and migrants a priority of the section's work for the next two years.

Local groups are invited to organise at least one public event each year on the rights of refugees."""

CORPORATE = """The International Council calls on the movement to campaign for binding rules that hold companies to account for human rights abuses in their supply chains.

The International Secretariat reports on the campaign to the next International Council."""


@receiver(demo_section_loaded)
def add_demo_motions(sender, today: dt.date, **kwargs) -> None:
    ga = Body.objects.get(code="general-assembly")
    board = Body.objects.get(code="board")
    coming = Assembly.objects.filter(body=ga, starts_at__gt=timezone.now()).earliest("starts_at")
    last = Assembly.objects.filter(body=ga, starts_at__lt=timezone.now()).latest("starts_at")
    officer = User.objects.get(email=DEMO_ACCOUNTS[1].email)
    member = User.objects.get(email=DEMO_ACCOUNTS[0].email)

    busy = set(Mandate.objects.current(today).values_list("member_id", flat=True))
    demo_people = set(
        User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).values_list(
            "member", flat=True
        )
    )
    people = list(
        Member.objects.voting_members()
        .in_good_standing(today.year)
        .filter(joined_on__lte=today - dt.timedelta(days=400))
        .exclude(pk__in=busy | demo_people)
        .order_by("-membership_number")[:16]
    )
    standing_orders, people = people[:3], people[3:]

    # The Standing Orders Committee, elected at last year's General Assembly.
    appointment = governance.record_decision(
        actor=SYSTEM,
        body=ga,
        assembly=last,
        decided_on=timezone.localdate(last.starts_at),
        title="Election of the Standing Orders Committee",
        text="Three members rule on the admissibility of motions and amendments.",
        article=StatuteVersion.objects.in_force(today).articles.get(number="6"),
        outcome="elected",
    )
    for person, role in zip(standing_orders, ("chair", "member", "member"), strict=True):
        governance.create_mandate(
            actor=SYSTEM,
            member=person,
            body=Body.objects.get(code="standing-orders"),
            role=role,
            starts_on=appointment.decided_on,
            ends_on=appointment.decided_on + dt.timedelta(days=729),
            decision=appointment,
        )
    committee = _account(standing_orders[0])
    accounts = [_account(p) for p in people]
    # Ten co-sponsors at most (an IC motion's); the proposers are others.
    supporters, proposers = accounts[:10], accounts[10:]

    def tabled(actor, *, kind, title, text, count, **extra) -> Motion:
        motion = services.create_motion(
            actor=actor, kind=kind, body=ga, assembly=coming, title=title, text=text, **extra
        )
        for user in supporters[:count]:
            services.support(actor=user, item=motion)
        return motion

    # On the agenda, with an amendment tabled and admitted.
    abolition = tabled(
        proposers[0],
        kind=Motion.Kind.RESOLUTION,
        title="Campaign for the abolition of the death penalty",
        text=ABOLITION,
        count=6,
    )
    services.submit_motion(actor=proposers[0], motion=abolition)
    services.take_step(actor=committee, motion=abolition, step="admit")
    services.schedule_motion(actor=officer, motion=abolition)
    amendment = services.create_amendment(
        actor=proposers[1],
        motion=abolition,
        kind="replace_paragraph",
        paragraph=3,
        text="The Board reports to every General Assembly on the campaign's results until the death penalty is abolished.",
        rationale="A campaign of several years needs a report every year.",
    )
    for user in supporters[:2]:
        services.support(actor=user, item=amendment)
    services.submit_amendment(actor=proposers[1], amendment=amendment)
    services.take_amendment_step(actor=committee, amendment=amendment, step="admit")

    # A statute amendment awaiting the committee's ruling.
    statute = tabled(
        proposers[2],
        kind=Motion.Kind.STATUTE_AMENDMENT,
        title="One proxy per member",
        text="The General Assembly amends article 9 so that no member carries more than one proxy.",
        count=5,
        statute_changes=[
            {
                "action": "replace",
                "number": "9",
                "title": "Proxies",
                "text": "A member who cannot attend may give a proxy to another member entitled to vote. No member may carry more than one proxy.",
                "rules": [
                    {
                        "kind": "proxies",
                        "scope": "assembly",
                        "params": {"allowed": True, "max_carried": 1},
                    }
                ],
            }
        ],
    )
    services.submit_motion(actor=proposers[2], motion=statute)

    # A motion to the International Council, admitted.
    corporate = tabled(
        proposers[1],
        kind=Motion.Kind.IC_MOTION,
        title="Corporate accountability in supply chains",
        text=CORPORATE,
        count=10,
    )
    services.submit_motion(actor=proposers[1], motion=corporate)
    services.take_step(actor=committee, motion=corporate, step="admit")

    # The demo member's own draft, gathering co-sponsors.
    tabled(
        member,
        kind=Motion.Kind.RESOLUTION,
        title="Refugee and migrant rights as a priority",
        text=REFUGEES,
        count=2,
    )

    # The Board's roll call on how the IC delegates vote on another section's motion.
    services.propose_voting_mandate(
        actor=officer,
        board=board,
        ic_reference="POL 40/0214/2026",
        motion_title="Climate justice and human rights",
        submitted_by="Section of Ghana",
        position=VotingMandate.Position.FOR,
        closes_at=timezone.now() + dt.timedelta(days=10),
        article=StatuteVersion.objects.in_force(today).articles.get(number="14"),
    )
