"""Several processes for one build (``--jobs``): how many, how a large file is cut, and the pool itself.

Also how a build treats Python's cyclic garbage collector: it is paused while
a build runs (:func:`collector_paused`), in every process.

A build in several processes mines its files (a large one in shares of its
lines) and then enriches and renders chunks of entries in a pool of worker
processes; :mod:`deckgen.build` joins what they return in order, so the notes,
notices and library sightings are those of one pass.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

from .read import Text

# Inputs this large in all are built in several processes unless --jobs says otherwise: below it,
# starting the workers (about 0.3 s of CPU each) costs more than they save.
AUTO_JOBS_BYTES = 1 << 20
MAX_AUTO_JOBS = 4


def auto_jobs(inputs: Sequence[Path | Text]) -> int:
    """How many processes a build of *inputs* uses by default: one per CPU (up to four) when they are large."""
    size = 0
    for item in inputs:
        try:
            size += len(item.text) * 3 if isinstance(item, Text) else item.stat().st_size
        except OSError:
            continue  # reading it reports the error
    if size < AUTO_JOBS_BYTES:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, MAX_AUTO_JOBS))


# Files at least this large are mined in shares of their lines, one per process, when there are several.
SHARE_BYTES = 256 * 1024


def shares(path: Path | Text, jobs: int) -> list[range | None]:
    """How to cut *path* for *jobs* processes: ranges of line numbers of about equal size, or [None] (whole)."""
    if jobs < 2 or isinstance(path, Text):
        return [None]
    try:
        if path.stat().st_size < SHARE_BYTES:
            return [None]
        count = 1
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                count += block.count(b"\n")
    except OSError:
        return [None]  # reading it whole reports the error
    cuts = [1 + count * share // jobs for share in range(jobs)] + [sys.maxsize]
    return [range(start, stop) for start, stop in pairwise(cuts) if start < stop]


def process_pool(jobs: int):  # type: ignore[no-untyped-def]
    """Worker processes; spawned, so that no SQLite connection or jieba state is shared across a fork."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_started
    )  # a worker only ever runs a build's tasks: its collector stays paused (see collector_paused)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's full garbage collections paused for the block, then as they were; young collections still run.

    A build holds hundreds of thousands of small objects (examples, entries,
    notes) that live until it ends; each full collection walks all of them,
    and they came to half of the parent process's CPU time with ``--jobs 2``
    on 20 MB (9.2 s against 4.8 s paused).  Reference cycles that die young
    (a parsed HTML tree) are still freed by the young generations' collections;
    deckgen's own code makes none that outlive them (a test checks).
    """
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*before)


_NEVER = 1 << 30  # young collections between two full ones: never, in practice


def _worker_started() -> None:
    """A worker only ever runs a build's tasks: no full collections there (see :func:`collector_paused`)."""
    threshold = gc.get_threshold()
    gc.set_threshold(threshold[0], threshold[1], _NEVER)
