"""Assemblies for the tests: convened through the services, with members to check in."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from governance import services
from governance.models import Assembly, Body, Member
from governance.services import SYSTEM
from tests.factories import DuesFactory, MemberFactory, UserFactory


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def convene(
    body: Body, *, day: dt.date | None = None, convocation: int = 1, title: str = ""
) -> Assembly:
    """A meeting of the body on `day` (today by default), convened with the notice required."""
    day = day or timezone.localdate()
    return services.convene_assembly(
        actor=SYSTEM,
        body=body,
        title=title or f"{body.name} meeting",
        starts_at=at(day),
        place="Rabat, Maison des associations",
        convocation=convocation,
        convened_on=day - dt.timedelta(days=40),
    )


def voters(world, count: int, *, with_accounts: bool = False) -> list[Member]:
    """Members entitled to vote under article 4 (dues paid, member for 400 days, adult)."""
    people = []
    for _ in range(count):
        member = MemberFactory(
            unit=world.group,
            joined_on=timezone.localdate() - dt.timedelta(days=400),
            user=UserFactory() if with_accounts else None,
        )
        DuesFactory(member=member)
        people.append(member)
    return people


def unpaid_member(world) -> Member:
    return MemberFactory(unit=world.group, joined_on=timezone.localdate() - dt.timedelta(days=400))
