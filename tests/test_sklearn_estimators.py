"""axonal's scikit-learn estimators pass scikit-learn's own estimator checks and work in its tools."""

import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from axonal import Dense, Dropout  # noqa: E402
from axonal.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


@parametrize_with_checks([NeuralNetClassifier(random_state=0), NeuralNetRegressor(random_state=0)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def iris(seed=0):
    x, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]          # string labels
    return train_test_split(x, names, test_size=0.3, stratify=names, random_state=seed)


def test_a_pipeline_classifies_iris_with_string_labels():
    x_tr, x_te, y_tr, y_te = iris()
    model = make_pipeline(StandardScaler(), NeuralNetClassifier(hidden_layer_sizes=(16,), learning_rate=0.01,
                                                                random_state=0))
    model.fit(x_tr, y_tr)
    assert model.score(x_te, y_te) >= 0.9
    assert set(model.predict(x_te)) <= {"setosa", "versicolor", "virginica"}
    proba = model.predict_proba(x_te)
    assert proba.shape == (len(x_te), 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert list(model[-1].classes_) == ["setosa", "versicolor", "virginica"]


def test_grid_search_in_two_processes_and_cross_validation():
    x, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), NeuralNetClassifier(epochs=100, random_state=0))
    grid = GridSearchCV(pipe, {"neuralnetclassifier__hidden_layer_sizes": [(4,), (16,)],
                               "neuralnetclassifier__learning_rate": [1e-4, 1e-2]}, cv=3, n_jobs=2)
    grid.fit(x, y)
    assert grid.best_params_["neuralnetclassifier__learning_rate"] == 1e-2   # 1e-4 barely moves in 100 epochs
    assert grid.best_score_ >= 0.85
    scores = cross_val_score(make_pipeline(StandardScaler(), NeuralNetClassifier(learning_rate=0.01, random_state=0)),
                             x, y, cv=3)
    assert scores.min() >= 0.85


def test_regression_with_two_targets_and_early_stopping():
    x, y = make_regression(n_samples=400, n_features=5, n_targets=2, noise=10.0, random_state=0)
    y = y / y.std(axis=0)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, random_state=0)
    model = NeuralNetRegressor(hidden_layer_sizes=(32,), learning_rate=0.01, epochs=500, early_stopping=True,
                               patience=20, random_state=0).fit(x_tr, y_tr)
    assert model.predict(x_te).shape == (len(x_te), 2)
    assert model.score(x_te, y_te) >= 0.95
    assert model.n_iter_ < 500 and len(model.validation_loss_curve_) == model.n_iter_   # stopped early
    one = NeuralNetRegressor(hidden_layer_sizes=(8,), epochs=5, random_state=0).fit(x_tr, y_tr[:, 0])
    assert one.predict(x_te).shape == (len(x_te),)


def test_partial_fit_warm_start_and_pickling_keep_learning_where_they_stopped():
    x_tr, x_te, y_tr, y_te = iris(1)
    scaler = StandardScaler().fit(x_tr)
    x_tr, x_te = scaler.transform(x_tr), scaler.transform(x_te)
    online = NeuralNetClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clone(online).partial_fit(x_tr, y_tr)
    online.partial_fit(x_tr, y_tr, classes=["setosa", "versicolor", "virginica"])
    first = online.score(x_te, y_te)
    for _ in range(60):
        online.partial_fit(x_tr, y_tr)
    assert online.n_iter_ == 61 and online.score(x_te, y_te) >= max(0.9, first)

    warm = NeuralNetClassifier(hidden_layer_sizes=(16,), learning_rate=0.01, epochs=30, warm_start=True,
                               random_state=0).fit(x_tr, y_tr)
    copy = pickle.loads(pickle.dumps(warm))
    np.testing.assert_array_equal(copy.predict_proba(x_te), warm.predict_proba(x_te))
    warm.fit(x_tr, y_tr)
    copy.fit(x_tr, y_tr)                                   # the copy goes on exactly as the original
    assert warm.n_iter_ == copy.n_iter_ == 60
    np.testing.assert_array_equal(copy.predict_proba(x_te), warm.predict_proba(x_te))
    with pytest.raises(ValueError, match="not among the classes"):
        warm.fit(x_tr, np.where(y_tr == "setosa", "rose", y_tr))


def test_layers_given_as_a_list_are_copied_for_each_fit():
    x_tr, x_te, y_tr, y_te = iris(2)
    layers = [Dense(32, "tanh"), Dropout(0.1), Dense(16, "relu")]
    model = make_pipeline(StandardScaler(), NeuralNetClassifier(layers=layers, learning_rate=0.01, random_state=0))
    model.fit(x_tr, y_tr)
    assert model.score(x_te, y_te) >= 0.9
    assert not layers[0].built                              # the template is untouched
    again = clone(model).fit(x_tr, y_tr)
    np.testing.assert_array_equal(again.predict_proba(x_te), model.predict_proba(x_te))


def test_bad_parameters_name_the_parameter():
    x, y = load_iris(return_X_y=True)
    for params, name in (({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"), ({"epochs": 0}, "epochs"),
                         ({"batch_size": "big"}, "batch_size"), ({"validation_fraction": 1.5}, "validation_fraction")):
        with pytest.raises(ValueError, match=name):
            NeuralNetClassifier(**params).fit(x, y)
