r"""The compiled plan of a graph network as flat integer and float arrays, for the kernels.

:mod:`axonal.graph.plan` compiles a blueprint into layer steps and terms (Python objects);
the compiled kernels (:mod:`axonal.kernels.graph_step`, :mod:`axonal.kernels.lstm_g`)
interpret the same plan from arrays, so that one kernel covers every connection and
gate kind without generating source per network. Built once per network (and again when
the network's flat parameter vector is replaced):

``steps`` (n_steps, 18)
    per layer step, in activation order: layer index, size, activation code, bias
    weight (buffer, offset, trainable), self-connection (weight buffer and offset,
    gater, gating index, gater size, mask), its terms (first, count), the layers it
    gates for LSTM-g (first entry, count), its outgoing terms (first, count).
``terms`` (n_terms, 15)
    per term: kind (:data:`KINDS`), step and layer of its target, source layer, gater
    (-1 none), weight (buffer: 0 the network's parameters, 1 the fixed weights; offset),
    ``n_A``, ``n_L``, synapse-gating index (offset into ``lists``, -1), gater size,
    mask (offset into ``masks``, -1), trainable, one-to-one, and *plain*: an ungated
    all-to-all term from another layer into a layer without a self-connection, whose
    LSTM-g eligibility trace is the activation it read, ``ε_ji = a_i`` for every ``j``.
``entries`` (n_entries, 7)
    LSTM-g's gated entries: what gater layer ``i`` gates in layer ``k`` (its
    self-connection, terms listed in ``lists``), and whether a gater neuron may reach
    other neurons of ``k`` than its own (``full``).
``lists``, ``fparam``, ``masks``
    synapse-gating indices (the ungated ones as ``n_G``), entry and outgoing term lists;
    activation parameters; masks as 0/1.

A weight lives at ``P[offset : offset + n_A·n_L]`` (row-major ``(n_A, n_L)``) of the
network's flat parameter vector ``P``, or of ``F``, the fixed (non-trainable) weights
concatenated. Stream arrays (activations, states, traces) live in one flat buffer per
stream; :func:`stream_layout` places them.
"""

from __future__ import annotations

import numpy as np

from .terms import InputGated, OneToOne, OutputGated, SynapseGated

__all__ = ["KINDS", "CompiledPlan", "stream_layout"]

#: Term kind codes: AllToAll, InputGated, OutputGated, SynapseGated, OneToOne.
ALL_TO_ALL, INPUT_GATED, OUTPUT_GATED, SYNAPSE_GATED, ONE_TO_ONE = range(5)
KINDS = {"AllToAll": ALL_TO_ALL, "InputGated": INPUT_GATED, "OutputGated": OUTPUT_GATED,
         "SynapseGated": SYNAPSE_GATED, "OneToOne": ONE_TO_ONE}

(S_LAYER, S_SIZE, S_CODE, S_BIAS_SRC, S_BIAS_OFF, S_BIAS_TRAIN, S_SELF_SRC, S_SELF_OFF, S_SELF_GATER,
 S_SELF_GIDX, S_SELF_NG, S_SELF_MASK, S_T0, S_TN, S_E0, S_EN, S_O0, S_ON) = range(18)
(T_KIND, T_STEP, T_LAYER, T_SRC, T_GATER, T_WSRC, T_WOFF, T_NA, T_NL, T_GIDX, T_NG, T_MASK, T_TRAIN,
 T_ONE, T_PLAIN) = range(15)
E_GATER, E_K, E_KSTEP, E_SELF, E_FULL, E_T0, E_TN = range(7)
#: Stream layout columns per layer: size, activation, state, previous state, f', responsibility,
#: gain (-1: not a gater), self-connection decay (-1: none).
L_SIZE, L_ACT, L_STATE, L_OLD, L_DERIV, L_RESP, L_GAIN, L_DECAY = range(8)


def _kind(term) -> int:
    for cls, code in ((OneToOne, ONE_TO_ONE), (SynapseGated, SYNAPSE_GATED), (OutputGated, OUTPUT_GATED),
                      (InputGated, INPUT_GATED)):
        if isinstance(term, cls):
            return code
    return ALL_TO_ALL


