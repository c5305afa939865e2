"""The hash-chained audit log: append an event inside the writer's transaction, verify the chain."""

from __future__ import annotations

import binascii
import contextlib
import dataclasses
import datetime as dt
import decimal
import hashlib
import itertools
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_str
from typing import Any

import orjson
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import bulk
from governance.audit import merkle
from governance.models import AuditEvent, AuditHead, AuditSubtree

GENESIS_HASH = "0" * 64
_orjson_dumps, _orjson_loads, _SORTED = orjson.dumps, orjson.loads, orjson.OPT_SORT_KEYS


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


def canonical_json(data: Any, *, plain: bool = False) -> str:
    """The canonical JSON the hashes are taken over: keys sorted, no spaces, UTF-8 as is.

    `plain=True` is the caller's promise that `data` is `jsonable`'s output (no floats: it
    turns them into text), for which orjson writes the same text several times faster
    (`test_audit_log` checks every code point); anything orjson cannot write (an integer
    past 64 bits, a lone surrogate) falls back to the standard library, the definition.
    """
    if plain:
        try:
            return _orjson_dumps(data, option=_SORTED).decode()
        except (orjson.JSONEncodeError, TypeError):
            pass
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


# Who did what to which object, and when: an event without its content and its chaining.
EVENT_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
)
EXPORT_FIELDS = (*EVENT_FIELDS, "old", "new", "prev_hash", "hash")


