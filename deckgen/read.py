"""The read stage: an input file becomes numbered lines of plain text.

Articles reach deckgen in whatever form the annotator had at hand: a UTF-8
note, a GBK file from an old Windows editor, a Big5 page from a Taiwanese
site, a web page saved from the browser with ``<ruby>`` pinyin.  This stage
hides all of that.  Every input becomes :class:`SourceLine` items whose
``line`` still points into the original file, so that a warning three stages
later can say where to look.

Plain text is streamed line by line, so a 100 MB file never sits in memory.
The encoding is judged by :mod:`deckgen.encoding`; web pages are read by
:mod:`deckgen.webpage`, ruby rewritten into the inline form the parser reads:
``汉字(hànzì)``.
"""

from __future__ import annotations

import codecs
import fnmatch
import glob
import io
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .encoding import MARK_ERRORS, UNDECODABLE, inspect, is_html, looks_like_html, read_sample, undecodable
from .errors import InputError, os_error, path_label

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class SourceLine:
    """One line (or, for HTML, one block) of text, with where it came from.

    ``line`` is 1-based and counts lines of the original file; for HTML it is
    the line where the block's text starts.  ``text`` has no line ending.
    """

    line: int
    text: str


@dataclass(frozen=True)
class Text:
    """An article already in memory, with the name it goes by in tags, notices and the library."""

    text: str
    source: str = "<text>"


# Suffixes a directory is searched for.  A file named on the command line is
# read whatever its suffix: the user chose it.
TEXT_SUFFIXES = frozenset({".txt", ".md", ".text", ".html", ".htm"})

# Learner material deckgen.readers reads: word lists, subtitles, e-books.
TEXT_SUFFIXES |= {".tsv", ".csv", ".srt", ".ass", ".ssa", ".vtt", ".epub"}


def expand_inputs(paths: Sequence[Path | Text]) -> list[Path | Text]:
    """Turn the paths a user named into the files to read.

    A directory stands for every ``.txt``, ``.md``, ``.text``, ``.html`` and
    ``.htm`` file below it, in sorted order, so that a deck built twice from
    the same folder lists its sources the same way.  Hidden files and hidden
    directories (``.git``) are skipped.  Files keep the order the user gave;
    a file reached twice (named and inside a named directory, or through a
    symlink) is read once, where it first appears.  A path that does not
    exist but holds ``*``, ``?`` or ``[`` is a glob (``**`` recurses).
    """
    found: list[Path | Text] = []
    seen: set[str | int] = set()
    for path in paths:
        if isinstance(path, Text):
            found.append(path)
            continue
        try:
            mode = path.stat().st_mode
        except OSError as error:
            pattern = str(path)
            if any(ch in pattern for ch in "*?[") and (matches := sorted(_glob(pattern))):
                # A quoted glob (or a shell that passed it on): expand it ourselves.
                for member in expand_inputs([Path(m) for m in matches]):
                    key = os.path.realpath(member) if isinstance(member, Path) else id(member)
                    if key not in seen:
                        seen.add(key)
                        found.append(member)
                continue
            raise os_error(path, error) from error
        if stat.S_ISDIR(mode):
            members = _text_files_under(path)
            if not members:
                suffixes = ", ".join(sorted(TEXT_SUFFIXES))
                raise InputError(f"{path_label(path)}: no {suffixes} files in this directory")
        else:
            members = [path]
        for member in members:
            key = os.path.realpath(member)
            if key not in seen:
                seen.add(key)
                found.append(member)
    return found


