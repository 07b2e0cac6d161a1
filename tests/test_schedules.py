"""Learning-rate schedules: hand-computed rates, Synaptic's switching, plateau state, option checks."""

import math

import numpy as np
import pytest

from axonal import schedules
from axonal.schedules import (Constant, Cosine, ExponentialDecay, FromCallable, InverseTimeDecay,
                              RateList, ReduceOnPlateau, StepDecay, WarmUp)


def rates(schedule, n, errors=None):
    errors = [None] * n if errors is None else errors
    return [schedule.rate(e, err) for e, err in zip(range(n), errors)]


# -- each schedule against its formula -----------------------------------------------------------
def test_constant():
    assert rates(Constant(base_rate=0.25), 4) == [0.25] * 4


def test_step_decay():
    expected = [0.2, 0.2, 0.2, 0.02, 0.02, 0.02, 0.002]
    np.testing.assert_allclose(rates(StepDecay(3, 0.1, base_rate=0.2), 7), expected, rtol=1e-12)


def test_exponential_decay():
    np.testing.assert_allclose(rates(ExponentialDecay(0.9, base_rate=2.0), 4),
                               [2.0, 1.8, 1.62, 1.458], rtol=1e-12)


def test_inverse_time_decay():
    np.testing.assert_allclose(rates(InverseTimeDecay(0.5, base_rate=0.1), 5),
                               [0.1, 0.1 / 1.5, 0.1 / 2, 0.1 / 2.5, 0.1 / 3], rtol=1e-12)
    assert rates(InverseTimeDecay(0.0, base_rate=0.1), 3) == [0.1] * 3


def test_cosine_anneals_to_the_minimum_then_stays():
    c = math.sqrt(0.5)
    expected = [1.0, 0.2 + 0.8 * (1 + c) / 2, 0.6, 0.2 + 0.8 * (1 - c) / 2, 0.2, 0.2]
    np.testing.assert_allclose(rates(Cosine(4, min_rate=0.2, base_rate=1.0), 6), expected, rtol=1e-12)


def test_warmup_ramps_linearly_then_hands_over():
    s = WarmUp(3, then=StepDecay(2, 0.5), start=0.1, base_rate=1.0)
    # ramp: 0.1 + 0.9·(e+1)/3; then StepDecay counts its epochs from the end of the ramp
    np.testing.assert_allclose(rates(s, 8), [0.4, 0.7, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25], rtol=1e-12)
    assert rates(WarmUp(2, base_rate=0.5), 4) == [0.25, 0.5, 0.5, 0.5]  # default: Constant


def test_warmup_then_keeps_its_own_base_rate():
    s = WarmUp(1, then=Constant(base_rate=0.05), base_rate=1.0)
    assert rates(s, 3) == [1.0, 0.05, 0.05]


def test_warmup_then_sees_the_errors_after_the_ramp():
    s = WarmUp(2, then=ReduceOnPlateau(factor=0.5, patience=1), base_rate=1.0)
    # The plateau watcher's epoch 0 is epoch 2, handed the loss of the last ramp epoch (3.0);
    # the loss of the first ramp epoch (9.0) never reaches it. 2.0 improves, the second 2.0
    # does not: patience 1 halves the rate at epoch 4 (the watcher's epoch 2).
    got = rates(s, 6, [None, 9.0, 3.0, 2.0, 2.0, 1.5])
    assert got == [0.5, 1.0, 1.0, 1.0, 0.5, 0.5]
    assert s.state_dict() == {"then": {"rate": 0.5, "best": 1.5, "bad_epochs": 0, "last_epoch": 3}}
    restored = WarmUp(2, then=ReduceOnPlateau(factor=0.5, patience=1), base_rate=1.0)
    restored.load_state_dict(s.state_dict())
    assert restored.rate(6, 1.5) == s.rate(6, 1.5) == 0.25


# -- ReduceOnPlateau -----------------------------------------------------------------------------
def test_plateau_reduces_after_exactly_patience_epochs_without_improvement():
    s = ReduceOnPlateau(factor=0.1, patience=3, base_rate=1.0)
    errors = [None, 5.0, 4.0, 4.0, 4.5, 4.0, 4.0, 4.0, 4.0]
    got = rates(s, len(errors), errors)
    #          best 5  best 4  bad 1  bad 2  bad 3 → ×0.1, bad 1, bad 2, bad 3 → ×0.1
    expected = [1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.01]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert s.bad_epochs_ == 0 and s.best_ == 4.0


