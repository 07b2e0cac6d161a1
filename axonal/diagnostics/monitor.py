"""``Diagnostics``: the checks of :mod:`axonal.diagnostics` run by ``fit`` (``diagnostics=True``).

Before training, ``check_data`` looks at the data (:mod:`~axonal.diagnostics.data`). While it
trains, the :class:`Diagnostics` callback probes the network (:mod:`~axonal.diagnostics.probe`)
before the first epoch and after epochs 1, 2, 4, 8, ... and every ``every``-th (10, or
``⌈epochs / 20⌉`` on longer runs), keeps the per-layer
gradient norms in ``History.gradient_norms`` and checks them (:mod:`~axonal.diagnostics.units`);
when training ends it checks the loss curve (:mod:`~axonal.diagnostics.loss_curve`). Each kind of
finding is raised once per ``fit``, as an :class:`~axonal.advice.AxonalWarning` with its fix.

The cost: one forward and backward pass on at most 128 rows per probe, at most ``log2(epochs) +
20`` probes (≈ 2% of the rows the digits run's 80 epochs of 1,437 rows pass through). The callback works
between epochs only (no batch hook), and is content to see the last of several epochs a compiled
rule runs in one call, so the compiled paths stay on.
"""

from __future__ import annotations

import math

import numpy as np

from ..advice import warn_user
from ..callbacks import Callback
from . import data as _data
from . import units as _units
from .loss_curve import loss_trend
from .probe import measure, probe_rows

__all__ = ["Diagnostics", "check_data", "chance_loss", "MAX_PROBES", "MIN_CHUNK"]

#: The most probes at the regular interval (``every`` grows with the epochs: ``⌈epochs / 20⌉``).
MAX_PROBES = 20
#: The fewest rows a probe pass takes at once: with ``fit(batch_size=1)`` a pass per row would make a
#: probe a hundred NumPy passes, which cost more than the compiled epochs it watches.
MIN_CHUNK = 32


def chance_loss(loss, t, weights=None) -> float | None:
    """The loss of the best constant answer (the class frequencies; the mean target), or ``None``.

    ``softmax_cross_entropy`` / ``categorical_cross_entropy``: ``-Σ_k p_k·ln p_k`` with ``p`` the
    class frequencies of the one-hot rows ``t`` (n, K); ``mse``: ``mean_k var(t_k)``.
    """
    t = np.asarray(t, dtype=np.float64)
    if t.ndim != 2 or t.shape[0] == 0:
        return None
    w = np.ones(t.shape[0]) if weights is None or np.ndim(weights) != 1 else np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        return None
    if loss.name in ("softmax_cross_entropy", "categorical_cross_entropy") and t.shape[1] > 1:
        p = (t * w[:, None]).sum(axis=0) / w.sum()
        p = p[p > 0]
        return float(-(p * np.log(p)).sum()) if p.size > 1 else None   # one class: nothing to beat
    if loss.name == "mse":
        mean = np.average(t, axis=0, weights=w)
        spread = float(np.average(((t - mean) ** 2).mean(axis=1), weights=w))
        return spread if spread > 0 else None
    return None


def check_data(net, loss, x, t, weights, class_weight, depth_hint=None) -> None:
    """The data checks, each warned once: input scale, class balance (class losses on one answer per
    sample, unless ``class_weight`` was given: a class per time step, as in a character model, is
    imbalanced by nature) and a feature equal to the target (tables only)."""
    findings = [_data.input_scale(net, x)]
    if (loss.categorical or loss.probabilities) and class_weight is None and np.ndim(t) == 2:
        findings.append(_data.class_balance(t, weights if np.ndim(weights) == 1 else None, net.classes_))
    if np.ndim(x) == 2 and np.ndim(t) == 2:
        codes = np.argmax(t, axis=1) if loss.categorical and t.shape[1] > 2 else None
        findings.append(_data.target_leak(net, x, t, codes))
    for finding in findings:
        if finding is not None:
            warn_user(f"fit: {finding}")


class Diagnostics(Callback):
    """Probe ``net`` between epochs and check the loss curve at the end (see the module's text).

    Parameters
    ----------
    net : Sequential or GraphNetwork (probed per layer of its graph, see :mod:`~axonal.diagnostics.probe`)
    loss : Loss
    x, t : the training inputs and prepared targets (the probe keeps a fixed subsample)
    history : History
        Where the per-layer gradient norms go (``history.gradient_norms[epoch]``; epoch 0 is
        before training).
    every : int, default 10
    """

    sees_the_last_epoch_only = True

    def __init__(self, net, loss, x, t, history, *, weights=None, every: int = 10, probe: bool = True):
        self.net, self.loss, self.history, self.every = net, loss, history, int(every)
        self.reported: set = set()
        self.chance = chance_loss(loss, t, weights)
        self.chunk = 32
        self.last_probed: int | None = None
        self.rows: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None
        if probe:
            rows = probe_rows(len(x))
            self.rows = (x[rows], t[rows], None if weights is None or np.ndim(weights) != 1 else weights[rows])

    def on_train_begin(self, info):
        if self.rows is not None:      # the training batch's shapes, but never fewer than MIN_CHUNK rows a pass
            self.chunk = max(MIN_CHUNK, info.get("batch_size") or len(self.rows[0]))
        epochs = info.get("epochs") or 0
        self.every = max(self.every, math.ceil(epochs / MAX_PROBES))
        done = len(self.history.loss)      # > 0 when resuming: the checkpoint's History holds its probes
        if done == 0:
            self.probe(0)
        elif done in self.history.gradient_norms:
            self.last_probed = done

    def on_epoch_end(self, epoch, logs):
        done = epoch + 1
        if done <= 2 or done & (done - 1) == 0 or done % self.every == 0:
            self.probe(done)
        return None

    def on_train_end(self, history):
        if self.last_probed != len(history.loss) and history.stop_reason != "non_finite":
            self.probe(len(history.loss))
        self.report(loss_trend(history, self.chance))

    def probe(self, epoch: int) -> None:
        """Measure after ``epoch`` epochs (0: before training); keep the gradient norms; check them."""
        if self.rows is None:
            return
        self.last_probed = epoch
        found = measure(self.net, self.loss, *self.rows, chunk=self.chunk)
        if found is None or not all(math.isfinite(v) for v in found["grad_norms"] if v is not None):
            return
        self.history.gradient_norms[epoch] = found["grad_norms"]
        self.report(_units.gradient_flow(self.net, found))
        self.report(_units.dead_units(self.net, found))
        if epoch <= _units.EARLY_EPOCHS:
            self.report(_units.saturated_units(self.net, found))

    def report(self, finding) -> None:
        if finding is not None and finding.kind not in self.reported:
            self.reported.add(finding.kind)
            warn_user(f"fit: {finding}")
