"""A section ready for motions: a convened General Assembly, a standing-orders committee,
Board officers and members entitled to co-sponsor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from governance import services as governance
from governance.models import Assembly, Body, User
from governance.services import SYSTEM
from motions import services
from motions.models import Motion, VotingMandate
from tests.conftest import _with_totp
from tests.elections.conftest import add_voters
from tests.factories import MandateFactory


@dataclass
class Section:
    world: object
    assembly: Assembly
    standing_orders: User
    board_member: User
    supporters: list[User]

    @property
    def chair(self) -> User:
        return self.world.officer  # chair of the Board (tests/conftest.py)

    @property
    def proposer(self) -> User:
        return self.world.member


def convene(
    world, *, days_ahead: int = 40, convocation: int = 1, title: str | None = None
) -> Assembly:
    """The General Assembly meeting `days_ahead` from now (by default titled with its year)."""
    starts_at = timezone.now() + dt.timedelta(days=days_ahead)
    # Convened with exactly the 30 days' notice of article 6, back-dated when it is near.
    return governance.convene_assembly(
        convened_on=timezone.localdate(starts_at) - dt.timedelta(days=30),
        actor=SYSTEM,
        body=world.assembly_body,
        title=f"General Assembly {starts_at.year}" if title is None else title,
        starts_at=starts_at,
        place="Rabat",
        convocation=convocation,
    )


@pytest.fixture
def section(world) -> Section:
    so_body = Body.objects.create(
        unit=world.section,
        code="standing-orders",
        name="Standing Orders Committee",
        kind="committee",
    )
    standing_orders = _with_totp(add_voters(world, 1)[0])
    MandateFactory(member=standing_orders.member, body=so_body, role="chair")
    board_member = _with_totp(add_voters(world, 1)[0])
    MandateFactory(member=board_member.member, body=world.board, role="member")
    return Section(world, convene(world), standing_orders, board_member, add_voters(world, 11))


def draft(section: Section, *, kind=Motion.Kind.RESOLUTION, text=None, **overrides) -> Motion:
    values = {
        "actor": section.proposer,
        "kind": kind,
        "body": section.world.assembly_body,
        "assembly": section.assembly,
        "title": "Campaign for the abolition of the death penalty",
        "text": text
        or "The General Assembly calls for abolition.\n\nThe Board shall report each year.",
    }
    values.update(overrides)
    return services.create_motion(**values)


def gather_support(section: Section, item, count: int = 5) -> None:
    for user in section.supporters[:count]:
        services.support(actor=user, item=item)


def submitted(section: Section, **overrides) -> Motion:
    motion = draft(section, **overrides)
    gather_support(section, motion, 10 if motion.is_ic else 5)
    return services.submit_motion(actor=section.proposer, motion=motion)


def scheduled(section: Section, **overrides) -> Motion:
    motion = submitted(section, **overrides)
    services.take_step(actor=section.standing_orders, motion=motion, step="admit")
    return services.schedule_motion(actor=section.chair, motion=motion)


def voting_mandate(section: Section) -> VotingMandate:
    """The chair proposes the delegates' position on another section's IC motion (article 14)."""
    from tests.elections.conftest import article

    return services.propose_voting_mandate(
        actor=section.chair,
        board=section.world.board,
        ic_reference="POL 40/200/2026",
        motion_title="Climate justice",
        submitted_by="Section of Ghana",
        position=VotingMandate.Position.FOR,
        closes_at=timezone.now() + dt.timedelta(days=2),
        article=article("14"),
    )
