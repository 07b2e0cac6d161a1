"""Classifiers take their labels as they come (text included), say which loss fits the targets, and give
labels and probabilities only where they mean something."""

import numpy as np
import pytest

from axonal import Dense, Sequential

NAMES = np.array(["setosa", "versicolor", "virginica"])


def blobs(n=60, seed=0):
    """Three well-separated clusters in 4 dimensions; labels as text."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 3, n)
    centres = np.array([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]], float)
    return centres[codes] + rng.normal(scale=0.5, size=(n, 4)), NAMES[codes]


def classifier(outputs=3, seed=0):
    return Sequential([Dense(8, "tanh"), Dense(outputs)], seed=seed)


def test_text_labels_train_and_come_back_as_labels():
    x, y = blobs()
    x_val, y_val = blobs(30, seed=1)
    net = classifier()
    history = net.fit(x, y, loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.05, epochs=60,
                      validation_data=(x_val, y_val), progress=False)
    assert net.classes_ == ["setosa", "versicolor", "virginica"]
    assert history.val_loss[-1] < history.val_loss[0]
    assert (net.predict_classes(x_val) == y_val).mean() >= 0.9
    proba = net.predict_proba(x_val)
    assert np.allclose(proba.sum(axis=1), 1) and (NAMES[proba.argmax(axis=1)] == net.predict_classes(x_val)).all()
    assert net.evaluate(x_val, y_val) == pytest.approx(net.evaluate(x_val, np.searchsorted(NAMES, y_val)))
    with pytest.raises(ValueError, match="'rose' are not among the classes"):
        net.fit(x, np.where(y == "setosa", "rose", y), loss="softmax_cross_entropy", epochs=1, progress=False)


def test_two_text_classes_on_one_logistic_output():
    x, y = blobs()
    y = np.where(y == "setosa", "yes", "no")
    net = classifier(outputs=1)
    net.fit(x, y, loss="binary_cross_entropy_logits", optimizer="adam", learning_rate=0.05, epochs=60,
            progress=False)
    assert net.classes_ == ["no", "yes"]
    assert (net.predict_classes(x) == y).mean() >= 0.95
    assert net.predict_proba(x).shape == (len(x), 1)


def test_labels_with_a_regression_loss_name_the_class_loss():
    x, y = blobs()
    with pytest.raises(ValueError, match="loss='softmax_cross_entropy'"):
        classifier().fit(x, y, epochs=1, progress=False)                      # text labels, default mse
    with pytest.raises(ValueError, match="loss='softmax_cross_entropy'"):
        classifier().fit(x, np.searchsorted(NAMES, y), epochs=1, progress=False)   # integer labels, mse
    with pytest.raises(ValueError, match="3 classes .* 2 output"):
        classifier(outputs=2).fit(x, y, loss="softmax_cross_entropy", epochs=1, progress=False)


def test_predict_proba_refuses_a_regression():
    x, _ = blobs()
    net = classifier(outputs=1)
    net.fit(x, x[:, 0], epochs=2, progress=False)
    with pytest.raises(ValueError, match="'mse', whose outputs are not probabilities"):
        net.predict_proba(x)
    with pytest.raises(ValueError, match="not probabilities"):
        net.predict_classes(x)


def test_a_network_carries_its_loss_and_optimizer_through_a_file(tmp_path):
    import axonal
    from axonal import Adam
    x, y = blobs()
    net = Sequential([Dense(8, "tanh", input_dim=4), Dense(3)], seed=0, loss="softmax_cross_entropy",
                     optimizer=Adam(0.05))
    first = net.fit(x, y, epochs=20, progress=False)                   # no loss, no optimizer named
    assert net.loss_.name == "softmax_cross_entropy" and net.optimizer_.iterations == 20 * 2
    axonal.save(net, tmp_path / "model.axonal")
    loaded = axonal.load(tmp_path / "model.axonal")
    assert loaded.classes_ == net.classes_ and loaded.optimizer_.iterations == net.optimizer_.iterations
    again = loaded.fit(x, y, epochs=20, progress=False, seed=1)         # the saved loss, and Adam's state
    twin = net.fit(x, y, epochs=20, progress=False, seed=1)
    assert again.loss == twin.loss and again.loss[-1] < first.loss[0]
    assert (loaded.predict_classes(x) == y).mean() >= 0.9
    faster = loaded.fit(x, y, epochs=1, learning_rate=0.01, progress=False)
    assert loaded.optimizer_.learning_rate == 0.01 and loaded.optimizer_.iterations == 2 and faster.loss
