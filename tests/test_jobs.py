"""Several processes build what one process builds: a large file mined in shares of its lines, joined in order."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from deckgen import build as pipeline
from deckgen import workers
from deckgen.build import BuildOptions, BuildResult
from deckgen.errors import DeckgenError, InputError
from deckgen.read import Text
from deckgen.workers import auto_jobs

from .conftest import EXAMPLE
from .test_readers import make_epub

DATA = Path(__file__).parent / "data" / "readers"


def _book(tmp_path: Path, lines: int = 60) -> Path:
    """A long article of the example's lines, each numbered so every sentence is its own.

    改造 recurs on every line: more sentences than a note keeps, spread over
    every share.  A bad reading and a byline recur too, so each share has notices.
    """
    body = [line for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if "(" in line]
    out = []
    for number in range(lines):
        out.append(f"第{number + 1}段。{body[number % len(body)]}")
        if number % 7 == 3:
            out.append(f"他们第{number}次讨论(tǎolùn)改造(gǎizào)的问题(wèntí)。关键(guanjian)在这里(zhèlǐ)。")
    path = tmp_path / "book.txt"
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return path


def _built(paths: list[Path], tmp_path: Path, jobs: int, encoding: str | None = None) -> BuildResult:
    options = BuildOptions(jobs=jobs, library=tmp_path / f"library-{jobs}.sqlite3", encoding=encoding)
    return pipeline.build(paths, options)


def _same(one: BuildResult, many: BuildResult) -> None:
    assert many.notes == one.notes
    assert [n.fields for n in many.notes] == [n.fields for n in one.notes]
    assert many.notices == one.notices
    assert many.articles == one.articles
    assert (many.annotations, many.skipped, many.readers) == (one.annotations, one.skipped, one.readers)
    assert [e.key for e in many.exported] == [e.key for e in one.exported]


def test_a_large_file_in_shares_builds_what_one_pass_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = _book(tmp_path)
    one = _built([book], tmp_path, 1)
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    assert len(workers.shares(book, 3)) == 3
    many = _built([book, EXAMPLE], tmp_path, 3)
    _same(_built([book, EXAMPLE], tmp_path, 1), many)
    assert {n.kind for n in one.notices} >= {"toneless"}
    # The library keeps 4 sentences of 改造 per article however the file was cut.
    sightings = [s for s in one.articles[str(book)] if s.hanzi == "改造"]
    assert len(sightings) == 4


def test_workers_are_forked_only_where_no_other_thread_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked on Linux in a process of one thread, spawned beside another thread: both build what one pass builds."""
    import threading

    book = _book(tmp_path)
    one = _built([book], tmp_path, 1)
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    chosen: list[str] = []
    method = workers.start_method
    monkeypatch.setattr(workers, "start_method", lambda: chosen.append(method()) or chosen[-1])
    _same(one, _built([book], tmp_path, 2))
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        _same(one, _built([book], tmp_path, 2))
    finally:
        stop.set()
        waiting.join()
    assert chosen == ["fork" if sys.platform == "linux" else "spawn", "spawn"]


def test_a_reader_that_needs_several_lines_reads_the_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SHARE_BYTES", 16)
    book = make_epub(DATA / "book", tmp_path / "book.epub")
    for path in [*(DATA / name for name in ("story.txt", "verse.txt", "words.txt", "film.srt", "vocab.html")), book]:
        one = _built([path], tmp_path, 1)
        _same(one, _built([path], tmp_path, 2))


def test_a_bad_line_late_in_the_file_fails_it_as_one_pass_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = _book(tmp_path)
    book.write_bytes(book.read_bytes() + "最后(zuìhòu)一行".encode("gb18030") + b"\n")
    with pytest.raises(InputError) as one:
        _built([book], tmp_path, 1, "utf-8")
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    with pytest.raises(InputError) as many:
        _built([book], tmp_path, 2, "utf-8")
    assert str(many.value) == str(one.value)
    assert "not valid utf-8" in str(one.value)


