"""The grown training loop: validation, stop criteria, callbacks, weights, the NaN guard."""

import io
import json

import numpy as np
import pytest

from axonal import SGD, Adam, Dense, Sequential
from axonal.callbacks import Callback, EpochLogger, Every, ProgressBar
from axonal.stopping import AnyOf, ErrorBelow, MaxEpochs, NoImprovement, StopCriterion
from axonal.training import NonFiniteError, TrainingLoop, class_weights_to_sample_weights
from axonal.training.loop import StepRule


def regression_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 3))
    y = np.sin(2 * x[:, :1]) + x[:, 1:2] * x[:, 2:3]
    return x, y


def small_net(seed=0, **kw):
    return Sequential([Dense(16, "tanh", input_dim=3), Dense(1)], seed=seed, **kw)


def test_validation_split_takes_the_last_samples_and_logs_val_loss():
    x, y = regression_data()
    net = small_net()
    h = net.fit(x, y, optimizer=Adam(0.01), epochs=5, validation_split=0.25, seed=0)
    assert len(h.val_loss) == 5
    assert h.val_loss[-1] == pytest.approx(net.evaluate(x[150:], y[150:]), rel=1e-5)


def test_validation_data_and_bad_validation_options():
    x, y = regression_data()
    net = small_net()
    h = net.fit(x[:150], y[:150], optimizer=Adam(0.01), epochs=3, validation_data=(x[150:], y[150:]))
    assert len(h.val_loss) == 3
    with pytest.raises(ValueError, match="validation_split must be in"):
        net.fit(x, y, validation_split=1.5)
    with pytest.raises(ValueError, match="not both"):
        net.fit(x, y, validation_split=0.2, validation_data=(x, y))
    with pytest.raises(ValueError, match=r"got input with 2 features; expected 3"):
        net.fit(x, y, validation_data=(x[:, :2], y))


def test_no_improvement_stops_and_restores_the_best_weights():
    # Tiny noisy training set, long training: validation loss rises again (overfitting).
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (20, 3))
    y = x[:, :1] + rng.normal(0, 0.5, (20, 1))
    xv = rng.uniform(-1, 1, (200, 3))
    yv = xv[:, :1]
    net = Sequential([Dense(64, "tanh", input_dim=3), Dense(64, "tanh"), Dense(1)], seed=0)
    snapshots = []

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs):
            snapshots.append(net.get_weights())

    h = net.fit(x, y, optimizer=Adam(0.01), epochs=2000, batch_size=None, validation_data=(xv, yv),
                patience=25, callbacks=[Snapshot()])
    assert h.stop_reason == "no_improvement"
    best = int(np.argmin(h.val_loss))
    assert h.best_epoch == best + 1 and len(h) == best + 26  # best_epoch counts from 1
    for name, value in net.get_weights().items():
        np.testing.assert_array_equal(value, snapshots[best][name])
    assert net.evaluate(xv, yv) == pytest.approx(min(h.val_loss), rel=1e-6)


def test_stop_criteria_compose_and_synaptic_cross_validation():
    x, y = regression_data()
    h = small_net().fit(x, y, optimizer=Adam(0.01), epochs=500, validation_split=0.2,
                        stop=ErrorBelow(0.02, monitor="val_loss"))
    assert h.stop_reason == "val_loss_below" and h.val_loss[-1] <= 0.02 < min(h.val_loss[:-1])
    h = small_net().fit(x, y, epochs=500, stop=MaxEpochs(3) | ErrorBelow(1e-9))
    assert h.stop_reason == "epochs" and len(h) == 3
    net = small_net()
    before = net.get_weights()
    with pytest.raises(ValueError, match="monitors 'val_loss'.*validation_data"):
        net.fit(x, y, epochs=5, stop=NoImprovement(2))
    for name, value in net.get_weights().items():  # refused before any training
        np.testing.assert_array_equal(value, before[name])


