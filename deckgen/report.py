"""The machine-readable build report (``--report FILE.json``).

It lists every notice (skipped or odd annotations, flagged notes, unreadable
files) with its file and line, and every note written, so scripts and
reviewers need not parse the terminal summary.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .api import Deck

REPORT_VERSION = 1


def report_data(result: Deck, deck: Path | None) -> dict[str, Any]:
    """The report as plain data."""
    return {
        "version": REPORT_VERSION,
        "deck": str(deck) if deck else None,
        "files": list(result.sources),
        "failed_files": list(result.failed),
        "readers": dict(result.readers),
        "annotations": result.annotations,
        "skipped": result.skipped,
        "left_out": list(result.left_out),
        "notes": [{"hanzi": n.hanzi, "pinyin": n.pinyin, "tags": list(n.tags)} for n in result.notes],
        "notices": [asdict(notice) for notice in result.notices],
    }


def write_report(result: Deck, path: Path, deck: Path | None) -> Path:
    """Write the JSON report to *path*, atomically."""
    from .safety import atomic_target

    with atomic_target(Path(path), "report") as tmp:
        tmp.write_text(json.dumps(report_data(result, deck), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Path(path)
