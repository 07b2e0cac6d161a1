r"""Ready-made networks on the architecture-free graphs: Synaptic's ``Architect``.

Each function draws a :class:`~axonal.graph.Graph` blueprint and returns a
:class:`~axonal.graph.GraphNetwork` (so ``fit``, ``predict``, ``save``, step-by-step
``activate``, LSTM-g ``online`` learning and Synaptic's JSON all work on it).

==============  =====================================================================
function        what it builds
==============  =====================================================================
Perceptron      layers in a chain, all-to-all: a feed-forward network
LSTM            Synaptic's long short-term memory: per block an input gate, forget
                gate, memory cell and output gate, wired and gated as Synaptic does
Liquid          a random reservoir: one pool with random recurrent synapses, some
                of them gated by random pool neurons
Hopfield        :class:`axonal.hopfield.Hopfield`, the Hebbian associative memory
==============  =====================================================================

``Perceptron`` and ``LSTM`` give exactly the neurons, squash functions and
``(from, to, gater)`` synapses of Synaptic 1.1.4's ``Architect.Perceptron`` and
``Architect.LSTM`` (the tests compare ``axonal.synaptic.to_json`` with Synaptic's own
``toJSON()``); only the random starting weights differ, because the random streams
differ. Layers activate in the order they are listed in each docstring.

**Hopfield.** Synaptic's ``Architect.Hopfield(size)`` is a one-layer
auto-associator, ``input(size) → output(size)`` all-to-all with logistic units,
trained by backpropagation on the patterns (``learn``) and read with a 0.5
threshold (``feed``). ``axonal.synaptic.architect.Hopfield`` is instead the classic
Hopfield network of the articles: symmetric weights set by Hebb's rule, sign
units, recall that descends an energy (see :mod:`axonal.hopfield`). The backprop
variant is not offered separately because it is just ``Perceptron(size, size)``
fitted with the patterns as both inputs and targets, thresholded at 0.5.

Randomness: every function takes ``seed`` (an int or a
:class:`numpy.random.Generator`); the same seed gives the same structure and the
same weights. Nothing touches NumPy's global random state.
"""

from __future__ import annotations

import numpy as np

from ..graph import CONNECTION_KINDS, Graph, GraphNetwork
from ..hopfield import Hopfield
from ..validation import non_negative_int, positive_int

__all__ = ["LSTM", "Hopfield", "Liquid", "Perceptron", "from_lstm_layer", "lstm_layer_graph"]


# -- Perceptron ------------------------------------------------------------------------------------
def Perceptron(*sizes, activation="logistic", output_activation=None, dtype="float32", seed=None,
               name: str | None = None) -> GraphNetwork:
    r"""A feed-forward network: layers in a chain, each all-to-all to the next.

    ``Perceptron(2, 3, 1)`` has layers ``input`` (2), ``hidden_1`` (3) and
    ``output`` (1); ``Perceptron(3, 4, 5, 2)`` adds ``hidden_2``. With input
    ``x`` ``(batch, sizes[0])``::

        a_0 = x
        a_k = f(a_{k-1}·W_k + b_k)            hidden_k, k = 1 … L-1
        y   = f_out(a_{L-1}·W_L + b_L)        output

    This is Synaptic's ``Architect.Perceptron`` (logistic everywhere by default),
    which also needs a hidden layer; here two sizes give a single-layer network.

    Parameters
    ----------
    *sizes : int
        Neurons per layer: input, hidden layers in order, output (at least two).
    activation : str or Activation, default "logistic"
        The hidden layers' activation.
    output_activation : str or Activation, optional
        The output layer's activation (default: ``activation``).
    dtype, seed, name
        As for :class:`~axonal.graph.GraphNetwork`.

    Returns
    -------
    GraphNetwork
        Takes ``(batch, sizes[0])`` and gives ``(batch, sizes[-1])``.

    >>> net = Perceptron(2, 3, 1, seed=0)
    >>> net.graph.order
    ['input', 'hidden_1', 'output']
    >>> net.predict([[0.0, 1.0], [1.0, 1.0]]).shape
    (2, 1)
    """
    sizes = _sizes("Perceptron", sizes, 2, "an input and an output size, e.g. Perceptron(2, 3, 1)")  # type: ignore[assignment]
    output_activation = activation if output_activation is None else output_activation
    g = Graph()
    previous = g.layer("input", sizes[0])
    for k, size in enumerate(sizes[1:-1], start=1):
        layer = g.layer(f"hidden_{k}", size, activation)
        previous.project(layer, "all_to_all")
        previous = layer
    output = g.layer("output", sizes[-1], output_activation)
    previous.project(output, "all_to_all")
    return GraphNetwork(g, dtype=dtype, seed=seed, name=name)


