"""``Dataset``: a table of samples, ``x`` (samples, features), and what to predict, ``y``.

Every loader in :mod:`axonal.data` returns one. A classification set keeps its
labels as integer codes ``0 .. n_classes - 1`` in ``y`` and the original label of
code ``i`` in ``class_names[i]``; a regression set has float32 targets in ``y``
and ``class_names = None``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset"]


@dataclass(eq=False, repr=False)
class Dataset:
    """Samples and targets with their names.

    Parameters
    ----------
    x : array (samples, features)
        Inputs; stored as a C-contiguous float32 array.
    y : array (samples,)
        Class codes (stored as int64, each in ``0 .. len(class_names) - 1``) when
        ``class_names`` is given, otherwise regression targets (stored as float32).
    feature_names : list of str
        One name per column of ``x``.
    target_name : str
        What ``y`` is.
    class_names : list, optional
        ``class_names[i]`` is the original label of class code ``i``; ``None`` for
        a regression set.
    description : str, default ""
    column_recipe : list of dict, optional
        How the source columns of a table became the features (:mod:`axonal.data.columns`):
        what ``read_features`` repeats at prediction.
        Where the data come from, their license and how to cite them.

    Examples
    --------
    >>> from axonal.data import Dataset
    >>> ds = Dataset([[0, 1], [1, 1]], [1, 0], ["a", "b"], "label", class_names=["no", "yes"])
    >>> ds
    Dataset(2 samples × 2 features, target 'label': 2 classes)
    >>> x, y = ds.as_tuple()
    >>> x.dtype, y.dtype, [ds.class_names[c] for c in y]
    (dtype('float32'), dtype('int64'), ['yes', 'no'])
    """

    x: np.ndarray
    y: np.ndarray
    feature_names: list
    target_name: str
    class_names: list | None = None
    description: str = ""
    column_recipe: list | None = None

    def __post_init__(self):
        x = np.ascontiguousarray(self.x, dtype=np.float32)
        if x.ndim != 2:
            raise ValueError(f"Dataset: x must have shape (samples, features), got shape {x.shape}")
        y = np.asarray(self.y)
        if y.ndim != 1 or len(y) != len(x):
            raise ValueError(f"Dataset: y must have shape ({len(x)},) to match x {x.shape}, got {y.shape}")
        self.feature_names = [str(name) for name in self.feature_names]
        if len(self.feature_names) != x.shape[1]:
            raise ValueError(f"Dataset: {len(self.feature_names)} feature names for {x.shape[1]} columns of x")
        if self.class_names is None:
            y = np.ascontiguousarray(y, dtype=np.float32)
        else:
            self.class_names = list(self.class_names)
            if y.size and not np.issubdtype(y.dtype, np.integer):
                raise TypeError(f"Dataset: class codes in y must be integers, got dtype {y.dtype}")
            y = np.ascontiguousarray(y, dtype=np.int64)
            if y.size and (y.min() < 0 or y.max() >= len(self.class_names)):
                raise ValueError(f"Dataset: class codes must lie in 0..{len(self.class_names) - 1} "
                                 f"(one per class name), got {y.min()}..{y.max()}")
        self.x, self.y = x, y

    @property
    def n_samples(self) -> int:
        return self.x.shape[0]

    @property
    def n_features(self) -> int:
        return self.x.shape[1]

    @property
    def n_classes(self) -> int | None:
        """Number of classes, or ``None`` for a regression set."""
        return None if self.class_names is None else len(self.class_names)

    def as_tuple(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)``, the arrays themselves (not copies)."""
        return self.x, self.y

    def __repr__(self):
        kind = "regression" if self.class_names is None else f"{len(self.class_names)} classes"
        return (f"Dataset({self.n_samples} samples × {self.n_features} features, "
                f"target {self.target_name!r}: {kind})")
