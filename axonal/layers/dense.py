"""A fully connected layer of neurons.

Each neuron ``j`` computes its state ``z_j = Σ_i a_i·w_ij + b_j`` and fires
``y_j = f(z_j)``. For a batch, with inputs ``a`` of shape ``(batch, n_in)``:

    z = a·W + b          W: (n_in, n_out), b: (n_out,)
    y = f(z)             (batch, n_out)

Backward, given ``δy = ∂E/∂y`` (batch, n_out), the delta rule:

    δz     = δy ⊙ f'(z)              (batch, n_out)
    ∂E/∂W  = aᵀ·δz                   (n_in, n_out)   summed over the batch
    ∂E/∂b  = Σ_batch δz              (n_out,)
    δa     = δz·Wᵀ                   (batch, n_in)   the previous layer's δy
"""

from __future__ import annotations

import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers
from ..keras_habits import input_dim_from_shape
from ._arguments import flag, initializer_name, optional_positive_int, positive_int
from .base import ArraySpec, Layer
from .registry import REGISTRY

__all__ = ["Dense"]


@REGISTRY.register
class Dense(Layer):
    """A layer of ``units`` neurons, each connected to every input.

    Parameters
    ----------
    units : int
        Number of neurons (outputs).
    activation : str or Activation, default "identity"
        The squashing function ``f``; see :mod:`axonal.activations`.
    use_bias : bool, default True
        Give each neuron a bias ``b_j`` (the articles' constant input 1 with its own weight).
    kernel_initializer : str, optional
        Weight initialiser; by default the customary one for ``activation``.
    bias_initializer : str, default "zeros"
    input_dim : int, optional
        Number of input features; lets a network build before it sees data.
    name : str, optional

    Examples
    --------
    >>> import numpy as np
    >>> from axonal import Dense
    >>> layer = Dense(3, activation="tanh", input_dim=2)
    >>> layer.build((2,), np.random.default_rng(0))
    (3,)
    >>> layer.forward(np.ones((4, 2), dtype=np.float32)).shape
    (4, 3)
    """

    def __init__(self, units: int, activation=None, *, use_bias: bool = True,
                 kernel_initializer: str | None = None, bias_initializer: str = "zeros",
                 input_dim: int | None = None, input_shape=None, name: str | None = None):
        super().__init__(name=name)
        self.units = positive_int(units, "Dense", "units")
        input_dim = input_dim_from_shape(input_dim, input_shape, "Dense")
        self.input_dim = optional_positive_int(input_dim, "Dense", "input_dim")
        self.use_bias = flag(use_bias, "Dense", "use_bias")
        self.activation = _activations.get(activation)
        if kernel_initializer is None:
            kernel_initializer = _initializers.default_for(self.activation.name)
        self.kernel_initializer = initializer_name(kernel_initializer, "Dense", "kernel_initializer")
        self.bias_initializer = initializer_name(bias_initializer, "Dense", "bias_initializer")
        self._linear = isinstance(self.activation, _activations.Identity)

    def plan(self, input_shape):
        if len(input_shape) < 1 or input_shape[-1] is None:
            raise ValueError(f"{self.describe()} needs a fixed number of input features; got feature shape "
                             f"{tuple(input_shape)}")
        if self.input_dim is not None and input_shape[-1] != self.input_dim:
            raise ValueError(f"{self.describe()} was declared with input_dim={self.input_dim} "
                             f"but receives {input_shape[-1]} features")
        specs = [ArraySpec("weight", (input_shape[-1], self.units), self.kernel_initializer, True)]
        if self.use_bias:
            specs.append(ArraySpec("bias", (self.units,), self.bias_initializer, False))
        return specs, tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x, *, training=False):
        """``y = f(x·W + b)``: ``x`` (batch, n_in) → ``y`` (batch, units).

        A sequence ``(batch, time, n_in)`` gets the same neurons at every step:
        ``(batch, time, units)``.
        """
        self.check_input(x)
        lead = x.shape[:-1]
        if x.ndim != 2:
            x = x.reshape(-1, x.shape[-1])
        z = np.matmul(x, self.params["weight"], out=self.buffer("z", (x.shape[0], self.units), training))
        if self.use_bias:
            z += self.params["bias"]
        if self._linear:
            y = z
        else:
            y = self.activation.forward(z, out=self.buffer("y", z.shape, training))
        if training:
            self._x, self._z, self._y = x, z, y
        return y if len(lead) == 1 else y.reshape(lead + (self.units,))

    def backward(self, grad_y):
        """The delta rule: ``δy`` (batch, units) → ``δx = (δy ⊙ f'(z))·Wᵀ`` (batch, n_in).

        Fills ``grads["weight"] = xᵀ·δz`` and ``grads["bias"] = Σ_batch δz`` (summed
        over the time steps too for a sequence).
        """
        lead = grad_y.shape[:-1]
        if grad_y.ndim != 2:
            grad_y = grad_y.reshape(-1, self.units)
        # δz = δy ⊙ f'(z)
        if self._linear:
            delta = grad_y
        else:
            delta = self.activation.backward(grad_y, self._z, self._y,
                                             out=self.buffer("delta", grad_y.shape, True))
        # ∂E/∂W = aᵀ·δz ;  ∂E/∂b = Σ_batch δz
        # (np.dot, not matmul: for a batch of one, matmul's outer-product path is ~10x slower.)
        np.dot(self._x.T, delta, out=self.grads["weight"])
        if self.use_bias:
            np.add.reduce(delta, axis=0, out=self.grads["bias"])
        if not self.input_grad_needed:
            return None
        # δa = δz·Wᵀ
        grad_x = np.matmul(delta, self.params["weight"].T, out=self.buffer("grad_x", self._x.shape, True))
        return grad_x if len(lead) == 1 else grad_x.reshape(lead + (self._x.shape[1],))

    def rescale_outputs(self, scale, shift) -> None:
        """Make a linear layer output ``scale·y + shift`` in place of ``y``: ``W ← W·scale``,
        ``b ← b·scale + shift`` (``scale``, ``shift``: scalars or ``(units,)``).

        A regression trained on standardised targets ``t' = (t - μ)/σ`` then predicts in the
        targets' own units with ``rescale_outputs(σ, μ)``, and ``rescale_outputs(1/σ, -μ/σ)``
        takes it back.
        """
        if not self._linear or not self.use_bias:
            raise ValueError(f"{self.describe()}: rescale_outputs needs a linear layer with a bias")
        scale = np.asarray(scale, dtype=np.float64)
        self.params["weight"][...] = self.params["weight"] * scale
        self.params["bias"][...] = self.params["bias"] * scale + shift

    def release_buffers(self):
        super().release_buffers()
        self._x = self._z = self._y = None

    def get_config(self):
        config = {"units": self.units, "activation": self.activation.get_config(),
                  "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer,
                  "bias_initializer": self.bias_initializer}
        if self.input_dim is not None:
            config["input_dim"] = self.input_dim
        config.update(super().get_config())
        return config

    def describe(self):
        label = self.name or "Dense"
        n_in = self.input_shape[-1] if self.built else self.input_dim
        return f"{label}({n_in if n_in is not None else '?'} → {self.units})"
