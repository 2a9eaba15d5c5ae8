"""The read stage: an input file becomes numbered lines of plain text.

Articles reach deckgen in whatever form the annotator had at hand: a UTF-8
note, a GBK file from an old Windows editor, a Big5 page from a Taiwanese
site, a web page saved from the browser with ``<ruby>`` pinyin.  This stage
hides all of that.  Every input becomes :class:`SourceLine` items whose
``line`` still points into the original file, so that a warning three stages
later can say where to look.

Plain text is streamed line by line, so a 100 MB file never sits in memory.
HTML is parsed whole (a parser needs the whole tree), and ruby annotations
are rewritten into the inline form the parser reads: ``汉字(hànzì)``.
"""

from __future__ import annotations

import codecs
import fnmatch
import glob
import os
import re
import stat
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.errors import InputError

if TYPE_CHECKING:
    from bs4.element import PageElement, Tag


@dataclass(frozen=True)
class SourceLine:
    """One line (or, for HTML, one block) of text, with where it came from.

    ``line`` is 1-based and counts lines of the original file; for HTML it is
    the line where the block's text starts.  ``text`` has no line ending.
    """

    line: int
    text: str


@dataclass(frozen=True)
class Text:
    """An article already in memory, with the name it goes by in tags, notices and the library."""

    text: str
    source: str = "<text>"


# Suffixes a directory is searched for.  A file named on the command line is
# read whatever its suffix: the user chose it.
TEXT_SUFFIXES = frozenset({".txt", ".md", ".text", ".html", ".htm"})
# Learner material deckgen.readers reads: word lists, subtitles, e-books.
TEXT_SUFFIXES |= {".tsv", ".csv", ".srt", ".ass", ".ssa", ".vtt", ".epub"}
_HTML_SUFFIXES = frozenset({".html", ".htm"})

# Enough bytes to judge an encoding; detection never reads past this.
_SAMPLE_BYTES = 256 * 1024

# UTF-32 LE's BOM begins with UTF-16 LE's, so it is tried first.
_BOMS = (
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
_MARK_ERRORS = "deckgen.read.mark"
_UNDECODABLE = re.compile("[\ud800-\udfff]")

# C0 controls other than tab, LF, VT, FF, CR; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BINARY_CONTROL_SHARE = 0.1

_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_HTML_START = ("<!doctype html", "<html")

# Elements whose text is not article text.
_DROPPED_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "nav", "header", "footer",
        "aside", "form", "iframe", "svg", "head", "title",
    }
)  # fmt: skip
# Elements that start a new line of text.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "br", "caption", "center",
        "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup",
        "hr", "html", "legend", "li", "main", "menu", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul",
    }
)  # fmt: skip
# HTML collapses only these; U+3000 and &nbsp; are text.
_HTML_SPACE = re.compile("[ \t\n\r\f]+")
_HTML_SPACE_CHARS = " \t\n\r\f"
_READING_PARENS = str.maketrans("", "", "()（）")


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    """Replace undecodable bytes with one lone surrogate, so the line can be named."""
    if isinstance(error, UnicodeDecodeError):
        return "\udfff", error.end
    raise error


codecs.register_error(_MARK_ERRORS, _mark_undecodable)


def expand_inputs(paths: Sequence[Path | Text]) -> list[Path | Text]:
    """Turn the paths a user named into the files to read.

    A directory stands for every ``.txt``, ``.md``, ``.text``, ``.html`` and
    ``.htm`` file below it, in sorted order, so that a deck built twice from
    the same folder lists its sources the same way.  Hidden files and hidden
    directories (``.git``) are skipped.  Files keep the order the user gave;
    a file reached twice (named and inside a named directory, or through a
    symlink) is read once, where it first appears.  A path that does not
    exist but holds ``*``, ``?`` or ``[`` is a glob (``**`` recurses).
    """
    found: list[Path | Text] = []
    seen: set[str | int] = set()
    for path in paths:
        if isinstance(path, Text):
            found.append(path)
            continue
        try:
            mode = path.stat().st_mode
        except OSError as error:
            pattern = str(path)
            if any(ch in pattern for ch in "*?[") and (matches := sorted(_glob(pattern))):
                # A quoted glob (or a shell that passed it on): expand it ourselves.
                for member in expand_inputs([Path(m) for m in matches]):
                    key = os.path.realpath(member) if isinstance(member, Path) else id(member)
                    if key not in seen:
                        seen.add(key)
                        found.append(member)
                continue
            raise os_error(path, error) from error
        if stat.S_ISDIR(mode):
            members = _text_files_under(path)
            if not members:
                suffixes = ", ".join(sorted(TEXT_SUFFIXES))
                raise InputError(f"{path_label(path)}: no {suffixes} files in this directory")
        else:
            members = [path]
        for member in members:
            key = os.path.realpath(member)
            if key not in seen:
                seen.add(key)
                found.append(member)
    return found


