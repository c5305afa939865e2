"""Inclusion and consistency proofs of the audit log, for auditors (RFC 9162 2.1.3 and 2.1.4).

The log's Merkle tree has one leaf per event: leaf i (from 0) is SHA-256(0x00 || the stored
hash of event i + 1, as 32 bytes). An inclusion proof shows that an event is in the tree of a
given size; a consistency proof that the tree of one size is a prefix of the tree of a larger
one, so a checkpoint signed earlier is still extended by the log now. Both are the RFC's
(`merkle.inclusion_proof`, `merkle.consistency_proof`) and any RFC 9162 verifier checks them.

Each proof costs three queries in one read-only snapshot: the head's size, the stored hashes
of the tree's complete blocks of 1,024 leaves (`AuditSubtree`, written as events are
appended), and the event hashes of at most two blocks the proof looks inside (the one holding
the leaf or the old size, and the partial last one). So a proof costs the same at a million
events as at a thousand and a few: about a thousand block hashes and two thousand leaves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from governance.audit import merkle
from governance.exceptions import DomainError
from governance.models import AuditHead

BLOCK = 1 << 10  # leaves in a stored block: governance.audit.log.BLOCK


class ProofError(DomainError):
    """A proof that cannot be given: a size or sequence out of range (`field` names it)."""


@dataclass(frozen=True)
class InclusionProof:
    sequence: int
    leaf_index: int
    tree_size: int
    event_hash: bytes
    leaf_hash: bytes
    audit_path: tuple[bytes, ...]
    root: bytes


@dataclass(frozen=True)
class ConsistencyProof:
    first: int
    second: int
    first_root: bytes
    second_root: bytes
    proof: tuple[bytes, ...]


def head_size() -> int:
    """The number of events the head counts (the tree size of the current checkpoint)."""
    return AuditHead.objects.filter(id=1).values_list("sequence", flat=True).first() or 0


def _size(value: int | None, head: int, field: str) -> int:
    size = head if value is None else value
    if not 1 <= size <= head:
        raise ProofError(
            _("the tree size must be between 1 and %(head)s, the number of events in the log")
            % {"head": head}
            if head
            else _("the log holds no event yet"),
            field=field,
        )
    return size


class _Tree:
    """The log's Merkle tree of `size` leaves, read from its stored blocks (`AuditSubtree`)
    and the leaves of the few blocks a proof looks inside.

    Every subtree a proof asks for (`merkle.inclusion_path`, `merkle.consistency_path`)
    either lies inside one block of BLOCK leaves, answered from that block's leaves, or
    starts at a block boundary, answered from the stored hashes of its complete blocks and
    the leaves of the partial block it ends in. Two queries: the block hashes, then the
    leaves of the blocks named in `inside` (at most two); a block whose row is missing is
    hashed from its leaves (one more query).
    """

    def __init__(self, size: int, inside: Iterable[int]):
        from governance.audit.log import BLOCK_LEVEL
        from governance.models import AuditSubtree

        self.size = size
        complete = size // BLOCK
        self.blocks: dict[int, bytes] = {}
        if complete:  # a log of fewer than BLOCK events has none to read
            rows = AuditSubtree.objects.filter(level=BLOCK_LEVEL, index__lt=complete)
            self.blocks = {i: bytes(h) for i, h in rows.values_list("index", "hash")}
        self.hashes: dict[int, list[bytes]] = {}  # block -> its events' hashes (up to size)
        self._load(sorted(set(inside)))

    def _load(self, blocks: list[int]) -> None:
        from governance.models import AuditEvent

        blocks = [b for b in blocks if b not in self.hashes and b * BLOCK < self.size]
        if not blocks:
            return
        where = Q()
        for block in blocks:
            where |= Q(sequence__gt=block * BLOCK, sequence__lte=(block + 1) * BLOCK)
        rows = (
            AuditEvent.objects.filter(where, sequence__lte=self.size)
            .order_by("sequence")
            .values_list("sequence", "hash")
        )
        for block in blocks:
            self.hashes[block] = []
        for sequence, value in rows.iterator(chunk_size=20000):
            self.hashes[(sequence - 1) // BLOCK].append(bytes.fromhex(value))
        for block in blocks:
            expected = min(BLOCK, self.size - block * BLOCK)
            if len(self.hashes[block]) != expected:
                raise ProofError(
                    _(
                        "the log holds %(found)s of the %(size)s events #%(first)s to "
                        "#%(last)s: it is broken, run verify_audit"
                    )
                    % {
                        "found": len(self.hashes[block]),
                        "size": expected,
                        "first": block * BLOCK + 1,
                        "last": block * BLOCK + expected,
                    }
                )

    def event_hash(self, index: int) -> bytes:
        block = index // BLOCK
        self._load([block])
        return self.hashes[block][index - block * BLOCK]

    def _leaves(self, block: int, start: int, end: int) -> list[bytes]:
        self._load([block])
        base = block * BLOCK
        return [merkle.leaf_hash(h) for h in self.hashes[block][start - base : end - base]]

    def _block(self, block: int) -> bytes:
        if block not in self.blocks:  # no row (a log older than its blocks): hash its leaves
            self.blocks[block] = merkle.root(
                self._leaves(block, block * BLOCK, (block + 1) * BLOCK)
            )
        return self.blocks[block]

    def mth(self, start: int, end: int) -> bytes:
        """MTH of leaves start to end - 1."""
        from governance.audit.log import BLOCK_LEVEL

        first = start // BLOCK
        if end - start <= BLOCK and (end - 1) // BLOCK == first:
            if end - start == BLOCK:
                return self._block(first)
            return merkle.root(self._leaves(first, start, end))
        if start % BLOCK:
            raise ValueError("a subtree across blocks starts at a block boundary")
        tree = merkle.TreeBuilder()
        for block in range(first, end // BLOCK):
            tree.append_subtree(self._block(block), BLOCK_LEVEL)
        if end % BLOCK:
            tree.extend(self._leaves(end // BLOCK, end - end % BLOCK, end))
        return tree.root()

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        return self.mth(0, size) if size else merkle.EMPTY_ROOT


def tree_root(size: int) -> bytes:
    """The Merkle root of the first `size` events, from the stored blocks (in the caller's
    snapshot): the block hashes and the leaves of the last, partial block."""
    return _Tree(size, [size // BLOCK] if size % BLOCK else []).root()


def inclusion(sequence: int, tree_size: int | None = None) -> InclusionProof:
    """The audit path of event `sequence` in the tree of `tree_size` events (the head's size
    when not given)."""
    from governance.audit.log import read_snapshot

    with read_snapshot():
        size = _size(tree_size, head_size(), "tree_size")
        if not 1 <= sequence <= size:
            raise ProofError(
                _("the sequence number must be between 1 and %(size)s, the tree size")
                % {"size": size},
                field="sequence",
            )
        index = sequence - 1
        tree = _Tree(size, [index // BLOCK, size // BLOCK])
        path = merkle.inclusion_path(index, size, tree.mth)
        event_hash = tree.event_hash(index)
    leaf = merkle.leaf_hash(event_hash)
    return InclusionProof(
        sequence=sequence,
        leaf_index=index,
        tree_size=size,
        event_hash=event_hash,
        leaf_hash=leaf,
        audit_path=tuple(path),
        # The path's nodes are the tree's other subtrees: the root follows from them.
        root=merkle.inclusion_root(index, size, leaf, path),
    )


def consistency(first: int, second: int | None = None) -> ConsistencyProof:
    """The proof that the tree of `first` events is a prefix of the tree of `second` (the
    head's size when not given)."""
    from governance.audit.log import read_snapshot

    with read_snapshot():
        second = _size(second, head_size(), "second")
        if not 1 <= first <= second:
            raise ProofError(
                _("the first tree size must be between 1 and %(second)s, the second")
                % {"second": second},
                field="first",
            )
        inside = [b // BLOCK for b in (first, second) if b % BLOCK]
        tree = _Tree(second, inside)
        if first == second:
            first_root = second_root = tree.root()
            proof = []
        else:
            proof = merkle.consistency_path(first, second, tree.mth)
            # Both roots follow from the proof (and, for a power of two, the first tree's root).
            power = first & (first - 1) == 0
            first_root, second_root = merkle.consistency_roots(
                first, second, tree.root(first) if power else None, proof
            )
    return ConsistencyProof(
        first=first,
        second=second,
        first_root=first_root,
        second_root=second_root,
        proof=tuple(proof),
    )
