"""Benchmark of a secret STV ballot's cryptography: cast, mix + proofs + decryption, verification.

Run from the project root:

    .venv/bin/python benchmarks/secret_ballot.py                     # 10,000 voters, 10 candidates
    .venv/bin/python benchmarks/secret_ballot.py --voters 1000 --workers 2

Pure `elections.crypto` (no database): each voter's ranking is encrypted with its proofs as
`cast_vote` does (CPU time a vote); the board's rows are mixed once with the
Terelius-Wikström proof and one trustee computes their decryption shares with proofs (a
mixer's work); the bundle is then written to JSON and read back, and its cryptography
verified from the JSON as `verify_ballot` does (the key ceremony, every paper decoded and
its proofs checked, the mix decoded and its proof checked, every share decoded and its
proofs checked, the decryption). Wall and CPU times are given (CPU includes the workers').

The floor beside each figure: the libsodium calls the step makes, counted by running it
once on a small ballot with every call counted, priced at the cost of each call measured in
this same run, divided by the workers: what the step costs if Python cost nothing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nacl import bindings as sodium
from nacl.public import PrivateKey

from elections.crypto import bundle, elgamal, group, papers, parallel, shuffle, threshold
from elections.crypto.papers import PaperSpec

CALLS = (
    "crypto_scalarmult_ed25519_noclamp",
    "crypto_scalarmult_ed25519_base_noclamp",
    "crypto_core_ed25519_is_valid_point",
    "crypto_core_ed25519_add",
    "crypto_core_ed25519_sub",
    "crypto_core_ed25519_from_uniform",
)


POOL: parallel.Pool | None = None


def cpu() -> float:
    """CPU seconds of this process and of the pool's live worker processes (Linux /proc)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    executor = POOL._executor if POOL is not None else None
    for pid in list(executor._processes) if executor is not None else []:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def unit_costs() -> dict[str, float]:
    """Seconds of one call of each libsodium function, measured now."""
    scalars = [group.Scalar.random().data for _ in range(2000)]
    points = [sodium.crypto_scalarmult_ed25519_base_noclamp(s) for s in scalars]
    cases = {
        "crypto_scalarmult_ed25519_noclamp": lambda: [
            sodium.crypto_scalarmult_ed25519_noclamp(s, p)
            for s, p in zip(scalars, points, strict=True)
        ],
        "crypto_scalarmult_ed25519_base_noclamp": lambda: [
            sodium.crypto_scalarmult_ed25519_base_noclamp(s) for s in scalars
        ],
        "crypto_core_ed25519_is_valid_point": lambda: [
            sodium.crypto_core_ed25519_is_valid_point(p) for p in points
        ],
        "crypto_core_ed25519_add": lambda: [
            sodium.crypto_core_ed25519_add(p, q) for p, q in itertools.pairwise(points)
        ],
        "crypto_core_ed25519_sub": lambda: [
            sodium.crypto_core_ed25519_sub(p, q) for p, q in itertools.pairwise(points)
        ],
        "crypto_core_ed25519_from_uniform": lambda: [
            sodium.crypto_core_ed25519_from_uniform(p) for p in points
        ],
    }
    out = {}
    for name, case in cases.items():
        start = time.process_time()
        case()
        out[name] = (time.process_time() - start) / len(scalars)
    return out


class Counting:
    """Counts the libsodium calls elections.crypto makes in this process."""

    def __init__(self):
        self.counts: Counter = Counter()
        self._saved = {}

    def __enter__(self):
        for name in CALLS:
            function = getattr(sodium, name)
            self._saved[name] = function

            def counted(*args, _function=function, _name=name):
                self.counts[_name] += 1
                return _function(*args)

            setattr(group.sodium, name, counted)
        return self

    def __exit__(self, *exc):
        for name, function in self._saved.items():
            setattr(group.sodium, name, function)


