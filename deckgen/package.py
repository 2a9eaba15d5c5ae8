"""From rendered notes to an ``.apkg`` that Anki imports (genanki).

Identity is stable so that re-imports update rather than duplicate:

- the note type has a fixed id and name (changing its fields or templates
  would make Anki add a second "deckgen Chinese+" note type);
- the deck id is derived from the deck name;
- a note's GUID comes from (Hanzi, normalised pinyin).

Anki applies an update only when the package's note is newer than the
collection's copy, so notes are stamped with the build time, or with
``SOURCE_DATE_EPOCH`` for reproducible builds.

The deck is written atomically: a temporary file beside the target, then a
rename, so an interrupted build never leaves half a deck or destroys the old one.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import time
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import OutputError
from .pinyin import normalise
from .render import FIELDS, RenderedNote, css, templates
from .safety import atomic_target

MODEL_ID = 1_734_206_401
MODEL_NAME = "deckgen Chinese"
SORT_FIELD = 0  # the field Anki's browser sorts by: Hanzi


def deck_id(name: str) -> int:
    """A stable deck id from the deck name, in the range Anki ids use.

    >>> deck_id('Chinese::Articles') == deck_id('Chinese::Articles')
    True
    """
    digest = int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:12], 16)
    return (1 << 30) + digest % (1 << 30)


def note_guid(hanzi: str, pinyin: str) -> str:
    """The note's GUID from its word and normalised reading: genanki's ``guid_for(hanzi, reading)``.

    The first 8 bytes of the SHA-256 of ``hanzi__reading``, in the base-91
    digits Anki writes GUIDs with.  Computed here, without importing genanki
    (35 ms a process); a test holds it equal to genanki's on thousands of words.

    >>> note_guid('关键', 'guānjiàn') == note_guid('关键', 'Guān jiàn')
    True
    """
    digest = hashlib.sha256(f"{hanzi}__{normalise(pinyin)}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    digits = []
    while number > 0:
        number, digit = divmod(number, len(_BASE91))
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


# The digits of Anki's base-91 GUIDs, in order.
_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"


def build_timestamp() -> float:
    """The time stamped on notes: ``SOURCE_DATE_EPOCH`` if set, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return float(int(epoch))
        except ValueError:
            raise OutputError(f"SOURCE_DATE_EPOCH must be an integer, not {epoch!r}") from None
    return time.time()


def model() -> Any:
    """The deckgen note type (a ``genanki.Model``)."""
    import genanki

    return genanki.Model(**note_type())


def note_type() -> dict[str, Any]:
    """What the note type is made of: ``genanki.Model``'s arguments (the cached empty collection is keyed on them)."""
    return {
        "model_id": MODEL_ID,
        "name": MODEL_NAME,
        "fields": [{"name": name, "font": "Arial"} for name in FIELDS],
        "templates": list(map(dict, templates())),
        "css": css(),
        "sort_field_index": SORT_FIELD,
    }


def description_of(files: Sequence[Path], failed: Sequence[Path] = ()) -> str:
    """The deck's description: the articles it was built from (*files* but the *failed*), and CC-CEDICT's credit.

    >>> description_of([Path('a/b.txt'), Path('c.txt')], [Path('c.txt')])[:32]
    'Built by deckgen from: b.txt<br>'
    """
    import html

    from .dictionary import attribution

    sources = ", ".join(path.name for path in files if path not in failed)
    return f"Built by deckgen from: {html.escape(sources)}<br>{html.escape(attribution())}"


def write_apkg(
    notes: Sequence[RenderedNote],
    path: Path,
    deck_name: str,
    description: str = "",
    timestamp: float | None = None,
    stamps: Mapping[tuple[str, str], float] | None = None,
    prewritten: Prewritten | None = None,
) -> Path:
    """Write *notes* as one deck to *path*, atomically.  Returns *path*.

    *stamps* gives some notes, by (hanzi, pinyin), an older modification time
    than the build's: the time they were first exported.  Anki then leaves
    its copy of those notes, and the learner's edits to them, alone.  A
    collection the build filled as it rendered (*prewritten*) is used when it
    holds exactly these notes for this deck; either way its file is removed.
    """
    stamp = build_timestamp() if timestamp is None else timestamp
    older = stamps or {}
    from .workers import collector_paused

    with collector_paused(), atomic_target(Path(path), "deck") as tmp_zip:
        tmp_db = tmp_zip.with_name(tmp_zip.name + ".anki2")
        try:
            collection = _write_collection(notes, deck_name, description, tmp_db, stamp, older, prewritten)
            # Level 1: a third of the default level's time for a file about 8 % larger (50,000 notes: 0.35 s, 12.7 MB).
            with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
                archive.write(collection, "collection.anki2")
                archive.writestr("media", "{}")
        finally:
            tmp_db.unlink(missing_ok=True)
            if prewritten is not None:
                prewritten.discard()
    return Path(path)


