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

from . import parallel
from .elgamal import Ciphertext
from .group import IDENTITY, GroupError, Point, Scalar, challenge, encode, g_times

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


def _bytes_rows(rows: list[Row]) -> list[tuple[tuple[bytes, bytes], ...]]:
    return [tuple((c.alpha.data, c.beta.data) for c in row) for row in rows]


def _points_rows(rows) -> list[Row]:
    return [tuple(Ciphertext(Point(a), Point(b)) for a, b in row) for row in rows]


def _decode_chunk(rows: list) -> list:
    return _bytes_rows([tuple(Ciphertext.from_json(c) for c in row) for row in rows])


def decode_rows(data: list, pool: parallel.Pool = parallel.INLINE) -> list[Row]:
    """Rows of ciphertexts from JSON, every point decoded and checked once (in ``pool``)."""
    if not isinstance(data, list):
        raise ShuffleError("the mixed rows are not a list")
    chunks = pool.map(_decode_chunk, [(data[a:b],) for a, b in pool.spans(len(data))])
    return _points_rows([row for chunk in chunks for row in chunk])


def _reencrypt_chunk(public: bytes, rows: list, nonces: list[list[bytes]]) -> list:
    key = Point(public)
    return _bytes_rows(
        [
            tuple(
                ciphertext.reencrypt(key, Scalar(nonce))
                for ciphertext, nonce in zip(row, row_nonces, strict=True)
            )
            for row, row_nonces in zip(_points_rows(rows), nonces, strict=True)
        ]
    )


def _commit_chunk(context, start: int, r: list[bytes], w_prime: list[bytes]):
    """c for positions start.. (g^{r_{pi(i)}} h_i) and the chunk's part of sum h_i^{w'_i}."""
    commitments, t3 = [], IDENTITY
    for i, (r_i, w_i) in enumerate(zip(r, w_prime, strict=True), start=start):
        h_i = Point.hash_to_point("shuffle-h_i", context, i)
        commitments.append((g_times(Scalar(r_i)) + h_i).data)
        t3 = t3 + h_i * Scalar(w_i)
    return commitments, t3.data


def _chain_chunk(h: bytes, powers: list[bytes], exponents: list[bytes]) -> list[bytes]:
    """c^_i = h^{prod_{l<=i} u'_l} g^{R_i}: the chain in closed form, each link on its own."""
    base = Point(h)
    return [
        (base * Scalar(p) + g_times(Scalar(e))).data for p, e in zip(powers, exponents, strict=True)
    ]


def _t_hat_chunk(previous: list[bytes], w_hat: list[bytes], w_prime: list[bytes]) -> list[bytes]:
    return [
        (g_times(Scalar(w)) + Point(p) * Scalar(v)).data
        for p, w, v in zip(previous, w_hat, w_prime, strict=True)
    ]


def _column_sums(rows: list, scalars: list[bytes], width: int) -> list[tuple[bytes, bytes]]:
    """For each column k: (sum_i alpha_ik^{s_i}, sum_i beta_ik^{s_i}) over a chunk of rows."""
    sums = [[IDENTITY, IDENTITY] for _ in range(width)]
    for row, scalar in zip(rows, scalars, strict=True):
        s = Scalar(scalar)
        for k, (alpha, beta) in enumerate(row):
            sums[k][0] = sums[k][0] + Point(alpha) * s
            sums[k][1] = sums[k][1] + Point(beta) * s
    return [(a.data, b.data) for a, b in sums]


def _add_columns(parts: list[list[tuple[bytes, bytes]]], width: int) -> list[tuple[Point, Point]]:
    out = [[IDENTITY, IDENTITY] for _ in range(width)]
    for part in parts:
        for k, (a, b) in enumerate(part):
            out[k][0] = out[k][0] + Point(a)
            out[k][1] = out[k][1] + Point(b)
    return [(a, b) for a, b in out]


