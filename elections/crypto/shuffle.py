"""A verifiable re-encryption mix: the Terelius-Wikström proof of a shuffle.

The proof follows Terelius and Wikström, "Proofs of restricted shuffles" (AFRICACRYPT 2010)
as Verificatum implements it and as D. Haines writes it out in "A gentle introduction to
shuffle proofs" (and as the CHVote protocol specification, algorithms GenShuffleProof and
CheckShuffleProof, states it step by step). Papers are rows of w ciphertexts, shuffled as
rows (Verificatum's product group): every column is re-encrypted with its own nonce and the
same permutation, and the proof's fourth relation has one commitment per column.

Notation (additive for the group): c_j = g^{r_j} h_{pi^{-1}(j)} commits to the permutation;
u_i = H(statement, i) are the verifier's challenges, u'_i = u_{pi(i)}; the commitment chain
c^_i = g^{r^_i} (c^_{i-1})^{u'_i} from c^_0 = h proves prod u'_i = prod u_i. The single
challenge hashes the public key, the input and output rows, both commitment lists, every
prover commitment and the context (no "weak Fiat-Shamir").
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from .elgamal import Ciphertext
from .group import GroupError, Point, Scalar, challenge, encode, g_times

Row = tuple[Ciphertext, ...]


class ShuffleError(ValueError):
    """A shuffle whose proof does not verify, or rows of the wrong shape."""


def generators(count: int, context: object) -> tuple[Point, list[Point]]:
    """h and h_1..h_N, independent generators hashed from the context (nobody knows a log)."""
    return Point.hash_to_point("shuffle-h", context), [
        Point.hash_to_point("shuffle-h_i", context, i) for i in range(count)
    ]


def _challenges(
    public_key: Point, rows: list[Row], mixed: list[Row], commitments: list[Point], context: object
) -> list[Scalar]:
    digest = hashlib.sha512(
        encode("shuffle-u", context, public_key, rows, mixed, commitments)
    ).digest()
    return [challenge("shuffle-u", digest, i) for i in range(len(rows))]


@dataclass(frozen=True)
class ShuffleProof:
    commitments: list[Point]  # c_j
    chain: list[Point]  # c^_1 .. c^_N
    challenge: Scalar
    s1: Scalar
    s2: Scalar
    s3: Scalar
    s4: list[Scalar]  # one per column
    s_hat: list[Scalar]
    s_prime: list[Scalar]

    def to_json(self) -> dict:
        return {
            "commitments": [p.hex() for p in self.commitments],
            "chain": [p.hex() for p in self.chain],
            "challenge": self.challenge.hex(),
            "s1": self.s1.hex(),
            "s2": self.s2.hex(),
            "s3": self.s3.hex(),
            "s4": [s.hex() for s in self.s4],
            "s_hat": [s.hex() for s in self.s_hat],
            "s_prime": [s.hex() for s in self.s_prime],
        }

    @classmethod
    def from_json(cls, data: dict) -> ShuffleProof:
        try:
            return cls(
                [Point.from_hex(p) for p in data["commitments"]],
                [Point.from_hex(p) for p in data["chain"]],
                Scalar.from_hex(data["challenge"]),
                Scalar.from_hex(data["s1"]),
                Scalar.from_hex(data["s2"]),
                Scalar.from_hex(data["s3"]),
                [Scalar.from_hex(s) for s in data["s4"]],
                [Scalar.from_hex(s) for s in data["s_hat"]],
                [Scalar.from_hex(s) for s in data["s_prime"]],
            )
        except (KeyError, TypeError, GroupError) as exc:
            raise ShuffleError("malformed shuffle proof") from exc


def _width(rows: list[Row]) -> int:
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise ShuffleError("rows of different widths")
    return widths.pop() if widths else 0


def _final_challenge(public_key, rows, mixed, commitments, chain, t1, t2, t3, t4, t_hat, context):
    return challenge(
        "shuffle", context, public_key, rows, mixed, commitments, chain, t1, t2, t3, t4, t_hat
    )


def shuffle(public_key: Point, rows: list[Row], context: object) -> tuple[list[Row], ShuffleProof]:
    """Re-encrypt and permute the rows; the mixed rows and the proof. Forgets the permutation."""
    n, width = len(rows), _width(rows)
    if n == 0:
        raise ShuffleError("nothing to shuffle")
    permutation = list(range(n))
    secrets.SystemRandom().shuffle(permutation)  # mixed[i] re-encrypts rows[permutation[i]]
    nonces = [[Scalar.random() for _ in range(width)] for _ in range(n)]
    mixed: list[Row] = [
        tuple(
            ciphertext.reencrypt(public_key, nonce)
            for ciphertext, nonce in zip(rows[permutation[i]], nonces[i], strict=True)
        )
        for i in range(n)
    ]
    h, hs = generators(n, context)
    r = [Scalar.random() for _ in range(n)]
    commitments: list[Point] = [None] * n  # type: ignore[list-item]
    for i in range(n):
        j = permutation[i]
        commitments[j] = g_times(r[j]) + hs[i]
    u = _challenges(public_key, rows, mixed, commitments, context)
    u_prime = [u[permutation[i]] for i in range(n)]

    r_hat = [Scalar.random() for _ in range(n)]
    chain, previous = [], h
    for i in range(n):
        previous = g_times(r_hat[i]) + previous * u_prime[i]
        chain.append(previous)

    w1, w2, w3 = Scalar.random(), Scalar.random(), Scalar.random()
    w4 = [Scalar.random() for _ in range(width)]
    w_hat = [Scalar.random() for _ in range(n)]
    w_prime = [Scalar.random() for _ in range(n)]
    t1, t2 = g_times(w1), g_times(w2)
    t3 = g_times(w3)
    for i in range(n):
        t3 = t3 + hs[i] * w_prime[i]
    t4 = []
    for k in range(width):
        alpha, beta = -g_times(w4[k]), -(public_key * w4[k])
        for i in range(n):
            alpha = alpha + mixed[i][k].alpha * w_prime[i]
            beta = beta + mixed[i][k].beta * w_prime[i]
        t4.append((alpha, beta))
    t_hat = [g_times(w_hat[i]) + (chain[i - 1] if i else h) * w_prime[i] for i in range(n)]
    c = _final_challenge(
        public_key, rows, mixed, commitments, chain, t1, t2, t3, t4, t_hat, context
    )

    r_bar = Scalar.from_int(0)
    r_u = Scalar.from_int(0)
    for j in range(n):
        r_bar = r_bar + r[j]
        r_u = r_u + r[j] * u[j]
    # R^ = sum_i r^_i v_i with v_N = 1 and v_i = u'_{i+1} v_{i+1}.
    r_chain, v = Scalar.from_int(0), Scalar.from_int(1)
    for i in reversed(range(n)):
        r_chain = r_chain + r_hat[i] * v
        v = v * u_prime[i]
    s4 = []
    for k in range(width):
        total = Scalar.from_int(0)
        for i in range(n):
            total = total + nonces[i][k] * u_prime[i]
        s4.append(w4[k] - c * total)
    proof = ShuffleProof(
        commitments=commitments,
        chain=chain,
        challenge=c,
        s1=w1 - c * r_bar,
        s2=w2 - c * r_chain,
        s3=w3 - c * r_u,
        s4=s4,
        s_hat=[w_hat[i] - c * r_hat[i] for i in range(n)],
        s_prime=[w_prime[i] - c * u_prime[i] for i in range(n)],
    )
    return mixed, proof


def verify_shuffle(
    public_key: Point, rows: list[Row], mixed: list[Row], proof: ShuffleProof, context: object
) -> None:
    """Raise ShuffleError unless ``mixed`` is a re-encryption of a permutation of ``rows``."""
    n = len(rows)
    if n == 0 or len(mixed) != n:
        raise ShuffleError("the mix has not as many papers out as in")
    width = _width(rows)
    if _width(mixed) != width:
        raise ShuffleError("the mix changed the papers' width")
    if not (
        len(proof.commitments) == len(proof.chain) == len(proof.s_hat) == len(proof.s_prime) == n
        and len(proof.s4) == width
    ):
        raise ShuffleError("the shuffle proof has the wrong length")
    h, hs = generators(n, context)
    u = _challenges(public_key, rows, mixed, proof.commitments, context)
    c = proof.challenge

    c_bar = g_times(0)
    c_u = g_times(0)
    for j in range(n):
        c_bar = c_bar + proof.commitments[j] - hs[j]
        c_u = c_u + proof.commitments[j] * u[j]
    u_product = Scalar.from_int(1)
    for value in u:
        u_product = u_product * value
    c_hat = proof.chain[-1] - h * u_product

    t1 = c_bar * c + g_times(proof.s1)
    t2 = c_hat * c + g_times(proof.s2)
    t3 = c_u * c + g_times(proof.s3)
    for i in range(n):
        t3 = t3 + hs[i] * proof.s_prime[i]
    t4 = []
    for k in range(width):
        alpha_in, beta_in = g_times(0), g_times(0)
        alpha, beta = -g_times(proof.s4[k]), -(public_key * proof.s4[k])
        for i in range(n):
            alpha_in = alpha_in + rows[i][k].alpha * u[i]
            beta_in = beta_in + rows[i][k].beta * u[i]
            alpha = alpha + mixed[i][k].alpha * proof.s_prime[i]
            beta = beta + mixed[i][k].beta * proof.s_prime[i]
        t4.append((alpha + alpha_in * c, beta + beta_in * c))
    t_hat = [
        proof.chain[i] * c
        + g_times(proof.s_hat[i])
        + (proof.chain[i - 1] if i else h) * proof.s_prime[i]
        for i in range(n)
    ]
    expected = _final_challenge(
        public_key, rows, mixed, proof.commitments, proof.chain, t1, t2, t3, t4, t_hat, context
    )
    if expected != c:
        raise ShuffleError("the shuffle proof does not verify")
