"""Which encoding a file is in: byte order marks, HTML's own charset, UTF-8, then the Chinese legacy codecs.

A UTF-8 note, a GBK file from an old Windows editor, a Big5 page from a
Taiwanese site: detection reads at most the first 256 KiB, decodes legacy
Chinese encodings with their supersets (GB18030, cp950), and between GB18030
and Big5 prefers the one whose text is mostly common hanzi.  Undecodable bytes
are marked so the line holding one can be named.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

from .errors import InputError, os_error, path_label, require_regular

# Enough bytes to judge an encoding; detection never reads past this.
_SAMPLE_BYTES = 256 * 1024

# UTF-32 LE's BOM begins with UTF-16 LE's, so it is tried first.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_WIDE_CODECS = ("utf-16", "utf-32")

# Legacy Chinese encodings decoded with their superset: GB18030 reads every
# GBK and GB2312 file, and cp950 is the Big5 that Windows (and browsers) use.
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "big5": "cp950"}

_CHINESE_CODECS = ("gb18030", "big5", "cp950", "big5hkscs")

# Undecodable bytes become a lone surrogate, which valid decoding never
# produces; the line holding one is then reported by number.
MARK_ERRORS = "deckgen.read.mark"

UNDECODABLE = re.compile("[\ud800-\udfff]")

# C0 controls other than tab, LF, VT, FF, CR; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

_BINARY_CONTROL_SHARE = 0.1

_HTML_SUFFIXES = frozenset({".html", ".htm"})
_HTML_START = ("<!doctype html", "<html")
_HTML_SPACE = " \t\n\r\f"  # what HTML skips before its first tag

_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    """Replace undecodable bytes with one lone surrogate, so the line can be named."""
    if isinstance(error, UnicodeDecodeError):
        return "\udfff", error.end
    raise error


codecs.register_error(MARK_ERRORS, _mark_undecodable)


def detect_encoding(path: Path) -> str:
    """Name the Python codec that decodes *path*, as :func:`read_lines` would choose it.

    The order matters because each step is surer than the next.  A byte
    order mark settles it (UTF-8, UTF-16, UTF-32).  An HTML page's ``<meta
    charset>`` is believed if the page's bytes agree.  Text that is valid
    UTF-8 is UTF-8: legacy encodings almost never produce valid UTF-8 by
    chance.  Otherwise charset-normalizer chooses among the Chinese legacy
    encodings, and when both GB18030 and Big5 decode the bytes (short texts
    often do) the one that yields more of its own common characters wins,
    GB18030 on a tie; only then are other encodings considered.  GBK and
    GB2312 are reported as ``gb18030`` and Big5 as ``cp950``, the supersets
    that decode them.  Only the first 256 KiB are looked at.

    Raises :class:`InputError` for a missing, unreadable or binary file.
    """
    sample, complete = read_sample(path)
    return inspect(path, sample, complete, None)[0]


def read_sample(path: Path) -> tuple[bytes, bool]:
    """The first bytes of *path*, and whether they are the whole file.

    The file is stat-ed first so that a FIFO or device is refused instead of
    blocking the open.
    """
    try:
        require_regular(path)
        with path.open("rb") as handle:
            sample = handle.read(_SAMPLE_BYTES + 1)
    except OSError as error:
        raise os_error(path, error) from error
    if not sample:
        raise InputError(f"{path_label(path)}: the file is empty")
    return sample[:_SAMPLE_BYTES], len(sample) <= _SAMPLE_BYTES


def inspect(path: Path, sample: bytes, complete: bool, encoding: str | None) -> tuple[str, str]:
    """Choose the codec for *path* (or check the given one) and refuse binary data.

    Returns the codec and the decoded sample, undecodable bytes marked.
    """
    if encoding is None:
        codec = _choose_encoding(path, sample, complete)
    else:
        named = _text_codec(encoding)
        if named is None:
            raise InputError(f"{path_label(path)}: unknown text encoding {encoding!r}")
        codec = named
    if b"\x00" in sample and not codec.startswith(_WIDE_CODECS):
        raise InputError(f"{path_label(path)}: not a text file (binary data)")
    try:
        head = _decode_sample(sample, codec, complete)
    except UnicodeError as error:  # a decoder that refuses the whole stream, e.g. UTF-16 without BOM
        raise undecodable(path, codec, error) from error
    if len(_CONTROL.findall(head)) > _BINARY_CONTROL_SHARE * len(head):
        raise InputError(f"{path_label(path)}: not a text file (binary data)")
    return codec, head


def undecodable(path: Path, codec: str, error: UnicodeError) -> InputError:
    """The InputError for a decoder that fails as a whole rather than at a byte."""
    reason = " ".join(str(error).split())
    return InputError(f"{path_label(path)}: cannot be decoded as {codec} ({reason}); try --encoding")


def _text_codec(name: str) -> str | None:
    """Python's name for the text codec called *name*, or None if there is none.

    ``bytes.decode`` is what refuses codecs that are not bytes-to-text, such
    as ``base64`` and ``rot13``, which ``codecs.lookup`` accepts; it needs a
    non-empty input to look the codec up at all.
    """
    try:
        codec = codecs.lookup(name).name
        b"a".decode(codec, errors="ignore")
    except (LookupError, ValueError, TypeError):
        return None
    return codec


def _choose_encoding(path: Path, sample: bytes, complete: bool) -> str:
    """Detect the codec of *sample*; see :func:`detect_encoding` for the order."""
    for bom, codec in BOMS:
        if sample.startswith(bom):
            return codec
    if b"\x00" in sample:
        raise InputError(f"{path_label(path)}: not a text file (binary data)")
    if is_html(path, sample):
        declared = _meta_charset(sample)
        if declared is not None and _decodes(sample, declared, complete):
            return declared
    if _decodes(sample, "utf-8", complete):
        return "utf-8"
    return _guess_legacy(path, _whole_characters(sample, complete))


def _decodes(sample: bytes, codec: str, complete: bool) -> bool:
    """Whether *sample* is valid *codec*; a character cut at the sample's end is allowed."""
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(sample, final=complete)
    except UnicodeError:
        return False
    return True


