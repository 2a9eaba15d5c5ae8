"""The batched writer writes exactly the rows genanki's own Note.write_to_db writes."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def _genankis_rows(
    notes: list[RenderedNote],
    older: dict[tuple[str, str], float],
    path: Path,
    name: str = "Test",
    description: str = "",
    stamp: float = STAMP,
) -> sqlite3.Connection:
    """The collection genanki writes itself, one Note.write_to_db at a time, with genanki's own GUIDs."""
    import genanki

    from deckgen.pinyin import normalise

    deck = genanki.Deck(package.deck_id(name), name, description)
    note_type = package.model()
    deck.add_model(note_type)
    ids = itertools.count(int(stamp * 1000))
    conn = sqlite3.connect(path)
    cursor = conn.cursor()
    genanki.Package(deck).write_to_db(cursor, stamp, ids)
    for note in notes:
        genanki.Note(
            model=note_type,
            fields=list(note.fields),
            guid=genanki.guid_for(note.hanzi, normalise(note.pinyin)),
            tags=list(note.tags),
        ).write_to_db(cursor, older.get((note.hanzi, note.pinyin), stamp), deck.deck_id, ids)
    conn.commit()
    return conn


def _table(conn: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


@pytest.mark.parametrize(("cached", "prewritten"), [(True, False), (False, False), (True, True)])
@pytest.mark.parametrize(
    ("name", "description", "stamp"),
    [("Test", "", STAMP), ('中文::"Quoted" \\ deck', "<b>Notes</b> from 北京 é\n", STAMP + 0.75)],
)
def test_rows_equal_genankis_own(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    description: str,
    stamp: float,
    cached: bool,
    prewritten: bool,
) -> None:
    """The whole collection, from the cached empty one (deckgen.skeleton) or from genanki itself, is genanki's.

    So is one filled as the notes came (package.Prewritten), which the writer then only zips.
    """
    from deckgen import skeleton

    if not cached:  # no cache folder to write to: genanki writes the empty collection itself
        monkeypatch.setattr(skeleton, "_cached", lambda: None)
    monkeypatch.setattr(package, "_BATCH", 7)  # several batches and a partial last one
    notes = _notes(40, 3)
    older = {(notes[5].hanzi, notes[5].pinyin): stamp - 86_400.5}
    filled = None
    if prewritten:
        filled = package.Prewritten(name, description, stamp, dict(older))
        for note in notes:
            filled.add(note)
        monkeypatch.setattr(package, "Collection", None)  # never made: the filled collection is used
    deck = package.write_apkg(notes, tmp_path / "deck.apkg", name, description, stamp, older, filled)
    if filled is not None:
        assert filled.path is not None and not filled.path.exists()  # removed once zipped
    with zipfile.ZipFile(deck) as archive:
        ours = sqlite3.connect(archive.extract("collection.anki2", tmp_path / "ours"))
    theirs = _genankis_rows(notes, older, tmp_path / "theirs.anki2", name, description, stamp)
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


def test_guids_equal_genankis_own() -> None:
    """note_guid computes genanki's guid_for without importing genanki: the same on thousands of words."""
    import random

    import genanki

    from deckgen.pinyin import normalise

    rng = random.Random(11)
    words = [("关键", "guānjiàn"), ("", ""), ("a", "Zhōng guó"), ("𠀀", "x")]
    hanzi = "关键节点就业服务体系稳岗返还一不了"
    words += [("".join(rng.choices(hanzi, k=rng.randint(1, 5))), f"pīn{n}") for n in range(5000)]
    assert all(package.note_guid(h, p) == genanki.guid_for(h, normalise(p)) for h, p in words)


def test_a_deck_is_written_without_importing_genanki_once_the_empty_collection_is_cached(tmp_path: Path) -> None:
    """genanki writes the empty collection once, into the cache; later processes copy it (deckgen.skeleton)."""
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; from deckgen import package;"
        "from deckgen.render import FIELDS, RenderedNote;"
        "note = RenderedNote('关键', 'guānjiàn', tuple('x' for _ in FIELDS), ());"
        "package.write_apkg([note], Path(sys.argv[1]), 'Deck', timestamp=1.0);"
        "print('genanki' in sys.modules)"
    )
    env = {**os.environ, "DECKGEN_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", script, str(tmp_path / f"{n}.apkg")], env=env, capture_output=True,
                           text=True, check=True).stdout.split() for n in range(2)]  # fmt: skip
    assert runs == [["True"], ["False"]]
    (cached,) = (tmp_path / "cache").glob("skeleton-*/collection.anki2")
    cached.write_bytes(cached.read_bytes()[:1000])  # damaged: genanki writes it again
    run = [sys.executable, "-c", script, str(tmp_path / "2.apkg")]
    assert subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout.split() == ["True"]
    tables = []
    for n in range(3):
        with zipfile.ZipFile(tmp_path / f"{n}.apkg") as archive:
            collection = sqlite3.connect(archive.extract("collection.anki2", tmp_path / str(n)))
        tables.append([_table(collection, table) for table in ("notes", "cards", "col")])
    assert tables[0] == tables[1] == tables[2]


