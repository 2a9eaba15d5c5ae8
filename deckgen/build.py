"""The whole pipeline for ``deckgen build``: files in, deck out.

read → mine (parse, align, boundaries, sentences) → group/enrich → render →
package.  The CLI calls :func:`build` and then :func:`write`; both return
values and raise :class:`~deckgen.errors.DeckgenError`, never print.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .enrich import Entry, enrich, group
from .errors import DeckgenError, InputError, NoAnnotationsError
from .mine import MineStats, Occurrence, mine_lines
from .notices import Notice
from .pinyin import join_syllables
from .render import DEFAULT_CARDS, RenderedNote, RenderOptions, render
from .select import Filters, skip_reason
from .sentences import Example

DEFAULT_DECK = "Chinese reading"
SUPPORTED_STYLES = "汉字(hànzì), 汉字（han4 zi4）, 汉字[hànzì], 漢字|汉字[han4 zi4], <ruby>汉字<rt>hànzì</rt></ruby>"


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
    examples: int = 4


@dataclass
class BuildResult:
    """What a build found: the exported entries and notes, notices and counts."""

    entries: list[Entry]
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

    @property
    def flagged(self) -> list[RenderedNote]:
        """Notes tagged ``deckgen::check``, for the summary."""
        return [n for n in self.notes if "deckgen::check" in n.tags]


def slug(name: str) -> str:
    """A file-name-safe form of a deck name.

    >>> slug('Chinese reading'), slug('中文::新闻 2024')
    ('chinese-reading', '中文-新闻-2024')
    """
    return re.sub(r"[^\w]+", "-", name).strip("-").lower() or "deck"


def default_output(deck: str, fmt: str = "apkg") -> Path:
    """``output/<deck-name-slug>.apkg`` (or ``.tsv``/``.json``)."""
    return Path("output") / f"{slug(deck)}.{fmt}"


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


def mine_file(path: Path, encoding: str | None, notices: list[Notice], stats: MineStats) -> list[Occurrence]:
    """All occurrences in one file; raises InputError if it cannot be read or has no annotations."""
    from .read import read_lines

    before = stats.annotations
    lines = ((source.line, source.text) for source in read_lines(path, encoding))
    occurrences = list(mine_lines(lines, str(path), notices, stats))
    if stats.annotations == before:
        raise NoAnnotationsError(f"{path}: no pinyin annotations found (supported styles: {SUPPORTED_STYLES})")
    return occurrences


def build(
    inputs: Sequence[Path],
    options: BuildOptions = BuildOptions(),
    progress: Callable[[Path, int, int], None] | None = None,
) -> BuildResult:
    """Mine every input into rendered notes.

    A file that cannot be read is reported and skipped when other files
    remain; if every file fails, the first error is raised.  *progress* is
    called before each file with (path, index, count).
    """
    from .package import build_timestamp
    from .read import expand_inputs

    built_at = build_timestamp()
    files = expand_inputs(list(inputs))
    notices: list[Notice] = []
    stats = MineStats()
    per_file: list[tuple[Path, list[Occurrence]]] = []
    failed: list[Path] = []
    first_error: DeckgenError | None = None
    for index, path in enumerate(files):
        if progress:
            progress(path, index, len(files))
        try:
            per_file.append((path, mine_file(path, options.encoding, notices, stats)))
        except InputError as exc:
            failed.append(path)
            first_error = first_error or exc
            notices.append(Notice(str(path), 0, "file", str(exc)))
    if not per_file:
        raise first_error or InputError("no input files")
    entries = group(o for _, found in per_file for o in found)
    filtered: Counter[str] = Counter()
    kept = []
    for entry in entries:
        reason = skip_reason(entry, options.filters) if options.filters.active else ""
        if reason:
            filtered[reason] += 1
        else:
            kept.append(entry)
    known: set[tuple[str, str]] = set()
    stamps: dict[tuple[str, str], float] = {}
    if options.library is not None:
        kept, known, stamps = _consult_library(options, per_file, kept, built_at)
    render_options = RenderOptions(cards=options.cards, tts=options.tts)
    enriched = [enrich(entry) for entry in kept]
    notes = [render(entry, render_options) for entry in enriched]
    return BuildResult(
        enriched,
        notes,
        _dedupe(notices),
        files,
        failed,
        stats.annotations,
        stats.skipped,
        new=sum(1 for entry in kept if entry.key not in known),
        known=len(known),
        filtered=filtered,
        stamps=stamps,
        library=options.library,
        built_at=built_at,
    )


def _consult_library(
    options: BuildOptions, per_file: list[tuple[Path, list[Occurrence]]], kept: list[Entry], built_at: float
) -> tuple[list[Entry], set[tuple[str, str]], dict[tuple[str, str], float]]:
    """Record the articles, drop words known from other articles, gather their sentences.

    Words already exported keep their first export time as their note's
    modification time (unless ``update_existing``), so importing the deck
    never overwrites a note the learner may have edited.
    """
    from .library import Library, Sighting

    assert options.library is not None
    with Library.open(options.library) as library:
        sentences = {entry.key: {example.text for example in entry.examples} for entry in kept}
        known = library.known_elsewhere(sentences)
        chosen = kept if options.export_all else [entry for entry in kept if entry.key not in known]
        exported = library.exported_at(entry.key for entry in chosen)
        for path, found in per_file:
            sightings = [
                Sighting(o.word, join_syllables(o.syllables), o.example.before, o.example.word, o.example.after, o.line)
                for o in found
            ]
            library.record_article(str(path), sightings, built_at)
        gathered = []
        for entry in chosen:
            examples = list(entry.examples)
            texts = {example.text for example in examples}
            for extra in library.examples(entry.key, options.examples):
                if len(examples) >= options.examples:
                    break
                text = extra.before + extra.word + extra.after
                if text not in texts:
                    texts.add(text)
                    examples.append(Example(extra.before, extra.word, extra.after))
            gathered.append(replace(entry, examples=tuple(examples[: options.examples])))
    stamps = {} if options.update_existing else {(e.hanzi, e.pinyin): t for e in chosen if (t := exported.get(e.key))}
    return gathered, known, stamps


def deck_name_for(deck: str, source: Path) -> str:
    """The deck of one source with ``--deck-per-source``: a subdeck named after the file."""
    return f"{deck}::{source.stem}"


def write(result: BuildResult, output: Path, deck: str, fmt: str = "apkg") -> Path:
    """Write the notes of *result* as one deck (or TSV/JSON file), then mark them exported."""
    path = _write_one(result, result.notes, Path(output), deck, fmt)
    _mark_exported(result)
    return path


def write_per_source(result: BuildResult, folder: Path, deck: str, fmt: str = "apkg") -> list[Path]:
    """One file and one subdeck per source article (``--deck-per-source``), in *folder*.

    A word met in several articles of the build goes to the first one's deck.
    """
    by_source: dict[str, list[RenderedNote]] = {}
    for entry, note in zip(result.entries, result.notes, strict=True):
        by_source.setdefault(entry.sources[0], []).append(note)
    written = []
    for source, notes in by_source.items():
        name = deck_name_for(deck, Path(source))
        written.append(_write_one(result, notes, Path(folder) / f"{slug(name)}.{fmt}", name, fmt))
    _mark_exported(result)
    return written


def _mark_exported(result: BuildResult) -> None:
    if result.library is not None:
        from .library import Library

        with Library.open(result.library) as library:
            library.mark_exported((entry.key for entry in result.entries), result.built_at)


def _write_one(result: BuildResult, notes: list[RenderedNote], path: Path, deck: str, fmt: str) -> Path:
    if fmt == "tsv":
        from .formats import write_tsv

        return write_tsv(notes, path)
    if fmt == "json":
        from .formats import write_json

        return write_json(notes, path)
    from .dictionary import attribution
    from .package import write_apkg

    sources = ", ".join(p.name for p in result.files if p not in result.failed)
    description = f"Built by deckgen from: {html.escape(sources)}<br>{html.escape(attribution())}"
    return write_apkg(notes, path, deck, description, result.built_at, result.stamps)
