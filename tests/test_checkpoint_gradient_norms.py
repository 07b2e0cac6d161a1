"""Checkpoints keep ``History.gradient_norms``: a resumed run with diagnostics has the whole run's History.

A run with diagnostics (the default) measures the per-layer gradient norms after epochs
0, 1, 2, 4, 8, ... and the last (:mod:`axonal.diagnostics.monitor`). The checkpoint
holds the History so far, those norms included, and resuming puts them back.

A resumed run goes on measuring: ``fit`` gives the monitor its probe rows when resuming,
and the monitor, starting on a resumed History, measures only where an uninterrupted run
would have, so the last test finds the whole run's norms equal.
"""

import json
import math

import numpy as np
import pytest

from axonal import Dense, Dropout, Sequential
from axonal.history import History
from axonal.training.checkpoint import store_for
from loop_helpers import Interrupt

EPOCHS, STOP_AFTER = 12, 5   # interrupted in epoch 6, before its checkpoint: the file holds 5 epochs


def _build():
    return Sequential([Dense(16, "tanh", input_dim=5), Dropout(0.2), Dense(8, "relu"), Dense(3)], seed=4,
                      dtype="float64")


def _data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(150, 5))
    return x, ((x[:, 0] + x[:, 1] > 0) + (x[:, 2] * x[:, 3] > 0.3)).astype(int)


OPTIONS = dict(loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.01, epochs=EPOCHS, batch_size=25,
               schedule="cosine", metrics=["accuracy"], seed=3, progress=False, diagnostics=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    x, y = _data()
    straight = _build().fit(x, y, **OPTIONS)
    path = tmp_path_factory.mktemp("ckpt") / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        _build().fit(x, y, checkpoint=path, callbacks=[Interrupt(STOP_AFTER)], **OPTIONS)
    info, _ = store_for(path).read(_build())
    resumed = _build().fit(x, y, checkpoint=path, resume=path, **OPTIONS)
    return straight, info, resumed


def _before_the_interruption(norms: dict) -> dict:
    return {epoch: values for epoch, values in norms.items() if epoch <= STOP_AFTER}


def test_the_straight_run_measured_gradient_norms_before_and_after_the_interruption(runs):
    straight, _, _ = runs
    assert sorted(straight.gradient_norms) == [0, 1, 2, 4, 8, 10, 12]
    first = straight.gradient_norms[0]
    assert first[1] is None and all(v > 0 and math.isfinite(v) for i, v in enumerate(first) if i != 1)
    assert straight.loss[-1] < straight.loss[0]


def test_the_checkpoint_holds_the_gradient_norms_measured_so_far(runs):
    straight, info, _ = runs
    saved = History.from_dict(json.loads(json.dumps(info["history"])))
    assert saved.loss == straight.loss[:STOP_AFTER]
    assert saved.gradient_norms == _before_the_interruption(straight.gradient_norms)   # bit for bit


def test_resuming_puts_them_back(runs):
    straight, _, resumed = runs
    assert resumed.loss == straight.loss and resumed.metrics == straight.metrics and resumed.steps == straight.steps
    assert _before_the_interruption(resumed.gradient_norms) == _before_the_interruption(straight.gradient_norms)


def test_an_old_checkpoint_without_gradient_norms_resumes_with_none():
    data = History(loss=[1.0], gradient_norms={0: [0.5, None]}).to_dict()
    del data["gradient_norms"]
    assert History.from_dict(data).gradient_norms == {}


def test_a_resumed_run_has_the_gradient_norms_of_the_uninterrupted_run(runs):
    straight, _, resumed = runs
    assert resumed.gradient_norms == straight.gradient_norms
