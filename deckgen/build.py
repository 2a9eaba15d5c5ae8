"""The whole pipeline for ``deckgen build``: files in, rendered notes out (:mod:`deckgen.output` writes them).

read → mine (parse, align, boundaries, sentences) → group/enrich → select →
render.  :mod:`deckgen.api` calls :func:`build`, then :mod:`deckgen.output`
writes the notes; both return values and raise
:class:`~deckgen.errors.DeckgenError`, never print.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import workers
from .enrich import MAX_EXAMPLES, Entry, Grouper, enrich, prepare, warm_up
from .errors import DeckgenError, InputError
from .minefiles import input_name, mine_all
from .notices import Notice
from .read import Text
from .render import DEFAULT_CARDS, RenderedNote, RenderOptions, pack_notes, render, shared
from .select import Filters, apply_filters, consult_library

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Executor

    from .librows import Sighting
    from .package import Prewritten
    from .spoken import Annotated

DEFAULT_DECK = "Chinese reading"


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked for.

    ``library`` is the word library's path (None: a stateless build);
    ``export_all`` re-exports words the library already knows;
    ``update_existing`` stamps re-exported notes with the build time, so Anki
    overwrites its copies (and the learner's edits) with them.
    """

    deck: str = DEFAULT_DECK
    encoding: str | None = None
    cards: tuple[str, ...] = DEFAULT_CARDS
    tts: bool = True
    library: Path | None = None
    export_all: bool = False
    update_existing: bool = False
    filters: Filters = field(default_factory=Filters)
    examples: int = MAX_EXAMPLES
    # Processes; 0: one per CPU (up to four) for inputs of a megabyte or more, else one.  The CLI asks for 0;
    # the library API defaults to one, since spawned workers (workers.start_method) re-import a caller's unguarded
    # main script.
    jobs: int = 1
    keep_unsure: bool = False  # export spans that are probably not words, tagged deckgen::check
    input_format: str | None = None  # a reader of deckgen.readers; None: detected per file
    # Fill the .apkg's collection (for the deck named above) while the notes are rendered, so writing the deck
    # then only zips it: the CLI asks for it when it writes one .apkg.  See deckgen.package.Prewritten.
    apkg_as_rendered: bool = False


@dataclass(frozen=True)
class Exported:
    """What is kept of an exported entry once its note is rendered."""

    key: tuple[str, str]
    sources: tuple[str, ...]


@dataclass
class BuildResult:
    """What a build found: the exported notes, notices and counts."""

    exported: list[Exported]
    notes: list[RenderedNote]
    notices: list[Notice]
    files: list[Path]
    failed: list[Path] = field(default_factory=list)
    annotations: int = 0
    skipped: int = 0
    new: int = 0  # exported words the library did not know from other articles
    known: int = 0  # words the library already had from other articles
    filtered: Counter[str] = field(default_factory=Counter)  # reason -> words left out by filters
    stamps: dict[tuple[str, str], float] = field(default_factory=dict)  # older mtimes, by (hanzi, pinyin)
    library: Path | None = None
    built_at: float = 0.0
    left_out: list[str] = field(default_factory=list)  # spans that are probably not words, not exported
    readers: dict[str, str] = field(default_factory=dict)  # file -> the reader that read it
    # What the library will record once the output is written: sightings by article.
    articles: dict[str, list[Sighting]] = field(default_factory=dict)
    # Files the build reads (inputs, the library, --known files): no output may be written over them.
    protected: tuple[Path, ...] = ()
    prewritten: Prewritten | None = None  # the deck's collection, filled as the notes were rendered

    @property
    def flagged(self) -> list[RenderedNote]:
        """Notes tagged ``deckgen::check``, for the summary."""
        return [n for n in self.notes if "deckgen::check" in n.tags]


