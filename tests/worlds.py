"""Worlds the tests build beyond `world` (tests/conftest.py), from factories and services.

`every_object` puts one object of each kind the URLconf names on the `world` section, in a
state its pages and API routes act on: the walks over every route (the authorization
matrix, the auditor's read-only walk) fill their identifiers from it.
"""

from __future__ import annotations

from django.utils import timezone

from elections import ballot_box
from elections import services as elections
from governance import services as governance
from governance.assemblies import services as assemblies
from governance.models import AssemblyProxy, Body, StatuteVersion
from governance.services import SYSTEM
from motions import services as motions
from motions.models import Speaker
from tests.conftest import World, _with_totp
from tests.elections.conftest import add_voters, draft_ballot, draft_election
from tests.factories import MandateFactory
from tests.governance.assembly_support import convene
from tests.motions.conftest import convene as convene_ahead


def members_own_proxy(world: World, assembly) -> AssemblyProxy:
    """The `world` member's proxy for the coming meeting, held by the other officer."""
    return AssemblyProxy.objects.create(
        assembly=assembly,
        giver=world.member.member,
        holder=world.other_officer.member,
        created_at=timezone.now(),
        registered_by=world.member,
    )


def every_object(world: World) -> dict[str, str]:
    """One object of each kind, by the kind's name: its identifier as routes take it.

    The objects belong to the General Assembly, so the Board's chair acts for them and the
    chair of a local group's committee does not.
    """
    today = timezone.localdate()
    meeting = convene(world.assembly_body, day=today)
    meeting_proxy = assemblies.register_proxy(
        actor=world.officer,
        assembly=meeting,
        giver=world.member.member,
        holder=world.other_officer.member,
    )
    ballot = draft_ballot(world)
    elections.open_ballot(actor=world.officer, ballot=ballot)
    proxy = elections.give_proxy(
        actor=world.member, ballot=ballot, holder=world.other_officer.member
    )
    batch = elections.enter_paper_count(
        actor=world.officer, ballot=ballot, label="Room", groups=[["yes", 3]]
    )
    election = draft_election(world)
    candidate = election.candidates.first()
    # A motion submitted to a General Assembly convened 40 days ahead, with an amendment.
    standing_orders = Body.objects.create(
        unit=world.section, code="standing-orders", name="Standing Orders", kind="committee"
    )
    chair = _with_totp(add_voters(world, 1)[0])
    MandateFactory(member=chair.member, body=standing_orders, role="chair")
    future = convene_ahead(world, title="General Assembly")
    motion = motions.create_motion(
        actor=world.member,
        kind="resolution",
        body=world.assembly_body,
        assembly=future,
        title="Abolition",
        text="The General Assembly calls for abolition.\n\nThe Board reports each year.",
    )
    for supporter in add_voters(world, 5):
        motions.support(actor=supporter, item=motion)
    motions.submit_motion(actor=world.member, motion=motion)
    amendment = motions.create_amendment(
        actor=world.member, motion=motion, kind="replace_text", text="A new text."
    )
    # The member's own proxy for the coming General Assembly, withdrawn before it starts.
    own_proxy = members_own_proxy(world, future)
    # A member on the list of speakers (the motion is not on the agenda yet).
    speaker = Speaker.objects.create(
        motion=motion,
        member=world.other_officer.member,
        position=1,
        added_at=timezone.now(),
        added_by=world.officer,
    )
    # A secret ballot whose trustee is the member, still to publish their transport key.
    trustee = ballot_box.appoint_trustees(
        actor=world.officer,
        ballot=draft_ballot(world, title="A secret question"),
        members=[world.member.member],
        threshold_k=1,
    ).trustees.get()
    version = StatuteVersion.objects.get(number=1)
    decision = governance.record_decision(
        actor=SYSTEM,
        body=world.board,
        title="Budget",
        text="The Board adopts the budget.",
        article=version.articles.get(number="8"),
        outcome="adopted",
        decided_on=today,
    )
    return {
        "body": world.board.code,
        "version": str(version.number),
        "article": "8",
        "decision": decision.reference,
        "meeting": str(meeting.pk),
        "meeting_proxy": str(meeting_proxy.pk),
        "ballot": str(ballot.pk),
        "election": str(election.pk),
        "proxy": str(proxy.pk),
        "batch": str(batch.pk),
        "candidate": str(candidate.pk),
        "motion": str(motion.pk),
        "amendment": str(amendment.pk),
        "share_token": amendment.share_token,
        "member": str(world.member.member.pk),
        "membership_number": world.member.member.membership_number,
        "own_proxy": str(own_proxy.pk),
        "speaker": str(speaker.pk),
        "trustee": str(trustee.pk),
    }