def test_no_annotations_is_judged_on_the_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "SHARE_BYTES", 256)
    plain = tmp_path / "plain.txt"
    plain.write_text("没有拼音的一行。\n" * 200, encoding="utf-8")
    with pytest.raises(InputError, match="no pinyin annotations"):
        _built([plain], tmp_path, 2)
    # A share without annotations is no failure when another share has them.
    late = tmp_path / "late.txt"
    late.write_text("没有拼音的一行。\n" * 200 + "最后是关键(guānjiàn)。\n", encoding="utf-8")
    assert [n.hanzi for n in _built([late], tmp_path, 2).notes] == ["关键"]


def test_default_jobs_follow_the_size_of_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = tmp_path / "small.txt"
    small.write_text("关键(guānjiàn)\n", encoding="utf-8")
    large = tmp_path / "large.txt"
    large.write_bytes(b"x" * workers.AUTO_JOBS_BYTES)
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1, 2, 3, 4, 5, 6, 7})
    assert auto_jobs([small, Text("关键(guānjiàn)")]) == 1
    assert auto_jobs([large]) == workers.MAX_AUTO_JOBS
    assert auto_jobs([small, tmp_path / "missing.txt"]) == 1
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0})
    assert auto_jobs([large]) == 1


def test_without_worker_processes_the_default_builds_in_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = _book(tmp_path)
    one = _built([book], tmp_path, 1)

    def no_semaphores(jobs: int) -> None:
        raise PermissionError("no /dev/shm")

    monkeypatch.setattr(workers, "AUTO_JOBS_BYTES", 1024)
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1})
    assert auto_jobs([book]) == 2
    monkeypatch.setattr(workers, "process_pool", no_semaphores)
    _same(one, _built([book], tmp_path, 0))


def test_a_build_pauses_full_collections_and_its_code_makes_no_cycles(tmp_path: Path) -> None:
    """Builds run without full garbage collections; deckgen's own code must leave no reference cycles to them.

    A recursive closure in the aligner once left a function-cell cycle per
    annotation (168,000 cells for a 2 MB book).  Parsed HTML trees (ruby,
    tables, e-books) are cycles of BeautifulSoup's, freed young; they are left
    out here.
    """
    import gc

    plain = [path for path in DATA.iterdir() if path.suffix in {".txt", ".srt", ".ass", ".vtt", ".csv"}]
    inputs = [_book(tmp_path, lines=30), *sorted((Path(__file__).parent / "teacher").glob("*.txt")), *sorted(plain)]
    output = tmp_path / "deck.apkg"
    from deckgen.output import write

    write(_built(inputs, tmp_path, 1), output, "Cycles")  # imports and caches settle first
    gc.collect()
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    seen: list[tuple[int, int, int]] = []
    real_render = pipeline.render

    def render(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold())
        return real_render(*args, **kwargs)

    pipeline.render = render  # type: ignore[assignment]
    try:
        gc.disable()  # no collection at all: every cycle the build makes is left for the count below
        write(pipeline.build(inputs, BuildOptions(library=tmp_path / "second.sqlite3")), output, "Cycles")
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        garbage = [type(thing).__name__ for thing in gc.garbage]
    finally:
        pipeline.render = real_render  # type: ignore[assignment]
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert seen and all(during[2] > 1_000_000 for during in seen)  # no full collection while rendering
    assert gc.get_threshold() == threshold  # and as it was afterwards
    assert len(garbage) < 50, sorted(set(garbage))