def test_every_callback_aborts_at_the_right_iteration():
    x, y = regression_data()
    seen = []

    def do(info):
        seen.append((info["iterations"], info["error"], info["rate"]))
        return info["iterations"] >= 6

    h = small_net().fit(x, y, optimizer=SGD(0.05), epochs=100, callbacks=[Every(3, do)])
    assert [s[0] for s in seen] == [3, 6]
    assert h.stop_reason == "callback" and len(h) == 6
    assert seen[-1][1] == h[-1] and seen[-1][2] == 0.05


def test_batch_callbacks_and_max_steps():
    x, y = regression_data(100)
    steps = []

    class Count(Callback):
        def on_batch_end(self, step, logs):
            steps.append(step)
            return step == 7

    h = small_net().fit(x, y, epochs=10, batch_size=10, callbacks=[Count()])
    assert steps == list(range(1, 8)) and h.stop_reason == "callback" and h.steps == 7
    h = small_net().fit(x, y, epochs=10, batch_size=10, max_steps=25)
    assert h.steps == 25 and h.stop_reason == "steps" and len(h) == 3


def test_epoch_logger_writes_one_json_line_per_epoch(tmp_path):
    x, y = regression_data(50)
    path = tmp_path / "log.jsonl"
    small_net().fit(x, y, epochs=4, validation_split=0.2, callbacks=[EpochLogger(path)])
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2, 3, 4]
    assert {"loss", "val_loss", "learning_rate"} <= set(records[0])


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_fits_80_columns_with_the_validation_numbers(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    x, y = regression_data(50)
    screen = _Terminal()
    small_net().fit(x, y, epochs=3, validation_split=0.2, metrics=["mae", "r2"],
                    callbacks=[ProgressBar(file=screen)], progress=False)
    last = screen.getvalue().replace("\r", "\n").strip().splitlines()[-1]
    assert len(last) <= 80 and "3/3" in last
    assert "loss=" in last and "val_loss=" in last and "val_mae=" in last and "|" in last


def test_progress_in_a_log_is_a_plain_line_at_most_every_few_seconds(monkeypatch):
    x, y = regression_data(50)
    log, silent = io.StringIO(), io.StringIO()
    small_net().fit(x, y, epochs=3, callbacks=[ProgressBar(file=log)], progress=False)
    assert log.getvalue() == ""                               # a run of a few seconds writes nothing
    clock = iter(range(0, 10_000, 2))                         # every epoch ends 2 "seconds" later
    monkeypatch.setattr("axonal.callbacks.time.monotonic", lambda: float(next(clock)))
    small_net().fit(x, y, epochs=20, validation_split=0.2, callbacks=[ProgressBar(file=log, every=5.0)],
                    progress=False)
    small_net().fit(x, y, epochs=20, callbacks=[ProgressBar(enabled=False, file=silent)], progress=False)
    lines = log.getvalue().splitlines()
    assert silent.getvalue() == "" and 5 <= len(lines) <= 8   # about one per 3 epochs (6 s), and the last
    assert lines[-1].startswith("training epoch 20/20  loss ") and "val_loss" in lines[-1]
    assert "\r" not in log.getvalue() and "|" not in log.getvalue()


def test_balanced_class_weights():
    t = np.eye(3)[[0, 0, 0, 1, 2, 2]]
    w = class_weights_to_sample_weights("balanced", t)
    np.testing.assert_allclose(w, [6 / 9, 6 / 9, 6 / 9, 2.0, 1.0, 1.0])
    assert [w[t.argmax(1) == c].sum() for c in range(3)] == pytest.approx([2, 2, 2])
    np.testing.assert_allclose(class_weights_to_sample_weights({1: 5.0}, t), [1, 1, 1, 5, 1, 1])
    with pytest.raises(ValueError, match=r"names classes \[7\]"):
        class_weights_to_sample_weights({7: 1.0}, t)


def test_class_weight_shifts_the_decision_toward_the_weighted_class():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (400, 3))
    labels = (x[:, 0] + rng.normal(0, 1.0, 400) > 0.8).astype(int)  # minority class 1

    def recall_of_minority(class_weight):
        net = Sequential([Dense(2, input_dim=3)], seed=0)
        net.fit(x, labels, loss="softmax_cross_entropy", optimizer=Adam(0.05), epochs=60,
                class_weight=class_weight, seed=0)
        pred = net.predict(x).argmax(1)
        return (pred[labels == 1] == 1).mean()

    assert recall_of_minority("balanced") > recall_of_minority(None) + 0.2


