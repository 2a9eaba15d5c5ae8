"""The read stage: encodings, binary and empty files, HTML and ruby, directories, memory."""

from __future__ import annotations

import os
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.encoding import detect_encoding
from deckgen.errors import InputError
from deckgen.read import SourceLine, expand_inputs, read_lines

# Written for these tests: a short diary entry, simplified and traditional.
SIMPLIFIED = (
    "小明每天早上七点起床。\n他先喝一杯热茶(rèchá)，然后骑自行车去学校。\n\n老师说：“坚持(jiānchí)就是胜利！”\n"
)
TRADITIONAL = "小明每天早上七點起床。\n他先喝一杯熱茶(re4cha2)，然後騎自行車去學校。\n\n老師說：「堅持就是勝利！」\n"


def expected_lines(text: str) -> list[tuple[int, str]]:
    """The (line, text) pairs read_lines should give for *text*: non-blank lines, numbered from 1."""
    return [(number, line) for number, line in enumerate(text.split("\n"), start=1) if line.strip()]


def pairs(lines: object) -> list[tuple[int, str]]:
    return [(line.line, line.text) for line in lines]  # type: ignore[attr-defined]


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def read_error(path: Path, encoding: str | None = None) -> str:
    """The message of the InputError that reading *path* raises (the test fails if none is)."""
    with pytest.raises(InputError) as raised:
        list(read_lines(path, encoding))
    return str(raised.value)


# --- encodings ---------------------------------------------------------------

ENCODED = [
    ("utf-8", SIMPLIFIED, SIMPLIFIED.encode("utf-8"), "utf-8"),
    ("utf-8 with BOM", SIMPLIFIED, SIMPLIFIED.encode("utf-8-sig"), "utf-8-sig"),
    ("utf-16 LE with BOM", SIMPLIFIED, b"\xff\xfe" + SIMPLIFIED.encode("utf-16-le"), "utf-16"),
    ("utf-16 BE with BOM", SIMPLIFIED, b"\xfe\xff" + SIMPLIFIED.encode("utf-16-be"), "utf-16"),
    ("utf-16 (Python's own BOM)", SIMPLIFIED, SIMPLIFIED.encode("utf-16"), "utf-16"),
    ("gb18030", SIMPLIFIED, SIMPLIFIED.encode("gb18030"), "gb18030"),
    ("gbk reads as gb18030", SIMPLIFIED, SIMPLIFIED.encode("gbk"), "gb18030"),
    ("big5 reads as cp950", TRADITIONAL, TRADITIONAL.encode("big5"), "cp950"),
    ("traditional text in gb18030", TRADITIONAL, TRADITIONAL.encode("gb18030"), "gb18030"),
]


@pytest.mark.parametrize(("label", "text", "content", "codec"), ENCODED, ids=[row[0] for row in ENCODED])
def test_every_encoding_reads_to_the_same_lines(
    tmp_path: Path, label: str, text: str, content: bytes, codec: str
) -> None:
    path = write(tmp_path, "article.txt", content)
    assert detect_encoding(path) == codec
    assert pairs(read_lines(path)) == expected_lines(text)


@pytest.mark.parametrize(
    ("label", "content", "expected"),
    [
        ("CRLF", "第一行\r\n第二行\r\n", [(1, "第一行"), (2, "第二行")]),
        ("CR only", "第一行\r第二行\r\r第四行", [(1, "第一行"), (2, "第二行"), (4, "第四行")]),
        ("mixed", "甲\n乙\r\n丙\r丁", [(1, "甲"), (2, "乙"), (3, "丙"), (4, "丁")]),
        ("text kept as is", "\u3000\u3000段首缩进  \t尾部空格 ", [(1, "\u3000\u3000段首缩进  \t尾部空格 ")]),
        ("blank lines skipped, numbers kept", "\n\n  \n第四行\n\u3000\n", [(4, "第四行")]),
    ],
)
def test_line_endings_and_blank_lines(
    tmp_path: Path, label: str, content: str, expected: list[tuple[int, str]]
) -> None:
    path = write(tmp_path, "lines.txt", content.encode("utf-8"))
    assert pairs(read_lines(path)) == expected


