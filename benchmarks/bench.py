#!/usr/bin/env python3
"""deckgen's benchmark: one run, ratios measured side by side.

Run it from the repository after the README's install (no network needed)::

    python benchmarks/bench.py            # full run, about 8 minutes on 2 cores
    python benchmarks/bench.py --quick    # smaller corpora, about 1 minute

Options: ``--runs N`` (cold-start runs, default 7), ``--big-runs N`` (runs per
corpus size, default 3), ``--json PATH``, ``--work DIR`` (caches, decks and
corpora; default ``<tmp>/deckgen-bench``), ``--sizes 2,20``, ``--seed N``.

It prints progress on stderr, then a table (measure, value, target, met?) on
stdout, and writes every number, with the raw samples, the date and the
machine, to ``benchmarks/results.json`` (``--json PATH``).

The machine this runs on is shared and noisy, so absolute times mean little.
Every comparison is therefore a **ratio of two things measured in the same run**,
each the median of runs that alternate with each other, so that a burst of
load from a neighbour slows both sides rather than one.  Read a ratio as "how
many times the cost of the yardstick": 1.2× the floor means 20 % slower than
the floor; 0.5× naive means twice as fast as the naive pass.

What each measure means:

(a) **help**: wall time of a fresh ``deckgen --help`` process (the console
    script next to this Python, else ``python -m deckgen``), median of
    ``--runs`` runs after one untimed warm-up.  This is the only absolute
    target (≤ 0.25 s): it is what a user waits for, and it shows whether
    heavy imports stay lazy.
(b) **reference build / floor**: a cold ``deckgen build REFERENCE --no-library``
    against the floor ``python -c "import jieba; jieba.initialize(); import
    pypinyin"``, the least any tool that segments and reads Chinese pays to
    start.  The dictionary cache (``$DECKGEN_CACHE_DIR``, under the work dir)
    and jieba's cache are built by one untimed warm-up first: this measures
    steady-state cold *process* starts, not the first run after install.
    REFERENCE is ``../shared/corpus/000_7c7be342e79c6484.txt``, else
    ``examples/library.txt`` (the output says which).
(c) **throughput**: synthetic annotated corpora (2 MB and 20 MB; ``--quick``:
    0.2 and 2 MB) of jieba-dictionary words drawn by frequency, about one word
    in twelve annotated as ``word(pīnyīn)``.  ``deckgen build CORPUS
    --no-library`` is timed against the naive pass a peer tool makes over the
    same text without annotations: ``jieba.lcut`` on each line plus
    ``pypinyin.pinyin`` on each token.  Both are subprocesses, ``--big-runs``
    of each, alternated.  The corpora are generated reproducibly (fixed seed)
    and cached in the work dir.  The ≤ 0.5× target is set at 20 MB, where
    start-up costs no longer count.
(d) **memory**: peak RSS of each of those child processes, from the
    ``os.wait4`` of a tiny launcher that spawns each child (see ``LAUNCHER``:
    a child forked straight from this script would inherit its peak RSS).
    A process's rusage includes the children it reaped, so with ``--jobs`` the
    figure is the largest single process, not the sum of the workers.
    Growth is sub-linear when the RSS ratio large/small is below the size
    ratio.  A Python process starts at tens of MB, so that test is lenient;
    the marginal MB per input MB, printed beside it, is the number to watch
    (a note under the table extrapolates it when it is above 1).
(e) **writing a deck**: in a subprocess, 50,000 realistic
    ``deckgen.render.RenderedNote`` objects are built (untimed) and
    ``deckgen.package.write_apkg`` is timed: seconds and notes per second.
(f) **--jobs**: if ``deckgen build --help`` lists ``--jobs``, the largest
    corpus split into 8 files is built with ``--jobs 1`` and ``--jobs 2``, two
    alternated runs each; the speed-up is median time(1) / median time(2).
    Otherwise "n/a (no --jobs option)".

The script exits 1 if a measurement could not be made (a deckgen run failed),
0 otherwise, whether or not the targets are met.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
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
FULL_SIZES_MB = (2.0, 20.0)
QUICK_SIZES_MB = (0.2, 2.0)
SEED = 12
DECK_NOTES = 50_000
JOB_FILES = 8
JOB_ROUNDS = 2  # each of --jobs 1 and --jobs 2, alternated
# Bump when the generator's output changes, so cached corpora are not reused.
GENERATOR_VERSION = 1

# Targets.  Only the help time is absolute; the others are ratios.
HELP_MAX_S = 0.25
REFERENCE_MAX_RATIO = 1.3
BUILD_MAX_RATIO = 0.5
RSS_MAX_MB = 500.0
TARGET_SIZE_MB = 20.0
MARGINAL_RSS_NOTE = 1.0  # MB of RSS per MB of input above which the table gets a note

FLOOR_CODE = "import jieba; jieba.initialize(); import pypinyin"


def progress(message: str) -> None:
    """One progress line on stderr, so that stdout holds only the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- running a child process ------------------------------------------------------------------


