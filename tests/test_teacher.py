"""Card truth on teacher-style texts we wrote ourselves (tests/teacher/): every note checked by hand.

The golden file holds, per note, what a learner memorises: the headword's
Pinyin, the first sense, the Sentence (word in brackets) and its pinyin.
Regenerate with DECKGEN_REGEN_GOLDEN=1 and review every changed line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from deckgen.build import BuildOptions, build
from deckgen.output import write

from .apkg import balanced, read_notes
from .conftest import anki_collection, import_apkg

TEXTS = Path(__file__).parent / "teacher"
GOLDEN = Path(__file__).parent / "golden" / "teacher_notes.json"
NAMES = ("polyphones.txt", "festival.txt", "exam.txt", "everyday.txt")


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html.replace('<b class="hl">', "[").replace("</b>", "]"))


def summarise(name: str, tmp_path: Path) -> dict[str, object]:
    result = build([TEXTS / name], BuildOptions(library=None))
    notes = read_notes(write(result, tmp_path / f"{name}.apkg", "Teacher"))
    return {
        "left_out": result.left_out,
        "notes": [
            {
                "hanzi": n["Hanzi"],
                "pinyin": n["Pinyin"],
                "first_sense": str(n["Meaning"]).split("; ")[0],
                "sentence": _plain(str(n["Sentence"])),
                "sentence_pinyin": n["SentencePinyin"],
                "tags": sorted(t for t in n["tags"] if t.startswith("deckgen::")),
            }
            for n in notes
        ],
    }


def test_teacher_texts_golden(tmp_path: Path) -> None:
    got = {name: summarise(name, tmp_path) for name in NAMES}
    if os.environ.get("DECKGEN_REGEN_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_every_teacher_sentence_is_balanced(tmp_path: Path) -> None:
    for name in NAMES:
        for note in summarise(name, tmp_path)["notes"]:  # type: ignore[attr-defined]
            assert balanced(note["sentence"]), note


def test_bylines_are_never_examples(tmp_path: Path) -> None:
    notes = summarise("festival.txt", tmp_path)["notes"]
    assert not any(b in n["sentence"] for n in notes for b in ("记者", "来源", "作者", "通讯员"))  # type: ignore[index]


def test_exam_option_labels_stripped_and_one_item_kept(tmp_path: Path) -> None:
    by_word = {n["hanzi"]: n for n in summarise("exam.txt", tmp_path)["notes"]}  # type: ignore[union-attr]
    assert by_word["蕃"]["sentence"].startswith("吐[蕃]") and "处理" not in by_word["蕃"]["sentence"]
    assert not any(re.search(r"\b[A-D][.．]|^\d+[.．]", n["sentence"]) for n in by_word.values())
    assert by_word["蕃"]["tags"] == ["deckgen::check", "deckgen::reading"]


@pytest.mark.parametrize("name", NAMES)
def test_recall_question_never_shows_the_word(tmp_path: Path, name: str) -> None:
    """Rendered by Anki itself: no character of the word anywhere on the Recall front."""
    pytest.importorskip("anki", reason="the anki package (test extra) renders the cards")
    apkg = write(build([TEXTS / name], BuildOptions(library=None)), tmp_path / "t.apkg", "Teacher")
    _assert_recall_hides_words(apkg, tmp_path)


def test_recall_question_never_shows_the_word_reference(reference: Path, tmp_path: Path) -> None:
    pytest.importorskip("anki", reason="the anki package (test extra) renders the cards")
    apkg = write(build([reference], BuildOptions(library=None)), tmp_path / "r.apkg", "Reference")
    _assert_recall_hides_words(apkg, tmp_path)


def _assert_recall_hides_words(apkg: Path, tmp_path: Path) -> None:
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        recall = [col.get_card(c) for c in col.find_cards("card:Recall")]
        assert recall and len(recall) == col.note_count()
        for card in recall:
            note = card.note()
            question = card.question()
            shown = set(note["Hanzi"]) | set(note["Traditional"]) | set(note["Simplified"])
            assert not shown & set(re.sub(r"<style>.*?</style>", "", question, flags=re.S)), (note["Hanzi"], question)
            if note["Sentence"]:
                assert "＿" in question
