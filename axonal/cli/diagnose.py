"""``axonal diagnose MODEL DATA``: what :func:`axonal.diagnose` finds in a model on labelled data."""

from __future__ import annotations

from .output import say
from .use import _labelled_data, load_model

__all__ = ["cmd_diagnose"]


def cmd_diagnose(args) -> int:
    """Print the report: the data's scale, balance and leaks, a softmax applied twice, the
    per-layer gradient norms with dead and saturated units, the loss and its chance level.
    Exit status 0 whether or not problems are found (the report says which)."""
    import axonal
    net = load_model(args.model)
    x, y = _labelled_data(net, args.data, args.target, args.delimiter)
    report = axonal.diagnose(net, x, y)
    say(str(report))
    return 0
