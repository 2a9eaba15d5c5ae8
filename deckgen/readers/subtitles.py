"""Film and video subtitles (SRT, ASS/SSA, WebVTT) whose cues hold a hanzi line and a pinyin line.

pysubs2 reads the formats and drops their styling (``<i>``, ``{\\an8}``).
Each cue is one sentence: its hanzi line annotated with its pinyin line,
syllable by syllable (see :mod:`deckgen.readers.twoline`).  An English line
in the cue is a translation and is left out; a cue without a pinyin line is
read as inline text.  Line numbers point at the cue's hanzi line in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..align import HANZI
from ..encoding import detect_encoding
from ..errors import InputError, os_error, path_label
from ..parse import ParsedLine, parse_line
from ..read import SourceLine
from .common import looks_like_pinyin_line
from .twoline import hanzi_count, pair

NAME = "subtitles"
SUFFIXES = frozenset({".srt", ".ass", ".ssa", ".vtt"})
_HANZI_RUN = re.compile(f"[{HANZI}]+")
_SRT_START = re.compile(rb"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.MULTILINE)


def looks_like_subtitles(path: Path, head: bytes) -> bool:
    """Whether a file is subtitles: by its suffix, or by how it begins."""
    if path.suffix.lower() in SUFFIXES:
        return True
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith((b"WEBVTT", b"[Script Info]")) or bool(_SRT_START.match(start))


def _format_of(path: Path, text: str) -> str | None:
    """pysubs2's format name, from the suffix or the first line; None lets pysubs2 guess."""
    by_suffix = {".srt": "srt", ".ass": "ass", ".ssa": "ssa", ".vtt": "vtt"}.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    start = text.lstrip()
    if start.startswith("WEBVTT"):
        return "vtt"
    if start.startswith("[Script Info]"):
        return "ass"
    return "srt" if _SRT_START.match(start.encode("utf-8")) else None


def read(path: Path, encoding: str | None) -> Iterator[ParsedLine]:
    """The cues of *path*, each as one parsed line."""
    import pysubs2

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise os_error(path, error) from error
    codec = encoding or detect_encoding(path)
    try:
        text = raw.decode(codec).removeprefix("\ufeff")
    except (UnicodeError, LookupError) as error:
        raise InputError(f"{path_label(path)}: cannot be decoded as {codec} (try --encoding)") from error
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=_format_of(path, text))
    except Exception as error:  # pysubs2 raises its own errors and plain ValueErrors for bad files
        reason = " ".join(str(error).split()) or type(error).__name__
        raise InputError(f"{path_label(path)}: cannot read the subtitles ({reason})") from error
    return _cues(subs, text.splitlines(), str(path))


def _cues(subs, file_lines: list[str], path: str) -> Iterator[ParsedLine]:  # type: ignore[no-untyped-def]
    cursor = 0
    for event in subs:
        if event.is_comment:
            continue
        lines = [line.strip() for line in event.plaintext.splitlines() if line.strip()]
        hanzi = [line for line in lines if hanzi_count(line) and not looks_like_pinyin_line(line)]
        pinyin = [line for line in lines if looks_like_pinyin_line(line)]
        if not hanzi:
            continue
        number, cursor = _line_of(hanzi[0], file_lines, cursor)
        sentence = SourceLine(number, "".join(hanzi))
        if pinyin:
            yield pair(sentence, SourceLine(number, " ".join(pinyin)), path)
        else:
            yield parse_line(sentence.text, number, path)


def _line_of(text: str, file_lines: list[str], cursor: int) -> tuple[int, int]:
    """The 1-based line of the file holding the start of *text*, searching on from *cursor*."""
    run = _HANZI_RUN.search(text)
    probe = run.group()[:4] if run else text[:6]
    for index in range(cursor, len(file_lines)):
        if probe in file_lines[index]:
            return index + 1, index
    return cursor + 1, cursor
