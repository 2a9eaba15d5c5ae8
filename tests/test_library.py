"""The local library: what later builds rely on (new words, examples, first export) and its integrity."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from deckgen import library
from deckgen.errors import DeckgenError
from deckgen.library import (
    ArticleRow,
    Example,
    Key,
    Library,
    LibraryError,
    Sighting,
    WordRow,
    default_path,
)
from deckgen.libschema import LATEST, SCHEMA_V1


def sighting(hanzi: str, pinyin: str, sentence: str, line: int = 1) -> Sighting:
    """A sighting of *hanzi* at its first place in *sentence*."""
    start = sentence.index(hanzi)
    return Sighting(hanzi, pinyin, sentence[:start], hanzi, sentence[start + len(hanzi) :], line)


def key(hanzi: str, pinyin: str) -> Key:
    return sighting(hanzi, pinyin, hanzi).key


def raw_count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def snapshot(lib: Library) -> tuple[list[WordRow], list[ArticleRow], int]:
    return lib.words(), lib.growth(), raw_count(lib.path, "occurrences")


@pytest.fixture
def lib(tmp_path: Path):
    with Library.open(tmp_path / "library.sqlite3") as opened:
        yield opened


KINDERGARTEN = key("幼儿园", "yòu'éryuán")
KEY_WORD = key("关键", "guānjiàn")
JOBS = key("稳岗", "wěngǎng")


# --- where it lives ---------------------------------------------------------

DEFAULT_PATH_CASES = [
    ("explicit file wins", {"DECKGEN_LIBRARY": "/x/my.db", "XDG_DATA_HOME": "/xdg"}, "/x/my.db"),
    ("XDG data home", {"XDG_DATA_HOME": "/xdg"}, "/xdg/deckgen/library.sqlite3"),
    (
        "empty values are unset",
        {"DECKGEN_LIBRARY": "", "XDG_DATA_HOME": ""},
        "/home/u/.local/share/deckgen/library.sqlite3",
    ),
    ("home fallback", {}, "/home/u/.local/share/deckgen/library.sqlite3"),
]


@pytest.mark.parametrize(("label", "env", "expected"), DEFAULT_PATH_CASES, ids=[c[0] for c in DEFAULT_PATH_CASES])
def test_default_path(monkeypatch: pytest.MonkeyPatch, label: str, env: dict[str, str], expected: str) -> None:
    monkeypatch.setenv("HOME", "/home/u")
    monkeypatch.delenv("DECKGEN_LIBRARY", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_path() == Path(expected)


# --- recording --------------------------------------------------------------


def test_record_returns_new_keys_and_reading_forms_are_one_word(lib: Library) -> None:
    first = [
        sighting("幼儿园", "yòu'éryuán", "他每天送孩子去幼儿园。"),
        sighting("幼儿园", "Yòu ér yuán", "幼儿园放假了。", line=2),  # the same word, typed another way
        sighting("关键", "guānjiàn", "关键在于坚持。", line=3),
    ]
    assert lib.record_article("a.txt", first, when=100.0) == {KINDERGARTEN, KEY_WORD}
    second = [sighting("关键", "guān jiàn", "这是关键。"), sighting("稳岗", "wěngǎng", "稳岗是重点。")]
    assert lib.record_article("b.txt", second, when=200.0) == {JOBS}
    assert [(w.hanzi, w.pinyin, w.count, w.articles) for w in lib.words()] == [
        ("关键", "guānjiàn", 2, 2),
        ("幼儿园", "yòu'éryuán", 2, 1),  # keeps the reading it was first seen with
        ("稳岗", "wěngǎng", 1, 1),
    ]


def test_record_same_article_again_is_idempotent(lib: Library) -> None:
    sightings = [
        sighting("幼儿园", "yòu'éryuán", "他每天送孩子去幼儿园。"),
        sighting("幼儿园", "yòu'éryuán", "他每天送孩子去幼儿园。"),  # one sentence, listed twice
        sighting("关键", "guānjiàn", "关键在于坚持。", line=2),
    ]
    assert lib.record_article("a.txt", sightings, when=100.0) == {KINDERGARTEN, KEY_WORD}
    before = snapshot(lib)
    assert before[2] == 2
    assert lib.record_article("a.txt", sightings, when=500.0) == set()
    assert snapshot(lib) == before
    assert lib.growth() == [ArticleRow("a.txt", 100.0, 2, 2, 2)]


# --- known elsewhere --------------------------------------------------------

S1 = "他每天送孩子去幼儿园。"
S2 = "幼儿园放假了。"
S3 = "关键在于坚持。"
S4 = "这一步很关键。"

KNOWN_CASES = [
    ("same article rebuilt", {KINDERGARTEN: {S1, S2}}, set()),
    ("same article re-wrapped", {KINDERGARTEN: {"他每天送孩子\n去幼儿园。", " 幼儿园 放假了。"}}, set()),
    ("first sentence kept, another dropped", {KINDERGARTEN: {S1}}, set()),
    ("first sentence dropped", {KINDERGARTEN: {S2}}, {KINDERGARTEN}),
    ("no sentences given", {KINDERGARTEN: set()}, {KINDERGARTEN}),
    ("first met in another article", {KEY_WORD: {S4}}, {KEY_WORD}),
    ("the article that first met it", {KEY_WORD: {S3}}, set()),
    ("every sentence of it given", {KEY_WORD: {S3, S4}}, set()),
    ("never met", {JOBS: {"稳岗是重点。"}}, set()),
    ("same hanzi, another reading", {("关键", "guānjiān"): set()}, set()),
    ("several keys at once", {KINDERGARTEN: {S1, S2}, KEY_WORD: {S4}, JOBS: set()}, {KEY_WORD}),
    ("nothing asked", {}, set()),
]


@pytest.mark.parametrize(("label", "sentences", "expected"), KNOWN_CASES, ids=[c[0] for c in KNOWN_CASES])
def test_known_elsewhere(lib: Library, label: str, sentences: dict[Key, set[str]], expected: set[Key]) -> None:
    lib.record_article(
        "a.txt",
        [
            sighting("幼儿园", "yòu'éryuán", S1),
            sighting("幼儿园", "yòu'éryuán", S2, 2),
            sighting("关键", "guānjiàn", S3, 3),
        ],
        when=100.0,
    )
    lib.record_article("b.txt", [sighting("关键", "guānjiàn", S4)], when=200.0)
    assert lib.known_elsewhere(sentences) == expected


# --- exports ----------------------------------------------------------------


def test_mark_exported_keeps_the_first_time(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with Library.open(path) as lib:
        lib.record_article("a.txt", [sighting("幼儿园", "yòu'éryuán", S1), sighting("关键", "guānjiàn", S3)], 100.0)
        assert lib.exported_at([KINDERGARTEN, KEY_WORD]) == {}
        lib.mark_exported([KINDERGARTEN], when=150.0)
        assert lib.exported_at([KINDERGARTEN, KEY_WORD]) == {KINDERGARTEN: 150.0}
        lib.mark_exported([KINDERGARTEN, KEY_WORD, JOBS], when=250.0)  # JOBS is not in the library: ignored
    with Library.open(path) as lib:
        assert lib.exported_at([KINDERGARTEN, KEY_WORD, JOBS]) == {KINDERGARTEN: 150.0, KEY_WORD: 250.0}
        assert {w.hanzi: w.exported_at for w in lib.words()} == {"幼儿园": 150.0, "关键": 250.0}


# --- examples ---------------------------------------------------------------

A1 = "他每天送孩子去幼儿园。"  # 11 characters: a good length
A2 = "幼儿园。"  # 4: too short
A3 = "这家幼儿园的老师都很年轻，也很有耐心。"  # 19: good
B1 = "他说幼儿园附近" + "的房子" * 12 + "。"  # too long
C1 = "我家旁边就是幼儿园。"  # 10: good


def test_example_lengths_are_as_the_cases_need() -> None:
    assert [len(s) for s in (A1, A2, A3, C1)] == [11, 4, 19, 10]
    assert len(B1) > 40


@pytest.fixture
def examples_library(lib: Library) -> Library:
    word = "幼儿园"
    lib.record_article("a.txt", [sighting(word, "yòu'éryuán", s, n) for n, s in enumerate((A1, A2, A3), 1)], 100.0)
    lib.record_article("b.txt", [sighting(word, "yòu'éryuán", B1)], 200.0)
    lib.record_article("c.txt", [sighting(word, "yòu'éryuán", C1)], 300.0)
    lib.record_article("d.txt", [sighting(word, "yòu'éryuán", A1)], 400.0)  # a.txt copied: not a new example
    lib.record_article("e.txt", [sighting("关键", "guānjiàn", S3)], 50.0)  # another word
    return lib


EXAMPLE_CASES = [
    ("default limit: one per article, good lengths first", 4, [A1, C1, B1, A3]),
    ("then a second from the same article", 5, [A1, C1, B1, A3, A2]),
    ("limit", 2, [A1, C1]),
    ("no examples asked", 0, []),
]


@pytest.mark.parametrize(("label", "limit", "expected"), EXAMPLE_CASES, ids=[c[0] for c in EXAMPLE_CASES])
def test_examples_order(examples_library: Library, label: str, limit: int, expected: list[str]) -> None:
    assert [e.sentence for e in examples_library.examples(KINDERGARTEN, limit=limit)] == expected


def test_examples_carry_source_and_time(examples_library: Library) -> None:
    assert examples_library.examples(KINDERGARTEN, limit=2) == [
        Example("他每天送孩子去", "幼儿园", "。", "a.txt", 100.0),
        Example("我家旁边就是", "幼儿园", "。", "c.txt", 300.0),
    ]
    assert examples_library.examples(JOBS) == []


def test_examples_of_many_words_in_one_query_are_each_words_own(examples_library: Library) -> None:
    """The words' sentences come back in one query (a build asks for every word it exports) and are not mixed."""
    found = examples_library.examples_of([KINDERGARTEN, KEY_WORD, JOBS], limit=3)
    assert set(found) == {KINDERGARTEN, KEY_WORD}  # a word with no sentence is left out
    assert [e.sentence for e in found[KINDERGARTEN]] == [A1, C1, B1]
    assert [e.sentence for e in found[KEY_WORD]] == [S3]
    assert examples_library.examples_of([KINDERGARTEN], limit=0) == {}
    assert examples_library.examples_of([], limit=3) == {}


