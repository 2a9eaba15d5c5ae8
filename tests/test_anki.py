"""Decks are checked the way a learner uses them: imported into the real Anki backend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deckgen.build import BuildOptions, build
from deckgen.output import write
from deckgen.package import MODEL_ID, MODEL_NAME
from deckgen.render import FIELDS

from .conftest import EXAMPLE, anki_collection, import_apkg, notes_by_hanzi

pytest.importorskip("anki", reason="the anki package (test extra) is needed for import tests")


def make_deck(tmp_path: Path, name: str = "deck.apkg", inputs: list[Path] | None = None, **options) -> Path:
    result = build(inputs or [EXAMPLE], BuildOptions(**options))
    return write(result, tmp_path / name, BuildOptions(**options).deck)


def test_import_notes_cards_and_rendering(tmp_path: Path) -> None:
    apkg = make_deck(tmp_path)
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        notes = notes_by_hanzi(col)
        assert len(notes) == 21  # every distinct annotated word once, although the article is there twice
        assert "档案|dàng'àn" in notes and "率|lǜ" in notes and "人次|réncì" in notes
        model = col.models.by_name(MODEL_NAME)
        assert model["id"] == MODEL_ID
        assert [f["name"] for f in model["flds"]] == list(FIELDS)
        assert [t["name"] for t in model["tmpls"]] == ["Recognition", "Recall", "Listening", "Sentence"]
        note = notes["率|lǜ"]
        assert "source::library" in note.tags
        assert note["Sentence"].count('<b class="hl">率</b>') == 1
        cards = note.cards()
        assert sorted(c.template()["name"] for c in cards) == ["Recall", "Recognition"]
        for card in cards:
            question, answer = card.question(), card.answer()
            assert question.strip() and answer.strip()
            if card.template()["name"] == "Recognition":
                assert ">率<" in question and "lǜ" in answer and "借阅" in answer
            else:
                assert 'class="sentence blank"' in question and "率" in answer
        assert col.decks.by_name("Chinese reading") is not None


def test_flagged_notes_are_tagged(tmp_path: Path) -> None:
    apkg = make_deck(tmp_path)
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        checked = {col.get_note(n)["Hanzi"] for n in col.find_notes("tag:deckgen::check")}
        assert checked == set()
        new = {col.get_note(n)["Hanzi"] for n in col.find_notes("tag:deckgen::new-word")}
        assert new == {"借还"}
        repaired = {col.get_note(n)["Hanzi"] for n in col.find_notes("tag:deckgen::repaired")}
        assert repaired == {"人次"}


def test_reimport_updates_without_duplicates_and_keeps_history(tmp_path: Path, monkeypatch) -> None:
    first = make_deck(tmp_path, "first.apkg")
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, first)
        n_notes, n_cards = col.note_count(), col.card_count()
        # Study one card: answer it "Good" through the real scheduler.
        col.decks.select(col.decks.id("Chinese reading"))
        card = col.sched.getCard()
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=3))
        studied = card.id
        assert col.db.scalar("select count() from revlog where cid=?", studied) == 1
        # A later rebuild (newer mtime) from the same article plus a new one.
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        other = tmp_path / "second article.txt"
        other.write_text("图书馆的档案(dàng'àn)很多。这里有新设备(shèbèi)。", encoding="utf-8")
        second = make_deck(tmp_path, "second.apkg", inputs=[EXAMPLE, other])
        import_apkg(col, second)
        assert col.note_count() == n_notes + 1  # only 设备 is new
        assert col.card_count() == n_cards + 2
        names = [m.name for m in col.models.all_names_and_ids()]
        assert names.count(MODEL_NAME) == 1 and not any(re.match(re.escape(MODEL_NAME) + r"\+", n) for n in names)
        assert col.db.scalar("select count() from revlog where cid=?", studied) == 1
        assert col.get_card(studied).type != 0  # still a learning/review card, not reset to new
        archive = notes_by_hanzi(col)["档案|dàng'àn"]
        assert {"source::library", "source::second_article"} <= set(archive.tags)


def test_optional_cards_and_no_tts(tmp_path: Path) -> None:
    apkg = make_deck(tmp_path, cards=("recognition", "recall", "listening", "sentence"), tts=False)
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        assert col.card_count() == 21 * 4
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            assert "[anki:tts" not in card.question() + card.answer()
            assert re.sub(r"<[^>]+>|\s", "", card.question()), f"empty front: {card.template()['name']}"


def test_tts_renders_as_av_tag(tmp_path: Path) -> None:
    apkg = make_deck(tmp_path, cards=("recognition", "listening"))
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        listening = [col.get_card(c) for c in col.find_cards("card:Listening")]
        assert len(listening) == 21
        assert all(c.question_av_tags() and c.question_av_tags()[0].lang == "zh_CN" for c in listening)
        recognition = col.get_card(col.find_cards("card:Recognition")[0])
        assert any(tag.lang == "zh_CN" for tag in recognition.answer_av_tags())


# The note type of deckgen 0.1, before SentenceBlank, MeaningBlank and Gloss were added (README, "The note type").
OLD_FIELDS = FIELDS[: FIELDS.index("SentenceBlank")]
OLD_RECALL_FRONT = """{{#CardRecall}}
<div class="card-kind">Recall</div>
{{#Meaning}}<div class="meaning">{{Meaning}}</div>{{/Meaning}}
{{^Meaning}}<div class="pinyin">{{Pinyin}}</div>{{/Meaning}}
{{#Sentence}}<div class="sentence blank">{{Sentence}}</div>{{/Sentence}}
<div class="prompt">Write the word in hanzi</div>
<span class="switch">{{CardRecall}}</span>
{{/CardRecall}}"""


def _old_deck(tmp_path: Path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """A deck as deckgen 0.1 wrote it: 19 fields, the Recall front showing the CSS-hidden Sentence."""
    from dataclasses import replace

    from deckgen import package, render

    result = build([EXAMPLE], BuildOptions())
    old_templates = tuple({**t, "qfmt": OLD_RECALL_FRONT} if t["name"] == "Recall" else t for t in render.templates())
    result.notes[:] = [replace(n, fields=n.fields[: len(OLD_FIELDS)]) for n in result.notes]
    with monkeypatch.context() as patch:
        patch.setattr(package, "FIELDS", OLD_FIELDS)
        patch.setattr(package, "templates", lambda: old_templates)
        return package.write_apkg(result.notes, tmp_path / "old.apkg", "Chinese reading", "", 1_700_000_000)


def test_new_fields_reach_old_notes_with_merge_note_types(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A learner who imported deckgen 0.1's deck imports 0.2's with "Merge note types": one note type, the
    new fields filled in, review history kept, no duplicate notes."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    old = _old_deck(tmp_path, monkeypatch)
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, old)
        assert [f["name"] for f in col.models.by_name(MODEL_NAME)["flds"]] == list(OLD_FIELDS)
        n_notes = col.note_count()
        col.decks.select(col.decks.id("Chinese reading"))
        card = col.sched.getCard()
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=3))
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        new = make_deck(tmp_path, "new.apkg")
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(new),
                options=ImportAnkiPackageOptions(with_scheduling=True, merge_notetypes=True),
            )
        )
        col.models._clear_cache()
        names = [m.name for m in col.models.all_names_and_ids()]
        assert names.count(MODEL_NAME) == 1 and not any("+" in n for n in names)
        assert [f["name"] for f in col.models.by_name(MODEL_NAME)["flds"]] == list(FIELDS)
        assert col.note_count() == n_notes
        assert col.db.scalar("select count() from revlog where cid=?", card.id) == 1
        note = notes_by_hanzi(col)["率|lǜ"]
        assert note["SentenceBlank"] == "馆长说,过去三年里借书的人越来越多,借阅＿提高了一倍,原来的阅览室已经不够用了。"
        recall = next(c for c in note.cards() if c.template()["name"] == "Recall")
        assert "率" not in recall.question()
