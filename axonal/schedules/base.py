"""The schedule contract, and the checks of schedule options (each names the option and the schedule)."""

from __future__ import annotations

import copy
import inspect

import numpy as np

from ..registry import Registry
from ..validation import in_interval, is_real, non_negative_real, positive_int, positive_real

__all__ = ["Schedule", "REGISTRY", "ALIASES", "get", "names"]


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
        self.base_rate: float | None = None
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
        config: dict = {"name": self.name}
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


ALIASES = {
    "step": "step_decay", "exponential": "exponential_decay", "inverse_time": "inverse_time_decay",
    "cosine_annealing": "cosine", "warm_up": "warmup", "plateau": "reduce_on_plateau",
}
#: Schedules by name; each schedule class registers itself where it is defined.
REGISTRY = Registry("schedule", aliases=ALIASES)
#: Every name :func:`get` accepts.
names = REGISTRY.names


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
        return REGISTRY["constant"](base_rate=base_rate)
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
        return REGISTRY["rate_list"](spec, iterations=epochs)
    if callable(spec) and not isinstance(spec, type):
        return REGISTRY["from_callable"](spec)
    raise TypeError(f"schedule must be a name, a config dict, a list of rates, a function or a Schedule, "
                    f"got {type(spec).__name__}")


def _build(name, config, base_rate, epochs):
    key = REGISTRY.key(name)
    cls = REGISTRY.lookup(name)
    if cls.run_length_option and cls.run_length_option not in config and epochs is not None:
        config[cls.run_length_option] = epochs
    if cls.uses_base_rate and "base_rate" not in config:
        config["base_rate"] = base_rate
    if key == "from_callable" and not callable(config.get("fn")):
        raise ValueError(f"from_callable: a config names its function ({config.get('fn')!r}) but cannot "
                         f"hold it; pass the function itself as the schedule")
    signature = inspect.signature(cls)
    try:
        signature.bind(**config)
    except TypeError as exc:
        valid = ", ".join(p for p in signature.parameters)
        raise ValueError(f"schedule {key!r}: {exc}; its options are {valid}") from None
    return cls(**config)


def _owner(obj):
    return type(obj).__name__


_is_real = is_real


def _check_positive(obj, label, value):
    return positive_real(value, _owner(obj), label)


def _check_non_negative(obj, label, value):
    return non_negative_real(value, _owner(obj), label)


def _check_count(obj, label, value):
    return positive_int(value, _owner(obj), label)


def _check_factor(obj, label, value, *, one_allowed):
    return in_interval(value, _owner(obj), label, low=0, high=1, low_open=True, high_open=not one_allowed)


def _callable_name(fn):
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    return f"{module}.{qualname}" if module else qualname
