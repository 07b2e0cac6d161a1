"""The safetensors container of a model file: written in one canonical form, sealed by a digest of
every byte, and checked field by field before anything trusts it.

A safetensors file is::

    8 bytes     N, the header length, unsigned little-endian
    N bytes     a UTF-8 JSON object: {"__metadata__": {"axonal": "<the axonal header>"},
                                      tensor name: {"data_offsets": [begin, end], "dtype": "F32",
                                                    "shape": [...]}, ...}
    the rest    the data region; tensor bytes at [begin, end) relative to its start

**Canonical form.** Both JSON texts (the safetensors header and the axonal header, a
JSON object stored as a string inside it) are written with sorted keys, no spaces and
ASCII only; the safetensors header is padded with spaces to a multiple of 8 bytes; the
tensors lie in the data region in name order, back to back. A header whose bytes are
not exactly this serialisation of what it parses to is refused.

**Digest.** The axonal header's last field is ``"sha256"``: 64 lowercase hex digits,
the SHA-256 of the whole file computed with those 64 characters written as ``0``.
Saving writes the file with zeros there, hashes it and writes the digest into the same
place (same length, nothing moves). Loading takes the digest from the end of the axonal
header's text, rebuilds the canonical header with it zeroed and hashes prefix, header
and data, before it parses the axonal header, looks at any tensor entry or builds
anything, so any changed byte (length prefix, header, padding, digest or data) is
detected.

Every other field is then checked in plain Python: the header length against the file
size and :mod:`~axonal.io.limits`, the JSON (no duplicate keys, no NaN), each tensor's
dtype, shape and offsets, and that the tensors tile the data region exactly. Any
problem raises :class:`ModelFileError` naming the file; nothing in the file is ever
executed, imported or unpickled. Paths that are not regular files (FIFOs, devices,
directories) are refused without blocking.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat

from ..names import printable
from .limits import (MAX_ELEMENTS, MAX_FILE_BYTES, MAX_HEADER_BYTES, MAX_NDIM, MAX_TENSOR_NAME_CHARS,
                     MAX_TENSORS)

__all__ = ["ModelFileError", "FORMAT", "FORMAT_VERSION", "HEADER_KEY", "DTYPES", "fail", "parse_json", "check_tensors",
           "dumps", "seal", "read_container"]

FORMAT = "axonal.model"
#: 2: the digest covers the whole file and both headers are canonical. 1: tensors only.
FORMAT_VERSION = 2
#: the single ``__metadata__`` key holding the axonal header
HEADER_KEY = "axonal"
#: the ``format`` of a Hopfield memory written by ``Hopfield.save`` (version 1)
HOPFIELD_V1_FORMAT = "axonal.hopfield"
#: safetensors dtype names the model format uses, with their item size in bytes.
DTYPES = {"F32": 4, "F64": 8}
_V1_DTYPES = {**DTYPES, "I64": 8}  # a version-1 Hopfield file stores its Hebbian sum as int64
_ZERO_DIGEST = "0" * 64
#: where the digest sits: the axonal header's last field (every other field sorts before "sha256")
_DIGEST_TAIL = re.compile(r',"sha256":"([0-9a-f]{64})"\}\Z')
_CHUNK = 1 << 20


class ModelFileError(ValueError):
    """A file that is not a valid axonal model file (truncated, corrupted, hostile or foreign).

    The message is one line: the path, then what was wrong.
    """


def fail(path, what: str, detail: str) -> ModelFileError:
    """``ModelFileError("PATH: WHAT (DETAIL)")``, escaped for a terminal, to be raised by the caller."""
    return ModelFileError(printable(f"{os.fsdecode(path)}: {what} ({detail})", limit=None))


# -- JSON -----------------------------------------------------------------------------------------------
class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _DuplicateKey(f"key {dup!r:.60} appears twice")
    return result


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


def dumps(value) -> str:
    """Canonical JSON: sorted keys, fixed separators, ASCII only; the same value gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _header_bytes(outer: dict) -> bytes:
    text = dumps(outer).encode("ascii")
    return text + b" " * (-len(text) % 8)


# -- writing ---------------------------------------------------------------------------------------------
def seal(inner: dict, entries: dict, data: bytes) -> bytes:
    """The canonical file for the axonal header ``inner``, tensor ``entries`` and ``data``, digest stamped in.

    ``entries`` maps tensor names to ``{"dtype", "shape", "data_offsets"}``; ``inner``'s
    ``"sha256"`` is set here (any value it holds is replaced).
    """
    def header_with(digest: str) -> bytes:
        return _header_bytes({**entries, "__metadata__": {HEADER_KEY: dumps({**inner, "sha256": digest})}})

    zeroed = header_with(_ZERO_DIGEST)
    prefix = len(zeroed).to_bytes(8, "little")
    digest = hashlib.sha256(prefix)
    digest.update(zeroed)
    digest.update(data)
    final = header_with(digest.hexdigest())
    return prefix + final + data