def test_nan_guard_on_injected_nan_keeps_the_last_finite_weights():
    x, y = regression_data(64)
    net = small_net()
    kept = []

    class PoisonAtStep5(Callback):
        def on_batch_end(self, step, logs):
            kept.append(net.get_weights())
            if step == 5:
                net.layers[1].params["weight"][0, 0] = np.nan

    with pytest.raises(NonFiniteError, match=r"step 6 \(epoch 1, batch 6\).*layer 1, Dense\(16 → 1\).*lower learning rate"):
        net.fit(x, y, epochs=3, batch_size=8, shuffle=False, callbacks=[PoisonAtStep5()])
    # The poisoned weight was written by the callback; every other weight is the last finite step's.
    weights = net.get_weights()
    assert np.isnan(weights["layers.1.weight"][0, 0])
    for name, value in weights.items():
        mask = np.isfinite(value)
        np.testing.assert_array_equal(value[mask], kept[-1][name][mask])


def test_nan_guard_with_a_huge_learning_rate():
    x, y = regression_data(64)
    y = y * 1e3
    net = small_net()
    with pytest.raises(NonFiniteError, match="Try a lower learning rate") as info:
        net.fit(x, y, optimizer=SGD(1e30), epochs=50, batch_size=8)
    assert all(np.isfinite(v).all() for v in net.get_weights().values())
    assert info.value.history.stop_reason == "non_finite"


def test_nan_in_a_gradient_is_named_by_parameter():
    x, y = regression_data(16)
    net = small_net()
    original = net.layers[0].backward

    def poisoned_backward(grad):
        out = original(grad)
        net.layers[0].grads["bias"][3] = np.inf
        return out

    net.layers[0].backward = poisoned_backward
    before = net.get_weights()
    with pytest.raises(NonFiniteError, match="a gradient is NaN or Inf, first in parameter layers.0.bias"):
        net.fit(x, y, epochs=1)
    for name, value in net.get_weights().items():
        np.testing.assert_array_equal(value, before[name])


def test_fit_without_seed_follows_the_network_seed():
    x, y = regression_data(64)
    a, b = small_net(seed=3), small_net(seed=3)
    assert list(a.fit(x, y, epochs=3, batch_size=8)) == list(b.fit(x, y, epochs=3, batch_size=8))


def test_schedules_set_the_rate_each_epoch_and_never_leak():
    from axonal.schedules import ExponentialDecay
    x, y = regression_data(64)
    opt = SGD(0.1)
    h = small_net().fit(x, y, optimizer=opt, epochs=4, schedule=ExponentialDecay(0.5))
    assert h.learning_rate == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert opt.learning_rate == 0.1  # the schedule's rates stay inside that call
    h = small_net().fit(x, y, optimizer=opt, epochs=3)
    assert h.learning_rate == [0.1, 0.1, 0.1]
    # Synaptic's forms: a list spread over the run, a callable (epoch, error) -> rate
    h = small_net().fit(x, y, optimizer=SGD(0.1), epochs=6, schedule=[0.3, 0.2, 0.1])
    assert h.learning_rate == pytest.approx([0.3, 0.3, 0.2, 0.2, 0.1, 0.1])
    h = small_net().fit(x, y, optimizer=SGD(0.1), epochs=5,
                        schedule=lambda epoch, error: 0.2 if epoch < 3 else 0.01)
    assert h.learning_rate == pytest.approx([0.2, 0.2, 0.2, 0.01, 0.01])


