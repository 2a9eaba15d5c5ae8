"""Where deckgen keeps its files: the cache folder its precomputed indexes share, and the user data folder."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .memo import Recent

if TYPE_CHECKING:  # pragma: no cover
    import marisa_trie


def cache_dir() -> Path:
    """``$DECKGEN_CACHE_DIR``, else the platform's user cache folder (platformdirs: ``$XDG_CACHE_HOME/deckgen``
    or ``~/.cache/deckgen`` on Linux, ``~/Library/Caches/deckgen`` on macOS, ``%LOCALAPPDATA%`` on Windows).

    CC-CEDICT's index (:mod:`deckgen.dictcache`), jieba's (:mod:`deckgen.jiebaindex`), pypinyin's tables
    (:mod:`deckgen.pinyintables`), genanki's empty collection (:mod:`deckgen.skeleton`) and the words' readings
    (:mod:`deckgen.readingtable`) live side by side in it, each keyed by what it was built from.
    """
    explicit = os.environ.get("DECKGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    from platformdirs import user_cache_path

    return user_cache_path("deckgen", appauthor=False)


def data_dir() -> Path:
    """The platform's user data folder (platformdirs: ``$XDG_DATA_HOME/deckgen`` or ``~/.local/share/deckgen`` on
    Linux), where the word library lives: user data, never deleted with caches."""
    from platformdirs import user_data_path

    return user_data_path("deckgen", appauthor=False)


@contextmanager
def new_folder(folder: Path, marker: str) -> Iterator[Path]:
    """A temporary folder beside *folder* to fill; renamed into place when the block ends well.

    A damaged *folder* in the way is set aside and removed first; a process
    that loses the race to another (which wrote *marker* inside) leaves the
    other's folder alone.  The temporary folder never outlives the block.
    """
    import shutil
    import tempfile

    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-", suffix=".tmp"))
    try:
        yield temp
        if folder.exists():  # damaged (a stale one has another name): set it aside
            damaged = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-", suffix=".old"))
            os.replace(folder, damaged / "old")
            shutil.rmtree(damaged, ignore_errors=True)
        try:
            os.rename(temp, folder)
        except OSError:
            if not (folder / marker).is_file():
                raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)


# The file that describes a cache folder (what it was built from, what it holds); written last, so a folder
# that has it is whole.
META = "meta.json"


@contextmanager
def new_cache(folder: Path, meta: dict[str, object]) -> Iterator[Path]:
    """:func:`new_folder` for a cache: the block writes its files, then *meta* is written (:data:`META`) last."""
    with new_folder(folder, META) as temp:
        yield temp
        (temp / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def cache_folder(cache_dir: Path, kind: str, fingerprint: dict[str, str]) -> Path:
    """The folder of a cache of *kind* (``jieba-v2``) built from *fingerprint*: a new one whenever that changes.

    >>> one = cache_folder(Path('c'), 'jieba-v2', {'b': '2', 'a': '1'})
    >>> one == cache_folder(Path('c'), 'jieba-v2', {'a': '1', 'b': '2'}), one.name[:9]
    (True, 'jieba-v2-')
    >>> one == cache_folder(Path('c'), 'jieba-v2', {'a': '1'}), one.name == cache_folder(Path('c'), 'v3', {}).name
    (False, False)
    """
    import hashlib

    text = "\0".join(f"{key}={fingerprint[key]}" for key in sorted(fingerprint))
    return cache_dir / f"{kind}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def cache_meta(folder: Path, fingerprint: dict[str, str]) -> dict[str, Any] | None:
    """The meta of the cache in *folder* if it was built from *fingerprint*, else None.

    A missing or unreadable meta file raises OSError or ValueError, as the
    callers' fallbacks expect of any damaged cache file.
    """
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    return meta if isinstance(meta, dict) and meta.get("fingerprint") == fingerprint else None


def mapped(path: Path, code: Literal["B", "I"] = "B") -> memoryview:
    """The file *path* memory-mapped read-only, as a memoryview of *code* items (``"B"`` bytes, ``"I"`` 32-bit).

    The mapping outlives the closed file; an empty file gives an empty view
    (``mmap`` refuses to map nothing).
    """
    import mmap
    from array import array

    with path.open("rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return memoryview(array(code))
        found = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(found).cast(code)


def trie_value(trie: Any, key: str) -> bytes | None:
    """The first value of *key* in a marisa ``BytesTrie``, or None.

    A key holding NUL is never asked: marisa answers it with another key's bytes.

    >>> import marisa_trie
    >>> trie = marisa_trie.BytesTrie([('a', b'1')])
    >>> trie_value(trie, 'a'), trie_value(trie, 'b'), trie_value(trie, '\\x00')
    (b'1', None, None)
    """
    if "\x00" in key:
        return None
    found = trie.get(key)
    return found[0] if found else None


def save_trie(trie: Any, path: Path) -> None:
    """Save a marisa-trie to *path*; a failed write (disk full, a file size limit) is an :class:`OSError`.

    marisa reports it as a RuntimeError, which the callers' fallback (tables in
    memory when the cache cannot be written) would not otherwise see.
    """
    try:
        trie.save(str(path))
    except RuntimeError as error:
        raise OSError(f"{path}: {error}") from error


_UNKNOWN = object()  # not in TextTable.recent

# A text table's files: the keys, each key's text in key order, and where each key's text begins.
_KEYS, _TEXT, _OFFSETS = "words.marisa", "lines.txt", "offsets.bin"


@dataclass(frozen=True)
class TextTable:
    """A mapping of strings to strings on disk, memory-mapped: a marisa ``Trie`` numbers the keys, and a flat
    UTF-8 file holds their texts in that order, found by number (``offsets``, 32-bit).

    A look-up is the key's number from the trie, then a slice of the text: a
    few microseconds, where a marisa ``BytesTrie``, which rebuilds a value from
    its nodes, took 7–9 µs.  CC-CEDICT's lines (:mod:`deckgen.dictcache`) and
    the words' spoken readings (:mod:`deckgen.readingtable`) are kept so.
    """

    keys: marisa_trie.Trie
    text: memoryview  # bytes
    offsets: memoryview  # 32-bit: key number n has text[offsets[n]:offsets[n + 1]]
    # The keys asked for lately: a sentence's word is asked for its reading, then whether it is a name.
    recent: Recent[str, str | None] = field(default_factory=lambda: Recent(4096), compare=False, repr=False)

    def get(self, key: str) -> str | None:
        found = self.recent.get(key, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[return-value]  # not the sentinel
        if "\x00" in key:  # marisa stops a key at NUL: 'a\x00' would find 'a'
            return None
        number = self.keys.get(key)
        text = None if number is None else str(self.text[self.offsets[number] : self.offsets[number + 1]], "utf-8")
        return self.recent.keep(key, text)

    def __len__(self) -> int:
        return len(self.keys)


def write_text_table(folder: Path, texts: dict[str, str]) -> int:
    """Write *texts* as a :class:`TextTable`'s files into *folder*; the number of keys.

    Past 4 GB of text, OverflowError: the callers keep their mapping in memory then.
    """
    from array import array

    import marisa_trie

    keys = marisa_trie.Trie(texts)
    encoded = [b""] * len(keys)
    for key, number in keys.iteritems():
        encoded[number] = texts[key].encode("utf-8")
    offsets = array("I", [0])
    for chunk in encoded:
        offsets.append(offsets[-1] + len(chunk))
    save_trie(keys, folder / _KEYS)
    (folder / _TEXT).write_bytes(b"".join(encoded))
    (folder / _OFFSETS).write_bytes(offsets.tobytes())
    return len(keys)


def cached_text_table(folder: Path, fingerprint: dict[str, str], count_key: str) -> TextTable | None:
    """The :class:`TextTable` cached in *folder* if it was built from *fingerprint* and is whole, else None.

    The cache's meta says under *count_key* how many keys the table holds; a
    missing, stale, damaged or truncated cache is None, for its owner to build again.
    """
    try:
        meta = cache_meta(folder, fingerprint)
        if meta is None:
            return None
        return open_text_table(folder, meta[count_key])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError, IndexError):
        return None


def cache_text_table(
    folder: Path, texts: Callable[[], dict[str, str]], meta: dict[str, object], count_key: str
) -> None:
    """Write the mapping *texts* makes as a :class:`TextTable` cached in *folder*, with *meta* and the count of
    its keys under *count_key*: in a temporary folder renamed into place (:func:`new_cache`).

    *texts* is called once that folder exists, so a cache folder that cannot be written costs no work.
    OSError or OverflowError when it cannot be written.
    """
    with new_cache(folder, meta) as temp:
        meta[count_key] = write_text_table(temp, texts())


def open_text_table(folder: Path, count: object) -> TextTable:
    """The :class:`TextTable` in *folder*, memory-mapped, if it holds *count* keys (its meta says how many).

    A damaged, truncated or missing file raises one of the errors a cache's
    fallback catches (OSError, ValueError, RuntimeError, IndexError).
    """
    import marisa_trie

    keys = marisa_trie.Trie()
    keys.mmap(str(folder / _KEYS))
    table = TextTable(keys, mapped(folder / _TEXT), mapped(folder / _OFFSETS, "I"))
    if not len(keys) == len(table.offsets) - 1 == count or table.offsets[-1] != len(table.text):
        raise ValueError(f"{folder}: a damaged table")
    return table
