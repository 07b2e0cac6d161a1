"""Synaptic's JSON, read and checked before anything is built from it.

A Synaptic file is data from elsewhere, so every value is checked and every count
bounded before an array or a loop is sized by it. Each problem raises one
:class:`SynapticJSONError` (a ``ValueError``) that names the neuron or connection
by its index; a value quoted in a message is escaped and cut short.

==========================  ============  ================================================
limit                       value         what it counts
==========================  ============  ================================================
MAX_SYNAPTIC_BYTES          32 MiB        the JSON text (file or string)
MAX_SYNAPTIC_DEPTH          32            nesting of arrays and objects
MAX_SYNAPTIC_VALUES         2,000,000     values in arrays and objects (commas + 1)
MAX_SYNAPTIC_ARRAYS         1,000         arrays (Synaptic writes two)
MAX_SYNAPTIC_NEURONS        100,000       entries of ``neurons``
MAX_SYNAPTIC_CONNECTIONS    250,000       entries of ``connections`` (synapses)
MAX_SYNAPTIC_GATES          250,000       synapses with a gater
MAX_SYNAPTIC_DENSE_FACTOR   16            weight values the import may allocate per synapse
MIN_SYNAPTIC_DENSE          4,194,304     ... or this many, whichever is more
MAX_SYNAPTIC_LAYERS         4,096         layers of the imported graph (a split layer
                                          counts one per neuron)
MAX_SYNAPTIC_BLOCKS         16,384        connections of the imported graph
==========================  ============  ================================================

The text is scanned before it is parsed (linear time, strings skipped): its depth,
values and arrays are counted and bounded first. Parsing keeps only the fields read
below and stops at the first object past ``MAX_SYNAPTIC_NEURONS`` neurons (objects
with ``layer``, ``bias``, ``squash``, ``state``, ``old`` or ``activation``) or
``MAX_SYNAPTIC_CONNECTIONS`` connections (objects with ``from``, ``to``, ``weight`` or
``gater``), so the parsed document stays within the memory these limits allow
whatever the text holds.

The last two bound memory by the synapse count: a layer pair with a few synapses is
still a dense ``(|A|, |B|)`` weight array (with a mask), and all of those together
may hold at most ``max(16 · synapses, 2**22)`` values.

A neuron is an object with ``layer`` (``"input"``, ``"output"`` or a hidden-layer
index, a non-negative integer or a string of digits), ``bias`` (a finite number;
required except in the input layer) and ``squash`` (one of Synaptic's names, or
absent for ``LOGISTIC``, or the name of an activation registered in this process with
:func:`axonal.register_activation`) and, when asked for (``with_state=True``), the neuron's step
state as Synaptic's ``fromJSON`` restores it: ``state`` (``s``, the last weighted sum),
``old`` (the ``s`` before it) and ``activation`` (``y = f(s)``), each a finite number
(0 where absent; Synaptic would read ``undefined`` and compute NaN). ``trace`` is not read
(Synaptic writes it empty). A connection is ``{from, to, weight, gater}``: neuron indices (``gater``
may be ``null``) and a finite weight.
"""

from __future__ import annotations

import json
import os
import re
import stat

import numpy as np

from ..activations import REGISTRY as _ACTIVATIONS
from ..names import printable
from ..graph.values import is_finite_number

__all__ = ["MAX_SYNAPTIC_ARRAYS", "MAX_SYNAPTIC_BLOCKS", "MAX_SYNAPTIC_BYTES", "MAX_SYNAPTIC_CONNECTIONS",
           "MAX_SYNAPTIC_DENSE_FACTOR", "MAX_SYNAPTIC_DEPTH", "MAX_SYNAPTIC_GATES", "MAX_SYNAPTIC_LAYERS",
           "MAX_SYNAPTIC_NEURONS", "MAX_SYNAPTIC_VALUES", "MIN_SYNAPTIC_DENSE", "SQUASH_TO_ACTIVATION",
           "STATE_FIELDS", "SynapticJSONError", "dense_limit", "read_synaptic", "squash_activation"]

MAX_SYNAPTIC_BYTES = 32 * 1024 * 1024
MAX_SYNAPTIC_DEPTH = 32
MAX_SYNAPTIC_VALUES = 2_000_000
MAX_SYNAPTIC_ARRAYS = 1_000
MAX_SYNAPTIC_NEURONS = 100_000
MAX_SYNAPTIC_CONNECTIONS = 250_000
MAX_SYNAPTIC_GATES = 250_000
MAX_SYNAPTIC_DENSE_FACTOR = 16
MIN_SYNAPTIC_DENSE = 2 ** 22
MAX_SYNAPTIC_LAYERS = 4_096
MAX_SYNAPTIC_BLOCKS = 16_384

