"""deckgen as a library: mine text or files into a :class:`Deck`, then write it.

Three calls cover the whole job::

    deck = deckgen.mine_text(text, source="a.txt")      # or mine_files(paths)
    deckgen.write_deck(deck, "out.apkg")                 # .tsv and .json too

Every result is a frozen object; every failure is a
:class:`~deckgen.errors.DeckgenError` subclass carrying a one-line message.
No call prints.  The command line is a thin layer over these functions.

The library API is stateless unless asked: ``options.library`` (a path)
makes a build consult and update the word library the way ``deckgen build``
does by default.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, TextIO

from .build import BuildOptions
from .build import BuildOptions as Options
from .errors import DeckgenError, OutputError
from .notices import Notice
from .read import Text
from .readers import FORMATS as INPUT_FORMATS  # the conventions read (Options(input_format=…)); None: detected
from .render import RenderedNote
from .select import Filters

if TYPE_CHECKING:  # pragma: no cover
    from .build import BuildResult
    from .known import KnownWords
    from .library import Library
    from .librows import ArticleRow, WordRow

__all__ = [
    "INPUT_FORMATS",
    "Deck",
    "Filters",
    "Options",
    "WarningsError",
    "default_library",
    "library_growth",
    "library_words",
    "mine_files",
    "mine_text",
    "read_known",
    "write_deck",
    "write_deck_to",
    "write_decks_per_source",
    "write_preview",
    "write_report",
]

Format = Literal["apkg", "tsv", "json"]
FORMATS: tuple[Format, ...] = ("apkg", "tsv", "json")


class WarningsError(DeckgenError):
    """``strict`` was asked for and the build found warnings; nothing was written.

    ``deck`` is what the build found, for a report.
    """

    def __init__(self, deck: Deck) -> None:
        super().__init__(f"{len(deck.notices)} warning(s) and --strict: nothing written")
        self.deck = deck


@dataclass(frozen=True)
class Deck:
    """What mining found: notes ready to write, and what the learner should hear about.

    ``notes`` are rendered (fields in the note type's order, see
    :data:`deckgen.render.FIELDS`; ``note.field("Meaning")``); ``left_out``
    lists spans that are probably not words; ``readers`` names the reader
    that read each input; ``failed`` the inputs that could not be read (each
    also has a notice).
    """

    name: str
    notes: tuple[RenderedNote, ...]
    notices: tuple[Notice, ...]
    sources: tuple[str, ...]
    failed: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    readers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    annotations: int = 0  # found in the inputs
    skipped: int = 0  # annotations that could not be used (each has a notice)
    new: int = 0  # exported words the word library did not know from other articles
    known: int = 0  # words the library already had from other articles, not exported again
    filtered: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # reason -> words left out
    library: Path | None = None
    result: BuildResult | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, result: BuildResult, name: str) -> Deck:
        """The frozen view of one build's result."""
        return cls(
            name,
            tuple(result.notes),
            tuple(result.notices),
            tuple(map(str, result.files)),
            tuple(map(str, result.failed)),
            tuple(result.left_out),
            MappingProxyType(dict(result.readers)),
            result.annotations,
            result.skipped,
            result.new,
            result.known,
            MappingProxyType(dict(result.filtered.most_common())),
            result.library,
            result,
        )

    @property
    def flagged(self) -> tuple[RenderedNote, ...]:
        """Notes tagged ``deckgen::check``: a reading or a word worth a second look."""
        return tuple(note for note in self.notes if "deckgen::check" in note.tags)


def mine_text(text: str, source: str = "text", options: BuildOptions | None = None) -> Deck:
    """Mine one article held in memory; *source* names it in tags and notices.

    The convention (inline pinyin, a word list, two-line text …) is detected
    from the text unless ``options.input_format`` names it.
    """
    return mine_files([Text(text, source)], options)


def mine_files(
    inputs: Iterable[str | os.PathLike[str] | Text],
    options: BuildOptions | None = None,
    progress: Callable[[Path, int, int], None] | None = None,
    strict: bool = False,
) -> Deck:
    """Mine files, folders and quoted globs (and :class:`~deckgen.read.Text` articles) into one deck.

    A file that cannot be read is reported in ``deck.notices`` and
    ``deck.failed`` when others remain; if every input fails, the first error
    is raised.  With *strict*, any warning raises :class:`WarningsError`.
    *progress* is called before each file with (path, index, count).
    """
    from .build import build

    options = options or BuildOptions()  # stateless: no word library unless options name one
    items = [item if isinstance(item, Text) else Path(item) for item in inputs]
    deck = Deck.of(build(items, options, progress), options.deck)
    if strict and deck.notices:
        raise WarningsError(deck)
    return deck


