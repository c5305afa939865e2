"""The audit log: every write leaves a chained event; tampering of any kind is detected."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from governance import services
from governance.audit import log as audit
from governance.models import AuditEvent, AuditHead, OrganisationUnit
from governance.services import SYSTEM

pytestmark = pytest.mark.django_db


def make_events(count: int = 5) -> None:
    for index in range(count):
        services.create_unit(
            actor=SYSTEM, code=f"group-{index}", name=f"Group {index}", kind="local_group"
        )


def test_each_write_appends_one_event_with_new_values():
    services.create_unit(actor=SYSTEM, code="rabat", name="Rabat", kind="local_group")
    event = AuditEvent.objects.get()
    assert event.action == "unit.created"
    assert event.sequence == 1
    assert event.new["code"] == "rabat"
    assert event.prev_hash == audit.GENESIS_HASH


def test_events_are_chained_by_hash():
    make_events(3)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash


def test_intact_chain_verifies():
    make_events(5)
    result = audit.verify_chain()
    assert result.ok
    assert result.count == 5


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the writer's transaction"):
        audit.record(None, "unit.created")


def test_failed_write_leaves_no_event():
    make_events(1)
    with pytest.raises(ValueError, match="fails after the write"), transaction.atomic():
        services.create_unit(actor=SYSTEM, code="late", name="Late", kind="local_group")
        raise ValueError("the caller's transaction fails after the write")
    assert AuditEvent.objects.count() == 1
    assert not OrganisationUnit.objects.filter(code="late").exists()


def test_altered_event_is_detected():
    make_events(5)
    AuditEvent.objects.filter(sequence=3).update(new={"code": "forged"})
    result = audit.verify_chain()
    assert not result.ok
    assert result.bad_sequence == 3


def test_altered_actor_is_detected():
    make_events(3)
    AuditEvent.objects.filter(sequence=2).update(actor_label="somebody else")
    assert audit.verify_chain().bad_sequence == 2


def test_deleted_event_in_the_middle_is_detected():
    make_events(5)
    AuditEvent.objects.filter(sequence=3).delete()
    result = audit.verify_chain()
    assert not result.ok
    assert result.bad_sequence == 4


def test_deleted_last_event_is_detected_by_the_head():
    make_events(5)
    AuditEvent.objects.filter(sequence=5).delete()
    result = audit.verify_chain()
    assert not result.ok
    assert result.bad_sequence == 5


def test_reordered_events_are_detected():
    make_events(5)
    # Swap the sequence numbers of events 2 and 3 (through a free number).
    AuditEvent.objects.filter(sequence=2).update(sequence=99)
    AuditEvent.objects.filter(sequence=3).update(sequence=2)
    AuditEvent.objects.filter(sequence=99).update(sequence=3)
    result = audit.verify_chain()
    assert not result.ok
    assert result.bad_sequence == 2


def test_inserted_event_is_detected():
    make_events(3)
    last = AuditEvent.objects.get(sequence=3)
    AuditEvent.objects.filter(sequence=3).update(sequence=4, prev_hash=last.prev_hash)
    forged = AuditEvent.objects.get(sequence=1)
    forged.pk, forged.sequence, forged.hash = None, 3, "f" * 64
    forged.save()
    result = audit.verify_chain()
    assert not result.ok
    assert result.bad_sequence == 3


def test_rehashed_forgery_is_caught_by_the_next_link():
    """Altering an event and recomputing its hash still breaks the next event's link."""
    make_events(4)
    event = AuditEvent.objects.get(sequence=2)
    event.new = {"code": "forged"}
    event.hash = audit._hash_of(event)
    event.save()
    result = audit.verify_chain()
    assert result.bad_sequence == 3


def test_verify_audit_command_prints_the_count(capsys):
    make_events(4)
    call_command("verify_audit")
    assert "4 events" in capsys.readouterr().out


def test_verify_audit_command_fails_naming_the_bad_event():
    make_events(4)
    AuditEvent.objects.filter(sequence=2).update(action="forged")
    with pytest.raises(CommandError, match="event 2"):
        call_command("verify_audit")


def test_head_follows_the_last_event():
    make_events(2)
    head = AuditHead.objects.get()
    assert head.sequence == 2
    assert head.hash == AuditEvent.objects.get(sequence=2).hash


def test_canonical_json_of_plain_values_is_the_standard_librarys_for_every_code_point():
    # The fast path (orjson) must write exactly the definition's text, or hashes drift.
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for start in range(0, len(text), 4096):
        data = {"z": text[start : start + 4096], "a": [1, None, True, {"b": -(2**63)}]}
        assert audit.canonical_json(data, plain=True) == audit.canonical_json(data)
    for beyond in ({"n": 2**70}, {"s": "\ud800"}):  # past orjson: the standard library writes it
        assert audit.canonical_json(beyond, plain=True) == audit.canonical_json(beyond)


def test_events_appended_in_batches_chain_on_and_verify(world):
    before = AuditEvent.objects.count()
    with transaction.atomic():
        record_one_first = audit.record(None, "test.first", new={"x": 1})
        with audit.appending(world.staff) as append:
            append(
                ("test.batch", "t.o", str(i), f"o{i}", None, {"i": i, "é": '\t\\"'})
                for i in range(3)
            )
            append([("test.batch", "t.o", "9", "o9", {"d": "2026-01-01"}, {"d": None})])
        audit.record(None, "test.after")
    assert AuditEvent.objects.count() == before + 6
    events = list(AuditEvent.objects.filter(sequence__gt=record_one_first.sequence))
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].prev_hash == record_one_first.hash
    assert events[3].old == {"d": "2026-01-01"} and events[3].new == {"d": None}
    assert events[0].actor_id == world.staff.pk and events[0].actor_label == world.staff.email
    assert audit.verify_chain().ok