# -- LSTM ------------------------------------------------------------------------------------------
def LSTM(*sizes, peepholes="all_to_all", hidden_to_hidden: bool = False, output_to_hidden: bool = False,
         output_to_gates: bool = False, input_to_output: bool = True, dtype="float32", seed=None,
         return_sequences: bool = True, name: str | None = None) -> GraphNetwork:
    r"""Synaptic's LSTM: ``LSTM(input, *blocks, output)``, one memory block per middle size.

    Block ``k`` (names suffixed ``_k`` from the second block on) has four layers of
    ``blocks[k]`` logistic neurons, activated in this order after ``input``:
    ``input_gate``, ``forget_gate``, ``memory_cell``, ``output_gate``; ``output``
    comes last. The gates' biases start at 1 (open), as in Synaptic. One step, for
    a single block (``σ`` the logistic function, ``x`` the input, ``c`` the cell's
    activation, ``s`` its state)::

        i(t) = σ(x·W_xi + c(t-1)·P_i + b_i)              input gate
        f(t) = σ(x·W_xf + c(t-1)·P_f + b_f)              forget gate
        s(t) = f(t) ⊙ s(t-1) + i(t) ⊙ (x·W_xc) + b_c     memory cell state
        c(t) = σ(s(t))
        o(t) = σ(x·W_xo + c(t)·P_o + b_o)                output gate
        y(t) = σ((o(t) ⊙ c(t))·W_cy + x·W_xy + b_y)      output

    The cell's self-connection (weight fixed at 1) is gated one-to-one by the forget
    gate, ``input → memory_cell`` by the input gate (input gating), ``memory_cell →
    output`` by the output gate (output gating). The peepholes ``P`` read the cell's
    *previous* activation in the input and forget gates and its *current* one in the
    output gate, because the cell activates between them. A later block also reads
    the previous block's cell, ``c_{k-1}(t)·W`` into its cell (gated by its input
    gate, like ``x·W_xc``) and into its three gates.

    Parameters
    ----------
    *sizes : int
        ``input, block_1, …, block_n, output``: at least three sizes.
    peepholes : {"all_to_all", "one_to_one", "all_to_else"}, True, False or None
        How each cell connects to its own gates. ``True`` means ``"all_to_all"``;
        ``False`` or ``None`` means no peepholes. (Synaptic's ``peepholes: true`` is
        no connection type and silently creates none; here ``True`` asks for the
        default. Pass ``False`` for Synaptic's behaviour.)
    hidden_to_hidden : bool, default False
        Each cell feeds every *other* cell of its block (``all_to_else``, ungated),
        at the previous step. (Synaptic activates neuron by neuron, so there a cell
        sees the *current* value of the cells before it in its block: the same
        synapses, slightly different numbers; reading ``axonal.synaptic.to_json`` back
        with ``axonal.synaptic.from_json`` gives Synaptic's timing.)
    output_to_hidden : bool, default False
        The output layer feeds every cell (previous step's output, ungated).
    output_to_gates : bool, default False
        The output layer feeds every gate (previous step's output).
    input_to_output : bool, default True
        The input layer also feeds the output layer directly.
    dtype, seed, return_sequences, name
        As for :class:`~axonal.graph.GraphNetwork`.

    Returns
    -------
    GraphNetwork
        Takes ``(batch, time, input)``; gives ``(batch, time, output)`` or, with
        ``return_sequences=False``, ``(batch, output)``.

    >>> net = LSTM(2, 3, 1, seed=0)
    >>> net.graph.order
    ['input', 'input_gate', 'forget_gate', 'memory_cell', 'output_gate', 'output']
    >>> net.predict(np.zeros((4, 5, 2))).shape
    (4, 5, 1)
    """
    sizes = _sizes("LSTM", sizes, 3, "an input size, at least one memory block size and an output size, "  # type: ignore[assignment]
                                     "e.g. LSTM(2, 3, 1)")
    if peepholes is True:
        peepholes = "all_to_all"
    elif peepholes is False:
        peepholes = None
    if peepholes is not None and peepholes not in CONNECTION_KINDS:
        raise ValueError(f"LSTM: peepholes must be one of {', '.join(CONNECTION_KINDS)}, True, False or None; "
                         f"got {peepholes!r}")
    flags = {"hidden_to_hidden": hidden_to_hidden, "output_to_hidden": output_to_hidden,
             "output_to_gates": output_to_gates, "input_to_output": input_to_output}
    for option, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"LSTM: {option} must be True or False, got {value!r}")

    g = Graph()
    inp = g.layer("input", sizes[0])
    blocks = []
    for k, size in enumerate(sizes[1:-1], start=1):
        suffix = "" if k == 1 else f"_{k}"
        blocks.append([g.layer(f"{part}{suffix}", size, "logistic", bias=1.0 if part.endswith("gate") else True)
                       for part in ("input_gate", "forget_gate", "memory_cell", "output_gate")])
    out = g.layer("output", sizes[-1], "logistic")

    previous = None
    for input_gate, forget_gate, cell, output_gate in blocks:
        into_cell = inp.project(cell, "all_to_all")
        for gate in (input_gate, forget_gate, output_gate):
            inp.project(gate, "all_to_all")
        from_previous = None
        if previous is not None:
            from_previous = previous.project(cell, "all_to_all")
            for gate in (input_gate, forget_gate, output_gate):
                previous.project(gate, "all_to_all")
        cell_to_output = cell.project(out, "all_to_all")
        self_connection = cell.project(cell, "one_to_one")
        if hidden_to_hidden and cell.size > 1:
            cell.project(cell, "all_to_else")
        if output_to_hidden:
            out.project(cell, "all_to_all")
        if output_to_gates:
            for gate in (input_gate, output_gate, forget_gate):
                out.project(gate, "all_to_all")
        if peepholes is not None:
            for gate in (input_gate, forget_gate, output_gate):
                cell.project(gate, peepholes)
        input_gate.gate(into_cell, "input")
        forget_gate.gate(self_connection, "one_to_one")
        output_gate.gate(cell_to_output, "output")
        if from_previous is not None:
            input_gate.gate(from_previous, "input")
        previous = cell
    if input_to_output:
        inp.project(out, "all_to_all")
    return GraphNetwork(g, dtype=dtype, seed=seed, return_sequences=return_sequences, name=name)


