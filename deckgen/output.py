"""Writing a build's notes: one deck or one per source, TSV/JSON, standard output; then the word library.

Every file is written atomically (:mod:`deckgen.safety`), refusing targets it
must not replace (an input, the word library, a ``--known`` file, a device);
the library records the build only once the output is in place.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import OutputError

if TYPE_CHECKING:  # pragma: no cover
    from .build import BuildResult
    from .render import RenderedNote


def slug(name: str) -> str:
    """A file-name-safe form of a deck name.

    >>> slug('Chinese reading'), slug('中文::新闻 2024')
    ('chinese-reading', '中文-新闻-2024')
    """
    return re.sub(r"[^\w]+", "-", name).strip("-").lower() or "deck"


def default_output(deck: str, fmt: str = "apkg") -> Path:
    """``output/<deck-name-slug>.apkg`` (or ``.tsv``/``.json``)."""
    return Path("output") / f"{slug(deck)}.{fmt}"


def deck_name_for(deck: str, source: Path) -> str:
    """The deck of one source with ``--deck-per-source``: a subdeck named after the file."""
    return f"{deck}::{source.stem}"


def write(result: BuildResult, output: Path, deck: str, fmt: str = "apkg") -> Path:
    """Write the notes of *result* as one deck (or TSV/JSON file), then record the build in the library."""
    path = _write_one(result, result.notes, Path(output), deck, fmt)
    record(result)
    return path


def write_per_source(result: BuildResult, folder: Path, deck: str, fmt: str = "apkg") -> list[Path]:
    """One file and one subdeck per source article (``--deck-per-source``), in *folder*.

    A word met in several articles of the build goes to the first one's deck.
    """
    by_source: dict[str, list[RenderedNote]] = {}
    for entry, note in zip(result.exported, result.notes, strict=True):
        by_source.setdefault(entry.sources[0], []).append(note)
    written: list[Path] = []
    for source, notes in by_source.items():
        name = deck_name_for(deck, Path(source))
        target = Path(folder) / f"{slug(name)}.{fmt}"
        count = 1
        while target in written:  # a/x.txt and b/x.txt: two subdecks, two files
            count += 1
            name = f"{deck_name_for(deck, Path(source))} {count}"
            target = Path(folder) / f"{slug(name)}.{fmt}"
        written.append(_write_one(result, notes, target, name, fmt))
    record(result)
    return written


def record(result: BuildResult) -> None:
    """Record the build's articles in the library and mark its notes exported, in one transaction.

    Called only once the output is in place: a build that writes nothing
    (``--strict`` failure, an output error, nothing new) changes nothing in
    the library, so its words never count as known without reaching Anki.
    """
    if result.library is not None:
        from .library import Library

        with Library.open(result.library) as library:
            library.record_build(result.articles, (entry.key for entry in result.exported), result.built_at)


def text_output(result: BuildResult, fmt: str) -> str:
    """The TSV or JSON text of the notes, for ``-o -`` (standard output)."""
    from .formats import json_text, tsv_text

    if fmt == "tsv":
        return tsv_text(result.notes)
    if fmt == "json":
        return json_text(result.notes)
    raise OutputError("-o - writes to standard output only with --format tsv or json")


def _write_one(result: BuildResult, notes: list[RenderedNote], path: Path, deck: str, fmt: str) -> Path:
    from .safety import refuse_unsafe_target

    refuse_unsafe_target(path, result.protected, "deck" if fmt == "apkg" else f"{fmt.upper()} file")
    if fmt == "tsv":
        from .formats import write_tsv

        return write_tsv(notes, path)
    if fmt == "json":
        from .formats import write_json

        return write_json(notes, path)
    from .package import description_of, write_apkg

    description = description_of(result.files, result.failed)
    return write_apkg(notes, path, deck, description, result.built_at, result.stamps, result.prewritten)