def test_plateau_improvement_resets_the_count_and_min_delta_sets_the_bar():
    s = ReduceOnPlateau(factor=0.5, patience=2, base_rate=1.0)
    assert rates(s, 6, [None, 3.0, 3.1, 2.9, 3.0, 2.8]) == [1.0] * 6
    s = ReduceOnPlateau(factor=0.5, patience=2, min_delta=0.15, base_rate=1.0)
    # 2.9 and 2.86 beat 3.0 by less than 0.15: neither improves
    assert rates(s, 4, [None, 3.0, 2.9, 2.86]) == [1.0, 1.0, 1.0, 0.5]


def test_plateau_floor_nan_and_repeated_calls():
    s = ReduceOnPlateau(factor=0.1, patience=1, min_rate=0.05, base_rate=1.0)
    assert rates(s, 4, [None, 1.0, 1.0, 1.0]) == [1.0, 1.0, 0.1, 0.05]
    s = ReduceOnPlateau(factor=0.5, patience=2, base_rate=1.0)
    assert s.rate(0, None) == 1.0 and s.rate(1, 1.0) == 1.0
    assert s.rate(2, 1.0) == 1.0 and s.rate(2, 1.0) == 1.0  # the same epoch again does not count twice
    assert s.bad_epochs_ == 1
    assert s.rate(3, float("nan")) == 0.5  # NaN is never an improvement
    assert s.best_ == 1.0


def test_plateau_state_round_trips():
    errors = [None, 2.0, 1.0, 1.5, 1.2, 1.1, 1.3, 1.0, 0.9, 1.4]
    a = ReduceOnPlateau(factor=0.5, patience=2, base_rate=1.0)
    rates(a, 5, errors[:5])
    state = a.state_dict()
    assert state == {"rate": 0.5, "best": 1.0, "bad_epochs": 0, "last_epoch": 4}
    b = ReduceOnPlateau(factor=0.5, patience=2, base_rate=1.0)
    b.load_state_dict(state)
    rest = range(5, len(errors))
    assert [b.rate(e, errors[e]) for e in rest] == [a.rate(e, errors[e]) for e in rest]
    assert b.state_dict() == a.state_dict()
    # an unbound instance takes its rate from the state
    c = ReduceOnPlateau(factor=0.5, patience=2)
    c.load_state_dict(state)
    assert c.rate(5, errors[5]) == 0.5


def test_plateau_state_with_wrong_keys_is_refused():
    s = ReduceOnPlateau(base_rate=1.0)
    with pytest.raises(KeyError, match=r"missing \['best', 'bad_epochs', 'last_epoch'\], unknown \['lr'\]"):
        s.load_state_dict({"rate": 0.1, "lr": 0.1})
    with pytest.raises(ValueError, match="state 'rate' must be a finite number > 0"):
        s.load_state_dict({"rate": -1.0, "best": None, "bad_epochs": 0, "last_epoch": None})


def test_stateless_schedules_have_empty_state():
    s = StepDecay(2, base_rate=1.0)
    assert s.state_dict() == {}
    s.load_state_dict({})
    with pytest.raises(KeyError, match="StepDecay keeps no state"):
        s.load_state_dict({"rate": 1.0})


# -- Synaptic's list of rates ----------------------------------------------------------------------
def synaptic_rates(rate_list, iterations):
    """A line-by-line transcription of Synaptic's Trainer.train rate choice (iterations from 1)."""
    bucket_size = math.floor(iterations / len(rate_list))
    current, out = None, []
    for iteration in range(1, iterations + 1):
        current_bucket = math.floor(iteration / bucket_size)
        if current_bucket < len(rate_list):  # rate[bucket] || currentRate
            current = rate_list[current_bucket]
        out.append(current)
    return out


def test_rate_list_switches_where_synaptic_does():
    s = RateList([0.4, 0.3, 0.2, 0.1], iterations=100, synaptic=True)  # b = 25
    got = rates(s, 100)
    switches = [e for e in range(1, 100) if got[e] != got[e - 1]]
    assert switches == [24, 49, 74]  # r_j from epoch j·b − 1 (Synaptic's iteration j·b)
    assert got[0] == 0.4 and got[23] == 0.4 and got[24] == 0.3 and got[99] == 0.1
    assert s.rate(500) == 0.1  # past the run: the last rate


# (m, n) = (1, 1) is left out: there Synaptic trains with the list itself as the rate.
@pytest.mark.parametrize("m, n", [(1, 2), (1, 7), (2, 2), (3, 5), (3, 10), (4, 100), (5, 23), (7, 7)])
def test_rate_list_matches_a_transcription_of_synaptic(m, n):
    rate_list = [1.0 / (j + 1) for j in range(m)]
    assert rates(RateList(rate_list, iterations=n, synaptic=True), n) == synaptic_rates(rate_list, n)


