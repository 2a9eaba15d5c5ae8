"""Learner material (deckgen.readers): each reader on files written in its convention, with the notes they
must give; the examples of issue 11 one by one; detection and --input-format; the sanity rule on every note;
the learner's gloss and the word library's sentences for word lists; e-book chapters as articles."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deckgen import render
from deckgen.build import BuildOptions, build
from deckgen.enrich import Entry
from deckgen.errors import DeckgenError, InputError, NoAnnotationsError
from deckgen.library import Library
from deckgen.output import record, write
from deckgen.readers import FORMATS, read
from deckgen.readers.common import ZHUYIN
from deckgen.select import Filters

from .test_inputs import assert_sane

DATA = Path(__file__).parent / "data" / "readers"


def make_epub(folder: Path, target: Path) -> Path:
    """Zip an unpacked book the way EPUB wants it: ``mimetype`` first and stored."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for member in sorted(folder.rglob("*")):
            if member.is_file():
                book.write(member, member.relative_to(folder).as_posix())
    return target


def source_of(name: str, tmp_path: Path) -> Path:
    return make_epub(DATA / "book", tmp_path / "book.epub") if name == "book.epub" else DATA / name


# Markup the note type itself puts in fields; anything else is article markup that leaked.
_OWN_MARKUP = re.compile(r'</?(?:b|span|ol|li)(?: class="(?:hl|tone[1-5])")?>')
_OPTION_LABEL = re.compile(r"(?:^|\s)[A-D][.．、)]\s|[①②③④⑤]")


def assert_note_sane(note: render.RenderedNote) -> None:
    """The sanity rule: Hanzi is Chinese, one syllable per character, no markup, pipes or option labels."""
    assert_sane(note.hanzi, note.pinyin)
    for name, value in zip(render.FIELDS, note.fields, strict=True):
        text = _OWN_MARKUP.sub("", value)
        for bad in ("<", ">", "&lt;", "&gt;", "|", "**", "`", "【", "［", "〔", "ㄅ", "ㄉ", "ㄍ", "ㄧ"):
            assert bad not in text, (note.hanzi, name, value)
        assert not _OPTION_LABEL.search(text), (note.hanzi, name, value)


def notes_of(paths: list[Path], **options: object) -> list[render.RenderedNote]:
    result = build(paths, BuildOptions(**options))  # type: ignore[arg-type]
    for note in result.notes:
        assert_note_sane(note)
    return result.notes


def rows(paths: list[Path], **options: object) -> list[tuple[str, str, str, str]]:
    """(Hanzi, Pinyin, Sentence as text, Gloss) of every note."""
    return [
        (n.hanzi, n.pinyin, re.sub("<[^>]+>", "", n.field("Sentence")), n.field("Gloss"))
        for n in notes_of(paths, **options)
    ]


# --- each reader on a file written in its convention ----------------------------------------------------

