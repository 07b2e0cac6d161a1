"""Reading the safetensors container of a model file, checked before anything trusts it.

A safetensors file is::

    8 bytes     N, the header length, unsigned little-endian
    N bytes     a UTF-8 JSON object: {"__metadata__": {str: str},
                                      tensor name: {"dtype": "F32", "shape": [...],
                                                    "data_offsets": [begin, end]}, ...}
    the rest    the data region; tensor bytes at [begin, end) relative to its start

Every field is checked here in plain Python before the bytes reach the
``safetensors`` package: the header length against the file size and a cap, the
JSON (no duplicate keys, no NaN), each tensor's dtype, shape and offsets, and
that the tensors tile the data region exactly, without gaps or overlaps. Any
problem raises :class:`ModelFileError` naming the file; nothing in the file is
ever executed, imported or unpickled.
"""

from __future__ import annotations

import json
import math
import os

__all__ = ["ModelFileError", "DTYPES", "MAX_HEADER_BYTES", "read_container", "parse_json"]

#: safetensors dtype names the model format uses, with their item size in bytes.
DTYPES = {"F32": 4, "F64": 8}
#: A header larger than this is refused before it is read (16 MiB).
MAX_HEADER_BYTES = 16 * 1024 * 1024
#: More dimensions than any layer of axonal has; refuses absurd shapes early.
MAX_NDIM = 8


class ModelFileError(ValueError):
    """A file that is not a valid axonal model file (truncated, corrupted, hostile or foreign).

    The message is one line: the path, then what was wrong.
    """


def fail(path, what: str, detail: str) -> ModelFileError:
    """``ModelFileError("PATH: WHAT (DETAIL)")``, to be raised by the caller."""
    return ModelFileError(f"{os.fspath(path)}: {what} ({detail})")


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise _DuplicateKey(f"key {dup!r:.60} appears twice")
    return dict(pairs)


def _no_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str):
    """``json.loads`` that refuses duplicate keys and NaN/Infinity; raises ``ValueError``."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} at position {exc.pos}") from None


def read_container(path, *, with_data: bool = True):
    """Read and check the container of ``path``.

    Returns
    -------
    metadata : dict of str to str
        The safetensors ``__metadata__`` (``{}`` when absent).
    tensors : dict
        ``{name: {"dtype": str, "shape": tuple, "data_offsets": (begin, end)}}``.
    blob : bytes or None
        The whole file (``None`` unless ``with_data``), ready for ``safetensors.numpy.load``.
    """
    not_ours = "not an axonal model file"
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 8:
            raise fail(path, not_ours, f"{size} bytes is too short for a safetensors header")
        prefix = f.read(8)
        n = int.from_bytes(prefix, "little")
        if n > size - 8:
            raise fail(path, not_ours, f"header length {n} exceeds file size {size}")
        if n > MAX_HEADER_BYTES:
            raise fail(path, not_ours, f"header length {n} exceeds the limit of {MAX_HEADER_BYTES} bytes")
        if n < 2:
            raise fail(path, not_ours, f"header length {n} is too short for a JSON object")
        if with_data:
            f.seek(0)
            blob = f.read()
            header_bytes = blob[8:8 + n]
        else:
            blob, header_bytes = None, f.read(n)
    if len(header_bytes) != n or (blob is not None and len(blob) != size):
        raise fail(path, not_ours, "the file changed while it was read")
    try:
        header = parse_json(header_bytes.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise fail(path, not_ours, f"header is not UTF-8 text: byte {exc.start}") from None
    except ValueError as exc:
        raise fail(path, not_ours, f"header: {exc}") from None
    if not isinstance(header, dict):
        raise fail(path, not_ours, f"header is a JSON {type(header).__name__}, not an object")

    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise fail(path, not_ours, "__metadata__ must map names to strings")
    tensors = {name: _check_entry(path, name, entry) for name, entry in header.items()}
    _check_tiling(path, tensors, size - 8 - n)
    return metadata, tensors, blob


def _check_entry(path, name, entry) -> dict:
    where = f"tensor {name!r:.80}"
    bad = "corrupt model file"
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise fail(path, bad, f"{where}: an entry needs exactly dtype, shape and data_offsets")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise fail(path, bad, f"{where}: dtype {dtype!r:.20} is not allowed; "
                              f"expected one of {', '.join(DTYPES)}")
    if not (isinstance(shape, list) and len(shape) <= MAX_NDIM and all(_is_count(d) for d in shape)):
        raise fail(path, bad, f"{where}: shape must be a list of at most {MAX_NDIM} non-negative integers, "
                              f"got {shape!r:.60}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(o) for o in offsets)
            and offsets[0] <= offsets[1]):
        raise fail(path, bad, f"{where}: data_offsets must be [begin, end] with 0 <= begin <= end, "
                              f"got {offsets!r:.60}")
    nbytes = DTYPES[dtype] * math.prod(shape)  # Python ints: no overflow
    if offsets[1] - offsets[0] != nbytes:
        raise fail(path, bad, f"{where}: data_offsets {offsets} span {offsets[1] - offsets[0]} bytes, "
                              f"but {dtype} of shape {tuple(shape)} needs {nbytes}")
    return {"dtype": dtype, "shape": tuple(shape), "data_offsets": tuple(offsets)}


def _check_tiling(path, tensors, data_size):
    """The tensors must cover ``[0, data_size)`` back to back: no gap, no overlap, nothing after."""
    position = 0
    for name, entry in sorted(tensors.items(), key=lambda item: item[1]["data_offsets"]):
        begin, end = entry["data_offsets"]
        if begin != position:
            problem = "overlaps the tensor before it" if begin < position else f"leaves a gap at byte {position}"
            raise fail(path, "corrupt model file", f"tensor {name!r:.80} at bytes {begin}..{end} {problem}")
        position = end
    if position != data_size:
        raise fail(path, "corrupt model file",
                   f"tensors cover {position} bytes but the data region holds {data_size}")


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
