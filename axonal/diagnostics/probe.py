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

and ``loss``, the probe rows' loss ``E``; ``layers``, ``units`` and ``activations`` say what each
entry measured (``"layer 2 (dense_1)"``, its units, its activation's name).

A :class:`~axonal.graph.GraphNetwork` (one :class:`~axonal.graph.GraphLayer`) is measured per
layer of its graph instead, in activation order (``net.graph.order``, the input layer first, with
``None``): ``grad_norms`` is ``‖∂E/∂W_L‖₂`` over the trained weights of the connections into
``L`` (``A → L`` for every source ``A``, its self-connection and ``in_order`` connections;
:meth:`~axonal.graph.GraphLayer.weights_into`), ``grad_rms`` divides by the number of synapses
that exist, and ``dead`` / ``saturated`` read ``L``'s activations ``a_L`` of the pass (the layer's
forward cache ``acts[L]``, ``(T+1, B, |L|)``), over all rows and all time steps ``t = 1 … T``;
the output layer is left out as a network's last layer is. The entries are named
``"graph layer 'hidden' (2 of 3)"``, and ``path`` (:func:`feedforward_path`) lists the layers whose
gradients the vanishing/exploding check compares: the graph's depth is along its connections,
not its activation order. A network with a stateful recurrent layer (which carries
its state from one call to the next) is not probed. It works for every training rule: it is called between
epochs (``Diagnostics.on_epoch_end``), never between batches, so a compiled whole-epoch rule keeps
running whole epochs.
"""

from __future__ import annotations

import math

import numpy as np

from ..names import printable

__all__ = ["measure", "probe_rows", "feedforward_path", "PROBE_ROWS"]

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


def _graph_layer(net):
    """The graph layer whose own layers the probe sees (a GraphNetwork's only layer), or ``None``."""
    layer = getattr(net, "graph_layer", None)
    layers = getattr(net, "layers", [])
    if layer is None or len(layers) != 1 or layers[0] is not layer or not hasattr(layer, "weights_into"):
        return None
    return layer


def _watched_graph_layers(graph) -> list[int]:
    """The graph's layers whose activations the unit checks read (ReLU, logistic or tanh; not the
    input or the output layer)."""
    return [s.index for s in graph.steps
            if s.index != graph.out_index and s.activation.name in ("relu", "logistic", "tanh")]


def feedforward_path(graph) -> list[int]:
    """The longest chain of connections read at the same step that ends at the output layer, as
    graph positions from the input layer (0) on: ``A → B`` with ``A`` before ``B`` in the order,
    neither a self-connection, an ``in_order`` one nor a gate. Along it ``δ`` is multiplied by
    ``f'(z)·Wᵀ`` once per layer, as in a stack of Dense layers; layers side by side (an LSTM's
    gates, one step from the input each) are not deeper for coming later in the order."""
    index = graph.layer_index
    depth = {0: 0}
    before: dict[int, int] = {}
    into: dict[int, list[int]] = {}
    for conn in graph.graph.connections:
        a, b = index[conn.source], index[conn.target]
        if a < b and conn.kind != "in_order":
            into.setdefault(b, []).append(a)
    for b in range(1, len(graph.sizes)):
        sources = [a for a in into.get(b, []) if a in depth]
        if sources:
            a = max(sources, key=lambda a: (depth[a], -a))     # the deepest; of equals, the first
            depth[b], before[b] = depth[a] + 1, a
    path, at = [], graph.out_index
    while at in before:
        path.append(at)
        at = before[at]
    return [0, *reversed(path)] if path else []


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
    graph = _graph_layer(net)
    kept = None if graph is None else (graph._cache, graph.final_state)
    watched = [] if graph is None else _watched_graph_layers(graph)
    try:
        with np.errstate(all="ignore"):
            value = 0.0
            outputs: list[list[np.ndarray]] = [[] for _ in (net.layers if graph is None else graph.sizes)]
            net.input_grad_needed = False
            for rows in np.array_split(np.arange(len(x)), math.ceil(len(x) / chunk)):
                y = x[rows]
                for layer in net.layers:        # Sequential.forward's loop (no mask: tables and full sequences)
                    y = layer.forward(y, training=True)
                for i in watched:               # a_L(t), t = 1 … T, as (T·B, |L|)
                    acts = graph._cache["acts"][i]
                    outputs[i].append(acts[1:].reshape(-1, acts.shape[-1]).copy())
                k = y.shape[-1]
                part, delta = loss.value_and_grad(y.reshape(-1, k), t[rows].reshape(-1, k),
                                                  None if weights is None else weights[rows].reshape(-1))
                net.backward(delta.reshape(y.shape))
                share = len(x[rows]) / len(x)
                value += share * float(part)
                total += share * params.grads
                for i, layer in enumerate(net.layers if graph is None else ()):
                    out = getattr(layer, "_y", None)
                    if out is not None:
                        outputs[i].append(out.reshape(-1, out.shape[-1]).copy())
            if graph is None:
                return _read(_layer_parts(net, params, total), outputs, value)
            found = _read(_graph_parts(graph, net, params, total), outputs, value)
            found["path"] = feedforward_path(graph)
            return found
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, NotImplementedError):
        return None
    finally:
        net.input_grad_needed = needed
        params.grads[...] = grads
        for array, saved in states:
            array[...] = saved
        for rng, state in generators:
            rng.bit_generator.state = state
        if graph is not None and kept is not None:
            graph._cache, graph.final_state = kept


