"""pypinyin's tables, precomputed, so that a build need not import pypinyin.

Importing pypinyin costs about 0.17 s on every run: it parses a 2.5 MB JSON
phrase table and a 0.8 MB character table, then trains its segmenter's
prefix set over every phrase, while an article needs a few hundred
lookups.  So pypinyin builds, once, what deckgen reads from it:

* its character table (``pinyin_dict``), phrase table (``PHRASES_DICT``) and
  its segmenter's prefix set as ``marisa-trie`` tries, memory-mapped, opened
  in a millisecond;
* the toneless syllables its character table uses;
* its tone converters over every syllable it knows: ``to_normal`` as a
  translation of marked letters (it maps each letter on its own, and four
  two-character marks, ``m̀ m̄ ê̄ ê̌``, as units), ``to_tone3`` and ``to_tone``
  as tables.  A question outside them goes to pypinyin itself.

The tables live in deckgen's cache directory beside the jieba index and are
rebuilt whenever pypinyin's package files change.  Tests hold every answer
equal to pypinyin's: every character, every phrase, the segmenter on many
texts, and the converters on every syllable and on random strings.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .folders import trie_value

if TYPE_CHECKING:  # pragma: no cover
    import marisa_trie

# Bump when the files of the tables or the meaning of their contents change.
_FORMAT = 2
_CHARS, _PHRASES, _PREFIXES = "chars.marisa", "phrases.marisa", "prefixes.marisa"
_CONVERT = "convert.marshal"
# pypinyin's files whose change (an upgrade) rebuilds the tables.
_SOURCES = ("__init__.py", "constants.py", "pinyin_dict.json", "phrases_dict.json", "style/_tone_convert.py")
# The letters whose to_normal is taken from pypinyin letter by letter; any other character sends the
# question to pypinyin (the CJK runs, digits outside ASCII).
_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '-,.:;·/()\u0300\u0301\u0304\u030c"


@dataclass(frozen=True)
class PinyinTables:
    """pypinyin's tables as deckgen asks them (see the module's docstring)."""

    chars: marisa_trie.BytesTrie  # one character -> pinyin_dict's comma-separated readings
    phrases: marisa_trie.BytesTrie  # phrase -> readings, syllables by " ", alternatives by ","
    prefixes: marisa_trie.Trie  # every prefix of every phrase (the segmenter's prefix set)
    syllables: frozenset[str]  # the toneless syllables of the character table's readings
    normal_units: dict[str, str]  # a letter or two-character mark -> to_normal(unit, v_to_u=True)
    tone3: dict[str, str]  # syllable -> to_tone3(syllable, neutral_tone_with_five=True)
    tone: dict[str, str]  # numbered syllable -> to_tone(numbered)
    runs: re.Pattern[str]  # simple_seg's runs: group 1 characters pypinyin reads as hanzi, group 2 others
    origin: str
    # Characters asked already: a dictionary answers in a tenth of the trie's 3.6 µs (25,700 questions at 2 MB).
    # A book uses a few thousand distinct characters.
    _chars_seen: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def char(self, ch: str) -> str | None:
        """``pinyin_dict.get(ord(ch))``: the character's readings, comma-separated, most common first."""
        try:
            return self._chars_seen[ch]
        except KeyError:
            found = trie_value(self.chars, ch)
            readings = self._chars_seen[ch] = found.decode() if found is not None else None
            return readings

    def phrase(self, word: str) -> list[list[str]] | None:
        """``PHRASES_DICT.get(word)``: each syllable's readings, the default first."""
        found = trie_value(self.phrases, word)
        if found is None:
            return None
        return [syllable.split(",") for syllable in found.decode().split(" ")]

    def seg(self, text: str) -> list[str]:
        """``pypinyin.seg.simpleseg.seg(text)``: runs of hanzi cut by forward maximum matching on phrases.

        >>> tables().seg('银行行长，a')
        ['银行', '行长', '，a']
        """
        if not text:
            return [""]
        out: list[str] = []
        for match in self.runs.finditer(text):
            hans, other = match.groups()
            if hans:
                out.extend(self._cut(hans))
            else:
                out.append(other)
        return out

    def _cut(self, run: str) -> Iterator[str]:
        """pypinyin's ``mmseg.seg.cut`` with ``no_non_phrases=True``: the longest phrase at each point.

        pypinyin grows a candidate while it is a prefix of some phrase and keeps the
        longest phrase met, which is the longest phrase the text starts with: marisa
        lists those in one call.  Where no phrase starts and the rest of the run only
        begins one, pypinyin gives the rest as single characters.
        """
        phrases_in, prefixes = self.phrases.prefixes, self.prefixes
        remain = run
        while remain:
            found = phrases_in(remain)
            if found:
                size = max(map(len, found))
                yield remain[:size]
                remain = remain[size:]
            elif remain in prefixes:
                yield from remain
                return
            else:
                yield remain[0]
                remain = remain[1:]

    def to_normal(self, pinyin: str) -> str:
        """``to_normal(pinyin, v_to_u=True)``: *pinyin* without tone marks or numbers.

        >>> tables().to_normal('rǔxiànái'), tables().to_normal('m̀'), tables().to_normal('lǜ')
        ('ruxianai', 'm', 'lü')
        """
        units = self.normal_units
        out: list[str] = []
        i, n = 0, len(pinyin)
        while i < n:
            pair = pinyin[i : i + 2]
            if len(pair) == 2 and pair in units:
                out.append(units[pair])
                i += 2
                continue
            mapped = units.get(pinyin[i])
            if mapped is None:
                from pypinyin.contrib.tone_convert import to_normal

                return str(to_normal(pinyin, v_to_u=True))
            out.append(mapped)
            i += 1
        return "".join(out)

    def to_tone3(self, pinyin: str) -> str:
        """``to_tone3(pinyin, neutral_tone_with_five=True)``: the tone as a number after the syllable."""
        found = self.tone3.get(pinyin)
        if found is None:
            from pypinyin.contrib.tone_convert import to_tone3

            return str(to_tone3(pinyin, neutral_tone_with_five=True))
        return found

    def to_tone(self, numbered: str) -> str:
        """``to_tone(numbered)``: the tone number as a mark on the syllable."""
        found = self.tone.get(numbered)
        if found is None:
            from pypinyin.contrib.tone_convert import to_tone

            return str(to_tone(numbered))
        return found


