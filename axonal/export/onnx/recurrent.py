r"""Recurrent layers as the ONNX ``RNN``, ``LSTM`` and ``GRU`` operators, from a zero state.

axonal reads sequences batch first, ``x`` (batch, time, features); the operators
read them time first (``layout = 0``), so the input is transposed to
``(time, batch, features)``. The operators' outputs are ``Y`` (time, 1, batch,
units), every step's ``h_t``, and ``Y_h`` (1, batch, units), the last; a layer
with ``return_sequences`` gives ``Y`` transposed back to (batch, time, units),
otherwise ``Y_h`` as (batch, units). The initial state is zero (the inputs
``initial_h``, ``initial_c`` are omitted): the network as ``predict`` runs it
after ``reset_state()``. Two cases take a ``Scan`` loop over axonal's own cell
instead (:mod:`.scan`): float64 export (the operators allow double, but onnxruntime
runs them in float32 alone) and a ``SimpleRNN`` whose activation the ``RNN``
operator does not offer.

The operators store one direction's weights as ``W`` (1, gates·units, features),
``R`` (1, gates·units, units) and ``B = [W_b | R_b]`` (1, 2·gates·units): the
transposes of axonal's ``kernel`` (features, gates·units) and ``recurrent_kernel``
(units, gates·units), their gate blocks reordered.

* ``SimpleRNN`` (``h_t = f(x_t·W + b + h_{t-1}·U)``) is ``RNN`` with ``f`` as its
  activation (:data:`~.activations.RNN_ACTIVATIONS`), ``W_b = b``, ``R_b = 0``.
* ``LSTM``: axonal's gate blocks are ``[i | f | g | o]``, the operator's ``[i | o | f | c]``
  (``c`` is the cell input, axonal's ``g``); its equations are axonal's, peepholes
  included: ``i = σ(a_i + p_i ⊙ c_{t-1})``, ``f = σ(a_f + p_f ⊙ c_{t-1})``,
  ``c_t = f ⊙ c_{t-1} + i ⊙ tanh(a_g)``, ``o = σ(a_o + p_o ⊙ c_t)``, ``h_t = o ⊙ tanh(c_t)``;
  the peephole input ``P`` (1, 3·units) is ``[p_i | p_o | p_f]``. ``W_b = b``, ``R_b = 0``.
* ``GRU``: axonal's ``[r | z | n]`` becomes the operator's ``[z | r | h]``; axonal's form
  ``n = tanh(a_x,n + r ⊙ (h_{t-1}·U_n + b_h,n))`` is the operator's
  ``linear_before_reset = 1``; ``W_b = b`` (axonal's ``bias``), ``R_b = b_h``
  (``recurrent_bias``); ``h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}`` in both.
"""

from __future__ import annotations

import numpy as np

from .activations import RNN_ACTIVATIONS, exact_activation, rnn_activation
from .scan import convert_scan

__all__ = ["convert_recurrent", "has_rnn_form"]


def has_rnn_form(activation, where: str) -> bool:
    """Whether the ``RNN`` operator offers ``activation`` (a ``ValueError`` for one without any ONNX form)."""
    return exact_activation(activation, where).name in RNN_ACTIVATIONS


def _blocks(array, units, order):
    """``array``'s last axis cut into gate blocks of ``units`` and put in ``order`` (block indices)."""
    return np.concatenate([array[..., k * units:(k + 1) * units] for k in order], axis=-1)


def convert_recurrent(builder, layer, x: str, where: str, doc: str) -> str:
    """The nodes computing ``layer`` (a SimpleRNN, LSTM or GRU) on ``x`` (batch, time, features)."""
    from ...layers import GRU, LSTM, SimpleRNN

    if builder.dtype != np.float32 or (isinstance(layer, SimpleRNN) and not has_rnn_form(layer.activation, where)):
        return convert_scan(builder, layer, x, where, doc)
    n = layer.units
    kernel = np.asarray(layer.params["kernel"], dtype=np.float64)
    recurrent = np.asarray(layer.params["recurrent_kernel"], dtype=np.float64)
    bias = np.asarray(layer.params["bias"], dtype=np.float64)
    attributes: dict = {"hidden_size": n}
    extra: list[str] = []
    order: tuple[int, ...]
    if isinstance(layer, LSTM):
        op, order = "LSTM", (0, 3, 1, 2)                    # [i f g o] -> [i o f c]
        recurrent_bias = np.zeros_like(bias)
        if layer.peepholes:
            peep = np.concatenate([layer.params[f"peephole_{g}"] for g in "iof"])[None, :]
            extra = ["", "", "", builder.const(peep, "peephole")]   # sequence_lens, initial_h, initial_c, P
    elif isinstance(layer, GRU):
        op, order = "GRU", (1, 0, 2)                        # [r z n] -> [z r h]
        recurrent_bias = np.asarray(layer.params["recurrent_bias"], dtype=np.float64)
        attributes["linear_before_reset"] = 1
    else:
        op, order = "RNN", (0,)
        recurrent_bias = np.zeros_like(bias)
        attributes.update(rnn_activation(layer.activation, where))
    w = builder.const(_blocks(kernel, n, order).T[None], "w")
    r = builder.const(_blocks(recurrent, n, order).T[None], "r")
    b = builder.const(np.concatenate([_blocks(bias, n, order), _blocks(recurrent_bias, n, order)])[None], "b")
    time_first = builder.op("Transpose", [x], "time_first", perm=[1, 0, 2], doc=doc)
    y, y_h = builder.op(op, [time_first, w, r, b] + extra, op.lower(), outputs=2, doc=doc, **attributes)
    if layer.return_sequences:
        steps = builder.op("Squeeze", [y, builder.const_int64([1], "axes")], "steps")
        return builder.op("Transpose", [steps], "batch_first", perm=[1, 0, 2])
    return builder.op("Squeeze", [y_h, builder.const_int64([0], "axes")], "last")
