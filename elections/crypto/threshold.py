"""Threshold keys: Pedersen's distributed key generation and k-of-n decryption shares.

Follows the threshold mode of the Belenios specification (section "Threshold decryption"),
itself Pedersen's DKG ("A threshold cryptosystem without a trusted party", EUROCRYPT 1991)
with Feldman's verifiable secret sharing:

1. Each of the n trustees makes a transport key pair (X25519, libsodium's sealed boxes)
   and publishes its public half (``TransportKey``).
2. Trustee i draws a polynomial f_i of degree k-1, publishes Feldman commitments
   C_{i,l} = g^{a_{i,l}} with a proof of knowledge of a_{i,0}, and seals f_i(j) to each
   trustee j's transport key (``Dealing``). The platform stores only sealed shares, so it
   never holds a share it can read.
3. Trustee j opens the shares sealed to it, checks each against the dealer's commitments
   (g^{f_i(j)} = prod_l C_{i,l}^{j^l}), keeps x_j = sum_i f_i(j) and publishes g^{x_j} with a
   proof of knowledge (``ShareKey``). Anyone recomputes g^{x_j} from the commitments.

The joint public key is prod_i C_{i,0}; its secret sum_i a_{i,0} is never assembled. To
decrypt alpha, any k trustees publish alpha^{x_j} with a Chaum-Pedersen proof against g^{x_j}
(``DecryptionShare``), combined with Lagrange coefficients at 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from . import parallel
from .group import IDENTITY, GroupError, Point, Scalar, g_times
from .proofs import EqualityProof, ProofError, SchnorrProof


class ThresholdError(ValueError):
    """A dealing, a share or a set of shares that cannot make or use the joint key."""


def check_parameters(threshold: int, trustees: int) -> None:
    if not 1 <= threshold <= trustees:
        raise ThresholdError("the threshold must be between 1 and the number of trustees")


def _lagrange_at_zero(index: int, indices: list[int]) -> Scalar:
    numerator, denominator = Scalar.from_int(1), Scalar.from_int(1)
    for other in indices:
        if other != index:
            numerator = numerator * Scalar.from_int(other)
            denominator = denominator * Scalar.from_int(other - index)
    return numerator * denominator.inverse()


def _evaluate(coefficients: list[Scalar], at: int) -> Scalar:
    x, value = Scalar.from_int(at), Scalar.from_int(0)
    for coefficient in reversed(coefficients):
        value = value * x + coefficient
    return value


def committed_share_key(commitments: list[Point], at: int) -> Point:
    """g^{f(at)} from the Feldman commitments g^{a_l}: prod_l C_l^{at^l}."""
    x, power, total = Scalar.from_int(at), Scalar.from_int(1), IDENTITY
    for commitment in commitments:
        total = total + commitment * power
        power = power * x
    return total


@dataclass(frozen=True)
class TransportKey:
    """A trustee's public X25519 key, so dealers can seal shares only that trustee can open."""

    index: int
    public: bytes

    def to_json(self) -> dict:
        return {"index": self.index, "public": self.public.hex()}

    @classmethod
    def from_json(cls, data: dict) -> TransportKey:
        try:
            key = bytes.fromhex(data["public"])
            PublicKey(key)
            return cls(int(data["index"]), key)
        except (KeyError, TypeError, ValueError, CryptoError) as exc:
            raise ThresholdError("malformed transport key") from exc


