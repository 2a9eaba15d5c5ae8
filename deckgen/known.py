"""Known words: the vocabulary a learner already has, so a build makes no new notes for it.

A learner keeps that vocabulary wherever their studying happens: a plain list
typed by hand, a Pleco flashcard export (``汉字[漢字]<TAB>hàn zì<TAB>…``), an
Anki "Notes in Plain Text" export, an ``.apkg`` shared by a friend, or the Anki
collection itself.  ``deckgen build --known PATH`` accepts each of these, and
this module turns them all into one set of words.

Simplified and traditional forms count as the same word, because a learner who
knows 關鍵 from a Taiwanese textbook knows 关键 in a mainland article.  Every
word is therefore kept in its simplified form (OpenCC ``t2s``), and a query is
converted the same way before it is looked up.

Anki's own files are only ever read, through :mod:`deckgen.ankifile`, and every
read is bounded (1 GB, 100,000 zip members).
"""

from __future__ import annotations

import csv
import html
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from deckgen import ankifile
from deckgen.align import HANZI
from deckgen.align import HANZI_RUN as _HAS_HANZI
from deckgen.encoding import detect_encoding
from deckgen.errors import InputError, os_error, path_label, require_regular

# Field (or column) names that hold the word, most telling first.  ``Front`` is
# generic, so a ``Hanzi`` field wins over it wherever the two appear.
_WORD_FIELDS = ("hanzi", "simplified", "word", "chinese", "expression", "vocab", "vocabulary", "front", "traditional")
# Fields that hold the word in one script; collected besides the word field.
_SCRIPT_FIELDS = ("simplified", "traditional")

_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

_PACKAGE, _COLLECTION, _COMPRESSED = ankifile.PACKAGE, ankifile.COLLECTION, ankifile.COMPRESSED
_TABLE, _TEXT = "table", "text"
_FORMAT_BY_SUFFIX = {
    ".apkg": _PACKAGE,
    ".colpkg": _PACKAGE,
    ".anki2": _COLLECTION,
    ".anki21": _COLLECTION,
    ".anki21b": _COMPRESSED,
    ".csv": _TABLE,
    ".tsv": _TABLE,
}
# Inside a package, newest first: since Anki 2.1.50 ``collection.anki2`` is a

# Anki text exports start with ``#key:value`` lines; ``#separator:`` names the delimiter.
_HEADER = re.compile(r"#([a-z][a-z ]*):(.*)", re.IGNORECASE)
_SEPARATOR_NAMES = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
# Columns of an Anki export that hold note metadata, not fields.
_META_COLUMNS = ("guid column", "notetype column", "deck column", "tags column")

