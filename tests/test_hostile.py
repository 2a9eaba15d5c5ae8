"""Issue 10, "nothing lost, nothing hangs": hostile inputs and outputs, each at a size that runs in seconds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from deckgen.build import BuildOptions, build, write
from deckgen.cli import app
from deckgen.library import Library

from .conftest import EXAMPLE

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
