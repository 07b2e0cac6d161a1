"""scikit-learn estimators: axonal networks in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``.

:class:`NeuralNetClassifier` and :class:`NeuralNetRegressor` follow scikit-learn's
conventions (``fit``/``predict``/``predict_proba``/``score``/``partial_fit``,
``get_params``/``set_params``, ``random_state``, ``warm_start``, fitted attributes with a
trailing underscore) and train an axonal :class:`~axonal.Sequential` underneath, kept as
``network_``::

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from axonal.sklearn import NeuralNetClassifier

    model = make_pipeline(StandardScaler(), NeuralNetClassifier(hidden_layer_sizes=(32,), random_state=0))
    model.fit(X, y).score(X_test, y_test)

They need scikit-learn (``pip install "axonal[sklearn]"``); the rest of axonal does not.
"""

from __future__ import annotations

try:
    import sklearn  # noqa: F401
except ImportError as exc:   # pragma: no cover - depends on the environment
    raise ImportError("axonal.sklearn needs scikit-learn: pip install 'axonal[sklearn]'") from exc

from .estimators import NeuralNetClassifier, NeuralNetRegressor

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]