def _glob(pattern: str) -> list[str]:
    """``glob.glob(pattern, recursive=True)``, except that ``**`` enters each real folder once.

    glob follows symlinked folders, so two links back to their parent made
    ``articles/**/*.txt`` explore 2**40 paths; here a folder already walked
    for the same part of the pattern is not walked again.
    """
    if "**" not in pattern:
        return glob.glob(pattern)
    absolute = pattern.startswith(os.sep)
    parts = [part for part in pattern.split(os.sep) if part]
    found: list[str] = []
    walked: set[tuple[str, int]] = set()

    def names(folder: str) -> list[str]:
        try:
            return sorted(os.listdir(folder))
        except OSError:
            return []

    def join(base: str, name: str) -> str:
        return os.path.join(base, name) if base else (os.sep + name if absolute else name)

    def walk(base: str, index: int) -> None:
        here = base or (os.sep if absolute else os.curdir)
        if index == len(parts):
            if base and os.path.lexists(base):
                found.append(base)
            return
        part = parts[index]
        if part == "**":
            key = (os.path.realpath(here), index)
            if key in walked:
                return
            walked.add(key)
            walk(base, index + 1)  # no folder at all
            for name in names(here):
                if index == len(parts) - 1 and not name.startswith(".") and not os.path.isdir(os.path.join(here, name)):
                    found.append(join(base, name))  # a final ** names files too
                if not name.startswith(".") and os.path.isdir(os.path.join(here, name)):
                    walk(join(base, name), index)
        elif any(ch in part for ch in "*?["):
            for name in names(here):
                if (part.startswith(".") or not name.startswith(".")) and fnmatch.fnmatchcase(name, part):
                    walk(join(base, name), index + 1)
        else:
            walk(join(base, part), index + 1)

    walk("", 0)
    return list(dict.fromkeys(found))


def _text_files_under(directory: Path) -> list[Path]:
    """The readable-looking files below *directory*, sorted by their path parts."""
    found: list[Path] = []
    for folder, subfolders, names in os.walk(directory):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            member = Path(folder, name)
            if not name.startswith(".") and member.suffix.lower() in TEXT_SUFFIXES and member.is_file():
                found.append(member)
    return sorted(found, key=lambda member: member.relative_to(directory).parts)


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
    sample, complete = _read_sample(path)
    return _inspect(path, sample, complete, None)[0]


def read_lines(path: Path, encoding: str | None = None) -> Iterator[SourceLine]:
    """Yield the non-blank lines of *path* as plain text, with their line numbers.

    *encoding* overrides detection (see :func:`detect_encoding`).  Line
    endings (``\\r\\n``, ``\\r``) and a byte order mark are removed; nothing
    else in a line is changed, so ``　`` (U+3000) indents survive.  Blank lines
    are skipped, their numbers kept by the lines that follow.

    A file ending in ``.html``/``.htm``, or starting with ``<!DOCTYPE html``
    or ``<html``, is read as a web page: one line per block of visible text,
    ruby rewritten as ``汉字(hànzì)``.  Anything else is text, even if it
    holds markup, so ``<script>`` in a ``.txt`` note stays literal text.

    Problems found in the first 256 KiB (missing, unreadable, binary, empty,
    an unknown *encoding*) raise :class:`InputError` from this call; a bad
    byte further into a text file raises it during iteration, naming the line.
    """
    sample, complete = _read_sample(path)
    codec, head = _inspect(path, sample, complete, encoding)
    if complete and not head.lstrip("\ufeff").strip():
        raise InputError(f"{path_label(path)}: the file is empty")
    if _is_html(path, sample):
        return iter(_read_html(path, codec))
    return _stream_lines(path, codec)


def path_label(path: Path) -> str:
    """The path as it starts an error message, kept on one line."""
    return str(path).replace("\n", "\\n").replace("\r", "\\r")