def test_a_bom_is_stripped_even_when_the_encoding_is_forced(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.txt", "关键(guānjiàn)\n".encode("utf-8-sig"))
    assert pairs(read_lines(path, encoding="utf-8")) == [(1, "关键(guānjiàn)")]


def test_encoding_override_beats_detection(tmp_path: Path) -> None:
    # Four bytes that are common characters in both GB18030 and Big5: detection
    # cannot know, and picks GB18030; the user can.
    path = write(tmp_path, "short.txt", "關鍵".encode("big5"))
    assert detect_encoding(path) == "gb18030"
    assert pairs(read_lines(path)) == [(1, "關鍵".encode("big5").decode("gb18030"))]
    assert pairs(read_lines(path, encoding="big5")) == [(1, "關鍵")]


@pytest.mark.parametrize("name", ["klingon", "base64", "rot13", ""])
def test_unknown_encoding_names_it(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "a.txt", "你好".encode())
    assert read_error(path, name) == f"{path}: unknown text encoding {name!r}"


def test_html_meta_charset_gbk_page(tmp_path: Path) -> None:
    page = '<html><head><meta charset="gbk"><title>标题</title></head><body><p>北京的秋天很美(měi)。</p></body></html>'
    path = write(tmp_path, "page.html", page.encode("gbk"))
    assert detect_encoding(path) == "gb18030"
    assert pairs(read_lines(path)) == [(1, "北京的秋天很美(měi)。")]


def test_html_http_equiv_big5_page(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head>'
        "<body><p>關鍵</p></body></html>"
    )
    path = write(tmp_path, "page.htm", page.encode("big5"))
    # Without the declaration these four bytes would be read as GB18030 (see above).
    assert detect_encoding(path) == "cp950"
    assert pairs(read_lines(path)) == [(1, "關鍵")]


def test_meta_charset_beats_a_chance_utf8_reading(tmp_path: Path) -> None:
    # 谢谢 in GBK is D0 BB D0 BB, which is also valid UTF-8 (Cyrillic "лл").
    page = '<html><head><meta charset="gbk"></head><body><p>谢谢</p></body></html>'
    path = write(tmp_path, "page.html", page.encode("gbk"))
    assert page.encode("gbk").decode("utf-8")
    assert pairs(read_lines(path)) == [(1, "谢谢")]


def test_a_wrong_meta_charset_falls_back_to_detection(tmp_path: Path) -> None:
    page = '<html><head><meta charset="utf-8"></head><body><p>我们明天见，好吗？</p></body></html>'
    path = write(tmp_path, "page.html", page.encode("gb18030"))
    assert detect_encoding(path) == "gb18030"
    assert pairs(read_lines(path)) == [(1, "我们明天见，好吗？")]


# --- refused files -------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


@pytest.mark.parametrize(
    ("label", "name", "content", "encoding"),
    [
        ("png", "picture.txt", PNG, None),
        ("png, encoding forced", "picture.txt", PNG, "latin-1"),
        ("a few NULs in text, encoding forced", "data.txt", b"plain words here " * 40 + bytes(4), "latin-1"),
        ("control characters, no NUL", "noise.txt", bytes(range(1, 9)) * 50, None),
        ("png named .html", "picture.html", PNG, None),
    ],
)
def test_binary_data_is_refused(tmp_path: Path, label: str, name: str, content: bytes, encoding: str | None) -> None:
    path = write(tmp_path, name, content)
    assert read_error(path, encoding) == f"{path}: not a text file (binary data)"


def test_detect_encoding_refuses_binary_too(tmp_path: Path) -> None:
    path = write(tmp_path, "picture.txt", PNG)
    with pytest.raises(InputError, match="binary data"):
        detect_encoding(path)


@pytest.mark.parametrize(
    ("label", "content"),
    [
        ("zero bytes", b""),
        ("spaces and newlines", b"  \n\t\r\n  "),
        ("ideographic spaces", "\u3000\u3000\n".encode()),
        ("only a BOM", b"\xef\xbb\xbf"),
        ("utf-16 spaces", "  \n ".encode("utf-16")),
    ],
)
def test_empty_files(tmp_path: Path, label: str, content: bytes) -> None:
    path = write(tmp_path, "empty.txt", content)
    assert read_error(path) == f"{path}: the file is empty"


def test_a_large_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    # Past the detection sample, so only streaming can tell.
    path = write(tmp_path, "blank.txt", b" \n" * 200_000)
    assert read_error(path) == f"{path}: the file is empty"


def test_an_empty_html_page_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", b"<html><body><script>x()</script></body></html>")
    assert read_error(path) == f"{path}: no text found in the HTML page"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.txt"
    assert read_error(path) == f"{path}: no such file or directory"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    assert read_error(tmp_path) == f"{tmp_path}: is a directory"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", "秘密".encode())
    path.chmod(0)
    try:
        assert read_error(path) == f"{path}: permission denied"
    finally:
        path.chmod(0o600)


def test_forced_utf8_on_gb18030_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "gb.txt", "first line\n第二行是中文\n".encode("gb18030"))
    assert read_error(path, "utf-8") == f"{path}: line 2 is not valid utf-8 text (try --encoding)"


