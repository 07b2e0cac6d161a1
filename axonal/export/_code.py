"""Pieces of generated Python source: number literals, helper functions, a module builder.

Everything here writes *text*. Identifiers, comments and docstrings of a generated
module are the generator's own words (``L3_WEIGHT``, ``layer 3: Dense``); text from
users and files (names, descriptions) enters only as string literals made by
:func:`~axonal.export.escape.python_literal` (:meth:`Module.texts`), and
:meth:`Module.render` hands every module to :func:`~axonal.export._audit.audit_source`.

The helpers are vector functions on plain lists
(``_matvec``, ``_add``, the activations) that the generated module defines for
itself, so it needs nothing but :mod:`math`. Each helper computes in the same
order as the NumPy code it stands for, so a float64 network and its standalone
copy agree to round-off.
"""

from __future__ import annotations

import keyword
import math
import re

from .. import activations as _activations
from ..names import printable
from ._audit import audit_source
from .escape import python_literal
from .syntax import PythonSyntax

__all__ = ["ACTIVATIONS", "Module", "check_identifier", "number"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_identifier(name: str, what: str) -> str:
    """``name`` if it can name a Python function (ASCII), else a ``ValueError`` saying why not."""
    if not isinstance(name, str) or not _IDENT.fullmatch(name) or keyword.iskeyword(name):
        shown = printable(name if isinstance(name, str) else repr(name), 80)
        raise ValueError(f"to_python: {what} must be an ASCII Python identifier, got '{shown}'")
    if name.startswith("_") or name.isupper():
        raise ValueError(f"to_python: {what} {name!r} may not start with '_' or be all capitals "
                         f"(those names are the generated module's own)")
    return name


def number(value) -> str:
    """A float literal that reads back as exactly ``value`` (``repr`` of the float64)."""
    f = float(value)
    if math.isfinite(f):
        return repr(f)
    return f"float({str(f)!r})"  # inf, -inf and nan have no literal


# -- helper functions the generated module defines -----------------------------------------------
_HELPERS = {
    "_vector": '''
def _vector(x, n, where="input"):
    """``x`` as a list of ``n`` floats, or a ValueError saying what was wrong."""
    x = [float(v) for v in x]
    if len(x) != n:
        raise ValueError(f"{where}: expected {n} values, got {len(x)}")
    return x
''',
    "_sequence": '''
def _sequence(xs, n):
    """A sequence as a list of time steps, each a list of ``n`` floats."""
    steps = [_vector(x, n, f"time step {t}") for t, x in enumerate(xs)]
    if not steps:
        raise ValueError("expected a sequence of at least one time step")
    return steps
''',
    "_matvec": '''
def _matvec(rows, x):
    """``z_j = Σ_i x_i·w_ij``; ``rows[j]`` holds neuron j's weights from each input."""
    return [sum(w * v for w, v in zip(row, x)) for row in rows]
''',
    "_add": '''
def _add(a, b):
    return [u + v for u, v in zip(a, b)]
''',
    "_mul": '''
def _mul(a, b):
    return [u * v for u, v in zip(a, b)]
''',
    "_dot": '''
def _dot(row, x):
    """``Σ_i w_i·x_i`` from ``i = 0`` up."""
    return sum(w * v for w, v in zip(row, x))
''',
    "_affine": '''
def _affine(x, shift, scale, offset):
    """``y = (x - shift)·scale + offset`` per feature (Standardize, MinMaxScale)."""
    return [(v - m) * s + offset for v, m, s in zip(x, shift, scale)]
''',
    "_batch_norm": '''
def _batch_norm(x, mean, inv_std, gain, bias):
    """``y = (x - μ)·(1/√(σ² + ε))·γ + β`` per feature, with the running statistics."""
    return [(v - m) * r * g + b for v, m, r, g, b in zip(x, mean, inv_std, gain, bias)]
''',
    "_layer_norm": '''
def _layer_norm(x, gain, bias, eps):
    """``y = (x - mean(x))/√(var(x) + ε)·γ + β`` over the features of one vector."""
    mean = sum(x) / len(x)
    var = sum((v - mean) * (v - mean) for v in x) / len(x)
    inv_std = 1.0 / math.sqrt(var + eps)
    return [(v - mean) * inv_std * g + b for v, g, b in zip(x, gain, bias)]
''',
    "_gru_mix": '''
def _gru_mix(z, n, h):
    """``h_t = (1 - z)⊙n + z⊙h_(t-1)``, the GRU's new state."""
    return [(1.0 - zj) * nj + zj * hj for zj, nj, hj in zip(z, n, h)]
''',
    "_gather": '''
def _gather(g, index):
    """``[g | 1][index]``: the gain of each synapse, the last index meaning ungated (gain 1)."""
    return [g[k] if k < len(g) else 1.0 for k in index]
''',
    "_synapse": '''
def _synapse(rows, index, a, g):
    """``u_j = Σ_i a_i·(γ_ij·w_ij)``, ``γ_ij = [g | 1][index_ji]``."""
    return [sum(v * ((g[k] if k < len(g) else 1.0) * w) for v, w, k in zip(a, row, ks))
            for row, ks in zip(rows, index)]
''',
}

# Activation name -> (helper source, extra call arguments from the config).
_ACTIVATION_SOURCE = {
    "logistic": '''
def _logistic(z):
    """σ(z) = (1 + tanh(z/2))/2, a form that never overflows."""
    return [(1.0 + math.tanh(v * 0.5)) * 0.5 for v in z]
''',
    "tanh": '''
def _tanh(z):
    return [math.tanh(v) for v in z]
''',
    "relu": '''
def _relu(z):
    return [v if v > 0.0 else 0.0 for v in z]
''',
    "leaky_relu": '''
def _leaky_relu(z, alpha):
    return [v if v > 0.0 else v * alpha for v in z]
''',
    "elu": '''
def _elu(z, alpha):
    return [max(v, 0.0) + math.expm1(min(v, 0.0)) * alpha for v in z]
''',
    "softplus": '''
def _softplus(z):
    """ln(1 + e^z) as max(z, 0) + ln(1 + e^(-|z|)), which never overflows."""
    return [max(v, 0.0) + math.log1p(math.exp(-abs(v))) for v in z]
''',
    "gelu": f'''
def _gelu(z):
    """z/2·(1 + tanh(√(2/π)·(z + 0.044715·z³))), the tanh form axonal uses."""
    return [v * 0.5 * (1.0 + math.tanh({number(_activations.GELU._c)} * (v + {number(_activations.GELU._k)} * v * v * v)))
            for v in z]
''',
    "softmax": '''
def _softmax(z):
    """e^(z_k) / Σ_j e^(z_j), the maximum subtracted first."""
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]
''',
    "step": '''
def _step(z):
    return [1.0 if v > 0.0 else 0.0 for v in z]
''',
    "sign": '''
def _sign(z):
    return [1.0 if v >= 0.0 else -1.0 for v in z]
''',
}

#: The activations a standalone module can compute (identity needs no helper).
ACTIVATIONS = ("identity",) + tuple(_ACTIVATION_SOURCE)


class Module(PythonSyntax):
    """A generated Python module being assembled (:class:`~axonal.export.source_module.SourceModule`):
    ``constant`` hands out unique upper-case names; ``helper`` and ``activate`` pull in the helpers
    the code uses, so the module defines nothing it never calls."""

    tool, identifier, helpers, activation_source = "to_python", _IDENT, _HELPERS, _ACTIVATION_SOURCE
    literal_step, literal_comma, texts_brackets = 4, ",", "()"
    def number(self, value) -> str:
        return number(value)

    def string(self, value: str) -> str:
        return python_literal(value)

    def render(self, docstring: str) -> str:
        """The module's source, checked by :func:`~axonal.export._audit.audit_source`.

        ``docstring`` is the generator's own text.
        """
        if '"""' in docstring or "\\" in docstring:
            raise ValueError("to_python: a generated docstring may not hold quotes or backslashes")
        parts = ['"""' + docstring.strip() + '\n"""\n\nimport math']
        if self._constants:
            parts.append("\n".join(self._constants))
        parts += list(self._helpers.values()) + self._functions
        return audit_source("\n\n\n".join(parts) + "\n")