WHOLE_FILES = [
    (
        "pleco.txt",
        "list",
        [
            ("你好", "nǐhǎo", "", "hello"),
            ("再见", "zàijiàn", "", "goodbye; see you"),
            ("饺子", "jiǎozi", "", "dumpling"),
            ("米饭", "mǐfàn", "", "cooked rice"),
        ],
    ),
    (
        "words.txt",
        "list",
        [
            ("再见", "zàijiàn", "", "goodbye"),
            ("好", "hǎo", "", "good"),
            ("要", "yào", "", "mod. to want to"),
            ("火车站", "huǒchēzhàn", "", "railway station"),
        ],
    ),
    ("words.csv", "list", [("苹果", "píngguǒ", "", "apple"), ("香蕉", "xiāngjiāo", "", "banana, the fruit")]),
    ("vocab.md", "list", [("书包", "shūbāo", "", "school bag"), ("铅笔", "qiānbǐ", "", "pencil")]),
    ("vocab.html", "list", [("老师", "lǎoshī", "", "teacher"), ("学生", "xuésheng", "", "student &amp; pupil")]),
    (
        "cedict.txt",
        "cedict",
        [
            ("应该", "yīnggāi", "", "should; ought to"),
            ("女儿", "nǚ'ér", "", "daughter"),
            ("电脑", "diànnǎo", "", "computer (lit. electric brain)"),
        ],
    ),
    (
        "story.txt",
        "two-line",
        [
            ("小", "xiǎo", "小明的一天", ""),
            ("明", "míng", "小明的一天", ""),
            ("的", "de", "小明的一天", ""),
            ("一天", "yītiān", "小明的一天", ""),
            ("早上", "zǎoshang", "早上，小明七点起床。", ""),
            ("七", "qī", "早上，小明七点起床。", ""),
            ("点", "diǎn", "早上，小明七点起床。", ""),
            ("起床", "qǐchuáng", "早上，小明七点起床。", ""),
            ("他", "tā", "他吃了面包，喝了牛奶。", ""),
            ("吃", "chī", "他吃了面包，喝了牛奶。", ""),
            ("了", "le", "他吃了面包，喝了牛奶。", ""),
            ("面包", "miànbāo", "他吃了面包，喝了牛奶。", ""),
            ("喝", "hē", "他吃了面包，喝了牛奶。", ""),
            ("牛奶", "niúnǎi", "他吃了面包，喝了牛奶。", ""),
        ],
    ),
    (
        "verse.txt",
        "two-line",
        [
            ("小河", "xiǎohé", "小河流水清", ""),
            ("流水", "liúshuǐ", "小河流水清", ""),
            ("清", "qīng", "小河流水清", ""),
            ("门前", "ménqián", "门前花儿红", ""),
            ("花儿", "huā'ér", "门前花儿红", ""),
            ("红", "hóng", "门前花儿红", ""),
        ],
    ),
    (
        "film.srt",
        "subtitles",
        [
            ("你", "nǐ", "你今天去哪儿？", ""),
            ("今天", "jīntiān", "你今天去哪儿？", ""),
            ("去", "qù", "你今天去哪儿？", ""),
            ("哪儿", "nǎr", "你今天去哪儿？", ""),
            ("我", "wǒ", "我去图书馆看书。", ""),
            ("图书馆", "túshūguǎn", "我去图书馆看书。", ""),
            ("看", "kàn", "我去图书馆看书。", ""),
            ("书", "shū", "我去图书馆看书。", ""),
        ],
    ),
    (
        "film.vtt",
        "subtitles",
        [
            ("明天", "míngtiān", "明天见！", ""),
            ("见", "jiàn", "明天见！", ""),
            ("好", "hǎo", "好的，明天见。", ""),
            ("的", "de", "好的，明天见。", ""),
        ],
    ),
    (
        "film.ass",
        "subtitles",
        [
            ("今天", "jīntiān", "今天天气很好。", ""),
            ("天气", "tiānqì", "今天天气很好。", ""),
            ("很", "hěn", "今天天气很好。", ""),
            ("好", "hǎo", "今天天气很好。", ""),
        ],
    ),
    (
        "chart.txt",
        "glued",
        [
            ("床", "chuáng", "", ""),
            ("灯", "dēng", "", ""),
            ("门", "mén", "", ""),
            ("尖", "jiān", "", ""),
            ("長", "cháng", "", ""),
            ("我们", "wǒmen", "我们在学校。", ""),
            ("在", "zài", "我们在学校。", ""),
            ("学校", "xuéxiào", "我们在学校。", ""),
        ],
    ),
    (
        "notes.md",
        "inline",
        [
            ("数据库", "shùjùkù", "我们今天学习数据库。", ""),
            ("数据", "shùjù", "数据库里有很多表格。", ""),
            ("库", "kù", "数据库里有很多表格。", ""),
            ("表格", "biǎogé", "数据库里有很多表格。", ""),
            ("练习", "liànxí", "老师说：练习很重要。", ""),
            ("重要", "zhòngyào", "老师说：练习很重要。", ""),
        ],
    ),
    (
        "zhuyin.txt",
        "inline",
        [
            ("昜", "yáng", "他的名字叫木昜。", ""),
            ("關心", "guānxīn", "大家都很關心他。", ""),
            ("的", "de", "這是我的書。", ""),
            ("書", "shū", "這是我的書。", ""),
        ],
    ),
    (
        "english.txt",
        "inline",
        [
            ("中文", "Zhōngwén", "Today I learned 中文 words.", ""),
            ("要", "yào", "The verb “要” means to want.", ""),
            ("沙发", "shāfā", "My 沙发 is old, and there is a 蜘蛛 on it.", "a borrowing of sofa"),
            ("蜘蛛", "zhīzhū", "My 沙发 is old, and there is a 蜘蛛 on it.", "spider"),
            ("学习", "xuéxí", "学习、练习和复习都很重要。", ""),
            ("练习", "liànxí", "学习、练习和复习都很重要。", ""),
            ("复习", "fùxí", "学习、练习和复习都很重要。", ""),
        ],
    ),
    (
        "book.epub",
        "epub",
        [
            ("春天", "chūntiān", "春天来了，小草绿了。", ""),
            ("小草", "xiǎocǎo", "春天来了，小草绿了。", ""),
            ("游泳", "yóuyǒng", "夏天很热，我们去游泳。", ""),
        ],
    ),
]