def sample_fields(name: str, samples: Sequence[Sample], median_too: bool = True) -> dict[str, object]:
    """One command's raw timings and memory for the JSON, under keys prefixed by *name*."""
    fields: dict[str, object] = {
        f"{name}_samples_s": [s.seconds for s in samples],
        f"{name}_rss_mb": [s.max_rss_mb for s in samples],
    }
    if median_too:
        fields[f"{name}_median_s"] = median([s.seconds for s in samples])
    return fields


@dataclass(frozen=True)
class Sample:
    """One child process: wall time, its own peak RSS, exit code and the tail of its output."""

    seconds: float
    max_rss_mb: float
    returncode: int
    output: str = ""


# The launcher starts the measured program and reaps it with os.wait4, which returns that program's
# own rusage.  It exists because Linux starts a process's ru_maxrss at its parent's peak RSS (fork
# copies the page tables; exec records the old memory's high-water mark): measured straight from
# this script, whose peak holds jieba's dictionary once it has generated a corpus, every child
# would report at least that.  The launcher is a bare ``python -S``, so the floor is ~10 MB.
# It also times the program from spawn to exit, leaving out its own start-up.
LAUNCHER = """\
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_child(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Sample:
    """Run *argv* to completion through the launcher and measure it: wall time and its own peak RSS.

    Output (stdout and stderr together) is kept, its last 4,000 characters, for error messages
    and summaries.
    """
    with tempfile.TemporaryDirectory(prefix="deckgen-bench-") as tmp:
        usage_path, log_path = Path(tmp) / "usage", Path(tmp) / "log"
        with log_path.open("wb") as log:
            launcher = subprocess.run(
                [sys.executable, "-S", "-c", LAUNCHER, str(usage_path), *argv],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
                check=False,
            )
        output = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
        if not usage_path.is_file():  # the program could not be started
            return Sample(0.0, 0.0, launcher.returncode or 127, output)
        seconds, max_rss, returncode = usage_path.read_text(encoding="utf-8").split()
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss_mb = int(max_rss) / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Sample(float(seconds), rss_mb, int(returncode), output)


class MeasureError(RuntimeError):
    """A child process failed, so its measure has no value."""


def checked(sample: Sample, what: str) -> Sample:
    """*sample*, or :class:`MeasureError` with the end of its output if it failed."""
    if sample.returncode != 0:
        tail = " | ".join(sample.output.strip().splitlines()[-3:])
        raise MeasureError(f"{what}: exit {sample.returncode}: {tail}")
    return sample


def median(values: Sequence[float]) -> float:
    """The median of *values* (raises on an empty list, as a measure must have samples)."""
    return float(statistics.median(values))


def deckgen_command() -> list[str]:
    """The ``deckgen`` console script installed beside this Python, else ``python -m deckgen``."""
    script = Path(sys.executable).with_name("deckgen")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "deckgen"]


def child_env(work: Path) -> dict[str, str]:
    """The environment of every child: deckgen's caches and library live in the work dir."""
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


def write_deck(count: int, out: Path) -> dict[str, float]:
    """Build *count* RenderedNotes (untimed), then time ``write_apkg`` on them."""
    from deckgen.package import write_apkg
    from deckgen.render import FIELDS, RenderedNote

    notes = [
        RenderedNote(hanzi, pinyin, tuple(values.get(name, "") for name in FIELDS), tags)
        for hanzi, pinyin, values, tags in deck_fields(count)
    ]
    start = time.perf_counter()
    write_apkg(notes, out, "Bench")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "notes": len(notes), "bytes": out.stat().st_size}