def setup(voters: int, candidates: int, trustees: int, k: int, rng: random.Random):
    context = ["gov-ballot", "benchmark"]
    keys = [PrivateKey.generate() for _ in range(trustees)]
    public_keys = [threshold.TransportKey(i + 1, bytes(x.public_key)) for i, x in enumerate(keys)]
    dealings = [threshold.deal(i + 1, k, public_keys, context) for i in range(trustees)]
    joint = threshold.joint_key(dealings, k, context)
    received = [
        threshold.receive_shares(i + 1, keys[i], dealings, k, context) for i in range(trustees)
    ]
    spec = PaperSpec(papers.RANKING, candidates)
    rankings = [
        rng.sample(range(1, candidates + 1), rng.randint(1, candidates)) for _ in range(voters)
    ]
    return context, dealings, joint, received, spec, rankings


def run(args, pool: parallel.Pool, probe=None) -> dict:
    """Each step timed; ``probe(step, True|False)`` is called at its start and end."""
    probe = probe or (lambda step, starting: None)
    rng = random.Random(15)
    context, dealings, joint, received, spec, rankings = setup(
        args.voters, args.candidates, args.trustees, args.threshold, rng
    )
    paper_context = [context, "paper"]
    figures: dict = {}

    probe("cast", True)
    start = time.process_time()
    board = [papers.encrypt_ranking(joint.public, spec, r, paper_context) for r in rankings]
    figures["cast"] = (time.process_time() - start, None)
    probe("cast", False)

    rows = [p.ciphertexts for p in board]
    probe("mix", True)
    wall, used = time.perf_counter(), cpu()
    mixed, proof = shuffle.shuffle(joint.public, rows, (paper_context, "mix", 1), pool)
    figures["mix"] = (cpu() - used, time.perf_counter() - wall)
    probe("mix", False)
    alphas = [c.alpha for row in mixed for c in row]
    decrypt_context = bundle.decryption_context(paper_context)
    probe("share", True)
    wall, used = time.perf_counter(), cpu()
    shares = [threshold.decryption_share(1, received[0][0], alphas, decrypt_context, pool)]
    figures["share"] = (cpu() - used, time.perf_counter() - wall)
    probe("share", False)
    shares += [
        threshold.decryption_share(i + 1, received[i][0], alphas, decrypt_context, pool)
        for i in range(1, args.threshold)
    ]

    head, entries = bundle.GENESIS, []
    for position, paper in enumerate(board):
        head = bundle.chain(head, position, paper.tracker)
        entries.append(
            {
                "position": position,
                "tracker": paper.tracker,
                "digest": head,
                "paper": paper.to_json(),
            }
        )
    data = json.loads(
        json.dumps(
            {
                "format": bundle.FORMAT,
                "box": {
                    "public_key": joint.public.hex(),
                    "threshold": args.threshold,
                    "spec": spec.to_json() | {"options": [f"c{n}" for n in range(spec.width)]},
                    "context": paper_context,
                    "length": len(board),
                    "head": head,
                },
                "ceremony": {
                    "context": context,
                    "trustees": [
                        {"dealing": d.to_json(), "share_key": r[1].to_json()}
                        for d, r in zip(dealings, received, strict=True)
                    ],
                },
                "board": entries,
                "participations_weight": len(board),
                "tally": {
                    "kind": "mix",
                    "mixes": [
                        {
                            "rows": [[c.to_json() for c in r] for r in mixed],
                            "proof": proof.to_json(),
                        }
                    ],
                    "ciphertexts": [c.to_json() for row in mixed for c in row],
                },
                "decryptions": [s.to_json() for s in shares],
            }
        )
    )
    probe("verify", True)
    wall, used = time.perf_counter(), cpu()
    verified_joint = bundle.joint_key_of(data)
    verified_rows = bundle.check_board(data, verified_joint, pool)
    ciphertexts = bundle.check_tally(data, verified_joint, verified_rows, pool)
    plain = bundle.decrypt(data, verified_joint, ciphertexts, pool)
    figures["verify"] = (cpu() - used, time.perf_counter() - wall)
    probe("verify", False)
    assert sorted(v for v in plain if v) == sorted(c for r in rankings for c in r)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--trustees", type=int, default=3)
    parser.add_argument("--threshold", type=int, default=2)
    parser.add_argument("--workers", type=int, default=parallel.available_cpus())
    parser.add_argument(
        "--compare",
        metavar="PYTHON",
        help="an interpreter with tno.mpc.encryption_schemes.elgamal (benchmarks/elgamal_tno.py)",
    )
    args = parser.parse_args()

    # Count each step's libsodium calls on a small ballot (serially, all in this process).
    small = argparse.Namespace(**(vars(args) | {"voters": 50}))
    counting, started, per_ciphertext = Counting(), {}, {}

    def probe(step, starting):
        if starting:
            started[step] = Counter(counting.counts)
        else:
            calls = Counter(counting.counts) - started[step]
            per_ciphertext[step] = {
                n: c / (small.voters * small.candidates) for n, c in calls.items()
            }

    with counting:
        run(small, parallel.INLINE, probe)

    costs = unit_costs()
    load = os.getloadavg()
    global POOL
    with parallel.Pool(args.workers) as pool:
        POOL = pool
        figures = run(args, pool)
    load_after = os.getloadavg()
    ciphertexts = args.voters * args.candidates

    def floor(step: str, workers: int) -> float:
        calls = per_ciphertext[step]
        return sum(calls.get(n, 0) * costs[n] for n in CALLS) * ciphertexts / workers

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after {load_after[0]:.2f}"
    )
    print(
        f"{args.voters} voters, {args.candidates} candidates ({ciphertexts} ciphertexts), "
        f"{args.threshold} of {args.trustees} trustees, {args.workers} worker processes"
    )
    print(
        "libsodium call, µs CPU each: "
        + ", ".join(f"{n.removeprefix('crypto_')} {costs[n] * 1e6:.1f}" for n in CALLS)
    )
    for step in ("mix", "share", "verify"):
        calls = ", ".join(
            f"{n.removeprefix('crypto_')} {c:.2f}" for n, c in per_ciphertext[step].items()
        )
        print(f"  {step}: calls a ciphertext: {calls}")
    cast = figures["cast"][0]
    print(
        f"cast: {cast / args.voters * 1000:.2f} ms CPU a vote "
        f"(libsodium floor {floor('cast', 1) / args.voters * 1000:.2f} ms; target 20 ms)"
    )
    for step, label in (
        ("mix", "mix + shuffle proof"),
        ("share", "one trustee's decryption shares + proofs"),
    ):
        used, wall = figures[step]
        print(
            f"{label}: {wall:.1f} s wall, {used:.1f} s CPU (floor {floor(step, args.workers):.1f} s wall)"
        )
    mixer = figures["mix"][1] + figures["share"][1]
    print(
        f"  a mixer in total: {mixer:.1f} s wall "
        f"(floor {floor('mix', args.workers) + floor('share', args.workers):.1f} s; target 300 s)"
    )
    if args.compare:
        compare(args.compare, ciphertexts)
    used, wall = figures["verify"]
    print(
        f"verification of the whole bundle: {wall:.1f} s wall, {used:.1f} s CPU "
        f"(floor {floor('verify', args.workers):.1f} s wall; target 300 s)"
    )


