"""A classifier's extra outputs: the probabilities (the loss's link) and the class label.

================================  =====================  ===================================================
training loss                     ``probabilities``      ``label`` (when the model has ``classes_``)
================================  =====================  ===================================================
``softmax_cross_entropy``         ``Softmax(y)``         ``classes[ArgMax(p, axis=-1)]``
``binary_cross_entropy_logits``   ``Sigmoid(y)``         one output: ``classes[p > 0.5]``; else ``ArgMax``
``categorical_cross_entropy``,    ``y`` (the outputs     as above
``binary_cross_entropy``          already are)
anything else                     no such output         no such output
================================  =====================  ===================================================

This is what :meth:`~axonal.network.Sequential.predict_proba` and
:meth:`~axonal.network.Sequential.predict_classes` compute. The labels are a
constant tensor, ``int64`` or ``string`` (UTF-8, exactly as given), read by a
``Gather``: a label is data, never a name.
"""

from __future__ import annotations

import numpy as np

from ...losses.base import Loss
from ...losses.classification import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    CategoricalCrossEntropy,
    SoftmaxCrossEntropy,
)
from ...names import printable

__all__ = ["label", "link_of", "probabilities"]

_LINKS = {SoftmaxCrossEntropy: "softmax", BinaryCrossEntropyWithLogits: "logistic",
          CategoricalCrossEntropy: "identity", BinaryCrossEntropy: "identity"}


def link_of(loss) -> str | None:
    """``"softmax"``, ``"logistic"`` or ``"identity"``: the probability link of ``loss``; ``None`` for a loss
    whose outputs are not class probabilities (or no loss). A loss of another class that claims
    probabilities is refused with a ``ValueError`` unless it keeps the base class's identity link."""
    if loss is None or not getattr(loss, "probabilities", False):
        return None
    link = _LINKS.get(type(loss))
    if link is not None:
        return link
    if type(loss).link is Loss.link:
        return "identity"
    raise ValueError(f"export: the loss {printable(getattr(loss, 'name', type(loss).__name__), 80)} has its own "
                     f"probability link, which axonal's exporters do not know")


def probabilities(builder, y: str, link: str) -> str:
    """The name of the probabilities of the outputs ``y`` under ``link``."""
    if link == "softmax":
        return builder.op("Softmax", [y], "probabilities", axis=-1)
    if link == "logistic":
        return builder.op("Sigmoid", [y], "probabilities")
    return builder.op("Identity", [y], "probabilities")


def label(builder, p: str, classes: list, outputs: int) -> tuple[str, int]:
    """``(name, element type)`` of the class label of each sample, from the probabilities ``p``: the most
    probable class, or for one logistic output the second class where ``p > 0.5``."""
    onnx = builder.onnx
    if any(isinstance(c, str) for c in classes):  # mixed labels read as text, as predict_classes gives them
        table, elem = builder.const_strings([str(c) for c in classes], "classes"), onnx.TensorProto.STRING
    else:
        values = np.asarray(classes, dtype=object)
        if any(not -2**63 <= int(v) < 2**63 for v in values):
            raise ValueError("to_onnx: an integer class label does not fit in int64")
        table, elem = builder.const_int64([int(v) for v in values], "classes"), onnx.TensorProto.INT64
    if outputs == 1:
        above = builder.op("Greater", [p, builder.const(0.5, "half")], "above")
        code = builder.op("Cast", [above], "code", to=onnx.TensorProto.INT64)
        code = builder.op("Squeeze", [code, builder.const_int64([-1], "axes")], "code")
    else:
        code = builder.op("ArgMax", [p], "code", axis=-1, keepdims=0)
    return builder.op("Gather", [table, code], "label", axis=0), elem
