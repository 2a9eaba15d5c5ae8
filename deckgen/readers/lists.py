"""Word lists: a word, its pinyin in a column, and the learner's gloss.

The shapes learners keep (each line one word, no sentence):

- Pleco flashcard exports and other tab- or comma-separated files,
  ``再见⇥zai4jian4⇥goodbye``, with ``//Lesson 1`` category lines;
- ``再见 zài jiàn - goodbye``, ``好 - hǎo - good``, ``要 yào mod. to want to``;
- Markdown tables and HTML tables with a Pinyin column.

Readings may carry tone marks or tone numbers, spaced or run together; the
first tone-marked reading with one syllable per character of the word is the
word's.  Two heads (``應該 应该``, ``再見[再见]``) give the simplified form for
the card and the traditional one beside it.  What is left of the line is
the gloss.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..align import HANZI, is_hanzi
from ..notices import Notice
from ..parse import ParsedLine
from ..pinyin import parse_reading
from ..read import SourceLine
from ..webpage import self_closed
from .common import Known, compose

NAME = "list"
_HEAD = re.compile(f"^([{HANZI}]+)(?:\\[([{HANZI}]+)\\])?$")
_COMMENT = ("//", "#")
_SPLIT_DASH = re.compile(r"\s+[-–—]\s+")
_LEADING_SEP = re.compile(r"^[\s\-–—:：=,，;；|/]+")
_CSV_START = re.compile(f'^\\s*"?[{HANZI}]+"?\\s*,')
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_PINYIN_HEADERS = frozenset({"pinyin", "拼音", "reading", "pronunciation", "读音"})
_TRADITIONAL_HEADERS = frozenset({"traditional", "繁体", "繁體", "trad"})


def read(lines: Iterable[SourceLine], path: str) -> Iterator[ParsedLine]:
    """One listed line per entry; lines that are not entries are skipped (headers, categories) or reported."""
    header: list[str] | None = None
    for source in lines:
        text = source.text.strip()
        if not text or text.startswith(_COMMENT) or _TABLE_RULE.match(text):
            continue
        cells = split_cells(text)
        if cells is not None and len(cells) > 1 and _pinyin_column(cells) is not None and not _has_row(cells):
            header = cells
            continue
        row = parse_row(text, header)
        if row is None:
            if any(map(is_hanzi, text)):
                notice = Notice(path, source.line, "unaligned", f"{text[:40]}: no word with its pinyin found; skipped")
                yield ParsedLine(source.line, "", (), (notice,), True)
            continue
        yield row_line(row, source.line, path)


def row_line(row: Known, line: int, path: str) -> ParsedLine:
    """The listed line of one entry: the word alone, annotated, with its gloss."""
    return compose([row], line, path, listed=True)


def share(texts: Sequence[str]) -> float:
    """The share of *texts* (comments and table rules aside) that are list entries."""
    counted = [t for t in texts if not t.strip().startswith(_COMMENT) and not _TABLE_RULE.match(t)]
    if not counted:
        return 0.0
    return sum(1 for t in counted if parse_row(t) is not None) / len(counted)


def split_cells(text: str) -> list[str] | None:
    """The cells of a tab-separated, Markdown-table or CSV line; None for a free-form line."""
    stripped = text.strip()
    if "\t" in stripped:
        return [cell.strip() for cell in stripped.split("\t")]
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        return [cell.strip() for cell in stripped[1:-1].split("|")]
    if _CSV_START.match(stripped) or stripped.lower().startswith(("hanzi,", "chinese,", "word,", "simplified,")):
        return [cell.strip() for cell in next(csv.reader([stripped]))]
    return None


def parse_row(text: str, header: Sequence[str] | None = None) -> Known | None:
    """The entry a list line holds, or None.

    >>> parse_row('再见 zài jiàn - goodbye')
    Known(base='再见', syllables=('zài', 'jiàn'), gloss='goodbye', traditional='', raw='')
    >>> parse_row('好 - hǎo - good'), parse_row('要 yào mod. to want to').gloss
    (Known(base='好', syllables=('hǎo',), gloss='good', traditional='', raw=''), 'mod. to want to')
    >>> parse_row('再見[再见]\\tzai4jian4\\tgoodbye').traditional, parse_row('他是关键(guānjiàn)。')
    ('再見', None)
    """
    cells = split_cells(text)
    if cells is None:
        cells = [cell.strip() for cell in _SPLIT_DASH.split(text.strip())]
    cells = [_clean_cell(cell) for cell in cells]
    if header is not None and len(header) == len(cells):
        return _row_by_header(cells, header)
    for index, cell in enumerate(cells):
        tokens = cell.split()
        heads: list[str] = []
        while tokens and len(heads) < 2 and _HEAD.match(tokens[0]):
            heads.append(tokens.pop(0))
        if not heads:
            if any(map(is_hanzi, cell)):
                return None  # hanzi in a cell before any head: not a list line
            continue
        word, traditional = _forms(heads)
        found = _take_reading(tokens, len(word))
        rest = cells[index + 1 :]
        if found is not None:
            syllables, tokens = found
        else:
            reading_at = next((i for i, c in enumerate(rest) if _reading_of(c, len(word)) is not None), None)
            if reading_at is None:
                return None
            syllables = _reading_of(rest[reading_at], len(word))  # type: ignore[assignment]
            rest = rest[:reading_at] + rest[reading_at + 1 :]
        gloss_parts = [" ".join(tokens), *cells[:index], *rest]
        return Known(word, syllables, _gloss(gloss_parts), traditional)
    return None


def _row_by_header(cells: Sequence[str], header: Sequence[str]) -> Known | None:
    """A table row read by its column names."""
    pinyin_at = _pinyin_column(header)
    names = [name.strip().lower() for name in header]
    word_at = next(
        (i for i, cell in enumerate(cells) if i != pinyin_at and _HEAD.match(cell.split()[0] if cell else "")), None
    )
    if pinyin_at is None or word_at is None:
        return None
    heads = [cells[word_at].split()[0]]
    trad_at = next((i for i, name in enumerate(names) if name in _TRADITIONAL_HEADERS and i != word_at), None)
    if trad_at is not None and _HEAD.match(cells[trad_at]):
        heads.append(cells[trad_at])
    word, traditional = _forms(heads)
    syllables = _reading_of(cells[pinyin_at], len(word))
    if syllables is None:
        return None
    used = {pinyin_at, word_at, trad_at}
    return Known(word, syllables, _gloss([c for i, c in enumerate(cells) if i not in used]), traditional)


def _pinyin_column(cells: Sequence[str]) -> int | None:
    """The index of a header cell naming the pinyin column."""
    return next((i for i, cell in enumerate(cells) if cell.strip().strip("*").lower() in _PINYIN_HEADERS), None)


def _has_row(cells: Sequence[str]) -> bool:
    return parse_row("\t".join(cells)) is not None


def _forms(heads: Sequence[str]) -> tuple[str, str]:
    """(word for the card, traditional form) from one or two heads, ``X[Y]`` split into two."""
    from ..script import simplified_of

    forms: list[str] = []
    for head in heads:
        m = _HEAD.match(head)
        if m:
            forms.extend(form for form in m.groups() if form)
    if len(forms) >= 2 and len(forms[0]) == len(forms[1]):
        first, second = forms[0], forms[1]
        if first == second:
            return first, ""
        if simplified_of(first) == second:
            return second, first
        if simplified_of(second) == first:
            return first, second
    return forms[0], ""


def _take_reading(tokens: list[str], size: int) -> tuple[tuple[str, ...], list[str]] | None:
    """Syllables for *size* characters from the first tokens, and the tokens left."""
    for end in range(1, min(len(tokens), size) + 1):
        syllables = _reading_of(" ".join(tokens[:end]), size)
        if syllables is not None:
            return syllables, tokens[end:]
    return None


def _reading_of(text: str, size: int) -> tuple[str, ...] | None:
    """*text* as a tone-marked (or numbered) reading of exactly *size* syllables."""
    reading = parse_reading(text.strip().strip("[]()（）【】/"))
    if reading is None or not reading.marked or len(reading.syllables) != size:
        return None
    return reading.syllables


def _clean_cell(cell: str) -> str:
    """A cell without markup: tags, entities, Markdown emphasis."""
    text = html.unescape(_TAG.sub("", cell))
    return _MD_EMPHASIS.sub(r"\2", text).strip()


def _gloss(parts: Iterable[str]) -> str:
    """The gloss from what is left of a line, separators trimmed."""
    kept = [_LEADING_SEP.sub("", part).strip() for part in parts]
    return "; ".join(part for part in kept if part)


def read_html(path: Path, encoding: str | None) -> Iterator[ParsedLine] | None:
    """The entries of a web page's tables that have a Pinyin column, or None if it has none."""
    from bs4 import BeautifulSoup

    from ..encoding import detect_encoding
    from ..errors import os_error

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise os_error(path, error) from error
    if b"<table" not in raw.lower():
        return None
    markup = raw.decode(encoding or detect_encoding(path), errors="replace")
    tables = []
    soup = BeautifulSoup(self_closed(markup), "html.parser")
    for table in soup.find_all("table"):
        rows = [(tr.sourceline or 0, [cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"])])
                for tr in table.find_all("tr")]  # fmt: skip
        header = next((cells for _, cells in rows if _pinyin_column(cells) is not None), None)
        if header is not None:
            tables.append((header, rows))
    soup.decompose()  # parents and children link each other: freed now, with the garbage collector paused
    if not tables:
        return None
    return _html_rows(tables, str(path))


def _html_rows(tables: list[tuple[list[str], list[tuple[int, list[str]]]]], path: str) -> Iterator[ParsedLine]:
    for header, rows in tables:
        for line, cells in rows:
            if cells == header or len(cells) != len(header):
                continue
            row = _row_by_header([_clean_cell(cell) for cell in cells], header)
            if row is not None:
                yield row_line(row, line, path)
