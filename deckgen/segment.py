"""The one wrapper around jieba.

deckgen segments with jieba's own dictionary and jieba's own dictionary-only
algorithm, but not with jieba at run time: :mod:`deckgen.jiebaindex` asks
jieba once for its words, counts and tags, caches them as an index that
opens in milliseconds, and segments over it exactly as jieba does.  So
``deckgen --help`` and builds never pay jieba's 0.9 s dictionary load.
"""

from __future__ import annotations

from .jiebaindex import default_index
from .jiebaindex import pieces as _pieces


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Dictionary-only segmentation of *text* as ``(word, start, end)`` spans.

    The HMM is off on purpose: it invents words out of any run of single
    characters (it happily returns 起全 from 构建起全链条), which is exactly
    the evidence a boundary check must not trust.

    >>> [w for w, _, _ in tokens('就业服务')]
    ['就业', '服务']
    """
    return default_index().spans(text)


def merge_windows(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The windows sorted, overlapping or touching ones merged, so that no text is segmented twice.

    >>> merge_windows([(4, 8), (2, 6), (8, 9), (11, 12)])
    [(2, 9), (11, 12)]
    """
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def tokens_in_window(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Segment only ``text[start:end]``; offsets in the result are offsets in *text*.

    >>> tokens_in_window('今天就业服务很好', 2, 8)[:2]
    [('就业', 2, 4), ('服务', 4, 6)]
    """
    return default_index().spans(text[start:end], start)


def pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``text[start:end]`` jieba segments independently (see :func:`deckgen.jiebaindex.pieces`).

    A part segmented alone (:func:`tokens_in_window`) gives the same words as
    it does inside the window, so a check can segment only the parts it needs.

    >>> pieces('他说：就业服务。', 0, 8)
    [(0, 2), (2, 3), (3, 7), (7, 8)]
    """
    return _pieces(text, start, end)


def words_around(text: str, position: int) -> list[tuple[str, int]]:
    """Every word of two or more characters jieba could cut around ``text[position]``, with its start.

    The word :func:`tokens` puts there is one of these, or the character alone.

    >>> words_around('我们一起干活吧', 4)
    [('干活', 4)]
    """
    return default_index().covering(text, position)


def word_count(word: str) -> int:
    """How often jieba's dictionary has seen *word* as a word (0 if never).

    >>> word_count('就业') > 0, word_count('起全')
    (True, 0)
    """
    return default_index().count(word)


def total_count() -> int:
    """The sum of all word counts in jieba's dictionary (for Zipf figures)."""
    return default_index().total


def tagged(text: str) -> list[tuple[str, str]]:
    """Dictionary-only segmentation of *text* with jieba's part-of-speech tags.

    The tags are jieba's dictionary tags (``uj`` for 的, ``d`` for adverbs),
    which the sentence's pinyin uses to read particles and polyphones.

    >>> tagged('改变着生活')
    [('改变', 'v'), ('着', 'uz'), ('生活', 'vn')]
    """
    return default_index().tagged(text)


def tag(word: str) -> str:
    """jieba's dictionary tag of *word* as one word, "" if its dictionary lacks it: what :func:`tagged` would give
    a word the article annotated, which the sentence keeps whole.

    >>> tag('跨'), tag('稳岗')
    ('v', '')
    """
    return default_index().tag(word) or ""
