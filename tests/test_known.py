"""Known-word files: every format a learner might hand to ``--known``, built for real in tmp_path."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen import known as known_module
from deckgen.errors import InputError
from deckgen.known import KnownWords, read_known, words_from_file

from .conftest import anki_collection


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def listing(directory: Path) -> dict[str, tuple[int, int]]:
    """Name → (size, mtime) of every entry, to show a read left a folder alone."""
    return {entry.name: (entry.stat().st_size, entry.stat().st_mtime_ns) for entry in directory.iterdir()}


@pytest.fixture(autouse=True)
def private_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Route tempfile into a folder of our own, so a test can check that nothing is left behind."""
    scratch = tmp_path_factory.mktemp("scratch")
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield scratch


# --- Plain word lists ----------------------------------------------------------


def test_word_list_with_bom_crlf_comments_and_blank_lines(tmp_path: Path) -> None:
    text = "\ufeff# my words\r\n\r\n汉字\r\n// Pleco category\r\n  学习  \r\n\r\n關鍵\r\nhello\r\n"
    path = write(tmp_path / "words.txt", text)
    assert words_from_file(path) == {"汉字", "学习", "關鍵"}
    known = read_known([path])
    assert known.words == frozenset({"汉字", "学习", "关键"})
    assert known.sources == (str(path),)
    assert len(known) == 3


@pytest.mark.parametrize(
    ("label", "encoding", "prefix"),
    [
        ("utf-16 with BOM", "utf-16", ""),
        ("utf-16-le with BOM", "utf-16-le", "\ufeff"),
        ("gb18030", "gb18030", ""),
        ("utf-8 without BOM", "utf-8", ""),
    ],
)
def test_word_list_encodings(tmp_path: Path, label: str, encoding: str, prefix: str) -> None:
    path = write(tmp_path / "words.txt", prefix + "汉字\n学习\n", encoding)
    assert words_from_file(path) == {"汉字", "学习"}, label


def test_empty_list_knows_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.txt", "")
    assert words_from_file(path) == set()
    assert len(read_known([path])) == 0


def test_pleco_brackets_in_a_plain_list(tmp_path: Path) -> None:
    path = write(tmp_path / "words.txt", "汉字[漢字]\n")
    assert words_from_file(path) == {"汉字", "漢字"}


# --- Simplified and traditional ------------------------------------------------


def test_traditional_list_knows_simplified_and_traditional(tmp_path: Path) -> None:
    known = read_known([write(tmp_path / "trad.txt", "關鍵\n")])
    assert "关键" in known
    assert "關鍵" in known
    assert "汉字" not in known


def test_simplified_list_knows_traditional(tmp_path: Path) -> None:
    known = read_known([write(tmp_path / "simp.txt", "关键\n头发\n")])
    assert "關鍵" in known
    assert "頭髮" in known
    assert " 关键 " in known  # a query is stripped like a word
    assert "关" not in known
    assert 3 not in known  # type: ignore[operator]


def test_several_files_are_one_set(tmp_path: Path) -> None:
    first = write(tmp_path / "a.txt", "关键\n汉字\n")
    second = write(tmp_path / "b.txt", "關鍵\n学习\n")
    known = read_known([first, second])
    assert known.words == frozenset({"关键", "汉字", "学习"})
    assert known.sources == (str(first), str(second))


def test_no_files_no_words() -> None:
    assert read_known([]) == KnownWords(frozenset(), ())


def test_conversions_are_cached_and_only_for_cjk(monkeypatch: pytest.MonkeyPatch) -> None:
    from deckgen import script

    calls: list[str] = []
    real = script.simplified_of

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(script, "simplified_of", counting)
    known_module._normalise.cache_clear()
    try:
        known = KnownWords(frozenset({"关键"}))
        assert "關鍵" in known and "關鍵" in known and "hello" not in known and "hello" not in known
        assert calls == ["關鍵"]
    finally:
        known_module._normalise.cache_clear()


