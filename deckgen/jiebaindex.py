"""jieba's own dictionary, precomputed, and jieba's no-HMM segmentation over it.

A jieba ``Tokenizer`` unpickles a 500,000-entry dictionary (about 0.4 s) and
its part-of-speech tagger reads the 5 MB ``dict.txt`` again (another 0.4 s),
while an article needs a few hundred lookups and a few hundred characters
segmented.  So jieba builds, once, an index of its own dictionary: a
``marisa-trie`` of its words (memory-mapped, opened in a few milliseconds),
their counts and their part-of-speech tags.  The index lives in deckgen's
cache directory beside the CC-CEDICT cache and is rebuilt whenever jieba's
package or dictionary changes.

:meth:`JiebaIndex.cut` and :meth:`JiebaIndex.tagged` then run jieba's own
dictionary-only algorithm over the index: the DAG of dictionary words at
each position and the route of greatest probability through it
(``Tokenizer.cut(..., HMM=False)`` and ``POSTokenizer.cut(..., HMM=False)``).
A test holds both equal to jieba on many thousands of windows of text.

marisa-trie won over SQLite by measurement: per DAG position 1.3 µs against
14 µs, per word lookup 0.6 µs against 6.5 µs, and both open in 2–7 ms.
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import marisa_trie

# Bump when the files of the index or the meaning of their contents change.
_FORMAT = 2  # 2: meta.json lists the long words' heads (JiebaIndex.long_heads)
_WORDS, _COUNTS, _TAGS = "words.marisa", "counts.u32", "tags.u8"
_NO_TAG = 255
_LATIN_RUN = -2  # the key :meth:`JiebaIndex._block_spans` gives a run of single Latin letters and digits

# jieba's block patterns, as in jieba 0.42.1: Tokenizer.cut segments runs of the
# first class; the part-of-speech tokenizer uses the second (no % or -).
_HAN_CUT = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)")
_HAN_TAGGED = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._]+)")
_SKIP = re.compile("(\r\n|\\s)")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True)
class JiebaIndex:
    """jieba's dictionary: every word with its count and tag, and jieba's total.

    ``origin`` says where it came from this time: ``"cache"``, ``"built"``
    (from jieba, then written to the cache) or ``"memory"`` (from jieba; the
    cache could not be written).
    """

    trie: marisa_trie.Trie
    counts: memoryview  # by trie key id
    tags: memoryview  # by trie key id, an index into tag_names or _NO_TAG
    tag_names: tuple[str, ...]
    total: int
    longest: int
    origin: str
    # The first four characters of every word of five or more (with a count): a word that covers a character
    # from four or more places before it starts with one of these, so :meth:`covering` asks the trie less often.
    long_heads: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    # log(count) - log(total) by key id (NaN: no count), filled as the route meets words (the same float jieba
    # adds); a list, sized on first use, because indexing it is faster than a dict's get in _route's inner loop
    weights: list[float | None] = field(default_factory=list, compare=False, repr=False)

    def count(self, word: str) -> int:
        """How often jieba's corpus met *word* (0 for a word it lists without a count, or does not list)."""
        key = self.trie.get(word)
        return 0 if key is None else self.counts[key]

    def tag(self, word: str) -> str | None:
        """jieba's part-of-speech tag of *word*, None if its dictionary lacks the word."""
        key = self.trie.get(word)
        if key is None or self.tags[key] == _NO_TAG:
            return None
        return self.tag_names[int(self.tags[key])]

    def _route(self, block: str) -> tuple[list[int], list[int]]:
        """jieba's best route through *block*: the end of the word that starts at each position, and that
        word's key in the trie (-1 for a character taken alone, no counted word starting there).

        The same arithmetic as ``Tokenizer.calc`` over ``Tokenizer.get_DAG``,
        so that ties and rounding fall the same way: each word scores
        ``log(count or 1) - log(total)``, and among equal scores the longer
        word wins.  The trie gives the words at a position shortest first, so
        ``>=`` keeps the longer of two equal scores, as jieba's ``max`` over
        ``(score, end)`` does, without building a tuple per word.
        """
        size = len(block)
        prefixes, counts, longest, weights = self.trie.iter_prefixes_with_ids, self.counts, self.longest, self.weights
        if not weights:
            weights.extend([None] * len(counts))
        log = math.log
        log_total = log(self.total)
        nan = math.nan
        scores = [0.0] * (size + 1)
        ends = [0] * (size + 1)
        keys = [-1] * (size + 1)
        alone = log(1) - log_total
        for start in range(size - 1, -1, -1):
            best: float | None = None
            for word, key in prefixes(block[start : start + longest]):
                weight = weights[key]
                if weight is None:
                    count = counts[key]
                    weight = weights[key] = log(count) - log_total if count else nan
                if weight == weight:  # not NaN: a word with a count
                    end = start + len(word)
                    score = weight + scores[end]
                    if best is None or score >= best:
                        best = score
                        ends[start] = end
                        keys[start] = key
            if best is None:  # no dictionary word starts here: the character alone, count 1
                best = alone + scores[start + 1]
                ends[start] = start + 1
            scores[start] = best
        return ends, keys

    def _block_spans(self, block: str, offset: int) -> list[tuple[str, int, int, int]]:
        """The route's words as ``(word, start, end, key)``, offsets plus *offset*, runs of single Latin letters
        and digits joined (key -2 for such a run; -1 for a character taken alone; else the word's key)."""
        ends, keys = self._route(block)
        out: list[tuple[str, int, int, int]] = []
        run_start = -1  # where the current run of single Latin letters and digits began
        at, size = 0, len(block)
        while at < size:
            end = ends[at]
            if end - at == 1 and block[at] in _ALNUM:
                if run_start < 0:
                    run_start = at
            else:
                if run_start >= 0:
                    out.append((block[run_start:at], offset + run_start, offset + at, _LATIN_RUN))
                    run_start = -1
                out.append((block[at:end], offset + at, offset + end, keys[at]))
            at = end
        if run_start >= 0:
            out.append((block[run_start:], offset + run_start, offset + size, _LATIN_RUN))
        return out

    def covering(self, text: str, position: int) -> list[tuple[str, int]]:
        """Every word of two or more characters that jieba could cut around ``text[position]``, with its start.

        jieba's no-HMM route only ever cuts dictionary words that have a count,
        or single characters, so the word its segmentation puts around a
        character is one of these (or the character alone), whatever the text
        around.  A check that holds for all of them needs no segmentation.

        >>> default_index().covering('吐蕃王朝', 1)
        [('吐蕃', 0), ('吐蕃王', 0)]
        """
        prefixes, counts, longest, heads = self.trie.iter_prefixes_with_ids, self.counts, self.longest, self.long_heads
        out: list[tuple[str, int]] = []
        for start in range(max(0, position - longest + 1), position + 1):
            distance = position - start
            if distance > 3 and text[start : start + 4] not in heads:
                continue  # only a word of five or more could reach the character from here
            reach = distance + 1 if distance else 2  # a word from here must be at least this long to cover it
            for word, key in prefixes(text[start : start + longest]):
                if len(word) >= reach and counts[key]:
                    out.append((word, start))
        return out

    def spans(self, text: str, offset: int = 0) -> list[tuple[str, int, int]]:
        """:meth:`cut`'s words as ``(word, start, end)``, plus *offset*: ``Tokenizer.tokenize(text, HMM=False)``.

        The boundary and reading checks want offsets; building them here saves
        two passes over the words.

        >>> default_index().spans('就业服务 2024年', 10)
        [('就业', 10, 12), ('服务', 12, 14), (' ', 14, 15), ('2024', 15, 19), ('年', 19, 20)]
        """
        out: list[tuple[str, int, int]] = []
        at = 0
        for found in _HAN_CUT.finditer(text):
            start = found.start()
            if at < start:
                _gap_spans(text, at, start, offset, out)
            out.extend((word, s, e) for word, s, e, _ in self._block_spans(found.group(), offset + start))
            at = found.end()
        if at < len(text):
            _gap_spans(text, at, len(text), offset, out)
        return out

    def cut(self, text: str) -> list[str]:
        """jieba's dictionary-only segmentation: ``Tokenizer.lcut(text, HMM=False)``.

        >>> default_index().cut('就业服务 abc，2024年')
        ['就业', '服务', ' ', 'abc', '，', '2024', '年']
        """
        return [word for word, _, _ in self.spans(text)]

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """jieba's words with its tags: ``POSTokenizer.lcut(text, HMM=False)`` as (word, flag) pairs.

        >>> default_index().tagged('改变着生活')
        [('改变', 'v'), ('着', 'uz'), ('生活', 'vn')]
        """
        out: list[tuple[str, str]] = []
        tags, names = self.tags, self.tag_names
        for block in _HAN_TAGGED.split(text):
            if _HAN_TAGGED.match(block):
                for word, _, _, key in self._block_spans(block, 0):
                    if key >= 0:  # the route's word: its tag by the key the route found it under
                        tag = tags[key]
                        out.append((word, (names[tag] or "x") if tag != _NO_TAG else "x"))
                    else:
                        out.append((word, "eng" if key == _LATIN_RUN else self.tag(word) or "x"))
                continue
            for piece in _SKIP.split(block):
                if _SKIP.match(piece):
                    out.append((piece, "x"))
                    continue
                # jieba's "m" and "eng" branches here cannot fire: digits, letters and "." are all
                # inside the blocks above, so whatever falls between them is tagged "x".
                out.extend((ch, "x") for ch in piece)
        return out


def pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``text[start:end]`` that jieba segments independently: its blocks and the text between them.

    jieba finds the best route through each block (a run of hanzi, letters,
    digits and ``+#&._%-``) on its own, so :meth:`JiebaIndex.spans` of each
    part, put together, is the spans of the whole; a check that needs the
    words around one character need only segment the block it sits in.

    >>> pieces('他说：就业服务。', 1, 8)
    [(1, 2), (2, 3), (3, 7), (7, 8)]
    """
    out: list[tuple[int, int]] = []
    at = start
    for found in _HAN_CUT.finditer(text, start, end):
        if at < found.start():
            out.append((at, found.start()))
        out.append(found.span())
        at = found.end()
    if at < end:
        out.append((at, end))
    return out


def _gap_spans(text: str, start: int, end: int, offset: int, out: list[tuple[str, int, int]]) -> None:
    """The text between jieba's blocks, one character a word, as jieba's ``re_skip`` split leaves it (CR LF is one)."""
    at = start
    while at < end:
        step = 2 if text[at] == "\r" and text[at + 1 : at + 2] == "\n" and at + 1 < end else 1
        out.append((text[at : at + step], offset + at, offset + at + step))
        at += step


# --- Building the index from jieba, and caching it ------------------------------


def _jieba_files() -> tuple[Path, Path]:
    """jieba's ``__init__.py`` and ``dict.txt``, found without importing jieba."""
    import importlib.util

    from .errors import DeckgenError

    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise DeckgenError("jieba is missing: install jieba==0.42.1")
    package = Path(spec.origin)
    return package, package.parent / "dict.txt"


def _fingerprint() -> dict[str, str]:
    """What identifies jieba's code and dictionary cheaply: paths, sizes and mtimes.

    Hashing the 5 MB dictionary costs about 5 ms and reading jieba's version
    without importing it costs 20 ms (importlib.metadata), against 3 ms to open
    the index; so, like the CC-CEDICT cache, the index is found by ``stat``
    (an upgrade rewrites both files) and records the version and the
    dictionary's SHA-256 inside, for provenance.
    """
    fingerprint = {"format": str(_FORMAT), "byteorder": sys.byteorder}
    for name, path in zip(("code", "dict"), _jieba_files(), strict=True):
        stat = path.stat()
        fingerprint[f"{name}_path"] = str(path.resolve())
        fingerprint[f"{name}_size"] = str(stat.st_size)
        fingerprint[f"{name}_mtime_ns"] = str(stat.st_mtime_ns)
    return fingerprint


def _from_jieba() -> tuple[dict[str, tuple[int, str | None]], int]:
    """Every word of jieba's dictionary with its count and tag, and jieba's total, asked of jieba itself.

    The prefixes jieba adds to its table with a count of 0 are left out: the
    trie answers prefix questions itself.
    """
    import logging

    import jieba
    import jieba.posseg

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    tags = jieba.posseg.POSTokenizer(tokenizer).word_tag_tab
    words = {word: (count, tags.get(word)) for word, count in tokenizer.FREQ.items() if count or word in tags}
    return words, int(tokenizer.total)


def _build(words: dict[str, tuple[int, str | None]], total: int, origin: str) -> tuple[JiebaIndex, dict[str, object]]:
    """The index in memory, and the meta that describes its files."""
    import marisa_trie

    trie = marisa_trie.Trie(words)
    tag_names = tuple(sorted({tag for _, tag in words.values() if tag}))
    if len(tag_names) >= _NO_TAG or max(count for count, _ in words.values()) >= 2**32:
        raise ValueError("jieba's dictionary no longer fits the index's format")
    tag_of = {tag: number for number, tag in enumerate(tag_names)}
    counts = array("I", bytes(4 * len(trie)))
    tags = array("B", bytes(len(trie)))
    for word, key in trie.iteritems():
        count, tag = words[word]
        counts[key] = count
        tags[key] = tag_of[tag] if tag else _NO_TAG
    longest = max(map(len, words))
    long_heads = sorted({word[:4] for word, (count, _) in words.items() if len(word) > 4 and count})
    index = JiebaIndex(
        trie, memoryview(counts), memoryview(tags), tag_names, total, longest, origin, frozenset(long_heads)
    )
    meta = {"total": total, "longest": longest, "tag_names": list(tag_names), "words": len(trie)}
    return index, {**meta, "long_heads": long_heads}


def _write(folder: Path, index: JiebaIndex, meta: dict[str, object]) -> None:
    """Write the index's files to a temporary folder, then rename it into place (:func:`deckgen.folders.new_cache`)."""
    from .folders import new_cache, save_trie

    with new_cache(folder, meta) as temp:
        save_trie(index.trie, temp / _WORDS)
        (temp / _COUNTS).write_bytes(index.counts.tobytes())
        (temp / _TAGS).write_bytes(index.tags.tobytes())


def _open(folder: Path, fingerprint: dict[str, str]) -> JiebaIndex | None:
    """The cached index in *folder*, or None if it is missing, stale or damaged."""
    import marisa_trie

    from .folders import cache_meta, mapped

    try:
        meta = cache_meta(folder, fingerprint)
        if meta is None:
            return None
        trie = marisa_trie.Trie()
        trie.mmap(str(folder / _WORDS))
        counts, tags = mapped(folder / _COUNTS, "I"), mapped(folder / _TAGS, "B")
        if not len(trie) == len(counts) == len(tags) == meta["words"]:
            return None
        heads = meta["long_heads"]
        if not isinstance(heads, list) or not all(isinstance(head, str) for head in heads):
            return None
        return JiebaIndex(
            trie,
            counts,
            tags,
            tuple(meta["tag_names"]),
            int(meta["total"]),
            int(meta["longest"]),
            "cache",
            frozenset(heads),
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError):
        return None


def load_index(cache_dir: Path) -> JiebaIndex:
    """jieba's dictionary index from *cache_dir*, built from jieba first if needed.

    A missing, stale or damaged index is rebuilt (about 3 s, importing
    jieba); an unwritable cache directory costs that build every run.
    """
    fingerprint = _fingerprint()
    from .folders import cache_folder

    folder = cache_folder(cache_dir, f"jieba-v{_FORMAT}", fingerprint)
    index = _open(folder, fingerprint)
    if index is not None:
        return index
    import hashlib

    import jieba

    words, total = _from_jieba()
    index, meta = _build(words, total, "built")
    meta["fingerprint"] = fingerprint
    meta["jieba_version"] = jieba.__version__
    meta["dict_sha256"] = hashlib.sha256(_jieba_files()[1].read_bytes()).hexdigest()
    try:
        _write(folder, index, meta)
    except OSError:
        return replace(index, origin="memory")
    opened = _open(folder, fingerprint)  # the memory-mapped form, as later runs will see it
    return replace(opened, origin="built") if opened is not None else index


@cache
def default_index() -> JiebaIndex:
    """The index in deckgen's cache directory (see :mod:`deckgen.dictionary`), opened once."""
    from .folders import cache_dir

    return load_index(cache_dir())
