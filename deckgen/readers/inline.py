"""Articles with readings inline: the parser's styles, and what learners' notes add to them.

Plain ``关键(guānjiàn)`` text goes to :func:`deckgen.parse.parse_line`
unchanged.  Around it, notes kept in Typora, Obsidian or a word processor add:

- ``<ruby>`` written into a Markdown or text file:
  ``<ruby>数据<rt>shù jù</rt></ruby>``.  One element is one word; consecutive
  one-character elements that make a dictionary word become that word
  (数 据 库 → 数据库); ``<rb>`` bases in one element stay separate words;
- zhuyin in a ruby or in brackets, ``木昜(ㄧㄤˊ)``, turned into pinyin;
- markup or quotes between a word and its reading, ``**中文** (zhōngwén)``,
  ``“要” (yào)``;
- a gloss after the reading, ``沙发 (shāfā, a borrowing of sofa)``,
  ``(zhīzhū or spider)``, kept as the learner's gloss;
- full-width brackets ``【】［］〔〕`` around the reading;
- Markdown syntax (headings, emphasis, links, table pipes) in ``.md`` files,
  which is not article text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..align import HANZI, is_hanzi
from ..parse import ParsedLine, parse_line
from ..pinyin import parse_reading
from ..read import SourceLine
from .common import ZHUYIN, Known, Piece, Plain, compose, zhuyin_to_pinyin

NAME = "inline"
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown"})

_RUBY = re.compile(r"<ruby\b[^>]*>.*?</ruby\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# A bracket group of any kind, no brackets inside.
_GROUP = re.compile(r"([(（【［〔\[])([^()（）【】［］〔〕\[\]]{1,160})([)）】］〕\]])")
_FULL_WIDTH_OPEN = "【［〔"
# What separates a reading from the learner's gloss inside one pair of brackets.
_GLOSS_SEP = re.compile(r"\s*(?:[,，;；:：=]|\s+or\s+|\s+[-–—]\s+)\s*", re.IGNORECASE)
_EMPHASIS_BEFORE = re.compile(r"(\*\*\*|\*\*|\*|___|__|_|`)([^*_`\s](?:[^*_`]*?[^*_`\s])?)\1(\s*)$")
_QUOTED_BEFORE = re.compile(f"([{HANZI}])([”’」』\"'》〉]+)(\\s*)$")
# Something a rewrite below may apply to; lines without any go to the parser as they are.
_TRIGGER = re.compile(
    f"[【［〔*_`”’」』\"'》〉{ZHUYIN}]|[(（\\[][^()（）\\[\\]]*(?:[,，;；:：=]|\\sor\\s|\\s[-–—]\\s)", re.IGNORECASE
)
# Markdown that is layout, not text.
_MD_BLOCK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+\[[ xX]\]\s+|[-*+]\s+|\d+[.)]\s+)+")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_MD_EMPHASIS = re.compile(r"(\*\*\*|\*\*|\*|___|__|`)(?=\S)(.+?)(?<=\S)\1")
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def read(lines: Iterable[SourceLine], path: str) -> Iterator[ParsedLine]:
    """Parse each line, with the learner-note conventions above."""
    markdown = Path(path).suffix.lower() in MARKDOWN_SUFFIXES
    for source in lines:
        if not markdown and "<" not in source.text and not _TRIGGER.search(source.text):
            yield parse_line(source.text, source.line, path)  # the parser's own styles only: most lines
            continue
        for text in _cells(source.text, markdown):
            yield compose(line_pieces(_strip_markdown(text) if markdown else text, markdown), source.line, path)


def _cells(text: str, markdown: bool) -> list[str]:
    """A Markdown line as its text: table rows become their cells, rules disappear."""
    if not markdown:
        return [text]
    if _MD_RULE.match(text):
        return []
    stripped = text.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        return [cell for cell in (c.strip() for c in stripped[1:-1].split("|")) if cell]
    return [text]


def line_pieces(text: str, markdown: bool = False) -> list[Piece]:
    """The pieces of one line: ruby elements as known words, the rest inline text.

    >>> pieces = line_pieces('<ruby>数<rt>shù</rt></ruby><ruby>据<rt>jù</rt></ruby>库')
    >>> [getattr(p, 'base', None) or p.text for p in pieces]
    ['数据', '库']
    """
    has_markup = markdown or "<ruby" in text.lower()
    pieces: list[Piece] = []
    last = 0
    singles: list[int] = []  # indexes of pieces that are one-character ruby elements
    for m in _RUBY.finditer(text):
        between = text[last : m.start()]
        if between.strip() or not singles or singles[-1] != len(pieces) - 1:
            pieces.extend(_text_pieces(between, has_markup, markdown))
        found = ruby_pieces(m.group())
        if len(found) == 1 and isinstance(found[0], Known) and len(found[0].base) == 1:
            singles.append(len(pieces))
        pieces.extend(found)
        last = m.end()
    pieces.extend(_text_pieces(text[last:], has_markup, markdown))
    return _join_singles(pieces, singles)


def _join_singles(pieces: list[Piece], singles: list[int]) -> list[Piece]:
    """Join runs of adjacent one-character ruby words into the dictionary words they make."""
    from .common import segment_known

    single = set(singles)
    out: list[Piece] = []
    i = 0
    while i < len(pieces):
        if i not in single:
            out.append(pieces[i])
            i += 1
            continue
        j = i
        while j in single:
            j += 1
        run = [p for p in pieces[i:j] if isinstance(p, Known)]
        base = "".join(p.base for p in run)
        syllables = [s for p in run for s in p.syllables]
        out.extend(segment_known(base, syllables) if len(run) > 1 else run)
        i = j
    return out


def ruby_pieces(markup: str) -> list[Piece]:
    """The words of one ``<ruby>`` element.

    ``<rb>`` bases pair with ``<rt>`` readings by position and stay separate
    words; otherwise the element is one word, its readings in order.  ``<rp>``
    is dropped, an ``<rtc>`` is used only when there is no ``<rt>``, zhuyin
    becomes pinyin.

    >>> [(p.base, p.syllables) for p in ruby_pieces('<ruby>汉<rp>(</rp><rt>hàn</rt><rp>)</rp>字<rt>zì</rt></ruby>')]
    [('汉字', ('hàn', 'zì'))]
    >>> [(p.base, p.syllables) for p in ruby_pieces('<ruby><rb>数据</rb><rb>库</rb><rt>shùjù</rt><rt>kù</rt></ruby>')]
    [('数据', ('shù', 'jù')), ('库', ('kù',))]
    >>> [(p.base, p.syllables) for p in ruby_pieces('<ruby>關<rt>ㄍㄨㄢ</rt></ruby>')]
    [('關', ('guān',))]
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    try:
        return _ruby_pieces(soup.find("ruby"), markup)
    finally:
        soup.decompose()  # its tree links parents and children: freed now, with the garbage collector paused