def _views(net, params, total):
    """``(id(owner), local) -> the gradient's view in total`` for every trained parameter."""
    names = {(id(owner), local): name for name, owner, local, _ in net.named_parameters() if name in params.slots}
    return lambda owner, local: params.view(total, names[id(owner), local]) if (id(owner), local) in names else None


def _layer_parts(net, params, total) -> list[tuple]:
    """Per layer of ``net.layers``: ``(name, units, activation, weight gradients, weights, last)``."""
    view = _views(net, params, total)
    last = len(net.layers) - 1
    parts = []
    for i, layer in enumerate(net.layers):
        grads = [g for _, owner, local, decay in layer.named_parameters() if decay
                 and (g := view(owner, local)) is not None]
        parts.append((f"layer {i} ({layer.describe()})", getattr(layer, "units", 0),
                      getattr(getattr(layer, "activation", None), "name", None), grads,
                      sum(g.size for g in grads), i == last))
    return parts


def _graph_parts(graph, net, params, total) -> list[tuple]:
    """Per layer of the graph, in activation order: the same, its weights those of the connections into it."""
    view = _views(net, params, total)
    order = graph.graph.order
    activation = {s.index: s.activation.name for s in graph.steps}
    parts = []
    for i, into in enumerate(graph.weights_into()):
        grads = [g for local in into if (g := view(graph, local)) is not None]
        synapses = sum(n for local, n in into.items() if view(graph, local) is not None)
        parts.append((f"graph layer '{printable(order[i], 80)}' ({i + 1} of {len(order)})", graph.sizes[i],
                      activation.get(i), grads, synapses, i == graph.out_index))
    return parts


def _read(parts, outputs, value) -> dict:
    norms: list[float | None] = []
    rms: list[float | None] = []
    dead: list[float | None] = []
    saturated: list[float | None] = []
    for i, (_, _, name, weights, size, last) in enumerate(parts):
        if weights:
            norm = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in weights)))
            norms.append(norm)
            rms.append(norm / np.sqrt(size))
        else:
            norms.append(None)
            rms.append(None)
        if last or not outputs[i] or name not in ("relu", "logistic", "tanh"):
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
    return {"loss": value, "grad_norms": norms, "grad_rms": rms, "dead": dead, "saturated": saturated,
            "layers": [p[0] for p in parts], "units": [p[1] for p in parts], "activations": [p[2] for p in parts]}
