"""The axonal header of a model file: its fields by kind, their types, and the sizes they may ask for.

Two kinds of model share the container (:mod:`axonal.io.container`)::

    every file       format "axonal.model", format_version, kind, axonal_version, metadata, sha256
    kind "network"   architecture, loss, optimizer, schedule, classes (and, optional, feature_names)
    kind "hopfield"  hopfield: {size, units, patterns_stored, seed}
    kind "checkpoint"  a network's fields and run: {state, arrays} (a run of training)

A header with a field missing, an unknown field or a value of the wrong type is
refused naming the field; the architecture is measured (layer specs, nesting) against
:mod:`~axonal.io.limits` before any layer is built.
"""

from __future__ import annotations

from ..class_labels import class_labels
from ..feature_names import check_feature_names
from .container import fail
from .limits import MAX_HOPFIELD_UNITS, MAX_ITERATIONS, MAX_LAYERS, MAX_NDIM, MAX_NESTING, MAX_TENSORS

__all__ = ["KINDS", "check_header", "check_architecture_size"]

_COMMON = {"format", "format_version", "kind", "axonal_version", "metadata", "sha256"}
KINDS = {
    "network": _COMMON | {"architecture", "loss", "optimizer", "schedule", "classes"},
    "hopfield": _COMMON | {"hopfield"},
    "checkpoint": _COMMON | {"architecture", "loss", "optimizer", "schedule", "classes", "run"},
}
_HOPFIELD_FIELDS = {"size", "units", "patterns_stored", "seed"}
#: fields a file may leave out (written by later versions): kind -> fields
OPTIONAL = {"network": {"feature_names"}, "checkpoint": {"feature_names"}, "hopfield": set()}


def check_header(path, header: dict) -> str:
    """Check the fields of a (version-2) header; return its kind."""
    kind = header.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise fail(path, "corrupt model file", f"header field 'kind' must be one of {sorted(KINDS)}, "
                                               f"got {kind!r:.40}")
    _check_fields(path, header, KINDS[kind], OPTIONAL[kind])
    checks = [("axonal_version", isinstance(header["axonal_version"], str) and len(header["axonal_version"]) <= 64,
               "a string of at most 64 characters"),
              ("metadata", isinstance(header["metadata"], dict), "an object")]
    if kind in ("network", "checkpoint"):
        checks += [
            ("architecture", isinstance(header["architecture"], dict), "an object"),
            ("loss", header["loss"] is None or isinstance(header["loss"], dict), "an object or null"),
            ("optimizer", header["optimizer"] is None or _is_optimizer_entry(header["optimizer"]),
             "null or {name, config, iterations, slots}"),
            ("schedule", header["schedule"] is None or _is_schedule_entry(header["schedule"]),
             "null or {config, state}"),
            ("classes", header["classes"] is None or isinstance(header["classes"], list),
             "null or a list of strings and integers"),
            ("feature_names", header.get("feature_names") is None or isinstance(header["feature_names"], list),
             "null or a list of strings"),
        ]
    if kind == "checkpoint":
        checks.append(("run", _is_training_entry(header["run"]),
                       f"{{state, arrays}} with at most {MAX_TENSORS} arrays of at most {MAX_NDIM} dimensions"))
    if kind == "hopfield":
        checks.append(("hopfield", _is_hopfield_entry(header["hopfield"]),
                       f"{{size (1 to {MAX_HOPFIELD_UNITS}), units, patterns_stored, seed}}"))
    for field, ok, expected in checks:
        if not ok:
            raise fail(path, "corrupt model file", f"header field {field!r} must be {expected}")
    if kind in ("network", "checkpoint"):
        try:
            class_labels(header["classes"], None, "classes")
        except ValueError as exc:
            raise fail(path, "invalid classes", str(exc)) from None
        try:
            check_feature_names(header.get("feature_names"), None, "feature_names")
        except ValueError as exc:
            raise fail(path, "invalid feature names", str(exc)) from None
        check_architecture_size(path, header["architecture"])
    return kind


def _check_fields(path, header: dict, fields: set, optional: set) -> None:
    if not fields <= set(header) <= fields | optional:
        missing, extra = sorted(fields - set(header)), sorted(set(header) - fields - optional)
        raise fail(path, "corrupt model file", f"header fields missing {missing or 'none'}, "
                                               f"unexpected {extra or 'none'}"[:200])


def check_architecture_size(path, architecture) -> None:
    """Count layer specs (``{"class": ...}`` objects) and how deeply they nest, without building any.

    Iterative, so a deeply nested config cannot exhaust the stack; linear in the config's size.
    """
    if type(architecture) is not dict:
        return
    stack: list[tuple] = [(architecture, 0)]
    layers = 0
    while stack:
        node, depth = stack.pop()
        if type(node) is dict:
            if "class" in node:
                layers += 1
                depth += 1
                if layers > MAX_LAYERS:
                    raise fail(path, "invalid architecture", f"more than MAX_LAYERS = {MAX_LAYERS} layers")
                if depth - 1 > MAX_NESTING:
                    raise fail(path, "invalid architecture", f"containers nested more than MAX_NESTING = "
                                                             f"{MAX_NESTING} deep")
            node = list(node.values())
        for value in node:
            if type(value) is dict or type(value) is list:
                stack.append((value, depth))


def _is_count(value, limit=None) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= 0
            and (limit is None or value <= limit))


def _is_optimizer_entry(entry) -> bool:
    return (isinstance(entry, dict) and set(entry) == {"name", "config", "iterations", "slots"}
            and isinstance(entry["name"], str) and isinstance(entry["config"], dict)
            and "name" not in entry["config"] and _is_count(entry["iterations"], MAX_ITERATIONS)
            and isinstance(entry["slots"], list) and all(isinstance(s, str) for s in entry["slots"])
            and len(set(entry["slots"])) == len(entry["slots"]))


def _is_schedule_entry(entry) -> bool:
    return (isinstance(entry, dict) and set(entry) == {"config", "state"}
            and isinstance(entry["config"], dict) and isinstance(entry["state"], dict))


def _is_hopfield_entry(entry) -> bool:
    return (isinstance(entry, dict) and set(entry) == _HOPFIELD_FIELDS
            and _is_count(entry["size"], MAX_HOPFIELD_UNITS) and entry["size"] >= 1
            and entry["units"] in ("sign", "binary") and _is_count(entry["patterns_stored"], 2**53)
            and (entry["seed"] is None or _is_count(entry["seed"])))


def _is_training_entry(entry) -> bool:
    return (isinstance(entry, dict) and set(entry) == {"state", "arrays"} and isinstance(entry["state"], dict)
            and isinstance(entry["arrays"], dict) and len(entry["arrays"]) <= MAX_TENSORS
            and all(isinstance(shape, list) and len(shape) <= MAX_NDIM and all(_is_count(d) for d in shape)
                    for shape in entry["arrays"].values()))
