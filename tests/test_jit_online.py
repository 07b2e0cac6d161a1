"""Whole epochs of dense backpropagation in one compiled call (axonal.kernels.dense_epoch) against
the NumPy reference, batch by batch: the same weights, optimizer state and History, the same NaN
guard, bit-identical checkpoint resumes, and XOR learnt as Synaptic's Trainer learns it."""

import copy

import numpy as np
import pytest

from axonal import SGD, Adam, AdamW, Dense, Dropout, Sequential, activations, jit
from axonal.callbacks import Callback
from axonal.graph import Graph, GraphNetwork
from axonal.synaptic import Trainer
from axonal.synaptic.architect import Perceptron
from axonal.training import NonFiniteError
from axonal.training.compiled_dense import worth_compiling
from loop_helpers import Interrupt

needs_numba = pytest.mark.skipif(not jit.available(), reason="Numba is not installed")
TOL = {np.float64: 1e-12, np.float32: 1e-5}


@pytest.fixture
def kernel_calls(monkeypatch):
    """The compiled calls, as the number of epochs each was asked for (empty without Numba)."""
    calls = []
    if jit.available():
        with jit.using(True):
            module = jit.kernels("dense_epoch")
        for name in ("run_epochs", "online_epochs"):
            monkeypatch.setattr(module, name, _spy(getattr(module, name), calls))
    return calls


def _spy(kernel, calls):
    def spy(*args):
        calls.append(args[-1].shape[0])   # the epochs asked for
        return kernel(*args)
    return spy


def both(run):
    """``run()`` on the NumPy reference, then on the compiled path."""
    with jit.using(False):
        reference = run()
    with jit.using(True):
        compiled = run()
    return reference, compiled


def fitted(build, x, y, **options):
    def run():
        net = build()
        return net, net.fit(x, y, progress=False, **copy.deepcopy(options))   # a fresh optimizer each run
    return run


def assert_same_training(reference, compiled, tol):
    (net_a, hist_a), (net_b, hist_b) = reference, compiled
    wa, wb = net_a.get_weights(), net_b.get_weights()
    assert wa.keys() == wb.keys()
    for name in wa:
        np.testing.assert_allclose(wb[name], wa[name], rtol=tol, atol=tol, err_msg=name)
    sa, sb = net_a.optimizer_.state_dict(), net_b.optimizer_.state_dict()
    assert sa["iterations"] == sb["iterations"] and sa["slots"].keys() == sb["slots"].keys()
    for slot, by_name in sa["slots"].items():
        for name, value in by_name.items():
            np.testing.assert_allclose(sb["slots"][slot][name], value, rtol=tol, atol=tol, err_msg=f"{slot}/{name}")
    for series in ("loss", "val_loss"):
        np.testing.assert_allclose(getattr(hist_b, series), getattr(hist_a, series), rtol=tol, atol=tol)
    assert hist_a.metrics.keys() == hist_b.metrics.keys()
    for name, values in hist_a.metrics.items():
        np.testing.assert_allclose(hist_b.metrics[name], values, rtol=tol, atol=tol, err_msg=name)
    assert hist_a.learning_rate == hist_b.learning_rate
    assert (hist_a.steps, hist_a.stop_reason, hist_a.best_epoch) == (hist_b.steps, hist_b.stop_reason,
                                                                     hist_b.best_epoch)


