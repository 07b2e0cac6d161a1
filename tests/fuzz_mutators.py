"""Mutators of the fuzzer (tests/fuzzing.py): each turns seed bytes into hostile bytes.

A mutator is ``fn(rng, blob) -> bytes`` with ``rng`` a seeded :class:`random.Random`,
so a case is reproduced from its id alone. Model-file mutators work on three
levels: raw bytes (flips, overwrites, truncations, length prefixes), the
safetensors tensor table (offsets, shapes, dtypes, names) and the axonal JSON
header inside ``__metadata__["axonal"]`` (key case, deleted and added keys,
swapped types, hostile numbers and strings, deep nesting, NaN tokens, huge
layers, thousands of connections), re-serialised so the JSON stays valid.
Synaptic mutators edit a ``toJSON`` document the same ways.

:func:`resign` makes a header edit carry a digest that matches it, as an
attacker who edits a file can always do: such a file must still be refused
or load as a correct model.
"""

from __future__ import annotations

import copy
import json
import math

__all__ = ["MODEL_MUTATORS", "SIGNED", "SYNAPTIC_MUTATORS", "join", "resign", "split"]

_MARK = "@@FUZZ_RAW_{}@@"
HUGE_NUMBERS = [10 ** 30, 2 ** 63, 2 ** 64 + 1, -1, -(2 ** 63), 0, 0.5, -0.0, 1e308, 5e-324, True, False,
                50_000, 1_000_000, 2 ** 31, 10 ** 400]
RAW_TOKENS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 5000, "[" * 20_000 + "]" * 20_000,
              '{"a":' * 5000 + "1" + "}" * 5000]


# -- the container --------------------------------------------------------------------------------------
def split(blob: bytes):
    """``(outer header dict, data bytes)`` of a well-formed safetensors file."""
    n = int.from_bytes(blob[:8], "little")
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def join(outer, data: bytes, raw: dict | None = None) -> bytes:
    """A safetensors file of ``outer`` and ``data``; ``raw`` maps markers to text put in verbatim."""
    text = json.dumps(outer, separators=(",", ":"))
    for mark, value in (raw or {}).items():
        text = text.replace(json.dumps(mark), value, 1)
    encoded = text.encode("utf-8", "surrogatepass")
    encoded += b" " * (-len(encoded) % 8)
    return len(encoded).to_bytes(8, "little") + encoded + data


def _header(outer) -> dict:
    return json.loads(outer["__metadata__"]["axonal"])


def _put_header(outer, header, raw=None) -> None:
    """Store ``header`` in ``outer``; ``raw`` markers stay markers inside the inner text."""
    text = json.dumps(header, sort_keys=True, separators=(",", ":"))
    for mark, value in (raw or {}).items():
        text = text.replace(json.dumps(mark), value, 1)
    outer["__metadata__"]["axonal"] = text


def resign(blob: bytes) -> bytes:
    """``blob`` sealed again: its stored digest recomputed for its current header and tensors.

    Uses the package's own sealing (``axonal.io.container.seal``, which also writes the
    headers in canonical form). Where the package has none (format version 1, whose
    digest covers the tensors only) a header edit already carries a matching digest.
    A file that cannot be sealed (its JSON holds NaN, is nested too deeply) is kept as it is.
    """
    from axonal.io import container
    seal = getattr(container, "seal", None)
    if seal is None:
        return blob
    try:
        outer, data = split(blob)
        inner = json.loads(outer.pop("__metadata__")["axonal"])
        return seal(inner, outer, data)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, UnicodeError):
        return blob


# -- raw bytes -------------------------------------------------------------------------------------------
def flip(rng, blob):
    i = rng.randrange(len(blob))
    return blob[:i] + bytes([blob[i] ^ rng.randrange(1, 256)]) + blob[i + 1:]


def header_flip(rng, blob):
    """One byte of the length prefix or the JSON header changed: always detectable."""
    n = int.from_bytes(blob[:8], "little")
    i = rng.randrange(min(len(blob), 8 + n))
    return blob[:i] + bytes([blob[i] ^ rng.randrange(1, 256)]) + blob[i + 1:]


