"""Inclusion and consistency proofs of the audit log, for auditors (RFC 9162 2.1.3 and 2.1.4).

The log's Merkle tree has one leaf per event: leaf i (from 0) is SHA-256(0x00 || the stored
hash of event i + 1, as 32 bytes). An inclusion proof shows that an event is in the tree of a
given size; a consistency proof that the tree of one size is a prefix of the tree of a larger
one, so a checkpoint signed earlier is still extended by the log now. Both are the RFC's
(`merkle.inclusion_proof`, `merkle.consistency_proof`) and any RFC 9162 verifier checks them.

Each proof costs two queries in one read-only snapshot: the head's size, then the stored
hashes (one column, no models) of the first events up to the larger size asked for. The tree
is not stored, so the hashing is linear in that size: each subtree beside the path is hashed
once, and the roots follow from the proof.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from governance.audit import merkle
from governance.exceptions import DomainError
from governance.models import AuditHead


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


def _hashes(size: int) -> list[bytes]:
    """The stored hashes of the first `size` events, in order; refused if the log has a gap."""
    from governance.models import AuditEvent

    rows = (
        AuditEvent.objects.filter(sequence__lte=size)
        .order_by("sequence")
        .values_list("hash", flat=True)
    )
    hashes = [bytes.fromhex(h) for h in rows.iterator(chunk_size=20000)]
    if len(hashes) != size:
        raise ProofError(
            _(
                "the log holds %(found)s of its first %(size)s events: it is broken, "
                "run verify_audit"
            )
            % {"found": len(hashes), "size": size}
        )
    return hashes


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
        hashes = _hashes(size)
    leaves = [merkle.leaf_hash(h) for h in hashes]
    path = merkle.inclusion_proof(sequence - 1, leaves)
    return InclusionProof(
        sequence=sequence,
        leaf_index=sequence - 1,
        tree_size=size,
        event_hash=hashes[sequence - 1],
        leaf_hash=leaves[sequence - 1],
        audit_path=tuple(path),
        # The path's nodes are the tree's other subtrees: the root follows from them.
        root=merkle.inclusion_root(sequence - 1, size, leaves[sequence - 1], path),
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
        leaves = [merkle.leaf_hash(h) for h in _hashes(second)]
    proof = merkle.consistency_proof(first, leaves) if first < second else []
    if first == second:
        first_root = second_root = merkle.root(leaves)
    else:
        # Both roots follow from the proof (and, for a power of two, the first tree's root).
        power = first & (first - 1) == 0
        first_root, second_root = merkle.consistency_roots(
            first, second, merkle.root(leaves[:first]) if power else None, proof
        )
    return ConsistencyProof(
        first=first,
        second=second,
        first_root=first_root,
        second_root=second_root,
        proof=tuple(proof),
    )
