"""Synaptic's sequence tasks learnt a block of sequences per compiled call give what step-by-step
learning gives: the same weights, the same History, the same stop."""

import numpy as np
import pytest

import axonal.jit
from axonal.nan_guard import NonFiniteError
from axonal.synaptic import Trainer
from axonal.synaptic.architect import LSTM
from axonal.training.lstm_g import LSTMGStep

DSR = {"targets": [2, 4], "distractors": [3, 5], "prompts": [0, 1], "length": 9}


def dsr(blocks: bool, seed=3, rate=0.17, net=None, **options):
    """``Trainer.dsr`` on Synaptic's DSR net, with the compiled blocks on or (``blocks=False``) with
    every sequence learnt step by step; ``(result, network, whether each offer was taken)``."""
    net = LSTM(6, 3, 2, seed=seed, dtype="float64") if net is None else net
    calls = []
    original = LSTMGStep.many_epochs

    def spy(self, *args, **kwargs):
        done = original(self, *args, **kwargs) if blocks else None
        calls.append(done is not None)
        return done

    LSTMGStep.many_epochs = spy
    try:
        result = Trainer(net, rule="synaptic").dsr(**DSR, rate=rate, seed=seed, **options)
    finally:
        LSTMGStep.many_epochs = original
    return result, net, calls


@pytest.fixture(autouse=True)
def compiled_paths():
    if not axonal.jit.available():
        pytest.skip("Numba is not installed: no compiled path to compare with")
    with axonal.jit.using(True):
        yield


@pytest.mark.parametrize("options", [{"iterations": 1500, "success": 0.95},   # stopped by iterations mid-block
                                     {"iterations": 5000, "success": 1e-9}])  # by the first block's success
def test_dsr_in_blocks_equals_dsr_step_by_step(options):
    (a, net_a, calls_a), (b, net_b, calls_b) = dsr(True, **options), dsr(False, **options)
    assert any(calls_a) and not any(calls_b)
    assert a.iterations == b.iterations == (1500 if options["success"] > 0.5 else 1000)
    assert a.success == b.success and a.error == b.error
    for key, value in net_b.get_weights().items():
        np.testing.assert_array_equal(net_a.get_weights()[key], value, err_msg=key)


def test_dsr_in_blocks_learns_the_task():
    result, net, calls = dsr(True, seed=1, iterations=60000, success=0.95)
    assert all(calls[:-1])
    assert result.success >= 0.95 and result.iterations % 1000 == 0


def test_a_block_that_makes_a_weight_infinite_is_replayed_step_by_step():
    outcomes = []
    for blocks in (True, False):
        net = LSTM(6, 3, 2, seed=0, dtype="float64")
        with pytest.raises(NonFiniteError) as caught:
            dsr(blocks, seed=0, rate=1e300, iterations=3000, net=net)
        outcomes.append((str(caught.value), caught.value.history.steps, net.get_weights()))
    (msg_a, steps_a, w_a), (msg_b, steps_b, w_b) = outcomes
    assert msg_a == msg_b and steps_a == steps_b
    assert msg_a == msg_b
    for key, value in w_b.items():
        assert np.isfinite(value).all(), key
        np.testing.assert_array_equal(w_a[key], value, err_msg=key)
