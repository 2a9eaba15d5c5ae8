"""From entries to note fields: HTML-escaped text, tone colours, tags.

Everything that comes from an article is data, so every field value is
escaped here and nowhere else.  The field list is the note type's public
contract (see README, "The note type"): it never changes once released.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .enrich import Entry
from .memo import Recent
from .pinyin import strip_tones, tone_of
from .sentences import Example

FIELDS: tuple[str, ...] = (
    "Hanzi",
    "Pinyin",
    "Meaning",
    "Traditional",
    "Simplified",
    "Classifier",
    "HSK",
    "Frequency",
    "Sentence",
    "SentencePinyin",
    "MoreSentences",
    "Source",
    "HanziColor",
    "PinyinColor",
    "Notes",
    "TTS",
    "CardRecall",
    "CardListening",
    "CardSentence",
    # Added in deckgen 0.2 (README, "The note type"): the Recall front's blanked copies, and a word list's gloss.
    "SentenceBlank",
    "MeaningBlank",
    "Gloss",
)
LEARNER_FIELDS = frozenset({"Notes"})
# Card types: (name, front file, back file). Optional ones are switched on by a field.
CARD_TYPES: tuple[tuple[str, str, str], ...] = (
    ("Recognition", "recognition_front.html", "recognition_back.html"),
    ("Recall", "recall_front.html", "recall_back.html"),
    ("Listening", "listening_front.html", "listening_back.html"),
    ("Sentence", "sentence_front.html", "sentence_back.html"),
)
CARD_SWITCHES = {"recall": "CardRecall", "listening": "CardListening", "sentence": "CardSentence"}
DEFAULT_CARDS = ("recognition", "recall")
MAX_MORE_SENTENCES = 3


@dataclass(frozen=True)
class RenderOptions:
    """Choices that change field values, never the note type."""

    cards: tuple[str, ...] = DEFAULT_CARDS
    tts: bool = True


@dataclass(frozen=True, init=False, eq=False, repr=False)
class RenderedNote:
    """A note ready for packaging: field values in FIELDS order, and tags.

    A frozen dataclass, equal to another note with the same values.  The
    field values wait in memory from rendering until the deck is written, so
    a build compresses them (:func:`pack_notes`) in groups of neighbouring
    notes: about 260 bytes a note of the 2 MB benchmark corpus, against 430
    compressed one by one, 690 as plain UTF-8 and 2,300 as a tuple of
    strings.  Without it the 20 MB build's parent reached 220 MB, past the
    memory target.  A note made here holds its values as they are.
    """

    __slots__ = ("_guid", "_packed", "hanzi", "pinyin", "tags")
    if TYPE_CHECKING:  # not dataclass fields: the values behind ``fields`` (or their group and place in it), the GUID
        _packed: tuple[str, ...] | tuple[bytes, int]
        _guid: str
    hanzi: str
    pinyin: str
    fields: tuple[str, ...]  # a property over the (compressed) values, set below
    tags: tuple[str, ...]

    def __init__(self, hanzi: str, pinyin: str, fields: tuple[str, ...], tags: tuple[str, ...]) -> None:
        values = {"hanzi": hanzi, "pinyin": pinyin, "tags": shared(tuple(tags)), "_packed": tuple(fields), "_guid": ""}
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def guid(self) -> str:
        """The note's GUID in the deck (:func:`deckgen.package.note_guid`), worked out once.

        A build asks for it where the note is rendered, in the workers, so
        the process that writes the deck does not compute 14 µs a note.
        """
        if not self._guid:
            from .package import note_guid

            object.__setattr__(self, "_guid", note_guid(self.hanzi, self.pinyin))
        return self._guid

    def field(self, name: str) -> str:
        return self.fields[FIELDS.index(name)]

    def joined(self) -> str:
        """The field values joined by Anki's separator (``\\x1f``), as a collection's notes table holds them.

        A packed note's values are already joined so in their group: they come without splitting and joining again.
        """
        return _unpacked_record(self._packed)

    def _values(self) -> tuple[object, ...]:
        return (self.hanzi, self.pinyin, self.fields, self.tags)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RenderedNote):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[object, ...]:
        # Compressed as it is: pickle sends a group's bytes once with all the notes of a chunk.
        return (_restore, (self.hanzi, self.pinyin, self._packed, self.tags, self._guid))

    def __repr__(self) -> str:
        return f"RenderedNote(hanzi={self.hanzi!r}, pinyin={self.pinyin!r}, fields={self.fields!r}, tags={self.tags!r})"


RenderedNote.fields = property(lambda note: _unpack(note._packed), doc="The field values, in FIELDS order.")  # type: ignore[assignment]


_Packed = tuple[str, ...] | tuple[bytes, int]  # the values as they are, or their group and place in it


def _restore(hanzi: str, pinyin: str, packed: _Packed, tags: tuple[str, ...], guid: str = "") -> RenderedNote:
    note = object.__new__(RenderedNote)
    for name, value in (("hanzi", hanzi), ("pinyin", pinyin), ("_packed", packed), ("tags", tags), ("_guid", guid)):
        object.__setattr__(note, name, value)
    return note


_SHARED: Recent[tuple[str, ...], tuple[str, ...]] = Recent(4096)


def shared(value: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple object for each distinct *value* (memoised, up to 4,096 values).

    A note's tags and an entry's sources repeat across a book (41 distinct
    tag tuples among the 3,853 notes of the 0.5 MB benchmark corpus); one
    object each keeps one copy in memory, and pickle sends a chunk's once.
    """
    found = _SHARED.get(value)
    return found if found is not None else _SHARED.keep(value, value)


