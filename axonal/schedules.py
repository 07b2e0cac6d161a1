"""Learning-rate schedules: the rate ``η_e`` each epoch trains with.

A schedule answers one question, before every epoch: ``rate(epoch, error) -> η_e``.
``epoch`` counts from 0; ``error`` is the previous epoch's mean training loss, or
``None`` before the first epoch. The training loop sets the optimizer's
``learning_rate`` from the answer; a schedule changes nothing but its own state.
Whether to stop is not its business (:mod:`axonal.stopping`).

With ``η`` the base rate (the optimizer's ``learning_rate`` unless the schedule
was given its own ``base_rate``):

======================  ======================================================
schedule                ``η_e``
======================  ======================================================
``Constant``            ``η``
``StepDecay``           ``η·γ^⌊e/s⌋``: times ``γ`` every ``s`` epochs
``ExponentialDecay``    ``η·γ^e``
``InverseTimeDecay``    ``η / (1 + d·e)``: the articles' "decrease the rate over training"
``Cosine``              ``η_min + (η - η_min)·(1 + cos(π·e/T))/2`` for ``e < T``, then ``η_min``
``WarmUp``              ``η_0 + (η - η_0)·(e + 1)/W`` for ``e < W``, then another schedule
``ReduceOnPlateau``     times ``factor`` after ``patience`` epochs without a lower ``error``
``RateList``            Synaptic's ``rate: [r_0, …, r_{m-1}]``, spread over the run
``FromCallable``        Synaptic's ``rate: function(iterations, error)``
======================  ======================================================

:func:`get` builds one from a name (``"cosine"``), a config dict
(``{"name": "step_decay", "step_size": 10}``), a list of rates, a callable or an
instance.

>>> s = get({"name": "step_decay", "step_size": 2, "gamma": 0.5}, 0.1)
>>> [s.rate(e, None) for e in range(5)]
[0.1, 0.1, 0.05, 0.05, 0.025]
"""

from __future__ import annotations

import copy
import inspect
import math
import numbers

import numpy as np

__all__ = [
    "Schedule", "Constant", "StepDecay", "ExponentialDecay", "InverseTimeDecay", "Cosine",
    "WarmUp", "ReduceOnPlateau", "RateList", "FromCallable", "get", "names", "REGISTRY",
]


