"""The pinyin of a whole example sentence, as a teacher would write it under the line.

The annotator's own readings come first, then the article's annotation of
the same word elsewhere (家门口 annotated once reads jiāménkǒu everywhere).
The rest is segmented by jieba (dictionary only, with its part-of-speech
tags) and read by pypinyin word by word, with the rules pypinyin's
per-word tables cannot know, because they depend on the neighbours:

* the particles 的/地/得/着/了/过 read de/de/de/zhe/le/guo where they are
  particles (慢慢地走 mànmàn de zǒu, 跑得快 pǎo de kuài, 看过 kànguo), and
  dì/dé/guò elsewhere (军地 jūndì, 得到 dédào);
* 还 is huán as a verb with an object (还书 huán shū) and hái as an adverb
  (还没 hái méi); 以…为 reads wéi; 长 is cháng (很长) unless a complement
  says it grows (长高 zhǎng gāo);
* words CC-CEDICT gives a neutral tone keep it (朋友 péngyou, 时候 shíhou),
  and a word it reads two ways takes its everyday sense (告诉 gàosu, 故事
  gùshi), or the sense its neighbours ask for (买东西 dōngxi, 东西走向 dōngxī);
* proper nouns are capitalised as CC-CEDICT writes them (北京 Běijīng).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

from . import segment
from .align import HANZI, is_hanzi
from .dictionary import readings, rows
from .memo import Recent
from .pinyin import join_syllables, strip_tones, tone_of
from .pinyintables import tables
from .readingtable import LIVE, PLAIN
from .readingtable import current as current_table
from .script import simplified_of
from .senses import _row_syllables, marked_syllables, solar_term
from .sentences import Example

# Chinese punctuation in pinyin text takes its Latin form.
_PUNCT = dict(zip("，。！？；：、“”‘’（）《》「」—", ",.!?;:,“”‘’()“”“”-", strict=True))
_CLAUSE_END = set("，。！？；：,.!?;:")
_PARTICLES = {"的": "de", "地": "de", "得": "de", "着": "zhe", "了": "le", "过": "guo"}
_LONGEST_ANNOTATED = 12
_Token = tuple[str, str, tuple[str, ...] | None]  # (text, jieba flag or "", syllables if known)


def default_readings(text: str, alone: Mapping[str, str] | None = None) -> list[str]:
    """pypinyin's default tone-marked reading of each character of *text*; with *alone*, a character that no
    phrase of pypinyin's covers reads as *alone* says, if it is there.

    The same answer as ``pypinyin.lazy_pinyin(text, style=Style.TONE,
    errors=list)`` (a test holds the two equal), read straight from
    pypinyin's phrase and character tables after its own segmenter (all three
    precomputed: :mod:`.pinyintables`), which skips the per-syllable style
    conversion that makes up most of its time.

    >>> default_readings('银行行长，a')
    ['yín', 'háng', 'háng', 'zhǎng', '，', 'a']
    """
    pypinyin = tables()
    out: list[str] = []
    for word in pypinyin.seg(text):
        phrase = pypinyin.phrase(word)
        if phrase is not None:
            out.extend(readings[0] for readings in phrase)
            continue
        for ch in word:
            if alone and ch in alone:
                out.append(alone[ch])
                continue
            readings = pypinyin.char(ch)
            out.append(readings.split(",", 1)[0] if readings else ch)
    return out


def _neutral_as_in_cedict(word: str, syllables: list[str]) -> list[str]:
    """pypinyin's reading, with CC-CEDICT's neutral tones (and erhua r) where only those differ.

    >>> _neutral_as_in_cedict('朋友', ['péng', 'yǒu']), _neutral_as_in_cedict('东西', ['dōng', 'xī'])
    (['péng', 'you'], ['dōng', 'xī'])
    >>> _neutral_as_in_cedict('点儿', ['diǎn', 'ér']), _neutral_as_in_cedict('女儿', ['nǚ', 'ér'])
    (['diǎn', 'r'], ['nǚ', 'ér'])
    >>> _neutral_as_in_cedict('不是', ['bú', 'shì'])
    ['bù', 'shì']
    >>> _neutral_as_in_cedict('中子', ['zhōng', 'zi']), _neutral_as_in_cedict('找不着', ['zhǎo', 'bù', 'zhe'])
    (['zhōng', 'zǐ'], ['zhǎo', 'bu', 'zháo'])
    """
    candidates = []
    for numbered in readings(word):
        theirs = [s.lower() for s in marked_syllables(numbered)]
        if theirs == syllables:
            return syllables  # pypinyin's reading is a dictionary reading as it stands
        if len(theirs) == len(syllables) == len(word) and all(
            t == s
            or (tone_of(t) == 5 and strip_tones(t) == strip_tones(s))
            or (tone_of(s) == 5 and strip_tones(t) == strip_tones(s))  # 中子 zhōngzǐ, not pypinyin's zi
            # 找不着 zhǎobuzháo, 睡不着's 不着: CC-CEDICT's, where pypinyin has the particle; but a verb and 着
            # (引着, 正着) is a verb and its particle far more often than CC-CEDICT's word (yǐnzháo "to ignite")
            or (char == "着" and s == "zhe" and not (len(word) == 2 and word[0] not in "不得"))
            or (t == "r" and s in ("ér", "er"))
            or (char in "一不" and strip_tones(t) == strip_tones(s))  # pypinyin's phrases may carry the sandhi
            for char, t, s in zip(word, theirs, syllables, strict=True)
        ):
            candidates.append(theirs)
    # A line that differs from pypinyin only in the sandhi of 一 or 不 is pypinyin's reading: 不是 bù shì "is not",
    # not the line before it, bú shi "fault", whose neutral tone a sentence's 不是 never has.
    for theirs in candidates:
        if all(t == s or char in "一不" for char, t, s in zip(word, theirs, syllables, strict=True)):
            return theirs
    return candidates[0] if candidates else syllables


_CALENDAR = re.compile(r"^(?:[一二三四五六七八九十]+月|星期.|礼拜.|周[一二三四五六日])$")


def _proper(word: str, syllables: Sequence[str]) -> bool:
    """Whether CC-CEDICT writes this reading of *word* only as a proper noun (北京 Běijīng, 中国 Zhōngguó).

    >>> _proper('北京', ['běi', 'jīng']), _proper('长城', ['cháng', 'chéng']), _proper('朋友', ['péng', 'you'])
    (True, True, False)
    >>> _proper('一月', ['yī', 'yuè']), _proper('星期一', ['xīng', 'qī', 'yī'])
    (False, False)
    """
    if len(word) < 2:
        return False
    table = current_table()
    if table is not None and (table.get(word) or PLAIN)[:1] == PLAIN:
        return False  # no line of the word, or none that is a name: most words, answered before the pattern below
    if _CALENDAR.match(word):
        return False  # CC-CEDICT capitalises months and weekdays (Yi1 yue4); pinyin orthography does not
    found = rows(word)
    if not any(row.proper and not solar_term(row) for row in found):
        return False  # most words: no line of theirs is a name; nor a solar term's (一场大雪 is heavy snow)
    wanted = [s.lower() for s in syllables]
    matching = [row for row in found if [s.lower() for s in _row_syllables(row)] == wanted]
    return bool(matching) and all(row.proper for row in matching)


class Annotated(Mapping[str, tuple[str, ...]]):
    """The words an article annotated, with their readings, indexed for the sentence scan.

    A sentence's run of hanzi is cut at these words, longest first.  Indexing
    their lengths by their first two characters lets the scan pass every
    position no annotated word starts at with one dictionary lookup.
    """

    __slots__ = ("readings", "said", "sizes")

    def __init__(self, readings: Mapping[str, tuple[str, ...]]) -> None:
        self.readings = dict(readings)
        # Sentences already read, by text and readings: a sentence is the first example of each new word in it.
        self.said: Recent[tuple[str, tuple[tuple[int, tuple[str, ...]], ...]], str] = Recent(_SENTENCES_KEPT)
        sizes: dict[str, set[int]] = {}
        for word in self.readings:
            if 2 <= len(word) <= _LONGEST_ANNOTATED:
                sizes.setdefault(word[:2], set()).add(len(word))
        self.sizes = {start: tuple(sorted(found, reverse=True)) for start, found in sizes.items()}

    def __getitem__(self, word: str) -> tuple[str, ...]:
        return self.readings[word]

    def __iter__(self) -> Iterator[str]:
        return iter(self.readings)

    def __len__(self) -> int:
        return len(self.readings)


def _split_annotated(run: str, annotated: Annotated) -> list[tuple[str, tuple[str, ...] | None]]:
    """Cut *run* at the article's annotated words (longest first), the rest left for jieba."""
    if not annotated.sizes:
        return [(run, None)]
    pieces: list[tuple[str, tuple[str, ...] | None]] = []
    sizes_at, get = annotated.sizes.get, annotated.readings.get
    free_from = i = 0
    length = len(run)
    while i < length - 1:
        for size in sizes_at(run[i : i + 2], ()):
            reading = get(run[i : i + size]) if i + size <= length else None
            if reading is not None and len(reading) == size:
                if free_from < i:
                    pieces.append((run[free_from:i], None))
                pieces.append((run[i : i + size], reading))
                i += size
                free_from = i
                break
        else:
            i += 1
    if free_from < length:
        pieces.append((run[free_from:], None))
    return pieces