# Notes compressed together.  One zlib call costs about 20 us whatever its size up to a few kilobytes, so
# a note alone took 22 us and 430 bytes; 32 together take about 6 us and 265 bytes a note (2 MB benchmark).
PACK_GROUP = 32
_FIELD_END, _NOTE_END = "\x1f", "\x1e"


def pack_notes(notes: Sequence[RenderedNote]) -> None:
    """Compress the field values of *notes*, in place, :data:`PACK_GROUP` neighbours at a time.

    Reading a note's ``fields`` decompresses its group; the last group read
    stays decompressed, so reading the notes in order decompresses each group
    once.  A note whose values hold a separator, or that has none, keeps them
    as they are.

    >>> notes = [RenderedNote(str(n), '', ('关键', str(n)), ()) for n in range(40)]
    >>> odd = RenderedNote('x', '', ('a' + chr(30) + 'b',), ())
    >>> pack_notes([*notes, odd])
    >>> [type(n._packed[0]).__name__ for n in (notes[0], notes[39], odd)], notes[33].fields, odd.fields[0][1:2]
    (['bytes', 'bytes', 'str'], ('关键', '33'), '\\x1e')
    """
    plain = [note for note in notes if _packable(note._packed)]
    for start in range(0, len(plain), PACK_GROUP):
        group = plain[start : start + PACK_GROUP]
        text = _NOTE_END.join(_FIELD_END.join(note._packed) for note in group)  # type: ignore[arg-type]
        blob = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
        for index, note in enumerate(group):
            object.__setattr__(note, "_packed", (blob, index))


def _packable(packed: _Packed) -> bool:
    """Whether these are a note's own values (not yet packed), none holding a separator."""
    return bool(packed) and all(isinstance(v, str) and _FIELD_END not in v and _NOTE_END not in v for v in packed)


_last_group: tuple[bytes, list[str]] = (b"", [])  # the group read last, decompressed: one tuple, swapped whole


def _unpack(packed: _Packed) -> tuple[str, ...]:
    blob = packed[0] if packed else ""
    if not isinstance(blob, bytes):
        return packed  # type: ignore[return-value]
    return tuple(_unpacked_record(packed).split(_FIELD_END))


