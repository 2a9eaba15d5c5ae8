"""Golden test on the whole reference article: the notes read back from the
.apkg must equal a reviewed expected file (notes, not bytes).

The expected file holds each note's word, pinyin, tags and only a few
characters of context around the highlighted word, enough to check by hand
that the right sentence was chosen, without copying the article.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from deckgen.build import BuildOptions, build
from deckgen.output import write

from .apkg import balanced, context, read_notes

GOLDEN = Path(__file__).parent / "golden" / "reference_notes.json"
# Our own example article, whose text may be copied: here every field of every note is compared.
EXAMPLE = Path(__file__).parent.parent / "examples" / "library.txt"
EXAMPLE_GOLDEN = Path(__file__).parent / "golden" / "example_fields.json"


def summarise(apkg: Path) -> list[dict[str, object]]:
    return [
        {
            "hanzi": n["Hanzi"],
            "pinyin": n["Pinyin"],
            "tags": sorted(t for t in n["tags"] if not t.startswith("source::")),
            "sentence": context(str(n["Sentence"])),
        }
        for n in read_notes(apkg)
    ]


def test_reference_article_golden(reference: Path, tmp_path: Path) -> None:
    apkg = write(build([reference]), tmp_path / "ref.apkg", "Reference")
    got = summarise(apkg)
    if os.environ.get("DECKGEN_REGEN_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got == expected


def test_reference_article_invariants(reference: Path, tmp_path: Path) -> None:
    """Checks that hold whatever the golden file says."""
    result = build([reference], BuildOptions(deck="Reference"))
    notes = read_notes(write(result, tmp_path / "ref.apkg", "Reference"))
    keys = [(n["Hanzi"], n["Pinyin"]) for n in notes]
    assert len(keys) == len(set(keys))
    by_word = {n["Hanzi"]: n for n in notes}
    assert "蹄疾步[稳]" in context(str(by_word["稳"]["Sentence"]))
    assert "上线[率]" in context(str(by_word["率"]["Sentence"]))
    assert "稳岗" in by_word and "万稳岗" not in by_word
    assert by_word["幼儿园"]["Pinyin"] == "yòu'éryuán"
    assert by_word["乳腺癌"]["Pinyin"] == "rǔxiàn'ái"
    assert by_word["街道"]["Pinyin"] == "jiēdào"
    for crossing in ("起全", "之花", "幼有", "之号"):
        assert crossing not in by_word, "not a word: left out of the deck"
    assert set(result.left_out) == {"起全", "之花", "幼有", "之号"}
    assert by_word["中国"]["Pinyin"] == "Zhōngguó" and by_word["中国"]["Sentence"] == ""  # met only in the byline
    for note in notes:
        assert balanced(re.sub(r"<[^>]+>", "", str(note["Sentence"]))), note["Sentence"]
    junk = ("相关推荐", "评论", "发表")
    assert not any(j in str(n["Sentence"]) for n in notes for j in junk)
    assert all(f"source::{Path(reference).stem}" in n["tags"] for n in notes)
    assert result.annotations == 166 and len(notes) == 71


def test_example_article_every_field(tmp_path: Path) -> None:
    """Every field and tag of every note the shipped example gives, as Anki reads them back."""
    from deckgen.render import FIELDS

    apkg = write(build([EXAMPLE], BuildOptions(library=None)), tmp_path / "example.apkg", "Example")
    got = [{**{name: note[name] for name in FIELDS}, "tags": sorted(note["tags"])} for note in read_notes(apkg)]
    if os.environ.get("DECKGEN_REGEN_GOLDEN"):
        EXAMPLE_GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(EXAMPLE_GOLDEN.read_text(encoding="utf-8"))
    assert [note["Hanzi"] for note in got] == [note["Hanzi"] for note in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == theirs, mine["Hanzi"]