def export_lines(chunk_size: int = 2000) -> Iterator[str]:
    """The whole log as JSON lines, in sequence order, for auditors to keep and check.

    Each line is the exact body that was hashed (`event_hash`: canonical JSON, time in UTC)
    with its `hash` added, so anyone can recompute every hash and every link from the file
    alone. One query with a server-side cursor: one snapshot, constant memory.
    """
    rows = AuditEvent.objects.order_by("sequence").values_list(*EXPORT_FIELDS)
    for row in rows.iterator(chunk_size):
        line = dict(zip(EXPORT_FIELDS, row, strict=True))
        line["occurred_at"] = (
            line["occurred_at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
        )
        yield canonical_json(line) + "\n"


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
    bulk.insert(AuditEvent, events)
    AuditHead.objects.filter(pk=head.pk).update(sequence=sequence, hash=prev)
    store_blocks(head.sequence, sequence)
    return events


class _Appender:
    """Events appended in batches under one lock of the head (see `appending`)."""

    COLUMNS = EXPORT_FIELDS  # an event's every stored column, in the export's order

    def __init__(self, actor, actor_label: str):
        self.head = _lock_head()
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.label = actor_label or (actor.email if self.actor_id else "system")
        self.now = timezone.now()
        self.occurred = self.now.astimezone(dt.UTC).isoformat(timespec="microseconds")
        self.sequence, self.prev = self.head.sequence, self.head.hash
        self.count = 0

    def __call__(self, events: Iterable[tuple[str, str, str, str, Any, Any]]) -> int:
        """Append `(action, object_type, object_id, object_label, old, new)` tuples, old and
        new already `jsonable`; returns how many."""
        sequence, prev, digest = self.sequence, self.prev, _digest
        occurred, actor_id, label, now = self.occurred, self.actor_id, self.label, self.now
        rows, values = [], []
        for action, otype, oid, olabel, old, new in events:
            sequence += 1
            olabel = olabel[:300]
            old_json = canonical_json(old, plain=True)
            new_json = canonical_json(new, plain=True)
            prev_hash = prev
            prev = digest(
                sequence, occurred, actor_id, label, action, otype, oid, olabel, old_json,
                new_json, prev_hash,
            )  # fmt: skip
            rows.append(
                (sequence, now, actor_id, label, action, otype, oid, olabel,
                 None if old is None else old_json, None if new is None else new_json,
                 prev_hash, prev)
            )  # fmt: skip
            values.append((old, new))
        if connection.vendor == "postgresql":
            # The JSON columns take the canonical text just hashed: one encoding an event.
            bulk.copy_rows(AuditEvent._meta.db_table, self.COLUMNS, rows)
        else:
            events_ = []
            for row, (old, new) in zip(rows, values, strict=True):
                event = AuditEvent(**dict(zip(self.COLUMNS, row, strict=True)))
                event.old, event.new = old, new
                events_.append(event)
            AuditEvent.objects.bulk_create(events_, batch_size=1000)
        self.count += len(rows)
        self.sequence, self.prev = sequence, prev
        return len(rows)

    def finish(self) -> None:
        if self.count:
            AuditHead.objects.filter(pk=self.head.pk).update(sequence=self.sequence, hash=self.prev)
            store_blocks(self.head.sequence, self.sequence)


@contextlib.contextmanager
def appending(actor, *, actor_label: str = "") -> Iterator[_Appender]:
    """Append many events in batches, as plain values, without building a model for each.

    For imports: `with appending(actor) as append: append(batch)` locks the head once, and
    each batch's hashes are computed in one loop with the verification's own encoding
    (`_digest`, `canonical_json`) and written by COPY on PostgreSQL; the head moves when
    the block ends. Inside the writer's transaction, as `record_many`.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events must be recorded inside the writer's transaction.")
    appender = _Appender(actor, actor_label)
    yield appender
    appender.finish()


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


#: The log's stored subtrees (`AuditSubtree`): complete, aligned blocks of 2**10 leaves.
BLOCK_LEVEL = 10
BLOCK = 1 << BLOCK_LEVEL


def block_hashes(hashes: Iterable[str]) -> Iterator[bytes]:
    """The RFC 9162 root of each complete run of BLOCK event hashes (hex), in order."""
    leaf, builder = merkle.leaf_hash, merkle.TreeBuilder()
    for event_hash_ in hashes:
        builder.append(leaf(bytes.fromhex(event_hash_)))
        if builder.size == BLOCK:
            yield builder.root()
            builder = merkle.TreeBuilder()


def store_blocks(before: int, after: int) -> int:
    """Store the hash of every block the events after #`before` up to #`after` completed.

    Called by the functions that append events, in their transaction, once the events are
    written: a block completes when the log reaches a multiple of BLOCK events. Reads the
    stored hashes of those blocks' events (one query) and replaces any row left for the
    same blocks (a log rolled back and appended again). Returns how many were stored.
    """
    first, last = before // BLOCK, after // BLOCK  # blocks [first, last) completed
    if last <= first:
        return 0
    rows = (
        AuditEvent.objects.filter(sequence__gt=first * BLOCK, sequence__lte=last * BLOCK)
        .order_by("sequence")
        .values_list("hash", flat=True)
    )
    roots = list(block_hashes(rows.iterator(chunk_size=20000)))
    AuditSubtree.objects.filter(level=BLOCK_LEVEL, index__gte=first, index__lt=last).delete()
    AuditSubtree.objects.bulk_create(
        [
            AuditSubtree(level=BLOCK_LEVEL, index=first + offset, hash=root)
            for offset, root in enumerate(roots)
        ],
        batch_size=1000,
    )
    return len(roots)


@dataclass(frozen=True)
class CheckpointCheck:
    """Whether the log still extends one signed checkpoint, and if not, what changed."""

    size: int
    time: dt.datetime
    ok: bool
    problem: str = ""


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    head_hash: str
    bad_sequence: int | None = None
    problem: str = ""
    root: bytes = merkle.EMPTY_ROOT  # the Merkle root (RFC 9162) of the events verified
    checkpoints: tuple[CheckpointCheck, ...] = ()

    @property
    def extends_checkpoints(self) -> bool:
        return all(check.ok for check in self.checkpoints)


def leaf_of(event_hash: str) -> bytes:
    """The log's leaf for an event: SHA-256(0x00 || the event's 32-byte hash), RFC 9162."""
    return merkle.leaf_hash(bytes.fromhex(event_hash))


@contextlib.contextmanager
def read_snapshot(*, savepoint: bool = True) -> Iterator[None]:
    """One read-only snapshot (REPEATABLE READ on PostgreSQL) for the rows and the head.

    `savepoint=False`: none inside a caller's block, for `verify_chain`, which raises
    nothing of its own there and whose ranges' processes need the caller's snapshot
    (PostgreSQL exports none from a subtransaction, `_parallel_chunks`)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic(savepoint=savepoint):
        # The isolation level can only be set as a transaction's first statement; inside a
        # caller's transaction (a test, a management command's own) its snapshot is used.
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def verify_chain(checkpoints: Iterable[Any] = (), *, workers: int = 1) -> Verification:
    """Walk the log in sequence order; report the first event that breaks it.

    Detects an altered row (its hash no longer matches its content), a deleted or inserted
    row (a gap or a repeat in the sequence, a broken link to the previous hash), a reordered
    row (links out of order), and a deleted tail (the head no longer matches the last event).
    Builds the log's Merkle tree on the way and, for each signed checkpoint given
    (`governance.audit.checkpoints.Checkpoint`), proves the log still extends it: its first `size`
    events give the signed root. That catches what nothing inside the database can: a
    truncation or a rewrite that recomputed every hash and moved the head. Reads one
    consistent snapshot, so writers appending meanwhile do not disturb it.

    With `workers` > 1 on PostgreSQL (the `verify_audit` command), ranges of the log are
    checked by that many processes reading the same exported snapshot; each range's stored
    previous hash is checked against the range before it, and the ranges' Merkle subtrees
    are joined, so the answer is the same as one walk's.
    """
    wanted = sorted(checkpoints, key=lambda checkpoint: checkpoint.size)
    sizes = {c.size for c in wanted}
    with read_snapshot(savepoint=False):
        head = AuditHead.objects.filter(id=1).first()
        if workers > 1 and connection.vendor == "postgresql" and head and head.sequence > CHUNK:
            chunks = _parallel_chunks(head.sequence, sizes, workers)
        elif connection.vendor == "postgresql":
            chunks = [_copy_walk(connection.connection, _PG_ROWS, 1, GENESIS_HASH, sizes)]
        else:
            chunks = [_walk_range(_sqlite_rows(), 1, GENESIS_HASH, sizes)]
        stored = dict(AuditSubtree.objects.filter(level=BLOCK_LEVEL).values_list("index", "hash"))
    verification, roots = _join(chunks, head, sizes)
    if verification.ok:
        verification = _check_blocks(verification, chunks, stored)
    checks = []
    proven: Any = None  # the largest checkpoint the log still extends, to narrow a change
    for checkpoint in wanted:
        check = _against(checkpoint, verification, roots, proven)
        if check.ok:
            proven = checkpoint
        checks.append(check)
    if not checks:
        return verification
    return dataclasses.replace(verification, checkpoints=tuple(checks))


def _check_blocks(verification: Verification, chunks: list[_Range], stored: dict) -> Verification:
    """The stored block hashes (`AuditSubtree`) against the blocks the walk recomputed from
    the events: the first missing, altered or extra block row is named."""
    computed = [root for chunk in chunks for root in chunk.blocks]
    for index, root in enumerate(computed):
        first, last = index * BLOCK + 1, (index + 1) * BLOCK
        values = {"index": index, "first": first, "last": last}
        if index not in stored:
            problem = _(
                "the stored hash of block %(index)s (events #%(first)s to #%(last)s) is missing"
            )
        elif bytes(stored[index]) != root:
            problem = _(
                "the stored hash of block %(index)s (events #%(first)s to #%(last)s) does not "
                "match its events: the block row was altered"
            )
        else:
            continue
        return dataclasses.replace(
            verification, ok=False, bad_sequence=first, problem=problem % values
        )
    extra = sorted(index for index in stored if index >= len(computed))
    if extra:
        values = {"index": extra[0], "first": extra[0] * BLOCK + 1, "count": verification.count}
        problem = _(
            "a block hash is stored for block %(index)s (from event #%(first)s) but the log "
            "holds only %(count)s events: events were removed"
        )
        return dataclasses.replace(
            verification, ok=False, bad_sequence=values["first"], problem=problem % values
        )
    return verification