@dataclass(frozen=True)
class Dealing:
    """Trustee ``index``'s public commitments, proof of knowledge and sealed shares."""

    index: int
    commitments: list[Point]
    proof: SchnorrProof
    sealed: dict[int, bytes] = field(default_factory=dict)

    def verify(self, threshold: int, trustees: int, context: object) -> None:
        if len(self.commitments) != threshold:
            raise ThresholdError(f"trustee {self.index}'s dealing has not {threshold} commitments")
        if sorted(self.sealed) != list(range(1, trustees + 1)):
            raise ThresholdError(f"trustee {self.index}'s dealing has not one share per trustee")
        try:
            self.proof.verify(
                self.commitments[0], ("dealing", context, self.index, self.commitments)
            )
        except ProofError as exc:
            raise ThresholdError(f"trustee {self.index}'s proof of knowledge fails") from exc

    def to_json(self) -> dict:
        return {
            "index": self.index,
            "commitments": [c.hex() for c in self.commitments],
            "proof": self.proof.to_json(),
            "sealed": {str(j): box.hex() for j, box in sorted(self.sealed.items())},
        }

    @classmethod
    def from_json(cls, data: dict) -> Dealing:
        try:
            return cls(
                int(data["index"]),
                [Point.from_hex(c) for c in data["commitments"]],
                SchnorrProof.from_json(data["proof"]),
                {int(j): bytes.fromhex(box) for j, box in data["sealed"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ThresholdError("malformed dealing") from exc


def deal(
    index: int, threshold: int, transport_keys: list[TransportKey], context: object
) -> Dealing:
    """Trustee ``index``'s dealing for the others; its polynomial is forgotten afterwards."""
    check_parameters(threshold, len(transport_keys))
    coefficients = [Scalar.random() for _ in range(threshold)]
    commitments = [g_times(a) for a in coefficients]
    proof = SchnorrProof.prove(
        coefficients[0], commitments[0], ("dealing", context, index, commitments)
    )
    sealed = {
        key.index: SealedBox(PublicKey(key.public)).encrypt(_evaluate(coefficients, key.index).data)
        for key in transport_keys
    }
    return Dealing(index, commitments, proof, sealed)


@dataclass(frozen=True)
class ShareKey:
    """Trustee ``index``'s verification key g^{x_j} and its proof of knowledge of x_j."""

    index: int
    public: Point
    proof: SchnorrProof

    def to_json(self) -> dict:
        return {"index": self.index, "public": self.public.hex(), "proof": self.proof.to_json()}

    @classmethod
    def from_json(cls, data: dict) -> ShareKey:
        try:
            return cls(
                int(data["index"]),
                Point.from_hex(data["public"]),
                SchnorrProof.from_json(data["proof"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ThresholdError("malformed share key") from exc


def receive_shares(
    index: int,
    transport_secret: PrivateKey,
    dealings: list[Dealing],
    threshold: int,
    context: object,
) -> tuple[Scalar, ShareKey]:
    """Trustee ``index`` opens and checks its shares; its secret x_j and public ShareKey."""
    trustees = len(dealings)
    secret = Scalar.from_int(0)
    box = SealedBox(transport_secret)
    for dealing in dealings:
        dealing.verify(threshold, trustees, context)
        try:
            share = Scalar.from_hex(box.decrypt(dealing.sealed[index]).hex())
        except (CryptoError, GroupError, KeyError) as exc:
            raise ThresholdError(
                f"the share from trustee {dealing.index} cannot be opened"
            ) from exc
        if g_times(share) != committed_share_key(dealing.commitments, index):
            raise ThresholdError(
                f"the share from trustee {dealing.index} does not match its commitments"
            )
        secret = secret + share
    public = g_times(secret)
    return secret, ShareKey(
        index, public, SchnorrProof.prove(secret, public, ("share", context, index))
    )


@dataclass(frozen=True)
class JointKey:
    """The election's public key and every trustee's verification key, from the dealings."""

    threshold: int
    public: Point
    verification_keys: dict[int, Point]


def joint_key(dealings: list[Dealing], threshold: int, context: object) -> JointKey:
    trustees = len(dealings)
    check_parameters(threshold, trustees)
    if sorted(d.index for d in dealings) != list(range(1, trustees + 1)):
        raise ThresholdError("there is not one dealing per trustee")
    for dealing in dealings:
        dealing.verify(threshold, trustees, context)
    public = IDENTITY
    for dealing in dealings:
        public = public + dealing.commitments[0]
    keys = {}
    for j in range(1, trustees + 1):
        key = IDENTITY
        for dealing in dealings:
            key = key + committed_share_key(dealing.commitments, j)
        keys[j] = key
    return JointKey(threshold, public, keys)


def check_share_key(joint: JointKey, share_key: ShareKey, context: object) -> None:
    if joint.verification_keys.get(share_key.index) != share_key.public:
        raise ThresholdError(f"trustee {share_key.index}'s key is not the one the dealings give")
    try:
        share_key.proof.verify(share_key.public, ("share", context, share_key.index))
    except ProofError as exc:
        raise ThresholdError(f"trustee {share_key.index}'s proof of knowledge fails") from exc


@dataclass(frozen=True)
class DecryptionShare:
    """alpha^{x_j} for each ciphertext, each with its Chaum-Pedersen proof."""

    index: int
    factors: list[Point]
    proofs: list[EqualityProof]

    def to_json(self) -> dict:
        return {
            "index": self.index,
            "factors": [f.hex() for f in self.factors],
            "proofs": [p.to_json() for p in self.proofs],
        }

    @classmethod
    def from_json(cls, data: dict) -> DecryptionShare:
        try:
            return cls(
                int(data["index"]),
                [Point.from_hex(f) for f in data["factors"]],
                [EqualityProof.from_json(p) for p in data["proofs"]],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ThresholdError("malformed decryption share") from exc


def _share_chunk(index: int, secret: bytes, alphas: list[bytes], context, start: int) -> list:
    """alpha^x and its Chaum-Pedersen proof for a chunk of the alphas (a worker's part)."""
    x = Scalar(secret)
    public = g_times(x)
    out = []
    for n, data in enumerate(alphas, start=start):
        alpha = Point(data)
        factor = alpha * x
        proof = EqualityProof.prove(x, public, alpha, factor, ("decrypt", context, index, n))
        out.append((factor.data, proof.challenge.data, proof.response.data))
    return out


def decryption_share(
    index: int,
    secret: Scalar,
    alphas: list[Point],
    context: object,
    pool: parallel.Pool = parallel.INLINE,
) -> DecryptionShare:
    data = [a.data for a in alphas]
    results = pool.map(
        _share_chunk,
        [(index, secret.data, data[a:b], context, a) for a, b in pool.spans(len(data))],
    )
    factors, proofs = [], []
    for chunk in results:
        for factor, c, s in chunk:
            factors.append(Point(factor))
            proofs.append(EqualityProof(Scalar(c), Scalar(s)))
    return DecryptionShare(index, factors, proofs)


def _check_chunk(
    public: bytes, index: int, alphas: list[bytes], factors: list, proofs: list, context, start
) -> tuple[list[bytes] | None, str | None]:
    """Decode and check a chunk of a share's factors (a worker's part).

    (the factors' bytes, None), or (None, the first failure: "malformed" or "proof n").
    A factor given as bytes and a proof given as an EqualityProof were decoded already.
    """
    key, out = Point(public), []
    for n, (alpha, factor_data, proof_data) in enumerate(
        zip(alphas, factors, proofs, strict=True), start=start
    ):
        try:
            if isinstance(factor_data, bytes):
                factor = Point(factor_data)
            else:
                factor = Point.from_hex(factor_data)
            if isinstance(proof_data, EqualityProof):
                proof = proof_data
            else:
                proof = EqualityProof.from_json(proof_data)
        except (GroupError, ProofError, TypeError, ValueError):
            return None, "malformed"
        try:
            proof.verify(key, Point(alpha), factor, ("decrypt", context, index, n))
        except ProofError:
            return None, f"proof {n}"
        out.append(factor.data)
    return out, None


def _check_factors(
    public: Point,
    index: int,
    alphas: list[Point],
    factors: list,
    proofs: list,
    context: object,
    pool: parallel.Pool,
) -> list[Point]:
    data = [a.data for a in alphas]
    results = pool.map(
        _check_chunk,
        [
            (public.data, index, data[a:b], factors[a:b], proofs[a:b], context, a)
            for a, b in pool.spans(len(data))
        ],
    )
    checked: list[Point] = []
    for chunk, failure in results:  # in order: the first failure is the lowest n
        if failure == "malformed":
            raise ThresholdError("malformed decryption share")
        if failure is not None:
            n = failure.split()[1]
            raise ThresholdError(f"trustee {index}'s decryption factor {n} does not verify")
        checked += [Point(f) for f in chunk]
    return checked


def check_decryption_share(
    joint: JointKey,
    share: DecryptionShare,
    alphas: list[Point],
    context: object,
    pool: parallel.Pool = parallel.INLINE,
) -> None:
    public = joint.verification_keys.get(share.index)
    if public is None:
        raise ThresholdError(f"there is no trustee {share.index}")
    if len(share.factors) != len(alphas) or len(share.proofs) != len(alphas):
        raise ThresholdError(f"trustee {share.index}'s share has not one factor per ciphertext")
    _check_factors(
        public,
        share.index,
        alphas,
        [f.data for f in share.factors],
        list(share.proofs),
        context,
        pool,
    )


def read_decryption_share(
    joint: JointKey,
    data: object,
    alphas: list[Point],
    context: object,
    pool: parallel.Pool = parallel.INLINE,
) -> DecryptionShare:
    """A published share (JSON) decoded and checked: each factor decoded once, in ``pool``."""
    try:
        index = int(data["index"])  # type: ignore[index]
        factors, proofs = data["factors"], data["proofs"]  # type: ignore[index]
        if not isinstance(factors, list) or not isinstance(proofs, list):
            raise TypeError("factors and proofs are lists")
    except (KeyError, TypeError, ValueError) as exc:
        raise ThresholdError("malformed decryption share") from exc
    public = joint.verification_keys.get(index)
    if public is None:
        raise ThresholdError(f"there is no trustee {index}")
    if len(factors) != len(alphas) or len(proofs) != len(alphas):
        raise ThresholdError(f"trustee {index}'s share has not one factor per ciphertext")
    checked = _check_factors(public, index, alphas, factors, proofs, context, pool)
    return DecryptionShare(index, checked, [EqualityProof.from_json(p) for p in proofs])


def _combine_chunk(weights: list[bytes], factor_lists: list[list[bytes]]) -> list[bytes]:
    out = []
    for factors in zip(*factor_lists, strict=True):
        total = IDENTITY
        for factor, weight in zip(factors, weights, strict=True):
            total = total + Point(factor) * Scalar(weight)
        out.append(total.data)
    return out


def combine(
    joint: JointKey, shares: list[DecryptionShare], pool: parallel.Pool = parallel.INLINE
) -> list[Point]:
    """alpha^x for each ciphertext from k checked shares (Lagrange interpolation at 0)."""
    indices = sorted({share.index for share in shares})
    if len(indices) != len(shares):
        raise ThresholdError("two shares from one trustee")
    if len(indices) < joint.threshold:
        raise ThresholdError(f"{len(indices)} trustees decrypted; {joint.threshold} are needed")
    chosen = sorted(shares, key=lambda s: s.index)[: joint.threshold]
    used = [s.index for s in chosen]
    weights = [_lagrange_at_zero(s.index, used).data for s in chosen]
    lists = [[f.data for f in share.factors] for share in chosen]
    count = len(lists[0])
    if any(len(factors) != count for factors in lists):
        raise ThresholdError("the shares have not the same number of factors")
    results = pool.map(
        _combine_chunk,
        [(weights, [factors[a:b] for factors in lists]) for a, b in pool.spans(count)],
    )
    return [Point(data) for chunk in results for data in chunk]
