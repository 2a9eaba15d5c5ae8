"""The example sentence of each occurrence: the one the word was annotated in.

The sentence is found from the annotation's own offset, never by searching
for the characters, so 稳(wěn) shows 蹄疾步稳 and not the later 稳岗.  Long
sentences are cut to the clause holding the word plus as many neighbouring
clauses as fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A sentence ends at a terminator, with any closing quotes or brackets after it.
_SENTENCE_END = re.compile(r"(?:[。！？!?；;]|…{1,2}|\.{3,6})[”’」』)）\"']*")
_CLAUSE_END = re.compile(r"[，,：:、][”’」』)）\"']*")
_TRIM = "，,：:、 \u3000"
MAX_CHARS = 40


@dataclass(frozen=True)
class Example:
    """A sentence cut around one word: ``before + word + after``."""

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


def _bounds(pattern: re.Pattern[str], text: str, start: int, end: int) -> tuple[int, int]:
    """The piece of *text* delimited by *pattern* that holds ``text[start:end]``."""
    left, right = 0, len(text)
    for m in pattern.finditer(text):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            right = m.end()
            break
    return left, right


def _pieces(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    cuts, left = [], 0
    for m in pattern.finditer(text):
        cuts.append((left, m.end()))
        left = m.end()
    if left < len(text):
        cuts.append((left, len(text)))
    return cuts


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence holding ``text[start:end]`` begins and ends.

    >>> t = '首句。孩子在家，很好！末句'
    >>> t[slice(*sentence_bounds(t, 4, 5))]
    '孩子在家，很好！'
    """
    return _bounds(_SENTENCE_END, text, start, end)


def example(
    text: str, start: int, end: int, limit: int = MAX_CHARS, sentence: tuple[int, int] | None = None
) -> Example:
    """The example for the word ``text[start:end]``, cut to at most *limit* characters.

    The clause holding the word is always kept; neighbouring clauses are
    added, the one before first, while the whole stays within *limit*.
    *sentence* passes bounds the caller already found (see :func:`sentence_bounds`).

    >>> e = example('自开始以来，我们的教育改革蹄疾步稳：全面消除了大班额，获评强区，又建成了新的学校；', 16, 17, 20)
    >>> e.before + '[' + e.word + ']' + e.after
    '自开始以来，我们的教育改革蹄疾步[稳]'
    """
    s_start, s_end = sentence or sentence_bounds(text, start, end)
    sentence_text = text[s_start:s_end]
    w_start, w_end = start - s_start, end - s_start
    if len(sentence_text.strip()) > limit:
        clauses = _pieces(_CLAUSE_END, sentence_text)
        inside = [i for i, (a, b) in enumerate(clauses) if a < w_end and b > w_start]
        lo, hi = inside[0], inside[-1]
        while True:
            grown = False
            for cand in ((lo - 1, hi), (lo, hi + 1)):
                a, b = cand
                if 0 <= a and b < len(clauses) and clauses[b][1] - clauses[a][0] <= limit:
                    lo, hi = a, b
                    grown = True
                    break
            if not grown:
                break
        a, b = clauses[lo][0], clauses[hi][1]
        sentence_text, w_start, w_end = sentence_text[a:b], w_start - a, w_end - a
    before, word, after = sentence_text[:w_start], sentence_text[w_start:w_end], sentence_text[w_end:]
    before = before.lstrip(_TRIM)
    after = after.rstrip(_TRIM)
    return Example(before, word, after)
