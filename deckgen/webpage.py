"""Web pages: the visible text of an HTML page as lines, ``<ruby>`` rewritten as inline ``汉字(hànzì)``.

A page is parsed whole (a parser needs the whole tree) by BeautifulSoup's
``html.parser``, walked with an explicit stack (no recursion limit), one line
per block of text; ruby readings are placed after their bases, and adjacent
one-character rubies join into the dictionary words they make.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .read import SourceLine

if TYPE_CHECKING:
    from bs4.element import PageElement, Tag


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

HTML_SPACE_CHARS = " \t\n\r\f"

_READING_PARENS = str.maketrans("", "", "()（）")

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


def html_lines(markup: str) -> list[SourceLine]:
    """One SourceLine per block of visible text in *markup*.

    The tree is walked with an explicit stack: html.parser nests every
    unclosed ``<p>`` or ``<div>`` inside the last, and a page of a few
    thousand of them must not hit Python's recursion limit.

    >>> [line.text for line in html_lines("<p>我们学<ruby>汉字<rt>hànzì</rt></ruby>。<br>好 <b>ok</b></p>")]
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

    The only mutable piece of the stage, private to :func:`html_lines`.
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
            visible = text.lstrip(HTML_SPACE_CHARS)
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
        if self._start is None and any(base.strip(HTML_SPACE_CHARS) for base, _ in pieces):
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
