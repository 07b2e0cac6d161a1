"""Checks of what the probe (:mod:`axonal.diagnostics.probe`) measured inside the network.

* **gradients that vanish or explode from layer to layer** (the articles' vanishing gradient:
  backpropagation multiplies ``δ`` by ``f'(z)·Wᵀ`` at every layer, and the logistic's
  ``f'(z) <= 1/4`` shrinks it geometrically, so the first layers of a deep logistic stack do not
  learn; large weights make it grow instead). Measured: the ratio of the per-layer gradient RMS
  ``‖∂E/∂W_l‖/√size`` of the first weighted layer to the last, in networks of 3 or more weighted
  layers (in a graph network, the layers along its longest chain of same-step connections from
  the input to the output layer, each weighted by its incoming connections: an LSTM's gates,
  side by side one step from the input, are not a deep stack). Thresholds: below ``MIN_GRADIENT_RATIO`` = 1e-3 (vanishing), above
  ``MAX_GRADIENT_RATIO`` = 1e3 (exploding).
* **dead ReLU units** (a unit whose ``z < 0`` for every input outputs 0 and gets no gradient, so it
  never comes back: a learning rate too high or a large negative bias kills them). Measured: the
  fraction of a ReLU layer's units that output 0 on every probe row; threshold ``MAX_DEAD`` = 0.5,
  in layers of 4 units or more.
* **saturated logistic or tanh units** (on the flat tails ``f'(z) ≈ 0``: the unit passes almost no
  gradient; the articles' reason to scale inputs and to start from small weights). Measured: the
  fraction of the layer's outputs within 0.01 of an asymptote; threshold ``MAX_SATURATED`` = 0.5,
  checked in the first ``EARLY_EPOCHS`` = 2 epochs only (a trained classifier may rightly be
  sure of itself later).
"""

from __future__ import annotations

from .findings import Finding

__all__ = ["gradient_flow", "dead_units", "saturated_units", "MIN_GRADIENT_RATIO", "MAX_GRADIENT_RATIO",
           "MAX_DEAD", "MAX_SATURATED", "EARLY_EPOCHS"]

MIN_GRADIENT_RATIO = 1e-3
MAX_GRADIENT_RATIO = 1e3
MAX_DEAD = 0.5
MAX_SATURATED = 0.5
EARLY_EPOCHS = 2


def _describe(net, probe, i):
    """The probed entry ``i``: ``"layer 2 (dense_1)"``, or a graph network's ``"graph layer 'hidden' (2 of 3)"``."""
    return probe["layers"][i] if "layers" in probe else f"layer {i} ({net.layers[i].describe()})"


def gradient_flow(net, probe) -> Finding | None:
    """Gradients that vanish or explode between the first weighted layer and the last."""
    path = probe.get("path")       # a graph network's layers along its longest feed-forward chain
    rms = [(i, r) for i, r in enumerate(probe["grad_rms"]) if r is not None and (path is None or i in path)]
    if len(rms) < 3:
        return None
    (first, low), (last, high) = rms[0], rms[-1]
    if high == 0.0:
        return None
    ratio = low / high
    if MIN_GRADIENT_RATIO <= ratio <= MAX_GRADIENT_RATIO:
        return None
    per_layer = ", ".join(f"{r:.2g}" for _, r in rms)
    if ratio < MIN_GRADIENT_RATIO:
        return Finding("vanishing_gradient",
                       f"vanishing gradient: the gradient RMS of {_describe(net, probe, first)} is {ratio:.2g} times that of "
                       f"{_describe(net, probe, last)} (below {MIN_GRADIENT_RATIO:g}; per layer: {per_layer}), so the "
                       f"first layers barely learn",
                       "use relu hidden units (or tanh instead of logistic), fewer layers, residual connections or "
                       "normalisation layers (BatchNorm, LayerNorm) between them")
    return Finding("exploding_gradient",
                   f"exploding gradient: the gradient RMS of {_describe(net, probe, first)} is {ratio:.2g} times that of "
                   f"{_describe(net, probe, last)} (above {MAX_GRADIENT_RATIO:g}; per layer: {per_layer})",
                   "start from smaller weights (the default initialisers), lower the learning rate, or clip the "
                   "gradient (e.g. Adam(clip_norm=1.0))")


def dead_units(net, probe) -> Finding | None:
    """ReLU layers where most units output 0 for every probe row."""
    for i, fraction in enumerate(probe["dead"]):
        units = probe["units"][i] if "units" in probe else getattr(net.layers[i], "units", 0)
        if fraction is not None and units >= 4 and fraction > MAX_DEAD:
            return Finding("dead_relu",
                           f"dead ReLU units: {fraction:.0%} of the units of {_describe(net, probe, i)} output 0 for every "
                           f"probed sample (more than {MAX_DEAD:.0%}) and get no gradient",
                           "lower the learning rate, start the biases at 0 (or small positive values), or use "
                           "leaky_relu or elu units, which keep a gradient for z < 0")
    return None


def saturated_units(net, probe) -> Finding | None:
    """Logistic or tanh layers whose outputs sit on the flat tails."""
    for i, fraction in enumerate(probe["saturated"]):
        if fraction is not None and fraction > MAX_SATURATED:
            name = probe["activations"][i] if "activations" in probe else net.layers[i].activation.name
            return Finding("saturated_units",
                           f"saturated {name} units: {fraction:.0%} of the outputs of {_describe(net, probe, i)} are within "
                           f"0.01 of an asymptote (more than {MAX_SATURATED:.0%}), where the derivative is ~0",
                           "scale the inputs (a Standardize() layer first), start from the default (Glorot) weights, "
                           "or use relu units")
    return None
