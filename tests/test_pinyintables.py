"""The precomputed pypinyin tables answer as pypinyin does: every character, every phrase, the
segmenter on many thousands of texts, the tone converters on every syllable and on random strings."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deckgen import pinyintables
from deckgen.pinyin import mark_tone, strip_tones, syllables, tone_of
from deckgen.spoken import default_readings

from .conftest import CORPUS, EXAMPLE, REPO

TEXTS = 12_000


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> pinyintables.PinyinTables:
    """Freshly built tables (the cached ``tables()`` that deckgen's functions use must equal them)."""
    built = pinyintables.load_tables(tmp_path_factory.mktemp("pinyin-tables"))
    assert built.origin == "built"
    assert (built.tone, built.tone3, built.normal_units) == (
        pinyintables.tables().tone,
        pinyintables.tables().tone3,
        pinyintables.tables().normal_units,
    )
    return built


@pytest.fixture(scope="module")
def pypinyin_tables():
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    return PINYIN_DICT, PHRASES_DICT


def test_every_character(tables, pypinyin_tables) -> None:
    pinyin_dict, _ = pypinyin_tables
    assert len(tables.chars) == len(pinyin_dict)
    assert all(tables.char(chr(code)) == readings for code, readings in pinyin_dict.items())
    assert tables.char("a") is None and tables.char("，") is None


def test_every_phrase(tables, pypinyin_tables) -> None:
    _, phrases = pypinyin_tables
    assert len(tables.phrases) == len(phrases)
    assert all(tables.phrase(word) == readings for word, readings in phrases.items())
    assert tables.phrase("中") is None or "中" in phrases


def test_syllables_are_pypinyins() -> None:
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    readings = set(",".join(set(pinyin_dict.values())).split(","))
    assert syllables() == frozenset(str(to_normal(r, v_to_u=True)) for r in readings if r)


def _texts(phrases: dict, count: int, seed: int) -> list[str]:
    """Phrases and their pieces run together with single characters, Latin, digits, punctuation and
    characters outside pypinyin's hanzi, so that the forward matching meets every kind of boundary."""
    rng = random.Random(seed)
    words = list(phrases)
    extras = [*"abc019 ，。、“”《》ＡＢ１〇龥", "\U00020000", "\u3400", "ü", "\n"]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 8)):
            roll = rng.random()
            word = rng.choice(words)
            if roll < 0.5:
                parts.append(word)
            elif roll < 0.75:
                parts.append(word[: rng.randint(1, len(word))])
            else:
                parts.append(rng.choice(extras))
        texts.append("".join(parts))
    return texts


def _corpus_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for _ in range(count // 3):
            start = rng.randrange(max(1, len(text) - 40))
            texts.append(text[start : start + rng.randint(2, 40)])
    return texts


def test_segmenter_and_readings_equal_pypinyins(tables, pypinyin_tables) -> None:
    from pypinyin import Style, lazy_pinyin
    from pypinyin.seg.simpleseg import seg

    # NUL: marisa answers a key holding it with another key's bytes, so the tables never ask.
    texts = [*_texts(pypinyin_tables[1], TEXTS, seed=7), *_corpus_texts(3000, seed=8)]
    texts += ["", "a", "中", "\x00关键", "\x00"]
    for text in texts:
        assert tables.seg(text) == seg(text), text
    # pypinyin cuts a rest that only begins a phrase into characters: the texts meet that branch of the segmenter
    truncated = [text for text in texts if text in tables.prefixes and not tables.phrases.prefixes(text)]
    assert len(truncated) > 100
    for text in [*texts[:3000], *texts[-5:]]:
        assert default_readings(text) == lazy_pinyin(text, style=Style.TONE, errors=list), text


def test_converters_equal_pypinyins_on_every_syllable(tables, pypinyin_tables) -> None:
    from pypinyin.contrib.tone_convert import to_normal, to_tone, to_tone3

    pinyin_dict, phrases = pypinyin_tables
    marked = set(",".join(pinyin_dict.values()).split(",")) - {""}
    marked |= {s for readings in phrases.values() for alternatives in readings for s in alternatives}
    for reading in marked:
        assert strip_tones(reading) == to_normal(reading, v_to_u=True), reading
        numbered = to_tone3(reading.lower(), neutral_tone_with_five=True)
        assert tone_of(reading) == (int(numbered[-1]) if numbered[-1:].isdigit() else 5), reading
    for bare in syllables():
        for tone in (1, 2, 3, 4):
            assert mark_tone(bare, tone) == to_tone(f"{bare}{tone}"), (bare, tone)
    for numbered in ("bia1", "Wang2", "lv4", "er2", "r5"):  # CC-CEDICT's rarer syllables and proper names
        assert mark_tone(numbered[:-1], int(numbered[-1])) == (to_tone(numbered) if numbered[-1] != "5" else "r")
        assert numbered in tables.tone or numbered.endswith("5")
    assert tone_of("r") == 5 and "r" in tables.tone3
    assert len(tables.tone3) > 2000 and len(tables.tone) > 1600  # the tables are what answered


_PINYINISH = st.text(
    alphabet=st.sampled_from(
        sorted(set("aeiouümnêgrzhv'12345 -AĀÜĒǑ中·\u0300\u0301\u0304\u030c") | set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜḿńňǹếề"))
    ),
    max_size=14,
)


@settings(max_examples=3000, deadline=None)
@given(_PINYINISH | st.text(max_size=10))
def test_to_normal_equals_pypinyins_on_any_string(text: str) -> None:
    from pypinyin.contrib.tone_convert import to_normal

    assert pinyintables.tables().to_normal(text) == to_normal(text, v_to_u=True)


def test_cached_tables_are_rebuilt_when_pypinyin_changes(tmp_path: Path, monkeypatch) -> None:
    built = pinyintables.load_tables(tmp_path)
    again = pinyintables.load_tables(tmp_path)
    assert (built.origin, again.origin) == ("built", "cache")
    assert again.seg("银行行长") == ["银行", "行长"]
    monkeypatch.setenv("PYPINYIN_NO_PHRASES", "1")  # pypinyin's own switch: no phrase table
    assert pinyintables.load_tables(tmp_path).origin == "built"
    assert len(list(tmp_path.glob("pypinyin-v*"))) == 2


def test_a_build_does_not_import_pypinyin_or_jieba(tmp_path: Path) -> None:
    """With the caches warm, a build answers from the tables: neither library is imported."""
    code = (
        "import sys\nfrom deckgen.cli import app\n"
        f"try:\n    app(['build', {str(EXAMPLE)!r}, '-o', {str(tmp_path / 'deck.apkg')!r}, '--no-library'])\n"
        "except SystemExit: pass\n"
        "print('HEAVY', [m for m in ('pypinyin', 'jieba') if m in sys.modules])"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # warm
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr
