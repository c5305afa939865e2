"""Encrypted ballot papers: what a voter's paper is on the board, and its well-formedness proofs.

Two shapes, as in the Belenios specification's homomorphic and non-homomorphic questions:

- ``marks`` (yes/no/abstain, plurality, approval): one ciphertext per option holding 0 or 1,
  each with a disjunctive proof, and one disjunctive proof that the homomorphic sum of the
  row is between ``min_marks`` and ``max_marks`` (exactly one for yes/no/abstain, at most
  one for plurality, at most the approval limit). These rows are only ever added up.
- ``ranking`` (IRV, STV, Meek): one ciphertext per ranking position holding the candidate's
  number (1..n) or 0 for "no further preference", each with a proof of knowledge of its
  nonce bound to the whole row (Belenios' proof for non-homomorphic answers), so a row
  cannot be copied, re-randomised or spliced into another voter's paper. These rows are
  mixed, then decrypted one by one; a decrypted row that is not a ranking (a repeated
  candidate) is an invalid paper in the public count, like a spoilt paper in a box.

The tracker, the voter's receipt, is the SHA-256 of the paper's canonical JSON.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .elgamal import Ciphertext, add_all, encrypt
from .group import Encoded, GroupError, Point, Scalar
from .proofs import DisjunctiveProof, ProofError, SchnorrProof

MARKS = "marks"
RANKING = "ranking"


class PaperError(ValueError):
    """A paper that is not of its ballot's shape or whose proofs fail."""


