"""Feature columns of a table, prepared the same way at training and at prediction.

A *column recipe* (one JSON-able dict per source column, kept in the model file's
metadata by ``axonal train``) says how a column's text cells become numbers::

    {"name": "age", "kind": "number", "fill": 41.5}          fill: the value of a missing cell, or None
    {"name": "colour", "kind": "category", "categories": ["blue", "red"], "fill": "red"}

A number column gives one feature. A category column gives one 0/1 feature per
category (``colour=blue``, ``colour=red``: one-hot); at prediction a category the
training data never held is an error naming the column, the line and the known
categories. Missing cells (empty, ``NA``, ``NaN``, ``null``, ``?`` ...) are refused, or
filled with the column's mean or median (numbers) or most frequent value (categories)
as seen in training, or their rows are dropped: ``missing="error" | "mean" | "median" | "drop"``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MISSING", "MAX_CATEGORIES", "plan_columns", "apply_columns", "check_recipe", "feature_names",
           "is_missing", "warn_identifiers"]

#: cells that mean "no value"
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})
#: the most categories one column may have
MAX_CATEGORIES = 1000
_STRATEGIES = ("error", "mean", "median", "drop")


def is_missing(cells: np.ndarray) -> np.ndarray:
    """Which cells (strings) mean "no value"."""
    lowered = np.char.lower(cells.astype(str))
    return np.isin(lowered, list(MISSING))


def _numbers(cells):
    """Cells as float64, or ``None`` when some cell is not a number (``inf`` and ``nan`` text count as not)."""
    try:
        values = cells.astype(np.float64)
    except ValueError:
        return None
    return values if np.isfinite(values).all() else None


def plan_columns(table: np.ndarray, names: list, *, missing: str = "error", categorical="auto",
                 where: str = "load_csv", lines=None) -> list[dict]:
    """The recipe for the columns ``names`` of ``table`` (rows, columns) of strings, learnt from it.

    ``categorical``: ``"auto"`` (a column none of whose cells is a number; numbers mixed with
    text are an error naming the first text cell), ``"none"`` or the names of the category
    columns. ``missing`` as in the module docstring.
    """
    if missing not in _STRATEGIES:
        raise ValueError(f"{where}: missing must be one of {', '.join(map(repr, _STRATEGIES))}, got {missing!r}")
    listed = [] if categorical in ("auto", "none") else list(categorical)
    unknown = [c for c in listed if c not in names]
    if unknown:
        raise ValueError(f"{where}: categorical names columns {unknown} that are not features")
    recipe = []
    for j, name in enumerate(names):
        cells = table[:, j]
        absent = is_missing(cells)
        if absent.any() and missing == "error":
            i = int(np.flatnonzero(absent)[0])
            line = f", line {lines[i]}" if lines is not None else ""
            raise ValueError(f"{where}{line}, column {name!r}: missing value {str(cells[i])!r}; remove the row, "
                             f"or give missing='mean', 'median' or 'drop' (axonal train --missing)")
        present = cells[~absent]
        values = _numbers(present)
        numeric = np.array([_numbers(np.array([c])) is not None for c in present]) if values is None else \
            np.ones(len(present), bool)
        as_category = name in listed or (categorical == "auto" and values is None and not numeric.any())
        if not as_category:
            if values is None:    # numbers and text mixed: a typo more likely than categories
                i = int(np.flatnonzero(~absent)[np.argmin(numeric)])
                line = f", line {lines[i]}" if lines is not None else ""
                raise ValueError(f"{where}{line}, column {name!r}: {str(cells[i])!r} is not a number (a feature must "
                                 f"be numeric, or name the column in categorical= (axonal train --categorical) to "
                                 f"read it as categories)")
            fill: float | None = None
            if absent.any() and missing in ("mean", "median") and len(values):
                fill = float(np.mean(values) if missing == "mean" else np.median(values))
            recipe.append({"name": name, "kind": "number", "fill": fill})
            continue
        categories, counts = np.unique(present, return_counts=True)
        if len(categories) > MAX_CATEGORIES:
            raise ValueError(f"{where}, column {name!r}: {len(categories)} distinct values exceed MAX_CATEGORIES = "
                             f"{MAX_CATEGORIES}; is it an identifier or free text? leave it out of the features")
        common = str(categories[np.argmax(counts)]) if absent.any() and missing in ("mean", "median") else None
        recipe.append({"name": name, "kind": "category", "categories": [str(c) for c in categories],
                       "fill": common})
    return recipe


def feature_names(recipe: list[dict]) -> list[str]:
    """The features a recipe makes: a number column's name, ``name=category`` for each category."""
    out = []
    for entry in recipe:
        out += [entry["name"]] if entry["kind"] == "number" else [f"{entry['name']}={c}" for c in entry["categories"]]
    return out


