"""The recurrent-network examples in examples/ run and reach what they claim.

Each example's ``main()`` trains once per test module (fixed seeds, so every
outcome is reproducible) and its outcomes are checked against fixed bounds; DSR
and the adding problem train once per session, in the fixtures of
tests/conftest.py that tests/test_sequence_tasks.py checks too. Every test that
needs a trained network is marked ``slow`` (about half a minute in all); the
others check the data and the helpers of the examples in a moment.
"""

import itertools
import math

import numpy as np
import pytest
from example_scripts import load, run

from axonal.plotting import matplotlib_available

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def classification():
    return run("sequence_classification")


@pytest.fixture(scope="module")
def tagging():
    return run("sequence_tagging")


@pytest.fixture(scope="module")
def forecasting(tmp_path_factory):
    path = tmp_path_factory.mktemp("sine") / "forecast.png"
    return run("sine_forecasting", plot_path=path) + (path,)


@pytest.fixture(scope="module")
def text():
    return run("text_generation", epochs=5, sample_length=150, temperatures=(0.5, 1.0))


def check_plot(result, path):
    if matplotlib_available():
        assert result["plot"] == str(path)
        assert path.read_bytes()[:8] == PNG_SIGNATURE
    else:
        assert result["plot"] is None and "matplotlib" in result["plot_note"]
        assert not path.exists()


# -- sequence -> one ----------------------------------------------------------------------
@pytest.mark.slow
def test_classification_names_the_temporal_order(classification, capsys):
    module, result = classification
    assert result["test_accuracy"] >= 0.95            # guessing: 0.25
    matrix = np.array(result["confusion_matrix"])
    assert matrix.shape == (4, 4) and matrix.sum() == module.TEST_SEQUENCES
    assert np.trace(matrix) == round(result["test_accuracy"] * module.TEST_SEQUENCES)
    assert result["test_accuracy_per_epoch"][-1] == pytest.approx(result["test_accuracy"])
    module.show(result)
    assert "test accuracy" in capsys.readouterr().out


def test_temporal_order_data_hides_the_class_in_two_symbols():
    module = load("sequence_classification")
    x, labels, strings = module.temporal_order(200, length=30, seed=0)
    assert x.shape == (200, 30, 8) and set(np.unique(labels)) == {0, 1, 2, 3}
    for string, label in zip(strings, labels):
        assert string[0] == "B" and string[-1] == "E" and len(string) == 30
        relevant = [c for c in string if c in "XY"]
        assert "".join(relevant) == module.CLASSES[label]
        assert string.index(relevant[0]) < 15 <= len(string) - 1 - string[::-1].index(relevant[1])


# -- sequence -> sequence -----------------------------------------------------------------
@pytest.mark.slow
def test_tagging_tags_every_real_step(tagging, capsys):
    module, result = tagging
    assert result["step_accuracy"] >= 0.99
    assert result["sequence_accuracy"] >= 0.95
    assert result["padded_steps"] > 0
    assert result["example_tags"] == result["example_parity"]
    module.show(result)
    assert "padding changes nothing" in capsys.readouterr().out


@pytest.mark.slow
def test_tagging_padding_never_changes_a_prediction(tagging):
    _, result = tagging
    assert result["max_difference_alone"] < 1e-4         # float32 rounding only
    assert result["max_difference_left_padded"] < 1e-6   # the same products: bit-for-bit in practice
    assert result["tags_changed_without_mask"] > 0.2     # the contrast: without the mask junk is read


# -- many-step forecasting ----------------------------------------------------------------
@pytest.mark.slow
def test_sine_forecast_stays_on_the_wave(forecasting, capsys):
    module, result, path = forecasting
    assert result["forecast_steps"] == 50
    assert result["forecast_mse"] < 0.05
    assert result["forecast_mse"] < result["zero_forecast_mse"] / 10
    assert result["forecast_mse_first_10"] < result["forecast_mse_last_10"]   # errors compound
    assert result["forecast_mse_one_at_a_time"] > result["forecast_mse"]       # more rounds, more compounding
    assert result["stateful_vs_rereading"] < 1e-4
    check_plot(result, path)
    module.show(result)
    assert "closed-loop" in capsys.readouterr().out.lower()


def test_a_missing_plot_directory_fails_before_training(tmp_path):
    for name in ("sine_forecasting", "vanishing_gradient"):
        with pytest.raises(FileNotFoundError, match="does not exist"):
            load(name).main(plot_path=tmp_path / "missing" / "plot.png")


