"""The reading table answers as the live functions do: every word's reading, whether CC-CEDICT lists it and
whether it is a name, and so every sentence's pinyin and every note; it is made once and kept while it fits."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from deckgen import dictcache, dictionary, readingtable, spoken
from deckgen.build import BuildOptions, build
from deckgen.dictionary import rows
from deckgen.sentences import Example

from .conftest import CORPUS, EXAMPLE, REPO

TEACHER = sorted((REPO / "tests" / "teacher").glob("*.txt"))
EDGE_WORDS = [
    "朋友", "东西", "点儿", "女儿", "北京", "长城", "中国", "一月", "星期一", "看过", "看着", "还书", "银行",
    "行长", "昨天晚上", "七十多岁", "五百米", "關鍵", "头发", "不要", "一口", "数一数", "卡拉OK", "", "a",
    "关键\x00", "研学", "之", "的", "了",
]  # fmt: skip


def _live() -> None:
    """No table in use, and no word remembered from one."""
    readingtable.use(None)
    spoken._word_reading.cache_clear()
    spoken._written.cache_clear()
    spoken._tagged_piece.cache_clear()


@pytest.fixture(scope="module")
def table_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The table, made once for this module in a cache folder of its own (about 7 s)."""
    cache = tmp_path_factory.mktemp("readings-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DECKGEN_CACHE_DIR", str(cache))
        folder = readingtable.prepared(make=True)
    assert folder is not None and folder.parent == cache
    _live()
    yield folder
    _live()


def _words(count: int, seed: int) -> list[str]:
    """Headwords at random, their pieces, and words CC-CEDICT lacks."""
    rng = random.Random(seed)
    headwords = sorted(dictcache.default_store().headwords())
    picked = rng.sample(headwords, count)
    return [*picked, *(word[:-1] for word in picked[:500]), *(word + "们" for word in picked[:500]), *EDGE_WORDS]


def _answers(words: list[str]) -> list[object]:
    out: list[object] = []
    for word in words:
        reading = spoken._word_reading(word, True)
        out.append((reading, spoken._word_reading(word, False), spoken._listed(word), spoken._dictionary_words(word)))
        out.append([spoken._proper(word, syllables) for syllables in (reading, tuple(s.upper() for s in reading))])
    return out


def test_every_word_reads_as_the_live_functions_read_it(table_folder: Path) -> None:
    words = _words(4000, seed=11)
    _live()
    live = _answers(words)
    readingtable.use(table_folder)
    assert readingtable.current() is not None
    spoken._word_reading.cache_clear()
    assert _answers(words) == live
    assert readingtable.current() is not None and len(readingtable.current()) > 150_000  # type: ignore[arg-type]
    _live()


def test_the_table_holds_each_word_as_the_functions_give_it(table_folder: Path) -> None:
    readingtable.use(table_folder)
    table = readingtable.current()
    assert table is not None
    assert table.get("朋友") == "-péng you" and table.get("北京") == "Pběi jīng"
    assert table.get("猫猫猫") is None and table.get("关键\x00") is None
    for word in _words(300, seed=12):
        if not rows(word):
            assert table.get(word) is None, word
            continue
        flag = readingtable.PROPER if any(row.proper for row in rows(word)) else readingtable.PLAIN
        assert table.get(word) == flag + " ".join(spoken.reading_alone(word, False)), word
    _live()


def _sentences() -> list[tuple[Example, dict[str, tuple[str, ...]]]]:
    from deckgen.minefiles import mine_file

    paths = [EXAMPLE, *TEACHER, *sorted(CORPUS.glob("*.txt"))]
    out = []
    for path in paths:
        grouper = mine_file(path, None, 4, False).grouper
        for entry in grouper.entries():
            out.extend((example, grouper.annotated) for example in entry.examples)
    return out


