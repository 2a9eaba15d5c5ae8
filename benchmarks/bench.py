#!/usr/bin/env python3
"""deckgen's benchmark: pyperf measures every command, ratios come from one run.

Run it from the repository after ``pip install -e '.[bench]'`` (no network needed)::

    python benchmarks/bench.py            # full run, about 11 minutes on 2 cores
    python benchmarks/bench.py --quick    # smaller corpora, fewer rounds, about 4 minutes

Every measure is ``python -m pyperf command`` on a fresh process (pyperf's
worker spawns the command and records its wall time and its peak RSS,
``command_max_rss``).  The machine this runs on is shared and noisy, so
absolute times mean little: every comparison is a **ratio of two commands
measured in the same run**, in rounds that alternate the two (each round one
pyperf process of each, ``--append``-ed to one pyperf file), so that a burst
of load from a neighbour slows both sides.  Each ratio is of medians.
Before any measure, deckgen's modules are compiled to bytecode (untimed), as
jieba's and pypinyin's were when pip installed them (:func:`compile_bytecode`).

What each measure means:

(a) **help**: ``deckgen --help`` (the console script beside this Python),
    median.  The only absolute target (≤ 0.15 s): it is what a user waits for.
(b) **reference build / floor**: ``deckgen build REFERENCE --no-library``
    against ``python -c "import jieba; jieba.initialize(); import pypinyin"``,
    the least any tool that segments and reads Chinese pays to start.
    REFERENCE is ``../shared/corpus/000_7c7be342e79c6484.txt``, else
    ``examples/library.txt`` (the output says which).  deckgen's caches
    (``$DECKGEN_CACHE_DIR`` in the work dir) and jieba's are built by an
    untimed warm-up first: these are steady-state cold *process* starts.
(c) **throughput**: a synthetic annotated corpus (2 MB; ``--quick`` 0.5 MB)
    of jieba-dictionary words drawn by frequency, one word in twelve
    annotated ``word(pīnyīn)``, built by deckgen (its default, which uses one
    process per CPU for a megabyte or more, and ``--jobs 1``) against the
    naive pass a peer tool makes over the same text without annotations
    (``jieba.lcut`` per line, ``pypinyin.pinyin`` per token), the three
    alternated.  Fixed seed: every run and machine measures the same text;
    corpora are cached in the work dir.
(c') **throughput_large**: the same on the large corpus (20 MB; ``--quick``
    2 MB), two rounds.
(d) **memory**: the peak RSS of the build of the large corpus (two runs) from
    pyperf's ``command_max_rss``, which is the largest single process; the
    peak of all the build's processes together, sampled from ``/proc``; and
    the growth from the small corpus to the large one.
(e) **writing a deck**: 50,000 realistic ``RenderedNote`` objects are made
    and pickled once (untimed); the command timed loads them and calls
    ``deckgen.package.write_apkg``.
(f) **--jobs**: the large corpus cut into 8 files, built with ``--jobs 1``
    and ``--jobs 2``, two rounds; the speed-up is median(1) / median(2).

A missed target is reported, not an error; the script exits 1 only when a
measure could not be made.  The summary (ratios, medians, RSS, targets, the
machine, the deckgen commit) goes to ``benchmarks/results.json``; pyperf's own
file with every value to ``<work>/pyperf.json`` (``python -m pyperf stats``,
``hist`` and ``dump`` read it).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import pickle
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "corpus" / "000_7c7be342e79c6484.txt"
FALLBACK_REFERENCE = REPO / "examples" / "library.txt"
DEFAULT_JSON = REPO / "benchmarks" / "results.json"

MB = 1_000_000  # corpus sizes are in decimal megabytes of UTF-8
SEED = 12
DECK_NOTES = 50_000
JOB_FILES = 8
MEMORY_RUNS = 2  # builds of the large corpus (each about a minute)
LARGE_ROUNDS = 2  # alternated rounds of the measures on the large corpus (each round several minutes)
# Bump when the generator's output changes, so cached corpora are not reused.
GENERATOR_VERSION = 1

# Targets (issue 13).  Only the help time is absolute; the others are ratios or memory.
HELP_MAX_S = 0.15
REFERENCE_MAX_RATIO = 0.6
BUILD_MAX_RATIO = 0.35
LARGE_BUILD_MAX_RATIO = 0.25
RSS_MAX_MB = 350.0
RSS_MAX_GROWTH = 1.5  # peak RSS of the large corpus over the small one (ten times smaller)
JOBS_MIN_SPEEDUP = 1.6

FLOOR_CODE = "import jieba; jieba.initialize(); import pypinyin"


def progress(message: str) -> None:
    """One progress line on stderr, so that stdout holds only the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class MeasureError(RuntimeError):
    """A command failed, so its measure has no value."""


def median(values: Sequence[float]) -> float:
    """The median of *values* (raises on an empty list, as a measure must have values)."""
    return float(statistics.median(values))


