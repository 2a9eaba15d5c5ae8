"""The batched writer writes exactly the rows genanki's own Note.write_to_db writes."""

from __future__ import annotations

import itertools
import random
import sqlite3
import zipfile
from pathlib import Path

import pytest

from deckgen import package
from deckgen.render import FIELDS, RenderedNote

STAMP = 1_700_000_000.0


def _notes(count: int, seed: int) -> list[RenderedNote]:
    """Notes whose optional fields are filled at random, so every card type's requirement is met by some
    notes and missed by others."""
    rng = random.Random(seed)
    notes = []
    for number in range(count):
        hanzi = "".join(rng.choices("关键节点就业服务体系稳岗返还", k=rng.randint(1, 4))) + str(number)
        fields = tuple(
            (f"{name}-{number}" if rng.random() < 0.6 else "") if index else hanzi for index, name in enumerate(FIELDS)
        )
        tags = tuple(rng.sample(["deckgen::check", "new-word", "repaired", "HSK::3"], k=rng.randint(0, 3)))
        notes.append(RenderedNote(hanzi, f"pīn{number}", fields, tags))
    return notes


def _genankis_rows(notes: list[RenderedNote], older: dict[tuple[str, str], float], path: Path) -> sqlite3.Connection:
    """The collection genanki writes itself, one Note.write_to_db at a time."""
    import genanki

    deck = genanki.Deck(package.deck_id("Test"), "Test", "")
    note_type = package.model()
    deck.add_model(note_type)
    ids = itertools.count(int(STAMP * 1000))
    conn = sqlite3.connect(path)
    cursor = conn.cursor()
    genanki.Package(deck).write_to_db(cursor, STAMP, ids)
    for note in notes:
        genanki.Note(
            model=note_type,
            fields=list(note.fields),
            guid=package.note_guid(note.hanzi, note.pinyin),
            tags=list(note.tags),
        ).write_to_db(cursor, older.get((note.hanzi, note.pinyin), STAMP), deck.deck_id, ids)
    conn.commit()
    return conn


def _table(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_rows_equal_genankis_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package, "_BATCH", 7)  # several batches and a partial last one
    notes = _notes(40, 3)
    older = {(notes[5].hanzi, notes[5].pinyin): STAMP - 86_400.5}
    deck = package.write_apkg(notes, tmp_path / "deck.apkg", "Test", timestamp=STAMP, stamps=older)
    with zipfile.ZipFile(deck) as archive:
        ours = sqlite3.connect(archive.extract("collection.anki2", tmp_path / "ours"))
    theirs = _genankis_rows(notes, older, tmp_path / "theirs.anki2")
    cards = _table(theirs, "cards")
    assert len({row[3] for row in cards}) == 4 and len(cards) < 4 * len(notes)  # every card type, not for every note
    for table in ("notes", "cards", "col"):
        assert _table(ours, table) == _table(theirs, table), table
    assert ours.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # a normal file once zipped
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    assert ours.execute(schema).fetchall() == theirs.execute(schema).fetchall()  # the indexes made again as they were
    assert ours.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_note_with_a_spaced_tag_is_refused(tmp_path: Path) -> None:
    (note,) = _notes(1, 1)
    bad = RenderedNote(note.hanzi, note.pinyin, note.fields, ("two words",))
    with pytest.raises(ValueError, match="two words"):
        package.write_apkg([bad], tmp_path / "deck.apkg", "Test", timestamp=STAMP)
    assert not (tmp_path / "deck.apkg").exists()