def test_metrics_are_logged_for_training_and_validation():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (300, 2))
    labels = (x[:, 0] * x[:, 1] > 0).astype(int)
    net = Sequential([Dense(16, "tanh", input_dim=2), Dense(2)], seed=0)
    h = net.fit(x, labels, loss="softmax_cross_entropy", optimizer=Adam(0.02), epochs=60,
                metrics=["accuracy", "f1"], validation_split=0.2, seed=0)
    assert set(h.metrics) == {"accuracy", "f1", "val_accuracy", "val_f1"}
    assert all(len(v) == 60 for v in h.metrics.values())
    val_pred = net.predict(x[240:]).argmax(1)
    assert h.metrics["val_accuracy"][-1] == pytest.approx((val_pred == labels[240:]).mean())
    assert h.metrics["accuracy"][-1] > 0.9 and h.metrics["val_accuracy"][-1] > 0.9
    best = NoImprovement(5, monitor="val_accuracy")
    assert best.mode == "max"


def test_k_fold_cross_validation_scores_each_fold_on_unseen_samples():
    from axonal.data import cross_validate
    from axonal.data import load_digits
    x, y = load_digits().as_tuple()
    x, y = x[:600], y[:600]
    built = []

    def build(fold):
        from axonal import Standardize
        built.append(fold)
        return Sequential([Standardize(), Dense(32, "relu"), Dense(10)], input_dim=64, seed=fold)

    result = cross_validate(build, x, y, k=4, metrics=["loss", "accuracy"], stratify=y, seed=0,
                            loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.005, epochs=15)
    assert built == [0, 1, 2, 3] and len(result["histories"]) == 4
    assert result["accuracy"].shape == (4,) and result["mean_accuracy"] > 0.9
    assert result["mean_loss"] == pytest.approx(result["loss"].mean())
    # held-out scores are worse than the training fit: the folds really are unseen
    assert result["mean_loss"] > np.mean([h[-1] for h in result["histories"]])
    with pytest.raises(ValueError, match="fresh optimizer state"):
        cross_validate(build, x, y, optimizer=Adam(0.01))


def test_batchnorm_never_sees_a_batch_of_one():
    from axonal import BatchNorm
    x, y = regression_data(33)
    net = Sequential([Dense(8, input_dim=3), BatchNorm(), Dense(1)], seed=0)
    sizes = []
    original = net.forward
    net.forward = lambda xb, **kw: (sizes.append(len(xb)), original(xb, **kw))[1]
    h = net.fit(x, y, epochs=2, batch_size=32)
    assert sizes == [33, 33] and h.steps == 2  # the lone 33rd sample joins the batch before it
    with pytest.raises(ValueError, match="needs at least 2 samples per batch; batch_size is 1"):
        Sequential([Dense(8, input_dim=3), BatchNorm(), Dense(1)], seed=0).fit(x, y, batch_size=1)


def test_scaling_layers_after_other_layers_are_adapted_on_what_they_see():
    from axonal import Dropout, Standardize
    x = np.random.default_rng(0).normal(50.0, 10.0, (100, 3))
    net = Sequential([Dropout(0.1), Standardize(), Dense(1)], input_dim=3, seed=0)
    net.fit(x, x[:, :1], epochs=1)
    np.testing.assert_allclose(net.layers[1].state["shift"], x.mean(0), rtol=1e-5)



class _OneBatchPerEpoch:
    info = {"samples": 1, "batch_size": 1, "steps_per_epoch": 1}

    def batches(self, rng):
        yield None


class _Countdown(StepRule):
    """Epoch ``e`` has loss ``1/(e+1)`` and logs ``odd``; with ``many`` it learns the epochs the loop
    offers in one call, recording how many it was offered."""

    def __init__(self, many: bool):
        self.many, self.epoch, self.offers = many, 0, []

    def step(self, batch, loop):
        self.epoch += 1
        return 1.0 / self.epoch, 1.0

    def epoch_logs(self, logs, loop):
        logs["odd"] = float(self.epoch % 2)

    def many_epochs(self, feed, rng, loop, epochs, stop_error, max_steps):
        if not self.many:
            return None
        self.offers.append(epochs)
        first, self.epoch = self.epoch, self.epoch + epochs
        return ([1.0 / (first + i + 1) for i in range(epochs)], epochs,
                {"odd": [float((first + i + 1) % 2) for i in range(epochs)]})


