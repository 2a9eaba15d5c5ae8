"""The example sentence of each occurrence: the one the word was annotated in.

The sentence is found from the annotation's own offset, never by searching
for the characters, so 稳(wěn) shows 蹄疾步稳 and not the later 稳岗.  A line
is laid out once (:func:`layout`), then every annotation on it finds its
sentence by bisection, so a long line costs no more than its length.

What a teacher expects of an example sentence (README, "What a card shows"):

* sentences end at 。！？；… and clauses at ，, but never inside quotation
  marks or brackets (“…” 「…」 （…） 《…》), and never at 、 or ：; every
  example has balanced quotes and brackets;
* long sentences are cut to the clause holding the word plus as many
  neighbouring clauses as fit; a long quotation is cut inside its marks,
  which then stay outside the example;
* source and byline lines, (来源:… 作者:…), 记者 …, are never examples;
* exam option labels (A. B. C. D.) are not part of a sentence, and on a
  line of several options only the option holding the word is kept.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate

MAX_CHARS = 40
# A quotation longer than this is cut inside its marks rather than shown whole.
MAX_WHOLE = 80
# Longer than any example the rules above make, except one clause with no mark to cut at.
MAX_CUT = 200
_TRIM = "，,：:、 \u3000"
_PAIRS = {
    "“": "”",
    "‘": "’",
    "「": "」",
    "『": "』",
    "（": "）",
    "(": ")",
    "《": "》",
    "〈": "〉",
    "【": "】",
    "［": "］",
    "〔": "〕",
    "[": "]",
    "{": "}",
}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}
_QUOTE_CLOSERS = frozenset('”’」』"')
_TERMINATORS = frozenset("。！？!?；;…")
_CLAUSE_MARKS = frozenset("，,")
_DOTS = re.compile(r"\.{3,}")
# Where a line's scans stop: the rest of its characters are skipped by the regex engine, not by a Python loop.
_MARKS = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_CLOSERS) + '"') + "]")
_TERMINATOR_MARKS = re.compile("[" + re.escape("".join(_TERMINATORS)) + "]")
_SENTENCE_ENDS = re.compile(_TERMINATOR_MARKS.pattern + "|" + _DOTS.pattern)  # for lines with a run of dots
_CLAUSE_ENDS = re.compile("[" + re.escape("".join(_CLAUSE_MARKS)) + "]")
# Bylines: inside brackets anywhere, or a line that starts with one of these words.
_BYLINE_WORDS = r"(?:来源|作者|记者|编辑|责编|责任编辑|通讯员|摄影|供图|出处|原标题|图片来源)"
_BYLINE_ANYWHERE = re.compile(r"(?=(" + _BYLINE_WORDS + r"\s*[:：\s]))")
# What every byline word is followed by: a line without any has none (the scan above tries every position).
_BYLINE_END = re.compile(r"[:：\s]")
_BYLINE_LINE = re.compile(r"^[\s\u3000]*(?:本报)?" + _BYLINE_WORDS + r"[\s\u3000]*[:：\s\u3000]")
# Exam options, "A．", "B、", "C.", "(D)", at the start of a line or after a space; question numbers, "3．".
_OPTION = re.compile(
    r"(?:(?<=^)|(?<=[\s\u3000]))(?:[A-DＡ-Ｄ][.．、]|[(（][A-DＡ-Ｄ][)）])[\s\u3000]*|^[\s\u3000]*(?:[0-9０-９]{1,3}[.．、](?![0-9])|[(（][0-9０-９]{1,2}[)）])[\s\u3000]*"
)


# Table cells (OCR of a Markdown table) and literal line breaks separate items just as option labels do.
_SEPARATOR = re.compile(_OPTION.pattern + r"|[\s\u3000]*(?:\||<br\s*/?>)[\s\u3000]*", re.IGNORECASE)
# A separator always holds one of these: A-D in either case and width, a digit, "|" or "<".  A line with none
# has no items, and skips the separator's own scan, which tries its lookbehinds at every character.
_SEPARATOR_HINT = re.compile(r"[A-Da-dＡ-Ｄａ-ｄ0-9０-９|<]")


@dataclass(frozen=True)
class Example:
    """A sentence cut around one word: ``before + word + after``.

    An empty example (no text at all) stands for an occurrence whose only
    context was a byline: the word counts, the line is never shown.
    """

    before: str
    word: str
    after: str
    # Annotated spans inside the sentence, (start, syllables) relative to ``text``:
    # the annotator's readings, which the sentence's pinyin uses before any dictionary.
    readings: tuple[tuple[int, tuple[str, ...]], ...] = field(default=(), compare=False)

    @property
    def text(self) -> str:
        """The plain sentence."""
        return self.before + self.word + self.after


class Layout:
    """Where a line's sentences, clauses, quotations, bylines and exam options are.

    >>> lay = layout('他说：“我来了。你呢？”我笑了。')
    >>> lay.sentence_cuts, lay.pairs
    ((12, 16), ((3, 11),))
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pairs, self.stray = _match_pairs(text)
        depth = [0] * (len(text) + 1)
        for open_at, close_at in self.pairs:
            depth[open_at + 1] += 1
            depth[close_at] -= 1
        self.depth = depth = list(accumulate(depth)) if self.pairs else depth
        self.sentence_cuts = tuple(self._sentence_cuts())
        self.clause_cuts = tuple(m.end() for m in _CLAUSE_ENDS.finditer(text) if depth[m.start()] == 0)
        self.bylines = self._bylines()
        self.items = self._items()

    def _sentence_cuts(self) -> list[int]:
        text, depth, cuts = self.text, self.depth, []
        dots = {m.start(): m.end() for m in _DOTS.finditer(text)} if "..." in text else {}
        ends = _SENTENCE_ENDS if dots else _TERMINATOR_MARKS  # without dots the pattern's second branch never matches
        i = 0
        for found in ends.finditer(text):  # each terminator, and the start of each run of dots
            if found.start() < i:
                continue  # already inside the run of marks that ended the previous sentence
            i = found.start()
            level = depth[i]
            j = dots.get(i, i + 1)
            while j < len(text) and (text[j] in _TERMINATORS or j in dots):
                j = dots.get(j, j + 1)
            while level and j < len(text) and text[j] in _QUOTE_CLOSERS and depth[j + 1] < level:
                level = depth[j + 1]
                j += 1  # 好！” ends the sentence after its closing quote (a bracket does not: 他（在家。）很好。)
            if level == 0:
                cuts.append(j)
            i = j
        return cuts

    def _bylines(self) -> tuple[tuple[int, int], ...]:
        if _BYLINE_LINE.match(self.text):
            return ((0, len(self.text)),)
        if not _BYLINE_END.search(self.text):
            return ()
        # Every byline word once (overlapping too), then each pair looks up the first one inside it:
        # searching each pair's inside again was quadratic in nested brackets.
        words = [(m.start(), m.start() + len(m.group(1))) for m in _BYLINE_ANYWHERE.finditer(self.text)]
        if not words:
            return ()
        starts = [start for start, _ in words]
        found = []
        for open_at, close_at in self.pairs:
            index = bisect_left(starts, open_at + 1)
            if index < len(words) and words[index][1] <= close_at:
                found.append((open_at, close_at + 1))
        return tuple(found)

    @cached_property
    def _byline_index(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Bylines sorted by start with the running furthest end, and their ends sorted, for bisection."""
        by_lo = sorted(self.bylines)
        los = [lo for lo, _ in by_lo]
        reach, furthest = [], -1
        for _, hi in by_lo:
            furthest = max(furthest, hi)
            reach.append(furthest)
        his = sorted(hi for _, hi in self.bylines)
        return los, reach, his, sorted(los)

    def _items(self) -> tuple[tuple[int, int], ...]:
        """Pieces of the line no sentence crosses: exam options, table cells, ``<br>``-separated lines."""
        if not _SEPARATOR_HINT.search(self.text):
            return ()
        items, start = [], 0
        for separator in _SEPARATOR.finditer(self.text):
            items.append((start, separator.start()))
            start = separator.end()
        return (*items, (start, len(self.text))) if items else ()

    @cached_property
    def _inner(self) -> dict[tuple[int, int], Layout]:
        return {}

    def inner(self, pair: tuple[int, int]) -> Layout:
        """The layout of a quotation's inside, made once per quotation."""
        if pair not in self._inner:
            self._inner[pair] = Layout(self.text[pair[0] + 1 : pair[1]])
        return self._inner[pair]

    def byline_at(self, start: int, end: int) -> bool:
        """True when ``text[start:end]`` lies inside a byline."""
        if not self.bylines:
            return False
        los, reach, _, _ = self._byline_index
        index = bisect_right(los, start) - 1
        return index >= 0 and reach[index] >= end

    def beside_bylines(self, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
        """``[lo, hi)`` with the bylines before and after ``[start, end)`` cut off."""
        if not self.bylines:
            return lo, hi
        _, _, his, los = self._byline_index
        index = bisect_right(his, start) - 1
        if index >= 0:
            lo = max(lo, his[index])
        index = bisect_left(los, end)
        if index < len(los):
            hi = min(hi, los[index])
        return lo, hi

    @cached_property
    def enclosing(self) -> tuple[list[int], list[int]]:
        """For each pair, the index of the pair around it (-1: none), and each pair's closing offset."""
        parent: list[int] = []
        stack: list[int] = []
        for index, (open_at, _) in enumerate(self.pairs):
            while stack and self.pairs[stack[-1]][1] < open_at:
                stack.pop()
            parent.append(stack[-1] if stack else -1)
            stack.append(index)
        return parent, [close_at for _, close_at in self.pairs]


def layout(text: str) -> Layout:
    """Lay out one line of clean text (see :class:`Layout`)."""
    return Layout(text)


def _match_pairs(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Matched quote and bracket pairs (sorted by opening), and the positions of stray marks.

    Linear in the line: a closer whose opener is not open is stray at once,
    without searching the stack (50,000 unclosed （ then 》 used to be quadratic).
    """
    stack: list[tuple[str, int]] = []
    open_count: dict[str, int] = {}
    pairs: list[tuple[int, int]] = []
    stray: set[int] = set()
    for found in _MARKS.finditer(text):
        i, ch = found.start(), found.group()
        if ch == '"':
            if open_count.get('"'):
                ch = "\0close"  # the ASCII quote closes the open one
            else:
                stack.append(('"', i))
                open_count['"'] = 1
                continue
        if ch in _PAIRS:
            stack.append((ch, i))
            open_count[ch] = open_count.get(ch, 0) + 1
            continue
        wanted = '"' if ch == "\0close" else _CLOSERS.get(ch)
        if wanted is None:
            continue
        if not open_count.get(wanted):
            stray.add(i)
            continue
        while True:  # each mark is popped once: linear overall
            mark, pos = stack.pop()
            open_count[mark] -= 1
            if mark == wanted:
                pairs.append((pos, i))
                break
            stray.add(pos)
    stray.update(pos for _, pos in stack)
    return tuple(sorted(pairs)), tuple(sorted(stray))


def _around(cuts: tuple[int, ...], start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The piece between *cuts* that holds ``[start, end)``, inside ``[lo, hi)``."""
    index = bisect_right(cuts, start) - 1
    left = cuts[index] if index >= 0 else 0
    index = bisect_left(cuts, end)
    right = cuts[index] if index < len(cuts) else hi
    return max(lo, left), min(hi, right)


def sentence_bounds(lay: Layout, start: int, end: int) -> tuple[int, int]:
    """Where the sentence holding ``text[start:end]`` begins and ends.

    >>> lay = layout('首句。孩子在家，很好！末句')
    >>> lay.text[slice(*sentence_bounds(lay, 4, 5))]
    '孩子在家，很好！'
    >>> lay = layout('A．冠心病  B．吐蕃')
    >>> lay.text[slice(*sentence_bounds(lay, 9, 10))]
    '吐蕃'
    """
    lo, hi = 0, len(lay.text)
    if lay.items:  # most lines are no list of options or cells
        index = bisect_right(lay.items, (start, len(lay.text) + 1)) - 1
        if index >= 0 and lay.items[index][0] <= start and end <= lay.items[index][1]:
            lo, hi = lay.items[index]
    lo, hi = _around(lay.sentence_cuts, start, end, lo, hi)
    return lay.beside_bylines(start, end, lo, hi)  # a byline beside the word is cut off


def _clauses(lay: Layout, lo: int, hi: int, start: int, end: int, limit: int) -> tuple[int, int]:
    """Grow from the clause holding the word, the clause before first, while within *limit*.

    The clause cuts are looked up by bisection, never copied, so a sentence
    of many clauses costs each of its words only the clauses that fit.
    """
    cuts = lay.clause_cuts
    low, high = bisect_right(cuts, lo), bisect_left(cuts, hi)  # bounds: lo, cuts[low:high], hi
    size = high - low + 2

    def bound(index: int) -> int:
        return lo if index == 0 else hi if index == size - 1 else cuts[low + index - 1]

    first = bisect_right(cuts, start, low, high) - low  # the last bound <= start
    last = bisect_left(cuts, end, low, high) - low + 1  # the first bound >= end
    last = min(last, size - 1)
    a, b = bound(first), bound(last)
    while True:
        if first > 0 and b - bound(first - 1) <= limit:
            first -= 1
        elif last + 1 < size and bound(last + 1) - a <= limit:
            last += 1
        else:
            break
        a, b = bound(first), bound(last)
    return a, b


def _stripped_length(text: str, lo: int, hi: int) -> int:
    """``len(text[lo:hi].strip())`` without copying the slice."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return hi - lo


def _window(text: str, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
    """At most :data:`MAX_CUT` characters of ``[lo, hi)`` around the word, quotes and brackets balanced.

    Without it an article of one endless clause would copy that clause into
    the example of every word in it: quadratic time and memory.
    """
    half = max(0, (MAX_CUT - (end - start)) // 2)
    lo, hi = max(lo, start - half), min(hi, end + half)
    _, stray = _match_pairs(text[lo:hi])  # marks whose partner the window cut off
    before = [lo + pos for pos in stray if lo + pos < start]
    after = [lo + pos for pos in stray if lo + pos >= end]
    return (before[-1] + 1 if before else lo), (after[0] if after else hi)


def example(lay: Layout, start: int, end: int, limit: int = MAX_CHARS) -> Example:
    """The example for the word ``text[start:end]``, cut to at most *limit* characters.

    The clause holding the word is always kept; neighbouring clauses are
    added, the one before first, while the whole stays within *limit*.  A
    word inside a byline gets the empty example.

    >>> lay = layout('自开始以来，我们的教育改革蹄疾步稳：全面消除了大班额，获评强区，又建成了新的学校；')
    >>> e = example(lay, 16, 17, 20)
    >>> e.before + '[' + e.word + ']' + e.after
    '我们的教育改革蹄疾步[稳]：全面消除了大班额'
    >>> example(layout('（来源：本站 作者：李四）'), 4, 6).text
    ''
    """
    if lay.byline_at(start, end):
        return Example("", "", "")
    lo, hi = sentence_bounds(lay, start, end)
    if hi - lo > limit and _stripped_length(lay.text, lo, hi) > limit:
        lo, hi = _clauses(lay, lo, hi, start, end, limit)
    if hi - lo > MAX_WHOLE and lay.pairs:
        parent, closes = lay.enclosing
        index = bisect_left(lay.pairs, (start, -1)) - 1
        while index >= 0 and closes[index] < end:  # the innermost quotation around the word, if any
            index = parent[index]
        while index >= 0:  # innermost quotation first, outwards
            open_at, close_at = lay.pairs[index]
            if open_at < lo:
                break
            if end <= close_at < hi:
                inner = example(lay.inner((open_at, close_at)), start - open_at - 1, end - open_at - 1, limit)
                if inner.text:
                    return inner
            index = parent[index]
    if hi - lo > MAX_CUT:  # one clause of hundreds of characters, no mark to cut at: a window around the word
        lo, hi = _window(lay.text, lo, hi, start, end)
    # Marks the source never closed (OCR) stay outside: the example starts after, and ends before, any stray one.
    stray = lay.stray
    index = bisect_left(stray, start)
    if index and stray[index - 1] >= lo:
        lo = stray[index - 1] + 1
    index = bisect_left(stray, end)
    if index < len(stray) and stray[index] < hi:
        hi = stray[index]
    text = lay.text
    before = text[lo:start].lstrip(_TRIM)
    after = text[end:hi].rstrip(_TRIM)
    return Example(before, text[start:end], after)