def overwrite(rng, blob):
    i, k = rng.randrange(len(blob)), rng.randint(1, 32)
    return blob[:i] + bytes(rng.randrange(256) for _ in range(k)) + blob[i + k:]


def truncate(rng, blob):
    return blob[:rng.randrange(len(blob))]


def extend(rng, blob):
    return blob + bytes(rng.randrange(256) for _ in range(rng.choice([1, 7, 8, 100, 4096])))


def length_lie(rng, blob):
    n = int.from_bytes(blob[:8], "little")
    size = len(blob)
    value = rng.choice([0, 1, 2, n - 1, n + 1, n - 8, n + 8, size, size - 8, size + 1, 16 * 2 ** 20 + 1,
                        2 ** 32, 2 ** 63, 2 ** 64 - 1, rng.randrange(2 ** 64), rng.randrange(n + 64)])
    return (value % 2 ** 64).to_bytes(8, "little") + blob[8:]


# -- the tensor table ------------------------------------------------------------------------------------
def tensor_table(rng, blob):
    outer, data = split(blob)
    names = sorted(k for k in outer if k != "__metadata__")
    name = rng.choice(names)
    entry = outer[name]
    op = rng.choice(["offsets", "shape", "dtype", "rename", "delete", "add", "duplicate", "swap"])
    raw = {}
    if op == "offsets":
        begin, end = entry["data_offsets"]
        entry["data_offsets"] = rng.choice([[begin + 1, end + 1], [end, begin], [begin, 2 ** 64 - 1],
                                            [-1, end], [begin, end + 4], [0, end - begin], [begin, begin],
                                            [float(begin), end], [begin, str(end)], [begin]])
    elif op == "shape":
        shape = list(entry["shape"])
        choice = rng.randrange(5)
        if choice == 0:
            shape.append(rng.choice([1, 0, 2]))
        elif choice == 1 and shape:
            shape[rng.randrange(len(shape))] = rng.choice([0, 50_000, 2 ** 40, -1, 1.5, None])
        elif choice == 2:
            shape = shape[1:]
        elif choice == 3:
            shape = [1] * 9 + shape
        else:
            shape = shape[::-1]
        entry["shape"] = shape
    elif op == "dtype":
        entry["dtype"] = rng.choice(["F64", "F32", "F16", "BF16", "I64", "U8", "BOOL", "f32", "", None, 7])
    elif op == "rename":
        new = rng.choice(["params.layers.9.weight", "optimizer.m.layers.0.weight", "state.x", "params.",
                          "__metadata__x", "params.layers.0.weight\n", name.upper()])
        outer[new] = outer.pop(name)
    elif op == "delete":
        del outer[name]
    elif op == "add":
        outer["params.extra"] = {"dtype": "F32", "shape": [0], "data_offsets": [len(data), len(data)]}
    elif op == "duplicate":  # the same key twice in the JSON text
        mark = _MARK.format(0)
        outer[mark] = entry
        raw[mark] = json.dumps(name)
    else:
        other = rng.choice(names)
        outer[name], outer[other] = outer[other], outer[name]
    return join(outer, data, raw)


# -- the JSON header --------------------------------------------------------------------------------------
def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, path + (i,))


def _get(value, path):
    for key in path:
        value = value[key]
    return value


def _other_type(rng, value):
    choices = [None, True, 0, 1.5, "x", [], {}, [value], {"value": value}, str(value)[:40]]
    return rng.choice([c for c in choices if type(c) is not type(value)])


def _hostile_string(rng):
    from fuzz_corpus import HOSTILE_NAMES
    return rng.choice(HOSTILE_NAMES + ["x" * 1_000_000, "\x00" * 1000, "Gater", "Activation"])


