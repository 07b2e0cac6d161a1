"""The loss contract: ``E = Σ_i w_i·ℓ_i / Σ_i w_i`` and its gradient, and the checks of predictions and targets."""

from __future__ import annotations

import numpy as np

__all__ = ["Loss", "check_sample_weight"]

_PROB_EPS = 1e-7  # probabilities are clipped into [ε, 1 - ε] before a logarithm


class Loss:
    """Base class. Subclasses implement ``_per_sample`` and ``_grad_unscaled``.

    ``_per_sample(ŷ, t) -> (batch,)`` gives ``ℓ_i``; ``_grad_unscaled(ŷ, t)``
    gives ``∂ℓ_i/∂ŷ_i`` row by row. The base class applies the sample weights.
    """

    name = "loss"
    #: the loss expects class targets (one-hot rows, or integer labels it converts)
    categorical = False
    #: ``link(outputs)`` are probabilities of classes (what ``predict_proba`` returns)
    probabilities = False

    # -- public API --------------------------------------------------------------
    def value(self, y_pred, y_true, sample_weight=None) -> float:
        """``E = Σ_i w_i·ℓ_i / Σ_i w_i`` as a Python float.

        ``y_pred`` has shape ``(batch, outputs)``, or ``(batch,)`` for one output;
        ``y_true`` the same, or class labels ``(batch,)`` for the categorical losses.
        (Predictions first, as in PyTorch's losses; :mod:`axonal.metrics` take the
        truth first, as scikit-learn's do.)
        """
        y_pred = _as_predictions(y_pred)
        y_true = self.prepare_targets(y_true, y_pred.shape[-1], y_pred.dtype)
        _check_same_shape(self, y_pred, y_true)
        per_sample = self._per_sample(y_pred, y_true)
        if sample_weight is None:
            return float(per_sample.mean(dtype=np.float64))
        w = check_sample_weight(sample_weight, y_pred.shape[0])
        return float(np.dot(per_sample.astype(np.float64), w) / w.sum())

    __call__ = value

    def grad(self, y_pred, y_true, sample_weight=None, out=None) -> np.ndarray:
        """``∂E/∂ŷ``, shape ``(batch, outputs)`` (``(batch,)`` for 1-D predictions)."""
        flat = np.ndim(y_pred) == 1
        y_pred = _as_predictions(y_pred)
        y_true = self.prepare_targets(y_true, y_pred.shape[-1], y_pred.dtype)
        _check_same_shape(self, y_pred, y_true)
        out = self._grad_unscaled(y_pred, y_true, out=out)
        if sample_weight is None:
            out *= 1.0 / y_pred.shape[0]
        else:
            w = check_sample_weight(sample_weight, y_pred.shape[0])
            out *= (w / w.sum()).astype(out.dtype)[:, None]
        return out[:, 0] if flat else out

    def value_and_grad(self, y_pred, y_true, sample_weight=None, out=None):
        """``(E, ∂E/∂ŷ)`` for targets already passed through ``prepare_targets``.

        The training loop's form: no validation, ``out`` reused across steps.
        ``sample_weight`` here is an array of shape ``(batch,)``.
        """
        per_sample = self._per_sample(y_pred, y_true)
        out = self._grad_unscaled(y_pred, y_true, out=out)
        if sample_weight is None:
            out *= 1.0 / y_pred.shape[0]
            return float(per_sample.sum(dtype=np.float64)) / y_pred.shape[0], out
        total = float(sample_weight.sum())
        if total <= 0:
            return 0.0, np.multiply(out, 0.0, out=out)
        out *= (sample_weight / total).astype(out.dtype, copy=False)[:, None]
        return float(np.dot(per_sample, sample_weight.astype(per_sample.dtype)) / total), out

    def link(self, y_pred: np.ndarray) -> np.ndarray:
        """Map network outputs to predictions (probabilities for losses on logits)."""
        return y_pred

    def prepare_targets(self, y_true, n_outputs: int, dtype) -> np.ndarray:
        """Validate targets once, before training: shape ``(batch, n_outputs)``, float."""
        y = np.asarray(y_true)
        if y.ndim == 1 and n_outputs == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[1] != n_outputs:
            hint = ""
            if y.ndim == 1 and (y.dtype.kind in "iuUSOb" or (y.dtype.kind == "f" and np.all(y == np.round(y)))):
                hint = (f"; 1-D targets that are class labels need a class loss: loss='softmax_cross_entropy' "
                        f"with a linear output layer of one unit per class")
            raise ValueError(
                f"{self.name}: targets have shape {y.shape}; the network has {n_outputs} "
                f"output(s), so targets must have shape (batch, {n_outputs}){hint}"
            )
        if not np.issubdtype(y.dtype, np.number) and y.dtype != bool:
            raise TypeError(f"{self.name}: targets must be numeric, got dtype {y.dtype}")
        return y.astype(dtype, copy=False)

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self):
        extra = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({extra})"

    # -- to implement --------------------------------------------------------------
    def _per_sample(self, y_pred, y_true) -> np.ndarray:
        raise NotImplementedError

    def _grad_unscaled(self, y_pred, y_true, out=None) -> np.ndarray:
        raise NotImplementedError


def _as_predictions(y_pred) -> np.ndarray:
    """Predictions as a float ``(batch, outputs)`` array; a 1-D array is one output."""
    y = np.asarray(y_pred)
    if not np.issubdtype(y.dtype, np.floating):
        y = y.astype(np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2:
        raise ValueError(f"predictions must have shape (batch, outputs) or (batch,), got {y.shape}")
    return y


def _class_targets(loss_name, y_true, n_outputs, dtype):
    """One-hot rows from integer labels ``(batch,)``, or validated one-hot/probability rows."""
    y = np.asarray(y_true)
    if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and n_outputs > 1):
        labels = y.reshape(-1)
        if not np.issubdtype(labels.dtype, np.integer):
            if not np.issubdtype(labels.dtype, np.floating) or np.any(labels != np.round(labels)):
                raise ValueError(
                    f"{loss_name}: 1-D targets must be integer class labels 0..{n_outputs - 1}, "
                    f"got dtype {labels.dtype}"
                )
            labels = labels.astype(np.int64)
        bad = (labels < 0) | (labels >= n_outputs)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"{loss_name}: class label {labels[i]} at row {i} is outside 0..{n_outputs - 1} "
                f"(the network has {n_outputs} outputs)"
            )
        onehot = np.zeros((labels.shape[0], n_outputs), dtype=dtype)
        onehot[np.arange(labels.shape[0]), labels] = 1.0
        return onehot
    if y.ndim != 2 or y.shape[1] != n_outputs:
        raise ValueError(
            f"{loss_name}: targets have shape {y.shape}; expected integer labels (batch,) "
            f"or one-hot rows (batch, {n_outputs})"
        )
    y = y.astype(dtype, copy=False)
    sums = y.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > 1e-3):
        i = int(np.argmax(np.abs(sums - 1.0) > 1e-3))
        raise ValueError(f"{loss_name}: target row {i} sums to {sums[i]:.4g}; class targets must sum to 1")
    return y


def _check_same_shape(loss, y_pred, y_true):
    if y_pred.shape != y_true.shape:
        raise ValueError(f"{loss.name}: predictions have shape {y_pred.shape} but targets {y_true.shape}")


def check_sample_weight(sample_weight, n):
    w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} entries for a batch of {n} samples")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("sample_weight must be finite and >= 0")
    if w.sum() <= 0:
        raise ValueError("sample_weight sums to 0: no sample would count")
    return w
