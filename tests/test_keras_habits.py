"""What Keras users type: accepted where it costs little and cannot mislead, else an error naming axonal's way."""

import re

import numpy as np
import pytest

from axonal import GRU, LSTM, Dense, Sequential
from axonal.synaptic.architect import Perceptron
from axonal.metrics import roc_auc


def separable(n=80, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    return x, (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)


def test_input_shape_is_input_dim_for_dense_and_recurrent_layers():
    assert Sequential([Dense(8, "relu", input_shape=(4,)), Dense(1)]).input_shape == (4,)
    assert Sequential([LSTM(3, input_shape=(None, 5)), Dense(1)]).input_shape == (None, 5)
    assert Sequential([GRU(3, input_shape=(7, 2))]).input_shape == (None, 2)   # the time axis stays free
    with pytest.raises(ValueError, match="input_dim=3 and input_shape=.4,. disagree"):
        Dense(2, input_dim=3, input_shape=(4,))


def test_keras_methods_name_axonal_s_way():
    net = Sequential([Dense(2, input_dim=4)])
    for method, hint in (("save", "axonal.save(net, path)"), ("compile", "loss= and optimizer="),
                         ("add", "Sequential([...])")):
        with pytest.raises(AttributeError, match=re.escape(f"no {method}(): ") + ".*" + re.escape(hint)):
            getattr(net, method)
    with pytest.raises(AttributeError, match="no attribute 'anything_else'"):
        net.anything_else
    assert not hasattr(net, "compile") and not hasattr(Sequential, "fit_generator")
    assert "compile" not in dir(net) and "fit" in dir(net) and "layers" in dir(net)

    class Saving(Sequential):
        def save(self, path):
            return path
    own = Saving([Dense(2, input_dim=4)])
    assert own.save("here") == "here" and "save" in dir(own) and "add" not in dir(own)

    class SaveMixin:                    # listed after Sequential: its method still wins over the hint
        def save(self, path):
            return "saved " + path

        @property
        def compile(self):
            return "compiled"
    mixed = type("Mixed", (Sequential, SaveMixin), {})([Dense(2, input_dim=4)])
    assert mixed.save("p") == "saved p" and mixed.compile == "compiled" and "save" in dir(mixed)
    with pytest.raises(AttributeError, match="no add"):
        mixed.add
    net.add = "mine"                    # an instance attribute is the instance's
    assert net.add == "mine" and "add" in dir(net)
    with pytest.raises(AttributeError, match=re.escape("GraphNetwork has no predict_on_batch(): predict(x)")):
        Perceptron(2, 1).predict_on_batch
    with pytest.raises(ValueError, match="needs its layers when created"):
        Sequential()


def test_auc_as_a_metric_in_fit_and_evaluate():
    x, y = separable()
    net = Sequential([Dense(8, "tanh", input_dim=4), Dense(2)], seed=0)
    history = net.fit(x, y, loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.05, epochs=30,
                      metrics=["auc", "accuracy"], verbose=0)
    assert history.metrics["auc"][-1] >= 0.99 and history.metrics["auc"][-1] >= history.metrics["auc"][0]
    scores = net.evaluate(x, y, metrics=["auc", "accuracy"])
    assert set(scores) == {"loss", "auc", "accuracy"} and scores["loss"] == net.evaluate(x, y)
    assert scores["auc"] == pytest.approx(roc_auc(y, net.predict_proba(x)))


def test_roc_auc_counts_ordered_pairs():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    score = np.round(rng.random(200), 1)                  # many ties
    pos, neg = score[y == 1], score[y == 0]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert roc_auc(y, score) == pytest.approx(pairs, abs=1e-12)
    assert roc_auc(y, np.stack([1 - score, score], axis=1)) == pytest.approx(pairs, abs=1e-12)
    three = rng.integers(0, 3, 200)
    probs = rng.dirichlet(np.ones(3), 200)
    per_class = [roc_auc((three == k).astype(int), probs[:, k]) for k in range(3)]
    assert roc_auc(three, probs) == pytest.approx(np.mean(per_class))
    with pytest.raises(ValueError, match="two classes"):
        roc_auc(np.zeros(5, int), np.linspace(0, 1, 5))


def test_early_stopping_and_csv_logger_as_keras_users_write_them(tmp_path):
    import csv

    from axonal.callbacks import CSVLogger, EarlyStopping
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    y = x[:, :1] + rng.normal(scale=1.0, size=(60, 1))           # noisy: validation stops improving
    net = Sequential([Dense(32, "tanh", input_dim=4), Dense(1)], seed=0)
    log = tmp_path / "log.csv"
    history = net.fit(x, y, optimizer="adam", learning_rate=0.05, epochs=300, validation_split=0.3, verbose=0,
                      callbacks=[EarlyStopping(patience=5, restore_best_weights=True), CSVLogger(log)])
    assert history.stop_reason == "no_improvement" and len(history.loss) < 300
    assert net.evaluate(x[42:], y[42:]) == pytest.approx(min(history.val_loss), rel=1e-5)   # the best epoch's weights
    rows = list(csv.reader(open(log, newline="")))
    assert rows[0] == ["epoch", "learning_rate", "loss", "val_loss"] and len(rows) == len(history.loss) + 1
    assert [float(r[3]) for r in rows[1:]] == pytest.approx(history.val_loss)


def test_keras_callbacks_axonal_spells_otherwise_name_its_way():
    with pytest.raises(ImportError, match=r"no ModelCheckpoint: fit\(checkpoint=path"):
        from axonal.callbacks import ModelCheckpoint  # noqa: F401
    with pytest.raises(ImportError, match="no TensorBoard: use EpochLogger"):
        from axonal.callbacks import TensorBoard  # noqa: F401
