"""Warnings the library hands back to its caller, each tied to a file and line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: What a notice is about.  Skipped annotations: ``repeat`` (the same reading
#: twice), ``no-hanzi``, ``alternatives``, ``unaligned``.  Kept but flagged:
#: ``tones``, ``toneless``, ``reading`` (contradicts its word), ``repaired``,
#: ``new-word``.  Left out: ``unsure``.  A whole file: ``file``.
Kind = Literal[
    "repeat", "no-hanzi", "alternatives", "unaligned", "tones", "toneless", "reading", "repaired", "new-word",
    "unsure", "file",
]  # fmt: skip


@dataclass(frozen=True, order=True)
class Notice:
    """Something a user should look at: a skipped annotation, a flagged note.

    ``kind`` is a short machine-readable code (see :data:`Kind`), ``message``
    the human sentence.  The library never prints; the CLI shows these.
    """

    path: str
    line: int
    kind: Kind
    message: str

    def __str__(self) -> str:
        """``path:line: message``; a notice about a whole file (line 0) names the file once.

        >>> print(Notice("a.txt", 3, "tones", "关键(guanjian) has no tone marks; flagged"))
        a.txt:3: 关键(guanjian) has no tone marks; flagged
        >>> print(Notice("a.txt", 0, "file", "a.txt: the file is empty"))
        a.txt: the file is empty
        >>> print(Notice("a.txt", 0, "file", "the file is empty"))
        a.txt: the file is empty
        """
        if self.line > 0:
            return f"{self.path}:{self.line}: {self.message}"
        if self.message.startswith(f"{self.path}: "):
            return self.message
        return f"{self.path}: {self.message}"