def test_entries_enriched_in_small_chunks_by_the_workers_come_back_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = _book(tmp_path)
    one = _built([book, EXAMPLE], tmp_path, 1)
    monkeypatch.setattr(pipeline, "WORKERS_FROM_ENTRIES", 1)
    monkeypatch.setattr(pipeline, "CHUNK_ENTRIES", 3)
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    monkeypatch.setattr(workers, "SHARE_MAX_BYTES", 2048)  # more shares than processes
    assert len(workers.shares(book, 2)) > 2
    _same(one, _built([book, EXAMPLE], tmp_path, 2))
    # No temporary file for the annotated words: they go with every chunk instead.
    monkeypatch.setattr("tempfile.mkstemp", lambda **_kwargs: (_ for _ in ()).throw(PermissionError("no /tmp")))
    _same(one, _built([book, EXAMPLE], tmp_path, 2))


def test_a_shipped_value_is_read_once_per_process_and_removed_after(tmp_path: Path) -> None:
    with workers.shipped({"关键": ("guān", "jiàn")}) as shipped:
        path = Path(str(shipped))
        assert path.exists() and path.stat().st_mode & 0o077 == 0  # private to its user
        first = workers.received(shipped)
        assert first == {"关键": ("guān", "jiàn")}
        assert workers.received(shipped) is first
    assert not path.exists()
    assert workers.received({"x": ()}) == {"x": ()}
    # An error in the block passes through as it is, and the file still goes.
    with pytest.raises(OSError, match="disk"), workers.shipped({"x": ()}) as shipped:
        path = Path(str(shipped))
        raise OSError("disk full")
    assert not path.exists()


def test_mined_shares_come_back_through_private_files_that_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    book = _book(tmp_path)
    one = _built([book], tmp_path, 1)
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    monkeypatch.setattr(workers, "SHARE_MAX_BYTES", 2048)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    handed: list[str | None] = []
    real = workers.loaded

    def spy(value: object) -> object:
        handed.append(str(value) if isinstance(value, str) else None)
        return real(value)

    monkeypatch.setattr(workers, "loaded", spy)
    _same(one, _built([book], tmp_path, 2))
    assert len(handed) == len(workers.shares(book, 2)) > 2
    assert all(path is not None and Path(path).parent.parent == scratch for path in handed)
    assert not list(scratch.iterdir())  # the folder went, with the files in it
    # Where no folder can be made, the shares come back through the pool's pipe.
    handed.clear()
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **_kwargs: (_ for _ in ()).throw(PermissionError("no /tmp")))
    _same(one, _built([book], tmp_path, 2))
    assert handed and all(path is None for path in handed)


def test_a_saved_value_is_loaded_once_and_its_file_removed(tmp_path: Path) -> None:
    value = {"关键": ("guān", "jiàn")}
    assert workers.saved(value, None) is value
    assert workers.saved(value, str(tmp_path / "gone")) is value  # the folder cannot take it
    path = workers.saved(value, str(tmp_path))
    assert isinstance(path, str) and Path(path).parent == tmp_path and Path(path).stat().st_mode & 0o077 == 0
    assert workers.loaded(path) == value
    assert not Path(path).exists()
    assert workers.loaded(value) is value
    with workers.handed_back() as folder:
        assert folder is not None and Path(folder).is_dir()
        workers.saved(value, folder)
    assert not Path(folder).exists()
    # A file removed behind the build's back fails it with one line, not a traceback.
    gone = workers.saved(value, str(tmp_path))
    Path(str(gone)).unlink()
    with pytest.raises(DeckgenError, match="could not be read back") as failure:
        workers.loaded(gone)
    assert "\n" not in str(failure.value) and str(gone) in str(failure.value)


def test_chunks_are_mapped_in_order_and_taken_only_as_results_are_handed_back() -> None:
    from concurrent.futures import ThreadPoolExecutor

    taken: list[int] = []
    handed: list[int] = []

    def chunks():  # type: ignore[no-untyped-def]
        for number in range(20):
            taken.append(number)
            assert len(taken) - len(handed) <= 3 + 1  # `ahead` chunks out, and the one whose result is on its way
            yield [number] * 3

    with ThreadPoolExecutor(4) as executor:
        for result in workers.mapped_in_order(executor, lambda chunk, add: sum(chunk) + add, chunks(), (1,), 3):
            handed.append(result)
    assert handed == [3 * number + 1 for number in range(20)]


