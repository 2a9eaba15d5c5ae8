"""Issue 10, "nothing lost, nothing hangs": hostile inputs and outputs, each at a size that runs in seconds."""

from __future__ import annotations

import errno
import html
import json
import os
import re
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deckgen import ankifile, known, package
from deckgen.build import BuildOptions, build
from deckgen.cli import app
from deckgen.encoding import detect_encoding
from deckgen.library import Library
from deckgen.minefiles import mine_file
from deckgen.output import write

from .apkg import read_notes
from .conftest import EXAMPLE, anki_collection, import_apkg

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def library_words(path: Path) -> list[str]:
    if not path.exists():
        return []
    with Library.open(path) as opened:
        return [row.hanzi for row in opened.words()]


# --- 1. the library is written only with the output ---------------------------------------------------


def test_strict_failure_records_nothing(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    result = run("build", str(EXAMPLE), "--strict", "--library", str(library), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 1 and "--strict: nothing written" in result.output
    assert library_words(library) == []
    # The words still reach Anki on the next, successful build.
    result = run("build", str(EXAMPLE), "--library", str(library), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 0 and "21 new words, 0 already known" in result.stdout
    assert len(library_words(library)) == 21


def test_output_error_records_nothing(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("build", str(EXAMPLE), "--library", str(library), "-o", str(blocker / "d.apkg"))
    assert result.exit_code == 3 and len(result.output.strip().splitlines()) == 1
    assert library_words(library) == []


def test_build_alone_only_reads_the_library(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    result = build([EXAMPLE], BuildOptions(library=library))
    assert library_words(library) == []
    write(result, tmp_path / "d.apkg", "D")
    with Library.open(library) as opened:
        rows = opened.words()
    assert len(rows) == 21 and all(row.exported_at is not None for row in rows)


# --- 7. memory and the library follow distinct words -------------------------------------------------


def test_one_word_met_often_keeps_a_few_sentences(tmp_path: Path) -> None:
    article = tmp_path / "many.txt"
    article.write_text("".join(f"第{n}次关键(guānjiàn)。\n" for n in range(3000)), encoding="utf-8")
    library = tmp_path / "lib.sqlite3"
    result = build([article], BuildOptions(library=library))
    assert sum(len(s) for s in result.articles.values()) == 4
    write(result, tmp_path / "d.apkg", "D")
    with sqlite3.connect(library) as conn:
        assert conn.execute("SELECT COUNT(*) FROM occurrences").fetchone()[0] == 4
    [row] = library_words(library)
    assert row == "关键"


# --- 2. linear time: one long line costs what the same text in lines costs ----------------------------

HTML_SUFFIX = {"sibling-ruby", "nested-ruby"}
LONG_LINES = [
    # (label, the text as one line, the same text split into lines), for n repetitions
    (
        "many annotations",
        lambda n: "我们的关键(guānjiàn)节点(jiédiǎn)在这里" * n,
        lambda n: "我们的关键(guānjiàn)节点(jiédiǎn)在这里。\n" * n,
    ),
    ("one hanzi run", lambda n: "字" * (20 * n) + "[zì]", lambda n: ("字" * 19 + "。\n") * n + "字[zì]"),
    (
        "sibling-ruby",
        lambda n: "<p>" + "<ruby>字<rt>zì</rt></ruby>" * n,
        lambda n: "<ruby>字<rt>zì</rt></ruby><br>\n" * n,
    ),
    (
        "nested-ruby",
        lambda n: "<p>" + "<ruby>字" * n + "<rt>zì</rt>" + "</ruby>" * n,
        lambda n: "<ruby>字<rt>zì</rt></ruby><br>\n" * n,
    ),
    (
        "unclosed brackets",
        lambda n: "（" * n + "关键(guānjiàn)" + "》" * n,
        lambda n: "（\n" * n + "关键(guānjiàn)\n" + "》\n" * n,
    ),
    ("spaced readings", lambda n: "生卒 (zú)" * n, lambda n: "生卒 (zú)\n" * n),
    ("one long clause", lambda n: "关键(guānjiàn)的" * n + "。", lambda n: "关键(guānjiàn)的。\n" * n),
    ("many clauses", lambda n: "关键(guānjiàn)，" * n + "。", lambda n: "关键(guānjiàn)。\n" * n),
    ("bylines", lambda n: "(来源:新华社)关键(guānjiàn)" * n, lambda n: "(来源:新华社)关键(guānjiàn)\n" * n),
    (
        "nested brackets",
        lambda n: "(" * n + "关键(guānjiàn)" + ")" * n,
        lambda n: "(\n" * n + "关键(guānjiàn)\n" + ")\n" * n,
    ),
]


def _seconds(action) -> float:  # type: ignore[no-untyped-def]
    """The best of two runs: a ratio of two single runs on a busy machine is noise."""
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def _at_most_thrice(one_line: float, split: float) -> None:
    # The split text's time (never below a tenth of a second, where timer noise rules) times three.
    assert one_line <= 3 * max(split, 0.1), f"one line {one_line:.2f} s, split {split:.2f} s"


@pytest.mark.parametrize(("label", "one_line", "split"), LONG_LINES, ids=[row[0] for row in LONG_LINES])
def test_a_long_line_costs_what_its_lines_cost(tmp_path: Path, label: str, one_line, split) -> None:  # type: ignore[no-untyped-def]
    suffix = ".html" if label in HTML_SUFFIX else ".txt"
    n = 1200
    one, lines = tmp_path / f"one{suffix}", tmp_path / f"lines{suffix}"
    one.write_text(one_line(n) + "\n", encoding="utf-8")
    lines.write_text(split(n), encoding="utf-8")
    mine_file(lines, None, 4, True)  # warm up jieba and the caches
    _at_most_thrice(_seconds(lambda: mine_file(one, None, 4, True)), _seconds(lambda: mine_file(lines, None, 4, True)))


@pytest.mark.parametrize("unit", ["<rt>", "[sound:", "<rt ", "<", "[", "<rp>汉</rt>"])
def test_a_long_known_line_costs_what_its_lines_cost(tmp_path: Path, unit: str) -> None:
    one, lines = tmp_path / "one.txt", tmp_path / "lines.txt"
    one.write_text(unit * 60_000 + "\n", encoding="utf-8")
    lines.write_text((unit * 100 + "\n") * 600, encoding="utf-8")
    _at_most_thrice(_seconds(lambda: known.words_from_file(one)), _seconds(lambda: known.words_from_file(lines)))


# --- 4. outputs never destroy what they must not ---------------------------------------------------


def one_line_error(result, code: int) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deckgen: error: "), result.output
    return lines[0]


def test_output_over_an_input_the_library_or_a_known_file_is_refused(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(EXAMPLE.read_bytes())
    known = tmp_path / "known.txt"
    known.write_text("关键\n", encoding="utf-8")
    library = tmp_path / "lib.sqlite3"
    run("build", str(article), "--library", str(library), "-o", str(tmp_path / "first.apkg"))
    before = {p: p.read_bytes() for p in (article, known, library)}
    for target in (article, library, known, tmp_path / "." / "article.txt"):
        result = run(
            "build", str(article), "--library", str(library), "--known", str(known), "--all", "-o", str(target)
        )
        assert "refusing to write" in one_line_error(result, 3)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize("kind", ["char device", "fifo", "proc fd link"])
def test_output_to_a_special_file_is_refused(tmp_path: Path, kind: str) -> None:
    if kind == "char device":
        target = Path("/dev/null")
    elif kind == "fifo":
        target = tmp_path / "fifo"
        os.mkfifo(target)
    else:
        target = tmp_path / "link.apkg"
        target.symlink_to("/proc/self/fd/1")
    result = run("build", str(EXAMPLE), "--no-library", "-o", str(target))
    assert f"{target}: is not a regular file" in one_line_error(result, 3)


def test_dash_writes_tsv_and_json_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build", str(EXAMPLE), "--no-library", "--format", "tsv", "-o", "-")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 21 and all(line.count("\t") == 10 for line in lines)
    assert "21 notes written to -" in result.stderr and not (tmp_path / "-").exists()
    result = run("build", str(EXAMPLE), "--no-library", "--format", "json", "-o", "-")
    assert len(json.loads(result.stdout)) == 21
    assert "needs --format tsv or json" in one_line_error(run("build", str(EXAMPLE), "-o", "-"), 1)


def test_deck_per_source_with_one_file_name_twice_writes_two_files(tmp_path: Path) -> None:
    for folder, text in (("a", "我们的关键(guānjiàn)节点。\n"), ("b", "我们学习汉字(hànzì)。\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run(
        "build", str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt"), "--deck-per-source", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    decks = sorted(out.iterdir())
    assert len(decks) == 2
    assert sorted(note["Hanzi"] for deck in decks for note in read_notes(deck)) == ["关键", "汉字"]


def test_output_takes_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        for fmt in ("apkg", "tsv"):
            target = tmp_path / f"d.{fmt}"
            assert run("build", str(EXAMPLE), "--no-library", "--format", fmt, "-o", str(target)).exit_code == 0
            assert stat.S_IMODE(target.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def _terminated_inside(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, check: Callable[[], None], args: list[str]
) -> int:
    """Run ``deckgen ARGS`` with *module.name* replaced by: *check*, then SIGTERM to this process; the exit code.

    A failing *check* raises inside the build, which then exits 1, not 128 + SIGTERM.
    """

    def killed(*_: object) -> None:
        check()
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(module, name, killed)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        return runner.invoke(app, args).exit_code
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_sigterm_leaves_no_temporary_file_and_stale_ones_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "d.apkg"
    target.write_bytes(b"the previous deck")
    stale = tmp_path / ".d.apkg.999999999.x1y2.part"  # no such process: a killed run's leftover
    stale.write_bytes(b"half")
    (tmp_path / ".d.apkg.999999999.x1y2.part.anki2").write_bytes(b"half")

    def check() -> None:
        assert not stale.exists()  # cleaned before this run writes

    args = ["build", str(EXAMPLE), "--no-library", "-o", str(target)]
    assert _terminated_inside(monkeypatch, package, "_write_collection", check, args) == 128 + signal.SIGTERM
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert target.read_bytes() == b"the previous deck"


# --- 6. a full disk or a file-size limit: one line, exit 3, the old deck intact -------------------------


@pytest.mark.parametrize(
    "failure",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        sqlite3.OperationalError("database or disk is full"),
    ],
    ids=["ENOSPC", "EDQUOT", "sqlite full"],
)
def test_full_disk_is_one_line_and_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception) -> None:
    target = tmp_path / "d.apkg"
    target.write_bytes(b"the previous deck")
    library = tmp_path / "lib.sqlite3"

    def full(*args: object) -> None:
        raise failure

    monkeypatch.setattr(package, "_write_collection", full)
    line = one_line_error(run("build", str(EXAMPLE), "--library", str(library), "-o", str(target)), 3)
    assert line.startswith(f"deckgen: error: {target}: cannot write the deck (")
    assert target.read_bytes() == b"the previous deck"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert library_words(library) == []


def test_file_size_limit_is_one_line_and_exit_3(tmp_path: Path) -> None:
    target = tmp_path / "d.apkg"
    target.write_bytes(b"the previous deck")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run(
        [sys.executable, "-m", "deckgen", "build", str(EXAMPLE), "--no-library", "-o", str(target)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        # A cold cache too: its indexes cannot be written under the limit either, and are kept in memory instead.
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "DECKGEN_CACHE_DIR": str(tmp_path / "cache")},
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith(f"deckgen: error: {target}: cannot write the deck (")
    assert len(done.stderr.strip().splitlines()) == 1
    assert target.read_bytes() == b"the previous deck"


# --- 3. bounded reads of --known --------------------------------------------------------------------


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    """A real .apkg of the example article, to read as --known."""
    return write(build([EXAMPLE]), tmp_path / "known.apkg", "Known")


@pytest.mark.parametrize("kind", ["fifo", "char device"])
def test_special_files_are_refused_as_input_and_known(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        special = tmp_path / "fifo"
        os.mkfifo(special)
    else:
        special = Path("/dev/zero")
    line = one_line_error(run("build", str(EXAMPLE), "--no-library", "--known", str(special)), 2)
    assert line == f"deckgen: error: {special}: not a regular file (a device, FIFO or socket)"
    line = one_line_error(run("build", str(special), "--no-library"), 2)
    assert line == f"deckgen: error: {special}: not a regular file (a device, FIFO or socket)"


def test_known_package_over_the_size_cap_is_refused(
    tmp_path: Path, deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "书架" in known.words_from_file(deck)
    monkeypatch.setattr(ankifile, "MAX_BYTES", 4096)
    line = one_line_error(run("build", str(EXAMPLE), "--no-library", "--known", str(deck)), 2)
    assert line == f"deckgen: error: {deck}: the collection inside is larger than 4 KB; refusing to read it"


def test_known_zstd_collection_over_the_size_cap_is_refused(
    tmp_path: Path, deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zstandard

    with zipfile.ZipFile(deck) as archive:
        collection = archive.read("collection.anki2")
    compressed = tmp_path / "collection.anki21b"
    compressed.write_bytes(zstandard.ZstdCompressor().compress(collection))  # no content size in the frame header
    bomb = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(bomb, "w") as archive:
        archive.writestr("collection.anki21b", compressed.read_bytes())
    assert "书架" in known.words_from_file(bomb)
    cap = 2 * compressed.stat().st_size  # the compressed data fits, what it unpacks to does not
    assert cap < len(collection)
    monkeypatch.setattr(ankifile, "MAX_BYTES", cap)
    for path in (compressed, bomb):
        line = one_line_error(run("build", str(EXAMPLE), "--no-library", "--known", str(path)), 2)
        assert line.startswith(f"deckgen: error: {path}: the decompressed collection is larger than ")


def test_known_package_with_too_many_members_is_refused(
    tmp_path: Path, deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = tmp_path / "many.apkg"
    with zipfile.ZipFile(deck) as source, zipfile.ZipFile(many, "w") as archive:
        archive.writestr("collection.anki2", source.read("collection.anki2"))
        for n in range(20):
            archive.writestr(str(n), b"")
    monkeypatch.setattr(ankifile, "MAX_MEMBERS", 10)
    line = one_line_error(run("build", str(EXAMPLE), "--no-library", "--known", str(many)), 2)
    assert line == f"deckgen: error: {many}: holds 21 files, more than 10; refusing to read it"


def test_sigterm_removes_the_known_temporary_folder(
    tmp_path: Path, deck: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))

    def check() -> None:
        assert [p.name for p in temporary.iterdir()] != []  # the unpacked collection is there

    args = ["build", str(EXAMPLE), "--no-library", "--known", str(deck)]
    assert _terminated_inside(monkeypatch, ankifile, "read_database", check, args) == 128 + signal.SIGTERM
    assert list(temporary.iterdir()) == []


# --- 5. Anki markup from article text is inert --------------------------------------------------------

HOSTILE_SENTENCE = "[sound:x.mp3]关键(guānjiàn)[anki:tts lang=zh_CN]坏话[/anki:tts]{{c1::秘密}}。"


def test_anki_markup_in_articles_plays_nothing(tmp_path: Path) -> None:
    pytest.importorskip("anki.collection", reason="the anki package (test extra) is needed for import tests")
    from anki.sound import SoundOrVideoTag, TTSTag

    article = tmp_path / "[sound:y.mp3]{{c1::z}}.txt"
    article.write_text(HOSTILE_SENTENCE + "\n后来又见到关键(guānjiàn)[SOUND:z.mp3]。\n", encoding="utf-8")
    options = BuildOptions(cards=("recognition", "recall", "listening", "sentence"), library=None, export_all=True)
    apkg = write(build([article], options), tmp_path / "d.apkg", "D")
    with anki_collection(tmp_path / "c.anki2") as col:
        import_apkg(col, apkg)
        [note] = [col.get_note(nid) for nid in col.find_notes("")]
        assert "[sound:" not in note["Sentence"] and "{{" not in note["Sentence"]
        cards = note.cards()
        assert len(cards) == 4
        for card in cards:
            tags = card.question_av_tags() + card.answer_av_tags()
            assert tags and not [tag for tag in tags if isinstance(tag, SoundOrVideoTag)]
            assert all(isinstance(tag, TTSTag) and tag.lang == "zh_CN" for tag in tags)
            assert not [tag for tag in tags if tag.field_text.strip() == "坏话"]
            shown = html.unescape(re.sub("<[^>]+>", "", card.answer()))
            assert "[sound:x.mp3]关键[anki:tts lang=zh_CN]坏话[/anki:tts]{{c1::秘密}}" in shown  # the text, as written


def test_tsv_cells_do_not_start_formulas(tmp_path: Path) -> None:
    article = tmp_path / "=cmd.txt"
    article.write_text("=1+1 关键(guānjiàn)的[sound:x.mp3]。\n@SUM 节点(jiédiǎn)。\n", encoding="utf-8")
    path = write(build([article], BuildOptions(library=None)), tmp_path / "d.tsv", "D", "tsv")
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell and cell[0] in "=+-@"]
    assert "'=1+1 关键的[\u2060sound:x.mp3]。" in cells and "'@SUM 节点。" in cells and "'=cmd" in cells


# --- 8. smaller hostile inputs ---------------------------------------------------------------------------


def test_quoted_glob_through_symlink_loops_finishes(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "sub" / "b.txt").write_text("我们的关键(guānjiàn)节点。\n", encoding="utf-8")
    for name in ("up1", "up2", "up3"):  # glob.glob followed each: 3**40 paths
        (tmp_path / "sub" / name).symlink_to("..")
    (tmp_path / "self").symlink_to(".")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "deckgen",
            "build",
            f"{tmp_path}/**/*.txt",
            "--no-library",
            "-o",
            str(tmp_path / "d.apkg"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2 file(s) read")


def test_unreadable_paths_are_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    cases = [
        (loop, "cannot read (Too many levels of symbolic links)"),
        (EXAMPLE / "x.txt", "no such file or directory"),
        (tmp_path / ("a" * 300 + ".txt"), "cannot read (File name too long)"),
    ]
    for path, reason in cases:
        assert one_line_error(run("build", str(path), "--no-library"), 2) == f"deckgen: error: {path}: {reason}"
        line = one_line_error(run("build", str(EXAMPLE), "--no-library", "--known", str(path)), 2)
        assert line.startswith(f"deckgen: error: {path}: ")


def test_nul_bytes_never_reach_a_field(tmp_path: Path) -> None:
    wide = tmp_path / "wide.txt"  # UTF-16 may hold U+0000; a UTF-8 file holds one after the sniffed sample
    wide.write_bytes("我们的关\x00键(guānjiàn)节\x00点。\n".encode("utf-16"))
    late = tmp_path / "late.txt"
    late.write_bytes("我们好。\n".encode() * 30_000 + "学\x00习汉字(hànzì)。\n".encode())
    for path in (wide, late):
        notes = build([path], BuildOptions(library=None)).notes
        assert notes and not [field for note in notes for field in note.fields if "\x00" in field]


def test_words_in_a_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = tmp_path / "lib" / "library.sqlite3"
    assert run("build", str(EXAMPLE), "--library", str(library), "-o", str(tmp_path / "d.apkg")).exit_code == 0
    folder_before = sorted(p.name for p in library.parent.iterdir())
    monkeypatch.setattr(
        os, "access", lambda path, mode, **kw: False
    )  # as a read-only mount answers (root ignores modes)
    result = run("words", "--library", str(library))
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 22
    assert sorted(p.name for p in library.parent.iterdir()) == folder_before
    assert run("stats", "--library", str(library)).exit_code == 0
    missing = tmp_path / "none" / "library.sqlite3"
    assert run("words", "--library", str(missing)).exit_code == 0 and not missing.parent.exists()


@pytest.mark.parametrize("text", ["关键(guānjiàn)", "中国(Zhōngguó)", "电脑(diànnǎo)", "时间(shíjiān)"])
def test_short_gb18030_is_not_big5(tmp_path: Path, text: str) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes(text.encode("gb18030"))
    assert detect_encoding(path) == "gb18030"


def test_paths_the_access_check_calls_unreadable_get_no_help_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known_file = tmp_path / "known.txt"
    known_file.write_text("关键\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False)  # what typer's readable check asks
    args = ["--known", str(known_file), "--library", str(tmp_path / "l.sqlite3"), "--report", str(tmp_path / "r.json")]
    result = run("build", str(EXAMPLE), *args, "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 0 and "Usage:" not in result.output, result.output
    line = one_line_error(run("build", str(missing), *args), 2)
    assert line == f"deckgen: error: {missing}: no such file or directory"


def test_many_br_lines_parse_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """BeautifulSoup's html.parser builder keeps each ``<br>`` written without a slash in a list it searches at
    every end tag (100,000 ruby lines took 205 s); the parser must only ever see ``<br/>``."""
    import bs4

    from deckgen.webpage import html_lines

    seen: list[str] = []
    parse = bs4.BeautifulSoup

    def recording(markup: str, *args: object, **kwargs: object) -> bs4.BeautifulSoup:
        seen.append(markup)
        return parse(markup, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bs4, "BeautifulSoup", recording)
    page = "<p>一<BR>二<br class='x'>三<hr>四<img src='a.png'></p>" + "<ruby>字<rt>zì</rt></ruby><br>\n" * 3
    lines = [line.text for line in html_lines(page)]
    assert lines[:4] == ["一", "二", "三", "四"] and len(lines) == 7
    assert seen and not re.search(r"<(br|hr|img)\b[^>]*(?<!/)>", seen[0], re.IGNORECASE)


def test_preview_over_its_input_is_refused(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(EXAMPLE.read_bytes())
    assert "refusing to write the preview" in one_line_error(run("preview", str(article), "-o", str(article)), 3)
    assert article.read_bytes() == EXAMPLE.read_bytes()


def test_day_old_temporary_files_without_a_pid_are_removed(tmp_path: Path) -> None:
    old, fresh = tmp_path / ".d.apkg.k2x9.part", tmp_path / ".d.apkg.q7w1.part"
    for path in (old, fresh):
        path.write_bytes(b"half")
    os.utime(old, (time.time() - 2 * 86_400,) * 2)
    assert run("build", str(EXAMPLE), "--no-library", "-o", str(tmp_path / "d.apkg")).exit_code == 0
    assert not old.exists() and fresh.exists()  # a fresh one may belong to a running build of an older deckgen


def test_epub_bounded_like_known_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from .test_readers import DATA, make_epub

    book = make_epub(DATA / "book", tmp_path / "book.epub")
    assert run("build", str(book), "--no-library", "-o", str(tmp_path / "ok.apkg")).exit_code == 0
    monkeypatch.setattr(ankifile, "MAX_BYTES", 64)
    line = one_line_error(run("build", str(book), "--no-library", "-o", str(tmp_path / "d.apkg")), 2)
    assert line.startswith(f"deckgen: error: {book}: the book's text is larger than 64 bytes")
    monkeypatch.setattr(ankifile, "MAX_MEMBERS", 2)
    line = one_line_error(run("build", str(book), "--no-library", "-o", str(tmp_path / "d.apkg")), 2)
    assert "more than 2; refusing to read it" in line
