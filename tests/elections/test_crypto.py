"""The secret-ballot cryptography on its own: group, ElGamal, proofs, threshold keys, the mix."""

import pytest
from nacl.public import PrivateKey

from elections.crypto import elgamal, papers, parallel, shuffle, threshold
from elections.crypto.group import (
    GENERATOR,
    IDENTITY,
    ORDER,
    GroupError,
    Point,
    Scalar,
    g_times,
)
from elections.crypto.proofs import DisjunctiveProof, EqualityProof, ProofError, SchnorrProof

TABLE = elgamal.DiscreteLogTable(20)


@pytest.fixture
def keys():
    secret = Scalar.random()
    return secret, g_times(secret)


def test_the_generator_is_the_base_point_of_rfc_8032():
    assert GENERATOR.hex() == "58" + "66" * 31


def test_the_group_has_the_order_of_rfc_8032():
    assert g_times(Scalar.from_int(ORDER - 1)) == -GENERATOR
    assert g_times(Scalar.from_int(ORDER - 1)) + GENERATOR == IDENTITY


def test_a_point_outside_the_prime_order_subgroup_is_refused():
    small_order = bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
    with pytest.raises(GroupError):
        Point.decode(small_order)
    with pytest.raises(GroupError):
        Point.decode(b"\x02" * 32)
    with pytest.raises(GroupError):
        Point.decode(GENERATOR.data[:31])


def test_a_scalar_not_below_the_order_is_refused():
    with pytest.raises(GroupError):
        Scalar.from_hex(ORDER.to_bytes(32, "little").hex())


def test_the_neutral_element_survives_multiplication():
    assert IDENTITY * Scalar.random() == IDENTITY
    assert GENERATOR * Scalar.from_int(0) == IDENTITY
    assert Point.decode(IDENTITY.data) == IDENTITY


def test_a_sum_of_ciphertexts_decrypts_to_the_sum_of_the_plaintexts(keys):
    secret, public = keys
    total = elgamal.add_all(elgamal.encrypt(public, m)[0] for m in [1, 0, 1, 1, 0, 1])
    assert elgamal.decrypt_with_key(secret, total, TABLE) == 4


def test_a_reencrypted_ciphertext_differs_and_holds_the_same_plaintext(keys):
    secret, public = keys
    ciphertext, _ = elgamal.encrypt(public, 3)
    again = ciphertext.reencrypt(public, Scalar.random())
    assert again != ciphertext
    assert elgamal.decrypt_with_key(secret, again, TABLE) == 3


def test_a_plaintext_beyond_the_table_is_an_error(keys):
    secret, public = keys
    with pytest.raises(GroupError):
        elgamal.decrypt_with_key(secret, elgamal.encrypt(public, 21)[0], TABLE)


def test_a_proof_of_knowledge_verifies_only_for_its_statement(keys):
    secret, public = keys
    proof = SchnorrProof.prove(secret, public, "ballot-1")
    proof.verify(public, "ballot-1")
    with pytest.raises(ProofError):
        proof.verify(public, "ballot-2")
    with pytest.raises(ProofError):
        proof.verify(g_times(Scalar.random()), "ballot-1")


def test_a_disjunctive_proof_binds_the_public_key_the_ciphertext_and_the_values(keys):
    _, public = keys
    ciphertext, nonce = elgamal.encrypt(public, 1)
    proof = DisjunctiveProof.prove(public, ciphertext, nonce, [0, 1], 1, "q")
    proof.verify(public, ciphertext, [0, 1], "q")
    other, _ = elgamal.encrypt(public, 1)
    for args in [
        (public, other, [0, 1], "q"),
        (g_times(Scalar.random()), ciphertext, [0, 1], "q"),
        (public, ciphertext, [1, 0], "q"),
        (public, ciphertext, [0, 1], "another question"),
    ]:
        with pytest.raises(ProofError):
            proof.verify(*args)


def test_a_ciphertext_of_two_cannot_pass_for_a_zero_or_one(keys):
    _, public = keys
    two, nonce = elgamal.encrypt(public, 2)
    # The prover runs the protocol as if two were one: the real branch cannot close.
    forged = DisjunctiveProof.prove(public, two, nonce, [1, 2], 2, "q")
    relabelled = DisjunctiveProof(forged.pairs)
    with pytest.raises(ProofError):
        relabelled.verify(public, two, [0, 1], "q")


