"""The empty collection genanki writes for a deck (schema, collection row, deck, note type), kept in the cache.

genanki makes a deck's collection: its schema and collection row, then the
deck and the note type in the collection's JSON.  Importing genanki costs
about 35 ms a process (it imports PyYAML, and asyncio through
cached_property), 8 % of building the reference article, for what is the
same every time but for four values: the deck's id, name and description,
and the note type's modification time.  So genanki writes it once, with
stand-ins for those four, into deckgen's cache folder (keyed by genanki's
files and the note type's fields, templates and CSS, like the other caches);
a deck then starts from a copy of that file, with the four values put in the
JSON where genanki put them.  A test holds the result equal to genanki's own
collection, table by table.  Where the cache cannot be written, genanki
writes the collection itself, as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

# Bump when the cached file or the meaning of its contents change.
_FORMAT = 1
_FILE = "collection.anki2"
# Stand-ins for the values that differ from deck to deck; _fill_in replaces them by key, not by searching the text.
_DECK_ID = 1_111_111_111
_STAMP = 1_222_222_222
_NAME = "deckgen-deck-name"
_DESCRIPTION = "deckgen-deck-description"


def write_empty(path: Path, deck_id: int, name: str, description: str, stamp: float) -> list[Any]:
    """Write the empty collection of deck *name* to *path*; return the note type's card requirements (``req``).

    The same file genanki's ``Package.write_to_db`` makes for a deck without notes.
    """
    copied = _copied(path)
    if not copied:
        _write_with_genanki(path, deck_id, name, description, stamp)
    conn = scratch(path)
    try:
        if copied:
            _fill_in(conn, deck_id, name, description, stamp)
            conn.commit()
        (models,) = conn.execute("SELECT models FROM col").fetchone()
    finally:
        conn.close()
    from .package import MODEL_ID

    requirements: list[Any] = json.loads(models)[str(MODEL_ID)]["req"]
    return requirements


def _copied(path: Path) -> bool:
    """Copy the cached empty collection to *path*; False where there is none, or it changed since it was checked.

    Another process may be replacing the cache meanwhile (two first runs at once): the copy is checked against
    the digest the cache was written with, and genanki writes the collection instead when they differ.
    """
    cached = _cached()
    if cached is None:
        return False
    source, digest = cached
    try:
        shutil.copyfile(source, path)
        if _digest(path) == digest:
            return True
    except OSError:
        pass
    path.unlink(missing_ok=True)  # genanki writes into a new file
    return False


def _fill_in(conn: sqlite3.Connection, deck_id: int, name: str, description: str, stamp: float) -> None:
    """Put this deck's values where genanki put the stand-ins, keeping every key where it was."""
    decks_text, models_text = conn.execute("SELECT decks, models FROM col").fetchone()
    decks = {}
    for key, deck in json.loads(decks_text).items():
        if key == str(_DECK_ID):
            key = str(deck_id)
            deck.update(id=deck_id, name=name, desc=description)
        decks[key] = deck
    models = json.loads(models_text)
    for model in models.values():
        model.update(did=deck_id, mod=int(stamp))
    conn.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(models)))


def _write_with_genanki(path: Path, deck_id: int, name: str, description: str, stamp: float) -> None:
    import itertools

    import genanki

    from .package import model

    deck = genanki.Deck(deck_id, name, description)
    deck.add_model(model())
    conn = scratch(path)
    try:
        genanki.Package(deck).write_to_db(conn.cursor(), stamp, itertools.count(int(stamp * 1000)))
        conn.commit()
    finally:
        conn.close()


def scratch(path: Path) -> sqlite3.Connection:
    """A connection to a file that is a scratch copy until zipped: no journal, no fsync."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    return conn


def _cached() -> tuple[Path, str] | None:
    """The cached empty collection with stand-ins, and its SHA-256; written first if needed, None where it cannot be."""
    from .folders import cache_dir

    try:
        fingerprint = _fingerprint()
    except (OSError, ImportError):
        return None
    return _cached_for(cache_dir(), tuple(fingerprint.items()))


@cache
def _cached_for(cache_dir: Path, items: tuple[tuple[str, str], ...]) -> tuple[Path, str] | None:
    """:func:`_cached` in *cache_dir*, for the note type and genanki that *items* (the fingerprint) describe."""
    from .folders import cache_folder, cache_meta, new_cache

    fingerprint = dict(items)
    try:
        folder = cache_folder(cache_dir, f"skeleton-v{_FORMAT}", fingerprint)
        try:
            meta = cache_meta(folder, fingerprint)
            if meta is not None and meta.get("sha256") == _digest(folder / _FILE):
                return folder / _FILE, meta["sha256"]
        except (OSError, ValueError):
            pass  # missing or damaged: written again
        meta = {"fingerprint": fingerprint}
        with new_cache(folder, meta) as temp:
            _write_with_genanki(temp / _FILE, _DECK_ID, _NAME, _DESCRIPTION, _STAMP)
            meta["sha256"] = _digest(temp / _FILE)  # checked at each use: a damaged file is written again
        digest = _digest(folder / _FILE)
        return (folder / _FILE, digest) if digest == meta["sha256"] else None
    except (OSError, ImportError, sqlite3.Error):
        return None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint() -> dict[str, str]:
    """genanki's files (path, size, mtime) and a digest of deckgen's note type: what the cached file depends on."""
    from importlib.util import find_spec

    from .package import note_type

    spec = find_spec("genanki")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("genanki is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    fingerprint = {"format": str(_FORMAT)}
    for name in ("apkg_col.py", "apkg_schema.py", "deck.py", "model.py", "package.py"):
        stat = (folder / name).stat()
        fingerprint[name] = f"{(folder / name).resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    made_of = json.dumps(note_type(), ensure_ascii=False, sort_keys=True)
    fingerprint["note_type"] = hashlib.sha256(made_of.encode("utf-8")).hexdigest()
    return fingerprint
