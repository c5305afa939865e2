"""Exponential ElGamal over the Ed25519 group: encrypt small integers, add, re-encrypt, decrypt.

A ciphertext of m under the public key y = g^x is (alpha, beta) = (g^r, g^m y^r), as in the
Belenios specification (section "Cryptographic primitives", ElGamal in the exponent).
Multiplying ciphertexts adds their plaintexts, which is how yes/no, plurality and approval
are counted without decrypting a paper; multiplying by an encryption of 0 re-randomises a
ciphertext, which is what the mix does.
"""

from __future__ import annotations

from dataclasses import dataclass

from .group import IDENTITY, GroupError, Point, Scalar, g_times


@dataclass(frozen=True, slots=True)
class Ciphertext:
    alpha: Point
    beta: Point

    def __mul__(self, other: Ciphertext) -> Ciphertext:
        """The homomorphic sum: a ciphertext of the sum of the two plaintexts."""
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def __pow__(self, scalar: Scalar) -> Ciphertext:
        return Ciphertext(self.alpha * scalar, self.beta * scalar)

    def reencrypt(self, public_key: Point, nonce: Scalar) -> Ciphertext:
        return Ciphertext(self.alpha + g_times(nonce), self.beta + public_key * nonce)

    def statement_parts(self) -> tuple[Point, Point]:
        return (self.alpha, self.beta)

    def to_json(self) -> list[str]:
        return [self.alpha.hex(), self.beta.hex()]

    @classmethod
    def from_json(cls, data: object) -> Ciphertext:
        if not isinstance(data, list) or len(data) != 2:
            raise GroupError("a ciphertext is a pair of points")
        return cls(Point.from_hex(data[0]), Point.from_hex(data[1]))


ZERO_CIPHERTEXT = Ciphertext(IDENTITY, IDENTITY)


def encrypt(
    public_key: Point, message: int, nonce: Scalar | None = None
) -> tuple[Ciphertext, Scalar]:
    """A ciphertext of the small integer ``message`` and the nonce that made it."""
    nonce = nonce if nonce is not None else Scalar.random()
    return Ciphertext(g_times(nonce), g_times(message) + public_key * nonce), nonce


def add_all(ciphertexts) -> Ciphertext:
    total = ZERO_CIPHERTEXT
    for ciphertext in ciphertexts:
        total = total * ciphertext
    return total


class DiscreteLogTable:
    """g^m back to m for 0 <= m <= bound: a plaintext in the exponent must be small."""

    def __init__(self, bound: int):
        self.bound = bound
        self._table: dict[bytes, int] = {}
        point, step = IDENTITY, g_times(1)
        for m in range(bound + 1):
            self._table[point.data] = m
            point = point + step

    def lookup(self, point: Point) -> int:
        try:
            return self._table[point.data]
        except KeyError:
            raise GroupError(f"the plaintext is not an integer from 0 to {self.bound}") from None


def decrypt_with_key(secret_key: Scalar, ciphertext: Ciphertext, table: DiscreteLogTable) -> int:
    """Decryption with a whole secret key: only for tests and the labelled 1-of-1 demo key."""
    return table.lookup(ciphertext.beta - ciphertext.alpha * secret_key)
