"""Which CC-CEDICT senses a card shows: chosen by the card's reading, ordered for a learner.

Most tools take the first CC-CEDICT entry for a headword, which gets every
polyphone wrong: 率 in 利用率 (lìyònglǜ) comes out as "to lead", 了 as
"to understand clearly".  Here the annotator's reading selects the entries,
and a word whose reading matches no entry gets no dictionary meaning at all
rather than another reading's.  The rules, in order:

* the reading must match syllable by syllable; a neutral tone on either side
  matches any tone of the same letters (红火 hónghuo is 紅火 hong2 huo3), and
  一/不 may carry their sandhi tones (一定 yídìng);
* only entries of the card's traditional form count (钟声 is 鐘聲 "bell",
  never 鍾 "cup");
* every sense of those entries is kept, in dictionary order, with low-value
  senses last (surname, variants, cross-references, dated, dialect, Taiwan,
  colloquial or slang senses): 长 zhǎng shows "to grow", 奶奶 "grandma" first;
* "erhua variant of X" is replaced by X's own senses (一点儿 → "a bit");
* a word CC-CEDICT lacks is composed from its longest sub-words (订单 + 式),
  single characters only as a last resort, and says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .dictionary import Row, marked_pinyin, reading_key, render_sense, rows
from .pinyin import join_syllables, parse_reading, strip_tones, tone_of
from .script import traditional_of

# How much of the sense list a card shows: enough for 行 xíng to reach "OK!".
MEANING_CHARS = 150
COMPOSED = "(not in CC-CEDICT; composed)"

_POINTER = re.compile(
    r"^(?:(?:old|archaic|ancient|unofficial|erroneous|japanese|korean|erhua|taiwan)\s+)?"
    r"variant of\b|^see\b|^used in\b|^also\b|^(?:taiwan|old) pr\.|^surname\b|\(surname\)$|^abbr\. for surname",
    re.IGNORECASE,
)
# Senses a learner of modern standard Chinese needs last.
_LOW_VALUE = re.compile(
    r"^\((?:archaic|old|obsolete|old usage|dialect|tw|coll\.|slang|vulgar|cantonese|classical|literary|"
    r"onom\.|loanword|euphemism)[^)]*\)|^(?:japanese|korean|vietnamese):|\(slang\)$|\(dialect\)$|\(Tw\)$",
    re.IGNORECASE,
)
_ERHUA = re.compile(r"^erhua variant of (?:([^\s|\[\]]+)\|)?([^\s|\[\]]+)\[([^\]]+)\]$")
_SANDHI = {"一": ("yí", "yì"), "不": ("bú",)}


@dataclass(frozen=True)
class DictEntry:
    """What the dictionary says about one word under one reading.

    ``pinyin`` is CC-CEDICT's own reading of the word in tone marks (syllables
    joined by spaces, capitalised as in CC-CEDICT: ``Zhōng guó``), which can
    differ from the card's reading in tone sandhi of 一 and 不, neutral tones
    and capitalisation.
    """

    traditional: str
    simplified: str
    pinyin: str
    senses: tuple[str, ...]
    classifiers: tuple[str, ...]

    @property
    def proper(self) -> bool:
        """True for a name (CC-CEDICT capitalises its pinyin): 中国 Zhōngguó."""
        return any(s[:1].isupper() for s in self.pinyin.split())

    @property
    def meaning(self) -> str:
        """The senses in order, as many as fit in about :data:`MEANING_CHARS` characters.

        >>> DictEntry("率", "率", "lǜ", ("rate", "frequency"), ()).meaning
        'rate; frequency'
        """
        return fit(self.senses, MEANING_CHARS)


def fit(senses: tuple[str, ...] | list[str], limit: int) -> str:
    """Join *senses* with ``; `` while the whole stays within *limit* (the first always).

    >>> fit(['one', 'two', 'three'], 8)
    'one; two'
    """
    out: list[str] = []
    size = 0
    for sense in senses:
        extra = len(sense) + (2 if out else 0)
        if out and size + extra > limit:
            break
        out.append(sense)
        size += extra
    return "; ".join(out)


@lru_cache(maxsize=1 << 14)
def tier(sense: str) -> int:
    """0 for a real meaning, 1 for a low-value one, 2 for a pointer or surname.

    Memoised: choosing among a word's lines asks it of each of their senses, and the senses are asked again.

    >>> [tier(s) for s in ['rate', '(archaic) monarch', '(coll.) boobies', 'variant of 瞭|了[liao3]', 'surname Lü']]
    [0, 1, 1, 2, 2]
    """
    if _POINTER.search(sense):
        return 2
    if _LOW_VALUE.search(sense):
        return 1
    return 0


def _row_syllables(row: Row) -> tuple[str, ...]:
    """*row*'s syllables in tone marks, capitalised where CC-CEDICT capitalises them."""
    return marked_syllables(row.syllables)


