"""Parser, aligner and boundary cases: one row per behaviour, including every trap
of the reference article (rewritten with our own sentences)."""

from __future__ import annotations

import pytest

from deckgen.enrich import group
from deckgen.mine import mine_lines
from deckgen.notices import Notice


def mine(text: str) -> tuple[list[tuple[str, str, str, str]], list[Notice]]:
    lines = list(enumerate(text.split("\n"), 1))
    mined = mine_lines(lines, "case.txt")
    notices = list(mined.notices)
    entries = group(mined.occurrences)
    rows = [
        (
            e.hanzi,
            e.pinyin,
            ",".join(sorted(e.flags)),
            e.examples[0].before + "[" + e.examples[0].word + "]" + e.examples[0].after if e.examples else "",
        )
        for e in entries
    ]
    return rows, notices


def words(text: str) -> list[tuple[str, str, str]]:
    return [row[:3] for row in mine(text)[0]]


CASES = [
    # (label, input, expected [(hanzi, pinyin, flags)])
    ("two words", "关键(guānjiàn)节点(jiédiǎn)", [("关键", "guānjiàn", ""), ("节点", "jiédiǎn", "")]),
    ("full-width parens", "关键（guānjiàn）时刻", [("关键", "guānjiàn", "")]),
    ("mixed and padded parens", "很好（hǎo)，小( xiǎo )的", [("好", "hǎo", ""), ("小", "xiǎo", "")]),
    ("spaces between syllables", "关键(guān jiàn)", [("关键", "guānjiàn", "")]),
    ("apostrophe given", "西安(xī'ān)", [("西安", "xī'ān", "")]),
    ("apostrophe added", "确诊乳腺癌(rǔxiànái)", [("乳腺癌", "rǔxiàn'ái", "")]),
    ("apostrophe in three syllables", "幼儿园(yòuéryuán)", [("幼儿园", "yòu'éryuán", "")]),
    ("one char in word context", "孩子在(zài)家", [("在", "zài", "")]),
    ("capitals", "中国(Zhōngguó)", [("中国", "zhōngguó", "")]),
    ("ü with marks", "绿色(lǜsè)", [("绿色", "lǜsè", "")]),
    ("polyphone 率", "上线率(lǜ)", [("率", "lǜ", "")]),
    ("polyphone 地", "军地(dì)小学", [("地", "dì", "")]),
    ("neutral tone unmarked", "多亏了(le)大家", [("了", "le", "")]),
    ("neutral second syllable", "东西(dōngxi)", [("东西", "dōngxi", "")]),
    ("tone numbers", "关键(guan1 jian4)", [("关键", "guānjiàn", "")]),
    ("tone number u:", "绿(lu:4)色", [("绿", "lǜ", "")]),
    ("tone number v", "绿(lv4)色", [("绿", "lǜ", "")]),
    ("square brackets", "汉字[hànzì]", [("汉字", "hànzì", "")]),
    ("cedict pair", "漢字|汉字[han4 zi4]很美", [("汉字", "hànzì", "")]),
    ("breves for carons", "小(xiăo)", [("小", "xiǎo", "")]),
    ("look-alike g and a", "关(ɡuān)门(mén)", [("关", "guān", ""), ("门", "mén", "")]),
    ("toneless", "订(ding)单", [("订", "ding", "toneless")]),
    ("tones wrong", "关键(guǎnjiǎn)", [("关键", "guǎnjiǎn", "tones")]),
    ("chinese in parens is text", "某某中学(一中)的学生(xuésheng)", [("学生", "xuésheng", "")]),
    ("source line", "(来源:中国(zhōngguó)网)", [("中国", "zhōngguó", "")]),
    ("nested annotation", "6个乡(街道(jiēdào))", [("街道", "jiēdào", "")]),
    ("repeated annotation", "订单式(dìngdānshì)(shì)培训", [("订单式", "dìngdānshì", "")]),
    ("english in parens is text", "中国(China)很大", []),
    ("acronym is text", "配备AED(AED)设备", []),
    ("no annotation", "今天天气很好。", []),
    ("number then word", "全年187万稳岗(wànwěngǎng)资金", [("稳岗", "wěngǎng", "repaired")]),
    ("number then word 2", "共接待3万人次(wànréncì)", [("人次", "réncì", "repaired")]),
    ("particle start", "吹开幸福之花(zhīhuā)", [("之花", "zhīhuā", "unsure")]),
    ("complement plus prefix", "构建起全(qǐquán)链条", [("起全", "qǐquán", "unsure")]),
    ("parallel structure", "老有颐养、幼有(yòuyǒu)善育", [("幼有", "yòuyǒu", "unsure")]),
    ("ends with 之", "吹响号角之号(zhīhào)。", [("之号", "zhīhào", "unsure")]),
    ("idiom: citation 一", "校园焕然一新(huànrányìxīn)。", [("焕然一新", "huànrányīxīn", "")]),
    ("sandhi 一 yí is the citation yī", "一(yí)个人", [("一", "yī", "")]),
    ("sandhi 一 yì is the citation yī", "一(yì)天", [("一", "yī", "")]),
    ("sandhi 不 bú is the citation bù", "不(bú)要", [("不", "bù", "")]),
    (
        "one note for both sandhi forms",
        "一样(yíyàng)。不一样(bùyíyàng)。一(yí)个、一(yì)天",
        [("一样", "yīyàng", ""), ("不一样", "bùyīyàng", ""), ("一", "yī", "")],
    ),
    ("coinage on word boundaries", "三色研学(yánxué)旅行", [("研学", "yánxué", "new-word")]),
    ("coinage of two verbs", "设立借还(jièhuán)点", [("借还", "jièhuán", "new-word")]),
    ("rare crossing word is no evidence", "构建大思政课(dàsīzhèngkè)体系", [("大思政课", "dàsīzhèngkè", "new-word")]),
    ("particle and crossing word", "让阅读之光(zhīguāng)照亮家庭", [("之光", "zhīguāng", "unsure")]),
    ("reading contradicts its word", "唐代的吐蕃(fān)王朝", [("蕃", "fān", "reading")]),
    ("reading agrees with its word", "唐代的吐蕃(bō)王朝", [("蕃", "bō", "")]),
    ("sandhi is no contradiction", "一定(yí)要来", [("一", "yī", "")]),
    ("traditional dictionary word", "我的電腦(diànnǎo)壞了", [("電腦", "diànnǎo", "")]),
    ("traditional word of CC-CEDICT only", "學習漢字(hànzì)", [("漢字", "hànzì", "")]),
    ("erhua", "去玩儿(wánr)吧", [("玩儿", "wánr", "")]),
    ("erhua in a longer word", "差一点儿(chàyīdiǎnr)迟到", [("差一点儿", "chàyīdiǎnr", "")]),
    ("duplicate line", "关键(guānjiàn)\n关键(guānjiàn)", [("关键", "guānjiàn", "")]),
    ("ocr space before reading", "生卒 (zú) 年不详", [("卒", "zú", "")]),
    ("ocr space toneless is text", "北京 (bei) 大学", []),
    ("dotted char inside a word", "冠心病（guān）", [("冠", "guān", "")]),
    ("letters match nothing: skipped", "西(yǒu)边", []),
    ("alternative readings: skipped", "然后和(hé huò hè)", []),
    ("latex is text", "呱呱坠地 $(\\mathrm{g} \\overline{\\mathrm{u}})$", []),
    ("reading on its own line", "趐首回望\n## (qiáo)", []),
]


