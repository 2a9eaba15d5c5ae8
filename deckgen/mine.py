"""From lines of text to occurrences: parse, align, check boundaries, cut sentences.

An *occurrence* is one annotated word in one sentence of one file.  The
same word annotated again in the same sentence (the reference article is
pasted twice into its file) yields another occurrence; grouping in
:mod:`deckgen.enrich` folds such repeats into one note with one sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, partial

from . import segment
from .align import Boundary, check_boundaries
from .notices import Notice
from .parse import Annotation, ParsedLine, parse_line
from .sentences import Example, example, sentence_bounds


@dataclass(frozen=True)
class Occurrence:
    """One annotated word where the article used it.

    ``word``/``syllables`` are after boundary repair; ``flags`` are short
    codes (``boundary``, ``tones``, ``toneless``, ``repaired``) that become
    ``deckgen::…`` tags; ``traditional`` comes from a ``漢字|汉字`` annotation.
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
    gloss: str = ""


@dataclass
class MineStats:
    """Running counts for the summary."""

    annotations: int = 0
    skipped: int = 0


# Characters of context either side of a span that the boundary check segments:
# longer than almost every dictionary word, much shorter than most sentences.
WINDOW = 8
_MATCH_FLAGS = {"toneless": "toneless", "tones": "tones"}


def mine_lines(
    lines: Iterable[tuple[int, str]], path: str, notices: list[Notice], stats: MineStats
) -> Iterator[Occurrence]:
    """Yield the occurrences of one file's lines, appending notices as found.

    Each line is parsed once; jieba segments only a window of a few
    characters around each multi-character span, each character at most once.
    """
    return mine_parsed((parse_line(text, number, path) for number, text in lines), path, notices, stats)


def mine_parsed(
    lines: Iterable[ParsedLine], path: str, notices: list[Notice], stats: MineStats
) -> Iterator[Occurrence]:
    """Yield the occurrences of lines already parsed (by :func:`parse_line` or a reader of :mod:`deckgen.readers`).

    A word list's line (``listed``) is taken as the learner wrote it: no
    boundary check, and no example sentence.
    """
    for parsed in lines:
        number = parsed.line
        notices.extend(parsed.notices)
        stats.skipped += sum(1 for n in parsed.notices if n.kind != "repeat")
        stats.annotations += len(parsed.annotations)
        clean = parsed.text
        bounds = [sentence_bounds(clean, a.start, a.end) for a in parsed.annotations]
        windows = [
            (max(s_start, a.start - WINDOW), min(s_end, a.end + WINDOW))
            for a, (s_start, s_end) in zip(parsed.annotations, bounds, strict=True)
            if a.end - a.start > 1
        ]
        line_tokens = cache(partial(segment.tokens_in_windows, clean, windows))
        for annotation, bound in zip(parsed.annotations, bounds, strict=True):
            if parsed.listed:  # the learner chose the word: no boundary to check
                boundary = Boundary(annotation.start, annotation.end, annotation.syllables, "ok")
            else:
                boundary = check_boundaries(clean, annotation.start, annotation.end, annotation.syllables, line_tokens)
            start, end = boundary.start, boundary.end
            word = clean[start:end]
            flags = set()
            if annotation.match in _MATCH_FLAGS:
                flag = _MATCH_FLAGS[annotation.match]
                flags.add(flag)
                what = "has no tone marks" if flag == "toneless" else "matches no dictionary reading"
                notices.append(Notice(path, number, flag, f"{word}({annotation.raw[1:-1]}) {what}; flagged"))
            if boundary.status == "repaired":
                flags.add("repaired")
                notices.append(Notice(path, number, "repaired", f"{word}: {boundary.reason}; repaired"))
            elif boundary.status == "check":
                flags.add("boundary")
                notices.append(Notice(path, number, "boundary", f"{word}: {boundary.reason}; tagged deckgen::check"))
            cut = example(clean, start, end, sentence=bound)  # a repair stays inside its sentence
            yield Occurrence(
                word,
                boundary.syllables,
                None if parsed.listed else _with_readings(cut, start, parsed.annotations, boundary.syllables),
                path,
                number,
                frozenset(flags),
                annotation.traditional if (start, end) == (annotation.start, annotation.end) else "",
                annotation.gloss,
            )


def _with_readings(
    cut: Example, start: int, annotations: tuple[Annotation, ...], syllables: tuple[str, ...]
) -> Example:
    """Attach the annotator's readings that fall inside the example (its own word's after repair)."""
    offset = start - len(cut.before)
    word_start, word_end = len(cut.before), len(cut.before) + len(cut.word)
    readings = {word_start: syllables}
    for other in annotations:
        rel, rel_end = other.start - offset, other.end - offset
        overlaps_word = rel < word_end and rel_end > word_start
        if rel >= 0 and rel_end <= len(cut.text) and not overlaps_word:
            readings[rel] = other.syllables
    return replace(cut, readings=tuple(sorted(readings.items())))
