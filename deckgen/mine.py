"""From lines of text to occurrences: parse, align, check boundaries, cut sentences.

An *occurrence* is one annotated word in one sentence of one file.  The
same word annotated again in the same sentence (the reference article is
pasted twice into its file) yields another occurrence; grouping in
:mod:`deckgen.enrich` folds such repeats into one note with one sentence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

from . import segment
from .align import Boundary, check_boundaries, contradiction
from .notices import Notice
from .parse import Annotation, ParsedLine, parse_line
from .pinyin import citation
from .sentences import Example, Layout, example, layout, sentence_bounds


@dataclass(frozen=True)
class Occurrence:
    """One annotated word where the article used it.

    ``word``/``syllables`` are after boundary repair, with 一/不 in their
    citation tones (the note's headword); ``spoken`` is the annotator's own
    reading, which the sentence's pinyin shows.  ``flags`` are short codes
    (``repaired``, ``new-word``, ``unsure``, ``reading``, ``tones``,
    ``toneless``) that become ``deckgen::…`` tags; ``traditional`` comes from
    a ``漢字|汉字`` annotation.
    ``example`` is None for a word list's entry, which is no sentence;
    ``gloss`` is the learner's own meaning when the input gave one.
    """

    word: str
    syllables: tuple[str, ...]
    example: Example | None
    path: str
    line: int
    flags: frozenset[str] = frozenset()
    traditional: str = ""
    spoken: tuple[str, ...] = ()
    gloss: str = ""


@dataclass
class MineStats:
    """Running counts for the summary."""

    annotations: int = 0
    skipped: int = 0


# Characters of context either side of a span that the boundary check segments:
# longer than almost every dictionary word, much shorter than most sentences.
WINDOW = 8
_MATCH_FLAGS: dict[str, Literal["toneless", "tones"]] = {"toneless": "toneless", "tones": "tones"}


@dataclass(frozen=True)
class Mined:
    """What :func:`mine_lines` found: the occurrences, the notices, and the counts."""

    occurrences: tuple[Occurrence, ...]
    notices: tuple[Notice, ...]
    annotations: int = 0
    skipped: int = 0


def mine_lines(lines: Iterable[tuple[int, str]], path: str = "<text>") -> Mined:
    """The occurrences of (line number, text) pairs written in the inline style, with their notices.

    >>> mined = mine_lines([(1, '关键(guānjiàn)的一步(bù)(bù)。')])
    >>> [o.word for o in mined.occurrences], [n.kind for n in mined.notices], mined.annotations
    (['关键', '步'], ['repeat'], 2)
    """
    notices: list[Notice] = []
    stats = MineStats()
    parsed = (parse_line(text, number, path) for number, text in lines)
    occurrences = tuple(mine_parsed(parsed, path, notices, stats))
    return Mined(occurrences, tuple(notices), stats.annotations, stats.skipped)


def mine_parsed(
    lines: Iterable[ParsedLine], path: str, notices: list[Notice], stats: MineStats
) -> Iterator[Occurrence]:
    """Yield the occurrences of lines already parsed (by :func:`parse_line` or a reader of :mod:`deckgen.readers`).

    The streaming core under :func:`mine_lines` and the build: a book never
    sits in memory, so notices and counts go to *notices* and *stats* as they
    are found.  Each line is parsed and laid out once; jieba segments only
    the parts of a few characters' window around each span that its checks
    need, each character at most once.

    A word list's line (``listed``) is taken as the learner wrote it: no
    boundary check, and no example sentence.
    """
    for parsed in lines:
        notices.extend(parsed.notices)
        stats.skipped += sum(1 for n in parsed.notices if n.kind != "repeat")
        stats.annotations += len(parsed.annotations)
        if not parsed.annotations:
            continue
        clean = parsed.text
        lay = layout(clean)
        bounds = [sentence_bounds(lay, a.start, a.end) for a in parsed.annotations]
        windows = [
            (max(s_start, a.start - WINDOW), min(s_end, a.end + WINDOW))
            for a, (s_start, s_end) in zip(parsed.annotations, bounds, strict=True)
        ]
        line_tokens = _Tokens(clean, windows)
        nears = [partial(line_tokens.over, a.start, a.end) for a in parsed.annotations]
        # Every span's boundaries first: a sentence's pinyin reads the other words as repaired (人次, not 万人次).
        boundaries = [_boundary(a, parsed, near) for a, near in zip(parsed.annotations, nears, strict=True)]
        by_start = _ByStart(boundaries)
        for annotation, boundary, near in zip(parsed.annotations, boundaries, nears, strict=True):
            yield _occurrence(annotation, boundary, parsed, lay, near, path, notices, by_start)


def _boundary(
    annotation: Annotation, parsed: ParsedLine, line_tokens: Callable[[], list[tuple[str, int, int]]]
) -> Boundary:
    """The span's boundary check; a word list's entry is taken as the learner wrote it."""
    if parsed.listed:
        return Boundary(annotation.start, annotation.end, annotation.syllables, "ok")
    return check_boundaries(parsed.text, annotation.start, annotation.end, annotation.syllables, line_tokens)


def _occurrence(
    annotation: Annotation,
    boundary: Boundary,
    parsed: ParsedLine,
    lay: Layout,
    line_tokens: Callable[[], list[tuple[str, int, int]]],
    path: str,
    notices: list[Notice],
    by_start: _ByStart,
) -> Occurrence:
    """Check one annotation's boundaries and reading, and cut its example.

    A word list's line (``parsed.listed``) is taken as the learner wrote it:
    no boundary or contradiction check, and no example sentence.
    """
    clean, number = parsed.text, parsed.line
    start, end = boundary.start, boundary.end
    word = clean[start:end]
    cut = example(lay, start, end)
    flags: set[str] = set()
    if annotation.match in _MATCH_FLAGS:
        flag = _MATCH_FLAGS[annotation.match]
        flags.add(flag)
        what = "has no tone marks" if flag == "toneless" else "matches no dictionary reading"
        notices.append(Notice(path, number, flag, f"{word}({annotation.raw[1:-1]}) {what}; flagged"))
    if boundary.status == "repaired":
        flags.add("repaired")
        notices.append(Notice(path, number, "repaired", f"{word}: {boundary.reason}; repaired"))
    elif boundary.status == "unsure":
        flags.add("unsure")
        notices.append(Notice(path, number, "unsure", f"{boundary.reason}; left out ({cut.text})"))
    elif boundary.status == "new":
        flags.add("new-word")
        notices.append(Notice(path, number, "new-word", f"{word} is in no dictionary; kept as a new word"))
    if end - start == 1 and not parsed.listed:
        reason = contradiction(clean, start, boundary.syllables[0], line_tokens)
        if reason:
            flags.add("reading")
            notices.append(Notice(path, number, "reading", f"{reason}; tagged deckgen::check"))
    return Occurrence(
        word,
        citation(word, boundary.syllables),
        _example(cut, start, parsed, boundary.syllables, by_start),
        path,
        number,
        frozenset(flags),
        annotation.traditional if (start, end) == (annotation.start, annotation.end) else "",
        boundary.syllables,
        annotation.gloss,
    )


class _Tokens:
    """A line's tokens, looked up over a span by bisection, each piece segmented when first needed.

    The windows around the spans are merged (:func:`deckgen.segment.merge_windows`),
    so no text is segmented twice, and cut into the pieces jieba segments
    independently (:func:`deckgen.segment.pieces`), so the tokens are the
    same as segmenting every window at once; but a span's checks need only
    the pieces it touches, and most spans need none (a known word asks for
    no boundary evidence).  Each span's boundary check used to
    walk every token of its line: quadratic in the number of annotations on
    one line.
    """

    def __init__(self, text: str, windows: list[tuple[int, int]]) -> None:
        self._text = text
        self._pieces = [
            piece for start, end in segment.merge_windows(windows) for piece in segment.pieces(text, start, end)
        ]
        self._piece_ends = [end for _, end in self._pieces]
        self._segmented: dict[int, tuple[list[tuple[str, int, int]], list[int]]] = {}

    def _piece(self, index: int) -> tuple[list[tuple[str, int, int]], list[int]]:
        """The tokens of piece *index*, and their ends."""
        found = self._segmented.get(index)
        if found is None:
            tokens = segment.tokens_in_window(self._text, *self._pieces[index])
            found = self._segmented[index] = tokens, [tok_end for _, _, tok_end in tokens]
        return found

    def over(self, start: int, end: int) -> list[tuple[str, int, int]]:
        """The tokens overlapping ``[start, end)``, in order (tokens do not overlap each other).

        The boundary check and the reading check look at no other token: a
        token reaching into a span, or holding its character, overlaps it.
        """
        out = []
        pieces = self._pieces
        for index in range(bisect_right(self._piece_ends, start), len(pieces)):
            if pieces[index][0] >= end:
                break
            tokens, ends = self._piece(index)
            for at in range(bisect_right(ends, start), len(tokens)):
                if tokens[at][1] >= end:
                    break
                out.append(tokens[at])
        return out


class _ByStart:
    """A line's spans (after repair) ordered by start, so each example finds its own in log time.

    Scanning every span of the line for every example was quadratic:
    10,000 annotations on one 180 KB line never finished.
    """

    def __init__(self, spans: Sequence[Boundary]) -> None:
        self.annotations = sorted(spans, key=lambda a: a.start)  # stable: the line's order at one start
        self.starts = [a.start for a in self.annotations]


def _example(
    cut: Example, start: int, parsed: ParsedLine, syllables: tuple[str, ...], by_start: _ByStart
) -> Example | None:
    """The occurrence's example with readings; None for a word list's entry, which is no sentence."""
    if parsed.listed:
        return None
    return _with_readings(cut, start, by_start, syllables) if cut.before or cut.word or cut.after else cut


def _with_readings(cut: Example, start: int, by_start: _ByStart, syllables: tuple[str, ...]) -> Example:
    """Attach the annotator's readings of the spans (after repair) that fall inside the example.

    Called for every occurrence, so it measures the example once rather than
    through ``Example.text``, and builds the result directly rather than by
    ``dataclasses.replace``.
    """
    word_start = len(cut.before)
    word_end = word_start + len(cut.word)
    size = word_end + len(cut.after)
    offset = start - word_start
    readings = {word_start: syllables}
    spans, starts = by_start.annotations, by_start.starts
    for index in range(bisect_left(starts, offset), bisect_left(starts, offset + size)):
        other = spans[index]
        rel, rel_end = other.start - offset, other.end - offset
        if rel_end <= size and not (rel < word_end and rel_end > word_start):  # inside, and not the word itself
            readings[rel] = other.syllables
    return Example(cut.before, cut.word, cut.after, tuple(sorted(readings.items())))