class Schedule:
    """Base class. Subclasses set ``name`` and ``options`` and implement ``_rate``.

    Parameters
    ----------
    base_rate : float, optional
        ``η``. Left out, :func:`get` fills in the optimizer's rate (on a copy: the
        instance you built stays unbound).
    """

    name = "schedule"
    #: the constructor arguments that ``get_config`` records
    options: tuple[str, ...] = ()
    #: ``False`` for schedules that give their rates outright (``RateList``, ``FromCallable``)
    uses_base_rate = True
    #: the option that ``get(..., epochs=n)`` fills with the run length when it is not given
    run_length_option: str | None = None

    def __init__(self, *, base_rate: float | None = None):
        self.base_rate = None
        if base_rate is not None:
            self._bind(_check_positive(self, "base_rate", base_rate))

    # -- the one question ---------------------------------------------------------------
    def rate(self, epoch: int, error: float | None = None) -> float:
        """The learning rate for epoch ``epoch`` (from 0), given the last epoch's ``error``."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"{type(self).__name__}: epoch must be an integer >= 0, got {epoch!r}")
        return float(self._rate(int(epoch), error))

    def _rate(self, epoch: int, error: float | None) -> float:
        raise NotImplementedError

    # -- the base rate --------------------------------------------------------------------
    def with_base_rate(self, base_rate: float) -> "Schedule":
        """A copy of this schedule (state included) whose base rate is ``base_rate``."""
        clone = copy.deepcopy(self)
        clone._bind(_check_positive(self, "base_rate", base_rate))
        return clone

    def _bind(self, base_rate: float) -> None:
        self.base_rate = base_rate
        self._check_base(base_rate)

    def _check_base(self, base_rate: float) -> None:
        """Check options that depend on the base rate (``min_rate <= η`` …)."""

    @property
    def _eta(self) -> float:
        if self.base_rate is None:
            raise ValueError(f"{type(self).__name__} has no base rate: give base_rate=..., or build it with "
                             f"schedules.get(spec, base_rate) (fit does)")
        return self.base_rate

    # -- describing and saving --------------------------------------------------------------
    def get_config(self) -> dict:
        """``{"name": ..., option: value, ...}``; :func:`get` rebuilds the schedule from it."""
        config = {"name": self.name}
        for key in self.options:
            value = getattr(self, key)
            config[key] = value.get_config() if isinstance(value, Schedule) else value
        if self.uses_base_rate and self.base_rate is not None:
            config["base_rate"] = self.base_rate
        return config

    def state_dict(self) -> dict:
        """What the schedule has learned while training (empty for stateless ones)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned."""
        if state:
            raise KeyError(f"{type(self).__name__} keeps no state, got keys {sorted(state)}")

    def __repr__(self):
        config = self.get_config()
        config.pop("name")
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in config.items())})"


class Constant(Schedule):
    """``η_e = η``: the rate never changes.

    >>> Constant(base_rate=0.3).rate(100)
    0.3
    """

    name = "constant"

    def _rate(self, epoch, error):
        return self._eta


class StepDecay(Schedule):
    """``η_e = η·γ^⌊e/s⌋``: the rate is multiplied by ``γ`` every ``s`` epochs.

    Parameters
    ----------
    step_size : int
        ``s``, epochs per step (>= 1).
    gamma : float in (0, 1], default 0.1
        ``γ``, the factor per step.

    >>> [StepDecay(2, 0.5, base_rate=1.0).rate(e) for e in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    name = "step_decay"
    options = ("step_size", "gamma")

    def __init__(self, step_size: int, gamma: float = 0.1, *, base_rate: float | None = None):
        self.step_size = _check_count(self, "step_size", step_size)
        self.gamma = _check_factor(self, "gamma", gamma, one_allowed=True)
        super().__init__(base_rate=base_rate)

    def _rate(self, epoch, error):
        return self._eta * self.gamma ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """``η_e = η·γ^e``: the rate shrinks by the factor ``γ`` every epoch.

    Parameters
    ----------
    gamma : float in (0, 1]

    >>> [ExponentialDecay(0.5, base_rate=1.0).rate(e) for e in range(4)]
    [1.0, 0.5, 0.25, 0.125]
    """

    name = "exponential_decay"
    options = ("gamma",)

    def __init__(self, gamma: float, *, base_rate: float | None = None):
        self.gamma = _check_factor(self, "gamma", gamma, one_allowed=True)
        super().__init__(base_rate=base_rate)

    def _rate(self, epoch, error):
        return self._eta * self.gamma ** epoch


class InverseTimeDecay(Schedule):
    """``η_e = η / (1 + d·e)``: the articles' "decrease the learning rate over training".

    The rate falls off like ``1/e``: halved after ``1/d`` epochs, a third after ``2/d``.

    Parameters
    ----------
    decay : float >= 0
        ``d``; 0 keeps the rate constant.

    >>> [InverseTimeDecay(0.5, base_rate=1.0).rate(e) for e in (0, 2, 4)]
    [1.0, 0.5, 0.3333333333333333]
    """

    name = "inverse_time_decay"
    options = ("decay",)

    def __init__(self, decay: float, *, base_rate: float | None = None):
        self.decay = _check_non_negative(self, "decay", decay)
        super().__init__(base_rate=base_rate)

    def _rate(self, epoch, error):
        return self._eta / (1.0 + self.decay * epoch)


class Cosine(Schedule):
    """Cosine annealing from ``η`` down to ``η_min`` over ``T`` epochs, then ``η_min``.

    ``η_e = η_min + (η - η_min)·(1 + cos(π·e/T))/2`` for ``e < T``, ``η_min`` after.
    Epoch 0 trains with ``η``; the rate reaches ``η_min`` only at ``e = T``, so a run
    of ``T`` epochs never trains with ``η_min`` itself.

    Parameters
    ----------
    epochs : int
        ``T``; :func:`get` uses the run's ``epochs`` when a name or dict leaves it out.
    min_rate : float, default 0
        ``η_min``, in ``[0, η]``.

    >>> [round(Cosine(4, base_rate=1.0).rate(e), 4) for e in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    name = "cosine"
    options = ("epochs", "min_rate")
    run_length_option = "epochs"

    def __init__(self, epochs: int, min_rate: float = 0.0, *, base_rate: float | None = None):
        self.epochs = _check_count(self, "epochs", epochs)
        self.min_rate = _check_non_negative(self, "min_rate", min_rate)
        super().__init__(base_rate=base_rate)

    def _check_base(self, base_rate):
        if self.min_rate > base_rate:
            raise ValueError(f"Cosine: min_rate ({self.min_rate}) must not exceed the base rate ({base_rate})")

    def _rate(self, epoch, error):
        if epoch >= self.epochs:
            return self.min_rate
        return self.min_rate + (self._eta - self.min_rate) * 0.5 * (1.0 + math.cos(math.pi * epoch / self.epochs))


class WarmUp(Schedule):
    """A linear ramp up to ``η`` over ``W`` epochs, then another schedule.

    ``η_e = η_0 + (η - η_0)·(e + 1)/W`` for ``e < W`` (the ramp ends on ``η`` at
    epoch ``W - 1`` and never trains with ``η_0`` itself, so ``η_0 = 0`` is fine);
    for ``e >= W``, ``η_e = then.rate(e - W, error)``: the following schedule counts
    its epochs from the end of the warm-up, its epoch 0 (epoch ``W``) getting the
    loss of the last warm-up epoch; it never sees the earlier ones.

    Parameters
    ----------
    epochs : int
        ``W``, the warm-up length.
    then : schedule spec, optional
        What follows (anything :func:`get` takes); by default ``Constant``. It gets
        the same base rate unless it has its own.
    start : float, default 0
        ``η_0``, in ``[0, η)``.

    >>> s = WarmUp(4, then=ExponentialDecay(0.5), base_rate=1.0)
    >>> [s.rate(e) for e in range(7)]
    [0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.25]
    """

    name = "warmup"
    options = ("epochs", "then", "start")

    def __init__(self, epochs: int, then=None, *, start: float = 0.0, base_rate: float | None = None):
        self.epochs = _check_count(self, "epochs", epochs)
        self.start = _check_non_negative(self, "start", start)
        self.then = Constant() if then is None else get(then)
        super().__init__(base_rate=base_rate)

    def _check_base(self, base_rate):
        if self.start >= base_rate:
            raise ValueError(f"WarmUp: start ({self.start}) must be below the base rate ({base_rate})")

    def _bind(self, base_rate):
        super()._bind(base_rate)
        if self.then.uses_base_rate and self.then.base_rate is None:
            self.then = self.then.with_base_rate(base_rate)

    def _rate(self, epoch, error):
        if epoch < self.epochs:
            return self.start + (self._eta - self.start) * (epoch + 1) / self.epochs
        return self.then.rate(epoch - self.epochs, error)

    def state_dict(self):
        inner = self.then.state_dict()
        return {"then": inner} if inner else {}

    def load_state_dict(self, state):
        unknown = sorted(set(state) - {"then"})
        if unknown:
            raise KeyError(f"WarmUp: unknown state keys {unknown}; expected 'then'")
        self.then.load_state_dict(state.get("then", {}))


class ReduceOnPlateau(Schedule):
    """Multiply the rate by ``factor`` once ``error`` has not improved for ``patience`` epochs.

    It watches the ``error`` handed to :meth:`rate`. An error improves when it is
    below the best so far by more than ``min_delta`` (the first finite one always
    does; NaN or Inf never does). After ``patience`` errors in a row that do not::

        η ← max(η·factor, min_rate),   then the count starts again from 0

    The reduced rate applies from the epoch whose ``rate`` call saw the last of
    those errors. State (``rate_``, ``best_``, ``bad_epochs_``, ``last_epoch_``) is
    kept across calls and training runs, and saved by :meth:`state_dict`. A second
    call for the same epoch returns the same rate without counting ``error`` again.

    Parameters
    ----------
    factor : float in (0, 1), default 0.1
    patience : int >= 1, default 10
    min_delta : float >= 0, default 0
    min_rate : float >= 0, default 0
        A floor, at most the base rate.

    >>> s = ReduceOnPlateau(factor=0.5, patience=2, base_rate=1.0)
    >>> [s.rate(e, err) for e, err in enumerate([None, 3.0, 2.0, 2.5, 2.0, 1.0])]
    [1.0, 1.0, 1.0, 1.0, 0.5, 0.5]
    """

    name = "reduce_on_plateau"
    options = ("factor", "patience", "min_delta", "min_rate")

    def __init__(self, factor: float = 0.1, patience: int = 10, min_delta: float = 0.0,
                 min_rate: float = 0.0, *, base_rate: float | None = None):
        self.factor = _check_factor(self, "factor", factor, one_allowed=False)
        self.patience = _check_count(self, "patience", patience)
        self.min_delta = _check_non_negative(self, "min_delta", min_delta)
        self.min_rate = _check_non_negative(self, "min_rate", min_rate)
        #: the current rate (the base rate until the first reduction)
        self.rate_: float | None = None
        #: the lowest error seen, or None before the first finite one
        self.best_: float | None = None
        #: errors in a row that did not improve on ``best_``
        self.bad_epochs_ = 0
        #: the epoch of the last ``rate`` call
        self.last_epoch_: int | None = None
        super().__init__(base_rate=base_rate)

    def _check_base(self, base_rate):
        if self.min_rate > base_rate:
            raise ValueError(f"ReduceOnPlateau: min_rate ({self.min_rate}) must not exceed the base rate "
                             f"({base_rate})")
        if self.rate_ is None:
            self.rate_ = base_rate

    def _rate(self, epoch, error):
        if self.rate_ is None:
            self.rate_ = self._eta
        if epoch == self.last_epoch_:
            return self.rate_
        self.last_epoch_ = epoch
        if error is None:
            return self.rate_
        error = float(error)
        if math.isfinite(error) and (self.best_ is None or error < self.best_ - self.min_delta):
            self.best_, self.bad_epochs_ = error, 0
        else:
            self.bad_epochs_ += 1
            if self.bad_epochs_ >= self.patience:
                self.rate_ = max(self.rate_ * self.factor, self.min_rate)
                self.bad_epochs_ = 0
        return self.rate_

    _STATE_KEYS = ("rate", "best", "bad_epochs", "last_epoch")

    def state_dict(self):
        return {"rate": self.rate_, "best": self.best_, "bad_epochs": self.bad_epochs_,
                "last_epoch": self.last_epoch_}

    def load_state_dict(self, state):
        missing = [k for k in self._STATE_KEYS if k not in state]
        unknown = sorted(set(state) - set(self._STATE_KEYS))
        if missing or unknown:
            raise KeyError(f"ReduceOnPlateau: state must have keys {list(self._STATE_KEYS)}; "
                           f"missing {missing}, unknown {unknown}")
        rate = state["rate"]
        self.rate_ = None if rate is None else _check_positive(self, "state 'rate'", rate)
        self.best_ = None if state["best"] is None else float(state["best"])
        self.bad_epochs_ = int(state["bad_epochs"])
        self.last_epoch_ = None if state["last_epoch"] is None else int(state["last_epoch"])


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


REGISTRY: dict[str, type[Schedule]] = {
    cls.name: cls
    for cls in (Constant, StepDecay, ExponentialDecay, InverseTimeDecay, Cosine, WarmUp,
                ReduceOnPlateau, RateList, FromCallable)
}
ALIASES = {
    "step": "step_decay", "exponential": "exponential_decay", "inverse_time": "inverse_time_decay",
    "cosine_annealing": "cosine", "warm_up": "warmup", "plateau": "reduce_on_plateau",
}


def names() -> list[str]:
    """Every name :func:`get` accepts."""
    return sorted(set(REGISTRY) | set(ALIASES))


def get(spec, base_rate: float | None = None, *, epochs: int | None = None) -> Schedule:
    """Build a schedule from a spec.

    Parameters
    ----------
    spec : str, dict, sequence of float, callable, Schedule or None
        * a name (``"cosine"``) or config dict (``{"name": "step_decay", "step_size": 10}``,
          what ``get_config`` returns);
        * a list of rates: :class:`RateList` over ``epochs``;
        * a function ``fn(epoch, error) -> rate``: :class:`FromCallable`;
        * a :class:`Schedule`: returned as it is, or, when it needs a base rate and
          has none, as a copy bound to ``base_rate``;
        * ``None``: :class:`Constant`.
    base_rate : float, optional
        ``η`` for schedules that scale a base rate; their own ``base_rate`` wins.
    epochs : int, optional
        The run length, for a list of rates and for ``Cosine``/``RateList`` built by
        name or dict without ``epochs``/``iterations``.

    Returns
    -------
    Schedule

    >>> get("cosine", 0.1, epochs=10)
    Cosine(epochs=10, min_rate=0.0, base_rate=0.1)
    >>> get([0.5, 0.1], epochs=4).rate(2)
    0.1
    """
    if spec is None:
        return Constant(base_rate=base_rate)
    if isinstance(spec, Schedule):
        if spec.uses_base_rate and spec.base_rate is None and base_rate is not None:
            return spec.with_base_rate(base_rate)
        return spec
    if isinstance(spec, str):
        return _build(spec, {}, base_rate, epochs)
    if isinstance(spec, dict):
        config = dict(spec)
        if "name" not in config:
            raise ValueError(f"a schedule config dict needs a 'name'; valid names: {', '.join(names())}")
        return _build(config.pop("name"), config, base_rate, epochs)
    if isinstance(spec, (list, tuple, np.ndarray)):
        if epochs is None:
            raise ValueError("a list of rates is spread over the run: give epochs=, or use "
                             "RateList(rates, iterations)")
        return RateList(spec, iterations=epochs)
    if callable(spec) and not isinstance(spec, type):
        return FromCallable(spec)
    raise TypeError(f"schedule must be a name, a config dict, a list of rates, a function or a Schedule, "
                    f"got {type(spec).__name__}")


def _build(name, config, base_rate, epochs):
    key = str(name).lower().replace("-", "_")
    key = ALIASES.get(key, key)
    try:
        cls = REGISTRY[key]
    except KeyError:
        raise ValueError(f"unknown schedule {name!r}; valid names: {', '.join(names())}") from None
    if cls.run_length_option and cls.run_length_option not in config and epochs is not None:
        config[cls.run_length_option] = epochs
    if cls.uses_base_rate and "base_rate" not in config:
        config["base_rate"] = base_rate
    if cls is FromCallable and not callable(config.get("fn")):
        raise ValueError(f"from_callable: a config names its function ({config.get('fn')!r}) but cannot "
                         f"hold it; pass the function itself as the schedule")
    signature = inspect.signature(cls)
    try:
        signature.bind(**config)
    except TypeError as exc:
        valid = ", ".join(p for p in signature.parameters)
        raise ValueError(f"schedule {key!r}: {exc}; its options are {valid}") from None
    return cls(**config)


# -- option checks: each names the option and the schedule ---------------------------------------
def _owner(obj):
    return type(obj).__name__


def _is_real(value):
    return not isinstance(value, bool) and isinstance(value, numbers.Real)


def _check_positive(obj, label, value):
    if not (_is_real(value) and math.isfinite(value) and value > 0):
        raise ValueError(f"{_owner(obj)}: {label} must be a finite number > 0, got {value!r}")
    return float(value)


def _check_non_negative(obj, label, value):
    if not (_is_real(value) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{_owner(obj)}: {label} must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_count(obj, label, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{_owner(obj)}: {label} must be a positive integer, got {value!r}")
    return int(value)


def _check_factor(obj, label, value, *, one_allowed):
    if not (_is_real(value) and value > 0 and (value <= 1 if one_allowed else value < 1)):
        interval = "(0, 1]" if one_allowed else "(0, 1)"
        raise ValueError(f"{_owner(obj)}: {label} must be in {interval}, got {value!r}")
    return float(value)


def _callable_name(fn):
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    return f"{module}.{qualname}" if module else qualname
