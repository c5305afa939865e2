"""Zero-knowledge proofs, made non-interactive with a Fiat-Shamir hash of the whole statement.

Following the Belenios specification (Glondu, Cortier, Gaudry: "Belenios specification",
version 2.x, section "Zero-knowledge proofs"):

- ``SchnorrProof``: knowledge of x with X = g^x (a trustee's key, Belenios "pok"); the same
  proof over alpha = g^r is the "proof of knowledge of the nonce" Belenios attaches to a
  non-homomorphic answer, so a copied or re-randomised ciphertext cannot be cast again.
- ``DisjunctiveProof``: a ciphertext encrypts one of a list of integers (Belenios "iprove",
  the Cramer-Damgård-Schoenmakers OR-composition of Chaum-Pedersen proofs). Used for each
  choice being 0 or 1 and for the sum of a question's choices being within its bounds.
- ``EqualityProof``: log_g X = log_alpha D (Chaum-Pedersen), for a decryption share
  (Belenios "decryption factors").

Every challenge hashes the tag, the context (naming the ballot and the question), every
public value of the statement and every commitment: group.challenge.
"""

from __future__ import annotations

from dataclasses import dataclass

from .elgamal import Ciphertext
from .group import GroupError, Point, Scalar, challenge, g_times


class ProofError(ValueError):
    """A proof that does not verify, or is not of the expected shape."""


def _scalars(data: object, count: int | None = None) -> list[Scalar]:
    if not isinstance(data, list) or (count is not None and len(data) != count):
        raise ProofError("malformed proof")
    try:
        return [Scalar.from_hex(item) for item in data]
    except (GroupError, TypeError) as exc:
        raise ProofError("malformed proof") from exc


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    challenge: Scalar
    response: Scalar

    @classmethod
    def prove(cls, secret: Scalar, public: Point, context: object) -> SchnorrProof:
        w = Scalar.random()
        commitment = g_times(w)
        c = challenge("pok", context, public, commitment)
        return cls(c, w - secret * c)

    def verify(self, public: Point, context: object) -> None:
        commitment = g_times(self.response) + public * self.challenge
        if challenge("pok", context, public, commitment) != self.challenge:
            raise ProofError("the proof of knowledge does not verify")

    def to_json(self) -> list[str]:
        return [self.challenge.hex(), self.response.hex()]

    @classmethod
    def from_json(cls, data: object) -> SchnorrProof:
        return cls(*_scalars(data, 2))


@dataclass(frozen=True, slots=True)
class DisjunctiveProof:
    """One (challenge, response) pair per allowed value; the challenges add up to the hash."""

    pairs: tuple[tuple[Scalar, Scalar], ...]

    @classmethod
    def prove(
        cls,
        public_key: Point,
        ciphertext: Ciphertext,
        nonce: Scalar,
        values: list[int],
        actual: int,
        context: object,
    ) -> DisjunctiveProof:
        alpha, beta = ciphertext.alpha, ciphertext.beta
        real = values.index(actual)
        pairs: list[tuple[Scalar, Scalar] | None] = []
        commitments: list[Point] = []
        w = Scalar.random()
        for index, value in enumerate(values):
            if index == real:
                pairs.append(None)
                commitments += [g_times(w), public_key * w]
            else:
                sigma, rho = Scalar.random(), Scalar.random()
                pairs.append((sigma, rho))
                commitments += _branch_commitments(public_key, alpha, beta, value, sigma, rho)
        total = challenge("iprove", context, public_key, ciphertext, values, commitments)
        others = [pair[0] for pair in pairs if pair is not None]
        sigma_real = total
        for sigma in others:
            sigma_real = sigma_real - sigma
        pairs[real] = (sigma_real, w - nonce * sigma_real)
        return cls(tuple(pairs))  # type: ignore[arg-type]

    def verify(
        self, public_key: Point, ciphertext: Ciphertext, values: list[int], context: object
    ) -> None:
        if len(self.pairs) != len(values):
            raise ProofError("the proof has not one branch per allowed value")
        commitments: list[Point] = []
        total = Scalar(bytes(32))
        for (sigma, rho), value in zip(self.pairs, values, strict=True):
            commitments += _branch_commitments(
                public_key, ciphertext.alpha, ciphertext.beta, value, sigma, rho
            )
            total = total + sigma
        if challenge("iprove", context, public_key, ciphertext, values, commitments) != total:
            raise ProofError("the proof that a ciphertext holds an allowed value does not verify")

    def to_json(self) -> list[str]:
        return [item.hex() for pair in self.pairs for item in pair]

    @classmethod
    def from_json(cls, data: object) -> DisjunctiveProof:
        items = _scalars(data)
        if len(items) % 2:
            raise ProofError("malformed proof")
        return cls(tuple(zip(items[::2], items[1::2], strict=True)))


def _branch_commitments(
    public_key: Point, alpha: Point, beta: Point, value: int, sigma: Scalar, rho: Scalar
) -> list[Point]:
    # A = g^rho alpha^sigma, B = y^rho (beta / g^value)^sigma (Belenios "iprove").
    return [
        g_times(rho) + alpha * sigma,
        public_key * rho + (beta - g_times(value)) * sigma,
    ]


@dataclass(frozen=True, slots=True)
class EqualityProof:
    """Chaum-Pedersen: the same x in X = g^x and D = alpha^x."""

    challenge: Scalar
    response: Scalar

    @classmethod
    def prove(
        cls, secret: Scalar, public: Point, alpha: Point, share: Point, context: object
    ) -> EqualityProof:
        w = Scalar.random()
        c = challenge("decrypt", context, public, alpha, share, g_times(w), alpha * w)
        return cls(c, w - secret * c)

    def verify(self, public: Point, alpha: Point, share: Point, context: object) -> None:
        a = g_times(self.response) + public * self.challenge
        b = alpha * self.response + share * self.challenge
        if challenge("decrypt", context, public, alpha, share, a, b) != self.challenge:
            raise ProofError("the decryption share's proof does not verify")

    def to_json(self) -> list[str]:
        return [self.challenge.hex(), self.response.hex()]

    @classmethod
    def from_json(cls, data: object) -> EqualityProof:
        return cls(*_scalars(data, 2))
