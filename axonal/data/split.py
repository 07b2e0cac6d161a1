"""Holding data out: a train/test split and k-fold cross-validation indices.

Both draw from a ``numpy.random.Generator`` built from ``seed`` (or the one
given), never from NumPy's global random state: the same seed gives the same
split. Both can stratify, keeping each class's share of the samples the same
in every part.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["train_test_split", "kfold_indices"]


def train_test_split(x, y, test_size=0.2, *, stratify=None, seed=None):
    """Split ``x`` and ``y`` into shuffled training and test parts.

    Parameters
    ----------
    x : array (samples, ...)
    y : array (samples, ...)
        Rows of ``x`` and ``y`` stay paired.
    test_size : float or int, default 0.2
        A fraction in (0, 1) of the samples (rounded to a whole number, halves
        up), or a number of samples. Each part keeps at least one sample.
    stratify : array (samples,) or (samples, classes), optional
        Class labels (or one-hot rows) whose proportions both parts keep: each
        class ``c`` with ``n_c`` samples puts ``n_c · n_test / n`` of them in the
        test part, rounded so that the total is ``n_test`` (largest remainders
        first), and at least one in each part. Usually ``stratify=y``.
    seed : int or numpy.random.Generator, optional
        Seeds the shuffle; ``None`` draws fresh entropy.

    Returns
    -------
    x_train, x_test, y_train, y_test : arrays
        New arrays (rows are copied), each part in shuffled order.

    Raises
    ------
    ValueError
        Lengths that differ, a ``test_size`` that leaves a part empty, or with
        ``stratify``: a class with fewer than 2 samples, or fewer test (or
        training) samples than classes.

    Examples
    --------
    >>> import numpy as np
    >>> from axonal.data import train_test_split
    >>> x, y = np.arange(20).reshape(10, 2), np.array([0] * 6 + [1] * 4)
    >>> x_train, x_test, y_train, y_test = train_test_split(x, y, 0.5, stratify=y, seed=0)
    >>> x_train.shape, x_test.shape, np.bincount(y_test).tolist()
    ((5, 2), (5, 2), [3, 2])
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("train_test_split: x and y must be arrays of samples, got a scalar")
    n = len(x)
    if len(y) != n:
        raise ValueError(f"train_test_split: x has {n} samples but y has {len(y)}")
    if n < 2:
        raise ValueError(f"train_test_split: needs at least 2 samples, got {n}")
    n_test = _test_count(test_size, n)
    rng = _generator(seed)
    if stratify is None:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:
        classes, codes = _class_codes(stratify, n, "train_test_split")
        counts = np.bincount(codes, minlength=len(classes))
        small = np.flatnonzero(counts < 2)
        if small.size:
            c = small[0]
            raise ValueError(f"train_test_split: class {_label(classes[c])} has {counts[c]} sample; a stratified "
                             f"split needs at least 2 per class")
        if min(n_test, n - n_test) < len(classes):
            raise ValueError(f"train_test_split: {n_test} test and {n - n_test} training samples cannot hold "
                             f"every one of {len(classes)} classes; change test_size")
        per_class = _allocate(counts, n_test)
        test_parts, train_parts = [], []
        for c, t in enumerate(per_class):
            members = rng.permutation(np.flatnonzero(codes == c))
            test_parts.append(members[:t])
            train_parts.append(members[t:])
        test_idx = rng.permutation(np.concatenate(test_parts))
        train_idx = rng.permutation(np.concatenate(train_parts))
    return x[train_idx], x[test_idx], y[train_idx], y[test_idx]


