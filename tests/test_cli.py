"""The command line, through typer's CliRunner and a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from deckgen import __version__
from deckgen.cli import app

from .apkg import read_notes
from .conftest import EXAMPLE

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"deckgen {__version__}"


@pytest.mark.parametrize("command", [[], *[[name] for name in typer.main.get_command(app).commands]])
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout and len(result.stdout.splitlines()) > 3


def test_build_summary_and_default_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build", str(EXAMPLE), "--deck", "My Reading")
    assert result.exit_code == 0, result.output
    out = tmp_path / "output" / "my-reading.apkg"
    assert out.is_file() and len(read_notes(out)) == 21
    assert "44 annotations found, 0 skipped; 21 notes written to output/my-reading.apkg" in result.stdout
    assert "deckgen::check" not in result.stdout  # 借还 is a new word, not a doubt
    assert "1 span(s) left out as probably not words: 之光" in result.stdout
    assert "之光 is not a word: 之 is a particle at its start, 光照 crosses its end; left out" in result.stdout
    assert f"{EXAMPLE}:7: 人次: 万 belongs to the number before it; repaired" in result.stdout


def test_output_option(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "deck.apkg"
    result = run("build", str(EXAMPLE), "-o", str(target))
    assert result.exit_code == 0 and target.is_file()


def test_no_annotations(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("今天天气很好。我们去公园散步。\n", encoding="utf-8")
    result = run("build", str(plain), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"deckgen: error: {plain}: no pinyin annotations found (supported styles: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "d.apkg").exists()


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores permission bits: a path under a regular file cannot be created by anyone.
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = blocker / "deck.apkg"
    else:  # pragma: no cover
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "deck.apkg"
    result = run("build", str(EXAMPLE), "-o", str(target))
    assert result.exit_code == 3
    assert result.stderr.startswith("deckgen: error: ") and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_failed_build_leaves_previous_deck(tmp_path: Path) -> None:
    target = tmp_path / "deck.apkg"
    assert run("build", str(EXAMPLE), "-o", str(target)).exit_code == 0
    before = target.read_bytes()
    plain = tmp_path / "plain.txt"
    plain.write_text("没有注音。", encoding="utf-8")
    assert run("build", str(plain), "-o", str(target)).exit_code != 0
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    result = run("build", str(EXAMPLE), "-o", str(tmp_path / "d.apkg"), "--strict")
    assert result.exit_code == 1 and "--strict" in result.stderr
    assert not (tmp_path / "d.apkg").exists()


def test_bad_card_type(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(EXAMPLE), "--cards", "recognition,cloze"])
    assert result.exit_code == 2 and "unknown card type 'cloze'" in result.output


def test_python_m_deckgen_and_help_is_lean() -> None:
    """``python -m deckgen --help`` works and imports neither jieba, pypinyin, genanki nor rich (help is plain)."""
    code = (
        "import sys, runpy; sys.argv=['deckgen','--help']\n"
        "try:\n    runpy.run_module('deckgen', run_name='__main__')\nexcept SystemExit: pass\n"
        "heavy=[m for m in ('jieba','pypinyin','genanki','anki','opencc','rich') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage:" in proc.stdout
    assert "HEAVY []" in proc.stdout


def test_output_folder_gets_the_default_name(tmp_path: Path) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    result = run("build", str(EXAMPLE), "-o", str(folder), "--deck", "Lib")
    assert result.exit_code == 0, result.output
    assert (folder / "lib.apkg").is_file()


def test_progress_is_reported_per_file(tmp_path: Path) -> None:
    from deckgen.build import build

    paths = []
    for i in range(5):
        path = tmp_path / f"a{i}.txt"
        path.write_text(f"第{i}篇：关键(guānjiàn)。", encoding="utf-8")
        paths.append(path)
    seen: list[tuple[str, int, int]] = []
    build(paths, progress=lambda path, index, count: seen.append((path.name, index, count)))
    assert seen == [(f"a{i}.txt", i, 5) for i in range(5)]
    assert run("build", *map(str, paths), "-o", str(tmp_path / "d.apkg")).exit_code == 0


def test_unsure_spans_left_out_listed_and_kept_on_request(tmp_path: Path) -> None:
    """之光 is not a word: not a card by default, listed with its sentence in the summary and the report."""
    import json

    report = tmp_path / "report.json"
    out = tmp_path / "default.apkg"
    result = run("build", str(EXAMPLE), "--no-library", "-o", str(out), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "之光" not in {n["Hanzi"] for n in read_notes(out)}
    unsure = [n for n in json.loads(report.read_text(encoding="utf-8"))["notices"] if n["kind"] == "unsure"]
    assert [n["line"] for n in unsure] == [7]  # the article pasted twice warns once
    assert "让阅读之光照亮更多家庭" in unsure[0]["message"]
    kept = tmp_path / "kept.apkg"
    result = run("build", str(EXAMPLE), "--no-library", "-o", str(kept), "--keep-unsure")
    assert result.exit_code == 0, result.output
    note = next(n for n in read_notes(kept) if n["Hanzi"] == "之光")
    assert {"deckgen::unsure", "deckgen::check"} <= set(note["tags"])  # type: ignore[arg-type]
    assert "tagged deckgen::check: 之光" in result.stdout and "left out" not in result.stdout.splitlines()[1]


def test_smoke_a_real_process_builds_a_deck(tmp_path: Path) -> None:
    """The one build in a real interpreter: entry point, exit code and streams as a user sees them."""
    out = tmp_path / "smoke.apkg"
    proc = subprocess.run(
        [sys.executable, "-m", "deckgen", "build", str(EXAMPLE), "--no-library", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "21 notes written to" in proc.stdout and proc.stderr == ""
    assert len(read_notes(out)) == 21


def test_nothing_new_writes_no_file_and_says_so(tmp_path: Path) -> None:
    """A second article with only words the library knows: no deck written, the old one untouched, said plainly."""
    library = str(tmp_path / "lib.sqlite3")
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("第一篇：关键(guānjiàn)。\n", encoding="utf-8")
    second.write_text("第二篇：关键(guānjiàn)。\n", encoding="utf-8")
    target = tmp_path / "deck.apkg"
    assert run("build", str(first), "--library", library, "-o", str(target)).exit_code == 0
    before = target.read_bytes()
    result = run("build", str(second), "--library", library, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "1 file(s) read: 1 annotations found, 0 skipped; nothing new: no file written",
        "read as: two.txt (inline)",
        "0 new words, 1 already known, 0 filtered out",
    ]
    assert target.read_bytes() == before
    other = tmp_path / "other.apkg"
    assert run("build", str(second), "--library", library, "-o", str(other)).exit_code == 0
    assert not other.exists()


def test_file_level_warning_names_the_file_once(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run("build", str(EXAMPLE), str(empty), "--no-library", "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 1  # a file was skipped
    warnings = result.stdout.split("warning(s):\n")[1].splitlines()
    assert f"  {empty}: the file is empty" in warnings
    assert [line for line in warnings if str(empty) in line] == [f"  {empty}: the file is empty"]
    assert f"  {EXAMPLE}:7: 人次: 万 belongs to the number before it; repaired" in warnings


def test_everything_filtered_writes_no_file_and_says_so(tmp_path: Path) -> None:
    article = tmp_path / "one.txt"
    article.write_text("第一篇：关键(guānjiàn)。\n", encoding="utf-8")
    target = tmp_path / "deck.apkg"
    result = run("build", str(article), "--no-library", "--skip-hsk", "7", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "1 file(s) read: 1 annotations found, 0 skipped; no words left to export: no file written"
    )
    assert not target.exists()