def deckgen_command() -> list[str]:
    """The ``deckgen`` console script installed beside this Python, else ``python -m deckgen``."""
    script = Path(sys.executable).with_name("deckgen")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "deckgen"]


def child_env(work: Path) -> dict[str, str]:
    """The environment of every command: deckgen's caches and library live in the work dir."""
    env = dict(os.environ)
    env["DECKGEN_CACHE_DIR"] = str(work / "cache")
    env["DECKGEN_LIBRARY"] = str(work / "library.sqlite3")  # builds use --no-library; this is a safety net
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


# --- the synthetic corpus ---------------------------------------------------------------------

_HANZI_WORD = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Lexicon:
    """jieba's dictionary words made of hanzi only, with cumulative frequencies for drawing."""

    words: tuple[str, ...]
    cum_weights: tuple[int, ...]


def jieba_dict_path() -> Path:
    """jieba's bundled ``dict.txt``, found without importing (and initialising) jieba."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise MeasureError("jieba is not installed: run the README's install first")
    return Path(spec.origin).parent / "dict.txt"


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read ``word freq pos`` lines, keeping words of hanzi only with a positive count."""
    words: list[str] = []
    cum: list[int] = []
    total = 0
    with (path or jieba_dict_path()).open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) < 2 or not _HANZI_WORD.match(parts[0]):
                continue
            freq = int(parts[1])
            if freq <= 0:
                continue
            total += freq
            words.append(parts[0])
            cum.append(total)
    return Lexicon(tuple(words), tuple(cum))


class PinyinCache:
    """The annotation of a word: pypinyin's tone-marked syllables run together, once per word."""

    def __init__(self) -> None:
        from pypinyin import Style, lazy_pinyin

        self._lazy_pinyin = lazy_pinyin
        self._style = Style.TONE
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        reading = self._cache.get(word)
        if reading is None:
            reading = "".join(self._lazy_pinyin(word, style=self._style))
            self._cache[word] = reading
        return reading


@dataclass
class CorpusStats:
    """What the generator wrote, counted as it wrote it."""

    bytes: int = 0
    clean_bytes: int = 0
    lines: int = 0
    sentences: int = 0
    words: int = 0
    annotations: int = 0


ANNOTATE_EVERY = 12
_PINYIN_TEXT = re.compile(r"^[a-zü\u0300-\u036fāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜḿńňǹ]+$")


def paragraphs(
    seed: int, lexicon: Lexicon, reading: Callable[[str], str], stats: CorpusStats
) -> Iterator[tuple[str, str]]:
    """Endless (annotated, clean) paragraph lines, the same for the same seed.

    A paragraph is 4–6 sentences; a sentence is 8–20 words drawn by
    frequency, ending in "。" (or, one time in three, "，" as in a run-on
    clause).  Each word is annotated with probability 1/12 as
    ``word(pīnyīn)``; a word pypinyin cannot read is left bare.
    """
    rng = random.Random(seed)
    words, cum = lexicon.words, lexicon.cum_weights
    while True:
        annotated: list[str] = []
        clean: list[str] = []
        sentence_count = rng.randint(4, 6)
        for index in range(sentence_count):
            drawn = rng.choices(words, cum_weights=cum, k=rng.randint(8, 20))
            for word in drawn:
                clean.append(word)
                if rng.random() * ANNOTATE_EVERY < 1:
                    pinyin = reading(word)
                    if _PINYIN_TEXT.match(pinyin):
                        annotated.append(f"{word}({pinyin})")
                        stats.annotations += 1
                        continue
                annotated.append(word)
            stats.words += len(drawn)
            end = "。" if index == sentence_count - 1 or rng.random() < 2 / 3 else "，"
            annotated.append(end)
            clean.append(end)
        stats.sentences += sentence_count
        yield "".join(annotated), "".join(clean)


def generate(
    size_bytes: int, seed: int, lexicon: Lexicon, reading: Callable[[str], str] | None = None
) -> tuple[str, str, CorpusStats]:
    """An annotated corpus of at least *size_bytes* UTF-8 bytes, its clean text, and counts."""
    stats = CorpusStats()
    annotated: list[str] = []
    clean: list[str] = []
    for line, clean_line in paragraphs(seed, lexicon, reading or PinyinCache(), stats):
        annotated.append(line + "\n")
        clean.append(clean_line + "\n")
        stats.lines += 1
        stats.bytes += len(annotated[-1].encode("utf-8"))
        stats.clean_bytes += len(clean[-1].encode("utf-8"))
        if stats.bytes >= size_bytes:
            break
    return "".join(annotated), "".join(clean), stats


@dataclass(frozen=True)
class Corpus:
    """A generated corpus on disk: the annotated text, the same text clean, and its counts."""

    path: Path
    clean_path: Path
    stats: CorpusStats


