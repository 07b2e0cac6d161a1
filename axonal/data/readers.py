"""Reading data files: CSV tables into a :class:`Dataset`, ``.npy``/``.npz`` into arrays.

Nothing here executes code from a file: CSV cells are parsed as numbers or kept
as label strings, and NumPy files are opened with ``allow_pickle=False``.
Every error names the file and, for a CSV cell, its line and column.
"""

from __future__ import annotations

import csv
import gzip
import os
import zipfile
from pathlib import Path

import numpy as np

from .columns import apply_columns, check_recipe, plan_columns, warn_identifiers
from .columns import feature_names as column_feature_names
from .dataset import Dataset

__all__ = ["load_csv", "load_array", "read_features", "read_header_row"]

_TASKS = ("auto", "classification", "regression")


def load_csv(path, target: str, *, delimiter: str = ",", task: str = "auto", features=None,
             max_classes: int = 20, encoding: str = "utf-8-sig", description: str | None = None,
             missing: str = "error", categorical="auto", recipe=None) -> Dataset:
    """Read a CSV table with a header row into a :class:`Dataset`.

    Cells are stripped of surrounding spaces; a quoted cell (``"a,b"``) may hold
    the delimiter; blank lines are skipped. A name ending in ``.gz`` is read through gzip.

    Parameters
    ----------
    path : str or os.PathLike
    target : str
        Name of the column to predict; it becomes ``y``.
    delimiter : str, default ","
    task : {"auto", "classification", "regression"}, default "auto"
        What the target column holds. ``"classification"``: labels (strings or
        numbers) coded ``0 .. n_classes - 1`` in sorted order (numbers by value,
        strings in character order). ``"regression"``: numbers, kept as float32.
        ``"auto"`` decides by this rule: a target with any non-numeric label is
        classification; a numeric target is classification when every value is a
        whole number, there are at most ``max_classes`` distinct values and at most
        half as many distinct values as rows; anything else is regression.
    features : list of str, optional
        The feature columns, in this order (default: every column but ``target``). A column
        that holds a different whole number or text on every row (an identifier) is used,
        with a warning that says how to leave it out.
    missing : {"error", "mean", "median", "drop"}, default "error"
        Missing cells (empty, ``NA``, ``NaN``, ``?`` ...): refused, filled (numbers with the
        column's mean or median, categories with the most frequent), or their rows dropped.
    categorical : "auto", "none" or list of str, default "auto"
        Columns read as categories, one 0/1 feature each (``colour=red``): with ``"auto"``
        every column with a cell that is not a number.
    recipe : list of dict, optional
        Prepare the columns as an earlier table was (``Dataset.column_recipe``, kept in the
        model file by ``axonal train``) instead of learning from this one.
    max_classes : int, default 20
        The most distinct whole numbers that ``task="auto"`` still reads as classes.
    encoding : str, default "utf-8-sig"
        Text encoding (the default also drops a UTF-8 byte-order mark).
    description : str, optional
        Stored in the Dataset (default: a line naming the file).

    Returns
    -------
    Dataset
        ``x`` (rows, features) float32; ``y`` (rows,) int64 codes with
        ``class_names``, or float32 targets with ``class_names=None``; ``column_recipe``.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        With the file, line and column: an empty file, no data rows, a row with
        more or fewer fields than the header, a missing target or feature column,
        an empty cell, a feature that is not a number, NaN or infinity.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from axonal.data import load_csv
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "fruit.csv"
    >>> _ = path.write_text("weight,spots,fruit\\n150,2,apple\\n120,0,pear\\n160,5,apple\\n")
    >>> fruit = load_csv(path, "fruit")
    >>> fruit
    Dataset(3 samples × 2 features, target 'fruit': 2 classes)
    >>> fruit.x.tolist(), fruit.y.tolist(), fruit.class_names
    ([[150.0, 2.0], [120.0, 0.0], [160.0, 5.0]], [0, 1, 0], ['apple', 'pear'])
    >>> load_csv(path, "colour")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: load_csv: ...fruit.csv has no column 'colour'; its columns are 'weight', 'spots', 'fruit'
    >>> folder.cleanup()
    """
    if task not in _TASKS:
        raise ValueError(f"load_csv: task must be one of {', '.join(map(repr, _TASKS))}, got {task!r}")
    if not isinstance(max_classes, (int, np.integer)) or max_classes < 2:
        raise ValueError(f"load_csv: max_classes must be an integer >= 2, got {max_classes!r}")
    path = _existing_file(path, "load_csv")
    header, rows, lines = _read_rows(path, delimiter, encoding)
    where = f"load_csv: {path}"

    columns = {name: i for i, name in enumerate(header)}
    listing = ", ".join(map(repr, header))
    if target not in columns:
        hint = ""
        if len(header) == 1:
            guess = next((d for d in (";", "\t", "|", ",") if d != delimiter and d in header[0]), None)
            hint = f" (is the delimiter {guess!r}? give delimiter={guess!r})" if guess else ""
        raise ValueError(f"{where} has no column {target!r}; its columns are {listing}{hint}")
    if features is None:
        features = [name for name in header if name != target]
    else:
        features = [features] if isinstance(features, str) else list(features)
        for name in features:
            if name not in columns:
                raise ValueError(f"{where} has no feature column {name!r}; its columns are {listing}")
        if target in features:
            raise ValueError(f"{where}: the target column {target!r} cannot also be a feature")
        if len(set(features)) != len(features):
            raise ValueError(f"{where}: features name a column twice: {features}")
    if not features:
        raise ValueError(f"{where} has no feature columns besides the target {target!r}")

    table = np.array(rows, dtype=str).reshape(len(rows), len(header))
    if recipe is not None:
        features = [entry["name"] for entry in check_recipe(recipe, where)]
        _require_columns(features, columns, header, where)
    source = table[:, [columns[name] for name in features]]
    if recipe is None:
        recipe = plan_columns(source, features, missing=missing, categorical=categorical, where=where, lines=lines)
        warn_identifiers(source, recipe, where)
    x, kept = apply_columns(source, recipe, where=where, lines=lines, drop=missing == "drop")
    if not kept.any():
        raise ValueError(f"{where}: every row has a missing value; missing='drop' leaves nothing")
    y, class_names = _target_column(table[kept, columns[target]], list(np.asarray(lines)[kept]), target, where,
                                    task, max_classes)
    names = column_feature_names(recipe)
    if description is None:
        kind = "regression" if class_names is None else f"{len(class_names)} classes"
        description = f"{path.name}: {int(kept.sum())} rows, {len(names)} features, target {target!r} ({kind})"
    return Dataset(x, y, names, target, class_names=class_names, description=description, column_recipe=recipe)


