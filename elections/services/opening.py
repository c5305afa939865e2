"""Opening a ballot: the roll frozen from the statutes' eligibility (or the room), the invitations."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elections import ballot_box, tasks
from elections.models import (
    Ballot,
    Candidate,
    Proxy,
    RollEntry,
)
from elections.services.casting import candidate_codes
from governance.assemblies import services as assemblies
from governance.exceptions import DomainError, RuleViolation
from governance.models import Assembly
from governance.statutes import eligibility


def eligible_voters(ballot: Ballot, on: dt.date) -> list[int]:
    """Who may vote, by member id, per the statutes in force on `on`: the roll `open_ballot` freezes.

    The body's current seats for a roll call, the statutes' eligibility rule otherwise
    (`governance.statutes.eligibility`, which the assemblies use too). A vote in the room takes its
    roll from the assembly instead: see `_room_roll`.
    """
    body = ballot.body if ballot.electorate == Ballot.Electorate.BODY else None
    return eligibility.entitled_member_ids(on, body=body)


def _freeze_roll(ballot: Ballot, voters: list[int]) -> None:
    """Write the roll: on PostgreSQL one ``INSERT ... SELECT unnest(array)`` statement.

    The same rows as `bulk_create` without a model instance, a placeholder and a bound
    parameter per voter (at 100,000 voters that was most of the opening's time); other
    databases take `bulk_create` in batches. The array goes as its text literal, joined
    in C: psycopg's list dumper checks every element in Python (0.35 s at 100,000).
    """
    if connection.vendor != "postgresql":
        RollEntry.objects.bulk_create(
            [RollEntry(ballot=ballot, member_id=pk) for pk in voters], batch_size=2000
        )
        return
    table = connection.ops.quote_name(RollEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ballot_id, member_id, weight) "
            "SELECT %s, voter, 1 FROM unnest(%s::bigint[]) AS voter",
            [ballot.pk, "{" + ",".join(map(str, voters)) + "}"],
        )


def _room_roll(ballot: Ballot) -> tuple[list[int], list[tuple[int, int]], int]:
    """A vote in the room: (voters, proxies as (giver, holder), the number entitled).

    The voters are the members present and entitled to vote, and the givers of the live
    proxies whose holder is present; the number entitled is the assembly's quorum base.
    """
    assembly = Assembly.objects.select_related("body").get(pk=ballot.assembly_id)
    if assembly.status != Assembly.Status.IN_SESSION:
        raise DomainError(
            _("A vote in the room opens while the assembly is in session."), field="assembly"
        )
    here = assemblies.room(assembly)
    return here.voter_ids, here.proxies, here.eligible


def _open(ballot: Ballot, actor) -> dict:
    now = timezone.now()
    if now >= ballot.closes_at:
        raise DomainError(
            _("The closing time has passed; change it before opening."), field="closes_at"
        )
    if ballot.kind == Ballot.Kind.ELECTION:
        if ballot.candidates.filter(status=Candidate.Status.NOMINATED).exists():
            raise DomainError(
                _("Some nominations still await the nominee's consent: withdraw them or wait.")
            )
        if not ballot.candidates.filter(status=Candidate.Status.STANDING).exists():
            raise DomainError(_("An election needs at least one candidate standing."))
    room_proxies: list[tuple[int, int]] = []
    if ballot.electorate == Ballot.Electorate.ASSEMBLY:
        voters, room_proxies, ballot.quorum_eligible = _room_roll(ballot)
    else:
        voters = eligible_voters(ballot, timezone.localdate(now))
    if not voters:
        raise RuleViolation(_("Nobody is entitled to vote in this ballot."))
    _freeze_roll(ballot, voters)
    # A proxy carried into the room becomes the ballot's: the holder casts it with
    # `cast_vote(on_behalf_of=giver)`, like a proxy given online.
    Proxy.objects.bulk_create(
        [
            Proxy(ballot=ballot, giver_id=giver, holder_id=holder, created_at=now)
            for giver, holder in room_proxies
        ]
    )
    if ballot.secret:
        ballot_box.prepare_for_opening(ballot, candidate_codes(ballot))
    ballot.opened_at = now
    if ballot.opens_at > now:
        ballot.opens_at = now
    opened = {"roll_size": len(voters), "seed": ballot.seed}
    if ballot.electorate == Ballot.Electorate.ASSEMBLY:
        opened.update(
            quorum_eligible=ballot.quorum_eligible,
            proxies=[{"giver": g, "holder": h} for g, h in room_proxies],
        )
    return opened


def _invite(ballot: Ballot, actor) -> None:
    transaction.on_commit(lambda: tasks.send_invitations.enqueue(ballot.pk))
