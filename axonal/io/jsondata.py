"""Values written into a model file's header: plain JSON data, checked before anything is written."""

from __future__ import annotations

import json
import math

import numpy as np

from .container import dumps

__all__ = ["jsonable", "user_metadata"]


def jsonable(value, what: str):
    """``value`` if it is plain JSON data (after turning tuples into lists), else a ValueError naming where."""
    problem = _json_problem(value, "")
    if problem:
        raise ValueError(f"save: {what} cannot be written as JSON: {problem}")
    return json.loads(dumps(value))


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


def user_metadata(metadata) -> dict:
    """The user's metadata as canonical JSON data (``{}`` for ``None``), or an error naming the bad value."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise TypeError(f"save: metadata must be a dict, got {type(metadata).__name__}")
    metadata = _plain(metadata)
    problem = _json_problem(metadata, "metadata")
    if problem:
        raise ValueError(f"save: metadata must be JSON data (str keys; str, int, float, bool, None, "
                         f"lists, dicts): {problem}")
    return json.loads(dumps(metadata))


def _plain(value):
    """NumPy scalars and arrays inside metadata become Python numbers and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return value
