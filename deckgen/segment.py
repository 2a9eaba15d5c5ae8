"""The one wrapper around jieba.

jieba's module-level functions share a global tokenizer that logs to stderr
when it loads.  deckgen builds a private ``jieba.Tokenizer`` on first use,
quietly, and only when a boundary decision needs it, so ``deckgen --help`` and
builds of single-character annotations never pay for the dictionary.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import jieba
    import jieba.posseg


@cache
def _tokenizer() -> jieba.Tokenizer:
    import logging

    import jieba
    import jieba.posseg

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Dictionary-only segmentation of *text* as ``(word, start, end)`` spans.

    The HMM is off on purpose: it invents words out of any run of single
    characters (it happily returns 起全 from 构建起全链条), which is exactly
    the evidence a boundary check must not trust.

    >>> [w for w, _, _ in tokens('就业服务')]
    ['就业', '服务']
    """
    return [(word, start, end) for word, start, end in _tokenizer().tokenize(text, HMM=False)]


def tokens_in_windows(text: str, windows: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Segment only the given windows of *text*, each character at most once.

    Overlapping or touching windows are merged first, so no text is
    segmented twice; offsets in the result are offsets in *text*.

    >>> tokens_in_windows('今天就业服务很好', [(2, 6), (4, 8)])[:2]
    [('就业', 2, 4), ('服务', 4, 6)]
    """
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[tuple[str, int, int]] = []
    for start, end in merged:
        out.extend((word, start + s, start + e) for word, s, e in tokens(text[start:end]))
    return out


def word_count(word: str) -> int:
    """How often jieba's dictionary has seen *word* as a word (0 if never).

    jieba stores every prefix of its words with a count of 0, so a positive
    count is what makes *word* a dictionary word.
    """
    return _tokenizer().FREQ.get(word, 0) or 0


def total_count() -> int:
    """The sum of all word counts in jieba's dictionary (for Zipf figures)."""
    return int(_tokenizer().total)


@cache
def _tagger() -> jieba.posseg.POSTokenizer:
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_tokenizer())


def tagged(text: str) -> list[tuple[str, str]]:
    """Dictionary-only segmentation of *text* with jieba's part-of-speech tags.

    The tags are jieba's dictionary tags (``uj`` for 的, ``d`` for adverbs),
    which the sentence's pinyin uses to read particles and polyphones.

    >>> tagged('改变着生活')
    [('改变', 'v'), ('着', 'uz'), ('生活', 'vn')]
    """
    return [(pair.word, pair.flag) for pair in _tagger().lcut(text, HMM=False)]
