"""Readers: one per convention learners keep their material in.

Every reader turns a file into :class:`Article` items, each a stream of
:class:`~deckgen.parse.ParsedLine` (clean text plus located annotations), so
mining, the word library and every output work the same whatever the input.
Most files are one article; an e-book gives one per chapter.

The convention is detected from the content, not only the file name
(:func:`detect`); ``--input-format NAME`` overrides it.  The names:

========== ==============================================================
inline     readings after the words: ``关键(guānjiàn)``, ``<ruby>``, zhuyin,
           ``**中文** (zhōngwén)``, glosses in the brackets
list       word lists: Pleco/TSV/CSV, ``再见 zài jiàn - goodbye``, tables
cedict     CC-CEDICT lines: ``應該 应该 [ying1 gai1] /should be/``
two-line   a pinyin line above (or below) each hanzi line
subtitles  SRT, ASS, WebVTT cues holding a hanzi line and a pinyin line
glued      pinyin glued to its hanzi: ``床chuáng 灯dēng``
epub       e-books with ruby, one article per chapter
========== ==============================================================
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from ..errors import InputError
from ..parse import ParsedLine
from ..read import SourceLine, Text

FORMATS: tuple[str, ...] = ("inline", "list", "cedict", "two-line", "subtitles", "glued", "epub")
# Lines looked at to detect a text file's convention.
SAMPLE_LINES = 200
# Share of a sample's lines a convention must explain to be chosen over inline.
_MIN_SHARE = 0.5


@dataclass(frozen=True)
class Article:
    """One article of an input: its source name (the path, or path/chapter) and its parsed lines."""

    source: str
    lines: Iterator[ParsedLine]


@dataclass(frozen=True)
class Opened:
    """What :func:`read` found: the reader's name and the articles."""

    reader: str
    articles: Iterator[Article]


# Readers that parse each line alone, so a file in their convention can be mined in shares of its lines.
LINE_BY_LINE = frozenset({"inline"})


def read(
    path: Path,
    encoding: str | None = None,
    input_format: str | None = None,
    lines: range | None = None,
    offset: int | None = None,
) -> Opened:
    """Read *path* with the reader of its convention (detected, or *input_format*).

    With *lines*, only the lines numbered in that range are parsed: one share
    of a large file, for several processes (``--jobs``), whose first line
    begins at byte *offset* when that is known.  The convention is
    still detected from the file's first lines.  A file whose reader needs
    more than one line at a time is read whole by the share that starts at
    line 1, and not at all by the others.

    Raises :class:`~deckgen.errors.InputError` for an unknown format and for
    files that cannot be read.
    """
    if input_format is not None and input_format not in FORMATS:
        raise InputError(f"unknown input format {input_format!r}; choose from {', '.join(FORMATS)}")
    from ..errors import require_regular

    require_regular(path)
    name = input_format or _detect_binary(path)
    source = str(path)
    first_share = lines is None or lines.start <= 1
    if name in ("epub", "subtitles") and not first_share:
        return Opened(name, iter(()))
    if name == "epub":
        from . import epub

        return Opened(name, epub.read(path))
    if name == "subtitles":
        from . import subtitles

        return Opened(name, iter([Article(source, subtitles.read(path, encoding))]))
    if name in (None, "list") and path.suffix.lower() in (".html", ".htm"):
        from . import lists

        table = lists.read_html(path, encoding)
        if table is not None:
            return Opened("list", iter([Article(source, table)] if first_share else []))
    from ..read import read_lines

    found = read_lines(path, encoding)
    sample = list(islice(found, SAMPLE_LINES))
    name = name or detect(sample)
    every: Iterator[SourceLine] = chain(sample, found)
    if lines is not None:
        if name not in LINE_BY_LINE:
            lines = range(1, sys.maxsize) if lines.start <= 1 else range(0)
        elif sample and lines.start > sample[-1].line and offset is not None:
            if isinstance(found, Generator):
                found.close()
            every = read_lines(path, encoding, lines.start, offset)  # the share's own lines; those before unread
        every = _share(every, lines)
    return Opened(name, iter([Article(source, _line_reader(name)(every, source))]))


def _share(lines: Iterator[SourceLine], wanted: range) -> Iterator[SourceLine]:
    """The lines numbered in *wanted*, of lines that may start before it (the share that holds a bad byte fails)."""
    for line in lines:
        if line.line >= wanted.stop:
            return
        if line.line >= wanted.start:
            yield line


def read_text(text: Text, input_format: str | None = None) -> Opened:
    """Read an article in memory with the reader of its convention (detected, or *input_format*).

    E-books and subtitle files are read from files only.
    """
    if input_format is not None and input_format not in FORMATS:
        raise InputError(f"unknown input format {input_format!r}; choose from {', '.join(FORMATS)}")
    if input_format in ("epub", "subtitles"):
        raise InputError(f"{text.source}: {input_format} is read from a file, not from text")
    from ..read import text_lines

    lines = text_lines(text)
    sample = list(islice(lines, SAMPLE_LINES))
    name = input_format or detect(sample)
    return Opened(name, iter([Article(text.source, _line_reader(name)(chain(sample, lines), text.source))]))


def _line_reader(name: str) -> Callable[[Iterable[SourceLine], str], Iterator[ParsedLine]]:
    """The function that parses a text file's lines in convention *name*."""
    if name == "list":
        from .lists import read as reader
    elif name == "cedict":
        from .cedict import read as reader
    elif name == "two-line":
        from .twoline import read as reader
    elif name == "glued":
        from .glued import read as reader
    else:
        from .inline import read as reader
    return reader


def detect(sample: list[SourceLine]) -> str:
    """The convention of a text file from its first lines: the one explaining most of them, else inline.

    >>> detect([SourceLine(1, '再见 zài jiàn - goodbye'), SourceLine(2, '好 - hǎo - good')])
    'list'
    >>> detect([SourceLine(1, '他是关键(guānjiàn)。')])
    'inline'
    """
    from . import cedict, glued, lists, twoline

    texts = [line.text for line in sample if line.text.strip()]
    if not texts:
        return "inline"
    scores = {
        "cedict": cedict.share(texts),
        "list": lists.share(texts),
        "two-line": twoline.share(texts),
        "glued": glued.share(texts),
    }
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] >= _MIN_SHARE else "inline"


def _detect_binary(path: Path) -> str | None:
    """``epub`` or ``subtitles`` when the file's first bytes say so, else None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None  # read_lines reports it, with its usual message
    if head.startswith(b"PK\x03\x04") and b"mimetypeapplication/epub+zip" in head[:200]:
        return "epub"
    if path.suffix.lower() == ".epub":
        return "epub"
    from .subtitles import looks_like_subtitles

    return "subtitles" if looks_like_subtitles(path, head) else None
