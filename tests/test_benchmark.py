"""The benchmark's own logic: the synthetic corpus, the child-process measurement, the targets, the table.

A benchmark run takes minutes, so these tests import ``benchmarks/bench.py`` as a module and check its
parts on tiny inputs.  A generator that drifted (another seed, another annotation rate, annotations that
do not parse) would make every later comparison of numbers meaningless, so it is checked closely.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
HANZI = re.compile(r"[\u4e00-\u9fff]")
ANNOTATION = re.compile(r"\(([^()]*)\)")
SMALL = 60_000  # bytes: about 10,000 words


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deckgen_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def lexicon(bench: ModuleType):  # type: ignore[no-untyped-def]
    return bench.load_lexicon()


@pytest.fixture(scope="module")
def small(bench: ModuleType, lexicon, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    corpus, made = bench.ensure_corpus(tmp_path_factory.mktemp("corpus"), SMALL, 7, lambda: lexicon)
    assert made
    return corpus


def test_docstring_examples(bench: ModuleType) -> None:
    # pytest's --doctest-modules covers deckgen/ only; run the script's examples here.
    assert doctest.testmod(bench).failed == 0


def test_lexicon_is_hanzi_words_by_frequency(lexicon) -> None:  # type: ignore[no-untyped-def]
    assert len(lexicon.words) > 300_000
    assert all(HANZI.fullmatch(ch) for word in lexicon.words[:5000] for ch in word)
    assert "AT&T" not in lexicon.words and "B超" not in lexicon.words
    assert list(lexicon.cum_weights) == sorted(lexicon.cum_weights)


def test_same_seed_same_bytes(bench: ModuleType, lexicon, small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    again, made = bench.ensure_corpus(tmp_path / "again", SMALL, 7, lambda: lexicon)
    assert made
    assert again.path.read_bytes() == small.path.read_bytes()
    assert again.clean_path.read_bytes() == small.clean_path.read_bytes()
    other, _ = bench.ensure_corpus(tmp_path / "other", SMALL, 8, lambda: lexicon)
    assert other.path.read_bytes() != small.path.read_bytes()


def test_size_and_counts(small) -> None:  # type: ignore[no-untyped-def]
    data = small.path.read_bytes()
    assert len(data) == small.stats.bytes
    assert SMALL <= len(data) < SMALL + 6_000  # stops within one paragraph of the size asked
    assert len(small.clean_path.read_bytes()) == small.stats.clean_bytes
    text = data.decode("utf-8")
    assert text.count("\n") == small.stats.lines
    assert len(ANNOTATION.findall(text)) == small.stats.annotations


def test_about_one_word_in_twelve_is_annotated(small) -> None:  # type: ignore[no-untyped-def]
    rate = small.stats.annotations / small.stats.words
    assert small.stats.words > 5_000
    assert abs(rate - 1 / 12) < 0.015, rate


def test_sentences_and_paragraphs(small) -> None:  # type: ignore[no-untyped-def]
    clean = small.clean_path.read_text(encoding="utf-8")
    lines = clean.splitlines()
    assert all(line.endswith("。") for line in lines)
    assert re.fullmatch(r"[\u4e00-\u9fff。，\n]+", clean)
    sentences = clean.count("。") + clean.count("，")
    assert sentences == small.stats.sentences
    assert 4 * len(lines) <= sentences <= 6 * len(lines)
    assert 8 * sentences <= small.stats.words <= 20 * sentences
    assert 0.1 < clean.count("，") / sentences < 0.5  # the "。"/"，" mix


def test_annotations_parse_and_are_pypinyin_readings(small) -> None:  # type: ignore[no-untyped-def]
    from pypinyin import Style, lazy_pinyin

    text = small.path.read_text(encoding="utf-8")
    assert ANNOTATION.sub("", text) == small.clean_path.read_text(encoding="utf-8")
    for found in ANNOTATION.finditer(text):
        before = ANNOTATION.sub("", text[max(0, found.start() - 60) : found.start()])
        run = re.search(r"[\u4e00-\u9fff]+$", before)
        assert run, f"annotation {found.group(0)} does not follow hanzi"
        reading = found.group(1)
        assert re.fullmatch(r"[a-zü\u0300-\u036fāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜḿńňǹ]+", reading), reading
        word = run.group(0)
        suffixes = ("".join(lazy_pinyin(word[-k:], style=Style.TONE)) for k in range(1, len(word) + 1))
        assert reading in suffixes, f"{word}({reading}) is not pypinyin's reading of the word before it"


def test_corpus_is_cached_by_size_and_seed(bench: ModuleType, lexicon, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, made = bench.ensure_corpus(tmp_path, 5_000, 1, lambda: lexicon)
    assert made

    def no_lexicon():  # type: ignore[no-untyped-def]
        raise AssertionError("a cached corpus was generated again")

    second, made = bench.ensure_corpus(tmp_path, 5_000, 1, no_lexicon)
    assert not made and second.path == first.path and second.stats == first.stats
    assert bench.corpus_paths(tmp_path, 5_000, 2)[0] != first.path
    assert bench.corpus_paths(tmp_path, 6_000, 1)[0] != first.path
    # A corpus cut short (an interrupted run) is generated again.
    first.path.write_bytes(first.path.read_bytes()[:100])
    third, made = bench.ensure_corpus(tmp_path, 5_000, 1, lambda: lexicon)
    assert made and third.path.stat().st_size == first.stats.bytes


def test_split_keeps_every_line_in_order(bench: ModuleType, small) -> None:  # type: ignore[no-untyped-def]
    text = small.path.read_text(encoding="utf-8")
    pieces = bench.split_lines(text, 8)
    assert len(pieces) == 8
    assert "".join(pieces) == text
    assert all(piece.endswith("\n") for piece in pieces)
    assert max(map(len, pieces)) < 2 * len(text) / 8


def test_deck_fields_are_real_field_names_and_unique(bench: ModuleType) -> None:
    from deckgen.render import FIELDS

    notes = bench.deck_fields(2_000)
    assert len({hanzi for hanzi, _, _, _ in notes}) == 2_000
    for hanzi, pinyin, fields, _ in notes[:200]:
        assert set(fields) <= set(FIELDS), set(fields) - set(FIELDS)
        assert fields["Hanzi"] == hanzi and fields["Pinyin"] == pinyin
        assert fields["HanziColor"].count("<span") == len(hanzi) == fields["PinyinColor"].count("<span")
        assert f'<b class="hl">{hanzi}</b>' in fields["Sentence"]


def test_child_rss_is_its_own(bench: ModuleType) -> None:
    # A child forked from a process whose peak RSS is high reports that peak as its own on Linux;
    # the launcher must keep it out.
    ballast = bytearray(300_000_000)
    ballast[::4096] = b"1" * len(ballast[::4096])
    big = bench.run_child([sys.executable, "-c", "x = bytearray(200_000_000); x[::4096] = b'1' * len(x[::4096])"])
    small = bench.run_child([sys.executable, "-c", "pass"])
    del ballast
    assert big.returncode == 0 and 200 < big.max_rss_mb < 290
    assert small.returncode == 0 and small.max_rss_mb < 60
    assert 0 < small.seconds < big.seconds + 1


def test_failed_child_is_reported(bench: ModuleType) -> None:
    sample = bench.run_child([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])
    assert sample.returncode == 3
    with pytest.raises(bench.MeasureError, match="exit 3: boom"):
        bench.checked(sample, "thing")
    missing = bench.run_child(["/nonexistent/deckgen"])
    assert missing.returncode != 0
    assert "nonexistent" in missing.output


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [(0.25, 0.25, True), (0.2501, 0.25, False), (1.29, 1.3, True), (1.31, 1.3, False), (None, 0.5, None)],
)
def test_at_most(bench: ModuleType, value: float | None, limit: float, expected: bool | None) -> None:
    assert bench.at_most(value, limit) is expected


def test_sublinear_and_faster(bench: ModuleType) -> None:
    assert bench.sublinear(200, 300, 2_000_000, 20_000_000)
    assert not bench.sublinear(100, 1_000, 2, 20)  # exactly linear is not sub-linear
    assert bench.faster(1.4) and not bench.faster(1.0) and not bench.faster(0.8)
    assert bench.faster(None) is None


@pytest.mark.parametrize(
    ("help_text", "expected"),
    [
        ("│ --jobs    -j      INTEGER  Worker processes. │", True),
        ("  --jobs INTEGER", True),
        ("  --no-jobs   --jobsworth  --jobs-dir PATH", False),
        ("  --report PATH", False),
    ],
)
def test_has_jobs_option(bench: ModuleType, help_text: str, expected: bool) -> None:
    assert bench.has_jobs_option(help_text) is expected


def test_table_columns_line_up(bench: ModuleType) -> None:
    rows = [
        bench.Row("deckgen --help, cold", "0.081 s", "≤ 0.25 s", True),
        bench.Row("20 MB build / naive", "0.70× (70.0 s / 100.0 s)", "≤ 0.5× naive", False),
        bench.Row("write_apkg, 50,000 notes", "3.00 s"),
        bench.Row("--jobs 2 vs --jobs 1", "n/a (no --jobs option)", "> ×1 (faster)", None),
    ]
    lines = bench.format_table(rows).splitlines()
    assert lines[0].split() == ["measure", "value", "target", "met?"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 2 + len(rows)
    value_at = lines[0].index("value")
    target_at = lines[0].index("target")
    met_at = lines[0].index("met?")
    assert [line[value_at:].split("  ")[0] for line in lines[2:]] == [r.value for r in rows]
    assert [line[target_at:met_at].strip() for line in lines[2:]] == [r.target for r in rows]
    assert [line[met_at:].strip() for line in lines[2:]] == ["yes", "NO", "", "n/a"]


def _results(ratio: float, build_rss: float, jobs: dict[str, object]) -> dict[str, object]:
    def entry(size_mb: float, rss: float, ratio: float) -> dict[str, object]:
        size = int(size_mb * 1_000_000)
        return {
            "size_mb": size_mb,
            "generated": {"bytes": size, "annotations": 1000},
            "annotations_found": 1000,
            "build_rss_mb": [rss],
            "naive_rss_mb": [150.0],
            "build_median_s": 10.0 * ratio,
            "naive_median_s": 10.0,
            "ratio": ratio,
        }

    return {
        "help": {"median_s": 0.3},
        "reference": {"fallback": True, "ratio": 1.2, "build_median_s": 1.2, "floor_median_s": 1.0},
        "throughput": [entry(2.0, 200.0, 0.9), entry(20.0, build_rss, ratio)],
        "write_deck": {"notes": 50_000, "seconds": 2.0, "notes_per_s": 25_000.0},
        "jobs": jobs,
    }


def test_report_rows_apply_the_targets(bench: ModuleType) -> None:
    jobs = {"available": True, "files": 8, "size_mb": 20.0, "jobs1_samples_s": [60.0], "jobs2_samples_s": [40.0]}
    rows = {row.measure: row for row in bench.report_rows(_results(0.4, 450.0, {**jobs, "speedup": 1.5}), 7, 20.0)}
    assert rows["deckgen --help, cold (median of 7)"].met is False
    assert rows["reference build / floor (examples/library.txt)"].met is True
    assert rows["2 MB build / naive"].met is None and rows["2 MB build / naive"].target == ""
    assert rows["20 MB build / naive"].met is True
    assert rows["peak RSS, 20 MB build (naive)"].met is True
    growth = rows["RSS growth 2 MB → 20 MB"]
    assert growth.met is True and growth.value.startswith("×2.25 for ×10.0 input")
    assert rows["--jobs 2 vs --jobs 1 (20 MB, 8 files)"].met is True

    rows = {row.measure: row for row in bench.report_rows(_results(0.6, 2_500.0, {"available": False}), 7, 20.0)}
    assert rows["20 MB build / naive"].met is False
    assert rows["peak RSS, 20 MB build (naive)"].met is False
    assert rows["RSS growth 2 MB → 20 MB"].met is False
    assert rows["--jobs 2 vs --jobs 1"].value == "n/a (no --jobs option)"


def test_report_rows_show_failures(bench: ModuleType) -> None:
    results = _results(0.4, 450.0, {"available": False})
    results["throughput"] = results["throughput"][:1]  # type: ignore[index]
    del results["write_deck"]
    rows = {row.measure: row for row in bench.report_rows(results, 7, 20.0)}
    assert rows["20 MB build / naive"].value == "failed" and rows["20 MB build / naive"].met is None
    assert rows["peak RSS, 20 MB build"].value == "failed"
    assert rows["write_apkg, 50,000 notes"].value == "failed"
    assert not any(row.measure.startswith("RSS growth") for row in rows.values())


def test_doubts(bench: ModuleType) -> None:
    results = _results(0.4, 450.0, {"available": False})
    notes = bench.doubts(results, (2.0, 20.0))
    assert any("examples/library.txt instead" in note for note in notes)
    # 200 MB at 2 MB, 450 MB at 20 MB: 13.9 MB per MB, so about 1,561 MB at 100 MB.
    assert any("13.9 MB per MB" in note and "1,561 MB" in note for note in notes)
    assert len(notes) == 2
    results["throughput"][1]["build_rss_mb"] = [210.0]  # type: ignore[index]
    results["throughput"][1]["annotations_found"] = 500  # type: ignore[index]
    results["errors"] = {"jobs": "exit 2: boom"}
    notes = bench.doubts(results, (0.2, 2.0))
    assert not any("MB per MB" in note for note in notes)
    assert any("checks them at 2 MB" in note for note in notes)
    assert any("500 annotations" in note for note in notes)
    assert any("jobs failed: exit 2: boom" in note for note in notes)


def test_doubts_about_changed_code_and_noisy_jobs(bench: ModuleType) -> None:
    jobs = {"available": True, "jobs1_samples_s": [29.6, 28.9], "jobs2_samples_s": [31.8, 24.9], "speedup": 1.03}
    results = _results(0.4, 210.0, jobs)
    results["reference"]["fallback"] = False  # type: ignore[index]
    results["deckgen"] = {"at_start": {"source_sha256": "a"}, "at_end": {"source_sha256": "a"}}
    notes = bench.doubts(results, (2.0, 20.0))
    assert len(notes) == 1 and "overlap" in notes[0] and "31.8, 24.9" in notes[0]
    results["jobs"] = {**jobs, "jobs2_samples_s": [20.0, 21.0], "speedup": 1.4}
    results["deckgen"]["at_end"] = {"source_sha256": "b"}  # type: ignore[index]
    notes = bench.doubts(results, (2.0, 20.0))
    assert notes == ["deckgen's source changed during the run: measures taken before and after are of different code."]


FAKE_DECKGEN = """\
import os, re, sys, time
from pathlib import Path

