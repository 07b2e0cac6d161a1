"""One file per model: weights, architecture and training state, safe to open.

A model file is a `safetensors <https://github.com/huggingface/safetensors>`_ file.
Its tensors are named by what they hold::

    params.layers.0.weight           a trainable parameter, by its dotted name
    state.layers.3.running_mean      a non-trainable state array (running statistics)
    optimizer.m.layers.0.weight      an optimizer's state slot ``m`` for that parameter

and its ``__metadata__`` has one key, ``"axonal"``, whose value is a JSON object
(sorted keys, no spaces, so saving the same model twice gives the same bytes)::

    format           "axonal.model"
    format_version   2
    kind             "network" (or "hopfield": see :mod:`axonal.io.hopfield_file`)
    axonal_version   the version of axonal that wrote the file
    architecture     Sequential.get_config(): layers by registered class name
    loss             the training loss's config, or null
    optimizer        {"name", "config", "iterations", "slots"}, or null
    schedule         {"config", "state"}, or null
    classes          the class labels of a classifier (one per output), or null
    feature_names    the input columns' names (a table given to fit), or null; optional
    metadata         free JSON data given by the user ({} if none)
    sha256           the digest of the whole file (see :mod:`axonal.io.container`)

Loading never unpickles, evaluates or imports anything named in the file: the
whole file is verified against its digest, the container is checked field by
field (:mod:`axonal.io.container`), sizes against :mod:`axonal.io.limits`,
layers, losses and optimizers are looked up in closed registries with strict
configs, and every expected tensor must be present with the right dtype and
shape before anything is allocated. Any problem raises :class:`ModelFileError`.

Your own activations and losses (:func:`axonal.activations.register`, :func:`axonal.losses.register`)
are saved by name, never as code: ``load`` finds them only where they are registered, else a
``ModelFileError`` names the missing function and how to register it.
Files of format version 1 are converted once by :func:`axonal.io.upgrade`.

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

import warnings

import numpy as np

from .. import losses as _losses
from .. import optimizers as _optimizers
from .. import schedules as _schedules
from .._files import write_atomically
from ..class_labels import class_labels
from ..feature_names import check_feature_names
from ..hopfield import Hopfield
from ..network import Sequential
from . import hopfield_file
from .container import FORMAT, FORMAT_VERSION, ModelFileError, check_tensors, fail, read_container, seal
from .header import check_architecture_size, check_header
from .jsondata import jsonable, user_metadata
from .limits import MAX_ELEMENTS, MAX_HEADER_BYTES, MAX_TENSORS

__all__ = ["save", "load", "read_header", "to_bytes", "ModelFileError", "FORMAT", "FORMAT_VERSION"]

_DTYPE_NAMES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}
_NUMPY_DTYPES: dict[str, np.dtype] = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8")}


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
    network : Sequential or Hopfield
        A built network, or a Hopfield memory.
    path : str or path-like
        The file to write. It is replaced only once the new file is complete on
        disk; if saving fails, a previous file at ``path`` is left untouched.
        Temporary files an interrupted earlier save to ``path`` left behind are removed.
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
        The network is not built, its class labels do not fit its outputs, or
        something to save cannot be written as JSON or exceeds a limit.
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
    write_atomically(path, blob, what="Hopfield memory" if isinstance(network, Hopfield) else "model")


def to_bytes(network, *, optimizer=None, schedule=None, metadata=None, training=None) -> bytes:
    """The bytes :func:`save` writes (nothing is written).

    ``training``, ``(state, arrays)`` of a run of training, makes the file a
    checkpoint (:mod:`axonal.io.checkpoint_file`): ``state`` JSON data, ``arrays``
    numeric arrays in the network's dtype, stored as ``training.<name>`` tensors.
    """
    common = {"format": FORMAT, "format_version": FORMAT_VERSION, "axonal_version": _axonal_version(),
              "metadata": user_metadata(metadata)}
    if isinstance(network, Hopfield):
        if optimizer is not None or schedule is not None:
            raise ValueError("save: a Hopfield memory has no optimizer or schedule to save")
        header = {**common, "kind": "hopfield", "hopfield": hopfield_file.hopfield_entry(network)}
        return _pack(header, hopfield_file.hopfield_tensors(network))
    if not isinstance(network, Sequential):
        raise TypeError(f"save: expected a Sequential network or a Hopfield memory, got {type(network).__name__}")
    if not network.built:
        raise ValueError("save: the network is not built yet; give input_dim, or call fit or predict first")
    dtype = network.dtype
    tensors = {f"params.{k}": v for k, v in network.parameters().items()}
    tensors.update({f"state.{k}": v for k, v in network.state_arrays().items()})
    header = {
        **common,
        "kind": "network",
        "architecture": jsonable(network.get_config(), "the architecture (network.get_config())"),
        "loss": None if network.loss_ is None else jsonable(network.loss_.get_config(), "the loss config"),
        "optimizer": None,
        "schedule": None,
        "classes": class_labels(network.classes_, network.output_shape[-1], "save"),  # type: ignore[index]
        "feature_names": check_feature_names(network.feature_names_, network.input_shape[-1],  # type: ignore[index]
                                             "save"),
    }
    try:
        check_architecture_size("save", header["architecture"])
    except ModelFileError as exc:
        raise ValueError(str(exc)) from None
    if optimizer is not None:
        header["optimizer"], slot_tensors = _optimizer_entry(optimizer, network)
        tensors.update(slot_tensors)
    if schedule is not None:
        header["schedule"] = _schedule_entry(schedule)
    if training is not None:
        state, extra = training
        header["kind"] = "checkpoint"
        header["run"] = {"state": jsonable(state, "the training state"),
                              "arrays": {name: list(np.shape(a)) for name, a in sorted(extra.items())}}
        arrays = {name: np.ascontiguousarray(value, dtype=dtype) for name, value in tensors.items()}
        # Integer arrays (a sample order) are kept exact as float64: every integer below 2**53 is.
        arrays.update({f"training.{name}": np.ascontiguousarray(
            a, dtype=np.float64 if np.asarray(a).dtype.kind in "iub" else dtype) for name, a in extra.items()})
        return _pack(header, arrays)
    return _pack(header, {name: np.ascontiguousarray(value, dtype=dtype) for name, value in tensors.items()})


def _pack(header: dict, arrays: dict) -> bytes:
    """The sealed file of ``header`` and ``arrays``, after the checks load will make."""
    if len(arrays) > MAX_TENSORS or sum(a.size for a in arrays.values()) > MAX_ELEMENTS:
        raise ValueError(f"save: the model has {len(arrays)} tensors of {sum(a.size for a in arrays.values())} "
                         f"numbers; the limits are MAX_TENSORS = {MAX_TENSORS}, MAX_ELEMENTS = {MAX_ELEMENTS}")
    entries, chunks, offset = {}, [], 0
    for name in sorted(arrays):
        array = arrays[name]
        if not np.isfinite(array).all():
            raise ValueError(f"save: {name} contains NaN or Inf; a model file holds finite numbers only")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        entries[name] = {"dtype": _DTYPE_NAMES[array.dtype], "shape": list(array.shape),
                         "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    blob = seal(header, entries, b"".join(chunks))
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
    entry = {"name": optimizer.name, "config": jsonable(optimizer.get_config(), "the optimizer config"),
             "iterations": int(state["iterations"]), "slots": sorted(state["slots"])}
    return entry, tensors


def _storable(schedule) -> bool:
    try:
        _schedules.get(schedule.get_config(), None)
    except (ValueError, TypeError, KeyError):
        return False
    return True


def _schedule_entry(schedule) -> dict:
    config = jsonable(schedule.get_config(), "the schedule config")
    try:  # what load will do: a schedule that cannot be rebuilt must not be written
        _schedules.get(config, None)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"save: the schedule {schedule!r:.80} cannot be stored in a model file ({exc}); "
                         f"pass schedule=None to save without it") from None
    state = jsonable(schedule.state_dict(), "the schedule state")
    if not isinstance(state, dict):
        raise ValueError(f"save: the schedule's state_dict() must be a dict, got {type(state).__name__}")
    return {"config": config, "state": state}


# -- loading -----------------------------------------------------------------------------------
def read_header(path) -> dict:
    """The JSON header of a model file plus a tensor summary, without building the model.

    The whole file is verified first. Returns the header's fields (see the module
    docstring) and ``"tensors"``: ``{name: {"dtype": "F32", "shape": [...]}}``.
    Raises :class:`ModelFileError` for a file that is not a valid model file.
    """
    header, tensors, _ = read_container(path, with_data=False)
    check_header(path, header)
    header["tensors"] = {name: {"dtype": t["dtype"], "shape": list(t["shape"])}
                         for name, t in sorted(tensors.items())}
    return header


def load(path):
    """Rebuild the model saved in ``path``: a network, or a Hopfield memory.

    A network has its weights and state exactly as saved, and these attributes:
    ``classes_``, ``loss_`` (or ``None``), ``optimizer_`` (restored with its state,
    or ``None``), ``schedule_`` (or ``None``) and ``metadata_`` (a dict). A Hopfield
    memory has its Hebbian sum, thresholds and seed, and ``metadata_``.

    Raises
    ------
    ModelFileError
        The file is truncated, corrupted, hostile, over a limit of
        :mod:`axonal.io.limits`, of format version 1 (see :func:`axonal.io.upgrade`),
        or not an axonal model file.
    OSError
        The file cannot be read.
    """
    header, tensors, data = read_container(path, with_data=True)
    kind = check_header(path, header)
    return rebuild(path, kind, header, tensors, data)


def rebuild(path, kind: str, header: dict, tensors: dict, data, *, digest_check=None):
    """The model of a verified, checked header; ``digest_check(arrays)`` runs once the arrays are read."""
    if kind == "hopfield":
        entry = header["hopfield"]
        check_tensors(path, tensors, hopfield_file.expected_tensors(entry), {"F64"} if digest_check is None
                       else {"F64", "I64"})
        arrays = _arrays(path, tensors, data, digest_check)
        memory = hopfield_file.rebuild_hopfield(path, entry, arrays)
        memory.metadata_ = header["metadata"]
        return memory
    network, _ = rebuild_network(path, header, tensors, data, digest_check)
    return network


def rebuild_network(path, header: dict, tensors: dict, data, digest_check=None):
    """``(network, arrays)`` of a checked "network" or "checkpoint" header: every tensor read and checked."""
    network = _rebuild(path, "architecture", lambda: _network_from_config(header["architecture"]))
    if network.input_dim is None:
        raise fail(path, "invalid architecture", "the network has no input_dim")
    # Compare the file with the network's plan before allocating anything, so a hostile
    # header cannot make the loader build a huge network.
    specs, _ = _rebuild(path, "architecture", lambda: network.plan(network.declared_input_shape()))
    expected = {("state." if spec.decay is None else "params.") + spec.name: spec.shape for spec in specs}
    optimizer = None
    if header["optimizer"] is not None:
        optimizer, slots = _rebuild_optimizer(path, header["optimizer"])
        expected.update({f"optimizer.{slot}.{spec.name}": spec.shape for slot in slots
                         for spec in specs if spec.decay is not None})
    if "run" in header:
        expected.update({f"training.{name}": tuple(shape) for name, shape in header["run"]["arrays"].items()})
    dtypes = {_DTYPE_NAMES[network.dtype]} | ({"F64"} if "run" in header else set())
    check_tensors(path, tensors, expected, dtypes)
    _rebuild(path, "architecture", lambda: network.build(network.declared_input_shape()))
    arrays = _arrays(path, tensors, data, digest_check)
    # "params.layers.0.weight" -> "layers.0.weight"; the names were checked against the network above.
    network.set_weights({name.split(".", 1)[1]: array for name, array in arrays.items()
                         if name.startswith(("params.", "state."))})
    _rebuild(path, "layer state", network.check_state)
    if optimizer is not None:
        entry = header["optimizer"]
        if entry["slots"] or entry["iterations"]:  # a never-stepped optimizer stays fresh
            state = {"iterations": entry["iterations"],
                     "slots": {slot: {k: arrays[f"optimizer.{slot}.{k}"] for k in network.params_.names()}
                               for slot in entry["slots"]}}
            _rebuild(path, "optimizer state", lambda: optimizer.load_state_dict(state, network.params_))
    if header["loss"] is not None:
        network.loss_ = _rebuild(path, "loss", lambda: _losses.get(header["loss"]))
    network.classes_ = _rebuild(path, "classes", lambda: class_labels(header["classes"],
                                                                      network.output_shape[-1], "classes"))
    network.feature_names_ = _rebuild(path, "feature_names", lambda: check_feature_names(
        header.get("feature_names"), network.input_shape[-1], "feature_names"))
    network.optimizer_ = optimizer
    network.schedule_ = None
    if header["schedule"] is not None:
        network.schedule_ = _rebuild_schedule(path, header["schedule"])
    network.metadata_ = header["metadata"]
    return network, arrays


def _arrays(path, tensors: dict, data, digest_check) -> dict:
    """Read-only views of the checked tensors in the data region; every value must be finite."""
    arrays = {}
    for name, t in tensors.items():
        dtype = _NUMPY_DTYPES[t["dtype"]]
        begin, end = t["data_offsets"]
        arrays[name] = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize,
                                     offset=begin).reshape(t["shape"])
    if digest_check is not None:
        digest_check(arrays)
    for name, array in arrays.items():
        if not np.isfinite(array).all():
            raise fail(path, "corrupt model file", f"{name} contains NaN or Inf")
    return arrays


def _network_from_config(config):
    """A ``Sequential``, or a ``GraphNetwork`` when the architecture holds a graph."""
    from .. import graph  # registers GraphLayer, which any saved network may hold
    if "graph_network" in config:
        return graph.GraphNetwork.from_config(config, build=False)
    return Sequential.from_config(config, build=False)


def _rebuild(path, what, build):
    """Run ``build`` (a registry look-up, a constructor), turning its errors into ModelFileError."""
    try:
        return build()
    except ModelFileError:
        raise
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


def _axonal_version() -> str:
    from .._version import __version__
    return __version__
