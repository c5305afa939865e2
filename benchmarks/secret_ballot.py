"""Benchmark of a secret STV ballot's cryptography: cast, mix + proofs + decryption, verification.

Run from the project root:

    .venv/bin/python benchmarks/secret_ballot.py                     # 10,000 voters, 10 candidates
    .venv/bin/python benchmarks/secret_ballot.py --voters 1000 --trustees 3 --threshold 2

Pure `elections.crypto` (no database): each voter's ranking is encrypted with its proofs as
`cast_vote` does (CPU time a vote, measured with `time.process_time`); the board's rows are
mixed once with the Terelius-Wikström proof; k trustees each compute their decryption
shares with proofs; then the whole bundle's cryptography is verified as `verify_ballot`
does (every paper's proofs, the shuffle proof, every share's proofs, the decryption).
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nacl.public import PrivateKey

from elections.crypto import bundle, papers, shuffle, threshold
from elections.crypto.elgamal import DiscreteLogTable
from elections.crypto.papers import PaperSpec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--trustees", type=int, default=3)
    parser.add_argument("--threshold", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(15)
    context = ("gov-ballot", "benchmark")

    keys = [PrivateKey.generate() for _ in range(args.trustees)]
    public_keys = [threshold.TransportKey(i + 1, bytes(k.public_key)) for i, k in enumerate(keys)]
    dealings = [
        threshold.deal(i + 1, args.threshold, public_keys, context) for i in range(args.trustees)
    ]
    joint = threshold.joint_key(dealings, args.threshold, context)
    secrets = [
        threshold.receive_shares(i + 1, keys[i], dealings, args.threshold, context)[0]
        for i in range(args.threshold)
    ]
    spec = PaperSpec(papers.RANKING, args.candidates)

    cast = time.process_time()
    board = []
    for _ in range(args.voters):
        ranking = rng.sample(range(1, args.candidates + 1), rng.randint(1, args.candidates))
        board.append(papers.encrypt_ranking(joint.public, spec, ranking, context))
    cast = time.process_time() - cast

    start = time.perf_counter()
    rows = [p.ciphertexts for p in board]
    mixed, proof = shuffle.shuffle(joint.public, rows, (context, "mix", 1))
    mix_seconds = time.perf_counter() - start
    alphas = [c.alpha for row in mixed for c in row]
    start = time.perf_counter()
    shares = [
        threshold.decryption_share(i + 1, secret, alphas, bundle.decryption_context(context))
        for i, secret in enumerate(secrets)
    ]
    share_seconds = (time.perf_counter() - start) / len(shares)

    start = time.perf_counter()
    for paper in board:
        paper.verify(joint.public, spec, context)
    shuffle.verify_shuffle(joint.public, rows, mixed, proof, (context, "mix", 1))
    for share in shares:
        threshold.check_decryption_share(joint, share, alphas, bundle.decryption_context(context))
    factors = threshold.combine(joint, shares)
    table = DiscreteLogTable(args.candidates)
    ciphertexts = [c for row in mixed for c in row]
    plain = [table.lookup(c.beta - f) for c, f in zip(ciphertexts, factors, strict=True)]
    verify_seconds = time.perf_counter() - start
    assert len(plain) == args.voters * args.candidates

    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(
        f"{args.voters} voters, {args.candidates} candidates, {args.threshold} of {args.trustees} trustees"
    )
    print(f"cast: {cast / args.voters * 1000:.2f} ms CPU a vote (floor 20 ms)")
    print(
        f"mix + proof: {mix_seconds:.1f} s; decryption shares + proofs: {share_seconds:.1f} s a trustee"
    )
    print(f"  a mixer in total: {mix_seconds + share_seconds:.1f} s (floor 300 s)")
    print(f"verification of the whole bundle: {verify_seconds:.1f} s (floor 300 s)")


if __name__ == "__main__":
    main()
