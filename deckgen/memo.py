"""A memo table for what a build meets in order: bounded, it forgets everything at once when full.

The sentences a book's words are read from come one after another, so the
recent ones suffice: :mod:`deckgen.spoken` keeps the sentences read aloud,
:mod:`deckgen.script` the sentences converted to traditional characters.
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(dict[K, V]):
    """A dict of at most *limit* items, emptied when a new one would not fit.

    >>> memo = Recent[str, int](2)
    >>> memo.keep('a', 1), memo.keep('b', 2), memo.keep('c', 3), sorted(memo)
    (1, 2, 3, ['c'])
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: K, value: V) -> V:
        """Remember *value* under *key*, emptying the table first if it is full; *value*."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    def make_room(self, count: int) -> None:
        """Empty the table if *count* more items would not fit, so that a batch kept ahead stays whole."""
        if len(self) + count > self.limit:
            self.clear()
