"""The preview page: the real templates and CSS, every card, checked in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from deckgen.build import BuildOptions, build
from deckgen.preview import plain_text, render_card, write_preview
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
    # This machine's own voices, unstubbed: the header and every button agree on whether there is a zh-CN one.
    voice = dom.select_one("#voice").get_text()
    labels = {button.get_text() for button in dom.select("button.tts-play")}
    if voice == "No zh-CN voice in this browser: play buttons are silent.":
        assert labels == {"▶ zh-CN (no voice)"}
    else:
        assert voice.startswith("Play buttons speak with the zh-CN voice ") and labels == {"▶ zh-CN"}
    assert "<script" not in page.read_text(encoding="utf-8").split("<main>")[1]


def test_default_cards_only_and_no_tts(tmp_path: Path) -> None:
    result = build([EXAMPLE], BuildOptions(tts=False))
    note = result.notes[0]
    rendered = {t["name"]: render_card(note, t) for t in templates()}
    assert rendered["Listening"] is None and rendered["Sentence"] is None
    assert rendered["Recognition"] and rendered["Recall"]
    assert "tts-play" not in "".join(rendered["Recognition"])


# Stands in for the browser's speech engine, so the test sees what each button
# would say and with which voice, whatever voices this machine has installed.
SPEECH_STUB = """<script>
window.spoken = [];
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  getVoices: function () { return VOICES; },
  speak: function (u) { spoken.push({text: u.text, lang: u.lang, voice: u.voice ? u.voice.name : null}); },
  cancel: function () {},
  addEventListener: function () {}
}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
</script>"""

# Clicks every play button once the page's own DOMContentLoaded handler has run.
CLICK_ALL = """<script>
document.addEventListener('DOMContentLoaded', function () {
  var out = [];
  document.querySelectorAll('button.tts-play').forEach(function (b) {
    var before = spoken.length;
    b.click();
    out.push({note: b.closest('section.note').id, field: b.dataset.field, label: b.textContent,
              spoken: spoken.slice(before)});
  });
  var pre = document.createElement('pre'); pre.id = 'clicked'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def click_every_button(page: Path, tmp_path: Path, voices: list[dict[str, str]]) -> tuple[BeautifulSoup, list]:
    """Chromium's DOM after clicking every play button, and per button what the stub engine was asked to say."""
    text = page.read_text(encoding="utf-8")
    stub = SPEECH_STUB.replace("VOICES", json.dumps(voices))
    rigged = page.with_name("rigged.html")
    rigged.write_text(text.replace("<head>", "<head>" + stub, 1).replace("</body>", CLICK_ALL + "</body>"), "utf-8")
    dom = dump_dom(rigged, tmp_path)
    return dom, json.loads(dom.select_one("#clicked").get_text())


def test_play_buttons_speak_the_plain_field_text_with_a_zh_cn_voice(tmp_path: Path) -> None:
    result = build([EXAMPLE], BuildOptions(cards=ALL_CARDS))
    page = write_preview(result.notes, tmp_path / "preview.html", "Speech test")
    voices = [{"name": "English", "lang": "en-US"}, {"name": "Tingting", "lang": "zh-CN"}]
    dom, clicked = click_every_button(page, tmp_path, voices)
    # The article less its pinyin annotations (parentheses with no hanzi): each spoken sentence is a piece of it.
    article = re.sub(r"\([^)\u4e00-\u9fff]*\)", "", EXAMPLE.read_text(encoding="utf-8"))
    # Per note: word and sentence on Recognition and Recall, word twice and sentence on Listening, sentence on Sentence.
    assert len(clicked) == 21 * 8
    for button in clicked:
        note = result.notes[int(button["note"].removeprefix("note-")) - 1]
        assert button["label"] == "▶ zh-CN"
        assert [(s["lang"], s["voice"]) for s in button["spoken"]] == [("zh-CN", "Tingting")]
        text = button["spoken"][0]["text"]
        if button["field"] == "Hanzi":
            assert text == note.hanzi
        else:
            assert button["field"] == "Sentence"
            assert "<" not in text and ">" not in text and "}" not in text
            assert note.hanzi in text and text in article
    sentences = [b["spoken"][0]["text"] for b in clicked if b["field"] == "Sentence"]
    shown = [div.get_text() for div in dom.select("section.note .sentence:not(.blank)")]  # Recall shows it blanked
    assert sentences and set(sentences) == set(shown)  # each button says the sentence the card shows
    assert dom.select_one("#voice").get_text() == "Play buttons speak with the zh-CN voice Tingting."


@pytest.mark.parametrize("voices", [[], [{"name": "English", "lang": "en-US"}, {"name": "Mei-Jia", "lang": "zh-TW"}]])
def test_play_buttons_say_when_there_is_no_zh_cn_voice(tmp_path: Path, voices: list[dict[str, str]]) -> None:
    result = build([EXAMPLE], BuildOptions(cards=("recognition",)))
    page = write_preview(result.notes[:2], tmp_path / "preview.html", "No voice")
    dom, clicked = click_every_button(page, tmp_path, voices)
    assert len(clicked) == 2 * 2
    assert all(b["spoken"] == [] for b in clicked)
    assert {b["label"] for b in clicked} == {"▶ zh-CN (no voice)"}
    assert all("no-voice" in b["class"] for b in dom.select("button.tts-play"))
    assert dom.select_one("#voice").get_text() == "No zh-CN voice in this browser: play buttons are silent."


def test_plain_text_of_a_sentence_field() -> None:
    note = build([EXAMPLE], BuildOptions()).notes[0]
    sentence = note.field("Sentence")
    assert '<b class="hl">' in sentence
    spoken = plain_text(sentence)
    assert "<" not in spoken and note.hanzi in spoken
    assert spoken == BeautifulSoup(sentence, "html.parser").get_text()
