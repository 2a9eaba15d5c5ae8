"""Simplified and traditional characters, through OpenCC's phrase-aware tables.

OpenCC converts by phrase, so 头发 becomes 頭髮 (not 頭發) and 后来 後來; a
character-by-character table would get both wrong.  Used for the card's
Traditional field when CC-CEDICT lacks the word, to choose among CC-CEDICT
entries of different traditional forms, and to find a traditional word's
simplified entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from .dictionary import DictionaryError
from .memo import Recent

if TYPE_CHECKING:  # pragma: no cover
    import opencc


@cache
def _converter(config: str) -> opencc.OpenCC:
    try:
        import opencc
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DictionaryError("OpenCC is missing: install OpenCC==1.4.2") from exc
    return opencc.OpenCC(config)


def traditional_of(simplified: str) -> str:
    """Traditional (Taiwan standard) characters for a word CC-CEDICT lacks.

    OpenCC converts by phrase, so 头发 becomes 頭髮, not 頭發.

    >>> traditional_of('稳岗'), traditional_of('头发')
    ('穩崗', '頭髮')
    """
    return _converter("s2tw").convert(simplified) if simplified else simplified


def traditional_in_context(before: str, word: str, after: str) -> str:
    """The traditional form of *word* as OpenCC reads it inside its sentence, or "".

    A simplified character can stand for several traditional ones, and only
    the context tells which: 干 is 乾 in 干净 "clean" but 幹 in 干活 "to work",
    后 is 後 in 然后 but 后 in 皇后.  Converting the whole sentence lets
    OpenCC's phrase tables decide.

    >>> traditional_in_context('收拾得很', '干', '净'), traditional_in_context('我们一起', '干', '活')
    ('乾', '幹')
    """
    sentence = before + word + after
    if not word or not sentence:
        return ""
    converted = _sentence_traditional(sentence)
    if len(converted) != len(sentence):
        return ""
    return converted[len(before) : len(before) + len(word)]


# Sentences converted, by text: a sentence is the first example of each new word in it.
_SENTENCES: Recent[str, str] = Recent(4096)


def _sentence_traditional(sentence: str) -> str:
    converted = _SENTENCES.get(sentence)
    return converted if converted is not None else _SENTENCES.keep(sentence, traditional_of(sentence))


def convert_sentences(sentences: Iterable[str]) -> None:
    """Convert many sentences for :func:`traditional_in_context` in one call to OpenCC.

    OpenCC's phrases never span a line break, so each line of the joined text
    converts as it would alone (a test holds the two equal); one call over a
    batch of sentences took a quarter of the time of one call each among the
    rest of the enrichment.
    """
    todo = [s for s in dict.fromkeys(sentences) if s and "\n" not in s and s not in _SENTENCES]
    if not todo:
        return
    converted = traditional_of("\n".join(todo)).split("\n")
    if len(converted) == len(todo):
        _SENTENCES.make_room(len(todo))  # what is converted ahead is still there when asked for
        for sentence, traditional in zip(todo, converted, strict=True):
            _SENTENCES.keep(sentence, traditional)


def simplified_of(text: str) -> str:
    """Simplified characters for *text*, so traditional input finds its entries.

    >>> simplified_of('關鍵')
    '关键'
    """
    return _converter("t2s").convert(text) if text else text
