"""One file per model: weights, architecture and training state, safe to open.

A model file is a `safetensors <https://github.com/huggingface/safetensors>`_ file.
Its tensors are named by what they hold::

    params.layers.0.weight           a trainable parameter, by its dotted name
    state.layers.3.running_mean      a non-trainable state array (running statistics)
    optimizer.m.layers.0.weight      an optimizer's state slot ``m`` for that parameter

and its ``__metadata__`` has one key, ``"axonal"``, whose value is a JSON object
(sorted keys, no spaces, so saving the same model twice gives the same bytes)::

    format           "axonal.model"
    format_version   1
    axonal_version   the version of axonal that wrote the file
    architecture     Sequential.get_config(): layers by registered class name
    loss             the training loss's config, or null
    optimizer        {"name", "config", "iterations", "slots"}, or null
    schedule         {"config", "state"}, or null
    classes          the class labels of a classifier, or null
    metadata         free JSON data given by the user ({} if none)

Loading never unpickles, evaluates or imports anything named in the file: the
container is checked field by field (:mod:`axonal.io.container`), layers,
losses and optimizers are looked up in closed registries, and every expected
tensor must be present with the right dtype and shape. Any problem raises
:class:`ModelFileError`.

>>> import os, tempfile
>>> import numpy as np
>>> from axonal import Sequential, Dense
>>> from axonal.io import save, load
>>> net = Sequential([Dense(3, "tanh", input_dim=2), Dense(1)], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "tiny.axonal")
>>> save(net, path, metadata={"task": "demo"})
>>> again = load(path)
>>> x = np.ones((4, 2), dtype=np.float32)
>>> bool(np.array_equal(again.predict(x), net.predict(x))), again.metadata_
(True, {'task': 'demo'})
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings

import numpy as np
import safetensors
import safetensors.numpy

from .. import losses as _losses
from .. import optimizers as _optimizers
from .. import schedules as _schedules
from ..network import Sequential
from .._files import write_atomically
from .container import MAX_HEADER_BYTES, ModelFileError, fail, parse_json, read_container

__all__ = ["save", "load", "read_header", "ModelFileError", "FORMAT", "FORMAT_VERSION"]

FORMAT = "axonal.model"
FORMAT_VERSION = 1
#: the single ``__metadata__`` key holding the JSON header
HEADER_KEY = "axonal"
_HEADER_FIELDS = {"format", "format_version", "axonal_version", "architecture", "loss", "optimizer",
                  "schedule", "classes", "metadata", "tensors_sha256"}
_DTYPE_NAMES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}


class _FromNetwork:
    """The default of ``save``'s options: take the value from the network's attribute."""

    def __repr__(self):
        return "<the network's>"


_FROM_NETWORK = _FromNetwork()


# -- saving ------------------------------------------------------------------------------------
def save(network, path, *, optimizer=_FROM_NETWORK, schedule=_FROM_NETWORK, metadata=_FROM_NETWORK) -> None:
    """Write ``network`` (and optionally its training state) to ``path``, atomically.

    Parameters
    ----------
    network : Sequential
        A built network.
    path : str or path-like
        The file to write. It is replaced only once the new file is complete on
        disk; if saving fails, a previous file at ``path`` is left untouched.
    optimizer : Optimizer or None, optional
        Saved with its state (moments, step count). Default: ``network.optimizer_``
        if set. ``None`` saves no optimizer.
    schedule : schedule or None, optional
        A learning-rate schedule (``get_config()``, ``state_dict()``). Default:
        ``network.schedule_`` if set.
    metadata : dict, optional
        Free JSON data (str keys; str, int, float, bool, None, lists and dicts).
        Default: ``network.metadata_`` if set.

    Raises
    ------
    ValueError
        The network is not built, or something to save cannot be written as JSON.
    OSError
        The file could not be written; the message names ``path``.
    """
    if optimizer is _FROM_NETWORK:
        optimizer = getattr(network, "optimizer_", None)
    if schedule is _FROM_NETWORK:
        schedule = getattr(network, "schedule_", None)
        if schedule is not None and not _storable(schedule):
            warnings.warn(f"save: the schedule {schedule!r:.60} (a Python function) cannot be stored; "
                          f"the model is saved without it", stacklevel=2)
            schedule = None
    if metadata is _FROM_NETWORK:
        metadata = getattr(network, "metadata_", None)
    blob = to_bytes(network, optimizer=optimizer, schedule=schedule, metadata=metadata)
    _write_atomically(path, blob)


def to_bytes(network, *, optimizer=None, schedule=None, metadata=None) -> bytes:
    """The bytes :func:`save` writes (nothing is written)."""
    if not isinstance(network, Sequential):
        raise TypeError(f"save: expected a Sequential network, got {type(network).__name__}")
    if not network.built:
        raise ValueError("save: the network is not built yet; give input_dim, or call fit or predict first")
    dtype = network.dtype
    tensors = {f"params.{k}": v for k, v in network.parameters().items()}
    tensors.update({f"state.{k}": v for k, v in network.state_arrays().items()})
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "axonal_version": _axonal_version(),
        "architecture": _jsonable(network.get_config(), "the architecture (network.get_config())"),
        "loss": None if network.loss_ is None else _jsonable(network.loss_.get_config(), "the loss config"),
        "optimizer": None,
        "schedule": None,
        "classes": _classes_for_json(network.classes_),
        "metadata": _user_metadata(metadata),
        "tensors_sha256": None,
    }
    if optimizer is not None:
        header["optimizer"], slot_tensors = _optimizer_entry(optimizer, network)
        tensors.update(slot_tensors)
    if schedule is not None:
        header["schedule"] = _schedule_entry(schedule)
    arrays = {name: np.ascontiguousarray(value, dtype=dtype) for name, value in tensors.items()}
    for name, array in arrays.items():
        if not np.isfinite(array).all():
            raise ValueError(f"save: {name} contains NaN or Inf; a model file holds finite numbers only")
    header["tensors_sha256"] = tensors_digest(arrays)
    blob = safetensors.numpy.save(arrays, metadata={HEADER_KEY: _dumps(header)})
    header_size = int.from_bytes(blob[:8], "little")
    if header_size > MAX_HEADER_BYTES:  # load would refuse it
        raise ValueError(f"save: the file header would be {header_size} bytes; the limit is {MAX_HEADER_BYTES} "
                         f"(is the metadata very large?)")
    return blob


def _optimizer_entry(optimizer, network):
    if not isinstance(optimizer, _optimizers.Optimizer):
        raise TypeError(f"save: optimizer must be an axonal Optimizer, got {type(optimizer).__name__}")
    state = optimizer.state_dict()
    layout = {name: tuple(shape) for name, shape in network.params_.layout()}
    tensors = {}
    for slot, by_name in state["slots"].items():
        shapes = {name: tuple(np.shape(value)) for name, value in by_name.items()}
        if shapes != layout:
            raise ValueError(f"save: the {optimizer.name} optimizer's state belongs to a network with other "
                             f"parameters; pass the optimizer that trained this network, or optimizer=None")
        tensors.update({f"optimizer.{slot}.{name}": value for name, value in by_name.items()})
    entry = {"name": optimizer.name, "config": _jsonable(optimizer.get_config(), "the optimizer config"),
             "iterations": int(state["iterations"]), "slots": sorted(state["slots"])}
    return entry, tensors


def tensors_digest(arrays: dict) -> str:
    """SHA-256 over every tensor's name, dtype, shape and little-endian bytes, in name order.

    Stored in the header and recomputed on load, so a flipped byte anywhere in the
    data is caught.
    """
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes())
    return digest.hexdigest()


def _storable(schedule) -> bool:
    try:
        _schedules.get(schedule.get_config(), None)
    except (ValueError, TypeError, KeyError):
        return False
    return True


def _schedule_entry(schedule) -> dict:
    config = _jsonable(schedule.get_config(), "the schedule config")
    try:  # what load will do: a schedule that cannot be rebuilt must not be written
        _schedules.get(config, None)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"save: the schedule {schedule!r:.80} cannot be stored in a model file ({exc}); "
                         f"pass schedule=None to save without it") from None
    state = _jsonable(schedule.state_dict(), "the schedule state")
    if not isinstance(state, dict):
        raise ValueError(f"save: the schedule's state_dict() must be a dict, got {type(state).__name__}")
    return {"config": config, "state": state}


def _write_atomically(path, blob: bytes) -> None:
    write_atomically(path, blob, what="model")


# -- loading -----------------------------------------------------------------------------------
def read_header(path) -> dict:
    """The JSON header of a model file plus a tensor summary, without building the network.

    Returns the header's fields (see the module docstring) and ``"tensors"``:
    ``{name: {"dtype": "F32", "shape": [...]}}``. Raises :class:`ModelFileError`
    for a file that is not a valid model file.
    """
    metadata, tensors, _ = read_container(path, with_data=False)
    header = _parse_header(path, metadata)
    header["tensors"] = {name: {"dtype": t["dtype"], "shape": list(t["shape"])}
                         for name, t in sorted(tensors.items())}
    return header


def _network_from_config(config):
    """A ``Sequential``, or a ``GraphNetwork`` when the architecture holds a graph."""
    if isinstance(config, dict) and "graph_network" in config:
        from ..graph import GraphNetwork
        return GraphNetwork.from_config(config, build=False)
    return Sequential.from_config(config, build=False)


def load(path) -> Sequential:
    """Rebuild the network saved in ``path``.

    The network has its weights and state exactly as saved, and these attributes:
    ``classes_``, ``loss_`` (or ``None``), ``optimizer_`` (restored with its state,
    or ``None``), ``schedule_`` (or ``None``) and ``metadata_`` (a dict).

    Raises
    ------
    ModelFileError
        The file is truncated, corrupted, hostile, or not an axonal model file.
    OSError
        The file cannot be read.
    """
    metadata, tensors, blob = read_container(path, with_data=True)
    header = _parse_header(path, metadata)
    network = _rebuild(path, "architecture",
                       lambda: _network_from_config(header["architecture"]))
    if network.input_dim is None:
        raise fail(path, "invalid architecture", "the network has no input_dim")
    dtype_name = _DTYPE_NAMES[network.dtype]
    # Compare the file with the network's plan before allocating anything, so a hostile
    # header cannot make the loader build a huge network.
    specs, _ = _rebuild(path, "architecture", lambda: network.plan(network.declared_input_shape()))
    expected = {("state." if spec.decay is None else "params.") + spec.name: spec.shape for spec in specs}
    optimizer = None
    if header["optimizer"] is not None:
        optimizer, slots = _rebuild_optimizer(path, header["optimizer"])
        expected.update({f"optimizer.{slot}.{spec.name}": spec.shape for slot in slots
                         for spec in specs if spec.decay is not None})
    _check_tensors(path, tensors, expected, dtype_name)
    _rebuild(path, "architecture", lambda: network.build_network(network.declared_input_shape()))

    try:
        arrays = safetensors.numpy.load(blob)
    except Exception as exc:  # safetensors' own checks; ours should have caught everything first
        raise fail(path, "corrupt model file", f"safetensors: {str(exc).splitlines()[0]:.200}") from None
    if tensors_digest(arrays) != header["tensors_sha256"]:
        raise fail(path, "corrupt model file", "the tensor data do not match the header's checksum")
    for name, array in arrays.items():
        if not np.isfinite(array).all():
            raise fail(path, "corrupt model file", f"{name} contains NaN or Inf")
    # "params.layers.0.weight" -> "layers.0.weight"; the names were checked against the network above.
    network.set_weights({name.split(".", 1)[1]: array for name, array in arrays.items()
                         if not name.startswith("optimizer.")})
    if optimizer is not None:
        entry = header["optimizer"]
        if entry["slots"] or entry["iterations"]:  # a never-stepped optimizer stays fresh
            state = {"iterations": entry["iterations"],
                     "slots": {slot: {k: arrays[f"optimizer.{slot}.{k}"] for k in network.params_.names()}
                               for slot in entry["slots"]}}
            _rebuild(path, "optimizer state", lambda: optimizer.load_state_dict(state, network.params_))

    if header["loss"] is not None:
        network.loss_ = _rebuild(path, "loss", lambda: _losses.get(header["loss"]))
    network.classes_ = header["classes"]
    network.optimizer_ = optimizer
    network.schedule_ = None
    if header["schedule"] is not None:
        network.schedule_ = _rebuild_schedule(path, header["schedule"])
    network.metadata_ = header["metadata"]
    return network


def _parse_header(path, metadata: dict) -> dict:
    if HEADER_KEY not in metadata:
        raise fail(path, "not an axonal model file", f"a safetensors file without the {HEADER_KEY!r} header")
    if set(metadata) != {HEADER_KEY}:
        extra = sorted(set(metadata) - {HEADER_KEY})
        raise fail(path, "corrupt model file", f"unexpected metadata keys {extra!r:.80}")
    try:
        header = parse_json(metadata[HEADER_KEY])
    except ValueError as exc:
        raise fail(path, "corrupt model file", f"{HEADER_KEY} header: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise fail(path, "not an axonal model file", f"the header does not name the format {FORMAT!r}")
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(path, "corrupt model file", f"format_version {version!r:.40} is not a positive integer")
    if version > FORMAT_VERSION:
        raise fail(path, "unsupported model file", f"format version {version}; this axonal "
                                                   f"({_axonal_version()}) reads up to version {FORMAT_VERSION}")
    if set(header) != _HEADER_FIELDS:
        missing, extra = sorted(_HEADER_FIELDS - set(header)), sorted(set(header) - _HEADER_FIELDS)
        raise fail(path, "corrupt model file", f"header fields missing {missing or 'none'}, "
                                               f"unexpected {extra or 'none'}"[:200])
    checks = [
        ("axonal_version", isinstance(header["axonal_version"], str), "a string"),
        ("architecture", isinstance(header["architecture"], dict), "an object"),
        ("loss", header["loss"] is None or isinstance(header["loss"], dict), "an object or null"),
        ("optimizer", header["optimizer"] is None or _is_optimizer_entry(header["optimizer"]),
         "null or {name, config, iterations, slots}"),
        ("schedule", header["schedule"] is None or (isinstance(header["schedule"], dict)
                                                    and set(header["schedule"]) == {"config", "state"}
                                                    and isinstance(header["schedule"]["config"], dict)
                                                    and isinstance(header["schedule"]["state"], dict)),
         "null or {config, state}"),
        ("classes", header["classes"] is None or (isinstance(header["classes"], list)
                                                  and all(_is_label(c) for c in header["classes"])),
         "null or a list of strings and integers"),
        ("metadata", isinstance(header["metadata"], dict), "an object"),
        ("tensors_sha256", isinstance(header["tensors_sha256"], str) and len(header["tensors_sha256"]) == 64,
         "a SHA-256 hex digest"),
    ]
    for field, ok, expected in checks:
        if not ok:
            raise fail(path, "corrupt model file", f"header field {field!r} must be {expected}")
    return header


def _is_optimizer_entry(entry) -> bool:
    return (isinstance(entry, dict) and set(entry) == {"name", "config", "iterations", "slots"}
            and isinstance(entry["name"], str) and isinstance(entry["config"], dict)
            and isinstance(entry["iterations"], int) and not isinstance(entry["iterations"], bool)
            and entry["iterations"] >= 0
            and isinstance(entry["slots"], list) and all(isinstance(s, str) for s in entry["slots"])
            and len(set(entry["slots"])) == len(entry["slots"]))


def _rebuild(path, what, build):
    """Run ``build`` (a registry look-up, a constructor), turning its errors into ModelFileError."""
    try:
        return build()
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, RecursionError,
            MemoryError) as exc:
        # str(KeyError) quotes its message; take the message itself.
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str) else str(exc)
        detail = text.splitlines()[0] if text else type(exc).__name__
        raise fail(path, f"invalid {what}", f"{detail:.300}") from None


def _rebuild_optimizer(path, entry):
    optimizer = _rebuild(path, "optimizer", lambda: _optimizers.get({**entry["config"], "name": entry["name"]}))
    unknown = [s for s in entry["slots"] if s not in optimizer.slots]
    if unknown or (entry["slots"] and len(entry["slots"]) != len(optimizer.slots)):
        raise fail(path, "invalid optimizer state", f"{entry['name']} has slots {list(optimizer.slots)}; "
                                                    f"the file lists {entry['slots']!r:.80}")
    return optimizer, entry["slots"]


def _rebuild_schedule(path, entry):
    # The config holds the base rate if the schedule had one; an unbound schedule stays unbound
    # (fit binds it to the optimizer's rate).
    schedule = _rebuild(path, "schedule", lambda: _schedules.get(entry["config"], None))
    _rebuild(path, "schedule state", lambda: schedule.load_state_dict(entry["state"]))
    return schedule


def _check_tensors(path, tensors, expected, dtype_name) -> None:
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
        if entry["dtype"] != dtype_name:
            raise fail(path, "corrupt model file", f"tensor {name} is {entry['dtype']}; "
                                                   f"the {dtype_name} network needs {dtype_name}")


def _listing(names) -> str:
    """``"3 tensors: 'params.a', 'state.b', ..."``: parameters first, at most five names, one line."""
    order = {"params": 0, "state": 1, "optimizer": 2}
    ranked = sorted(names, key=lambda n: (order.get(n.split(".", 1)[0], 3), n))
    if not ranked:
        return ""
    shown = ", ".join(repr(n)[:80] for n in ranked[:5]) + (", ..." if len(ranked) > 5 else "")
    return f"{len(ranked)} tensor{'s' if len(ranked) > 1 else ''}: {shown}"


# -- JSON ----------------------------------------------------------------------------------------
def _dumps(value) -> str:
    """Canonical JSON: sorted keys, fixed separators, ASCII only; the same value gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _jsonable(value, what: str):
    """``value`` if it is plain JSON data (after turning tuples into lists), else a ValueError naming where."""
    problem = _json_problem(value, "")
    if problem:
        raise ValueError(f"save: {what} cannot be written as JSON: {problem}")
    return json.loads(_dumps(value))


