"""Smoke test of ``benchmarks/bench.py``: its generator is reproducible, and a pyperf measure runs and reads back.

A benchmark run takes minutes, so this imports the script as a module and runs its parts on tiny inputs.
A generator that drifted (another seed, another annotation rate) would make every later comparison of
numbers meaningless, so the corpus is checked; the measuring is pyperf's, so only its wiring is.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
ANNOTATION = re.compile(r"\(([^()]*)\)")
SMALL = 30_000  # bytes: about 5,000 words


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deckgen_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_docstring_examples(bench: ModuleType) -> None:
    # pytest's --doctest-modules covers deckgen/ only; run the script's examples here.
    assert doctest.testmod(bench).failed == 0


def test_corpus_is_reproducible_and_annotated_one_word_in_twelve(bench: ModuleType, tmp_path: Path) -> None:
    lexicon = bench.load_lexicon()
    corpus, made = bench.ensure_corpus(tmp_path / "a", SMALL, 7, lambda: lexicon)
    again, _ = bench.ensure_corpus(tmp_path / "b", SMALL, 7, lambda: lexicon)
    other, _ = bench.ensure_corpus(tmp_path / "c", SMALL, 8, lambda: lexicon)
    assert made and again.path.read_bytes() == corpus.path.read_bytes() != other.path.read_bytes()
    text = corpus.path.read_text(encoding="utf-8")
    assert len(text.encode()) == corpus.stats.bytes >= SMALL
    assert ANNOTATION.sub("", text) == corpus.clean_path.read_text(encoding="utf-8")
    assert len(ANNOTATION.findall(text)) == corpus.stats.annotations
    assert abs(corpus.stats.annotations / corpus.stats.words - 1 / 12) < 0.02
    assert bench.ensure_corpus(tmp_path / "a", SMALL, 7, lambda: lexicon)[1] is False  # cached


def test_pyperf_measure_alternates_and_reads_back(bench: ModuleType, tmp_path: Path) -> None:
    pyperf = bench.Pyperf(tmp_path / "pyperf.json", bench.child_env(tmp_path), tmp_path)
    quick = [sys.executable, "-c", "pass"]
    big = [sys.executable, "-c", "b = bytearray(60_000_000)"]
    pyperf.alternate([("quick", quick), ("big", big)], rounds=2, values=2)
    measured, large = pyperf.read("quick"), pyperf.read("big")
    assert len(measured.values) == 4 and all(0 < v < 5 for v in measured.values)
    assert len(large.rss_mb) == 2 and min(large.rss_mb) > 60 > max(measured.rss_mb)
    with pytest.raises(bench.MeasureError, match="fails"):
        pyperf.command("fails", [sys.executable, "-c", "raise SystemExit(3)"], values=1)


def test_tree_peak_rss_sums_a_command_and_its_children(bench: ModuleType, tmp_path: Path) -> None:
    child = "import time; b = bytearray(80_000_000); time.sleep(0.6)"
    parent = f"import subprocess, sys; a = bytearray(50_000_000); subprocess.run([sys.executable, '-c', {child!r}])"
    total = bench.tree_peak_rss([sys.executable, "-c", parent], bench.child_env(tmp_path), tmp_path)
    assert total > 130  # MB: both processes at once, which pyperf's largest-process figure would not show


def test_a_process_ending_while_its_tree_is_listed_is_no_error(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /proc/PID/task can vanish between pathlib's check that it is a folder and its listing (a flaky failure seen
    # in a fresh venv): that process simply has no children any more.
    def vanished(self: Path, pattern: str) -> list[Path]:
        raise FileNotFoundError(2, "No such file or directory", str(self))

    monkeypatch.setattr(Path, "glob", vanished)
    assert bench._tree(4242) == [4242]


def test_deckgen_is_measured_from_bytecode(bench: ModuleType) -> None:
    # The benchmark compiles deckgen as pip compiled jieba and pypinyin: a bytecode file for every module.
    import deckgen.build

    cached = Path(importlib.util.cache_from_source(deckgen.build.__file__))
    cached.unlink(missing_ok=True)
    assert bench.compile_bytecode()
    assert cached.is_file()
