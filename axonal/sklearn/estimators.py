"""``NeuralNetClassifier`` and ``NeuralNetRegressor``: a :class:`~axonal.Sequential` behind
scikit-learn's estimator API.

The network is the hidden layers (``hidden_layer_sizes`` × ``activation``, or the
``layers`` given) and a linear output layer of ``K`` units::

    classifier:  z = net(x) (n, K classes),  P(class k | x) = softmax(z)_k,
                 trained on the softmax cross-entropy  E = -Σ_k t_k·ln P_k
    regressor:   ŷ = net(x) (n, K targets),  trained on the mean squared error  E = Σ (ŷ - y)²/K

with the optimizer (Adam by default) over mini-batches, ``l2`` weight decay, and, with
``early_stopping``, a held-out ``validation_fraction`` (stratified for classes) whose
loss stops training after ``patience`` epochs without improvement, keeping the best
weights.

Defaults that suit small tables: ``epochs="auto"`` is a budget of about 3600 optimizer
updates (:func:`axonal.training.fit.budget_epochs`, at most 500 epochs), so 1,000 rows train as long
as 7,000; a fresh
network's output layer starts at chance (weights a tenth of their draw, the bias at the log
class priors or the mean target: :func:`axonal.initializers.start_at_chance`); and the
regressor learns the standardised targets ``(y - μ)/σ`` and folds ``μ``, ``σ`` into its output
layer (``predict`` answers in ``y``'s units; ``loss_curve_`` is in standardised units).
"""

from __future__ import annotations

import copy
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data

from .. import optimizers
from ..initializers import start_at_chance
from ..layers import Dense
from ..network import Sequential
from ..training.fit import budget_epochs

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]

_FLOATS = [np.float64, np.float32]