def edit_json(rng, header: dict, raw: dict) -> None:
    """One random edit of ``header`` in place; verbatim text for markers goes into ``raw``."""
    paths = [p for p in _paths(header) if p]
    path = rng.choice(paths)
    parent, key = _get(header, path[:-1]), path[-1]
    op = rng.choice(["case", "delete", "add", "retype", "number", "string", "raw", "swap"])
    if op == "case" and isinstance(key, str):
        new = rng.choice([key.upper(), key.capitalize(), key.swapcase(), key + " ", "_" + key])
        if new != key:
            parent[new] = parent.pop(key)
        return
    if op == "delete":
        del parent[key]
        return
    if op == "add":
        target = parent if isinstance(parent, dict) else _get(header, path[:-2]) if len(path) > 1 else header
        if isinstance(target, dict):
            target[rng.choice(["extra", "Gater", "activation ", "__class__", key if isinstance(key, str)
                               else "k"]) + rng.choice(["", "_"])] = rng.choice([1, "x", None, [], True])
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(rng.choice(parent)) if parent else 0)
        return
    if op == "retype":
        parent[key] = _other_type(rng, parent[key])
    elif op == "number":
        parent[key] = rng.choice(HUGE_NUMBERS)
    elif op == "string":
        parent[key] = _hostile_string(rng)
    elif op == "raw":
        mark = _MARK.format(len(raw))
        raw[mark] = rng.choice(RAW_TOKENS)
        parent[key] = mark
    else:
        other = rng.choice(paths)
        if other[:len(path)] != path and path[:len(other)] != other:
            a, b = _get(header, path), _get(header, other)
            parent[key] = copy.deepcopy(b)
            _get(header, other[:-1])[other[-1]] = copy.deepcopy(a)


def json_edit(rng, blob):
    outer, data = split(blob)
    header, raw = _header(outer), {}
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        edit_json(rng, header, raw)
    _put_header(outer, header, raw)
    return join(outer, data)


def json_edit_signed(rng, blob):
    return resign(json_edit(rng, blob))


def structure(rng, blob):
    """A header that asks for much: huge layers, many connections, deep nesting (re-signed)."""
    outer, data = split(blob)
    header, raw = _header(outer), {}
    if "hopfield" in header:
        header["hopfield"]["size"] = rng.choice([46_341, 50_000, 10 ** 12])
        _put_header(outer, header)
        return resign(join(outer, data))
    arch = header["architecture"]
    if "graph_network" in arch:
        graph = arch["graph_network"]["graph"]
        op = rng.choice(["wide", "else", "connections", "layers", "size"])
        if op in ("wide", "else"):
            graph["layers"].insert(1, {"name": "wide", "size": rng.choice([50_000, 10 ** 6, 10 ** 12]),
                                       "activation": {"name": "logistic"}, "bias": True})
            graph["connections"].append({"name": "wide_else", "source": "wide", "target": "wide",
                                         "kind": "all_to_else" if op == "else" else "all_to_all",
                                         "trainable": True, "init": "synaptic"})
        elif op == "connections":
            first, last = graph["layers"][0]["name"], graph["layers"][-1]["name"]
            graph["connections"] += [{"name": f"c{i}", "source": first, "target": last, "kind": "all_to_all",
                                      "trainable": True, "init": "synaptic"}
                                     for i in range(rng.choice([2_000, 40_000]))]
        elif op == "layers":
            graph["layers"][1:1] = [{"name": f"l{i}", "size": 1, "activation": {"name": "logistic"}, "bias": True}
                                    for i in range(rng.choice([5_000, 100_001]))]
        else:
            rng.choice(graph["layers"])["size"] = rng.choice([50_000, 2 ** 31, 10 ** 12])
    else:
        layers = arch["layers"]
        op = rng.choice(["units", "input", "nest", "many"])
        if op == "units":
            layer = rng.choice([l for l in layers if "units" in l["config"]])
            layer["config"]["units"] = rng.choice([50_000, 10 ** 6, 10 ** 12])
        elif op == "input":
            arch["input_dim"] = rng.choice([50_000, 10 ** 9, 2 ** 62])
        elif op == "nest":  # written as text: json.dumps would recurse once per level
            depth = rng.choice([30, 100, 300, 3000])
            mark = _MARK.format(0)
            layers.append(mark)
            raw[mark] = ('{"class":"Residual","config":{"block":{"class":"Sequential","config":{"layers":[' * depth
                         + '{"class":"Dense","config":{"units":3}}' + ']}},"projection":false}}' * depth)
        else:
            layers += [{"class": "Dropout", "config": {"rate": 0.1}}] * rng.choice([10_000, 100_000])
    _put_header(outer, header, raw)
    return resign(join(outer, data))


