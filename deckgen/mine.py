"""From lines of text to occurrences: parse, align, check boundaries, cut sentences.

An *occurrence* is one annotated word in one sentence of one file.  The
same word annotated twice in the same sentence (the reference article is
pasted twice into its file) is one occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from .align import check_boundaries
from .notices import Notice
from .parse import Annotation, parse_line
from .sentences import Example, example, sentence_bounds


@dataclass(frozen=True)
class Occurrence:
    """One annotated word where the article used it.

    ``word``/``syllables`` are after boundary repair; ``flags`` are short
    codes (``boundary``, ``tones``, ``toneless``, ``repaired``) that become
    ``deckgen::…`` tags; ``traditional`` comes from a ``漢字|汉字`` annotation.
    """

    word: str
    syllables: tuple[str, ...]
    example: Example
    path: str
    line: int
    flags: frozenset[str] = frozenset()
    traditional: str = ""


@dataclass
class MineStats:
    """Running counts for the summary."""

    annotations: int = 0
    skipped: int = 0


_MATCH_FLAGS = {"toneless": "toneless", "tones": "tones"}


def mine_lines(
    lines: Iterable[tuple[int, str]], path: str, notices: list[Notice], stats: MineStats
) -> Iterator[Occurrence]:
    """Yield the occurrences of one file's lines, appending notices as found.

    Each line is parsed once; a sentence is segmented (jieba) only when a
    multi-character span in it needs a boundary decision, and then only once.
    """
    for number, text in lines:
        parsed = parse_line(text, number, path)
        notices.extend(parsed.notices)
        stats.skipped += sum(1 for n in parsed.notices if n.kind != "repeat")
        stats.annotations += len(parsed.annotations)
        clean = parsed.text
        for annotation in parsed.annotations:
            s_start, s_end = sentence_bounds(clean, annotation.start, annotation.end)
            sentence = clean[s_start:s_end]
            boundary = check_boundaries(
                sentence, annotation.start - s_start, annotation.end - s_start, annotation.syllables
            )
            start, end = boundary.start + s_start, boundary.end + s_start
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
            cut = example(clean, start, end)
            yield Occurrence(
                word,
                boundary.syllables,
                _with_readings(cut, start, parsed.annotations, boundary.syllables),
                path,
                number,
                frozenset(flags),
                annotation.traditional if (start, end) == (annotation.start, annotation.end) else "",
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