SQUASH_TO_ACTIVATION = {"LOGISTIC": "logistic", "TANH": "tanh", "IDENTITY": "identity", "HLIM": "step",
                        "RELU": "relu", None: "logistic"}

_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)   # possessive: linear, never backtracks
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
STATE_FIELDS = ("state", "old", "activation")
_NEURON_KEYS = frozenset({"bias", "layer", "squash", *STATE_FIELDS})
_CONNECTION_KEYS = frozenset({"from", "to", "weight", "gater"})
_READ_KEYS = _NEURON_KEYS | _CONNECTION_KEYS | {"neurons", "connections"}
_SQUASH_NAMES = {name: name for name in SQUASH_TO_ACTIVATION if name}


def squash_activation(squash) -> str | None:
    """The activation a neuron's ``squash`` names: Synaptic's (``None``: ``LOGISTIC``), or one
    registered with :func:`axonal.register_activation` (by its name: a file holds no code);
    ``None`` for anything else."""
    if squash is None or (isinstance(squash, str) and squash in SQUASH_TO_ACTIVATION):
        return SQUASH_TO_ACTIVATION[squash]
    if not isinstance(squash, str):
        return None
    key = _ACTIVATIONS.key(squash)
    return key if key in _ACTIVATIONS.user else None


class SynapticJSONError(ValueError):
    """A Synaptic JSON file or object that cannot be read: the message says where and why."""


def dense_limit(synapses: int) -> int:
    """The most weight values an import of ``synapses`` synapses may allocate."""
    return max(MAX_SYNAPTIC_DENSE_FACTOR * synapses, MIN_SYNAPTIC_DENSE)


def _shown(value, limit=40) -> str:
    return printable(repr(value) if not isinstance(value, str) else repr(value[:limit + 1]), limit)


def read_synaptic(data, *, with_state: bool = False):
    """``(layers, biases, squashes, synapses)`` from Synaptic's ``toJSON()`` output, and
    ``states`` after them when ``with_state``: ``states[n] = (state, old, activation)`` of neuron
    ``n`` (:data:`STATE_FIELDS`, each a finite float, 0.0 where absent).

    ``data`` is the parsed object, a JSON string or a path. ``layers[n]`` is neuron
    ``n``'s layer key (``"input"``, ``"output"`` or an int), ``biases[n]`` its bias
    (0.0 where an input neuron has none), ``squashes[n]`` its squash name or ``None``;
    ``synapses`` is a list of ``(from, to, weight, gater)`` with ``gater`` ``None``
    or a neuron index. Raises :class:`SynapticJSONError`; ``OSError`` when a file
    cannot be read.
    """
    data = _parse(data)
    if not isinstance(data, dict) or not isinstance(data.get("neurons"), list) \
            or not isinstance(data.get("connections"), list):
        raise SynapticJSONError("Synaptic JSON: expected an object with 'neurons' and 'connections' lists")
    neurons, connections = data["neurons"], data["connections"]
    _bounded("neurons", len(neurons), MAX_SYNAPTIC_NEURONS, "MAX_SYNAPTIC_NEURONS")
    _bounded("connections", len(connections), MAX_SYNAPTIC_CONNECTIONS, "MAX_SYNAPTIC_CONNECTIONS")
    layers, biases, squashes, states = [], [], [], []
    for n, neuron in enumerate(neurons):
        if not isinstance(neuron, dict):
            raise SynapticJSONError(f"Synaptic JSON: neuron {n} must be an object, got {type(neuron).__name__}")
        layer = _layer_key(n, neuron)
        bias = neuron.get("bias", 0.0 if layer == "input" else None)
        if not is_finite_number(bias):
            problem = "has no 'bias'" if "bias" not in neuron else f"has bias {_shown(bias)}"
            raise SynapticJSONError(f"Synaptic JSON: neuron {n} {problem}; a bias is a finite number")
        assert bias is not None           # is_finite_number refused None
        squash = neuron.get("squash")
        if squash_activation(squash) is None:
            raise SynapticJSONError(f"Synaptic JSON: neuron {n} has squash {_shown(squash)}; Synaptic's are "
                                    f"{', '.join(k for k in SQUASH_TO_ACTIVATION if k)} (or the name of an "
                                    f"activation registered with axonal.register_activation)")
        layers.append(layer)
        biases.append(float(bias))
        squashes.append(squash)
        if with_state:
            states.append(tuple(_state_value(n, neuron, field) for field in STATE_FIELDS))
    synapses = _synapses(connections, len(neurons))
    gated = sum(1 for *_, g in synapses if g is not None)
    _bounded("gated connections", gated, MAX_SYNAPTIC_GATES, "MAX_SYNAPTIC_GATES")
    return (layers, biases, squashes, synapses, states) if with_state else (layers, biases, squashes, synapses)


