"""Which characters does an annotation cover, and are they a word?

Two decisions live here.

*Alignment*: the annotation's syllables decide how many characters before it
they cover.  ``乳腺癌(rǔxiànái)`` covers three, ``在(zài)`` one.  The syllables
are matched against every reading pypinyin knows for each character
(heteronyms), first with tones, then without; if nothing matches, the
annotation is aligned by its syllable count and the note is flagged.

*Boundaries*: annotators segment badly.  ``187万稳岗(wànwěngǎng)`` annotates
万, which belongs to the number, together with 稳岗.  A span is repaired when
the evidence is clear, and otherwise flagged for the learner to check (the
rule is written out in the README).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

from . import segment
from .pinyin import Reading, parse_reading, strip_tones  # noqa: F401  (doctests)

# CJK ideographs: unified, extension A, compatibility, extensions B+ and 〇.
HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f〇"
HANZI_RUN = re.compile(f"[{HANZI}]+")
_HANZI_RUN_AT_END = re.compile(f"[{HANZI}]+$")
_NUMERAL = set("〇零一二三四五六七八九十百千万亿两")
_MAGNITUDE = set("十百千万亿")
_DIGIT = re.compile(r"[0-9０-９〇零一二三四五六七八九十百千万亿两]")
# Longest span we try to align; annotated idioms run to 4-5 characters.
_MAX_SPAN = 12
# How far back inside a word a one-syllable reading may belong (冠心病（guān）).
_MAX_DOTTED_GAP = 3


def is_hanzi(ch: str) -> bool:
    """True for a CJK ideograph.

    >>> is_hanzi('汉'), is_hanzi('a'), is_hanzi('，')
    (True, False, False)
    """
    return bool(HANZI_RUN.fullmatch(ch))


@cache
def char_readings(ch: str) -> tuple[str, ...]:
    """Every tone-marked reading pypinyin's dictionary lists for *ch* (and erhua r for 儿).

    >>> char_readings('率')
    ('lǜ', 'shuài', 'lüè')
    """
    from pypinyin.pinyin_dict import pinyin_dict

    readings = pinyin_dict.get(ord(ch))
    found = tuple(readings.split(",")) if readings else ()
    return (*found, "r") if ch == "儿" else found  # erhua: 玩儿 wánr


@dataclass(frozen=True)
class Alignment:
    """An annotation's reach: how many characters, each with its syllable.

    ``match`` is ``exact`` (tones agree with a dictionary reading),
    ``toneless`` (the annotation has no tone marks; its letters agree),
    ``tones`` (the letters agree, the tones do not) or ``inside`` (one
    syllable that fits a character a little before the annotation, inside
    the same word, as exam papers annotate a dotted character).
    """

    length: int
    syllables: tuple[str, ...]
    match: str
    gap: int = 0  # characters between the covered span and the annotation ("inside" only)


def _match(run: str, compact: str, loose: bool, lenient_neutral: bool) -> tuple[str, ...] | None:
    """Cover the end of *run* with *compact*, one dictionary reading per character."""
    target = strip_tones(compact) if loose else compact

    def search(end: int, chars: int) -> tuple[str, ...] | None:
        if end == 0:
            return ()
        if chars == 0:
            return None
        ch = run[chars - 1]
        for reading in char_readings(ch):
            size = len(reading)
            if size > end:
                continue
            piece = target[end - size : end]
            wanted = strip_tones(reading) if loose else reading
            ok = piece == wanted
            if not ok and lenient_neutral and piece == strip_tones(reading):
                ok = True  # unmarked syllable: the annotator wrote a neutral tone
            if ok:
                rest = search(end - size, chars - 1)
                if rest is not None:
                    return (*rest, compact[end - size : end])
        return None

    return search(len(target), len(run))


def align(before: str, reading: Reading) -> Alignment | None:
    """Align *reading* with the hanzi that end *before* (the text preceding it).

    >>> align('确诊乳腺癌', parse_reading('rǔxiànái'))
    Alignment(length=3, syllables=('rǔ', 'xiàn', 'ái'), match='exact', gap=0)
    >>> align('孩子在', parse_reading('zài')).length
    1
    >>> align('187万稳岗', parse_reading('wànwěngǎng')).syllables
    ('wàn', 'wěn', 'gǎng')
    >>> align('订', parse_reading('ding')).match, align('多亏了', parse_reading('le')).match
    ('toneless', 'exact')
    >>> align('中国', parse_reading('China')) is None
    True
    >>> align('冠心病', parse_reading('guān'))
    Alignment(length=1, syllables=('guān',), match='inside', gap=2)
    """
    found = _HANZI_RUN_AT_END.search(before)
    if not found:
        return None
    run = found.group()[-_MAX_SPAN:]
    compact = reading.compact
    lenient = reading.marked and len(reading.syllables) > 1
    for loose, kind in ((False, "exact"), (True, "toneless")):
        per_char = _match(run, compact, loose, lenient and not loose)
        if per_char:
            # An unmarked syllable that is a dictionary reading (了 le) is a neutral tone, not a missing one.
            if loose and reading.marked:
                kind = "tones"
            return Alignment(len(per_char), per_char, kind)
    if reading.marked and len(reading.syllables) == 1:
        # Exam papers dot one character inside a word: 冠心病（guān） annotates 冠.
        for gap in range(1, min(_MAX_DOTTED_GAP, len(run) - 1) + 1):
            if compact in char_readings(run[-1 - gap]):
                return Alignment(1, reading.syllables, "inside", gap)
    return None


def alternatives_of(before: str, reading: Reading) -> str:
    """The character whose readings *reading* lists as alternatives, or "".

    Study guides print choices, ``和(hé huò hè)``, to be ticked; that is not
    a word's reading, and must not become one.

    >>> alternatives_of('然后和', parse_reading('hé huò hè'))
    '和'
    """
    found = _HANZI_RUN_AT_END.search(before)
    if not found or len(reading.syllables) < 2:
        return ""
    last = found.group()[-1]
    letters = {strip_tones(r) for r in char_readings(last)}
    if all(strip_tones(s) in letters for s in reading.syllables):
        return last
    return ""


@dataclass(frozen=True)
class Boundary:
    """The outcome of the boundary check on one aligned span.

    ``start``/``end`` index the span in the sentence after any repair;
    ``status`` is ``ok``, ``repaired`` (trimmed to the real word) or ``check``
    (kept as annotated, but flagged for the learner); ``reason`` says why.
    """

    start: int
    end: int
    syllables: tuple[str, ...]
    status: str
    reason: str = ""


def is_known_word(word: str) -> bool:
    """A single character, or a word jieba's dictionary knows (in simplified form: 關心 is 关心)."""
    if len(word) == 1 or segment.word_count(word) > 0:
        return True
    from .dictionary import simplified_of

    simplified = simplified_of(word)
    return simplified != word and segment.word_count(simplified) > 0