def child_main(argv: Sequence[str]) -> int:
    """``bench.py _child naive CLEAN`` or ``bench.py _child write-deck COUNT OUT``: print JSON."""
    if argv[0] == "naive":
        print(json.dumps({"tokens": naive_pass(Path(argv[1]))}))
    elif argv[0] == "write-deck":
        print(json.dumps(write_deck(int(argv[1]), Path(argv[2]))))
    else:
        raise SystemExit(f"unknown child task {argv[0]!r}")
    return 0


# --- targets and the table --------------------------------------------------------------------


def at_most(value: float | None, limit: float) -> bool | None:
    """Is *value* within *limit*?  None when there is no value."""
    return None if value is None else value <= limit


def sublinear(rss_small: float, rss_large: float, size_small: float, size_large: float) -> bool:
    """Does RSS grow more slowly than the input?  (RSS ratio below the size ratio.)

    >>> sublinear(100, 180, 2, 20), sublinear(50, 600, 2, 20)
    (True, False)
    """
    return rss_large / rss_small < size_large / size_small


def faster(speedup: float | None) -> bool | None:
    """Is ``--jobs 2`` faster than ``--jobs 1`` (speed-up above 1)?  None when not measured."""
    return None if speedup is None else speedup > 1.0


@dataclass(frozen=True)
class Row:
    """One line of the report; ``met`` is None when the measure has no target or no value."""

    measure: str
    value: str
    target: str = ""
    met: bool | None = None


def verdict(met: bool | None, target: str) -> str:
    """The met? column: yes, NO, or a dash for a row with no target."""
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
    """``2 MB``, ``0.2 MB``.

    >>> size_label(2.0), size_label(0.2)
    ('2 MB', '0.2 MB')
    """
    return f"{size_mb:g} MB"


def has_jobs_option(help_text: str) -> bool:
    """Does a command's help list a ``--jobs`` option?

    >>> has_jobs_option('  --jobs INTEGER  Worker processes.'), has_jobs_option('no such thing: --jobsworth')
    (True, False)
    """
    return re.search(r"(?<![\w-])--jobs(?![\w-])", help_text) is not None


# --- the measures -----------------------------------------------------------------------------