def _state_value(n, neuron, field) -> float:
    """Neuron ``n``'s ``field`` (``state``, ``old`` or ``activation``): a finite number, 0.0 where absent."""
    value = neuron.get(field, 0.0)
    if not is_finite_number(value):
        raise SynapticJSONError(f"Synaptic JSON: neuron {n} has {field} {_shown(value)}; a neuron's {field} is a "
                                f"finite number")
    return float(value)


def _synapses(connections, count):
    """``(from, to, weight, gater)`` for every connection: checked all at once, and one by one
    (for the message) only when something is wrong."""
    try:
        ends = [(c["from"], c["to"], c.get("gater"), c["weight"]) for c in connections]
    except (TypeError, KeyError, AttributeError):
        ends = None
    if ends:
        frm, to, gater, weight = zip(*ends)
        kinds = set(map(type, frm)) | set(map(type, to))
        if kinds <= {int} and set(map(type, gater)) <= {int, type(None)} and set(map(type, weight)) <= {int, float}:
            try:
                indices = np.array(frm + to + tuple(g for g in gater if g is not None), dtype=np.int64)
                values = np.array(weight, dtype=np.float64)
            except OverflowError:
                indices = None
            if indices is not None and (indices.min() >= 0 and indices.max() < count
                                        and np.isfinite(values).all()):
                return list(zip(frm, to, values.tolist(), gater))
    elif ends is not None:
        return []
    return [_check_connection(c, conn, count) for c, conn in enumerate(connections)]


def _check_connection(c, conn, count):
    """One connection as ``(from, to, weight, gater)``, or the error naming it."""
    if not isinstance(conn, dict):
        raise SynapticJSONError(f"Synaptic JSON: connection {c} must be an object, got {type(conn).__name__}")
    for key in ("from", "to", "gater"):
        value = conn.get(key)
        if key == "gater" and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
            what = f"has no {key!r}" if key not in conn else f"has {key} {_shown(value)}"
            raise SynapticJSONError(f"Synaptic JSON: connection {c} {what}; expected the index of one of "
                                    f"the {count} neurons")
    weight = conn.get("weight")
    if not is_finite_number(weight):
        what = "has no 'weight'" if "weight" not in conn else f"has weight {_shown(weight)}"
        raise SynapticJSONError(f"Synaptic JSON: connection {c} {what}; a weight is a finite number")
    return conn["from"], conn["to"], float(weight), conn.get("gater")


def _layer_key(n, neuron):
    if "layer" not in neuron:
        raise SynapticJSONError(f"Synaptic JSON: neuron {n} has no 'layer'")
    key = neuron["layer"]
    if key in ("input", "output"):
        return key
    if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 9:
        key = int(key)
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < MAX_SYNAPTIC_NEURONS:
        raise SynapticJSONError(f"Synaptic JSON: neuron {n} has layer {_shown(neuron['layer'])}; expected 'input', "
                                f"'output' or a hidden-layer index below {MAX_SYNAPTIC_NEURONS}")
    return key


def _bounded(what, value, limit, name):
    if value > limit:
        raise SynapticJSONError(f"Synaptic JSON: {value} {what} exceed the limit {name} = {limit}")


def _parse(data):
    """The JSON object from a path or a JSON string (a parsed object is returned as it is)."""
    where = "Synaptic JSON"
    if isinstance(data, (str, os.PathLike)) and not (isinstance(data, str) and data.lstrip().startswith("{")):
        where = f"Synaptic JSON: {printable(os.fspath(data), 200)}"
        info = os.stat(data)                     # never opens: a FIFO or a device cannot block the read
        if not stat.S_ISREG(info.st_mode):
            raise SynapticJSONError(f"{where}: not a regular file")
        if info.st_size > MAX_SYNAPTIC_BYTES:
            raise SynapticJSONError(f"{where}: {info.st_size} bytes exceed the limit MAX_SYNAPTIC_BYTES = "
                                    f"{MAX_SYNAPTIC_BYTES}")
        with open(data, "rb") as fh:
            raw = fh.read(MAX_SYNAPTIC_BYTES + 1)
        _check_size(where, len(raw), "bytes")
        _check_shape(where, raw)
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SynapticJSONError(f"{where}: not UTF-8 text (byte {exc.start})") from None
        del raw
    elif isinstance(data, str):
        _check_size(where, len(data), "characters")
        _check_shape(where, data.encode("utf-8", "surrogatepass"))
    else:
        return data
    counts = {"neurons": 0, "connections": 0}
    try:       # NaN and Infinity parse as floats; the value checks refuse them
        return json.loads(data, object_pairs_hook=lambda pairs: _kept(pairs, counts, where))
    except SynapticJSONError:
        raise
    except (ValueError, RecursionError) as exc:   # JSONDecodeError, or an integer of too many digits
        raise SynapticJSONError(f"{where}: not valid JSON ({printable(str(exc), 120)})") from None