def apply_columns(table: np.ndarray, recipe: list[dict], *, where: str, lines=None, drop: bool = False):
    """``(x (rows, features) float32, kept rows)`` from ``table`` (rows, the recipe's columns in its order).

    A missing cell is filled as the recipe says; one with no fill drops its row when ``drop``
    (training with ``missing="drop"``) and is an error naming its line otherwise."""
    rows = table.shape[0]
    absent = np.stack([is_missing(table[:, j]) for j in range(len(recipe))], axis=1)
    unfilled = absent & np.array([entry["fill"] is None for entry in recipe])[None, :]
    if unfilled.any() and not drop:
        i, j = (int(v) for v in np.argwhere(unfilled)[0])
        line = f", line {lines[i]}" if lines is not None else ""
        raise ValueError(f"{where}{line}, column {recipe[j]['name']!r}: missing value {str(table[i, j])!r}, and the "
                         f"model was trained without filling it (train with missing='mean' or 'median')")
    kept = ~unfilled.any(axis=1) if rows else np.zeros(0, bool)
    kept_lines = None if lines is None else np.asarray(lines)[kept]
    blocks = []
    for j, entry in enumerate(recipe):
        cells = np.where(absent[:, j], "" if entry["fill"] is None else str(entry["fill"]), table[:, j])[kept]
        at = f", column {entry['name']!r}"
        if entry["kind"] == "number":
            values = _numbers(cells)
            if values is None:
                i = next(i for i, c in enumerate(cells) if _numbers(np.array([c])) is None)
                raise ValueError(f"{where}{_line(kept_lines, i)}{at}: {str(cells[i])!r} is not a number")
            blocks.append(values[:, None])
            continue
        categories = entry["categories"]
        index = {c: k for k, c in enumerate(categories)}
        codes = np.fromiter((index.get(c, -1) for c in cells.tolist()), np.int64, count=len(cells))
        if (codes < 0).any():
            i = int(np.flatnonzero(codes < 0)[0])
            raise ValueError(f"{where}{_line(kept_lines, i)}{at}: category {str(cells[i])!r} was not in the "
                             f"training data; known: {categories[:10]}{' ...' if len(categories) > 10 else ''}")
        onehot = np.zeros((len(cells), len(categories)), np.float64)
        onehot[np.arange(len(cells)), codes] = 1.0
        blocks.append(onehot)
    return np.concatenate(blocks, axis=1).astype(np.float32), kept


def _line(lines, i) -> str:
    return "" if lines is None else f", line {lines[i]}"


def warn_identifiers(table: np.ndarray, recipe: list[dict], where: str) -> None:
    """Warn about a column whose every row holds a different whole number or text: an identifier."""
    from ..advice import AxonalWarning
    import warnings
    if table.shape[0] < 20:
        return
    for j, entry in enumerate(recipe):
        cells = table[:, j]
        if len(np.unique(cells)) != len(cells):
            continue
        values = _numbers(cells)
        if values is None or np.all(values == np.round(values)):
            warnings.warn(f"{where}: column {entry['name']!r} holds a different value on every row, like an "
                          f"identifier, and is used as a feature; leave it out with features=[...] "
                          f"(axonal train --ignore {entry['name']})", AxonalWarning, stacklevel=3)


def check_recipe(recipe, where: str) -> list[dict]:
    """A recipe read from a file, checked field by field (it is data: names and categories are text)."""
    if not isinstance(recipe, list) or not recipe:
        raise ValueError(f"{where}: the column recipe must be a non-empty list")
    for k, entry in enumerate(recipe):
        ok = isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry.get("kind") in (
            "number", "category") and set(entry) <= {"name", "kind", "fill", "categories"}
        if ok and entry["kind"] == "number":
            fill = entry.get("fill")
            ok = "categories" not in entry and (fill is None or (isinstance(fill, (int, float))
                                                                 and not isinstance(fill, bool)
                                                                 and np.isfinite(fill)))
        elif ok:
            cats = entry.get("categories")
            ok = (isinstance(cats, list) and 0 < len(cats) <= MAX_CATEGORIES and all(isinstance(c, str) for c in cats)
                  and len(set(cats)) == len(cats) and (entry.get("fill") is None or entry["fill"] in cats))
        if not ok:
            raise ValueError(f"{where}: column recipe entry {k} is not a valid number or category column")
    return recipe
