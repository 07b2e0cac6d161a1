"""Synaptic's ``Trainer`` options, checked and turned into axonal objects.

Rates (a number, a list spread over the run, a function of the iteration and the
error), costs by Synaptic's names, ``schedule {every, do}``, ``crossValidate``,
``log``, and training sets given as Synaptic's list of ``{input, output}``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import losses as _losses
from ..losses.lookup import CustomLoss, measuring
from ..schedules import FromCallable, RateList
from ..validation import in_interval, is_real, non_negative_real, positive_int, positive_real

__all__ = ["COSTS"]

#: Synaptic's cost names and the axonal losses they train with (``"binary"``: test only)
COSTS = {"mse": "mse", "cross_entropy": "binary_cross_entropy", "binary": None}


def _rate_schedule(rate, iterations):
    """``None`` for a constant rate, else the schedule giving Synaptic's rate at each epoch."""
    if callable(rate):
        # Synaptic calls rate(iterations, lastError) with iterations counted from 1 and 0
        # before the first error; fit counts epochs from 0 and gives the loss before training.
        return FromCallable(lambda epoch, err: rate(epoch + 1, 0.0 if epoch == 0 or err is None else err))
    if isinstance(rate, (list, tuple, np.ndarray)):
        return RateList(list(np.asarray(rate, dtype=float).ravel()), iterations=iterations, synaptic=True)
    return None


def _first_rate(rate) -> float:
    if isinstance(rate, (list, tuple, np.ndarray)):
        return float(np.asarray(rate, dtype=float).ravel()[0])
    if callable(rate):
        return 1.0  # replaced by the schedule before the first step
    return float(rate)


def _check_rate_option(rate, iterations):
    if callable(rate) and not isinstance(rate, type):
        return
    if isinstance(rate, (list, tuple, np.ndarray)):
        values = list(np.asarray(rate, dtype=object).ravel())
        if not values or not all(_is_real(v) and math.isfinite(v) and v > 0 for v in values):
            raise ValueError(f"Trainer: rate as a list must hold finite numbers > 0, got {list(rate)!r}")
        if iterations < len(values):
            raise ValueError(f"Trainer: rate lists {len(values)} rates but iterations is {iterations}; each rate "
                             f"needs at least one epoch (iterations >= {len(values)})")
        return
    _check_positive("rate", rate)


def _check_cross_validate(cv) -> dict:
    if not isinstance(cv, dict):
        raise TypeError(f"Trainer: cross_validate must be a dict {{'test_size': f, 'test_error': e}}, got {cv!r}")
    aliases = {"testSize": "test_size", "testError": "test_error"}
    cv = {aliases.get(k, k): v for k, v in cv.items()}
    unknown = sorted(set(cv) - {"test_size", "test_error"})
    if unknown:
        raise ValueError(f"Trainer: cross_validate has unknown keys {unknown}; expected test_size, test_error")
    size = cv.get("test_size")
    if not (_is_real(size) and 0 < size < 1):
        raise ValueError(f"Trainer: cross_validate test_size must be a number in (0, 1), got {size!r}")
    test_error = cv.get("test_error", 0.0)
    _check_error("cross_validate test_error", test_error)
    return {"test_size": float(size), "test_error": float(test_error)}


def _cross_validation_cut(cv, n) -> int:
    cut = math.ceil((1 - cv["test_size"]) * n)   # Synaptic's numTrain
    if cut < 1 or cut >= n:
        raise ValueError(f"Trainer: cross_validate test_size={cv['test_size']} of {n} samples leaves {cut} for "
                         f"training and {n - cut} for testing; need at least 1 on each side")
    return cut


def _check_schedule(schedule):
    if schedule is None:
        return None, None
    if not isinstance(schedule, dict):
        raise TypeError(f"Trainer: schedule must be a dict {{'every': n, 'do': fn}}, got {schedule!r}")
    unknown = sorted(set(schedule) - {"every", "do"})
    if unknown:
        raise ValueError(f"Trainer: schedule has unknown keys {unknown}; expected every, do")
    every, do = schedule.get("every"), schedule.get("do")
    if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
        raise ValueError(f"Trainer: schedule every must be a positive integer, got {every!r}")
    if not callable(do):
        raise TypeError(f"Trainer: schedule do must be a function do(info), got {do!r}")
    return int(every), do


