"""The audit log's stored subtrees (`AuditSubtree`, blocks of 1,024 leaves): written with the
events, back-filled by the migration, used by the proofs, and checked by verify_audit.

The proofs read the block hashes and the leaves of at most two blocks; they must give
exactly what the RFC 9162 computation over every leaf gives (`merkle.inclusion_proof`,
`merkle.consistency_proof`, the definitions), for sizes on and around block boundaries.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction  # noqa: F401 (the skipif condition)

from governance.audit import log as audit
from governance.audit import merkle, proofs
from governance.models import AuditEvent, AuditSubtree

pytestmark = pytest.mark.django_db

BLOCK = audit.BLOCK


def append(count: int, batch: int = 700) -> None:
    """`count` events through `record_many`, in batches that straddle block boundaries."""
    done = AuditEvent.objects.count()
    while count > 0:
        size = min(batch, count)
        changes = [
            audit.Change(action="test.event", object_type="test", object_id=str(i), new={"n": i})
            for i in range(done, done + size)
        ]
        with transaction.atomic():
            audit.record_many(None, changes)
        done, count = done + size, count - size


def all_leaves() -> list[bytes]:
    return audit.leaves()


def expected_blocks() -> dict[int, bytes]:
    leaves = all_leaves()
    return {
        i: merkle.root(leaves[i * BLOCK : (i + 1) * BLOCK]) for i in range(len(leaves) // BLOCK)
    }


def stored_blocks() -> dict[int, bytes]:
    rows = AuditSubtree.objects.filter(level=audit.BLOCK_LEVEL).values_list("index", "hash")
    return {index: bytes(value) for index, value in rows}


def test_blocks_are_written_with_the_events_that_complete_them():
    append(BLOCK - 1, batch=BLOCK - 1)
    assert stored_blocks() == {}
    append(1)  # the 1,024th event completes block 0
    assert list(stored_blocks()) == [0]
    append(2 * BLOCK + 5, batch=333)
    assert stored_blocks() == expected_blocks() and len(stored_blocks()) == 3


def test_record_completes_a_block_one_event_at_a_time():
    append(BLOCK - 1)
    with transaction.atomic():
        audit.record(None, "test.one", object_type="test", object_id="x")
    assert stored_blocks() == expected_blocks() and list(stored_blocks()) == [0]


def test_a_rolled_back_append_leaves_no_block():
    append(BLOCK - 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(None, "test.one", object_type="test", object_id="x")
        assert list(stored_blocks()) == [0]
        raise RuntimeError
    assert stored_blocks() == {}


def test_the_batch_appender_writes_blocks_too():
    append(10)
    rows = [("test.bulk", "test", str(i), f"#{i}", None, {"i": i}) for i in range(3 * BLOCK)]
    with transaction.atomic(), audit.appending(None) as add:
        add(rows[:BLOCK])
        add(rows[BLOCK:])
    assert AuditEvent.objects.count() == 3 * BLOCK + 10
    assert stored_blocks() == expected_blocks() and len(stored_blocks()) == 3
    assert audit.verify_chain().ok


def test_the_migration_back_fills_the_blocks_of_an_existing_log():
    append(2 * BLOCK + 100, batch=2 * BLOCK + 100)
    expected = stored_blocks()
    AuditSubtree.objects.all().delete()
    migration = importlib.import_module("governance.migrations.0009_audit_subtree")
    migration.back_fill(apps, None)
    assert stored_blocks() == expected == expected_blocks()


SIZES = [1, 2, 3, 5, 1023, 1024, 1025, 1536, 2047, 2048, 2049, 3072, 3073, 3100]


@pytest.fixture
def log_of_3100():
    append(3100, batch=997)
    return all_leaves()


def test_inclusion_proofs_agree_with_the_full_log_computation(log_of_3100):
    leaves = log_of_3100
    for size in SIZES:
        for sequence in sorted({1, 2, size // 2 + 1, size - 1, size, 1024, 1025, 2048, 2049}):
            if not 1 <= sequence <= size:
                continue
            proof = proofs.inclusion(sequence, size)
            full = merkle.inclusion_proof(sequence - 1, leaves[:size])
            assert list(proof.audit_path) == full, (sequence, size)
            assert proof.root == merkle.root(leaves[:size]), (sequence, size)
            assert proof.leaf_hash == leaves[sequence - 1]


def test_consistency_proofs_agree_with_the_full_log_computation(log_of_3100):
    leaves = log_of_3100
    for second in SIZES:
        for first in sorted({1, 2, 3, 512, 1023, 1024, 1025, 2048, 2049, second - 1, second}):
            if not 1 <= first <= second:
                continue
            proof = proofs.consistency(first, second)
            full = merkle.consistency_proof(first, leaves[:second]) if first < second else []
            assert list(proof.proof) == full, (first, second)
            assert proof.first_root == merkle.root(leaves[:first]), (first, second)
            assert proof.second_root == merkle.root(leaves[:second]), (first, second)


def test_the_tree_root_agrees_for_every_size_and_an_empty_log():
    assert audit.current_tree() == (0, merkle.EMPTY_ROOT)
    assert proofs.tree_root(0) == merkle.EMPTY_ROOT
    with pytest.raises(proofs.ProofError):
        proofs.inclusion(1)
    append(2 * BLOCK + 3, batch=2 * BLOCK + 3)
    leaves = all_leaves()
    for size in (1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 2 * BLOCK + 3):
        assert proofs.tree_root(size) == merkle.root(leaves[:size])
    assert audit.current_tree() == (len(leaves), merkle.root(leaves))


def test_a_proof_reads_a_bounded_number_of_rows(log_of_3100, django_assert_max_num_queries):
    # The head, the block hashes, the leaves of at most two blocks (plus the snapshot's
    # savepoints in a test's transaction).
    with django_assert_max_num_queries(5):
        proofs.inclusion(1500, 3100)
    with django_assert_max_num_queries(5):
        proofs.consistency(1500, 3100)


def test_a_proof_falls_back_to_the_leaves_of_a_block_without_its_row(log_of_3100):
    leaves = log_of_3100
    AuditSubtree.objects.filter(index=1).delete()
    proof = proofs.inclusion(10, 3100)
    assert list(proof.audit_path) == merkle.inclusion_proof(9, leaves)


# ---------------------------------------------------------------------------
# verify_audit checks the stored blocks against the events
# ---------------------------------------------------------------------------


def verify() -> str:
    out = __import__("io").StringIO()
    call_command("verify_audit", "--workers", "1", stdout=out)
    return out.getvalue()


def test_an_intact_log_with_blocks_verifies():
    append(2 * BLOCK + 7, batch=600)
    result = audit.verify_chain()
    assert result.ok and result.count == 2 * BLOCK + 7
    assert "audit chain ok" in verify()


def test_a_tampered_block_row_is_named():
    append(3 * BLOCK, batch=1000)
    AuditSubtree.objects.filter(index=1).update(hash=b"\x07" * 32)
    result = audit.verify_chain()
    assert not result.ok and result.bad_sequence == BLOCK + 1
    assert "block 1 (events #1025 to #2048) does not match its events" in result.problem
    with pytest.raises(CommandError, match=r"block 1 .events #1025 to #2048. does not match"):
        verify()


def test_a_deleted_block_row_is_named():
    append(2 * BLOCK, batch=2 * BLOCK)
    AuditSubtree.objects.filter(index=0).delete()
    result = audit.verify_chain()
    assert not result.ok and result.bad_sequence == 1
    assert "block 0 (events #1 to #1024) is missing" in result.problem


def test_a_block_row_past_the_log_is_named():
    append(BLOCK + 10, batch=BLOCK + 10)
    AuditSubtree.objects.create(level=audit.BLOCK_LEVEL, index=5, hash=b"\x00" * 32)
    result = audit.verify_chain()
    assert not result.ok and "block 5" in result.problem and "events were removed" in result.problem


def test_an_altered_event_is_still_named_before_its_block():
    append(2 * BLOCK, batch=2 * BLOCK)
    AuditEvent.objects.filter(sequence=1500).update(actor_label="somebody else")
    result = audit.verify_chain()
    assert not result.ok and result.bad_sequence == 1500
    assert "content does not match" in result.problem


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
class TestBlocksCheckedInParallel:
    """On PostgreSQL, ranges checked in worker processes recompute the same blocks."""

    @pytest.fixture(autouse=True)
    def small_ranges(self, monkeypatch):
        monkeypatch.setattr(audit, "CHUNK", 2 * BLOCK)

    def test_the_same_answer_as_one_walk(self):
        append(5 * BLOCK + 3, batch=1500)
        serial, parallel = audit.verify_chain(), audit.verify_chain(workers=2)
        assert parallel == serial and parallel.ok

    @pytest.mark.parametrize("index", [0, 2, 4])
    def test_a_tampered_block_in_any_range_is_named(self, index):
        append(5 * BLOCK + 3, batch=1500)
        AuditSubtree.objects.filter(index=index).update(hash=b"\x01" * 32)
        result = audit.verify_chain(workers=2)
        assert result == audit.verify_chain() and not result.ok
        assert result.bad_sequence == index * BLOCK + 1 and f"block {index} " in result.problem


def test_checkpoints_on_and_around_block_boundaries_are_proven():
    """The walk keeps the tree's state at each checkpoint's size, inside a block or where one
    completes: each root is the RFC's over the first `size` leaves."""
    import datetime as dt

    from governance.audit.checkpoints import Checkpoint

    append(2 * BLOCK + 5, batch=900)
    leaves = all_leaves()
    when = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    sizes = [1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 2 * BLOCK + 5]
    signed = [Checkpoint("test", size, merkle.root(leaves[:size]), when) for size in sizes]
    result = audit.verify_chain(signed)
    assert result.ok and [check.ok for check in result.checkpoints] == [True] * len(sizes)
    forged = Checkpoint("test", BLOCK, merkle.root(leaves[: BLOCK - 1]), when)
    result = audit.verify_chain([forged])
    assert not result.checkpoints[0].ok
    assert f"the first {BLOCK} events no longer give the root" in result.checkpoints[0].problem