def os_error(path: Path, error: OSError) -> InputError:
    """The one-line InputError for an operating-system failure on *path*."""
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return InputError(f"{path_label(path)}: no such file or directory")
    if isinstance(error, PermissionError):
        return InputError(f"{path_label(path)}: permission denied")
    if isinstance(error, IsADirectoryError):
        return InputError(f"{path_label(path)}: is a directory")
    reason = (error.strerror or str(error) or type(error).__name__).replace("\n", " ")
    return InputError(f"{path_label(path)}: cannot read ({reason})")


def require_regular(path: Path) -> None:
    """Refuse a folder, FIFO, device or socket before anything opens it (a FIFO would block the open)."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise os_error(path, error) from error
    if stat.S_ISDIR(mode):
        raise InputError(f"{path_label(path)}: is a directory")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path_label(path)}: not a regular file (a device, FIFO or socket)")


def _read_sample(path: Path) -> tuple[bytes, bool]:
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


def _inspect(path: Path, sample: bytes, complete: bool, encoding: str | None) -> tuple[str, str]:
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
        raise _undecodable(path, codec, error) from error
    if len(_CONTROL.findall(head)) > _BINARY_CONTROL_SHARE * len(head):
        raise InputError(f"{path_label(path)}: not a text file (binary data)")
    return codec, head


def _undecodable(path: Path, codec: str, error: UnicodeError) -> InputError:
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
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec
    if b"\x00" in sample:
        raise InputError(f"{path_label(path)}: not a text file (binary data)")
    if _is_html(path, sample):
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
    return codecs.getincrementaldecoder(codec)(_MARK_ERRORS).decode(sample, final=complete)


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


def text_lines(text: Text) -> Iterator[SourceLine]:
    """The non-blank lines of an article in memory, as :func:`read_lines` gives a file's.

    Text that begins like a web page (``<!DOCTYPE html``, ``<html``) is read
    as one; NUL characters are dropped.

    >>> [line.text for line in text_lines(Text("第一行\\n\\n<b>第二行</b>"))]
    ['第一行', '<b>第二行</b>']
    """
    body = text.text.removeprefix("\ufeff").replace("\x00", "")
    if not body.strip():
        raise InputError(f"{text.source}: the text is empty")
    if body.lstrip(_HTML_SPACE_CHARS).lower().startswith(_HTML_START):
        return iter(_html_lines(body.replace("\r\n", "\n").replace("\r", "\n")))
    return (SourceLine(number, line) for number, line in enumerate(body.splitlines(), start=1) if line.strip())


def _is_html(path: Path, sample: bytes) -> bool:
    """Whether *path* is a web page: by its suffix, or by how its text begins."""
    if path.suffix.lower() in _HTML_SUFFIXES:
        return True
    head = sample[:1024]
    codec = next((codec for bom, codec in _BOMS if head.startswith(bom)), "latin-1")
    start = head.decode(codec, errors="ignore").lstrip("\ufeff" + _HTML_SPACE_CHARS)
    return start.lower().startswith(_HTML_START)


def _stream_lines(path: Path, codec: str) -> Iterator[SourceLine]:
    """Yield the non-blank lines of a text file, decoding as it goes.

    ``newline=None`` turns ``\\r\\n`` and ``\\r`` into ``\\n`` (also across
    buffer boundaries), so line numbers match what an editor shows.
    """
    number = 0
    found = False
    try:
        with path.open(encoding=codec, errors=_MARK_ERRORS, newline=None) as handle:
            for number, raw_line in enumerate(handle, start=1):
                text = raw_line.removesuffix("\n").replace("\0", "")  # a NUL is no text, and no field may hold one
                if number == 1:
                    text = text.removeprefix("\ufeff")
                if _UNDECODABLE.search(text):
                    raise InputError(f"{path_label(path)}: line {number} is not valid {codec} text (try --encoding)")
                if text.strip():
                    found = True
                    yield SourceLine(number, text)
    except OSError as error:
        raise os_error(path, error) from error
    except UnicodeError as error:
        raise InputError(f"{path_label(path)}: line {number + 1} is not valid {codec} text (try --encoding)") from error
    if not found:
        raise InputError(f"{path_label(path)}: the file is empty")


def _read_html(path: Path, codec: str) -> list[SourceLine]:
    """The text blocks of the web page *path*; the whole page is read, as a parser needs."""
    try:
        markup = path.read_bytes().decode(codec, errors=_MARK_ERRORS)
    except OSError as error:
        raise os_error(path, error) from error
    except UnicodeError as error:
        raise _undecodable(path, codec, error) from error
    markup = markup.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\0", "")
    bad = _UNDECODABLE.search(markup)
    if bad is not None:
        line = markup.count("\n", 0, bad.start()) + 1
        raise InputError(f"{path_label(path)}: line {line} is not valid {codec} text (try --encoding)")
    from bs4.builder import ParserRejectedMarkup

    try:
        lines = _html_lines(markup)
    except RecursionError as error:
        raise InputError(f"{path_label(path)}: the HTML is nested too deeply to read") from error
    except ParserRejectedMarkup as error:
        reason = " ".join(str(error).split())
        raise InputError(f"{path_label(path)}: cannot parse the HTML ({reason})") from error
    if not lines:
        raise InputError(f"{path_label(path)}: no text found in the HTML page")
    return lines


_VOID_TAG = re.compile(
    r"<(area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)\b([^<>]*?)\s*/?>", re.IGNORECASE
)


def self_closed(markup: str) -> str:
    """*markup* with void elements written ``<br/>``, as parsers read them anyway.

    BeautifulSoup's html.parser builder remembers every ``<br>`` written
    without the slash in a list it searches at each end tag, so a page of
    100,000 ``<br>`` lines was quadratic (205 s); ``<br/>`` is not remembered.

    >>> self_closed('a<br>b<BR class="x">c<img src="i.png" />')
    'a<br/>b<BR class="x"/>c<img src="i.png"/>'
    """
    return _VOID_TAG.sub(r"<\1\2/>", markup)


def _html_lines(markup: str) -> list[SourceLine]:
    """One SourceLine per block of visible text in *markup*.

    The tree is walked with an explicit stack: html.parser nests every
    unclosed ``<p>`` or ``<div>`` inside the last, and a page of a few
    thousand of them must not hit Python's recursion limit.

    >>> [line.text for line in _html_lines("<p>我们学<ruby>汉字<rt>hànzì</rt></ruby>。<br>好 <b>ok</b></p>")]
    ['我们学汉字(hànzì)。', '好 ok']
    """
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, PreformattedString, Tag

    with warnings.catch_warnings():
        # bs4 warns when markup looks like a file name or XML; neither matters here.
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(self_closed(markup), "html.parser")
    root: Tag = soup.body or soup
    blocks = _Blocks()
    in_pre = 0
    stack: list[tuple[PageElement, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if isinstance(node, PreformattedString):  # comments, doctype, CDATA
                blocks.advance(str(node))
            elif in_pre:
                blocks.add_preformatted(str(node))
            else:
                blocks.add_text(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        if leaving:
            in_pre -= node.name == "pre"
            if node.name in _BLOCK_TAGS:
                blocks.flush()
            continue
        if node.sourceline is not None:
            blocks.line = node.sourceline
        if node.name in _DROPPED_TAGS or node.name == "ruby":
            if node.name == "ruby":
                blocks.add_pieces(_ruby_pieces(node))
            blocks.advance("".join(str(child) for child in node.descendants if isinstance(child, NavigableString)))
            continue
        if node.name in _BLOCK_TAGS:
            blocks.flush()
        in_pre += node.name == "pre"
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    blocks.flush()
    return blocks.lines


class _Blocks:
    """The lines found so far, and the block being gathered.

    The only mutable piece of the stage, private to :func:`_html_lines`.
    ``line`` follows the source: the last start tag's line plus the line
    breaks in the text seen since.
    """

    def __init__(self) -> None:
        self.lines: list[SourceLine] = []
        self.line = 1
        self._pieces: list[tuple[str, str]] = []
        self._start: int | None = None
        self._singles: list[tuple[str, str]] = []  # adjacent one-character rubies, not yet joined

    def advance(self, text: str) -> None:
        """Move the line cursor past *text*, which is not kept."""
        self.line += text.count("\n")

    def add_text(self, text: str) -> None:
        """Add plain text; the block starts on the line of its first visible character."""
        if self._start is None:
            visible = text.lstrip(_HTML_SPACE_CHARS)
            if visible:
                self._start = self.line + text[: len(text) - len(visible)].count("\n")
        if not (self._singles and text.isspace()):  # whitespace between rubies collapses anyway
            self._join_singles()
            self._pieces.append((text, ""))
        self.advance(text)

    def add_preformatted(self, text: str) -> None:
        """Add ``<pre>`` text, where a line break ends a line."""
        for index, part in enumerate(text.split("\n")):
            if index:
                self.flush()
                self.line += 1
            self.add_text(part)

    def add_pieces(self, pieces: list[tuple[str, str]]) -> None:
        """Add (base, reading) pieces of a ruby element."""
        if self._start is None and any(base.strip(_HTML_SPACE_CHARS) for base, _ in pieces):
            self._start = self.line
        if len(pieces) == 1 and len(pieces[0][0]) == 1 and pieces[0][1]:
            self._singles.append(pieces[0])
            return
        self._join_singles()
        self._pieces.extend(pieces)

    def _join_singles(self) -> None:
        """Adjacent one-character rubies become the dictionary words they make (数 据 库 → 数据库 shù jù kù).

        Only when each has one syllable; the readings stay the page's own.
        """
        singles, self._singles = self._singles, []
        if len(singles) < 2 or any(len(reading.split()) != 1 for _, reading in singles):
            self._pieces.extend(singles)
            return
        from .readers.common import Known, segment_known

        words = segment_known("".join(base for base, _ in singles), [reading for _, reading in singles])
        self._pieces.extend((word.base, " ".join(word.syllables)) for word in words if isinstance(word, Known))

    def flush(self) -> None:
        """End the current block, keeping it as a line if it has visible text."""
        self._join_singles()
        text = _join_block(self._pieces)
        if text and not text.isspace():
            self.lines.append(SourceLine(self._start or self.line, text))
        self._pieces = []
        self._start = None


def _ruby_pieces(ruby: Tag) -> list[tuple[str, str]]:
    """The (base, reading) pieces one ``<ruby>`` element stands for.

    Annotators write ruby per word (``<ruby>汉字<rt>hànzì</rt></ruby>``) or
    per character inside one element (``<ruby>汉<rt>hàn</rt>字<rt>zì</rt>
    </ruby>``); both become one word, ``汉字(hàn zì)``, because one element
    is one word to its author.  Bases with an empty ``<rt>`` keep their own
    pieces so that no reading slides onto the wrong character.  ``<rp>`` is
    dropped; ``<rb>`` bases pair with ``<rt>`` readings by position; an
    ``<rtc>`` counts only when there is no plain ``<rt>`` (it is a second,
    e.g. zhuyin, layer otherwise).

    >>> from bs4 import BeautifulSoup
    >>> def pieces(markup): return _ruby_pieces(BeautifulSoup(markup, "html.parser").ruby)
    >>> pieces("<ruby>汉<rp>(</rp><rt>hàn</rt><rp>)</rp>字<rt>zì</rt></ruby>")
    [('汉字', 'hàn zì')]
    >>> pieces("<ruby>汉<rt>hàn</rt>字<rt> </rt></ruby>")
    [('汉', 'hàn'), ('字', '')]
    """
    tokens = _ruby_tokens(ruby)
    has_plain_rt = any(role == "reading" and not in_rtc for role, _, in_rtc, _ in tokens)
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for role, _, in_rtc, text in tokens:
        if in_rtc and has_plain_rt:
            continue
        bases, readings = groups[-1]
        if role == "reading":
            readings.append(_clean_reading(text))
        elif readings:
            groups.append(([text], []))
        else:
            bases.append(text)
    segments: list[tuple[str, str]] = []
    for raw_bases, readings in groups:
        bases = [base for base in (_collapse(text)[0] for text in raw_bases) if base]
        if not bases:
            continue
        if len(bases) == len(readings):
            segments.extend(zip(bases, readings, strict=True))
        else:
            segments.append(("".join(bases), " ".join(reading for reading in readings if reading)))
    if segments and all(reading for _, reading in segments):
        return [("".join(base for base, _ in segments), " ".join(reading for _, reading in segments))]
    return segments


def _ruby_tokens(ruby: Tag) -> list[tuple[str, object, bool, str]]:
    """The ruby's text in document order as (role, owner, in_rtc, text) runs.

    The role comes from the nearest ``rt``/``rp``/``rb`` around the text, not
    from the ruby's direct children, so that an unclosed ``<rp>`` (which
    html.parser lets swallow the following ``<rt>``) still reads right.
    Each ``<rt>`` opens a run even when empty: an empty reading is a reading.
    """
    from bs4.element import NavigableString, PreformattedString, Tag

    tokens: list[tuple[str, object, bool, str]] = []
    # Depth first with each node's context (skipped, inside <rtc>, nearest rt/rp/rb) carried down, so that
    # deeply nested rubies cost their size, not size × depth as walking up the parents did.
    roles = {"rt": "reading", "rp": "skip", "rb": "base"}
    stack: list[tuple[PageElement, bool, bool, object, str]] = [
        (child, False, False, None, "base") for child in reversed(ruby.contents)
    ]
    while stack:
        node, skipped, in_rtc, owner, role = stack.pop()
        if isinstance(node, Tag):
            skipped = skipped or node.name in _DROPPED_TAGS
            in_rtc = in_rtc or node.name == "rtc"
            if node.name in roles:
                owner, role = node, roles[node.name]
            stack.extend((child, skipped, in_rtc, owner, role) for child in reversed(node.contents))
            if node.name != "rt":
                continue
        elif isinstance(node, PreformattedString) or not isinstance(node, NavigableString):
            continue
        if skipped or role == "skip":
            continue
        if owner is None and in_rtc:
            role = "reading"
        text = str(node) if isinstance(node, NavigableString) else ""
        if tokens and tokens[-1][0] == role and tokens[-1][1] is owner and not isinstance(node, Tag):
            tokens[-1] = (role, owner, in_rtc, tokens[-1][3] + text)
        else:
            tokens.append((role, owner, in_rtc, text))
    return tokens


def _clean_reading(text: str) -> str:
    """A ruby reading without parentheses and with single spaces.

    >>> _clean_reading(" (hàn\\n zì) ")
    'hàn zì'
    """
    return " ".join(text.translate(_READING_PARENS).split())


def _is_cjk(char: str) -> bool:
    """Whether *char* is written without spaces around it: Han, kana, CJK punctuation, full-width forms."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x2FDF
        or 0x3000 <= code <= 0x31FF
        or 0x3200 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


