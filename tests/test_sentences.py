"""Which sentence a word shows: one row per rule (README, "The rules it applies", Sentences)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deckgen.sentences import example, layout

from .apkg import balanced

# (label, line, the word to find, expected example with the word in brackets; "" for no example)
ROWS = [
    ("cut at 。", "第一句。我们去学校上课。第三句。", "学校", "我们去[学校]上课。"),
    ("cut at ！ and ？", "真好！你去学校吗？我不去。", "学校", "你去[学校]吗？"),
    ("never inside quotes", "她说：“我去学校。你呢？”他笑了。", "学校", "她说：“我去[学校]。你呢？”"),
    ("closing quote stays with its sentence", "“明天去学校！”她说完就走了。", "学校", "“明天去[学校]！”"),
    ("never inside brackets", "他（在学校。）很好。后来。", "学校", "他（在[学校]。）很好。"),
    ("never inside book titles", "我读了《学校。故事》这本书。", "学校", "我读了《[学校]。故事》这本书。"),
    ("never at 、 or ：", "学校、医院、银行：都在这里。", "学校", "[学校]、医院、银行：都在这里。"),
    (
        "long sentence cut at ，only",
        "今天天气很好，我们一起去公园散步，然后去学校看看新建的图书馆，最后回家吃晚饭，大家都很开心，还拍了很多照片",
        "学校",
        "今天天气很好，我们一起去公园散步，然后去[学校]看看新建的图书馆，最后回家吃晚饭",
    ),
    ("byline in brackets is no example", "（来源：学校新闻网 作者：李明）", "学校", ""),
    ("byline line is no example", "记者 王芳 学校报道", "学校", ""),
    ("byline beside the word is cut off", "我们去学校。（记者 王芳）", "学校", "我们去[学校]。"),
    ("option labels stripped, one option kept", "A．学校  B．医院  C．银行", "医院", "[医院]"),
    ("question number stripped", "3．下列学校中哪个最好？", "学校", "下列[学校]中哪个最好？"),
    ("bracketed question number stripped", "(6) 我们的学校很美。", "学校", "我们的[学校]很美。"),
    ("table cells are items", "| 组词 | 学校 操场 | 写法 |", "学校", "[学校] 操场"),
    ("a literal <br> separates lines", "上学<br>学校很大", "学校", "[学校]很大"),
    ("stray opening quote stays outside", "“我们去学校，很开心", "学校", "我们去[学校]，很开心"),
    ("stray closing quote stays outside", "我们去”学校，很开心", "学校", "[学校]，很开心"),
]


@pytest.mark.parametrize(("label", "line", "word", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_example_rule(label: str, line: str, word: str, expected: str) -> None:
    start = line.index(word)
    got = example(layout(line), start, start + len(word))
    shown = f"{got.before}[{got.word}]{got.after}" if got.text else ""
    assert shown == expected
    assert balanced(got.text)


def test_long_quotation_is_cut_inside_its_marks() -> None:
    inner = "我们今天一起去学校看看，" * 8 + "大家都很开心。"
    line = f"她说：“{inner}”然后走了。"
    start = line.index("学校")
    got = example(layout(line), start, start + 2)
    assert got.word == "学校" and "“" not in got.text and "”" not in got.text and len(got.text) <= 40


def test_many_annotations_on_one_long_line_stay_fast() -> None:
    """Layout is made once per line; each word finds its sentence by bisection."""
    import time

    line = "我们去学校上课，" * 20000 + "。"
    lay = layout(line)
    began = time.process_time()
    for start in range(3, len(line), 800):
        example(lay, start, start + 2)
    assert time.process_time() - began < 2.0


_SEPARATOR_BITS = [*"AbＣｄEＥ.．、(（)） \u3000\t|</>1中eЖǅſK\u212a", "br", "BR", "１２", "123", "学校"]
_SEPARATOR_PARTS = st.lists(st.sampled_from(_SEPARATOR_BITS), max_size=12)


@settings(max_examples=3000, deadline=None)
@given(_SEPARATOR_PARTS)
def test_a_line_without_a_separators_characters_has_no_separator(parts: list[str]) -> None:
    """The hint that lets most lines skip the separator's scan never hides one (case folding included)."""
    from deckgen.sentences import _SEPARATOR, _SEPARATOR_HINT

    text = "".join(parts)
    assert _SEPARATOR_HINT.search(text) or not _SEPARATOR.search(text), text


_SCAN_BITS = [*"：: \u3000\t.。！…“”", "来源", "作者", "记者", "责任编辑", "...", "学校"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_SCAN_BITS), max_size=12))
def test_the_shortcuts_of_a_lines_scans_never_change_what_they_find(parts: list[str]) -> None:
    """A line without a colon or space has no byline word; without a run of dots, its sentence ends are the marks."""
    from deckgen.sentences import _BYLINE_ANYWHERE, _BYLINE_END, _SENTENCE_ENDS, _TERMINATOR_MARKS

    text = "".join(parts)
    assert _BYLINE_END.search(text) or not _BYLINE_ANYWHERE.search(text), text
    if "..." not in text:
        assert [m.span() for m in _TERMINATOR_MARKS.finditer(text)] == [m.span() for m in _SENTENCE_ENDS.finditer(text)]
