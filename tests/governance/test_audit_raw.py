"""verify_audit's raw path on PostgreSQL against the model path, for any content.

On PostgreSQL `verify_chain` hashes COPY's text as it comes (`audit._walk_raw`): a line whose
text columns hold nothing JSON or COPY escapes goes into the canonical JSON as it is; any
other line, or one whose digest does not match, goes the careful way (`audit._raw_matches`:
its values decoded, then the definition). These tests write events of every kind of content
through `record_many` (the model path: `event_hash` over the values) and prove that the raw
path gives the same hashes (the same Merkle root as the models read back give), that it
takes the careful way exactly for the events that need an escape or a number orjson cannot
hold, and that a tamper of any column, with any value, is still detected and named.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from governance.audit import log as audit
from governance.audit import merkle
from governance.models import AuditEvent, User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

#: Strings COPY's text format or JSON escapes, and some that look like their escapes.
NASTY = [
    "\t",
    "\n",
    "\r\n",
    "\\",
    "\\N",
    "\\t",
    "a\\nb",
    '"',
    '\\"',
    "\b\f\v",
    "\x01\x1f\x7f",
    "null",
    "",
    " ",
    "مجلس الإدارة",
    "Membre n° 7",
    "\u2028\u2029",
    "💡🗳️",
    "\ufeff",
]
# PostgreSQL's text and jsonb hold neither NUL nor a lone surrogate.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12
) | st.sampled_from(NASTY)
INTEGERS = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from(
    [0, -1, 2**53, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**63) - 1]
)
JSON = st.recursive(
    st.none() | st.booleans() | INTEGERS | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)
CHANGE = st.fixed_dictionaries(
    {
        "action": TEXT,
        "object_type": TEXT,
        "object_id": TEXT,
        "object_label": TEXT,
        "old": JSON,
        "new": JSON,
    }
)
COLUMNS = ("actor_label", "action", "object_type", "object_id", "object_label", "old", "new")


@pytest.fixture
def actor(db):
    return User.objects.create_user(email="officer@example.org", password="x" * 12)


@pytest.fixture
def careful(monkeypatch) -> list[int]:
    """The sequence numbers the raw walk checked the careful way."""
    seen: list[int] = []
    original = audit._raw_matches

    def spy(line: bytes) -> bool:
        seen.append(int(line.split(b"\t")[0]))
        return original(line)

    monkeypatch.setattr(audit, "_raw_matches", spy)
    return seen


def _plain(value) -> bool:
    """Whether orjson reads this JSON value back as it is (integers of 64 bits)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**64
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return all(_plain(v) for v in value.values())


def needs_care(event: AuditEvent) -> bool:
    """Whether the event's canonical JSON holds an escape, or a number orjson cannot hold."""
    body = audit.canonical_json(
        {name: getattr(event, name) for name in ("actor_label", *COLUMNS[1:])}
    )
    return "\\" in body or not (_plain(event.old) and _plain(event.new))


def append(actor, label: str, changes: list[dict]) -> list[AuditEvent]:
    with transaction.atomic():
        return audit.record_many(
            actor, [audit.Change(**change) for change in changes], actor_label=label
        )


def model_root() -> bytes:
    """The Merkle root by the model path: every event's hash recomputed from its model."""
    events = AuditEvent.objects.order_by("sequence")
    hashes = [audit._hash_of(event) for event in events]
    assert hashes == [event.hash for event in events]
    return merkle.root([audit.leaf_of(h) for h in hashes])


def test_the_connection_reads_utf8():
    connection.ensure_connection()
    assert connection.connection.info.encoding == "utf-8"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(CHANGE, min_size=1, max_size=4),
    label=TEXT,
    with_actor=st.booleans(),
)
def test_the_raw_path_gives_the_model_paths_hashes_for_any_content(
    actor, careful, changes, label, with_actor
):
    before = AuditEvent.objects.count()
    events = append(actor if with_actor else None, label, changes)
    careful.clear()
    result = audit.verify_chain()
    assert result.ok, result.problem
    assert result.count == before + len(events)
    assert result.root == model_root()
    read_back = AuditEvent.objects.filter(sequence__gt=before).order_by("sequence")
    assert [sequence for sequence in careful if sequence > before] == [
        event.sequence for event in read_back if needs_care(event)
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(CHANGE, min_size=1, max_size=3),
    label=TEXT,
    data=st.data(),
)
def test_a_tamper_of_any_column_with_any_value_is_named(changes, label, data):
    events = append(None, label, changes)
    target = data.draw(st.sampled_from(events))
    column = data.draw(st.sampled_from(COLUMNS))
    value = data.draw(JSON if column in ("old", "new") else TEXT)
    current = getattr(target, column)
    assume(audit.canonical_json(audit.jsonable(value)) != audit.canonical_json(current))
    with transaction.atomic():
        AuditEvent.objects.filter(sequence=target.sequence).update(**{column: value})
        result = audit.verify_chain()
        transaction.set_rollback(True)
    assert not result.ok
    assert result.bad_sequence == target.sequence
    assert result.problem == "its content does not match its hash"
    assert audit.verify_chain().ok


@pytest.mark.parametrize("text", NASTY)
def test_every_copy_and_json_escape_verifies_and_its_tamper_is_named(actor, text):
    append(actor, text, [{"action": text, "object_type": text, "object_id": text,
                          "object_label": text, "old": {text: [text, None]}, "new": text}])  # fmt: skip
    result = audit.verify_chain()
    assert result.ok and result.root == model_root()
    AuditEvent.objects.filter(sequence=1).update(object_label=text + "\\")
    result = audit.verify_chain()
    assert (result.ok, result.bad_sequence) == (False, 1)


def test_plain_events_never_take_the_careful_way(careful):
    append(None, "member1@section.example.org", [
        {"action": "ballot.vote_cast", "object_type": "elections.ballot", "object_id": "42",
         "object_label": "AG 2026 — مجلس", "old": None, "new": {"voter": i, "by_proxy": False}}
        for i in range(3000)
    ])  # fmt: skip
    result = audit.verify_chain()
    assert result.ok and result.count == 3000 and careful == []
    assert result.root == model_root()


def test_a_json_null_and_a_missing_value_hash_alike_on_both_paths():
    """`old` stored as SQL NULL or as JSON null is the same event (the model reads both as
    None): neither path tells them apart, so neither is a tamper."""
    append(None, "system", [{"action": "a", "object_type": "t", "object_id": "1",
                             "object_label": "", "old": None, "new": None}])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("UPDATE governance_auditevent SET old = 'null'::jsonb")
    assert audit.verify_chain().ok and audit.verify_chain().root == model_root()
