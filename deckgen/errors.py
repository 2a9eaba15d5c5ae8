"""The library's own exceptions. The CLI turns each into one line on stderr."""

from __future__ import annotations

import stat
from pathlib import Path


class DeckgenError(Exception):
    """Base class of every error deckgen reports to a user (never a traceback)."""

    exit_code = 1


class InputError(DeckgenError):
    """An input file cannot be read: missing, binary, undecodable, empty."""

    exit_code = 2


class NoAnnotationsError(InputError):
    """An input file was read but holds no pinyin annotation in any supported style."""


class LibraryError(DeckgenError):
    """The library file cannot be opened, migrated or written."""

    exit_code = 4


class OutputError(DeckgenError):
    """The deck (or another output) cannot be written."""

    exit_code = 3


def path_label(path: Path) -> str:
    """The path as it starts an error message, kept on one line."""
    return str(path).replace("\n", "\\n").replace("\r", "\\r")


def os_error(path: Path, error: OSError) -> InputError:
    """The one-line InputError for an operating-system failure on *path*."""
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return InputError(f"{path_label(path)}: no such file or directory")
    if isinstance(error, PermissionError):
        return InputError(f"{path_label(path)}: permission denied")
    if isinstance(error, IsADirectoryError):
        return InputError(f"{path_label(path)}: is a directory")
    reason = (error.strerror or str(error) or type(error).__name__).replace("\n", " ")
    return InputError(f"{path_label(path)}: cannot read ({reason})")


def require_regular(path: Path) -> None:
    """Refuse a folder, FIFO, device or socket before anything opens it (a FIFO would block the open)."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise os_error(path, error) from error
    if stat.S_ISDIR(mode):
        raise InputError(f"{path_label(path)}: is a directory")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path_label(path)}: not a regular file (a device, FIFO or socket)")