def test_an_equality_proof_refuses_a_wrong_decryption_factor(keys):
    secret, public = keys
    ciphertext, _ = elgamal.encrypt(public, 1)
    factor = ciphertext.alpha * secret
    proof = EqualityProof.prove(secret, public, ciphertext.alpha, factor, "d")
    proof.verify(public, ciphertext.alpha, factor, "d")
    with pytest.raises(ProofError):
        proof.verify(public, ciphertext.alpha, factor + GENERATOR, "d")


YES_NO = papers.PaperSpec(papers.MARKS, 3, 1, 1)
APPROVAL = papers.PaperSpec(papers.MARKS, 5, 0, 2)
RANKED = papers.PaperSpec(papers.RANKING, 4)


def test_a_well_formed_paper_verifies_after_a_round_trip_through_json(keys):
    _, public = keys
    for spec, paper in [
        (YES_NO, papers.encrypt_marks(public, YES_NO, [0, 0, 1], "b")),
        (APPROVAL, papers.encrypt_marks(public, APPROVAL, [1, 0, 0, 1, 0], "b")),
        (RANKED, papers.encrypt_ranking(public, RANKED, [3, 1], "b")),
    ]:
        again = papers.EncryptedPaper.from_json(paper.to_json(), spec)
        again.verify(public, spec, "b")
        assert again.tracker == paper.tracker


def test_a_paper_with_too_many_marks_cannot_be_made(keys):
    _, public = keys
    with pytest.raises(papers.PaperError):
        papers.encrypt_marks(public, YES_NO, [1, 1, 0], "b")
    with pytest.raises(papers.PaperError):
        papers.encrypt_marks(public, APPROVAL, [1, 1, 1, 0, 0], "b")
    with pytest.raises(papers.PaperError):
        papers.encrypt_ranking(public, RANKED, [1, 1], "b")


def test_a_yes_no_paper_with_two_marks_fails_its_overall_proof(keys):
    _, public = keys
    honest = papers.encrypt_marks(public, YES_NO, [1, 0, 0], "b")
    forged_mark = papers.encrypt_marks(public, YES_NO, [0, 1, 0], "b")
    # Every mark is still a proven 0 or 1, but the row now holds two marks.
    mixed = papers.EncryptedPaper(
        (honest.ciphertexts[0], forged_mark.ciphertexts[1], honest.ciphertexts[2]),
        (honest.proofs[0], forged_mark.proofs[1], honest.proofs[2]),
        honest.overall,
    )
    with pytest.raises(papers.PaperError):
        mixed.verify(public, YES_NO, "b")


def test_a_paper_is_bound_to_its_ballot(keys):
    _, public = keys
    paper = papers.encrypt_marks(public, YES_NO, [1, 0, 0], "ballot-1")
    with pytest.raises(papers.PaperError):
        paper.verify(public, YES_NO, "ballot-2")


def test_a_rerandomised_copy_of_a_ranked_paper_is_refused(keys):
    _, public = keys
    paper = papers.encrypt_ranking(public, RANKED, [2, 4, 1], "b")
    copy = papers.EncryptedPaper(
        tuple(c.reencrypt(public, Scalar.random()) for c in paper.ciphertexts), paper.proofs
    )
    with pytest.raises(papers.PaperError):
        copy.verify(public, RANKED, "b")


def test_ranked_positions_cannot_be_spliced_from_two_papers(keys):
    _, public = keys
    first = papers.encrypt_ranking(public, RANKED, [1, 2], "b")
    second = papers.encrypt_ranking(public, RANKED, [3, 4], "b")
    spliced = papers.EncryptedPaper(
        first.ciphertexts[:2] + second.ciphertexts[2:], first.proofs[:2] + second.proofs[2:]
    )
    with pytest.raises(papers.PaperError):
        spliced.verify(public, RANKED, "b")


def _key_ceremony(trustees=3, k=2, context="ballot"):
    transport = [PrivateKey.generate() for _ in range(trustees)]
    public_transport = [
        threshold.TransportKey(i + 1, bytes(key.public_key)) for i, key in enumerate(transport)
    ]
    dealings = [threshold.deal(i + 1, k, public_transport, context) for i in range(trustees)]
    # Every dealing goes through JSON, as it would from a trustee's machine.
    dealings = [threshold.Dealing.from_json(d.to_json()) for d in dealings]
    joint = threshold.joint_key(dealings, k, context)
    secrets = {}
    for i, key in enumerate(transport):
        secret, share_key = threshold.receive_shares(i + 1, key, dealings, k, context)
        threshold.check_share_key(joint, threshold.ShareKey.from_json(share_key.to_json()), context)
        secrets[i + 1] = secret
    return joint, secrets, transport, dealings


