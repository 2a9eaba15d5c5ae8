"""Which entries become notes: known words, stop list, HSK and frequency filters.

Every filter is off by default, because the annotations are the author's
choice; the learner switches on what they want.  The library's "already
known" decision is made in :mod:`deckgen.build`, which owns the library.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .enrich import Entry
    from .known import KnownWords


@cache
def particles() -> frozenset[str]:
    """The built-in stop list: particles such as 的, 了, 着."""
    text = resources.files("deckgen").joinpath("data", "particles.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class Filters:
    """The learner's filters.

    ``skip_hsk`` skips words whose HSK 3.0 level is at or below it (7 stands
    for the 7-9 band); ``skip_zipf`` skips words at least that common (Zipf
    figure from jieba's dictionary: 6 is about one word in a thousand).
    """

    known: KnownWords | None = None
    skip_particles: bool = False
    skip_hsk: int | None = None
    skip_zipf: float | None = None

    @property
    def active(self) -> bool:
        return bool(self.known) or self.skip_particles or self.skip_hsk is not None or self.skip_zipf is not None


def skip_reason(entry: Entry, filters: Filters) -> str:
    """Why *entry* gets no note ("" if it does).

    >>> from deckgen.enrich import Entry
    >>> skip_reason(Entry('的', ('de',), (), ()), Filters(skip_particles=True))
    'particle'
    """
    if filters.known is not None and entry.hanzi in filters.known:
        return "known"
    if filters.skip_particles and entry.hanzi in particles():
        return "particle"
    if filters.skip_hsk is not None:
        from .hsk import HskLevels, hsk_levels

        level = hsk_levels(entry.hanzi).hsk3
        if level is not None and level <= filters.skip_hsk:
            return HskLevels(None, level).label
    if filters.skip_zipf is not None:
        from . import segment
        from .hsk import zipf

        figure = zipf(segment.word_count(entry.hanzi), segment.total_count())
        if figure >= filters.skip_zipf:
            return f"common (Zipf {figure:.1f})"
    return ""