@pytest.mark.parametrize(("name", "reader", "expected"), WHOLE_FILES, ids=[case[0] for case in WHOLE_FILES])
def test_reader_on_its_file(tmp_path: Path, name: str, reader: str, expected: list[tuple[str, ...]]) -> None:
    path = source_of(name, tmp_path)
    result = build([path])
    assert result.readers == {str(path): reader}
    assert not result.notices
    assert rows([path]) == expected


@pytest.mark.parametrize(
    ("name", "traditional"),
    [("pleco.txt", {"再见": "再見"}), ("cedict.txt", {"应该": "應該", "女儿": "女兒", "电脑": "電腦"})],
)
def test_two_heads_give_simplified_card_and_traditional_beside(name: str, traditional: dict[str, str]) -> None:
    notes = {n.hanzi: n for n in notes_of([DATA / name])}
    for word, form in traditional.items():
        assert notes[word].field("Traditional") == form


def test_list_notes_carry_dictionary_senses_and_gloss() -> None:
    notes = {n.hanzi: n for n in notes_of([DATA / "cedict.txt"])}
    assert notes["应该"].field("Gloss") == "should; ought to"
    assert "should" in notes["应该"].field("Meaning")  # CC-CEDICT's senses, in Meaning
    assert notes["电脑"].field("Meaning").startswith("computer")


def test_raw_cedict_line_is_never_the_sentence() -> None:
    for note in notes_of([DATA / "cedict.txt"]):
        assert note.field("Sentence") == "" and note.field("SentencePinyin") == ""
        assert not any("[" in value or "/" in value for value in (note.field("Sentence"), note.field("Hanzi")))


def test_chapters_are_articles_with_their_own_source_tags(tmp_path: Path) -> None:
    book = make_epub(DATA / "book", tmp_path / "小书.epub")
    notes = {n.hanzi: n for n in notes_of([book])}
    assert "source::小书-01-第一章_春天" in notes["春天"].tags
    assert {"source::小书-01-第一章_春天", "source::小书-02-第二章_夏天"} <= set(notes["小草"].tags)
    library = tmp_path / "lib.sqlite3"
    write(build([book], BuildOptions(library=library)), tmp_path / "book.apkg", "Book")
    with Library.open(library) as opened:
        sources = [Path(row.source).name for row in opened.growth()]
    assert sources == ["小书-01-第一章 春天", "小书-02-第二章 夏天"]


# --- one test per example of issue 11 --------------------------------------------------------------------

