"""Small real datasets shipped inside the package, and the XOR truth table.

The files live in ``axonal/data/files/`` as gzip-compressed CSV (plain numbers,
nothing executable) and are read with :func:`axonal.data.load_csv`; their
sources and licenses are in ``axonal/data/files/README.md``. Every call reads
the file afresh, so changing one returned array never changes another.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from .dataset import Dataset
from .readers import load_csv

__all__ = ["load_digits", "load_xor", "load_regression"]

DIGITS_DESCRIPTION = """\
Optical Recognition of Handwritten Digits (UCI), the 1,797 8x8 images of its test
part (optdigits.tes: 13 writers), the version scikit-learn ships as its digits set.
NIST programs extracted 32x32 bitmaps of digits written on preprinted forms; each
4x4 block was reduced to the number of its pixels that are on, so each of the 64
features is an integer 0..16 (row-major: pixel_r_c is row r, column c).
Target: the digit, 0..9.
Source: E. Alpaydin and C. Kaynak (1998), Optical Recognition of Handwritten Digits,
UCI Machine Learning Repository, https://doi.org/10.24432/C50P49.
License: Creative Commons Attribution 4.0 International (CC BY 4.0)."""

AUTO_MPG_DESCRIPTION = """\
Auto MPG (UCI): 392 cars of model years 1970-1982 (the 398 of the UCI file less the
6 whose horsepower is unknown). Target: city-cycle fuel consumption in miles per
gallon. Features: cylinders, displacement (cubic inches), horsepower, weight (lb),
acceleration (seconds from 0 to 60 mph) and model year (70..82).
Source: R. Quinlan (1993), Auto MPG, UCI Machine Learning Repository,
https://doi.org/10.24432/C5859H; originally from the StatLib library (Carnegie
Mellon University), used in the 1983 American Statistical Association Exposition.
License: Creative Commons Attribution 4.0 International (CC BY 4.0)."""

XOR_DESCRIPTION = """\
XOR, the exclusive or of two bits: y = 1 when exactly one input is 1. The four
rows of its truth table; no straight line separates the classes, so it needs a
hidden layer (the classic test of backpropagation)."""


def _bundled_csv(filename: str, target: str, task: str, description: str) -> Dataset:
    resource = resources.files(__package__).joinpath("files").joinpath(filename)
    with resources.as_file(resource) as path:
        return load_csv(path, target, task=task, description=description)


def load_digits() -> Dataset:
    """The UCI handwritten digits: 1,797 images of 8x8 pixels, digits 0..9.

    Returns
    -------
    Dataset
        ``x`` (1797, 64) float32 with integer values 0..16 (``x.reshape(-1, 8, 8)``
        gives the images); ``y`` (1797,) int64 digits, ``class_names`` 0..9.

    Notes
    -----
    Alpaydin and Kaynak (1998), UCI Machine Learning Repository,
    doi:10.24432/C50P49, CC BY 4.0. See ``description`` for details.

    Examples
    --------
    >>> from axonal.data import load_digits
    >>> digits = load_digits()
    >>> digits
    Dataset(1797 samples × 64 features, target 'digit': 10 classes)
    >>> digits.x.reshape(-1, 8, 8).shape, int(digits.x.max())
    ((1797, 8, 8), 16)
    """
    return _bundled_csv("digits.csv.gz", "digit", "classification", DIGITS_DESCRIPTION)


def load_regression() -> Dataset:
    """Auto MPG: predict a car's miles per gallon from six of its characteristics.

    Returns
    -------
    Dataset
        ``x`` (392, 6) float32: cylinders, displacement, horsepower, weight,
        acceleration, model_year; ``y`` (392,) float32 miles per gallon (9 to 46.6).
        The features span very different scales: standardise them before training.

    Notes
    -----
    Quinlan (1993), UCI Machine Learning Repository, doi:10.24432/C5859H,
    CC BY 4.0. See ``description`` for details.

    Examples
    --------
    >>> from axonal.data import load_regression
    >>> cars = load_regression()
    >>> cars
    Dataset(392 samples × 6 features, target 'mpg': regression)
    >>> cars.feature_names
    ['cylinders', 'displacement', 'horsepower', 'weight', 'acceleration', 'model_year']
    """
    return _bundled_csv("auto_mpg.csv.gz", "mpg", "regression", AUTO_MPG_DESCRIPTION)


def load_xor() -> Dataset:
    """The XOR truth table: four rows of two bits, labels ``x1 XOR x2``.

    Returns
    -------
    Dataset
        ``x`` (4, 2) float32; ``y`` (4,) int64 ``[0, 1, 1, 0]``, ``class_names [0, 1]``.
        For a network with one sigmoid output use ``y[:, None].astype("float32")``.

    Examples
    --------
    >>> from axonal.data import load_xor
    >>> x, y = load_xor().as_tuple()
    >>> x.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return Dataset(x, y, ["x1", "x2"], "xor", class_names=[0, 1], description=XOR_DESCRIPTION)
