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
    gloss: str = ""  # the learner's own meaning (word lists, ``沙发 (shāfā, sofa)``), for the Gloss field

    @property
    def pinyin(self) -> str:
        """The reading in standard orthography: ``rǔxiàn'ái``."""
        return join_syllables(self.syllables)

    @property
    def key(self) -> tuple[str, str]:
        """Note identity: the word and its normalised reading."""
        return (self.hanzi, normalise(self.pinyin))


MAX_EXAMPLES = 4


class Grouper:
    """Collects occurrences into one entry per distinct (word, reading), as they stream in.

    Memory is bounded by the number of distinct words: each keeps at most
    *max_examples* distinct sentences (an article pasted twice adds nothing),
    so a whole book never needs all its occurrences in memory at once.
    Groupers of separate files merge in order (``--jobs``).
    """

    def __init__(self, max_examples: int = MAX_EXAMPLES) -> None:
        self.max_examples = max_examples
        self._found: dict[tuple[str, str], _Pending] = {}

    def add(self, occurrence: Occurrence) -> None:
        """Count one occurrence in."""
        key = (occurrence.word, normalise("".join(occurrence.syllables)))
        pending = self._found.get(key)
        if pending is None:
            pending = self._found[key] = _Pending(occurrence.word, occurrence.syllables)
        pending.add(occurrence.example, occurrence.path, occurrence.flags, occurrence.traditional, self.max_examples)
        pending.add_gloss(occurrence.gloss)

    def merge(self, other: Grouper) -> None:
        """Add everything *other* collected, after what this one has."""
        for key, theirs in other._found.items():
            mine = self._found.get(key)
            if mine is None:
                self._found[key] = theirs
                continue
            for example in theirs.examples:
                mine.add(example, "", theirs.flags, theirs.traditional, self.max_examples)
            mine.add_gloss(theirs.gloss)
            mine.sources.extend(s for s in theirs.sources if s not in mine.sources)

    def entries(self) -> list[Entry]:
        """The entries, in order of first appearance."""
        return [pending.entry() for pending in self._found.values()]


class _Pending:
    """What a :class:`Grouper` knows of one word so far."""

    __slots__ = ("examples", "flags", "gloss", "hanzi", "sources", "syllables", "texts", "traditional")

    def __init__(self, hanzi: str, syllables: tuple[str, ...]) -> None:
        self.hanzi, self.syllables = hanzi, syllables
        self.examples: list[Example] = []
        self.texts: set[str] = set()
        self.sources: list[str] = []
        self.flags: frozenset[str] = frozenset()
        self.traditional = ""
        self.gloss = ""

    def add(self, example: Example | None, source: str, flags: frozenset[str], traditional: str, limit: int) -> None:
        if example is not None and len(self.examples) < limit and example.text not in self.texts:
            self.texts.add(example.text)
            if self.examples and example.readings:
                # Only the first sentence gets its pinyin shown; the others need no readings.
                example = Example(example.before, example.word, example.after)
            self.examples.append(example)
        if source and source not in self.sources:
            self.sources.append(source)
        self.flags |= flags
        self.traditional = self.traditional or traditional

    def add_gloss(self, gloss: str) -> None:
        """Keep each distinct gloss the learner gave, in order: ``goodbye; see you``."""
        parts = self.gloss.split("; ") if self.gloss else []
        parts.extend(part for part in dict.fromkeys(gloss.split("; ")) if part and part not in parts)
        self.gloss = "; ".join(parts)

    def entry(self) -> Entry:
        return Entry(
            self.hanzi, self.syllables, tuple(self.examples), tuple(self.sources), self.flags, self.traditional,
            gloss=self.gloss,
        )  # fmt: skip


def group(occurrences: Iterable[Occurrence], max_examples: int = MAX_EXAMPLES) -> list[Entry]:
    """One entry per distinct (word, reading), in order of first appearance.

    Repeated sentences (an article pasted twice) add nothing; distinct
    sentences are kept in order (up to *max_examples*), the first being the
    card's sentence.
    """
    grouper = Grouper(max_examples)
    for occurrence in occurrences:
        grouper.add(occurrence)
    return grouper.entries()


def sentence_pinyin(example: Example) -> str:
    """Tone-marked pinyin of an example: the annotator's readings, pypinyin for the rest.

    Annotated words are written as words; other characters get a syllable
    each, since the sentence is not segmented for this.  pypinyin runs only on
    the characters no annotation covers, and only for the sentence a card shows.

    >>> sentence_pinyin(Example('我们2021年的', '关键', '，好！', readings=((8, ('guān', 'jiàn')),)))
    'wǒ men 2021 nián de guānjiàn, hǎo!'
    """
    text = example.text
    known = dict(example.readings)
    # One pypinyin call for all the characters no annotation covers; runs are
    # kept apart by a comma so that no phrase is matched across an annotation.
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if i in known:
            i += len(known[i])
        elif is_hanzi(text[i]):
            j = i
            while j < len(text) and j not in known and is_hanzi(text[j]):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    # errors=list keeps one item per character pypinyin does not know, so the count stays aligned.
    flat = iter(item for item in default_readings("，".join(text[a:b] for a, b in runs)) if item != "，")
    run_at = dict(runs)
    tokens: list[str] = []
    i = 0
    while i < len(text):
        if i in known:
            tokens.append(join_syllables(known[i]))
            i += len(known[i])
        elif i in run_at:
            tokens.extend(next(flat) for _ in range(run_at[i] - i))
            i = run_at[i]
        elif text[i] in _PUNCT:
            tokens.append(_PUNCT[text[i]])
            i += 1
        else:
            j = i + 1
            while j < len(text) and j not in known and j not in run_at and text[j] not in _PUNCT:
                j += 1  # a run of Latin letters, digits or other signs stays one token
            tokens.append(text[i:j])
            i = j
    spaced = " ".join(tokens)
    spaced = re.sub(r"\s+([,.!?;:)\]])", r"\1", spaced)
    spaced = re.sub(r"([(\[])\s+", r"\1", spaced)
    return re.sub(r"\s+", " ", spaced).strip()


def default_readings(text: str) -> list[str]:
    """pypinyin's default tone-marked reading of each character of *text*.

    The same answer as ``pypinyin.lazy_pinyin(text, style=Style.TONE,
    errors=list)`` (a test holds the two equal), read straight from
    pypinyin's phrase and character tables after its own segmenter, which
    skips the per-syllable style conversion that makes up most of its time
    (3x faster on a book).

    >>> default_readings('银行行长，a')
    ['yín', 'háng', 'háng', 'zhǎng', '，', 'a']
    """
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
    from pypinyin.seg.simpleseg import seg

    out: list[str] = []
    for word in seg(text):
        phrase = PHRASES_DICT.get(word)
        if phrase is not None:
            out.extend(readings[0] for readings in phrase)
            continue
        for ch in word:
            readings = PINYIN_DICT.get(ord(ch))
            out.append(readings.split(",", 1)[0] if readings else ch)
    return out


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
