"""E-books (EPUB) with ruby: each chapter is an article.

An EPUB is a zip of XHTML chapters, listed in reading order by the spine of
its package document (found through ``META-INF/container.xml``).  Only the
standard library's zipfile and XML parser and BeautifulSoup are needed.
Each chapter's paragraphs are read as the inline reader reads a line with
``<ruby>``: one element one word, one-character elements joined into
dictionary words, zhuyin made pinyin.  Each chapter becomes an article of its
own, ``book.epub/book-03-第三章``, for the word library and the
``source::book-03-第三章`` tag.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from ..errors import InputError, os_error, path_label
from ..parse import ParsedLine
from ..webpage import self_closed
from . import Article
from .common import compose
from .inline import line_pieces

if TYPE_CHECKING:
    from bs4.element import Tag

NAME = "epub"
_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "div", "td", "th", "figcaption", "pre"}
)
_DOCUMENT_TYPES = frozenset({"application/xhtml+xml", "text/html"})
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WRAP = re.compile(f"(?<=[{_CJK}])\\s*\\n\\s*(?=[{_CJK}])")
_SPACE = re.compile(r"\s+")
_UNSAFE = re.compile(r"[\s./\\:]+")


def read(path: Path) -> Iterator[Article]:
    """The chapters of the book at *path*, in reading order, as articles."""
    from .. import ankifile

    try:
        ankifile.check_member_count(path)
        book = zipfile.ZipFile(path)
    except OSError as error:
        raise os_error(path, error) from error
    except zipfile.BadZipFile as error:
        raise InputError(f"{path_label(path)}: not an EPUB book (not a zip file)") from error
    with book:
        chapters = _spine(book, path)
        # What the chapters unpack to is bounded as --known files are: zipfile never reads past a member's size.
        if sum(book.getinfo(name).file_size for name in chapters) > ankifile.MAX_BYTES:
            raise ankifile.too_big(path, "the book's text")
        # Read every chapter now: the zip is closed when this returns.
        texts = [(name, book.read(name)) for name in chapters]
    return _articles(path, texts)


def _spine(book: zipfile.ZipFile, path: Path) -> list[str]:
    """The zip names of the book's documents in reading order."""
    try:
        container = ElementTree.fromstring(book.read("META-INF/container.xml"))
        rootfile = next(el for el in container.iter() if el.tag.endswith("rootfile"))
        opf_name = rootfile.attrib["full-path"]
        package = ElementTree.fromstring(book.read(opf_name))
    except (KeyError, StopIteration, ElementTree.ParseError) as error:
        raise InputError(f"{path_label(path)}: not an EPUB book (no readable package document)") from error
    base = PurePosixPath(opf_name).parent
    manifest = {
        item.attrib.get("id"): item.attrib
        for item in package.iter()
        if item.tag.endswith("}item") or item.tag == "item"
    }
    names = []
    for ref in package.iter():
        if not (ref.tag.endswith("}itemref") or ref.tag == "itemref"):
            continue
        item = manifest.get(ref.attrib.get("idref"))
        if item and item.get("media-type") in _DOCUMENT_TYPES and item.get("href"):
            name = str(base / item["href"]) if str(base) != "." else item["href"]
            if name in book.namelist():
                names.append(name)
    if not names:
        raise InputError(f"{path_label(path)}: not an EPUB book (its spine lists no chapters)")
    return names


def _articles(path: Path, chapters: list[tuple[str, bytes]]) -> Iterator[Article]:
    number = 0
    for _name, raw in chapters:
        blocks = chapter_blocks(raw.decode("utf-8", errors="replace"))
        if not blocks:
            continue
        number += 1
        title = _UNSAFE.sub(" ", blocks[0][1][:16]).strip() if blocks[0][2] else ""
        source = f"{path}/{path.stem}-{number:02d}" + (f"-{title}" if title else "")
        yield Article(source, _lines(blocks, source))


def _lines(blocks: list[tuple[int, str, bool]], source: str) -> Iterator[ParsedLine]:
    for line, markup, _ in blocks:
        yield compose(line_pieces(markup), line, source)


def chapter_blocks(markup: str) -> list[tuple[int, str, bool]]:
    """The text blocks of one chapter: (line, text with its ruby kept as markup, is a heading).

    >>> chapter_blocks('<html><body><h1>第一章</h1><p>我爱<ruby>书<rt>shū</rt></ruby>。<br/>a&lt;b</p></body></html>')
    [(1, '第一章', True), (1, '我爱<ruby>书<rt>shū</rt></ruby>。 a&lt;b', False)]
    """
    import warnings

    from bs4 import BeautifulSoup

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(self_closed(markup), "html.parser")
    body = soup.body or soup
    blocks = []
    for element in body.find_all(_BLOCKS):
        if element.find(_BLOCKS) is not None:
            continue  # its inner blocks are read instead
        text = _collapse(_with_ruby(element))
        if text:
            blocks.append((element.sourceline or 0, text, element.name in ("h1", "h2", "h3")))
    soup.decompose()  # parents and children link each other: freed now, with the garbage collector paused
    return blocks


def _with_ruby(element: Tag) -> str:
    """The element's text, HTML-escaped, with ``<ruby>`` elements kept as markup and ``<br>`` as a space."""
    from bs4.element import NavigableString, PreformattedString, Tag

    out = []
    for child in element.children:
        if isinstance(child, PreformattedString):
            continue  # comments, CDATA
        if isinstance(child, NavigableString):
            out.append(html.escape(str(child), quote=False))
        elif isinstance(child, Tag):
            if child.name == "ruby":
                out.append(str(child))
            elif child.name == "br":
                out.append(" ")
            elif child.name not in ("script", "style", "rt", "rp"):
                out.append(_with_ruby(child))
    return "".join(out)


def _collapse(text: str) -> str:
    """Whitespace as a reader sees it: a line wrap between CJK characters vanishes, other runs are one space."""
    return _SPACE.sub(" ", _WRAP.sub("", text)).strip()
