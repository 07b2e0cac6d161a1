"""Whole epochs of backpropagation for stacks of dense layers in one compiled call.

:class:`~axonal.training.backprop.Backprop` asks :meth:`DenseEpoch.plan` once per run
whether its network, loss, optimizer and data fit the kernel
:func:`axonal.kernels.dense_epoch.run_epochs` (one sample a step: ``online_epochs``), and
if so lets :meth:`DenseEpoch.run` learn each epoch in one call instead of stepping batch
by batch:

* the network is a ``Sequential`` of :class:`~axonal.layers.Dense` layers, or a
  feed-forward :class:`~axonal.graph.GraphNetwork` whose graph is a chain of
  all-to-all connections, each layer reading the one before (Synaptic's
  ``Perceptron``): no gates, self-connections, masks, fixed weights;
* every activation is one of :mod:`axonal.activations` (softmax included), the loss
  one of :mod:`axonal.losses`, the optimizer :class:`~axonal.optimizers.SGD`
  (momentum, Nesterov), :class:`~axonal.optimizers.Adam` or ``AdamW``, with any
  ``l1``, ``l2``, ``clip_value``, ``clip_norm``;
* Synaptic's rule (:mod:`axonal.losses.synaptic`: the loss a ``SynapticDelta`` whose cost
  is one of :mod:`axonal.losses`, the output activation wrapped in its ``PassThrough``;
  both or neither, no sample weights) runs as ``config[OUTPUT_DELTA]`` (``2`` with Synaptic's
  update order: every hidden activation a ``SynapticOrder``, plain SGD);
* a custom activation or loss (:func:`axonal.activations.register`,
  :func:`axonal.losses.register`) is Python the kernel cannot call: NumPy's path;
* the data are rows ``(samples, features)`` with optional sample weights (no mask),
  and the batches are small enough that the compiled loop beats NumPy's
  matrix products (:func:`worth_compiling`).

Anything else takes the NumPy path, which stays the reference. The kernel draws
nothing: the epoch's order is shuffled here exactly as
:meth:`~axonal.training.batches.ArrayFeed.batches` shuffles it. With the NaN guard
on, the weights, the optimizer state and step count, the generator and the order
are copied aside before the call; an epoch that met a NaN or Inf is put back and
left to the NumPy path, whose guard names the step and keeps the last finite one.
"""

from __future__ import annotations

import numpy as np

from ..graph.layer import GraphLayer
from ..graph.terms import AllToAll
from ..layers import REGISTRY as _LAYERS
from ..layers.dense import Dense
from ..losses.synaptic import PassThrough, SynapticDelta, SynapticOrder
from ..optimizers import SGD, Adam, AdamW
from .batches import ArrayFeed

__all__ = ["DenseEpoch", "worth_compiling"]

#: Where the compiled loop beats NumPy (measured on 2 cores, float32, relu MLPs): online
#: learning up to this many weights (8x at 2.4k, 1.7x at 17k, slower at 51k) ...
ONLINE_WEIGHTS_LIMIT = 25_000
#: ... and mini-batches while batch size × weights stays under this (1.3x at 16 × 2.4k,
#: slower at 8 × 17k and 64 × 2.4k, where NumPy's matrix products win).
BATCH_WORK_LIMIT = 40_000
#: Samples (epochs × samples per epoch) whose orders one call of several epochs draws at most.
CHUNK_SAMPLES = 1 << 18
#: Epochs in the first call of several; each later call may take twice as many.
FIRST_CHUNK = 64
NO_LIMIT = 1 << 62


def worth_compiling(batch: int, n_weights: int) -> bool:
    """Whether the compiled loop is expected to beat NumPy for ``batch`` rows per step."""
    return n_weights <= ONLINE_WEIGHTS_LIMIT if batch == 1 else batch * n_weights <= BATCH_WORK_LIMIT


