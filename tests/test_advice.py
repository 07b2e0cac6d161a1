"""fit warns, once and with the fix, about a link applied twice and a validation tail unlike the rest;
stratify=True holds out a share of each class; Keras's spellings that cannot mislead work."""

import warnings

import numpy as np
import pytest

from axonal import Dense, Sequential
from axonal.advice import AxonalWarning


def sorted_classes(n_per_class=40, seed=0):
    """Three separable clusters, sorted by class (as many data files are)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[3, 0], [0, 3], [-3, -3]], float)
    y = np.repeat(np.arange(3), n_per_class)
    return centres[y] + rng.normal(scale=0.7, size=(len(y), 2)), y


def train(output_activation=None, loss="softmax_cross_entropy", **options):
    x, y = sorted_classes()
    net = Sequential([Dense(8, "tanh"), Dense(3, output_activation)], seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet = {} if "verbose" in options else {"progress": False}
        history = net.fit(x, y, loss=loss, optimizer="adam", learning_rate=0.05, epochs=40, seed=0, **quiet,
                          **options)
    return net, history, [w for w in caught if issubclass(w.category, AxonalWarning)], (x, y)


def test_softmax_applied_twice_is_named_with_both_fixes():
    net, _, caught, (x, _) = train("softmax")
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "applies softmax" in message and "'categorical_cross_entropy'" in message
    assert caught[0].filename == __file__                   # it points at the caller's line
    squeezed = net.predict_proba(x).max(axis=1).mean()
    linear, _, quiet, _ = train(None)
    assert not quiet and linear.predict_proba(x).max(axis=1).mean() > squeezed


def test_a_sorted_validation_tail_warns_and_stratify_fixes_it():
    _, _, caught, _ = train(validation_split=0.25)
    assert len(caught) == 1 and "[2] differ from the training part's [0, 1, 2]" in str(caught[0].message)
    _, fair, quiet, _ = train(validation_split=0.25, stratify=True)
    assert not quiet
    assert fair.val_loss[-1] < 0.2
    with pytest.raises(ValueError, match="stratify=True .* class loss"):
        Sequential([Dense(1)], seed=0).fit(np.ones((10, 2)), np.ones(10), validation_split=0.2, stratify=True,
                                           progress=False)


def test_shuffled_data_pass_silently_and_the_stratified_split_keeps_the_shares():
    x, y = sorted_classes()
    order = np.random.default_rng(1).permutation(len(y))
    net = Sequential([Dense(8, "tanh"), Dense(3)], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AxonalWarning)
        net.fit(x[order], y[order], loss="softmax_cross_entropy", epochs=2, validation_split=0.25, progress=False)
    from axonal.training.batches import hold_out_validation
    from axonal.losses import get
    onehot = np.eye(3)[y]
    _, t_train, _, _, (_, t_val, _) = hold_out_validation(net, get("softmax_cross_entropy"), x, onehot, None, None,
                                                          None, 0.25, False, np.random.default_rng(0))
    assert t_val.sum(axis=0).tolist() == [10, 10, 10] and t_train.sum(axis=0).tolist() == [30, 30, 30]


def test_keras_spellings_that_cannot_mislead():
    _, history, caught, _ = train("softmax", loss="sparse_categorical_crossentropy", verbose=0)
    assert not caught and history.loss[-1] < 0.1             # probabilities and integer labels, as in Keras
    with pytest.raises(ValueError, match="verbose must be 0, 1 or 2"):
        train(verbose=3)
    with pytest.raises(ValueError, match="progress or verbose"):
        train(verbose=1, progress=True)
