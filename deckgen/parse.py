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

from .align import HANZI, align, alternatives_of, is_hanzi
from .notices import Kind, Notice
from .pinyin import Reading, parse_reading

# An innermost bracket group: no brackets inside.  Opening and closing kinds may differ.
_GROUP = re.compile(r"[(（\[]([^()（）\[\]]{0,80})[)）\]]")
_GAP = (" ", "\u3000", "\t")
_LOOK_BACK = 20  # characters before an annotation that alignment looks at (a span is at most 12)
# Each run of hanzi is tried once, from its start, without backtracking: linear in a long chunk.
_PAIR = re.compile(f"(?<![{HANZI}])([{HANZI}]++)\\|([{HANZI}]++)$")


@dataclass(frozen=True)
class Annotation:
    """One annotation: the characters it covers in the clean line, and its reading.

    ``start``/``end`` index the clean text; ``syllables`` holds one syllable
    per covered character, in the annotator's tones.  ``match`` says how the
    alignment was found (see :class:`deckgen.align.Alignment`).
    ``traditional`` is set when the annotator gave a ``漢字|汉字`` pair.
    ``gloss`` is the learner's own meaning, when the input gave one
    (``沙发 (shāfā, a borrowing of sofa)``, a word list's English column).
    """

    start: int
    end: int
    syllables: tuple[str, ...]
    match: str
    raw: str
    traditional: str = ""
    gloss: str = ""


@dataclass(frozen=True)
class ParsedLine:
    """A line with its annotations stripped, and what was odd about it.

    ``listed`` marks a line that is not a sentence but an entry of a word list
    (``再见 zài jiàn - goodbye``): its words get no example sentence from it.
    """

    line: int
    text: str
    annotations: tuple[Annotation, ...]
    notices: tuple[Notice, ...] = field(default=())
    listed: bool = False


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
    clean = _Clean()  # the line so far, annotations removed
    annotations: list[Annotation] = []
    notices: list[Notice] = []
    last = 0
    last_annotation_at = -1  # clean offset right after the previous annotation

    def note(kind: Kind, message: str) -> None:
        notices.append(Notice(path, line, kind, message))

    for m in _GROUP.finditer(text):
        chunk = text[last : m.start()]
        last = m.end()
        raw = m.group(0)
        reading = parse_reading(m.group(1))
        if reading is None:
            clean.add(chunk + raw)
            continue
        traditional = ""
        if raw.startswith("[") and (pair := _PAIR.search(chunk)):
            # 漢字|汉字[han4 zi4]: keep the simplified form in the text.
            traditional = pair.group(1)
            chunk = chunk[: pair.start()] + pair.group(2)
        clean.add(chunk)
        if len(clean) == last_annotation_at and annotations:
            if _is_repeat(reading, annotations[-1].syllables):
                note("repeat", f"{raw} repeats the annotation before it; ignored")
            else:
                note("no-hanzi", f"{raw} follows another annotation, not hanzi; skipped")
            continue
        # OCR puts a space between a character and its reading: 生卒 (zú).
        tail = clean.tail(_LOOK_BACK + 1)
        spaced = reading.marked and tail[-1:] in _GAP and len(clean) > 1
        before = tail[:-1] if spaced else tail[-_LOOK_BACK:]
        alignment = align(before, reading)
        if alignment is None:
            if not reading.marked:
                clean.add(raw)  # toneless and matching nothing: ordinary text
            elif choice := alternatives_of(before, reading):
                note("alternatives", f"{raw} lists alternative readings of {choice}; skipped")
            elif before and is_hanzi(before[-1]):
                note("unaligned", f"{raw} matches no reading of the characters before it; skipped")
            else:
                note("no-hanzi", f"{raw} has no hanzi right before it; skipped")
            continue
        if spaced:
            clean.drop_last()
        if traditional and len(traditional) != alignment.length:
            traditional = ""
        end = len(clean) - alignment.gap
        annotations.append(
            Annotation(end - alignment.length, end, alignment.syllables, alignment.match, raw, traditional)
        )
        last_annotation_at = len(clean)
    clean.add(text[last:])
    return ParsedLine(line, str(clean), tuple(annotations), tuple(notices))


class _Clean:
    """The clean line as it is built: pieces, their length, and the last few characters on demand.

    Slicing the whole line for each annotation (``clean[:-1]``, ``clean[-20:]``)
    made a line of many annotations quadratic.
    """

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._length = 0

    def add(self, piece: str) -> None:
        if piece:
            self._pieces.append(piece)
            self._length += len(piece)

    def tail(self, size: int) -> str:
        """The last *size* characters (fewer at the start of the line)."""
        taken, length = [], 0
        for piece in reversed(self._pieces):
            taken.append(piece[-(size - length) :])
            length += len(taken[-1])
            if length >= size:
                break
        return "".join(reversed(taken))

    def drop_last(self) -> None:
        """Remove the last character (the space of ``生卒 (zú)``)."""
        piece = self._pieces.pop()
        self._length -= 1
        if len(piece) > 1:
            self._pieces.append(piece[:-1])

    def __len__(self) -> int:
        return self._length

    def __str__(self) -> str:
        return "".join(self._pieces)


def _is_repeat(reading: Reading, previous: tuple[str, ...]) -> bool:
    """``订单式(dìngdānshì)(shì)``: the second group re-annotates the end of the first."""
    mine = reading.syllables
    return len(mine) <= len(previous) and tuple(previous[-len(mine) :]) == mine