def test_a_cache_replaced_while_in_use_is_not_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two first runs at once may replace each other's cache: a copy that is not what was checked is not used."""
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(tmp_path / "cache"))  # a cache of its own, written by this test
    notes = _notes(5, 2)
    package.write_apkg(notes, tmp_path / "first.apkg", "Test", timestamp=STAMP)
    (cached,) = (tmp_path / "cache").glob("skeleton-*/collection.anki2")
    cached.write_bytes(cached.read_bytes()[:2048])  # replaced after this process checked it
    deck = package.write_apkg(notes, tmp_path / "deck.apkg", "Test", timestamp=STAMP)
    with zipfile.ZipFile(deck) as archive:
        ours = sqlite3.connect(archive.extract("collection.anki2", tmp_path / "ours"))
    theirs = _genankis_rows(notes, {}, tmp_path / "theirs.anki2")
    for table in ("notes", "cards", "col"):
        assert _table(ours, table) == _table(theirs, table), table
    shutil.rmtree(tmp_path / "cache")  # or removed altogether (a user clearing caches)
    assert package.write_apkg(notes, tmp_path / "again.apkg", "Test", timestamp=STAMP).is_file()


def _collection(deck: Path, folder: Path) -> list[list[tuple[object, ...]]]:
    with zipfile.ZipFile(deck) as archive:
        collection = sqlite3.connect(archive.extract("collection.anki2", folder))
    return [_table(collection, table) for table in ("notes", "cards", "col")]


@pytest.mark.parametrize("change", ["fewer notes", "another note", "another deck", "another description", "later"])
def test_a_prewritten_collection_is_used_only_for_its_own_notes_and_deck(tmp_path: Path, change: str) -> None:
    """Asked for other notes (or the same for another deck), the writer writes the collection as ever."""
    notes = _notes(12, 5)
    filled = package.Prewritten("Test", "about", STAMP, {})
    for note in notes:
        filled.add(note)
    assert filled.path is not None and filled.path.exists()
    other = _notes(1, 9)[0]
    asked = {
        "fewer notes": (notes[:-1], "Test", "about", STAMP),
        "another note": ([*notes[:-1], other], "Test", "about", STAMP),
        "another deck": (notes, "Other", "about", STAMP),
        "another description": (notes, "Test", "other", STAMP),
        "later": (notes, "Test", "about", STAMP + 1),
    }[change]
    wanted, name, description, stamp = asked
    used = package.write_apkg(wanted, tmp_path / "used.apkg", name, description, stamp, {}, filled)
    fresh = package.write_apkg(wanted, tmp_path / "fresh.apkg", name, description, stamp, {})
    assert _collection(used, tmp_path / "used") == _collection(fresh, tmp_path / "fresh")
    assert not filled.path.exists()  # not used, and removed all the same


def test_a_prewritten_collection_never_written_goes_with_its_build(tmp_path: Path) -> None:
    import gc

    filled = package.Prewritten("Test", "", STAMP, {})
    filled.add(_notes(1, 1)[0])
    path = filled.path
    assert path is not None and path.exists()
    del filled
    gc.collect()
    assert not path.exists()


def test_nothing_is_prewritten_where_no_temporary_file_can_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    notes = _notes(3, 4)
    filled = package.Prewritten("Test", "", STAMP, {})
    for note in notes:
        filled.add(note)
    assert filled.path is None and filled.notes == []
    deck = package.write_apkg(notes, tmp_path / "deck.apkg", "Test", "", STAMP, {}, filled)
    assert len(_collection(deck, tmp_path / "out")[0]) == 3


def test_a_build_prewrites_its_deck_and_leaves_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's builds fill the deck's collection as they render (BuildOptions.apkg_as_rendered): the same deck,
    and no scratch file left, whether the deck is written or the build fails half-way."""
    import tempfile

    from deckgen import build as build_module
    from deckgen.build import BuildOptions, build
    from deckgen.output import write

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    article = Path(__file__).parent.parent / "examples" / "library.txt"
    fresh = write(build([article], BuildOptions()), tmp_path / "fresh.apkg", BuildOptions().deck)
    result = build([article], BuildOptions(apkg_as_rendered=True))
    assert result.prewritten is not None and len(result.prewritten.notes) == len(result.notes) > 10
    assert len(list(scratch.glob("deckgen-*.anki2"))) == 1
    with monkeypatch.context() as patched:
        patched.setattr(package, "Collection", None)  # the filled collection is used, not written again
        used = write(result, tmp_path / "used.apkg", BuildOptions().deck)
    assert _collection(used, tmp_path / "used") == _collection(fresh, tmp_path / "fresh")
    assert list(scratch.glob("deckgen-*")) == []

    rendered = build_module.render

    def failing(entry: object, options: object) -> object:
        if len(calls) == 9:  # in the third chunk: the first two chunks' notes are prewritten
            raise KeyboardInterrupt
        calls.append(entry)
        return rendered(entry, options)  # type: ignore[arg-type]

    calls: list[object] = []
    monkeypatch.setattr(build_module, "render", failing)
    monkeypatch.setattr(build_module, "CHUNK_ENTRIES", 4)
    with pytest.raises(KeyboardInterrupt) as caught:
        build([article], BuildOptions(apkg_as_rendered=True))
    # Removed at once, not only when the traceback (which holds the build's frames) goes.
    assert caught.traceback and len(calls) == 9 and list(scratch.glob("deckgen-*")) == []


@given(st.text(alphabet="银行家门口就业创＿a \u3000的了", max_size=30), st.text(alphabet="银行家门口＿a的", max_size=6))
def test_the_recall_blank_hides_every_character_of_the_word_and_nothing_else(text: str, word: str) -> None:
    """render.blank replaces each character of *word* anywhere in *text* by ＿, as a per-character table would."""
    from deckgen.render import blank

    blanked = blank(text, word)
    assert blanked == text.translate(dict.fromkeys(map(ord, word), "＿"))
    assert len(blanked) == len(text) and not (set(word) - {"＿"}) & set(blanked)