def regression(n=23, features=3, outputs=2, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(dtype)
    y = np.tanh(x @ rng.normal(size=(features, outputs))).astype(dtype)
    return x, y


def labels(n=23, features=3, classes=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(dtype)
    return x, (x @ rng.normal(size=(features, classes))).argmax(axis=1)


def _activations():
    yield from ("identity", "logistic", "tanh", "relu", "softplus", "gelu", "softmax")
    yield from (activations.LeakyReLU(0.2), activations.LeakyReLU(1.5), activations.ELU(0.7))
    yield from (activations.Step(), activations.Step(gradient="zero"), activations.Sign(),
                activations.Sign(gradient="zero"))


# -- the same training as NumPy's -------------------------------------------------------------------------
class EpochEnd(Callback):
    """Listens after every epoch, so the loop runs epoch by epoch (one compiled call each)."""

    def on_epoch_end(self, epoch, logs):
        return None


def per_epoch(flag):
    return {"callbacks": [EpochEnd()]} if flag else {}


@pytest.mark.parametrize("one_call_per_epoch", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("activation", list(_activations()), ids=repr)
def test_every_activation_trains_as_numpy_does(activation, batch_size, one_call_per_epoch, kernel_calls):
    x, y = regression()

    def build():
        return Sequential([Dense(5, activation, input_dim=3), Dense(4, activation), Dense(2)], dtype="float64",
                          seed=1)
    runs = both(fitted(build, x, y, optimizer=SGD(0.02), epochs=4, batch_size=batch_size, seed=2,
                       **per_epoch(one_call_per_epoch)))
    assert_same_training(*runs, TOL[np.float64])
    assert kernel_calls or not jit.available()


LOSSES = [("mse", "identity", False), ("squared_error", "tanh", False), ("mae", "identity", False),
          ({"name": "huber", "delta": 0.3}, "identity", False), ("binary_cross_entropy", "logistic", False),
          ("binary_cross_entropy_logits", "identity", False), ("categorical_cross_entropy", "softmax", True),
          ("softmax_cross_entropy", "identity", True)]


@pytest.mark.parametrize("one_call_per_epoch", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("loss, output, classes", LOSSES, ids=lambda v: str(v)[:30])
def test_every_loss_trains_as_numpy_does(loss, output, classes, batch_size, weighted, one_call_per_epoch,
                                         kernel_calls):
    if classes:
        x, y = labels()
        outputs = 3
    else:
        x, y = regression()
        y = (y > 0).astype(float) if output == "logistic" or "logits" in str(loss) else y
        outputs = 2
    weights = np.random.default_rng(3).uniform(0.0, 2.0, len(x)) if weighted else None

    def build():
        return Sequential([Dense(6, "tanh", input_dim=3), Dense(outputs, output)], dtype="float64", seed=4)
    runs = both(fitted(build, x, y, loss=loss, optimizer=SGD(0.1), epochs=4, batch_size=batch_size,
                       sample_weight=weights, seed=5, **per_epoch(one_call_per_epoch)))
    assert_same_training(*runs, TOL[np.float64])
    assert kernel_calls or not jit.available()


OPTIMIZERS = {
    "momentum": lambda: SGD(0.01, momentum=0.9),
    "nesterov": lambda: SGD(0.01, momentum=0.9, nesterov=True),
    "penalties": lambda: SGD(0.05, l2=1e-2, l1=1e-3),
    "clip_value": lambda: SGD(0.2, clip_value=0.05),
    "clip_norm": lambda: SGD(0.2, momentum=0.5, clip_norm=0.1, l2=1e-3),
    "adam": lambda: Adam(0.01, l2=1e-3),
    "adamw": lambda: AdamW(0.01, weight_decay=0.1, clip_norm=0.5),
    "adamw_penalties_clip_value": lambda: AdamW(0.01, weight_decay=0.1, l1=1e-3, l2=1e-2, clip_value=0.05),
    "nesterov_penalties_clip_value": lambda: SGD(0.05, momentum=0.7, nesterov=True, l2=1e-2, clip_value=0.05),
}


@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_every_optimizer_option_trains_as_numpy_does(key, batch_size, kernel_calls):
    x, y = regression()

    def build():
        return Sequential([Dense(5, "relu", input_dim=3), Dense(2, "tanh")], dtype="float64", seed=6)
    runs = both(fitted(build, x, y, optimizer=OPTIMIZERS[key](), epochs=5, batch_size=batch_size, seed=7,
                       **per_epoch(batch_size == 3)))
    assert_same_training(*runs, TOL[np.float64])
    assert kernel_calls or not jit.available()


@pytest.mark.parametrize("batch_size", [1, 4])
def test_float32_trains_as_numpy_does(batch_size, kernel_calls):
    x, y = labels(dtype=np.float32)

    def build():
        return Sequential([Dense(8, "relu", input_dim=3), Dense(3)], seed=8)
    runs = both(fitted(build, x, y, loss="softmax_cross_entropy", optimizer=Adam(0.01), epochs=5,
                       batch_size=batch_size, seed=9))
    assert_same_training(*runs, TOL[np.float32])
    x, y = regression(dtype=np.float32)
    runs = both(fitted(lambda: Sequential([Dense(4, "logistic", input_dim=3), Dense(2)], seed=8), x, y,
                       optimizer=SGD(0.3, momentum=0.5), epochs=5, batch_size=batch_size, seed=9))
    assert_same_training(*runs, TOL[np.float32])
    assert kernel_calls or not jit.available()


def test_metrics_validation_schedules_class_weights_and_max_steps_are_kept(kernel_calls):
    x, y = labels(n=40)

    def build():
        return Sequential([Dense(7, "elu", input_dim=3), Dense(3, "softmax")], dtype="float64", seed=10)
    options = dict(loss="categorical_cross_entropy", optimizer=SGD(0.2, momentum=0.8), epochs=9, batch_size=3,
                   metrics=["accuracy"], validation_split=0.25, schedule="cosine", class_weight="balanced",
                   patience=3, max_steps=25, seed=11)
    runs = both(fitted(build, x, y, **options))
    assert runs[0][1].steps == 25 and runs[0][1].stop_reason == "steps" and len(runs[0][1]) == 3
    assert_same_training(*runs, TOL[np.float64])
    assert kernel_calls or not jit.available()


@pytest.mark.parametrize("loss, output", [("categorical_cross_entropy", "softmax"), ("softmax_cross_entropy", "tanh")])
def test_online_metrics_validation_and_class_weights_are_kept(loss, output, kernel_calls):
    x, y = labels(n=30)

    def build():
        return Sequential([Dense(5, "gelu", input_dim=3), Dense(3, output)], dtype="float64", seed=17)
    options = dict(loss=loss, optimizer=Adam(0.01, l1=1e-4), epochs=4, batch_size=1, metrics=["accuracy"],
                   validation_split=0.2, class_weight="balanced", schedule="cosine", seed=18)
    runs = both(fitted(build, x, y, **options))
    assert len(runs[0][1]) == 4 and runs[0][1].metrics
    assert_same_training(*runs, TOL[np.float64])
    assert kernel_calls or not jit.available()


def test_a_perceptron_trained_by_synaptics_trainer_learns_as_numpy_does(kernel_calls):
    xs = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [0.2, 0.9]]
    samples = [{"input": v, "output": [float(v[0] != v[1]), v[0] * v[1]]} for v in xs]

    def run(dtype, **options):
        net = Perceptron(2, 4, 3, 2, dtype=dtype, seed=0)
        result = Trainer(net).train(samples, iterations=40, shuffle=True, seed=1, **options)
        return net, result.history

    for dtype in (np.float64, np.float32):
        for options in ({}, {"rate": [0.3, 0.1], "cost": "cross_entropy"},
                        {"cross_validate": {"test_size": 0.3, "test_error": 1e-9}}):
            runs = both(lambda: run(dtype, **options))
            assert runs[0][1].stop_reason == "epochs"
            assert_same_training(*runs, TOL[dtype])
    assert kernel_calls or not jit.available()


XOR = (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([[0], [1], [1], [0]], float))


@pytest.mark.parametrize("options", [dict(batch_size=1, error=0.02), dict(batch_size=2, error=0.02, max_steps=3001),
                                     dict(batch_size=None, error=0.05, optimizer=SGD(2.0)),
                                     dict(batch_size=1, shuffle=False, error=0.0)], ids=str)
def test_several_epochs_in_one_call_stop_where_numpy_stops(options, kernel_calls):
    def run():
        rng = np.random.default_rng(3)
        net = Sequential([Dense(3, "logistic", input_dim=2), Dense(1, "logistic")], dtype="float64", seed=16)
        settings = dict(optimizer=SGD(0.5, momentum=0.5), epochs=4000, seed=rng, progress=False)
        settings.update(copy.deepcopy(options))
        history = net.fit(*XOR, **settings)
        return (net, history), rng.bit_generator.state
    (reference, generator_a), (compiled, generator_b) = both(run)
    assert_same_training(reference, compiled, TOL[np.float64])
    assert generator_a == generator_b          # the shuffles drawn: as many as epochs ran
    assert max(kernel_calls, default=0) > 1 or not jit.available()     # several epochs in one call


# -- what is left to NumPy ---------------------------------------------------------------------------------
class BatchCounter(Callback):
    def __init__(self):
        self.batches = 0

    def on_batch_end(self, step, logs):
        self.batches += 1


@needs_numba
def test_networks_and_runs_the_kernel_does_not_cover_step_batch_by_batch(kernel_calls):
    x, y = regression()
    with jit.using(True):
        Sequential([Dense(4, "tanh", input_dim=3), Dropout(0.2), Dense(2)], seed=0).fit(x, y, epochs=2, batch_size=1)
        counter = BatchCounter()
        Sequential([Dense(4, input_dim=3), Dense(2)], seed=0).fit(x, y, epochs=2, batch_size=4, callbacks=[counter])
        g = Graph()
        inp, hid, out = g.layer("input", 3), g.layer("hidden", 4), g.layer("output", 2)
        inp.project(hid), hid.project(out), inp.project(out)       # a skip connection: not a chain
        GraphNetwork(g, seed=0).fit(x, y, epochs=2, batch_size=1)
        assert kernel_calls == []
        assert counter.batches == 12
        Sequential([Dense(4, input_dim=3), Dense(2)], seed=0).fit(x, y, epochs=2, batch_size=1,
                                                                  callbacks=[Interrupt(5)])
        assert kernel_calls == [1, 1]
    assert worth_compiling(1, 2 * 3 + 3) and worth_compiling(4, 2 * 3 + 3) and worth_compiling(1, 12 + 12)
    assert not worth_compiling(1, 784 * 256 + 256 * 128) and not worth_compiling(16, 784 * 256 + 256 * 128)


def test_the_batch_bounds_cover_each_epoch_in_order():
    from axonal.layers import BatchNorm
    from axonal.training.batches import _batch_bounds

    def listed(n, batch, need):     # consecutive batches of `batch` rows; a last one too short joins the one before
        starts = list(range(0, n, batch))
        if len(starts) > 1 and n - starts[-1] < need:
            starts.pop()
        return list(zip(starts, starts[1:] + [n]))

    plain = Sequential([Dense(2, input_dim=3)])
    normed = Sequential([Dense(2, input_dim=3), BatchNorm()])
    for net, need in ((plain, 1), (normed, 2)):
        for n, batch in ((1, 1), (800, 1), (10, 3), (9, 4), (7, 7), (5, 9), (9, 2), (11, 5)):
            if min(batch, n) < need:
                with pytest.raises(ValueError, match="BatchNorm"):
                    _batch_bounds(net, n, min(batch, n))
                continue
            bounds = _batch_bounds(net, n, min(batch, n))
            assert bounds.dtype == np.int64 and bounds.flags.c_contiguous
            assert bounds.tolist() == [list(pair) for pair in listed(n, min(batch, n), need)], (n, batch, need)


@needs_numba
def test_the_online_kernel_refuses_what_it_does_not_compute():
    with jit.using(True):
        kernels = jit.kernels("dense_epoch")
    x, y = regression(n=4, outputs=1)
    layers = np.array([[3, 1, 0, 3, 0, 0, 3, 1]], np.int64)
    hyper, config = np.zeros(16), np.zeros(7, np.int64)
    hyper[kernels.CLIP_VALUE] = hyper[kernels.CLIP_NORM] = -1.0
    config[kernels.MAX_STEPS] = 100

    def call(bounds):
        return kernels.online_epochs(x, y, np.zeros(0), np.arange(4), np.zeros((0, 4), np.int64),
                                     np.array(bounds, np.int64), np.zeros(4), np.zeros(4), np.zeros(0),
                                     np.zeros((0, 1)), layers, np.zeros(1), hyper, config, np.zeros((1, 2)))
    assert call([(0, 1), (1, 2), (2, 3), (3, 4)])[:2] == (1, 4)
    with pytest.raises(ValueError, match="one sample"):
        call([(0, 2), (2, 4)])
    hyper[kernels.CLIP_NORM] = 1.0
    with pytest.raises(ValueError, match="clip_norm"):
        call([(0, 1), (1, 2), (2, 3), (3, 4)])


# -- the NaN guard ------------------------------------------------------------------------------------------
def _guarded_failure(build, x, y, **options):
    def run():
        net = build()
        with pytest.raises(NonFiniteError) as info:
            net.fit(x, y, progress=False, **copy.deepcopy(options))
        return net, info.value
    return run


@pytest.mark.parametrize("case", ["exploding_weights", "overflowing_loss"])
def test_the_nan_guard_stops_at_the_same_step_with_the_same_weights(case, kernel_calls):
    x, y = regression(n=16, outputs=1)
    optimizer = lambda: SGD(0.1)    # noqa: E731     a little beyond stability: the error grows step by step
    if case == "overflowing_loss":
        y[11] = 1e200
        optimizer = lambda: SGD(0.01)    # noqa: E731

    def build():
        return Sequential([Dense(1, input_dim=3)], dtype="float64", seed=12)
    (net_a, error_a), (net_b, error_b) = both(_guarded_failure(build, x * 3.0, y, optimizer=optimizer(),
                                                               epochs=300, batch_size=1, seed=13))
    assert str(error_a) == str(error_b)
    assert error_a.history.steps == error_b.history.steps
    assert error_a.history.steps > 16 or case == "overflowing_loss"     # beyond the first epoch
    np.testing.assert_allclose(error_b.history.loss, error_a.history.loss, rtol=1e-12)
    for name, value in net_a.get_weights().items():
        assert np.isfinite(value).all()
        np.testing.assert_allclose(net_b.get_weights()[name], value, rtol=1e-12, atol=1e-12, err_msg=name)
    assert net_a.optimizer_.iterations == net_b.optimizer_.iterations
    assert kernel_calls or not jit.available()


# -- checkpoints ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stop_after", [0, 4])
def test_a_compiled_run_resumes_bit_for_bit(stop_after, tmp_path, kernel_calls):
    x, y = labels(n=30)

    def build():
        return Sequential([Dense(6, "tanh", input_dim=3), Dense(3)], seed=14)
    options = dict(loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.02, epochs=9, batch_size=1,
                   schedule="cosine", metrics=["accuracy"], validation_split=0.2, seed=15, progress=False)
    path = tmp_path / "run.ckpt"
    with jit.using(True):
        straight = build()
        history = straight.fit(x, y, **options)
        with pytest.raises(KeyboardInterrupt):
            build().fit(x, y, checkpoint=path, callbacks=[Interrupt(stop_after + 1)], **options)
        resumed = build()
        history_resumed = resumed.fit(x, y, checkpoint=path, resume=path, **options)
    for name, value in straight.get_weights().items():
        assert np.array_equal(resumed.get_weights()[name], value), name
    assert history.loss == history_resumed.loss and history.metrics == history_resumed.metrics
    assert history.val_loss == history_resumed.val_loss and history.steps == history_resumed.steps
    sa, sb = straight.optimizer_.state_dict(), resumed.optimizer_.state_dict()
    assert sa["iterations"] == sb["iterations"]
    for slot, by_name in sa["slots"].items():
        for name, value in by_name.items():
            assert np.array_equal(sb["slots"][slot][name], value), (slot, name)
    assert kernel_calls or not jit.available()


# -- learning --------------------------------------------------------------------------------------------------
def test_trainer_xor_defaults_reach_synaptics_error_bound():
    net = Perceptron(2, 3, 1, seed=0)
    result = Trainer(net).xor(seed=0)
    assert result.stop_reason == "error" and result.error <= 0.005
    out = net.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)).ravel()
    assert out[0] <= 0.49 and out[1] >= 0.51 and out[2] >= 0.51 and out[3] <= 0.49