@dataclass
class Bench:
    """One benchmark run: settings, the results so far, and the failures."""

    work: Path
    runs: int
    sizes_mb: tuple[float, ...]
    seed: int
    big_runs: int = 3
    results: dict[str, object] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return child_env(self.work)

    def deckgen(self, *args: str) -> list[str]:
        return [*deckgen_command(), *args]

    def child(self, *args: str) -> list[str]:
        return [sys.executable, str(Path(__file__).resolve()), "_child", *args]

    def run(self, argv: Sequence[str], what: str) -> Sample:
        return checked(run_child(argv, self.env, self.work), what)

    def alternate(
        self, first: tuple[str, Sequence[str]], second: tuple[str, Sequence[str]], runs: int
    ) -> tuple[list[Sample], list[Sample]]:
        """*runs* of each command, interleaved, the order swapped every round."""
        a: list[Sample] = []
        b: list[Sample] = []
        for round_ in range(runs):
            order = [(first, a), (second, b)]
            if round_ % 2:
                order.reverse()
            for (what, argv), samples in order:
                samples.append(self.run(argv, what))
        return a, b

    # (a)
    def help(self) -> None:
        progress(f"(a) deckgen --help, {self.runs} cold runs")
        argv = self.deckgen("--help")
        self.run(argv, "deckgen --help (warm-up)")
        samples = [self.run(argv, "deckgen --help") for _ in range(self.runs)]
        self.results["help"] = {
            "command": argv,
            "samples_s": [s.seconds for s in samples],
            "median_s": median([s.seconds for s in samples]),
            "rss_mb": [s.max_rss_mb for s in samples],
        }

    # (b)
    def reference(self) -> None:
        path, fallback = (REFERENCE, False) if REFERENCE.is_file() else (FALLBACK_REFERENCE, True)
        if fallback:
            progress(f"(b) {REFERENCE} is missing: using {FALLBACK_REFERENCE} instead")
        build = self.deckgen("build", str(path), "--no-library", "-o", str(self.work / "tmp.apkg"))
        floor = [sys.executable, "-c", FLOOR_CODE]
        progress("(b) warm-up build (dictionary cache, jieba cache)")
        warm = self.run(build, "reference build (warm-up)")
        self.run(floor, "floor (warm-up)")
        progress(f"(b) reference build vs floor, {self.runs} interleaved runs each")
        builds, floors = self.alternate(("reference build", build), ("floor", floor), self.runs)
        b, f = median([s.seconds for s in builds]), median([s.seconds for s in floors])
        self.results["reference"] = {
            "path": str(path),
            "fallback": fallback,
            "build_command": build,
            "floor_command": floor,
            **sample_fields("build", builds),
            **sample_fields("floor", floors),
            "ratio": b / f,
            "paired_ratio_median": median([x.seconds / y.seconds for x, y in zip(builds, floors, strict=True)]),
            "summary": warm.output.strip().splitlines()[:1],
        }

    def corpora(self) -> list[Corpus]:
        corpora = []
        for size_mb in self.sizes_mb:
            start = time.perf_counter()
            corpus, made = ensure_corpus(self.work / "corpora", round(size_mb * MB), self.seed)
            how = f"generated in {time.perf_counter() - start:.1f} s" if made else "cached"
            progress(f"(c) corpus {size_label(size_mb)}: {corpus.path} ({how})")
            corpora.append(corpus)
        return corpora

    # (c) and (d)
    def throughput(self, corpora: list[Corpus]) -> None:
        done: list[dict[str, object]] = []
        self.results["throughput"] = done  # filled size by size, so a failed large run keeps the small one
        for size_mb, corpus in zip(self.sizes_mb, corpora, strict=True):
            runs = self.big_runs
            progress(f"(c) {size_label(size_mb)}: deckgen build vs naive pass, {runs} interleaved run(s) each")
            build = self.deckgen("build", str(corpus.path), "--no-library", "-o", str(self.work / "out.apkg"))
            naive = self.child("naive", str(corpus.clean_path))
            builds, naives = self.alternate((f"{size_label(size_mb)} build", build), ("naive pass", naive), runs)
            b, n = median([s.seconds for s in builds]), median([s.seconds for s in naives])
            progress(f"(c) {size_label(size_mb)}: deckgen {b:.1f} s, naive {n:.1f} s")
            done.append(
                {
                    "size_mb": size_mb,
                    "corpus": str(corpus.path),
                    "generated": asdict(corpus.stats),
                    "build_command": build,
                    "naive_command": naive,
                    **sample_fields("build", builds),
                    **sample_fields("naive", naives),
                    "ratio": b / n,
                    "build_mb_per_s": corpus.stats.bytes / MB / b,
                    "annotations_found": annotations_found(builds[0].output),
                    "build_summary": builds[0].output.strip().splitlines()[:1],
                    "naive_output": naives[0].output.strip().splitlines()[-1:],
                }
            )

    # (e)
    def write_deck(self) -> None:
        progress(f"(e) writing a {DECK_NOTES:,}-note deck")
        sample = self.run(self.child("write-deck", str(DECK_NOTES), str(self.work / "deck.apkg")), "write-deck")
        measured = json.loads(sample.output.strip().splitlines()[-1])
        measured["notes_per_s"] = measured["notes"] / measured["seconds"]
        measured["process_s"] = sample.seconds
        measured["rss_mb"] = sample.max_rss_mb
        self.results["write_deck"] = measured

    # (f)
    def jobs(self, corpora: list[Corpus]) -> None:
        help_text = subprocess.run(
            self.deckgen("build", "--help"), capture_output=True, text=True, env=self.env, check=False
        ).stdout
        if not has_jobs_option(help_text):
            progress("(f) deckgen build has no --jobs option: skipped")
            self.results["jobs"] = {"available": False}
            return
        corpus = corpora[-1]
        folder = ensure_split(corpus, JOB_FILES)
        progress(
            f"(f) {size_label(self.sizes_mb[-1])} in {JOB_FILES} files: --jobs 1 vs --jobs 2, {JOB_ROUNDS} runs each"
        )
        out = str(self.work / "jobs.apkg")
        one, two = self.alternate(
            ("--jobs 1", self.deckgen("build", str(folder), "--no-library", "--jobs", "1", "-o", out)),
            ("--jobs 2", self.deckgen("build", str(folder), "--no-library", "--jobs", "2", "-o", out)),
            JOB_ROUNDS,
        )
        t1, t2 = median([s.seconds for s in one]), median([s.seconds for s in two])
        self.results["jobs"] = {
            "available": True,
            "files": JOB_FILES,
            "size_mb": self.sizes_mb[-1],
            **sample_fields("jobs1", one, median_too=False),
            **sample_fields("jobs2", two, median_too=False),
            "speedup": t1 / t2,
        }

    def measure(self, name: str, step: Callable[[], None]) -> None:
        """Run one measure; a failed child is recorded and the other measures still run."""
        try:
            step()
        except MeasureError as exc:
            progress(f"FAILED {name}: {exc}")
            self.failures.append(f"{name}: {exc}")
            self.results.setdefault("errors", {})[name] = str(exc)  # type: ignore[index]


