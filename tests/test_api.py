"""The public API: deckgen.mine_text / mine_files / write_deck, frozen results, errors instead of prints."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

import deckgen

from .conftest import anki_collection, import_apkg, notes_by_hanzi

ARTICLE = "他说：“这是一个关键(guānjiàn)的节点(jiédiǎn)。”\n我们一起走(zǒu)吧。\n"


def test_mine_text_gives_frozen_notes_with_sentences() -> None:
    deck = deckgen.mine_text(ARTICLE, source="lesson.txt")
    assert [(n.hanzi, n.pinyin) for n in deck.notes] == [("关键", "guānjiàn"), ("节点", "jiédiǎn"), ("走", "zǒu")]
    assert deck.notes[2].field("Sentence") == '我们一起<b class="hl">走</b>吧。'
    assert deck.sources == ("lesson.txt",)
    assert dict(deck.readers) == {"lesson.txt": "inline"}
    assert "source::lesson" in deck.notes[0].tags
    with pytest.raises(dataclasses.FrozenInstanceError):
        deck.notes = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        deck.readers["x"] = "y"  # type: ignore[index]


def test_mine_text_detects_a_word_list_and_keeps_the_gloss() -> None:
    deck = deckgen.mine_text("再见 zài jiàn - goodbye\n好 - hǎo - good\n", source="words.txt")
    assert dict(deck.readers) == {"words.txt": "list"}
    assert [(n.hanzi, n.pinyin, n.field("Gloss")) for n in deck.notes] == [
        ("再见", "zàijiàn", "goodbye"),
        ("好", "hǎo", "good"),
    ]


def test_mine_text_of_a_web_page() -> None:
    deck = deckgen.mine_text("<!DOCTYPE html><p>我们学<ruby>汉字<rt>hànzì</rt></ruby>。</p>")
    assert [(n.hanzi, n.pinyin) for n in deck.notes] == [("汉字", "hànzì")]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "text: the text is empty"), ("没有拼音的句子。", "text: no pinyin annotations found")],
)
def test_mine_text_errors_are_deckgen_errors(text: str, message: str) -> None:
    with pytest.raises(deckgen.InputError) as caught:
        deckgen.mine_text(text)
    assert str(caught.value).startswith(message)


def test_mine_files_mixes_paths_and_texts_and_reports_failures(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("关键(guānjiàn)。\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    deck = deckgen.mine_files([str(good), empty, deckgen.Text("节点(jiédiǎn)。", "b.txt")])
    assert [n.hanzi for n in deck.notes] == ["关键", "节点"]
    assert deck.failed == (str(empty),)
    assert any("empty.txt" in str(notice) for notice in deck.notices)
    with pytest.raises(deckgen.InputError, match=r"missing\.txt: no such file"):
        deckgen.mine_files([good, tmp_path / "missing.txt"])


def test_strict_raises_with_the_deck_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(deckgen.WarningsError) as caught:
        deckgen.mine_files([deckgen.Text("关键(guānjiàn)(guānjiàn)。")], strict=True)
    assert caught.value.deck.notices
    assert caught.value.exit_code == 1
    assert not list(tmp_path.iterdir())


def test_options_and_filters_apply() -> None:
    options = deckgen.Options(deck="HSK", filters=deckgen.Filters(skip_hsk=2), cards=("recognition",))
    deck = deckgen.mine_text("我们走(zǒu)到关键(guānjiàn)节点(jiédiǎn)。", options=options)
    assert deck.name == "HSK"
    assert [n.hanzi for n in deck.notes] == ["关键", "节点"]


def test_write_deck_by_suffix_and_into_anki(tmp_path: Path) -> None:
    deck = deckgen.mine_text(ARTICLE, source="lesson.txt")
    apkg = deckgen.write_deck(deck, tmp_path / "lesson.apkg")
    tsv = deckgen.write_deck(deck, tmp_path / "lesson.tsv")
    data = deckgen.write_deck(deck, tmp_path / "lesson.json")
    assert apkg is not None and tsv is not None and data is not None
    assert [item["hanzi"] for item in json.loads(data.read_text(encoding="utf-8"))] == ["关键", "节点", "走"]
    assert tsv.read_text(encoding="utf-8").count("\n") >= 3
    with anki_collection(tmp_path / "collection.anki2") as col:
        import_apkg(col, apkg)
        assert sorted(notes_by_hanzi(col)) == ["关键|guānjiàn", "节点|jiédiǎn", "走|zǒu"]


def test_write_deck_into_a_folder_and_per_source(tmp_path: Path) -> None:
    deck = deckgen.mine_files([deckgen.Text("关键(guānjiàn)。", "a.txt"), deckgen.Text("节点(jiédiǎn)。", "b.txt")])
    assert deckgen.write_deck(deck, tmp_path) == tmp_path / "chinese-reading.apkg"
    written = deckgen.write_decks_per_source(deck, tmp_path / "each")
    assert [p.name for p in written] == ["chinese-reading-a.apkg", "chinese-reading-b.apkg"]


def test_unknown_format_is_an_output_error(tmp_path: Path) -> None:
    deck = deckgen.mine_text(ARTICLE)
    with pytest.raises(deckgen.OutputError):
        deckgen.write_deck(deck, tmp_path / "x.apkg", fmt="csv")  # type: ignore[arg-type]


def test_import_deckgen_loads_no_pipeline_module() -> None:
    code = "import sys, deckgen; print(sorted(m for m in sys.modules if m.startswith('deckgen')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['deckgen']"


def test_cli_uses_only_the_public_api() -> None:
    source = (Path(deckgen.__file__).parent / "cli.py").read_text(encoding="utf-8")
    imported = {line.split()[1] for line in source.splitlines() if line.strip().startswith("from .")}
    assert imported <= {".", ".api", ".errors"}, imported
