"""CC-CEDICT lookup by reading: polyphones, normalisation, the on-disk cache."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deckgen import dictcache, dictionary, folders, script, senses
from deckgen.dictionary import attribution
from deckgen.errors import DeckgenError
from deckgen.memo import Recent
from deckgen.script import simplified_of, traditional_of
from deckgen.senses import DictEntry, lookup

from .conftest import EXAMPLE


def _clear_memos() -> None:
    dictcache.default_store.cache_clear()
    dictionary.rows.cache_clear()
    senses.lookup.cache_clear()


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One cache dir for this module, so the real dictionary is indexed once."""
    _clear_memos()
    yield tmp_path_factory.mktemp("deckgen-cache")
    _clear_memos()


@pytest.fixture(autouse=True)
def _cache_env(monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> None:
    """Never write to the user's home, whatever conftest does."""
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(cache_home))


# --- Required outcomes on the real CC-CEDICT ---------------------------------

# (label, word, reading, text the meaning must contain, text no sense may contain or None)
POLYPHONES = [
    ("率 rate, not lead", "率", "lǜ", "rate", "to lead"),
    ("地 ground, not particle", "地", "dì", "earth", "particle"),
    ("了 aspect, not understand", "了", "le", "(completed action marker)", "understand"),
    ("更 more, not change", "更", "gèng", "more", "to change"),
    ("的 possessive", "的", "de", "possessive particle", "taxi"),
    ("着 aspect particle", "着", "zhe", "aspect particle", "to wear"),
    ("关键 crucial point", "关键", "guānjiàn", "crucial point", "CL:"),
    ("乳腺癌 with apostrophe", "乳腺癌", "rǔxiàn'ái", "breast cancer", None),
    ("一定 tone sandhi", "一定", "yídìng", "surely", None),
    ("不是 sandhi picks bu4 shi4", "不是", "búshì", "is not", "fault"),
    ("不是 neutral tone picks bu2 shi5", "不是", "búshi", "fault", "is not"),
    ("东西 neutral is thing", "东西", "dōngxi", "thing", "east and west"),
    ("东西 full tone is east-west", "东西", "dōngxī", "east and west", "thing"),
    ("后 hòu is after, via OpenCC", "后", "hòu", "back", "surname"),
    ("中和 lowercase preferred", "中和", "zhōnghé", "to neutralize", "New Taipei"),
    ("中和 capitalised reading, place", "中和", "Zhōnghé", "New Taipei", "to neutralize"),
    ("中国 capitalised is the only match", "中国", "zhōngguó", "China", None),
    ("绿 typed with v", "绿", "lv4", "green", "surname"),
    ("女儿 curly apostrophe", "女儿", "nǚ\u2019ér", "daughter", None),
    ("了 liǎo keeps the variant, last", "了", "liǎo", "to finish; to achieve; to understand clearly; variant of", None),
]


@pytest.mark.parametrize(("label", "word", "reading", "wanted", "banned"), POLYPHONES, ids=[r[0] for r in POLYPHONES])
def test_reading_selects_the_entry(label: str, word: str, reading: str, wanted: str, banned: str | None) -> None:
    entry = lookup(word, reading)
    assert entry is not None, label
    assert wanted in entry.meaning
    if banned is not None:
        assert not any(banned in sense for sense in entry.senses)


# Joined pinyin that cuts two ways: còurènào reads còu rèn ào before còu rè nào, bàngè bàng è before bàn gè.
# With a neutral tone in CC-CEDICT (nao5, ge5) only the syllables match the entry, so the card's own are used.
AMBIGUOUS = [
    ("凑热闹 còu rè nào", "凑热闹", ("còu", "rè", "nào"), "to join in the fun"),
    ("半个 bàn gè", "半个", ("bàn", "gè"), "half of sth"),
    ("文革 wén gé", "文革", ("wén", "gé"), "Cultural Revolution"),
]