THANKS = [("喝茶", "hēchá", ""), ("谢谢", "xièxie", ""), ("你", "nǐ", "")]
EXAMPLES = [
    ("ruby word in markdown", "a.md", "学习<ruby>数据<rt>shù jù</rt></ruby>。", [("数据", "shùjù", "")]),
    (
        "one-character rubies joined",
        "a.txt",
        "这是<ruby>数<rt>shù</rt></ruby><ruby>据<rt>jù</rt></ruby><ruby>库<rt>kù</rt></ruby>。",
        [("数据库", "shùjùkù", "")],
    ),
    (
        "rb bases stay separate",
        "a.md",
        "<ruby><rb>数据</rb><rb>库</rb><rt>shù jù</rt><rt>kù</rt></ruby>很大。",
        [("数据", "shùjù", ""), ("库", "kù", "")],
    ),
    ("pleco tab line", "a.txt", "//Unit 1\n汉字\thàn zì\tcharacter\n", [("汉字", "hànzì", "character")]),
    ("word, pinyin - gloss", "a.txt", "再见 zài jiàn - goodbye\n", [("再见", "zàijiàn", "goodbye")]),
    ("word - pinyin - gloss", "a.txt", "好 - hǎo - good\n", [("好", "hǎo", "good")]),
    ("word class gloss", "a.txt", "要 yào mod. to want to\n", [("要", "yào", "mod. to want to")]),
    ("tone numbers run together", "a.txt", "电脑 dian4nao3 computer\n", [("电脑", "diànnǎo", "computer")]),
    ("tone numbers spaced", "a.txt", "电脑 dian4 nao3 computer\n", [("电脑", "diànnǎo", "computer")]),
    (
        "markdown table with a Pinyin column",
        "a.md",
        "| Word | Pinyin | Meaning |\n|---|---|---|\n| 桌子 | zhuōzi | table |\n",
        [("桌子", "zhuōzi", "table")],
    ),
    (
        "html table with a Pinyin column",
        "a.html",
        "<table><tr><th>Pinyin</th><th>汉字</th></tr><tr><td>yǐzi</td><td>椅子</td></tr></table>",
        [("椅子", "yǐzi", "")],
    ),
    ("cc-cedict line", "a.txt", "應該 应该 [ying1 gai1] /should be/\n", [("应该", "yīnggāi", "should be")]),
    ("pinyin line above", "a.txt", "Wǒ ài chá.\n我爱茶。\n", [("我", "wǒ", ""), ("爱", "ài", ""), ("茶", "chá", "")]),
    ("pinyin line below", "a.txt", "我爱茶。\nWǒ ài chá.\n", [("我", "wǒ", ""), ("爱", "ài", ""), ("茶", "chá", "")]),
    ("spaces between hanzi", "a.txt", "wǒ ài hē chá\n我 爱 喝 茶\n", [("我", "wǒ", ""), ("爱", "ài", ""), THANKS[0]]),
    ("srt cue", "a.srt", "1\n00:00:01,000 --> 00:00:02,000\n谢谢你。\nXièxie nǐ.\n", THANKS[1:]),
    (
        "ass cue",
        "a.ass",
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR,"
        " MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,谢谢你。\\NXièxie nǐ.\n",
        [("谢谢", "xièxie", ""), ("你", "nǐ", "")],
    ),
    ("webvtt cue", "a.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n谢谢你。\nXièxie nǐ.\n", THANKS[1:]),
    ("glued chart", "a.txt", "床chuáng 灯dēng\n", [("床", "chuáng", ""), ("灯", "dēng", "")]),
    ("glued with look-alike g", "a.txt", "尖jiān 尖jiān 長chánɡ\n", [("尖", "jiān", ""), ("長", "cháng", "")]),
    ("zhuyin ruby", "a.txt", "<ruby>關<rt>ㄍㄨㄢ</rt></ruby>門了。", [("關", "guān", "")]),
    ("zhuyin in parentheses", "a.txt", "木昜(ㄧㄤˊ)", [("昜", "yáng", "")]),
    ("zhuyin neutral tone", "a.txt", "我<ruby>的<rt>˙ㄉㄜ</rt></ruby>書(ㄕㄨ)", [("的", "de", ""), ("書", "shū", "")]),
    ("bold word then reading", "a.txt", "I study **中文** (zhōngwén).", [("中文", "Zhōngwén", "")]),
    ("quoted word then reading", "a.txt", "The word “要” (yào) is common.", [("要", "yào", "")]),
    (
        "gloss after a comma",
        "a.txt",
        "A 沙发 (shāfā, a borrowing of sofa) is soft.",
        [("沙发", "shāfā", "a borrowing of sofa")],
    ),
    ("gloss after or", "a.txt", "Look, a 蜘蛛 (zhīzhū or spider)!", [("蜘蛛", "zhīzhū", "spider")]),
    (
        "markdown notes with a table: cells are text, pipes are not",
        "a.md",
        "# 笔记\n\n我们学习关键(guānjiàn)词。\n\n| 词 | 例句 |\n|---|---|\n| 节点 | 这是节点(jiédiǎn)。 |\n",
        [("关键", "guānjiàn", ""), ("节点", "jiédiǎn", "")],
    ),
    ("lenticular brackets", "a.txt", "我们学习【xuéxí】。", [("学习", "xuéxí", "")]),
    ("full-width square brackets", "a.txt", "我们学习［xuéxí］。", [("学习", "xuéxí", "")]),
    ("tortoise-shell brackets", "a.txt", "我们学习〔xuéxí〕。", [("学习", "xuéxí", "")]),
]