class CompiledPlan:
    """A :class:`~axonal.graph.GraphLayer`'s plan as arrays (see the module docstring).

    ``gated`` and ``outgoing`` are LSTM-g's structures (:class:`~axonal.graph.LSTMG`), or
    ``None`` for a forward-only plan. :attr:`ok` is ``False`` when a kernel cannot run
    this network (``in_order`` connections, an activation no kernel knows, a weight
    outside the flat vector); the caller then takes the NumPy path.
    """

    def __init__(self, layer, params, encode, gated=None, outgoing=None):
        self.layer = layer
        self.params = params
        self.ok = False
        if layer.dtype not in (np.float32, np.float64) or any(s.order for s in layer.steps):
            return
        codes = []
        for step in layer.steps:
            code = encode(step.activation)
            if code is None:
                return
            codes.append(code)
        self.dtype = layer.dtype
        self.fixed_names = []
        lists, masks = [], []
        term_list = [t for s in layer.steps for t in s.terms]
        self.term_list = term_list
        term_id = {id(t): n for n, t in enumerate(term_list)}
        step_pos = {s.index: n for n, s in enumerate(layer.steps)}
        sizes = layer.sizes

        def weight(local):
            if local in layer.params:
                arr = layer.params[local]
                base = params.ctypes.data
                off, rem = divmod(arr.ctypes.data - base, arr.itemsize)
                if rem or off < 0 or off + arr.size > params.size or not arr.flags.c_contiguous:
                    raise LookupError(local)
                return 0, off
            if local not in self.fixed_names:
                self.fixed_names.append(local)
            return 1, -1 - self.fixed_names.index(local)   # resolved once the fixed sizes are known

        def put(values):
            start = sum(len(v) for v in lists)
            lists.append(np.asarray(values, np.int64).ravel())
            return start

        def mask_of(conn):
            mask = layer.masks.get(conn.name)
            if mask is None:
                return -1
            start = sum(len(m) for m in masks)
            masks.append(np.asarray(mask, np.float64).ravel())
            return start

        try:
            trow = []
            for n, term in enumerate(term_list):
                src, off = weight(term.param)
                gidx = -1 if term.gate_index is None else put(term.gate_index.index)
                ng = 0 if term.gater is None else sizes[term.gater]
                step = next(s for s in layer.steps if any(t is term for t in s.terms))
                plain = (_kind(term) == ALL_TO_ALL and term.gater is None and not term.one_to_one
                         and step.self_term is None and term.source != step.index)
                trow.append([_kind(term), step_pos[step.index], step.index, term.source,
                             -1 if term.gater is None else term.gater, src, off, sizes[term.source], step.size,
                             gidx, ng, mask_of(term.conn), int(bool(term.conn.trainable)), int(term.one_to_one),
                             int(plain)])
            srow = []
            for step, code in zip(layer.steps, codes):
                bsrc, boff, btrain = (-1, -1, 0)
                if step.bias is not None:
                    bsrc, boff = weight(step.bias)
                    btrain = int(step.bias in layer.params)
                own = step.self_term
                ssrc, soff, sg, sgidx, sng, smask = -1, -1, -1, -1, 0, -1
                if own is not None:
                    ssrc, soff = weight(own.param)
                    sg = -1 if own.gater is None else own.gater
                    sng = 0 if own.gater is None else sizes[own.gater]
                    sgidx = -1 if own.gate_index is None else put(own.gate_index.index)
                    smask = mask_of(own.conn)
                t0 = term_id[id(step.terms[0])] if step.terms else 0
                srow.append([step.index, step.size, code[0], bsrc, boff, btrain, ssrc, soff, sg, sgidx, sng, smask,
                             t0, len(step.terms), 0, 0, 0, 0])
        except LookupError:
            return
        # entries (LSTM-g): what each layer gates, in the learner's order; outgoing terms per layer
        erow = []
        if gated is not None:
            for s in srow:
                i = s[S_LAYER]
                s[S_E0] = len(erow)
                for k, entry in gated.get(i, {}).items():
                    first = put([term_id[id(t)] for t in entry["terms"]])
                    erow.append([i, k, step_pos[k], int(entry["self"]), int(entry["full"]), first,
                                 len(entry["terms"])])
                s[S_EN] = len(erow) - s[S_E0]
            for s in srow:
                pairs = outgoing.get(s[S_LAYER], [])
                s[S_O0] = put([term_id[id(t)] for _, t in pairs])
                s[S_ON] = len(pairs)
        # fixed weights: offsets into F, the fixed arrays concatenated in order
        fixed_off = np.cumsum([0] + [layer.state[n].size for n in self.fixed_names])
        for row, cols in [(r, (T_WSRC, T_WOFF)) for r in trow] + [(r, (S_BIAS_SRC, S_BIAS_OFF)) for r in srow] + \
                         [(r, (S_SELF_SRC, S_SELF_OFF)) for r in srow]:
            if row[cols[0]] == 1:
                row[cols[1]] = int(fixed_off[-1 - row[cols[1]]])
        self.steps = np.array(srow, np.int64).reshape(-1, 18)
        self.terms = np.array(trow, np.int64).reshape(-1, 15)
        self.entries = np.array(erow, np.int64).reshape(-1, 7)
        self.lists = np.concatenate(lists + [np.zeros(1, np.int64)])
        self.fparam = np.array([c[1] for c in codes], self.dtype)
        self.masks = np.concatenate(masks + [np.zeros(1)]).astype(self.dtype)
        self.out_step = step_pos[layer.out_index]
        self._no_fixed, self._fixed = np.zeros(1, self.dtype), (None, None)
        self.ok = True

    def fixed(self) -> np.ndarray:
        """``F``: the fixed weights (``layer.state``) concatenated, as they stand now."""
        names = self.fixed_names
        if not names:
            return self._no_fixed
        if len(names) == 1:
            held = self.layer.state[names[0]]
            if held is not self._fixed[0] or not held.flags.c_contiguous:
                self._fixed = (held, held.reshape(-1))     # a view while the array is contiguous
            return self._fixed[1]
        return np.concatenate([self.layer.state[n].reshape(-1) for n in names])

    def arrays(self) -> tuple:
        """The plan's arrays in the order the kernels take them."""
        return self.steps, self.terms, self.entries, self.lists, self.fparam, self.masks