def _glob(pattern: str) -> list[str]:
    """``glob.glob(pattern, recursive=True)``, except that ``**`` enters each real folder once.

    glob follows symlinked folders, so two links back to their parent made
    ``articles/**/*.txt`` explore 2**40 paths; here a folder already walked
    for the same part of the pattern is not walked again.
    """
    if "**" not in pattern:
        return glob.glob(pattern)
    absolute = pattern.startswith(os.sep)
    parts = [part for part in pattern.split(os.sep) if part]
    found: list[str] = []
    walked: set[tuple[str, int]] = set()

    def names(folder: str) -> list[str]:
        try:
            return sorted(os.listdir(folder))
        except OSError:
            return []

    def join(base: str, name: str) -> str:
        return os.path.join(base, name) if base else (os.sep + name if absolute else name)

    def walk(base: str, index: int) -> None:
        here = base or (os.sep if absolute else os.curdir)
        if index == len(parts):
            if base and os.path.lexists(base):
                found.append(base)
            return
        part = parts[index]
        if part == "**":
            key = (os.path.realpath(here), index)
            if key in walked:
                return
            walked.add(key)
            walk(base, index + 1)  # no folder at all
            for name in names(here):
                if index == len(parts) - 1 and not name.startswith(".") and not os.path.isdir(os.path.join(here, name)):
                    found.append(join(base, name))  # a final ** names files too
                if not name.startswith(".") and os.path.isdir(os.path.join(here, name)):
                    walk(join(base, name), index)
        elif any(ch in part for ch in "*?["):
            for name in names(here):
                if (part.startswith(".") or not name.startswith(".")) and fnmatch.fnmatchcase(name, part):
                    walk(join(base, name), index + 1)
        else:
            walk(join(base, part), index + 1)

    walk("", 0)
    return list(dict.fromkeys(found))


def _text_files_under(directory: Path) -> list[Path]:
    """The readable-looking files below *directory*, sorted by their path parts."""
    found: list[Path] = []
    for folder, subfolders, names in os.walk(directory):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            member = Path(folder, name)
            if not name.startswith(".") and member.suffix.lower() in TEXT_SUFFIXES and member.is_file():
                found.append(member)
    return sorted(found, key=lambda member: member.relative_to(directory).parts)


def read_lines(
    path: Path, encoding: str | None = None, start: int = 1, offset: int | None = None
) -> Iterator[SourceLine]:
    """Yield the non-blank lines of *path* as plain text, with their line numbers.

    With *start* and *offset*, the byte offset where line *start* begins (one
    share of a large file, :func:`deckgen.workers.shares`), the lines before
    it are not read where the encoding lets a line begin at a byte offset; the
    caller drops any earlier line it is given.

    *encoding* overrides detection (see :func:`detect_encoding`).  Line
    endings (``\\r\\n``, ``\\r``) and a byte order mark are removed; nothing
    else in a line is changed, so ``　`` (U+3000) indents survive.  Blank lines
    are skipped, their numbers kept by the lines that follow.

    A file ending in ``.html``/``.htm``, or starting with ``<!DOCTYPE html``
    or ``<html``, is read as a web page: one line per block of visible text,
    ruby rewritten as ``汉字(hànzì)``.  Anything else is text, even if it
    holds markup, so ``<script>`` in a ``.txt`` note stays literal text.

    Problems found in the first 256 KiB (missing, unreadable, binary, empty,
    an unknown *encoding*) raise :class:`InputError` from this call; a bad
    byte further into a text file raises it during iteration, naming the line.
    """
    sample, complete = read_sample(path)
    codec, head = inspect(path, sample, complete, encoding)
    if complete and not head.lstrip("\ufeff").strip():
        raise InputError(f"{path_label(path)}: the file is empty")
    if is_html(path, sample):
        return iter(_read_html(path, codec))
    return _stream_lines(path, codec, start, offset)


def text_lines(text: Text) -> Iterator[SourceLine]:
    """The non-blank lines of an article in memory, as :func:`read_lines` gives a file's.

    Text that begins like a web page (``<!DOCTYPE html``, ``<html``) is read
    as one; NUL characters are dropped.

    >>> [line.text for line in text_lines(Text("第一行\\n\\n<b>第二行</b>"))]
    ['第一行', '<b>第二行</b>']
    """
    body = text.text.removeprefix("\ufeff").replace("\x00", "")
    if not body.strip():
        raise InputError(f"{text.source}: the text is empty")
    if looks_like_html(body):
        from .webpage import html_lines

        return iter(html_lines(body.replace("\r\n", "\n").replace("\r", "\n")))
    return (SourceLine(number, line) for number, line in enumerate(body.splitlines(), start=1) if line.strip())


