"""Read notes back out of an .apkg without Anki, for golden comparisons (through deckgen.ankifile, as --known does)."""

from __future__ import annotations

import re
from pathlib import Path

from deckgen import ankifile
from deckgen.render import FIELDS


def read_notes(apkg: Path) -> list[dict[str, object]]:
    """Every note of *apkg* as {field: value, 'tags': [...], 'guid': ...}, in the order written."""
    notes = []
    for anki_note in ankifile.notes(apkg):
        assert anki_note.names == FIELDS, anki_note.names  # the note type's own field names, in order
        note: dict[str, object] = dict(zip(FIELDS, anki_note.fields, strict=True))
        note["tags"] = list(anki_note.tags)
        note["guid"] = anki_note.guid
        notes.append(note)
    return notes


def context(sentence_html: str, width: int = 4) -> str:
    """The highlighted word with a few characters either side: ``蹄疾步[稳]:202``."""
    m = re.search(r'(.*)<b class="hl">(.*?)</b>(.*)', sentence_html)
    if not m:
        return ""
    before, word, after = m.groups()
    return before[-width:] + "[" + word + "]" + after[:width]


_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "（": "）", "(": ")", "《": "》", "【": "】", "[": "]"}


def balanced(text: str) -> bool:
    """True when every quotation mark and bracket in *text* is closed, in order (ASCII " counted in pairs)."""
    stack: list[str] = []
    closers = {close: open_ for open_, close in _PAIRS.items()}
    for ch in text:
        if ch in _PAIRS:
            stack.append(ch)
        elif ch in closers:
            if not stack or stack.pop() != closers[ch]:
                return False
    return not stack and text.count('"') % 2 == 0
