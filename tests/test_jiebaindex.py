"""The jieba index answers as jieba does: counts, tags, and segmentation of many thousands of windows."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from deckgen import jiebaindex, segment

from .conftest import CORPUS

WINDOWS_PER_SOURCE = 6000


@pytest.fixture(scope="module")
def jieba_pair():
    """jieba's own tokenizer and part-of-speech tokenizer, the source of truth."""
    import jieba
    import jieba.posseg

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer, jieba.posseg.POSTokenizer(tokenizer)


@pytest.fixture(scope="module")
def index() -> jiebaindex.JiebaIndex:
    return jiebaindex.default_index()


def _synthetic_windows(tokenizer, count: int, seed: int) -> list[str]:
    """Windows of dictionary words run together, with the characters jieba treats specially mixed in:
    Latin letters and digits (joined into runs), + # & . _ % - (inside blocks, differently for the two
    tokenizers), whitespace, CR LF, punctuation, full-width forms and characters outside jieba's range."""
    rng = random.Random(seed)
    words = [w for w, c in tokenizer.FREQ.items() if c > 0]
    extras = [*"abcXYZ019+#&._%- \t\n，。、“”《》ＡＢ１２３", "\r\n", "AT&T", "B超", "T恤", "3.14", "龥", "\u9fd6"]
    windows = []
    for _ in range(count):
        parts = [rng.choice(words) if rng.random() < 0.75 else rng.choice(extras) for _ in range(rng.randint(1, 8))]
        windows.append("".join(parts))
    return windows


