"""Every CC-CEDICT headword as a sentence's pinyin reads it, worked out once for large builds.

A sentence's pinyin (:mod:`deckgen.spoken`) reads each of its words by
pypinyin, with CC-CEDICT's neutral tones (朋友 péngyou), and capitalises a
word that CC-CEDICT writes only as a name (北京 Běijīng).  A dictionary word
seen for the first time cost about 25 µs: pypinyin's segmenter and tables,
then the word's CC-CEDICT lines parsed and compared.  The sentences of the
2 MB benchmark corpus hold 14,000 distinct dictionary words, and each
process that renders met most of them again.

This table holds the answer for every headword, simplified or traditional,
whose lines parse (about 194,000): the reading
:func:`deckgen.spoken.reading_alone` gives it, and whether any of its lines
writes it as a name.  A word missing from it has no CC-CEDICT line, so the
table also answers whether CC-CEDICT lists a word.  The value is a flag
(``P``: some line is a name; ``-``: none; ``L``: ask the live functions, a
reading the table cannot spell) then the syllables, space-separated.

It is made by those same functions, once (about 7 s in one process, shared
among the build's processes), when a build first has many entries to render
(:func:`prepared`), and kept in the cache folder, keyed by the fingerprints of
CC-CEDICT's file and pypinyin's tables and by the source of the modules that
compute it: a change to any of them makes a new table.  A build with few
entries uses the table when it is there and asks the live functions otherwise;
a test holds both ways equal, word by word and note by note.  Workers that
have mined their share open it early (:func:`deckgen.enrich.warm_up`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Executor

    from .folders import TextTable

# Bump when the table's files or the meaning of their contents change.
_FORMAT = 1
# The modules whose code decides a word's reading: a change to any of them is a new table.
_MODULES = ("spoken", "pinyintables", "pinyin", "dictionary", "senses", "dictcache", "readingtable")
PROPER, PLAIN, LIVE = "P", "-", "L"

_current: list[tuple[Path, TextTable]] = []  # the table in use in this process, if any, and its folder


def current() -> TextTable | None:
    """The table this process reads words from, or None: then every word is worked out where it is met."""
    return _current[0][1] if _current else None


def prepared(make: bool, pool: Executor | None = None, parts: int = 1) -> Path | None:
    """Put the cached table in use, made first if *make* and the cache folder takes it; its folder, or None.

    The table is made in *parts* shares of the headwords in the processes of
    *pool*, if given.  Where the cache folder cannot be written, no table is
    made: made in memory on every large build, it would cost more than it saves.
    """
    from .folders import cache_dir, cache_folder

    fingerprint = _fingerprint()
    folder = cache_folder(cache_dir(), f"readings-v{_FORMAT}", fingerprint)
    table = _open(folder, fingerprint)
    if table is None and make:
        table = _made(folder, fingerprint, pool, parts)
    _current[:] = [(folder, table)] if table is not None else []
    return folder if table is not None else None


def use(folder: Path | None) -> None:
    """In a worker: read words from the table the build prepared in *folder* (None: from none)."""
    if folder is None:
        _current.clear()
    elif not _current or _current[0][0] != folder:
        table = _open(folder, _fingerprint())
        _current[:] = [(folder, table)] if table is not None else []


def _fingerprint() -> dict[str, str]:
    """CC-CEDICT's and pypinyin's fingerprints, and the SHA-256 of the code that reads a word."""
    import importlib

    from .dictcache import default_fingerprint
    from .pinyintables import _fingerprint as pypinyin_fingerprint

    code = hashlib.sha256()
    for name in _MODULES:
        module = importlib.import_module(f"deckgen.{name}")
        code.update(Path(str(module.__file__)).read_bytes())
    fingerprint = {"format": str(_FORMAT), "code": code.hexdigest()}
    fingerprint.update({f"cedict_{key}": value for key, value in default_fingerprint().items()})
    fingerprint.update({f"pypinyin_{key}": value for key, value in pypinyin_fingerprint().items()})
    return fingerprint


def _open(folder: Path, fingerprint: dict[str, str]) -> TextTable | None:
    """The table in *folder* if it is whole and was made from what *fingerprint* describes, else None."""
    from .folders import cached_text_table

    return cached_text_table(folder, fingerprint, "words")


def _made(folder: Path, fingerprint: dict[str, str], pool: Executor | None, parts: int) -> TextTable | None:
    """Work out every headword's reading, write the table to *folder* and open it; None if it cannot be written."""
    from .folders import cache_text_table

    def readings() -> dict[str, str]:
        if pool is None or parts < 2:
            return every_reading()
        out: dict[str, str] = {}
        for share in [pool.submit(every_reading, part, parts) for part in range(parts)]:
            out.update(share.result())
        return out

    try:  # the readings are worked out only once the cache folder has taken a temporary folder for them
        cache_text_table(folder, readings, {"fingerprint": fingerprint}, "words")
    except (OSError, OverflowError):
        return None
    return _open(folder, fingerprint)


def every_reading(part: int = 0, parts: int = 1) -> dict[str, str]:
    """Every headword whose lines parse, with its table value (see the module's text), from the live functions.

    With *parts*, only the headwords whose place in the store's order is *part* modulo *parts*: one share.
    """
    from .dictcache import default_store
    from .dictionary import readings
    from .spoken import reading_alone

    saved = _current[:]
    _current.clear()  # the live functions, never an older table
    try:
        out: dict[str, str] = {}
        for index, word in enumerate(default_store().headwords()):
            if index % parts != part:
                continue
            lines = readings(word)  # the numbered syllables of rows(word)'s lines, their senses left unparsed
            if not lines:
                continue  # no line of it parses: missing from the table, as from rows()
            syllables = reading_alone(word, False)
            if any(not syllable or syllable != "".join(syllable.split()) for syllable in syllables):
                out[word] = LIVE
                continue
            flag = PROPER if any(syllable[:1].isupper() for line in lines for syllable in line) else PLAIN  # Row.proper
            out[word] = flag + " ".join(syllables)
        return out
    finally:
        _current[:] = saved
