"""Several processes for one build (``--jobs``): how many, how a large file is cut, and the pool itself.

Also how a build treats Python's cyclic garbage collector: its full
collections are paused while a build runs (:func:`collector_paused`), in every
process, and a worker skips the interpreter's teardown when the pool ends it.

A build in several processes mines its files (a large one in shares of its
lines) and then enriches and renders chunks of entries in a pool of worker
processes; :mod:`deckgen.build` joins what they return in order, so the notes,
notices and library sightings are those of one pass.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from .read import Text

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Executor, Future

T = TypeVar("T")

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


# Files at least this large are mined in shares of their lines, one per process, when there are several;
# no share is much larger than SHARE_MAX_BYTES, so that what a worker holds does not grow with the file.
SHARE_BYTES = 256 * 1024
SHARE_MAX_BYTES = 2 << 20


@dataclass(frozen=True)
class Share:
    """One process's part of a large file: its line numbers, and the byte offset where the first begins.

    ``offset`` is None where counting line feeds does not number lines as an
    editor does (a lone CR): the share then reads the file from its top.
    """

    lines: range
    offset: int | None


_BLOCK = 1 << 20


def shares(path: Path | Text, jobs: int) -> list[Share | None]:
    """How to cut *path* for *jobs* processes: shares of about equal numbers of lines, or [None] (whole).

    At least one share per process, and more for a file over ``jobs × SHARE_MAX_BYTES``:
    as many as a multiple of *jobs*, so that the processes finish together (a
    5 MB file in 3 shares kept one of two processes idle for its last share;
    in 4 it built in 0.86× the time, three rounds each).  Each share knows
    where its first line begins, so that no share reads the lines before its
    own: all of them together read the file once.
    """
    if jobs < 2 or isinstance(path, Text):
        return [None]
    try:
        size = path.stat().st_size
        if size < SHARE_BYTES:
            return [None]
        feeds: list[int] = []  # line feeds per block
        returns = pairs = 0  # CRs, and CRs followed by a LF
        with path.open("rb") as handle:
            previous = b""
            while block := handle.read(_BLOCK):
                feeds.append(block.count(b"\n"))
                if previous.endswith(b"\r") and block.startswith(b"\n"):
                    pairs += 1
                if crs := block.count(b"\r"):
                    returns += crs
                    pairs += block.count(b"\r\n")
                previous = block
            parts = max(jobs, -(-size // SHARE_MAX_BYTES))
            parts += -parts % jobs  # up to a multiple of jobs
            count = 1 + sum(feeds)
            cuts = [1 + count * share // parts for share in range(parts)] + [sys.maxsize]
            ranges = [range(start, stop) for start, stop in pairwise(cuts) if start < stop]
            if returns != pairs:
                return [Share(lines, None) for lines in ranges]
            return [Share(lines, _offset(handle, feeds, lines.start)) for lines in ranges]
    except (OSError, ValueError):  # ValueError: the file changed while it was scanned
        return [None]  # reading it whole reports any error


def _offset(handle: BinaryIO, feeds: list[int], line: int) -> int:
    """The byte offset where *line* begins: just after line feed number ``line - 1``, found in its block."""
    wanted = line - 1
    for index, count in enumerate(feeds):
        if wanted <= count:
            handle.seek(index * _BLOCK)
            block = handle.read(_BLOCK)
            at = 0
            for _ in range(wanted):
                at = block.index(b"\n", at) + 1
            return index * _BLOCK + at
        wanted -= count
    raise ValueError(f"line {line} is past the end of the file")


def process_pool(jobs: int):  # type: ignore[no-untyped-def]
    """Worker processes, forked where that is safe (:func:`start_method`), else spawned."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(start_method()),
        initializer=_worker_started,
        initargs=(os.getpid(),),
    )  # a worker only ever runs a build's tasks: its collector stays paused (see collector_paused)
    try:
        _start_workers(executor, jobs)
    except BaseException:  # Ctrl-C while they started: nothing to wait for
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    return executor


def start_method() -> str:
    """How workers start: forked on Linux when this process runs no other thread, else spawned.

    A forked worker starts with deckgen's modules already imported, where a
    spawned one imports them again and, under the ``deckgen`` console script,
    the CLI as well: forked, the 2 MB benchmark built in 0.90x the time (five
    alternated rounds).  Forking is unsafe once another thread may hold a
    lock (and on macOS, where Python spawns by default because its system
    libraries are not safe to fork), so a process with threads, such as a
    program using the library from a thread, spawns its workers.  A forked
    worker never touches what it inherits beyond reading: the word library's
    SQLite connection stays the parent's; it takes back the default SIGTERM
    and exits without tearing anything down (:func:`_worker_started`).
    """
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _start_workers(executor: Executor, jobs: int) -> None:
    """Start every worker now, with Ctrl-C held back until each is ready (:func:`_worker_started` takes it over).

    A process inherits the signals its parent blocks: a Ctrl-C while a worker
    is still starting waits until it can stop quietly, instead of printing the
    traceback of its start-up.  The parent gets its own Ctrl-C once the
    workers are started.
    """
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for _ in range(jobs):
            executor.submit(int)  # while no worker is idle, each task starts one
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def results_in_order(futures: list[Future[T]]) -> Iterator[T]:
    """The results of *futures* in order, each future dropped once its result is handed on."""
    futures.reverse()
    while futures:
        yield futures.pop().result()