def test_a_bad_byte_far_into_the_file_fails_at_its_line(tmp_path: Path) -> None:
    # The sample (first 256 KiB) is clean UTF-8, so the error is only met while streaming.
    good = "这一行没有问题。\n" * 20_000
    path = write(tmp_path, "late.txt", good.encode() + "这一行不是".encode("gb18030") + b"\n")
    lines = read_lines(path)
    seen = 0
    with pytest.raises(InputError) as raised:
        for _ in lines:
            seen += 1
    assert str(raised.value) == f"{path}: line 20001 is not valid utf-8 text (try --encoding)"
    assert seen == 20_000


def test_a_bad_byte_in_html_names_the_line(tmp_path: Path) -> None:
    page = "<html>\n<body>\n<p>好</p>\n".encode() + b"<p>\xff</p>\n</body></html>"
    path = write(tmp_path, "page.html", page)
    assert read_error(path, "utf-8") == f"{path}: line 4 is not valid utf-8 text (try --encoding)"


# --- HTML ------------------------------------------------------------------------

HTML_CASES = [
    ("plain paragraph", "<p>我们去公园。</p>", [(1, "我们去公园。")]),
    ("ruby word", "<p><ruby>汉字<rt>hànzì</rt></ruby>很难</p>", [(1, "汉字(hànzì)很难")]),
    (
        "ruby with rp",
        "<p>学<ruby>汉字<rp>(</rp><rt>hànzì</rt><rp>)</rp></ruby>。</p>",
        [(1, "学汉字(hànzì)。")],
    ),
    (
        "per-character ruby in one element is one word",
        "<p><ruby>汉<rp>（</rp><rt>hàn</rt><rp>）</rp>字<rp>（</rp><rt>zì</rt><rp>）</rp></ruby></p>",
        [(1, "汉字(hàn zì)")],
    ),
    (
        "adjacent one-character rubies join into a dictionary word",
        "<p><ruby>汉<rt>hàn</rt></ruby><ruby>字<rt>zì</rt></ruby>好</p>",
        [(1, "汉字(hàn zì)好")],
    ),
    ("empty rt is only the base", "<p><ruby>汉字<rt></rt></ruby>好</p>", [(1, "汉字好")]),
    ("blank rt is only the base", "<p><ruby>汉字<rt> \n </rt></ruby>好</p>", [(1, "汉字好")]),
    (
        "rb elements pair with rt",
        "<p><ruby><rb>汉</rb><rb>字</rb><rt>hàn</rt><rt>zì</rt></ruby></p>",
        [(1, "汉字(hàn zì)")],
    ),
    ("parentheses in rt are stripped", "<p><ruby>汉字<rt>(hànzì)</rt></ruby></p>", [(1, "汉字(hànzì)")]),
    (
        "rtc is a second layer when rt exists",
        "<p><ruby>汉<rt>hàn</rt><rtc><rt>ㄏㄢˋ</rt></rtc></ruby></p>",
        [(1, "汉(hàn)")],
    ),
    ("rtc alone is the reading", "<p><ruby><rb>汉</rb><rtc><rt>hàn</rt></rtc></ruby></p>", [(1, "汉(hàn)")]),
    ("unclosed rp swallowing rt", "<p><ruby>汉<rp>(<rt>hàn</rt><rp>)</ruby>好</p>", [(1, "汉(hàn)好")]),
    ("ruby split over source lines", "<p>一<ruby>\n个\n<rt>gè</rt>\n</ruby>\n人</p>", [(1, "一个(gè)人")]),
    ("reading without base is dropped", "<p><ruby><rt>hàn</rt></ruby>好</p>", [(1, "好")]),
    (
        "scripts, styles, nav, comments dropped",
        "<body><nav>首页</nav><script>var s = '脚本';</script><style>p { color: red }</style>"
        "<p>正文<!-- 注释 -->内容</p><footer>版权所有</footer><aside>广告</aside>"
        "<form><input value='x'>搜索</form><noscript>请开启</noscript></body>",
        [(1, "正文内容")],
    ),
    (
        "br splits lines",
        "<p>床前明月光<br>疑是地上霜<br/><br>举头望明月</p>",
        [(1, "床前明月光"), (1, "疑是地上霜"), (1, "举头望明月")],
    ),
    (
        "unclosed tags tolerated",
        "<div>第一块<p>第二段<li>第三项<b>粗体",
        [(1, "第一块"), (1, "第二段"), (1, "第三项粗体")],
    ),
    ("no spaces between Chinese on wrapped lines", "<p>我们\n    今天\n    学习</p>", [(1, "我们今天学习")]),
    (
        "spaces between other words collapse to one",
        "<p>Hello,\n   world  and\t中文</p>",
        [(1, "Hello, world and 中文")],
    ),
    ("nbsp and ideographic space are text", "<p>甲&nbsp;乙\u3000丙</p>", [(1, "甲\xa0乙\u3000丙")]),
    ("table cells are lines", "<table><tr><td>苹果</td><td>香蕉</td></tr></table>", [(1, "苹果"), (1, "香蕉")]),
    ("pre keeps its lines", "<pre>第一行\n第二行\n\n第四行</pre>", [(1, "第一行"), (2, "第二行"), (4, "第四行")]),
    ("entities decoded", "<p>&lt;b&gt; 与 &amp;</p>", [(1, "<b> 与 &")]),
    ("no body: whole document, head dropped", "<head><title>标题</title></head><p>正文</p>", [(1, "正文")]),
]


