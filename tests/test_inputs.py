"""Inputs as readers bring them: encodings, HTML and ruby, traditional text, messy OCR,
hostile text, bad files.  Each bad input gets one line, a non-zero exit and no traceback."""

from __future__ import annotations

import html
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.align import is_hanzi
from deckgen.build import build
from deckgen.errors import DeckgenError
from deckgen.mine import mine_lines
from deckgen.output import write
from deckgen.pinyin import parse_reading

from .apkg import read_notes
from .conftest import CORPUS, EXAMPLE, REFERENCE, anki_collection, corpus_file, import_apkg, notes_by_hanzi, run_cli


def note_rows(paths: list[Path], tmp_path: Path, name: str = "d.apkg") -> list[tuple]:
    """Notes as comparable rows (fields and tags, without the source tag, which names the file)."""
    apkg = write(build(paths), tmp_path / name, "T")
    rows = []
    for n in read_notes(apkg):
        tags = tuple(t for t in n["tags"] if not t.startswith("source::"))
        rows.append((n["Hanzi"], n["Pinyin"], n["Meaning"], n["Sentence"], n["SentencePinyin"], tags))
    return rows


def deckgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd)


# --- encodings and HTML give exactly the notes of the UTF-8 text -------------------------------------


@pytest.mark.parametrize("codec", ["gb18030", "utf-16", "utf-8-sig"])
def test_reference_reencoded_gives_same_notes(reference: Path, tmp_path: Path, codec: str) -> None:
    text = reference.read_text(encoding="utf-8")
    other = tmp_path / codec / reference.name
    other.parent.mkdir()
    other.write_bytes(text.encode(codec))
    assert note_rows([other], tmp_path, "a.apkg") == note_rows([reference], tmp_path, "b.apkg")


def wrap_html(text: str, charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>新闻</title>'
        "<style>p{color:red}</style><script>var x = '关键(guānjiàn)';</script></head><body>"
        "<nav><a href='/'>首页(shǒuyè)</a></nav>"
        f"<article>{paragraphs}</article><footer>版权(bǎnquán)所有</footer></body></html>"
    )


