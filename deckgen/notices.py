"""Warnings the library hands back to its caller, each tied to a file and line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Notice:
    """Something a user should look at: a skipped annotation, a flagged note.

    ``kind`` is a short machine-readable code (``no-hanzi``, ``repeat``,
    ``tones``, ``boundary``, ``repaired``, ``unaligned``...), ``message`` the
    human sentence.  The library never prints; the CLI shows these.
    """

    path: str
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
