"""Pictures of training: loss curves, per-layer gradient norms and confusion matrices (matplotlib,
imported lazily).

matplotlib is an optional extra (``pip install "axonal[plot]"``); nothing else in
axonal imports this module, and the figures are drawn with the non-interactive
Agg backend, so they work without a display.
"""

from __future__ import annotations

import os

import numpy as np

from .names import printable

__all__ = ["plot_history", "plot_gradient_norms", "plot_confusion_matrix", "matplotlib_available"]


def matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError('plotting needs matplotlib: pip install "axonal[plot]"') from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def plot_history(history, path, *, title: str | None = None) -> str:
    """Write a PNG of the per-epoch training (and validation) loss, and metrics if any.

    Returns the path written. The loss axis is logarithmic when the loss spans
    more than two decades.
    """
    plt = _pyplot()
    metric_names = [k for k in history.metrics if not k.startswith("val_")]
    columns = 2 if metric_names else 1
    fig, axes = plt.subplots(1, columns, figsize=(6 * columns, 4), squeeze=False)
    epochs = np.arange(1, len(history.loss) + 1)
    ax = axes[0, 0]
    ax.plot(epochs, history.loss, label="training loss")
    if history.val_loss:
        ax.plot(epochs[:len(history.val_loss)], history.val_loss, label="validation loss")
    losses = [v for v in list(history.loss) + list(history.val_loss) if v > 0]
    if losses and max(losses) / min(losses) > 100:
        ax.set_yscale("log")
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch, color="grey", linestyle=":", label="best epoch")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend()
    if metric_names:
        ax = axes[0, 1]
        for name in metric_names:
            ax.plot(epochs, history.metrics[name], label=f"training {name}")
            if "val_" + name in history.metrics:
                ax.plot(epochs, history.metrics["val_" + name], label=f"validation {name}")
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(_plain(title, 200))
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return str(path)


def plot_gradient_norms(history, path, *, layer_names=None, title: str = "per-layer gradient norms") -> str:
    """Write a PNG of the per-layer gradient norms ``‖∂E/∂W_l‖₂`` over training (log scale), one line
    per weighted layer, from ``history.gradient_norms`` (epoch -> per-layer list, filled by
    ``fit``'s diagnostics). Lines far apart at the first layers show a vanishing (below) or
    exploding (above) gradient. ``layer_names``: a label per layer (default ``layer i``).

    Returns the path written.
    """
    norms = getattr(history, "gradient_norms", None) or {}
    if not norms:
        raise ValueError("plot_gradient_norms: the History holds no gradient norms (train with diagnostics=True)")
    plt = _pyplot()
    epochs = sorted(norms)
    width = max(len(norms[e]) for e in epochs)
    fig, ax = plt.subplots(figsize=(7, 4))
    for i in range(width):
        points = [(e, norms[e][i]) for e in epochs if i < len(norms[e]) and norms[e][i] is not None]
        if not points:
            continue
        label = layer_names[i] if layer_names is not None and i < len(layer_names) else f"layer {i}"
        ax.plot([e for e, _ in points], [max(v, 1e-30) for _, v in points], marker="o", markersize=3,
                label=_plain(label))
    ax.set_yscale("log")
    ax.set_xlabel("epochs done")
    ax.set_ylabel("‖∂E/∂W‖ (probe rows)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(_plain(title, 200))
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return str(path)


def plot_confusion_matrix(matrix, class_names, path, *, title: str = "confusion matrix") -> str:
    """Write a PNG heat map of a confusion matrix (rows: true class, columns: predicted)."""
    plt = _pyplot()
    matrix = np.asarray(matrix)
    k = len(class_names)
    fig, ax = plt.subplots(figsize=(1.0 + 0.5 * k, 0.8 + 0.5 * k))
    ax.imshow(matrix, cmap="Blues")
    ticks = [_plain(c) for c in class_names]
    ax.set_xticks(range(k), ticks)
    ax.set_yticks(range(k), ticks)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, int(matrix[i, j]), ha="center", va="center",
                    color="white" if matrix[i, j] > threshold else "black", fontsize=8)
    ax.set_title(_plain(title, 200))
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return str(path)


def _plain(text, limit: int = 40) -> str:
    """A label drawn as it reads: control characters escaped, ``$`` kept from starting mathtext."""
    return printable(str(text), limit).replace("$", r"\$")


def _save(fig, path):
    directory = os.path.dirname(os.fspath(path)) or "."
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write plot {path}: directory {directory} does not exist")
    # Fixed metadata so the same figure gives the same bytes.
    fig.savefig(path, dpi=100, metadata={"Software": None})