@pytest.mark.parametrize(("label", "word", "syllables", "wanted"), AMBIGUOUS, ids=[r[0] for r in AMBIGUOUS])
def test_the_cards_own_syllables_find_the_entry_when_joined_pinyin_cuts_two_ways(
    label: str, word: str, syllables: tuple[str, ...], wanted: str
) -> None:
    from deckgen.enrich import Entry, enrich
    from deckgen.pinyin import join_syllables, parse_reading

    joined = join_syllables(syllables)
    assert parse_reading(joined).syllables != syllables  # type: ignore[union-attr]  # the trap is real
    entry = lookup(word, joined, syllables=syllables)
    assert entry is not None and wanted in entry.meaning, label
    note = enrich(Entry(word, syllables, (), ("test",)))
    assert wanted in note.meaning and not note.meaning.startswith("(not in CC-CEDICT"), label


ABSENT = [
    ("稳岗 not in CC-CEDICT", "稳岗", "wěngǎng"),
    ("研学 not in CC-CEDICT", "研学", "yánxué"),
    ("普高 not in CC-CEDICT", "普高", "pǔgāo"),
    ("大思政课 not in CC-CEDICT", "大思政课", "dàsīzhèngkè"),
    ("率 with a tone no entry has", "率", "lù"),
    ("地 read as a syllable it never has", "地", "tā"),
    ("empty word", "", "le"),
    ("empty reading", "了", ""),
]


@pytest.mark.parametrize(("label", "word", "reading"), ABSENT, ids=[r[0] for r in ABSENT])
def test_no_entry_rather_than_another_reading(label: str, word: str, reading: str) -> None:
    assert lookup(word, reading) is None, label


@pytest.mark.parametrize(
    "reading", ["guānjiàn", "guān jiàn", "Guānjiàn", "GUĀNJIÀN", "guān'jiàn", "guan1 jian4", "guan1jian4"]
)
@pytest.mark.parametrize("word", ["关键", "關鍵"])
def test_any_spelling_of_the_reading_and_either_script(word: str, reading: str) -> None:
    assert lookup(word, reading) == DictEntry(
        traditional="關鍵",
        simplified="关键",
        pinyin="guān jiàn",
        senses=("crucial point", "crux", "key", "crucial", "pivotal"),
        classifiers=("個/个 gè",),
    )


ENTRY_FIELDS = [
    ("着 traditional is 著", "着", "zhe", "traditional", "著"),
    ("后 traditional is 後", "后", "hòu", "traditional", "後"),
    ("traditional input gives simplified", "醫院", "yīyuàn", "simplified", "医院"),
    ("ü in pinyin", "率", "lǜ", "pinyin", "lǜ"),
    ("neutral tone unmarked", "了", "le", "pinyin", "le"),
    ("erhua r", "一会儿", "yíhuìr", "pinyin", "yī huì r"),
    ("proper noun capitalised as in CC-CEDICT", "中国", "zhōngguó", "pinyin", "Zhōng guó"),
    ("医院 classifiers", "医院", "yīyuàn", "classifiers", ("所 suǒ", "家 jiā", "座 zuò")),
    ("地 classifier", "地", "dì", "classifiers", ("片 piàn",)),
    ("no classifier", "节点", "jiédiǎn", "classifiers", ()),
    ("meaning keeps every sense that fits", "更", "gèng", "meaning", "more; even more; further; still; still more"),
    ("cross-reference rendered", "的", "dī", "meaning", "a taxi; a cab (abbr. for 的士 dī shì)"),
]


@pytest.mark.parametrize(
    ("label", "word", "reading", "field", "expected"), ENTRY_FIELDS, ids=[r[0] for r in ENTRY_FIELDS]
)
def test_entry_fields(label: str, word: str, reading: str, field: str, expected: object) -> None:
    entry = lookup(word, reading)
    assert entry is not None
    assert getattr(entry, field) == expected


def test_no_sense_keeps_a_classifier_prefix() -> None:
    for word, reading in [("医院", "yīyuàn"), ("关键", "guānjiàn"), ("东西", "dōngxi")]:
        entry = lookup(word, reading)
        assert entry is not None and entry.classifiers
        assert not any(sense.startswith("CL:") for sense in entry.senses)


