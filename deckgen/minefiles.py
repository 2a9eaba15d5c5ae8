"""Mining whole files: each in one pass, or a large one in shares of its lines in worker processes, joined in order.

:mod:`deckgen.build` mines every input here, then groups, enriches and
renders; the occurrences of one line come from :mod:`deckgen.mine`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import workers
from .enrich import Grouper
from .errors import InputError, NoAnnotationsError
from .mine import MineStats, mine_parsed
from .notices import Notice
from .pinyin import join_syllables
from .read import Text
from .sentences import Example

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Executor

    from .librows import Sighting
    from .workers import Share

SUPPORTED_STYLES = (
    "汉字(hànzì), 汉字（han4 zi4）, 汉字[hànzì], 漢字|汉字[han4 zi4], <ruby>汉字<rt>hànzì</rt></ruby>, "
    "word lists, CC-CEDICT lines, two-line text, subtitles, 床chuáng, zhuyin, EPUB; see --input-format"
)


@dataclass
class FileMined:
    """What mining one file gave: its words so far, its sightings for the library (by article), its notices."""

    path: Path
    grouper: Grouper
    articles: dict[str, list[Sighting]]
    notices: list[Notice]
    annotations: int = 0
    skipped: int = 0
    error: InputError | None = None
    reader: str = ""


def mine_file(
    path: Path | Text, encoding: str | None, max_examples: int, with_sightings: bool, input_format: str | None = None
) -> FileMined:
    """Mine one file (or article in memory), streaming its lines; one that cannot be used comes back with its error.

    The reader is the one of the file's convention (:mod:`deckgen.readers`),
    or *input_format*.  Occurrences are folded into a
    :class:`~deckgen.enrich.Grouper` as they come, so memory grows with the
    number of distinct words, not with the size of the file.  Sightings are
    kept only when a library will record them, per article (an e-book's
    chapters are articles); a word list's entry, which has no sentence, is
    recorded with the word alone.
    """
    return _checked(_mine_share(path, encoding, max_examples, with_sightings, input_format, None))


def _mine_share(
    path: Path | Text,
    encoding: str | None,
    max_examples: int,
    with_sightings: bool,
    input_format: str | None,
    share: Share | None,
    folder: str | None = None,
) -> FileMined:
    """:func:`mine_file` of the lines of *share* only (all of them: None), before the file-level checks.

    In a worker, the result goes back through a file of *folder* (:func:`workers.saved`), if one is given.
    """
    from .librows import Sighting
    from .readers import read, read_text

    grouper = Grouper(max_examples)
    articles: dict[str, list[Sighting]] = {}
    notices: list[Notice] = []
    stats = MineStats()
    reader = ""
    try:
        if isinstance(path, Text):
            opened = read_text(path, input_format)
        elif share is None:
            opened = read(path, encoding, input_format)
        else:
            opened = read(path, encoding, input_format, share.lines, share.offset)
        reader = opened.reader
        for article in opened.articles:
            sightings = _Sightings(articles.setdefault(article.source, []), max_examples)
            for o in mine_parsed(article.lines, article.source, notices, stats):
                grouper.add(o)
                if with_sightings and "unsure" not in o.flags:
                    example = o.example or Example("", o.word, "")
                    pinyin = join_syllables(o.syllables)
                    sightings.add(Sighting(o.word, pinyin, example.before, example.word, example.after, o.line))
    except InputError as exc:
        return FileMined(input_name(path), Grouper(max_examples), {}, [], error=exc, reader=reader)
    mined = FileMined(input_name(path), grouper, articles, notices, stats.annotations, stats.skipped, reader=reader)
    return workers.saved(mined, folder)


class _Sightings:
    """An article's sightings as they come, at most as many distinct sentences per word as a note shows.

    The library keeps no more than that, and a book that repeats one word
    200,000 times must not hold 200,000 sightings.  Filtering each share of a
    file and then the shares put together keeps what one pass keeps.
    """

    def __init__(self, kept: list[Sighting], max_examples: int) -> None:
        self.kept, self.max_examples = kept, max_examples
        self.seen: dict[tuple[str, str], set[str]] = {}  # per word: its distinct sentences kept so far

    def add(self, sighting: Sighting) -> None:
        texts = self.seen.setdefault((sighting.hanzi, sighting.pinyin), set())
        text = sighting.sentence
        if text not in texts and len(texts) < self.max_examples:
            texts.add(text)
            self.kept.append(sighting)


def _checked(mined: FileMined) -> FileMined:
    """*mined*, or its failure when the whole file held no annotation."""
    if mined.error is None and mined.annotations == 0:
        error = NoAnnotationsError(
            f"{mined.path}: no pinyin annotations found (supported styles: {SUPPORTED_STYLES}; read as {mined.reader})"
        )
        return FileMined(mined.path, Grouper(mined.grouper.max_examples), {}, [], error=error, reader=mined.reader)
    return mined


def _joined(shares: Iterable[FileMined]) -> FileMined:
    """The shares of one file's lines, in order, as one :class:`FileMined`; the first failure fails the file.

    Each share is folded in as it comes and dropped then, so no more than two are held at once.
    """
    whole: FileMined | None = None
    filters: dict[str, _Sightings] = {}
    for share in shares:
        if share.error is not None:
            return share
        for source, sightings in share.articles.items():
            if source not in filters:
                filters[source] = _Sightings([], share.grouper.max_examples)
            for sighting in sightings:
                filters[source].add(sighting)
        if whole is None:
            whole = share
            continue
        whole.grouper.merge(share.grouper)
        whole.notices.extend(share.notices)
        whole.annotations += share.annotations
        whole.skipped += share.skipped
    if whole is None:
        raise ValueError("a file in no shares")
    whole.articles = {source: kept.kept for source, kept in filters.items()}
    return whole


def input_name(path: Path | Text) -> Path:
    """The path an input goes by: a file's own, an article's source name."""
    return Path(path.source) if isinstance(path, Text) else path


def mine_all(
    files: list[Path | Text],
    jobs: int,
    args: tuple[str | None, int, bool, str | None],
    progress: Callable[[Path, int, int], None] | None,
    pool: Callable[[], Executor],
    then: Callable[[], None] | None = None,
) -> Iterator[FileMined]:
    """Mine the files in order, in *jobs* processes (*pool*), a large file in shares of its lines.

    *args* are :func:`mine_file`'s after the path: (encoding, max_examples, with_sightings, input_format).
    *then* is handed to the processes *jobs* times after the shares, for those that finish first.
    """
    plans = [workers.shares(path, jobs) for path in files]
    if jobs > 1 and sum(map(len, plans)) > 1:
        with workers.handed_back() as folder:
            futures = [
                [pool().submit(_mine_share, path, *args, share, folder) for share in plan]
                for path, plan in zip(files, plans, strict=True)
            ]
            if then is not None:
                for _ in range(jobs):
                    pool().submit(then)
            for index, (path, shares) in enumerate(zip(files, futures, strict=True)):
                if progress:
                    progress(input_name(path), index, len(files))
                yield _checked(_joined(map(workers.loaded, workers.results_in_order(shares))))
        return
    for index, path in enumerate(files):
        if progress:
            progress(input_name(path), index, len(files))
        yield mine_file(path, *args)