@pytest.mark.parametrize(("label", "name", "content", "expected"), EXAMPLES, ids=[case[0] for case in EXAMPLES])
def test_issue_example(tmp_path: Path, label: str, name: str, content: str, expected: list[tuple[str, ...]]) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert [(h, p, g) for h, p, _, g in rows([path])] == expected


def test_fully_annotated_text_yields_every_word_and_filters_pick(tmp_path: Path) -> None:
    story = DATA / "story.txt"
    every = {row[0] for row in rows([story])}
    assert {"的", "了", "他", "吃", "牛奶"} <= every
    no_particles = {row[0] for row in rows([story], filters=Filters(skip_particles=True))}
    assert "的" not in no_particles and "了" not in no_particles and "吃" in no_particles
    past_hsk1 = {row[0] for row in rows([story], filters=Filters(skip_hsk=1))}
    assert "吃" not in past_hsk1 and "牛奶" not in past_hsk1 and "明" in past_hsk1


# --- detection, --input-format, the summary ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "suffix", "reader"),
    [
        ("再见\tzai4jian4\tgoodbye\n", ".md", "list"),  # a list saved as Markdown is still a list
        ("1\n00:00:01,000 --> 00:00:02,000\n好。\nHǎo.\n", ".txt", "subtitles"),  # an SRT saved as text
        ("Hǎo.\n好。\n", ".md", "two-line"),
        ("關鍵 关键 [guan1 jian4] /crucial/\n", ".md", "cedict"),
        ("门mén 窗chuāng\n", ".md", "glued"),
        ("他很好(hǎo)。\n", ".txt", "inline"),
    ],
)
def test_convention_is_detected_from_content(tmp_path: Path, content: str, suffix: str, reader: str) -> None:
    path = tmp_path / f"file{suffix}"
    path.write_text(content, encoding="utf-8")
    assert read(path).reader == reader