# --- Pieces: tone marks, sense ranking ----------------------------------------

MARKS = [
    ("guan1", "guān"),
    ("lu:4", "lǜ"),
    ("nu:3", "nǚ"),
    ("lu:e4", "lüè"),
    ("gou3", "gǒu"),
    ("liu2", "liú"),
    ("gui4", "guì"),
    ("er2", "ér"),
    ("xiong1", "xiōng"),
    ("Zhong1", "zhōng"),
    ("le5", "le"),
    ("r5", "r"),
    ("m2", "ḿ"),
    ("ng2", "ńg"),
    ("hm5", "hm"),
    ("C", "c"),
]


@pytest.mark.parametrize(("numbered", "marked"), MARKS)
def test_tone_mark_placement(numbered: str, marked: str) -> None:
    assert dictionary._mark_syllable(numbered) == marked


def _row(traditional: str, senses: tuple[str, ...], syllables: tuple[str, ...] = ("hou4",)) -> dictionary.Row:
    return dictionary.Row(traditional, "后", syllables, senses, ())


SENSE_RANKING = [
    (
        "variants and surnames go last when meanings exist",
        [_row("后", ("variant of 後|后[hou4]", "surname Hou", "queen"))],
        ("queen", "variant of 後/后 hòu", "surname Hou"),
    ),
    (
        "archaic sense goes after a modern one",
        [_row("后", ("(archaic) monarch", "empress"))],
        ("empress", "(archaic) monarch"),
    ),
    (
        "dialect, Taiwan, colloquial and slang senses go last, in dictionary order",
        [_row("后", ("(slang) cool", "(Tw) thing", "after", "(dialect) later", "(coll.) boss", "behind"))],
        ("after", "behind", "(slang) cool", "(Tw) thing", "(dialect) later", "(coll.) boss"),
    ),
    (
        "only pointers: kept, real before dated before pointer",
        [_row("后", ("variant of 後|后[hou4]", "(archaic) monarch"))],
        ("(archaic) monarch", "variant of 後/后 hòu"),
    ),
    (
        "duplicates across entries merged",
        [_row("后", ("after", "later")), _row("後", ("later", "behind"))],
        ("after", "later", "behind"),
    ),
]


@pytest.mark.parametrize(("label", "rows", "expected"), SENSE_RANKING, ids=[r[0] for r in SENSE_RANKING])
def test_sense_ranking(label: str, rows: list[dictionary.Row], expected: tuple[str, ...]) -> None:
    assert senses._senses(rows) == expected


def test_entry_of_only_variants_ranks_last() -> None:
    variant = _row("后", ("variant of 後|后[hou4]",))
    real = _row("后", ("empress",))
    assert sorted([variant, real], key=senses._minor)[0] is real


# --- Cache behaviour on a small synthetic dictionary -------------------------

SAMPLE = """\
# CC-CEDICT sample
#! date=2023-11-07T06:42:16Z
率 率 [lu:4] /rate/frequency/
率 率 [shuai4] /to lead/
關鍵 关键 [guan1 jian4] /crucial point/CL:個|个[ge4]/
"""


@pytest.fixture
def sample_source(tmp_path: Path) -> Path:
    path = tmp_path / "cedict.txt.gz"
    path.write_bytes(gzip.compress(SAMPLE.encode("utf-8")))
    return path