def _require_columns(names, columns, header, where):
    missing = [name for name in names if name not in columns]
    if missing:
        raise ValueError(f"{where} lacks the feature column(s) {', '.join(map(repr, missing))}; "
                         f"its columns are {', '.join(map(repr, header))}")


def read_header_row(path, *, delimiter: str = ",", encoding: str = "utf-8-sig") -> list:
    """The column names of a CSV table (its header row)."""
    path = _existing_file(path, "read_header_row")
    header, _, _ = _read_rows(path, delimiter, encoding)
    return header


def read_features(path, features=None, *, recipe=None, delimiter: str = ",",
                  encoding: str = "utf-8-sig") -> np.ndarray:
    """Read the named feature columns of a CSV table (other columns are ignored).

    For prediction: the file needs a header row and every column in ``features`` (numbers),
    or every column of ``recipe`` (prepared as at training: missing cells filled, categories
    one-hot, see :mod:`axonal.data.columns`); it may hold more (an id, the target), in any order.

    Returns
    -------
    array (rows, features), float32
    """
    path = _existing_file(path, "read_features")
    header, rows, lines = _read_rows(path, delimiter, encoding)
    where = f"read_features: {path}"
    columns = {name: i for i, name in enumerate(header)}
    if recipe is None:
        recipe = [{"name": name, "kind": "number", "fill": None} for name in features]
    names = [entry["name"] for entry in check_recipe(recipe, where)]
    if len(header) == 1 and any(name not in columns for name in names):
        guess = next((d for d in (";", "\t", "|", ",") if d != delimiter and d in header[0]), None)
        if guess:
            raise ValueError(f"{where} has the single column {header[0]!r:.60} (is the delimiter {guess!r}?)")
    _require_columns(names, columns, header, where)
    table = np.array(rows, dtype=str).reshape(len(rows), len(header))
    x, _ = apply_columns(table[:, [columns[name] for name in names]], recipe, where=where, lines=lines)
    return x


def load_array(path, *, key: str | None = None) -> np.ndarray:
    """Read one array from a NumPy ``.npy`` or ``.npz`` file, never unpickling.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.npy`` file, or an ``.npz`` archive (compressed or not).
    key : str, optional
        Which array of an ``.npz`` archive to read; may be left out when the
        archive holds exactly one.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        Another extension, a damaged file, an unknown or missing ``key``, or an
        array of Python objects (which would need pickle, and pickle can run code).

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> from axonal.data import load_array
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "xy.npz"
    >>> np.savez_compressed(path, x=np.eye(2), y=np.array([0, 1]))
    >>> load_array(path, key="y").tolist()
    [0, 1]
    >>> folder.cleanup()
    """
    path = _existing_file(path, "load_array")
    where = f"load_array: {path}"
    if path.suffix.lower() not in (".npy", ".npz"):
        raise ValueError(f"{where}: expected a .npy or .npz file, got {path.suffix or 'no extension'!r}")
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic != b"\x93NUMPY" and magic[:4] != b"PK\x03\x04":
        # np.load would take anything else for a pickle; axonal never unpickles.
        raise ValueError(f"{where} is not a NumPy file (it starts with neither the .npy nor the .npz signature)")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            if key is not None:
                raise ValueError(f"{where} holds a single array; key={key!r} applies to .npz archives only")
            return loaded
        with loaded as archive:
            names = list(archive.files)
            if key is None:
                if len(names) != 1:
                    raise ValueError(f"{where} holds {len(names)} arrays ({', '.join(map(repr, names))}); "
                                     f"choose one with key=")
                key = names[0]
            if key not in names:
                raise ValueError(f"{where} has no array {key!r}; it holds {', '.join(map(repr, names)) or 'none'}")
            array = archive[key]
            if not isinstance(array, np.ndarray):  # numpy hands back a non-.npy member as raw bytes
                raise ValueError(f"{where}: member {key!r} is not a .npy array")
            return array
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        if "allow_pickle" in str(exc):
            raise ValueError(f"{where} holds Python objects, which only pickle could load, and pickle can run "
                             f"code; save numeric arrays instead") from None
        raise ValueError(f"{where} is not a readable NumPy file ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{where} is not a readable NumPy file ({exc})") from None