class DenseEpoch:
    """One run's plan for the kernel: the layer table, the data in the kernel's form, buffers."""

    def __init__(self, rule, feed, kernels, layers, alphas, loss_code, delta_rule: int = 0):
        params = rule.net.params_
        self.rule, self.feed, self.params, self.kernels = rule, feed, params, kernels
        self.layers, self.alphas, self.loss_code = layers, alphas, loss_code
        dtype = params.dtype
        self.x = np.ascontiguousarray(feed.x, dtype=dtype)
        self.t = np.ascontiguousarray(feed.t, dtype=dtype)
        self.weighted = feed.weights is not None
        self.sw = (np.ascontiguousarray(feed.weights, dtype=dtype) if self.weighted else np.zeros(0, dtype))
        self.bounds = feed.bounds   # (S, 2) int64 (batches._batch_bounds)
        #: one sample a step: kernels.online_epochs takes the epochs (unless clip_norm needs the whole gradient)
        self.online = bool(len(self.bounds)) and int((self.bounds[:, 1] - self.bounds[:, 0]).max()) == 1
        self.no_pred = np.zeros((0, self.t.shape[1]), dtype)
        self.no_state = np.zeros(0, dtype)
        self.hyper = np.zeros(16, np.float64)
        self.config = np.zeros(8, np.int64)
        self.saved_values = np.empty_like(params.values)
        self.saved_state = None
        self.saved_order = np.empty_like(feed.order)
        self.saved_iterations, self.saved_generator = 0, None
        self.no_perms = np.zeros((0, len(feed.order)), np.int64)
        self.chunk = FIRST_CHUNK
        self.one_epoch = np.zeros((1, 2), np.float64)
        k = kernels
        assert (k.LR, k.CLIP_NORM, k.OPTIMIZER, k.LOSS, k.ITERATIONS, k.GUARD, k.MAX_STEPS, k.KEEP_PRED) == \
            (0, 10, 0, 1, 2, 3, 4, 5), "the order _set_hyper and _prepare write in"
        lo, hi = (np.array([1e-7, 1.0 - 1e-7], dtype=dtype)).astype(np.float64)  # the clip, in the data's dtype
        self.hyper[[k.LO, k.HI]] = lo, hi
        self.hyper[k.LIMIT] = 1e30 if dtype == np.float32 else np.finfo(np.float64).max   # beyond: not finite
        self.hyper[k.LOSS_PARAM] = getattr(rule.loss, "delta", 0.0)
        self.config[k.LOSS] = loss_code
        self.config[k.WEIGHTED] = int(self.weighted)
        self.config[k.OUTPUT_DELTA] = int(delta_rule)

    # -- deciding --------------------------------------------------------------------------------
    @classmethod
    def plan(cls, rule, feed, kernels) -> "DenseEpoch | None":
        """The plan for ``rule`` learning from ``feed``, or ``None`` when the kernel does not apply."""
        from .. import losses as _losses

        net = rule.net
        if rule.seq_out or type(feed) is not ArrayFeed or feed.mask is not None or net.params_ is None:
            return None
        if feed.x.ndim != 2 or feed.t.ndim != 2 or (feed.weights is not None and feed.weights.ndim != 1):
            return None
        loss = rule.loss
        delta_rule = type(loss) is SynapticDelta
        if delta_rule:
            loss = loss.cost
            if feed.weights is not None:
                return None
        code = kernels.LOSSES.get(loss.name)
        if code is None or type(loss) is not _losses.REGISTRY.get(loss.name):
            return None
        if _optimizer_code(rule.optimizer, kernels) is None:
            return None
        chain = _dense_chain(net)
        if chain is None:
            return None
        if delta_rule != (type(chain[-1][3]) is PassThrough):   # the rule's two pieces come together
            return None
        ordered = [type(link[3]) is SynapticOrder for link in chain[:-1]]
        if any(ordered) and not (all(ordered) and _plain_sgd(rule.optimizer)):
            return None
        output_delta = int(delta_rule)   # 0: the loss's gradient, 1: Synaptic's δ = t - y at the output
        if all(ordered) and ordered and delta_rule:
            output_delta = 2   # and Synaptic's update order
        table = _layer_table(net, chain)
        if table is None:
            return None
        layers, alphas = table
        if not worth_compiling(feed.batch, int((layers[:, 0] * layers[:, 1]).sum())):
            return None
        return cls(rule, feed, kernels, layers, alphas, code, output_delta)

    # -- one epoch -----------------------------------------------------------------------------------
    def run(self, feed, rng, max_steps):
        """Learn the epoch (at most ``max_steps`` batches); ``(Σ E·w, Σ w, steps)``, or ``None``
        with everything as it was when the kernel met a NaN or Inf (or cannot run this epoch)."""
        kernels = self.kernels
        prepared = self._prepare(kernels, max_steps)
        if prepared is None:
            return None
        state, opt = prepared
        params, pred, sums = self.params, self.rule.epoch_pred, self.one_epoch
        self.hyper[kernels.STOP_ERROR] = -np.inf
        self._save(state, opt, feed, rng)
        if feed.shuffle:
            rng.shuffle(feed.order)
        _, steps, iterations_after, status = self._kernel()(
            self.x, self.t, self.sw, feed.order, self.no_perms, self.bounds, params.values, params.grads, state,
            self.no_pred if pred is None else pred, self.layers, self.alphas, self.hyper, self.config, sums)
        if status != kernels.FINISHED:
            self._restore(state, opt, feed, rng)
            return None
        opt.iterations = int(iterations_after)
        self.rule._seen = int(self.bounds[steps - 1, 1]) if steps else 0
        return float(sums[0, 0]), float(sums[0, 1]), int(steps)

    def run_many(self, feed, rng, epochs, stop_error, max_steps):
        """Up to ``epochs`` epochs in one call, stopping after the first whose mean loss is
        ``<= stop_error`` or at ``max_steps``: ``(losses, steps)``, or ``None`` with everything
        as it was. Each epoch's order is drawn as ``feed.batches`` draws it: the permutations
        of all of them at once (``Generator.permuted`` draws as successive shuffles do), and the
        generator put back and advanced by the epochs run when fewer ran."""
        rule, params, kernels = self.rule, self.params, self.kernels
        if rule.epoch_pred is not None or rule.validation is not None:
            return None
        prepared = self._prepare(kernels, max_steps)
        if prepared is None:
            return None
        state, opt = prepared
        n = len(feed.order)
        chunk = max(1, min(epochs, self.chunk, CHUNK_SAMPLES // max(n, 1)))
        self.chunk *= 2   # calls grow, so that orders drawn past a stop stay few
        self.hyper[kernels.STOP_ERROR] = stop_error
        self._save(state, opt, feed, rng, always=True)
        perms = self.no_perms
        if feed.shuffle:
            perms = self._permutations(rng, chunk, n)
        sums = np.empty((chunk, 2), np.float64)
        ran, steps, iterations_after, status = self._kernel()(
            self.x, self.t, self.sw, feed.order, perms, self.bounds, params.values, params.grads, state, self.no_pred,
            self.layers, self.alphas, self.hyper, self.config, sums)
        if status != kernels.FINISHED:
            self._restore(state, opt, feed, rng)
            return None
        if feed.shuffle and ran < chunk:   # the generator as after `ran` shuffles
            rng.bit_generator.state = self.saved_generator
            self._permutations(rng, ran, n)
        opt.iterations = int(iterations_after)
        rule._seen = int(self.bounds[-1, 1])
        totals, weights = sums[:ran, 0], sums[:ran, 1]
        losses = np.divide(totals, weights, out=np.zeros(ran), where=weights != 0).tolist()   # (0 where no weight)
        return losses, int(steps)

    def _kernel(self):
        """``online_epochs`` for one sample a step without ``clip_norm`` (read each call: a callback may
        set it), else ``run_epochs``: the same arguments and results."""
        kernels = self.kernels
        return kernels.online_epochs if self.online and self.hyper[kernels.CLIP_NORM] <= 0.0 else kernels.run_epochs

    def _permutations(self, rng, epochs, n):
        perms = np.empty((epochs, n), np.int64)
        perms[...] = np.arange(n)
        return rng.permuted(perms, axis=1, out=perms)

    def _prepare(self, kernels, max_steps):
        """Bind the optimizer and fill the kernel's numbers; ``(state, optimizer)`` or ``None``."""
        rule, params = self.rule, self.params
        opt = rule.optimizer
        code = _optimizer_code(opt, kernels)
        if code is None:
            return None
        opt.bind(params)
        state = opt.state_buffer
        if len(state) != len(opt.slots) * params.size:
            return None
        self._set_hyper(opt)
        # config[OPTIMIZER:KEEP_PRED + 1] in one write
        self.config[:6] = (code, self.loss_code, opt.iterations, rule.guard is not None,
                           NO_LIMIT if max_steps is None else max_steps, rule.epoch_pred is not None)
        return (state if len(state) else self.no_state), opt

    def _save(self, state, opt, feed, rng, always=False):
        """Copy aside what a failed call must put back (with the guard on; ``always``: the generator too)."""
        guarded = self.rule.guard is not None
        if guarded:
            np.copyto(self.saved_values, self.params.values)
            if self.saved_state is None or self.saved_state.shape != state.shape:
                self.saved_state = np.empty_like(state)
            np.copyto(self.saved_state, state)
            self.saved_iterations = opt.iterations
        if feed.shuffle and (guarded or always):
            self.saved_generator = rng.bit_generator.state
            np.copyto(self.saved_order, feed.order)

    def _restore(self, state, opt, feed, rng):
        np.copyto(self.params.values, self.saved_values)
        np.copyto(state, self.saved_state)
        opt.iterations = self.saved_iterations
        if feed.shuffle:
            rng.bit_generator.state = self.saved_generator
            np.copyto(feed.order, self.saved_order)

    def _set_hyper(self, opt) -> None:
        """The optimizer's numbers, read every call (a callback may change them between epochs):
        ``hyper[LR:CLIP_NORM + 1]`` in one write."""
        self.hyper[:11] = (opt.learning_rate, getattr(opt, "momentum", 0.0), float(getattr(opt, "nesterov", False)),
                           getattr(opt, "beta1", 0.0), getattr(opt, "beta2", 0.0), getattr(opt, "epsilon", 0.0),
                           getattr(opt, "weight_decay", 0.0), opt.l1, opt.l2,
                           -1.0 if opt.clip_value is None else opt.clip_value,
                           -1.0 if opt.clip_norm is None else opt.clip_norm)


def _optimizer_code(opt, kernels):
    kind = type(opt)
    own = vars(opt)
    if "_update" in own or "step" in own:   # a rule replaced on the instance: NumPy's
        return None
    if kind is SGD:
        return kernels.SGD if (opt.momentum == 0.0) == (opt.slots == ()) else None
    if kind is Adam:
        return kernels.ADAM
    if kind is AdamW:
        return kernels.ADAMW
    return None


def _plain_sgd(opt) -> bool:
    """SGD without momentum, penalties or clipping: what Synaptic's update order is written for."""
    return (type(opt) is SGD and opt.momentum == 0.0 and opt.l1 == 0.0 and opt.l2 == 0.0
            and opt.clip_value is None and opt.clip_norm is None)


def _dense_chain(net):
    """``[(owner, weight local name, bias local name or None, activation, n_in, n_out), ...]`` for a
    ``Sequential`` (or ``GraphNetwork``) of ``Dense`` layers or of one feed-forward chain
    ``GraphLayer``; ``None`` otherwise."""
    sequential = _LAYERS.get("Sequential")
    if (sequential is None or not isinstance(net, sequential) or type(net).forward is not sequential.forward
            or type(net).backward is not sequential.backward):
        return None
    if any(_patched(obj) for obj in [net, *net.layers, *(getattr(layer, "activation", None) for layer in net.layers)]):
        return None
    if all(type(layer) is Dense for layer in net.layers):
        return [(layer, "weight", "bias" if layer.use_bias else None, layer.activation,
                 *layer.params["weight"].shape) for layer in net.layers]
    if len(net.layers) != 1 or type(net.layers[0]) is not GraphLayer:
        return None
    g = net.layers[0]
    if g.recurrent or g.masks or g.state or g.gaters or g.out_index != len(g.sizes) - 1:
        return None
    chain = []
    for position, step in enumerate(g.steps, start=1):
        if step.index != position or step.self_term is not None or step.order or len(step.terms) != 1:
            return None
        term = step.terms[0]
        if (type(term) is not AllToAll or term.source != position - 1 or term.prev or term.gater is not None
                or term.param not in g.params or (step.bias is not None and step.bias not in g.params)):
            return None
        chain.append((g, term.param, step.bias, step.activation, g.sizes[position - 1], g.sizes[position]))
    return chain


def _patched(obj) -> bool:
    """Whether ``obj`` had its ``forward`` or ``backward`` replaced on the instance (then NumPy's path runs it)."""
    return obj is not None and ("forward" in vars(obj) or "backward" in vars(obj))


def _layer_table(net, chain):
    """The kernel's ``layers`` (L, 8) int64 and ``alphas`` (L,) float64 for ``chain``, or ``None``
    when an activation has no kernel or the chain does not hold every parameter of the network."""
    from .. import jit

    encode = jit.kernels("activations").encode
    slots = net.params_.slots
    names = {(id(owner), local): name for name, owner, local, _ in net.named_parameters()}
    rows, alphas, covered, column = [], [], set(), 0
    for owner, weight, bias, activation, n_in, n_out in chain:
        coded = encode(activation.inner if type(activation) in (PassThrough, SynapticOrder) else activation)
        w_name = names.get((id(owner), weight))
        b_name = None if bias is None else names.get((id(owner), bias))
        if coded is None or w_name is None or (bias is not None and b_name is None):
            return None
        w_slot = slots[w_name]
        if w_slot.shape != (n_in, n_out):
            return None
        b_off = -1
        if b_name is not None:
            b_off = slots[b_name].offset
            covered.add(b_name)
        covered.add(w_name)
        rows.append([n_in, n_out, w_slot.offset, b_off, coded[0], column, column + n_in, int(w_slot.decay)])
        alphas.append(coded[1])
        column += n_in
    if covered != set(slots):
        return None
    return np.array(rows, dtype=np.int64), np.array(alphas, dtype=np.float64)
