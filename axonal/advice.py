"""Warnings about a training setup that is probably not what the user meant, each with its fix.

They are raised once per ``fit`` as :class:`AxonalWarning` (a ``UserWarning``), before any
training, from what the setup says alone (the checks of what training shows, in
:mod:`axonal.diagnostics`, warn through :func:`warn_user` too):

* **a link applied twice**: an output layer that applies softmax (or the logistic) trained
  with a loss that applies it again to its input (``softmax_cross_entropy``,
  ``binary_cross_entropy_logits``). The loss then sees ``p = softmax(softmax(z))``,
  squeezed towards uniform: ``predict_proba`` of a confident model reads ~0.58 where it
  should read ~1.
* **a validation tail unlike the rest**: ``validation_split`` holds out the last samples;
  on data sorted by class their class frequencies ``q`` differ from the training part's
  ``p`` (total variation ``½·Σ_k |p_k - q_k| > 0.3``, or a class on one side only).
"""

from __future__ import annotations

import types
import warnings

import numpy as np

__all__ = ["AxonalWarning", "check_output_link", "check_validation_classes", "output_link_problem", "warn_user"]

#: loss name -> (the activation it applies to its input, the loss to use on that activation's output)
_LINKS = {"softmax_cross_entropy": ("softmax", "categorical_cross_entropy"),
          "binary_cross_entropy_logits": ("logistic", "binary_cross_entropy")}
#: the largest total variation between the class frequencies of the two parts that passes silently
MAX_SHIFT = 0.3


class AxonalWarning(UserWarning):
    """A setup axonal can train, but probably not the one meant; the message says how to fix it."""


def warn(message: str, depth: int) -> None:
    """Warn, pointing at the caller ``depth`` frames above the function that calls this one."""
    warnings.warn(message, AxonalWarning, stacklevel=depth + 2)


def warn_user(message: str) -> None:
    """Warn, pointing at the first caller outside axonal (the user's ``fit``, wherever the check runs)."""
    import os
    import sys
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame: types.FrameType | None = sys._getframe(1)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, AxonalWarning, stacklevel=level - 1 if frame is None else level)


def output_link_problem(net, loss) -> str | None:
    """What is wrong when the output layer applies the activation that ``loss`` applies again
    (with the fix), or ``None``: the one text of the double-softmax warning and diagnosis."""
    link = _LINKS.get(loss.name)
    layers = getattr(net, "layers", None)
    activation = getattr(layers[-1], "activation", None) if layers else None
    if link is None or not layers or activation is None or getattr(activation, "name", None) != link[0]:
        return None
    return (f"the output layer ({len(layers) - 1}: {layers[-1].describe()}) applies {link[0]}, and loss "
            f"{loss.name!r} applies {link[0]} to its input again, which squeezes the probabilities; give the "
            f"output layer no activation (a linear layer) or train with loss={link[1]!r}")


def check_output_link(net, loss) -> None:
    """Warn when the output layer applies the activation that ``loss`` applies again (called by ``fit``)."""
    problem = output_link_problem(net, loss)
    if problem is not None:
        warn(f"fit: {problem}", depth=2)


def check_validation_classes(t_train, t_val, classes=None) -> None:
    """Warn when the held-out tail's class frequencies differ from the training part's (called by
    ``fit`` through its data preparation).

    ``t_train``, ``t_val``: one-hot (or probability) rows ``(n, K)``, or one logistic column.
    """
    def frequencies(t):
        t = t.reshape(-1, t.shape[-1])
        counts = np.bincount((t[:, 0] > 0.5).astype(int), minlength=2) if t.shape[-1] == 1 else \
            np.bincount(np.argmax(t, axis=1), minlength=t.shape[-1])
        return counts / max(counts.sum(), 1)

    p, q = frequencies(t_train), frequencies(t_val)
    shift = 0.5 * float(np.abs(p - q).sum())
    one_sided = bool(np.any((p > 0) != (q > 0)))
    if shift <= MAX_SHIFT and not one_sided:
        return
    names = list(classes) if classes is not None and len(classes) == len(p) else list(range(len(p)))

    def present(freq):
        return "[" + ", ".join(repr(names[k]) for k in np.flatnonzero(freq > 0)) + "]"

    warn(f"fit: validation_split holds out the last {len(t_val.reshape(-1, t_val.shape[-1]))} samples, whose "
         f"classes {present(q)} differ from the training part's {present(p)} (total variation {shift:.2f}); the "
         f"data look sorted: shuffle them first, or pass stratify=True to hold out a random share of each class",
         depth=4)