_BATCH = 500  # rows a batch: as fast as 2,000 for a 50,000-note deck, and 3 MB less at the peak
_NOTE_INSERT = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)"
_CARD_INSERT = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"


def _write_collection(
    notes: Sequence[RenderedNote],
    deck_name: str,
    description: str,
    db_path: Path,
    stamp: float,
    older: Mapping[tuple[str, str], float],
    prewritten: Prewritten | None = None,
) -> Path:
    """genanki's collection of *notes*: *prewritten*'s if it holds them, else written to *db_path*.  Its path.

    See :class:`Collection` and :class:`Prewritten`.
    """
    ready = prewritten.take(notes, deck_name, description, stamp, older) if prewritten is not None else None
    if ready is not None:
        return ready
    collection = Collection(db_path, deck_name, description, stamp, older)
    try:
        for note in notes:
            collection.add(note)
        collection.finish()
    finally:
        collection.close()
    return db_path


class Collection:
    """A deck's collection, written note by note into a scratch database.

    The empty collection (:mod:`deckgen.skeleton`: schema, collection row,
    deck and note type, as genanki writes them) also says which cards a note
    has (its template requirements).  The notes and cards are the rows
    genanki's ``Note.write_to_db`` would write (a test holds the two equal),
    made here and inserted with ``executemany``, a batch at a time, so a
    50,000-note deck costs no more memory than its rendered fields.  A note in
    *older* is written with that modification time instead of the build's.
    The database is a scratch file, zipped then deleted: it is written
    without a journal or fsync.
    """

    def __init__(
        self, db_path: Path, deck_name: str, description: str, stamp: float, older: Mapping[tuple[str, str], float]
    ) -> None:
        from .skeleton import scratch, write_empty

        self.deck = deck_id(deck_name)
        self.requirements = [
            (card, any if mode == "any" else all, fields)
            for card, mode, fields in write_empty(db_path, self.deck, deck_name, description, stamp)
        ]
        self.stamp, self.older = stamp, older
        self.ids = itertools.count(int(stamp * 1000))
        self.conn = scratch(db_path)
        self.cursor = self.conn.cursor()
        self.indexes = _dropped_indexes(self.cursor)
        self.batch: list[RenderedNote] = []
        # Which cards a note has depends only on which fields are empty, and its tags repeat: both worked out once.
        self._cards_of: dict[tuple[bool, ...], tuple[int, ...]] = {}
        self._tags_of: dict[tuple[str, ...], str] = {}

    def add(self, note: RenderedNote) -> None:
        """Write *note* (its rows go in with the next batch)."""
        self.batch.append(note)
        if len(self.batch) >= _BATCH:
            self._flush()

    def finish(self) -> None:
        """Write what is left, make the indexes again and commit."""
        self._flush()
        for sql in self.indexes:
            self.cursor.execute(sql)
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def _flush(self) -> None:
        note_rows: list[tuple[object, ...]] = []
        card_rows: list[tuple[object, ...]] = []
        cards_of, tags_of, older, stamp, ids, deck = (
            self._cards_of,
            self._tags_of,
            self.older,
            self.stamp,
            self.ids,
            self.deck,
        )
        for note in self.batch:
            joined = note.joined()
            fields = joined.split("\x1f")
            filled = tuple(map(bool, fields))
            cards = cards_of.get(filled)
            if cards is None:
                cards = cards_of[filled] = self._cards(note, filled)
            tags = tags_of.get(note.tags)
            if tags is None:
                tags = tags_of[note.tags] = _tag_column(note)
            when = int(older.get((note.hanzi, note.pinyin), stamp))
            note_id = next(ids)
            note_rows.append((note_id, note.guid, MODEL_ID, when, -1, tags, joined, fields[SORT_FIELD], 0, 0, ""))
            for card in cards:
                card_rows.append((next(ids), note_id, deck, card, when, -1, *_NEW_CARD))
        self.batch = []
        self.cursor.executemany(_NOTE_INSERT, note_rows)
        self.cursor.executemany(_CARD_INSERT, card_rows)

    def _cards(self, note: RenderedNote, filled: tuple[bool, ...]) -> tuple[int, ...]:
        """The cards of a note whose fields are filled as *filled* says: those whose required fields it fills."""
        if len(filled) != len(FIELDS):
            raise ValueError(f"note {note.hanzi!r}: {len(filled)} fields")
        return tuple(card for card, test, required in self.requirements if test(filled[i] for i in required))