def _against(
    checkpoint, verification: Verification, roots: dict[int, bytes], proven
) -> CheckpointCheck:
    when = checkpoint.time.astimezone(dt.UTC).isoformat(timespec="seconds")
    values = {"size": checkpoint.size, "time": when, "count": verification.count}
    if checkpoint.size in roots:
        if roots[checkpoint.size] == checkpoint.root:
            return CheckpointCheck(checkpoint.size, checkpoint.time, True)
        problem = (
            _(
                "the first %(size)s events no longer give the root signed at %(time)s: an event "
                "at or before #%(size)s was removed, rewritten or reordered since"
            )
            % values
        )
        if proven is not None:
            problem += " " + _(
                "(after #%(proven)s, which the checkpoint of %(proven_time)s still proves)"
            ) % {
                "proven": proven.size,
                "proven_time": proven.time.astimezone(dt.UTC).isoformat(timespec="seconds"),
            }
        return CheckpointCheck(checkpoint.size, checkpoint.time, False, problem)
    if not verification.ok and (verification.bad_sequence or 0) <= checkpoint.size:
        problem = _(
            "the log breaks at event #%(bad)s, within the %(size)s events signed at %(time)s"
        ) % dict(values, bad=verification.bad_sequence)
        return CheckpointCheck(checkpoint.size, checkpoint.time, False, problem)
    problem = _(
        "the log holds %(count)s events but %(size)s were signed at %(time)s: "
        "%(missing)s events at or before #%(size)s were removed (the log was truncated, "
        "rolled back or cut)"
    ) % dict(values, missing=checkpoint.size - verification.count)
    return CheckpointCheck(checkpoint.size, checkpoint.time, False, problem)


#: The rows `_walk_raw` reads on PostgreSQL, by COPY in its text format: the time as the
#: hash takes it (UTC, microseconds; "+00:00" is the template's), the nullable columns as JSON
#: `null`, and the columns that can never hold a backslash or a control character (a JSON
#: text has them escaped) last, so `_UNSAFE` looks at the others only. `{where}` narrows the
#: rows to a range (`_check_range`).
_PG_RAW = """
    COPY (SELECT sequence,
                 to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                 COALESCE(actor_id::text, 'null'), actor_label, action, object_type, object_id,
                 object_label, prev_hash, hash, COALESCE(old::text, 'null'),
                 COALESCE(new::text, 'null')
          FROM governance_auditevent{where} ORDER BY sequence) TO STDOUT
"""
_PG_ROWS = _PG_RAW.format(where="")
_SQL_ROWS = (
    "SELECT sequence, occurred_at, actor_id, actor_label, action, object_type, object_id, "
    "object_label, old, new, prev_hash, hash FROM governance_auditevent ORDER BY sequence"
)