def _unpacked_record(packed: _Packed) -> str:
    """The values of *packed* joined by :data:`_FIELD_END`."""
    global _last_group
    blob = packed[0] if packed else ""
    if not isinstance(blob, bytes):
        return _FIELD_END.join(packed)  # type: ignore[arg-type]
    last_blob, records = _last_group
    if last_blob is not blob:
        records = zlib.decompress(blob).decode("utf-8", "surrogatepass").split(_NOTE_END)
        _last_group = (blob, records)
    return records[packed[1]]  # type: ignore[index]


def _data(name: str) -> str:
    return resources.files("deckgen").joinpath("data", name).read_text(encoding="utf-8")


@cache
def css() -> str:
    """The note type's stylesheet."""
    return _data("style.css")


@cache
def templates() -> tuple[dict[str, str], ...]:
    """The card templates, with the shared ``{{> details}}`` block filled in."""
    details = _data("templates/details.html").strip()
    out = []
    for name, front, back in CARD_TYPES:
        out.append(
            {
                "name": name,
                "qfmt": _data(f"templates/{front}").strip(),
                "afmt": _data(f"templates/{back}").strip().replace("{{> details}}", details),
            }
        )
    return tuple(out)


def escape(text: str) -> str:
    """Article text as HTML element content: ``<``, ``>`` and ``&`` escaped, quotes kept, Anki markup inert.

    Anki plays ``[sound:…]`` and speaks ``[anki:tts …]…[/anki:tts]`` wherever
    they appear in a rendered card, and ``{{c1::…}}`` is a cloze to a cloze
    note type.  Article text is data, so the ``[`` of such a tag and the
    second ``{`` of ``{{`` become character references: the card shows the
    same text, and Anki sees no tag.

    >>> print(escape("<img onerror=alert(1)> & yòu'éryuán"))
    &lt;img onerror=alert(1)&gt; &amp; yòu'éryuán
    >>> print(escape("[sound:x.mp3] {{c1::字}} 个[gè]"))
    &#91;sound:x.mp3] &#123;{c1::字}} 个[gè]
    """
    if _PLAIN.fullmatch(text):
        return text  # most field values: nothing to escape or remove
    return ANKI_MARKUP.sub(_inert, html.escape(_CONTROLS.sub("", text), quote=False))


# The openings of Anki's own markup: media and TTS tags (any case, as a sloppy editor may write them), and
# template or cloze braces.
ANKI_MARKUP = re.compile(r"\[(?=\s*/?\s*(?:sound|anki)\s*:)|\{(?=\{)", re.IGNORECASE)


# NUL and the other control characters (but tab and line breaks): Anki separates fields with \x1f.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Text :func:`escape` leaves as it is: none of the characters above, no markup, no opening of Anki's markup.
_PLAIN = re.compile("[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f<>&\\[{]*")


@lru_cache(maxsize=256)
def _source_html(sources: tuple[str, ...]) -> str:
    """The article names, escaped as before (quotes too), with Anki markup inert and no control characters."""
    return ANKI_MARKUP.sub(_inert, html.escape(_CONTROLS.sub("", ", ".join(Path(s).stem for s in sources))))


def _inert(mark: re.Match[str]) -> str:
    return "&#91;" if mark.group() == "[" else "&#123;"


def example_html(example: Example) -> str:
    """The sentence escaped, with the word in ``<b class="hl">``.

    >>> example_html(Example('a<', '字', '&'))
    'a&lt;<b class="hl">字</b>&amp;'
    """
    return f'{escape(example.before)}<b class="hl">{escape(example.word)}</b>{escape(example.after)}'


def hanzi_html(hanzi: str, syllables: tuple[str, ...]) -> str:
    """Each character in a ``toneN`` span, coloured by its syllable.

    >>> hanzi_html('关键', ('guān', 'jiàn'))
    '<span class="tone1">关</span><span class="tone4">键</span>'
    """
    if len(hanzi) != len(syllables):
        return escape(hanzi)
    return "".join(
        f'<span class="tone{tone_of(syl)}">{escape(ch)}</span>' for ch, syl in zip(hanzi, syllables, strict=True)
    )