def corpus_paths(folder: Path, size_bytes: int, seed: int) -> tuple[Path, Path, Path]:
    """Where the corpus of (size, seed) is cached: annotated text, clean text, counts."""
    stem = f"synth-v{GENERATOR_VERSION}-{size_bytes}b-seed{seed}"
    return folder / f"{stem}.txt", folder / f"{stem}.clean.txt", folder / f"{stem}.json"


def ensure_corpus(
    folder: Path, size_bytes: int, seed: int, lexicon: Callable[[], Lexicon] = load_lexicon
) -> tuple[Corpus, bool]:
    """The corpus of (size, seed), generated unless cached; True if it was generated.

    The counts file is written last, by rename, so a run interrupted mid-way
    never leaves a corpus that looks complete.
    """
    path, clean_path, stats_path = corpus_paths(folder, size_bytes, seed)
    if path.is_file() and clean_path.is_file() and stats_path.is_file():
        stats = CorpusStats(**json.loads(stats_path.read_text(encoding="utf-8")))
        if path.stat().st_size == stats.bytes:
            return Corpus(path, clean_path, stats), False
    folder.mkdir(parents=True, exist_ok=True)
    text, clean, stats = generate(size_bytes, seed, lexicon())
    path.write_text(text, encoding="utf-8")
    clean_path.write_text(clean, encoding="utf-8")
    partial = stats_path.with_suffix(".part")
    partial.write_text(json.dumps(asdict(stats)), encoding="utf-8")
    partial.replace(stats_path)
    return Corpus(path, clean_path, stats), True


def split_lines(text: str, parts: int) -> list[str]:
    """*text* cut at line ends into *parts* pieces of about equal length, in order.

    >>> split_lines('a\\nb\\nc\\nd\\n', 2)
    ['a\\nb\\n', 'c\\nd\\n']
    """
    lines = text.splitlines(keepends=True)
    total = sum(map(len, lines))
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        current.append(line)
        size += len(line)
        if size >= total * (len(pieces) + 1) / parts and len(pieces) < parts - 1:
            pieces.append("".join(current))
            current = []
    pieces.append("".join(current))
    return pieces


def ensure_split(corpus: Corpus, parts: int) -> Path:
    """A folder holding *corpus* cut into *parts* files (cached beside the corpus)."""
    folder = corpus.path.with_name(corpus.path.stem + f"-split{parts}")
    done = folder / ".complete"
    if not done.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        pieces = split_lines(corpus.path.read_text(encoding="utf-8"), parts)
        for index, piece in enumerate(pieces):
            (folder / f"part-{index}.txt").write_text(piece, encoding="utf-8")
        done.write_text("", encoding="utf-8")
    return folder


# --- work done inside child processes ---------------------------------------------------------


def naive_pass(clean_path: Path) -> int:
    """The peer tool's pass: jieba over every line, pypinyin over every token.  Returns the token count."""
    import jieba
    import pypinyin
    from pypinyin import Style

    tokens = 0
    with clean_path.open(encoding="utf-8") as lines:
        for line in lines:
            for token in jieba.lcut(line.rstrip("\n")):
                pypinyin.pinyin(token, style=Style.TONE, heteronym=False)
                tokens += 1
    return tokens


_TONE_MARKS = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}
GLOSSES = (
    "key; crucial point",
    "to build; to construct",
    "service; to serve",
    "public; common",
    "to improve; to raise",
    "village; countryside",
    "to cover; coverage",
    "culture; civilization",
    "education; to teach",
    "stable; steady",
    "node; junction",
    "to look back",
    "old variant of 貌",
    "surname Wang",
)


def tone(syllable: str) -> int:
    """The tone of a tone-marked syllable, 5 when unmarked.

    >>> tone('guān'), tone('lǜ'), tone('le')
    (1, 4, 5)
    """
    for mark in unicodedata.normalize("NFD", syllable):
        if mark in _TONE_MARKS:
            return _TONE_MARKS[mark]
    return 5


def commonest(lexicon: Lexicon, length: int, count: int) -> list[str]:
    """The *count* most frequent words of *length* characters, commonest first."""
    counts = [c - p for c, p in zip(lexicon.cum_weights, (0, *lexicon.cum_weights[:-1]), strict=True)]
    ranked = sorted((-n, w) for w, n in zip(lexicon.words, counts, strict=True) if len(w) == length)
    return [w for _, w in ranked[:count]]


NoteFields = tuple[str, str, dict[str, str], tuple[str, ...]]  # hanzi, pinyin, field values by name, tags