def kfold_indices(n: int, k: int = 5, *, shuffle: bool = True, seed=None, stratify=None):
    """Index pairs for k-fold cross-validation: each sample is tested exactly once.

    The ``n`` samples are dealt into ``k`` folds whose sizes differ by at most
    one; fold ``i`` is the test part of round ``i`` and the other folds its
    training part.

    Parameters
    ----------
    n : int
        Number of samples.
    k : int, default 5
        Number of folds, ``2 <= k <= n``.
    shuffle : bool, default True
        Deal the samples in a random order. ``False`` makes contiguous folds
        (``0 .. n/k - 1`` first), or with ``stratify`` deals each class in order.
    seed : int or numpy.random.Generator, optional
        Seeds the shuffle; ``None`` draws fresh entropy.
    stratify : array (n,) or (n, classes), optional
        Class labels (or one-hot rows): each class is spread over the folds, its
        count in any two folds differing by at most one.

    Returns
    -------
    iterator of (train_idx, test_idx)
        ``k`` pairs of sorted int64 index arrays. Arguments are checked at the
        call, not on first iteration.

    Examples
    --------
    >>> from axonal.data import kfold_indices
    >>> for train_idx, test_idx in kfold_indices(5, 2, shuffle=False):
    ...     print(train_idx.tolist(), test_idx.tolist())
    [3, 4] [0, 1, 2]
    [0, 1, 2] [3, 4]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"kfold_indices: n must be an integer number of samples >= 2, got {n!r}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= n:
        raise ValueError(f"kfold_indices: k must be an integer with 2 <= k <= n = {n}, got {k!r}")
    rng = _generator(seed)
    fold = np.empty(n, dtype=np.int64)
    if stratify is None:
        order = rng.permutation(n) if shuffle else np.arange(n)
        sizes = np.full(k, n // k)
        sizes[: n % k] += 1
        fold[order] = np.repeat(np.arange(k), sizes)
    else:
        classes, codes = _class_codes(stratify, n, "kfold_indices")
        counts = np.bincount(codes, minlength=len(classes))
        small = np.flatnonzero(counts < k)
        if small.size:
            c = small[0]
            raise ValueError(f"kfold_indices: class {_label(classes[c])} has {counts[c]} samples, fewer than "
                             f"k = {k} folds; every fold must test every class")
        # Line the samples up class by class (shuffled within each class), then
        # deal them round-robin: per class and overall, fold sizes differ by <= 1.
        order = np.lexsort((rng.random(n), codes)) if shuffle else np.argsort(codes, kind="stable")
        fold[order] = np.arange(n) % k
    return ((np.flatnonzero(fold != i), np.flatnonzero(fold == i)) for i in range(k))


# -- helpers ---------------------------------------------------------------------------
def _generator(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _test_count(test_size, n: int) -> int:
    if isinstance(test_size, (bool, np.bool_)):
        raise ValueError(f"train_test_split: test_size must be a fraction or a count, got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        if not 1 <= test_size <= n - 1:
            raise ValueError(f"train_test_split: test_size={test_size} samples must lie in 1..{n - 1} "
                             f"for {n} samples")
        return int(test_size)
    if isinstance(test_size, (float, np.floating)) and 0.0 < test_size < 1.0:
        n_test = int(math.floor(test_size * n + 0.5))
        if not 1 <= n_test <= n - 1:
            raise ValueError(f"train_test_split: test_size={test_size} of {n} samples leaves "
                             f"{'no test' if n_test < 1 else 'no training'} samples")
        return n_test
    raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a count of samples, "
                     f"got {test_size!r}")


def _class_codes(labels, n: int, where: str):
    """``(classes, codes)`` for labels of shape (n,), or one-hot/multi-column rows (n, k)."""
    labels = np.asarray(labels)
    if labels.ndim not in (1, 2) or len(labels) != n:
        raise ValueError(f"{where}: stratify must hold one label per sample, shape ({n},) or ({n}, classes); "
                         f"got shape {labels.shape}")
    if labels.ndim == 2:
        classes, codes = np.unique(labels, axis=0, return_inverse=True)
    else:
        classes, codes = np.unique(labels, return_inverse=True)
    return classes, codes.reshape(-1)


def _label(value) -> str:
    value = np.asarray(value)
    return repr(value.tolist())


def _allocate(counts: np.ndarray, n_test: int) -> np.ndarray:
    """Test samples per class: ``counts · n_test / n`` rounded to whole samples summing to ``n_test``.

    Start from the rounded-down shares (at least 1, at most ``count - 1``), then
    give the samples still missing to the classes with the largest remainders
    (or take the surplus from the smallest), ties to the earlier class.
    """
    exact = counts * n_test / counts.sum()
    taken = np.clip(np.floor(exact).astype(np.int64), 1, counts - 1)
    while taken.sum() < n_test:
        room = np.where(taken < counts - 1, exact - taken, -np.inf)
        taken[int(np.argmax(room))] += 1
    while taken.sum() > n_test:
        spare = np.where(taken > 1, exact - taken, np.inf)
        taken[int(np.argmin(spare))] -= 1
    return taken
