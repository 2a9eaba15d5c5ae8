"""What every reader shares: words whose reading the input states, and lines built from them.

A reader knows more than the inline parser can guess.  A word list says
which characters its pinyin belongs to; a ruby element, a two-line text or a
subtitle cue gives every character its syllable.  Such a word is a
:class:`Known` piece: it becomes an :class:`~deckgen.parse.Annotation`
directly, without the parser's alignment, while the text around it is still
parsed for inline annotations (:func:`compose`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..align import align, is_hanzi
from ..notices import Notice
from ..parse import Annotation, ParsedLine, parse_line
from ..pinyin import Reading, join_syllables, mark_tone, parse_reading, strip_tones, tone_of

ZHUYIN = "\u3105-\u312f\u31a0-\u31bf"
_ZHUYIN_TONES = "ˊˇˋ˙"
# One syllable: neutral dot, optional initial, medial and final, tone mark.
_ZHUYIN_SYLLABLE = re.compile("(˙?)((?=[ㄅ-ㄩ])[ㄅ-ㄙ]?[ㄧㄨㄩ]?[ㄚ-ㄦ]?)([ˊˇˋ]?)")
_ZHUYIN_TONE = {"ˊ": 2, "ˇ": 3, "ˋ": 4}
_ZHUYIN_TEXT = re.compile(f"^[{ZHUYIN}{_ZHUYIN_TONES}\\s]+$")
# Punctuation that may sit in a line of pinyin: ASCII and CJK.
_PINYIN_PUNCT = re.compile(r"[\"“”‘’«»,.!?;:()\[\]{}，。！？；：、（）《》「」『』…—–~～*_#`]+")


@dataclass(frozen=True)
class Known:
    """A word whose reading the input states: ``base`` (hanzi) read as ``syllables``, one per character."""

    base: str
    syllables: tuple[str, ...]
    gloss: str = ""
    traditional: str = ""
    raw: str = ""


@dataclass(frozen=True)
class Plain:
    """Text to parse for inline annotations; ``gloss`` goes to an annotation ending it."""

    text: str
    gloss: str = ""


Piece = Known | Plain


def known_annotation(piece: Known, start: int) -> Annotation | None:
    """The annotation for *piece* at *start*, or None if its syllables do not fit its characters.

    The match kind is the aligner's, so a reading no dictionary has for the
    characters is flagged as an inline one would be.

    >>> known_annotation(Known('数据', ('shù', 'jù')), 3)
    Annotation(start=3, end=5, syllables=('shù', 'jù'), match='exact', raw='(shù jù)', traditional='', gloss='')
    >>> known_annotation(Known('数据', ('shù',)), 0) is None, known_annotation(Known('关关', ('guā', 'n')), 0) is None
    (True, True)
    """
    if not piece.base or len(piece.base) != len(piece.syllables) or not all(map(is_hanzi, piece.base)):
        return None
    again = parse_reading(join_syllables(piece.syllables))
    if again is None or len(again.syllables) != len(piece.syllables):
        return None  # the card's pinyin would not read back as one syllable per character
    marked = any(tone_of(s) != 5 for s in piece.syllables)
    alignment = align(piece.base, Reading(piece.syllables, marked))
    match = alignment.match if alignment and alignment.length == len(piece.base) and not alignment.gap else "tones"
    raw = piece.raw or f"({' '.join(piece.syllables)})"
    end = start + len(piece.base)
    return Annotation(start, end, piece.syllables, match, raw, piece.traditional, piece.gloss)


def compose(pieces: Iterable[Piece], line: int, path: str, listed: bool = False) -> ParsedLine:
    """One parsed line from pieces: known words annotated as given, text parsed inline.

    A known word whose syllables do not fit is kept as text and reported.

    >>> parsed = compose([Plain('我爱'), Known('数据', ('shù', 'jù')), Plain('和代码(dàimǎ)。')], 1, 'x')
    >>> parsed.text, [(parsed.text[a.start:a.end], a.syllables) for a in parsed.annotations]
    ('我爱数据和代码。', [('数据', ('shù', 'jù')), ('代码', ('dài', 'mǎ'))])
    """
    pieces = list(pieces)
    if len(pieces) == 1 and isinstance(pieces[0], Plain) and not pieces[0].gloss and not listed:
        return parse_line(pieces[0].text, line, path)  # plain inline text: the parser's line as it is
    text = ""
    annotations: list[Annotation] = []
    notices: list[Notice] = []
    for piece in pieces:
        if isinstance(piece, Known):
            annotation = known_annotation(piece, len(text))
            if annotation is None:
                reading = " ".join(piece.syllables)
                if not all(map(is_hanzi, piece.base)):
                    why = "is not all hanzi"
                elif len(piece.syllables) != len(piece.base):
                    why = f"has {len(piece.syllables)} syllable(s) for {len(piece.base)} character(s)"
                else:
                    why = "is not pinyin of one syllable per character"
                notices.append(Notice(path, line, "unaligned", f"{piece.base}({reading}) {why}; skipped"))
            else:
                annotations.append(annotation)
            text += piece.base
            continue
        parsed = parse_line(piece.text, line, path)
        found = [_moved(a, len(text)) for a in parsed.annotations]
        if piece.gloss and found and not any(map(is_hanzi, parsed.text[found[-1].end - len(text) :])):
            found[-1] = _with(found[-1], gloss=piece.gloss)  # the gloss's own reading ends the piece
        annotations.extend(found)
        notices.extend(parsed.notices)
        text += parsed.text
    return ParsedLine(line, text, tuple(annotations), tuple(notices), listed)


def _moved(annotation: Annotation, offset: int) -> Annotation:
    return _with(annotation, start=annotation.start + offset, end=annotation.end + offset)


def _with(annotation: Annotation, **changes: object) -> Annotation:
    from dataclasses import replace

    return replace(annotation, **changes)  # type: ignore[arg-type]


def segment_known(base: str, syllables: Sequence[str], gloss: str = "") -> list[Piece]:
    """Split a fully annotated run of hanzi into dictionary words, each with the text's own syllables.

    The text's readings are kept: jieba only says where words begin.  Text
    in traditional characters is cut where its simplified form would be, as
    jieba's dictionary is simplified.

    >>> [(p.base, p.syllables) for p in segment_known('我们喜欢', ['wǒ', 'men', 'xǐ', 'huan'])]
    [('我们', ('wǒ', 'men')), ('喜欢', ('xǐ', 'huan'))]
    >>> [p.base for p in segment_known('關心', ['guān', 'xīn'])]
    ['關心']
    """
    from .. import segment
    from ..script import simplified_of

    simplified = simplified_of(base)
    cut_by = simplified if len(simplified) == len(base) else base
    return [Known(base[start:end], tuple(syllables[start:end]), gloss) for _, start, end in segment.tokens(cut_by)]


def annotate_run(text: str, syllables: Sequence[str], groups: Sequence[int] | None = None) -> list[Piece] | None:
    """Pieces for a line of *text* whose hanzi are read, in order, by *syllables*.

    *groups* gives the text's own word lengths in syllables (a pinyin line
    written word by word, ``wǒmen xǐhuan``); without it, words are found by
    the dictionary.  Non-hanzi characters stay text.  Returns None when the
    syllables do not number the hanzi.

    >>> pieces = annotate_run('你好，朋友！', ['nǐ', 'hǎo', 'péng', 'you'])
    >>> [(p.base, p.syllables) if isinstance(p, Known) else p.text for p in pieces]
    [('你好', ('nǐ', 'hǎo')), '，', ('朋友', ('péng', 'you')), '！']
    >>> [p.base for p in annotate_run('我喜欢', ['wǒ', 'xǐ', 'huan'], [1, 2])]
    ['我', '喜欢']
    """
    hanzi_at = [i for i, ch in enumerate(text) if is_hanzi(ch)]
    if len(hanzi_at) != len(syllables) or not syllables:
        return None
    # Word starts, as indices into the hanzi: from the text's own grouping, if it fits.
    starts: set[int] | None = None
    if groups and sum(groups) == len(syllables) and any(g > 1 for g in groups):
        starts, at = set(), 0
        for size in groups:
            starts.add(at)
            at += size
    pieces: list[Piece] = []
    i = 0  # position in text
    k = 0  # hanzi index
    while i < len(text):
        if not is_hanzi(text[i]):
            j = i
            while j < len(text) and not is_hanzi(text[j]):
                j += 1
            pieces.append(Plain(text[i:j]))
            i = j
            continue
        j = i
        while j < len(text) and is_hanzi(text[j]):
            j += 1
        run, run_syllables = text[i:j], list(syllables[k : k + j - i])
        if starts is None:
            pieces.extend(segment_known(run, run_syllables))
        else:
            cut = [n for n in range(len(run)) if n == 0 or k + n in starts] + [len(run)]
            pieces.extend(Known(run[a:b], tuple(run_syllables[a:b])) for a, b in pairwise(cut))
        k += j - i
        i = j
    return pieces


def pinyin_words(line: str) -> list[tuple[str, ...]] | None:
    """The words of a line written in pinyin, each as its syllables, or None if it is not all pinyin.

    Punctuation is dropped; a word may carry tone marks or numbers.

    >>> pinyin_words('Wǒmen dōu xǐhuan chī jiǎozi.')
    [('wǒ', 'men'), ('dōu',), ('xǐ', 'huan'), ('chī',), ('jiǎo', 'zi')]
    >>> pinyin_words('We all like dumplings.') is None
    True
    """
    if any(is_hanzi(ch) for ch in line):
        return None
    words: list[tuple[str, ...]] = []
    for token in _PINYIN_PUNCT.sub(" ", line).split():
        reading = parse_reading(token)
        if reading is None:
            return None
        words.append(reading.syllables)
    return words or None


def looks_like_pinyin_line(line: str) -> bool:
    """A line of pinyin with at least one tone (mark or number), so English is not taken for it.

    >>> looks_like_pinyin_line('nǐ hǎo'), looks_like_pinyin_line('ni hao'), looks_like_pinyin_line('ni3 hao3')
    (True, False, True)
    """
    words = pinyin_words(line)
    if not words:
        return False
    return any(parse_reading(token) and parse_reading(token).marked for token in _PINYIN_PUNCT.sub(" ", line).split())  # type: ignore[union-attr]


def is_zhuyin(text: str) -> bool:
    """Whether *text* is zhuyin (bopomofo) syllables.

    >>> is_zhuyin('ㄍㄨㄢ'), is_zhuyin('˙ㄉㄜ'), is_zhuyin('guān')
    (True, True, False)
    """
    return bool(_ZHUYIN_TEXT.match(text)) and any("\u3105" <= ch <= "\u31bf" for ch in text)


def zhuyin_to_pinyin(text: str) -> str | None:
    """Zhuyin syllables as tone-marked pinyin, or None if they are not zhuyin.

    Each syllable (initial, medial, final, tone) is converted on its own.  The
    neutral tone's ˙ may come before the syllable (its usual place) or end
    the reading; ㄦ with a tone is ér, a bare ㄦ right after a syllable is erhua r.

    >>> [zhuyin_to_pinyin(z) for z in ('ㄍㄨㄢ ㄐㄧㄢˋ', '˙ㄉㄜ', 'ㄧㄤˊ', 'ㄦˊ')]
    ['guān jiàn', 'de', 'yáng', 'ér']
    >>> zhuyin_to_pinyin('ㄏㄨㄚˋㄦ'), zhuyin_to_pinyin('ㄇㄚ˙'), zhuyin_to_pinyin('abc')
    ('huà r', 'ma', None)
    """
    if not is_zhuyin(text):
        return None
    from dragonmapper.transcriptions import zhuyin_to_pinyin as convert

    compact = "".join(text.split())
    trailing_neutral = compact.endswith("˙") and not compact.startswith("˙")
    compact = compact.removesuffix("˙") if trailing_neutral else compact
    found = list(_ZHUYIN_SYLLABLE.finditer(compact))
    if not found or "".join(m.group() for m in found) != compact:
        return None
    out: list[str] = []
    for index, m in enumerate(found):
        neutral, body, tone = m.group(1) == "˙", m.group(2), m.group(3)
        if body == "ㄦ":
            syllable = "r" if out and not tone and not neutral else mark_tone("er", _ZHUYIN_TONE.get(tone, 1))
        else:
            try:
                syllable = convert(body + tone)
            except (ValueError, KeyError, IndexError, AttributeError):
                return None
        if neutral or (trailing_neutral and index == len(found) - 1):
            syllable = strip_tones(syllable)
        out.append(syllable)
    return " ".join(out)


def spoken(syllables: Sequence[str]) -> str:
    """The syllables as one pinyin word (for messages)."""
    return join_syllables(list(syllables))