# No pattern scans past a mark it could stop at, so that 60,000 ``<rt>`` or ``[sound:`` with nothing
# closing them take linear time (they took 101 s).
_SOUND = re.compile(r"\[sound:[^\[\]]*\]")
_RUBY_OPEN = re.compile(r"<(rt|rp)\b[^<>]*>", re.IGNORECASE)
_RUBY_CLOSE = re.compile(r"</(rt|rp)\s*>", re.IGNORECASE)
_BREAK_TAG = re.compile(r"<(?:br|/?(?:div|p|li|ul|ol|tr|td|table))\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
# Pleco writes both scripts as ``简体[繁體]``.
_SCRIPT_PAIR = re.compile(r"([^\[\]]+)\[([^\[\]]+)\]")
# Anki's ruby syntax puts a reading after the characters: ``汉[hàn] 字[zì]``.
_READING = re.compile(rf"\[[^\[\]{HANZI}]*\]")
_SPACE_BETWEEN_HANZI = re.compile(rf"(?<=[{HANZI}])\s+(?=[{HANZI}])")


@dataclass(frozen=True)
class KnownWords:
    """The words a learner knows, each in its simplified form.

    Membership ignores the script, so a list written in either script answers
    for both:

    >>> known = KnownWords(frozenset({'关键'}), ('known.txt',))
    >>> '关键' in known, '關鍵' in known, '汉字' in known, len(known)
    (True, True, False, 1)
    """

    words: frozenset[str]
    sources: tuple[str, ...] = ()

    def __contains__(self, word: object) -> bool:
        """True when *word*, in simplified or traditional characters, is known."""
        return isinstance(word, str) and _normalise(word) in self.words

    def __len__(self) -> int:
        """How many distinct (simplified) words are known."""
        return len(self.words)


def read_known(paths: Sequence[Path]) -> KnownWords:
    """Read every known-words file in *paths* (``--known`` may be repeated) into one set.

    Each word is stripped and converted to simplified characters, so that 關鍵
    from one file and 关键 from another are one word.  Raises
    :class:`InputError` naming the first file that cannot be read.
    """
    words: set[str] = set()
    for path in paths:
        words.update(_normalise(word) for word in words_from_file(path))
    words.discard("")
    return KnownWords(frozenset(words), tuple(str(path) for path in paths))


def words_from_file(path: Path) -> set[str]:
    """The words in one known-words file, as written there (not yet converted to simplified).

    The format comes from the suffix (``.apkg``, ``.colpkg``, ``.anki2``,
    ``.anki21``, ``.anki21b``, ``.csv``, ``.tsv``), else from the first bytes
    (SQLite, zip, zstd), else the file is text: a table when it starts with
    Anki's ``#separator:`` header or holds tabs, otherwise one word per line.
    Only values with at least one CJK character count as words.  An empty file
    holds no words; it is not an error, since a beginner's list starts empty.
    """
    path = Path(path)
    require_regular(path)  # a FIFO or /dev/zero is no word list: reading it could block or never end
    fmt = _format_of(path)
    if fmt in (_PACKAGE, _COLLECTION, _COMPRESSED):
        return _words_from_anki(path, fmt)
    text = _read_text(path)
    if fmt == _TABLE or _looks_tabular(text):
        return _words_from_table(path, text)
    return _words_from_list(text)


# --- Normalisation and cleaning ------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _normalise(word: str) -> str:
    """The form a word is stored and looked up in: stripped, simplified.

    OpenCC is only asked about text with CJK in it, so ``--known`` costs
    nothing for Latin noise and the converter loads only when needed.
    """
    word = word.strip().strip("\ufeff")
    if not _HAS_HANZI.search(word):
        return word
    from deckgen.script import simplified_of

    return simplified_of(word)


def _has_hanzi(text: str) -> bool:
    return bool(_HAS_HANZI.search(text))


def _plain(value: str) -> str:
    """Field or cell text without Anki sound tags, HTML tags, ruby readings or entities.

    >>> _plain('<b>词</b>&nbsp;[sound:ci2.mp3]')
    '词'
    >>> _plain('<ruby>汉<rt>hàn</rt></ruby><ruby>字<rt>zì</rt></ruby>')
    '汉字'
    """
    value = _SOUND.sub("", value)
    value = _without_ruby_text(value)
    value = _BREAK_TAG.sub(" ", value)
    value = html.unescape(_TAG.sub("", value))
    return " ".join(value.split())


def _without_ruby_text(value: str) -> str:
    """*value* without its ``<rt>…</rt>`` and ``<rp>…</rp>`` elements, in one pass.

    >>> _without_ruby_text('汉<rt>hàn</RT>字<rp>(</rp><rt>zì<rt>')
    '汉字<rt>zì<rt>'
    """
    if "<" not in value:
        return value
    closes: dict[str, list[tuple[int, int]]] = {"rt": [], "rp": []}
    for close in _RUBY_CLOSE.finditer(value):
        closes[close.group(1).lower()].append((close.start(), close.end()))
    starts = {kind: [start for start, _ in spans] for kind, spans in closes.items()}
    out: list[str] = []
    kept = position = 0
    while (m := _RUBY_OPEN.search(value, position)) is not None:
        kind = m.group(1).lower()
        index = bisect_left(starts[kind], m.end())
        if index == len(starts[kind]):
            position = m.start() + 1  # never closed: text
            continue
        out.append(value[kept : m.start()])
        kept = position = closes[kind][index][1]
    out.append(value[kept:])
    return "".join(out)


def _forms(value: str) -> list[str]:
    """The word or words one field, cell or line stands for.

    Pleco's ``简体[繁體]`` gives both forms; a bracketed reading (Anki's ruby
    syntax) is dropped; text without a CJK character is no word.

    >>> _forms('汉字[漢字]'), _forms('<b>汉[hàn] 字[zì]</b>'), _forms('hello'), _forms(' 词 ')
    (['汉字', '漢字'], ['汉字'], [], ['词'])
    """
    text = _plain(value)
    pair = _SCRIPT_PAIR.fullmatch(text)
    if pair and _has_hanzi(pair[1]) and _has_hanzi(pair[2]):
        return [form for form in (pair[1].strip(), pair[2].strip()) if form]
    without_readings = _READING.sub("", text)
    if without_readings != text:
        text = _SPACE_BETWEEN_HANZI.sub("", without_readings)
    text = text.strip()
    return [text] if _has_hanzi(text) else []


def _words(values: Iterable[str]) -> set[str]:
    return {form for value in values for form in _forms(value)}


# --- Format detection and plain text -------------------------------------------


def _format_of(path: Path) -> str:
    """Which reader handles *path*: by suffix, else by the first bytes, else text."""
    try:
        with path.open("rb") as stream:
            head = stream.read(len(_SQLITE_MAGIC))
    except OSError as error:
        raise os_error(path, error) from error
    by_suffix = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    if head.startswith(_SQLITE_MAGIC):
        return _COLLECTION
    if head.startswith(_ZIP_MAGICS):
        return _PACKAGE
    if head.startswith(_ZSTD_MAGIC):
        return _COMPRESSED
    return _TEXT


def _read_text(path: Path) -> str:
    """The whole file as text, decoded as :func:`deckgen.read.detect_encoding` says.

    Known-word lists are small, so they are read whole; line endings are left
    for the csv module, which needs them intact inside quoted cells.
    """
    try:
        with path.open("rb") as stream:
            raw = stream.read(ankifile.MAX_BYTES + 1)
    except OSError as error:
        raise os_error(path, error) from error
    if len(raw) > ankifile.MAX_BYTES:
        raise ankifile.too_big(path, "the word list")
    if not raw:
        return ""
    codec = detect_encoding(path)
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(f"{path_label(path)}: line {line} is not valid {codec} text") from error
    return text.lstrip("\ufeff")


def _is_comment(line: str) -> bool:
    """``#`` comments, Anki's ``#key:value`` headers and Pleco's ``//`` category lines."""
    line = line.lstrip("\ufeff").strip()
    return line.startswith(("#", "//"))


def _looks_tabular(text: str) -> bool:
    """True for text that is a table: an Anki export header, or tab-separated lines."""
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    if lines and lines[0].strip().lower().startswith("#separator:"):
        return True
    return any("\t" in line for line in lines if not _is_comment(line))


def _words_from_list(text: str) -> set[str]:
    """One word per line; blank lines, ``#`` comments and Pleco's ``//`` categories are skipped."""
    return _words(line for line in text.splitlines() if line.strip() and not _is_comment(line))


# --- CSV and TSV ---------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    """What the ``#key:value`` lines at the top of an Anki text export say."""

    delimiter: str | None
    meta_columns: frozenset[int]
    column_names: str | None
    length: int


def _read_header(lines: list[str]) -> _Header:
    """Parse Anki's leading header lines; other leading ``#`` lines are comments."""
    settings: dict[str, str] = {}
    length = 0
    for line in lines:
        stripped = line.strip()
        if not stripped:
            length += 1
            continue
        if not stripped.startswith("#"):
            break
        length += 1
        header = _HEADER.fullmatch(stripped)
        if header:
            settings[header[1].strip().lower()] = header[2]
    separator = settings.get("separator")
    delimiter = None
    if separator is not None:
        delimiter = _SEPARATOR_NAMES.get(separator.strip().lower(), separator[:1] or None)
    meta = set()
    for key in _META_COLUMNS:
        number = settings.get(key, "").strip()
        if number.isdigit() and int(number) > 0:
            meta.add(int(number) - 1)
    return _Header(delimiter, frozenset(meta), settings.get("columns"), length)


def _sniff_delimiter(path: Path, body: list[str]) -> str:
    """Tab, comma or semicolon: ``.tsv`` means tab, otherwise the csv module's sniffer decides."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    rows = [line for line in body if line.strip() and not _is_comment(line)][:100]
    sample = "\n".join(rows)
    candidates = ",;\t" if path.suffix.lower() == ".csv" else "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:
        # One column, or too few rows to be sure: the most frequent candidate, if any.
        counts = {candidate: sample.count(candidate) for candidate in candidates}
        best = max(counts, key=lambda candidate: counts[candidate])
        return best if counts[best] else candidates[0]


def _word_columns(header: _Header, delimiter: str) -> list[int]:
    """The columns holding the word: named ones if ``#columns:`` names them, else the first field column."""
    if header.column_names:
        names = next(csv.reader([header.column_names], delimiter=delimiter), [])
        picked = _pick_fields([name if i not in header.meta_columns else "" for i, name in enumerate(names)])
        if picked:
            return picked
    column = 0
    while column in header.meta_columns:
        column += 1
    return [column]


def _words_from_table(path: Path, text: str) -> set[str]:
    """The word column of a CSV/TSV: Anki's text export, Pleco's export, a spreadsheet."""
    lines = text.splitlines(keepends=True)
    header = _read_header(lines)
    body = lines[header.length :]
    delimiter = header.delimiter or _sniff_delimiter(path, body)
    columns = _word_columns(header, delimiter)
    reader = csv.reader(body, delimiter=delimiter)
    values: list[str] = []
    try:
        for row in reader:
            if not row or _is_comment(row[0]):
                continue
            values.extend(row[column] for column in columns if column < len(row))
    except csv.Error as error:
        line = header.length + reader.line_num
        raise InputError(f"{path_label(path)}: line {line} is not valid CSV ({ankifile.one_line(error)})") from error
    return _words(values)


# --- Anki packages and collections ---------------------------------------------


def _pick_fields(names: Sequence[str]) -> list[int]:
    """Indices of the word field and of any Simplified/Traditional field, or [] when none is named so.

    A specific name beats a generic one wherever it stands, so ``Hanzi`` wins over ``Front``:

    >>> _pick_fields(['English', 'Hanzi', 'Traditional']), _pick_fields(['Front', 'Hanzi']), _pick_fields(['Text'])
    ([1, 2], [1], [])
    """
    lowered = [name.strip().lower() for name in names]
    word = next((lowered.index(wanted) for wanted in _WORD_FIELDS if wanted in lowered), None)
    if word is None:
        return []
    scripts = [index for index, name in enumerate(lowered) if name in _SCRIPT_FIELDS and index != word]
    return [word, *scripts]


def _note_values(fields: list[str], sort_field: object, names: list[str] | None) -> Iterator[str]:
    """The values of one note that name its word: by field name, else the sort field, else the first."""
    picked = _pick_fields(names) if names and len(names) == len(fields) else []
    if picked:
        yield from (fields[index] for index in picked)
    elif sort_field is not None and str(sort_field).strip():
        yield str(sort_field)
    elif fields:
        yield fields[0]


def _words_from_anki(path: Path, kind: str) -> set[str]:
    """The words of an Anki package or collection: each note's word field (see :func:`_pick_fields`)."""
    values: list[str] = []
    for note in ankifile.notes(path, kind):
        values.extend(_note_values(list(note.fields), note.sort_field, list(note.names) or None))
    return _words(values)