def check_boundaries(
    sentence: str,
    start: int,
    end: int,
    syllables: tuple[str, ...],
    tokens: Callable[[], list[tuple[str, int, int]]] | None = None,
) -> Boundary:
    """Decide whether ``sentence[start:end]`` is a word a learner can study.

    *tokens* gives the dictionary segmentation around the span (offsets in
    *sentence*); by default the whole sentence is segmented.  The caller
    passes a shared one so that no text is segmented twice.

    Rules, in order (README, "Word boundaries"):

    1. One character is always a word.
    2. A magnitude numeral (十百千万亿) at the start of the span, right after a
       number, belongs to the number: ``187万稳岗`` → 稳岗.
    3. A span the dictionary knows is a word (no segmentation needed).
    4. Where a dictionary word of the sentence reaches into the span from
       outside, the overlapping part is cut off, if what remains is a
       dictionary word (or one character).
    5. Anything else is kept as annotated but tagged ``deckgen::check``.

    >>> check_boundaries('四年间,187万稳岗返还资金', 7, 10, ('wàn', 'wěn', 'gǎng'))
    Boundary(start=8, end=10, syllables=('wěn', 'gǎng'), status='repaired', reason='万 belongs to the number before it')
    >>> check_boundaries('吹开幸福之花', 4, 6, ('zhī', 'huā')).status
    'check'
    """
    span = sentence[start:end]
    if end - start == 1:
        return Boundary(start, end, syllables, "ok")
    # Rule 2: magnitude numerals after a number.
    cut = 0
    while (
        cut < len(span) - 1 and span[cut] in _MAGNITUDE and start + cut > 0 and _DIGIT.match(sentence[start + cut - 1])
    ):
        cut += 1
    if cut:
        reason = f"{span[:cut]} belongs to the number before it"
        return Boundary(start + cut, end, syllables[cut:], "repaired", reason)
    if is_known_word(span):
        return Boundary(start, end, syllables, "ok")
    if tokens is None:
        tokens = partial(segment.tokens, sentence)
    # Rule 4: a dictionary word reaching into the span.
    left, right = start, end
    for word, tok_start, tok_end in tokens():
        if len(word) < 2:
            continue
        if tok_start < left < tok_end < right:
            left = tok_end
        if left < tok_start < right < tok_end:
            right = tok_start
    if (left, right) != (start, end):
        inner = sentence[left:right]
        removed = sentence[start:left] + "…" + sentence[right:end]
        if is_known_word(inner):
            return Boundary(
                left,
                right,
                syllables[left - start : len(syllables) - (end - right)],
                "repaired",
                f"{removed.strip('…')} belongs to a neighbouring word",
            )
        return Boundary(start, end, syllables, "check", f"{span} crosses a word boundary")
    return Boundary(start, end, syllables, "check", _unknown(span))


def _unknown(span: str) -> str:
    return f"{span} is not in the dictionary: it may cross a word boundary"
