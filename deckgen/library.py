"""The learner's local library: every word mined, where it was met, and when it was exported.

A learner runs ``deckgen build`` on one article after another.  The library
(one SQLite file) remembers across those builds, so that a later build can

- export only the words that are new (a note already in Anki may have been
  edited by the learner; re-stamping it would overwrite those edits);
- gather several example sentences per word, from different articles;
- tell "met in another article" from "met in this very article, built again".

Several builds may run at once (two terminals, a script), and a build may be
killed half-way.  So the file is in WAL mode with a busy timeout, and every
write is one ``BEGIN IMMEDIATE … COMMIT`` transaction, rolled back on any
exception: an article is recorded whole or not at all.

The schema and its migrations are in :mod:`deckgen.libschema`; the values
it takes and gives back in :mod:`deckgen.librows`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from .errors import LibraryError
from .librows import ArticleRow, Example, Key, Sighting, WordRow, sentence_key
from .libschema import LATEST, MIGRATIONS, schema_version, use_wal

# Example sentences of this many characters read best on a card: shorter ones
# rarely show usage, longer ones are cut (sentences.MAX_CHARS is 40).
_GOOD_LENGTH = range(8, 41)


def default_path() -> Path:
    """Where the library lives unless the caller says otherwise.

    ``$DECKGEN_LIBRARY`` names the file itself (tests, several learners on one
    account); otherwise it is user data, not cache (platformdirs' user data
    folder: ``$XDG_DATA_HOME/deckgen``, default ``~/.local/share/deckgen``, on
    Linux), so deleting caches never forgets which words were exported.
    """
    explicit = os.environ.get("DECKGEN_LIBRARY")
    if explicit:
        return Path(explicit).expanduser()
    from .folders import data_dir

    return data_dir() / "library.sqlite3"


# --- the library -------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _keys_json(keys: Iterable[Key]) -> str:
    """Keys as one JSON parameter, so a lookup of any number of keys is one query."""
    return json.dumps([list(key) for key in keys], ensure_ascii=False)


def _ranked(rows: list[tuple], limit: int) -> list[Example]:  # type: ignore[type-arg]
    """The best *limit* of one word's occurrence rows (before, word, after, source, seen_at, line, id, sentence), as
    :meth:`Library.examples` ranks them."""

    def quality(row: tuple) -> tuple:  # type: ignore[type-arg]
        before, word, after, source, seen_at, line, row_id, _ = row
        return (len(before) + len(word) + len(after) not in _GOOD_LENGTH, seen_at, source, line, row_id)

    seen_sentences: set[str] = set()
    per_source: dict[str, int] = {}
    ranked = []
    for row in sorted(rows, key=quality):
        if row[7] in seen_sentences:
            continue
        seen_sentences.add(row[7])
        rank = per_source.get(row[3], 0)
        per_source[row[3]] = rank + 1
        ranked.append(((rank, *quality(row)), row))
    ranked.sort(key=lambda item: item[0])
    return [Example(*row[:5]) for _, row in ranked[:limit]]


def _insert_words(conn: sqlite3.Connection, rows: Sequence[tuple[str, str, str, float, str]]) -> None:
    conn.executemany(
        "INSERT INTO words (hanzi, pinyin, pinyin_key, first_seen, first_source) VALUES (?, ?, ?, ?, ?)",
        rows,
    )


def _insert_occurrences(
    conn: sqlite3.Connection, rows: Sequence[tuple[int, str, str, str, str, str, int, float]]
) -> None:
    # OR IGNORE: the same sentence of the same article is one occurrence, however often it is recorded.
    conn.executemany(
        "INSERT OR IGNORE INTO occurrences (word_id, before, word, after, sentence, source, line, seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


class Library:
    """An open library file.  Use :meth:`open`, and close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, timeout: float) -> None:
        self.path = path
        self._conn = conn
        self._timeout = timeout

    # -- opening

    @classmethod
    def open(cls, path: Path, *, timeout: float = 30.0) -> Library:
        """Open (creating or migrating) the library at *path*.

        Waits up to *timeout* seconds for another build that is writing.  A
        file that is not a deckgen library is refused and left untouched: it
        may be something the learner cares about, named by mistake.
        """
        path = Path(path)
        if path.is_dir():
            raise LibraryError(f"{path}: is a folder, not a library file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"{path}: cannot create the library folder ({exc.strerror or exc})") from None
        try:
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise LibraryError(f"{path}: cannot open the library ({_one_line(exc)})") from None
        library = cls(path, conn, timeout)
        try:
            library._prepare()
        except BaseException:
            conn.close()
            raise
        return library

    @classmethod
    def open_read_only(cls, path: Path, *, timeout: float = 30.0) -> Library:
        """Open the library at *path* for reading only (``deckgen words``, ``deckgen stats``).

        Nothing is created or migrated.  In a folder deckgen may not write
        (a read-only mount, someone else's files) SQLite could not make the
        WAL's shared-memory file, so the file is opened as immutable there.
        """
        path = Path(path)
        if path.is_dir():
            raise LibraryError(f"{path}: is a folder, not a library file")
        if not path.exists():
            raise LibraryError(f"{path}: no library yet (build an article first)")
        writable = os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)
        uri = f"{path.resolve().as_uri()}?mode=ro" + ("" if writable else "&immutable=1")
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise LibraryError(f"{path}: cannot open the library ({_one_line(exc)})") from None
        library = cls(path, conn, timeout)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            version = schema_version(conn, path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise library._error("cannot open the library", exc) from None
        except BaseException:
            conn.close()
            raise
        if version < LATEST:
            conn.close()
            raise LibraryError(f"{path}: library version {version} needs upgrading; run deckgen build once")
        return library

    def _prepare(self) -> None:
        """Connection settings, then the schema brought up to :data:`LATEST`."""
        conn = self._conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            version = schema_version(conn, self.path)
            use_wal(conn, self._timeout)
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise self._error("cannot open the library", exc) from None
        if version < LATEST:
            self._migrate()

    def _migrate(self) -> None:
        """Run the missing migrations in one transaction, so a file is at one version or the next."""
        with self._write("cannot upgrade the library"):
            # Read again under the write lock: another build may have migrated meanwhile.
            version = schema_version(self._conn, self.path)
            for step in MIGRATIONS[version:]:
                for statement in step:
                    self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {LATEST}")

    def _error(self, doing: str, exc: sqlite3.Error) -> LibraryError:
        """A one-line error naming the file, for an sqlite3 error met while *doing*."""
        message = _one_line(exc)
        if isinstance(exc, sqlite3.OperationalError) and "locked" in message:
            return LibraryError(f"{self.path}: {doing}: another deckgen held it for over {self._timeout:g}s")
        if "file is not a database" in message:
            return LibraryError(f"{self.path}: is not a deckgen library (not an SQLite file)")
        return LibraryError(f"{self.path}: {doing} ({message})")

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, ``ROLLBACK`` on any exception.

        IMMEDIATE takes the write lock up front, so two builds queue (busy
        timeout) instead of failing half-way on a lock upgrade.
        """
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(doing, exc) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(doing, exc) from None
            raise

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple]:  # type: ignore[type-arg]
        try:
            return self._conn.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise self._error("cannot read the library", exc) from None

    def close(self) -> None:
        """Close the file (SQLite checkpoints the WAL when the last connection closes)."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- queries

    def _ids(self, keys: Iterable[Key]) -> dict[Key, int]:
        rows = self._conn.execute(
            "SELECT w.hanzi, w.pinyin_key, w.id FROM json_each(?) AS k JOIN words AS w"
            " ON w.hanzi = json_extract(k.value, '$[0]') AND w.pinyin_key = json_extract(k.value, '$[1]')",
            (_keys_json(keys),),
        ).fetchall()
        return {(hanzi, pinyin_key): word_id for hanzi, pinyin_key, word_id in rows}

    def known_elsewhere(self, sentences: Mapping[Key, Collection[str]]) -> set[Key]:
        """The keys the library first met in a sentence other than the given ones.

        *sentences* maps each word of the article being built to its sentence
        texts there.  A word belongs to the article where the library first
        met it: building that article again, or the same article saved as
        HTML or re-wrapped, gives the same words as the first time, while an
        article met later finds them known.  One query, however many keys.
        """
        if not sentences:
            return set()
        probe = json.dumps(
            [
                [hanzi, pinyin_key, sorted({sentence_key(s) for s in texts})]
                for (hanzi, pinyin_key), texts in sentences.items()
            ],
            ensure_ascii=False,
        )
        rows = self._read(
            """
            SELECT DISTINCT w.hanzi, w.pinyin_key
            FROM json_each(?) AS p
            JOIN words AS w
              ON w.hanzi = json_extract(p.value, '$[0]') AND w.pinyin_key = json_extract(p.value, '$[1]')
            JOIN occurrences AS o
              ON o.id = (SELECT min(first.id) FROM occurrences AS first WHERE first.word_id = w.id)
            WHERE o.sentence NOT IN (SELECT value FROM json_each(json_extract(p.value, '$[2]')))
            """,
            (probe,),
        )
        return {(hanzi, pinyin_key) for hanzi, pinyin_key in rows}

    def exported_at(self, keys: Iterable[Key]) -> dict[Key, float]:
        """When each already-exported key was first exported; keys never exported are absent."""
        rows = self._read(
            "SELECT w.hanzi, w.pinyin_key, w.exported_at FROM json_each(?) AS k JOIN words AS w"
            " ON w.hanzi = json_extract(k.value, '$[0]') AND w.pinyin_key = json_extract(k.value, '$[1]')"
            " WHERE w.exported_at IS NOT NULL",
            (_keys_json(keys),),
        )
        return {(hanzi, pinyin_key): when for hanzi, pinyin_key, when in rows}

    def examples(self, key: Key, limit: int = 4) -> list[Example]:
        """Up to *limit* example sentences for *key*, best first.

        Variety first: one sentence from each article before a second from
        the same article.  Within that, sentences of 8–40 characters (long
        enough to show usage, short enough for a card), then the earliest met.
        The same sentence met in two files (a renamed article) is given once.
        """
        return self.examples_of([key], limit).get(key, [])

    def examples_of(self, keys: Iterable[Key], limit: int = 4) -> dict[Key, list[Example]]:
        """:meth:`examples` of each of *keys* that has any, in one query however many keys.

        A build asks for the sentences of every word it exports with fewer
        than it shows, while its workers wait to render them: asked one word
        at a time, the 2 MB benchmark's 10,154 words were 10,154 round trips.
        """
        keys = list(keys)
        if limit <= 0 or not keys:
            return {}
        rows = self._read(
            "SELECT w.hanzi, w.pinyin_key, o.before, o.word, o.after, o.source, o.seen_at, o.line, o.id, o.sentence"
            " FROM json_each(?) AS k JOIN words AS w"
            " ON w.hanzi = json_extract(k.value, '$[0]') AND w.pinyin_key = json_extract(k.value, '$[1]')"
            " JOIN occurrences AS o ON o.word_id = w.id"
            # A word alone (a word list's entry) is no example.
            " WHERE o.before <> '' OR o.after <> ''",
            (_keys_json(keys),),
        )
        by_key: dict[Key, list[tuple]] = {}  # type: ignore[type-arg]
        for hanzi, pinyin_key, *row in rows:
            by_key.setdefault((hanzi, pinyin_key), []).append(tuple(row))
        return {key: _ranked(found, limit) for key, found in by_key.items()}

    def words(self) -> list[WordRow]:
        """Every word with its counts, in the order the learner met them."""
        rows = self._read(
            """
            SELECT w.hanzi, w.pinyin, COUNT(o.id), COUNT(DISTINCT o.source), w.first_seen, w.first_source, w.exported_at
            FROM words AS w LEFT JOIN occurrences AS o ON o.word_id = w.id
            GROUP BY w.id
            ORDER BY w.first_seen, w.hanzi, w.pinyin_key
            """
        )
        return [WordRow(*row) for row in rows]

    def growth(self) -> list[ArticleRow]:
        """Article by article, in the order first built: how the library grew."""
        rows = self._read("SELECT source, built_at, words, new_words, total_after FROM articles ORDER BY built_at, id")
        return [ArticleRow(*row) for row in rows]

    # -- writes

    def record_article(self, source: str, sightings: Sequence[Sighting], when: float) -> set[Key]:
        """Remember an article's words and occurrences; return the keys new to the library.

        All in one transaction, so a build killed half-way leaves the library
        as it was.  Recording the same *source* again is idempotent: its
        occurrences are not duplicated, and its article row keeps the time
        and the new-word figure of its first recording, which is what the
        growth statistics are about.  A new word keeps the reading it was
        first seen with.
        """
        with self._write(f"cannot record {source}") as conn:
            return self._record(conn, source, sightings, when)

    def record_build(self, articles: Mapping[str, Sequence[Sighting]], exported: Iterable[Key], when: float) -> None:
        """Record a build's articles and mark its notes exported, all in one transaction.

        The build calls this once its output is in place, so a build that
        wrote nothing (``--strict``, a full disk, nothing new) leaves the
        library as it was: its words are never "already known" without
        having reached Anki.
        """
        with self._write("cannot record the build") as conn:
            for source, sightings in articles.items():
                self._record(conn, source, sightings, when)
            self._mark(conn, exported, when)

    def _record(self, conn: sqlite3.Connection, source: str, sightings: Sequence[Sighting], when: float) -> set[Key]:
        keyed = [(sighting.key, sighting) for sighting in sightings]  # a property that normalises: once each
        first: dict[Key, Sighting] = {}
        for key, sighting in keyed:
            first.setdefault(key, sighting)
        known = self._ids(first)
        new = [key for key in first if key not in known]
        _insert_words(conn, [(key[0], first[key].pinyin, key[1], when, source) for key in new])
        ids = {**known, **self._ids(new)} if new else known
        total = conn.execute("SELECT COUNT(*) FROM words").fetchone()[0]
        conn.execute(
            """
            INSERT INTO articles (source, built_at, last_built_at, words, new_words, total_after)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (source) DO UPDATE SET last_built_at = excluded.last_built_at, words = excluded.words
            """,
            (source, when, when, len(first), len(new), total),
        )
        _insert_occurrences(
            conn,
            [(ids[key], s.before, s.word, s.after, sentence_key(s.sentence), source, s.line, when) for key, s in keyed],
        )
        return set(new)

    def mark_exported(self, keys: Iterable[Key], when: float) -> None:
        """Stamp *keys* as exported at *when*, keeping the first stamp of any already exported.

        The first export time is what later builds compare against, so that
        a note the learner has since edited in Anki is never stamped again.
        Keys not in the library are ignored: record the article first.
        """
        with self._write("cannot mark words exported") as conn:
            self._mark(conn, keys, when)

    @staticmethod
    def _mark(conn: sqlite3.Connection, keys: Iterable[Key], when: float) -> None:
        conn.executemany(
            "UPDATE words SET exported_at = ? WHERE hanzi = ? AND pinyin_key = ? AND exported_at IS NULL",
            [(when, hanzi, pinyin_key) for hanzi, pinyin_key in keys],
        )