def _decode_sample(sample: bytes, codec: str, complete: bool) -> str:
    """*sample* as text, undecodable bytes marked rather than raised."""
    return codecs.getincrementaldecoder(codec)(MARK_ERRORS).decode(sample, final=complete)


def _whole_characters(sample: bytes, complete: bool) -> bytes:
    """Cut a truncated *sample* after its last byte below 0x30.

    No multi-byte character in UTF-8, GB18030 or Big5 contains such a byte,
    so the cut never splits one; charset-normalizer rejects an encoding whose
    last character is cut in half.
    """
    if complete:
        return sample
    for index in range(len(sample) - 1, max(-1, len(sample) - 4096), -1):
        if sample[index] < 0x30:
            return sample[: index + 1]
    return sample


def _meta_charset(sample: bytes) -> str | None:
    """The codec an HTML page declares in ``<meta charset>`` (or http-equiv), if Python has it.

    A page saved as UTF-16 cannot declare itself in ASCII, so a UTF-16 label
    here means UTF-8, as browsers read it.
    """
    match = _META_CHARSET.search(sample[:4096])
    if match is None:
        return None
    codec = _text_codec(match.group(1).decode("ascii"))
    if codec is None:
        return None
    if codec.startswith(_WIDE_CODECS):
        return "utf-8"
    return _SUPERSETS.get(codec, codec)


def _guess_legacy(path: Path, sample: bytes) -> str:
    """Ask charset-normalizer which legacy encoding *sample* is in, Chinese ones first."""
    from charset_normalizer import from_bytes

    candidates = _codec_names(match.encoding for match in from_bytes(sample, cp_isolation=list(_CHINESE_CODECS)))
    # A short text gives charset-normalizer little to go on (关键(guānjiàn) came back as Big5 alone): every
    # Chinese encoding that decodes the sample competes on its own tables' common characters.
    candidates += [codec for codec in ("gb18030", "cp950") if codec not in candidates and _decodes(sample, codec, True)]
    if candidates:
        return max(candidates, key=lambda codec: (_common_share(sample, codec), codec == "gb18030"))
    best = from_bytes(sample).best()
    fallback = _codec_names([best.encoding]) if best is not None else []
    if not fallback:
        raise InputError(f"{path_label(path)}: cannot tell the text encoding (try --encoding)")
    return fallback[0]


def _codec_names(names: Iterable[str]) -> list[str]:
    """Python codec names for *names*, mapped to their supersets, without repeats."""
    found: list[str] = []
    for name in names:
        codec = _text_codec(name)
        if codec is not None:
            codec = _SUPERSETS.get(codec, codec)
            if codec not in found:
                found.append(codec)
    return found


def _common_share(sample: bytes, codec: str) -> float:
    """The share of *sample*'s non-ASCII characters that *codec* files as common.

    GB2312 orders its first level (lead bytes B0–D7) as the 3,755 common
    characters, and Big5 its A440–C67E range as the 5,401 common ones.  Read
    in the wrong one of the two, Chinese text lands among rare characters,
    kana and empty slots (``的`` in Big5 is AA BA, a GBK extension slot), so
    the encodings' own tables tell them apart without a frequency list.

    >>> text = "我們今天學習中文"
    >>> _common_share(text.encode("big5"), "cp950") > _common_share(text.encode("big5"), "gb18030")
    True
    """
    decoded = sample.decode(codec, errors="replace")
    total = common = 0
    for char in islice((char for char in decoded if char > "\x7f"), 5000):
        total += 1
        raw = char.encode(codec, errors="replace")
        if len(raw) != 2:
            continue
        lead, trail = raw
        if codec == "gb18030":
            # Level-1 hanzi, punctuation, and row 8: the pinyin letters of annotated text (ā is A8A1).
            common += (0xB0 <= lead <= 0xD7 or 0xA1 <= lead <= 0xA3 or lead == 0xA8) and trail >= 0xA1
        else:
            code = lead << 8 | trail
            common += 0xA140 <= code <= 0xA3BF or 0xA440 <= code <= 0xC67E
    return common / total if total else 0.0


def is_html(path: Path, sample: bytes) -> bool:
    """Whether *path* is a web page: by its suffix, or by how its text begins."""
    if path.suffix.lower() in _HTML_SUFFIXES:
        return True
    head = sample[:1024]
    codec = next((codec for bom, codec in BOMS if head.startswith(bom)), "latin-1")
    start = head.decode(codec, errors="ignore").lstrip("\ufeff" + _HTML_SPACE)
    return start.lower().startswith(_HTML_START)


def looks_like_html(text: str) -> bool:
    """Whether decoded *text* begins as a web page does (``<!DOCTYPE html``, ``<html``)."""
    return text.lstrip(_HTML_SPACE).lower().startswith(_HTML_START)