def test_second_open_uses_the_cache(sample_source: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    first = dictcache.open_store(sample_source, cache_dir)
    second = dictcache.open_store(sample_source, cache_dir)
    assert (first.origin, second.origin) == ("built", "cache")
    assert second.lines_of("關鍵") == second.lines_of("关键") == SAMPLE.splitlines()[4]
    assert second.lines_of("率") == "\n".join(SAMPLE.splitlines()[2:4])
    assert second.lines_of("猫") is None
    assert second.lines_of("关") is None  # a headword's prefix is no headword
    assert second.lines_of("关键\x00") is None  # marisa would stop the key at NUL and find 关键
    (folder,) = cache_dir.iterdir()  # nothing left beside it
    assert folder.name.startswith("cedict-v3-") and sorted(p.name for p in folder.iterdir()) == [
        "lines.txt",
        "meta.json",
        "offsets.bin",
        "words.marisa",
    ]


@pytest.mark.parametrize(
    "damage",
    [
        ("words.marisa", b""),
        ("words.marisa", b"not a trie at all" * 100),
        ("words.marisa", None),
        ("lines.txt", None),
        ("lines.txt", b""),
        ("offsets.bin", None),
        ("offsets.bin", b"\xff" * 4000),
        ("meta.json", b"{"),
    ],
    ids=[
        "empty",
        "garbage",
        "truncated",
        "text-truncated",
        "text-empty",
        "offsets-truncated",
        "offsets-garbage",
        "broken-meta",
    ],
)
def test_corrupt_cache_is_rebuilt(sample_source: Path, tmp_path: Path, damage: tuple[str, bytes | None]) -> None:
    cache_dir = tmp_path / "cache"
    dictcache.open_store(sample_source, cache_dir)
    (cache_folder,) = cache_dir.glob("cedict-*")
    name, content = damage
    damaged = cache_folder / name
    whole = damaged.read_bytes()
    damaged.write_bytes(whole[: len(whole) // 2] if content is None else content)
    rebuilt = dictcache.open_store(sample_source, cache_dir)
    assert rebuilt.origin == "built"
    assert rebuilt.lines_of("率") is not None
    assert dictcache.open_store(sample_source, cache_dir).origin == "cache"


def test_changed_source_is_not_served_stale(sample_source: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    dictcache.open_store(sample_source, cache_dir)
    sample_source.write_bytes(gzip.compress((SAMPLE + "猫 猫 [mao1] /cat/\n").encode("utf-8")))
    os.utime(sample_source, ns=(1, 1))
    store = dictcache.open_store(sample_source, cache_dir)
    assert store.origin == "built"
    assert store.lines_of("猫") == "猫 猫 [mao1] /cat/"


def test_unwritable_cache_dir_falls_back_to_memory(sample_source: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = dictcache.open_store(sample_source, blocker / "cache")
    assert store.origin == "memory"
    assert store.lines_of("率") == "\n".join(SAMPLE.splitlines()[2:4])


def test_unreadable_source_is_a_deckgen_error(tmp_path: Path) -> None:
    broken = tmp_path / "cedict.txt.gz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(DeckgenError, match="cannot read CC-CEDICT"):
        dictcache.open_store(broken, tmp_path / "cache")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"DECKGEN_CACHE_DIR": "/x/dg", "XDG_CACHE_HOME": "/x/xdg"}, Path("/x/dg")),
        ({"XDG_CACHE_HOME": "/x/xdg"}, Path("/x/xdg/deckgen")),
        ({"HOME": "/x/home"}, Path("/x/home/.cache/deckgen")),
    ],
)
def test_cache_dir_precedence(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: Path) -> None:
    for name in ("DECKGEN_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert folders.cache_dir() == expected


def test_real_dictionary_is_indexed_once_then_opened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(tmp_path))
    try:
        _clear_memos()
        assert lookup("率", "lǜ") is not None
        assert dictcache.default_store().origin == "built"
        assert len(list(tmp_path.glob("cedict-*/words.marisa"))) == 1
        _clear_memos()  # as a new process would start
        assert lookup("率", "lǜ") is not None
        assert dictcache.default_store().origin == "cache"
    finally:
        _clear_memos()


# --- Script conversion and attribution ---------------------------------------

CONVERSIONS = [
    (traditional_of, "头发", "頭髮"),
    (traditional_of, "后来", "後來"),
    (traditional_of, "稳岗", "穩崗"),
    (traditional_of, "里面", "裡面"),
    (traditional_of, "", ""),
    (simplified_of, "關鍵", "关键"),
    (simplified_of, "醫院", "医院"),
    (simplified_of, "", ""),
]


@pytest.mark.parametrize(("convert", "text", "expected"), CONVERSIONS)
def test_script_conversion(convert: object, text: str, expected: str) -> None:
    assert convert(text) == expected  # type: ignore[operator]


def test_sentences_converted_together_read_as_each_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """One OpenCC call over sentences joined by line breaks converts each as a call of its own would."""
    texts = [EXAMPLE, *sorted((Path(__file__).parent / "teacher").glob("*.txt"))]
    sentences = [s for path in texts for s in path.read_text(encoding="utf-8").replace("。", "。\n").splitlines()]
    sentences += ["我们一起干活", "收拾得很干净", "然后皇后来了", "头发", "里面的面条", "", "一行\n两行"]
    monkeypatch.setattr(script, "_SENTENCES", Recent(4096))
    script.convert_sentences(sentences)
    assert "一行\n两行" not in script._SENTENCES and "" not in script._SENTENCES  # a line break: converted alone
    together = dict(script._SENTENCES)
    assert len(together) > 50
    assert together == {s: traditional_of(s) for s in together}
    assert (together["我们一起干活"], together["收拾得很干净"]) == ("我們一起幹活", "收拾得很乾淨")
    calls: list[str] = []
    monkeypatch.setattr(script, "traditional_of", lambda text: calls.append(text) or text)
    assert script.traditional_in_context("我们一起", "干", "活") == "幹"  # found converted: no call
    assert calls == []


def test_converted_sentences_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(script, "_SENTENCES", Recent(10))
    script.convert_sentences(f"第{n}个后来" for n in range(25))
    assert 0 < len(script._SENTENCES) <= 10
    assert script._SENTENCES["第24个后来"] == "第24個後來"


def test_attribution_is_one_line_crediting_cc_cedict() -> None:
    line = attribution()
    assert "\n" not in line
    for part in ("CC-CEDICT", "MDBG", "CC BY-SA 4.0"):
        assert part in line


# --- Properties ----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_reading_key_is_a_projection(reading: str) -> None:
    once = dictionary.reading_key(reading)
    assert dictionary.reading_key(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=4), st.text(max_size=12))