# --- listings ---------------------------------------------------------------


def record_three(lib: Library) -> None:
    articles = [
        (
            "a.txt",
            100.0,
            [
                ("幼儿园", "yòu'éryuán", A1),
                ("幼儿园", "yòu'éryuán", A3),
                ("关键", "guānjiàn", S3),
                ("稳岗", "wěngǎng", "稳岗是重点。"),
            ],
        ),
        ("b.txt", 200.0, [("关键", "guānjiàn", S4), ("老师", "lǎoshī", "老师来了。")]),
        (
            "c.txt",
            300.0,
            [
                ("幼儿园", "yòu'éryuán", C1),
                ("老师", "lǎoshī", "老师很忙。"),
                ("耐心", "nàixīn", "要有耐心。"),
                ("坚持", "jiānchí", "坚持到底。"),
            ],
        ),
    ]
    for source, when, words in articles:
        lib.record_article(source, [sighting(h, p, s, n) for n, (h, p, s) in enumerate(words, 1)], when)


def test_words_counts_and_order(lib: Library) -> None:
    record_three(lib)
    lib.mark_exported([KEY_WORD], 150.0)
    assert lib.words() == [
        WordRow("关键", "guānjiàn", 2, 2, 100.0, "a.txt", 150.0),
        WordRow("幼儿园", "yòu'éryuán", 3, 2, 100.0, "a.txt", None),
        WordRow("稳岗", "wěngǎng", 1, 1, 100.0, "a.txt", None),
        WordRow("老师", "lǎoshī", 2, 2, 200.0, "b.txt", None),
        WordRow("坚持", "jiānchí", 1, 1, 300.0, "c.txt", None),
        WordRow("耐心", "nàixīn", 1, 1, 300.0, "c.txt", None),
    ]


def test_growth_across_three_articles(lib: Library) -> None:
    record_three(lib)
    expected = [
        ArticleRow("a.txt", 100.0, words=3, new_words=3, total_after=3),
        ArticleRow("b.txt", 200.0, words=2, new_words=1, total_after=4),
        ArticleRow("c.txt", 300.0, words=4, new_words=2, total_after=6),
    ]
    assert lib.growth() == expected
    # a.txt edited and built again: its word count follows, its first figures stay.
    new = lib.record_article(
        "a.txt", [sighting("老师", "lǎoshī", "老师好。"), sighting("加油", "jiāyóu", "加油！")], 400.0
    )
    assert new == {key("加油", "jiāyóu")}
    assert lib.growth() == [ArticleRow("a.txt", 100.0, 2, 3, 3), *expected[1:]]


# --- schema and migrations --------------------------------------------------


def make_v1(path: Path) -> None:
    """A library as the first release wrote it."""
    with sqlite3.connect(path) as conn:
        for statement in SCHEMA_V1:
            conn.execute(statement)
        conn.executemany(
            "INSERT INTO words (id, hanzi, pinyin, pinyin_key, first_seen, first_source) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (1, "幼儿园", "yòu'éryuán", "yòuéryuán", 100.0, "a.txt"),
                (2, "关键", "guānjiàn", "guānjiàn", 100.0, "a.txt"),
                (3, "稳岗", "wěngǎng", "wěngǎng", 200.0, "b.txt"),
            ],
        )
        conn.executemany(
            "INSERT INTO occurrences (word_id, before, word, after, sentence, source, line, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (1, "他每天送孩子去", "幼儿园", "。", A1, "a.txt", 1, 100.0),
                (2, "", "关键", "在于坚持。", S3, "a.txt", 2, 100.0),
                (1, "我家旁边就是", "幼儿园", "。", C1, "b.txt", 1, 200.0),
                (3, "", "稳岗", "是重点。", "稳岗是重点。", "b.txt", 2, 200.0),
                (3, "要", "稳岗", "。", "要稳岗。", "b.txt", 3, 200.0),
            ],
        )
        conn.execute("PRAGMA user_version = 1")
    conn.close()


