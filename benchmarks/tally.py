"""Benchmark of `manage.py tally` on a million ranked papers, BLT and JSON, beside the pure count.

Run from the project root:

    .venv/bin/python benchmarks/tally.py                     # 1,000,000 papers, 3 runs
    .venv/bin/python benchmarks/tally.py --ballots 100000 --repeat 1

The papers are those of benchmarks/counting.py (seed 2026: 10 candidates, 3 seats,
Zipf-like popularity, Plackett-Luce partial rankings). They are written twice, as a BLT
file with one line per paper (weight 1, as a count's raw papers would be) and as the
platform's published ballot list (`ballot-list/1`, one paper a line with a SHA-256
receipt fingerprint). Files are made once in --workdir and kept for the next run.

Measured, each the median of --repeat runs:

- the floor: Scottish STV on the grouped rankings, in this process (`count_stv`: what
  any recount must do once the papers are read);
- `tally_file` on the BLT file and on the JSON list, in this process;
- `manage.py tally FILE` for each file, and `manage.py check` (Django's start-up), each
  as its own process: wall time and peak resident memory (GNU time's maximum RSS).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from counting import generate  # noqa: E402

from elections.counting import count_stv, read_blt, tally_file  # noqa: E402


def write_files(workdir: Path, ballots: int) -> tuple[Path, Path]:
    blt, listed = workdir / f"tally-{ballots}.blt", workdir / f"tally-{ballots}.json"
    if blt.exists() and listed.exists():
        return blt, listed
    names, papers = generate(ballots, 10, 0.8, 2.5, 2026)
    number = {name: index + 1 for index, name in enumerate(names)}
    with blt.open("w", encoding="utf-8") as out:
        out.write(f"{len(names)} 3\n")
        for paper in papers:
            out.write("1 " + " ".join(str(number[c]) for c in paper) + " 0\n")
        out.write("0\n" + "".join(f'"{name}"\n' for name in names) + '"Benchmark"\n')
    ballot = {
        "reference": "BENCH 1/2026",
        "title": "Benchmark",
        "method": "stv",
        "seats": 3,
        "candidates": [{"id": name, "name": name} for name in names],
        "max_approvals": None,
        "seed": "bench",
    }
    with listed.open("w", encoding="utf-8") as out:
        out.write(f'{{"format": "ballot-list/1",\n "ballot": {json.dumps(ballot)},\n "papers": [\n')
        for index, paper in enumerate(papers):
            fingerprint = hashlib.sha256(f"receipt {index}".encode()).hexdigest()
            line = json.dumps(
                {"content": {"ranking": list(paper)}, "receipt_fingerprint": fingerprint},
                sort_keys=True,
            )
            out.write(("  " if index == 0 else ",\n  ") + line)
        out.write("\n]}\n")
    return blt, listed


def timed(run) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def child(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one `manage.py` process.

    Measured by GNU time (`/usr/bin/time`), a small parent: a child forked from this
    process would report this process's own peak.
    """
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true")}
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, sys.executable, "manage.py", *args],
            stdout=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
            check=True,
        )
        seconds = time.perf_counter() - start
        return seconds, int(report.read().split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp"))
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

    blt, listed = write_files(options.workdir, options.ballots)
    print(
        f"{options.ballots:,} papers: {blt} ({blt.stat().st_size / 1e6:.1f} MB), "
        f"{listed} ({listed.stat().st_size / 1e6:.1f} MB)"
    )
    with blt.open("rb") as stream:
        election = read_blt(stream)
    names, rankings = election.candidates, dict(election.rankings)
    print(f"{len(rankings):,} distinct rankings; reading them for the floor is not timed")

    rows: dict[str, list[tuple[float, ...]]] = {}
    for _ in range(options.repeat):
        rows.setdefault("pure count (count_stv, grouped)", []).append(
            (timed(lambda: count_stv(rankings, names, 3))[0],)
        )
        for label, path in (("BLT", blt), ("JSON", listed)):

            def run(path=path):
                with path.open("rb") as stream:
                    return tally_file(stream)

            seconds, result = timed(run)
            assert result["elected"] == list(count_stv(rankings, names, 3).elected)
            rows.setdefault(f"tally_file, {label}", []).append((seconds,))
        rows.setdefault("manage.py check", []).append(child(["check"]))
        for label, path in (("BLT", blt), ("JSON", listed)):
            rows.setdefault(f"manage.py tally, {label}", []).append(child(["tally", str(path)]))
    floor = statistics.median(r[0] for r in rows["pure count (count_stv, grouped)"])
    print(f"\nmedians of {options.repeat} (seconds; MB peak for processes)")
    for label, runs in rows.items():
        seconds = statistics.median(r[0] for r in runs)
        memory = f"{statistics.median(r[1] for r in runs):7.0f} MB" if len(runs[0]) > 1 else ""
        print(f"{label:36} {seconds:7.2f} s {memory:>10}  {seconds / floor:5.2f}x the pure count")


if __name__ == "__main__":
    main()
