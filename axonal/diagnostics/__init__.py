"""Diagnostics: what makes a network fail to learn, measured, and said once with the fix.

``fit`` runs them by default (``fit(..., diagnostics=False)`` silences them); each kind of
problem is warned at most once per ``fit`` as an :class:`~axonal.advice.AxonalWarning`.
:func:`diagnose` (also ``axonal.diagnose`` and ``axonal diagnose MODEL DATA``) measures a
network on data without training it and returns a :class:`Report`.

============  ===================================================================  ==============
module        what it measures                                                     when
============  ===================================================================  ==============
data          inputs far from unit scale; imbalanced classes; a feature equal      before training
              to the target
probe         per-layer gradient norms, dead and saturated units, on a fixed       between epochs
              subsample of at most 128 rows, changing nothing
units         gradients vanishing or exploding from layer to layer; dead ReLU      after each probe
              units; saturated logistic/tanh units
loss_curve    a loss that diverges, oscillates, does not fall (or stays above      when training
              chance), or still falls steeply when the epochs run out               ends
monitor       the callback ``fit`` adds, and the chance-level loss
findings      ``Finding`` and ``Report``
============  ===================================================================  ==============

A :class:`~axonal.graph.GraphNetwork` (Synaptic's Architect networks among them) is one
``GraphLayer`` to ``net.layers``; the probe and its checks see the layers of its graph instead, in
activation order (``net.graph.order``): a graph layer's gradient norm is that of the weights of the
connections into it, its dead or saturated units are read from its activations at every time step,
``History.gradient_norms`` holds one entry per graph layer (``None`` for the input layer) and the
warnings name the layer (``graph layer 'hidden_1' (2 of 3)``).

A softmax applied twice (an output layer with softmax under ``softmax_cross_entropy``) is
:func:`axonal.advice.check_output_link`'s warning; :func:`diagnose` reports it too.
"""

from __future__ import annotations

import numpy as np

from .findings import Finding, Report

__all__ = ["diagnose", "Finding", "Report"]


def diagnose(net, x, y, *, loss=None, sample_weight=None, class_weight=None, history=None,
             verbose: bool = False) -> Report:
    """Measure ``net`` on ``(x, y)`` without training it; return the :class:`Report`.

    The checks of ``fit``'s diagnostics, on the network as it is: the data (input scale, class
    balance, a feature equal to the target), the output link (a softmax applied twice), one probe
    (per-layer gradient norms and their ratio, dead ReLU and saturated units, on at most 128
    rows) and, given the :class:`~axonal.History` of its training, the loss curve.

    Parameters
    ----------
    net : Sequential or GraphNetwork (built, or built here from ``x``)
    x : array (samples, features)
    y : array: targets as ``fit`` takes them (class labels for a classifier)
    loss : str or Loss, optional
        By default the network's own (``net.loss_``), else ``"mse"``.
    sample_weight, class_weight : as for ``fit``
    history : History, optional
        The training's History, for the loss-curve checks.
    verbose : bool, default False
        Print the report too.
    """
    from .. import losses as _losses
    from .._validation import as_input_array
    from ..advice import output_link_problem
    from ..class_labels import is_text_labels, label_codes
    from ..names import printable
    from ..targets import loss_weights, prepare_targets, sequence_output
    from ..training.batches import adapt_scaling_layers
    from . import data as _data
    from . import units as _units
    from .loss_curve import loss_trend
    from .monitor import chance_loss
    from .probe import measure, probe_rows

    loss_fn = _losses.get(loss if loss is not None else (net.loss_ or "mse"))
    x = as_input_array(x, net.dtype, "diagnose")
    net.prepare_input(x[:1], "diagnose")
    net = net.copy()                  # measured as it is: nothing of the caller's network changes
    adapt_scaling_layers(net, x)      # a scaling layer not yet fitted learns its statistics from x
    seq_out = sequence_output(net)
    n_outputs = net.output_shape[-1] if seq_out else int(np.prod(net.output_shape))
    y = np.asarray(y)
    if is_text_labels(y):
        known = net.classes_ if net.classes_ is not None and not all(isinstance(c, int) for c in net.classes_) else None
        y, _ = label_codes(y, known, n_outputs, "diagnose")
    t = prepare_targets(loss_fn, y, n_outputs, net.dtype, seq_out, x)
    weights = loss_weights(sample_weight, class_weight, t, loss_fn, x.shape[0], seq_out, None)
    findings: list[Finding | None] = []
    problem = output_link_problem(net, loss_fn)
    if problem is not None:
        findings.append(Finding("double_link", problem.split("; ")[0], problem.split("; ", 1)[1]))
    findings.append(_data.input_scale(net, x))
    if (loss_fn.categorical or loss_fn.probabilities) and class_weight is None and t.ndim == 2:
        findings.append(_data.class_balance(t, weights if np.ndim(weights) == 1 else None, net.classes_))
    if x.ndim == 2 and t.ndim == 2:
        findings.append(_data.target_leak(net, x, t, np.argmax(t, axis=1) if loss_fn.categorical and t.shape[1] > 2
                                          else None))
    rows = probe_rows(len(x))
    measured: dict[str, object] = {"loss": float(loss_fn.value(net.predict(x).reshape(-1, n_outputs), t.reshape(-1, n_outputs),
                                            None if weights is None or np.ndim(weights) != 1 else weights))}
    chance = chance_loss(loss_fn, t, weights)
    if chance is not None:
        measured["chance_loss"] = chance
    found = measure(net, loss_fn, x[rows], t[rows], None if weights is None or np.ndim(weights) != 1 else weights[rows])
    if found is not None:
        if getattr(net, "graph_layer", None) is not None:
            measured["graph_layers"] = [printable(name, 80) for name in net.graph.order]
        measured["gradient_norms"] = found["grad_norms"]
        measured["dead_relu_fraction"] = found["dead"]
        measured["saturated_fraction"] = found["saturated"]
        findings += [_units.gradient_flow(net, found), _units.dead_units(net, found), _units.saturated_units(net, found)]
    if history is not None:
        findings.append(loss_trend(history, chance))
    report = Report([f for f in findings if f is not None], measured)
    if verbose:
        print(report)
    return report