def _tag_column(note: RenderedNote) -> str:
    """The notes table's tags of *note*: space-separated, with a space either side."""
    if any(" " in tag for tag in note.tags):
        raise ValueError(f"note {note.hanzi!r}: tags {note.tags!r}")
    return " " + " ".join(note.tags) + " "


class Prewritten:
    """A deck's collection filled while the build renders its notes (``BuildOptions.apkg_as_rendered``).

    The build hands over each note as the workers send it, so its rows go
    into the database while the workers still render, not after them all
    (2 MB build: the deck's write took 0.15 s instead of 0.4 s after the
    notes).  :func:`write_apkg` then only makes the indexes and zips the file,
    if it is asked for exactly these notes, in this order, for the same deck,
    description, build time and older stamps; else it writes the collection
    as ever.  The database is a temporary file, gone once zipped, or when
    this object is (a build that wrote nothing).  Where it cannot be written,
    the notes are simply not prewritten.
    """

    def __init__(self, deck_name: str, description: str, stamp: float, older: Mapping[tuple[str, str], float]) -> None:
        self.key = (deck_name, description, stamp, dict(older))
        self.notes: list[RenderedNote] = []
        self.path: Path | None = None
        self._collection: Collection | None = None
        self._failed = False

    def add(self, note: RenderedNote) -> None:
        """Write *note* after those already added."""
        if self._failed:
            return
        try:
            if self._collection is None:  # made on the first note: the build's workers are forked by then
                self._collection = self._start()
            self._collection.add(note)
        except (OSError, sqlite3.Error, ValueError):  # written as ever then, which reports any real error
            self.discard()
            return
        self.notes.append(note)

    def _start(self) -> Collection:
        import tempfile
        import weakref

        handle, name = tempfile.mkstemp(prefix="deckgen-", suffix=".anki2")
        os.close(handle)
        self.path = Path(name)
        weakref.finalize(self, Path(name).unlink, missing_ok=True)
        deck_name, description, stamp, older = self.key
        return Collection(self.path, deck_name, description, stamp, older)

    def take(
        self,
        notes: Sequence[RenderedNote],
        deck_name: str,
        description: str,
        stamp: float,
        older: Mapping[tuple[str, str], float],
    ) -> Path | None:
        """The finished collection, if it holds exactly *notes* for this deck; else None."""
        collection = self._collection
        if (
            collection is None
            or self.key != (deck_name, description, stamp, dict(older))
            or len(notes) != len(self.notes)
            or any(mine is not theirs for mine, theirs in zip(self.notes, notes, strict=True))
        ):
            return None
        try:
            collection.finish()
        except (OSError, sqlite3.Error):
            return None
        finally:
            collection.close()
            self._collection = None
        return self.path

    def discard(self) -> None:
        """Remove the file; nothing more is written to it."""
        if self._collection is not None:
            self._collection.close()
            self._collection = None
        self._failed = True
        self.notes = []
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def _dropped_indexes(cursor: sqlite3.Cursor) -> list[str]:
    """Drop the schema's indexes on notes and cards; return the statements that make them again.

    Made once after the rows are in, rather than kept up to date row by row,
    they cost less: a 40,000-note deck took 0.86 s to write instead of 0.96 s.
    The statements are the schema's own, so the file holds the same indexes.
    """
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('notes', 'cards')"
    found = cursor.execute(query + " AND sql IS NOT NULL").fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


# type, queue, due, interval, factor, reps, lapses, left, odue, odid, flags, data: a new card, as genanki writes it
_NEW_CARD = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "")