def deck_fields(count: int, seed: int = SEED) -> list[NoteFields]:
    """*count* distinct, realistic notes as (hanzi, pinyin, fields by name, tags).

    Words are 2–4 of the 400 commonest single-character words of jieba's
    dictionary, so every Hanzi is unique and looks like Chinese; the fields
    carry the markup deckgen writes (tone spans, the highlighted sentence).
    """
    from pypinyin import Style, lazy_pinyin

    singles = commonest(load_lexicon(), 1, 400)
    syllable = {ch: lazy_pinyin(ch, style=Style.TONE)[0] for ch in singles}
    rng = random.Random(seed)
    seen: set[str] = set()
    notes: list[NoteFields] = []
    for _ in range(50 * count):
        if len(notes) == count:
            break
        chars = rng.choices(singles, k=rng.randint(2, 4))
        hanzi = "".join(chars)
        if hanzi in seen:
            continue
        seen.add(hanzi)
        syllables = [syllable[ch] for ch in chars]
        before = "".join(rng.choices(singles, k=rng.randint(3, 15)))
        after = "".join(rng.choices(singles, k=rng.randint(3, 15)))
        senses = "; ".join(rng.sample(GLOSSES, 3))
        fields = {
            "Hanzi": hanzi,
            "Pinyin": "".join(syllables),
            "Meaning": senses,
            "Traditional": hanzi,
            "Classifier": "个 gè" if rng.random() < 0.3 else "",
            "HSK": f"HSK {rng.randint(1, 6)} · HSK3 {rng.randint(1, 7)}",
            "Frequency": f"{rng.uniform(1, 6):.2f}",
            "Sentence": f'{before}<b class="hl">{hanzi}</b>{after}。',
            "SentencePinyin": " ".join(syllable[ch] for ch in before + hanzi + after) + ".",
            "Source": "bench-article",
            "HanziColor": "".join(
                f'<span class="tone{tone(s)}">{ch}</span>' for ch, s in zip(chars, syllables, strict=True)
            ),
            "PinyinColor": "".join(f'<span class="tone{tone(s)}">{s}</span>' for s in syllables),
            "TTS": "y",
            "CardRecall": "y",
        }
        notes.append((hanzi, fields["Pinyin"], fields, ("HSK2::4", "source::bench-article")))
    if len(notes) < count:
        raise ValueError(f"cannot make {count:,} distinct words out of {len(singles)} characters")
    return notes


def make_notes(count: int, out: Path) -> None:
    """Pickle *count* realistic ``RenderedNote`` objects for the deck-writing measure.

    They are as a build hands them to the writer: compressed in groups, each
    with its GUID, both worked out where the notes are rendered.
    """
    from deckgen.render import FIELDS, RenderedNote, pack_notes

    notes = [
        RenderedNote(hanzi, pinyin, tuple(values.get(name, "") for name in FIELDS), tags)
        for hanzi, pinyin, values, tags in deck_fields(count)
    ]
    pack_notes(notes)
    for note in notes:
        _ = note.guid
    out.write_bytes(pickle.dumps(notes, protocol=pickle.HIGHEST_PROTOCOL))


def write_deck(notes_path: Path, out: Path) -> None:
    """Load the pickled notes and write them with ``write_apkg`` (the command pyperf times)."""
    from deckgen.package import write_apkg

    write_apkg(pickle.loads(notes_path.read_bytes()), out, "Bench")