# --- CSV and TSV ---------------------------------------------------------------


def test_pleco_tsv_export(tmp_path: Path) -> None:
    text = (
        "// 第一课\n汉字[漢字]\thàn zì\tChinese character\n关键\tguānjiàn\tkey, crux; hinge\n\n学习\txuéxí\tto study\n"
    )
    for name in ("pleco.txt", "pleco.tsv", "pleco"):
        path = write(tmp_path / name, text)
        assert words_from_file(path) == {"汉字", "漢字", "关键", "学习"}, name
    assert "漢字" in read_known([tmp_path / "pleco.txt"])


def test_anki_text_export_headers(tmp_path: Path) -> None:
    text = "#separator:tab\n#html:true\n#tags column:3\n<b>汉字</b>\thàn zì\ttag1\n关键&nbsp;\tguānjiàn\t\n"
    assert words_from_file(write(tmp_path / "export.txt", text)) == {"汉字", "关键"}


def test_anki_text_export_with_meta_columns(tmp_path: Path) -> None:
    """Anki puts guid, note type and deck before the fields when asked to: the word is column 4."""
    text = (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
        "abc\tBasic\t中文\t汉字\tx\t\nxyz\tBasic\t中文\t关键\tx\t\n"
    )
    assert words_from_file(write(tmp_path / "export.txt", text)) == {"汉字", "关键"}


def test_anki_text_export_with_named_columns(tmp_path: Path) -> None:
    text = "#separator:comma\n#columns:English,Hanzi,Traditional\nkey,关键,關鍵\ncharacter,汉字,漢字\n"
    assert words_from_file(write(tmp_path / "export.txt", text)) == {"关键", "關鍵", "汉字", "漢字"}


def test_csv_quoted_cells_and_html(tmp_path: Path) -> None:
    text = (
        'word,meaning\n"<b>词语</b>","a word, ""quoted"""\n'
        '"汉字&nbsp;","multi\nline"\n'
        '"<span style=""color: red"">关键</span>",key\n'
        "hello,not chinese\n"
    )
    path = write(tmp_path / "words.csv", text)
    assert words_from_file(path) == {"词语", "汉字", "关键"}


def test_csv_semicolon_sniffed(tmp_path: Path) -> None:
    text = "汉字;hàn zì;character\n关键;guānjiàn;key, crux\n学习;xuéxí;to study\n"
    assert words_from_file(write(tmp_path / "words.csv", text)) == {"汉字", "关键", "学习"}


def test_single_column_csv(tmp_path: Path) -> None:
    assert words_from_file(write(tmp_path / "words.csv", "汉字\n关键\n")) == {"汉字", "关键"}


# --- genanki packages (legacy schema, col.models JSON) -------------------------


def genanki_package(path: Path) -> Path:
    import genanki

    front_model = genanki.Model(
        1607392319,
        "Custom Front",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )
    hanzi_model = genanki.Model(
        1607392320,
        "Chinese",
        fields=[{"name": "English"}, {"name": "Hanzi"}, {"name": "Traditional"}],
        templates=[{"name": "Card 1", "qfmt": "{{English}}", "afmt": "{{Hanzi}}"}],
    )
    sentence_model = genanki.Model(
        1607392321,
        "Unnamed fields",
        fields=[{"name": "Prompt"}, {"name": "Answer"}],
        templates=[{"name": "Card 1", "qfmt": "{{Prompt}}", "afmt": "{{Answer}}"}],
        sort_field_index=1,
    )
    deck = genanki.Deck(2059400110, "Known")
    deck.add_note(genanki.Note(model=front_model, fields=["<b>学习</b>[sound:xuexi.mp3]", "to study"]))
    deck.add_note(genanki.Note(model=hanzi_model, fields=["key", "关键", "關鍵"]))
    deck.add_note(genanki.Note(model=hanzi_model, fields=["head", "头发", ""]))
    deck.add_note(genanki.Note(model=sentence_model, fields=["to go", "去"]))
    genanki.Package(deck).write_to_file(str(path))
    return path


