"""``to_onnx`` and ``save_onnx``: a network as one ONNX model.

The model has one input and up to three outputs, all with fixed names:

==================  ================================================================================
tensor              shape and meaning
==================  ================================================================================
``input``           ``(batch, features)``, or ``(batch, time, features)`` for a network whose first
                    layer is recurrent; ``batch`` and ``time`` are free
``output``          what ``network.predict`` returns: ``(batch, outputs)`` or, for a last recurrent
                    layer with ``return_sequences``, ``(batch, time, outputs)``
``probabilities``   a classifier only (its loss has a probability link): ``predict_proba``
``label``           a classifier with class labels (``classes_``): ``predict_classes``, ``int64`` or
                    ``string`` (batch) or (batch, time)
==================  ================================================================================

Floating tensors are ``float32`` by default, ``float64`` with ``dtype="float64"``.
The graph uses the default operator set at version :data:`~.builder.OPSET` (17),
IR version 8, and is checked with ``onnx.checker.check_model(full_check=True)``
before it is returned. Inference only: dropout is the identity, batch
normalisation uses its running statistics, recurrent layers start from a zero state.

Metadata (``metadata_props``, data only): ``description``, ``loss``, and, where the
network has them, ``classes`` and ``feature_names`` (JSON lists).
"""

from __future__ import annotations

import json
import os

import numpy as np

from ..._files import write_atomically
from ...names import printable
from ..escape import onnx_doc
from .builder import IR_VERSION, OPSET, Builder

__all__ = ["save_onnx", "to_onnx"]

_DTYPES = {"float32": np.float32, "float64": np.float64}


def _dtype(dtype) -> np.dtype:
    name = getattr(dtype, "__name__", None) or str(dtype)
    if name not in _DTYPES:
        raise ValueError(f"to_onnx: dtype must be 'float32' or 'float64', got {printable(repr(dtype), 40)}")
    return np.dtype(_DTYPES[name])


def _dims(shape) -> list:
    """A layer shape without the batch (``(k,)`` or ``(None, k)``) as ONNX dims with the batch first."""
    return ["batch"] + ["time" if d is None else int(d) for d in shape]


def to_onnx(network, *, dtype="float32"):
    """``network`` (a built :class:`~axonal.network.Sequential`, or a feed-forward
    :class:`~axonal.graph.GraphNetwork`) as an ``onnx.ModelProto`` (see the module docstring).

    Raises ``ImportError`` without the onnx package, ``TypeError`` naming a layer that has no ONNX form,
    ``ValueError`` for an activation without one or a scaler that has not learned its statistics,
    ``NotImplementedError`` for a graph network that runs in time.
    """
    from ...graph import GraphNetwork
    from ...network import Sequential
    from .graph_network import convert_graph
    from .heads import label, link_of, probabilities
    from .layers import convert_chain

    if not isinstance(network, Sequential):
        raise TypeError(f"to_onnx needs a Sequential or GraphNetwork, got {printable(type(network).__name__, 80)}")
    if not network.built:
        raise ValueError(f"to_onnx: {printable(network.describe(), 80)} is not built yet "
                         f"(give input_dim, or fit it first)")
    builder = Builder(_dtype(dtype))
    onnx = builder.onnx
    link = link_of(network.loss_)
    inputs = [builder.value_info("input", builder.elem, _dims(network.input_shape))]
    if isinstance(network, GraphNetwork):
        y = convert_graph(builder, network.graph_layer, "input")
    else:
        y = convert_chain(builder, network.layers, "input")
    out_dims = _dims(network.output_shape)
    y = builder.rename(y, "output")
    outputs = [builder.value_info(y, builder.elem, out_dims)]
    if link is not None:
        p = builder.rename(probabilities(builder, y, link), "probabilities")
        outputs.append(builder.value_info(p, builder.elem, out_dims))
        if network.classes_ is not None:
            name, elem = label(builder, p, network.classes_, out_dims[-1])
            outputs.append(builder.value_info(builder.rename(name, "label"), elem, out_dims[:-1]))
    description = onnx_doc(network.describe(), 400)
    graph = onnx.helper.make_graph(builder.nodes, "axonal", inputs, outputs, initializer=builder.initializers,
                                   doc_string=description)
    from ..._version import __version__
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", OPSET)],
                                   producer_name="axonal", producer_version=__version__, ir_version=IR_VERSION,
                                   doc_string=description)
    metadata = {"description": network.describe()}
    if network.loss_ is not None:
        metadata["loss"] = str(network.loss_.name)
    if network.classes_ is not None:
        metadata["classes"] = json.dumps(list(network.classes_))
    if getattr(network, "feature_names_", None) is not None:
        metadata["feature_names"] = json.dumps(list(network.feature_names_))
    onnx.helper.set_model_props(model, {key: onnx_doc(value, None) if key == "description" else value
                                        for key, value in metadata.items()})
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as exc:
        raise ValueError(f"to_onnx: the generated model fails the ONNX checker: {printable(str(exc), 300)}") from None
    return model


def save_onnx(network, path, *, dtype="float32") -> str:
    """Write :func:`to_onnx`'s model to ``path`` atomically (a reader sees the old file or the whole new
    one; a failed export leaves the old file as it was); return the path."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(21, f"cannot write {path}: it is a directory")
    blob = to_onnx(network, dtype=dtype).SerializeToString()
    write_atomically(path, blob, what="ONNX export")
    return path
