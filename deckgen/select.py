"""Which entries become notes: known words, stop list, HSK and frequency filters, and the word library.

Every filter is off by default, because the annotations are the author's
choice; the learner switches on what they want.  The word library decides
what is already known from other articles (:func:`consult_library`) and
lends its sentences.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from .sentences import Example

if TYPE_CHECKING:  # pragma: no cover
    from .enrich import Entry
    from .known import KnownWords
    from .library import Library
    from .librows import Key


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


def apply_filters(entries: list[Entry], filters: Filters) -> tuple[list[Entry], Counter[str]]:
    """The entries the filters keep, and how many each reason left out."""
    if not filters.active:
        return entries, Counter()
    filtered: Counter[str] = Counter()
    kept = []
    for entry in entries:
        reason = skip_reason(entry, filters)
        if reason:
            filtered[reason] += 1
        else:
            kept.append(entry)
    return kept, filtered


def consult_library(
    library: Library, kept: list[Entry], most: int, *, export_all: bool = False, keep_stamps: bool = True
) -> tuple[list[Entry], set[Key], dict[Key, float]]:
    """Drop words first met in other articles (unless *export_all*), gather up to *most* sentences each.

    Words already exported keep their first export time as their note's
    modification time (with *keep_stamps*), so importing the deck never
    overwrites a note the learner may have edited.
    """
    pairs = [(entry.key, entry) for entry in kept]  # a property that normalises the reading: once an entry
    # A word list's entry has no sentence: the word alone is what the library recorded for it.
    sentences = {key: {example.text for example in entry.examples} or {entry.hanzi} for key, entry in pairs}
    known = library.known_elsewhere(sentences)
    listed = [key for key, entry in pairs if not entry.examples and key in known]
    if listed:  # a listed word met in articles is known only once exported: the learner asked for it
        known -= listed_unexported(library, listed)
    chosen = [(key, entry) for key, entry in pairs if export_all or key not in known]
    exported = library.exported_at(key for key, _ in chosen)
    # Only a word with fewer sentences than wanted looks for more, and all of them in one query.
    more = library.examples_of((key for key, entry in chosen if len(entry.examples) < most), most)
    gathered = []
    for key, entry in chosen:
        examples = list(entry.examples)
        texts = {example.text for example in examples}
        for extra in more.get(key, ()):
            if len(examples) >= most:
                break
            if not (extra.before or extra.after):
                continue  # seen only in a byline: no sentence to show
            text = extra.before + extra.word + extra.after
            if text not in texts:
                texts.add(text)
                examples.append(Example(extra.before, extra.word, extra.after))
        if len(examples) == len(entry.examples) <= most:
            gathered.append(entry)  # nothing added, nothing dropped
        else:
            gathered.append(replace(entry, examples=tuple(examples[:most])))
    stamps = {} if not keep_stamps else {(e.hanzi, e.pinyin): t for key, e in chosen if (t := exported.get(key))}
    return gathered, known, stamps


def listed_unexported(library: Library, keys: list[Key]) -> set[Key]:
    """The word-list keys the library met in other articles but never exported."""
    exported = library.exported_at(keys)
    return {key for key in keys if key not in exported}
