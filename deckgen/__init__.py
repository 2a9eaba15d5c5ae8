"""deckgen: mine annotated Chinese articles into Anki decks.

The public API (see :mod:`deckgen.api`)::

    deck = deckgen.mine_text(text, source="a.txt")   # or deckgen.mine_files(paths)
    deckgen.write_deck(deck, "out.apkg")              # .tsv and .json too

The pipeline stages each live in their own module:
read → readers → parse → align → sentences → mine → enrich → select → render → package.
Names are imported on first use, so ``import deckgen`` (and ``deckgen --help``) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "mine_text": "api",
    "mine_files": "api",
    "write_deck": "api",
    "write_decks_per_source": "api",
    "Deck": "api",
    "WarningsError": "api",
    "Options": "build",
    "Filters": "select",
    "Text": "read",
    "Notice": "notices",
    "RenderedNote": "render",
    "FIELDS": "render",
    "DeckgenError": "errors",
    "InputError": "errors",
    "NoAnnotationsError": "errors",
    "OutputError": "errors",
}
_RENAMED = {"Options": "BuildOptions"}

__all__ = [
    "FIELDS",
    "Deck",
    "DeckgenError",
    "Filters",
    "InputError",
    "NoAnnotationsError",
    "Notice",
    "Options",
    "OutputError",
    "RenderedNote",
    "Text",
    "WarningsError",
    "__version__",
    "mine_files",
    "mine_text",
    "write_deck",
    "write_decks_per_source",
]

if TYPE_CHECKING:  # pragma: no cover
    from .api import Deck, WarningsError, mine_files, mine_text, write_deck, write_decks_per_source
    from .build import BuildOptions as Options
    from .errors import DeckgenError, InputError, NoAnnotationsError, OutputError
    from .notices import Notice
    from .read import Text
    from .render import FIELDS, RenderedNote
    from .select import Filters


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'deckgen' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), _RENAMED.get(name, name))
    globals()[name] = value
    return value