class _EveryFifth(StopCriterion):
    """From epoch 9, stops at the end of a group of five epochs with at least three odd ones;
    decides only there."""

    def __init__(self):
        self.seen = []

    def check(self, epoch, logs):
        self.seen.append((epoch, logs["loss"], logs["odd"]))
        group = [odd for e, _, odd in self.seen if e // 5 == epoch // 5]
        return "group" if epoch % 5 == 4 and epoch >= 9 and sum(group) >= 3 else None

    def next_decision(self, epoch):
        return epoch - epoch % 5 + 4


def test_a_rule_learns_up_to_each_possible_stop_in_one_call_and_every_epoch_is_checked():
    runs = []
    for many in (True, False):
        rule, criterion = _Countdown(many), _EveryFifth()
        loop = TrainingLoop(rule, _OneBatchPerEpoch(), stopper=AnyOf(MaxEpochs(100), criterion),
                            rng=np.random.default_rng(0))
        history = loop.run()
        runs.append((rule.offers, criterion.seen, history.loss, history.stop_reason))
    (offers, seen, loss, reason), (no_offers, seen_ref, loss_ref, reason_ref) = runs
    assert offers == [5, 5, 5] and no_offers == []           # up to epochs 4, 9 and 14, where it may stop
    assert seen == seen_ref and [e for e, _, _ in seen] == list(range(15))
    assert loss == loss_ref and reason == reason_ref == "group"


def test_the_progress_display_lets_a_compiled_rule_learn_many_epochs_per_call(monkeypatch):
    import axonal.jit
    if not axonal.jit.enabled():
        pytest.skip("the compiled paths are off: no rule learns several epochs per call")
    x, y = regression_data(40)
    calls = []
    original = TrainingLoop.epoch
    monkeypatch.setattr(TrainingLoop, "epoch", lambda self: calls.append(1) or original(self))
    log = io.StringIO()
    history = small_net().fit(x, y, epochs=200, batch_size=1, callbacks=[ProgressBar(file=log, every=0.0)],
                              progress=False)
    assert len(history.loss) == 200 and len(calls) < 20         # epochs learnt many per call
    assert log.getvalue().splitlines()[-1].startswith("training epoch 200/200")


class _Rank(StepRule):
    """A rule whose communicator says it is rank ``rank`` of 2 (no messages are sent)."""

    def __init__(self, rank):
        from axonal.distributed import Local

        class Ranks(Local):
            size = 2
            barriers = 0

            def barrier(self):
                Ranks.barriers += 1

        self.comm = Ranks()
        self.comm.rank = rank

    def step(self, batch, loop):
        return 1.0, 1.0


class _Store:
    def __init__(self):
        self.writes = 0

    def write(self, network, info, arrays):
        self.writes += 1


@pytest.mark.parametrize("rank", [0, 1])
def test_in_a_data_parallel_run_rank_0_alone_shows_logs_and_writes_checkpoints(rank, tmp_path):
    from axonal.training.checkpoint import Checkpointer

    kept, store = Callback(), _Store()
    displays = [ProgressBar(), EpochLogger(tmp_path / "log.jsonl")]
    rule = _Rank(rank)
    loop = TrainingLoop(rule, _OneBatchPerEpoch(), stopper=AnyOf(MaxEpochs(3)), rng=np.random.default_rng(0),
                        callbacks=[kept, *displays], checkpoint=Checkpointer(small_net(), store, {}))
    assert loop.callbacks == ([kept, *displays] if rank == 0 else [kept])
    loop.run()
    assert store.writes == (3 if rank == 0 else 0) and rule.comm.barriers == 3, "every rank waits for the file"