# -- Synaptic JSON ------------------------------------------------------------------------------------------
def synaptic_value(rng, doc):
    doc = copy.deepcopy(doc)
    raw = {}
    for _ in range(rng.choice([1, 1, 2, 3])):
        edit_json(rng, doc, raw)
    return _syn_text(doc, raw)


def synaptic_index(rng, doc):
    doc = copy.deepcopy(doc)
    n = len(doc["neurons"])
    conn = rng.choice(doc["connections"]) if doc["connections"] else {}
    field = rng.choice(["from", "to", "gater"])
    conn[field] = rng.choice([-1, n, n + 1, 2 ** 63, 1.5, float(n - 1), True, "0", None, [0], 10 ** 400, math.nan])
    return _syn_text(doc, {})


def synaptic_size(rng, doc):
    """Big documents: an all-to-all hidden layer (split into one-neuron layers), many neurons."""
    op = rng.choice(["self_all", "wide", "neurons", "connections"])
    neuron = {"bias": 0.1, "layer": 0, "squash": "LOGISTIC"}
    inputs = [{"bias": 0, "layer": "input", "squash": "LOGISTIC"}] * 2
    out = [{"bias": 0, "layer": "output", "squash": "LOGISTIC"}]
    if op == "self_all":  # every hidden neuron reads every other one within the step
        h = rng.choice([100, 300])
        conns = [{"from": 2 + i, "to": 2 + j, "weight": 0.01, "gater": None}
                 for i in range(h) for j in range(h) if i != j]
    elif op == "wide":
        h = rng.choice([2_000, 20_000])
        conns = [{"from": i, "to": 2 + j, "weight": 0.01, "gater": None} for i in range(2) for j in range(h)]
    elif op == "neurons":
        h = rng.choice([100_000, 300_000])
        conns = []
    else:
        h = 4
        conns = [{"from": 0, "to": 2, "weight": 0.5, "gater": None}] * rng.choice([100_000, 300_000])
    doc = {"neurons": inputs + [neuron] * h + out, "connections": conns}
    if op == "neurons":
        doc["neurons"] = inputs + [dict(neuron, layer=i) for i in range(h)] + out
    return _syn_text(doc, {})


def synaptic_bytes(rng, doc):
    text = json.dumps(doc).encode()
    return rng.choice([flip, overwrite, truncate])(rng, text)


def synaptic_nesting(rng, doc):
    doc = copy.deepcopy(doc)
    mark = _MARK.format(0)
    target = rng.choice([doc, rng.choice(doc["neurons"]), rng.choice(doc["connections"] or [doc])])
    target[rng.choice(list(target))] = mark
    depth = rng.choice([1_000, 100_000])
    return _syn_text(doc, {mark: rng.choice(["[" * depth + "]" * depth, '{"a":' * depth + "0" + "}" * depth])})


def _syn_text(doc, raw) -> bytes:
    text = json.dumps(doc, separators=(",", ":"), allow_nan=True)
    for mark, value in raw.items():
        text = text.replace(json.dumps(mark), value, 1)
    return text.encode("utf-8", "surrogatepass")


MODEL_MUTATORS = {"flip": flip, "header_flip": header_flip, "overwrite": overwrite, "truncate": truncate,
                  "extend": extend, "length_lie": length_lie, "tensor_table": tensor_table,
                  "json_edit": json_edit, "json_edit_signed": json_edit_signed, "structure": structure}
#: Mutators whose files carry a matching digest: a load that changes behaviour is allowed.
SIGNED = {"json_edit_signed", "structure"}
SYNAPTIC_MUTATORS = {"syn_value": synaptic_value, "syn_index": synaptic_index, "syn_size": synaptic_size,
                     "syn_bytes": synaptic_bytes, "syn_nesting": synaptic_nesting}
