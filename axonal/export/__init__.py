"""Networks out of axonal: as standalone Python, and as diagrams.

==================  ==============================================================
module              what it holds
==================  ==============================================================
standalone          ``to_python``, ``save_python``: a module with the weights
                    inlined that needs only the standard library
sequential_source   the generated code for a ``Sequential``, one function per layer
graph_source        the generated code for a ``GraphNetwork``, a ``Network`` class
diagram             ``to_dot``, ``to_svg``, ``save_diagram``: layers, connections,
                    gates as a picture
svg                 the SVG drawing: a layered layout, boxes, arrows, a legend
escape              names and labels made safe for each format: Python string
                    literals, DOT strings, XML text, CSV text cells
_audit              the allow-list every generated module must pass before it is
                    returned
==================  ==============================================================
"""

from .diagram import save_diagram, to_dot, to_svg
from .standalone import save_python, to_python

__all__ = ["save_diagram", "save_python", "to_dot", "to_python", "to_svg"]
