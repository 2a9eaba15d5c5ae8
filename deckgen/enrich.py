"""From occurrences to entries: one per distinct (word, reading), enriched.

The card's reading is always the annotator's.  Dictionary data is chosen by
that reading, never by the dictionary's first entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .align import is_hanzi
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


def sentence_pinyin(example: Example) -> str:
    """Tone-marked pinyin of an example: the annotator's readings, pypinyin for the rest.

    Annotated words are written as words; other characters get a syllable
    each, since the sentence is not segmented for this.  pypinyin runs only on
    the characters no annotation covers, and only for the sentence a card shows.

    >>> sentence_pinyin(Example('我们2021年的', '关键', '，好！', readings=((8, ('guān', 'jiàn')),)))
    'wǒ men 2021 nián de guānjiàn, hǎo!'
    """
    from pypinyin import Style, pinyin

    text = example.text
    known = dict(example.readings)
    tokens: list[str] = []
    i = 0
    while i < len(text):
        if i in known:
            tokens.append(join_syllables(known[i]))
            i += len(known[i])
            continue
        j = i
        while j < len(text) and j not in known and is_hanzi(text[j]):
            j += 1
        if j > i:
            tokens.extend(r[0] for r in pinyin(text[i:j], style=Style.TONE, errors="ignore"))
            i = j
            continue
        if text[i] in _PUNCT:
            tokens.append(_PUNCT[text[i]])
            i += 1
            continue
        while j < len(text) and j not in known and not is_hanzi(text[j]) and text[j] not in _PUNCT:
            j += 1  # a run of Latin letters, digits or other signs stays one token
        tokens.append(text[i:j])
        i = j
    spaced = " ".join(tokens)
    spaced = re.sub(r"\s+([,.!?;:)\]])", r"\1", spaced)
    spaced = re.sub(r"([(\[])\s+", r"\1", spaced)
    return re.sub(r"\s+", " ", spaced).strip()


# Chinese punctuation in pinyin text takes its Latin form.
_PUNCT = dict(zip("，。！？；：、“”‘’（）《》「」—", ',.!?;:,""\'\'()<>""-', strict=True))


def _char_meanings(hanzi: str, syllables: tuple[str, ...]) -> str:
    """Per-character senses for a word the dictionary lacks, marked as such."""
    from .dictionary import lookup

    parts = []
    for ch, syllable in zip(hanzi, syllables, strict=False):
        entry = lookup(ch, syllable)
        if entry and entry.senses:
            parts.append(f"{ch} {syllable}: {'; '.join(entry.senses[:2])}")
    if not parts:
        return ""
    return "(not in CC-CEDICT; from the characters) " + " · ".join(parts)


def enrich(entry: Entry) -> Entry:
    """Fill meaning, forms, classifier, HSK, frequency and sentence pinyin.

    The dictionary entry is chosen by the card's reading: 率 lǜ gets "rate",
    never "to lead".  A word CC-CEDICT lacks (稳岗) keeps its card; its
    meaning is composed from the characters and says so.
    """
    from . import segment
    from .dictionary import lookup, simplified_of, traditional_of
    from .hsk import hsk_levels, zipf

    found = lookup(entry.hanzi, entry.pinyin)
    if found:
        meaning = found.meaning
        simplified, traditional = found.simplified, found.traditional
        classifier = ", ".join(found.classifiers)
    else:
        meaning = _char_meanings(entry.hanzi, entry.syllables) if len(entry.hanzi) > 1 else ""
        simplified = simplified_of(entry.hanzi)
        traditional = entry.traditional or traditional_of(simplified)
        classifier = ""
    if entry.traditional:
        traditional = entry.traditional
    levels = hsk_levels(simplified)
    count = segment.word_count(simplified)
    frequency = f"{zipf(count, segment.total_count()):.2f}"
    return replace(
        entry,
        meaning=meaning,
        traditional=traditional,
        # The Simplified field is shown only for articles written in traditional characters.
        simplified=simplified if simplified != entry.hanzi else "",
        classifier=classifier,
        hsk_tags=levels.tags,
        hsk_label=levels.label,
        frequency=frequency,
        sentence_pinyin=sentence_pinyin(entry.examples[0]) if entry.examples else "",
    )