def report_rows(results: dict[str, object], runs: int, largest_mb: float) -> list[Row]:
    """The table's rows from the results; a measure that failed shows as "failed".

    The throughput and memory targets apply to the corpus of *largest_mb* (20 MB in a full run).
    """
    rows: list[Row] = []
    help_ = results.get("help")
    if isinstance(help_, dict):
        rows.append(
            Row(
                f"deckgen --help, cold (median of {runs})",
                f"{help_['median_s']:.3f} s",
                f"≤ {HELP_MAX_S} s",
                at_most(help_["median_s"], HELP_MAX_S),
            )
        )
    else:
        rows.append(Row("deckgen --help, cold", "failed", f"≤ {HELP_MAX_S} s"))
    ref = results.get("reference")
    if isinstance(ref, dict):
        name = "reference build / floor" + (" (examples/library.txt)" if ref["fallback"] else "")
        rows.append(
            Row(
                name,
                f"{ref['ratio']:.2f}× ({ref['build_median_s']:.2f} s / {ref['floor_median_s']:.2f} s)",
                f"≤ {REFERENCE_MAX_RATIO}× floor",
                at_most(ref["ratio"], REFERENCE_MAX_RATIO),
            )
        )
    else:
        rows.append(Row("reference build / floor", "failed", f"≤ {REFERENCE_MAX_RATIO}× floor"))
    rows.extend(_throughput_rows(results.get("throughput"), largest_mb))
    deck = results.get("write_deck")
    if isinstance(deck, dict):
        rows.append(
            Row(
                f"write_apkg, {deck['notes']:,} notes",
                f"{deck['seconds']:.2f} s ({deck['notes_per_s']:,.0f} notes/s)",
            )
        )
    else:
        rows.append(Row(f"write_apkg, {DECK_NOTES:,} notes", "failed"))
    jobs = results.get("jobs")
    if isinstance(jobs, dict) and jobs["available"]:
        rows.append(
            Row(
                f"--jobs 2 vs --jobs 1 ({size_label(jobs['size_mb'])}, {jobs['files']} files)",
                f"×{jobs['speedup']:.2f} speed-up "
                f"({median(jobs['jobs1_samples_s']):.1f} s → {median(jobs['jobs2_samples_s']):.1f} s)",
                "> ×1 (faster)",
                faster(jobs["speedup"]),
            )
        )
    elif isinstance(jobs, dict):
        rows.append(Row("--jobs 2 vs --jobs 1", "n/a (no --jobs option)", "> ×1 (faster)"))
    else:
        rows.append(Row("--jobs 2 vs --jobs 1", "failed", "> ×1 (faster)"))
    return rows