def _stream_lines(path: Path, codec: str, start: int = 1, offset: int | None = None) -> Iterator[SourceLine]:
    """Yield the non-blank lines of a text file, decoding as it goes; from *offset* (line *start*) where it can.

    ``newline=None`` turns ``\\r\\n`` and ``\\r`` into ``\\n`` (also across
    buffer boundaries), so line numbers match what an editor shows.
    """
    found = False
    seek = offset if start > 1 and offset and codecs.lookup(codec).name in _SEEKABLE_CODECS else None
    first = start if seek else 1
    number = first - 1
    try:
        with path.open("rb") as raw:
            if seek:
                raw.seek(seek)
            decoding = "utf-8" if seek and codec == "utf-8-sig" else codec  # a U+FEFF after line 1 is text
            handle = io.TextIOWrapper(raw, encoding=decoding, errors=MARK_ERRORS, newline=None)
            for number, raw_line in enumerate(handle, start=first):
                text = raw_line.removesuffix("\n").replace("\0", "")  # a NUL is no text, and no field may hold one
                if number == 1:
                    text = text.removeprefix("\ufeff")
                if UNDECODABLE.search(text):
                    raise InputError(f"{path_label(path)}: line {number} is not valid {codec} text (try --encoding)")
                if text.strip():
                    found = True
                    yield SourceLine(number, text)
            if not found and seek:
                found = _text_before(raw, codec, seek)  # a share of blank lines ends a file that has text
    except OSError as error:
        raise os_error(path, error) from error
    except UnicodeError as error:
        raise InputError(f"{path_label(path)}: line {number + 1} is not valid {codec} text (try --encoding)") from error
    if not found:
        raise InputError(f"{path_label(path)}: the file is empty")


# Codecs in which the bytes of CR and LF only ever stand for themselves and every line starts a character afresh,
# so that decoding can start where a line begins.
_SEEKABLE_CODECS = frozenset(
    {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "cp950", "big5hkscs", "ascii", "iso8859-1", "cp1252"}
)


def _text_before(raw: BinaryIO, codec: str, end: int) -> bool:
    """Whether the file holds any text before byte *end*: decoded from the top, a block at a time, until some."""
    raw.seek(0)
    decoder = codecs.getincrementaldecoder(codec)("ignore")
    read = 0
    while read < end and (block := raw.read(min(1 << 20, end - read))):
        text = decoder.decode(block)
        if (text.removeprefix("\ufeff") if read == 0 else text).replace("\0", "").strip():
            return True
        read += len(block)
    return False


def _read_html(path: Path, codec: str) -> list[SourceLine]:
    """The text blocks of the web page *path*; the whole page is read, as a parser needs."""
    try:
        markup = path.read_bytes().decode(codec, errors=MARK_ERRORS)
    except OSError as error:
        raise os_error(path, error) from error
    except UnicodeError as error:
        raise undecodable(path, codec, error) from error
    markup = markup.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\0", "")
    bad = UNDECODABLE.search(markup)
    if bad is not None:
        line = markup.count("\n", 0, bad.start()) + 1
        raise InputError(f"{path_label(path)}: line {line} is not valid {codec} text (try --encoding)")
    from bs4.builder import ParserRejectedMarkup

    from .webpage import html_lines

    try:
        lines = html_lines(markup)
    except RecursionError as error:
        raise InputError(f"{path_label(path)}: the HTML is nested too deeply to read") from error
    except ParserRejectedMarkup as error:
        reason = " ".join(str(error).split())
        raise InputError(f"{path_label(path)}: cannot parse the HTML ({reason})") from error
    if not lines:
        raise InputError(f"{path_label(path)}: no text found in the HTML page")
    return lines