@dataclass(frozen=True)
class PaperSpec:
    """The shape of a ballot's papers: what the proofs must show."""

    kind: str
    width: int
    min_marks: int = 0
    max_marks: int = 1
    #: The row's last ciphertext marks a blank paper: the overall proof is then on
    #: T = marks + width * blank in {1..max_marks, width}. The marks add up to at most
    #: width - 1 (each is a proven 0 or 1), so T = width exactly when blank and no mark, and
    #: T in 1..max_marks exactly when not blank and 1 to max_marks marks.
    blank_column: bool = False

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "width": self.width,
            "min_marks": self.min_marks,
            "max_marks": self.max_marks,
            "blank_column": self.blank_column,
        }

    @classmethod
    def from_json(cls, data: dict) -> PaperSpec:
        try:
            spec = cls(
                data["kind"], int(data["width"]), int(data["min_marks"]), int(data["max_marks"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PaperError("malformed paper shape") from exc
        if spec.kind not in (MARKS, RANKING) or spec.width < 1:
            raise PaperError("malformed paper shape")
        return spec

    @property
    def plaintext_bound(self) -> int:
        """The largest value one ciphertext of a well-formed paper holds."""
        return 1 if self.kind == MARKS else self.width

    def overall_values(self) -> list[int]:
        if self.blank_column:
            return [*range(1, self.max_marks + 1), self.width]
        return list(range(self.min_marks, self.max_marks + 1))

    def overall(self, ciphertexts) -> Ciphertext:
        """The ciphertext the overall proof is about (see ``blank_column``)."""
        if not self.blank_column:
            return add_all(ciphertexts)
        return add_all(ciphertexts[:-1]) * (ciphertexts[-1] ** Scalar.from_int(self.width))


@dataclass(frozen=True)
class EncryptedPaper:
    ciphertexts: tuple[Ciphertext, ...]
    proofs: tuple[object, ...]
    overall: DisjunctiveProof | None = None

    def to_json(self) -> dict:
        data = {
            "ciphertexts": [c.to_json() for c in self.ciphertexts],
            "proofs": [p.to_json() for p in self.proofs],
        }
        if self.overall is not None:
            data["overall"] = self.overall.to_json()
        return data

    def canonical(self) -> bytes:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()

    @property
    def tracker(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    @classmethod
    def from_json(cls, data: object, spec: PaperSpec) -> EncryptedPaper:
        try:
            ciphertexts = tuple(Ciphertext.from_json(c) for c in data["ciphertexts"])
            if spec.kind == MARKS:
                proofs = tuple(DisjunctiveProof.from_json(p) for p in data["proofs"])
                overall = DisjunctiveProof.from_json(data["overall"])
            else:
                proofs = tuple(SchnorrProof.from_json(p) for p in data["proofs"])
                overall = None
        except (KeyError, TypeError, GroupError, ProofError) as exc:
            raise PaperError("malformed encrypted paper") from exc
        if len(ciphertexts) != spec.width or len(proofs) != spec.width:
            raise PaperError(f"the paper has not {spec.width} ciphertexts and proofs")
        return cls(ciphertexts, proofs, overall)

    def verify(self, public_key: Point, spec: PaperSpec, context: object) -> None:
        """Raise PaperError unless every proof of the paper holds for this ballot."""
        if len(self.ciphertexts) != spec.width or len(self.proofs) != spec.width:
            raise PaperError(f"the paper has not {spec.width} ciphertexts and proofs")
        try:
            if spec.kind == MARKS:
                for n, (ciphertext, proof) in enumerate(
                    zip(self.ciphertexts, self.proofs, strict=True)
                ):
                    proof.verify(public_key, ciphertext, [0, 1], (context, "mark", n))
                if self.overall is None:
                    raise PaperError("the paper has no proof of its number of marks")
                self.overall.verify(
                    public_key,
                    spec.overall(self.ciphertexts),
                    spec.overall_values(),
                    (context, "marks", self.ciphertexts),
                )
            else:
                row = Encoded(self.ciphertexts)
                for n, (ciphertext, proof) in enumerate(
                    zip(self.ciphertexts, self.proofs, strict=True)
                ):
                    proof.verify(ciphertext.alpha, (context, "position", n, row))
        except (ProofError, AttributeError, TypeError) as exc:
            raise PaperError(f"the paper's proofs fail: {exc}") from exc


def encrypt_marks(
    public_key: Point, spec: PaperSpec, marks: list[int], context: object
) -> EncryptedPaper:
    """A row of 0/1 marks, one per option, with its proofs."""
    if spec.kind != MARKS or len(marks) != spec.width or any(m not in (0, 1) for m in marks):
        raise PaperError("marks must be one 0 or 1 per option")
    total = sum(marks[:-1]) + spec.width * marks[-1] if spec.blank_column else sum(marks)
    if total not in spec.overall_values():
        raise PaperError("the paper has not an allowed number of marks")
    encrypted = [encrypt(public_key, m) for m in marks]
    ciphertexts = tuple(c for c, _ in encrypted)
    proofs = tuple(
        DisjunctiveProof.prove(public_key, c, r, [0, 1], m, (context, "mark", n))
        for n, ((c, r), m) in enumerate(zip(encrypted, marks, strict=True))
    )
    nonces = [nonce for _, nonce in encrypted]
    if spec.blank_column:
        nonces[-1] = nonces[-1] * Scalar.from_int(spec.width)
    total_nonce = Scalar.from_int(0)
    for nonce in nonces:
        total_nonce = total_nonce + nonce
    overall = DisjunctiveProof.prove(
        public_key,
        spec.overall(ciphertexts),
        total_nonce,
        spec.overall_values(),
        total,
        (context, "marks", ciphertexts),
    )
    return EncryptedPaper(ciphertexts, proofs, overall)


def encrypt_ranking(
    public_key: Point, spec: PaperSpec, ranking: list[int], context: object
) -> EncryptedPaper:
    """A ranking as candidate numbers (1..n) by position, padded with 0, with its proofs."""
    if spec.kind != RANKING or len(ranking) > spec.width:
        raise PaperError(f"a ranking has at most {spec.width} positions")
    if any(not 1 <= c <= spec.width for c in ranking) or len(set(ranking)) != len(ranking):
        raise PaperError("a ranking names each candidate at most once")
    values = list(ranking) + [0] * (spec.width - len(ranking))
    encrypted = [encrypt(public_key, v) for v in values]
    ciphertexts = tuple(c for c, _ in encrypted)
    row = Encoded(ciphertexts)
    proofs = tuple(
        SchnorrProof.prove(nonce, c.alpha, (context, "position", n, row))
        for n, (c, nonce) in enumerate(encrypted)
    )
    return EncryptedPaper(ciphertexts, proofs)