def _ruby_pieces(ruby: object, markup: str) -> list[Piece]:
    from bs4.element import NavigableString, Tag

    if not isinstance(ruby, Tag):
        return [Plain(_TAG.sub("", markup))]
    bases: list[str] = []
    readings: list[str] = []
    secondary: list[str] = []
    explicit = False
    pairs: list[tuple[str, str | None]] = []  # (base, reading) in order, for elements without <rb>
    for child in ruby.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString and child.strip():
                pairs.append((str(child).strip(), None))
            continue
        if not isinstance(child, Tag) or child.name == "rp":
            continue
        if child.name == "rb":
            explicit = True
            bases.append(child.get_text().strip())
        elif child.name == "rt":
            readings.append(child.get_text())
            pairs.append(("", child.get_text()))
        elif child.name == "rtc":
            secondary.extend(rt.get_text() for rt in child.find_all("rt") or [child])
        else:
            pairs.append((child.get_text().strip(), None))
    if not readings:
        readings = secondary
    if explicit:
        if len(bases) == len(readings):
            return [_known(base, reading) for base, reading in zip(bases, readings, strict=True)]
        return [_known("".join(bases), " ".join(readings))]
    # Without <rb>: base text, then its reading, repeated; all of it one word.
    base_text = "".join(base for base, _ in pairs if base)
    if not readings:
        return [Plain(base_text)]
    return [_known(base_text, " ".join(readings))]


