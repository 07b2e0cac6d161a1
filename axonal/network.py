"""Feed-forward networks: layers applied one after another.

``Sequential([l_1, ..., l_L])`` computes ``y = l_L(...l_2(l_1(x)))``. Its backward
runs the layers in reverse, each turning ``∂E/∂(its output)`` into
``∂E/∂(its input)`` (backpropagation). A single-layer perceptron and a deep MLP
are the same class with one or many ``Dense`` layers.

The top-level network owns its parameters in one flat :class:`ParameterSet`
(``net.params``); each parameter is reachable by its dotted name,
``"layers.0.weight"``.
"""

from __future__ import annotations

import copy as _copy
from dataclasses import replace

import numpy as np

from . import layers as _layers
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from ._validation import as_input_array
from .class_labels import class_labels, is_text_labels, label_codes
from .feature_names import align_columns
from .keras_habits import KerasHints
from .named_weights import NamedWeights
from .layers.base import Layer
from .parameters import ParameterSet
from .summary import summary_table
from .targets import check_mask, loss_rows, loss_weights, prepare_targets
from .training.fit import fit
from .validation import positive_int

__all__ = ["Sequential"]

_DTYPES = {"float32": np.float32, "float64": np.float64}


@_layers.REGISTRY.register
class Sequential(KerasHints, NamedWeights, Layer):
    """A stack of layers; itself a layer, so it can be a block inside another container.

    Parameters
    ----------
    layers : list of Layer
    input_dim : int, optional
        Number of input features. If neither this nor the first layer's
        ``input_dim`` is given, the network is built on the first data it sees.
    dtype : {"float32", "float64"}, default "float32"
        Precision of every parameter and computation in the network.
    seed : int or numpy.random.Generator, optional
        Seeds weight initialisation and the dropout masks. The same seed gives the
        same network; ``None`` draws fresh entropy.
    name : str, optional
    loss, optimizer : optional
        The loss and optimizer ``fit`` uses when it is given none (names, configs or
        instances); saved in the model file, so a loaded model trains on with ``fit(x, y)``.

    Examples
    --------
    >>> from axonal import Sequential, Dense
    >>> net = Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "logistic")], seed=0)
    >>> net.count_parameters()
    13
    >>> sorted(net.parameters())
    ['layers.0.bias', 'layers.0.weight', 'layers.1.bias', 'layers.1.weight']
    """

    has_training_mode = True
    #: ``from_config(config, build=...)``: a nested block is rebuilt unbuilt; its parent builds it.
    builds_from_config = True

    def __init__(self, layers=None, *, input_dim: int | None = None, dtype="float32",
                 seed=None, name: str | None = None, loss=None, optimizer=None, _defer_build: bool = False):
        super().__init__(name=name)
        layers = list(layers or [])
        if not layers:
            raise ValueError("Sequential needs its layers when created: Sequential([Dense(8, 'relu', input_dim=4), "
                             "Dense(1)]) (there is no add())")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential: item {i} is a {type(layer).__name__}, not a Layer")
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValueError("Sequential: the same layer object appears twice; create a new layer for each use")
        self.layers = layers
        if str(dtype) not in _DTYPES and getattr(dtype, "__name__", None) not in _DTYPES:
            raise ValueError(f"Sequential: dtype must be float32 or float64, got {dtype!r:.40}")
        self.dtype = np.dtype(dtype)
        self.seed = seed
        self.params_: ParameterSet | None = None
        #: the loss, optimizer (given here, or of the last ``fit``) and schedule; user metadata from a file
        self.loss_ = None if loss is None else _losses.get(loss)
        self.optimizer_ = None if optimizer is None else _optimizers.get(optimizer)
        self.schedule_ = None
        self.metadata_ = None
        self._classes: list | None = None
        #: the input columns' names, from a table given to ``fit`` (``None``: read by position)
        self.feature_names_: list[str] | None = None
        if input_dim is None:
            input_dim = getattr(layers[0], "input_dim", None)
        if input_dim is not None and (isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer))
                                      or input_dim < 1):
            raise ValueError(f"Sequential: input_dim must be a positive integer, got {input_dim!r:.40}")
        self.input_dim = None if input_dim is None else int(input_dim)
        if input_dim is not None and not _defer_build:
            self.build(self.declared_input_shape())

    @property
    def classes_(self) -> list | None:
        """Class labels of the outputs of a classifier (``None`` otherwise); see :func:`class_labels`."""
        return self._classes

    @classes_.setter
    def classes_(self, classes) -> None:
        outputs = self.output_shape[-1] if self.built and self.output_shape else None
        self._classes = class_labels(classes, outputs, self.describe())

    # -- building ------------------------------------------------------------------
    def children(self):
        return list(self.layers)

    @property
    def input_rank(self):
        return self.layers[0].input_rank

    def declared_input_shape(self) -> tuple:
        """The input shape ``input_dim`` stands for: ``(input_dim,)``, or ``(time, input_dim)``
        with a free time axis when the first layer reads sequences."""
        if self.input_dim is None:
            raise RuntimeError(f"{self.describe()} has no input_dim")
        return (None,) * (self.input_rank - 1) + (int(self.input_dim),)

    def plan(self, input_shape):
        specs, shape = [], tuple(input_shape)
        for i, layer in enumerate(self.layers):
            layer_specs, shape = layer.plan(shape)
            specs += [replace(spec, name=f"layers.{i}.{spec.name}") for spec in layer_specs]
        return specs, shape

    def _build(self, input_shape, rng):
        shape = input_shape
        for layer in self.layers:
            shape = layer.build(shape, rng, self.dtype)
        return shape

    def build(self, input_shape, rng=None, dtype=None):
        """Build every layer for inputs ``(batch, *input_shape)``; return the output shape.

        Called as ``net.build(input_shape)``, the network draws its weights from its
        own seed and gathers its parameters into one flat buffer. A container that
        holds it (``Residual``) passes its own ``rng`` and ``dtype`` instead, and its
        dtype wins.
        """
        if rng is not None:
            if dtype is not None:
                self.dtype = np.dtype(dtype)
            return super().build(input_shape, rng, self.dtype)
        rng = self.seed if isinstance(self.seed, np.random.Generator) else np.random.default_rng(self.seed)
        super().build(tuple(input_shape), rng, self.dtype)
        self.input_shape = self.layers[0].input_shape  # a recurrent first layer frees the time axis
        self._rng = rng
        entries = [(name, owner.params[local], decay)
                   for name, owner, local, decay in self.named_parameters()]
        self.params_ = ParameterSet(entries, self.dtype)
        for name, owner, local, _ in self.named_parameters():
            owner.params[local] = self.params_.view(self.params_.values, name)
            owner.grads[local] = self.params_.view(self.params_.grads, name)
        return self.output_shape

    def __setstate__(self, state: dict) -> None:
        """After unpickling, every layer's parameters and gradients are views of the flat vectors again
        (pickle copies views apart)."""
        self.__dict__.update(state)
        params = getattr(self, "params_", None)
        if params is not None:
            for name, owner, local, _ in self.named_parameters():
                owner.params[local] = params.view(params.values, name)
                owner.grads[local] = params.view(params.grads, name)

    def spawn_rng(self) -> np.random.Generator:
        """A new generator drawn from the network's seeded stream (used to shuffle in ``fit``)."""
        rng = getattr(self, "_rng", None)
        if rng is None:
            rng = self._rng = np.random.default_rng(self.seed)
        return np.random.default_rng(rng.integers(0, 2**63 - 1))

    def reset_state(self) -> None:
        """Forget the state stateful recurrent layers carry between calls (between sequences)."""
        for layer in self.layers:
            if hasattr(layer, "reset_state"):
                layer.reset_state()

    def named_parameters(self, prefix=""):
        for i, layer in enumerate(self.layers):
            yield from layer.named_parameters(f"{prefix}layers.{i}.")

    def named_state(self, prefix=""):
        for i, layer in enumerate(self.layers):
            yield from layer.named_state(f"{prefix}layers.{i}.")

    def _require_built(self, what: str):
        if not self.built:
            raise RuntimeError(f"{self.describe()} is not built yet: give input_dim, or call fit or predict "
                               f"before {what}")

    # -- computing -------------------------------------------------------------------
    def forward(self, x, *, training=False, mask=None):
        """Each layer in turn: ``y = l_L(...l_1(x))``; ``training=True`` keeps what backward needs.

        ``mask`` (batch, time) marks the real steps of padded sequences; it reaches every
        recurrent layer while the data still has a time axis.
        """
        for layer in self.layers:
            if mask is not None and layer.input_rank == 2 and x.ndim == 3:
                x = layer.forward(x, training=training, mask=mask)
            else:
                x = layer.forward(x, training=training)
        return x

    def backward(self, grad_y):
        """Backpropagation: the layers in reverse, each turning ``∂E/∂(output)`` into ``∂E/∂(input)``."""
        self.layers[0].input_grad_needed = self.input_grad_needed
        for layer in reversed(self.layers):
            grad_y = layer.backward(grad_y)
        return grad_y

    def predict(self, x, *, batch_size: int = 4096, mask=None) -> np.ndarray:
        """Outputs of the network for ``x`` (inference mode: no dropout, running statistics).

        ``x`` has shape ``(batch, features)``, or ``(features,)`` for one sample
        (then one output row is returned as a 1-D array).
        """
        positive_int(batch_size, "predict", "batch_size")
        single = isinstance(x, np.ndarray) and x.ndim == 1 or _is_flat_list(x)
        x = self.prepare_input(x, "predict")
        if mask is not None:
            mask = np.asarray(mask, dtype=self.dtype)
            if x.ndim != 3 or mask.shape != x.shape[:2]:
                raise ValueError(f"predict: mask must have shape (batch, time) = {x.shape[:2]}, got {mask.shape}")
        out = [self.forward(x[i:i + batch_size], training=False,
                            mask=None if mask is None else mask[i:i + batch_size])
               for i in range(0, max(len(x), 1), batch_size)]
        y = out[0] if len(out) == 1 else np.concatenate(out)
        return y[0] if single else y

    def predict_proba(self, x, **kwargs) -> np.ndarray:
        """Class probabilities: the outputs mapped by the training loss's link (softmax for
        ``softmax_cross_entropy``, the logistic for ``binary_cross_entropy_logits``)."""
        if self.loss_ is None:
            raise RuntimeError("predict_proba needs the loss the network was trained with; call fit first "
                               "or set net.loss_")
        if not self.loss_.probabilities:
            raise ValueError(f"predict_proba: the network was trained with {self.loss_.name!r}, whose outputs are "
                             f"not probabilities of classes; use predict")
        return self.loss_.link(self.predict(x, **kwargs))

    def predict_classes(self, x, **kwargs) -> np.ndarray:
        """The class of each sample, named as in ``classes_``: the most probable one (one
        logistic output: the second class where its probability is above one half)."""
        p = self.predict_proba(x, **kwargs)
        codes = (p[..., 0] > 0.5).astype(np.int64) if p.shape[-1] == 1 else np.argmax(p, axis=-1)
        labels = self.classes_ if self.classes_ is not None else [0, 1]
        return np.asarray(labels)[codes]

    def evaluate(self, x, y, *, loss=None, sample_weight=None, metrics=None, mask=None):
        """The mean loss ``E = Σ_r w_r·ℓ_r / Σ_r w_r`` on ``(x, y)`` in inference mode (default: the
        training loss); class labels may be those of ``classes_``. With ``metrics`` (names, as for
        ``fit``): a dict ``{"loss": E, name: value, ...}``, the metrics computed on the loss's link
        (probabilities).

        The rows ``r`` are the samples, or for outputs at every step ``(samples, time, k)`` each
        (sample, step), as in ``fit``: ``y`` is then ``(samples, time, k)`` or labels ``(samples,
        time)``, ``sample_weight`` ``(samples,)`` or ``(samples, time)``, and ``mask`` (samples, time)
        leaves padded steps out of the loss and the metrics."""
        self._require_built("evaluate()")
        loss = _losses.get(loss) if loss is not None else self.loss_
        if loss is None:
            raise ValueError("evaluate: give loss=..., or train the network first")
        if is_text_labels(y):
            y = label_codes(y, self.classes_, self.output_shape[-1], "evaluate")[0]
        out = self.predict(x)
        if out.ndim == 3:
            out, y, sample_weight = _sequence_rows(loss, out, y, sample_weight, mask)
        elif mask is not None:
            raise ValueError(f"evaluate: mask is for outputs at every time step; this network's outputs have "
                             f"shape {out.shape}")
        value = loss.value(out, y, sample_weight=sample_weight)
        if metrics is None:
            return value
        found = [_metrics.get(m) for m in (metrics if isinstance(metrics, (list, tuple)) else [metrics])]
        return {"loss": value, **{m.name: m(y, loss.link(out)) for m in found}}

    #: Train the network: :func:`axonal.training.fit` with the network as ``net``.
    fit = fit

    def prepare_input(self, x, where: str) -> np.ndarray:
        """``x`` as a checked ``(batch, features...)`` array of the network's dtype; an unbuilt
        network is built for its shape; a table's columns are matched by name with those of the
        table ``fit`` saw. Errors name ``where`` (``"fit"``, ``"predict"``)."""
        x = as_input_array(align_columns(x, getattr(self, "feature_names_", None), where), self.dtype, where)
        if not self.built:
            self.build(x.shape[1:])
        else:
            self.layers[0].check_input(x)
        return x

    def copy(self) -> "Sequential":
        """An independent deep copy (weights, state and configuration)."""
        self.release_buffers()
        return _copy.deepcopy(self)   # __setstate__ makes the copy's layers views of its flat vectors

    def stateful_copy(self) -> "Sequential":
        """A copy whose recurrent layers carry their state from one call to the next.

        For feeding a sequence a step (or a chunk) at a time, as Synaptic's
        ``activate`` does; ``reset_state()`` starts a new sequence. The original
        network is left as it is.
        """
        stepper = self.copy()
        for layer in stepper.layers:
            if hasattr(layer, "stateful"):
                layer.stateful = True
        stepper.reset_state()
        return stepper

    def summary(self) -> str:
        """A table of layers, output shapes and parameter counts."""
        self._require_built("summary()")
        return summary_table(self)

    def get_config(self):
        config = {"layers": [{"class": type(l).__name__, "config": l.get_config()} for l in self.layers],
                  "dtype": str(self.dtype)}
        if self.input_shape is not None:
            config["input_dim"] = self.input_shape[-1]
        config.update(super().get_config())
        return config

    @classmethod
    def from_config(cls, config, *, build: bool = True):
        """Rebuild from ``get_config()``; ``build=False`` leaves it unbuilt even if it names ``input_dim``."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("Sequential: config must be a mapping with a 'layers' list")
        unknown = set(config) - {"layers", "dtype", "input_dim", "name"}
        if unknown:
            raise ValueError(f"Sequential: unknown config keys {sorted(unknown)!r:.200}")
        dtype = config.get("dtype", "float32")
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise ValueError(f"Sequential: config key 'dtype' must be 'float32' or 'float64', got {dtype!r:.40}")
        layers = []
        for i, spec in enumerate(config["layers"]):
            try:
                layers.append(_layers.layer_from_spec(spec))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"layer {i}: {exc}") from None
        net = cls(layers, input_dim=config.get("input_dim"), dtype=dtype, name=config.get("name"),
                  _defer_build=True)
        input_dim = net.input_dim
        if build and input_dim is not None:
            net.build(net.declared_input_shape())
        return net

    def describe(self):
        return self.name or "Sequential"

    def __repr__(self):
        inner = ",\n".join("    " + repr(layer) for layer in self.layers)
        return f"Sequential([\n{inner}\n], dtype={str(self.dtype)!r})"


def _is_flat_list(x) -> bool:
    """A list or tuple of numbers: one sample given as a plain sequence."""
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(np.isscalar(v) for v in x)


def _sequence_rows(loss, out, y, sample_weight, mask):
    """Outputs ``(samples, time, k)`` with their targets, weights and mask as loss rows (those of
    ``fit``): ``(rows, k)`` predictions and targets, and ``(rows,)`` weights or ``None``; padded
    steps (mask 0) are left out."""
    y = np.asarray(y)
    t = prepare_targets(loss, y, out.shape[-1], out.dtype, True, out, "evaluate").astype(out.dtype, copy=False)
    mask = check_mask(mask, out, "evaluate")
    w = loss_weights(sample_weight, None, t, loss, len(out), True, None)
    pred, truth = loss_rows(out, t, mask)
    if w is not None:
        w = w.reshape(-1) if mask is None else w.reshape(-1)[mask.reshape(-1) > 0]
    return pred, truth, w
