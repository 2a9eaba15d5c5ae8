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
from typing import Literal

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
    from .dictionary import readings as cedict_readings
    from .pinyintables import tables

    readings = tables().char(ch)
    found = tuple(readings.split(",")) if readings else ()
    # CC-CEDICT's neutral tones pypinyin lacks: 过 guo, as in 去过(guo).
    neutral = tuple(
        strip_tones(reading)
        for numbered in cedict_readings(ch)
        if len(numbered) == 1 and numbered[0].endswith("5")
        for reading in found
        if strip_tones(reading) == numbered[0][:-1].lower().replace("u:", "ü")
    )
    found = tuple(dict.fromkeys((*found, *neutral)))
    return (*found, "r") if ch == "儿" else found  # erhua: 玩儿 wánr


Match = Literal["exact", "toneless", "tones", "inside"]
Status = Literal["ok", "repaired", "new", "unsure"]


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
    match: Match
    gap: int = 0  # characters between the covered span and the annotation ("inside" only)


def _match(run: str, compact: str, loose: bool, lenient_neutral: bool) -> tuple[str, ...] | None:
    """Cover the end of *run* with *compact*, one dictionary reading per character."""
    target = strip_tones(compact) if loose else compact
    return _cover(run, compact, target, loose, lenient_neutral, len(target), len(run))


