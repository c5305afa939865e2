"""The hash-chained audit log: append an event inside the writer's transaction, verify the chain."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64


def jsonable(value: Any) -> Any:
    """Turn a value into plain JSON data whose canonical form survives a database round trip."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # Floats do not round-trip exactly through every JSON column: store their text.
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return str(value)


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def model_values(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values (foreign keys as ids), ready for `old`/`new`."""
    names = fields or [f.name for f in instance._meta.concrete_fields]
    values = {}
    for name in names:
        field = instance._meta.get_field(name)
        values[name] = jsonable(getattr(instance, field.attname))
    return values


def event_hash(
    *,
    sequence: int,
    occurred_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_label: str,
    old: Any,
    new: Any,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of the event, chained to the previous hash."""
    body = canonical_json(
        {
            "sequence": sequence,
            "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "object_label": object_label,
            "old": old,
            "new": new,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_label=event.object_label,
        old=event.old,
        new=event.new,
        prev_hash=event.prev_hash,
    )


@dataclass(frozen=True)
class Change:
    """One event to append: what happened to which object, with old and new values."""

    action: str
    obj: models.Model | None = None
    old: Any = None
    new: Any = None
    object_type: str = ""
    object_id: str = ""
    object_label: str = ""


def _lock_head() -> AuditHead:
    try:
        return AuditHead.objects.select_for_update().get(id=1)
    except AuditHead.DoesNotExist:
        AuditHead.objects.get_or_create(id=1, defaults={"sequence": 0, "hash": GENESIS_HASH})
        return AuditHead.objects.select_for_update().get(id=1)


def record_many(actor, changes: Iterable[Change], *, actor_label: str = "") -> list[AuditEvent]:
    """Append events for changes made in the caller's transaction.

    Must be called inside `transaction.atomic()`: the events commit or roll back with the
    writes they describe. The head row is locked, so concurrent writers append one after
    another and the chain never forks.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events must be recorded inside the writer's transaction.")
    changes = list(changes)
    if not changes:
        return []
    head = _lock_head()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    label = actor_label or (actor.email if actor_id else "system")
    now = timezone.now()
    events = []
    sequence, prev = head.sequence, head.hash
    for change in changes:
        sequence += 1
        obj = change.obj
        object_type = change.object_type or (obj._meta.label_lower if obj is not None else "")
        object_id = change.object_id or (str(obj.pk) if obj is not None else "")
        object_label = (change.object_label or (str(obj) if obj is not None else ""))[:300]
        event = AuditEvent(
            sequence=sequence,
            occurred_at=now,
            actor_id=actor_id,
            actor_label=label,
            action=change.action,
            object_type=object_type,
            object_id=object_id,
            object_label=object_label,
            old=jsonable(change.old),
            new=jsonable(change.new),
            prev_hash=prev,
        )
        # The same function the verification uses, so writing and checking cannot drift apart.
        event.hash = prev = _hash_of(event)
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    AuditHead.objects.filter(pk=head.pk).update(sequence=sequence, hash=prev)
    return events


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    old: Any = None,
    new: Any = None,
    **extra,
) -> AuditEvent:
    """Append one event (see `record_many`)."""
    return record_many(actor, [Change(action=action, obj=obj, old=old, new=new, **extra)])[0]


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    head_hash: str
    bad_sequence: int | None = None
    problem: str = ""


def verify_chain() -> Verification:
    """Walk the chain in sequence order; report the first event that breaks it.

    Detects an altered row (its hash no longer matches its content), a deleted or inserted
    row (a gap or a repeat in the sequence, a broken link to the previous hash), a reordered
    row (links out of order), and a deleted tail (the head no longer matches the last event).
    Reads one consistent snapshot, so writers appending meanwhile do not disturb it.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # The isolation level can only be set as a transaction's first statement; inside a
        # caller's transaction (a test, a management command's own) its snapshot is used.
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        head = AuditHead.objects.filter(id=1).first()
        events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=5000)
        return _walk(events, head)


def _walk(events: Iterable[AuditEvent], head: AuditHead | None) -> Verification:
    expected_sequence, prev, count = 1, GENESIS_HASH, 0
    for event in events:
        if event.sequence != expected_sequence:
            return Verification(
                False,
                count,
                prev,
                event.sequence,
                _("sequence %(found)s found where %(expected)s was expected")
                % {"found": event.sequence, "expected": expected_sequence},
            )
        if event.prev_hash != prev:
            return Verification(
                False, count, prev, event.sequence, _("the link to the previous event is broken")
            )
        if _hash_of(event) != event.hash:
            return Verification(
                False, count, prev, event.sequence, _("its content does not match its hash")
            )
        prev = event.hash
        expected_sequence += 1
        count += 1
    head_sequence, head_hash = (head.sequence, head.hash) if head else (0, GENESIS_HASH)
    if head_sequence != count or head_hash != prev:
        return Verification(
            False,
            count,
            prev,
            min(head_sequence, count + 1),
            _("the chain ends at event %(count)s but its head says %(head)s")
            % {"count": count, "head": head_sequence},
        )
    return Verification(True, count, prev)