@pytest.mark.parametrize(("label", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_case(label: str, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert words(text) == expected


def test_sentence_is_the_annotated_one() -> None:
    """稳(wěn) shows its own sentence, not a later one that also contains 稳."""
    rows, _ = mine("改革蹄疾步稳(wěn)。企业稳根基，市场稳定。\n资金稳岗(wěngǎng)返还。")
    assert rows[0][3] == "改革蹄疾步[稳]。"
    assert rows[1][3] == "资金[稳岗]返还。"


def test_same_word_same_reading_one_note_two_sentences() -> None:
    text = "医疗(yīliáo)护航。\n优质医疗(yīliáo)资源。\n医疗(yīliáo)护航。"
    entries = group(mine_lines(list(enumerate(text.split("\n"), 1)), "x").occurrences)
    assert len(entries) == 1
    assert [e.text for e in entries[0].examples] == ["医疗护航。", "优质医疗资源。"]


def test_same_word_other_reading_is_another_note() -> None:
    assert words("还(hái)有。归还(huán)。") == [("还", "hái", ""), ("还", "huán", "")]


def test_long_sentence_cut_to_clauses() -> None:
    long = "自开学以来，" + "学校" * 20 + "，教育改革蹄疾步稳(wěn)：全面消除大班额，获评全省教育强区；"
    rows, _ = mine(long)
    shown = rows[0][3]
    assert "[稳]" in shown and len(shown) - 2 <= 40 and "学校学校" not in shown


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("“家门口”(jiāménkǒu)就业", "no-hanzi"),
        ("(guānjiàn)开头", "no-hanzi"),
        ("订单式(dìngdānshì)(shì)", "repeat"),
        ("订单式(dìngdānshì)(hǎo)", "no-hanzi"),
        ("西(yǒu)边", "unaligned"),
        ("然后和(hé huò hè)", "alternatives"),
    ],
)
def test_reported_never_guessed(text: str, kind: str) -> None:
    rows, notices = mine(text)
    assert kind in {n.kind for n in notices}
    assert all(n.line == 1 and n.path == "case.txt" for n in notices)
    if kind != "repeat" and not text.startswith("订"):
        assert rows == []