def test_sentences_read_alike_with_and_without_the_table(table_folder: Path) -> None:
    sentences = _sentences()
    assert len(sentences) > 50  # 84 from the example and the teacher texts alone, more with ../shared's corpus
    _live()
    live = [spoken.sentence_pinyin(example, spoken.Annotated(words)) for example, words in sentences]
    readingtable.use(table_folder)
    spoken._word_reading.cache_clear()
    spoken._written.cache_clear()
    assert [spoken.sentence_pinyin(example, spoken.Annotated(words)) for example, words in sentences] == live
    _live()


def test_a_build_makes_the_same_notes_with_and_without_the_table(
    table_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = [EXAMPLE, *TEACHER]
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(table_folder.parent))
    with_table = build(inputs, BuildOptions(jobs=1))
    assert readingtable.current() is not None  # the build found the table and read from it
    monkeypatch.setattr(readingtable, "prepared", lambda *args: readingtable.use(None))
    _live()
    without = build(inputs, BuildOptions(jobs=1))
    assert readingtable.current() is None
    assert with_table.notes == without.notes and len(without.notes) > 50
    _live()


def test_a_worker_reads_from_the_table_it_is_given(table_folder: Path) -> None:
    readingtable.use(table_folder)
    first = readingtable.current()
    readingtable.use(table_folder)
    assert readingtable.current() is first  # opened once
    readingtable.use(table_folder.parent / "readings-v1-gone")
    assert readingtable.current() is None  # nothing there: every word worked out
    readingtable.use(None)
    assert readingtable.current() is None


def test_the_table_is_kept_and_made_anew_when_what_it_comes_from_changes(
    table_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(table_folder.parent))
    assert readingtable.prepared(make=False) == table_folder  # kept: opened, not made again
    fingerprint = readingtable._fingerprint()
    monkeypatch.setattr(readingtable, "_fingerprint", lambda: {**fingerprint, "code": "another"})
    assert readingtable.prepared(make=False) is None and readingtable.current() is None  # a small build: no table
    made: list[int] = []
    monkeypatch.setattr(readingtable, "every_reading", lambda *args: made.append(1) or {"朋友": "-péng you"})
    folder = readingtable.prepared(make=True)
    assert made and folder is not None and folder != table_folder
    assert readingtable.current() is not None and readingtable.current().get("朋友") == "-péng you"  # type: ignore[union-attr]
    _live()


def test_a_damaged_table_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(readingtable, "every_reading", lambda *args: {"朋友": "-péng you", "北京": "Pběi jīng"})
    folder = readingtable.prepared(make=True)
    assert folder is not None
    (folder / "offsets.bin").write_bytes(b"\x00" * 4)  # truncated
    assert readingtable.prepared(make=False) is None
    assert readingtable.prepared(make=True) == folder and readingtable.current().get("北京") == "Pběi jīng"  # type: ignore[union-attr]
    _live()


def test_an_unwritable_cache_folder_means_no_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(blocker / "cache"))
    made: list[int] = []
    monkeypatch.setattr(readingtable, "every_reading", lambda *args: made.append(1) or {"朋友": "-péng you"})
    assert readingtable.prepared(make=True) is None and readingtable.current() is None
    assert not made  # nothing worked out (7 s on every large build) for a table that could not be kept


def test_only_words_whose_lines_parse_are_held_and_odd_readings_are_left_to_the_live_functions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = {
        "朋友": "朋友 朋友 [peng2 you5] /friend/",
        "北京": "北京 北京 [Bei3 jing1] /Beijing/",
        "坏坏": "坏坏 bad line without brackets",
        "好": "好 好 [hao3] /good/",
    }
    store = dictcache.Store("memory", lines.get, lines.keys)
    monkeypatch.setattr(dictcache, "default_store", lambda: store)
    monkeypatch.setattr(spoken, "reading_alone", lambda word, verb: ("hǎo x",) if word == "好" else ("a", "b"))
    dictionary.readings.cache_clear()
    try:
        assert readingtable.every_reading() == {"朋友": "-a b", "北京": "Pa b", "好": readingtable.LIVE}
        assert readingtable.every_reading(1, 2).keys() | readingtable.every_reading(0, 2).keys() == {
            "朋友",
            "北京",
            "好",
        }
    finally:
        dictionary.readings.cache_clear()
