"""An ONNX graph being assembled: generated tensor names, constants, nodes.

Every node and tensor name is the builder's own (``t12_matmul``, ``c3_weight``,
``n7``): text from users (layer names, descriptions, class labels, feature names)
never becomes a name; it enters the file only as data, in a tensor's values or a
doc string (escaped by :func:`axonal.export.escape.onnx_doc`).

:mod:`onnx` is imported here, on first use, and only by the modules of
:mod:`axonal.export.onnx`; without it, :func:`require_onnx` raises an ``ImportError``
that names ``pip install "axonal[onnx]"``.
"""

from __future__ import annotations

import re

import numpy as np

from ..escape import onnx_doc

__all__ = ["IR_VERSION", "OPSET", "Builder", "require_onnx"]

#: The ONNX operator set the exported graphs use (the default domain, ``ai.onnx``).
OPSET = 17
#: The ONNX IR version written into the file: 8 is the one that goes with opset 17.
IR_VERSION = 8

_KIND = re.compile(r"[a-z][a-z0-9_]*")


def require_onnx():
    """The :mod:`onnx` module, or an ``ImportError`` saying how to install it."""
    try:
        import onnx
    except ImportError:
        raise ImportError('exporting to ONNX needs the onnx package: pip install "axonal[onnx]"') from None
    return onnx


class Builder:
    """Nodes, constants (initializers) and fresh names for one ONNX graph of element type ``dtype``.

    ``dtype`` is ``numpy.float32`` or ``numpy.float64``: every floating constant is
    stored in it and every floating tensor the graph computes has it.
    """

    def __init__(self, dtype) -> None:
        self.onnx = require_onnx()
        self.dtype = np.dtype(dtype)
        self.elem = self.onnx.TensorProto.DOUBLE if self.dtype == np.float64 else self.onnx.TensorProto.FLOAT
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0
        self._node_count = 0

    def fresh(self, kind: str) -> str:
        """A new tensor name ``t<k>_<kind>``; ``kind`` is one of the builder's own words."""
        if not _KIND.fullmatch(kind):
            raise ValueError(f"to_onnx: {kind!r} is not a word the exporter uses for a tensor")
        self._count += 1
        return f"t{self._count}_{kind}"

    # -- constants -----------------------------------------------------------------------------------
    def const(self, values, kind: str = "const") -> str:
        """A floating constant of the graph's dtype holding ``values`` (any shape); returns its name."""
        array = np.asarray(values, dtype=np.float64).astype(self.dtype)
        return self._initializer(array, kind)

    def const_int64(self, values, kind: str = "index") -> str:
        return self._initializer(np.asarray(values, dtype=np.int64), kind)

    def const_strings(self, values, kind: str = "labels") -> str:
        """A 1-D string constant; each value is stored as its UTF-8 bytes, exactly."""
        data = []
        for i, text in enumerate(values):
            try:
                data.append(str(text).encode("utf-8"))
            except UnicodeEncodeError:
                raise ValueError(f"to_onnx: string {i} ({onnx_doc(text, 60)}) holds a lone surrogate, which an "
                                 f"ONNX string tensor (UTF-8) cannot store") from None
        name = self.fresh(kind)
        tensor = self.onnx.helper.make_tensor(name, self.onnx.TensorProto.STRING, [len(data)], data)
        self.initializers.append(tensor)
        return name

    def _initializer(self, array, kind):
        name = self.fresh(kind)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    # -- nodes ---------------------------------------------------------------------------------------
    def op(self, op_type: str, inputs, kind: str | None = None, *, outputs: int = 1, doc: str | None = None,
           **attributes):
        """Add a node of ``op_type`` reading ``inputs`` (names; ``""`` for an omitted optional input).

        Returns its output's name, or a list of ``outputs`` names. ``doc`` (any text) becomes the
        node's doc string, escaped.
        """
        kind = kind or op_type.lower()
        names = [self.fresh(kind) for _ in range(outputs)]
        node = self.onnx.helper.make_node(op_type, list(inputs), names, name=self._node_name(), **attributes)
        if doc is not None:
            node.doc_string = onnx_doc(doc, 400)
        self.nodes.append(node)
        return names[0] if outputs == 1 else names

    def value_info(self, name: str, elem, dims):
        """A graph input or output declaration: ``dims`` holds ints and symbolic names (``"batch"``)."""
        return self.onnx.helper.make_tensor_value_info(name, elem, list(dims))

    def rename(self, name: str, new: str) -> str:
        """Make the node producing ``name`` write ``new`` instead (for the graph's fixed output names);
        a tensor not made by a node (the input, a constant) gets an ``Identity`` node."""
        for node in reversed(self.nodes):
            for k, out in enumerate(node.output):
                if out == name:
                    node.output[k] = new
                    for other in self.nodes:
                        for j, inp in enumerate(other.input):
                            if inp == name:
                                other.input[j] = new
                    return new
        self.nodes.append(self.onnx.helper.make_node("Identity", [name], [new], name=self._node_name()))
        return new

    def _node_name(self) -> str:
        """``n<k>``: unique over the graph and every subgraph (a loop's body)."""
        self._node_count += 1
        return f"n{self._node_count}"

    def subgraph(self):
        """A context in which :meth:`op` adds nodes to a fresh list (a loop's body), returned by the
        ``with`` statement; names stay unique and constants stay in the main graph, which the
        body reads from its outer scope."""
        return _Subgraph(self)


class _Subgraph:
    def __init__(self, builder) -> None:
        self.builder = builder
        self.nodes: list = []

    def __enter__(self):
        self._outer, self.builder.nodes = self.builder.nodes, self.nodes
        return self.nodes

    def __exit__(self, *exc):
        self.builder.nodes = self._outer
        return False