class _NeuralNet(BaseEstimator):
    """What both estimators share; subclasses say how targets become the network's outputs."""

    _loss = "mse"

    def __init__(self, hidden_layer_sizes=(100,), *, layers=None, activation="relu", optimizer="adam",
                 learning_rate=0.001, epochs="auto", batch_size="auto", l2=0.0001, early_stopping=False,
                 validation_fraction=0.1, patience=10, shuffle=True, dtype=None, warm_start=False,
                 random_state=None, verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.layers = layers
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.l2 = l2
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.shuffle = shuffle
        self.dtype = dtype
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # -- training --------------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Train for up to ``epochs`` epochs, from fresh weights unless ``warm_start`` and fitted before.

        Parameters
        ----------
        X : array-like (n_samples, n_features)
        y : array-like (n_samples,) or (n_samples, n_targets) for a regressor
        sample_weight : array-like (n_samples,), optional
        """
        fresh = not (self.warm_start and hasattr(self, "network_"))
        return self._fit(X, y, sample_weight, epochs=self._check_params()["epochs"], fresh=fresh, classes=None,
                         validation=True)

    def _fit(self, X, y, sample_weight, *, epochs, fresh, classes, validation):
        params = self._check_params()
        X, y = validate_data(self, X, y, reset=fresh, dtype=_FLOATS, **self._target_checks())
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        targets = self._standardised(self._targets(y, fresh, classes), fresh, sample_weight)
        rng = check_random_state(self.random_state)
        if fresh:
            dtype = self.dtype or (np.float32 if X.dtype == np.float32 else np.float64)
            hidden = (copy.deepcopy(list(self.layers)) if self.layers is not None else
                      [Dense(int(n), self.activation) for n in params["hidden"]])
            self.network_ = Sequential(hidden + [Dense(self._n_outputs)], input_dim=X.shape[1], dtype=dtype,
                                       seed=int(rng.randint(2 ** 31 - 1)))
            self.optimizer_ = optimizers.get(self.optimizer, learning_rate=float(self.learning_rate),
                                             l2=float(self.l2))
            start_at_chance(self.network_.layers[-1], targets, self._loss, weight_scale=0.1,
                            sample_weight=sample_weight)
            self.loss_curve_, self.validation_loss_curve_ = [], []
        else:
            self._fold_target_scale(back=True)
        fit_seed = int(rng.randint(2 ** 31 - 1))
        X = X.astype(self.network_.dtype, copy=False)
        options = {}
        if validation and self.early_stopping:
            X, targets, sample_weight, options = self._hold_out(X, targets, sample_weight, fit_seed)
        batch = min(200, len(X)) if self.batch_size == "auto" else min(params["batch"], len(X))
        if epochs == "auto":
            epochs = budget_epochs(len(X), batch, most=500)
        try:
            history = self.network_.fit(X, targets, loss=self._loss, optimizer=self.optimizer_, epochs=epochs,
                                        batch_size=batch, shuffle=bool(self.shuffle), sample_weight=sample_weight,
                                        progress=bool(self.verbose), seed=fit_seed, **options)
        finally:
            self._fold_target_scale(back=False)
        self.history_ = history
        self.loss_curve_ = self.loss_curve_ + list(history.loss)
        self.validation_loss_curve_ = self.validation_loss_curve_ + list(history.val_loss)
        self.n_iter_ = len(self.loss_curve_)
        return self

    def _hold_out(self, X, targets, sample_weight, seed):
        """Split off ``validation_fraction`` (stratified by class where every class can give one)."""
        stratify = self._stratify(targets)
        parts = [X, targets] + ([] if sample_weight is None else [sample_weight])
        try:
            split = train_test_split(*parts, test_size=self.validation_fraction, random_state=seed,
                                     stratify=stratify)
        except ValueError:
            split = train_test_split(*parts, test_size=self.validation_fraction, random_state=seed)
        X, X_val, targets, t_val = split[:4]
        sample_weight = None if sample_weight is None else split[4]
        return X, targets, sample_weight, {"validation_data": (X_val, t_val), "patience": int(self.patience)}

    def _stratify(self, targets):
        return None

    def _standardised(self, targets, fresh, sample_weight):
        """The targets the network learns (the regressor's are standardised)."""
        return targets

    def _fold_target_scale(self, back: bool) -> None:
        """Put the targets' scale into the output layer (``back``: take it out again); a classifier has none."""

    def _check_params(self) -> dict:
        """The parameters checked, with an error naming the one that is wrong."""
        name = type(self).__name__
        hidden = self.hidden_layer_sizes
        hidden = (hidden,) if isinstance(hidden, numbers.Integral) else tuple(hidden)
        if any(isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1 for n in hidden):
            raise ValueError(f"{name}: hidden_layer_sizes must hold positive integers, got {self.hidden_layer_sizes!r}")
        for label in ("epochs", "patience"):
            value = getattr(self, label)
            if label == "epochs" and value == "auto":
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name}: {label} must be a positive integer, got {value!r}")
        batch = self.batch_size
        if batch != "auto" and (isinstance(batch, bool) or not isinstance(batch, numbers.Integral) or batch < 1):
            raise ValueError(f"{name}: batch_size must be 'auto' or a positive integer, got {batch!r}")
        if not (isinstance(self.validation_fraction, (int, float)) and 0 < self.validation_fraction < 1):
            raise ValueError(f"{name}: validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        if self.layers is not None and not isinstance(self.layers, (list, tuple)):
            raise ValueError(f"{name}: layers must be a list of axonal layers (the hidden part), got "
                             f"{type(self.layers).__name__}")
        return {"hidden": hidden, "epochs": self.epochs if self.epochs == "auto" else int(self.epochs),
                "batch": batch}

    # -- predicting ------------------------------------------------------------------------------
    def _outputs(self, X):
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=_FLOATS)
        return self.network_.predict(X.astype(self.network_.dtype, copy=False))


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """A neural-network classifier with scikit-learn's API (softmax over the classes).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (100,)
        Units of each hidden :class:`~axonal.Dense` layer.
    layers : list of axonal layers, optional
        The hidden part given as layers instead (copied at each fresh ``fit``); replaces
        ``hidden_layer_sizes`` and ``activation``.
    activation : str, default "relu"
        The hidden layers' activation (:mod:`axonal.activations`).
    optimizer : str, dict or Optimizer, default "adam"
    learning_rate : float, default 0.001
    epochs : int or "auto", default "auto"
        The most passes over the data per ``fit``; ``"auto"``: about 3600 optimizer updates
        (``⌈3600 / batches per epoch⌉`` epochs, 20 to 500).
    batch_size : int or "auto", default "auto"
        ``"auto"``: ``min(200, n_samples)``.
    l2 : float, default 0.0001
        Weight decay added to each weight's gradient (``g + l2·w``).
    early_stopping, validation_fraction, patience
        Hold out ``validation_fraction`` of the data (stratified) and stop after ``patience``
        epochs without a lower validation loss, keeping the best weights.
    shuffle : bool, default True
    dtype : "float32", "float64" or None
        ``None``: float32 for float32 input, else float64.
    warm_start : bool, default False
        ``fit`` continues from the fitted weights (and optimizer state).
    random_state : int, RandomState or None
        Seeds the initial weights, the shuffling and the validation split.
    verbose : int, default 0
        Show axonal's progress display when > 0.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels ``fit`` saw, sorted; output ``k`` (and column ``k`` of
        ``predict_proba``) is ``classes_[k]``.
    n_features_in_ : int
        The number of features (columns of ``X``) ``fit`` saw.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names ``fit`` saw, when ``X`` had string column names (a DataFrame);
        absent otherwise.
    network_ : axonal.Sequential
        The trained network: the hidden layers and the linear output layer.
    optimizer_ : axonal.optimizers.Optimizer
        The optimizer with its state (moments, step count), which ``warm_start`` and
        ``partial_fit`` continue.
    loss_curve_ : list of float
        The training loss after each epoch, since the last fit from fresh weights.
    validation_loss_curve_ : list of float
        The held-out loss after each epoch (empty without ``early_stopping``).
    n_iter_ : int
        The epochs trained since the last fit from fresh weights, ``len(loss_curve_)``.
    history_ : axonal.History
        The last ``fit`` or ``partial_fit`` call's history (losses, stop reason).
    """

    _loss = "softmax_cross_entropy"

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over ``X``, ``y``; the first call must give every class in ``classes``."""
        first = not hasattr(self, "network_")
        if first and classes is None:
            raise ValueError("NeuralNetClassifier.partial_fit: classes must be passed on the first call "
                             "(every label the model will see)")
        return self._fit(X, y, sample_weight, epochs=1, fresh=first, classes=classes, validation=False)

    def predict_proba(self, X):
        """``P(class | x)``, (n_samples, n_classes), columns in the order of ``classes_``."""
        logits = self._outputs(X)
        return np.asarray(self.network_.loss_.link(logits), dtype=np.float64)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each sample, as the labels ``fit`` saw."""
        logits = self._outputs(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def _target_checks(self) -> dict:
        return {}

    def _targets(self, y, fresh, classes):
        check_classification_targets(y)
        y = column_or_1d(y, warn=True)
        if fresh:
            labels = np.unique(y) if classes is None else np.unique(np.asarray(classes))
            if len(labels) < 2:
                raise ValueError(f"NeuralNetClassifier: needs samples of at least 2 classes; got one class "
                                 f"({labels[0]!r})" if len(labels) else "NeuralNetClassifier: no classes")
            self.classes_ = labels
            self._n_outputs = len(labels)
        codes = np.searchsorted(self.classes_, y)
        codes = np.minimum(codes, len(self.classes_) - 1)
        unknown = self.classes_[codes] != y
        if unknown.any():
            raise ValueError(f"NeuralNetClassifier: labels {sorted(set(y[unknown].tolist()))[:5]} are not among "
                             f"the classes the model was fitted with ({list(self.classes_)[:10]})")
        return codes

    def _stratify(self, targets):
        counts = np.bincount(targets, minlength=len(self.classes_))
        return targets if counts.min() >= 2 else None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A neural-network regressor with scikit-learn's API (linear outputs, mean squared error).

    Parameters are those of :class:`NeuralNetClassifier`. ``y`` may have several columns
    (one output each); ``predict`` gives the shape ``fit`` saw.

    Attributes
    ----------
    n_features_in_ : int
        The number of features (columns of ``X``) ``fit`` saw.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The column names ``fit`` saw, when ``X`` had string column names (a DataFrame);
        absent otherwise.
    network_ : axonal.Sequential
        The trained network: the hidden layers and the linear output layer.
    optimizer_ : axonal.optimizers.Optimizer
        The optimizer with its state (moments, step count), which ``warm_start`` and
        ``partial_fit`` continue.
    loss_curve_ : list of float
        The training loss after each epoch, since the last fit from fresh weights, in standardised units (the targets' ``(y - μ)/σ``).
    validation_loss_curve_ : list of float
        The held-out loss after each epoch (empty without ``early_stopping``), in standardised units (the targets' ``(y - μ)/σ``).
    n_iter_ : int
        The epochs trained since the last fit from fresh weights, ``len(loss_curve_)``.
    history_ : axonal.History
        The last ``fit`` or ``partial_fit`` call's history (losses, stop reason).
    """

    _loss = "mse"

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``X``, ``y`` (from fresh weights on the first call)."""
        return self._fit(X, y, sample_weight, epochs=1, fresh=not hasattr(self, "network_"), classes=None,
                         validation=False)

    def predict(self, X):
        """``ŷ`` (n_samples,) or (n_samples, n_targets), as ``y`` was given."""
        out = np.asarray(self._outputs(X), dtype=np.float64)
        return out[:, 0] if self._one_target else out

    def _target_checks(self) -> dict:
        return {"multi_output": True, "y_numeric": True}

    def _targets(self, y, fresh, classes):
        y = np.asarray(y, dtype=np.float64)
        one = y.ndim == 1
        y = y.reshape(len(y), -1)
        if fresh:
            self._one_target, self._n_outputs = one, y.shape[1]
        elif y.shape[1] != self._n_outputs:
            raise ValueError(f"NeuralNetRegressor: y has {y.shape[1]} targets; the model was fitted with "
                             f"{self._n_outputs}")
        return y.astype(self.network_.dtype if not fresh else np.float64, copy=False)

    def _standardised(self, targets, fresh, sample_weight):
        if fresh:  # the weighted mean and spread (a weight k counts as k copies)
            mean = np.average(targets, axis=0, weights=sample_weight)
            scale = np.sqrt(np.average((targets - mean) ** 2, axis=0, weights=sample_weight))
            self._target_mean, self._target_scale = mean, np.where(scale > 0, scale, 1.0)
        return (targets - self._target_mean) / self._target_scale

    def _fold_target_scale(self, back: bool) -> None:
        mean, scale = self._target_mean, self._target_scale
        layer = self.network_.layers[-1]
        if back:
            layer.rescale_outputs(1.0 / scale, -mean / scale)
        else:
            layer.rescale_outputs(scale, mean)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