@example("\x00", "M")  # marisa answered NUL with another key's bytes, which did not decode
def test_lookup_never_crashes(word: str, reading: str) -> None:
    entry = lookup(word, reading)
    assert entry is None or entry.senses or entry.classifiers


# --- Meaning by reading: complete, ordered (README, "What a card shows") ------

# (label, word, reading, traditional given by the article or "", what the meaning must start with or contain)
MEANINGS = [
    ("长 zhǎng reaches 'to grow'", "长", "zhǎng", "", "chief; head; elder; to grow"),
    ("行 xíng reaches 'OK'", "行", "xíng", "", "all right; OK!"),
    ("行 háng 'profession'", "行", "háng", "", "line of business; profession"),
    (
        "创 chuàng 'to create', no variant rows",
        "创",
        "chuàng",
        "",
        "to begin; to initiate; to inaugurate; to start; to create",
    ),
    ("奶奶 grandma first", "奶奶", "nǎinai", "", "(informal) grandma"),
    ("erhua variant replaced by its word", "一点儿", "yīdiǎnr", "", "a bit; a little"),
    ("neutral tone matches any tone", "红火", "hónghuo", "", "prosperous"),
    ("从 uses 從, not the variant row", "从", "cóng", "", "from; through; via"),
    ("traditional word", "漢字", "hànzì", "", "Chinese character"),
]


@pytest.mark.parametrize(("label", "word", "reading", "traditional", "wanted"), MEANINGS, ids=[m[0] for m in MEANINGS])
def test_meaning_complete_and_ordered(label: str, word: str, reading: str, traditional: str, wanted: str) -> None:
    entry = lookup(word, reading, traditional)
    assert entry is not None
    assert entry.meaning.startswith(wanted) or wanted in entry.meaning
    assert len(entry.meaning) <= senses.MEANING_CHARS


