"""Input columns by name: a table's column names recorded at ``fit`` and matched at ``predict``.

A pandas DataFrame (any 2-D table with ``columns``) whose column names are all strings
gives its names to ``fit``; the network keeps them (``feature_names_``, saved in the model
file) and later tables are read by name: the same columns in another order are put back
in the trained order, a missing or unexpected column is an error that names it. Arrays
and tables without string names are read by position, as always.
"""

from __future__ import annotations

__all__ = ["column_names", "check_feature_names", "align_columns", "MAX_NAME_CHARS"]

#: the most characters of one column name
MAX_NAME_CHARS = 1_000


def column_names(x) -> list[str] | None:
    """The column names of a 2-D table whose names are all strings, else ``None``."""
    columns = getattr(x, "columns", None)
    if columns is None or getattr(x, "ndim", 2) != 2:
        return None
    names = list(columns)
    return names if names and all(isinstance(n, str) for n in names) else None


def check_feature_names(names, n_features: int | None, where: str) -> list[str] | None:
    """``names`` checked: distinct strings of at most ``MAX_NAME_CHARS`` characters, one per input
    feature (``n_features=None`` skips the count); ``None`` stays ``None``."""
    if names is None:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{where}: feature names must be a list of strings")
    if any(len(n) > MAX_NAME_CHARS for n in names):
        raise ValueError(f"{where}: a feature name is longer than MAX_NAME_CHARS = {MAX_NAME_CHARS}")
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: feature names repeat: {sorted({n for n in names if names.count(n) > 1})[:5]!r:.200}")
    if n_features is not None and len(names) != n_features:
        raise ValueError(f"{where}: {len(names)} feature names for {n_features} input features")
    return names


def align_columns(x, names: list[str] | None, where: str):
    """``x`` with its columns in the order of ``names`` when both are named; arrays as they are."""
    given = column_names(x)
    if names is None or given is None or given == names:
        return x
    missing = [n for n in names if n not in set(given)]
    unexpected = [n for n in given if n not in set(names)]
    if missing or unexpected:
        raise ValueError(f"{where}: the table's columns do not match those the network was trained on: missing "
                         f"{missing[:5]!r:.200}, unexpected {unexpected[:5]!r:.200}")
    return x[names]