# -- Liquid ----------------------------------------------------------------------------------------
def Liquid(inputs, pool, outputs, connections, gates, *, dtype="float32", seed=None,
           return_sequences: bool = True, name: str | None = None) -> GraphNetwork:
    r"""A liquid state machine: a random recurrent pool between an input and an output.

    Layers ``input`` (``inputs``), ``pool`` (``pool``) and ``output`` (``outputs``),
    all logistic, activated in that order; ``input → pool`` and ``pool → output`` are
    all-to-all. Inside the pool, as in Synaptic's ``Architect.Liquid``:

    * ``connections`` times a random pair ``(i, j)`` of pool neurons is drawn
      (uniformly, with replacement) and ``i → j`` becomes a synapse. A pair drawn
      twice is one synapse (duplicates merge, as Synaptic reuses an existing
      connection), so the pool has *at most* ``connections`` synapses. A pair
      ``(i, i)`` is neuron ``i``'s self-connection: its state feeds back with a
      fixed weight 1, as in Synaptic.
    * ``gates`` distinct synapses (self-connections included) are drawn without
      replacement and each is gated by a random pool neuron ``k`` (per-synapse
      gating, the graph's ``"synapse"`` gate kind). Synaptic draws its gated
      connections with replacement, so it may gate one twice (the last gater
      wins); here exactly ``gates`` synapses are gated.

    One step, with ``p`` the pool's activation, ``s`` its state, ``d_j ∈ {0, 1}``
    whether neuron ``j`` has a self-connection and ``g = p_k(t-1)`` the gain of a
    synapse gated by ``k`` (1 when ungated)::

        s_j(t) = g_jj·d_j·s_j(t-1) + Σ_i g_ji·w_ji·p_i(t-1) + x(t)·W_in[:, j] + b_j
        p(t)   = σ(s(t))
        y(t)   = σ(p(t)·W_out + b_out)

    The pool is one layer, so it reads its own neurons (and gaters) at the previous
    step. Synaptic activates neuron by neuron, so there a synapse ``i → j`` with
    ``i`` before ``j`` carries the *current* step's value: the same reservoir, not
    the same numbers. ``axonal.synaptic.to_json`` writes the network, and reading that
    back with ``axonal.synaptic.from_json`` gives Synaptic's timing, not this.

    Parameters
    ----------
    inputs, pool, outputs : int
        Sizes of the input layer, the pool and the output layer.
    connections : int
        Random draws of pool synapses (``≥ 0``).
    gates : int
        Pool synapses to gate (``0 ≤ gates ≤ connections``, and no more than the
        distinct synapses left after merging; the error says how many there are).
    dtype, seed, return_sequences, name
        As for :class:`~axonal.graph.GraphNetwork`; ``seed`` also fixes the pool's
        structure: the same seed gives the same synapses, gaters and weights.

    Returns
    -------
    GraphNetwork
        Takes ``(batch, time, inputs)`` and gives ``(batch, time, outputs)``
        (``(batch, outputs)`` with ``return_sequences=False``). Without recurrent
        synapses (``connections=0``) the pool is feed-forward and the network takes
        ``(batch, inputs)``.

    >>> net = Liquid(2, 10, 1, connections=20, gates=5, seed=0)
    >>> sum(int((c.gate_index >= 0).sum()) for c in net.graph.connections if c.gater == "pool")
    5
    >>> net.predict(np.zeros((3, 4, 2))).shape
    (3, 4, 1)
    """
    inputs = _size("Liquid", "inputs", inputs)
    pool = _size("Liquid", "pool", pool)
    outputs = _size("Liquid", "outputs", outputs)
    connections = _count("Liquid", "connections", connections)
    gates = _count("Liquid", "gates", gates)
    if gates > connections:
        raise ValueError(f"Liquid: gates={gates} is more than connections={connections}; only pool synapses "
                         f"can be gated")
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, pool, size=(connections, 2))
    present = np.zeros((pool, pool), dtype=bool)
    present[pairs[:, 0], pairs[:, 1]] = True       # a pair drawn twice is one synapse
    sources, targets = np.nonzero(present)
    if gates > len(sources):
        raise ValueError(f"Liquid: gates={gates}, but the {connections} random draws gave only {len(sources)} "
                         f"distinct pool synapses to gate; use fewer gates or more connections")
    chosen = rng.choice(len(sources), size=gates, replace=False)
    gaters = rng.integers(0, pool, size=gates)
    index = np.full((pool, pool), -1, dtype=np.int64)   # gater neuron per synapse, -1 ungated
    index[sources[chosen], targets[chosen]] = gaters
    diagonal = np.eye(pool, dtype=bool)

    g = Graph()
    inp = g.layer("input", inputs)
    reservoir = g.layer("pool", pool, "logistic")
    out = g.layer("output", outputs, "logistic")
    inp.project(reservoir, "all_to_all")
    if present[diagonal].any():
        self_connection = g.connect(reservoir, reservoir, "one_to_one", weights=present[diagonal].astype(float),
                                    name="pool_self")
        if (index[diagonal] >= 0).any():
            g.gate(self_connection, reservoir, "synapse", index=index[diagonal])
    if (present & ~diagonal).any():
        recurrent = g.connect(reservoir, reservoir, "all_to_else", mask=present & ~diagonal, name="pool_to_pool")
        if (index[~diagonal] >= 0).any():
            g.gate(recurrent, reservoir, "synapse", index=np.where(diagonal, -1, index))
    reservoir.project(out, "all_to_all")
    weight_seed = int(rng.integers(2**63))  # drawn after the structure: one seed fixes both
    return GraphNetwork(g, dtype=dtype, seed=weight_seed, return_sequences=return_sequences, name=name)


