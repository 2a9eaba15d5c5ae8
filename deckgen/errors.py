"""The library's own exceptions. The CLI turns each into one line on stderr."""

from __future__ import annotations


class DeckgenError(Exception):
    """Base class of every error deckgen reports to a user (never a traceback)."""

    exit_code = 1


class InputError(DeckgenError):
    """An input file cannot be read: missing, binary, undecodable, empty."""

    exit_code = 2


class NoAnnotationsError(InputError):
    """An input file was read but holds no pinyin annotation in any supported style."""


class OutputError(DeckgenError):
    """The deck (or another output) cannot be written."""

    exit_code = 3