def _check_log(log):
    if log is False or log is None or log == 0:
        return 0
    if isinstance(log, bool) or not isinstance(log, numbers.Integral) or log < 0:
        raise ValueError(f"Trainer: log must be False or a positive integer (epochs between lines), got {log!r}")
    return int(log)


def _check_count(name, value):
    return positive_int(value, "Trainer", name)


def _check_error(name, value):
    return non_negative_real(value, "Trainer", name)


def _check_positive(name, value):
    return positive_real(value, "Trainer", name)


def _check_fraction(name, value):
    return in_interval(value, "Trainer", name, low=0, high=1, low_open=True)


_is_real = is_real


def _loss(cost, *, train):
    """The axonal loss for a Synaptic cost name, a loss name, a Loss or a function ``cost(target, output)``.

    ``train``: the cost's gradient will train the network (``rule="axonal"``), so it must have
    one. Otherwise it only measures: any function will do, and ``"binary"`` is a measure too.
    """
    if isinstance(cost, _losses.Loss):
        if train and not getattr(cost, "has_gradient", True):
            raise ValueError(f"Trainer: cost {cost.name!r} has no gradient, and rule='axonal' trains by the cost's "
                             f"gradient; register it with one (axonal.losses.register(name, cost, gradient=...)), "
                             f"or train with rule='synaptic', where the cost only measures")
        return cost
    if callable(cost) and not isinstance(cost, type):
        if not train:
            return measuring(cost)
        try:
            return _loss(_losses.get(cost), train=True)
        except ValueError as exc:
            raise ValueError(f"Trainer: with rule='axonal' the cost's gradient trains the network, and a plain "
                             f"function has none: {exc}; or train with rule='synaptic', where the cost only "
                             f"measures, as in Synaptic") from None
    if not isinstance(cost, str):
        raise TypeError(f"Trainer: cost must be 'mse', 'cross_entropy', 'binary', an axonal loss or a function "
                        f"cost(target, output), got {type(cost).__name__}")
    key = cost.lower()
    if key in COSTS:
        if COSTS[key] is None:
            if train:
                raise ValueError("Trainer: cost 'binary' counts wrong outputs and has no gradient, so it cannot "
                                 "train a network; use it with test(), or train with 'mse' or 'cross_entropy' "
                                 "(or with rule='synaptic', where the cost only measures)")
            return _BINARY
        key = COSTS[key]
    try:
        return _losses.get(key)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"Trainer: unknown cost {cost!r}; use 'mse', 'cross_entropy', 'binary' or an "
                         f"axonal loss name ({exc})") from None


def _binary(target, output):
    """Synaptic's BINARY cost per sample: outputs on the wrong side of 0.25 / 0.75 steps."""
    return np.sum(np.round(2 * target) != np.round(2 * output), axis=-1).astype(np.float64)


_BINARY = CustomLoss("binary", _binary, registered=False)


def _cost_value(cost, out, y) -> float:
    """Mean cost per sample of outputs ``out`` against targets ``y``, both (samples, outputs)."""
    return _loss(cost, train=False).value(out, y)


def _as_arrays(set, where):
    """``(x, y)`` as float64 arrays (samples, features) from Synaptic samples or a pair of arrays."""
    if isinstance(set, tuple) and len(set) == 2:
        x, y = np.asarray(set[0], dtype=np.float64), np.asarray(set[1], dtype=np.float64)
    else:
        try:
            samples = list(set)
            x = np.array([s["input"] for s in samples], dtype=np.float64)
            y = np.array([s["output"] for s in samples], dtype=np.float64)
        except (TypeError, KeyError) as exc:
            raise ValueError(f"{where}: set must be a list of {{'input': [...], 'output': [...]}} or a pair "
                             f"(x, y) of arrays ({exc!r})") from None
    if x.ndim == 1:
        x = x[:, None]
    if y.ndim == 1:
        y = y[:, None]
    if len(x) == 0 or len(x) != len(y) or x.ndim != 2 or y.ndim != 2:
        raise ValueError(f"{where}: need inputs (samples, features) and outputs (samples, outputs) with the same "
                         f"number of samples (at least one); got {x.shape} and {y.shape}")
    return x, y


def _report(iterations, every, do, log, info) -> bool:
    if every is not None and iterations % every == 0:
        return bool(do(info))
    if log and iterations % log == 0:
        print(" ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    return False
