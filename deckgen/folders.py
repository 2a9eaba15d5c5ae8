"""Where deckgen keeps its files: the cache folder its precomputed indexes share, and the user data folder."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$DECKGEN_CACHE_DIR``, else the platform's user cache folder (platformdirs: ``$XDG_CACHE_HOME/deckgen``
    or ``~/.cache/deckgen`` on Linux, ``~/Library/Caches/deckgen`` on macOS, ``%LOCALAPPDATA%`` on Windows).

    CC-CEDICT's index (:mod:`deckgen.dictcache`), jieba's (:mod:`deckgen.jiebaindex`) and pypinyin's tables
    (:mod:`deckgen.pinyintables`) live side by side in it, each keyed by what it was built from.
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