def mapped_in_order(
    executor: Executor, task: Callable[..., T], chunks: Iterable[Any], args: tuple[Any, ...], ahead: int
) -> Iterator[T]:
    """``task(chunk, *args)`` for each chunk, in the workers, in order, with at most *ahead* chunks submitted.

    Unlike ``Executor.map``, which submits every chunk at once, the chunks are
    taken from *chunks* only as results are handed back: neither the chunks
    waiting nor the results done are ever all in memory.
    """
    pending: deque[Future[T]] = deque()
    waiting = iter(chunks)
    for chunk in waiting:
        pending.append(executor.submit(task, chunk, *args))
        if len(pending) >= ahead:
            break
    while pending:
        done = pending.popleft().result()
        for chunk in waiting:
            pending.append(executor.submit(task, chunk, *args))
            break
        yield done


@contextmanager
def shipped(value: object) -> Iterator[object]:
    """*value* for the workers' tasks: a private temporary file each worker loads once (:func:`received`).

    The article's annotated words go with every chunk of entries; at 20 MB they
    are 40,000 words, pickled and unpickled once per chunk otherwise.  Where no
    temporary file can be written, *value* itself goes with each task.
    """
    try:
        handle, name = tempfile.mkstemp(prefix="deckgen-", suffix=".pickle")
    except OSError:
        yield value
        return
    try:
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            sent: object = value
        else:
            sent = _Shipped(name)
        yield sent  # outside the except above: an error of the caller's block passes through as it is
    finally:
        Path(name).unlink(missing_ok=True)


class _Shipped(str):
    """The path of a value :func:`shipped` or :func:`saved` wrote."""


@contextmanager
def handed_back() -> Iterator[str | None]:
    """A private temporary folder for the workers' large results (:func:`saved`), removed with what is left in it.

    None where no folder can be made: the results then come back through the pool's pipe.
    """
    import shutil

    try:
        folder = tempfile.mkdtemp(prefix="deckgen-")
    except OSError:
        yield None
        return
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def saved(value: T, folder: str | None) -> T:
    """In a worker: *value* written to a file of *folder* (:func:`handed_back`), whose path goes back instead.

    A mined share of 2 MB pickles to about 1.5 MB.  Through the pool's pipe, the
    worker waited for the build's process to read it 64 kB at a time, each read
    waiting for the interpreter's lock that the build's process holds while it
    joins the previous share: at 20 MB the workers sat idle 0.15-0.27 s between
    shares.  Written to a file, it is handed over in a few milliseconds.  Where
    the file cannot be written, *value* goes back itself.
    """
    if folder is None:
        return value
    try:
        handle, name = tempfile.mkstemp(dir=folder, suffix=".pickle")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        return value
    return _Shipped(name)  # type: ignore[return-value]  # loaded() turns it back into the value


def loaded(value: T) -> T:
    """In the build's process: what a worker :func:`saved`, read from its file and the file removed.

    A file that went missing meanwhile (a cleaner of the temporary folder) fails the build with a
    :class:`~deckgen.errors.DeckgenError`, one line, since what the worker found exists nowhere else.
    """
    if not isinstance(value, _Shipped):
        return value
    try:
        with open(value, "rb") as handle:
            result: T = pickle.load(handle)  # our own file, private (mkdtemp)
        settled()
        return result
    except OSError as error:
        from .errors import DeckgenError

        raise DeckgenError(f"{value}: a worker's result could not be read back ({error.strerror or error})") from error
    finally:
        Path(value).unlink(missing_ok=True)


_RECEIVED: dict[str, object] = {}  # in a worker: the value of the last file shipped to it