@pytest.mark.parametrize(("label", "markup", "expected"), HTML_CASES, ids=[row[0] for row in HTML_CASES])
def test_html_blocks_and_ruby(tmp_path: Path, label: str, markup: str, expected: list[tuple[int, str]]) -> None:
    path = write(tmp_path, "page.html", markup.encode())
    assert pairs(read_lines(path)) == expected


def test_html_line_numbers_follow_the_source(tmp_path: Path) -> None:
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            "<html>",
            "<head><title>标题</title></head>",
            "<body>",
            "<nav>首页 | 新闻</nav>",
            "<h1>学习中文</h1>",
            "<p>",
            "  今天我们学习",
            "  <ruby>汉字<rt>hànzì</rt></ruby>。",
            "</p>",
            "<script>",
            '  alert("不要");',
            "</script>",
            "<p>第二段<br>",
            "换行以后</p>",
            "</body></html>",
        ]
    )
    path = write(tmp_path, "page.html", page.encode())
    assert pairs(read_lines(path)) == [
        (6, "学习中文"),
        (8, "今天我们学习汉字(hànzì)。"),
        (14, "第二段"),
        (15, "换行以后"),
    ]


def test_crlf_html_keeps_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", "<html>\r\n<body>\r\n\r\n<p>第四行</p>\r\n</body></html>".encode())
    assert pairs(read_lines(path)) == [(4, "第四行")]


@pytest.mark.parametrize(
    ("label", "content", "expected"),
    [
        ("doctype sniffed", "\n  <!DOCTYPE html><html><body><p>网页</p></body></html>", [(2, "网页")]),
        ("html tag sniffed", "<HTML><body><p>网页</p></body></HTML>", [(1, "网页")]),
        ("script in text stays text", "<script>alert(1)</script>", [(1, "<script>alert(1)</script>")]),
        ("ruby in text stays text", "正文<ruby>汉<rt>hàn</rt></ruby>", [(1, "正文<ruby>汉<rt>hàn</rt></ruby>")]),
        (
            "html later in text stays text",
            "说明：\n<html><body>不是网页</body></html>",
            [(1, "说明："), (2, "<html><body>不是网页</body></html>")],
        ),
    ],
)
def test_txt_is_html_only_when_sniffed(
    tmp_path: Path, label: str, content: str, expected: list[tuple[int, str]]
) -> None:
    path = write(tmp_path, "note.txt", content.encode())
    assert pairs(read_lines(path)) == expected


# --- directories -----------------------------------------------------------------


def test_expand_inputs_directory(tmp_path: Path) -> None:
    for name in ["b.txt", "a.md", "sub/c.html", "sub/deeper/d.htm", "e.text", "F.TXT", "skip.pdf", "skip.py",
                 ".hidden.txt", ".git/config.txt", "sub/notes.docx"]:  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("内容", encoding="utf-8")
    expected = ["F.TXT", "a.md", "b.txt", "e.text", "sub/c.html", "sub/deeper/d.htm"]
    assert expand_inputs([tmp_path]) == [tmp_path / name for name in expected]


