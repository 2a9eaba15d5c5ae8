"""CC-CEDICT lines a learner keeps, with their own glosses: ``應該 应该 [ying1 gai1] /should be/``.

The card gets the simplified head (the traditional one beside it), the
line's own reading, and the learner's gloss (the slash-separated senses,
joined with ``; ``).  The line is an entry, not a sentence: it never becomes
the card's example.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from ..notices import Notice
from ..parse import ParsedLine
from ..pinyin import parse_reading
from ..read import SourceLine
from .common import Known
from .lists import row_line

NAME = "cedict"
_SPACES = re.compile(r"\s+")


def parse_entry(text: str) -> Known | None:
    """The entry of one CC-CEDICT line, or None if it is not one.

    >>> parse_entry('應該 应该 [ying1 gai1] /should be/ought to/')
    Known(base='应该', syllables=('yīng', 'gāi'), gloss='should be; ought to', traditional='應該', raw='')
    >>> parse_entry('女兒 女儿 [nu:3 er2] /daughter/').syllables
    ('nǚ', 'ér')
    """
    from ..dictionary import parse_line

    entry = parse_line(_SPACES.sub(" ", text.strip()))
    if entry is None:
        return None
    reading = parse_reading(" ".join(entry.syllables))
    if reading is None or len(reading.syllables) != len(entry.simplified):
        return None
    traditional = entry.traditional if entry.traditional != entry.simplified else ""
    return Known(entry.simplified, reading.syllables, "; ".join(entry.senses), traditional)


def read(lines: Iterable[SourceLine], path: str) -> Iterator[ParsedLine]:
    """One listed line per entry; ``#`` comments are skipped, other lines reported."""
    for source in lines:
        text = source.text.strip()
        if not text or text.startswith("#"):
            continue
        row = parse_entry(text)
        if row is None:
            notice = Notice(
                path,
                source.line,
                "unaligned",
                f"{text[:40]}: not a CC-CEDICT line with one syllable per character; skipped",
            )
            yield ParsedLine(source.line, "", (), (notice,), True)
            continue
        yield row_line(row, source.line, path)


def share(texts: Sequence[str]) -> float:
    """The share of *texts* (comments aside) shaped as CC-CEDICT lines."""
    counted = [t for t in texts if not t.lstrip().startswith("#")]
    return sum(1 for t in counted if parse_entry(t) is not None) / len(counted) if counted else 0.0