def _throughput_rows(throughput: object, largest_mb: float) -> list[Row]:
    entries = [e for e in throughput if isinstance(e, dict)] if isinstance(throughput, list) else []
    largest = next((e for e in entries if e["size_mb"] == largest_mb), None)
    label = size_label(largest_mb)
    ratio_target, rss_target = f"≤ {BUILD_MAX_RATIO}× naive", f"≤ {RSS_MAX_MB:g} MB"
    rows = []
    for entry in entries:
        target = entry is largest
        rows.append(
            Row(
                f"{size_label(entry['size_mb'])} build / naive",
                f"{entry['ratio']:.2f}× ({entry['build_median_s']:.1f} s / {entry['naive_median_s']:.1f} s)",
                ratio_target if target else "",
                at_most(entry["ratio"], BUILD_MAX_RATIO) if target else None,
            )
        )
    if largest is None:
        rows.append(Row(f"{label} build / naive", "failed", ratio_target))
    for entry in entries:
        target = entry is largest
        build_rss, naive_rss = max(entry["build_rss_mb"]), max(entry["naive_rss_mb"])
        rows.append(
            Row(
                f"peak RSS, {size_label(entry['size_mb'])} build (naive)",
                f"{build_rss:.0f} MB ({naive_rss:.0f} MB)",
                rss_target if target else "",
                at_most(build_rss, RSS_MAX_MB) if target else None,
            )
        )
    if largest is None:
        rows.append(Row(f"peak RSS, {label} build", "failed", rss_target))
    if largest is not None and entries[0] is not largest:
        small = entries[0]
        small_rss, large_rss = max(small["build_rss_mb"]), max(largest["build_rss_mb"])
        small_bytes, large_bytes = small["generated"]["bytes"], largest["generated"]["bytes"]
        marginal = (large_rss - small_rss) / ((large_bytes - small_bytes) / MB)
        rows.append(
            Row(
                f"RSS growth {size_label(small['size_mb'])} → {label}",
                f"×{large_rss / small_rss:.2f} for ×{large_bytes / small_bytes:.1f} input ({marginal:+.1f} MB per MB)",
                "sub-linear",
                sublinear(small_rss, large_rss, small_bytes, large_bytes),
            )
        )
    return rows


def annotations_found(build_output: str) -> int | None:
    """The count in deckgen's summary line "… N annotations found …", None if absent.

    >>> annotations_found('1 file(s) read: 166 annotations found, 0 skipped; 75 notes written')
    166
    """
    found = re.search(r"(\d+) annotations found", build_output)
    return int(found.group(1)) if found else None