# A sentence between the annotator's spans: runs of hanzi, single punctuation marks, and runs of anything else.
_PIECES = re.compile(f"([{HANZI}]+)|([{re.escape(''.join(_PUNCT))}])|[^{HANZI}{re.escape(''.join(_PUNCT))}]+")


def _tokens(example: Example, annotated: Annotated) -> tuple[list[_Token], list[_Token]]:
    """The sentence as tokens: annotated words with their readings, jieba words with their tags, other text; and the
    same tokens in simplified characters, for the rules that read a word and its neighbours (還給 is 还给 huángěi,
    太長了 太长了 cháng), which are the tokens themselves where the sentence is simplified already."""
    text = example.text
    out: list[_Token] = []
    plain: list[_Token] | None = None  # made when a traditional piece is met
    at = 0
    for start, reading in [*sorted(dict(example.readings).items()), (len(text), None)]:
        if start < at:
            continue  # inside the span before it
        for match in _PIECES.finditer(text, at, start):
            if match.group(1) is None:
                token: _Token = (match.group(0), "x", None)  # punctuation, or a run of Latin letters, digits or signs
                out.append(token)
                if plain is not None:
                    plain.append(token)
                continue
            for piece, known in _split_annotated(match.group(1), annotated):
                if known is not None:
                    out.append((piece, "", known))
                    if plain is not None:
                        plain.append((_simple(piece), "", known))
                    continue
                words = _tagged_piece(piece)
                if isinstance(words, _Twinned) and plain is None:
                    plain = _simplified(out)
                out.extend(words)
                if plain is not None:
                    plain.extend(words.twins if isinstance(words, _Twinned) else words)
        if reading is None:
            break
        out.append((text[start : start + len(reading)], "", reading))
        if plain is not None:
            plain.append((_simple(out[-1][0]), "", reading))
        at = start + len(reading)
    return out, out if plain is None else plain


def _simplified(tokens: list[_Token]) -> list[_Token]:
    """*tokens* with their text in simplified characters (:func:`_simple`); punctuation and Latin text as they are."""
    return [(word if flag == "x" else _simple(word), flag, reading) for word, flag, reading in tokens]


def _simple(word: str) -> str:
    """*word* in simplified characters, where OpenCC keeps its length; else *word* itself."""
    simple = simplified_of(word)
    return simple if len(simple) == len(word) else word


class _Twinned(tuple[_Token, ...]):
    """The tokens of a piece written in traditional characters, which carry the same tokens in simplified ones."""

    twins: tuple[_Token, ...]


@lru_cache(maxsize=1 << 16)
def _tagged_piece(piece: str) -> tuple[_Token, ...]:
    """jieba's words and tags for a run of hanzi; traditional text is segmented in its simplified form, and its
    tokens come as a :class:`_Twinned`, whose ``twins`` are the same words in simplified characters.

    Memoised: a sentence that is the example of several words is read once for each of them.
    """
    simple = simplified_of(piece)
    if len(simple) != len(piece):
        simple = piece
    out: list[_Token] = []
    at = 0
    words = segment.tagged(simple)
    for word, flag in words if _PLACE_VALUES.isdisjoint(simple) else _numbers_joined(words):
        for part in _dictionary_words(word, flag):
            out.append((piece[at : at + len(part)], flag, None))
            at += len(part)
    if simple == piece:
        return tuple(out)
    at = 0
    twins: list[_Token] = []
    for word, flag, _ in out:
        twins.append((simple[at : at + len(word)], flag, None))
        at += len(word)
    twinned = _Twinned(out)
    twinned.twins = tuple(twins)
    return twinned