def _sqlite_rows() -> Iterator[tuple]:
    """Every event as plain values, in sequence order, without building models (SQLite: its
    stored time text made ISO; the JSON columns come as text)."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL_ROWS)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                yield (row[0], _sqlite_time(row[1]), *row[2:])


def _sqlite_time(value: Any) -> str:
    if isinstance(value, dt.datetime):  # the driver parsed it: naive values are UTC
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    text = value.replace(" ", "T")
    if "." not in text:
        text += ".000000"
    return text + "+00:00"


#: The canonical JSON of an event (`event_hash`), its keys in sorted order, as one template.
_BODY = (
    '{"action":%s,"actor_id":%s,"actor_label":%s,"new":%s,"object_id":%s,'
    '"object_label":%s,"object_type":%s,"occurred_at":"%s","old":%s,"prev_hash":%s,'
    '"sequence":%d}'
)


def _fast_digest(row: tuple) -> str:
    """The event's hash from its plain values: the same bytes `event_hash` hashes.

    orjson re-encodes the JSON columns (keys sorted, no spaces, UTF-8); when its digest does
    not match, `_reference_digest` recomputes with the standard library before anyone is
    told, so the definition stays `canonical_json`'s.
    """
    seq, occurred, actor_id, actor_label, action, otype, oid, olabel, old, new, prev, _h = row
    return _digest(
        seq,
        occurred,
        actor_id,
        actor_label,
        action,
        otype,
        oid,
        olabel,
        "null" if old is None else _orjson_dumps(_orjson_loads(old), option=_SORTED).decode(),
        "null" if new is None else _orjson_dumps(_orjson_loads(new), option=_SORTED).decode(),
        prev,
    )


def _digest(
    seq, occurred, actor_id, actor_label, action, otype, oid, olabel, old_json, new_json, prev
) -> str:
    """`event_hash` from plain values: the time as its UTC text, old and new as canonical JSON."""
    body = _BODY % (
        _encode_str(action),
        "null" if actor_id is None else actor_id,
        _encode_str(actor_label),
        new_json,
        _encode_str(oid),
        _encode_str(olabel),
        _encode_str(otype),
        occurred,
        old_json,
        _encode_str(prev),
        seq,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _reference_digest(row: tuple) -> str:
    seq, occurred, actor_id, actor_label, action, otype, oid, olabel, old, new, prev, _h = row
    return event_hash(
        sequence=seq,
        occurred_at=dt.datetime.fromisoformat(occurred),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=otype,
        object_id=oid,
        object_label=olabel,
        old=None if old is None else json.loads(old),
        new=None if new is None else json.loads(new),
        prev_hash=prev,
    )


def _digest_matches(row: tuple) -> bool:
    try:
        if _fast_digest(row) == row[11]:
            return True
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, TypeError):
        pass  # beyond orjson (an integer past 64 bits, a lone surrogate): the reference decides
    try:
        return _reference_digest(row) == row[11]
    except (ValueError, TypeError):
        return False


#: Events per range when ranges are checked in parallel: a power of two, so each range's
def _out_of_place(found: int, expected: int) -> str:
    """The problem of an event whose sequence is not the next one (a gap, a duplicate)."""
    return _("sequence %(found)s found where %(expected)s was expected") % {
        "found": found,
        "expected": expected,
    }


def _broken_link() -> str:
    """The problem of an event whose stored previous hash is not its predecessor's hash."""
    return _("the link to the previous event is broken")


#: Merkle subtrees start where the whole tree has them and join exactly.
CHUNK = 1 << 17


@dataclass
class _Range:
    """What one walk over consecutive events found (see `_walk_range`)."""

    start: int  # the sequence expected first
    first_sequence: int | None = None  # the sequence found first
    first_prev: str = ""  # the previous hash the first event stores
    count: int = 0
    last_hash: str = ""
    problem: tuple[int, str] | None = None  # (sequence, message) of the first bad event
    frontier: tuple[list[bytes], int] = ([], 0)
    marks: dict[int, tuple[list[bytes], int]] = dataclasses.field(default_factory=dict)
    blocks: list[bytes] = dataclasses.field(default_factory=list)  # complete blocks' roots


def _walk_range(rows: Iterable[tuple], start: int, prev: str | None, sizes) -> _Range:
    """Check consecutive events from sequence `start`: numbers, links, content against hash.

    `prev` is the hash the first event must link to, or None when the range before is checked
    elsewhere (the join compares its last hash with this range's `first_prev`). The range's
    Merkle tree is built apart; `marks` keeps its state at each requested global size.
    """
    found = _Range(start=start)
    # Two trees: the current block's leaves, and the range's complete blocks (each joined
    # as one subtree when it completes, its root kept to check against the stored block).
    # Ranges start at a block boundary (sequence 1 or a multiple of CHUNK, plus one).
    expected, tree, block = start, merkle.TreeBuilder(), merkle.TreeBuilder()
    append, leaf, blocks = block.append, merkle.leaf_hash, found.blocks
    for row in rows:
        sequence, event_prev, event_hash_ = row[0], row[10], row[11]
        if found.first_sequence is None:
            found.first_sequence, found.first_prev = sequence, event_prev
            if prev is None:
                prev = event_prev
        if sequence != expected:
            found.problem = (sequence, _out_of_place(sequence, expected))
            break
        if event_prev != prev:
            found.problem = (sequence, _broken_link())
            break
        if not _digest_matches(row):
            found.problem = (sequence, _("its content does not match its hash"))
            break
        append(leaf(bytes.fromhex(event_hash_)))
        prev = event_hash_
        if block.size == BLOCK:
            blocks.append(block.root())
            tree.append_subtree(blocks[-1], BLOCK_LEVEL)
            block = merkle.TreeBuilder()
            append = block.append
        if expected in sizes:
            found.marks[expected] = _joined(tree, block)
        expected += 1
    found.count, found.last_hash = expected - start, prev or ""
    found.frontier = _joined(tree, block)
    return found


