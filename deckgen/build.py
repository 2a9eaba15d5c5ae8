"""The whole pipeline for ``deckgen build``: files in, deck out.

read → mine (parse, align, boundaries, sentences) → group/enrich → render →
package.  The CLI calls :func:`build` and then :func:`write`; both return
values and raise :class:`~deckgen.errors.DeckgenError`, never print.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .enrich import Entry, enrich, group
from .errors import DeckgenError, InputError, NoAnnotationsError
from .mine import MineStats, Occurrence, mine_lines
from .notices import Notice
from .render import DEFAULT_CARDS, RenderedNote, RenderOptions, render

DEFAULT_DECK = "Chinese reading"
SUPPORTED_STYLES = "汉字(hànzì), 汉字（han4 zi4）, 汉字[hànzì], 漢字|汉字[han4 zi4], <ruby>汉字<rt>hànzì</rt></ruby>"


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked for."""

    deck: str = DEFAULT_DECK
    encoding: str | None = None
    cards: tuple[str, ...] = DEFAULT_CARDS
    tts: bool = True


@dataclass
class BuildResult:
    """What a build found: entries, rendered notes, notices and counts."""

    entries: list[Entry]
    notes: list[RenderedNote]
    notices: list[Notice]
    files: list[Path]
    failed: list[Path] = field(default_factory=list)
    annotations: int = 0
    skipped: int = 0

    @property
    def flagged(self) -> list[RenderedNote]:
        """Notes tagged ``deckgen::check``, for the summary."""
        return [n for n in self.notes if "deckgen::check" in n.tags]


def slug(name: str) -> str:
    """A file-name-safe form of a deck name.

    >>> slug('Chinese reading'), slug('中文::新闻 2024')
    ('chinese-reading', '中文-新闻-2024')
    """
    return re.sub(r"[^\w]+", "-", name).strip("-").lower() or "deck"


def default_output(deck: str) -> Path:
    """``output/<deck-name-slug>.apkg``."""
    return Path("output") / f"{slug(deck)}.apkg"


def _dedupe(notices: list[Notice]) -> list[Notice]:
    """One notice per (file, kind, message): an article pasted twice warns once."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for notice in notices:
        key = (notice.path, notice.kind, notice.message)
        if key not in seen:
            seen.add(key)
            out.append(notice)
    return out


def mine_file(path: Path, encoding: str | None, notices: list[Notice], stats: MineStats) -> list[Occurrence]:
    """All occurrences in one file; raises InputError if it cannot be read or has no annotations."""
    from .read import read_lines

    before = stats.annotations
    lines = ((source.line, source.text) for source in read_lines(path, encoding))
    occurrences = list(mine_lines(lines, str(path), notices, stats))
    if stats.annotations == before:
        raise NoAnnotationsError(f"{path}: no pinyin annotations found (supported styles: {SUPPORTED_STYLES})")
    return occurrences


def build(inputs: Sequence[Path], options: BuildOptions = BuildOptions()) -> BuildResult:
    """Mine every input into rendered notes.

    A file that cannot be read is reported and skipped when other files
    remain; if every file fails, the first error is raised.
    """
    from .read import expand_inputs

    files = expand_inputs(list(inputs))
    notices: list[Notice] = []
    stats = MineStats()
    occurrences: list[Occurrence] = []
    failed: list[Path] = []
    first_error: DeckgenError | None = None
    for path in files:
        try:
            occurrences.extend(mine_file(path, options.encoding, notices, stats))
        except InputError as exc:
            failed.append(path)
            first_error = first_error or exc
            notices.append(Notice(str(path), 0, "file", str(exc)))
    if not occurrences:
        raise first_error or InputError("no input files")
    entries = [enrich(entry) for entry in group(occurrences)]
    render_options = RenderOptions(cards=options.cards, tts=options.tts)
    notes = [render(entry, render_options) for entry in entries]
    return BuildResult(entries, notes, _dedupe(notices), files, failed, stats.annotations, stats.skipped)


def write(result: BuildResult, output: Path, deck: str) -> Path:
    """Package the notes of *result* as an ``.apkg`` at *output*, atomically."""
    from .package import write_apkg

    description = "Built by deckgen from: " + ", ".join(p.name for p in result.files if p not in result.failed)
    return write_apkg(result.notes, output, deck, description)
