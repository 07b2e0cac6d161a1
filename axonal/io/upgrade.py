"""Converting a model file of format version 1 to the current format, explicitly and once.

Version 1 had a checksum over the tensor data only: its header (architecture,
loss, optimizer, schedule, class labels, metadata) was not covered, and a Hopfield
memory (format ``"axonal.hopfield"``) had no checksum at all. :func:`upgrade` reads
such a file with every check the version-1 loader made (the container, the tensor
checksum where there is one, closed registries, the plan) and writes the same model
as a version-2 file, whose digest covers every byte. It trusts the old header: a
header changed before the upgrade stays changed, so upgrade only files you trust.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .container import HOPFIELD_V1_FORMAT, fail, read_container
from .header import check_header
from .model_file import rebuild, save

__all__ = ["upgrade"]

_V1_NETWORK_FIELDS = {"format", "format_version", "axonal_version", "architecture", "loss", "optimizer",
                      "schedule", "classes", "metadata", "tensors_sha256"}
_V1_HOPFIELD_FIELDS = {"format", "format_version", "size", "units", "patterns_stored", "seed"}


def upgrade(source, destination) -> None:
    """Read the version-1 model file ``source`` and save it as a current file at ``destination``.

    ``destination`` may be ``source`` itself (the file is replaced atomically).

    Raises
    ------
    ModelFileError
        ``source`` is not a valid version-1 model file (a current file needs no upgrade).
    OSError
        A file cannot be read or written.
    """
    header, tensors, data = read_container(source, with_data=True, legacy=True)
    common = {"format": "axonal.model", "format_version": 2, "sha256": "0" * 64}
    if header["format"] == HOPFIELD_V1_FORMAT:
        _check_fields(source, header, _V1_HOPFIELD_FIELDS)
        current = {**common, "kind": "hopfield", "axonal_version": "?", "metadata": {},
                   "hopfield": {key: header[key] for key in ("size", "units", "patterns_stored", "seed")}}
        tensors = {_HOPFIELD_NAMES.get(name, name): entry for name, entry in tensors.items()}
        digest_check = _accept
    else:
        _check_fields(source, header, _V1_NETWORK_FIELDS)
        stored = header.pop("tensors_sha256")
        current = {**header, **common, "kind": "network"}

        def digest_check(arrays):
            if not isinstance(stored, str) or _tensors_digest(arrays) != stored:
                raise fail(source, "corrupt model file", "the tensor data do not match the header's checksum")
    kind = check_header(source, current)
    save(rebuild(source, kind, current, tensors, data, digest_check=digest_check), destination)


_HOPFIELD_NAMES = {"hebbian_sum": "hopfield.hebbian_sum", "thresholds": "hopfield.thresholds"}


def _accept(arrays) -> None:
    """A version-1 Hopfield file has no checksum to compare."""


def _check_fields(path, header: dict, fields: set) -> None:
    if set(header) != fields:
        missing, extra = sorted(fields - set(header)), sorted(set(header) - fields)
        raise fail(path, "corrupt version-1 model file", f"header fields missing {missing or 'none'}, "
                                                         f"unexpected {extra or 'none'}"[:200])


def _tensors_digest(arrays: dict) -> str:
    """The version-1 checksum: SHA-256 over each tensor's name, dtype, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
    return digest.hexdigest()