# -- helpers ---------------------------------------------------------------------------
def _existing_file(path, caller: str) -> Path:
    path = Path(os.fspath(path))
    if not path.exists():
        raise FileNotFoundError(f"{caller}: {path}: no such file")
    if not path.is_file():
        raise ValueError(f"{caller}: {path} is not a file")
    return path


def _read_rows(path: Path, delimiter: str, encoding: str):
    """The header (stripped names), the data rows (stripped cells) and each row's line number."""
    where = f"{path}"
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    header, rows, lines = None, [], []
    try:
        with opener(path, "rt", encoding=encoding, newline="") as f:
            reader = csv.reader(f, delimiter=delimiter, skipinitialspace=True)
            for fields in reader:
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue  # a blank line
                fields = [cell.strip() for cell in fields]
                if header is None:
                    header = fields
                    _check_header(header, reader.line_num, where)
                    continue
                if len(fields) != len(header):
                    raise ValueError(f"{where}, line {reader.line_num} has {len(fields)} fields; "
                                     f"the header has {len(header)}")
                rows.append(fields)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise ValueError(f"{where}, line {reader.line_num}: malformed CSV ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where} is not {encoding} text (byte {exc.start}: {exc.reason}); "
                         f"give encoding=") from None
    except (gzip.BadGzipFile, EOFError) as exc:
        raise ValueError(f"{where} is not a readable gzip file ({exc})") from None
    if header is None:
        raise ValueError(f"{where} is empty; expected a header row and data rows")
    if not rows:
        raise ValueError(f"{where} has a header but no data rows")
    return header, rows, lines


def _check_header(header, line, where):
    seen = set()
    for i, name in enumerate(header, start=1):
        if not name:
            raise ValueError(f"{where}, line {line}: column {i} of the header has no name")
        if name in seen:
            raise ValueError(f"{where}, line {line}: the header names column {name!r} twice")
        seen.add(name)


def _numeric_column(cells: np.ndarray, lines, name: str, where: str, role: str) -> np.ndarray:
    """Parse a column of strings as float64, naming the line of the first bad cell."""
    try:
        values = cells.astype(np.float64)
    except ValueError:
        for i, cell in enumerate(cells):
            _check_cell(cell, lines[i], name, where, role)
        raise  # not reached: some cell failed above
    if not np.isfinite(values).all():
        i = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"{where}, line {lines[i]}, column {name!r}: {str(cells[i])!r} is not a finite "
                         f"number; remove or impute it")
    return values


def _check_cell(cell, line, name, where, role):
    if not cell:
        raise ValueError(f"{where}, line {line}, column {name!r}: empty cell; remove or impute it")
    try:
        float(cell)
    except ValueError:
        raise ValueError(f"{where}, line {line}, column {name!r}: {str(cell)!r} is not a number "
                         f"({role} must be numeric)") from None


def _target_column(cells, lines, name, where, task, max_classes):
    """``(y, class_names)``: codes and sorted labels, or float targets and ``None``."""
    empty = np.flatnonzero(cells == "")
    if empty.size:
        raise ValueError(f"{where}, line {lines[empty[0]]}, column {name!r}: empty cell; "
                         f"every row needs a target")
    try:
        values = cells.astype(np.float64)
    except ValueError:
        values = None  # some label is not a number
    if values is None:
        if task == "regression":
            for i, cell in enumerate(cells):
                _check_cell(cell, lines[i], name, where, "a regression target")
        class_names, codes = np.unique(cells, return_inverse=True)
        return codes.astype(np.int64), [str(c) for c in class_names]
    values = _numeric_column(cells, lines, name, where, "the target")
    whole = bool(np.all(values == np.round(values)))
    if task == "auto":
        distinct = np.unique(values)
        task = ("classification" if whole and len(distinct) <= min(max_classes, len(values) // 2)
                else "regression")
    if task == "regression":
        return values.astype(np.float32), None
    labels, codes = np.unique(values, return_inverse=True)
    class_names = [int(v) for v in labels] if whole else [float(v) for v in labels]
    return codes.astype(np.int64), class_names
