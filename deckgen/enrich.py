"""From occurrences to entries: one per distinct (word, reading), enriched.

The card's reading is always the annotator's.  Dictionary data is chosen by
that reading, never by the dictionary's first entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .mine import Occurrence
from .pinyin import join_syllables, normalise
from .sentences import Example


@dataclass(frozen=True)
class Entry:
    """Everything one note shows, before HTML rendering."""

    hanzi: str
    syllables: tuple[str, ...]
    examples: tuple[Example, ...]
    sources: tuple[str, ...]
    flags: frozenset[str] = frozenset()
    traditional: str = ""
    simplified: str = ""
    meaning: str = ""
    classifier: str = ""
    hsk_tags: tuple[str, ...] = ()
    hsk_label: str = ""
    frequency: str = ""
    sentence_pinyin: str = ""

    @property
    def pinyin(self) -> str:
        """The reading in standard orthography: ``rǔxiàn'ái``."""
        return join_syllables(self.syllables)

    @property
    def key(self) -> tuple[str, str]:
        """Note identity: the word and its normalised reading."""
        return (self.hanzi, normalise(self.pinyin))


def group(occurrences: Iterable[Occurrence]) -> list[Entry]:
    """One entry per distinct (word, reading), in order of first appearance.

    Repeated sentences (an article pasted twice) add nothing; distinct
    sentences are kept in order, the first being the card's sentence.
    """
    found: dict[tuple[str, str], list[Occurrence]] = {}
    for occurrence in occurrences:
        key = (occurrence.word, normalise("".join(occurrence.syllables)))
        found.setdefault(key, []).append(occurrence)
    entries = []
    for items in found.values():
        first = items[0]
        examples: list[Example] = []
        seen_text: set[str] = set()
        sources: list[str] = []
        flags: set[str] = set()
        for item in items:
            if item.example.text not in seen_text:
                seen_text.add(item.example.text)
                examples.append(item.example)
            if item.path not in sources:
                sources.append(item.path)
            flags |= item.flags
        traditional = next((i.traditional for i in items if i.traditional), "")
        entries.append(
            Entry(first.word, first.syllables, tuple(examples), tuple(sources), frozenset(flags), traditional)
        )
    return entries