def child_main(argv: Sequence[str]) -> int:
    """``bench.py _child naive CLEAN``, ``_child make-notes COUNT OUT`` or ``_child write-deck NOTES OUT``."""
    if argv[0] == "naive":
        print(json.dumps({"tokens": naive_pass(Path(argv[1]))}))
    elif argv[0] == "make-notes":
        make_notes(int(argv[1]), Path(argv[2]))
    elif argv[0] == "write-deck":
        write_deck(Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit(f"unknown child task {argv[0]!r}")
    return 0


# --- pyperf -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One command's values (seconds) and peak RSS per pyperf process (MB), read back from pyperf's file."""

    values: tuple[float, ...]
    rss_mb: tuple[float, ...]

    @property
    def median(self) -> float:
        return median(self.values)


@dataclass
class Pyperf:
    """``python -m pyperf command`` runs, all appended to one pyperf file."""

    path: Path
    env: dict[str, str]
    cwd: Path

    def command(self, name: str, argv: Sequence[str], values: int, processes: int = 1) -> None:
        """Measure *argv*: *processes* pyperf worker processes of *values* runs each, under *name*.

        One loop per value and no warm-up value: each value is one fresh run of the command.
        """
        pyperf = [sys.executable, "-m", "pyperf", "command", "--quiet", "--copy-env", "--append", str(self.path)]
        pyperf += ["--name", name, "--processes", str(processes), "--values", str(values), "--warmups", "0"]
        pyperf += ["--loops", "1", *argv]
        done = subprocess.run(pyperf, env=self.env, cwd=self.cwd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
            raise MeasureError(f"{name}: pyperf exit {done.returncode}: {tail}")

    def alternate(self, commands: Sequence[tuple[str, Sequence[str]]], rounds: int, values: int) -> None:
        """*rounds* rounds of one pyperf process per command, the order reversed every other round."""
        for round_ in range(rounds):
            order = list(commands) if round_ % 2 == 0 else list(reversed(commands))
            for name, argv in order:
                self.command(name, argv, values)

    def read(self, name: str) -> Measured:
        """The values and peak RSS pyperf recorded for *name*."""
        import pyperf

        suite = pyperf.BenchmarkSuite.load(str(self.path))
        benchmark = suite.get_benchmark(name)
        rss = [run.get_metadata().get("command_max_rss") for run in benchmark.get_runs() if run.values]
        return Measured(tuple(benchmark.get_values()), tuple(r / 2**20 for r in rss if r))


# --- targets and the table --------------------------------------------------------------------


def at_most(value: float | None, limit: float) -> bool | None:
    """Is *value* within *limit*?  None when there is no value.

    >>> at_most(0.5, 0.6), at_most(0.7, 0.6), at_most(None, 0.6)
    (True, False, None)
    """
    return None if value is None else value <= limit


@dataclass(frozen=True)
class Row:
    """One line of the report; ``met`` is None when the measure has no target or no value."""

    measure: str
    value: str
    target: str = ""
    met: bool | None = None


def verdict(met: bool | None, target: str) -> str:
    """The met? column: yes, NO, or nothing for a row with no target."""
    if not target:
        return ""
    if met is None:
        return "n/a"
    return "yes" if met else "NO"


def format_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned plain-text table with a header."""
    header = ("measure", "value", "target", "met?")
    cells = [header] + [(r.measure, r.value, r.target, verdict(r.met, r.target)) for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    rule = tuple("-" * w for w in widths)
    lines = [cells[0], rule, *cells[1:]]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines)


def size_label(size_mb: float) -> str:
    """``2 MB``, ``0.5 MB``.

    >>> size_label(2.0), size_label(0.5)
    ('2 MB', '0.5 MB')
    """
    return f"{size_mb:g} MB"


# --- the measures -----------------------------------------------------------------------------


@dataclass
class Bench:
    """One benchmark run: settings, the pyperf file, the results so far, and the failures."""

    work: Path
    rounds: int
    small_mb: float
    large_mb: float
    seed: int
    pyperf: Pyperf
    results: dict[str, object] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def deckgen(self, *args: str) -> list[str]:
        return [*deckgen_command(), *args]

    def child(self, *args: str) -> list[str]:
        return [sys.executable, str(Path(__file__).resolve()), "_child", *args]

    def untimed(self, argv: Sequence[str], what: str) -> str:
        done = subprocess.run(argv, env=self.pyperf.env, cwd=self.work, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
            raise MeasureError(f"{what}: exit {done.returncode}: {tail}")
        return done.stdout + done.stderr

    def ratio(
        self,
        key: str,
        label: str,
        a: tuple[str, Sequence[str]],
        b: tuple[str, Sequence[str]],
        values: int,
        rounds: int | None = None,
    ):
        """Alternate *a* and *b*; record both and the ratio of their medians."""
        self.pyperf.alternate([a, b], rounds or self.rounds, values)
        first, second = self.pyperf.read(a[0]), self.pyperf.read(b[0])
        self.results[key] = {
            a[0]: {"command": list(a[1]), **asdict(first), "median_s": first.median},
            b[0]: {"command": list(b[1]), **asdict(second), "median_s": second.median},
            "ratio": first.median / second.median,
        }
        progress(f"{label}: {first.median:.3f} s / {second.median:.3f} s = {first.median / second.median:.2f}×")
        return first, second

    # (a)
    def help(self) -> None:
        progress("(a) deckgen --help")
        argv = self.deckgen("--help")
        self.untimed(argv, "deckgen --help (warm-up)")
        self.pyperf.command("help", argv, values=5, processes=self.rounds)
        measured = self.pyperf.read("help")
        self.results["help"] = {"command": argv, **asdict(measured), "median_s": measured.median}
        self.rows.append(
            Row("`deckgen --help`", f"{measured.median:.3f} s", f"≤ {HELP_MAX_S} s", measured.median <= HELP_MAX_S)
        )

    # (b)
    def reference(self) -> None:
        path, fallback = (REFERENCE, False) if REFERENCE.is_file() else (FALLBACK_REFERENCE, True)
        if fallback:
            progress(f"(b) {REFERENCE} is missing: using {FALLBACK_REFERENCE} instead")
        build = self.deckgen("build", str(path), "--no-library", "-o", str(self.work / "reference.apkg"))
        floor = [sys.executable, "-c", FLOOR_CODE]
        progress("(b) warm-up build (dictionary cache, jieba index, pypinyin tables, jieba's cache)")
        self.untimed(build, "reference build (warm-up)")
        self.untimed(floor, "floor (warm-up)")
        progress(f"(b) reference build vs floor, {self.rounds} alternated rounds")
        built, floored = self.ratio("reference", "(b)", ("reference build", build), ("floor", floor), values=3)
        self.results["reference"]["path"] = str(path)  # type: ignore[index]
        self.results["reference"]["fallback"] = fallback  # type: ignore[index]
        ratio = built.median / floored.median
        self.rows.append(
            Row(
                "reference article build / floor" + (" (FALLBACK input)" if fallback else ""),
                f"{ratio:.2f}× ({built.median:.2f} s / {floored.median:.2f} s)",
                f"≤ {REFERENCE_MAX_RATIO}×",
                ratio <= REFERENCE_MAX_RATIO,
            )
        )

    def corpus(self, size_mb: float) -> Corpus:
        start = time.perf_counter()
        corpus, made = ensure_corpus(self.work / "corpora", round(size_mb * MB), self.seed)
        how = f"generated in {time.perf_counter() - start:.1f} s" if made else "cached"
        progress(f"corpus {size_label(size_mb)}: {corpus.path} ({how})")
        return corpus

    # (c)
    def throughput(self) -> None:
        self.rows.extend(self.against_naive(self.small_mb, self.rounds, BUILD_MAX_RATIO, "throughput"))

    # (c')
    def throughput_large(self) -> None:
        rounds = min(self.rounds, LARGE_ROUNDS)
        self.rows.extend(self.against_naive(self.large_mb, rounds, LARGE_BUILD_MAX_RATIO, "throughput_large"))

    def against_naive(self, size_mb: float, rounds: int, limit: float, key: str) -> list[Row]:
        """deckgen's default build and ``--jobs 1`` against the naive pass, alternated; the rows of the table."""
        corpus = self.corpus(size_mb)
        label = size_label(size_mb)
        out = str(self.work / f"{key}.apkg")
        commands = [
            (f"{label} build", self.deckgen("build", str(corpus.path), "--no-library", "-o", out)),
            (f"{label} build --jobs 1", self.deckgen("build", str(corpus.path), "--no-library", "-j", "1", "-o", out)),
            (f"{label} naive", self.child("naive", str(corpus.clean_path))),
        ]
        # A build of this many entries reads every word from the reading table, which the first such build after a
        # change to deckgen makes (about 7 s): made here, untimed, like the caches of the warm-up build in (b).
        self.untimed(commands[0][1], f"{label} build (warm-up: the reading table)")
        progress(f"({key}) {label}: deckgen build (default, --jobs 1) vs naive pass, {rounds} alternated rounds")
        self.pyperf.alternate(commands, rounds, 1)
        built, single, naive = (self.pyperf.read(name) for name, _ in commands)
        self.results[key] = {
            "generated": asdict(corpus.stats),
            **{
                name: {"command": argv, **asdict(m), "median_s": m.median}
                for (name, argv), m in zip(commands, (built, single, naive), strict=True)
            },
            "ratio": built.median / naive.median,
            "ratio_jobs_1": single.median / naive.median,
        }
        progress(f"({key}): {built.median:.2f} s, --jobs 1 {single.median:.2f} s, naive {naive.median:.2f} s")
        return [
            Row(
                f"{label} synthetic build / naive pass",
                f"{built.median / naive.median:.2f}× ({built.median:.2f} s / {naive.median:.2f} s)",
                f"≤ {limit}×",
                built.median / naive.median <= limit,
            ),
            Row(
                "… the same build with `--jobs 1`",
                f"{single.median / naive.median:.2f}× ({single.median:.2f} s)",
            ),
            Row(
                f"peak RSS, {label} build: largest process (naive)",
                f"{max(built.rss_mb):.0f} MB ({max(naive.rss_mb):.0f} MB)",
            ),
        ]

    # (d)
    def memory(self) -> None:
        corpus = self.corpus(self.large_mb)
        label = size_label(self.large_mb)
        build = self.deckgen("build", str(corpus.path), "--no-library", "-o", str(self.work / "large.apkg"))
        runs = min(self.rounds, MEMORY_RUNS)
        progress(f"(d) {label}: deckgen build, {runs} run(s)")
        self.pyperf.command(f"{label} build", build, values=1, processes=runs)
        measured = self.pyperf.read(f"{label} build")
        self.results["memory"] = {
            "command": build,
            "generated": asdict(corpus.stats),
            **asdict(measured),
            "median_s": measured.median,
        }
        rss = max(measured.rss_mb)
        self.rows.append(
            Row(
                f"peak RSS, {label} build: largest process",
                f"{rss:.0f} MB ({measured.median:.1f} s, {corpus.stats.bytes / MB / measured.median:.2f} MB/s)",
                f"≤ {RSS_MAX_MB:g} MB",
                rss <= RSS_MAX_MB,
            )
        )
        total = tree_peak_rss(build, self.pyperf.env, self.work)
        self.results["memory"]["tree_peak_rss_mb"] = total  # type: ignore[index]
        self.rows.append(Row(f"peak memory, {label} build: all its processes together (PSS)", f"{total:.0f} MB"))
        small = self.corpus(self.small_mb)
        small_build = self.deckgen("build", str(small.path), "--no-library", "-o", str(self.work / "small.apkg"))
        self.pyperf.command(f"{size_label(self.small_mb)} build (memory)", small_build, values=1, processes=runs)
        base = max(self.pyperf.read(f"{size_label(self.small_mb)} build (memory)").rss_mb)
        growth = rss / base
        self.results["memory"]["growth"] = {"small_mb": self.small_mb, "small_rss_mb": base, "ratio": growth}  # type: ignore[index]
        self.rows.append(
            Row(
                f"peak RSS growth, {size_label(self.small_mb)} → {label}",
                f"×{growth:.2f} ({base:.0f} MB → {rss:.0f} MB)",
                f"≤ ×{RSS_MAX_GROWTH}",
                growth <= RSS_MAX_GROWTH,
            )
        )

    # (e)
    def write_deck(self) -> None:
        progress(f"(e) writing a {DECK_NOTES:,}-note deck")
        notes = self.work / f"notes-{DECK_NOTES}.pickle"
        self.untimed(self.child("make-notes", str(DECK_NOTES), str(notes)), "make-notes")
        self.pyperf.command("write deck", self.child("write-deck", str(notes), str(self.work / "deck.apkg")), 1, 3)
        measured = self.pyperf.read("write deck")
        self.results["write_deck"] = {"notes": DECK_NOTES, **asdict(measured), "median_s": measured.median}
        self.rows.append(Row(f"writing a {DECK_NOTES:,}-note deck (process)", f"{measured.median:.2f} s"))

    # (f)
    def jobs(self) -> None:
        corpus = self.corpus(self.large_mb)
        folder = ensure_split(corpus, JOB_FILES)
        label = f"{size_label(self.large_mb)} in {JOB_FILES} files"
        out = str(self.work / "jobs.apkg")
        one = ("--jobs 1", self.deckgen("build", str(folder), "--no-library", "--jobs", "1", "-o", out))
        two = ("--jobs 2", self.deckgen("build", str(folder), "--no-library", "--jobs", "2", "-o", out))
        rounds = min(self.rounds, LARGE_ROUNDS)
        progress(f"(f) {label}: --jobs 1 vs --jobs 2, {rounds} alternated rounds")
        t1, t2 = self.ratio("jobs", "(f)", one, two, values=1, rounds=rounds)
        speedup = t1.median / t2.median
        self.results["jobs"]["speedup"] = speedup  # type: ignore[index]
        self.rows.append(
            Row(
                f"`--jobs 2` vs `--jobs 1`, {label}",
                f"×{speedup:.2f} ({t1.median:.1f} s → {t2.median:.1f} s)",
                f"≥ ×{JOBS_MIN_SPEEDUP}",
                speedup >= JOBS_MIN_SPEEDUP,
            )
        )

    def measure(self, name: str, step: Callable[[], None]) -> None:
        """Run one measure; a failed command is recorded and the other measures still run."""
        try:
            step()
        except MeasureError as exc:
            progress(f"FAILED {name}: {exc}")
            self.failures.append(f"{name}: {exc}")
            self.rows.append(Row(name, "failed"))


def tree_peak_rss(argv: Sequence[str], env: dict[str, str], cwd: Path, every: float = 0.02) -> float:
    """The peak of the summed memory (MB) of *argv*'s process and its descendants, sampled from ``/proc``.

    pyperf's ``command_max_rss`` is the largest single process; a build in
    several processes holds the sum of theirs at once.  Each process counts
    its proportional set size (PSS: pages shared with the others, such as the
    memory-mapped dictionary indexes, split between them), or its RSS where the
    kernel gives no PSS.  Linux only (0 elsewhere).
    """
    if not Path("/proc/self/status").exists():
        return 0.0
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_rss_kb(pid) for pid in _tree(process.pid)))
        time.sleep(every)
    if process.returncode != 0:
        raise MeasureError(f"{' '.join(argv)}: exit {process.returncode}")
    return peak / 1024