def _joined(tree: merkle.TreeBuilder, block: merkle.TreeBuilder) -> tuple[list[bytes], int]:
    """The state (`TreeBuilder.state`) of the complete blocks' tree followed by the partial
    block's leaves: the frontiers join, the block's nodes being all lower."""
    return tree.state()[0] + block.state()[0], tree.size + block.size


#: `_BODY` as bytes for `_walk_raw`: the values go in as COPY gave them (see `_PG_RAW`).
_RAW_BODY = (
    b'{"action":"%s","actor_id":%s,"actor_label":"%s","new":%s,"object_id":"%s",'
    b'"object_label":"%s","object_type":"%s","occurred_at":"%s+00:00","old":%s,'
    b'"prev_hash":"%s","sequence":%s}'
)
#: What a text column must not hold to go into `_RAW_BODY` as it is: a quote, a backslash
#: (JSON escapes both; in COPY's text a backslash starts an escape) or a control character
#: (JSON escapes them; COPY writes some as escapes, the others as they are). The tab is
#: COPY's delimiter, never in a value: a tab in one is written `\t`.
_UNSAFE = bytes(range(0x09)) + bytes(range(0x0A, 0x20)) + b'"\\'
_COPY_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.DOTALL)
_COPY_LETTERS = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}


def _copy_unescape(field: bytes) -> bytes:
    """A column of COPY's text format as its bytes (backslash escapes undone)."""

    def one(match: re.Match) -> bytes:
        octal, hexa, other = match.groups()
        if octal is not None:
            return bytes([int(octal, 8) & 0xFF])
        if hexa is not None:
            return bytes([int(hexa, 16)])
        return _COPY_LETTERS.get(other, other)

    return _COPY_ESCAPE.sub(one, field)


def _raw_values(line: bytes) -> tuple:
    """A `_PG_RAW` line as the plain values `_digest_matches` takes (the careful path)."""
    fields = [None if f == b"\\N" else _copy_unescape(f).decode() for f in line.split(b"\t")]
    seq, occurred, actor, *texts, prev, stored, old, new = fields
    actor_id = None if actor is None else json.loads(actor)
    occurred = None if occurred is None else occurred + "+00:00"
    return (int(seq), occurred, actor_id, *texts, old, new, prev, stored)


def _raw_matches(line: bytes) -> bool:
    """Whether a `_PG_RAW` line's content gives its stored hash, by the plain values'
    digest and, failing that, the definition (`_digest_matches`)."""
    try:
        return _digest_matches(_raw_values(line))
    except (ValueError, TypeError, UnicodeDecodeError):
        return False