def test_migrates_v1_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    make_v1(path)
    with Library.open(path) as lib:
        assert lib.words() == [
            WordRow("关键", "guānjiàn", 1, 1, 100.0, "a.txt", None),
            WordRow("幼儿园", "yòu'éryuán", 2, 2, 100.0, "a.txt", None),
            WordRow("稳岗", "wěngǎng", 2, 1, 200.0, "b.txt", None),
        ]
        assert lib.growth() == [ArticleRow("a.txt", 100.0, 2, 2, 2), ArticleRow("b.txt", 200.0, 2, 1, 3)]
        assert [e.source for e in lib.examples(KINDERGARTEN)] == ["a.txt", "b.txt"]
        assert lib.known_elsewhere({KINDERGARTEN: {C1}}) == {KINDERGARTEN}
        # and it works as a v2 library from then on
        assert lib.record_article("c.txt", [sighting("关键", "guānjiàn", S4)], 300.0) == set()
        lib.mark_exported([KEY_WORD], 300.0)
        assert lib.growth()[-1] == ArticleRow("c.txt", 300.0, 1, 0, 3)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with Library.open(path) as lib:  # opening a current file again changes nothing
        assert lib.exported_at([KEY_WORD]) == {KEY_WORD: 300.0}
        assert len(lib.growth()) == 3


def test_failed_migration_leaves_v1_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite3"
    make_v1(path)
    broken = (*library.MIGRATIONS[1], "INSERT INTO no_such_table VALUES (1)")
    monkeypatch.setattr(library, "MIGRATIONS", (library.MIGRATIONS[0], broken))
    with pytest.raises(LibraryError, match=r"cannot upgrade the library \(no such table: no_such_table\)$"):
        Library.open(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"words", "occurrences"}
        assert "exported_at" not in {row[1] for row in conn.execute("PRAGMA table_info(words)")}
        assert conn.execute("SELECT COUNT(*) FROM occurrences").fetchone()[0] == 5
    conn.close()


def test_connection_settings(tmp_path: Path) -> None:
    with Library.open(tmp_path / "deep" / "er" / "library.sqlite3", timeout=2.5) as lib:
        settings = {
            name: lib._conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
        assert settings == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 2500}


def test_refuses_a_newer_library_untouched(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LibraryError) as caught:
        Library.open(path)
    assert str(caught.value) == f"{path}: library version 3 was written by a newer deckgen; upgrade deckgen"
    assert caught.value.exit_code == 4 and isinstance(caught.value, DeckgenError)
    assert path.read_bytes() == before


