"""Writing a generated text file atomically: a temporary file beside it, then a rename."""

from __future__ import annotations

import os
import tempfile

__all__ = ["write_text_atomically"]


def write_text_atomically(path, text: str) -> str:
    """Write ``text`` (UTF-8) to ``path`` so a reader sees the old file or the whole new one; return the path."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(21, f"cannot write {path}: it is a directory")
    if not os.path.isdir(directory):
        raise FileNotFoundError(2, f"cannot write {path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
