"""Read notes back out of an .apkg without Anki, for golden comparisons."""

from __future__ import annotations

import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from deckgen.render import FIELDS


def read_notes(apkg: Path) -> list[dict[str, object]]:
    """Every note of *apkg* as {field: value, 'tags': [...], 'guid': ...}, in sort-field order."""
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(apkg) as archive:
        db = Path(archive.extract("collection.anki2", tmp))
        conn = sqlite3.connect(db)
        try:
            rows = conn.execute("select guid, flds, tags from notes order by id").fetchall()
        finally:
            conn.close()
    notes = []
    for guid, flds, tags in rows:
        note: dict[str, object] = dict(zip(FIELDS, flds.split("\x1f"), strict=True))
        note["tags"] = tags.split()
        note["guid"] = guid
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