def test_a_worker_renders_a_chunk_with_no_collection_and_freezes_what_is_left() -> None:
    """A render task is held (workers.collector_held): nothing walks what it keeps, and the collector is back after."""
    import gc

    phases: list[str] = []

    def seen(phase: str, _info: dict[str, int]) -> None:
        phases.append(phase)

    frozen, enabled = gc.get_freeze_count(), gc.isenabled()
    gc.callbacks.append(seen)
    try:
        with workers.collector_held():
            kept = [[index] for index in range(50_000)]  # far past the young generation's threshold
            assert not phases and not gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(kept)
        assert gc.isenabled() == enabled
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()


def test_the_workers_render_task_is_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker runs for a chunk of entries renders them inside workers.collector_held."""
    import contextlib

    from deckgen.enrich import Entry
    from deckgen.render import RenderOptions
    from deckgen.sentences import Example
    from deckgen.spoken import Annotated

    held: list[str] = []

    @contextlib.contextmanager
    def holding():  # type: ignore[no-untyped-def]
        held.append("in")
        yield
        held.append("out")

    real = pipeline._rendered_here

    def rendered(*args, **kwargs):  # type: ignore[no-untyped-def]
        held.append("render")
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "collector_held", holding)
    monkeypatch.setattr(pipeline, "_rendered_here", rendered)
    entry = Entry("银行", ("yín", "háng"), (Example("我去", "银行", "。"),), ("a.txt",))
    ((note, _),) = pipeline._render_chunk([entry], Annotated({}), RenderOptions(), None)
    assert held == ["in", "render", "out"] and note.hanzi == "银行"


def test_what_a_build_keeps_is_frozen_during_its_pause_and_unfrozen_after() -> None:
    import gc

    gc.unfreeze()
    kept = [[index] for index in range(1000)]
    workers.settled()
    assert gc.get_freeze_count() == 0  # outside a build's pause: nothing
    with workers.collector_paused():
        workers.settled()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_a_build_leaves_the_programs_own_frozen_objects_alone(tmp_path: Path) -> None:
    import gc

    gc.unfreeze()
    theirs = [[index] for index in range(1000)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        assert frozen >= len(theirs)
        with workers.collector_paused():
            _built([_book(tmp_path, lines=30)], tmp_path, 1)
            workers.settled()
            assert gc.get_freeze_count() == frozen  # not ours to freeze: they would be unfrozen with ours
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_overlapping_pauses_put_the_collector_back_once_the_last_ends() -> None:
    import gc

    before = gc.get_threshold()
    outer = workers.collector_paused()
    inner = workers.collector_paused()
    outer.__enter__()
    inner.__enter__()
    assert gc.get_threshold()[2] > 1_000_000
    outer.__exit__(None, None, None)  # the first to start ends first, as threads may
    assert gc.get_threshold()[2] > 1_000_000
    inner.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_ctrl_c_during_a_build_in_workers_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    """Ctrl-C reaches the build and its workers (one process group): one line, exit 130, no traceback, no leftovers."""
    import os
    import signal
    import subprocess
    import sys
    import time

    lines = [line for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if "(" in line]
    book = tmp_path / "book.txt"
    book.write_text("".join(f"第{n}段。{lines[n % len(lines)]}\n" for n in range(12_000)), encoding="utf-8")
    target = tmp_path / "deck.apkg"
    target.write_bytes(b"the previous deck")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-m", "deckgen", "build", str(book), "--no-library", "--jobs", "2", "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(scratch)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )

    def workers_of(pid: int) -> list[str]:
        return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()

    # The pool's two workers, forked on Linux; spawned ones come with a resource tracker.
    expected = 2 if sys.platform == "linux" else 3
    deadline = time.monotonic() + 60
    while len(workers_of(child.pid)) < expected and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    started = workers_of(child.pid)
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert err.strip() == "deckgen: interrupted; nothing was written over your previous deck"
    assert target.read_bytes() == b"the previous deck"
    assert len(started) >= 2
    assert not _alive(started, within=5.0)
    assert list(scratch.glob("deckgen-*")) == []  # (jieba may leave its own cache there when it builds the index)


@pytest.mark.skipif(sys.platform != "linux", reason="/proc and PR_SET_PDEATHSIG are Linux's")
def test_workers_end_when_the_build_is_killed_outright(tmp_path: Path) -> None:
    """kill -9 (or the OOM killer) gives the build no chance to stop its workers: they must not linger."""
    import os
    import signal
    import subprocess
    import time

    lines = [line for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if "(" in line]
    book = tmp_path / "book.txt"
    book.write_text("".join(f"第{n}段。{lines[n % len(lines)]}\n" for n in range(12_000)), encoding="utf-8")
    argv = [sys.executable, "-m", "deckgen", "build", str(book), "--no-library", "--jobs", "2"]
    child = subprocess.Popen(
        [*argv, "-o", str(tmp_path / "deck.apkg")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    started: list[str] = []
    while len(started) < 2 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        started = subprocess.run(["pgrep", "-P", str(child.pid)], capture_output=True, text=True).stdout.split()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert len(started) >= 2
    assert _alive(started, within=5.0) == []


def test_a_worker_dies_of_sigterm_whatever_handler_the_build_set() -> None:
    """The pool's terminate() must end a worker it gives up on: a forked one does not keep the CLI's SIGTERM handler."""
    import os
    import signal
    import time

    def exit_cleanly(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # what the CLI sets for itself (cli._exit_on_sigterm)

    previous = signal.signal(signal.SIGTERM, exit_cleanly)
    try:
        pool = workers.process_pool(1)
        try:
            pid = pool.submit(os.getpid).result()
            (process,) = pool._processes.values()  # type: ignore[attr-defined]
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            # The pool's own thread may reap the worker first; its exit code then reaches this object a moment later.
            while process.exitcode is None and time.monotonic() < deadline:
                process.join(0.05)
            assert process.exitcode == -signal.SIGTERM
        finally:
            pool.shutdown(wait=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _alive(pids: list[str], within: float) -> list[str]:
    """Those of *pids* still running (not gone, nor a zombie) after up to *within* seconds."""
    import time

    deadline = time.monotonic() + within
    while True:
        running = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z":
                running.append(pid)
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.05)


def test_an_idle_worker_stops_quietly_on_ctrl_c(capfd: pytest.CaptureFixture[str]) -> None:
    """A worker waiting for its next task when Ctrl-C comes exits without printing a traceback."""
    import os
    import signal

    with workers.process_pool(2) as pool:
        pids = {str(future.result()) for future in [pool.submit(os.getpid) for _ in range(50)]}
        for pid in pids:
            os.kill(int(pid), signal.SIGINT)
        assert not _alive(sorted(pids), within=10.0)
    assert "Traceback" not in capfd.readouterr().err


def test_equal_tags_and_sources_are_one_object_and_stay_one_through_pickle(tmp_path: Path) -> None:
    """A book's notes repeat a few dozen tag tuples: each is held (and sent back from a worker) once."""
    import pickle

    result = _built([_book(tmp_path)], tmp_path, 1)
    rendered = list(zip(result.notes, result.exported, strict=True))
    for pairs in (rendered, pickle.loads(pickle.dumps(rendered))):
        tags = {id(note.tags) for note, _ in pairs}
        sources = {id(done.sources) for _, done in pairs}
        assert len(tags) == len({note.tags for note, _ in pairs}) < len(pairs)
        assert len(sources) == len({done.sources for _, done in pairs}) == 1


