"""Files written whole or not at all: a temporary file beside the target, synced, then renamed.

The temporary file of a save to ``DIR/NAME`` is ``DIR/.NAME.axonal-tmp-PID-RANDOM`` (the
writer's process id, 12 random hex digits). A save that is killed before it can clean
up leaves that file behind; the next save to the same target removes such orphans:
files matching exactly that pattern for that target whose writer process no longer
exists (or that are older than ``ABANDONED_AFTER_SECONDS`` whatever their writer). A
temporary file of a save still running, in this process or another, is never touched.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import threading
import time

__all__ = ["write_atomically", "temporary_name", "sweep_orphans", "ABANDONED_AFTER_SECONDS"]

#: a temporary file this old is removed even if a process with its writer's id exists
ABANDONED_AFTER_SECONDS = 24 * 3600.0

_TAG = ".axonal-tmp-"
_LIVE: set[str] = set()  # temporary files this process is writing now
_LIVE_LOCK = threading.Lock()


def temporary_name(path) -> str:
    """A fresh temporary path beside ``path``: ``.NAME.axonal-tmp-PID-RANDOM``."""
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{name}{_TAG}{os.getpid()}-{secrets.token_hex(6)}")


def write_atomically(path, blob: bytes, *, what: str = "file") -> None:
    """Write ``blob`` to a temporary file beside ``path``, sync it, then rename it onto ``path``.

    A reader sees the old file or the whole new one, never a part; a failed write leaves
    the old file as it was. Orphaned temporary files of earlier saves to ``path`` are
    removed first (see the module docstring). Errors name ``what`` and ``path``.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"cannot save {what} to {path}: directory {directory} does not exist")
    sweep_orphans(path)
    tmp = temporary_name(path)
    with _LIVE_LOCK:
        _LIVE.add(tmp)
    try:
        # O_EXCL: never reuse an existing file; mode 0o666 lets the umask decide, as open() does.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            # OSError(errno, ...) keeps the specific subclass (PermissionError, IsADirectoryError, ...).
            raise OSError(exc.errno, f"cannot save {what} to {path}: {exc.strerror or exc}") from exc
        raise
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(tmp)
    _fsync_directory(directory)


def sweep_orphans(path, *, now: float | None = None) -> list[str]:
    """Remove orphaned temporary files of saves to ``path``; return the paths removed.

    Only regular files named ``.NAME.axonal-tmp-PID-RANDOM`` for this ``NAME`` qualify
    (see the module docstring for when one counts as orphaned). Errors (a file that
    vanished, a directory that cannot be listed) are ignored: sweeping never makes a
    save fail.
    """
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    pattern = re.compile(re.escape(f".{name}{_TAG}") + r"([0-9]{1,10})-[0-9a-f]{12}")
    now = time.time() if now is None else now
    removed: list = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - info.st_mtime
            with _LIVE_LOCK:
                live_here = entry.path in _LIVE
            if live_here:
                continue
            if age < ABANDONED_AFTER_SECONDS and _process_exists(int(match.group(1))):
                continue
            os.unlink(entry.path)
            removed.append(entry.path)
        except OSError:
            continue
    return removed


def _process_exists(pid: int) -> bool:
    """Whether a process with this id runs now (on this machine's view of process ids).

    This process counts as gone for its own files that it is not writing (they are
    left over from a save that was interrupted). Where processes cannot be probed
    without side effects (Windows), every writer counts as running.
    """
    if pid == os.getpid():
        return False
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _fsync_directory(directory) -> None:
    """Make the rename durable; not every platform can open a directory (Windows cannot)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