def _decrypt(joint, secrets, who, ciphertexts, context="ballot"):
    alphas = [c.alpha for c in ciphertexts]
    shares = [threshold.decryption_share(i, secrets[i], alphas, context) for i in who]
    for share in shares:
        threshold.check_decryption_share(joint, share, alphas, context)
    factors = threshold.combine(joint, shares)
    return [TABLE.lookup(c.beta - f) for c, f in zip(ciphertexts, factors, strict=True)]


def test_any_two_of_three_trustees_decrypt_a_total():
    joint, secrets, _, _ = _key_ceremony()
    total = elgamal.add_all(elgamal.encrypt(joint.public, m)[0] for m in [1, 1, 0, 1])
    for who in [(1, 2), (1, 3), (2, 3), (1, 2, 3)]:
        assert _decrypt(joint, secrets, who, [total]) == [3]


def test_one_trustee_of_a_two_of_three_key_cannot_decrypt():
    joint, secrets, _, _ = _key_ceremony()
    ciphertext, _ = elgamal.encrypt(joint.public, 1)
    with pytest.raises(threshold.ThresholdError):
        _decrypt(joint, secrets, (2,), [ciphertext])


def test_the_joint_secret_is_the_sum_no_single_share_is_it():
    joint, secrets, _, _ = _key_ceremony()
    assert all(g_times(secret) != joint.public for secret in secrets.values())
    assert all(g_times(secrets[j]) == joint.verification_keys[j] for j in secrets)


def test_a_wrong_decryption_factor_is_named_with_its_trustee():
    joint, secrets, _, _ = _key_ceremony()
    ciphertext, _ = elgamal.encrypt(joint.public, 1)
    share = threshold.decryption_share(2, secrets[2], [ciphertext.alpha], "ballot")
    bad = threshold.DecryptionShare(2, [share.factors[0] + GENERATOR], share.proofs)
    with pytest.raises(threshold.ThresholdError, match="trustee 2"):
        threshold.check_decryption_share(joint, bad, [ciphertext.alpha], "ballot")
    # A share honestly computed with another trustee's secret fails too.
    stolen = threshold.decryption_share(2, secrets[1], [ciphertext.alpha], "ballot")
    with pytest.raises(threshold.ThresholdError):
        threshold.check_decryption_share(joint, stolen, [ciphertext.alpha], "ballot")


def test_a_share_that_does_not_match_its_dealers_commitments_is_detected():
    transport = [PrivateKey.generate() for _ in range(3)]
    public = [threshold.TransportKey(i + 1, bytes(k.public_key)) for i, k in enumerate(transport)]
    dealings = [threshold.deal(i + 1, 2, public, "b") for i in range(3)]
    cheat = threshold.deal(1, 2, public, "b")
    # Dealer 1 sends trustee 3 a share from another polynomial than the one it committed to.
    dealings[0].sealed[3] = cheat.sealed[3]
    with pytest.raises(threshold.ThresholdError, match="trustee 1"):
        threshold.receive_shares(3, transport[2], dealings, 2, "b")


def test_a_dealing_without_a_valid_proof_of_knowledge_is_refused():
    transport = [PrivateKey.generate() for _ in range(2)]
    public = [threshold.TransportKey(i + 1, bytes(k.public_key)) for i, k in enumerate(transport)]
    dealing = threshold.deal(1, 2, public, "b")
    other = threshold.deal(2, 2, public, "b")
    forged = threshold.Dealing(1, dealing.commitments, other.proof, dealing.sealed)
    with pytest.raises(threshold.ThresholdError, match="proof of knowledge"):
        threshold.joint_key([forged, other], 2, "b")


def test_a_trustee_cannot_read_a_share_sealed_to_another():
    transport = [PrivateKey.generate() for _ in range(2)]
    public = [threshold.TransportKey(i + 1, bytes(k.public_key)) for i, k in enumerate(transport)]
    dealings = [threshold.deal(i + 1, 2, public, "b") for i in range(2)]
    with pytest.raises(threshold.ThresholdError, match="cannot be opened"):
        threshold.receive_shares(1, transport[1], dealings, 2, "b")


def _rows(public, count=6, width=3):
    return [
        tuple(elgamal.encrypt(public, (i + k) % 4)[0] for k in range(width)) for i in range(count)
    ]