REFUSED_FILES = [
    ("text", "我的生词：幼儿园、关键\n".encode(), "is not a deckgen library (not an SQLite file)"),
    ("binary", bytes(range(256)) * 8, "is not a deckgen library (not an SQLite file)"),
    ("someone else's SQLite", None, "is an SQLite database but not a deckgen library"),
]


@pytest.mark.parametrize(("label", "content", "message"), REFUSED_FILES, ids=[c[0] for c in REFUSED_FILES])
def test_refuses_other_files_untouched(tmp_path: Path, label: str, content: bytes | None, message: str) -> None:
    path = tmp_path / "notes.txt"
    if content is None:
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE cards (front, back)")
            conn.execute("INSERT INTO cards VALUES ('幼儿园', 'kindergarten')")
        conn.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    with pytest.raises(LibraryError) as caught:
        Library.open(path)
    assert str(caught.value) == f"{path}: {message}"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_an_empty_file_becomes_a_library(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    path.touch()
    with Library.open(path) as lib:
        assert lib.record_article("a.txt", [sighting("关键", "guānjiàn", S3)], 1.0) == {KEY_WORD}


UNWRITABLE = [
    ("parent is a file", "blocker/library.sqlite3", "cannot create the library folder"),
    ("path is a folder", "folder", "is a folder, not a library file"),
]


@pytest.mark.parametrize(("label", "relative", "message"), UNWRITABLE, ids=[c[0] for c in UNWRITABLE])
def test_unwritable_location(tmp_path: Path, label: str, relative: str, message: str) -> None:
    (tmp_path / "blocker").write_text("not a folder")
    (tmp_path / "folder").mkdir()
    path = tmp_path / relative
    with pytest.raises(LibraryError) as caught:
        Library.open(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: {message}") and "\n" not in text
    assert (tmp_path / "blocker").read_text() == "not a folder"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes through permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(LibraryError, match=r"^.*ro/library\.sqlite3: cannot open the library \(.*\)$"):
            Library.open(folder / "library.sqlite3")
    finally:
        folder.chmod(0o700)


# --- integrity --------------------------------------------------------------


def test_busy_library_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with Library.open(path, timeout=0.2) as lib:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(LibraryError) as caught:
                lib.record_article("a.txt", [sighting("关键", "guānjiàn", S3)], 1.0)
            assert str(caught.value) == f"{path}: cannot record a.txt: another deckgen held it for over 0.2s"
            assert lib.known_elsewhere({KEY_WORD: set()}) == set()  # WAL: reading is never blocked
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert lib.record_article("a.txt", [sighting("关键", "guānjiàn", S3)], 1.0) == {KEY_WORD}


def test_exception_mid_article_keeps_nothing_of_it(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    record_three(lib)
    before = snapshot(lib)
    article = [sighting("加油", "jiāyóu", "加油！"), sighting("关键", "guānjiàn", "关键时刻。")]

    def fail(conn: sqlite3.Connection, rows: object) -> None:
        # The article's words and row are written by now; fail as a crash or a bug would.
        assert conn.execute("SELECT COUNT(*) FROM words WHERE hanzi = '加油'").fetchone()[0] == 1
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(library, "_insert_occurrences", fail)
        with pytest.raises(RuntimeError, match="boom"):
            lib.record_article("d.txt", article, 400.0)
    assert snapshot(lib) == before
    assert not lib._conn.in_transaction
    assert lib.record_article("d.txt", article, 400.0) == {key("加油", "jiāyóu")}


def test_constraint_violation_mid_article_keeps_nothing_of_it(lib: Library) -> None:
    record_three(lib)
    before = snapshot(lib)
    article = [
        sighting("加油", "jiāyóu", "加油！"),  # inserted first ...
        sighting("关键", "guānjiàn", "关键时刻。"),
        Sighting("", "kòng", "没有", "", "字。", 3),  # ... then this breaks a CHECK constraint
    ]
    with pytest.raises(LibraryError) as caught:
        lib.record_article("d.txt", article, 400.0)
    assert str(caught.value) == f"{lib.path}: cannot record d.txt (CHECK constraint failed: hanzi <> '')"
    assert snapshot(lib) == before


def _die_mid_article(path: str) -> None:
    """Child process: record one article, then die (no exception, no cleanup) inside the second."""
    with Library.open(Path(path)) as lib:
        lib.record_article("a.txt", [sighting("关键", "guānjiàn", S3)], 100.0)
        library._insert_occurrences = lambda conn, rows: os._exit(7)  # type: ignore[assignment]
        lib.record_article("b.txt", [sighting("加油", "jiāyóu", "加油！"), sighting("关键", "guānjiàn", S4)], 200.0)


def test_process_killed_mid_article_keeps_nothing_of_it(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    child = multiprocessing.get_context("spawn").Process(target=_die_mid_article, args=(str(path),))
    child.start()
    child.join(60)
    assert child.exitcode == 7
    with Library.open(path) as lib:
        assert lib.growth() == [ArticleRow("a.txt", 100.0, 1, 1, 1)]
        assert [(w.hanzi, w.count) for w in lib.words()] == [("关键", 1)]


def concurrent_article(worker: int, number: int) -> list[Sighting]:
    """Ten words shared between the workers (so both race to insert them), five of the worker's own."""
    shared = [chr(0x4E00 + n) for n in range(number, number + 10)]
    own = [chr(0x5E00 + worker * 1000 + number * 5 + n) for n in range(5)]
    return [
        sighting(hanzi, f"zi{ord(hanzi)}", f"工人{worker}第{number}篇里的{hanzi}字。", line)
        for line, hanzi in enumerate(shared + own, 1)
    ]


def _record_fifty(path: str, worker: int, barrier: object, results: object) -> None:
    try:
        barrier.wait(60)  # type: ignore[attr-defined]
        with Library.open(Path(path)) as lib:  # both create the file at once, then write at once
            new = [
                sorted(lib.record_article(f"w{worker}/{n}.txt", concurrent_article(worker, n), float(n)))
                for n in range(50)
            ]
    except BaseException as exc:  # reported, so that the test fails now rather than at a timeout
        results.put((worker, f"{type(exc).__name__}: {exc}"))  # type: ignore[attr-defined]
        raise
    results.put((worker, new))  # type: ignore[attr-defined]


def test_two_processes_record_at_once(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_record_fifty, args=(str(path), w, barrier, results)) for w in (0, 1)]
    for worker in workers:
        worker.start()
    new = dict(results.get(timeout=120) for _ in workers)
    assert not [outcome for outcome in new.values() if isinstance(outcome, str)]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    expected_keys = {s.key for w in (0, 1) for n in range(50) for s in concurrent_article(w, n)}
    assert len(expected_keys) == 59 + 2 * 250
    new_keys = [tuple(k) for w in (0, 1) for article in new[w] for k in article]
    assert sorted(new_keys) == sorted(expected_keys)  # every word new exactly once, across both
    with Library.open(path) as lib:
        assert {w.key for w in lib.words()} == expected_keys
        assert raw_count(path, "occurrences") == 2 * 50 * 15
        growth = lib.growth()
        assert len(growth) == 100
        assert sum(row.new_words for row in growth) == len(expected_keys)
        assert max(row.total_after for row in growth) == len(expected_keys)
        for worker in ("w0/", "w1/"):
            totals = [row.total_after for row in growth if row.source.startswith(worker)]
            assert totals == sorted(totals)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# --- speed ------------------------------------------------------------------


def big_article(number: int) -> list[Sighting]:
    """About 80 sightings, half of them words seen before."""
    words = [chr(0x4E00 + (number * 40 + n) % 6000) for n in range(80)]
    return [sighting(w, f"zi{ord(w)}", f"第{number}篇第{n}句讲到{w}这个词。", n) for n, w in enumerate(words)]


def test_lookup_is_one_statement_whatever_the_number_of_words(tmp_path: Path) -> None:
    """Speed by construction, not by a wall clock: one SQL statement answers a whole article's words."""
    with Library.open(tmp_path / "library.sqlite3") as lib:
        for number in range(100):
            lib.record_article(f"{number}.txt", big_article(number), float(number))
        lib.record_article("100.txt", big_article(100), 100.0)

        probe = {s.key: {s.sentence} for s in big_article(101)[:100]}
        probe.update({s.key: {s.sentence} for s in big_article(102)})
        assert len(probe) >= 100
        statements: list[str] = []
        lib._conn.set_trace_callback(statements.append)
        known = lib.known_elsewhere(probe)
        lib._conn.set_trace_callback(None)
    assert known and len(statements) == 1