def format_of(path: str | os.PathLike[str], fmt: Format | None = None) -> Format:
    """*fmt*, or the format a file name asks for: ``.tsv``, ``.json``, else ``apkg``."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise OutputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in ("tsv", "json") else "apkg"  # type: ignore[return-value]


def target_of(output: str | os.PathLike[str] | None, deck_name: str, fmt: Format) -> Path:
    """Where one deck goes: *output*; inside it under the default name if it is a folder; else ``output/``."""
    from .output import default_output

    if output is None:
        return default_output(deck_name, fmt)
    path = Path(output)
    return path / default_output(deck_name, fmt).name if path.is_dir() else path


def write_deck(deck: Deck, output: str | os.PathLike[str] | None = None, fmt: Format | None = None) -> Path | None:
    """Write *deck* as one file (apkg, tsv or json) and return its path; None when there is nothing to write.

    The write is atomic: a file already at the target stays whole until the
    new one replaces it.  With a word library, the words are then marked
    exported.
    """
    from .output import write

    result = _result(deck)
    fmt = format_of(output or "", fmt)
    if not deck.notes:
        return None
    return write(result, target_of(output, deck.name, fmt), deck.name, fmt)


def write_deck_to(deck: Deck, stream: TextIO, fmt: Format) -> bool:
    """Write *deck* as TSV or JSON text to *stream* (``-o -``), then record it in the word library.

    Returns False, writing nothing, when the deck has no notes.
    """
    from .output import record, text_output

    result = _result(deck)
    if not deck.notes:
        return False
    stream.write(text_output(result, format_of("", fmt)))
    stream.flush()
    record(result)
    return True


def write_decks_per_source(
    deck: Deck, folder: str | os.PathLike[str] | None = None, fmt: Format = "apkg"
) -> list[Path]:
    """One file and one subdeck per source article (``--deck-per-source``), in *folder* (default ``output/``)."""
    from .output import write_per_source

    result = _result(deck)
    if not deck.notes:
        return []
    return write_per_source(result, Path(folder or "output"), deck.name, format_of("", fmt))


def _result(deck: Deck) -> BuildResult:
    """The build behind *deck*, which writing needs (a Deck made by hand has none)."""
    if deck.result is None:
        raise OutputError("this deck holds no build result to write")
    return deck.result


def write_report(deck: Deck, path: str | os.PathLike[str], written: Path | None = None) -> Path:
    """Write every notice and note of *deck* as JSON (``--report``); *written* names the deck file, if any."""
    from .report import write_report as write
    from .safety import refuse_unsafe_target

    if deck.result is not None:
        refuse_unsafe_target(Path(path), deck.result.protected, "report")
    return write(deck, Path(path), written)


def write_preview(deck: Deck, path: str | os.PathLike[str]) -> Path:
    """Write one self-contained HTML page showing every card of *deck*, front and back."""
    from .preview import write_preview as write
    from .safety import refuse_unsafe_target

    if deck.result is not None:
        refuse_unsafe_target(Path(path), deck.result.protected, "preview")
    return write(deck.notes, Path(path), deck.name)


def read_known(paths: Iterable[str | os.PathLike[str]]) -> KnownWords:
    """The words of known-word files (lists, CSV/TSV, ``.apkg``, ``collection.anki2``), for ``Filters(known=…)``."""
    from .known import read_known as read

    return read([Path(p) for p in paths])


def default_library() -> Path:
    """The user's word library: ``$DECKGEN_LIBRARY``, else a file in the platform's user data folder."""
    from .library import default_path

    return default_path()


def library_words(path: str | os.PathLike[str] | None = None) -> list[WordRow]:
    """Every word of the word library (default: the user's) with its counts, in the order first met.

    The library is opened read-only (it may sit in a read-only folder); none yet means no words.
    """
    with _listing(path) as library:
        return library.words() if library else []


def library_growth(path: str | os.PathLike[str] | None = None) -> list[ArticleRow]:
    """The word library's growth, article by article (read-only, as :func:`library_words`)."""
    with _listing(path) as library:
        return library.growth() if library else []


@contextmanager
def _listing(path: str | os.PathLike[str] | None) -> Iterator[Library | None]:
    """The word library at *path* (default: the user's) opened read-only, or None when there is none yet."""
    from .library import Library, default_path

    library_path = Path(path) if path else default_path()
    if not library_path.exists():
        yield None
        return
    with Library.open_read_only(library_path) as library:
        yield library