@lru_cache(maxsize=1 << 14)
def marked_syllables(syllables: tuple[str, ...]) -> tuple[str, ...]:
    """A line's numbered syllables in tone marks, capitalised as written, punctuation tokens dropped.

    Memoised: every sentence asks for the readings of the lines of each of its words.
    """
    out = []
    for numbered in syllables:
        if any(c.isalpha() for c in numbered):
            marked = marked_pinyin(numbered)
            out.append(marked[:1].upper() + marked[1:] if numbered[:1].isupper() else marked)
    return tuple(out)


def _fits(row: Row, word: str, wanted: tuple[str, ...], neutral: bool = True) -> bool:
    """Does *row*'s reading match *wanted* syllable by syllable, leniently?

    Letters must agree; tones must too, except that 一/不 may carry their
    sandhi tones and, with *neutral*, a neutral tone on either side matches
    any tone.
    """
    have = tuple(s.lower() for s in _row_syllables(row))
    if len(have) != len(wanted):
        return False
    for index, (mine, theirs) in enumerate(zip(have, wanted, strict=True)):
        if mine == theirs:
            continue
        if strip_tones(mine) != strip_tones(theirs):
            return False
        if neutral and (tone_of(mine) == 5 or tone_of(theirs) == 5):
            continue
        char = word[index] if len(word) == len(wanted) else ""
        if theirs not in _SANDHI.get(char, ()):
            return False
    return True


def _senses(rows: list[Row]) -> tuple[str, ...]:
    """Every sense of *rows*, in dictionary order, de-duplicated, low-value ones last."""
    seen: dict[str, int] = {}
    for row in rows:
        for sense in row.senses:
            for rendered, rank in _expand(sense):
                if rendered and rendered not in seen:
                    seen[rendered] = rank
    return tuple(sorted(seen, key=seen.__getitem__))  # a stable sort keeps dictionary order within a tier


def _expand(sense: str) -> list[tuple[str, int]]:
    """A sense as rendered, or, for "erhua variant of X", X's own senses."""
    match = _ERHUA.match(sense)
    if match:
        simplified, numbered = match.group(2), match.group(3)
        target = lookup(simplified, numbered)
        if target is not None and target.senses:
            return [(s, tier(s)) for s in target.senses]
    return [(render_sense(sense), tier(sense))]


def _minor(row: Row) -> bool:
    """True when every sense of *row* is a pointer, surname or low-value sense."""
    return all(tier(s) for s in row.senses)


def _choose_traditional(word: str, rows: list[Row], traditional: str) -> list[Row]:
    """Keep the rows of the card's traditional form when the matches disagree on it.

    The card's form is the one the article gave (漢字|汉字, or a traditional
    article's own characters), else OpenCC's phrase-aware conversion: 后 hòu
    is 後 "after", 钟 in 钟声 is 鐘 "bell".
    """
    forms = {row.traditional for row in rows}
    if len(forms) < 2:
        return rows
    target = traditional or traditional_of(word)
    if target not in forms and word in forms:
        target = word  # an article in traditional characters
    chosen = [row for row in rows if row.traditional == target]
    if chosen and all(_minor(row) for row in chosen) and not all(_minor(row) for row in rows):
        # The form in context is only a variant (背着 揹: "variant of 背 bēi"): the main entry teaches more.
        return [row for row in rows if not _minor(row)]
    return chosen or rows


@lru_cache(maxsize=8192)
def lookup(word: str, reading: str, traditional: str = "", syllables: tuple[str, ...] = ()) -> DictEntry | None:
    """The CC-CEDICT entry for *word* read as *reading*, or None.

    *word* may be simplified or traditional; *reading* is the card's pinyin
    in any spacing or case (``rǔxiàn'ái``, ``Zhōngguó``, tone numbers).  Only
    entries with that reading count (see the module's rules); *traditional*
    is the card's traditional form when the article gave it.  Entries whose
    capitalisation matches the reading's are preferred (lowercase for common
    words, capitalised for names).  *syllables* is the reading already cut
    into syllables, when the caller has it: joined pinyin can be cut two ways
    (wéngé is wén gé 文革, but reads as wéng é), and cutting it again was
    a fifth of the look-up's time on the 2 MB benchmark.

    >>> lookup('长', 'zhǎng').senses[:4]
    ('chief', 'head', 'elder', 'to grow')
    >>> lookup('一点儿', 'yìdiǎnr').meaning
    'a bit; a little; one dot; one point'
    >>> lookup('红火', 'hónghuo').meaning, lookup('中国', 'zhōngguó').pinyin
    ('prosperous', 'Zhōng guó')
    """
    word = word.strip()
    if syllables:
        wanted = tuple(syllable.lower() for syllable in syllables)
    else:
        parsed = parse_reading(reading) if reading.strip() else None
        if parsed is None:
            return None
        wanted = parsed.syllables
    if not word:
        return None
    found = rows(word)
    key = reading_key(reading)
    matches = [row for row in found if reading_key(" ".join(row.syllables)) == key]
    for neutral in (False, True):  # 不是 búshì is bu4 shi4 "is not" before it is bu2 shi5 "fault"
        if not matches:
            matches = [row for row in found if _fits(row, word, wanted, neutral)]
    if not matches:
        if len(word) > 1 and word[-1] in "儿兒" and wanted[-1] == "r":  # 玩儿 wánr: the word without its r
            base = lookup(word[:-1], join_syllables(wanted[:-1]), traditional[:-1], wanted[:-1])
            if base is not None:
                return DictEntry(base.traditional + "兒", base.simplified + "儿", base.pinyin + " r", base.senses, ())
        return None
    matches = _choose_traditional(word, matches, traditional)
    capitalised = reading.strip()[:1].isupper()
    same_case = [row for row in matches if row.proper == capitalised]
    ranked = sorted(same_case or matches, key=_minor)  # stable: dictionary order otherwise
    best = ranked[0]
    pinyin, senses = " ".join(_row_syllables(best)), _senses(ranked)
    if not capitalised and all(solar_term(row) for row in ranked):
        # 大雪 is a heavy snow far more often than the solar term, CC-CEDICT's only line: its characters first
        literal = _literally(word, wanted)
        pinyin = pinyin.lower()
        if literal and senses:  # one sense, so that the meaning never shows one without the other
            senses = (f"{literal} (as its characters read), or {senses[0]}", *senses[1:])
    return DictEntry(
        traditional=best.traditional,
        simplified=best.simplified,
        pinyin=pinyin,
        senses=senses,
        classifiers=tuple(dict.fromkeys(c for row in ranked for c in row.classifiers)),
    )