args = sys.argv[1:]
if args == ["--help"]:
    print("Usage: deckgen [OPTIONS] COMMAND [ARGS]...")
elif args[:2] == ["build", "--help"]:
    print("  --jobs INTEGER  Worker processes.")
elif os.environ.get("FAKE_DECKGEN_FAIL"):
    print("deckgen: error: broken on purpose", file=sys.stderr)
    sys.exit(2)
else:
    path = Path(args[1])
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    found = sum(len(re.findall(r"\\(", f.read_text(encoding="utf-8"))) for f in files)
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 1
    time.sleep(0.4 / jobs)
    print(f"1 file(s) read: {found} annotations found, 0 skipped; 1 notes written to x")
"""


@pytest.fixture
def fake_deckgen(bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "fake_deckgen.py"
    script.write_text(FAKE_DECKGEN, encoding="utf-8")
    monkeypatch.setattr(bench, "deckgen_command", lambda: [sys.executable, str(script)])
    monkeypatch.setattr(bench, "DECK_NOTES", 300)
    return script


def _main(bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    out = tmp_path / "results.json"
    argv = ["--runs", "1", "--big-runs", "1", "--sizes", "0.01,0.02", "--work", str(tmp_path / "work")]
    code = bench.main([*argv, "--json", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8")), capsys.readouterr().out


def test_whole_run_with_a_fake_deckgen(
    bench: ModuleType, fake_deckgen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, results, printed = _main(bench, tmp_path, capsys)
    assert code == 0, results["failures"]
    assert results["settings"]["sizes_mb"] == [0.01, 0.02]
    assert results["machine"]["nproc"] >= 1 and results["date"]
    assert len(results["help"]["samples_s"]) == 1
    assert len(results["reference"]["build_samples_s"]) == len(results["reference"]["floor_samples_s"]) == 1
    assert [e["annotations_found"] for e in results["throughput"]] == [
        e["generated"]["annotations"] for e in results["throughput"]
    ]
    assert all(e["naive_output"][0].startswith('{"tokens": ') for e in results["throughput"])
    assert results["write_deck"]["notes"] == 300 and results["write_deck"]["bytes"] > 0
    jobs = results["jobs"]
    assert jobs["available"] and len(jobs["jobs1_samples_s"]) == 2
    assert 1.3 < jobs["speedup"] < 3  # the fake sleeps 0.4 s / jobs
    split = Path(results["throughput"][1]["corpus"]).with_suffix("")
    parts = sorted(Path(str(split) + "-split8").glob("part-*.txt"))
    assert len(parts) == 8
    for row in results["table"]:
        assert row["measure"] in printed and row["value"] in printed
    assert "--jobs 2 vs --jobs 1 (0.02 MB, 8 files)" in printed
    assert "checks them at 0.02 MB" in printed
    states = results["deckgen"]  # not compared: other people may edit deckgen while the test runs
    assert len(states["at_start"]["source_sha256"]) == len(states["at_end"]["source_sha256"]) == 64


def test_whole_run_goes_on_after_a_failure(
    bench: ModuleType,
    fake_deckgen: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_DECKGEN_FAIL", "1")
    code, results, printed = _main(bench, tmp_path, capsys)
    assert code == 1
    assert set(results["errors"]) == {"reference", "throughput", "jobs"}
    assert "broken on purpose" in results["errors"]["reference"]
    assert results["help"]["median_s"] > 0 and results["write_deck"]["notes"] == 300
    assert re.search(r"reference build / floor +failed +≤ 1.3× floor +n/a", printed)