def shuffle(
    public_key: Point, rows: list[Row], context: object, pool: parallel.Pool = parallel.INLINE
) -> tuple[list[Row], ShuffleProof]:
    """Re-encrypt and permute the rows; the mixed rows and the proof. Forgets the permutation.

    The re-encryptions and the terms of the proof's commitments are computed in ``pool``'s
    workers, chunk by chunk; the statement hashed and the proof are those of one process.
    """
    n, width = len(rows), _width(rows)
    if n == 0:
        raise ShuffleError("nothing to shuffle")
    spans = pool.spans(n)
    permutation = list(range(n))
    secrets.SystemRandom().shuffle(permutation)  # mixed[i] re-encrypts rows[permutation[i]]
    nonces = [[Scalar.random() for _ in range(width)] for _ in range(n)]
    permuted = _bytes_rows([rows[permutation[i]] for i in range(n)])
    nonce_bytes = [[x.data for x in row] for row in nonces]
    mixed_bytes = [
        row
        for chunk in pool.map(
            _reencrypt_chunk,
            [(public_key.data, permuted[a:b], nonce_bytes[a:b]) for a, b in spans],
        )
        for row in chunk
    ]
    mixed = _points_rows(mixed_bytes)
    h = Point.hash_to_point("shuffle-h", context)
    r = [Scalar.random() for _ in range(n)]
    w_prime = [Scalar.random() for _ in range(n)]
    r_by_position = [r[permutation[i]].data for i in range(n)]
    w_prime_bytes = [w.data for w in w_prime]
    commitments: list[Point] = [None] * n  # type: ignore[list-item]
    t3_parts = []
    for (a, _b), (chunk, t3_part) in zip(
        spans,
        pool.map(
            _commit_chunk,
            [(context, a, r_by_position[a:b], w_prime_bytes[a:b]) for a, b in spans],
        ),
        strict=True,
    ):
        for i, data in enumerate(chunk, start=a):
            commitments[permutation[i]] = Point(data)
        t3_parts.append(Point(t3_part))
    u = _challenges(public_key, rows, mixed, commitments, context)
    u_prime = [u[permutation[i]] for i in range(n)]

    # c^_i = g^{r^_i} (c^_{i-1})^{u'_i} from c^_0 = h, that is h^{P_i} g^{R_i} with
    # P_i = u'_1...u'_i and R_i = R_{i-1} u'_i + r^_i: the same points, link by link.
    r_hat = [Scalar.random() for _ in range(n)]
    powers, exponents = [], []
    power, exponent = Scalar.from_int(1), Scalar.from_int(0)
    for i in range(n):
        power, exponent = power * u_prime[i], exponent * u_prime[i] + r_hat[i]
        powers.append(power.data)
        exponents.append(exponent.data)
    chain = [
        Point(data)
        for chunk in pool.map(
            _chain_chunk, [(h.data, powers[a:b], exponents[a:b]) for a, b in spans]
        )
        for data in chunk
    ]

    w1, w2, w3 = Scalar.random(), Scalar.random(), Scalar.random()
    w4 = [Scalar.random() for _ in range(width)]
    w_hat = [Scalar.random() for _ in range(n)]
    t1, t2 = g_times(w1), g_times(w2)
    t3 = g_times(w3)
    for part in t3_parts:
        t3 = t3 + part
    sums = _add_columns(
        pool.map(_column_sums, [(mixed_bytes[a:b], w_prime_bytes[a:b], width) for a, b in spans]),
        width,
    )
    t4 = [
        (alpha - g_times(w4[k]), beta - public_key * w4[k]) for k, (alpha, beta) in enumerate(sums)
    ]
    previous = [h.data] + [p.data for p in chain[:-1]]
    w_hat_bytes = [w.data for w in w_hat]
    t_hat = [
        Point(data)
        for chunk in pool.map(
            _t_hat_chunk,
            [(previous[a:b], w_hat_bytes[a:b], w_prime_bytes[a:b]) for a, b in spans],
        )
        for data in chunk
    ]
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


