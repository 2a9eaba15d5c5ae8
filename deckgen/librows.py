"""The values the word library takes in and gives back: sightings, examples, word and article rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .pinyin import normalise

Key = tuple[str, str]
"""A word's identity: ``(hanzi, normalise(pinyin))``, the same identity a note's GUID uses."""


def sentence_key(text: str) -> str:
    """The form in which sentences are compared: NFC, no whitespace.

    The same article read from HTML or re-wrapped differs only in line breaks
    and spaces, and its sentences must still count as the same sentences.

    >>> sentence_key('他在\\n幼儿园 工作。') == sentence_key('他在幼儿园工作。')
    True
    """
    return "".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class Sighting:
    """One occurrence of a word in an article, as a build met it."""

    hanzi: str
    pinyin: str  # display form, e.g. "yòu'éryuán"
    before: str  # plain text, not HTML
    word: str
    after: str
    line: int

    @property
    def key(self) -> Key:
        """The word's identity, so ``yòu'éryuán`` and ``yòu ér yuán`` are one word.

        >>> Sighting('幼儿园', "Yòu'ér yuán", '', '幼儿园', '', 1).key
        ('幼儿园', 'yòuéryuán')
        """
        return (self.hanzi, normalise(self.pinyin))

    @property
    def sentence(self) -> str:
        """The example sentence: ``before + word + after``."""
        return self.before + self.word + self.after


@dataclass(frozen=True)
class Example:
    """An example sentence read back from the library, with where and when it was met."""

    before: str
    word: str
    after: str
    source: str
    seen_at: float

    @property
    def sentence(self) -> str:
        """The whole sentence: ``before + word + after``."""
        return self.before + self.word + self.after


@dataclass(frozen=True)
class WordRow:
    """One word of the library with its counts, for listings and statistics."""

    hanzi: str
    pinyin: str
    count: int  # occurrences
    articles: int  # distinct sources
    first_seen: float
    first_source: str
    exported_at: float | None

    @property
    def key(self) -> Key:
        """The word's identity, as :attr:`Sighting.key`."""
        return (self.hanzi, normalise(self.pinyin))


@dataclass(frozen=True)
class ArticleRow:
    """One recorded article: how much it brought to the library when first built."""

    source: str
    built_at: float
    words: int  # distinct words in it (as last recorded)
    new_words: int  # new to the library when first recorded
    total_after: int  # library size after it was first recorded
