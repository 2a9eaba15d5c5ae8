"""Simplified and traditional characters, through OpenCC's phrase-aware tables.

OpenCC converts by phrase, so 头发 becomes 頭髮 (not 頭發) and 后来 後來; a
character-by-character table would get both wrong.  Used for the card's
Traditional field when CC-CEDICT lacks the word, to choose among CC-CEDICT
entries of different traditional forms, and to find a traditional word's
simplified entries.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from .dictionary import DictionaryError

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


def simplified_of(text: str) -> str:
    """Simplified characters for *text*, so traditional input finds its entries.

    >>> simplified_of('關鍵')
    '关键'
    """
    return _converter("t2s").convert(text) if text else text