def test_genanki_package(tmp_path: Path, private_tmp: Path) -> None:
    path = genanki_package(tmp_path / "deck.apkg")
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki2" in archive.namelist()  # the legacy format this test is about
    before = listing(tmp_path)
    scratch = set(private_tmp.iterdir())  # genanki leaves its own temporary file
    words = words_from_file(path)
    # Front (first field), Hanzi (second field) plus Traditional, and the sort field of an unnamed type.
    assert words == {"学习", "关键", "關鍵", "头发", "去"}
    assert listing(tmp_path) == before
    assert set(private_tmp.iterdir()) == scratch


def test_package_sniffed_without_suffix(tmp_path: Path) -> None:
    path = genanki_package(tmp_path / "deck.apkg")
    renamed = path.rename(tmp_path / "deck.bin")
    assert "关键" in words_from_file(renamed)


# --- The real Anki backend -------------------------------------------------------

ANKI_WORDS = {"汉字": "character", "關鍵": "key", "学习": "to study"}


def add_notes(col, words: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    model = col.models.by_name("Basic")
    deck_id = col.decks.id("Known")
    for front, back in words.items():
        note = col.new_note(model)
        note["Front"] = front
        note["Back"] = back
        col.add_note(note, deck_id)


@pytest.fixture(scope="module")
def anki_exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A collection made by real Anki, exported as a modern .apkg, a legacy .apkg and plain text."""
    pytest.importorskip("anki", reason="the anki package (test extra) is needed")
    from anki.collection import ExportAnkiPackageOptions

    folder = tmp_path_factory.mktemp("anki-exports")
    exports = {"modern": folder / "modern.apkg", "legacy": folder / "legacy.apkg", "text": folder / "notes.txt"}
    with anki_collection(folder / "c.anki2") as col:
        add_notes(col, ANKI_WORDS)
        col.export_anki_package(
            out_path=str(exports["modern"]), options=ExportAnkiPackageOptions(with_media=False), limit=None
        )
        col.export_anki_package(
            out_path=str(exports["legacy"]), options=ExportAnkiPackageOptions(legacy=True), limit=None
        )
        col.export_note_csv(
            out_path=str(exports["text"]),
            limit=None,
            with_html=True,
            with_tags=True,
            with_deck=True,
            with_notetype=True,
            with_guid=True,
        )
    return exports


def test_modern_anki_export_is_zstd_anki21b(anki_exports: dict[str, Path], private_tmp: Path) -> None:
    path = anki_exports["modern"]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "collection.anki21b" in names
        assert archive.read("collection.anki21b")[:4] == b"\x28\xb5\x2f\xfd"  # zstd frame
    # The collection.anki2 beside it holds only "Please update…": its words would be wrong.
    assert words_from_file(path) == set(ANKI_WORDS)
    assert "关键" in read_known([path])
    assert list(private_tmp.iterdir()) == []


def test_legacy_anki_export_anki21(anki_exports: dict[str, Path]) -> None:
    path = anki_exports["legacy"]
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki21" in archive.namelist()
    assert words_from_file(path) == set(ANKI_WORDS)


def test_bare_anki21b(anki_exports: dict[str, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(anki_exports["modern"]) as archive:
        archive.extract("collection.anki21b", tmp_path)
    assert words_from_file(tmp_path / "collection.anki21b") == set(ANKI_WORDS)


def test_real_anki_text_export(anki_exports: dict[str, Path]) -> None:
    assert words_from_file(anki_exports["text"]) == set(ANKI_WORDS)


def test_collection_read_while_anki_has_it_open(tmp_path: Path, private_tmp: Path) -> None:
    pytest.importorskip("anki", reason="the anki package (test extra) is needed")
    path = tmp_path / "collection.anki2"
    with anki_collection(path) as col:
        add_notes(col, ANKI_WORDS)
        wal = tmp_path / "collection.anki2-wal"
        # Anki's exclusive WAL mode: the new notes live only in the -wal file so far.
        assert wal.is_file() and wal.stat().st_size > 0
        before = listing(tmp_path)
        original = path.read_bytes()
        assert words_from_file(path) == set(ANKI_WORDS)
        assert "关键" in read_known([path])
        assert listing(tmp_path) == before  # no -shm/-journal beside it, mtimes and sizes unchanged
        assert path.read_bytes() == original
        add_notes(col, {"再见": "goodbye"})  # Anki can still write: nothing of ours holds a lock
        assert "再见" in words_from_file(path)
    assert list(private_tmp.iterdir()) == []


def test_collection_sniffed_without_suffix(tmp_path: Path) -> None:
    pytest.importorskip("anki", reason="the anki package (test extra) is needed")
    with anki_collection(tmp_path / "c.anki2") as col:
        add_notes(col, {"汉字": "character"})
    copy = tmp_path / "backup"
    copy.write_bytes((tmp_path / "c.anki2").read_bytes())
    assert words_from_file(copy) == {"汉字"}


# --- Errors: one line, starting with the path ----------------------------------


def sqlite_without_notes(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("create table cards (id integer)")
    connection.commit()
    connection.close()
    return path


def write_binary(path: Path) -> Path:
    path.write_bytes(b"\x00\x01\x02\xff" * 50)
    return path


def zip_without_collection(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("media", "{}")
    return path


@pytest.mark.parametrize(
    ("label", "make", "message"),
    [
        ("missing", lambda tmp: tmp / "nope.txt", "no such file or directory"),
        ("directory", lambda tmp: tmp, "is a directory"),
        ("corrupt zip", lambda tmp: write(tmp / "x.apkg", "not a zip at all"), "not a valid Anki package"),
        ("zip without collection", lambda tmp: zip_without_collection(tmp / "x.apkg"), "no collection inside"),
        ("sqlite without notes", lambda tmp: sqlite_without_notes(tmp / "x.anki2"), "no notes table"),
        ("not sqlite", lambda tmp: write(tmp / "x.anki2", "汉字\n"), "not a readable Anki collection"),
        ("corrupt zstd", lambda tmp: write(tmp / "x.anki21b", "garbage"), "compressed collection is corrupt"),
        ("binary text", lambda tmp: write_binary(tmp / "x.txt"), "not a text file"),
    ],
)
def test_errors_name_the_file_on_one_line(tmp_path: Path, label: str, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(InputError) as caught:
        read_known([path])
    text = str(caught.value)
    assert text.startswith(f"{path}: "), label
    assert message in text, label
    assert "\n" not in text, label


def test_corrupt_member_in_package(tmp_path: Path) -> None:
    """A damaged deflate stream or CRC inside a well-formed zip directory."""
    collection = sqlite_without_notes(tmp_path / "c.db").read_bytes()
    path = tmp_path / "deck.apkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", collection)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("collection.anki2")
    raw = bytearray(path.read_bytes())
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    raw[middle : middle + 16] = bytes(16)
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError, match=rf"^{path}: "):
        words_from_file(path)


# --- Properties ------------------------------------------------------------------

hanzi_word = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=4)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.sets(hanzi_word, max_size=20), newline=st.sampled_from(["\n", "\r\n"]))
def test_a_list_gives_back_its_words(tmp_path: Path, words: set[str], newline: str) -> None:
    path = write(tmp_path / "words.txt", "".join(word + newline for word in words))
    assert words_from_file(path) == words
    known = read_known([path])
    assert all(word in known for word in words)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_text_reads_without_crashing(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / f"any{os.getpid()}.txt", text)
    try:
        words = words_from_file(path)
    except InputError as error:
        assert str(error).startswith(str(path))
        return
    assert all(known_module._HAS_HANZI.search(word) for word in words)