def _dedupe(notices: list[Notice]) -> list[Notice]:
    """One notice per (file, kind, message): an article pasted twice warns once."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for notice in notices:
        key = (notice.path, notice.kind, notice.message)
        if key not in seen:
            seen.add(key)
            out.append(notice)
    return out


_Rendered = tuple[RenderedNote, "Exported"]


def _render_chunk(entries: list[Entry], words: object, options: RenderOptions, table: Path | None) -> list[_Rendered]:
    """:func:`_rendered_here` in a worker; *words*: the annotated words, as sent by :func:`workers.shipped`;
    *table*: the folder of the reading table the build prepared (:mod:`deckgen.readingtable`), if any."""
    from . import readingtable
    from .spoken import Annotated

    readingtable.use(table)
    annotated = workers.received(words)
    if not isinstance(annotated, Annotated):
        raise TypeError(f"not the annotated words: {type(annotated).__name__}")
    with workers.collector_held():
        return _rendered_here(entries, annotated, options)


def _rendered_here(entries: list[Entry], annotated: Annotated, options: RenderOptions) -> list[_Rendered]:
    """Enrich and render a chunk of *entries*, emptying it: the notes, packed together, and what the library needs."""
    prepare(entries, annotated)
    entries.reverse()
    done = []
    while entries:  # each entry is dropped once its note is made
        entry = enrich(entries.pop(), annotated)
        note = render(entry, options)
        _ = note.guid  # worked out here, where the work is shared among the workers
        done.append((note, Exported(entry.key, shared(entry.sources))))
    pack_notes([note for note, _ in done])
    return done


# Builds of this many entries or more enrich them in the workers, this many per task, with this many
# tasks waiting per worker: what is in flight stays small.
WORKERS_FROM_ENTRIES = 2000
CHUNK_ENTRIES = 500
CHUNKS_AHEAD = 4  # with 2, a worker sometimes sat idle behind a slower chunk (2 MB build: 0.96x the time with 4)


def _rendered(
    entries: list[Entry],
    jobs: int,
    annotated: Annotated,
    options: RenderOptions,
    pool: Callable[[], Executor],
) -> Iterator[_Rendered]:
    """Enrich and render every entry, in order, emptying *entries* as it goes.

    Each entry is dropped once it is enriched and rendered, so the entries
    still to do and the (compressed) notes done never both hold the whole
    build.  With several jobs and many entries, the workers that mined the
    files enrich and render chunks of entries, a few chunks ahead of the
    notes handed back.
    """
    from . import readingtable

    entries.reverse()
    # Every dictionary word's reading, worked out once for the first large build, then read from the cache.
    large = len(entries) >= WORKERS_FROM_ENTRIES
    table = readingtable.prepared(large, pool() if large and jobs > 1 else None, jobs)
    if jobs > 1 and large:
        size = max(1, min(CHUNK_ENTRIES, -(-len(entries) // (jobs * 4))))
        with workers.shipped(annotated) as words:
            chunks = _popped(entries, size)
            args = (words, options, table)
            for done in workers.mapped_in_order(pool(), _render_chunk, chunks, args, jobs * CHUNKS_AHEAD):
                workers.settled()  # the notes are kept to the end
                yield from done
        return
    for chunk in _popped(entries, CHUNK_ENTRIES):
        done = _rendered_here(chunk, annotated, options)
        workers.settled()  # the notes, and the memo tables' new rows, are kept to the end
        yield from done


def _popped(backwards: list[Entry], size: int) -> Iterator[list[Entry]]:
    """Chunks of *size* entries taken off the end of *backwards* (entries in reverse order), as they are asked for."""
    while backwards:
        yield [backwards.pop() for _ in range(min(size, len(backwards)))]


def build(
    inputs: Sequence[Path | Text],
    options: BuildOptions = BuildOptions(),
    progress: Callable[[Path, int, int], None] | None = None,
) -> BuildResult:
    """Mine every input into rendered notes.

    A file that cannot be read is reported and skipped when other files
    remain; if every file fails, the first error is raised.  *progress* is
    called before each file with (path, index, count).  The library is only
    read here: :func:`write` records the articles once the output is in place.
    """
    from .package import build_timestamp
    from .read import expand_inputs

    built_at = build_timestamp()
    pool_stack = ExitStack()  # one pool of processes, made on first use, for mining and for enriching
    made: list[Executor] = []

    def pool() -> Executor:
        if not made:
            made.append(workers.process_pool(options.jobs))
            # On an error (Ctrl-C among them) the tasks not started yet are dropped, not waited for.
            pool_stack.push(lambda failed, _error, _trace: made[0].shutdown(cancel_futures=failed is not None))
        return made[0]

    with workers.collector_paused(), pool_stack:
        files = expand_inputs(list(inputs))
        if options.jobs < 1:
            options = replace(options, jobs=workers.auto_jobs(files))
            if options.jobs > 1:
                try:
                    pool()
                except (OSError, ImportError, NotImplementedError):  # no semaphores here (/dev/shm): one process
                    options = replace(options, jobs=1)
        return _build(files, options, progress, pool, built_at)


def _build(
    inputs: list[Path | Text],
    options: BuildOptions,
    progress: Callable[[Path, int, int], None] | None,
    pool: Callable[[], Executor],
    built_at: float,
) -> BuildResult:
    """:func:`build` once the inputs are known and the pool of processes is at hand."""
    files = [input_name(item) for item in inputs]
    notices: list[Notice] = []
    annotations = skipped = 0
    grouper = Grouper(options.examples)
    failed: list[Path] = []
    readers: dict[str, str] = {}
    first_error: DeckgenError | None = None
    articles: dict[str, list[Sighting]] = {}
    with ExitStack() as stack:
        library = None
        if options.library is not None:
            from .library import Library

            library = stack.enter_context(Library.open(options.library))
        args = (options.encoding, options.examples, options.library is not None, options.input_format)
        # Workers done mining load what enriching reads (OpenCC, HSK, the reading table) while the others finish.
        for mined in mine_all(inputs, options.jobs, args, progress, pool, warm_up):
            if mined.reader:
                readers[str(mined.path)] = mined.reader
            if mined.error is not None:
                failed.append(mined.path)
                first_error = first_error or mined.error
                notices.append(Notice(str(mined.path), 0, "file", str(mined.error)))
                continue
            notices.extend(mined.notices)
            annotations += mined.annotations
            skipped += mined.skipped
            grouper.merge(mined.grouper)
            workers.settled()  # what the file added is kept to the end
            for source, sightings in mined.articles.items():
                articles.setdefault(source, []).extend(sightings)
            # The file's words are the build's grouper's now.  Kept here, the last file's would hold every example
            # until the build returns (then freed all at once: 0.17 s at 20 MB), not only until its entry is rendered.
            del mined
        if len(failed) == len(files):
            raise first_error or InputError("no input files")
        from .spoken import Annotated

        entries = grouper.entries()
        annotated = Annotated(grouper.annotated)  # indexed once for every sentence's pinyin
        del grouper  # its per-word sentence sets are not needed any more
        left_out = [] if options.keep_unsure else [e.hanzi for e in entries if "unsure" in e.flags]
        if left_out:
            entries = [entry for entry in entries if "unsure" not in entry.flags]
        kept, filtered = apply_filters(entries, options.filters)
        known: set[tuple[str, str]] = set()
        stamps: dict[tuple[str, str], float] = {}
        if library is not None:
            kept, known, stamps = consult_library(
                library, kept, options.examples, export_all=options.export_all, keep_stamps=not options.update_existing
            )
    render_options = RenderOptions(cards=options.cards, tts=options.tts)
    # An entry's key normalises its pinyin (2.5 µs): 0.1 s at 20 MB, waited for by the workers, with no library to ask.
    new = sum(1 for entry in kept if entry.key not in known) if known else len(kept)
    del entries  # kept holds what is still needed, and gives each entry up as it is enriched
    prewritten = None
    if options.apkg_as_rendered:
        from .package import Prewritten, description_of

        prewritten = Prewritten(options.deck, description_of(files, failed), built_at, stamps)
    notes, exported = [], []
    try:
        for note, done in _rendered(kept, options.jobs, annotated, render_options, pool):
            notes.append(note)
            exported.append(done)
            if prewritten is not None:
                prewritten.add(note)
    except BaseException:
        if prewritten is not None:
            prewritten.discard()
        raise
    return BuildResult(
        exported,
        notes,
        _dedupe(notices),
        files,
        failed,
        annotations,
        skipped,
        new=new,
        known=len(known),
        filtered=filtered,
        stamps=stamps,
        library=options.library,
        built_at=built_at,
        left_out=left_out,
        readers=readers,
        articles=articles,
        protected=(
            *files,
            *([options.library] if options.library is not None else []),
            *(Path(p) for p in (options.filters.known.sources if options.filters.known is not None else ())),
        ),
        prewritten=prewritten,
    )
