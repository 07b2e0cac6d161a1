"""Checkpoints: a run interrupted at any epoch and resumed ends bit for bit where an uninterrupted run ends.

Each case trains once without interruption, then again with ``checkpoint=`` and
a callback that interrupts it after a given epoch (before that epoch's checkpoint
is written, the worst moment), then resumes on a fresh network. Weights, the
optimizer's state and the History must be equal, not close.
"""

import numpy as np
import pytest

import axonal
from axonal import GRU, LSTM, Dense, Dropout, Sequential
from axonal.io import ModelFileError
from loop_helpers import Interrupt


def _classification():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(240, 6)).astype(np.float32)
    y = ((x[:, 0] * x[:, 1] > 0) + (x[:, 2] > 1)).astype(int)
    return x, y


def mlp_case():
    def build():
        return Sequential([Dense(24, "relu", input_dim=6), Dropout(0.3), Dense(3)], seed=1)
    options = dict(loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.02, epochs=60, batch_size=16,
                   schedule="cosine", validation_split=0.25, patience=4, metrics=["accuracy"], seed=3)
    return build, _classification(), options


def lstm_case():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(48, 7, 3)).astype(np.float32)
    y = np.cumsum(x[..., :1], axis=1) * 0.3

    def build():
        return Sequential([LSTM(8, return_sequences=True, input_dim=3), Dense(1)], seed=2)
    options = dict(loss="mse", optimizer="rmsprop", learning_rate=0.01, epochs=12, batch_size=8, seed=4)
    return build, (x, y), options


def stateful_gru_case():
    """A stateful layer carries its state across batches and epochs: the checkpoint must keep it."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 5, 2)).astype(np.float32)
    y = np.tanh(np.cumsum(x[..., :1], axis=1) * 0.4)[:, -1]

    def build():
        return Sequential([GRU(6, stateful=True, input_dim=2), Dense(1)], seed=6)
    options = dict(loss="mse", optimizer="adam", learning_rate=0.01, epochs=10, batch_size=8, shuffle=False, seed=2)
    return build, (x, y), options


CASES = {"mlp_dropout_cosine_early_stopping": mlp_case, "lstm_bptt": lstm_case,
         "stateful_gru": stateful_gru_case}


def _assert_same_run(a, history_a, b, history_b):
    wa, wb = a.get_weights(), b.get_weights()
    assert wa.keys() == wb.keys()
    for name in wa:
        assert np.array_equal(wa[name], wb[name]), name
    sa, sb = a.optimizer_.state_dict(), b.optimizer_.state_dict()
    assert sa["iterations"] == sb["iterations"]
    for slot in sa["slots"]:
        for name in sa["slots"][slot]:
            assert np.array_equal(sa["slots"][slot][name], sb["slots"][slot][name]), (slot, name)
    assert history_a.loss == history_b.loss and history_a.val_loss == history_b.val_loss
    assert history_a.metrics == history_b.metrics and history_a.learning_rate == history_b.learning_rate
    assert (history_a.stop_reason, history_a.best_epoch, history_a.steps) == \
        (history_b.stop_reason, history_b.best_epoch, history_b.steps)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("stop_after", [0, 3, 7])
def test_an_interrupted_run_resumes_bit_for_bit(case, stop_after, tmp_path):
    build, (x, y), options = CASES[case]()
    straight = build()
    history = straight.fit(x, y, **options)
    assert len(history) > stop_after + 1
    path = tmp_path / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        build().fit(x, y, checkpoint=path, callbacks=[Interrupt(stop_after + 1)], **options)
    resumed = build()
    history_resumed = resumed.fit(x, y, checkpoint=path, resume=path, **options)
    _assert_same_run(straight, history, resumed, history_resumed)


def test_early_stopping_happens_and_survives_a_resume(tmp_path):
    build, (x, y), options = mlp_case()
    history = build().fit(x, y, **options)
    assert history.stop_reason == "no_improvement" and history.best_epoch < len(history)


def test_resume_true_starts_afresh_without_a_file_and_continues_with_one(tmp_path):
    build, (x, y), options = mlp_case()
    path = tmp_path / "run.ckpt"
    first = build()
    history = first.fit(x, y, checkpoint=path, resume=True, **options)
    again = build()
    history_again = again.fit(x, y, checkpoint=path, resume=True, **options)  # the finished run: nothing to do
    _assert_same_run(first, history, again, history_again)
    assert history_again.steps == history.steps


def test_a_checkpoint_of_another_run_is_refused(tmp_path):
    build, (x, y), options = mlp_case()
    path = tmp_path / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        build().fit(x, y, checkpoint=path, callbacks=[Interrupt(1)], **options)
    with pytest.raises(ValueError, match="another run: batch_size"):
        build().fit(x, y, resume=path, **{**options, "batch_size": 32})
    other = Sequential([Dense(5, "relu", input_dim=6), Dense(3)], seed=1)
    with pytest.raises(ValueError, match="another architecture"):
        other.fit(x, y, resume=path, **options)


def test_a_checkpoint_loads_as_its_network_and_a_model_file_is_not_a_checkpoint(tmp_path):
    build, (x, y), options = mlp_case()
    path = tmp_path / "run.ckpt"
    net = build()
    net.fit(x, y, checkpoint=path, **{**options, "epochs": 2, "patience": None})
    loaded = axonal.load(path)
    assert np.array_equal(loaded.predict(x), net.predict(x))
    model = tmp_path / "model.axonal"
    axonal.save(net, model)
    with pytest.raises(ModelFileError, match="not a checkpoint"):
        build().fit(x, y, resume=model, **options)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        build().fit(x, y, resume=tmp_path / "absent.ckpt", **options)


def test_every_changed_byte_of_a_checkpoint_is_detected(tmp_path):
    build, (x, y), options = mlp_case()
    path = tmp_path / "run.ckpt"
    build().fit(x, y, checkpoint=path, **{**options, "epochs": 1, "patience": None})
    blob = path.read_bytes()
    header = 8 + int.from_bytes(blob[:8], "little")
    for position in range(0, len(blob), max(1, len(blob) // 300)):
        broken = bytearray(blob)
        broken[position] ^= 0x20 if position < header else 0x01
        path.write_bytes(bytes(broken))
        with pytest.raises(ModelFileError):
            build().fit(x, y, resume=path, **options)


@pytest.mark.slow
def test_online_lstm_g_learning_resumes_bit_for_bit(tmp_path):
    from axonal.synaptic.architect import LSTM as ArchitectLSTM
    from axonal.synaptic import Trainer

    rng = np.random.default_rng(2)
    x = rng.integers(0, 2, size=(60, 2)).astype(float)
    y = np.roll(x[:, :1], 2, axis=0)          # the input of two steps before: needs memory

    def run(**options):
        net = ArchitectLSTM(2, 4, 1, seed=5)
        result = Trainer(net).train((x, y), rate=[0.3, 0.1], iterations=14, error=0.0, shuffle=True, seed=9,
                                    **options)
        return net, result

    def interrupt(info):
        if info["iterations"] == 7:
            raise KeyboardInterrupt

    straight, result = run()
    path = tmp_path / "online.ckpt"
    with pytest.raises(KeyboardInterrupt):
        run(checkpoint=path, schedule={"every": 1, "do": interrupt})
    resumed, result_resumed = run(checkpoint=path, resume=path)
    for name, value in straight.get_weights().items():
        assert np.array_equal(value, resumed.get_weights()[name]), name
    assert result.history.loss == result_resumed.history.loss and result.iterations == result_resumed.iterations
