"""The probe: one forward and backward pass on a small fixed subsample, with nothing changed.

``measure(net, loss, x, t)`` runs ``ŷ = net.forward(x_s, training=True)``, ``E, δ = loss(ŷ, t_s)``
and ``net.backward(δ)`` on the probe rows ``(x_s, t_s)`` (at most ``PROBE_ROWS`` rows, fixed for
the run, in chunks of the training batch size), then puts back everything the pass touched (the gradient buffer, running statistics,
dropout generators), so a run with the probe learns exactly what it learns without it. No
optimizer step is taken: the probe only looks. It returns, per layer of ``net.layers``:

* ``grad_norms``: ``‖∂E/∂W‖₂`` over the layer's weights (biases left out; ``None`` for a layer
  without weights), and ``grad_rms = ‖∂E/∂W‖₂ / √(number of weights)``;
* ``dead``: for a ReLU ``Dense`` layer, the fraction of its units that output 0 on every probe row;
* ``saturated``: for a logistic or tanh ``Dense`` layer, the fraction of outputs within 1% of the
  asymptotes (logistic ``y < 0.01`` or ``y > 0.99``, tanh ``|y| > 0.99``), where ``f'(z)`` is
  below 1% (logistic: 4%) of its largest value;

and ``loss``, the probe rows' loss ``E``. A network with a stateful recurrent layer (which carries
its state from one call to the next) is not probed. It works for every training rule: it is called between
epochs (``Diagnostics.on_epoch_end``), never between batches, so a compiled whole-epoch rule keeps
running whole epochs.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["measure", "probe_rows", "PROBE_ROWS"]

PROBE_ROWS = 128


def probe_rows(n: int) -> np.ndarray:
    """The probe's rows out of ``n``: ``PROBE_ROWS`` spread evenly (fixed, drawn from no generator)."""
    return np.unique(np.linspace(0, n - 1, min(n, PROBE_ROWS)).astype(np.int64))


def _generators(layer, found):
    rng = getattr(layer, "rng", None)
    if isinstance(rng, np.random.Generator):
        found.append((rng, rng.bit_generator.state))
    for child in getattr(layer, "children", lambda: [])():
        _generators(child, found)
    return found


def _carries_state(layer) -> bool:
    """Whether a layer (or one inside it) carries a state from one call to the next (``stateful``),
    which a probe's pass would change."""
    if getattr(layer, "stateful", False):
        return True
    return any(_carries_state(child) for child in getattr(layer, "children", lambda: [])())


def _state_arrays(net):
    return [owner.state[local] for _, owner, local in net.named_state()]


def measure(net, loss, x, t, weights=None, chunk: int = 32) -> dict | None:
    """What one pass on ``(x, t)`` shows (see the module's text); ``None`` when the network cannot be
    probed so (it is not built, or its layers need more than ``forward``/``backward``).

    The rows pass in ``⌈n / chunk⌉`` chunks of nearly equal size, ``chunk`` being the training
    batch size (arrays of about the shapes training uses, which keeps the pass as cheap as that
    many training steps; never a chunk of one, which a BatchNorm layer cannot normalise); the gradient is the mean of
    the chunks' gradients weighted by their rows, ``∂E/∂W = Σ_c n_c·∂E_c/∂W / Σ_c n_c``.
    """
    params = getattr(net, "params_", None)
    if params is None or not hasattr(net, "layers") or len(x) < 2 or _carries_state(net):
        return None
    grads = params.grads.copy()
    total = np.zeros(params.grads.shape, dtype=np.float64)
    states = [(a, a.copy()) for a in _state_arrays(net)]
    generators = _generators(net, [])
    needed = net.input_grad_needed
    chunk = max(1, int(chunk))
    try:
        with np.errstate(all="ignore"):
            value = 0.0
            outputs: list[list[np.ndarray]] = [[] for _ in net.layers]
            net.input_grad_needed = False
            for rows in np.array_split(np.arange(len(x)), math.ceil(len(x) / chunk)):
                y = x[rows]
                for layer in net.layers:        # Sequential.forward's loop (no mask: tables and full sequences)
                    y = layer.forward(y, training=True)
                k = y.shape[-1]
                part, delta = loss.value_and_grad(y.reshape(-1, k), t[rows].reshape(-1, k),
                                                  None if weights is None else weights[rows].reshape(-1))
                net.backward(delta.reshape(y.shape))
                share = len(x[rows]) / len(x)
                value += share * float(part)
                total += share * params.grads
                for i, layer in enumerate(net.layers):
                    out = getattr(layer, "_y", None)
                    if out is not None:
                        outputs[i].append(out.reshape(-1, out.shape[-1]).copy())
            return _read(net, params, total, outputs, value)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, NotImplementedError):
        return None
    finally:
        net.input_grad_needed = needed
        params.grads[...] = grads
        for array, saved in states:
            array[...] = saved
        for rng, state in generators:
            rng.bit_generator.state = state


def _read(net, params, total, outputs, value) -> dict:
    norms: list[float | None] = []
    rms: list[float | None] = []
    dead: list[float | None] = []
    saturated: list[float | None] = []
    last = len(net.layers) - 1
    names = {(id(owner), local): name for name, owner, local, _ in net.named_parameters() if name in params.slots}
    for i, layer in enumerate(net.layers):
        weights = [params.view(total, names[id(owner), local]) for _, owner, local, decay in layer.named_parameters()
                   if decay and (id(owner), local) in names]
        if weights:
            norm = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in weights)))
            norms.append(norm)
            rms.append(norm / np.sqrt(sum(g.size for g in weights)))
        else:
            norms.append(None)
            rms.append(None)
        name = getattr(getattr(layer, "activation", None), "name", None)
        if i == last or not outputs[i] or name not in ("relu", "logistic", "tanh"):
            dead.append(None)
            saturated.append(None)
            continue
        out = np.concatenate(outputs[i])
        if name == "relu":
            dead.append(float(np.mean(np.all(out <= 0, axis=0))))
            saturated.append(None)
        else:
            edge = (out < 0.01) | (out > 0.99) if name == "logistic" else np.abs(out) > 0.99
            dead.append(None)
            saturated.append(float(np.mean(edge)))
    return {"loss": value, "grad_norms": norms, "grad_rms": rms, "dead": dead, "saturated": saturated}