def pinyin_html(syllables: tuple[str, ...]) -> str:
    """Each syllable in a ``toneN`` span, apostrophes kept between spans.

    >>> pinyin_html(('rǔ', 'xiàn', 'ái'))
    '<span class="tone3">rǔ</span><span class="tone4">xiàn</span>\\'<span class="tone2">ái</span>'
    """
    out = []
    for i, syl in enumerate(syllables):
        if i and strip_tones(syl[:1]) in ("a", "o", "e"):
            out.append("'")
        out.append(f'<span class="tone{tone_of(syl)}">{escape(syl)}</span>')
    return "".join(out)


_SAFE_TAG = re.compile(r"[\s\"']+")


@lru_cache(maxsize=1024)
def source_tag(path: str) -> str:
    """``source::<file stem>``; whitespace and quotes become ``_`` so Anki keeps one tag.

    >>> source_tag('/tmp/My article 1.txt')
    'source::My_article_1'
    """
    stem = Path(path).stem or Path(path).name
    return "source::" + _SAFE_TAG.sub("_", stem).strip("_")


def blank(text: str, word: str) -> str:
    """*text* with every character of *word* replaced by ＿, for the Recall front.

    The Recall card asks for the word, so its question must not show the
    word, nor any of its characters, anywhere: not in a second use of the
    word in the sentence, not in a composed meaning (家 jiā: home · 门口 …).

    >>> blank('在家门口就业、在家门口创业', '家门口')
    '在＿＿＿就业、在＿＿＿创业'
    >>> blank('(composed) 订单 dìngdān: order · 式 shì: type', '订单式')
    '(composed) ＿＿ dìngdān: order · ＿ shì: type'
    """
    for char in set(word):  # a few characters: faster than str.translate with a table made per call
        if char in text:
            text = text.replace(char, "＿")
    return text


def render(entry: Entry, options: RenderOptions = RenderOptions()) -> RenderedNote:
    """The note for *entry*: escaped field values in FIELDS order, and tags."""
    first = entry.examples[0] if entry.examples else None
    hidden = entry.hanzi + entry.traditional + entry.simplified  # no script of the answer on the Recall front
    more = entry.examples[1 : 1 + MAX_MORE_SENTENCES]
    values = {
        "Hanzi": escape(entry.hanzi),
        "Pinyin": escape(entry.pinyin),
        "Meaning": escape(entry.meaning),
        "Traditional": escape(entry.traditional),
        "Simplified": escape(entry.simplified),
        "Classifier": escape(entry.classifier),
        "HSK": escape(entry.hsk.label),
        "Frequency": escape(entry.frequency),
        "Sentence": example_html(first) if first else "",
        "SentencePinyin": escape(entry.sentence_pinyin),
        "MoreSentences": ("<ol>" + "".join(f"<li>{example_html(e)}</li>" for e in more) + "</ol>") if more else "",
        "Source": _source_html(entry.sources),
        "HanziColor": hanzi_html(entry.hanzi, entry.syllables),
        "PinyinColor": pinyin_html(entry.syllables),
        "Notes": "",
        "TTS": "y" if options.tts else "",
        "SentenceBlank": escape(blank(first.text, hidden)) if first else "",
        "MeaningBlank": escape(blank(entry.meaning or entry.gloss, hidden)),
        "Gloss": escape(entry.gloss),
    }
    for card, switch in CARD_SWITCHES.items():
        values[switch] = "y" if card in options.cards else ""
    tags = {source_tag(s) for s in entry.sources}
    tags.update(entry.hsk.tags)
    for flag in entry.flags:
        tags.add(f"deckgen::{flag}")
        if flag not in ("repaired", "new-word"):
            tags.add("deckgen::check")
    return RenderedNote(entry.hanzi, entry.pinyin, tuple(values[name] for name in FIELDS), tuple(sorted(tags)))