def _corpus_windows(count: int, seed: int) -> list[str]:
    """Windows of 2–40 characters from the shared corpus's articles (none if it is absent)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))] if CORPUS.is_dir() else []
    text = "\n".join(texts)
    if len(text) < 100:
        return []
    rng = random.Random(seed)
    windows = []
    for _ in range(count):
        start = rng.randrange(len(text) - 40)
        windows.append(text[start : start + rng.randint(2, 40)])
    return windows


def test_segmentation_equals_jieba_on_many_windows(jieba_pair, index) -> None:
    tokenizer, tagger = jieba_pair
    windows = _synthetic_windows(tokenizer, WINDOWS_PER_SOURCE, 13) + _corpus_windows(WINDOWS_PER_SOURCE, 13)
    assert len(windows) >= WINDOWS_PER_SOURCE
    cut_differs = [w for w in windows if index.cut(w) != tokenizer.lcut(w, HMM=False)]
    assert cut_differs == []
    spans_differ = [w for w in windows if index.spans(w) != list(tokenizer.tokenize(w, HMM=False))]
    assert spans_differ == []
    # Each piece segmented alone, as the boundary checks segment them, gives jieba's words of the whole window.
    pieces_differ = [
        w
        for w in windows
        if [t for s, e in jiebaindex.pieces(w, 0, len(w)) for t in index.spans(w[s:e], s)]
        != list(tokenizer.tokenize(w, HMM=False))
    ]
    assert pieces_differ == []
    tagged_differs = [w for w in windows if index.tagged(w) != [(p.word, p.flag) for p in tagger.lcut(w, HMM=False)]]
    assert tagged_differs == []


def test_corpus_windows_are_checked_where_the_corpus_is(jieba_pair, index) -> None:
    """The article windows above are real only beside the shared corpus; say so rather than pass quietly."""
    windows = _corpus_windows(10, 1)
    if not windows:
        pytest.skip(f"{CORPUS} is absent: only synthetic windows were compared with jieba")
    tokenizer, _ = jieba_pair
    assert [index.cut(w) for w in windows] == [tokenizer.lcut(w, HMM=False) for w in windows]


def test_every_count_and_tag_equals_jiebas(jieba_pair, index) -> None:
    tokenizer, tagger = jieba_pair
    assert index.total == tokenizer.total
    assert [w for w, c in tokenizer.FREQ.items() if index.count(w) != c] == []
    assert [w for w, t in tagger.word_tag_tab.items() if index.tag(w) != t] == []
    assert index.count("起全") == 0 and index.tag("起全") is None


def test_segment_module_answers_from_the_index(jieba_pair) -> None:
    tokenizer, _ = jieba_pair
    text = "从搭建平台到完善保障,武陵源区构建起全链条就业服务体系"
    assert segment.tokens(text) == list(tokenizer.tokenize(text, HMM=False))
    assert segment.word_count("就业") == tokenizer.FREQ["就业"]
    assert segment.total_count() == tokenizer.total


def test_the_cache_is_built_once_then_opened(tmp_path: Path) -> None:
    first = jiebaindex.load_index(tmp_path)
    second = jiebaindex.load_index(tmp_path)
    assert (first.origin, second.origin) == ("built", "cache")
    assert second.cut("就业服务体系") == first.cut("就业服务体系") == ["就业", "服务体系"]
    (folder,) = tmp_path.glob("jieba-v*")
    assert (folder / "meta.json").read_text(encoding="utf-8").count("dict_sha256") == 1


def test_a_changed_jieba_or_a_damaged_index_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jiebaindex.load_index(tmp_path)
    (folder,) = tmp_path.glob("jieba-v*")
    (folder / "counts.u32").write_bytes(b"\0" * 8)
    assert jiebaindex.load_index(tmp_path).origin == "built"  # damaged: the folder is set aside and rebuilt
    assert jiebaindex.load_index(tmp_path).origin == "cache"
    fingerprint = jiebaindex._fingerprint()
    monkeypatch.setattr(jiebaindex, "_fingerprint", lambda: {**fingerprint, "dict_mtime_ns": "1"})
    assert jiebaindex.load_index(tmp_path).origin == "built"
    assert len(list(tmp_path.glob("jieba-v*"))) == 2  # another jieba, another folder


def test_an_unwritable_cache_costs_a_build_not_a_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    index = jiebaindex.load_index(blocker / "cache")
    assert index.origin == "memory"
    assert index.cut("就业服务") == ["就业", "服务"]


def test_the_word_jieba_cuts_around_a_character_is_always_among_those_covering_it(jieba_pair, index) -> None:
    """The reading check asks :meth:`JiebaIndex.covering` first and segments only if one of its words objects.

    It asks about hanzi only; around other characters jieba also joins runs of Latin letters and digits (1X).
    """
    from deckgen.align import is_hanzi

    tokenizer, _ = jieba_pair
    windows = _synthetic_windows(tokenizer, WINDOWS_PER_SOURCE, 17) + _corpus_windows(WINDOWS_PER_SOURCE, 17)
    missing = [
        (w, word, position)
        for w in windows
        for word, start, end in tokenizer.tokenize(w, HMM=False)
        if len(word) > 1
        for position in range(start, end)
        if is_hanzi(w[position]) and (word, start) not in index.covering(w, position)
    ]
    assert missing == []
    long_words = [w for w, c in tokenizer.FREQ.items() if c > 0 and len(w) > 4]
    assert {w[:4] for w in long_words} == index.long_heads


def test_the_reading_check_answers_as_the_segmentation_does(jieba_pair) -> None:
    """contradiction() skips segmenting when no word around the character objects: never a different verdict."""
    from deckgen.align import _against, contradiction, is_hanzi
    from deckgen.pinyintables import tables

    tokenizer, _ = jieba_pair
    windows = _synthetic_windows(tokenizer, 1500, 19) + _corpus_windows(1500, 19)
    checked = objections = 0
    for w in windows:
        tokens = list(tokenizer.tokenize(w, HMM=False))
        for position, char in enumerate(w):
            readings = tables().char(char) if is_hanzi(char) else None
            for syllable in readings.split(",") if readings else ():
                around = [(word, s) for word, s, e in tokens if s <= position < e and e - s > 1]
                by_segmentation = _against(w, position, syllable, *around[0]) if around else ""
                asked = contradiction(w, position, syllable, lambda tokens=tokens: tokens)
                assert asked == by_segmentation, (w, position, syllable)
                checked += 1
                objections += bool(by_segmentation)
    assert checked > 10_000 and objections > 500