# -- checking arguments ----------------------------------------------------------------------------
def lstm_layer_graph(inputs: int, units: int, *, peepholes: bool = True) -> Graph:
    r"""The equations of :class:`axonal.layers.LSTM` as layers, connections and gates.

    Layers, in activation order: ``x`` (input), gates ``i``, ``f``, the cell input
    ``g`` (tanh), ``cell`` (identity activation, so its activation is the state
    ``c_t``: the constant error carousel), gate ``o``, ``tanh_c`` and ``h``::

        cell:   c_t = f ⊙ c_{t-1} + i ⊙ g          (self-connection gated by f, g → cell gated by i)
        h:      h_t = o ⊙ tanh(c_t)                 (tanh_c → h gated by o)

    ``h`` comes last, so every gate reads ``h_{t-1}``; the peepholes (``cell → i, f``
    one-to-one) read ``c_{t-1}`` and ``cell → o`` reads ``c_t``. The fixed weights of 1
    are not trained. :func:`from_lstm_layer` fills it with a layer's weights.
    """
    g = Graph()
    x = g.layer("x", inputs)
    gates = {k: g.layer(k, units, "tanh" if k == "g" else "logistic") for k in "ifg"}
    cell = g.layer("cell", units, "identity", bias=False)
    gates["o"] = g.layer("o", units)
    tanh_c = g.layer("tanh_c", units, "tanh", bias=False)
    h = g.layer("h", units, "identity", bias=False)
    for gate in gates.values():
        x.project(gate)
        h.project(gate)
    if peepholes:
        for k in "ifo":
            cell.project(gates[k], "one_to_one")
    gates["i"].gate(gates["g"].project(cell, "one_to_one", weights=1.0, trainable=False), "input")
    gates["f"].gate(cell.project(cell), "one_to_one")
    cell.project(tanh_c, "one_to_one", weights=1.0, trainable=False)
    gates["o"].gate(tanh_c.project(h, "one_to_one", weights=1.0, trainable=False), "one_to_one")
    return g


