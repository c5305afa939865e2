"""Benchmark of the counting engine on generated ranked ballots, with pyrankvote for comparison.

Run from the project root:

    .venv/bin/python benchmarks/counting.py                      # 1,000,000 ballots
    .venv/bin/python benchmarks/counting.py --ballots 200000 --compare 10000

The ballots are generated reproducibly (``--seed``): ``--candidates`` candidates whose
popularity follows a Zipf-like law (weight 1 / rank**``--zipf``), each ballot a partial
ranking drawn by Plackett-Luce sampling (preferences drawn one after another in
proportion to popularity) with a length of 1 + an exponential of mean ``--mean-extra``,
capped at the number of candidates. Times are wall-clock from ``time.perf_counter``, the
best of ``--repeat`` runs. pyrankvote (``pip install pyrankvote``; not a project
dependency) is timed on the first N ballots for each N in ``--compare``, and so are our
counts, so the figures are at equal sizes.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from elections.counting import count_irv, count_meek, count_stv, group_rankings


def generate(
    ballots: int, candidates: int, zipf: float, mean_extra: float, seed: int
) -> tuple[list[str], list[tuple[str, ...]]]:
    """Generate `ballots` partial rankings of `candidates` candidates, reproducibly."""
    rng = random.Random(seed)
    names = [f"c{i + 1:02d}" for i in range(candidates)]
    weights = [1 / (rank + 1) ** zipf for rank in range(candidates)]
    expo = rng.expovariate
    order = range(candidates)
    papers: list[tuple[str, ...]] = []
    append = papers.append
    for _ in range(ballots):
        # Plackett-Luce: sorting by Exponential(rate = weight) draws preferences in turn
        # with probability proportional to popularity among those not yet ranked.
        keys = [expo(w) for w in weights]
        ranked = sorted(order, key=keys.__getitem__)
        length = min(candidates, 1 + int(expo(1 / mean_extra)))
        append(tuple(names[i] for i in ranked[:length]))
    return names, papers


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def ours(
    names: Sequence[str], papers: list[tuple[str, ...]], seats: int, repeat: int
) -> dict[str, Any]:
    group_time, grouped = best_of(repeat, lambda: group_rankings(papers))
    figures: dict[str, Any] = {"distinct": len(grouped), "group": group_time}
    for label, run in (
        ("stv", lambda: count_stv(grouped, names, seats, seed="bench")),
        ("meek", lambda: count_meek(grouped, names, seats, seed="bench")),
        ("irv", lambda: count_irv(grouped, names, seed="bench")),
    ):
        seconds, result = best_of(repeat, run)
        figures[label] = seconds
        figures[f"{label}_elected"] = result.elected
        figures[f"{label}_stages"] = len(result.stages)
    return figures


def theirs(names: Sequence[str], papers: list[tuple[str, ...]], seats: int) -> dict[str, Any]:
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    start = time.perf_counter()
    candidates = {name: Candidate(name) for name in names}
    ballots = [Ballot([candidates[n] for n in paper]) for paper in papers]
    build = time.perf_counter() - start
    start = time.perf_counter()
    stv = pyrankvote.single_transferable_vote(list(candidates.values()), ballots, seats)
    stv_time = time.perf_counter() - start
    start = time.perf_counter()
    irv = pyrankvote.instant_runoff_voting(list(candidates.values()), ballots)
    irv_time = time.perf_counter() - start
    return {
        "build": build,
        "stv": stv_time,
        "irv": irv_time,
        "stv_elected": [c.name for c in stv.get_winners()],
        "irv_elected": [c.name for c in irv.get_winners()],
    }


def small_profiles(trials: int, seed: int) -> None:
    """Count many small random elections both ways and report how often winners differ."""
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    rng = random.Random(seed)
    names = ["A", "B", "C", "D", "E"]
    candidates = {name: Candidate(name) for name in names}
    counted = stv_differ = irv_differ = 0
    example: tuple[dict[tuple[str, ...], int], list[str], list[str]] | None = None
    for _ in range(trials):
        papers = []
        for _ in range(rng.randint(8, 30)):
            order = rng.sample(names, len(names))
            papers.append(tuple(order[: rng.randint(1, len(names))]))
        stv = count_stv(papers, names, 2, seed="bench")
        irv = count_irv(papers, names, seed="bench")
        if stv.tie_breaks or irv.tie_breaks:
            continue  # ties: the two programs break them by different rules
        counted += 1
        ballots = [Ballot([candidates[n] for n in paper]) for paper in papers]
        their_stv = pyrankvote.single_transferable_vote(list(candidates.values()), ballots, 2)
        their_irv = pyrankvote.instant_runoff_voting(list(candidates.values()), ballots)
        theirs_elected = sorted(c.name for c in their_stv.get_winners())
        if sorted(stv.elected) != theirs_elected:
            stv_differ += 1
            if example is None or len(papers) < sum(example[0].values()):
                example = (group_rankings(papers), stv.elected, theirs_elected)
        if irv.elected != [c.name for c in their_irv.get_winners()]:
            irv_differ += 1
    print(
        f"small profiles (5 candidates, 8-30 papers, seed {seed}): {counted} of {trials} "
        f"counted without any tie; STV (2 seats) winners differ in {stv_differ}, "
        f"IRV winners differ in {irv_differ}"
    )
    if example:
        print(f"smallest STV difference: papers {example[0]}")
        print(f"  Scottish STV elects {example[1]}, pyrankvote elects {example[2]}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--seats", type=int, default=3)
    parser.add_argument("--zipf", type=float, default=0.8)
    parser.add_argument("--mean-extra", type=float, default=2.5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--compare",
        default="10000,100000",
        help="comma-separated sizes for the pyrankvote comparison ('' to skip)",
    )
    parser.add_argument(
        "--small-profiles",
        type=int,
        default=3000,
        help="small random elections counted both ways to find disagreements (0 to skip)",
    )
    args = parser.parse_args(argv)

    print(f"# counting benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs ({platform.platform()})"
    )
    print(
        f"ballots={args.ballots} candidates={args.candidates} seats={args.seats} "
        f"zipf={args.zipf} mean_extra={args.mean_extra:g} seed={args.seed}"
    )
    start = time.perf_counter()
    names, papers = generate(args.ballots, args.candidates, args.zipf, args.mean_extra, args.seed)
    mean_length = sum(map(len, papers)) / max(len(papers), 1)
    print(
        f"generated in {time.perf_counter() - start:.1f} s (not part of the figures); "
        f"mean ranking length {mean_length:.2f}\n"
    )

    sizes = sorted({int(s) for s in args.compare.split(",") if s.strip()} | {args.ballots})
    try:
        import pyrankvote  # noqa: F401

        have_pyrankvote = True
    except ImportError:
        have_pyrankvote = False
        print("pyrankvote is not installed: comparison skipped\n")

    print(
        "| ballots | distinct rankings | group | STV (Scottish) | Meek | IRV "
        "| pyrankvote build | pyrankvote STV | pyrankvote IRV |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    agreement = []
    for size in sizes:
        sample = papers[:size]
        mine = ours(names, sample, args.seats, args.repeat)
        row = [
            f"{size:,}",
            f"{mine['distinct']:,}",
            f"{mine['group']:.3f} s",
            f"{mine['stv']:.3f} s",
            f"{mine['meek']:.3f} s",
            f"{mine['irv']:.3f} s",
        ]
        if have_pyrankvote and size in {int(s) for s in args.compare.split(",") if s.strip()}:
            other = theirs(names, sample, args.seats)
            row += [f"{other['build']:.2f} s", f"{other['stv']:.2f} s", f"{other['irv']:.2f} s"]
            agreement.append((size, mine, other))
        else:
            row += ["-", "-", "-"]
        print("| " + " | ".join(row) + " |")
        if size == args.ballots:
            print(
                f"\n(at {size:,}: STV elected {mine['stv_elected']} in {mine['stv_stages']} "
                f"stages; Meek {mine['meek_elected']}; IRV {mine['irv_elected']})"
            )
    print()
    for size, mine, other in agreement:
        same_stv = set(mine["stv_elected"]) == set(other["stv_elected"])
        same_irv = mine["irv_elected"] == other["irv_elected"]
        print(
            f"{size:,} ballots: STV ours {mine['stv_elected']} / pyrankvote "
            f"{other['stv_elected']} -> {'same' if same_stv else 'DIFFERENT'} seats; "
            f"Meek {mine['meek_elected']}; IRV ours {mine['irv_elected']} / pyrankvote "
            f"{other['irv_elected']} -> {'same' if same_irv else 'DIFFERENT'}"
        )
    if have_pyrankvote and args.small_profiles:
        print()
        small_profiles(args.small_profiles, args.seed)


if __name__ == "__main__":
    main()