def _verify_chunk(
    context, start: int, commitments, u, s_prime, chain, previous, s_hat, c, rows, mixed, width
):
    """A chunk's terms of the verifier's equations (a worker's part), as bytes to add up."""
    challenge_c = Scalar(c)
    c_bar = c_u = t3 = IDENTITY
    t_hat = []
    for offset, i in enumerate(range(start, start + len(commitments))):
        h_i = Point.hash_to_point("shuffle-h_i", context, i)
        commitment = Point(commitments[offset])
        c_bar = c_bar + commitment - h_i
        c_u = c_u + commitment * Scalar(u[offset])
        t3 = t3 + h_i * Scalar(s_prime[offset])
        t_hat.append(
            (
                Point(chain[offset]) * challenge_c
                + g_times(Scalar(s_hat[offset]))
                + Point(previous[offset]) * Scalar(s_prime[offset])
            ).data
        )
    inputs = _column_sums(rows, u, width)
    outputs = _column_sums(mixed, s_prime, width)
    return c_bar.data, c_u.data, t3.data, t_hat, inputs, outputs


def verify_shuffle(
    public_key: Point,
    rows: list[Row],
    mixed: list[Row],
    proof: ShuffleProof,
    context: object,
    pool: parallel.Pool = parallel.INLINE,
) -> None:
    """Raise ShuffleError unless ``mixed`` is a re-encryption of a permutation of ``rows``.

    The multi-exponentiations are sums over the papers: each chunk's part is computed in
    ``pool``'s workers and the parts added up, which gives the same points in any order.
    """
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
    h = Point.hash_to_point("shuffle-h", context)
    u = _challenges(public_key, rows, mixed, proof.commitments, context)
    c = proof.challenge

    commitments = [p.data for p in proof.commitments]
    u_bytes = [x.data for x in u]
    s_prime = [x.data for x in proof.s_prime]
    chain = [p.data for p in proof.chain]
    previous = [h.data, *chain[:-1]]
    s_hat = [x.data for x in proof.s_hat]
    rows_bytes, mixed_bytes = _bytes_rows(rows), _bytes_rows(mixed)
    parts = pool.map(
        _verify_chunk,
        [
            (
                context,
                a,
                commitments[a:b],
                u_bytes[a:b],
                s_prime[a:b],
                chain[a:b],
                previous[a:b],
                s_hat[a:b],
                c.data,
                rows_bytes[a:b],
                mixed_bytes[a:b],
                width,
            )
            for a, b in pool.spans(n)
        ],
    )
    c_bar = c_u = t3_sum = IDENTITY
    t_hat: list[Point] = []
    for part_bar, part_u, part_t3, part_hat, _inputs, _outputs in parts:
        c_bar, c_u = c_bar + Point(part_bar), c_u + Point(part_u)
        t3_sum = t3_sum + Point(part_t3)
        t_hat += [Point(data) for data in part_hat]
    inputs = _add_columns([part[4] for part in parts], width)
    outputs = _add_columns([part[5] for part in parts], width)
    u_product = Scalar.from_int(1)
    for value in u:
        u_product = u_product * value
    c_hat = proof.chain[-1] - h * u_product

    t1 = c_bar * c + g_times(proof.s1)
    t2 = c_hat * c + g_times(proof.s2)
    t3 = c_u * c + g_times(proof.s3) + t3_sum
    t4 = []
    for k in range(width):
        alpha_in, beta_in = inputs[k]
        alpha, beta = outputs[k]
        alpha = alpha - g_times(proof.s4[k])
        beta = beta - public_key * proof.s4[k]
        t4.append((alpha + alpha_in * c, beta + beta_in * c))
    expected = _final_challenge(
        public_key, rows, mixed, proof.commitments, proof.chain, t1, t2, t3, t4, t_hat, context
    )
    if expected != c:
        raise ShuffleError("the shuffle proof does not verify")