def _walk_raw(blocks: Iterable[Any], start: int, prev: str | None, sizes) -> _Range:
    """`_walk_range` over COPY's raw text (`_PG_RAW`), without parsing rows into values.

    PostgreSQL sends COPY's output one row a message, which psycopg hands over as it is: a
    line ending in a newline (protocol, "COPY Operations"). Each line is split at its tabs
    and, when its text columns hold nothing JSON or COPY would escape (`_UNSAFE`) and old and
    new no backslash, its columns go into the canonical JSON of the event as they are
    (`_RAW_BODY`); only old and new are re-encoded (orjson, keys sorted). Any other line, or
    one whose digest does not match, is decoded into plain values and checked by
    `_digest_matches`, which falls back to the definition (`event_hash`) before anyone is
    told. So the fast path can only spare work: every byte string it hashes is a JSON
    encoding of the values read, so it gives a stored hash only for the content that hash
    was taken over. The tree is built a block of BLOCK leaves at a time, level by level
    (`merkle.root`).
    """
    found = _Range(start=start)
    sha, hexlify, unsafe = hashlib.sha256, binascii.hexlify, _UNSAFE
    loads, dumps, sort = orjson.loads, orjson.dumps, orjson.OPT_SORT_KEYS
    body, leaf_prefix = _RAW_BODY, merkle.LEAF
    tree, blocks_done = merkle.TreeBuilder(), found.blocks
    leaves: list[bytes] = []
    add_leaf = leaves.append
    expected = start
    last = None if prev is None else prev.encode()
    blocks = iter(blocks)
    first = next(blocks, None)
    if first is not None:
        columns = bytes(first).split(b"\t")
        found.first_sequence, found.first_prev = int(columns[0]), columns[8].decode()
        if last is None:
            last = columns[8]
        blocks = itertools.chain((first,), blocks)
    for chunk in blocks:
        line = bytes(chunk)
        (seq, occurred, actor, actor_label, action, otype, oid, olabel, prev_, stored, old, new) = line.split(b"\t")  # fmt: skip
        new = new[:-1]  # the line's newline
        sequence = int(seq)
        if sequence != expected:
            found.problem = (sequence, _out_of_place(sequence, expected))
            break
        if prev_ != last:
            found.problem = (sequence, _broken_link())
            break
        digest = None
        texts = len(line) - len(old) - len(new) - 3  # the columns before old and new
        if (
            len(line[:texts].translate(None, unsafe)) == texts
            and b"\\" not in old
            and b"\\" not in new
        ):
            try:
                digest = sha(
                    body
                    % (
                        action, actor, actor_label,
                        new if new == b"null" else dumps(loads(new), option=sort),
                        oid, olabel, otype, occurred,
                        old if old == b"null" else dumps(loads(old), option=sort),
                        prev_, seq,
                    )
                ).digest()  # fmt: skip
            except (orjson.JSONDecodeError, orjson.JSONEncodeError):
                pass  # beyond orjson (a number past a double's range): the careful path
            else:
                if hexlify(digest) != stored:
                    digest = None
        if digest is None:
            if not _raw_matches(line[:-1]):
                found.problem = (sequence, _("its content does not match its hash"))
                break
            digest = bytes.fromhex(stored.decode())
        add_leaf(sha(leaf_prefix + digest).digest())
        last = stored
        if len(leaves) == BLOCK:
            blocks_done.append(merkle.root(leaves))
            tree.append_subtree(blocks_done[-1], BLOCK_LEVEL)
            leaves.clear()
        if expected in sizes:
            found.marks[expected] = _joined(tree, _builder(leaves))
        expected += 1
    found.count = expected - start
    found.last_hash = "" if last is None else last.decode()
    found.frontier = _joined(tree, _builder(leaves))
    return found


def _builder(leaves: list[bytes]) -> merkle.TreeBuilder:
    builder = merkle.TreeBuilder()
    builder.extend(leaves)
    return builder


def _join(chunks: list[_Range], head: AuditHead | None, sizes) -> tuple[Verification, dict]:
    """One verification from the ranges, in order: the first problem, the whole tree's root."""
    tree, roots = merkle.TreeBuilder(), {}
    if 0 in sizes:
        roots[0] = merkle.EMPTY_ROOT
    count, prev = 0, GENESIS_HASH

    def broken(sequence, problem):
        return Verification(False, count, prev, sequence, problem, tree.root()), roots

    for chunk in chunks:
        if chunk.first_sequence is not None and count == chunk.start - 1:
            if chunk.first_sequence == chunk.start and chunk.first_prev != prev:
                return broken(chunk.start, _broken_link())
        elif chunk.first_sequence is not None:
            # An earlier range ended short (events missing): its successor is out of place.
            return broken(chunk.first_sequence, _out_of_place(chunk.first_sequence, count + 1))
        for size, state in chunk.marks.items():
            marked = tree.copy()
            marked.merge(*state)
            roots[size] = marked.root()
        tree.merge(*chunk.frontier)
        count += chunk.count
        if chunk.count:
            prev = chunk.last_hash
        if chunk.problem:
            return broken(*chunk.problem)
    head_sequence, head_hash = (head.sequence, head.hash) if head else (0, GENESIS_HASH)
    if head_sequence != count or head_hash != prev:
        return broken(
            min(head_sequence, count + 1),
            _("the chain ends at event %(count)s but its head says %(head)s")
            % {"count": count, "head": head_sequence},
        )
    return Verification(True, count, prev, root=tree.root()), roots


