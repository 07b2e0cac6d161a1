"""The axonal command, run the way a user runs it (in-process through main, and once as a subprocess)."""

import csv
import io
import os
import subprocess
import sys

from pathlib import Path

import numpy as np
import pytest

import axonal
from axonal.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fruit_csv(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "fruit.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["weight", "spots", "ripeness", "fruit"])
        for _ in range(240):
            kind = rng.integers(0, 3)
            weight = [150, 120, 300][kind] + rng.normal(0, 10)
            spots = [2, 0, 8][kind] + rng.normal(0, 1)
            w.writerow([f"{weight:.2f}", f"{spots:.2f}", f"{rng.uniform():.3f}", ["apple", "pear", "melon"][kind]])
    return path


@pytest.mark.slow
def test_default_train_on_the_digits_reaches_97_percent(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "train", "--no-plot")
    assert code == 0, err
    accuracy = float(out.split("test accuracy:")[1].split()[0])
    assert accuracy >= 0.97
    assert "confusion matrix" in out and (tmp_path / "model.axonal").exists()
    net = axonal.load(tmp_path / "model.axonal")
    x, y = axonal.data.load_digits().as_tuple()
    assert (net.predict_proba(x).argmax(1) == y).mean() > 0.97  # most of it was training data
    assert net.metadata_["results"]["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)


def test_same_seed_writes_byte_identical_model_files(tmp_path, capsys):
    a, b, c = tmp_path / "a.axonal", tmp_path / "b.axonal", tmp_path / "c.axonal"
    for path, seed in ((a, "1"), (b, "1"), (c, "2")):
        assert run(capsys, "train", "--epochs", "3", "--seed", seed, "--no-plot", "-o", str(path))[0] == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_csv_train_evaluate_predict_info(fruit_csv, tmp_path, capsys):
    model = tmp_path / "fruit.axonal"
    code, out, err = run(capsys, "train", "--data", str(fruit_csv), "--target", "fruit", "--hidden", "16",
                         "--epochs", "200", "-o", str(model), "--no-plot")
    assert code == 0, err
    assert float(out.split("test accuracy:")[1].split()[0]) >= 0.95
    code, out, err = run(capsys, "evaluate", str(model), str(fruit_csv))
    assert code == 0 and float(out.split("accuracy:")[1].split()[0]) >= 0.95
    predictions = tmp_path / "pred.csv"
    code, out, err = run(capsys, "predict", str(model), str(fruit_csv), "-o", str(predictions))
    assert code == 0, err
    rows = list(csv.DictReader(open(predictions)))
    truth = [r["fruit"] for r in csv.DictReader(open(fruit_csv))]
    assert set(rows[0]) == {"prediction", "p_apple", "p_melon", "p_pear"}
    assert np.mean([r["prediction"] == t for r, t in zip(rows, truth)]) >= 0.95
    assert all(abs(sum(float(r[k]) for k in r if k.startswith("p_")) - 1) < 1e-4 for r in rows)
    code, out, _ = run(capsys, "info", str(model))
    assert code == 0 and "classes: apple, melon, pear" in out and "Dense(3 → 16)" in out


def test_predict_reads_features_by_name_in_any_order(fruit_csv, tmp_path, capsys):
    model = tmp_path / "m.axonal"
    assert run(capsys, "train", "--data", str(fruit_csv), "--target", "fruit", "--epochs", "200",
               "-o", str(model), "--no-plot")[0] == 0
    reordered = tmp_path / "reordered.csv"
    with open(fruit_csv) as f:
        rows = list(csv.reader(f))
    with open(reordered, "w", newline="") as f:
        csv.writer(f).writerows([[r[2], r[1], r[0]] for r in rows])  # no target column, shuffled columns
    code, out, err = run(capsys, "predict", str(model), str(reordered))
    assert code == 0, err
    direct = run(capsys, "predict", str(model), str(fruit_csv))[1]
    assert out == direct


def test_regression_on_the_bundled_cars(tmp_path, capsys):
    code, out, err = run(capsys, "train", "--data", "regression", "--epochs", "150", "--hidden", "32",
                         "-o", str(tmp_path / "mpg.axonal"), "--no-plot")
    assert code == 0, err
    assert float(out.split("R²:")[1].split()[0]) > 0.75
    code, out, err = run(capsys, "evaluate", str(tmp_path / "mpg.axonal"), "regression")
    assert code == 0, err
    assert float(out.split("R²:")[1].split()[0]) > 0.75
    code, out, err = run(capsys, "predict", str(tmp_path / "mpg.axonal"), "regression")
    assert code == 0, err
    assert len(out.strip().splitlines()) > 50


def test_toml_config_with_command_line_overrides(tmp_path, capsys):
    config = tmp_path / "train.toml"
    config.write_text('hidden = [16]\nepochs = 2\nlearning-rate = 0.01\nseed = 4\n')
    model = tmp_path / "m.axonal"
    code, out, err = run(capsys, "train", "--config", str(config), "--epochs", "3", "-o", str(model), "--no-plot")
    assert code == 0, err
    meta = axonal.load(model).metadata_
    assert meta["training"]["hidden"] == "16" and meta["epochs_trained"] == 3
    assert meta["training"]["learning_rate"] == 0.01 and meta["training"]["seed"] == 4


@pytest.mark.parametrize("argv,message", [
    (["train", "--data", "missing.csv", "--target", "y"], "data file missing.csv does not exist"),
    (["train", "--data", "FRUIT", "--target", "colour"], "has no column 'colour'"),
    (["train", "--optimizer", "adamm"], "unknown optimizer 'adamm'"),
    (["train", "--activation", "sigmoidal"], "unknown activation 'sigmoidal'"),
    (["train", "--hidden", "64,x"], "--hidden must be sizes separated by commas"),
    (["train", "--epochs", "0"], "--epochs must be in [1, inf], got 0"),
    (["train", "--epochs", "ten"], "argument --epochs: invalid int value"),
    (["train", "--test-size", "1.5"], "--test-size must be in [0, 1), got 1.5"),
    (["train", "--seed", "-1"], "--seed must be in [0,"),
    (["train", "--l2", "inf"], "--l2 must be a finite number"),
    (["train", "--delimiter", ";;"], "--delimiter must be one character"),
    (["train", "--data", "FRUIT", "--target", "fruit", "--ignore", "colour"], "--ignore names columns ['colour']"),
    (["train", "--output", "/nonexistent/dir/m.axonal"], "the directory /nonexistent/dir does not exist"),
    (["train", "--hidden", "200000000,200000000", "--epochs", "1"], "out of memory"),
    (["predict", "MODEL", "FRUIT", "-o", "MODEL"], "is the model file; choose another name"),
    (["train", "--schedule", "sometimes"], "unknown schedule 'sometimes'"),
    (["train", "--data", "FRUIT"], "--target is required"),
    (["train", "--config", "nope.toml"], "config file nope.toml does not exist"),
    (["train", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["evaluate", "missing.axonal", "digits"], "model file missing.axonal does not exist"),
    (["info", "FRUIT"], "not an axonal model file"),
    (["predict", "MODEL", "FRUIT_NO_SPOTS"], "lacks the feature column(s) 'spots'"),
    (["evaluate", "MODEL", "FRUIT_NEW_LABEL"], "not classes of the model"),
    (["predict", "MODEL", "digits"], "has 64 feature columns; the model takes 3"),
])
def test_bad_input_gets_one_line_and_exit_2(argv, message, fruit_csv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = tmp_path / "m.axonal"
    assert run(capsys, "train", "--data", str(fruit_csv), "--target", "fruit", "--epochs", "2", "-o", str(model),
               "--no-plot")[0] == 0
    no_spots = tmp_path / "no_spots.csv"
    no_spots.write_text("weight,ripeness\n150,0.5\n")
    new_label = tmp_path / "new_label.csv"
    new_label.write_text("weight,spots,ripeness,fruit\n150,2,0.5,kiwi\n")
    swap = {"FRUIT": str(fruit_csv), "MODEL": str(model), "FRUIT_NO_SPOTS": str(no_spots),
            "FRUIT_NEW_LABEL": str(new_label)}
    code, out, err = run(capsys, *[swap.get(a, a) for a in argv])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("axonal: error:") and message in lines[0], err
    assert "Traceback" not in err


def test_corrupted_model_file_is_refused(tmp_path, capsys):
    model = tmp_path / "m.axonal"
    assert run(capsys, "train", "--epochs", "1", "-o", str(model), "--no-plot")[0] == 0
    data = model.read_bytes()
    model.write_bytes(data[: len(data) // 2])
    code, _, err = run(capsys, "predict", str(model), "digits")
    assert code == 2 and len(err.strip().splitlines()) == 1 and str(model) in err


def test_the_command_runs_as_a_program(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(axonal.__file__).parents[1])}
    result = subprocess.run([sys.executable, "-m", "axonal", "train", "--epochs", "2", "--no-plot",
                             "-o", str(tmp_path / "m.axonal")], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "test accuracy" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "axonal", "train", "--epochs", "-3"],
                         capture_output=True, text=True, cwd=tmp_path, env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_loss_plot_is_written_when_matplotlib_is_there(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "curves.png"
    assert run(capsys, "train", "--epochs", "3", "-o", str(tmp_path / "m.axonal"), "--plot", str(png))[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_every_offered_schedule_trains(tmp_path, capsys):
    for name in ("constant", "cosine", "step", "exponential", "inverse_time", "warmup", "plateau"):
        code, out, err = run(capsys, "train", "--epochs", "4", "--schedule", name, "--no-plot",
                             "-o", str(tmp_path / f"{name}.axonal"))
        assert code == 0, (name, err)


def test_xor_trains_on_all_four_rows(tmp_path, capsys):
    code, out, err = run(capsys, "train", "--data", "xor", "--hidden", "8", "--epochs", "300",
                         "--learning-rate", "0.05", "-o", str(tmp_path / "xor.axonal"), "--no-plot")
    assert code == 0, err
    assert "no held-out test set" in out and float(out.split("test accuracy:")[1].split()[0]) == 1.0


def test_config_values_of_the_wrong_type_are_named(tmp_path, capsys):
    config = tmp_path / "bad.toml"
    for line, message in (('dropout = "0.1"', "dropout must be a number"), ("seed = 1.5", "seed must be an integer"),
                          ("learning_rate = true", "learning_rate must be a number"),
                          ("[train]\nepochs = 3\n[other]\nx = 1", "put every option in the [train] table")):
        config.write_text(line + "\n")
        code, _, err = run(capsys, "train", "--config", str(config))
        assert code == 2 and message in err, err


def test_evaluate_a_bundled_set_scores_the_held_out_part(tmp_path, capsys):
    model = tmp_path / "m.axonal"
    assert run(capsys, "train", "--epochs", "5", "-o", str(model), "--no-plot")[0] == 0
    code, out, err = run(capsys, "evaluate", str(model), "digits")
    assert code == 0 and out.startswith("359 samples") and "held out" in err


def test_a_model_saved_from_python_works_with_the_command(tmp_path, capsys):
    from axonal import Dense, Sequential
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (200, 3))
    labels = (x[:, 0] > 0).astype(int)
    net = Sequential([Dense(8, "tanh", input_dim=3), Dense(2)], seed=0)
    net.fit(x, labels, loss="softmax_cross_entropy", optimizer="adam", learning_rate=0.05, epochs=40)
    model = tmp_path / "py.axonal"
    axonal.save(net, model)
    table = tmp_path / "table.csv"
    with open(table, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c", "label"])
        w.writerows([[*row, lab] for row, lab in zip(x.round(4), labels)])
    code, out, err = run(capsys, "evaluate", str(model), str(table), "--target", "label")
    assert code == 0, err
    assert float(out.split("accuracy:")[1].split()[0]) > 0.95
    features_only = tmp_path / "features.csv"
    with open(features_only, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c"])
        w.writerows(x.round(4))
    code, out, err = run(capsys, "predict", str(model), str(features_only))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert set(rows[0]) == {"prediction", "p_0", "p_1"}
    assert np.mean([int(r["prediction"]) == lab for r, lab in zip(rows, labels)]) > 0.95


def test_output_piped_into_a_closed_reader_is_not_an_error(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(axonal.__file__).parents[1])}
    model = tmp_path / "m.axonal"
    subprocess.run([sys.executable, "-m", "axonal", "train", "--epochs", "1", "--no-plot", "-o", str(model)],
                   check=True, capture_output=True, env=env)
    result = subprocess.run(f"{sys.executable} -m axonal predict {model} digits | head -1", shell=True,
                            capture_output=True, text=True, env=env)
    assert result.stdout.strip() == "prediction,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9"
    assert "Error" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_train_a_sequence_task(tmp_path, capsys):
    model = tmp_path / "dsr.axonal"
    code, out, err = run(capsys, "train", "--task", "dsr", "--no-plot", "-o", str(model))
    assert code == 0, err
    assert float(out.split("fully_correct_sequences:")[1].split()[0]) >= 0.95
    net = axonal.load(model)
    assert type(net.layers[0]).__name__ == "LSTM" and net.metadata_["task"] == "dsr"


def test_text_task_trains_and_samples(tmp_path, capsys):
    code, out, err = run(capsys, "train", "--task", "text", "--hidden", "16", "--epochs", "1", "--cell", "gru",
                         "--no-plot", "-o", str(tmp_path / "text.axonal"))
    assert code == 0, err
    sample = out.split("sample:\n")[1].split("\nmodel written")[0]
    vocabulary = axonal.load(tmp_path / "text.axonal").metadata_["vocabulary"]
    assert len(sample) == 240 and set(sample) <= set(vocabulary)


def test_unknown_task_and_cell_are_refused(capsys):
    code, _, err = run(capsys, "train", "--task", "poetry")
    assert code == 2 and "invalid choice: 'poetry'" in err
    code, _, err = run(capsys, "train", "--task", "dsr", "--cell", "transformer")
    assert code == 2 and "invalid choice: 'transformer'" in err


# -- plot and export -------------------------------------------------------------------------------
def _small_saved_model(tmp_path):
    from axonal import Dense, Sequential, Standardize
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, (80, 3))
    net = Sequential([Standardize(), Dense(6, "tanh"), Dense(3, "softmax")], input_dim=3, dtype="float64", seed=0)
    net.fit(x, (x[:, 0] > 2).astype(int) + (x[:, 1] > 2), loss="categorical_cross_entropy", epochs=3, progress=False)
    model = tmp_path / "small.axonal"
    axonal.save(net, model)
    return model, net, x


def test_plot_writes_an_svg_beside_the_model_and_dot_on_request(tmp_path, capsys):
    import xml.etree.ElementTree as ET
    model, net, _ = _small_saved_model(tmp_path)
    code, out, err = run(capsys, "plot", str(model))
    assert code == 0, err
    svg = tmp_path / "small.svg"
    assert out.strip() == str(svg)
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    rects = [e for e in root.iter("{http://www.w3.org/2000/svg}rect") if e.get("class") == "layer"]
    assert len(rects) == len(net.layers) + 1
    dot = tmp_path / "diagram.gv"
    code, out, err = run(capsys, "plot", str(model), "--format", "dot", "-o", str(dot))
    assert code == 0 and out.strip() == str(dot)
    assert dot.read_text().startswith("digraph") and dot.read_text().count("->") == 3


def test_export_writes_standalone_python_that_predicts_like_the_model(tmp_path, capsys):
    model, _, x = _small_saved_model(tmp_path)
    code, out, err = run(capsys, "export", str(model))
    assert code == 0, err
    path = tmp_path / "small.py"
    assert out.strip() == str(path)
    source = path.read_text()
    assert "numpy" not in source
    namespace = {"__builtins__": __builtins__}
    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - the exported module under test
    got = np.array([namespace["predict"](row.tolist()) for row in x])
    np.testing.assert_allclose(got, axonal.load(model).predict(x), rtol=1e-12, atol=1e-14)


def test_export_of_a_graph_network_model_steps_in_time(tmp_path, capsys):
    from axonal.graph import Graph, GraphNetwork
    g = Graph()
    inp, hidden, out = g.layer("input", 2), g.layer("hidden", 3, "tanh"), g.layer("output", 1)
    inp.project(hidden)
    hidden.project(hidden)
    g.layer("gate", 1).gate(hidden.project(out), "input")
    net = GraphNetwork(g, output="output", dtype="float64", seed=0)
    model = tmp_path / "graph.axonal"
    axonal.save(net, model)
    target = tmp_path / "graph_net.py"
    assert run(capsys, "export", str(model), "-o", str(target))[0] == 0
    namespace = {"__builtins__": __builtins__}
    exec(target.read_text(), namespace)  # noqa: S102 - the exported module under test
    stepper, loaded = namespace["Network"](), axonal.load(model)
    for x in np.random.default_rng(1).normal(size=(5, 2)):
        np.testing.assert_allclose(stepper.activate(x.tolist()), loaded.activate(x), rtol=1e-12, atol=1e-14)
    assert run(capsys, "plot", str(model))[0] == 0 and "stroke-dasharray" in (tmp_path / "graph.svg").read_text()


@pytest.mark.parametrize("command", ["plot", "export"])
def test_plot_and_export_refuse_missing_and_non_model_files(command, tmp_path, capsys):
    code, _, err = run(capsys, command, str(tmp_path / "missing.axonal"))
    assert code == 2 and f"model file {tmp_path / 'missing.axonal'} does not exist" in err
    text = tmp_path / "notes.txt"
    text.write_text("not a model\n")
    code, _, err = run(capsys, command, str(text))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and str(text) in lines[0] and "Traceback" not in err
    model, _, _ = _small_saved_model(tmp_path)
    code, _, err = run(capsys, command, str(model), "-o", str(model))
    assert code == 2 and "is the model file" in err


# -- hostile text in files and arguments --------------------------------------------------------------
def test_info_shows_control_characters_and_surrogates_escaped(tmp_path, capsys):
    _, net, _ = _small_saved_model(tmp_path)
    hostile = tmp_path / "hostile.axonal"
    net.classes_ = ["\x1b[2J", "ok\u202ecba", "c"]
    axonal.save(net, hostile, metadata={"note\x07": "\x1b]0;owned\x07 and \ud800", "long": "y" * 100_000})
    code, out, err = run(capsys, "info", str(hostile))
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\x1b]0;owned\\x07 and \\ud800" in out and "note\\x07:" in out
    assert max(len(line) for line in out.splitlines()) < 1_000  # long metadata is cut
    out.encode("utf-8")


def test_error_messages_escape_paths_and_exception_text(tmp_path, capsys):
    for name in ("bad\x1b[2J\n.axonal", "x\udcff.axonal"):
        code, _, err = run(capsys, "info", str(tmp_path / name))
        assert code == 2 and err.count("\n") == 1 and "\x1b" not in err and "does not exist" in err
        err.encode("utf-8")
        assert "bad\\x1b[2J .axonal" in err or "x\\udcff.axonal" in err


def test_predict_csv_escapes_formula_labels_and_keeps_numbers(tmp_path, capsys):
    _, net, x = _small_saved_model(tmp_path)
    net.classes_ = ['=HYPERLINK("http://evil")', "-1+2", "@SUM(A1)"]
    labelled = tmp_path / "labelled.axonal"
    axonal.save(net, labelled)
    table = tmp_path / "features.csv"
    table.write_text("a,b,c\n" + "".join(f"{a},{b},{c}\n" for a, b, c in x.round(4)))
    written = tmp_path / "predictions.csv"
    code, _, err = run(capsys, "predict", str(labelled), str(table), "-o", str(written))
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(written.read_text())))
    assert rows[0] == ["prediction", 'p_=HYPERLINK("http://evil")', "p_-1+2", "p_@SUM(A1)"]
    predictions = {row[0] for row in rows[1:]}
    assert predictions <= {"'=HYPERLINK(\"http://evil\")", "'-1+2", "'@SUM(A1)"} and predictions
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row[:1])
    probabilities = np.array([[float(v) for v in row[1:]] for row in rows[1:]])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    net.classes_ = [-1, 0, 1]  # integer labels are numbers: written as they are
    axonal.save(net, labelled)
    code, out, err = run(capsys, "predict", str(labelled), str(table))
    assert code == 0, err
    assert {row[0] for row in list(csv.reader(io.StringIO(out)))[1:]} <= {"-1", "0", "1"}


def test_plot_and_export_of_a_model_with_hostile_metadata_stay_well_formed(tmp_path, capsys):
    import ast
    import xml.etree.ElementTree as ET
    _, net, _ = _small_saved_model(tmp_path)
    model = tmp_path / "meta.axonal"
    axonal.save(net, model, metadata={"title": "\x00\x1b\ud800<x>"})
    code, _, err = run(capsys, "plot", str(model))
    assert code == 0, err
    ET.parse(tmp_path / "meta.svg")
    code, _, err = run(capsys, "export", str(model))
    assert code == 0, err
    ast.parse((tmp_path / "meta.py").read_text())


def test_info_describes_a_hopfield_memory_and_predict_refuses_it(tmp_path, capsys):
    from axonal.hopfield import Hopfield
    memory = Hopfield(16, seed=0)
    memory.store(np.where(np.random.default_rng(0).random((2, 16)) < 0.5, -1.0, 1.0))
    path = tmp_path / "memory.axonal"
    axonal.save(memory, path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Hopfield memory" in out and "16 sign units, 2 patterns stored" in out
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("a,b\n1,2\n")
    assert main(["predict", str(path), str(csv_path)]) == 2
    assert "holds a Hopfield memory" in capsys.readouterr().err


def test_info_on_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "model.axonal"
    os.mkfifo(fifo)
    run = subprocess.run([sys.executable, "-m", "axonal", "info", str(fifo)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2
    assert "not a regular file" in run.stderr and str(fifo) in run.stderr


def test_binary_classifier_with_one_output_predicts_the_second_label_above_one_half(tmp_path, capsys):
    from axonal import Dense, Sequential
    x = np.array([[-2.0], [-1.0], [1.0], [2.0]] * 8, dtype=np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    net = Sequential([Dense(1, "logistic", input_dim=1)], seed=0)
    net.fit(x, y, loss="binary_cross_entropy", optimizer="adam", learning_rate=0.1, epochs=200, batch_size=None)
    net.classes_ = ["no", "yes"]
    path = tmp_path / "binary.axonal"
    axonal.save(net, path)
    data = tmp_path / "x.csv"
    data.write_text("f\n-3\n3\n")
    assert main(["predict", str(path), str(data)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["prediction", "p_no", "p_yes"]
    assert [r[0] for r in rows[1:]] == ["no", "yes"]
    assert float(rows[2][2]) > 0.5 > float(rows[1][2])
