"""Auditors get the audit log's inclusion and consistency proofs (issue 14), on the checkpoint
page and through the API, and they verify with an RFC 9162 verifier written here from the RFC
(sections 2.1.3.2 and 2.1.4.2), not with governance.audit.merkle's own.
"""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from governance import services
from governance.audit import checkpoints, proofs
from governance.models import AuditEvent, AuditHead
from governance.services import SYSTEM

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# An RFC 9162 verifier, independent of the platform's code
# ---------------------------------------------------------------------------


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def rfc_verify_inclusion(index, size, leaf, path, root) -> bool:
    """RFC 9162 2.1.3.2, step by step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = _node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn //= 2
                sn //= 2
        else:
            r = _node(r, p)
        fn //= 2
        sn //= 2
    return sn == 0 and r == root


def rfc_verify_consistency(first, second, first_root, second_root, path) -> bool:
    """RFC 9162 2.1.4.2, step by step (first == second: an empty proof and equal roots)."""
    if first == second:
        return not path and first_root == second_root
    if not path or not 0 < first < second:
        return False
    path = list(path)
    if first & (first - 1) == 0:
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = _node(c, fr)
            sr = _node(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn //= 2
                sn //= 2
        else:
            sr = _node(sr, c)
        fn //= 2
        sn //= 2
    return sn == 0 and fr == first_root and sr == second_root


def rfc_root(event_hashes: list[bytes]) -> bytes:
    """MTH (RFC 9162 2.1.1) by its recursive definition."""
    if not event_hashes:
        return hashlib.sha256(b"").digest()
    if len(event_hashes) == 1:
        return hashlib.sha256(b"\x00" + event_hashes[0]).digest()
    k = 1
    while k * 2 < len(event_hashes):
        k *= 2
    return _node(rfc_root(event_hashes[:k]), rfc_root(event_hashes[k:]))


# ---------------------------------------------------------------------------


def make_events(count: int) -> None:
    start = AuditEvent.objects.count()
    for index in range(start, start + count):
        services.create_unit(
            actor=SYSTEM, code=f"group-{index}", name=f"Group {index}", kind="local_group"
        )


def stored_hashes() -> list[bytes]:
    return [
        bytes.fromhex(h)
        for h in AuditEvent.objects.order_by("sequence").values_list("hash", flat=True)
    ]


def unhex(data: dict, *names):
    return [bytes.fromhex(data[name]) for name in names]


SIZES = (1, 2, 3, 4, 5, 7, 8, 9, 16, 17)


def test_inclusion_proofs_verify_for_every_event_of_several_tree_sizes():
    make_events(max(SIZES) - AuditEvent.objects.count())
    hashes = stored_hashes()
    assert len(hashes) >= max(SIZES)
    for size in SIZES:
        root = rfc_root(hashes[:size])
        for sequence in range(1, size + 1):
            proof = proofs.inclusion(sequence, size)
            assert proof.root == root and proof.tree_size == size
            assert proof.leaf_index == sequence - 1
            assert proof.leaf_hash == hashlib.sha256(b"\x00" + hashes[sequence - 1]).digest()
            assert rfc_verify_inclusion(
                proof.leaf_index, size, proof.leaf_hash, proof.audit_path, root
            ), (sequence, size)
    # Without a size: the tree of every event the head counts.
    proof = proofs.inclusion(1)
    assert proof.tree_size == AuditHead.objects.get().sequence == len(hashes)


def test_consistency_proofs_verify_between_several_tree_sizes():
    make_events(max(SIZES) - AuditEvent.objects.count())
    hashes = stored_hashes()
    for second in SIZES:
        for first in range(1, second + 1):
            proof = proofs.consistency(first, second)
            assert proof.first_root == rfc_root(hashes[:first])
            assert proof.second_root == rfc_root(hashes[:second])
            assert rfc_verify_consistency(
                first, second, proof.first_root, proof.second_root, proof.proof
            ), (first, second)


def test_a_tampered_proof_or_a_wrong_size_is_rejected():
    make_events(max(SIZES) - AuditEvent.objects.count())
    inclusion = proofs.inclusion(5, 9)
    args = (inclusion.leaf_index, 9, inclusion.leaf_hash, list(inclusion.audit_path))
    assert rfc_verify_inclusion(*args, inclusion.root)
    for position in range(len(inclusion.audit_path)):
        path = list(inclusion.audit_path)
        path[position] = bytes([path[position][0] ^ 1]) + path[position][1:]
        assert not rfc_verify_inclusion(args[0], 9, args[2], path, inclusion.root)
    # A size whose tree has another shape at that leaf (the size is signed with the root).
    for size in (5, 8, 17):
        assert not rfc_verify_inclusion(args[0], size, args[2], args[3], inclusion.root)
    assert not rfc_verify_inclusion(args[0] + 1, 9, args[2], args[3], inclusion.root)

    consistency = proofs.consistency(6, 17)
    good = (6, 17, consistency.first_root, consistency.second_root)
    assert rfc_verify_consistency(*good, list(consistency.proof))
    for position in range(len(consistency.proof)):
        path = list(consistency.proof)
        path[position] = bytes([path[position][0] ^ 1]) + path[position][1:]
        assert not rfc_verify_consistency(*good, path)
    for first, second in ((5, 17), (7, 17), (6, 16), (6, 9), (6, 33)):
        assert not rfc_verify_consistency(
            first, second, consistency.first_root, consistency.second_root, consistency.proof
        )


def test_out_of_range_numbers_are_refused_with_the_field_named():
    make_events(3)
    head = AuditHead.objects.get().sequence
    for sequence, size, field in (
        (0, None, "sequence"),
        (head + 1, None, "sequence"),
        (2, 1, "sequence"),
        (1, head + 1, "tree_size"),
        (1, 0, "tree_size"),
    ):
        with pytest.raises(proofs.ProofError) as refused:
            proofs.inclusion(sequence, size)
        assert refused.value.field == field
    for first, second, field in (
        (0, None, "first"),
        (head + 1, None, "first"),
        (3, 2, "first"),
        (1, head + 1, "second"),
    ):
        with pytest.raises(proofs.ProofError) as refused:
            proofs.consistency(first, second)
        assert refused.value.field == field


# ---------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------


def test_the_api_gives_proofs_that_verify_in_two_queries(client_for, django_assert_max_num_queries):
    make_events(20)
    client = client_for("auditor")
    head = AuditHead.objects.get().sequence
    hashes = stored_hashes()
    client.get(reverse("api_audit_anomalies"))  # the session is loaded once
    with django_assert_max_num_queries(6):
        small = client.get(reverse("api_audit_inclusion_proof"), {"sequence": 3, "tree_size": 4})
    with django_assert_max_num_queries(6):
        large = client.get(reverse("api_audit_inclusion_proof"), {"sequence": head})
    for response, size, sequence in ((small, 4, 3), (large, head, head)):
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["tree_size"] == size and data["leaf_index"] == sequence - 1
        assert bytes.fromhex(data["event_hash"]) == hashes[sequence - 1]
        leaf, root = unhex(data, "leaf_hash", "root")
        assert root == rfc_root(hashes[:size])
        path = [bytes.fromhex(node) for node in data["audit_path"]]
        assert rfc_verify_inclusion(sequence - 1, size, leaf, path, root)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("api_audit_consistency_proof"), {"first": 7})
    data = response.json()
    assert response.status_code == 200 and data["second"] == head
    first_root, second_root = unhex(data, "first_root", "second_root")
    path = [bytes.fromhex(node) for node in data["proof"]]
    assert rfc_verify_consistency(7, head, first_root, second_root, path)
    assert second_root == checkpoints.read_signed(checkpoints.signed_current()).root


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("api_audit_inclusion_proof", {}, "sequence"),
        ("api_audit_inclusion_proof", {"sequence": "x"}, "sequence"),
        ("api_audit_inclusion_proof", {"sequence": "0"}, "sequence"),
        ("api_audit_inclusion_proof", {"sequence": "99999"}, "sequence"),
        ("api_audit_inclusion_proof", {"sequence": "1", "tree_size": "99999"}, "tree_size"),
        ("api_audit_consistency_proof", {}, "first"),
        ("api_audit_consistency_proof", {"first": "-1"}, "first"),
        ("api_audit_consistency_proof", {"first": "5", "second": "4"}, "first"),
        ("api_audit_consistency_proof", {"first": "1", "second": "99999"}, "second"),
    ],
)
def test_bad_numbers_are_a_400_naming_the_field(client_for, name, params, field):
    make_events(5)
    response = client_for("auditor").get(reverse(name), params)
    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()[field]


def test_the_proofs_are_in_the_openapi_schema(client_for):
    schema = client_for("auditor").get(reverse("api_schema"), {"format": "json"}).json()
    inclusion = schema["paths"]["/api/audit/proofs/inclusion/"]["get"]
    assert {p["name"] for p in inclusion["parameters"]} >= {"sequence", "tree_size"}
    assert {"200", "400", "403"} <= set(inclusion["responses"])
    consistency = schema["paths"]["/api/audit/proofs/consistency/"]["get"]
    assert {p["name"] for p in consistency["parameters"]} >= {"first", "second"}


# ---------------------------------------------------------------------------
# The page, which agrees with the API
# ---------------------------------------------------------------------------


def save_checkpoint(tmp_path):
    path = tmp_path / "checkpoint.txt"
    call_command("audit_checkpoint", "--output", str(path), stdout=StringIO())
    return path.read_text()


def test_the_page_shows_the_consistency_proof_to_the_signed_head(client_for, tmp_path):
    make_events(4)
    text = save_checkpoint(tmp_path)
    signed = checkpoints.read_signed(text)
    make_events(5)
    client = client_for("auditor")
    body = client.post(reverse("audit_checkpoint_check"), {"checkpoint": text}).content.decode()
    api = client.get(reverse("api_audit_consistency_proof"), {"first": signed.size}).json()
    assert api["first_root"] == signed.root.hex()
    assert 'id="consistency-proof"' in body
    for value in (api["first_root"], api["second_root"], *api["proof"]):
        assert value in body
    # The signed head shown is the platform's, over the same size and root.
    head_text = body.split('id="signed-head">', 1)[1].split("</pre>", 1)[0]
    head = checkpoints.read_signed(head_text.replace("&#x27;", "'").replace("&amp;", "&"))
    assert (head.size, head.root.hex()) == (api["second"], api["second_root"])


def test_the_page_shows_an_events_inclusion_proof(client_for, django_assert_max_num_queries):
    make_events(6)
    client = client_for("auditor")
    client.get(reverse("audit_checkpoint_check"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("audit_checkpoint_check"), {"sequence": 3})
    body = response.content.decode()
    api = client.get(reverse("api_audit_inclusion_proof"), {"sequence": 3}).json()
    assert response.status_code == 200 and 'id="inclusion-proof"' in body
    for value in (api["leaf_hash"], api["root"], *api["audit_path"]):
        assert value in body
    bad = client.get(reverse("audit_checkpoint_check"), {"sequence": 99999})
    assert bad.status_code == 400
    assert "the sequence number must be between 1 and" in bad.content.decode()


def test_the_page_with_a_one_event_log_shows_an_empty_audit_path(client_for):
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    make_events(1)
    assert AuditHead.objects.get().sequence == 1
    response = client_for("auditor").get(reverse("audit_checkpoint_check"), {"sequence": 1})
    assert "none: the event is the only leaf" in response.content.decode()