def test_low_value_senses_go_last() -> None:
    entry = lookup("奶奶", "nǎinai")
    assert entry is not None
    assert entry.senses.index("(coll.) boobies") > entry.senses.index("(respectful) mistress of the house")


def test_capitalisation_of_the_matching_entry() -> None:
    assert lookup("中国", "zhōngguó").pinyin == "Zhōng guó"  # type: ignore[union-attr]
    assert lookup("春节", "chūnjié").pinyin == "Chūn jié"  # type: ignore[union-attr]
    assert lookup("中和", "zhōnghé").pinyin == "zhōng hé"  # type: ignore[union-attr]


COMPOSED = [
    ("longest sub-word first", "订单式", ("dìng", "dān", "shì"), "", "订单 dìngdān: (purchase) order · 式 shì:"),
    (
        "ties go to the commoner piece",
        "家门口",
        ("jiā", "mén", "kǒu"),
        "",
        "家 jiā: home; family · 门口 ménkǒu: doorway",
    ),
    ("the card's traditional form picks the character", "钟声", ("zhōng", "shēng"), "鐘聲", "钟 zhōng: clock"),
    ("characters only as a last resort", "稳岗", ("wěn", "gǎng"), "", "稳 wěn: settled; steady; stable · 岗 gǎng:"),
]


@pytest.mark.parametrize(
    ("label", "word", "syllables", "traditional", "wanted"), COMPOSED, ids=[c[0] for c in COMPOSED]
)
def test_composed_meaning(label: str, word: str, syllables: tuple[str, ...], traditional: str, wanted: str) -> None:
    meaning = senses.compose(word, syllables, traditional)
    assert meaning.startswith("(not in CC-CEDICT; composed) ")
    assert wanted in meaning


def test_composed_meaning_never_uses_another_traditional_form() -> None:
    assert "cup" not in senses.compose("钟声", ("zhōng", "shēng"), "鐘聲")


def test_traditional_form_from_the_sentence_chooses_the_sense() -> None:
    """干 is 乾 "dry; clean" in 干净 and 幹 "to do" in 干活: OpenCC reads the sentence, the card follows."""
    from deckgen.enrich import enrich, group
    from deckgen.mine import mine_lines

    text = "妈妈把家里收拾得很干(gān)净。\n我们一起干(gàn)活。\n然后(hòu)来了。"
    entries = [enrich(e) for e in group(mine_lines(enumerate(text.split("\n"), 1), "t.txt").occurrences)]
    by_reading = {e.pinyin: e for e in entries}
    assert by_reading["gān"].traditional == "乾" and by_reading["gān"].meaning.startswith("dry")
    assert by_reading["gàn"].traditional == "幹" and "to do" in by_reading["gàn"].meaning
    assert by_reading["hòu"].traditional == "後" and by_reading["hòu"].meaning.startswith("back")


def test_a_variant_form_in_context_does_not_hide_the_main_entry() -> None:
    """背着 converts to 揹著, whose only CC-CEDICT sense is "variant of 背 bēi": the card teaches 背's senses."""
    from deckgen.enrich import enrich, group
    from deckgen.mine import mine_lines

    mined = mine_lines([(1, "他背(bēi)着书包走进了教室。")], "t.txt")
    (entry,) = [enrich(e) for e in group(mined.occurrences)]
    assert entry.meaning.startswith("to be burdened; to carry on the back")
    assert entry.traditional == "背"


def test_readings_are_the_rows_syllables_without_parsing_senses() -> None:
    # dictionary.readings answers the boundary checks in place of rows: the same lines, in the same order, for
    # thousands of CC-CEDICT's headwords, single characters and misses.
    with dictcache._source_path() as path:
        headwords = sorted(dictcache._parse_source(path.read_bytes()))
    words = [*headwords[::7], "研学", "关键节点", "x", "，", "了", "行", "長"]
    assert len(words) > 15_000
    for word in words:
        assert dictionary.readings(word) == tuple(row.syllables for row in dictionary.rows(word)), word
    assert sum(1 for word in words if dictionary.readings(word)) > 15_000