def from_lstm_layer(lstm, *, return_sequences: bool | None = None) -> GraphNetwork:
    """A :class:`GraphNetwork` computing what the built ``LSTM`` layer ``lstm`` computes, with
    its weights: kernel columns ``[i | f | g | o]`` become ``x_to_i.weight`` ..., the
    recurrent kernel ``h_to_i.weight`` ..., the peepholes ``cell_to_i.weight`` ..."""
    from ..layers import LSTM as LSTMLayer
    if not isinstance(lstm, LSTMLayer) or not lstm.built:
        raise ValueError(f"from_lstm_layer needs a built axonal.layers.LSTM, got {lstm!r:.60}")
    n, n_in = lstm.units, lstm.input_shape[-1]  # type: ignore[index]
    sequences = lstm.return_sequences if return_sequences is None else return_sequences
    dtype = str(lstm.dtype)
    net = GraphNetwork(lstm_layer_graph(n_in, n, peepholes=lstm.peepholes), return_sequences=sequences,
                       dtype=dtype, seed=0)
    w = net.get_weights()
    for j, k in enumerate("ifgo"):
        cols = slice(j * n, (j + 1) * n)
        w[f"x_to_{k}.weight"] = lstm.params["kernel"][:, cols]
        w[f"h_to_{k}.weight"] = lstm.params["recurrent_kernel"][:, cols]
        w[f"{k}.bias"] = lstm.params["bias"][cols]
    if lstm.peepholes:
        for k in "ifo":
            w[f"cell_to_{k}.weight"] = lstm.params[f"peephole_{k}"]
    net.set_weights(w)
    return net


def _size(where: str, what: str, value) -> int:
    return positive_int(value, where, what)


def _count(where: str, what: str, value) -> int:
    return non_negative_int(value, where, what)


def _sizes(where: str, sizes, least: int, expected: str) -> list[int]:
    if len(sizes) < least:
        raise ValueError(f"{where} needs at least {least} layer sizes ({expected}); got {len(sizes)}: "
                         f"{', '.join(map(repr, sizes)) or 'none'}")
    last = len(sizes) - 1
    return [_size(where, "the input size" if k == 0 else "the output size" if k == last else f"sizes[{k}]", s)
            for k, s in enumerate(sizes)]