def test_rate_list_with_one_epoch_per_bucket_skips_the_first_rate_like_synaptic():
    assert rates(RateList([0.3, 0.2, 0.1], iterations=4, synaptic=True), 4) == [0.2, 0.1, 0.1, 0.1]


@pytest.mark.parametrize("m, n", [(1, 5), (2, 2), (3, 4), (3, 10), (4, 100), (5, 23), (7, 7)])
def test_rate_list_by_default_gives_every_rate_an_even_share(m, n):
    rate_list = [1.0 / (j + 1) for j in range(m)]
    got = rates(RateList(rate_list, iterations=n), n)
    counts = [got.count(r) for r in rate_list]
    assert got == sorted(got, reverse=True) and got[0] == rate_list[0]  # in order, first rate first
    assert sum(counts) == n and max(counts) - min(counts) <= 1 and min(counts) >= 1


def test_rate_list_checks():
    with pytest.raises(ValueError, match=r"iterations \(2\) must be at least the number of rates \(3\)"):
        RateList([0.3, 0.2, 0.1], iterations=2)
    with pytest.raises(ValueError, match=r"rates\[1\] must be a finite number > 0, got 0"):
        RateList([0.3, 0, 0.1], iterations=10)
    with pytest.raises(ValueError, match="at least one rate"):
        RateList([], iterations=10)


# -- rates from a function -------------------------------------------------------------------------
def test_from_callable_passes_epoch_and_error():
    seen = []

    def fn(epoch, error):
        seen.append((epoch, error))
        return 0.5 / (epoch + 1)

    s = FromCallable(fn)
    assert rates(s, 3, [None, 0.7, 0.6]) == [0.5, 0.25, 0.5 / 3]
    assert seen == [(0, None), (1, 0.7), (2, 0.6)]
    assert s.rate(1, 0.7) == 0.25 and isinstance(s.rate(0), float)


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf"), None, "0.1", True, [0.1]])
def test_from_callable_rejects_a_bad_rate_naming_the_epoch(bad):
    s = FromCallable(lambda epoch, error: 0.1 if epoch < 3 else bad)
    assert s.rate(2, 1.0) == 0.1
    message = r"returned .* for epoch 3 \(error=0\.5\); a learning rate must be a finite number > 0"
    with pytest.raises(ValueError, match=message):
        s.rate(3, 0.5)


def test_from_callable_needs_a_function():
    with pytest.raises(TypeError, match="fn must be a function"):
        FromCallable(0.1)


# -- building from specs ---------------------------------------------------------------------------
def test_get_from_names_aliases_and_dicts():
    assert rates(schedules.get("constant", 0.3), 2) == [0.3, 0.3]
    s = schedules.get({"name": "exponential", "gamma": 0.5}, 1.0)
    assert isinstance(s, ExponentialDecay) and rates(s, 3) == [1.0, 0.5, 0.25]
    cosine = schedules.get("cosine", 1.0, epochs=4)
    assert isinstance(cosine, Cosine) and cosine.epochs == 4
    assert schedules.get({"name": "cosine", "epochs": 8}, 1.0, epochs=4).epochs == 8  # the dict wins
    assert isinstance(schedules.get("plateau", 0.1), ReduceOnPlateau)
    assert schedules.get({"name": "step", "step_size": 2, "base_rate": 0.7}, 0.1).base_rate == 0.7
    assert isinstance(schedules.get(None, 0.1), Constant)


def test_get_from_a_list_and_a_function():
    s = schedules.get([0.5, 0.1], 99.0, epochs=4)
    assert isinstance(s, RateList) and rates(s, 4) == [0.5, 0.5, 0.1, 0.1]
    with pytest.raises(ValueError, match="give epochs="):
        schedules.get([0.5, 0.1], 0.1)
    f = schedules.get(lambda epoch, error: 0.01, 0.1)
    assert isinstance(f, FromCallable) and f.rate(0) == 0.01


def test_get_binds_a_copy_of_an_unbound_instance():
    mine = ReduceOnPlateau(factor=0.5, patience=1)
    bound = schedules.get(mine, 0.2)
    assert bound is not mine and bound.base_rate == 0.2 and mine.base_rate is None
    assert rates(bound, 3, [None, 1.0, 1.0]) == [0.2, 0.2, 0.1]
    assert mine.rate_ is None and mine.last_epoch_ is None  # the caller's object is untouched
    already = StepDecay(2, base_rate=0.3)
    assert schedules.get(already, 0.2) is already  # its own base rate wins
    warm = WarmUp(2, then={"name": "cosine", "epochs": 2})
    bound = schedules.get(warm, 1.0)
    assert warm.then.base_rate is None and bound.then.base_rate == 1.0
    assert rates(bound, 5) == [0.5, 1.0, 1.0, 0.5, 0.0]


