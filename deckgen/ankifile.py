"""Anki's own files, only ever read: packages (``.apkg``, ``.colpkg``), collections and compressed collections.

:func:`notes` yields every note of any of them with its note type's field
names.  ``deckgen build --known`` reads words from them (:mod:`deckgen.known`),
and the tests read back the decks deckgen writes through the same code.

A collection is copied (with its ``-wal`` file) into a temporary directory and
the copy is opened read-only, because Anki may have the original open, and
SQLite would otherwise create ``-shm`` and journal files beside it.  Every read
is bounded (:data:`MAX_BYTES`, :data:`MAX_MEMBERS`), so that a zip or zstd
bomb, or a huge file named by mistake, ends with one line instead of filling
the disk or the memory; the temporary folder goes away on any exit, SIGTERM
included (the CLI turns SIGTERM into ``SystemExit``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import InputError, os_error, path_label

# Limits on what one file may unpack to.  Tests make them small.
MAX_BYTES = 1 << 30  # 1 GB: a decompressed collection, a collection copy, a word list
MAX_MEMBERS = 100_000  # files in an .apkg/.colpkg (the collection and its media)
_CHUNK = 1 << 20
# How often a collection is copied again when Anki wrote to it during the copy.
_SNAPSHOT_ATTEMPTS = 3
# The collection inside a package, newest format first.
_PACKAGE_MEMBERS = ("collection.anki21b", "collection.anki21", "collection.anki2")

PACKAGE, COLLECTION, COMPRESSED = "package", "collection", "compressed"


@dataclass(frozen=True)
class AnkiNote:
    """One note as a collection stores it: ``fields`` in order, named by ``names`` when the note type is known."""

    guid: str
    type_id: int
    fields: tuple[str, ...]
    sort_field: str
    tags: tuple[str, ...]
    names: tuple[str, ...] = ()


def notes(path: Path, kind: str = PACKAGE) -> Iterator[AnkiNote]:
    """Every note of the Anki file *path* (*kind*: :data:`PACKAGE`, :data:`COLLECTION` or :data:`COMPRESSED`).

    Raises :class:`~deckgen.errors.InputError` with one line naming the file
    when it is not a readable Anki file or is over the limits.
    """
    with tempfile.TemporaryDirectory(prefix="deckgen-anki-") as directory:
        folder = Path(directory)
        if kind == COLLECTION:
            database = snapshot(path, folder)
        elif kind == COMPRESSED:
            database = folder / "collection.anki2"
            try:
                with path.open("rb") as source:
                    decompress(source, database, path)
            except OSError as error:
                raise os_error(path, error) from error
        else:
            database = unpack(path, folder)
        yield from read_database(database, path)


def read_database(database: Path, shown: Path) -> Iterator[AnkiNote]:
    """The notes of the SQLite file *database* (a private copy), opened read-only; errors name *shown*."""
    try:
        connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise InputError(f"{path_label(shown)}: cannot open as an Anki collection ({one_line(error)})") from error
    try:
        tables = {row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")}
        if "notes" not in tables:
            raise InputError(f"{path_label(shown)}: not an Anki collection (no notes table)")
        names = field_names(connection, tables)
        rows = connection.execute("select guid, mid, flds, sfld, tags from notes order by id").fetchall()
    except sqlite3.Error as error:
        raise InputError(f"{path_label(shown)}: not a readable Anki collection ({one_line(error)})") from error
    finally:
        connection.close()
    for guid, type_id, fields, sort_field, tags in rows:
        yield AnkiNote(
            str(guid),
            int(type_id),
            tuple(str(fields).split("\x1f")),
            "" if sort_field is None else str(sort_field),
            tuple(str(tags).split()),
            tuple(names.get(int(type_id), ())),
        )


def unpack(path: Path, folder: Path) -> Path:
    """The newest collection inside the package *path*, written to *folder*, bounded; its path."""
    database = folder / "collection.anki2"
    try:
        check_member_count(path)
        with zipfile.ZipFile(path) as archive:
            members = set(archive.namelist())
            member = next((name for name in _PACKAGE_MEMBERS if name in members), None)
            if member is None:
                raise InputError(f"{path_label(path)}: not an Anki package (no collection inside)")
            if archive.getinfo(member).file_size > MAX_BYTES:
                raise too_big(path, "the collection inside")
            with archive.open(member) as source:
                if member.endswith("b"):
                    decompress(source, database, path)
                else:
                    with database.open("wb") as sink:
                        copy_bounded(source, sink, path, "the collection inside")
    except zipfile.BadZipFile as error:
        raise InputError(f"{path_label(path)}: not a valid Anki package ({one_line(error)})") from error
    except zlib.error as error:
        raise InputError(f"{path_label(path)}: not a valid Anki package (corrupt zip: {one_line(error)})") from error
    except OSError as error:
        raise os_error(path, error) from error
    return database


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def too_big(shown: Path, what: str) -> InputError:
    return InputError(f"{path_label(shown)}: {what} is larger than {_size(MAX_BYTES)}; refusing to read it")


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"


def copy_bounded(source: IO[bytes], sink: IO[bytes], shown: Path, what: str) -> None:
    """Copy *source* to *sink*, refusing once more than :data:`MAX_BYTES` came out."""
    copied = 0
    while chunk := source.read(_CHUNK):
        copied += len(chunk)
        if copied > MAX_BYTES:
            raise too_big(shown, what)
        sink.write(chunk)


def field_names(connection: sqlite3.Connection, tables: set[str]) -> dict[int, list[str]]:
    """Each note type's field names in order, from either collection schema.

    Anki 2.1.28+ keeps them in the ``notetypes``/``fields`` tables; older
    collections (and genanki's) keep JSON in ``col.models``.
    """
    names: dict[int, list[str]] = {}
    if "fields" in tables:
        for type_id, _order, name in connection.execute("select ntid, ord, name from fields order by ntid, ord"):
            names.setdefault(int(type_id), []).append(str(name))
        return names
    if "col" not in tables:
        return names
    row = connection.execute("select models from col").fetchone()
    try:
        models = json.loads(row[0]) if row and row[0] else {}
    except (TypeError, ValueError):
        return names
    for type_id, model in models.items() if isinstance(models, dict) else ():
        try:
            fields = sorted(model["flds"], key=lambda field: field.get("ord", 0))
            names[int(type_id)] = [str(field["name"]) for field in fields]
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return names


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_size, status.st_mtime_ns


def snapshot(path: Path, directory: Path) -> Path:
    """Copy a collection and its ``-wal`` into *directory*, retrying if Anki wrote meanwhile.

    Anki keeps the collection open in WAL mode with exclusive locking, so the
    committed notes may still sit in ``collection.anki2-wal``.  A copy of both
    files, taken while neither changes, is a consistent database.  Reading
    never opens the original with SQLite, so nothing is created beside it.
    """
    wal = path.with_name(path.name + "-wal")
    copy = directory / "collection.anki2"
    copy_wal = directory / "collection.anki2-wal"
    for _attempt in range(_SNAPSHOT_ATTEMPTS):
        before = (_stamp(path), _stamp(wal))
        if sum(stamp[0] for stamp in before if stamp) > MAX_BYTES:
            raise too_big(path, "the collection")
        try:
            shutil.copyfile(path, copy)
            copy_wal.unlink(missing_ok=True)
            if before[1] is not None:
                shutil.copyfile(wal, copy_wal)
        except FileNotFoundError as error:
            if error.filename == str(wal):
                continue  # Anki checkpointed and removed the WAL: copy again
            raise os_error(path, error) from error
        except OSError as error:
            raise os_error(path, error) from error
        if (_stamp(path), _stamp(wal)) == before:
            break
    return copy


def decompress(source: IO[bytes], target: Path, shown: Path) -> None:
    """Write the zstd-compressed collection *source* (``collection.anki21b``) to *target*."""
    try:
        import zstandard
    except ImportError as error:  # pragma: no cover - a declared dependency
        message = "reading a newer Anki export needs zstandard (pip install zstandard)"
        raise InputError(f"{path_label(shown)}: {message}") from error
    try:
        with target.open("wb") as sink, zstandard.ZstdDecompressor().stream_reader(source) as reader:
            copy_bounded(reader, sink, shown, "the decompressed collection")
    except zstandard.ZstdError as error:
        raise InputError(f"{path_label(shown)}: the compressed collection is corrupt ({one_line(error)})") from error


def check_member_count(path: Path) -> None:
    """Refuse a zip whose central directory lists more than :data:`MAX_MEMBERS` files, before reading it."""
    with path.open("rb") as stream:
        end = zipfile._EndRecData(stream)  # type: ignore[attr-defined]  # the zip's own end record
    if end is not None and end[zipfile._ECD_ENTRIES_TOTAL] > MAX_MEMBERS:  # type: ignore[attr-defined]
        raise InputError(
            f"{path_label(path)}: holds {end[zipfile._ECD_ENTRIES_TOTAL]} files, more than {MAX_MEMBERS};"  # type: ignore[attr-defined]
            " refusing to read it"
        )