def _json_problem(value, where: str) -> str | None:
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where or 'value'} is {value}, which JSON cannot hold"
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            problem = _json_problem(item, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"key {key!r:.40} in {where or 'the mapping'} is not a string"
            problem = _json_problem(item, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    return f"{where or 'value'} is a {type(value).__name__} ({value!r:.40})"


def _user_metadata(metadata) -> dict:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise TypeError(f"save: metadata must be a dict, got {type(metadata).__name__}")
    metadata = _plain(metadata)
    problem = _json_problem(metadata, "metadata")
    if problem:
        raise ValueError(f"save: metadata must be JSON data (str keys; str, int, float, bool, None, "
                         f"lists, dicts): {problem}")
    return json.loads(_dumps(metadata))


def _plain(value):
    """NumPy scalars and arrays inside metadata become Python numbers and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return value


def _classes_for_json(classes):
    if classes is None:
        return None
    labels = [c.item() if isinstance(c, np.generic) else c for c in list(classes)]
    for label in labels:
        if not _is_label(label):
            raise ValueError(f"save: class labels must be strings or integers, got {label!r:.40} "
                             f"({type(label).__name__})")
    return labels


def _is_label(value) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _axonal_version() -> str:
    from .. import __version__  # at call time: axonal/__init__ may import this module before defining it
    return __version__
