"""Loss functions: the error ``E`` a network minimises, with its gradient ``∂E/∂ŷ``.

Every loss works on predictions ``ŷ`` of shape ``(batch, outputs)`` and targets of
the same shape, and reduces in two steps:

1. a per-sample loss ``ℓ_i`` (documented per class: a mean or a sum over outputs);
2. a weighted mean over samples ``E = Σ_i w_i·ℓ_i / Σ_i w_i`` (``w_i = 1`` when no
   ``sample_weight`` is given, which makes ``E`` the plain mean). Normalising by
   ``Σ w`` means a sample of weight ``k`` counts exactly as ``k`` copies of it.

``grad`` returns ``∂E/∂ŷ`` with the same shape as ``ŷ``; this is the ``δ`` that
backpropagation starts from. Because of the mean, it already carries the
``w_i / Σ w`` factor, so layers simply sum over the batch.

``get("mse")`` looks a loss up by name.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid, softmax
from .registry import Registry

__all__ = [
    "Loss", "MeanSquaredError", "SquaredError", "MeanAbsoluteError", "Huber",
    "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "CategoricalCrossEntropy",
    "SoftmaxCrossEntropy", "get", "names", "REGISTRY",
]

_PROB_EPS = 1e-7  # probabilities are clipped into [ε, 1 - ε] before a logarithm


class Loss:
    """Base class. Subclasses implement ``_per_sample`` and ``_grad_unscaled``.

    ``_per_sample(ŷ, t) -> (batch,)`` gives ``ℓ_i``; ``_grad_unscaled(ŷ, t)``
    gives ``∂ℓ_i/∂ŷ_i`` row by row. The base class applies the sample weights.
    """

    name = "loss"
    #: the loss expects class targets (one-hot rows, or integer labels it converts)
    categorical = False

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
            raise ValueError(
                f"{self.name}: targets have shape {y.shape}; the network has {n_outputs} "
                f"output(s), so targets must have shape (batch, {n_outputs})"
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


class MeanSquaredError(Loss):
    """``ℓ_i = (1/K)·Σ_k (ŷ_ik - t_ik)²``: the mean over outputs, no ½.

    This is the MSE of Synaptic, Keras and PyTorch. ``∂ℓ_i/∂ŷ_ik = 2·(ŷ_ik - t_ik)/K``.
    """

    name = "mse"

    def value_and_grad(self, y_pred, y_true, sample_weight=None, out=None):
        if sample_weight is not None:
            return super().value_and_grad(y_pred, y_true, sample_weight, out)
        # One residual r = ŷ - t serves both: E = Σ r² / (n·K), ∂E/∂ŷ = 2r / (n·K).
        r = np.subtract(y_pred, y_true, out=out)
        size = r.size
        value = float(np.vdot(r, r)) / size
        r *= 2.0 / size
        return value, r

    def _per_sample(self, y_pred, y_true):
        r = y_pred - y_true
        return np.einsum("ik,ik->i", r, r) / y_pred.shape[1]

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = np.subtract(y_pred, y_true, out=out)
        out *= 2.0 / y_pred.shape[1]
        return out


class SquaredError(Loss):
    """The articles' error ``ℓ_i = ½·Σ_k (t_ik - ŷ_ik)²``: half the sum over outputs.

    The ½ cancels in the derivative: ``∂ℓ_i/∂ŷ_ik = ŷ_ik - t_ik``, the delta rule's
    output error. (scikit-learn's ``squared_error`` MLP loss is this divided by K.)
    """

    name = "squared_error"

    def _per_sample(self, y_pred, y_true):
        r = y_pred - y_true
        return 0.5 * np.einsum("ik,ik->i", r, r)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        return np.subtract(y_pred, y_true, out=out)


class MeanAbsoluteError(Loss):
    """``ℓ_i = (1/K)·Σ_k |ŷ_ik - t_ik|``; ``∂ℓ_i/∂ŷ_ik = sign(ŷ_ik - t_ik)/K`` (0 at 0)."""

    name = "mae"

    def _per_sample(self, y_pred, y_true):
        return np.abs(y_pred - y_true).mean(axis=1)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = np.subtract(y_pred, y_true, out=out)
        np.sign(out, out=out)
        out *= 1.0 / y_pred.shape[1]
        return out


class Huber(Loss):
    """Huber loss, quadratic near 0 and linear beyond ``delta``; mean over outputs.

    With ``r = ŷ - t``: ``ρ(r) = ½r²`` if ``|r| <= δ`` else ``δ·(|r| - ½δ)``;
    ``ρ'(r) = clip(r, -δ, δ)``.
    """

    name = "huber"

    def __init__(self, delta: float = 1.0):
        if not delta > 0:
            raise ValueError(f"huber: delta must be > 0, got {delta!r}")
        self.delta = float(delta)

    def _per_sample(self, y_pred, y_true):
        a = np.abs(y_pred - y_true)
        quad = np.minimum(a, self.delta)
        # ½·q² + δ·(|r| - q) equals both branches of ρ.
        return (0.5 * quad * quad + self.delta * (a - quad)).mean(axis=1)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = np.subtract(y_pred, y_true, out=out)
        np.clip(out, -self.delta, self.delta, out=out)
        out *= 1.0 / y_pred.shape[1]
        return out

    def get_config(self):
        return {"name": self.name, "delta": self.delta}


class BinaryCrossEntropy(Loss):
    """Cross-entropy of independent probabilities ``p = ŷ`` in (0, 1); mean over outputs.

    ``ℓ_i = -(1/K)·Σ_k [t·ln p + (1 - t)·ln(1 - p)]``,
    ``∂ℓ_i/∂p = (p - t) / (p·(1 - p)) / K``. ``p`` is clipped into ``[1e-7, 1 - 1e-7]``.
    Prefer ``binary_cross_entropy_logits`` after a linear output layer: it is exact
    where this one has to clip.
    """

    name = "binary_cross_entropy"

    def _per_sample(self, y_pred, y_true):
        p = np.clip(y_pred, _PROB_EPS, 1.0 - _PROB_EPS)
        return -(y_true * np.log(p) + (1.0 - y_true) * np.log1p(-p)).mean(axis=1)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        p = np.clip(y_pred, _PROB_EPS, 1.0 - _PROB_EPS)
        out = np.subtract(p, y_true, out=out)
        out /= p * (1.0 - p)
        out *= 1.0 / y_pred.shape[1]
        return out


class BinaryCrossEntropyWithLogits(Loss):
    """Binary cross-entropy on logits ``z`` (``p = σ(z)``), stable; mean over outputs.

    ``ℓ_i = (1/K)·Σ_k [max(z, 0) - z·t + ln(1 + e^(-|z|))]`` (never overflows),
    ``∂ℓ_i/∂z = (σ(z) - t)/K``. ``link`` returns ``σ(z)``.
    """

    name = "binary_cross_entropy_logits"

    def _per_sample(self, y_pred, y_true):
        z = y_pred
        return (np.maximum(z, 0.0) - z * y_true + np.log1p(np.exp(-np.abs(z)))).mean(axis=1)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = sigmoid(y_pred, out=out)
        out -= y_true
        out *= 1.0 / y_pred.shape[1]
        return out

    def link(self, y_pred):
        return sigmoid(np.asarray(y_pred))


class CategoricalCrossEntropy(Loss):
    """Cross-entropy of class probabilities ``p = ŷ`` (rows summing to 1, e.g. a softmax layer).

    ``ℓ_i = -Σ_k t_ik·ln p_ik``, ``∂ℓ_i/∂p_ik = -t_ik / p_ik``; ``p`` clipped at 1e-7.
    Targets are one-hot (or probability) rows, or integer class labels.
    """

    name = "categorical_cross_entropy"
    categorical = True

    def prepare_targets(self, y_true, n_outputs, dtype):
        return _class_targets(self.name, y_true, n_outputs, dtype)

    def _per_sample(self, y_pred, y_true):
        return -np.einsum("ik,ik->i", y_true, np.log(np.clip(y_pred, _PROB_EPS, None)))

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = np.divide(y_true, np.clip(y_pred, _PROB_EPS, None), out=out)
        np.negative(out, out=out)
        return out


class SoftmaxCrossEntropy(Loss):
    """Softmax and cross-entropy fused, on logits ``z`` (a linear output layer).

    ``p = softmax(z)``, ``ℓ_i = -Σ_k t_ik·ln p_ik = logsumexp(z_i) - Σ_k t_ik·z_ik``
    (targets summing to 1), computed with the row maximum subtracted so it never
    overflows. The gradient is the clean ``∂ℓ_i/∂z_ik = p_ik - t_ik``: the softmax
    Jacobian and the ``1/p`` of the logarithm cancel. ``link`` returns ``p``.
    """

    name = "softmax_cross_entropy"
    categorical = True

    def value_and_grad(self, y_pred, y_true, sample_weight=None, out=None):
        if sample_weight is not None:
            return super().value_and_grad(y_pred, y_true, sample_weight, out)
        # s = z - max z;  E = mean(log Σ e^s) - Σ t·s / n;  ∂E/∂z = (e^s / Σ e^s - t) / n
        n = y_pred.shape[0]
        s = np.subtract(y_pred, y_pred.max(axis=1, keepdims=True), out=out)
        target_term = float(np.vdot(y_true, s))
        np.exp(s, out=s)
        sums = s.sum(axis=1, keepdims=True)
        value = (float(np.log(sums).sum(dtype=np.float64)) - target_term) / n
        s /= sums
        s -= y_true
        s *= 1.0 / n
        return value, s

    def prepare_targets(self, y_true, n_outputs, dtype):
        return _class_targets(self.name, y_true, n_outputs, dtype)

    def _per_sample(self, y_pred, y_true):
        shifted = y_pred - y_pred.max(axis=1, keepdims=True)
        log_sum = np.log(np.exp(shifted).sum(axis=1))
        return log_sum - np.einsum("ik,ik->i", y_true, shifted)

    def _grad_unscaled(self, y_pred, y_true, out=None):
        out = softmax(y_pred, out=out)
        out -= y_true
        return out

    def link(self, y_pred):
        return softmax(np.asarray(y_pred))


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


REGISTRY = Registry("loss", {
    cls.name: cls
    for cls in (MeanSquaredError, SquaredError, MeanAbsoluteError, Huber, BinaryCrossEntropy,
                BinaryCrossEntropyWithLogits, CategoricalCrossEntropy, SoftmaxCrossEntropy)
})
ALIASES = {
    "mean_squared_error": "mse", "sse": "squared_error", "half_squared_error": "squared_error",
    "mean_absolute_error": "mae", "l1": "mae", "binary_crossentropy": "binary_cross_entropy",
    "bce": "binary_cross_entropy", "bce_logits": "binary_cross_entropy_logits",
    "cross_entropy": "softmax_cross_entropy", "categorical_crossentropy": "categorical_cross_entropy",
}


REGISTRY.aliases.update(ALIASES)
names = REGISTRY.names


def get(spec) -> Loss:
    """Return a loss from a name (``"mse"``), a config dict or an instance."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, dict):
        config = dict(spec)
        return _lookup(config.pop("name", None))(**config)
    if isinstance(spec, str):
        return _lookup(spec)()
    raise TypeError(f"loss must be a name, a config dict or a Loss, got {type(spec).__name__}")


_lookup = REGISTRY.lookup
