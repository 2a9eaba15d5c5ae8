"""Outputs that never destroy what they must not, and atomic writes that leave nothing behind.

A build writes its deck (or TSV, JSON, report, preview) to a temporary file
beside the target and renames it into place.  Before that, the target is
checked: an input article, the word library or a ``--known`` file named by
mistake as ``-o`` would be replaced by a deck, and a character device, FIFO
or ``/proc/self/fd/N`` is no file to rename over.  Each refusal is one
:class:`~deckgen.errors.OutputError` line naming the file.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

# What a full disk or a file-size limit looks like: the deck cannot be written, the old one stays.
_NO_ROOM = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def refuse_unsafe_target(path: Path, protected: Iterable[Path], what: str) -> None:
    """Raise :class:`OutputError` when writing *path* would destroy something it must not.

    *protected* are the files the build reads (inputs, the word library,
    ``--known`` files).  A special file (device, FIFO, socket, or a link to
    one, such as ``/proc/self/fd/1``) is refused too.
    """
    path = Path(path)
    if _is_special(path):
        raise OutputError(f"{path}: is not a regular file; refusing to write the {what} there")
    for other in protected:
        if _same_file(path, Path(other)):
            raise OutputError(f"{path}: is also an input of this build ({other}); refusing to write the {what} over it")


def _is_special(path: Path) -> bool:
    try:
        link = os.readlink(path) if os.path.islink(path) else ""
        target = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    if any(_in_system_tree(name) for name in (link, target)):
        return True  # /proc/self/fd/1, /dev/stdout: whatever they point at today
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # does not exist yet (or a dangling link): a new file is made beside it
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _in_system_tree(name: str) -> bool:
    return name.startswith(("/proc/", "/dev/")) and not name.startswith("/dev/shm/")


def _same_file(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        try:
            return os.path.realpath(path) == os.path.realpath(other)
        except (OSError, ValueError):
            return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temporaries(path: Path) -> None:
    """Remove the temporary files a killed build left beside *path* (their process is gone)."""
    prefix = f".{path.name}."
    try:
        names = [name for name in os.listdir(path.parent or ".") if name.startswith(prefix) and ".part" in name]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) :].split(".", 1)[0]
        if (not _alive(int(pid))) if pid.isdigit() else _older_than_a_day(path.parent / name):
            try:
                (path.parent / name).unlink()
            except OSError:
                pass


def _older_than_a_day(path: Path) -> bool:
    """A temporary file named before deckgen put the pid in the name: stale once a day old."""
    try:
        return time.time() - path.stat().st_mtime > 86_400
    except OSError:
        return False


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_target(path: Path, what: str) -> Iterator[Path]:
    """A temporary file beside *path*, renamed over it only if the block succeeds.

    An interrupted or failed write (a full disk, a file-size limit, SIGTERM)
    never leaves a half-written *path* and never destroys the previous one;
    the temporary file is always removed, and those of a killed earlier run
    are removed first.  The file gets the mode the umask gives new files,
    is flushed to disk before the rename, and the folder after it.  OS and
    SQLite errors become one-line :class:`OutputError` messages naming the file.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder, not a {what} file")
    if _is_special(path):
        raise OutputError(f"{path}: is not a regular file; refusing to write the {what} there")
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        os.chmod(tmp, 0o666 & ~_umask())
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
        tmp = None
        try:
            _fsync(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            pass  # some file systems cannot sync a folder; the rename is done
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the {what} ({_reason(exc)})") from None
    except sqlite3.Error as exc:
        raise OutputError(f"{path}: cannot write the {what} ({_sqlite_reason(exc)})") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in _NO_ROOM:
        return f"{reason}; the previous file, if any, is unchanged"
    return reason


def _sqlite_reason(exc: sqlite3.Error) -> str:
    reason = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    if "full" in reason or "too large" in reason or "disk I/O" in reason:
        return f"{reason}; the previous file, if any, is unchanged"
    return reason
