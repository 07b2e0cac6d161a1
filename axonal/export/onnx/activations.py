"""Activation functions as ONNX operators, each in the form axonal computes it.

==============  ===============================================================================
activation      ONNX nodes (``z`` any shape, elementwise unless noted)
==============  ===============================================================================
identity        none
logistic        ``Sigmoid(z)``
tanh            ``Tanh(z)``
relu            ``Relu(z)``
leaky_relu      ``LeakyRelu(z, alpha=α)``: ``z`` if ``z > 0`` else ``α·z``
elu             ``Elu(z, alpha=α)``: ``z`` if ``z > 0`` else ``α·(e^z - 1)``
softplus        ``Relu(z) + Log(1 + Exp(-Abs(z)))``, axonal's form that never overflows
gelu            ``z/2·(1 + Tanh(√(2/π)·(z + 0.044715·z³)))``, the tanh form axonal uses
softmax         ``Softmax(z, axis=-1)``: ``e^(z_k)/Σ_j e^(z_j)`` over the last axis
step            ``Cast(Greater(z, 0))``: 1 if ``z > 0`` else 0
sign            ``Where(GreaterOrEqual(z, 0), 1, -1)``
==============  ===============================================================================

A subclass or a user's own activation has no ONNX form and is refused with a
``ValueError`` naming the layer. :data:`RNN_ACTIVATIONS` maps an activation to the
name (and ``alpha``, ``beta``) the ONNX ``RNN`` operator takes for its ``f``.
"""

from __future__ import annotations

from ... import activations as _activations
from ...names import printable

__all__ = ["ONNX_ACTIVATIONS", "RNN_ACTIVATIONS", "activate", "exact_activation", "rnn_activation"]

#: The activations the exporter writes (by name).
ONNX_ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "softmax",
                    "step", "sign")

#: Activation name -> the ONNX RNN operator's activation name; alpha and beta come from the config.
RNN_ACTIVATIONS = {"identity": "Affine", "logistic": "Sigmoid", "tanh": "Tanh", "relu": "Relu",
                   "leaky_relu": "LeakyRelu", "elu": "Elu", "softplus": "Softplus"}


def exact_activation(activation, where: str):
    """``activation`` looked up, checked to be one of axonal's own classes the exporter knows."""
    act = _activations.get(activation)
    known = _activations.REGISTRY[act.name] if act.name in ONNX_ACTIVATIONS else None
    if known is None or type(act) is not known:
        raise ValueError(f"to_onnx: {where} uses the activation {printable(repr(act), 80)}, which has no ONNX "
                         f"form; supported: {', '.join(ONNX_ACTIVATIONS)}")
    return act


def activate(builder, z: str, activation, where: str) -> str:
    """The name of ``f(z)`` for ``activation`` (see the table above)."""
    act = exact_activation(activation, where)
    name = act.name
    if name == "identity":
        return z
    simple = {"logistic": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}
    if name in simple:
        return builder.op(simple[name], [z])
    if name == "leaky_relu":
        return builder.op("LeakyRelu", [z], alpha=float(act.alpha))
    if name == "elu":
        return builder.op("Elu", [z], alpha=float(act.alpha))
    if name == "softplus":
        # max(z, 0) + ln(1 + e^(-|z|))
        tail = builder.op("Exp", [builder.op("Neg", [builder.op("Abs", [z])])])
        tail = builder.op("Log", [builder.op("Add", [tail, builder.const(1.0, "one")])])
        return builder.op("Add", [builder.op("Relu", [z]), tail], "softplus")
    if name == "gelu":
        # z/2·(1 + tanh(c·(z + k·z³)))
        cube = builder.op("Mul", [builder.op("Mul", [z, z]), z])
        inner = builder.op("Add", [z, builder.op("Mul", [cube, builder.const(act._k, "gelu_k")])])
        t = builder.op("Tanh", [builder.op("Mul", [inner, builder.const(act._c, "gelu_c")])])
        half = builder.op("Mul", [z, builder.const(0.5, "half")])
        return builder.op("Mul", [half, builder.op("Add", [t, builder.const(1.0, "one")])], "gelu")
    if name == "softmax":
        return builder.op("Softmax", [z], axis=-1)
    if name == "step":
        return builder.op("Cast", [builder.op("Greater", [z, builder.const(0.0, "zero")])], "step",
                          to=builder.elem)
    # sign
    positive = builder.op("GreaterOrEqual", [z, builder.const(0.0, "zero")])
    return builder.op("Where", [positive, builder.const(1.0, "one"), builder.const(-1.0, "minus_one")], "sign")


def rnn_activation(activation, where: str) -> dict:
    """The ``activations``/``activation_alpha``/``activation_beta`` attributes of an ONNX ``RNN`` computing
    ``activation``; a ``ValueError`` when the operator has no such function."""
    act = exact_activation(activation, where)
    if act.name not in RNN_ACTIVATIONS:
        raise ValueError(f"to_onnx: {where} uses the activation {act.name!r}, which the ONNX RNN operator "
                         f"does not offer; it offers: {', '.join(RNN_ACTIVATIONS)}")
    attributes: dict[str, list] = {"activations": [RNN_ACTIVATIONS[act.name]]}
    if act.name == "identity":  # Affine: α·z + β
        attributes.update(activation_alpha=[1.0], activation_beta=[0.0])
    elif act.name in ("leaky_relu", "elu"):
        attributes.update(activation_alpha=[float(act.alpha)])
    return attributes
