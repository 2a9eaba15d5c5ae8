"""Pinyin glued to its hanzi, as first-grade charts and some readers print it: ``床chuáng 灯dēng``.

The letters right after a run of hanzi read its last characters, one
syllable each (``我们的床chuáng`` annotates 床).  Adjacent glued characters
(``我wǒ们men``) make one run, cut into words by the text's own grouping or,
character by character, by the dictionary.  A line of glued words separated
by spaces and no sentence punctuation is a chart, not a sentence: its words
get no example from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise

from ..align import HANZI
from ..parse import ParsedLine
from ..pinyin import parse_reading
from ..read import SourceLine
from .common import Piece, Plain, annotate_run, compose

NAME = "glued"
# Hanzi, then pinyin letters (tone marks, look-alike ɡ ɑ, tone numbers) with no space between.  The run is
# matched whole, from its start, once (no backtracking): 字×100,000 then [zì] used to take 37 s.
_GLUED = re.compile(
    f"(?<![{HANZI}])([{HANZI}]++)([a-zA-Z\u00c0-\u024f\u0251\u0261\u1e00-\u1eff:'’]+[1-5]?(?:[a-zA-Z\u00c0-\u024f\u0251\u0261\u1e00-\u1eff:]+[1-5]?)*)"
)
_SENTENCE_MARK = re.compile(r"[。！？!?，,；;：:、…]")


def tokens(text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """The glued words of *text*: (start, end, hanzi, syllables), the hanzi the last characters before the letters.

    >>> tokens('床chuáng 灯dēng'), tokens('I love 你nǐ')
    ([(0, 7, '床', ('chuáng',)), (8, 13, '灯', ('dēng',))], [(7, 10, '你', ('nǐ',))])
    >>> tokens('他说hello')
    []
    """
    found = []
    for m in _GLUED.finditer(text):
        reading = parse_reading(m.group(2))
        if reading is None or len(reading.syllables) > len(m.group(1)):
            continue
        size = len(reading.syllables)
        found.append((m.end(1) - size, m.end(), m.group(1)[-size:], reading.syllables, reading.marked))
    # Toneless letters (们men, a neutral tone) count only on a line that also has tone-marked ones.
    if not any(marked for *_, marked in found):
        return []
    return [(start, end, hanzi, syllables) for start, end, hanzi, syllables, _ in found]


def share(texts: Sequence[str]) -> float:
    """The share of *texts* with glued words."""
    return sum(1 for text in texts if tokens(text)) / len(texts) if texts else 0.0


def read(lines: Iterable[SourceLine], path: str) -> Iterator[ParsedLine]:
    """Each line with its glued words annotated."""
    for source in lines:
        yield parse_glued(source.text, source.line, path)


def parse_glued(text: str, line: int = 1, path: str = "<text>") -> ParsedLine:
    """One line of glued pinyin.

    >>> parsed = parse_glued('我wǒ们men在zài学xué校xiào。')
    >>> parsed.text, [parsed.text[a.start:a.end] for a in parsed.annotations], parsed.listed
    ('我们在学校。', ['我们', '在', '学校'], False)
    >>> parse_glued('尖jiān 尖jiān 長chánɡ').listed
    True
    """
    found = tokens(text)
    pieces: list[Piece] = []
    last = 0
    run: list[tuple[str, tuple[str, ...]]] = []  # adjacent glued words
    for start, end, hanzi, syllables in found:
        if start != last and run:
            pieces.extend(_run_pieces(run))
            run = []
        if start != last:
            pieces.append(Plain(text[last:start]))
        run.append((hanzi, syllables))
        last = end
    if run:
        pieces.extend(_run_pieces(run))
    pieces.append(Plain(text[last:]))
    # A chart: words apart from each other, only spaces between, no sentence punctuation.
    apart = all(end < start for (_, end, _, _), (start, _, _, _) in pairwise(found))
    between = [p.text for p in pieces if isinstance(p, Plain)]
    chart = bool(found) and apart and all(not part.strip() for part in between) and not _SENTENCE_MARK.search(text)
    return compose(pieces, line, path, listed=chart)


def _run_pieces(run: list[tuple[str, tuple[str, ...]]]) -> list[Piece]:
    base = "".join(hanzi for hanzi, _ in run)
    syllables = [s for _, syllables in run for s in syllables]
    return annotate_run(base, syllables, [len(s) for _, s in run]) or []