def test_enriching_keeps_what_it_does_not_fill_and_names_every_field() -> None:
    """enrich builds its Entry field by field: a field added to Entry must be carried or filled there too."""
    from dataclasses import fields

    from deckgen.enrich import Entry, enrich
    from deckgen.sentences import Example

    carried = {"hanzi", "examples", "sources", "flags", "gloss"}
    filled = {"syllables", "traditional", "simplified", "meaning", "classifier", "hsk", "frequency", "sentence_pinyin"}
    assert {f.name for f in fields(Entry)} == carried | filled
    given = Entry(
        "银行", ("yín", "háng"), (Example("我去", "银行", "。"),), ("a.txt", "b.txt"), frozenset({"repaired"}),
        gloss="bank (my note)",
    )  # fmt: skip
    done = enrich(given)
    assert {name: getattr(done, name) for name in carried} == {name: getattr(given, name) for name in carried}
    assert "bank" in done.meaning and done.traditional == "銀行" and done.sentence_pinyin == "wǒ qù yínháng."


def test_a_word_found_whatever_its_traditional_form_needs_no_sentence_converted() -> None:
    """senses.lookup_any_form: where it gives an entry, the look-up gives that entry for any traditional form at all."""
    from deckgen.enrich import enrich
    from deckgen.minefiles import mine_file
    from deckgen.senses import lookup_any_form

    teacher = sorted((Path(__file__).parent / "teacher").glob("*.txt"))
    entries = [entry for path in [EXAMPLE, *teacher] for entry in mine_file(path, None, 4, False).grouper.entries()]
    free = 0
    for entry in entries:
        plain = lookup_any_form(entry.hanzi, entry.pinyin, entry.syllables)
        if plain is None:
            continue
        free += 1
        assert plain == lookup(entry.hanzi, entry.pinyin, "", entry.syllables)
        for form in (traditional_of(entry.hanzi), entry.hanzi, "龍" * len(entry.hanzi)):
            assert lookup(entry.hanzi, entry.pinyin, form, entry.syllables) == plain, (entry.hanzi, form)
        assert enrich(entry).traditional == plain.traditional
    assert 0 < free < len(entries)  # both kinds are there: 干 in 干净 is not free, nor a word CC-CEDICT lacks


def test_a_text_table_answers_the_same_from_its_memo_of_recent_keys(tmp_path: Path) -> None:
    texts = {"关键": "guan1 jian4", "一": "yi1", "空": ""}
    count = folders.write_text_table(tmp_path, texts)
    table = folders.open_text_table(tmp_path, count)
    asked = ["关键", "一", "空", "关", "关键\x00", "", *texts]
    first = [table.get(key) for key in asked]
    assert first == ["guan1 jian4", "yi1", "", None, None, None, *texts.values()]
    assert [table.get(key) for key in asked] == first  # the same again, now from the memo
    assert table.recent.limit == 4096 and len(table.recent) <= 4096
    table.recent.clear()
    table.recent.limit = 2  # soon full: it forgets and keeps answering
    assert [table.get(key) for key in reversed(asked)] == first[::-1] and len(table.recent) <= 2


def test_a_solar_term_written_small_is_also_read_by_its_characters() -> None:
    """大雪 is CC-CEDICT's solar term only, but a text mostly means a heavy snow: written in small letters, the card
    reads it by its characters first, then as the solar term, and is not capitalised; written as a name, it is the
    solar term alone."""
    from deckgen.senses import lookup

    weather = lookup("大雪", "dàxuě")
    assert weather is not None
    assert weather.pinyin == "dà xuě"
    assert weather.meaning.startswith("大: big") and "雪: snow (as its characters read), or Daxue" in weather.meaning
    named = lookup("大雪", "Dàxuě")
    assert named is not None
    assert named.pinyin == "Dà xuě" and named.meaning.startswith("Daxue or Great Snow")
    plain = lookup("银行", "yínháng")
    assert plain is not None and "as its characters read" not in plain.meaning