def test_a_mix_keeps_the_multiset_of_papers_and_its_proof_verifies(keys):
    secret, public = keys
    rows = _rows(public)
    mixed, proof = shuffle.shuffle(public, rows, "mix-1")
    shuffle.verify_shuffle(
        public, rows, mixed, shuffle.ShuffleProof.from_json(proof.to_json()), "mix-1"
    )

    def plain(some):
        return sorted(tuple(elgamal.decrypt_with_key(secret, c, TABLE) for c in r) for r in some)

    assert plain(mixed) == plain(rows)
    assert set(mixed).isdisjoint(rows)


@pytest.mark.parametrize(
    "tamper",
    [
        "replaced paper",
        "swapped columns",
        "swapped outputs",
        "dropped paper",
        "added paper",
        "changed input",
        "other context",
        "changed response",
    ],
)
def test_a_tampered_mix_fails_its_proof(keys, tamper):
    _, public = keys
    rows = _rows(public)
    mixed, proof = shuffle.shuffle(public, rows, "mix-1")
    context = "mix-1"
    if tamper == "replaced paper":
        mixed[2] = tuple(elgamal.encrypt(public, 1)[0] for _ in range(3))
    elif tamper == "swapped columns":
        mixed[0] = (mixed[0][1], mixed[0][0], mixed[0][2])
    elif tamper == "swapped outputs":
        mixed[0], mixed[1] = mixed[1], mixed[0]
    elif tamper == "dropped paper":
        mixed = mixed[:-1]
    elif tamper == "added paper":
        mixed = [*mixed, mixed[0]]
    elif tamper == "changed input":
        rows[3] = tuple(elgamal.encrypt(public, 0)[0] for _ in range(3))
    elif tamper == "other context":
        context = "mix-2"
    elif tamper == "changed response":
        proof = shuffle.ShuffleProof(
            **{**proof.__dict__, "s_prime": [proof.s1, *proof.s_prime[1:]]}
        )
    with pytest.raises(shuffle.ShuffleError):
        shuffle.verify_shuffle(public, rows, mixed, proof, context)


def test_a_mix_of_one_paper_verifies(keys):
    _, public = keys
    rows = _rows(public, count=1)
    mixed, proof = shuffle.shuffle(public, rows, "m")
    shuffle.verify_shuffle(public, rows, mixed, proof, "m")


PLURALITY = papers.PaperSpec(papers.MARKS, 4, 0, 1, blank_column=True)


def test_a_blank_column_counts_blank_papers_and_admits_no_mark_beside_it(keys):
    _secret, public = keys
    blank = papers.encrypt_marks(public, PLURALITY, [0, 0, 0, 1], "b")
    marked = papers.encrypt_marks(public, PLURALITY, [0, 1, 0, 0], "b")
    for paper in (blank, marked):
        paper.verify(public, PLURALITY, "b")
    for marks in ([0, 1, 0, 1], [0, 0, 0, 0], [1, 1, 0, 0]):
        with pytest.raises(papers.PaperError):
            papers.encrypt_marks(public, PLURALITY, marks, "b")
    # A mark spliced beside the blank column breaks the overall proof.
    spliced = papers.EncryptedPaper(
        (marked.ciphertexts[0], marked.ciphertexts[1], blank.ciphertexts[2], blank.ciphertexts[3]),
        (marked.proofs[0], marked.proofs[1], blank.proofs[2], blank.proofs[3]),
        blank.overall,
    )
    with pytest.raises(papers.PaperError):
        spliced.verify(public, PLURALITY, "b")


def test_a_mix_and_shares_made_in_worker_processes_verify_in_one_and_back(keys):
    """Chunked work in two processes gives proofs a single process accepts, and vice versa."""
    secret, public = keys
    rows = _rows(public)
    alphas = [c.alpha for row in rows for c in row]
    joint = threshold.JointKey(1, public, {1: public})
    with parallel.Pool(2, minimum=1) as pool:
        mixed, proof = shuffle.shuffle(public, rows, "mix-1", pool)
        shuffle.verify_shuffle(public, rows, mixed, proof, "mix-1")
        alone, alone_proof = shuffle.shuffle(public, rows, "mix-1")
        shuffle.verify_shuffle(public, rows, alone, alone_proof, "mix-1", pool)
        with pytest.raises(shuffle.ShuffleError):
            shuffle.verify_shuffle(public, rows, alone, alone_proof, "mix-2", pool)
        share = threshold.decryption_share(1, secret, alphas, "d", pool)
        threshold.check_decryption_share(joint, share, alphas, "d")
        assert threshold.combine(joint, [share], pool) == [a * secret for a in alphas]
        share.factors[4] = share.factors[5]
        with pytest.raises(threshold.ThresholdError, match="factor 4 "):
            threshold.check_decryption_share(joint, share, alphas, "d", pool)
