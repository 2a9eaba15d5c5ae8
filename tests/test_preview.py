"""The preview page: the real templates and CSS, every card, checked in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from deckgen.build import BuildOptions, build
from deckgen.preview import render_card, write_preview
from deckgen.render import templates

from .conftest import EXAMPLE

ALL_CARDS = ("recognition", "recall", "listening", "sentence")


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium installed (Debian package 'chromium'); the browser check needs one")


def dump_dom(page: Path, tmp_path: Path) -> BeautifulSoup:
    """The page's DOM after Chromium has loaded it and run its scripts."""
    proc = subprocess.run(
        [
            browser(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return BeautifulSoup(proc.stdout, "html.parser")


def test_preview_shows_every_card_in_chromium(tmp_path: Path) -> None:
    result = build([EXAMPLE], BuildOptions(cards=ALL_CARDS))
    page = write_preview(result.notes, tmp_path / "preview.html", "Preview test")
    dom = dump_dom(page, tmp_path)
    notes = dom.select("section.note")
    assert len(notes) == len(result.notes) == 21
    pairs = dom.select("div.pair")
    assert len(pairs) == 21 * 4
    assert dom.select_one("#summary").get_text() == "21 notes, 84 cards"
    for pair in pairs:
        front = pair.select_one(".side.front .card")
        back = pair.select_one(".side.back .card")
        assert front.get_text(strip=True), f"empty front in {pair['data-card']}"
        assert len(back.get_text(strip=True)) > len(front.get_text(strip=True))
    first = notes[0]
    assert first.select_one(".side.back .pinyin .tone3").get_text() == "gǎi"
    assert first.select("button.tts-play")
    assert "<script" not in page.read_text(encoding="utf-8").split("<main>")[1]


def test_default_cards_only_and_no_tts(tmp_path: Path) -> None:
    result = build([EXAMPLE], BuildOptions(tts=False))
    note = result.notes[0]
    rendered = {t["name"]: render_card(note, t) for t in templates()}
    assert rendered["Listening"] is None and rendered["Sentence"] is None
    assert rendered["Recognition"] and rendered["Recall"]
    assert "tts-play" not in "".join(rendered["Recognition"])