def _runs_pattern(hans: str) -> re.Pattern[str]:
    """simple_seg's runs from pypinyin's ``RE_HANS`` (``^(?:[CLASS])+$``, one character at a time)."""
    head, tail = "^(?:[", "])+$"
    if not (hans.startswith(head) and hans.endswith(tail)):
        raise ValueError(f"pypinyin's RE_HANS has an unexpected form: {hans[:20]}")
    body = hans[len(head) : -len(tail)]
    return re.compile(f"([{body}]+)|([^{body}]+)")


def _sources() -> list[Path]:
    """pypinyin's files that identify its version and tables, found without importing it."""
    import importlib.util

    from .errors import DeckgenError

    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        raise DeckgenError("pypinyin is missing: install pypinyin==0.55.0")
    package = Path(spec.origin).parent
    return [package / name for name in _SOURCES]


def _fingerprint() -> dict[str, str]:
    """pypinyin's files by path, size and mtime (an upgrade rewrites them), as for the jieba index;
    and the environment switches that change pypinyin's tables."""
    fingerprint = {"format": str(_FORMAT), "byteorder": sys.byteorder}
    for path in _sources():
        stat = path.stat()
        fingerprint[f"{path.name}_path"] = str(path.resolve())
        fingerprint[f"{path.name}_size"] = str(stat.st_size)
        fingerprint[f"{path.name}_mtime_ns"] = str(stat.st_mtime_ns)
    fingerprint["PYPINYIN_NO_PHRASES"] = "1" if os.environ.get("PYPINYIN_NO_PHRASES") else ""
    return fingerprint


def _normal_alphabet(pinyin_dict: dict[int, str]) -> set[str]:
    """Every letter pypinyin's readings use (lower and upper case), ASCII and the combining tone marks."""
    letters = set("".join(pinyin_dict.values())) | set(_PLAIN) | {"ü", "ê"}
    return letters | {letter.upper() for letter in letters if len(letter.upper()) == 1}


def _toneless_spellings(syllables: set[str]) -> set[str]:
    """Every toneless syllable a reading may come in: pypinyin's, every initial with every final
    (CC-CEDICT has rarer ones, bia1), the interjections, with v for ü, capitalised (Wang2)."""
    from pypinyin.style._constants import _FINALS, _INITIALS_NOT_STRICT

    bare = set(syllables) | {i + f for i in ["", *_INITIALS_NOT_STRICT] for f in _FINALS}
    bare |= {"r", "m", "n", "ng", "hm", "hng", "ê", "yo", "lo", "io"}
    bare |= {b.replace("ü", "v") for b in bare}
    return bare | {b.capitalize() for b in bare}


