"""From occurrences to entries: one per distinct (word, reading), enriched.

The card's reading is always the annotator's.  Dictionary data is chosen by
that reading, never by the dictionary's first entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import hsk, script, segment, senses, spoken
from .hsk import NO_LEVELS, HskLevels
from .mine import Occurrence
from .pinyin import join_syllables, normalise
from .sentences import Example

if TYPE_CHECKING:  # pragma: no cover
    from .spoken import Annotated


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
    hsk: HskLevels = NO_LEVELS
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
        self._received: list[tuple[Any, ...]] | None = None  # as a worker sent it, not yet made into objects
        # Words the articles annotated, with the annotator's reading: the sentence pinyin reads them so elsewhere.
        self.annotated: dict[str, tuple[str, ...]] = {}

    def add(self, occurrence: Occurrence) -> None:
        """Count one occurrence in."""
        key = (occurrence.word, normalise("".join(occurrence.syllables)))
        found = self._pending()
        pending = found.get(key)
        if pending is None:
            pending = found[key] = _Pending(occurrence.word, occurrence.syllables)
        pending.add(occurrence.example, occurrence.path, occurrence.flags, occurrence.traditional, self.max_examples)
        if len(occurrence.word) > 1 and "unsure" not in occurrence.flags:
            self.annotated.setdefault(occurrence.word, occurrence.spoken or occurrence.syllables)
        if occurrence.gloss:
            pending.add_gloss(occurrence.gloss)

    def merge(self, other: Grouper) -> None:
        """Add everything *other* collected, after what this one has.

        A grouper a worker sent (see :meth:`__setstate__`) is merged from what
        pickle loaded: the examples of a word this one already has enough
        sentences for are never made into objects.
        """
        found, limit = self._pending(), self.max_examples
        received = other._received
        if received is None:
            for key, theirs in other._found.items():
                mine = found.get(key)
                if mine is None:
                    found[key] = theirs
                else:
                    mine.absorb(theirs.examples, theirs.sources, theirs.flags, theirs.sure, theirs.traditional,
                                theirs.gloss, limit)  # fmt: skip
        else:
            for key, hanzi, syllables, examples, sources, flags, sure, traditional, gloss in received:
                mine = found.get(key)
                if mine is None:
                    found[key] = _Pending.restored(hanzi, syllables, examples, sources, flags, sure, traditional, gloss)
                else:
                    made = (Example(*example) for example in examples)  # only as far as they are needed
                    mine.absorb(made, sources, flags, sure, traditional, gloss, limit)
        for word, reading in other.annotated.items():
            self.annotated.setdefault(word, reading)

    def entries(self) -> list[Entry]:
        """The entries, in order of first appearance."""
        return [pending.entry() for pending in self._pending().values()]

    def _pending(self) -> dict[tuple[str, str], _Pending]:
        """The words so far, what a worker sent made into objects first (once: :meth:`add` asks at every occurrence)."""
        if self._received is not None:
            for key, *values in self._received:
                self._found[key] = _Pending.restored(*values)
            self._received = None
        return self._found

    def __getstate__(self) -> object:
        """What pickle sends of a worker's grouper (``--jobs``): tuples and strings, not an object per word and example.

        The grouper of a 2 MB share of the benchmark's corpus (10,281 words, 16,919
        examples) pickled in 0.10 s and loaded in 0.18 s so, against 0.22 s and
        0.30 s as objects: the parent loads every share while the workers mine.
        """
        found = [
            (key, p.hanzi, p.syllables, [(e.before, e.word, e.after, e.readings) for e in p.examples], p.sources,
             p.flags, p.sure, p.traditional, p.gloss)
            for key, p in self._pending().items()
        ]  # fmt: skip
        return self.max_examples, self.annotated, found

    def __setstate__(self, state: tuple[int, dict[str, tuple[str, ...]], list[tuple[Any, ...]]]) -> None:
        """Keep what pickle loaded as it is, until asked: :meth:`merge` makes only what it keeps into objects.

        At 20 MB the build's process spent 0.7 s making every word and example
        of the ten shares into objects, most of them examples of words an
        earlier share already had enough sentences for.
        """
        self.max_examples, self.annotated, self._received = state
        self._found = {}


class _Pending:
    """What a :class:`Grouper` knows of one word so far."""

    __slots__ = ("examples", "flags", "gloss", "hanzi", "sources", "sure", "syllables", "traditional")

    def __init__(self, hanzi: str, syllables: tuple[str, ...]) -> None:
        self.hanzi, self.syllables = hanzi, syllables
        self.examples: list[Example] = []  # each a distinct sentence (compared by text, not kept twice in memory)
        self.sources: list[str] = []
        self.flags: frozenset[str] = frozenset()
        self.sure = False  # some occurrence was a clear word: "unsure" from another sentence does not stick
        self.traditional = ""
        self.gloss = ""

    def add(self, example: Example | None, source: str, flags: frozenset[str], traditional: str, limit: int) -> None:
        if (
            example is not None
            and len(self.examples) < limit
            and (text := example.text)
            and all(kept.text != text for kept in self.examples)
        ):
            if self.examples and example.readings:
                # Only the first sentence gets its pinyin shown; the others need no readings.
                example = Example(example.before, example.word, example.after)
            self.examples.append(example)
        if source and source not in self.sources:
            self.sources.append(source)
        self.flags |= flags
        self.sure = self.sure or "unsure" not in flags
        self.traditional = self.traditional or traditional

    @classmethod
    def restored(
        cls,
        hanzi: str,
        syllables: tuple[str, ...],
        examples: list[tuple[Any, ...]],
        sources: list[str],
        flags: frozenset[str],
        sure: bool,
        traditional: str,
        gloss: str,
    ) -> _Pending:
        """A word as :meth:`Grouper.__getstate__` sent it."""
        pending = cls(hanzi, syllables)
        pending.examples = [Example(*example) for example in examples]
        pending.sources, pending.flags, pending.sure = sources, flags, sure
        pending.traditional, pending.gloss = traditional, gloss
        return pending

    def absorb(
        self,
        examples: Iterable[Example],
        sources: list[str],
        flags: frozenset[str],
        sure: bool,
        traditional: str,
        gloss: str,
        limit: int,
    ) -> None:
        """Add what another grouper found of this word, after what this one has (:meth:`Grouper.merge`)."""
        if len(self.examples) < limit:  # a common word has its sentences long before the last share
            for example in examples:
                self.add(example, "", flags, traditional, limit)
        self.flags |= flags
        self.sure = self.sure or sure
        self.traditional = self.traditional or traditional
        if gloss:
            self.add_gloss(gloss)
        self.sources.extend(s for s in sources if s not in self.sources)

    def add_gloss(self, gloss: str) -> None:
        """Keep each distinct gloss the learner gave, in order: ``goodbye; see you``."""
        parts = self.gloss.split("; ") if self.gloss else []
        parts.extend(part for part in dict.fromkeys(gloss.split("; ")) if part and part not in parts)
        self.gloss = "; ".join(parts)

    def entry(self) -> Entry:
        flags = self.flags - {"unsure"} if self.sure else self.flags
        return Entry(
            self.hanzi, self.syllables, tuple(self.examples), tuple(self.sources), flags, self.traditional,
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


def _capitalised(syllables: tuple[str, ...], cedict_pinyin: str) -> tuple[str, ...]:
    """The card's syllables capitalised where CC-CEDICT capitalises them: 中国 Zhōngguó.

    >>> _capitalised(('zhōng', 'guó'), 'Zhōng guó')
    ('Zhōng', 'guó')
    """
    theirs = cedict_pinyin.split()
    if len(theirs) != len(syllables):
        return syllables
    return tuple(s[:1].upper() + s[1:] if t[:1].isupper() else s for s, t in zip(syllables, theirs, strict=True))


def warm_up() -> None:
    """Load in this process what enriching reads on first use: OpenCC's converters, the HSK lists (about
    0.12 s together) and the reading table, if the cache holds one (:mod:`deckgen.readingtable`).

    A build's workers run it once they have mined their last share, while they would wait for the others and
    for the build's process to gather the words (:func:`deckgen.minefiles.mine_all`), so that the first chunk of
    entries each enriches does not pay it.  Best effort: whatever fails here fails again where it is needed.
    """
    from . import readingtable
    from .errors import DeckgenError
    from .hsk import hsk_levels
    from .script import simplified_of, traditional_of

    try:
        simplified_of(traditional_of("汉字"))
        hsk_levels("汉字")
        readingtable.prepared(make=False)
    except (DeckgenError, OSError):
        pass


def prepare(entries: Sequence[Entry], annotated: Annotated) -> None:
    """Do ahead, stage by stage over a batch of *entries*, the sentence work :func:`enrich` then finds done.

    All their sentences go through OpenCC in one call, then all are read
    aloud.  Entry by entry the same work took longer (OpenCC over the 2 MB
    benchmark's sentences: 0.1 s in a loop of its own, 0.42 s interleaved),
    most likely because the dictionary's, OpenCC's, jieba's and pypinyin's
    tables pushed each other out of the CPU's caches.
    *annotated* must be the index :func:`enrich` is then given: it keeps the sentences read.
    """
    script.convert_sentences(entry.examples[0].text for entry in entries if _in_context(entry))  # as enrich() asks
    annotated.said.make_room(len(entries))
    for entry in entries:
        if entry.examples:
            spoken.sentence_pinyin(entry.examples[0], annotated)


def _in_context(entry: Entry) -> bool:
    """Whether :func:`enrich` reads *entry*'s traditional form from its first sentence: it has one, the article gave
    no form, and the dictionary's answer may depend on it (:func:`deckgen.senses.lookup_any_form`)."""
    if not entry.examples or entry.traditional:
        return False
    return senses.lookup_any_form(entry.hanzi, entry.pinyin, entry.syllables) is None


def enrich(entry: Entry, annotated: Mapping[str, tuple[str, ...]] | None = None) -> Entry:
    """Fill meaning, forms, classifier, HSK, frequency and sentence pinyin.

    The dictionary entry is chosen by the card's reading: 率 lǜ gets "rate",
    never "to lead", and the pinyin is capitalised as CC-CEDICT capitalises
    it (中国 Zhōngguó).  A word CC-CEDICT lacks (稳岗) keeps its card; its
    meaning is composed from its sub-words and says so.  *annotated* maps the
    words the article annotated to their readings, for the sentence's pinyin.
    """
    traditional = entry.traditional
    found = None if traditional else senses.lookup_any_form(entry.hanzi, entry.pinyin, entry.syllables)
    if found is None:
        if not traditional and entry.examples:  # 干 in 干净 is 乾 "dry; clean", in 干活 幹 "to do"
            first = entry.examples[0]
            traditional = script.traditional_in_context(first.before, first.word, first.after)
        found = senses.lookup(entry.hanzi, entry.pinyin, traditional, entry.syllables)
    syllables = entry.syllables
    if found:
        meaning = found.meaning
        simplified, traditional = found.simplified, found.traditional
        classifier = ", ".join(found.classifiers)
        syllables = _capitalised(syllables, found.pinyin)
    else:
        simplified = script.simplified_of(entry.hanzi)
        traditional = traditional or script.traditional_of(simplified)
        meaning = senses.compose(entry.hanzi, entry.syllables, traditional)
        classifier = ""
    if entry.traditional:
        traditional = entry.traditional
    levels = hsk.hsk_levels(simplified)
    count = segment.word_count(simplified)
    frequency = f"{hsk.zipf(count, segment.total_count()):.2f}"
    return Entry(  # every field named: dataclasses.replace finds them at run time
        hanzi=entry.hanzi,
        syllables=syllables,
        examples=entry.examples,
        sources=entry.sources,
        flags=entry.flags,
        traditional=traditional,
        # The Simplified field is shown only for articles written in traditional characters.
        simplified=simplified if simplified != entry.hanzi else "",
        meaning=meaning,
        classifier=classifier,
        hsk=levels,
        frequency=frequency,
        sentence_pinyin=spoken.sentence_pinyin(entry.examples[0], annotated) if entry.examples else "",
        gloss=entry.gloss,
    )
