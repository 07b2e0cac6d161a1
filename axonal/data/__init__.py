"""Data for axonal: bundled datasets, reading files, and holding samples out.

==========================  ===============================================================
name                        what it gives
==========================  ===============================================================
:class:`Dataset`            ``x`` (samples, features) float32, ``y`` int64 class codes or
                            float32 targets, ``feature_names``, ``target_name``,
                            ``class_names``, ``description``; ``as_tuple() -> (x, y)``
:func:`load_digits`         UCI handwritten digits: 1,797 8x8 images, 10 classes (CC BY 4.0)
:func:`load_regression`     UCI Auto MPG: 392 cars, 6 features, miles per gallon (CC BY 4.0)
:func:`load_xor`            the four rows of the XOR truth table
:func:`load_csv`            a CSV table with a header into a ``Dataset`` (string or numeric
                            labels, or a regression target); errors name line and column
:func:`read_features`       the named feature columns of a CSV table (for prediction)
:func:`load_array`          one array from a ``.npy``/``.npz`` file, never unpickling
:func:`train_test_split`    shuffled (optionally stratified) training and test parts
:func:`kfold_indices`       ``(train_idx, test_idx)`` for each of ``k`` folds
:func:`cross_validate`      train a fresh network on each fold, score it on the held-out one
sequence tasks              :mod:`~axonal.data.sequences`: Synaptic's DSR, embedded Reber
                            grammar and timing task; the adding problem, the copy task, sine
                            waves (``(batch, time, features)`` arrays)
:func:`load_text`           public-domain texts for character models (:mod:`~axonal.data.text`);
                            :func:`sample_text` continues a prompt with a trained model
==========================  ===============================================================

Modules: :mod:`~axonal.data.dataset`, :mod:`~axonal.data.bundled` (data files in
``axonal/data/files/``, sources and licenses in its README.md),
:mod:`~axonal.data.readers`, :mod:`~axonal.data.split`. Randomness comes only from
the ``seed`` (int or ``numpy.random.Generator``) given to the splitting functions.

>>> from axonal.data import load_digits, train_test_split
>>> x, y = load_digits().as_tuple()
>>> x_train, x_test, y_train, y_test = train_test_split(x, y, 0.25, stratify=y, seed=0)
>>> x_train.shape, x_test.shape
((1348, 64), (449, 64))
"""

from .bundled import load_digits, load_regression, load_xor
from .cross_validation import cross_validate
from .dataset import Dataset
from .readers import load_array, load_csv, read_features, read_header_row
from .sequences import (adding_problem, copy_task, discrete_sequence_recall, embedded_reber_grammar,
                        embedded_reber_long_range, is_embedded_reber, sine_wave, timing_task)
from .split import kfold_indices, train_test_split
from .text import char_sequences, decode, encode, load_text, sample_text

__all__ = ["Dataset", "load_digits", "load_regression", "load_xor", "load_csv", "load_array", "read_features", "read_header_row",
           "train_test_split", "kfold_indices", "discrete_sequence_recall", "embedded_reber_grammar",
           "embedded_reber_long_range", "is_embedded_reber", "timing_task", "adding_problem", "copy_task",
           "sine_wave", "load_text", "char_sequences", "encode", "decode", "sample_text", "cross_validate"]