def _tree(pid: int) -> list[int]:
    """*pid* and every process under it, from ``/proc/PID/task/*/children``."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = list(Path(f"/proc/{current}/task").glob("*/children"))
        except OSError:  # the process ended while its threads were listed
            continue
        for task in tasks:
            try:
                todo.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def _rss_kb(pid: int) -> int:
    for name, field_name in (("smaps_rollup", "Pss"), ("status", "VmRSS")):
        try:
            text = Path(f"/proc/{pid}/{name}").read_text()
        except OSError:
            continue  # no such file on this kernel, or the process ended between the listing and now
        match = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
        if match:
            return int(match.group(1))
    return 0


# --- main -------------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count() or 0
    return {
        "nproc": usable,
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def compile_bytecode() -> bool:
    """Compile deckgen's modules to bytecode, untimed, as installing a wheel does; True if it did.

    The site-packages that jieba and pypinyin (and so the floor and the naive
    pass) load from hold bytecode pip compiled at install time.  An editable
    install of deckgen writes its own on the first run, unless
    ``PYTHONDONTWRITEBYTECODE`` is set (as on the machine this was tuned on):
    then every deckgen process, each worker included, compiled deckgen's source
    again, and the 2 MB build took 1.16x the time of one with bytecode (three
    alternated rounds).  Python reads bytecode whatever that variable says.
    """
    spec = importlib.util.find_spec("deckgen")
    if spec is None or spec.origin is None:
        return False
    import compileall

    return bool(compileall.compile_dir(str(Path(spec.origin).parent), quiet=1))


def deckgen_state() -> dict[str, object]:
    """Which deckgen was measured: the checkout's commit and uncommitted files, and a hash of the
    package's source, which tells whether someone edited it while the benchmark ran."""
    state: dict[str, object] = {}
    for key, args in (("commit", ["rev-parse", "HEAD"]), ("uncommitted", ["status", "--porcelain", "deckgen"])):
        try:
            out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            out = ""
        state[key] = out.strip() if key == "commit" else out.splitlines()
    spec = importlib.util.find_spec("deckgen")
    if spec is not None and spec.origin is not None:
        package = Path(spec.origin).parent
        digest = hashlib.sha256()
        for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
        state["package"] = str(package)
        state["source_sha256"] = digest.hexdigest()
    return state


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark deckgen with pyperf: help, reference build vs floor, throughput vs a naive "
        "pass, peak RSS, deck writing, --jobs.  Prints a table; writes JSON.",
    )
    parser.add_argument("--quick", action="store_true", help="Corpora of 0.5 MB and 2 MB, 2 rounds.")
    parser.add_argument("--rounds", type=int, help="Alternated rounds per comparison (default 5; --quick 2).")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="Where to write the summary (JSON).")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "deckgen-bench",
        help="Work folder: caches, decks, cached corpora, pyperf.json (default: <tmp>/deckgen-bench).",
    )
    parser.add_argument("--small", type=float, help="Throughput and --jobs corpus in MB (default 2; --quick 0.5).")
    parser.add_argument("--large", type=float, help="Memory corpus in MB (default 20; --quick 2).")
    parser.add_argument("--seed", type=int, default=SEED, help="Seed of the synthetic corpora.")
    parser.add_argument("--only", help=f"Comma-separated measures to run: {','.join(MEASURES)}.")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.small = args.small or (0.5 if args.quick else 2.0)
    args.large = args.large or (2.0 if args.quick else 20.0)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