def _collapse(text: str) -> tuple[str, list[tuple[int, int, int]]]:
    """Collapse HTML whitespace in *text* and strip it from both ends.

    A run holding a line break between two CJK characters disappears (an
    editor's line wrap inside a Chinese sentence is not a space); any other
    inner run becomes one space, as a browser shows it.  Also returns the edits as (start, end, kept length), so that
    positions in *text* can be moved into the result.

    >>> _collapse(" 我们\\n  学习 new\\n words 网  作者")[0]
    '我们学习 new words 网 作者'
    """
    out: list[str] = []
    edits: list[tuple[int, int, int]] = []
    last = 0
    for match in _HTML_SPACE.finditer(text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        wrapped = "\n" in match.group() or "\r" in match.group()
        kept = " " if before and after and not (wrapped and _is_cjk(before) and _is_cjk(after)) else ""
        out += [text[last:start], kept]
        edits.append((start, end, len(kept)))
        last = end
    out.append(text[last:])
    return "".join(out), edits


def _moved(position: int, edits: list[tuple[int, int, int]]) -> int:
    """Where *position* of the text given to :func:`_collapse` lands in its result."""
    shift = 0
    for start, end, kept in edits:
        if end <= position:
            shift += end - start - kept
        elif start < position:
            return start - shift
        else:
            break
    return position - shift


def _moved_all(positions: list[int], edits: list[tuple[int, int, int]]) -> list[int]:
    """:func:`_moved` for ascending *positions*, in one pass over the edits."""
    out, shift, index = [], 0, 0
    for position in positions:
        while index < len(edits) and edits[index][1] <= position:
            start, end, kept = edits[index]
            shift += end - start - kept
            index += 1
        if index < len(edits) and edits[index][0] < position:
            out.append(edits[index][0] - shift)
        else:
            out.append(position - shift)
    return out


def _join_block(pieces: Sequence[tuple[str, str]]) -> str:
    """The text of one block: bases joined, whitespace collapsed, readings added.

    Whitespace is judged on the base text alone, so a reading does not decide
    whether the characters around it get a space.

    >>> _join_block([("我们\\n  学", ""), ("汉字", "hàn zì"), ("\\n 吧 ok\\n", "")])
    '我们学汉字(hàn zì)吧 ok'
    """
    base = "".join(text for text, _ in pieces)
    marks: list[tuple[int, str]] = []
    position = 0
    for text, reading in pieces:
        position += len(text)
        if reading:
            marks.append((position, reading))
    text, edits = _collapse(base)
    out: list[str] = []
    last = 0
    for at, reading in zip(_moved_all([position for position, _ in marks], edits), (r for _, r in marks), strict=True):
        out += [text[last:at], f"({reading})"]  # one pass: inserting into the text per mark was quadratic
        last = at
    out.append(text[last:])
    text = "".join(out)
    return text