def test_expand_inputs_keeps_argument_order_and_drops_repeats(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    for name in ["dir/x.txt", "dir/y.txt", "z.dat"]:
        (tmp_path / name).write_text("内容", encoding="utf-8")
    named = tmp_path / "z.dat"  # a named file is read whatever its suffix
    again = tmp_path / "dir" / ".." / "dir" / "y.txt"
    assert expand_inputs([named, tmp_path / "dir", again, named]) == [
        named,
        tmp_path / "dir" / "x.txt",
        tmp_path / "dir" / "y.txt",
    ]


@pytest.mark.parametrize(
    ("label", "make", "message"),
    [
        ("missing", lambda root: root / "missing", "{path}: no such file or directory"),
        (
            "no text files",
            lambda root: root,
            "{path}: no .ass, .csv, .epub, .htm, .html, .md, .srt, .ssa, .text, .tsv, .txt, .vtt files"
            " in this directory",
        ),
    ],
)
def test_expand_inputs_errors(tmp_path: Path, label: str, make: object, message: str) -> None:
    (tmp_path / "image.png").write_bytes(PNG)
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(InputError) as raised:
        expand_inputs([path])
    assert str(raised.value) == message.format(path=path)


# --- properties ----------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".txt", ".html"]))
def test_any_bytes_give_lines_or_input_error(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        try:
            lines = list(read_lines(path))
        except InputError as error:
            message = str(error)
            assert message.startswith(f"{path}: ")
            assert "\n" not in message
            return
        assert lines
        for line in lines:
            assert isinstance(line, SourceLine)
            assert line.line >= 1
            assert line.text.strip()
            assert "\n" not in line.text and "\r" not in line.text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from("学习中文汉字，。abc (ǎ) \u3000\t\n\r"), max_size=200))
def test_utf8_text_reads_back_line_for_line(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.txt"
        path.write_bytes(text.encode("utf-8"))
        normalised = text.replace("\r\n", "\n").replace("\r", "\n")
        expected = expected_lines(normalised)
        if not expected:
            with pytest.raises(InputError, match="the file is empty"):
                list(read_lines(path))
        else:
            assert pairs(read_lines(path)) == expected


# --- memory --------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-8", "gb18030"])
def test_a_30_mb_file_streams_in_bounded_memory(tmp_path: Path, codec: str) -> None:
    import charset_normalizer  # imported up front so the module itself is not counted

    assert charset_normalizer
    line = "每天学习一点中文，慢慢就会进步(jìnbù)。" * 12 + "\n"
    block = (line * 500).encode(codec)
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        while handle.tell() < 30 * 1024 * 1024:
            handle.write(block)
    expected_count = path.stat().st_size // len(line.encode(codec))
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_lines(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == expected_count
    assert peak < 20 * 1024 * 1024


def test_a_share_starts_at_its_offset_without_decoding_the_lines_before(tmp_path: Path) -> None:
    # read_lines(start, offset) begins where shares() found its first line: a bad byte before it is another share's
    # to report, and the lines it gives keep their numbers.  Each share reading the file from the top was quadratic.
    from deckgen.read import read_lines

    path = tmp_path / "book.txt"
    lines = ["第一行", "坏\udcff字", "", "第四行", "第五行", "", "第七行"]
    path.write_bytes("\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n")
    fourth = len("\r\n".join(lines[:3]).encode("utf-8", "surrogateescape")) + 2
    expected = [(4, "第四行"), (5, "第五行"), (7, "第七行")]
    assert [(s.line, s.text) for s in read_lines(path, "utf-8", 4, fourth)] == expected
    with pytest.raises(InputError, match="line 2 is not valid utf-8"):
        list(read_lines(path, "utf-8"))
    with pytest.raises(InputError, match="line 2 is not valid utf-8"):
        list(read_lines(path, "utf-8", 4))  # without its offset, a share reads from the top
    # Blank lines at the end of a file with text before them are no empty file; a file of blank lines is.
    tail = tmp_path / "tail.txt"
    tail.write_text("第一行\n" + "\n" * 5 + "  \n", encoding="utf-8")
    assert list(read_lines(tail, "utf-8", 3, len("第一行\n\n".encode()))) == []
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b" \n" * 300_000)
    with pytest.raises(InputError, match="empty"):
        list(read_lines(blank, "utf-8", 200_000, 2 * 199_999))