# -- reading ---------------------------------------------------------------------------------------------
def _open_regular(path):
    """A binary file object and the size of ``path``, refusing anything but a regular file without blocking."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = ("a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode)
                    else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                    else "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
            raise fail(path, "not an axonal model file", f"the path is {kind}, not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise fail(path, "not an axonal model file", f"{info.st_size} bytes exceeds MAX_FILE_BYTES = "
                                                         f"{MAX_FILE_BYTES}")
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def read_container(path, *, with_data: bool = True, legacy: bool = False):
    """Read, verify and check the container of ``path``.

    The digest is verified before any tensor entry is looked at. ``legacy=True`` reads
    a version-1 file instead (no canonical form, no whole-file digest; the caller
    checks the version-1 tensor digest); it refuses a current one.

    Returns
    -------
    header : dict
        The parsed axonal header.
    tensors : dict
        ``{name: {"dtype": str, "shape": tuple, "data_offsets": (begin, end)}}``.
    data : memoryview or None
        The data region (``None`` unless ``with_data``).
    """
    not_ours = "not an axonal model file"
    f, size = _open_regular(path)
    with f:
        if size < 8:
            raise fail(path, not_ours, f"{size} bytes is too short for a safetensors header")
        prefix = f.read(8)
        n = int.from_bytes(prefix, "little")
        if n > size - 8:
            raise fail(path, not_ours, f"header length {n} exceeds file size {size}")
        if n > MAX_HEADER_BYTES:
            raise fail(path, not_ours, f"header length {n} exceeds the limit of {MAX_HEADER_BYTES} bytes "
                                       f"(MAX_HEADER_BYTES)")
        if n < 2:
            raise fail(path, not_ours, f"header length {n} is too short for a JSON object")
        raw = f.read(n)
        if len(raw) != n:
            raise fail(path, not_ours, "the file changed while it was read")
        outer, text = _parse_outer(path, raw)
        tail = _DIGEST_TAIL.search(text)
        if tail is None or legacy:  # no digest where format 2 puts it: an old, foreign or broken file
            _gate(path, _parse_inner(path, text, strict=True), legacy)
            if not legacy:
                raise fail(path, "corrupt model file", "the header does not end in its sha256 field")
        data = None
        if with_data:
            data = memoryview(f.read(size - 8 - n + 1))
            if len(data) != size - 8 - n:
                raise fail(path, not_ours, "the file changed while it was read")
        if not legacy:
            _verify(path, prefix, raw, outer, text, tail, data if with_data else f, size - 8 - n)
    # Duplicate keys need no hook here: a text with them is not the canonical form of what it parses to.
    header = _parse_inner(path, text, strict=legacy)
    _gate(path, header, legacy)
    if not legacy and not _is_canonical(header, text):
        raise fail(path, "corrupt model file", "the header is not in canonical form; it was written by hand")
    outer.pop("__metadata__")
    if len(outer) > MAX_TENSORS:
        raise fail(path, "corrupt model file", f"{len(outer)} tensors exceed MAX_TENSORS = {MAX_TENSORS}")
    dtypes = _V1_DTYPES if legacy else DTYPES
    tensors = {name: _check_entry(path, name, entry, dtypes) for name, entry in outer.items()}
    elements = sum(math.prod(t["shape"]) for t in tensors.values())
    if elements > MAX_ELEMENTS:
        raise fail(path, "corrupt model file", f"the tensors hold {elements} numbers; MAX_ELEMENTS = {MAX_ELEMENTS}")
    _check_tiling(path, tensors, size - 8 - n)
    return header, tensors, data


def _parse_outer(path, raw: bytes):
    """``(safetensors header, the axonal header's text)``."""
    not_ours = "not an axonal model file"
    try:
        outer = parse_json(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise fail(path, not_ours, f"header is not UTF-8 text: byte {exc.start}") from None
    except ValueError as exc:
        raise fail(path, not_ours, f"header: {exc}") from None
    if not isinstance(outer, dict):
        raise fail(path, not_ours, f"header is a JSON {type(outer).__name__}, not an object")
    metadata = outer.get("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise fail(path, not_ours, "__metadata__ must map names to strings")
    if HEADER_KEY not in metadata:
        raise fail(path, not_ours, f"a safetensors file without the {HEADER_KEY!r} header")
    if set(metadata) != {HEADER_KEY}:
        extra = sorted(set(metadata) - {HEADER_KEY})
        raise fail(path, "corrupt model file", f"unexpected metadata keys {extra!r:.80}")
    return outer, metadata[HEADER_KEY]


def _parse_inner(path, text: str, *, strict: bool) -> dict:
    try:
        header = parse_json(text) if strict else json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise fail(path, "corrupt model file", f"{HEADER_KEY} header: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise fail(path, "corrupt model file", f"{HEADER_KEY} header: invalid JSON: {exc.msg} at position "
                                               f"{exc.pos}") from None
    except ValueError as exc:
        raise fail(path, "corrupt model file", f"{HEADER_KEY} header: {exc}") from None
    if not isinstance(header, dict) or header.get("format") not in (FORMAT, HOPFIELD_V1_FORMAT):
        raise fail(path, "not an axonal model file", f"the header does not name the format {FORMAT!r}")
    return header


def _gate(path, header: dict, legacy: bool) -> None:
    """The format version: current, or version 1 (only with ``legacy``)."""
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(path, "corrupt model file", f"format_version {version!r:.40} is not a positive integer")
    if header["format"] == HOPFIELD_V1_FORMAT and version != 1:
        raise fail(path, "unsupported model file", f"{HOPFIELD_V1_FORMAT} format version {version}")
    if version > FORMAT_VERSION:
        from .._version import __version__
        raise fail(path, "unsupported model file", f"format version {version}; this axonal ({__version__}) "
                                                   f"reads up to version {FORMAT_VERSION}")
    if version == 1 and not legacy:
        raise fail(path, "old model file", "format version 1, whose checksum covers the tensors only; "
                                           "convert it once with axonal.io.upgrade(old_path, new_path), "
                                           "which trusts its header")
    if version != 1 and legacy:
        raise fail(path, "not a version-1 model file", f"format version {version} needs no upgrade")


def _verify(path, prefix: bytes, raw: bytes, outer: dict, text: str, tail, data, data_size: int) -> None:
    """Canonical safetensors header and the whole-file digest, before the axonal header is parsed.

    ``tail`` is the match of the digest at the end of the axonal header's ``text``;
    ``data`` is the data region, or the file positioned at it.
    """
    if _header_bytes(outer) != raw:
        raise fail(path, "corrupt model file", "the header is not in canonical form; the file was edited "
                                               "or damaged")
    zeroed = _header_bytes({**outer, "__metadata__": {HEADER_KEY: text[:tail.start(1)] + _ZERO_DIGEST
                                                                   + text[tail.end(1):]}})
    digest = hashlib.sha256(prefix)
    digest.update(zeroed)
    if isinstance(data, memoryview):
        digest.update(data)
    else:
        remaining = data_size
        while remaining:
            chunk = data.read(min(_CHUNK, remaining))
            if not chunk:
                raise fail(path, "not an axonal model file", "the file changed while it was read")
            digest.update(chunk)
            remaining -= len(chunk)
    if digest.hexdigest() != tail.group(1):
        raise fail(path, "corrupt model file", "the file does not match its sha256 checksum; a byte was changed")


def _is_canonical(header: dict, text: str) -> bool:
    try:
        return dumps(header) == text
    except ValueError:  # a number JSON cannot write back (1e400 parses to inf)
        return False


def _check_entry(path, name, entry, dtypes) -> dict:
    where = f"tensor {name!r:.80}"
    bad = "corrupt model file"
    if len(name) > MAX_TENSOR_NAME_CHARS:
        raise fail(path, bad, f"{where}: the name has {len(name)} characters; MAX_TENSOR_NAME_CHARS = "
                              f"{MAX_TENSOR_NAME_CHARS}")
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise fail(path, bad, f"{where}: an entry needs exactly dtype, shape and data_offsets")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(dtype, str) or dtype not in dtypes:
        raise fail(path, bad, f"{where}: dtype {dtype!r:.20} is not allowed; "
                              f"expected one of {', '.join(dtypes)}")
    if not (isinstance(shape, list) and len(shape) <= MAX_NDIM and all(_is_count(d) for d in shape)):
        raise fail(path, bad, f"{where}: shape must be a list of at most {MAX_NDIM} non-negative integers, "
                              f"got {shape!r:.60}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(o) for o in offsets)
            and offsets[0] <= offsets[1]):
        raise fail(path, bad, f"{where}: data_offsets must be [begin, end] with 0 <= begin <= end, "
                              f"got {offsets!r:.60}")
    nbytes = dtypes[dtype] * math.prod(shape)  # Python ints: no overflow
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


def check_tensors(path, tensors, expected, dtype_names) -> None:
    """The file's tensors must be exactly ``expected`` (name → shape), each of a dtype in ``dtype_names``."""
    missing = _listing(set(expected) - set(tensors))
    if missing:
        raise fail(path, "corrupt model file", f"missing {missing}")
    unknown = _listing(set(tensors) - set(expected))
    if unknown:
        raise fail(path, "corrupt model file", f"unexpected {unknown}")
    for name, shape in expected.items():
        entry = tensors[name]
        if entry["shape"] != tuple(shape):
            raise fail(path, "corrupt model file", f"tensor {name} has shape {entry['shape']}; "
                                                   f"the architecture needs {tuple(shape)}")
        if entry["dtype"] not in dtype_names:
            needed = "/".join(sorted(dtype_names))
            raise fail(path, "corrupt model file", f"tensor {name} is {entry['dtype']}; "
                                                   f"the {needed} network needs {needed}")


def _listing(names) -> str:
    """``"3 tensors: 'params.a', 'state.b', ..."``: parameters first, at most five names, one line."""
    order = {"params": 0, "state": 1, "optimizer": 2}
    ranked = sorted(names, key=lambda n: (order.get(n.split(".", 1)[0], 3), n))
    if not ranked:
        return ""
    shown = ", ".join(repr(n)[:80] for n in ranked[:5]) + (", ..." if len(ranked) > 5 else "")
    return f"{len(ranked)} tensor{'s' if len(ranked) > 1 else ''}: {shown}"