def _numbers_joined(words: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """jieba's words and tags, with a number it cut in two joined again: 九 + 十分 is 九十分 (ninety points), read
    九十 jiǔshí + 分 fēn by :func:`_dictionary_words`, not 九 + 十分 shífēn "very"."""
    held: tuple[str, str] | None = None
    for word, flag in words:
        if held is not None:
            if _is(flag, "m") and word[0] in _PLACE_VALUES:
                word, flag = held[0] + word, "m"
            else:
                yield held
            held = None
        if all(char in _NUMERALS for char in word):
            held = (word, flag)
        else:
            yield word, flag
    if held is not None:
        yield held


_PLACE_VALUES = frozenset("十百千万亿")


def _dictionary_words(word: str, flag: str = "") -> list[str]:
    """A jieba word CC-CEDICT lacks (昨天晚上, 七十多岁) as CC-CEDICT words, as a teacher spaces it; *flag*: its tag.

    As few words as possible; a number is one word (五百 wǔbǎi).  Among splits into as many words, the one
    that keeps a number apart from what it counts (十 + 分钟, not 十分 "very" + 钟), then the one of the words
    jieba meets most often (洗 + 衣服, not 洗衣 + 服; 有 + 名气, not 有名 + 气).  A name keeps its longest
    first word (中山 + 路: 中 is met far more often than 中山), a word said as AABB stays whole (干干净净), and
    a word with the r of erhua is the word and its r (冲劲 + 儿).

    >>> _dictionary_words('昨天晚上'), _dictionary_words('七十多岁'), _dictionary_words('五百米')
    (['昨天', '晚上'], ['七十', '多', '岁'], ['五百', '米'])
    >>> _dictionary_words('十分钟'), _dictionary_words('几分钟'), _dictionary_words('洗衣服')
    (['十', '分钟'], ['几', '分钟'], ['洗', '衣服'])
    >>> _dictionary_words('中山路', 'ns'), _dictionary_words('干干净净'), _dictionary_words('冲劲儿')
    (['中山', '路'], ['干干净净'], ['冲劲', '儿'])
    """
    if len(word) < 3 or _listed(word) or _aabb(word):
        return [word]
    if word[-1] in "儿兒" and _listed(word[:-1]):
        return [word[:-1], word[-1]]
    size = len(word)
    if flag[:2] in ("nr", "ns", "nt", "nz"):  # a name: its longest first word, and so on (中山 + 路)
        parts, start = [], 0
        while start < size:
            end = start
            while end < size and word[end] in _NUMERALS:
                end += 1  # a number: 八百
            if end < start + 2:
                end = next(iter(_listed_ends(word, start)), start + 1)
            parts.append(word[start:end])
            start = end
        return parts
    # best[i]: how word[i:] is best split, as (words, words mixing a number with more, -log-frequency), and the cuts
    best: list[tuple[tuple[int, int, float], tuple[int, ...]]] = [((0, 0, 0.0), ())] * (size + 1)
    for start in range(size - 1, -1, -1):
        run = start
        while run < size and (word[run] in _NUMERALS or word[run] == "几"):  # 十几, 几十
            run += 1
        ends = _listed_ends(word, start)
        if run > start + 1 and run not in ends:
            ends.insert(0, run)  # a number, listed or not: 二十三
        ends.append(start + 1)
        chosen: tuple[tuple[int, int, float], tuple[int, ...]] | None = None
        for end in ends:  # the longest first: the fewest words, so that most others are never weighed
            (pieces, mixed, weight), cuts = best[end]
            rank = (pieces + 1, mixed + (run > start and end > run))
            if chosen is not None and rank > chosen[0][:2]:
                continue
            cost = (*rank, weight - _weight(word[start:end]))
            if chosen is None or cost < chosen[0]:
                chosen = (cost, (end, *cuts))
        best[start] = chosen  # type: ignore[assignment]
    return [word[a:b] for a, b in pairwise((0, *best[0][1]))]


def _listed_ends(word: str, start: int) -> list[int]:
    """Where the CC-CEDICT words of two to four characters that begin at *start* in *word* end, the longest first;
    never the whole of *word*, which CC-CEDICT lacks."""
    longest = min(len(word) - (start == 0), start + 4)
    return [end for end in range(longest, start + 1, -1) if _listed(word[start:end])]


@lru_cache(maxsize=1 << 14)
def _weight(word: str) -> float:
    """How often jieba meets *word*, as the log of its count."""
    return math.log(segment.word_count(word) + 1)


def _aabb(word: str) -> bool:
    """Whether *word* is a two-character word said as AABB: 高高兴兴, 干干净净."""
    return len(word) == 4 and word[0] == word[1] != word[2] == word[3] and is_hanzi(word[0]) and is_hanzi(word[2])


def _is(flag: str, *kinds: str) -> bool:
    """Whether jieba's tag *flag* is of one of the *kinds* (``v`` covers ``vn``, ``vd``)."""
    return flag.startswith(kinds)


def _single(
    word: str, before: _Token | None, after: _Token | None, yi_open: bool, repeated: bool = False
) -> str | None:
    """The reading of a one-character word that depends on its neighbours, or None.

    *repeated*: the word before it is said twice (一步一步, 一个一个), which makes 地 the adverbial particle, as a
    reduplicated word before it does (慢慢, 高高兴兴).
    """
    prev_flag = before[1] if before else "x"
    next_flag = after[1] if after else "x"
    prev_word = before[0] if before else ""
    after_verb = _is(prev_flag, "v", "a") or (before is not None and before[2] is not None and prev_flag == "")
    if word in ("着", "著") and after is not None and after[0][:1] == "了" and after_verb:
        return "zháo"  # 找着了, 猜着了: the complement "to reach the goal" (看着 keeps zhe)
    if word in ("的", "了", "着"):
        return _PARTICLES[word]
    if word == "儿":  # 画画儿 huàhuàr: jieba's 儿 after a word it cut off is that word's r (一儿一女 keeps ér)
        return (
            "r"
            if is_hanzi(prev_word[-1:]) and not _is(prev_flag, "m", "x") and prev_word[-1] not in "儿女而二耳"
            else None
        )
    if word == "著":  # OpenCC keeps it in simplified text: the particle after a verb (看著我), else zhù (他著的书)
        return "zhe" if after_verb else None
    if word == "地":
        if after is not None and next_flag == "" and after[2] is not None:
            next_flag = segment.tag(after[0])  # a word the article annotated: jieba's tag of it as one word
        reduplicated = (len(prev_word) == 2 and prev_word[0] == prev_word[1]) or (
            len(prev_word) == 4 and prev_word[0] == prev_word[1] != prev_word[2] == prev_word[3]
        )
        if repeated or reduplicated:
            return "de"  # 一步一步地走, 慢慢地, 高高兴兴地回家: the particle, whatever jieba tags the words around
        if not prev_word or prev_flag == "x" or prev_word[-1:] in _BEFORE_LAND or prev_word in _TILL_LAND:
            return "dì"  # 这块地, 把地扫干净, 我的地, 种地, a clause that opens with it: the land, the ground
        # jieba's dictionary tags the words that 地 follows badly (高兴 b, 开心 v, 热情 n, 大声 m), and the noun
        # it mostly joins to its neighbours (地方, 土地, 地上): a verb, a preposition or an idiom after 地 makes it
        # the particle (开心地笑, 大声地说, 愉快地在公园里玩, 焦急地转来转去); an adverb or adjective only after a
        # word tagged as a quality (地很滑 is the ground).
        if _is(next_flag, "v", "p", "i", "l"):
            return "de"
        return "de" if _is(prev_flag, "a", "d", "z") and _is(next_flag, "a", "d") else "dì"
    if word == "得":
        if after_verb:
            return "de"
        if prev_flag == "r" and (_is(next_flag, "v", "d") or (after is not None and after[0].startswith(_MUST_BEFORE))):
            return "děi"  # 我得先走: must
        # a degree after it makes it the complement's particle whatever jieba tags the word before (相处 d)
        return "de" if after is not None and after[0] in _DEGREE and prev_flag != "r" else "dé"
    if word == "过":
        return "guo" if after_verb else "guò"
    if word == "还":
        takes_object = _is(next_flag, "n", "r", "m", "q", "x") or (after is not None and after[0] == "给")
        returned = prev_word[-1:] in ("借", "归", "偿", "退")
        return "huán" if takes_object or returned else "hái"
    next_word = after[0] if after else ""
    if word == "为" and (yi_open or next_word == "人"):
        return "wéi"  # 以学生为中心; 他为人很好, 为人父母 (but 为人民 wèi)
    if word == "种" and next_word in ("了", "着", "过"):
        return "zhòng"  # 种了很多树: to plant
    if word == "数" and (next_word in ("了", "着", "过") or _is(next_flag, "n")) and not _is(prev_flag, "m"):
        return "shǔ"  # 数了数钱, 数钱: to count
    if word == "空" and prev_word in ("有", "没", "没有"):
        return "kòng"  # 我没有空: free time
    if word == "干" and prev_word in _DEGREE:
        return "gān"  # 天气很干, 太干了: dry
    if word in _SURNAMES and next_word in _TITLES:
        return _SURNAMES[word].lower()  # 曾先生 zēng, 单老师 shàn: a surname before a title, capitalised by _marked
    if word == "只" and next_word[:1] not in _CLAUSE_END and not _is(next_flag, "v", "d", "p", "c", "u"):
        counted = prev_word[-1:] in _COUNTED or prev_word[-1:] == "只"  # 三只, 一只只: the measure word, said twice
        if counted or prev_word in _DEMONSTRATIVES or (prev_word == "有" and _is(next_flag, "n")):
            return "zhī"  # 这只狗, 每只羊, 有只猫: the measure word (这只会, 只想 keep zhǐ "only")
    if word in ("来", "去") and len(prev_word) == 2 and prev_word[1] in _TOWARDS and _is(prev_flag, "v", "l"):
        # 走进来 zǒujìn lai, 爬上去 páshàng qu: jieba's verb and direction, then the direction's end, unstressed
        return _COMPLEMENTS[prev_word[1] + word]
    if word == "背" and (next_word in _CARRIED or next_word == "起"):
        return "bēi"  # 背书包, 背起书包: to carry on the back (背书, 背课文 keep bèi, to recite)
    if (
        word == "量"
        and (next_word in _MEASURED or next_word[:1] in ("了", "过", "着"))
        and not _listed(prev_word + word)
    ):
        return "liáng"  # 量一下, 量了体温: to measure (这个量太大了, 辐射量 keep liàng, the amount)
    if word == "调" and next_word[:1] in _ADJUSTED:
        return "tiáo"  # 把声音调大: to adjust (调到北京 keeps diào)
    if word == "冲" and _is(next_flag, "r") and not _is(prev_flag, "nr"):  # not a given name (令狐冲)
        return "chòng"  # 他冲我笑: towards someone; 冲咖啡 keeps chōng
    if word == "教" and _is(next_flag, "r", "nr"):
        return "jiāo"  # 老师教我们: to teach someone; 产教融合 keeps jiào
    if word == "长":  # jieba tags it an adjective either way: 很长 cháng, 长高 / 长得 / 他长了一岁 zhǎng
        grows = next_word[:1] in _GROWS or (next_word == "了" and not _is(prev_flag, "d", "zg"))
        return "zhǎng" if grows else "cháng"
    return None


@lru_cache(maxsize=1024)
def _annotated_verb(word: str) -> bool:
    """Whether jieba reads *word*, one the annotator read, as a single verb: 盛(chéng)出来 chéng chūlai, but
    银行(yínháng)出来 a bank and 出来 chūlái."""
    words = segment.tagged(word)
    return len(words) == 1 and _is(words[0][1], "v")


def _pair(word: str, before: _Token | None, after: _Token | None, earlier: str) -> tuple[str, ...] | None:
    """The reading of a two-character word whose senses CC-CEDICT reads apart, by its neighbours, or None.

    pypinyin reads each of these by the sense a dictionary lists first; a
    learner's text mostly means the other.  *earlier* is the word before
    *before*.

    >>> _pair('东西', ('买', 'v', None), ('。', 'x', None), '')
    ('dōng', 'xi')
    """
    prev_word = before[0] if before else ""
    prev_flag = before[1] if before else "x"
    next_word = after[0] if after else ""
    next_flag = after[1] if after else "x"
    if word == "东西":
        # east and west only with a length, a direction or the other two points: 东西长三千公里, 东西走向, 南北东西
        compass = next_word[:1] in _EAST_WEST_NEXT or next_word in _EAST_WEST_WORDS or prev_word in ("南北", "南北向")
        return ("dōng", "xī") if compass else ("dōng", "xi")
    if word == "多少":
        # more or less before a verb or an adverb (多少有点累, 多少知道一些), else how many (多少钱, 有多少人)
        return ("duō", "shǎo") if _is(next_flag, "v", "d") else ("duō", "shao")
    if word == "地方":
        # local, regional before a noun (地方政府, 地方特色) and beside the centre (中央和地方); else a place
        determined = _is(prev_flag, "r", "m", "q") or prev_word[-1:] in ("个", "些", "的") or prev_word in _MANY
        if (
            (_is(next_flag, "n", "vn") and not determined)
            or prev_word in ("中央", "各级")
            or (prev_word in ("和", "与", "及") and earlier == "中央")
        ):
            return ("dì", "fāng")
        return ("dì", "fang")
    if word == "精神" and prev_word in _DEGREE:
        return ("jīng", "shen")  # 他很精神: lively
    if word == "地道" and (prev_word in _DEGREE or (next_word == "的" and prev_word[-1:] not in ("条", "挖"))):
        return ("dì", "dao")  # 很地道, 一口地道的北京话: authentic (一条地道的出口 stays the tunnel)
    if word == "大意" and (prev_word in _DEGREE or next_word == "了"):
        return ("dà", "yi")  # 你太大意了: careless
    verb = _is(prev_flag, "v", "l") or (prev_flag == "" and before is not None and _annotated_verb(prev_word))
    if word in _COMPLEMENTS and verb and prev_word not in _MODALS:
        # a direction after a verb, its second syllable unstressed (拿出来 ná chūlai, 跑过去 pǎo guòqu), as
        # CC-CEDICT's complement lines read it; 他过去是老师, 我想出去 keep guòqù, chūqù
        return (_word_reading(word, False)[0], _COMPLEMENTS[word])
    if word[1:] in ("场", "行") and word[:1] in _COUNTING:
        if word[1] == "场" and next_word in _EVENTS:
            return (_word_reading(word, False)[0], "chǎng")  # 一场电影: a showing (一场雨, 一场病 keep cháng)
        trade = word == "一行" and prev_word in ("这", "那", "哪") and next_word[:1] != "人"  # 这一行: a trade
        if word[1] == "行" and (next_word in _LINES_OF or trade):
            return (_word_reading(word, False)[0], "háng")  # 一行字: a line (一行人 keeps xíng, a party)
    if word == "背着" and next_word in _CARRIED:
        return ("bēi", "zhe")  # 背着书包: carrying it on the back (背着手, 背着他 keep bèi)
    if word == "不了" and _is(prev_flag, "v"):
        return ("bu", "liǎo")  # 做不了, 受不了: the potential complement, its 不 unstressed
    if word == "长长" and next_word == "了":
        return ("zhǎng", "cháng")  # 头发长长了: has grown long
    return None


# Characters whose reading as a surname is not their first one (CC-CEDICT's "surname" line; a test holds it), and the
# titles after which they are one.
_SURNAMES = {
    "曾": "Zēng",
    "单": "Shàn",
    "解": "Xiè",
    "仇": "Qiú",
    "朴": "Piáo",
    "区": "Ōu",
    "查": "Zhā",
    "盖": "Gě",
    "华": "Huà",
    "任": "Rén",
    "缪": "Miào",
    "肖": "Xiāo",
    "葛": "Gě",
}
_TITLES = frozenset(("先生", "女士", "小姐", "老师", "教授", "医生", "大夫", "师傅", "同学", "阿姨", "叔叔", "太太"))
# Common surnames read as they read alone (a test holds each to a CC-CEDICT "surname" line), capitalised before a
# title; those that are not also everyday nouns or adjectives are surnames after 小 and 老 too (小李, but 小马 a pony).
# Surnames that are also words said before a title are left out: 和, 向, 连, 于 (和老师一起, 连老师都不知道).
_FAMILIAR_NAMES = frozenset(
    "王李张刘陈杨赵吴周徐孙朱胡郭罗郑梁谢宋唐许韩冯邓曹彭董袁潘蒋蔡杜程苏魏吕沈姚卢姜崔谭陆汪范廖贾邹孟熊秦邱尹薛"
    "侯陶黎贺顾郝龚邵"
)
_FAMILY_NAMES = _FAMILIAR_NAMES | frozenset("黄马高林田叶金石白龙牛钱江方毛万丁夏雷史武孔温康余何钟段严戴莫汤施韦")
_FAMILIAR = frozenset("小老")
# The words :func:`_marked` may write otherwise than alone: 们, the surnames, and 小 or 老 with a surname as one word.
_MARKED = frozenset(("们", *_SURNAMES, *_FAMILY_NAMES, *(a + b for a in _FAMILIAR for b in _FAMILIAR_NAMES)))

# What the compass points 东西 are said with: lengths, directions, sides, the other two points.
_EAST_WEST_NEXT = frozenset("长宽向走两距跨横")
_EAST_WEST_WORDS = frozenset(("之间", "南北", "方向", "文化", "交流", "方"))
# Quantities before 地方 "a place": 很多地方, 有些地方.
_MANY = frozenset(("很多", "许多", "不少", "好多", "有些", "有的", "一些", "每个", "各个", "什么", "哪儿", "别的"))

# What 地 "land, ground" follows: a measure, a demonstrative, 把 or a preposition, 的; and verbs whose object it is.
_BEFORE_LAND = frozenset("块片亩这那把将在到从的")
_TILL_LAND = frozenset(("种", "扫", "耕", "拖", "下", "买", "卖", "租", "翻", "犁"))
# The directions a verb takes as its complement, and their unstressed second syllable; the verbs of will and
# ability, after which they are the main verb (我想出去).
_TOWARDS = "出过进回上下起"
_COMPLEMENTS = {f"{first}{second}": second_reading for first in _TOWARDS for second, second_reading in
                (("来", "lai"), ("去", "qu"))}  # fmt: skip
_MODALS = frozenset(
    ("想", "要", "能", "会", "可以", "应该", "应当", "愿意", "敢", "肯", "该", "得", "打算", "准备", "需要")
)
# What the measure word 只 zhī follows within a word or as the word before it: a number (三只, 两只手, 几只); and
# the demonstratives before it (这只狗, 每只羊).
_COUNTED = frozenset("〇零一二三四五六七八九十百千万亿两几半")
_DEMONSTRATIVES = frozenset(("这", "那", "哪", "每", "各", "某", "这几", "那几"))
_COUNTING = _COUNTED | _DEMONSTRATIVES  # what opens a two-character count read by what follows it (一场, 这行)
# The one-character words :func:`_single` reads by their neighbours, and the two-character ones :func:`_pair` reads.
_CONTEXTUAL = frozenset(
    [
        *"的了着著地得过还为长冲教种数干空只调量背儿来去曾单解仇朴区查盖华任缪肖葛",
        *"东西 多少 地方 精神 地道 大意 长长 不了 背着".split(),
        *_COMPLEMENTS,
        *(f"{first}{measure}" for first in _COUNTING for measure in "场行"),
    ]
)
# Adverbs of degree: what follows them is a quality (很干 gān "dry", not 干 gàn "to do").
_DEGREE = frozenset(("很", "太", "真", "挺", "非常", "特别", "比较", "更", "最", "有点", "有点儿", "十分", "极"))
# What 量 liáng "to measure" is followed by: a try, or what is measured (量一下, 量体温).
_MEASURED = frozenset(
    ("一下", "一下儿", "一次", "一遍", "体温", "身高", "体重", "血压", "尺寸", "长度", "距离", "温度", "大小", "腰围")
)
# Adverbs jieba tags otherwise that make 得 after a pronoun "must": 我们得好好学习 (好好学习 n), 得好好儿 (l).
_MUST_BEFORE = ("好好", "赶快", "赶紧", "马上")
# Where jieba tags a word ending in one of these a place word (山上, 山下), it is a place and its position, not the
# name CC-CEDICT may give it alone (山上 a township in Taiwan, 山下 Yamashita); 中 and 内 end names (关中, 河内).
_ON_UNDER_IN = frozenset("上下里")
# A lone 儿 read as the r of the word before it (:func:`_single`); what marks a syllable joined to the word before
# it (that r, the 们 of 同学们) until the words are spaced.
_ERHUA, _GLUE = ("r",), "\x00"
# What 场 counts as chǎng, a showing or a match (一场电影); it is cháng for rain, illness or a dream.  What 行 counts
# as háng, a line (一行字); it is xíng for a party of travellers (一行人).
_EVENTS = frozenset(("电影", "比赛", "球赛", "演出", "表演", "考试", "音乐会", "晚会", "会议", "讲座", "戏", "战斗"))
_LINES_OF = frozenset(("字", "汉字", "文字", "诗", "代码", "眼泪", "泪", "树", "小字"))
# What is carried on the back, 背 bēi (背书包, 背着孩子).
_CARRIED = frozenset(("书包", "包", "背包", "孩子", "小孩", "行李", "袋子", "箱子", "篓子", "柴"))
# What 调 tiáo "to adjust" takes as its result: 调低, 调大一点 (调到北京, 调查 are diào).
_ADJUSTED = frozenset("高低大小亮暗快慢好准")
# What follows 长 when it means "to grow": complements and aspect particles.
_GROWS = frozenset("得着高大出成胖满")


def _listed(word: str) -> bool:
    """Whether CC-CEDICT has a line of *word*: ``bool(rows(word))``, from the reading table when one is in use."""
    table = current_table()
    return table.get(word) is not None if table is not None else bool(rows(word))


@lru_cache(maxsize=1 << 16)
def _word_reading(word: str, verb: bool) -> tuple[str, ...]:
    """Memoised: a sentence's words repeat across a book, and each costs dictionary lookups.

    A dictionary word's reading comes from the reading table when one is in
    use (:mod:`deckgen.readingtable`), which holds :func:`reading_alone`'s
    answer for every word CC-CEDICT lists.
    """
    table = current_table()
    if table is not None:
        found = table.get(word)
        if found is not None and found[:1] != LIVE:
            return tuple(found[1:].split(" "))
    return reading_alone(word, verb)


def reading_alone(word: str, verb: bool) -> tuple[str, ...]:
    """*word*'s syllables as a sentence reads it, whatever its neighbours: pypinyin's, with CC-CEDICT's neutral
    tones, and the aspect particle of a two-character verb CC-CEDICT lacks (看过 kànguo) if *verb*.

    >>> reading_alone('脏', False), reading_alone('心脏', False), reading_alone('弹琴', False)
    (('zāng',), ('xīn', 'zàng'), ('tán', 'qín'))
    """
    everyday = _EVERYDAY.get(word)
    if everyday is not None:
        return everyday
    # A word CC-CEDICT lists reads as pypinyin reads it (心脏 xīnzàng, where pypinyin has no phrase either).
    if _aabb(word) and not rows(word):
        return _said_as_aabb(word, verb)
    alone = _ALONE if len(word) == 1 or (any(ch in _ALONE for ch in word) and not rows(word)) else None
    syllables = default_readings(word, alone)
    if len(word) > 1:
        syllables = _neutral_as_in_cedict(word, syllables)
        if word[-1] in "过着了" and verb and len(word) == 2:
            if not rows(word):  # 看过 kànguo: a verb and its aspect particle, not a dictionary word
                syllables = [*syllables[:-1], _PARTICLES[word[-1]]]
        if len(syllables) == len(word) and ("只" in word[1:] or word[0] == "调"):
            _within_word(word, syllables)
        if word[-1] in "儿兒" and syllables[-1:] in (["ér"], ["er"]) and len(syllables) == len(word):
            syllables = _erhua(word, syllables)
    return tuple(syllables)


def _said_as_aabb(word: str, verb: bool) -> tuple[str, ...]:
    """An AABB word CC-CEDICT lacks, read as its word AB is, each syllable twice, a neutral tone said in full:
    漂漂亮亮 piàopiàoliàngliàng (漂亮 piàoliang; pypinyin reads 漂 piāo), 清清楚楚 qīngqīngchǔchǔ.

    >>> reading_alone('漂漂亮亮', False), reading_alone('清清楚楚', False)
    (('piào', 'piào', 'liàng', 'liàng'), ('qīng', 'qīng', 'chǔ', 'chǔ'))
    """
    base = _word_reading(word[0] + word[2], verb)
    if len(base) != 2:
        return tuple(default_readings(word, None))
    first, second = base
    if tone_of(second) not in (1, 2, 3, 4):
        second = _word_reading(word[2], verb)[0]
    return (first, first, second, second)


def _erhua(word: str, syllables: list[str]) -> list[str]:
    """A word ending in 儿 that pypinyin reads with a syllable ér: CC-CEDICT's reading where every line of the word
    joins the r to the syllable before (好好儿 hǎohāor), the r itself where CC-CEDICT lacks a word said twice before
    it (慢慢儿 mànmànr); as pypinyin reads it where some line says ér (女儿 nǚ'ér, 花儿 huā'ér or huār) or
    CC-CEDICT lacks the word (鱼儿 yú'ér, the name 喜儿 Xǐ'ér).

    >>> reading_alone('好好儿', False), reading_alone('慢慢儿', False), reading_alone('女儿', False)
    (('hǎo', 'hāo', 'r'), ('màn', 'màn', 'r'), ('nǚ', 'ér'))
    """
    lines = readings(word)
    if not lines:
        said_twice = len(word) == 3 and word[0] == word[1]
        return [*syllables[:-1], "r"] if said_twice else syllables
    if all(line and line[-1].lower() == "r5" for line in lines):
        theirs = [s.lower() for s in marked_syllables(lines[0])]
        if len(theirs) == len(word):
            return theirs
    return syllables


def _within_word(word: str, syllables: list[str]) -> None:
    """Readings a word's own characters decide, in place: 只 after a number is the measure word zhī (三只, 脚踩两只船,
    as CC-CEDICT reads every such word), and a word that opens with 调 and a result is tiáo "to adjust" (调低, 调大,
    as CC-CEDICT reads 调准; a test holds both to CC-CEDICT).

    >>> reading_alone('三只', False), reading_alone('调低', False)
    (('sān', 'zhī'), ('tiáo', 'dī'))
    """
    for at in range(1, len(word)):
        if word[at] == "只" and word[at - 1] in _COUNTED:
            syllables[at] = "zhī"
    if word[0] == "调" and word[1] in _ADJUSTED:
        syllables[0] = "tiáo"


_NUMERALS = frozenset("〇零一二三四五六七八九十百千万亿两第")
_PLACES = frozenset("百千万亿")  # the place values 一 says yì or yí before: 一百 yìbǎi, 一万 yíwàn
_ORDINAL_AFTER = frozenset("月号號")  # what makes 一 a number before it: 一月 the first month, 五月一号 the first day

# Words whose everyday sense CC-CEDICT reads with a neutral tone, where pypinyin reads the rare sense of another of
# its lines: 告诉 gàosu "to tell" (gàosù "to press charges"), 故事 gùshi "story" (gùshì "old practice"), 大夫 dàifu
# "doctor" (dàfū, an official of imperial China).  Simplified and traditional forms; each reading is one of the
# word's CC-CEDICT lines (a test holds it).
_EVERYDAY: dict[str, tuple[str, ...]] = {
    word: tuple(reading.split())
    for forms, reading in (
        ("告诉 告訴", "gào su"),
        ("妻子", "qī zi"),
        ("故事", "gù shi"),
        ("大夫", "dài fu"),
        ("生意", "shēng yi"),
        ("说法 說法", "shuō fa"),
        ("大爷 大爺", "dà ye"),
        ("本事", "běn shi"),
        ("大方", "dà fang"),
        ("结实 結實", "jiē shi"),
        ("出息", "chū xi"),
    )
    for word in forms.split()
}

# Characters whose first reading in pypinyin is the one they have inside words (心脏 xīnzàng, 子弹 zǐdàn, 感觉
# gǎnjué), while the character alone, or in a word neither pypinyin's phrases nor CC-CEDICT list, reads
# otherwise: 太脏了 zāng, 弹钢琴 tán, 睡了一觉 jiào, 削苹果 xiāo (剥削 bōxuē), 挣钱 zhèng (挣扎 zhēngzhá).  (教 and
# 切 alone go both ways: 他教我 jiāo but 产教融合 jiào, 切菜 qiē but 紧切 qiè; 教 is read by its neighbours,
# :func:`_single`.)
_ALONE = {"脏": "zāng", "弹": "tán", "觉": "jiào", "削": "xiāo", "挣": "zhèng"}


# Polyphones whose reading as a verb is not their first one, for the V一V pattern (数一数 shǔ yi shǔ).
_VERB_READING = {"数": "shǔ", "量": "liáng", "称": "chēng", "扇": "shān", "转": "zhuàn", "调": "tiáo", "背": "bèi"}


def _sandhi(
    chars: list[str],
    syllables: list[str | None],
    marks: Sequence[int] | None = None,
    starts: Container[int] | None = None,
) -> None:
    """一 and 不 as they are said, in place: 不要 búyào, 一口 yìkǒu, 一个 yígè; never in numbers (第一, 十一, 一月).

    In a verb said twice around 一 (看一看, 数一数) the 一 is neutral and both verbs read alike: kàn yi kàn; so is
    the 不 of a question asked as A-not-A (去不去 qù bu qù, 喜不喜欢 xǐ bu xǐhuan).
    *marks* are the places of every 一 and 不 in *chars*, in order, if the caller knows them: nothing happens at
    any other place, so the loop visits only those.  *starts* are the places where the sentence's words begin, if
    known: the A before an A-not-A's 不 is a word of its own or one with the 不 (是不是), never the end of a longer
    one (大学不学习 is dàxué bù xuéxí).
    """
    if len(chars) != len(syllables):
        raise ValueError("one syllable a character")
    if marks is None:
        marks = [i for i, char in enumerate(chars) if char == "一" or char == "不"]
    for i in marks:
        char, syllable = chars[i], syllables[i]
        if (
            char == "一"
            and _said_twice_around(chars, i)
            and (i < 2 or chars[i - 2] != "一")  # 一天一天 is yì tiān yì tiān
            and syllables[i - 1] is not None
        ):
            verb = _VERB_READING.get(chars[i - 1], syllables[i - 1])
            syllables[i - 1] = syllables[i + 1] = verb
            syllables[i] = "yi"
            continue
        if (
            char == "不"
            and _said_twice_around(chars, i)
            and (i < 2 or chars[i - 2] not in "不一")  # 不要不要 is búyào búyào, 一动不动 yídòng búdòng
            and (starts is None or i - 1 in starts or i not in starts)
        ):
            syllables[i] = "bu"  # a question asked as A-not-A: 去不去, 是不是, 喜不喜欢 (its 不 unstressed)
            continue
        following = chars[i + 1] if i + 1 < len(chars) else ""
        if (
            char == "一"
            and (
                (following not in _PLACES and (following in _NUMERALS or following in _ORDINAL_AFTER))
                or (i and chars[i - 1] in _NUMERALS)
                or (following == "日" and i and chars[i - 1] == "月")  # 一月一日: the first of the month
                or (following == "年" and chars[i + 2 : i + 3] in (["级"], ["級"]))  # 一年级: the first grade
            )
        ):
            # a number or an ordinal, even where pypinyin's phrase table says otherwise (一月, 一号, 一九九八, 十一,
            # 第一); but 一 before 百, 千, 万 or 亿 opens the number and changes as before any syllable (一百 yìbǎi)
            syllables[i] = "yī"
            continue
        if (char, syllable) not in (("一", "yī"), ("不", "bù")) or i + 1 >= len(chars) or syllables[i + 1] is None:
            continue
        tone = tone_of(syllables[i + 1] or "")
        if char == "不":
            syllables[i] = "bú" if tone == 4 else "bù"
        elif tone in (1, 2, 3, 4):
            syllables[i] = "yí" if tone == 4 else "yì"


def _said_twice_around(chars: list[str], i: int) -> bool:
    """Whether the same character, a hanzi and not a numeral, stands either side of ``chars[i]``: 看一看, 去不去."""
    return (
        0 < i < len(chars) - 1
        and chars[i - 1] == chars[i + 1]
        and is_hanzi(chars[i - 1])
        and chars[i - 1] not in _NUMERALS
    )


def sentence_pinyin(example: Example, annotated: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """Tone-marked pinyin of an example sentence, word by word.

    *annotated* maps words the article annotated elsewhere to their readings.

    >>> sentence_pinyin(Example('我们2021年的', '关键', '，好！', readings=((8, ('guān', 'jiàn')),)))
    'wǒmen 2021 nián de guānjiàn, hǎo!'
    >>> sentence_pinyin(Example('', '他', '还没有把书还给我，慢慢地走过来。'))
    'tā hái méiyǒu bǎ shū huángěi wǒ, mànmàn de zǒu guòlai.'
    >>> sentence_pinyin(Example('', '她', '说：“不要一口吃完。”'))
    'tā shuō: “búyào yìkǒu chī wán.”'
    """
    index = annotated if isinstance(annotated, Annotated) else Annotated(annotated or {})
    key = (example.text, example.readings)
    said = index.said.get(key)
    return said if said is not None else index.said.keep(key, _read_aloud(example, index))


_SENTENCES_KEPT = 4096


def _read_aloud(example: Example, index: Annotated) -> str:
    """:func:`sentence_pinyin` of a sentence not read yet."""
    tokens, plain = _tokens(example, index)  # plain: what the rules read, the same words in simplified characters
    text = example.text
    # Only 一 and 不 are said otherwise than they read alone: without them each word is written as it is read.
    sandhi = "一" in text or "不" in text
    # With them, one entry per token first: its syllables (None for punctuation and other text) and whether the
    # annotator gave them.
    readings: list[tuple[tuple[str, ...] | None, bool]] = []
    words: list[str] = []
    yi_open = False
    last = len(tokens) - 1
    for at, (word, flag, reading) in enumerate(tokens):
        syllables = reading
        said = plain[at][0]
        if reading is None:
            if flag == "x" and not is_hanzi(word[:1]):
                pass  # punctuation, or a run of Latin letters, digits or signs
            elif said in _CONTEXTUAL:
                before = plain[at - 1] if at else None
                after = plain[at + 1] if at < last else None
                if len(said) == 1:
                    repeated = at > 1 and is_hanzi(plain[at - 1][0][:1]) and plain[at - 1][0] == plain[at - 2][0]
                    single = _single(said, before, after, yi_open, repeated)
                    syllables = (single,) if single else _word_reading(word, _is(flag, "v"))
                else:
                    earlier = plain[at - 2][0] if at > 1 else ""
                    syllables = _pair(said, before, after, earlier) or _either_reading(word, said, _is(flag, "v"))
            elif said is word or len(word) == 1:  # a character alone reads as itself: 髮 fà, where 发 is fā
                syllables = _word_reading(word, _is(flag, "v"))
            else:
                syllables = _either_reading(word, said, _is(flag, "v"))
        if said == "以":
            yi_open = True
        elif said == "为" or said in _CLAUSE_END:
            yi_open = False
        if sandhi:
            readings.append((syllables, reading is not None))
        if syllables is None:
            words.append(_PUNCT.get(word, word))
        elif len(syllables) != len(word):
            words.append(join_syllables(syllables))
        elif syllables == _ERHUA and said == "儿":
            words.append(_GLUE + "r")  # joined to the word before it, once the words are spaced
        elif reading is None and (said in _MARKED or flag == "s"):
            words.append(_marked(word, syllables, flag, plain, at, words))
        else:
            words.append(_written(word, syllables))
    if sandhi:
        _said_words(tokens, readings, words)
    spaced = " ".join(words)
    if _GLUE in spaced:
        spaced = spaced.replace(" " + _GLUE, "")
    spaced = _SPACE_BEFORE.sub(r"\1", spaced)
    spaced = _SPACE_AFTER.sub(r"\1", spaced)
    return _SPACES.sub(" ", spaced).strip()


def _marked(word: str, syllables: tuple[str, ...], flag: str, plain: list[_Token], at: int, words: list[str]) -> str:
    """How *word*, read as *syllables*, is written where pinyin writes it otherwise than alone (:data:`_MARKED`, or
    jieba's place words); *words*: those written before it, where a name's 小 or 老 is capitalised."""
    said = plain[at][0]
    if said == "们":
        if at and _plural_of(plain[at - 1]):
            return _GLUE + _written(word, syllables)  # 同学们 tóngxuémen, as pinyin writes a plural
    elif len(said) == 1 and _named(plain, at):
        if at and plain[at - 1][0] in _FAMILIAR:
            words[-1] = _capitalised(words[-1])
        return _capitalised(join_syllables(syllables))  # 王老师 Wáng lǎoshī, 小李 Xiǎo Lǐ
    elif len(said) == 2 and said[0] in _FAMILIAR and _familiar(plain, at):
        return " ".join(_capitalised(syllable) for syllable in syllables)  # 老王 as one word: Lǎo Wáng
    elif flag == "s" and said[-1] in _ON_UNDER_IN:
        return join_syllables(syllables)  # 山上 "on the mountain", never CC-CEDICT's township Shānshàng
    return _written(word, syllables)


def _named(plain: list[_Token], at: int) -> bool:
    """Whether ``plain[at]``, one of :data:`_FAMILY_NAMES` or :data:`_SURNAMES`, is a surname there: before a title
    (王老师, 刘医生, 曾先生), or after 小 or 老 if it is not also an everyday word (小李, 老王; not 小马, 老马).  Pinyin
    capitalises it."""
    word = plain[at][0]
    if at + 1 < len(plain) and plain[at + 1][0] in _TITLES:
        return True
    return word in _FAMILIAR_NAMES and at > 0 and plain[at - 1][0] in _FAMILIAR and _familiar(plain, at - 1)


def _familiar(plain: list[_Token], at: int) -> bool:
    """Whether the 小 or 老 at ``plain[at]`` can open a name: no number before it (一小张纸 is a small sheet)."""
    return at == 0 or not _is(plain[at - 1][1], "m")


def _capitalised(syllables: str) -> str:
    return syllables[:1].upper() + syllables[1:]


def _plural_of(token: _Token) -> bool:
    """Whether 们 after *token* makes it plural, so that pinyin writes them as one word (同学们 tóngxuémen): a noun or
    pronoun, or a word the annotator read."""
    word, flag, _ = token
    return is_hanzi(word[-1:]) and (flag == "" or _is(flag, "n", "r"))


def _either_reading(word: str, said: str, verb: bool) -> tuple[str, ...]:
    """The reading of a traditional word of several characters by its simplified form *said*, as pypinyin's phrases
    are written (還給 by 还给 huángěi), unless pypinyin cannot read that form (OpenCC turns some rare traditional
    characters into rarer simplified ones: 欑 into 𪴙)."""
    syllables = _word_reading(said, verb)
    if said != word and any(is_hanzi(syllable[:1]) for syllable in syllables):
        return _word_reading(word, verb)
    return syllables


def _said_words(tokens: list[_Token], readings: list[tuple[tuple[str, ...] | None, bool]], words: list[str]) -> None:
    """Rewrite, in *words* (one a token, each as it reads alone), the words whose 一 or 不 is said otherwise, and the
    verbs around a neutral 一 (看一看); a word the annotator read keeps the annotator's reading."""
    chars: list[str] = []
    flat: list[str | None] = []
    starts: list[int] = []  # where each token's syllables begin in flat
    marks: list[int] = []  # where each 一 and 不 is
    for (word, _, _), (syllables, _) in zip(tokens, readings, strict=True):
        at = len(chars)
        starts.append(at)
        if syllables is None or len(syllables) != len(word):
            chars.append("")
            flat.append(None)
            continue
        if "一" in word or "不" in word:
            marks.extend(at + i for i, char in enumerate(word) if char == "一" or char == "不")
        chars.extend(word)
        flat.extend(syllables)
    if not marks:
        return
    before = flat.copy()
    _sandhi(chars, flat, marks, set(starts))
    # Only a 一 or 不 and the characters either side of one can change.
    changed = sorted({p for i in marks for p in (i - 1, i, i + 1) if 0 <= p < len(flat) and flat[p] != before[p]})
    done = -1
    for place in changed:
        index = bisect_right(starts, place) - 1
        if index == done:
            continue
        done = index
        word = tokens[index][0]
        syllables, given = readings[index]
        if given or syllables is None or len(syllables) != len(word):
            continue  # the annotator's reading as given; punctuation and other text have no syllables to change
        start = starts[index]
        words[index] = _written(word, syllables, tuple(s or "" for s in flat[start : start + len(word)]))


_SPACE_BEFORE = re.compile(r"\s+([,.!?;:)\]”’])")
_SPACE_AFTER = re.compile(r"([(\[“‘])\s+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def _written(word: str, syllables: tuple[str, ...], said: tuple[str, ...] = ()) -> str:
    """*word* read as *syllables* (or as *said* in its sentence), joined, capitalised if a proper noun (Běijīng)."""
    out = list(said or syllables)
    if _proper(word, syllables):
        out[0] = out[0][:1].upper() + out[0][1:]
    return join_syllables(out)
