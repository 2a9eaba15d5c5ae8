"""Pinyin as annotators type it, and as a card should show it.

Annotators write pinyin in many ways: tone marks (``guānjiàn``), tone numbers
(``guan1 jian4``), ``u:`` or ``v`` for ü, look-alike letters copied from web
pages (ɡ U+0261, ɑ U+0251), breves typed for carons (``xiăo``), run-together
syllables with no apostrophes (``rǔxiànái``).  This module turns all of those
into one canonical form: lowercase, tone-marked syllables.

The set of valid syllables is not hand-written: it is read off pypinyin's
per-character dictionary, so it is exactly the set of readings that the
aligner can match against.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from .pinyintables import tables

# Look-alikes and typing habits seen on real pages: breves for carons,
# IPA script g and alpha, full-width letters (handled by NFKC).
_LOOKALIKES = str.maketrans(
    {
        "ɡ": "g",
        "ɑ": "a",
        "ă": "ǎ",
        "ĕ": "ě",
        "ĭ": "ǐ",
        "ŏ": "ǒ",
        "ŭ": "ǔ",
        "Ă": "Ǎ",
        "Ĕ": "Ě",
        "Ĭ": "Ǐ",
        "Ŏ": "Ǒ",
        "Ŭ": "Ǔ",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "-": " ",
        "·": " ",
    }
)

_SEPARATORS = re.compile(r"[\s']+")
_NUMBERED = re.compile(r"([a-zü]+)([1-5])")
# The only digits _LETTERS lets through: a search for them is str.isdigit over every character, in C.
_TONE_NUMBER = re.compile("[1-5]")
_LETTERS = re.compile(r"^[a-zêüāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜḿńňǹếềê̄ê̌\u0300\u0301\u0304\u030c1-5' ]+$")


@lru_cache(maxsize=1 << 14)
def strip_tones(syllable: str) -> str:
    """Return *syllable* (or several run together) without tone marks: ``'lǜ'`` → ``'lü'``.

    pypinyin's own converter, so the rare syllables come out right too (m̀, ê̄).

    >>> strip_tones('guān'), strip_tones('rǔxiànái'), strip_tones('m̀'), strip_tones('ê̄')
    ('guan', 'ruxianai', 'm', 'ê')
    """
    return tables().to_normal(syllable)


@lru_cache(maxsize=1 << 14)
def tone_of(syllable: str) -> int:
    """Return the tone number 1–4 of a marked syllable, 5 for the neutral tone.

    >>> tone_of('lǜ'), tone_of('le'), tone_of('Zhōng'), tone_of('m̀'), tone_of('ế')
    (4, 5, 1, 4, 2)
    """
    numbered = tables().to_tone3(syllable.lower())
    return int(numbered[-1]) if numbered[-1:].isdigit() else 5


def mark_tone(toneless: str, tone: int) -> str:
    """Put tone *tone* (1–5) on a toneless syllable by the standard placement rule (pypinyin's).

    >>> mark_tone('guan', 1), mark_tone('liu', 2), mark_tone('lü', 4), mark_tone('de', 5), mark_tone('ng', 2)
    ('guān', 'liú', 'lǜ', 'de', 'ńg')
    """
    if tone not in (1, 2, 3, 4) or not toneless:
        return toneless
    return tables().to_tone(f"{toneless}{tone}")


@cache
def syllables() -> frozenset[str]:
    """Every toneless syllable that pypinyin's character dictionary uses (precomputed: see :mod:`.pinyintables`)."""
    return tables().syllables


@cache
def _max_syllable_len() -> int:
    return max(map(len, syllables()))


def _prepare(raw: str) -> str:
    """Canonical characters: NFKC (full-width letters), look-alikes, lowercase, ü."""
    text = unicodedata.normalize("NFKC", raw).translate(_LOOKALIKES)
    text = unicodedata.normalize("NFC", text.strip().lower())
    text = text.replace("u:", "ü").replace("v", "ü")
    return text


def _split_run(run: str) -> list[str] | None:
    """Split run-together pinyin into syllables (tone marks kept), or None.

    Prefers the split with the fewest syllables, then the longest first
    syllable, which reads ``xiān'ān`` rather than ``xiā nān``.
    """
    bare = strip_tones(run)
    valid = syllables()
    longest = _max_syllable_len()
    n = len(bare)
    # fewest[i] = fewest syllables covering bare[i:] (-1: none), cut[i] = the end of the first of them.
    # A piece is looked up only when the rest after it can be covered: most cannot.
    fewest = [-1] * (n + 1)
    fewest[n] = 0
    cut = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        for j in range(min(n, i + longest), i, -1):
            rest = fewest[j]
            if rest >= 0 and (fewest[i] < 0 or rest + 1 < fewest[i]) and bare[i:j] in valid:
                fewest[i] = rest + 1
                cut[i] = j
    if fewest[0] < 0:
        # Erhua: a final r joins the syllable before it, 玩儿 wánr, 一点儿 yīdiǎnr.
        if n > 1 and bare.endswith("r") and (head := _split_run(run[:-1])) is not None:
            return [*head, "r"]
        return None
    parts, i = [], 0
    while i < n:
        j = cut[i]
        parts.append(run[i:j])
        i = j
    return parts


@dataclass(frozen=True)
class Reading:
    """An annotator's reading: canonical tone-marked syllables.

    ``marked`` is False when the annotator gave no tone at all (``(ding)``),
    which the aligner treats as weaker evidence.
    """

    syllables: tuple[str, ...]
    marked: bool

    @property
    def compact(self) -> str:
        """The syllables run together, the form matched against dictionaries."""
        return "".join(self.syllables)

    def __str__(self) -> str:
        return join_syllables(self.syllables)


@lru_cache(maxsize=1 << 16)
def parse_reading(raw: str) -> Reading | None:
    """Read an annotation's text as pinyin, or return None if it is not pinyin.

    >>> parse_reading('guānjiàn')
    Reading(syllables=('guān', 'jiàn'), marked=True)
    >>> parse_reading('han4 zi4').syllables
    ('hàn', 'zì')
    >>> parse_reading('lu:4').syllables, parse_reading('lv4').syllables
    (('lǜ',), ('lǜ',))
    >>> parse_reading('xiăo').syllables, parse_reading('yīdiǎnr').syllables
    (('xiǎo',), ('yī', 'diǎn', 'r'))
    >>> parse_reading('来源') is None, parse_reading('AED') is None, parse_reading('') is None
    (True, True, True)
    """
    text = _prepare(raw)
    if not text or not _LETTERS.match(text):
        return None
    out: list[str] = []
    marked = False
    for piece in _SEPARATORS.split(text):
        if not piece:
            continue
        if _TONE_NUMBER.search(piece):
            # Tone-number style: every syllable carries its digit (neutral may be 5 or none).
            pos = 0
            for m in _NUMBERED.finditer(piece):
                head = piece[pos : m.start()]
                if head:
                    split = _split_run(head)
                    if split is None:
                        return None
                    out.extend(split)
                body = _split_run(m.group(1))
                if body is None:
                    return None
                out.extend(body[:-1])
                out.append(mark_tone(body[-1], int(m.group(2))))
                marked = True
                pos = m.end()
            tail = piece[pos:]
            if _TONE_NUMBER.search(tail):
                return None
            if tail:
                split = _split_run(tail)
                if split is None:
                    return None
                out.extend(split)
            continue
        split = _split_run(piece)
        if split is None:
            return None
        out.extend(split)
        marked = marked or strip_tones(piece) != piece
    if not out:
        return None
    return Reading(tuple(out), marked)


_CITATION = {("一", "yí"): "yī", ("一", "yì"): "yī", ("不", "bú"): "bù"}


def citation(word: str, syllables: tuple[str, ...]) -> tuple[str, ...]:
    """*syllables* with 一 and 不 in their dictionary tones, undoing tone sandhi.

    Annotators write what is said, 一样(yíyàng), 不够(búgòu); the card's
    headword, and so the note's identity, use the citation form, so that
    一(yí) and 一(yì) are one note.  The sentence keeps the spoken form.

    >>> citation('一样', ('yí', 'yàng')), citation('不够', ('bú', 'gòu')), citation('看', ('kàn',))
    (('yī', 'yàng'), ('bù', 'gòu'), ('kàn',))
    """
    if len(word) != len(syllables) or ("一" not in word and "不" not in word):
        return syllables
    return tuple(_CITATION.get((ch, syl.lower()), syl) for ch, syl in zip(word, syllables, strict=True))


def join_syllables(parts: tuple[str, ...] | list[str]) -> str:
    """Join a word's syllables in standard orthography.

    An apostrophe separates a syllable that starts with a, o or e from the one
    before it, so the word reads unambiguously.

    >>> join_syllables(['yòu', 'ér', 'yuán']), join_syllables(['rǔ', 'xiàn', 'ái'])
    ("yòu'éryuán", "rǔxiàn'ái")
    """
    out = []
    for i, part in enumerate(parts):
        if i:
            head = part[:1]
            vowel = _OPENS_WITH_AOE.get(head)
            if vowel is None:
                vowel = strip_tones(head) in ("a", "o", "e")
                if len(_OPENS_WITH_AOE) < 4096:  # pinyin's letters; a text's odd characters are not all kept
                    _OPENS_WITH_AOE[head] = vowel
            if vowel:
                out.append("'")
        out.append(part)
    return "".join(out)


# Per first character of a syllable: whether it is a, o or e under any tone mark (a dictionary look-up is a
# fraction of strip_tones's memoised call, and every word's pinyin is joined).
_OPENS_WITH_AOE: dict[str, bool] = {}


def normalise(pinyin: str) -> str:
    """The identity form of a word's pinyin: lowercase NFC, no separators.

    Used for note identity, so ``Zhōngguó``, ``zhōng guó`` and ``zhōng'guó``
    are the same note.

    >>> normalise("Yòu'ér yuán")
    'yòuéryuán'
    """
    return _SEPARATORS.sub("", unicodedata.normalize("NFC", pinyin.lower()))