def test_reference_in_html_gives_same_notes(reference: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(wrap_html(reference.read_text(encoding="utf-8")), encoding="utf-8")
    assert note_rows([page], tmp_path, "a.apkg") == note_rows([reference], tmp_path, "b.apkg")


def test_gbk_html_page(tmp_path: Path) -> None:
    page = tmp_path / "gbk.htm"
    page.write_bytes(wrap_html("我们要抓住关键(guānjiàn)。", "gbk").encode("gbk"))
    assert [(r[0], r[1]) for r in note_rows([page], tmp_path)] == [("关键", "guānjiàn")]


RUBY = [
    ("word ruby", "<p>学习<ruby>汉字<rt>hànzì</rt></ruby>。</p>", [("汉字", "hànzì")]),
    ("rp fallbacks", "<p><ruby>汉字<rp>(</rp><rt>hànzì</rt><rp>)</rp></ruby>很美</p>", [("汉字", "hànzì")]),
    ("per character in one ruby", "<p><ruby>汉<rt>hàn</rt>字<rt>zì</rt></ruby>很美</p>", [("汉字", "hànzì")]),
    (
        "adjacent one-character rubies join into dictionary words",
        "<p><ruby>汉<rt>hàn</rt></ruby>\n<ruby>字<rt>zì</rt></ruby><ruby>很<rt>hěn</rt></ruby>美</p>",
        [("汉字", "hànzì"), ("很", "hěn")],
    ),
    (
        "three rubies make one word",
        "<p>我们的<ruby>数<rt>shù</rt></ruby><ruby>据<rt>jù</rt></ruby><ruby>库<rt>kù</rt></ruby>很大</p>",
        [("数据库", "shùjùkù")],
    ),
    (
        "text between rubies keeps them apart",
        "<p><ruby>汉<rt>hàn</rt></ruby>和<ruby>字<rt>zì</rt></ruby></p>",
        [("汉", "hàn"), ("字", "zì")],
    ),
    ("empty rt ignored", "<p><ruby>汉字<rt></rt></ruby>和<ruby>语言<rt>yǔyán</rt></ruby></p>", [("语言", "yǔyán")]),
    ("broken markup", "<p>学习<ruby>汉字<rt>hànzì</ruby><div>未闭合<b>粗体", [("汉字", "hànzì")]),
]


@pytest.mark.parametrize(("label", "body", "expected"), RUBY, ids=[r[0] for r in RUBY])
def test_ruby(tmp_path: Path, label: str, body: str, expected: list[tuple[str, str]]) -> None:
    page = tmp_path / "ruby.html"
    page.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    assert [(r[0], r[1]) for r in note_rows([page], tmp_path)] == expected


# --- traditional characters ---------------------------------------------------------------------------


def test_traditional_article_keeps_its_forms(tmp_path: Path) -> None:
    article = tmp_path / "繁體.txt"
    article.write_bytes("這是關(guan1)鍵的一步。我們要抓住關鍵(guan1 jian4)時刻。".encode("big5"))
    notes = {n["Hanzi"]: n for n in read_notes(write(build([article]), tmp_path / "t.apkg", "T"))}
    assert set(notes) == {"關", "關鍵"}
    assert notes["關鍵"]["Simplified"] == "关键" and notes["關鍵"]["Traditional"] == "關鍵"
    assert notes["關鍵"]["Meaning"].startswith("crucial point")
    assert notes["關"]["Simplified"] == "关"


# --- hostile text and file names ------------------------------------------------------------------------


def test_injection_shows_as_text_on_the_card(tmp_path: Path) -> None:
    article = tmp_path / "evil <b>name 文章.txt"
    article.write_text(
        '<script>alert("x")</script>坚持(jiānchí)<img src=x onerror=alert(1)>就是胜利。\n'
        "<style>body{display:none}</style>认真(rènzhēn)&amp;学习。",
        encoding="utf-8",
    )
    apkg = write(build([article]), tmp_path / "x.apkg", "X")
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        notes = notes_by_hanzi(col)
        note = notes["坚持|jiānchí"]
        assert "source::evil_<b>name_文章" in note.tags
        answer = note.cards()[0].answer()
        assert "<script>" not in answer and "<img src=x" not in answer
        assert '&lt;script&gt;alert("x")&lt;/script&gt;' in answer
        assert "&lt;img src=x onerror=alert(1)&gt;" in answer
        assert '<b class="hl">认真</b>&amp;amp;' in notes["认真|rènzhēn"]["Sentence"]


def test_tags_from_file_names_are_single_tags(tmp_path: Path) -> None:
    article = tmp_path / "my  first\tarticle 第一篇.txt"
    article.write_text("关键(guānjiàn)", encoding="utf-8")
    [note] = read_notes(write(build([article]), tmp_path / "x.apkg", "X"))
    assert "source::my_first_article_第一篇" in note["tags"]


# --- messy text: never crash, only sane notes -----------------------------------------------------------


def assert_sane(hanzi: str, pinyin: str) -> None:
    assert hanzi and all(is_hanzi(ch) for ch in hanzi), hanzi
    reading = parse_reading(pinyin)
    assert reading is not None, pinyin
    assert len(reading.syllables) == len(hanzi), (hanzi, pinyin)


@pytest.mark.parametrize("name", ["04_textbook-ocr-dazijiedu_parens.txt", "05_gaokao2009-exam-ocr_parens-dotted.txt"])
def test_ocr_files_give_sane_notes_and_a_report(tmp_path: Path, name: str) -> None:
    source = corpus_file(name)
    report = tmp_path / "report.json"
    proc = deckgen("build", str(source), "-o", str(tmp_path / "ocr.apkg"), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    notes = read_notes(tmp_path / "ocr.apkg")
    assert notes
    for n in notes:
        assert_sane(str(n["Hanzi"]), str(n["Pinyin"]))
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["notices"] and all(set(x) == {"path", "line", "kind", "message"} for x in data["notices"])
    assert {x["kind"] for x in data["notices"]} <= {
        "no-hanzi",
        "unaligned",
        "alternatives",
        "repeat",
        "tones",
        "toneless",
        "unsure",
        "new-word",
        "reading",
        "repaired",
    }
    assert len(data["notes"]) == len(notes)


PIECES = [*"关键节点在率了的稳岗万起全之花（）()[]| 1234abgnuāáǎàüǖ'，。\n:“”<>&", "jiàn", "guān", "(guānjiàn)", "(le)"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_text_mines_without_raising_and_notes_are_sane(text: str) -> None:
    for occurrence in mine_lines(enumerate(text.split("\n"), 1), "p.txt").occurrences:
        assert_sane(occurrence.word, "".join(occurrence.syllables))
        assert occurrence.word in occurrence.example.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_any_bytes_raise_only_deckgen_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "random.txt"
    path.write_bytes(content)
    try:
        result = build([path])
    except DeckgenError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    for note in result.notes:
        assert_sane(note.hanzi, note.pinyin)


# --- bad input: one line, non-zero exit, no traceback, nothing destroyed ---------------------------------


def bad_inputs(tmp: Path) -> list[tuple[str, list[str], int, str]]:
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    plain = tmp / "plain.txt"
    plain.write_text("没有任何注音的文章。\n", encoding="utf-8")
    gbk = tmp / "gbk.txt"
    gbk.write_bytes("关键(guānjiàn)时刻。\n第二行也有汉字。\n".encode("gb18030"))
    blocker = tmp / "blocker"
    blocker.write_text("a file, not a folder")
    return [
        ("missing", [str(tmp / "nope.txt")], 2, f"{tmp / 'nope.txt'}: no such file or directory"),
        ("empty", [str(empty)], 2, f"{empty}: the file is empty"),
        ("binary", [str(binary)], 2, f"{binary}: not a text file (binary data)"),
        ("no annotations", [str(plain)], 2, f"{plain}: no pinyin annotations found (supported styles: "),
        ("wrong encoding", [str(gbk), "--encoding", "utf-8"], 2, f"{gbk}: "),
        ("unknown encoding", [str(gbk), "--encoding", "klingon"], 2, f"{gbk}: "),
        ("unwritable output", [str(EXAMPLE), "-o", str(blocker / "d.apkg")], 3, f"{blocker / 'd.apkg'}: cannot write"),
    ]


BAD_INPUTS = ["missing", "empty", "binary", "no annotations", "wrong encoding", "unknown encoding", "unwritable output"]


@pytest.mark.parametrize("label", BAD_INPUTS)
def test_bad_input_is_one_line(tmp_path: Path, label: str) -> None:
    args, code, start = {case[0]: case[1:] for case in bad_inputs(tmp_path)}[label]
    out = tmp_path / f"{label}.apkg"
    argv = ["build", *args] if "-o" in args else ["build", *args, "-o", str(out)]
    proc = deckgen(*argv)
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deckgen: error: " + start), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()


def test_bad_input_table_is_complete(tmp_path: Path) -> None:
    assert [case[0] for case in bad_inputs(tmp_path)] == BAD_INPUTS


def test_directory_and_bad_file_among_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "b.txt").write_text("认真(rènzhēn)学习。", encoding="utf-8")
    (folder / "a.txt").write_text("关键(guānjiàn)时刻。", encoding="utf-8")
    (folder / "c.html").write_text("<p><ruby>汉字<rt>hànzì</rt></ruby></p>", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "picture.png").write_bytes(b"\x89PNG")
    proc = deckgen("build", str(folder), "-o", str(tmp_path / "d.apkg"))
    assert proc.returncode == 1  # something was skipped
    assert f"  {folder / 'empty.txt'}: the file is empty\n" in proc.stdout
    assert [n["Hanzi"] for n in read_notes(tmp_path / "d.apkg")] == ["关键", "认真", "汉字"]


def test_examples_folder_is_corpus_free() -> None:
    """The shipped example must not copy the reference article."""
    if not REFERENCE.is_file():
        pytest.skip(f"{CORPUS} is absent")
    reference = REFERENCE.read_text(encoding="utf-8")
    example = EXAMPLE.read_text(encoding="utf-8")
    sentences = [s for s in example.replace("\n", "。").split("。") if len(s) >= 12]
    assert not any(s in reference for s in sentences)
