"""Two-line text: a line of pinyin above (or below) each line of hanzi.

Graded readers, children's poems and textbook dialogues print the reading
of every character on its own line::

    Wǒmen dōu xǐhuan chī jiǎozi.
    我们都喜欢吃饺子。

The syllables are matched to the hanzi in order (punctuation, digits and
spaces between hanzi set aside).  A pinyin line written word by word gives
the text's own words; one written syllable by syllable is cut into words by
the dictionary, each keeping the text's readings.  Lines without a partner
(titles, notes) are read as inline text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice

from ..align import is_hanzi
from ..notices import Notice
from ..parse import ParsedLine, parse_line
from ..read import SourceLine
from .common import annotate_run, compose, looks_like_pinyin_line, pinyin_words

NAME = "two-line"
_SAMPLE = 400  # lines that decide whether pinyin is above or below
# Spaces between hanzi (and CJK punctuation) are layout: 我 们 都 → 我们都.
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])[ \t\u3000]+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])"
)


def hanzi_count(text: str) -> int:
    return sum(1 for ch in text if is_hanzi(ch))


def _syllable_count(text: str) -> int:
    words = pinyin_words(text)
    return sum(len(word) for word in words) if words else 0


def _pairs(texts: Sequence[str], above: bool) -> int:
    """How many pinyin lines of *texts* have a hanzi line of the same count after (above) or before them."""
    found = 0
    for i, text in enumerate(texts):
        j = i + 1 if above else i - 1
        if 0 <= j < len(texts) and looks_like_pinyin_line(text) and hanzi_count(texts[j]):
            found += _syllable_count(text) == hanzi_count(texts[j])
    return found


def orientation(texts: Sequence[str]) -> bool:
    """True when the pinyin lines are above their hanzi lines (more pairs fit that way)."""
    return _pairs(texts, True) >= _pairs(texts, False)


def share(texts: Sequence[str]) -> float:
    """The share of *texts* that are halves of a matching pinyin/hanzi pair."""
    if len(texts) < 2:
        return 0.0
    return 2 * max(_pairs(texts, True), _pairs(texts, False)) / len(texts)


def read(lines: Iterable[SourceLine], path: str) -> Iterator[ParsedLine]:
    """Pair each pinyin line with its hanzi line, in the orientation most of the first lines show."""
    stream = iter(lines)
    sample = list(islice(stream, _SAMPLE))
    above = orientation([line.text for line in sample])
    held: SourceLine | None = None  # the first line of a possible pair
    for source in chain(sample, stream):
        if held is not None:
            pinyin, hanzi = (held, source) if above else (source, held)
            if looks_like_pinyin_line(pinyin.text) and _is_hanzi_line(hanzi.text):
                yield pair(hanzi, pinyin, path)
                held = None
                continue
            yield _alone(held, path)
            held = None
        if looks_like_pinyin_line(source.text) if above else _is_hanzi_line(source.text):
            held = source
        else:
            yield _alone(source, path)
    if held is not None:
        yield _alone(held, path)


def _is_hanzi_line(text: str) -> bool:
    return hanzi_count(text) > 0


def pair(hanzi: SourceLine, pinyin: SourceLine, path: str) -> ParsedLine:
    """The hanzi line annotated with the syllables of its pinyin line.

    >>> parsed = pair(SourceLine(2, '我 们 都 喜 欢 饺 子。'), SourceLine(1, 'Wǒmen dōu xǐhuan jiǎozi.'), 'x')
    >>> parsed.text, [parsed.text[a.start:a.end] for a in parsed.annotations]
    ('我们都喜欢饺子。', ['我们', '都', '喜欢', '饺子'])
    """
    text = _CJK_GAP.sub("", hanzi.text.strip())
    words = pinyin_words(pinyin.text) or []
    syllables = [s for word in words for s in word]
    pieces = annotate_run(text, syllables, [len(word) for word in words])
    if pieces is None:
        message = f"line {pinyin.line} has {len(syllables)} syllables for {hanzi_count(text)} hanzi; read without it"
        parsed = parse_line(text, hanzi.line, path)
        return ParsedLine(
            hanzi.line,
            parsed.text,
            parsed.annotations,
            (*parsed.notices, Notice(path, hanzi.line, "unaligned", message)),
        )
    return compose(pieces, hanzi.line, path)


def _alone(source: SourceLine, path: str) -> ParsedLine:
    """A line without a partner: pinyin alone is dropped, anything else read as inline text."""
    if looks_like_pinyin_line(source.text):
        return ParsedLine(source.line, "", ())
    return parse_line(source.text, source.line, path)
