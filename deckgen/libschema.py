"""The word library's schema and its migrations, each a tuple of single statements.

The schema is versioned in ``PRAGMA user_version`` and only ever migrated
forward, in one transaction (:meth:`deckgen.library.Library.open`), keeping
every row.  A new file is built by the same migrations an old one goes
through, so the upgrade path is always the tested path.  Each step is a tuple
of statements, not a script: ``executescript`` would commit the enclosing
transaction, and a migration must be atomic.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from .errors import LibraryError

SCHEMA_V1: tuple[str, ...] = (
    """
    CREATE TABLE words (
        id           INTEGER PRIMARY KEY,
        hanzi        TEXT NOT NULL CHECK (hanzi <> ''),
        pinyin       TEXT NOT NULL,
        pinyin_key   TEXT NOT NULL CHECK (pinyin_key <> ''),
        first_seen   REAL NOT NULL,
        first_source TEXT NOT NULL,
        UNIQUE (hanzi, pinyin_key)
    )
    """,
    """
    CREATE TABLE occurrences (
        id       INTEGER PRIMARY KEY,
        word_id  INTEGER NOT NULL REFERENCES words (id) ON DELETE CASCADE,
        before   TEXT NOT NULL,
        word     TEXT NOT NULL,
        after    TEXT NOT NULL,
        sentence TEXT NOT NULL,
        source   TEXT NOT NULL,
        line     INTEGER NOT NULL,
        seen_at  REAL NOT NULL,
        UNIQUE (word_id, sentence, source)
    )
    """,
)
"""The first released schema (version 1): words and their occurrences.

``words`` is looked up through its UNIQUE (hanzi, pinyin_key) index and
``occurrences`` by ``word_id`` through the UNIQUE index that starts with it.
``occurrences.sentence`` is the whitespace-free NFC text used for de-duplication.
"""

_V1_TO_V2: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id            INTEGER PRIMARY KEY,
        source        TEXT NOT NULL UNIQUE,
        built_at      REAL NOT NULL,
        last_built_at REAL NOT NULL,
        words         INTEGER NOT NULL,
        new_words     INTEGER NOT NULL,
        total_after   INTEGER NOT NULL
    )
    """,
    "ALTER TABLE words ADD COLUMN exported_at REAL",
    # Version 1 kept no article rows: rebuild them from the occurrences, an
    # article "built" when its first occurrence was seen.
    """
    INSERT INTO articles (source, built_at, last_built_at, words, new_words, total_after)
    SELECT source, built_at, last_built_at, words, new_words,
           SUM(new_words) OVER (ORDER BY built_at, source ROWS UNBOUNDED PRECEDING)
    FROM (
        SELECT o.source AS source, MIN(o.seen_at) AS built_at, MAX(o.seen_at) AS last_built_at,
               COUNT(DISTINCT o.word_id) AS words,
               (SELECT COUNT(*) FROM words AS w WHERE w.first_source = o.source) AS new_words
        FROM occurrences AS o
        GROUP BY o.source
    )
    ORDER BY built_at, source
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (SCHEMA_V1, _V1_TO_V2)
"""``MIGRATIONS[n]`` takes a library from version *n* to *n* + 1 (version 0 is an empty file)."""

LATEST = len(MIGRATIONS)


def use_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch the file to WAL, retrying while another build is switching it too.

    WAL lets builds read while one writes.  Changing the journal mode
    needs an exclusive lock, and SQLite reports a clash between two
    connections both switching a new file as "locked" at once, without
    waiting the busy timeout (seen with two builds started together), so
    wait here, up to the same timeout.
    """
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def schema_version(conn: sqlite3.Connection, path: Path) -> int:
    """The file's schema version, refusing files this code must not touch.

    Version and table count are read in one statement, one snapshot: a
    build creating the library at this moment must not make it look like
    someone else's database (tables but no version).
    """
    version, tables = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version), (SELECT COUNT(*) FROM sqlite_master)"
    ).fetchone()
    if version > LATEST:
        raise LibraryError(f"{path}: library version {version} was written by a newer deckgen; upgrade deckgen")
    if version == 0 and tables:
        raise LibraryError(f"{path}: is an SQLite database but not a deckgen library")
    return int(version)
