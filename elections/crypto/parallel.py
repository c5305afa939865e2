"""Deterministic parallelism for the ballot's cryptography: contiguous chunks, results in order.

Checking a bundle and mixing are the same independent work for every paper or ciphertext
(decode, check a proof, re-encrypt, a term of a multi-exponentiation), so they split into
contiguous chunks run by worker processes (libsodium's calls hold the interpreter's lock,
so threads would not help). The results come back in chunk order and every sum of group
elements is exact, so a run with one worker and a run with many give the same bytes, name
the same first failure, and hash the same Fiat-Shamir statements.

``Pool(1)`` runs everything in the calling process (the default, and what the web server
uses); the commands that verify, mix or decrypt a whole ballot open ``Pool(workers)``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor


def available_cpus() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Pool:
    """``workers`` processes (started once, on first use), or the calling process for 1."""

    def __init__(self, workers: int = 1, minimum: int = 32):
        self.workers = max(1, int(workers))
        self.minimum = max(1, int(minimum))
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def spans(self, count: int) -> list[tuple[int, int]]:
        """[start, stop) spans covering range(count): a few per worker, none below ``minimum``."""
        if count <= 0:
            return []
        pieces = 1 if self.workers == 1 else min(self.workers * 4, max(1, count // self.minimum))
        size, extra = divmod(count, pieces)
        out, start = [], 0
        for piece in range(pieces):
            stop = start + size + (1 if piece < extra else 0)
            out.append((start, stop))
            start = stop
        return out

    def map(self, function: Callable, tasks: Sequence[tuple]) -> list:
        """[function(*task) for task in tasks], in order; in workers when there are several."""
        if self.workers == 1 or len(tasks) <= 1:
            return [function(*task) for task in tasks]
        if self._executor is None:
            # "spawn": a worker starts from a clean interpreter (no copied database
            # connection or lock of the parent's), and only imports elections.crypto.
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return list(self._executor.map(function, *zip(*tasks, strict=True)))


INLINE = Pool(1)
