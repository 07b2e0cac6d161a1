"""Checks of the training loss, epoch by epoch (``History.loss``), made when training ends.

* **diverges** (a learning rate too high overshoots the minimum by more each step): the last
  epoch's loss above ``DIVERGE_FACTOR`` = 1.5 times the lowest one reached and above the first
  epoch's; or a loss that became NaN or infinite.
* **oscillates** (a rate a little too high jumps across the valley): in the second half of the run,
  the loss rose by more than ``RISE`` = 10% from one epoch to the next in more than
  ``MAX_RISING_SHARE`` = a third of the epochs (at least 6 epochs).
* **does not fall**: after ``MIN_EPOCHS`` = 10 epochs or more, the lowest loss is above
  ``FLAT_SHARE`` = 90% of the first epoch's; or, for a classifier, the last loss is not below the
  chance level ``ln K`` (the loss of answering the class frequencies).
* **stopped long before convergence**: a run of ``MIN_EPOCHS`` or more (a shorter one is taken as
  a deliberate glimpse) ended on its epoch or step budget while the loss
  still fell as fast as ever: over the last tenth of the epochs (at least 1, ``k`` epochs) it fell
  by more than ``STILL_FALLING`` = 2% of its last value, at a rate per epoch above
  ``STILL_FALLING_RATE`` = half its average rate over the whole run
  (``(L[-k-1] - L[-1])/k > ½·(L[0] - L[-1])/(n - 1)``), with a learning rate that had not decayed
  below a tenth of its start. A loss that converges flattens out: its recent rate is a small share
  of the average.
"""

from __future__ import annotations

import math

from .findings import Finding

__all__ = ["loss_trend", "DIVERGE_FACTOR", "RISE", "MAX_RISING_SHARE", "MIN_EPOCHS", "FLAT_SHARE", "STILL_FALLING",
           "STILL_FALLING_RATE"]

DIVERGE_FACTOR = 1.5
RISE = 0.10
MAX_RISING_SHARE = 1 / 3
MIN_EPOCHS = 10
FLAT_SHARE = 0.9
STILL_FALLING = 0.02
STILL_FALLING_RATE = 0.5


def loss_trend(history, chance: float | None = None) -> Finding | None:
    """The first problem the loss curve shows (diverging, oscillating, flat, unfinished), or ``None``."""
    losses = list(history.loss)
    n = len(losses)
    if n < 2:
        return None
    if not all(math.isfinite(v) for v in losses):
        return _diverges(f"the training loss became {next(v for v in losses if not math.isfinite(v))}")
    low, first, last = min(losses), losses[0], losses[-1]
    if last > DIVERGE_FACTOR * low and last > first:
        return _diverges(f"the training loss rose from {low:.4g} to {last:.4g} (more than {DIVERGE_FACTOR:g} times "
                         f"its lowest)")
    tail = losses[n // 2:]
    rises = sum(1 for a, b in zip(tail, tail[1:]) if b > a * (1 + RISE))
    if len(tail) >= 6 and rises > MAX_RISING_SHARE * (len(tail) - 1):
        return Finding("loss_oscillates",
                       f"the training loss oscillates: it rose by more than {RISE:.0%} in {rises} of the last "
                       f"{len(tail) - 1} epochs",
                       "lower the learning rate (by 3 to 10 times), or use a decaying schedule (schedule='cosine')")
    if n >= MIN_EPOCHS and low > FLAT_SHARE * first:
        return Finding("loss_flat",
                       f"the training loss does not fall: its lowest, {low:.4g}, is {low / first:.0%} of the first "
                       f"epoch's {first:.4g} after {n} epochs",
                       "raise the learning rate (by 3 to 10 times), scale the inputs, add a hidden layer if no "
                       "straight boundary separates the classes (XOR), or check that the targets depend on the "
                       "inputs at all")
    if chance is not None and n >= MIN_EPOCHS and last >= chance:
        return Finding("loss_flat",
                       f"the training loss ends at {last:.4g}, not below the chance level {chance:.4g} (the loss of "
                       f"answering the class frequencies): the model has not learned",
                       "raise the learning rate or the number of epochs, scale the inputs, or start the output "
                       "layer at chance (small weights, the bias at the log class priors)")
    if history.stop_reason in ("epochs", "steps") and n >= MIN_EPOCHS:
        k = max(1, n // 10)
        rates = list(history.learning_rate)
        decayed = len(rates) == n and rates[0] > 0 and rates[-1] < 0.1 * rates[0]
        before = losses[-k - 1]
        recent, overall = (before - last) / k, (first - last) / (n - 1)
        if not decayed and last > 0 and before > (1 + STILL_FALLING) * last and recent > STILL_FALLING_RATE * overall:
            return Finding("stopped_early",
                           f"training stopped long before convergence: the loss still fell {before / last - 1:.0%} "
                           f"over the last {k} epoch(s), {recent / overall:.0%} of its average rate, when the epochs "
                           f"ran out",
                           "train for more epochs (or give patience= and a validation split to stop when it has "
                           "converged)")
    return None


def _diverges(measured):
    return Finding("loss_diverges", f"the training diverges: {measured}",
                   "lower the learning rate (by 10 times or more); scale the inputs; clip the gradient "
                   "(e.g. Adam(clip_norm=1.0))")
