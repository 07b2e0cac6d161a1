"""Rates given as data: a list of rates spread over the run, or a function of the epoch and the error
(the two forms Synaptic's ``rate`` option takes besides a number)."""

from __future__ import annotations

import math

import numpy as np

from .base import REGISTRY, Schedule, _callable_name, _check_count, _check_positive, _is_real

__all__ = ["RateList", "FromCallable"]


@REGISTRY.register
class RateList(Schedule):
    """A list of rates spread evenly over a run of ``N`` epochs (Synaptic's rate array).

    With ``m`` rates ``r_0 … r_{m-1}``, epoch ``e`` (from 0) trains with::

        r_j,   j = ⌊e·m/N⌋        (synaptic=False, the default: every rate gets ⌊N/m⌋ or ⌈N/m⌉ epochs)
        r_j,   j = min(⌊(e + 1)/b⌋, m - 1),  b = ⌊N/m⌋        (synaptic=True)

    ``synaptic=True`` reproduces Synaptic's ``Trainer.train`` exactly: it picks
    ``rate[⌊iterations/bucketSize⌋]`` after incrementing ``iterations``, so the first
    rate gets one epoch fewer than the others and, with ``b = 1``, none at all.
    Epochs past ``N`` keep the last rate.

    Parameters
    ----------
    rates : sequence of float > 0
    iterations : int >= len(rates)
        ``N``, the run length; :func:`get` fills in the run's ``epochs`` for a list.
    synaptic : bool, default False

    Examples
    --------
    >>> [RateList([0.3, 0.2, 0.1], iterations=7).rate(e) for e in range(8)]
    [0.3, 0.3, 0.3, 0.2, 0.2, 0.1, 0.1, 0.1]
    >>> [RateList([0.3, 0.2, 0.1], iterations=9, synaptic=True).rate(e) for e in range(10)]
    [0.3, 0.3, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1]
    """

    name = "rate_list"
    options = ("rates", "iterations", "synaptic")
    uses_base_rate = False
    run_length_option = "iterations"

    def __init__(self, rates, iterations: int, synaptic: bool = False):
        values = list(rates) if not isinstance(rates, np.ndarray) else rates.reshape(-1).tolist()
        if not values:
            raise ValueError("RateList: rates must hold at least one rate")
        self.rates = [_check_positive(self, f"rates[{i}]", r) for i, r in enumerate(values)]
        self.iterations = _check_count(self, "iterations", iterations)
        if self.iterations < len(self.rates):
            raise ValueError(f"RateList: iterations ({self.iterations}) must be at least the number of rates "
                             f"({len(self.rates)}), so that every rate gets a share of the run")
        if not isinstance(synaptic, bool):
            raise ValueError(f"RateList: synaptic must be True or False, got {synaptic!r}")
        self.synaptic = synaptic
        super().__init__()

    @property
    def bucket_size(self) -> int:
        """``b = ⌊N/m⌋``, Synaptic's ``bucketSize``."""
        return self.iterations // len(self.rates)

    def _rate(self, epoch, error):
        m = len(self.rates)
        if self.synaptic:
            return self.rates[min((epoch + 1) // self.bucket_size, m - 1)]
        return self.rates[min(epoch * m // self.iterations, m - 1)]


@REGISTRY.register
class FromCallable(Schedule):
    """The rate from a function: ``η_e = fn(e, error)``.

    ``fn`` gets the same ``epoch`` (from 0) and ``error`` as :meth:`Schedule.rate`;
    inside ``fit`` the error of epoch 0 is the training loss before any update. A Synaptic rate function ``f(iterations, error)``
    counts from 1 and gets 0 before the first error:
    ``FromCallable(lambda e, err: f(e + 1, 0.0 if err is None else err))``.

    Every returned value must be a finite number > 0; anything else raises
    ``ValueError`` naming the epoch. ``fn`` should not keep state of its own if the
    run is to be saved and resumed: only a schedule's ``state_dict`` is saved.

    >>> FromCallable(lambda epoch, error: 1.0 / (epoch + 1)).rate(3)
    0.25
    """

    name = "from_callable"
    options = ("fn",)
    uses_base_rate = False
    #: ``fit`` passes the training loss before the first epoch instead of ``None``
    needs_error = True

    def __init__(self, fn):
        if not callable(fn) or isinstance(fn, (type, Schedule)):
            raise TypeError(f"FromCallable: fn must be a function fn(epoch, error) -> rate, "
                            f"got {type(fn).__name__}")
        self.fn = fn
        super().__init__()

    def _rate(self, epoch, error):
        value = self.fn(epoch, error)
        if not (_is_real(value) and math.isfinite(value) and value > 0):
            raise ValueError(f"FromCallable: {_callable_name(self.fn)} returned {value!r} for epoch {epoch} "
                             f"(error={error!r}); a learning rate must be a finite number > 0")
        return value

    def get_config(self):
        # A function does not survive a config file; its name says which one it was.
        return {"name": self.name, "fn": _callable_name(self.fn)}

    def __deepcopy__(self, memo):
        return FromCallable(self.fn)  # the function is shared, not copied

    def __repr__(self):
        return f"FromCallable({_callable_name(self.fn)})"