def test_config_round_trips_through_get():
    for s in [Constant(base_rate=0.1), StepDecay(3, 0.5, base_rate=0.2), ExponentialDecay(0.9),
              InverseTimeDecay(0.01, base_rate=1.0), Cosine(10, min_rate=0.01, base_rate=0.1),
              WarmUp(3, then=StepDecay(2), start=0.01, base_rate=0.5),
              ReduceOnPlateau(0.2, 4, 0.001, 0.0001, base_rate=0.1), RateList([0.2, 0.1], iterations=10)]:
        config = s.get_config()
        rebuilt = schedules.get(config, 0.3)
        assert type(rebuilt) is type(s) and rebuilt.get_config() == schedules.get(s, 0.3).get_config()
        assert rates(rebuilt, 12) == rates(schedules.get(s, 0.3), 12)


def test_a_function_cannot_come_back_from_a_config():
    config = FromCallable(math.exp).get_config()
    assert config == {"name": "from_callable", "fn": "math.exp"}
    with pytest.raises(ValueError, match="pass the function itself"):
        schedules.get(config)


def test_get_rejects_unknown_names_options_and_types():
    with pytest.raises(ValueError, match=r"unknown schedule 'linear'; valid names: .*cosine.*step_decay"):
        schedules.get("linear", 0.1)
    with pytest.raises(ValueError, match="schedule 'step_decay': missing a required argument: 'step_size'"):
        schedules.get("step_decay", 0.1)
    with pytest.raises(ValueError, match="unexpected keyword argument 'gama'.*step_size, gamma, base_rate"):
        schedules.get({"name": "step_decay", "step_size": 2, "gama": 0.5}, 0.1)
    with pytest.raises(ValueError, match="needs a 'name'"):
        schedules.get({"step_size": 2})
    with pytest.raises(TypeError, match="schedule must be"):
        schedules.get(0.1, 0.1)
    with pytest.raises(TypeError, match="schedule must be"):
        schedules.get(StepDecay, 0.1)


# -- option checks -----------------------------------------------------------------------------------
@pytest.mark.parametrize("build, option", [
    (lambda: StepDecay(0), "step_size must be a positive integer"),
    (lambda: StepDecay(2.5), "step_size must be a positive integer"),
    (lambda: StepDecay(2, gamma=1.5), r"gamma must be in \(0, 1\]"),
    (lambda: StepDecay(2, gamma=0), r"gamma must be in \(0, 1\]"),
    (lambda: ExponentialDecay(-0.5), r"gamma must be in \(0, 1\]"),
    (lambda: ExponentialDecay("0.5"), r"gamma must be in \(0, 1\]"),
    (lambda: InverseTimeDecay(-1.0), "decay must be a finite number >= 0"),
    (lambda: Cosine(0), "epochs must be a positive integer"),
    (lambda: Cosine(10, min_rate=-0.1), "min_rate must be a finite number >= 0"),
    (lambda: Cosine(10, min_rate=0.5, base_rate=0.1), r"min_rate \(0.5\) must not exceed the base rate \(0.1\)"),
    (lambda: WarmUp(0), "epochs must be a positive integer"),
    (lambda: WarmUp(3, start=0.2, base_rate=0.1), r"start \(0.2\) must be below the base rate \(0.1\)"),
    (lambda: ReduceOnPlateau(factor=1.0), r"factor must be in \(0, 1\)"),
    (lambda: ReduceOnPlateau(patience=0), "patience must be a positive integer"),
    (lambda: ReduceOnPlateau(patience=True), "patience must be a positive integer"),
    (lambda: ReduceOnPlateau(min_delta=-1), "min_delta must be a finite number >= 0"),
    (lambda: ReduceOnPlateau(min_rate=2.0, base_rate=1.0), r"min_rate \(2.0\) must not exceed"),
    (lambda: Constant(base_rate=0), "base_rate must be a finite number > 0"),
    (lambda: Constant(base_rate=float("nan")), "base_rate must be a finite number > 0"),
    (lambda: Cosine(10, min_rate=0.5).with_base_rate(0.1), "min_rate"),
])
def test_invalid_options_raise_value_error_naming_them(build, option):
    with pytest.raises(ValueError, match=option):
        build()


@pytest.mark.parametrize("epoch", [-1, 1.5, True, None])
def test_epoch_must_be_a_non_negative_integer(epoch):
    with pytest.raises(ValueError, match="epoch must be an integer >= 0"):
        Constant(base_rate=0.1).rate(epoch)


def test_a_schedule_without_base_rate_says_how_to_get_one():
    with pytest.raises(ValueError, match=r"StepDecay has no base rate: give base_rate=.*schedules.get"):
        StepDecay(2).rate(0)
