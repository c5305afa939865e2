"""The minutes PDF of an assembly: its content, and the same bytes from the same record."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils.formats import date_format
from pypdf import PdfReader

from elections import services as elections
from elections.models import Ballot
from governance import services
from governance.assemblies import services as assemblies
from governance.assemblies.minutes import render_minutes
from governance.audit import checkpoints
from governance.models import AuditEvent, StatuteVersion
from governance.services import SYSTEM
from tests.elections.conftest import draft_ballot
from tests.factories import close_and_tally
from tests.governance.assembly_support import convene, voters

pytestmark = pytest.mark.django_db

GENERATED = dt.datetime(2026, 5, 2, 18, 30, tzinfo=dt.UTC)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def held(world):
    """A General Assembly in session: 3 present, one proxy, one vote in the room counted."""
    ga = convene(world.assembly_body, title="Ordinary General Assembly")
    people = voters(world, 4, with_accounts=True)
    people[0].first_name, people[0].last_name = "Salma", "Bennani"
    people[0].save()
    assemblies.register_proxy(actor=world.officer, assembly=ga, giver=people[3], holder=people[0])
    for member in people[:3]:
        assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    assemblies.open_session(actor=world.officer, assembly=ga)
    ballot = elections.open_ballot(
        actor=world.officer,
        ballot=draft_ballot(world, electorate=Ballot.Electorate.ASSEMBLY, assembly=ga),
    )
    elections.cast_vote(actor=people[0].user, ballot=ballot, choices="yes")
    elections.cast_vote(actor=people[0].user, ballot=ballot, choices="yes", on_behalf_of=people[3])
    elections.cast_vote(actor=people[1].user, ballot=ballot, choices="no")
    close_and_tally(actor=world.officer, ballot=ballot)
    elections.count_ballot(actor=world.officer, ballot=ballot)
    assemblies.close_session(actor=world.officer, assembly=ga)
    ga.refresh_from_db()
    return ga, people


def test_minutes_show_the_meeting_attendance_quorum_and_decisions(held):
    ga, people = held
    text = text_of(render_minutes(ga, generated_at=GENERATED))
    assert "Minutes: Ordinary General Assembly" in text
    assert "General Assembly (Section)" in text
    assert "Rabat, Maison des associations" in text
    assert "first convocation" in text
    assert f"Convened on: {date_format(ga.convened_on, 'DATE_FORMAT')}" in text
    assert "Entitled to vote: 8" in text and "Present: 3" in text
    assert "Represented by proxy: 1" in text and "Took part: 4" in text
    assert f"Salma Bennani ({people[0].membership_number})" in text
    assert f"({people[3].membership_number}) gave a proxy to Salma Bennani" in text
    assert "Article 7, statutes version 1: 1/4" in text
    assert "4 took part of 8 entitled; 2 needed: quorum met." in text
    decision = ga.decisions.get()
    assert f"{decision.reference} · Adopt the activity report" in text
    assert "Outcome: Adopted" in text
    assert "article 8 (Majority of the General Assembly), statutes version 1" in text
    assert "Rule quorum (decisions of the General Assembly), article 7: met" in text
    assert "Rule majority (decisions of the General Assembly), article 8: met" in text
    # The figures' line wraps where their order puts it (PostgreSQL's jsonb keeps its own).
    flat = " ".join(text.split())
    assert "Entitled to vote: 8" in flat and "On the roll (in the room): 4" in flat
    assert "Yes: 2" in flat and "eligible" not in text and "on_roll" not in text


def test_the_same_record_gives_the_same_bytes(held):
    ga, _people = held
    first = render_minutes(ga, generated_at=GENERATED)
    assert render_minutes(ga, generated_at=GENERATED) == first


def test_another_generation_time_changes_only_the_timestamp(held):
    ga, _people = held
    first = render_minutes(ga, generated_at=GENERATED)
    later = render_minutes(ga, generated_at=GENERATED + dt.timedelta(days=3, minutes=7))
    assert later != first
    first_lines, later_lines = text_of(first).splitlines(), text_of(later).splitlines()
    changed = [(a, b) for a, b in zip(first_lines, later_lines, strict=True) if a != b]
    # The header's time, and the checkpoint's time and signature at the end (the same log).
    assert changed[0][0].startswith("Generated ")
    assert changed[1] == (
        GENERATED.astimezone(dt.UTC).isoformat(timespec="seconds"),
        (GENERATED + dt.timedelta(days=3, minutes=7))
        .astimezone(dt.UTC)
        .isoformat(timespec="seconds"),
    )
    assert first_lines.index(changed[1][0]) > first_lines.index("Audit log checkpoint")
    assert (
        PdfReader(io.BytesIO(first)).metadata.creation_date
        != PdfReader(io.BytesIO(later)).metadata.creation_date
    )


def test_minutes_of_an_assembly_without_decisions_say_so(world):
    ga = convene(world.assembly_body)
    text = text_of(render_minutes(ga, generated_at=GENERATED))
    assert "No decision is recorded for this assembly." in text
    assert "No attendance was recorded at the door" in text and "Present: 0" in text


def test_a_meeting_recorded_without_the_door_points_to_each_decision_quorum(world):
    ga = convene(world.assembly_body)
    article = StatuteVersion.objects.get().articles.get(number="8")
    services.record_decision(
        actor=SYSTEM,
        body=world.assembly_body,
        assembly=ga,
        title="Approval of the accounts",
        text="Approved.",
        article=article,
        outcome="adopted",
        decided_on=ga.meets_on,
        figures={"eligible": 231, "took_part": 74},
    )
    text = text_of(render_minutes(ga, generated_at=GENERATED))
    assert "The quorum of each vote is recorded with its decision below." in text
    assert "quorum not met" not in text
    assert "Entitled to vote: 231; Took part: 74" in text and "took_part" not in text


def test_the_minutes_carry_the_signed_checkpoint_they_were_drawn_from(held):
    ga, _people = held
    pdf = render_minutes(ga, generated_at=GENERATED)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    start = text.index("Audit log checkpoint")
    checkpoint = checkpoints.read_signed(text[start:])
    assert checkpoint.size == AuditEvent.objects.count()
    assert checkpoint.time == GENERATED.replace(microsecond=0)


def test_the_command_writes_the_minutes(held, tmp_path):
    ga, _people = held
    target = tmp_path / "minutes.pdf"
    call_command("assembly_minutes", str(ga.pk), "--output", str(target), stdout=io.StringIO())
    assert "Ordinary General Assembly" in text_of(target.read_bytes())
    assert not (tmp_path / "minutes.pdf.part").exists()


@pytest.mark.parametrize("bad", ["999999", "abc"])
def test_the_command_refuses_an_unknown_assembly(world, tmp_path, bad):
    with pytest.raises(CommandError) as raised:
        call_command("assembly_minutes", bad, "--output", str(tmp_path / "x.pdf"))
    assert bad in str(raised.value)
    assert not (tmp_path / "x.pdf").exists()
