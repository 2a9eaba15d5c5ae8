"""Shared fixtures: the reference corpus (skipped when ../shared is absent) and Anki helpers."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
REFERENCE = CORPUS / "000_7c7be342e79c6484.txt"
EXAMPLE = REPO / "examples" / "library.txt"


def corpus_file(name: str) -> Path:
    """A file of ../shared/corpus, or skip the test with the reason."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared corpus sits beside the repo only in the project workspace")
    return path


@pytest.fixture
def reference() -> Path:
    return corpus_file(REFERENCE.name)


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deckgen-cache")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, _cache_dir: Path, tmp_path: Path) -> None:
    """Builds in tests stamp a known time, share one dictionary cache per run, and each
    test gets its own word library, never the user's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(_cache_dir))
    monkeypatch.setenv("DECKGEN_LIBRARY", str(tmp_path / "deckgen-library.sqlite3"))


@contextlib.contextmanager
def anki_collection(path: Path) -> Iterator[object]:
    """A real, headless Anki collection (PyPI ``anki``), always closed."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        yield col
    finally:
        col.close()


def import_apkg(col, apkg: Path) -> None:  # type: ignore[no-untyped-def]
    """Import *apkg* the way Anki's File > Import does, updating existing notes."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions(with_scheduling=True))
    )
    col.models._clear_cache()


def notes_by_hanzi(col) -> dict[str, object]:  # type: ignore[no-untyped-def]
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        out[note["Hanzi"] + "|" + note["Pinyin"]] = note
    return out


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``deckgen ARGS`` in this process with typer's CliRunner, as a subprocess result.

    In-process runs are ten times faster than a new interpreter each; the
    exit code, stdout and stderr are the same.  One smoke test
    (``tests/test_cli.py``) still runs the real ``python -m deckgen``.
    """
    from typer.testing import CliRunner

    from deckgen.cli import app

    here = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    except SystemExit as exc:  # pragma: no cover - typer turns exits into results
        code = exc.code if isinstance(exc.code, int) else 1
        return subprocess.CompletedProcess(list(map(str, args)), code, "", "")
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(list(map(str, args)), result.exit_code, result.stdout, result.stderr)