def stream_layout(layer, batch: int, *, gated=None, lstm_g: bool = True):
    """Where each stream array lives in one flat buffer for ``batch`` streams.

    Returns ``(size, lay, tlay)``: ``lay`` (n_layers, 8) by the ``L_*`` columns, ``tlay``
    (n_terms, 2 + max entries): each term's eligibility trace, the activation it read,
    and its extended trace for each layer its target gates (entry order). Forward-only
    (``lstm_g=False``): activations, states, previous states and gains only.
    """
    sizes = layer.sizes
    gaters = set(layer.gaters)
    self_of = {s.index: s.self_term is not None for s in layer.steps}
    lay = np.full((len(sizes), 8), -1, np.int64)
    at = 0

    def take(n):
        nonlocal at
        start, at = at, at + n
        return start

    for i, n in enumerate(sizes):
        lay[i, 0] = n
        for col in ((L_ACT, L_STATE, L_OLD, L_DERIV, L_RESP) if lstm_g else (L_ACT, L_STATE, L_OLD)):
            lay[i, col] = take(batch * n)
        if i in gaters:
            lay[i, L_GAIN] = take(batch * n)
        if lstm_g and self_of.get(i):
            lay[i, L_DECAY] = take(batch * n)
    terms = [t for s in layer.steps for t in s.terms]
    widest = max([len(gated.get(s.index, {})) for s in layer.steps] if gated else [0])
    tlay = np.full((len(terms), 2 + widest), -1, np.int64)
    if lstm_g:
        n_term = 0
        for step in layer.steps:
            for term in step.terms:
                shape = (step.size,) if term.one_to_one else (sizes[term.source], step.size)
                tlay[n_term, 0] = take(batch * int(np.prod(shape)))
                tlay[n_term, 1] = take(batch * sizes[term.source])
                for e, (k, entry) in enumerate((gated or {}).get(step.index, {}).items()):
                    tlay[n_term, 2 + e] = take(batch * int(np.prod(shape)) * (sizes[k] if entry["full"] else 1))
                n_term += 1
    return at, lay, tlay
