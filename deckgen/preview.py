"""A self-contained HTML page showing every card of a build, front and back.

The cards are rendered from the deck's real templates and CSS, with the same
rule Anki uses to decide which optional cards exist, so a reader can look the
deck over in a browser before importing it.  Anki's ``{{tts …}}`` tags become
play buttons that speak the field's plain text, as Anki's TTS does, with a
browser voice for the tag's language (zh-CN); when the browser has no such
voice, the header and the buttons say so rather than speak with a wrong one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

from .render import CARD_SWITCHES, FIELDS, RenderedNote, css, templates

_TTS = re.compile(r"\{\{tts ([A-Za-z_]+):([A-Za-z]+)\}\}")
_FIELD = re.compile(r"\{\{(" + "|".join(map(re.escape, (*FIELDS, "FrontSide"))) + r")\}\}")
# Template name → the field that switches it on ("Recall" → CardRecall).
_SWITCH_OF = {card.capitalize(): field for card, field in CARD_SWITCHES.items()}
_SPEAK = "speak:"  # chevron key prefix for a field's plain text, spoken by the play buttons


def _prepare(template: str) -> str:
    """Anki template → chevron template: fields unescaped (Anki does not escape), tts as a button.

    The button carries the field's plain text in ``data-speak`` (chevron escapes
    it for the attribute), which is what Anki's own TTS reads: the text without
    markup such as the sentence's ``<b class="hl">``.
    """
    template = _TTS.sub(
        lambda m: (
            f'<button type="button" class="tts-play" data-lang="{m.group(1).replace("_", "-")}" '
            f'data-field="{m.group(2)}" data-speak="{{{{{_SPEAK}{m.group(2)}}}}}" '
            f'onclick="deckgenSpeak(this)">▶ {m.group(1).replace("_", "-")}</button>'
        ),
        template,
    )
    return _FIELD.sub(lambda m: "{{{" + m.group(1) + "}}}", template)


def plain_text(field: str) -> str:
    """A field's text as a reader (or a speech engine) meets it: tags dropped, entities decoded.

    >>> plain_text('我们<b class="hl">改造</b>了 &lt;旧馆&gt; &amp; 书架')
    '我们改造了 <旧馆> & 书架'
    """
    from bs4 import BeautifulSoup

    return BeautifulSoup(field, "html.parser").get_text()


def render_card(note: RenderedNote, template: dict[str, str]) -> tuple[str, str] | None:
    """The (front, back) HTML of one card, or None when Anki would not generate it."""
    import chevron

    values = dict(zip(FIELDS, note.fields, strict=True))
    switch = _SWITCH_OF.get(template["name"])
    if switch and not values[switch]:
        return None
    spoken = {m.group(2) for m in _TTS.finditer(template["qfmt"] + template["afmt"])}
    values.update({_SPEAK + name: plain_text(values[name]) for name in spoken})
    front = chevron.render(_prepare(template["qfmt"]), values)
    back = chevron.render(_prepare(template["afmt"]), {**values, "FrontSide": front})
    return front, back


_PAGE_CSS = """
body { margin: 0; font-family: system-ui, sans-serif; background: #eceff1; }
header { padding: 12px 16px; background: #263238; color: #fff; position: sticky; top: 0; z-index: 1; }
header h1 { font-size: 18px; margin: 0 0 4px; }
header button { margin-top: 6px; }
.note { margin: 16px; padding: 12px; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px #0002; }
.note h2 { font-size: 16px; margin: 0 0 8px; }
.note .tags { font-size: 12px; color: #607d8b; margin-bottom: 8px; }
.pair { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.side { flex: 1 1 300px; border: 1px solid #cfd8dc; border-radius: 6px; overflow: hidden; }
.side > .label { font-size: 11px; text-transform: uppercase; background: #eceff1; padding: 2px 8px; }
#voice { font-size: 13px; }
button.tts-play.no-voice { opacity: 0.6; cursor: not-allowed; }
"""

_PAGE_JS = """
function deckgenVoice(lang) {
  if (!('speechSynthesis' in window)) { return null; }
  var want = lang.toLowerCase().replace('_', '-');
  var voices = speechSynthesis.getVoices();
  for (var i = 0; i < voices.length; i++) {
    if (voices[i].lang.toLowerCase().replace('_', '-') === want) { return voices[i]; }
  }
  return null;
}
function deckgenVoices() {
  var langs = {};
  document.querySelectorAll('button.tts-play').forEach(function (b) {
    var voice = deckgenVoice(b.dataset.lang);
    langs[b.dataset.lang] = voice;
    b.classList.toggle('no-voice', !voice);
    b.textContent = '▶ ' + b.dataset.lang + (voice ? '' : ' (no voice)');
    b.title = voice ? 'Speak with ' + voice.name : 'This browser has no ' + b.dataset.lang + ' voice';
  });
  var lines = Object.keys(langs).map(function (lang) {
    if (!('speechSynthesis' in window)) { return 'No speech synthesis in this browser: play buttons are silent.'; }
    return langs[lang] ? 'Play buttons speak with the ' + lang + ' voice ' + langs[lang].name + '.'
      : 'No ' + lang + ' voice in this browser: play buttons are silent.';
  });
  document.getElementById('voice').textContent = lines.join(' ');
}
function deckgenSpeak(button) {
  var voice = deckgenVoice(button.dataset.lang);
  deckgenVoices();
  if (!voice) { return; }
  var u = new SpeechSynthesisUtterance(button.dataset.speak);
  u.lang = voice.lang; u.voice = voice;
  speechSynthesis.cancel(); speechSynthesis.speak(u);
}
function deckgenNight(on) {
  document.querySelectorAll('.side .card').forEach(function (c) { c.classList.toggle('nightMode', on); });
}
document.addEventListener('DOMContentLoaded', deckgenVoices);
if ('speechSynthesis' in window) { speechSynthesis.addEventListener('voiceschanged', deckgenVoices); }
"""


def page(notes: Sequence[RenderedNote], title: str) -> str:
    """The whole preview page for *notes*."""
    blocks = []
    total = 0
    for index, note in enumerate(notes, 1):
        sides = []
        for template in templates():
            card = render_card(note, template)
            if card is None:
                continue
            total += 1
            front, back = card
            sides.append(
                f'<div class="pair" data-card="{template["name"]}">'
                f'<div class="side front"><div class="label">{template["name"]} · front</div>'
                f'<div class="card">{front}</div></div>'
                f'<div class="side back"><div class="label">{template["name"]} · back</div>'
                f'<div class="card">{back}</div></div></div>'
            )
        blocks.append(
            f'<section class="note" id="note-{index}"><h2>{index}. {note.field("Hanzi")} '
            f"{note.field('Pinyin')}</h2>"
            f'<div class="tags">{html.escape(" ".join(note.tags))}</div>{"".join(sides)}</section>'
        )
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{css()}{_PAGE_CSS}</style><script>{_PAGE_JS}</script></head>"
        f'<body><header><h1>{html.escape(title)}</h1><div id="summary">{len(notes)} notes, {total} cards</div>'
        '<div id="voice">Looking for a speech voice…</div>'
        '<label><input type="checkbox" onchange="deckgenNight(this.checked)"> night mode</label></header>'
        f"<main>{''.join(blocks)}</main></body></html>"
    )


def write_preview(notes: Sequence[RenderedNote], path: Path, title: str) -> Path:
    """Write the preview page to *path*, atomically like decks."""
    from .safety import atomic_target

    with atomic_target(Path(path), "preview") as tmp:
        tmp.write_text(page(notes, title), encoding="utf-8")
    return Path(path)