def doubts(results: dict[str, object], sizes_mb: Sequence[float]) -> list[str]:
    """Notes printed under the table: what makes a number less than it seems."""
    notes = []
    states = results.get("deckgen")
    if isinstance(states, dict) and states["at_start"].get("source_sha256") != states["at_end"].get("source_sha256"):
        notes.append("deckgen's source changed during the run: measures taken before and after are of different code.")
    ref = results.get("reference")
    if isinstance(ref, dict) and ref["fallback"]:
        notes.append(f"{REFERENCE} is missing: the reference build measured {FALLBACK_REFERENCE} instead.")
    if max(sizes_mb) != TARGET_SIZE_MB:
        notes.append(
            f"the throughput and memory targets are set at {TARGET_SIZE_MB:g} MB; "
            f"this run checks them at {size_label(max(sizes_mb))}."
        )
    throughput = results.get("throughput")
    entries = throughput if isinstance(throughput, list) else []
    if len(entries) > 1:
        small, large = entries[0], entries[-1]
        small_rss, large_rss = max(small["build_rss_mb"]), max(large["build_rss_mb"])
        marginal = (large_rss - small_rss) / ((large["generated"]["bytes"] - small["generated"]["bytes"]) / MB)
        if marginal > MARGINAL_RSS_NOTE:
            notes.append(
                f"deckgen's RSS grows by {marginal:.1f} MB per MB of input; the sub-linear verdict comes from the "
                f"fixed start-up memory. At this rate a 100 MB input would need about "
                f"{large_rss + marginal * (100 - large['generated']['bytes'] / MB):,.0f} MB."
            )
    for entry in entries:
        generated, found = entry["generated"]["annotations"], entry["annotations_found"]
        if found is None or abs(found - generated) > 0.01 * generated:
            notes.append(
                f"deckgen reported {found} annotations in the {size_label(entry['size_mb'])} corpus, "
                f"which holds {generated}: its time may not be for the whole work."
            )
    jobs = results.get("jobs")
    if isinstance(jobs, dict) and jobs["available"]:
        one, two = jobs["jobs1_samples_s"], jobs["jobs2_samples_s"]
        if min(one) <= max(two) and min(two) <= max(one):
            notes.append(
                f"the --jobs 1 runs ({', '.join(f'{t:.1f}' for t in one)} s) and --jobs 2 runs "
                f"({', '.join(f'{t:.1f}' for t in two)} s) overlap: the speed-up is within the noise."
            )
    for name, message in dict(results.get("errors") or {}).items():  # type: ignore[call-overload]
        notes.append(f"{name} failed: {message}")
    return notes


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
        description="Benchmark deckgen: cold start, reference build vs floor, throughput and memory "
        "on synthetic corpora, deck writing, --jobs.  Prints a table; writes JSON.",
    )
    parser.add_argument("--quick", action="store_true", help="Corpora of 0.2 MB and 2 MB instead of 2 MB and 20 MB.")
    parser.add_argument("--runs", type=int, default=7, help="Runs per cold-start measure (default 7).")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="Where to write the results (JSON).")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "deckgen-bench",
        help="Work folder: dictionary cache, decks, cached corpora (default: <tmp>/deckgen-bench).",
    )
    parser.add_argument(
        "--sizes", help="Corpus sizes in MB, comma-separated, smallest first (default 2,20; --quick 0.2,2)."
    )
    parser.add_argument(
        "--big-runs", type=int, default=3, help="Runs of each throughput measure, per corpus size (default 3)."
    )
    parser.add_argument("--seed", type=int, default=SEED, help="Seed of the synthetic corpora.")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.big_runs < 1:
        parser.error("--runs and --big-runs must be at least 1")
    if args.sizes:
        try:
            args.sizes = tuple(sorted(float(s) for s in args.sizes.split(",")))
        except ValueError:
            parser.error(f"--sizes: not a list of numbers: {args.sizes!r}")
    else:
        args.sizes = QUICK_SIZES_MB if args.quick else FULL_SIZES_MB
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_child":
        return child_main(argv[1:])
    args = parse_args(argv)
    started = time.perf_counter()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(work, args.runs, args.sizes, args.seed, args.big_runs)
    at_start = machine()
    deckgen_at_start = deckgen_state()
    progress(f"work dir {work}; deckgen command: {' '.join(deckgen_command())}")
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    bench.measure("help", bench.help)
    bench.measure("reference", bench.reference)
    corpora: list[Corpus] = []

    def throughput() -> None:
        corpora.extend(bench.corpora())
        bench.throughput(corpora)

    bench.measure("throughput", throughput)
    bench.measure("write_deck", bench.write_deck)
    if corpora:
        bench.measure("jobs", lambda: bench.jobs(corpora))
    bench.results["deckgen"] = {"at_start": deckgen_at_start, "at_end": deckgen_state()}
    rows = report_rows(bench.results, args.runs, max(args.sizes))
    notes = doubts(bench.results, args.sizes)
    duration = time.perf_counter() - started
    result = {
        "date": date,
        "duration_s": duration,
        "argv": argv,
        "machine": at_start,
        "loadavg_at_end": machine()["loadavg"],
        "settings": {
            "runs": args.runs,
            "big_runs": args.big_runs,
            "sizes_mb": list(args.sizes),
            "seed": args.seed,
            "quick": args.quick,
            "work": str(work),
        },
        "targets": {
            "help_max_s": HELP_MAX_S,
            "reference_max_ratio": REFERENCE_MAX_RATIO,
            "build_max_ratio": BUILD_MAX_RATIO,
            "rss_max_mb": RSS_MAX_MB,
            "target_size_mb": TARGET_SIZE_MB,
        },
        **bench.results,
        "table": [asdict(row) for row in rows],
        "notes": notes,
        "failures": bench.failures,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    info = result["machine"]
    print(f"deckgen benchmark, {date}, {info['nproc']} CPU(s), Python {info['python']}, {info['platform']}")  # type: ignore[index]
    print(format_table(rows))
    for note in notes:
        print(f"note: {note}")
    print(f"{duration:.0f} s in all; results in {args.json}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