def _parallel_chunks(head_sequence: int, sizes, workers: int) -> list[_Range]:
    """Ranges of CHUNK events checked by `workers` processes in this transaction's snapshot.

    PostgreSQL exports the snapshot (`pg_export_snapshot`), and each process opens its own
    connection and reads in it (`SET TRANSACTION SNAPSHOT`), as `pg_dump --jobs` does. The
    last range runs to the end of the table, so rows past the head are seen.
    """
    import multiprocessing

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    # Only the plain connection settings (the adapters and cursor class are the parent's).
    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if isinstance(value, str | int) and key not in ("cursor_factory", "prepare_threshold")
    }
    starts = list(range(1, head_sequence + 1, CHUNK))
    tasks = [
        (params, snapshot, start, None if start == starts[-1] else start + CHUNK - 1, sizes)
        for start in starts
    ]
    # fork: the children need the loaded project, not a fresh interpreter; they never touch
    # the parent's connection (each opens its own) and leave without running its finalisers.
    with multiprocessing.get_context("fork").Pool(min(workers, len(tasks))) as pool:
        return pool.map(_check_range, tasks, chunksize=1)


@contextlib.contextmanager
def _copy_out(pg, query: str) -> Iterator[Iterator[Any]]:
    """The rows of `COPY ... TO STDOUT` on the psycopg connection `pg` as libpq hands them
    over (one row a message), in its open transaction.

    Read at libpq's level (`psycopg.pq`, `get_copy_data`) rather than through `Cursor.copy`,
    whose machinery costs a generator round trip a row: over a million rows that is a third
    of a second of this process's time. Whatever the caller leaves unread is drained on
    leaving, and the COPY's final result is checked, so the connection is left idle.
    """
    import psycopg
    from psycopg import pq

    pgconn = pg.pgconn
    pgconn.send_query(query.encode())
    result = pgconn.get_result()
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        while pgconn.get_result() is not None:
            pass
        message = result.get_error_message() if result is not None else b""
        raise psycopg.OperationalError(message.decode(errors="replace") or "COPY did not start")
    get = pgconn.get_copy_data

    def rows() -> Iterator[Any]:
        while True:
            size, data = get(0)
            if size < 0:  # -1: the end of the COPY (libpq's -2, an error, raises)
                return
            yield data

    reading = rows()
    try:
        yield reading
    finally:
        for _rest in reading:  # a walk stopped at a bad event: read the rest, then the end
            pass
        problem = None
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                problem = result.get_error_message().decode(errors="replace")
        if problem:
            raise psycopg.OperationalError(problem)


def _copy_walk(pg, query: str, start: int, prev: str | None, sizes) -> _Range:
    """`_walk_raw` over the COPY `query` on the psycopg connection `pg`, in its transaction."""
    with _copy_out(pg, query) as rows:
        return _walk_raw(rows, start, prev, sizes)


def _check_range(task) -> _Range:
    import psycopg

    params, snapshot, start, end, sizes = task
    bound = "" if end is None else f" AND sequence <= {int(end)}"
    query = _PG_RAW.format(where=f" WHERE sequence >= {int(start)}{bound}")
    with psycopg.connect(**params, autocommit=True) as pg:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        pg.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        found = _copy_walk(pg, query, start, GENESIS_HASH if start == 1 else None, sizes)
        pg.execute("COMMIT")
    return found


# ---------------------------------------------------------------------------
# The tree: its root now, and proofs for auditors
# ---------------------------------------------------------------------------


def leaves(size: int | None = None) -> list[bytes]:
    """The log's leaf hashes in order (the first `size` of them), read as plain values."""
    hashes = AuditEvent.objects.order_by("sequence").values_list("hash", flat=True)
    if size is not None:
        hashes = hashes.filter(sequence__lte=size)
    return [merkle.leaf_hash(bytes.fromhex(h)) for h in hashes.iterator(chunk_size=20000)]


def current_tree() -> tuple[int, bytes]:
    """The size and Merkle root of the log as stored now (not verified: see `verify_chain`)."""
    from governance.audit import proofs

    with read_snapshot():
        size = AuditHead.objects.filter(id=1).values_list("sequence", flat=True).first() or 0
        return size, proofs.tree_root(size)
