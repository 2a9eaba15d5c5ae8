"""The reading habit: article after article, only new words, known words left out,
sentences gathered, and the learner's edits and history never overwritten."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .apkg import read_notes
from .conftest import anki_collection, import_apkg, notes_by_hanzi, run_cli

ARTICLE_1 = """春天的公园
周末我们去公园散步(sànbù)，湖边的柳树已经发芽(fāyá)了(le)。
很多老人在树下下棋(xiàqí)，孩子们在草地上放风筝(fēngzheng)。
"""
ARTICLE_2 = """夏天的海边
暑假我们去海边旅行，孩子们在沙滩上放风筝(fēngzheng)。
傍晚的海风很凉爽(liángshuǎng)，大家一起散步(sànbù)、拍照(pāizhào)。
"""
ARTICLE_3 = """秋天的果园
秋天果园里的苹果成熟(chéngshú)了(le)，农民忙着采摘(cǎizhāi)。
我们在果园里散步(sànbù)，空气非常清新。
"""


def deckgen(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


@pytest.fixture
def articles(tmp_path: Path) -> list[Path]:
    paths = []
    for name, text in (("spring", ARTICLE_1), ("summer", ARTICLE_2), ("autumn", ARTICLE_3)):
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def words_of(apkg: Path) -> list[str]:
    return [str(n["Hanzi"]) for n in read_notes(apkg)]


def test_second_article_gives_only_new_words(articles: list[Path], tmp_path: Path) -> None:
    first = deckgen("build", articles[0], "-o", tmp_path / "1.apkg")
    assert first.returncode == 0, first.stderr
    assert "5 new words, 0 already known, 0 filtered out" in first.stdout
    second = deckgen("build", articles[1], "-o", tmp_path / "2.apkg")
    assert second.returncode == 0, second.stderr
    assert words_of(tmp_path / "2.apkg") == ["凉爽", "拍照"]
    assert "2 new words, 2 already known, 0 filtered out" in second.stdout
    # A word belongs to the article where the library first met it: rebuilding the first gives the same deck.
    again = deckgen("build", articles[0], "-o", tmp_path / "1b.apkg")
    assert "5 new words, 0 already known" in again.stdout
    assert sorted(words_of(tmp_path / "1b.apkg")) == sorted(words_of(tmp_path / "1.apkg"))
    # A stateless build ignores the library.
    stateless = deckgen("build", articles[1], "--no-library", "-o", tmp_path / "2s.apkg")
    assert len(words_of(tmp_path / "2s.apkg")) == 4 and "already known" not in stateless.stdout


def test_words_and_stats_commands(articles: list[Path], tmp_path: Path) -> None:
    for article in articles:
        assert deckgen("build", article, "-o", tmp_path / f"{article.stem}.apkg").returncode == 0
    listing = deckgen("words")
    assert listing.returncode == 0
    rows = [line.split("\t") for line in listing.stdout.splitlines()[1:]]
    by_word = {row[0]: row for row in rows}
    assert by_word["散步"][1:4] == ["sànbù", "3", "3"]
    assert by_word["采摘"][5] != "no"
    assert len(rows) == 9
    growth = deckgen("stats")
    lines = [line.split("\t") for line in growth.stdout.splitlines()[1:]]
    assert [(row[1], row[2], row[3], row[4]) for row in lines] == [
        ("spring.txt", "5", "5", "5"),
        ("summer.txt", "4", "2", "7"),
        ("autumn.txt", "4", "2", "9"),
    ]


def test_all_gathers_sentences_from_other_articles(articles: list[Path], tmp_path: Path) -> None:
    for article in articles[:2]:
        deckgen("build", article, "-o", tmp_path / "x.apkg")
    result = deckgen("build", articles[2], "--all", "-o", tmp_path / "all.apkg")
    assert result.returncode == 0, result.stderr
    notes = {n["Hanzi"]: n for n in read_notes(tmp_path / "all.apkg")}
    assert set(notes) == {"成熟", "了", "采摘", "散步"}
    walk = notes["散步"]
    assert "果园里" in walk["Sentence"]  # this article's sentence first
    more = str(walk["MoreSentences"])
    assert "湖边" in more or "公园" in more
    assert "海风" in more
    assert more.count("<li>") == 2


def test_known_words_from_list_apkg_and_collection(articles: list[Path], tmp_path: Path) -> None:
    word_list = tmp_path / "known.txt"
    word_list.write_text("# my words\n風箏\n拍照\n", encoding="utf-8")  # traditional 風箏 counts as 风筝
    out = deckgen("build", articles[1], "--no-library", "--known", word_list, "-o", tmp_path / "a.apkg")
    assert out.returncode == 0, out.stderr
    assert sorted(words_of(tmp_path / "a.apkg")) == ["凉爽", "散步"]
    assert "2 filtered out (2 known)" in out.stdout
    # An .apkg of the first article.
    deckgen("build", articles[0], "--no-library", "-o", tmp_path / "first.apkg")
    out = deckgen("build", articles[1], "--no-library", "--known", tmp_path / "first.apkg", "-o", tmp_path / "b.apkg")
    assert sorted(words_of(tmp_path / "b.apkg")) == ["凉爽", "拍照"]
    # A real Anki collection holding the first deck, read while it is open.
    with anki_collection(tmp_path / "collection.anki2") as col:
        import_apkg(col, tmp_path / "first.apkg")
        out = deckgen(
            "build", articles[1], "--no-library", "--known", tmp_path / "collection.anki2", "-o", tmp_path / "c.apkg"
        )
        assert out.returncode == 0, out.stderr
    assert sorted(words_of(tmp_path / "c.apkg")) == ["凉爽", "拍照"]


def test_filters(articles: list[Path], tmp_path: Path) -> None:
    out = deckgen("build", articles[0], "--no-library", "--skip-particles", "-o", tmp_path / "p.apkg")
    assert "了" not in words_of(tmp_path / "p.apkg") and "(1 particle)" in out.stdout
    out = deckgen("build", articles[0], "--no-library", "--skip-common", "6", "-o", tmp_path / "c.apkg")
    assert "了" not in words_of(tmp_path / "c.apkg") and "散步" in words_of(tmp_path / "c.apkg")
    out = deckgen("build", articles[0], "--no-library", "--skip-hsk", "3", "-o", tmp_path / "h.apkg")
    kept = words_of(tmp_path / "h.apkg")
    assert "了" not in kept and "风筝" in kept


def test_tsv_and_json(articles: list[Path], tmp_path: Path) -> None:
    out = deckgen("build", articles[0], "--no-library", "--format", "tsv", "-o", tmp_path / "d.tsv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader((tmp_path / "d.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert len(rows) == 5 and all(len(row) == 11 for row in rows)
    walk = next(row for row in rows if row[0] == "散步")
    assert walk[1] == "sànbù" and "walk" in walk[2] and "湖边" in walk[7] and "<" not in walk[7]
    out = deckgen("build", articles[0], "--no-library", "--format", "json", "-o", tmp_path / "d.json")
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert [n["hanzi"] for n in data][:2] == ["散步", "发芽"]
    assert data[0]["fields"]["Pinyin"] == "sànbù" and "source::spring" in data[0]["tags"]


def test_deck_per_source_and_globs(articles: list[Path], tmp_path: Path) -> None:
    out = deckgen("build", str(tmp_path / "*.txt"), "--no-library", "--deck-per-source", "-o", tmp_path / "decks")
    assert out.returncode == 0, out.stderr
    files = sorted(p.name for p in (tmp_path / "decks").iterdir())
    assert files == ["chinese-reading-autumn.apkg", "chinese-reading-spring.apkg", "chinese-reading-summer.apkg"]
    assert words_of(tmp_path / "decks" / "chinese-reading-summer.apkg") == ["凉爽", "拍照"]


def test_two_builds_at_once_keep_the_library_consistent(articles: list[Path], tmp_path: Path) -> None:
    env = dict(os.environ)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "deckgen", "build", str(a), "-o", str(tmp_path / f"{a.stem}.apkg")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for a in articles
    ]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read() if proc.stderr else ""
    listing = deckgen("words").stdout.splitlines()[1:]
    assert len(listing) == 9
    assert {line.split("\t")[0]: line.split("\t")[2] for line in listing}["散步"] == "3"


def test_real_anki_keeps_history_edits_and_tags(articles: list[Path], tmp_path: Path, monkeypatch) -> None:
    assert deckgen("build", articles[0], "-o", tmp_path / "1.apkg").returncode == 0
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, tmp_path / "1.apkg")
        before_notes, before_cards = col.note_count(), col.card_count()
        # Study a card, edit the learner's field, add a tag.
        walk = notes_by_hanzi(col)["散步|sànbù"]
        card = walk.cards()[0]
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=3))
        walk["Notes"] = "my own mnemonic"
        walk.tags.append("favourite")
        col.update_note(walk)
        # Later builds: a new article, then a full re-export of an old one; both imported.
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        assert deckgen("build", articles[1], "-o", tmp_path / "2.apkg").returncode == 0
        import_apkg(col, tmp_path / "2.apkg")
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
        assert deckgen("build", articles[2], "--all", "-o", tmp_path / "3.apkg").returncode == 0
        assert "散步" in words_of(tmp_path / "3.apkg")
        import_apkg(col, tmp_path / "3.apkg")
        notes = notes_by_hanzi(col)
        assert col.note_count() == before_notes + 2 + 2  # 凉爽, 拍照, then 成熟, 采摘
        assert len(notes) == col.note_count()  # no duplicates
        assert col.card_count() == before_cards + 4 * 2
        walk = notes["散步|sànbù"]
        assert walk["Notes"] == "my own mnemonic"
        assert "favourite" in walk.tags
        assert col.db.scalar("select count() from revlog where cid=?", card.id) == 1
        names = [m.name for m in col.models.all_names_and_ids()]
        assert not any(name.endswith("+") for name in names)


def test_update_existing_is_the_explicit_way_to_overwrite(articles: list[Path], tmp_path: Path, monkeypatch) -> None:
    assert deckgen("build", articles[0], "-o", tmp_path / "1.apkg").returncode == 0
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, tmp_path / "1.apkg")
        walk = notes_by_hanzi(col)["散步|sànbù"]
        walk["Notes"] = "edited"
        col.update_note(walk)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(2_000_000_000))
        deckgen("build", articles[2], "--all", "--update-existing", "-o", tmp_path / "3.apkg")
        import_apkg(col, tmp_path / "3.apkg")
        walk = notes_by_hanzi(col)["散步|sànbù"]
        assert walk["Notes"] == "" and "果园" in walk["Sentence"]