def received(value: object) -> object:
    """What a task was given: the value :func:`shipped` wrote, loaded once per process, or *value* itself."""
    if not isinstance(value, _Shipped):
        return value
    found = _RECEIVED.get(value)
    if found is None:
        _RECEIVED.clear()  # one build at a time
        with open(value, "rb") as handle:
            found = _RECEIVED[value] = pickle.load(handle)  # our own file, private (mkstemp)
    return found


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's full garbage collections paused for the block, then as they were; young collections still run.

    A build holds hundreds of thousands of small objects (examples, entries,
    notes) that live until it ends; each full collection walks all of them,
    and they came to half of the parent process's CPU time with ``--jobs 2``
    on 20 MB (9.2 s against 4.8 s paused).  Reference cycles that die young
    (a parsed HTML tree) are still freed by the young generations' collections;
    deckgen's own code makes none that outlive them (a test checks).  Builds
    that overlap (threads of a caller) pause once, and the last one to end
    puts the collector's settings back.
    """
    with _PAUSE_LOCK:
        if not _PAUSES:
            _SAVED[:] = _no_full_collections()
            _FREEZING[:] = [gc.get_freeze_count() == 0]
        _PAUSES.append(True)
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSES.pop()
            if not _PAUSES:
                gc.set_threshold(*_SAVED)
                if _FREEZING[0]:
                    gc.unfreeze()  # what settled() froze is the oldest generation's again, for the next full collection


def settled() -> None:
    """In the build's process, where what was just made is kept until the build ends (a worker's share loaded, a
    file's words merged, a chunk of notes rendered or received): everything alive moved out of the young
    collections' way until then (``gc.freeze``), while full collections are paused.

    The shares and the notes are kept until the build ends, or dropped
    without a cycle; the young collections walked each of their objects once
    or twice: 0.11-0.15 s of the build's process's 1.0-1.2 s of CPU for the
    2 MB benchmark with two workers, about 0.05 s now.  At the end of the pause they
    go back to the oldest generation, where a full collection would have found
    them anyway.  Nothing is frozen where the program had frozen objects of its
    own when the first build began (they would be unfrozen with ours), nor
    outside a pause; what it freezes while a build runs is unfrozen with ours.  A cycle that is
    young garbage at that moment (another thread's) waits for the first full
    collection after the build.
    """
    with _PAUSE_LOCK:
        if _PAUSES and _FREEZING[0]:
            gc.freeze()


@contextmanager
def collector_held() -> Iterator[None]:
    """In a worker, for a task that makes no reference cycles: no collection during the block, and what is
    still alive after it moved out of the collector's reach (``gc.freeze``) rather than walked.

    Rendering a chunk of entries keeps what it makes: the chunk's notes until
    they are sent back, and the memo tables' new rows for the rest of the
    build.  The young collections walked each of them once or twice, 0.10 s
    of the workers' 4.5 s of CPU for the 2 MB benchmark; held, 0.005-0.012 s.
    Frozen objects are still freed when their last reference goes.  Only for
    code with no cycles (a test builds with the collector off and counts
    them): a cycle made in the block would never be freed.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


_NEVER = 1 << 30  # young collections between two full ones: never, in practice


def _no_full_collections() -> tuple[int, int, int]:
    """Stop full collections, keeping the young generations' thresholds; the settings before."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], _NEVER)
    return before


_PAUSE_LOCK = threading.Lock()
_PAUSES: list[bool] = []  # one per build running with full collections paused
_SAVED: list[int] = []  # the collector's thresholds before the first of them
_FREEZING: list[bool] = [False]  # whether settled() may freeze: nothing was frozen before the first of them


def _worker_started(parent: int) -> None:
    """A worker only ever runs a build's tasks: no full collections there (see :func:`collector_paused`).

    It ends with the build's process (*parent*), however that one ends: see :func:`_end_with`.

    Nor does it tear its heap down object by object when the pool ends it: its
    memo tables hold a few hundred thousand objects, and freeing them came to
    0.4 s at 2 MB (0.7 s at 20 MB) that the build waited for.  Its results went
    back through the pool's queue as each task ended, and it opens no file for
    writing, so it exits at once (the exit handler registered last runs first).
    """
    import atexit
    import signal

    _end_with(parent)
    # SIGTERM ends a worker outright, as the pool's terminate() expects of a worker it gives up on; a forked one
    # would otherwise keep the handler the CLI set for itself (SystemExit, see cli._exit_on_sigterm).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _no_full_collections()
    atexit.register(os._exit, 0)
    # Ctrl-C reaches the whole process group: the parent says "interrupted" once.  A worker stops by SystemExit,
    # which multiprocessing ends quietly (a KeyboardInterrupt while it waits for a task prints a traceback) and
    # which unwinds what it holds, such as the lock of the queue it was reading.  One that came while it started
    # (held back, see _start_workers) ends it here, where it holds nothing yet.
    if hasattr(signal, "pthread_sigmask"):
        signal.signal(signal.SIGINT, _stop_starting)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, _stop)


def _end_with(parent: int) -> None:
    """Have Linux end this worker when *parent* dies, even by SIGKILL (``PR_SET_PDEATHSIG``).

    A forked worker holds both ends of the pool's pipes, so it never sees them
    close: without this, a build killed outright (``kill -9``, the OOM killer)
    left its workers waiting for a task forever.
    """
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def _stop_starting(_signal: int, _frame: object) -> None:
    os._exit(130)


def _stop(_signal: int, _frame: object) -> None:
    raise SystemExit(130)