def test_closed_loop_forecast_in_rounds_of_any_size():
    module = load("sine_forecasting")
    net = module.build(seed=0, horizon=3)
    waves = np.sin(np.arange(20, dtype=np.float32) / 3)[None, :, None]
    # an untrained network still forecasts the asked number of steps, in rounds of any size
    for chunk in (1, 2, 3):
        assert module.forecast(net, waves, 7, chunk).shape == (1, 7)
        np.testing.assert_allclose(module.forecast(net, waves, 7, chunk),
                                   module.forecast_by_rereading(net, waves, 7, chunk), atol=1e-5)


# -- text generation ----------------------------------------------------------------------
@pytest.mark.slow
def test_text_model_learns_and_writes(text, capsys):
    module, result = text
    losses = result["train_loss"]
    assert len(losses) == 5
    assert losses[-1] < 2.1 < result["unigram_loss"] < result["uniform_loss"]
    assert result["held_out_loss"][-1] < 2.2
    assert all(a > b for a, b in itertools.pairwise(losses))
    assert result["uniform_loss"] == pytest.approx(math.log(len(result["vocabulary"])))
    assert set(result["samples"]) == {0.5, 1.0}
    for sample in result["samples"].values():
        assert isinstance(sample, str) and len(sample) == 150
        assert set(sample) <= set(result["vocabulary"])
    assert result["samples"][0.5] != result["samples"][1.0]
    module.show(result)
    out = capsys.readouterr().out
    assert "temperature 0.5" in out and result["prompt"] in out


# -- the vanishing gradient ---------------------------------------------------------------
@pytest.mark.slow
def test_the_adding_problem_run_reports_both_networks(adding_problem_lstm_and_rnn, capsys):
    # tests/test_sequence_tasks.py checks the errors it reaches: LSTM < 0.01, SimpleRNN > 0.1
    module, result, path = adding_problem_lstm_and_rnn
    lstm, rnn = result["LSTM"], result["SimpleRNN"]
    assert len(lstm["test_mse_per_epoch"]) == len(rnn["test_mse_per_epoch"]) == module.EPOCHS + 1
    assert lstm["test_mse_per_epoch"][-1] == lstm["test_mse"]
    assert rnn["test_mse_per_epoch"][-1] == rnn["test_mse"]
    check_plot(result, path)
    module.show(result)
    assert "final test MSE" in capsys.readouterr().out


@pytest.mark.slow
def test_the_lstm_opens_its_carousel(adding_problem_lstm_and_rnn):
    _, result, _ = adding_problem_lstm_and_rnn
    lstm, rnn = result["LSTM"], result["SimpleRNN"]
    gates = lstm["most_open_forget_gate"]
    assert len(gates) == len(lstm["train_loss"])
    assert gates[0] < 0.9 and gates[-1] > 0.95
    # before training the first half barely reaches the answer; after, it does for the LSTM, whose
    # answer is right, while the SimpleRNN's stays near always answering 1 (MSE 1/6). The RNN's
    # response ratio is not asserted: divided by its last step's response, which training may
    # drive to 0 or not depending on rounding, it is anywhere from 1e-7 to 1 between runs that
    # differ in the last bits (the NumPy and compiled paths).
    assert lstm["first_half_response_before"] < 0.05
    assert lstm["first_half_response_after"] > 0.3
    assert lstm["test_mse"] < 0.01 and rnn["test_mse"] > 0.1


def test_forget_gates_match_the_layer():
    module = load("vanishing_gradient")
    from axonal import LSTM, Dense, Sequential
    from axonal.data import adding_problem
    x, _, _ = adding_problem(20, length=12, seed=5)
    for peepholes in (False, True):
        net = Sequential([LSTM(6, peepholes=peepholes), Dense(1)], input_dim=2, seed=3)
        net.build((None, 2))
        lstm = net.layers[0]
        for gate in ("i", "f", "o") if peepholes else ():
            lstm.params[f"peephole_{gate}"][:] = np.linspace(-0.5, 0.5, 6)
        net.forward(x, training=True)
        expected = lstm._cache["f"].mean(axis=(0, 1))
        np.testing.assert_allclose(module.forget_gates(lstm, x), expected, atol=1e-5)


# -- discrete sequence recall -------------------------------------------------------------
@pytest.mark.slow
def test_dsr_is_recalled_as_synaptic_counts_it(dsr_lstm_layer_ten_seeds, capsys):
    # The session's run covers seeds 0 to 9; the script's first three seeds all succeed.
    module, result = dsr_lstm_layer_ten_seeds
    assert set(result["fully_correct"]) == set(range(10))
    for seed in (0, 1, 2):
        assert result["fully_correct"][seed] >= 0.95, seed
    assert result["solved_fraction"] == len(result["solved_seeds"]) / 10 >= 0.9
    example = result["example"]
    assert example["recalled"] == example["wanted"]
    assert example["wanted"].split()[:7] == ["-"] * 7
    module.show(result)
    assert f"{len(result['solved_seeds'])} of 10 seeds" in capsys.readouterr().out