MEASURES = ("help", "reference", "throughput", "throughput_large", "memory", "write_deck", "jobs")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_child":
        return child_main(argv[1:])
    args = parse_args(argv)
    if importlib.util.find_spec("pyperf") is None:
        print("bench: pyperf is missing: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    started = time.perf_counter()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    pyperf_file = work / "pyperf.json"
    pyperf_file.unlink(missing_ok=True)  # one run, one file: every ratio comes from this run
    bench = Bench(work, args.rounds, args.small, args.large, args.seed, Pyperf(pyperf_file, child_env(work), work))
    wanted = args.only.split(",") if args.only else list(MEASURES)
    at_start, deckgen_at_start = machine(), deckgen_state()
    bytecode = compile_bytecode()
    progress(f"work dir {work}; deckgen command: {' '.join(deckgen_command())}; bytecode compiled: {bytecode}")
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    for name in MEASURES:
        if name in wanted:
            bench.measure(name, getattr(bench, name))
    duration = time.perf_counter() - started
    result = {
        "date": date,
        "duration_s": duration,
        "argv": argv,
        "machine": at_start,
        "loadavg_at_end": machine()["loadavg"],
        "deckgen": {"at_start": deckgen_at_start, "at_end": deckgen_state(), "bytecode_compiled": bytecode},
        "settings": {"rounds": args.rounds, "small_mb": args.small, "large_mb": args.large, "seed": args.seed},
        "targets": {
            "help_max_s": HELP_MAX_S,
            "reference_max_ratio": REFERENCE_MAX_RATIO,
            "build_max_ratio": BUILD_MAX_RATIO,
            "large_build_max_ratio": LARGE_BUILD_MAX_RATIO,
            "rss_max_mb": RSS_MAX_MB,
            "rss_max_growth": RSS_MAX_GROWTH,
            "jobs_min_speedup": JOBS_MIN_SPEEDUP,
        },
        **bench.results,
        "table": [asdict(row) for row in bench.rows],
        "failures": bench.failures,
        "pyperf_file": str(pyperf_file),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    info = result["machine"]
    print(f"deckgen benchmark, {date}, {info['nproc']} CPU(s), Python {info['python']}, {info['platform']}")  # type: ignore[index]
    print(format_table(bench.rows))
    if deckgen_at_start.get("source_sha256") != result["deckgen"]["at_end"].get("source_sha256"):  # type: ignore[index]
        print("note: deckgen's source changed during the run: measures before and after are of different code.")
    print(f"{duration:.0f} s in all; summary in {args.json}, every value in {pyperf_file}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
