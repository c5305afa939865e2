"""The RFC 9162 Merkle tree: roots against the RFC's definition and the published test vectors,
inclusion and consistency proofs that verify, and every tampered proof refused."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.audit import merkle

#: The leaves of the Certificate Transparency test tree, and its roots for sizes 1 to 8.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def rfc_mth(entries: list[bytes]) -> bytes:
    """MTH exactly as RFC 9162 2.1.1 defines it, recursively, on the entries themselves."""
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + rfc_mth(entries[:k]) + rfc_mth(entries[k:])).digest()


def leaves_of(entries: list[bytes]) -> list[bytes]:
    return [merkle.leaf_hash(e) for e in entries]


def test_the_roots_are_the_published_test_vectors():
    for size, expected in enumerate(CT_ROOTS, start=1):
        assert merkle.root(leaves_of(CT_LEAVES[:size])).hex() == expected


def test_the_empty_tree_is_the_hash_of_nothing():
    assert merkle.root([]) == hashlib.sha256(b"").digest()


def test_leaves_and_nodes_are_hashed_apart():
    # A leaf whose content is two node hashes does not collide with the node above them.
    left, right = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    assert merkle.leaf_hash(left + right) != merkle.node_hash(left, right)


@given(st.lists(st.binary(max_size=8), max_size=70))
def test_the_streaming_root_is_the_rfc_definition(entries):
    assert merkle.root(leaves_of(entries)) == rfc_mth(entries)


@pytest.mark.parametrize("size", range(1, 34))
def test_every_inclusion_proof_verifies_and_a_tampered_one_does_not(size):
    leaves = leaves_of([i.to_bytes(2, "big") for i in range(size)])
    root = merkle.root(leaves)
    for index in range(size):
        proof = merkle.inclusion_proof(index, leaves)
        assert merkle.verify_inclusion(index, size, leaves[index], proof, root)
        other = leaves[(index + 1) % size] if size > 1 else merkle.leaf_hash(b"x")
        assert not merkle.verify_inclusion(index, size, other, proof, root)
        if proof:
            bent = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
            assert not merkle.verify_inclusion(index, size, leaves[index], bent, root)
            assert not merkle.verify_inclusion(index, size, leaves[index], proof[:-1], root)


@pytest.mark.parametrize("new_size", range(1, 34))
def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not(new_size):
    leaves = leaves_of([i.to_bytes(2, "big") for i in range(new_size)])
    new_root = merkle.root(leaves)
    for old_size in range(1, new_size + 1):
        old_root = merkle.root(leaves[:old_size])
        proof = merkle.consistency_proof(old_size, leaves)
        assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)
        # A history whose first events were rewritten: its root for old_size differs.
        rewritten = [merkle.leaf_hash(b"forged"), *leaves[1:]]
        forged_root = merkle.root(rewritten)
        forged_proof = merkle.consistency_proof(old_size, rewritten)
        assert not merkle.verify_consistency(
            old_size, new_size, old_root, forged_root, forged_proof
        )
        if proof:
            assert not merkle.verify_consistency(old_size, new_size, old_root, new_root, proof[:-1])


def test_the_frontier_gives_every_intermediate_root():
    builder = merkle.TreeBuilder()
    for size, entry in enumerate(CT_LEAVES, start=1):
        builder.append(merkle.leaf_hash(entry))
        assert builder.root().hex() == CT_ROOTS[size - 1] and builder.size == size


@pytest.mark.parametrize("chunk", [1, 2, 4, 8, 16])
def test_ranges_hashed_apart_join_into_the_same_root(chunk):
    leaves = leaves_of([i.to_bytes(2, "big") for i in range(75)])
    joined = merkle.TreeBuilder()
    for start in range(0, len(leaves), chunk):
        part = merkle.TreeBuilder()
        part.extend(leaves[start : start + chunk])
        joined.merge(*part.state())
        assert joined.root() == merkle.root(leaves[: start + part.size])
    with pytest.raises(ValueError):
        merkle.TreeBuilder().append_subtree(leaves[0], 0) or joined.append_subtree(leaves[0], 4)


def test_the_level_by_level_root_and_the_streaming_builder_agree_for_every_size():
    """`merkle.root` pairs each level and carries an odd node up; `TreeBuilder` folds its
    frontier: both are the RFC's MTH, checked for every size up to past two powers of two."""
    entries = [i.to_bytes(2, "big") for i in range(300)]
    leaves = leaves_of(entries)
    for size in range(301):
        builder = merkle.TreeBuilder()
        builder.extend(leaves[:size])
        assert merkle.root(leaves[:size]) == builder.root() == rfc_mth(entries[:size]), size
