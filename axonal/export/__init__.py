"""Networks out of axonal: as standalone Python, as ONNX, as JavaScript, and as diagrams.

==================  ==============================================================
module              what it holds
==================  ==============================================================
standalone          ``to_python``, ``save_python``: a module with the weights
                    inlined that needs only the standard library; for a
                    classifier also ``predict_proba`` and ``predict_class``
sequential_source   the walk over a ``Sequential``: one function per layer (a
                    recurrent one per time step, its state passed in), in either
                    language
graph_source        the walk over a ``GraphNetwork``: one time step of every layer
                    in activation order, its state passed in, in either language
syntax              how each language writes a statement (the walks' only link to
                    a language's syntax)
source_module       a generated module being assembled: names, constants, helpers;
                    ``_code`` (Python) and ``js_code`` (JavaScript) give its
                    literals and runtime helpers
onnx                ``to_onnx``, ``save_onnx``: an ONNX model (opset 17) with the
                    outputs, and for a classifier its probabilities and labels
                    (the extra ``[onnx]``; onnx is imported on first use)
javascript          ``to_javascript``, ``save_javascript``: the network as a
                    JavaScript module (imported on first use)
diagram             ``to_dot``, ``to_svg``, ``save_diagram``: layers, connections,
                    gates as a picture
svg                 the SVG drawing: a layered layout, boxes, arrows, a legend
escape              names and labels made safe for each format: Python string
                    literals, DOT strings, XML text, CSV text cells, ONNX doc strings
_audit, js_audit    the allow-lists every generated module must pass before it is
                    returned
==================  ==============================================================

Importing :mod:`axonal.export` imports neither onnx nor the JavaScript exporter:
``to_onnx``, ``save_onnx``, ``to_javascript`` and ``save_javascript`` load their
modules when first used.
"""

from .diagram import save_diagram, to_dot, to_svg
from .standalone import save_python, to_python

__all__ = ["save_diagram", "save_javascript", "save_onnx", "save_python", "to_dot", "to_javascript", "to_onnx",
           "to_python", "to_svg"]

_LAZY = {"to_onnx": "onnx", "save_onnx": "onnx", "to_javascript": "javascript", "save_javascript": "javascript"}


def __getattr__(name: str):
    """``to_onnx``, ``save_onnx`` (from :mod:`.onnx`), ``to_javascript`` and ``save_javascript`` (from
    :mod:`.javascript`), imported on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'axonal.export' has no attribute {name!r}")
    from importlib import import_module
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