def _cover(
    run: str, compact: str, target: str, loose: bool, lenient_neutral: bool, end: int, chars: int
) -> tuple[str, ...] | None:
    """:func:`_match` of ``target[:end]`` by ``run[:chars]``: a plain recursive function, so no closure cycle is left
    for the garbage collector (builds pause its full collections, :func:`deckgen.workers.collector_paused`)."""
    if end == 0:
        return ()
    if chars == 0:
        return None
    for reading in char_readings(run[chars - 1]):
        size = len(reading)
        if size > end:
            continue
        piece = target[end - size : end]
        wanted = strip_tones(reading) if loose else reading
        ok = piece == wanted
        if not ok and lenient_neutral and piece == strip_tones(reading):
            ok = True  # unmarked syllable: the annotator wrote a neutral tone
        if ok:
            rest = _cover(run, compact, target, loose, lenient_neutral, end - size, chars - 1)
            if rest is not None:
                return (*rest, compact[end - size : end])
    return None


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
    kinds: tuple[tuple[bool, Match], ...] = ((False, "exact"), (True, "toneless"))
    for loose, kind in kinds:
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
    ``status`` is ``ok`` (a dictionary word), ``repaired`` (trimmed to the
    real word), ``new`` (not in any dictionary, but its edges fall on word
    boundaries: a coinage such as 研学) or ``unsure`` (an edge cuts through a
    word, or a particle sits at an edge: 起全, 之花; left out of the deck
    unless asked for); ``reason`` says why.
    """

    start: int
    end: int
    syllables: tuple[str, ...]
    status: Status
    reason: str = ""


def is_known_word(word: str) -> bool:
    """A single character, or a word jieba's dictionary (also as simplified: 關心 is 关心) or CC-CEDICT knows.

    >>> is_known_word('關鍵'), is_known_word('研学')
    (True, False)
    """
    if len(word) == 1 or segment.word_count(word) > 0:
        return True
    from .dictionary import readings
    from .script import simplified_of

    simplified = simplified_of(word)
    return (simplified != word and segment.word_count(simplified) > 0) or bool(readings(word))


# Function words under their function reading: a span that begins or ends with one
# and is in no dictionary is a phrase the annotator cut badly (之花, 幼有), not a word.
_FUNCTION = frozenset(
    {
        ("之", "zhī"), ("的", "de"), ("地", "de"), ("得", "de"), ("了", "le"), ("着", "zhe"), ("过", "guo"),
        ("有", "yǒu"), ("是", "shì"), ("在", "zài"), ("和", "hé"), ("与", "yǔ"), ("及", "jí"), ("把", "bǎ"),
        ("被", "bèi"), ("对", "duì"), ("从", "cóng"), ("向", "xiàng"), ("于", "yú"), ("以", "yǐ"), ("而", "ér"),
        ("也", "yě"), ("都", "dōu"), ("就", "jiù"), ("还", "hái"), ("很", "hěn"), ("将", "jiāng"), ("所", "suǒ"),
        ("其", "qí"), ("为", "wèi"), ("让", "ràng"), ("给", "gěi"), ("吗", "ma"), ("呢", "ne"), ("吧", "ba"),
    }
)  # fmt: skip
_LONGEST_CROSSING = 4
# How often jieba's corpus must have met a word straddling a span's edge for the span to count as cut
# through it: 建起 (426) in 构建起全 does, the rare abbreviation 建大 (9) in 构建大思政课 does not.
_CROSSING_COUNT = 100


def _crossing(text: str, edge: int) -> tuple[int, int] | None:
    """A common jieba dictionary word that straddles position *edge* of *text*, if any (建起 in 构建起全)."""
    for i in range(max(0, edge - _LONGEST_CROSSING + 1), edge):
        for j in range(min(len(text), i + _LONGEST_CROSSING), edge, -1):
            if segment.word_count(text[i:j]) >= _CROSSING_COUNT:
                return i, j
    return None


def _not_a_word(text: str, start: int, end: int, syllables: tuple[str, ...]) -> Boundary | None:
    """Rule 5: a span in no dictionary whose edge cuts a word, or with a particle at an edge.

    Repaired when trimming leaves a dictionary word of two or more
    characters; otherwise ``unsure``.
    """
    span = text[start:end]
    left, right, why = start, end, []
    crossing = _crossing(text, start)
    if crossing is not None:
        left = max(left, crossing[1])
        why.append(f"{text[crossing[0] : crossing[1]]} crosses its start")
    elif (span[0], syllables[0]) in _FUNCTION:
        left += 1
        why.append(f"{span[0]} is a particle at its start")
    crossing = _crossing(text, end)
    if crossing is not None:
        right = min(right, crossing[0])
        why.append(f"{text[crossing[0] : crossing[1]]} crosses its end")
    elif (span[-1], syllables[-1]) in _FUNCTION:
        right -= 1
        why.append(f"{span[-1]} is a particle at its end")
    if not why:
        return None
    reason = f"{span} is not a word: " + ", ".join(why)
    if right - left >= 2 and is_known_word(text[left:right]):
        trimmed = syllables[left - start : len(syllables) - (end - right)]
        return Boundary(left, right, trimmed, "repaired", reason)
    return Boundary(start, end, syllables, "unsure", reason)


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
    3. A span jieba's dictionary or CC-CEDICT knows is a word.
    4. Where a word of the sentence's segmentation reaches into the span
       from outside, the overlapping part is cut off, if what remains is a
       dictionary word (or one character).
    5. A span whose edge cuts through any dictionary word (建起 in 构建起全),
       or that begins or ends with a particle (之花, 幼有), is not a word:
       trimmed when a dictionary word of two or more characters remains,
       otherwise ``unsure``.
    6. Anything else is a coinage (研学, 大思政课): kept, status ``new``.

    >>> check_boundaries('四年间,187万稳岗返还资金', 7, 10, ('wàn', 'wěn', 'gǎng'))
    Boundary(start=8, end=10, syllables=('wěn', 'gǎng'), status='repaired', reason='万 belongs to the number before it')
    >>> check_boundaries('吹开幸福之花', 4, 6, ('zhī', 'huā')).status
    'unsure'
    >>> check_boundaries('三色研学旅行', 2, 4, ('yán', 'xué')).status
    'new'
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
    # Rule 4: a word of the segmentation reaching into the span.
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
        return Boundary(start, end, syllables, "unsure", f"{span} crosses a word boundary")
    return _not_a_word(sentence, start, end, syllables) or Boundary(
        start, end, syllables, "new", f"{span} is in no dictionary; its edges fall on word boundaries"
    )


def contradiction(text: str, position: int, syllable: str, tokens: Callable[[], list[tuple[str, int, int]]]) -> str:
    """Why a one-character reading contradicts the word it sits in, or "".

    Exam papers print deliberately wrong readings: 蕃(fān) inside 吐蕃, which
    CC-CEDICT reads Tǔbō.  The word is jieba's segmentation around the
    character (*tokens*, asked for only when needed); 一/不 tone sandhi and
    neutral tones are no contradiction.

    >>> contradiction('古代的吐蕃王朝', 4, 'fān', lambda: [('吐蕃', 3, 5)])
    '蕃(fān) inside 吐蕃, which CC-CEDICT reads Tǔbō'
    >>> contradiction('古代的吐蕃王朝', 4, 'bō', lambda: [('吐蕃', 3, 5)])
    ''

    A word that starts with a numeral or demonstrative (一行, 这些) is
    skipped: jieba often joins 一 to a measure word that is really a noun
    (这一行(háng) "this trade"), so it is no evidence against the reading.

    Most readings contradict no word jieba could cut around the character
    (:func:`deckgen.segment.words_around`); those are answered without
    segmenting, which was a third of the time spent mining.
    """
    if not any(_against(text, position, syllable, word, start) for word, start in segment.words_around(text, position)):
        return ""
    for word, start, end in tokens():
        if start <= position < end and len(word) > 1:
            return _against(text, position, syllable, word, start)
    return ""


def _against(text: str, position: int, syllable: str, word: str, start: int) -> str:
    """:func:`contradiction`'s verdict when jieba cuts *word* (from *start*) around the character."""
    from .dictionary import rows
    from .senses import _fits, _row_syllables

    if word[0] in _NUMERAL or word[0] in "这那每几哪第":
        return ""
    found = rows(word)
    if not found:
        return ""
    index = position - start
    for row in found:
        theirs = _row_syllables(row)
        if len(theirs) == len(word):
            wanted = [s.lower() for s in theirs]
            wanted[index] = syllable
            if _fits(row, word, tuple(wanted)):
                return ""
    readings = " / ".join(dict.fromkeys("".join(_row_syllables(row)) for row in found))
    return f"{text[position]}({syllable}) inside {word}, which CC-CEDICT reads {readings}"