def test_a_folder_gives_every_kind_of_material(tmp_path: Path) -> None:
    folder = tmp_path / "material"
    folder.mkdir()
    for name in ("pleco.txt", "film.srt", "film.vtt", "words.csv"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    make_epub(DATA / "book", folder / "book.epub")
    result = build([folder])
    assert {Path(path).name: reader for path, reader in result.readers.items()} == {
        "book.epub": "epub",
        "film.srt": "subtitles",
        "film.vtt": "subtitles",
        "pleco.txt": "list",
        "words.csv": "list",
    }


def test_input_format_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Wǒ ài chá.\n我爱茶。\n", encoding="utf-8")
    assert read(path, input_format="inline").reader == "inline"
    with pytest.raises(NoAnnotationsError, match="read as inline"):
        build([path], BuildOptions(input_format="inline"))
    with pytest.raises(InputError, match="unknown input format 'poem'"):
        read(path, input_format="poem")


def deckgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deckgen", *args], capture_output=True, text=True, timeout=300)


def test_summary_and_report_name_each_files_reader(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    proc = deckgen(
        "build", str(DATA / "pleco.txt"), str(DATA / "film.srt"), "--no-library",
        "-o", str(tmp_path / "d.apkg"), "--report", str(report),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "read as: pleco.txt (list), film.srt (subtitles)" in proc.stdout
    readers = json.loads(report.read_text(encoding="utf-8"))["readers"]
    assert readers == {str(DATA / "pleco.txt"): "list", str(DATA / "film.srt"): "subtitles"}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--input-format", "poem"], 2, "unknown input format 'poem'"),
        ([], 2, "not an EPUB book (not a zip file)"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    book = tmp_path / "broken.epub"
    book.write_bytes(b"this is not a zip")
    proc = deckgen("build", str(book), "--no-library", "-o", str(tmp_path / "d.apkg"), *args)
    assert proc.returncode == code
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_every_format_has_a_reader_and_a_readme_row() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## What it reads") : readme.index("## Article after article")]
    for name in FORMATS:
        assert f"`{name}`" in table, name


# --- the gloss and the library's sentences for word lists -------------------------------------------------


def test_gloss_is_escaped_into_its_field() -> None:
    entry = Entry("沙发", ("shā", "fā"), (), ("a.txt",), gloss="sofa <b>&</b>")
    assert render.render(entry).field("Gloss") == "sofa &lt;b&gt;&amp;&lt;/b&gt;"


def test_list_word_takes_its_sentence_from_the_library(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    article = tmp_path / "article.txt"
    article.write_text("我们明天再见(zàijiàn)吧。", encoding="utf-8")
    record(build([article], BuildOptions(library=library)))  # as write() does once the deck is written
    words = DATA / "words.txt"
    # Exported from the article already: the list leaves it out, unless --all.
    assert "再见" not in {n.hanzi for n in notes_of([words], library=library)}
    notes = {n.hanzi: n for n in notes_of([words], library=library, export_all=True)}
    assert notes["再见"].field("Sentence") == '我们明天<b class="hl">再见</b>吧。'
    assert notes["再见"].field("Gloss") == "goodbye"
    assert notes["好"].field("Sentence") == ""  # no sentence known: none, never the list line


def test_list_word_met_but_not_exported_is_kept_with_the_sentence(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    article = tmp_path / "article.txt"
    article.write_text("我们明天再见(zàijiàn)吧。", encoding="utf-8")
    met = build([article], BuildOptions(library=library))
    with Library.open(library) as opened:  # recorded (the word filtered out, say), never exported
        for source, sightings in met.articles.items():
            opened.record_article(source, sightings, met.built_at)
    notes = {n.hanzi: n for n in notes_of([DATA / "words.txt"], library=library)}
    assert notes["再见"].field("Sentence") == '我们明天<b class="hl">再见</b>吧。'


def test_rebuilding_a_list_gives_the_same_notes_and_no_bare_examples(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    first = rows([DATA / "pleco.txt"], library=library)
    record(build([DATA / "pleco.txt"], BuildOptions(library=library)))
    assert rows([DATA / "pleco.txt"], library=library, export_all=True) == first
    with Library.open(library) as opened:
        assert opened.examples(("你好", "nǐhǎo")) == []  # the word alone is recorded, but is no example


def test_gloss_survives_grouping_of_two_files() -> None:
    notes = {n.hanzi: n for n in notes_of([DATA / "words.txt", DATA / "pleco.txt"], jobs=1)}
    assert notes["再见"].field("Gloss") == "goodbye; see you"  # each distinct part once, in order


def test_unmatched_pinyin_line_is_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Wǒ ài chá.\n我爱茶。\nTā ài hē kāfēi.\n他爱咖啡。\n", encoding="utf-8")
    result = build([path])
    assert [n.hanzi for n in result.notes] == ["我", "爱", "茶"]
    assert [(x.line, x.kind) for x in result.notices] == [(4, "unaligned")]
    assert "5 syllables for 4 hanzi" in result.notices[0].message


# --- never crash, only sane notes -------------------------------------------------------------------------

_PIECES = [
    *"关键数据库床灯關心的了我，。！\n\t|-/[]()（）【】 ",
    *("<ruby>", "</ruby>", "<rt>", "</rt>", "<rb>", "</rb>", "<rp>", "ㄍㄨㄢ", "˙ㄉㄜ", "ˊ", "ㄦ", "**", "“", "”"),
    *("guān", "jiàn", "shù", "ju4", "kù", "chuáng", "de", "Wǒ", "nǐ hǎo", " - ", " or ", ", sofa", "//", " /x/"),
    *("1\n00:00:01,000 --> 00:00:02,000\n", "WEBVTT\n\n", "| Pinyin |", "<table><tr><td>"),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join), st.sampled_from([None, *FORMATS[:-1]]))
def test_any_text_in_any_convention_gives_only_sane_notes(text: str, input_format: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notes.txt"
        path.write_text(text, encoding="utf-8")
        try:
            result = build([path], BuildOptions(input_format=input_format))
        except DeckgenError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            return
        for note in result.notes:  # random text may hold pipes and brackets as text; never markup or bare readings
            assert_sane(note.hanzi, note.pinyin)
            for name, value in zip(render.FIELDS, note.fields, strict=True):
                assert not re.search(r"</?(?:ruby|rt|rb|rp|table|tr|td)\b", value), (name, value)
                if name in ("Hanzi", "Pinyin", "Traditional"):
                    assert not re.search(f"[|<>{ZHUYIN}]", value), (name, value)