def compare(python: str, count: int) -> None:
    """The same count of ciphertexts encrypted, re-randomised, decrypted: ours, then TNO's."""
    secret = group.Scalar.random()
    public = group.g_times(secret)
    messages = [n % 11 for n in range(count)]
    table = elgamal.DiscreteLogTable(10)
    start = time.process_time()
    ciphertexts = [elgamal.encrypt(public, m)[0] for m in messages]
    ours = {"encrypt": time.process_time() - start}
    start = time.process_time()
    ciphertexts = [c.reencrypt(public, group.Scalar.random()) for c in ciphertexts]
    ours["rerandomise"] = time.process_time() - start
    start = time.process_time()
    assert [elgamal.decrypt_with_key(secret, c, table) for c in ciphertexts] == messages
    ours["decrypt"] = time.process_time() - start
    script = Path(__file__).resolve().parent / "elgamal_tno.py"
    done = subprocess.run([python, str(script), str(count)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"comparison: {python} failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"comparison, {count} ciphertexts, one process, s CPU (ours / TNO ElGamal 2048-bit):")
    for step in ("encrypt", "rerandomise", "decrypt"):
        print(
            f"  {step}: {ours[step]:.2f} / {theirs[step]:.2f} "
            f"(TNO takes {theirs[step] / ours[step]:.1f} times as long)"
        )


if __name__ == "__main__":
    main()