def _literally(word: str, syllables: tuple[str, ...]) -> str:
    """Each character of *word* read as *syllables* says, by its first sense: ``大: big · 雪: snow``; "" if one has
    none.  No pinyin: the Recall front shows the meaning with the word's characters blanked, never its reading."""
    if len(syllables) != len(word):
        return ""
    parts = []
    for char, syllable in zip(word, syllables, strict=True):
        found = lookup(char, syllable, "", (syllable,))
        if found is None or not found.senses:
            return ""
        parts.append(f"{char}: {found.senses[0]}")
    return " · ".join(parts)


def solar_term(row: Row) -> bool:
    """Whether *row* is CC-CEDICT's line of one of the 24 solar terms, the only line of 大雪 and 小寒, which a text
    far more often means as a heavy snow or a little cold.  Pinyin writes their names in small letters, as months.
    """
    return any("of the 24 solar terms" in sense for sense in row.senses)


def lookup_any_form(word: str, reading: str, syllables: tuple[str, ...] = ()) -> DictEntry | None:
    """:func:`lookup`'s entry for *word* read so if it is the same whatever the word's traditional form, so that a
    card needs no conversion of its sentence to know it; else None.

    So it is when CC-CEDICT has the word (not through its form without 儿) and
    all its lines have one traditional form: the form in context only ever
    chooses among lines that disagree on it, and the card then takes the
    chosen line's.  That holds for about four words in five of the 2 MB
    benchmark, whose sentences need not go through OpenCC.

    >>> lookup_any_form('银行', 'yínháng').traditional, lookup_any_form('干', 'gàn'), lookup_any_form('稳岗', 'wěngǎng')
    ('銀行', None, None)
    """
    word = word.strip()
    if not word or word[-1] in "儿兒":
        return None
    if len({row.traditional for row in rows(word)}) != 1:
        return None
    return lookup(word, reading, "", syllables)


def compose(word: str, syllables: tuple[str, ...], traditional: str = "") -> str:
    """A meaning for a word CC-CEDICT lacks, from its longest dictionary sub-words.

    The split uses as few pieces as possible, each a CC-CEDICT word under its
    part of the card's reading; ties go to the pieces jieba meets most often
    (家 + 门口, not 家门 + 口).  Single characters are the last resort.  The
    result says it was composed, so no learner takes it for a dictionary gloss.

    >>> compose('订单式', ('dìng', 'dān', 'shì'))
    '(not in CC-CEDICT; composed) 订单 dìngdān: (purchase) order · 式 shì: type; form'
    """
    from . import segment

    size = len(word)
    if size < 2 or len(syllables) != size:
        return ""
    forms = traditional if len(traditional) == size else ""
    # best[i]: (pieces, -log-frequency, cuts) for word[i:]
    best: list[tuple[int, float, tuple[tuple[int, DictEntry | None], ...]] | None] = [None] * (size + 1)
    best[size] = (0, 0.0, ())
    for start in range(size - 1, -1, -1):
        for end in range(size, start, -1):
            if end - start == size or best[end] is None:
                continue
            piece = word[start:end]
            found = lookup(piece, join_syllables(syllables[start:end]), forms[start:end], syllables[start:end])
            if found is None and end - start > 1:
                continue
            pieces, weight, cuts = best[end]  # type: ignore[misc]
            candidate = (pieces + 1, weight - math.log(segment.word_count(piece) + 1), ((end, found), *cuts))
            if best[start] is None or candidate[:2] < best[start][:2]:  # type: ignore[index]
                best[start] = candidate
    chosen = best[0]
    if chosen is None:
        return ""
    parts, start = [], 0
    for end, found in chosen[2]:
        if found is not None and found.senses:
            parts.append(f"{word[start:end]} {join_syllables(syllables[start:end])}: {fit(found.senses[:2], 60)}")
        start = end
    return f"{COMPOSED} " + " · ".join(parts) if parts else ""
