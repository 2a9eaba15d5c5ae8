"""Rich cards on the reference article, rendered by the real Anki backend."""

from __future__ import annotations

import pytest

from deckgen.build import BuildOptions, build
from deckgen.output import write

from .conftest import anki_collection, import_apkg, notes_by_hanzi

pytest.importorskip("anki", reason="the anki package (test extra) is needed for import tests")

# The sense each polyphone must show, chosen by the annotator's reading, and the sense it must not show.
POLYPHONES = [
    ("率|lǜ", "rate", "to lead"),
    ("地|dì", "earth", "-ly"),
    ("了|le", "completed action", "to understand"),
    ("更|gèng", "more", "to change"),
    ("的|de", "possessive", "really and truly"),
    ("着|zhe", "aspect particle", "to touch"),
]


@pytest.fixture(scope="module")
def reference_collection(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from .conftest import REFERENCE, corpus_file

    corpus_file(REFERENCE.name)
    tmp = tmp_path_factory.mktemp("ref")
    apkg = write(
        build([REFERENCE], BuildOptions(cards=("recognition", "recall", "listening", "sentence"))),
        tmp / "ref.apkg",
        "Reference",
    )
    with anki_collection(tmp / "c.anki2") as col:
        import_apkg(col, apkg)
        yield col


def test_guanjian_card(reference_collection) -> None:  # type: ignore[no-untyped-def]
    note = notes_by_hanzi(reference_collection)["关键|guānjiàn"]
    assert note["Traditional"] == "關鍵"
    assert note["Meaning"].startswith("crucial point")
    assert {"HSK2::4", "HSK3::4"} <= set(note.tags)
    card = next(c for c in note.cards() if c.template()["name"] == "Recognition")
    answer = card.answer()
    assert '<span class="tone1">guān</span><span class="tone4">jiàn</span>' in answer
    assert '<span class="tone1">关</span><span class="tone4">键</span>' in answer
    assert [tag.lang for tag in card.answer_av_tags()][:1] == ["zh_CN"]
    assert "關鍵" in answer and "crucial point" in answer


@pytest.mark.parametrize(("key", "wanted", "unwanted"), POLYPHONES, ids=[p[0] for p in POLYPHONES])
def test_polyphone_sense_follows_reading(reference_collection, key: str, wanted: str, unwanted: str) -> None:  # type: ignore[no-untyped-def]
    meaning = notes_by_hanzi(reference_collection)[key]["Meaning"]
    assert wanted in meaning and unwanted not in meaning


def test_words_missing_from_dictionary_keep_their_card(reference_collection) -> None:  # type: ignore[no-untyped-def]
    notes = notes_by_hanzi(reference_collection)
    for key in ("稳岗|wěngǎng", "研学|yánxué", "普高|pǔgāo", "大思政课|dàsīzhèngkè"):
        note = notes[key]
        assert note.cards()
        assert note["Meaning"].startswith("(not in CC-CEDICT; composed)")


def test_every_card_renders(reference_collection) -> None:  # type: ignore[no-untyped-def]
    col = reference_collection
    cids = col.find_cards("")
    without_sentence = len(col.find_notes("Sentence:"))  # 中国, met only in the byline: no Sentence card
    assert without_sentence == 1
    assert len(cids) == col.note_count() * 4 - without_sentence
    for cid in cids:
        card = col.get_card(cid)
        question, answer = card.question(), card.answer()
        assert "tone" in answer, card.template()["name"]
        assert question.strip() and "{{" not in question + answer
        if card.template()["name"] == "Listening":
            assert [t.lang for t in card.question_av_tags()] == ["zh_CN"]


def test_sentence_pinyin_uses_annotations(reference_collection) -> None:  # type: ignore[no-untyped-def]
    note = notes_by_hanzi(reference_collection)["率|lǜ"]
    assert "lǜ" in note["SentencePinyin"] and "pǔgāo" in note["SentencePinyin"]


def test_default_readings_equal_pypinyin() -> None:
    """Our fast path through pypinyin's tables gives exactly pypinyin's own answer."""
    import re

    from pypinyin import Style, lazy_pinyin

    from deckgen.spoken import default_readings

    from .conftest import EXAMPLE, REFERENCE

    sources = [EXAMPLE, REFERENCE] if REFERENCE.is_file() else [EXAMPLE]
    text = "".join(p.read_text(encoding="utf-8") for p in sources) + "银行行长说了长话，重庆的重量不重要。"
    for line in text.splitlines():
        joined = "，".join(re.findall(r"[\u4e00-\u9fff]+", line))
        assert default_readings(joined) == lazy_pinyin(joined, style=Style.TONE, errors=list)


def test_escape_passes_plain_text_through_and_escapes_the_rest_as_before() -> None:
    """The fast path for plain text gives what the full escape gives, on text salted with every special character."""
    import html
    import random

    from deckgen import render

    def full(text: str) -> str:
        return render.ANKI_MARKUP.sub(render._inert, html.escape(render._CONTROLS.sub("", text), quote=False))

    specials = ["<", ">", "&", "[", "{", "{{", "[sound:", "[anki:tts", "\x00", "\x1f", "\x7f", "\t"]
    pool = [*"关键汉字 abc'\"", *specials]
    rng = random.Random(7)
    texts = ["".join(rng.choices(pool, k=rng.randint(0, 12))) for _ in range(5000)]
    assert [render.escape(text) for text in texts] == [full(text) for text in texts]
    assert sum(render.escape(text) is text for text in texts) > 100  # the fast path is taken