def _from_pypinyin() -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """Ask pypinyin once for everything the tables hold."""
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS
    from pypinyin.contrib.tone_convert import to_normal, to_tone, to_tone3
    from pypinyin.style._utils import PHONETIC_SYMBOL_DICT_KEY_LENGTH_NOT_ONE  # type: ignore[attr-defined]

    chars = {chr(code): readings for code, readings in PINYIN_DICT.items()}
    phrases = {
        word: " ".join(",".join(alternatives) for alternatives in readings) for word, readings in PHRASES_DICT.items()
    }
    units = {unit: str(to_normal(unit, v_to_u=True)) for unit in _normal_alphabet(PINYIN_DICT)}
    units.update({unit: str(to_normal(unit, v_to_u=True)) for unit in PHONETIC_SYMBOL_DICT_KEY_LENGTH_NOT_ONE})
    marked = set(",".join(PINYIN_DICT.values()).split(","))
    marked |= {s for readings in PHRASES_DICT.values() for alternatives in readings for s in alternatives}
    marked.discard("")
    in_chars = set(",".join(PINYIN_DICT.values()).split(","))
    syllables = {str(to_normal(reading, v_to_u=True)) for reading in in_chars if reading}
    toneless = _toneless_spellings(syllables | {str(to_normal(reading, v_to_u=True)) for reading in marked})
    numbered = {f"{bare}{tone}" for bare in toneless for tone in (1, 2, 3, 4)}
    tone = {n: str(to_tone(n)) for n in numbered}
    spellings = marked | {m.lower() for m in marked} | toneless | set(tone.values())
    tone3 = {s: str(to_tone3(s, neutral_tone_with_five=True)) for s in spellings}
    convert: dict[str, Any] = {
        "syllables": sorted(syllables),
        "normal_units": units,
        "tone3": tone3,
        "tone": tone,
        "hans": RE_HANS.pattern,
    }
    return chars, phrases, convert


def _prefixes(phrases: dict[str, str]) -> set[str]:
    """mmseg's ``PrefixSet``: every prefix of every phrase."""
    return {word[:end] for word in phrases for end in range(1, len(word) + 1)}


def _write(
    folder: Path, chars: dict[str, str], phrases: dict[str, str], convert: dict[str, Any], meta: dict[str, object]
) -> None:
    """Write the tables to a temporary folder, then rename it into place (:func:`deckgen.folders.new_cache`)."""
    import marisa_trie

    from .folders import new_cache, save_trie

    with new_cache(folder, meta) as temp:
        save_trie(marisa_trie.BytesTrie((k, v.encode()) for k, v in chars.items()), temp / _CHARS)
        save_trie(marisa_trie.BytesTrie((k, v.encode()) for k, v in phrases.items()), temp / _PHRASES)
        save_trie(marisa_trie.Trie(_prefixes(phrases)), temp / _PREFIXES)
        (temp / _CONVERT).write_bytes(marshal.dumps(convert))


def _open(folder: Path, fingerprint: dict[str, str]) -> PinyinTables | None:
    """The cached tables in *folder*, or None if they are missing, stale or damaged."""
    import marisa_trie

    from .folders import cache_meta

    try:
        meta = cache_meta(folder, fingerprint)
        if meta is None:
            return None
        chars, phrases, prefixes = marisa_trie.BytesTrie(), marisa_trie.BytesTrie(), marisa_trie.Trie()
        chars.mmap(str(folder / _CHARS))
        phrases.mmap(str(folder / _PHRASES))
        prefixes.mmap(str(folder / _PREFIXES))
        convert = marshal.loads((folder / _CONVERT).read_bytes())
        if len(chars) != meta["chars"] or len(phrases) != meta["phrases"]:
            return None
        return PinyinTables(
            chars,
            phrases,
            prefixes,
            frozenset(convert["syllables"]),
            convert["normal_units"],
            convert["tone3"],
            convert["tone"],
            _runs_pattern(convert["hans"]),
            "cache",
        )
    except (OSError, ValueError, KeyError, TypeError, EOFError, RuntimeError):
        return None


def load_tables(cache_dir: Path) -> PinyinTables:
    """pypinyin's tables from *cache_dir*, built from pypinyin first if needed (about 1 s, once)."""
    fingerprint = _fingerprint()
    from .folders import cache_folder

    folder = cache_folder(cache_dir, f"pypinyin-v{_FORMAT}", fingerprint)
    found = _open(folder, fingerprint)
    if found is not None:
        return found
    import pypinyin

    chars, phrases, convert = _from_pypinyin()
    meta = {
        "fingerprint": fingerprint,
        "pypinyin_version": pypinyin.__version__,
        "chars": len(chars),
        "phrases": len(phrases),
    }
    try:
        _write(folder, chars, phrases, convert, meta)
    except OSError:
        pass
    opened = _open(folder, fingerprint)
    if opened is not None:
        return replace(opened, origin="built")
    import marisa_trie  # the cache folder cannot be written: the same tables, in memory

    return PinyinTables(
        marisa_trie.BytesTrie((k, v.encode()) for k, v in chars.items()),
        marisa_trie.BytesTrie((k, v.encode()) for k, v in phrases.items()),
        marisa_trie.Trie(_prefixes(phrases)),
        frozenset(convert["syllables"]),
        convert["normal_units"],
        convert["tone3"],
        convert["tone"],
        _runs_pattern(convert["hans"]),
        "memory",
    )


@cache
def tables() -> PinyinTables:
    """The tables in deckgen's cache directory (see :mod:`deckgen.dictionary`), opened once."""
    from .folders import cache_dir

    return load_tables(cache_dir())