def test_a_grouper_comes_back_from_a_worker_as_it_was() -> None:
    # A worker's grouper crosses to the parent as plain tuples (Grouper.__getstate__): every entry, example, reading,
    # source, flag and gloss must arrive, in order, and merge as the original would.
    import pickle

    from deckgen.enrich import Grouper
    from deckgen.mine import mine_lines

    text = EXAMPLE.read_text(encoding="utf-8").splitlines()
    grouper = Grouper(3)
    for occurrence in mine_lines(enumerate(text, start=1), "a.txt").occurrences:
        grouper.add(occurrence)
    grouper.add(replace(mine_lines([(1, "沙发(shāfā)很软。")], "b.txt").occurrences[0], gloss="sofa"))
    back = pickle.loads(pickle.dumps(grouper))

    def seen(g: Grouper) -> list[object]:
        return [(e, [x.readings for x in e.examples], e.flags, e.gloss) for e in g.entries()]

    assert len(grouper.entries()) > 15 and any(e.examples[0].readings for e in grouper.entries())
    assert seen(back) == seen(grouper) and back.annotated == grouper.annotated
    assert back.max_examples == 3
    both, again = Grouper(3), Grouper(3)
    both.merge(grouper)
    both.merge(grouper)
    again.merge(back)
    again.merge(pickle.loads(pickle.dumps(back)))
    assert seen(again) == seen(both)


