"""``History``: what one call of ``fit`` did, epoch by epoch."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["History"]


@dataclass
class History:
    """What a call to ``fit`` did, epoch by epoch.

    It reads as the sequence of per-epoch training losses (``history[-1]`` is the
    last epoch's mean loss, ``len(history)`` the number of epochs run).

    Attributes
    ----------
    loss, val_loss : list of float
        Mean training loss of each epoch (measured while the epoch trained), and the
        validation loss after it (empty without validation data).
    metrics : dict of str to list of float
        Each metric per epoch, ``"accuracy"`` on the training batches and
        ``"val_accuracy"`` on the validation data.
    learning_rate : list of float
        The rate each epoch trained with.
    stop_reason : str
        ``"epochs"``, ``"error"`` (the training loss reached ``error``),
        ``"val_loss_below"``, ``"no_improvement"``, ``"callback"`` or ``"steps"``.
    best_epoch : int or None
        The epoch (counted from 1, as printed) whose weights ``NoImprovement`` restored.
    steps : int
        Optimizer updates made.
    gradient_norms : dict of int to list
        Per-layer gradient norms ``‖∂E/∂W_l‖₂`` (one per layer of ``net.layers``, ``None`` for a
        layer without weights; for a ``GraphNetwork`` one per layer of its graph in
        ``net.graph.order``, ``None`` for the input layer) measured by ``fit``'s diagnostics on a fixed subsample, keyed by
        the epochs done when measured (0: before training; then 1, 2, 4, 8, ... and every 10th,
        and the last). Drawn by :func:`axonal.plotting.plot_gradient_norms`. A checkpoint keeps
        them with the rest of the History, so a resumed run's History holds the whole run's.
    """

    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    learning_rate: list = field(default_factory=list)
    stop_reason: str | None = None
    best_epoch: int | None = None
    steps: int = 0
    gradient_norms: dict = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        return len(self.loss)

    @property
    def history(self) -> dict:
        """All per-epoch series in one dict (``"loss"``, ``"val_loss"``, metrics, ``"learning_rate"``)."""
        series = {"loss": self.loss, "learning_rate": self.learning_rate, **self.metrics}
        if self.val_loss:
            series["val_loss"] = self.val_loss
        return series

    def to_dict(self) -> dict:
        """Everything as plain JSON data (``gradient_norms``' keys as text); :meth:`from_dict` reads it."""
        return {"loss": list(self.loss), "val_loss": list(self.val_loss),
                "metrics": {k: list(v) for k, v in self.metrics.items()},
                "learning_rate": list(self.learning_rate), "stop_reason": self.stop_reason,
                "best_epoch": self.best_epoch, "steps": self.steps,
                "gradient_norms": {str(k): list(v) for k, v in self.gradient_norms.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> "History":
        """The History :meth:`to_dict` wrote."""
        return cls(loss=list(data.get("loss", [])), val_loss=list(data.get("val_loss", [])),
                   metrics={k: list(v) for k, v in data.get("metrics", {}).items()},
                   learning_rate=list(data.get("learning_rate", [])), stop_reason=data.get("stop_reason"),
                   best_epoch=data.get("best_epoch"), steps=int(data.get("steps", 0)),
                   gradient_norms={int(k): list(v) for k, v in data.get("gradient_norms", {}).items()})

    def __len__(self):
        return len(self.loss)

    def __repr__(self):
        last = f", last loss {self.loss[-1]:.6g}" if self.loss else ""
        extra = f", best epoch {self.best_epoch}" if self.best_epoch is not None else ""
        return f"History({len(self.loss)} epochs, {self.steps} steps{last}, stop_reason={self.stop_reason!r}{extra})"

    def __getitem__(self, index):
        return self.loss[index]

    def __iter__(self):
        return iter(self.loss)
