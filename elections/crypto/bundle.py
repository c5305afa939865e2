"""A secret ballot's public bundle, and its verification from the bundle alone.

The bundle (JSON, written by `manage.py export_ballot`) holds the key ceremony, the board,
what the trustees decrypted and their shares with proofs, the papers given to the counting
code and the published count. `verify_bundle` checks, in this order, and names the first
failure: the joint key, the board's chain and length, every paper's proofs, the totals or
the mix, every decryption share, that the counted papers are the decryption, and the
recount. Pure (no Django), so anyone can run it; the trustees' tool runs the same checks
before it decrypts anything, so a trustee never decrypts a ciphertext that is not a total
or a mixed paper.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from elections.counting.papers import YES_NO_OPTIONS

from . import papers, parallel, shuffle, threshold
from .elgamal import Ciphertext, DiscreteLogTable, add_all
from .group import GroupError, Point
from .papers import EncryptedPaper, PaperSpec

FORMAT = "gov-ballot-bundle/1"
GENESIS = "0" * 64


class BundleError(ValueError):
    """The first thing in a bundle that does not verify."""


def chain(previous: str, position: int, tracker: str) -> str:
    return hashlib.sha256(f"{previous}:{position}:{tracker}".encode()).hexdigest()


def counted_contents(spec: dict[str, Any], kind: str, length: int, plaintexts: list[int]):
    """The papers for the counting code from the decrypted tally.

    Ranked: the decrypted mixed rows, in mixed order (a value that is no candidate's
    number is written "?", an invalid paper). Marks: papers rebuilt from the totals, which
    give the counting code exactly the voters' figures: yes/no one paper per vote; plurality
    and approval the blank papers, then each option's marks dealt round the valid papers in
    turn (no paper gets an option twice, as a total is at most the number of valid papers,
    and each gets from one mark to the limit, as the totals lie between those bounds).
    """
    options, width = spec["options"], spec["width"]
    if kind == "mix":
        contents = []
        for n in range(0, len(plaintexts), width):
            ranking = [
                options[v - 1] if 1 <= v <= len(options) else "?"
                for v in plaintexts[n : n + width]
                if v != 0
            ]
            contents.append({"ranking": ranking})
        return contents
    if not spec.get("blank_column"):
        return [
            {"choice": option}
            for option, total in zip(YES_NO_OPTIONS, plaintexts, strict=True)
            for _vote in range(total)
        ]
    totals, blanks = plaintexts[:-1], plaintexts[-1]
    valid = length - blanks
    rebuilt: list[list[str]] = [[] for _paper in range(valid)]
    slot = 0
    for option, total in zip(options, totals, strict=True):
        for _mark in range(total):
            rebuilt[slot % valid].append(option)
            slot += 1
    return [{"choices": []} for _paper in range(blanks)] + [{"choices": m} for m in rebuilt]


def prepare_tally(
    public_key: Point, spec: PaperSpec, rows: list[tuple[Ciphertext, ...]], context
) -> dict[str, Any]:
    """What the trustees decrypt: homomorphic column totals, or the rows mixed with a proof."""
    if spec.kind == papers.MARKS:
        totals = [add_all(row[k] for row in rows) for k in range(spec.width)]
        return {"kind": "totals", "ciphertexts": [c.to_json() for c in totals]}
    if not rows:
        return {"kind": "mix", "mixes": [], "ciphertexts": []}
    mixed, proof = shuffle.shuffle(public_key, rows, (context, "mix", 1))
    return {
        "kind": "mix",
        "mixes": [{"rows": [[c.to_json() for c in r] for r in mixed], "proof": proof.to_json()}],
        "ciphertexts": [c.to_json() for row in mixed for c in row],
    }


def decryption_context(context) -> tuple:
    return (context, "decrypt-tally")


def joint_key_of(bundle: dict[str, Any]) -> threshold.JointKey:
    """The joint key from the ceremony (every proof checked), or the labelled demo key."""
    box, ceremony = bundle["box"], bundle["ceremony"]
    public = Point.from_hex(box["public_key"])
    if ceremony.get("demo_server_key"):
        return threshold.JointKey(1, public, {1: public})
    trustees = ceremony["trustees"]
    dealings = [threshold.Dealing.from_json(t["dealing"]) for t in trustees]
    context = ceremony["context"]
    joint = threshold.joint_key(dealings, box["threshold"], context)
    if joint.public != public:
        raise BundleError("key ceremony: the ballot's public key is not the dealings' one")
    for trustee in trustees:
        threshold.check_share_key(
            joint, threshold.ShareKey.from_json(trustee["share_key"]), context
        )
    return joint


def _check_papers(public: bytes, spec_json: dict, context, entries: list) -> list[tuple]:
    """A chunk of the board: each paper decoded, hashed and its proofs checked (a worker's part).

    One tuple a paper: (None, tracker, row as bytes, proof failure or None) when it decodes,
    (message or exception, None, None, None) when it does not; the caller walks them in order.
    """
    public_key, spec = Point(public), PaperSpec.from_json(spec_json)
    out: list[tuple] = []
    for entry in entries:
        try:
            paper = EncryptedPaper.from_json(entry["paper"], spec)
        except papers.PaperError as exc:
            out.append((str(exc), None, None, None))
            continue
        except (KeyError, TypeError, GroupError) as exc:
            out.append((exc, None, None, None))
            continue
        failure = None
        try:
            paper.verify(public_key, spec, context)
        except papers.PaperError as exc:
            failure = str(exc)
        row = tuple((c.alpha.data, c.beta.data) for c in paper.ciphertexts)
        out.append((None, paper.tracker, row, failure))
    return out


def check_board(
    bundle: dict[str, Any], joint: threshold.JointKey, pool: parallel.Pool = parallel.INLINE
) -> list[tuple]:
    """The board's rows, its chain, length and every paper's proofs checked.

    The papers are decoded and their proofs checked in ``pool``'s workers; the chain, the
    trackers and the replays are then walked in board order, so the first failure named is
    the same whatever the number of workers.
    """
    box = bundle["box"]
    PaperSpec.from_json(box["spec"])
    context, board = box["context"], bundle["board"]
    checked = [
        result
        for chunk in pool.map(
            _check_papers,
            [
                (joint.public.data, box["spec"], context, board[a:b])
                for a, b in pool.spans(len(board))
            ],
        )
        for result in chunk
    ]
    head, rows, seen = GENESIS, [], set()
    for position, (entry, (error, tracker, row, failure)) in enumerate(
        zip(board, checked, strict=True)
    ):
        if isinstance(error, Exception):
            raise error
        if error is not None:
            raise BundleError(f"board paper {position}: {error}")
        if tracker != entry["tracker"]:
            raise BundleError(f"board paper {position}: its tracker is not its hash")
        if tracker in seen:
            raise BundleError(f"board paper {position}: a replayed paper")
        seen.add(tracker)
        head = chain(head, position, tracker)
        if entry.get("position") != position or entry.get("digest") != head:
            raise BundleError(f"board paper {position}: the board's chain is broken")
        if failure is not None:
            raise BundleError(f"board paper {position}: {failure}")
        # Decoded and checked in the worker: rebuilt without checking again.
        rows.append(tuple(Ciphertext(Point(alpha), Point(beta)) for alpha, beta in row))
    if head != box["head"] or len(rows) != box["length"]:
        raise BundleError("the board's head or length is not the published one")
    if len(rows) != bundle["participations_weight"]:
        raise BundleError(
            f"the board holds {len(rows)} papers for {bundle['participations_weight']} votes cast"
        )
    return rows


def _same_points(data: object, ciphertexts: list[Ciphertext]) -> bool:
    """Whether the JSON ciphertexts are these (already decoded) ones, without decoding again."""
    try:
        return len(data) == len(ciphertexts) and all(  # type: ignore[arg-type]
            bytes.fromhex(a) == c.alpha.data and bytes.fromhex(b) == c.beta.data
            for (a, b), c in zip(data, ciphertexts, strict=True)  # type: ignore[misc]
        )
    except (TypeError, ValueError):
        return False


def check_tally(
    bundle: dict[str, Any],
    joint: threshold.JointKey,
    rows: list[tuple],
    pool: parallel.Pool = parallel.INLINE,
) -> list:
    """The tally is the board's totals, or a verified mix of the board's rows."""
    box, tally = bundle["box"], bundle["tally"]
    spec = PaperSpec.from_json(box["spec"])
    if tally["kind"] == "totals" and spec.kind == papers.MARKS:
        ciphertexts = [Ciphertext.from_json(c) for c in tally["ciphertexts"]]
        expected = [add_all(row[k] for row in rows) for k in range(spec.width)]
        if ciphertexts != expected:
            raise BundleError("the totals are not the sums of the board's papers")
        return ciphertexts
    if tally["kind"] != "mix" or spec.kind != papers.RANKING:
        raise BundleError("the tally is not of the kind the papers' shape needs")
    current = rows
    for n, mix in enumerate(tally["mixes"], start=1):
        try:
            mixed = shuffle.decode_rows(mix["rows"], pool)
            proof = shuffle.ShuffleProof.from_json(mix["proof"])
            shuffle.verify_shuffle(
                joint.public, current, mixed, proof, (box["context"], "mix", n), pool
            )
        except (shuffle.ShuffleError, GroupError, KeyError, TypeError) as exc:
            raise BundleError(f"mix {n}: {exc}") from exc
        current = mixed
    last = [c for row in current for c in row]
    if not _same_points(tally["ciphertexts"], last):
        raise BundleError("the ciphertexts decrypted are not the last mix's papers")
    return last


def _lookup_chunk(bound: int, betas: list[bytes], factors: list[bytes]) -> list[int]:
    table = DiscreteLogTable(bound)
    out = []
    for beta, factor in zip(betas, factors, strict=True):
        try:
            out.append(table.lookup(Point(beta) - Point(factor)))
        except GroupError:
            out.append(-1)
    return out


def decrypt(
    bundle: dict[str, Any],
    joint: threshold.JointKey,
    ciphertexts: list,
    pool: parallel.Pool = parallel.INLINE,
) -> list[int]:
    """The plaintexts from the published shares, every share's proofs checked."""
    box = bundle["box"]
    alphas = [c.alpha for c in ciphertexts]
    context = decryption_context(box["context"])
    shares = [
        threshold.read_decryption_share(joint, data, alphas, context, pool)
        for data in bundle["decryptions"]
    ]
    factors = threshold.combine(joint, shares, pool)
    spec = PaperSpec.from_json(box["spec"])
    # A mixed paper's ciphertext holds a candidate's number; a total, up to a mark a paper.
    bound = spec.width if bundle["tally"]["kind"] == "mix" else box["length"] * spec.width
    betas = [c.beta.data for c in ciphertexts]
    data = [f.data for f in factors]
    return [
        value
        for chunk in pool.map(
            _lookup_chunk,
            [(max(bound, 1), betas[a:b], data[a:b]) for a, b in pool.spans(len(betas))],
        )
        for value in chunk
    ]


def verify_bundle(
    bundle: dict[str, Any], recount=None, pool: parallel.Pool = parallel.INLINE
) -> dict[str, Any]:
    """Check a bundle; raise BundleError naming the first failure; a summary if all hold.

    ``recount(bundle) -> list[str]`` (the differing figures) is the count's check, passed in
    by the caller so that this module needs no counting code. ``pool`` runs the papers',
    the mix's and the shares' checks in worker processes; the verdict does not depend on it.
    """
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise BundleError(f"not a {FORMAT} bundle")
    try:
        try:
            joint = joint_key_of(bundle)
        except threshold.ThresholdError as exc:
            raise BundleError(f"key ceremony: {exc}") from exc
        rows = check_board(bundle, joint, pool)
        ciphertexts = check_tally(bundle, joint, rows, pool)
        try:
            plaintexts = decrypt(bundle, joint, ciphertexts, pool)
        except threshold.ThresholdError as exc:
            raise BundleError(f"decryption: {exc}") from exc
        box = bundle["box"]
        expected = counted_contents(box["spec"], bundle["tally"]["kind"], len(rows), plaintexts)
        # The published list is shuffled again and adds the tellers' batches ("paper:..."):
        # the online papers in it must be exactly the decryption, as a multiset.
        listed = [
            p["content"]
            for p in bundle["papers"]
            if not str(p["receipt_fingerprint"]).startswith("paper:")
        ]

        def key(content):
            return json.dumps(content, sort_keys=True)

        same = Counter(map(key, listed)) == Counter(map(key, expected))
        if not same:
            raise BundleError("the counted papers are not the decryption of the ballot box")
        demo_server_key = bool(bundle["ceremony"].get("demo_server_key"))
        demo_trustees = any(t.get("demo") for t in bundle["ceremony"].get("trustees", []))
    except (KeyError, TypeError, AttributeError, IndexError, GroupError, papers.PaperError) as exc:
        raise BundleError(f"malformed bundle ({exc!r})") from exc
    if recount is not None:
        wrong = recount(bundle)
        if wrong:
            raise BundleError(f"the recount differs from the published count: {', '.join(wrong)}")
    return {
        "papers": len(rows),
        "threshold": joint.threshold,
        "demo_key": demo_server_key or demo_trustees,
        "demo_trustees": demo_trustees,
    }