@pytest.mark.parametrize(
    ("codec", "newline"),
    [
        ("utf-8", "\n"),
        ("utf-8", "\r\n"),
        ("utf-8-sig", "\r\n"),
        ("gb18030", "\n"),
        ("utf-8", "mixed"),
        ("utf-16", "\n"),
    ],
)
def test_shares_skip_to_their_lines_in_every_encoding_and_line_ending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, codec: str, newline: str
) -> None:
    # A share starts at its first line's byte offset (counted, not decoded) where the encoding allows, and from the
    # top where it does not (a lone CR among CR LFs, UTF-16): either way its lines, numbers and notices are one pass's.
    book = _book(tmp_path)
    text = book.read_text(encoding="utf-8")
    if newline == "mixed":
        middle = text.index("\n\n", len(text) // 2)
        text = text[:middle].replace("\n", "\r\n") + "\r" + text[middle:].replace("\n", "\r\n")
    else:
        text = text.replace("\n", newline)
    book.write_bytes(text.encode(codec))
    one = _built([book], tmp_path, 1, codec)
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    monkeypatch.setattr(workers, "SHARE_MAX_BYTES", 2048)
    assert len(workers.shares(book, 2)) > 4
    _same(one, _built([book], tmp_path, 2, codec))
    assert one.notes and {n.kind for n in one.notices} >= {"toneless"}


def test_a_file_is_cut_in_as_many_shares_as_a_multiple_of_the_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five shares for two processes would leave one of them idle while the other mines the fifth.
    book = _book(tmp_path)
    size = book.stat().st_size
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    monkeypatch.setattr(workers, "SHARE_MAX_BYTES", size // 5 + 1)  # five shares' worth
    assert [len(workers.shares(book, jobs)) for jobs in (1, 2, 3, 5)] == [1, 6, 6, 5]
    monkeypatch.setattr(workers, "SHARE_MAX_BYTES", size)  # one share's worth: one per process
    assert [len(workers.shares(book, jobs)) for jobs in (2, 3)] == [2, 3]


def test_each_share_knows_where_its_first_line_begins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # shares() finds the byte offset of every share's first line, so no share reads the lines before its own.
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    monkeypatch.setattr(workers, "SHARE_MAX_BYTES", 2048)
    monkeypatch.setattr(workers, "_BLOCK", 1000)  # offsets found across the scan's blocks, CR LF split between two
    book = _book(tmp_path)
    for newline in ("\n", "\r\n"):
        data = book.read_text(encoding="utf-8").replace("\n", newline).encode("utf-8")
        book.write_bytes(data)
        plan = workers.shares(book, 2)
        assert len(plan) > 4
        lines = data.decode("utf-8").split(newline)
        for share in plan:
            assert share is not None and share.offset is not None
            assert data[share.offset :].decode("utf-8").split(newline)[0] == lines[share.lines.start - 1]
    book.write_bytes(data + b"\r")  # a lone CR: counting line feeds is not how an editor numbers lines
    assert all(share is not None and share.offset is None for share in workers.shares(book, 2))


def test_packed_notes_read_back_in_any_order_and_cross_pickle_a_group_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build's notes are compressed in groups (render.pack_notes): each reads back its own values, in any order."""
    import pickle
    import random

    from deckgen import build as pipeline
    from deckgen import render
    from deckgen.render import RenderedNote, pack_notes

    monkeypatch.setattr(pipeline, "pack_notes", lambda notes: None)
    plain = _built([_book(tmp_path)], tmp_path, 1).notes  # as rendered, never packed
    monkeypatch.undo()
    monkeypatch.setattr(render, "PACK_GROUP", 5)
    result = _built([_book(tmp_path)], tmp_path, 1)
    assert all(isinstance(note._packed[0], str) for note in plain)
    assert all(isinstance(note._packed[0], bytes) for note in result.notes)
    assert plain == result.notes and {hash(n) for n in plain} == {hash(n) for n in result.notes}
    order = list(range(len(plain)))
    random.Random(5).shuffle(order)
    assert [result.notes[i].fields for i in order] == [plain[i].fields for i in order]
    sent = pickle.dumps(result.notes)
    assert pickle.loads(sent) == plain
    groups = {id(note._packed[0]) for note in result.notes}
    assert len(groups) == -(-len(plain) // 5) > 1
    # pickle sends each group's bytes once, not once for each of its notes
    assert len(sent) < sum(len(blob) for blob in {note._packed[0] for note in result.notes}) + 200 * len(plain)
    odd = RenderedNote("x", "x", tuple(f"a{chr(30)}b" if i == 2 else "" for i in range(len(plain[0].fields))), ())
    pack_notes([odd])
    assert odd.fields[2] == f"a{chr(30)}b"


def test_a_note_s_guid_is_worked_out_in_the_worker_and_travels_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer reads each note's GUID as the worker computed it (RenderedNote.guid), equal to package.note_guid."""
    import pickle

    from deckgen.package import note_guid

    monkeypatch.setattr(pipeline, "WORKERS_FROM_ENTRIES", 1)  # rendered in the workers
    notes = _built([_book(tmp_path)], tmp_path, 2).notes
    assert all(note._guid == note_guid(note.hanzi, note.pinyin) for note in notes)  # set before the parent saw them
    back = pickle.loads(pickle.dumps(notes))
    assert [note._guid for note in back] == [note.guid for note in notes]


def test_workers_done_mining_warm_up_for_enriching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The task that loads OpenCC, the HSK lists and the reading table goes to the pool after every share,
    # once per process, and a build with it makes the notes a build without it makes.
    from concurrent.futures import Executor, Future

    from deckgen import enrich, minefiles

    class Recorder(Executor):
        def __init__(self) -> None:
            self.tasks: list[object] = []

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.tasks.append(fn)
            done: Future[object] = Future()
            done.set_result(fn(*args, **kwargs))
            return done

    book = _book(tmp_path)
    monkeypatch.setattr(workers, "SHARE_BYTES", 1024)
    recorder = Recorder()
    args = (None, 4, False, None)
    mined = list(minefiles.mine_all([book, EXAMPLE], 2, args, None, lambda: recorder, enrich.warm_up))
    shares = len(workers.shares(book, 2)) + len(workers.shares(EXAMPLE, 2))
    assert recorder.tasks == [minefiles._mine_share] * shares + [enrich.warm_up] * 2
    assert [m.path for m in mined] == [book, EXAMPLE]
    enrich.warm_up()  # again: nothing to do
    many = _built([book], tmp_path, 2)
    monkeypatch.setattr(pipeline, "warm_up", None)  # no warm-up task at all
    _same(_built([book], tmp_path, 2), many)
