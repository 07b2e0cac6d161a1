"""Files written whole or not at all: a temporary file beside the target, synced, then renamed."""

from __future__ import annotations

import errno
import os
import secrets

__all__ = ["write_atomically"]


def write_atomically(path, blob: bytes, *, what: str = "file") -> None:
    """Write ``blob`` to a temporary file beside ``path``, sync it, then rename it onto ``path``.

    A reader sees the old file or the whole new one, never a part; a failed write leaves
    the old file as it was. Errors name ``what`` and ``path``.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"cannot save {what} to {path}: directory {directory} does not exist")
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
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
    _fsync_directory(directory)


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
