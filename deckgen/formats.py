"""Other outputs than ``.apkg``: TSV for Anki's text importer and Pleco, JSON for scripts.

TSV columns, in this order (plain text, no HTML, one note per line, no header):

    Hanzi, Pinyin, Meaning, Traditional, Classifier, HSK, Frequency, Sentence, SentencePinyin, Source, Tags

The first three are what Pleco's flashcard import reads (headword, pinyin, definition); Anki's
"Import File" maps the columns to the deckgen note type's fields of the same names.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from pathlib import Path

from .render import ANKI_MARKUP, FIELDS, RenderedNote
from .safety import atomic_target

TSV_COLUMNS = (
    "Hanzi",
    "Pinyin",
    "Meaning",
    "Traditional",
    "Classifier",
    "HSK",
    "Frequency",
    "Sentence",
    "SentencePinyin",
    "Source",
)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[\t\r\n]+")
_FORMULA_STARTS = frozenset("=+-@")


def plain(field: str) -> str:
    """A field's HTML as one line of plain text.

    >>> plain('a&lt;b <b class="hl">字</b>\\tc')
    'a<b 字 c'

    Anki markup the field held inert (``&#91;sound:``) stays inert as plain
    text: a word joiner, which shows nothing, follows its opening mark.

    >>> plain('&#91;sound:x.mp3]') == '[\u2060sound:x.mp3]'
    True
    """
    text = _SPACE.sub(" ", html.unescape(_TAG.sub("", field))).strip()
    return ANKI_MARKUP.sub(lambda mark: mark.group() + "\u2060", text)


def cell(text: str) -> str:
    """A TSV cell a spreadsheet will not run: one starting with ``= + - @`` gets a ``'`` in front.

    >>> print(cell('=SUM(A1)'), cell('-ism'), cell('关键'))
    '=SUM(A1) '-ism 关键
    """
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def tsv_lines(notes: Sequence[RenderedNote]) -> list[str]:
    """One tab-separated line per note, columns as in :data:`TSV_COLUMNS` plus the tags."""
    return ["\t".join([*(cell(plain(n.field(c))) for c in TSV_COLUMNS), cell(" ".join(n.tags))]) for n in notes]


def json_notes(notes: Sequence[RenderedNote]) -> list[dict[str, object]]:
    """Notes as plain data: GUID, every field (HTML as in the deck) and the tags."""
    return [
        {
            "guid": n.guid,
            "hanzi": n.hanzi,
            "pinyin": n.pinyin,
            "fields": dict(zip(FIELDS, n.fields, strict=True)),
            "tags": list(n.tags),
        }
        for n in notes
    ]


def tsv_text(notes: Sequence[RenderedNote]) -> str:
    """The whole TSV file."""
    return "".join(line + "\n" for line in tsv_lines(notes))


def json_text(notes: Sequence[RenderedNote]) -> str:
    """The whole JSON file."""
    return json.dumps(json_notes(notes), ensure_ascii=False, indent=1) + "\n"


def write_tsv(notes: Sequence[RenderedNote], path: Path) -> Path:
    """Write the TSV file atomically."""
    with atomic_target(Path(path), "TSV file") as tmp:
        tmp.write_text(tsv_text(notes), encoding="utf-8")
    return Path(path)


def write_json(notes: Sequence[RenderedNote], path: Path) -> Path:
    """Write the JSON file atomically."""
    with atomic_target(Path(path), "JSON file") as tmp:
        tmp.write_text(json_text(notes), encoding="utf-8")
    return Path(path)