def _known(base: str, reading: str) -> Piece:
    """A ruby base with its reading text; unreadable readings leave the base as text."""
    reading = reading.strip().strip("()（）").strip()
    pinyin = zhuyin_to_pinyin(reading) or reading
    parsed = parse_reading(pinyin) if pinyin else None
    if parsed is None:
        return Plain(base)
    return Known(base, parsed.syllables, raw=f"<rt>{reading}</rt>")


def _text_pieces(text: str, has_markup: bool, markdown: bool) -> list[Piece]:
    """Inline text, rewritten into the parser's styles and cut after each gloss."""
    if not text:
        return []
    if has_markup:
        text = html.unescape(_TAG.sub("", text))
    if not _TRIGGER.search(text):
        return [Plain(text)]  # the parser's own styles only: most lines of most articles
    pieces: list[Piece] = []
    out = ""
    last = 0
    for m in _GROUP.finditer(text):
        before = text[last : m.start()]
        opener, content, _closer = m.groups()
        reading, gloss = _reading_and_gloss(content)
        rewrite = reading is not None and (opener in _FULL_WIDTH_OPEN or gloss or reading != content.strip())
        if reading is not None:
            moved = _EMPHASIS_BEFORE.search(before)
            if moved and any(map(is_hanzi, moved.group(2))):
                before, rewrite = before[: moved.start()] + moved.group(2), True
            quoted = _QUOTED_BEFORE.search(before)
            if quoted:
                # “要” (yào): the reading goes inside the quotes, next to its word.
                out += before[: quoted.start(2)] + f"({reading})" + quoted.group(2)
                last = m.end()
                if gloss:
                    pieces.append(Plain(out, gloss))
                    out = ""
                continue
        out += before
        out += f"({reading})" if rewrite else m.group()
        last = m.end()
        if gloss and rewrite:
            pieces.append(Plain(out, gloss))
            out = ""
    out += text[last:]
    if out:
        pieces.append(Plain(out))
    return pieces


def _reading_and_gloss(content: str) -> tuple[str | None, str]:
    """A bracket's reading (pinyin, or zhuyin made pinyin) and the gloss after it, if it holds one.

    >>> _reading_and_gloss('shāfā, a borrowing of sofa'), _reading_and_gloss('zhīzhū or spider')
    (('shāfā', 'a borrowing of sofa'), ('zhīzhū', 'spider'))
    >>> _reading_and_gloss('ㄧㄤˊ'), _reading_and_gloss('来源：新华社'), _reading_and_gloss('hàn zì')
    (('yáng', ''), (None, ''), ('hàn zì', ''))
    """
    text = content.strip()
    zhuyin = zhuyin_to_pinyin(text)
    if zhuyin is not None:
        return zhuyin, ""
    if parse_reading(text) is not None:
        return text, ""
    for sep in _GLOSS_SEP.finditer(text):
        head, tail = text[: sep.start()], text[sep.end() :].strip()
        reading = parse_reading(head)
        if reading is not None and reading.marked and tail and not any(map(is_hanzi, tail)):
            return head, tail
        if reading is None:
            break
    return None, ""


def _strip_markdown(text: str) -> str:
    """Markdown layout removed: ``## **标题**`` → ``标题``."""
    text = _MD_BLOCK.sub("", text)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    previous = None
    while previous != text:
        previous, text = text, _MD_EMPHASIS.sub(r"\2", text)
    return text
