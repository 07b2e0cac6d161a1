"""Writing a generated text file atomically (see :mod:`axonal._files`)."""

from __future__ import annotations

import os

from .._files import write_atomically

__all__ = ["write_text_atomically"]


def write_text_atomically(path, text: str) -> str:
    """Write ``text`` (UTF-8) to ``path`` so a reader sees the old file or the whole new one; return the path."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(21, f"cannot write {path}: it is a directory")
    write_atomically(path, text.encode("utf-8"), what="export")
    return path
