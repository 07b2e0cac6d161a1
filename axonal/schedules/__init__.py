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

Modules: :mod:`~axonal.schedules.base` (the contract), :mod:`~axonal.schedules.decay`,
:mod:`~axonal.schedules.adaptive`, :mod:`~axonal.schedules.rate_forms`.

Examples
--------
>>> s = get({"name": "step_decay", "step_size": 2, "gamma": 0.5}, 0.1)
>>> [s.rate(e, None) for e in range(5)]
[0.1, 0.1, 0.05, 0.05, 0.025]
"""

from __future__ import annotations

from .adaptive import ReduceOnPlateau, WarmUp
from .base import REGISTRY, Schedule, get, names
from .decay import Constant, Cosine, ExponentialDecay, InverseTimeDecay, StepDecay
from .rate_forms import FromCallable, RateList

__all__ = [
    "Schedule", "Constant", "StepDecay", "ExponentialDecay", "InverseTimeDecay", "Cosine",
    "WarmUp", "ReduceOnPlateau", "RateList", "FromCallable", "get", "names", "REGISTRY",
]
