"""Find the annotations in a line of text and strip them out.

A line such as ``关键(guānjiàn)节点(jiédiǎn)回首`` becomes the clean text
``关键节点回首`` plus two annotations, each knowing which characters of the
clean text it covers.  Supported styles:

- parentheses, ASCII or full-width, even mixed or padded: ``(guānjiàn)``,
  ``（guān jiàn）``, ``( xiāo )``, ``（bi)``;
- square brackets: ``汉字[hànzì]``;
- tone numbers: ``(guan1 jian4)``, ``[han4 zi4]``, with ``u:`` or ``v`` for ü;
- the CC-CEDICT / Chinese Support pair ``漢字|汉字[han4 zi4]``, whose
  simplified form stays in the text and whose traditional form is kept.

Parentheses that hold anything but pinyin (``(一中)``, ``(来源:…)``) are
ordinary text, yet an annotation nested in them still counts:
``6个乡(街道(jiēdào))`` annotates 街道.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .align import _HANZI, align
from .notices import Notice
from .pinyin import Reading, parse_reading

# An innermost bracket group: no brackets inside.  Opening and closing kinds may differ.
_GROUP = re.compile(r"[(（\[]([^()（）\[\]]{0,80})[)）\]]")
_PAIR = re.compile(f"([{_HANZI}]+)\\|([{_HANZI}]+)$")


@dataclass(frozen=True)
class Annotation:
    """One annotation: the characters it covers in the clean line, and its reading.

    ``start``/``end`` index the clean text; ``syllables`` holds one syllable
    per covered character, in the annotator's tones.  ``match`` says how the
    alignment was found (see :class:`deckgen.align.Alignment`).
    ``traditional`` is set when the annotator gave a ``漢字|汉字`` pair.
    """

    start: int
    end: int
    syllables: tuple[str, ...]
    match: str
    raw: str
    traditional: str = ""


@dataclass(frozen=True)
class ParsedLine:
    """A line with its annotations stripped, and what was odd about it."""

    line: int
    text: str
    annotations: tuple[Annotation, ...]
    notices: tuple[Notice, ...] = field(default=())


def parse_line(text: str, line: int = 1, path: str = "<text>") -> ParsedLine:
    """Strip the annotations out of one line of text.

    >>> parsed = parse_line('站在关键(guānjiàn)节点(jiédiǎn)回首')
    >>> parsed.text
    '站在关键节点回首'
    >>> [(parsed.text[a.start:a.end], a.syllables) for a in parsed.annotations]
    [('关键', ('guān', 'jiàn')), ('节点', ('jié', 'diǎn'))]
    >>> parse_line('驻点6个乡(街道(jiēdào))').text
    '驻点6个乡(街道)'
    """
    out: list[str] = []
    length = 0  # len("".join(out)), kept incrementally
    annotations: list[Annotation] = []
    notices: list[Notice] = []
    last = 0
    last_annotation_at = -1  # clean offset right after the previous annotation

    def note(kind: str, message: str) -> None:
        notices.append(Notice(path, line, kind, message))

    for m in _GROUP.finditer(text):
        chunk = text[last : m.start()]
        out.append(chunk)
        length += len(chunk)
        last = m.end()
        raw = m.group(0)
        reading = parse_reading(m.group(1))
        if reading is None:
            out.append(raw)
            length += len(raw)
            continue
        traditional = ""
        if raw.startswith("[") and (pair := _PAIR.search(chunk)):
            # 漢字|汉字[han4 zi4]: keep the simplified form in the text.
            traditional, simplified = pair.group(1), pair.group(2)
            keep = len(chunk) - len(pair.group(0))
            del out[-1]
            out.append(chunk[:keep] + simplified)
            length += len(simplified) - len(pair.group(0))
        if length == last_annotation_at and annotations:
            previous = annotations[-1]
            if _is_repeat(reading, previous.syllables):
                note("repeat", f"{raw} repeats the annotation before it; ignored")
            else:
                note("no-hanzi", f"{raw} follows another annotation, not hanzi; skipped")
            continue
        clean = "".join(out)
        alignment = align(clean[-20:], reading)
        if alignment is None:
            if reading.marked:
                note("no-hanzi", f"{raw} has no hanzi right before it; skipped")
                continue
            out.append(raw)  # toneless and matching nothing: ordinary text
            length += len(raw)
            continue
        if traditional and len(traditional) != alignment.length:
            traditional = ""
        annotations.append(
            Annotation(length - alignment.length, length, alignment.syllables, alignment.match, raw, traditional)
        )
        last_annotation_at = length
    tail = text[last:]
    out.append(tail)
    return ParsedLine(line, "".join(out), tuple(annotations), tuple(notices))


def _is_repeat(reading: Reading, previous: tuple[str, ...]) -> bool:
    """``订单式(dìngdānshì)(shì)``: the second group re-annotates the end of the first."""
    mine = reading.syllables
    return len(mine) <= len(previous) and tuple(previous[-len(mine) :]) == mine