_NOTHING_READ: dict = {}    # shared by every object without a field read here; never modified


def _kept(pairs, counts, where):
    """An object as parsed: only the fields read, squash names shared, the counts bounded as it goes."""
    kept = {key: value for key, value in pairs if key in _READ_KEYS}
    if not kept:
        return _NOTHING_READ
    if not kept.keys().isdisjoint(_NEURON_KEYS):
        counts["neurons"] += 1
        if counts["neurons"] > MAX_SYNAPTIC_NEURONS:
            raise SynapticJSONError(f"{where}: more than {MAX_SYNAPTIC_NEURONS} neurons (objects with 'layer', "
                                    f"'bias', 'squash', 'state', 'old' or 'activation') exceed the limit MAX_SYNAPTIC_NEURONS = "
                                    f"{MAX_SYNAPTIC_NEURONS}")
        squash = kept.get("squash")
        if type(squash) is str:
            kept["squash"] = _SQUASH_NAMES.get(squash, squash)
    elif not kept.keys().isdisjoint(_CONNECTION_KEYS):
        counts["connections"] += 1
        if counts["connections"] > MAX_SYNAPTIC_CONNECTIONS:
            raise SynapticJSONError(f"{where}: more than {MAX_SYNAPTIC_CONNECTIONS} connections (objects with "
                                    f"'from', 'to', 'weight' or 'gater') exceed the limit "
                                    f"MAX_SYNAPTIC_CONNECTIONS = {MAX_SYNAPTIC_CONNECTIONS}")
    return kept


def _check_size(where, size, unit):
    if size > MAX_SYNAPTIC_BYTES:
        raise SynapticJSONError(f"{where}: {size} {unit} exceed the limit MAX_SYNAPTIC_BYTES = {MAX_SYNAPTIC_BYTES}")


def _check_shape(where, raw: bytes):
    """Bound the nesting, values and arrays of the JSON text ``raw`` before it is parsed."""
    outside = _outside_strings(raw)
    depth = _depth(outside)
    if depth > MAX_SYNAPTIC_DEPTH:
        raise SynapticJSONError(f"{where}: arrays and objects nested {depth} deep exceed the limit "
                                f"MAX_SYNAPTIC_DEPTH = {MAX_SYNAPTIC_DEPTH}")
    values = outside.count(b",") + 1
    if values > MAX_SYNAPTIC_VALUES:
        raise SynapticJSONError(f"{where}: {values} values exceed the limit MAX_SYNAPTIC_VALUES = "
                                f"{MAX_SYNAPTIC_VALUES}")
    arrays = outside.count(b"[")
    if arrays > MAX_SYNAPTIC_ARRAYS:
        raise SynapticJSONError(f"{where}: {arrays} arrays exceed the limit MAX_SYNAPTIC_ARRAYS = "
                                f"{MAX_SYNAPTIC_ARRAYS}")


def _outside_strings(raw: bytes) -> bytes:
    """``raw`` without its JSON strings, a megabyte at a time (no list of every piece at once)."""
    if b"\\" in raw:
        return _STRING.sub(b"", raw)
    kept, inside = [], 0
    for start in range(0, len(raw), 1 << 20):
        parts = raw[start:start + (1 << 20)].split(b'"')
        kept.append(b"".join(parts[inside::2]))
        inside ^= (len(parts) - 1) & 1
    return b"".join(kept)


def _depth(outside: bytes) -> int:
    """How deep arrays and objects nest in ``outside`` (JSON text without its strings), in linear time."""
    codes = np.frombuffer(outside.translate(None, _NOT_BRACKET), dtype=np.uint8)
    depth = deepest = 0
    for start in range(0, len(codes), 1 << 20):
        chunk = codes[start:start + (1 << 20)]
        level = np.cumsum(np.where((chunk == ord("[")) | (chunk == ord("{")), 1, -1), dtype=np.int64) + depth
        deepest, depth = max(deepest, int(level.max())), int(level[-1])
    return deepest
