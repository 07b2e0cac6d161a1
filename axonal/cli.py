"""The ``axonal`` command: train, evaluate, predict, inspect, draw and export models from a shell.

``axonal train`` with no arguments trains the default network on the bundled
handwritten digits, shows progress, prints the test accuracy and confusion
matrix, and writes ``model.axonal`` (and ``model_loss.png`` when matplotlib is
installed). Every option can also come from a TOML file (``--config``), whose keys
are the option names with ``_`` for ``-``; options on the command line win.

Every bad argument or file ends in a one-line error and exit status 2, never a
traceback. The CLI uses only axonal's public API.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
from pathlib import Path

import numpy as np

EXIT_USAGE = 2
BUNDLED = ("digits", "xor", "regression")

# The default network for `axonal train`: reaches >= 97% test accuracy on the digits.
DEFAULTS = {
    "data": "digits", "target": None, "target_type": "auto", "hidden": "128,64", "activation": "relu",
    "dropout": 0.0, "optimizer": "adam", "learning_rate": 0.002, "schedule": "cosine", "l2": 0.001, "epochs": 80,
    "batch_size": 32, "test_size": 0.2, "validation_split": None, "patience": None, "scale": "standard",
    "seed": 0, "output": "model.axonal", "plot": None, "no_plot": False, "progress": None,
    "delimiter": ",", "ignore": None, "task": None, "cell": "lstm",
}


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="axonal", description="Train and use neural networks (axonal).")
    parser.add_argument("--version", action="version", version=f"axonal {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = sub.add_parser("train", help="train a network (default: the bundled digits)",
                           description="Train a network on a CSV file or a bundled dataset, report test "
                                       "metrics and write the model file.")
    train.add_argument("--config", metavar="FILE.toml", help="read options from a TOML file")
    train.add_argument("--task", choices=["dsr", "erg", "timing", "adding", "copy", "text"],
                       help="train a recurrent network on a sequence task instead of a table: Synaptic's "
                            "discrete sequence recall, embedded Reber grammar or timing task, the adding "
                            "problem, the copy task, or a character model of Shakespeare's Sonnets")
    train.add_argument("--cell", choices=["lstm", "gru", "simple_rnn"],
                       help="the recurrent layer for --task (default: lstm)")
    train.add_argument("--data", metavar="FILE.csv|NAME",
                       help=f"a CSV file with a header row, or a bundled set: {', '.join(BUNDLED)} (default: digits)")
    train.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    train.add_argument("--target-type", choices=["auto", "classification", "regression"],
                       help="whether the target holds class labels or numbers to predict (default: auto)")
    train.add_argument("--delimiter", metavar="CHAR", help="CSV field separator (default: ,)")
    train.add_argument("--ignore", metavar="COL,COL", help="CSV columns that are not features (ids, names)")
    train.add_argument("--hidden", metavar="N,N,...", help="hidden layer sizes, e.g. 64,32; 0 or '' for none "
                                                             "(default: 128,64)")
    train.add_argument("--activation", help="hidden activation (default: relu)")
    train.add_argument("--dropout", type=float, metavar="RATE", help="dropout after each hidden layer (default: 0)")
    train.add_argument("--optimizer", help="sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, rprop "
                                           "(default: adam)")
    train.add_argument("--learning-rate", type=float, metavar="RATE", help="default: 0.002")
    train.add_argument("--schedule", metavar="NAME",
                       help="learning-rate schedule: constant, cosine, step, exponential, inverse_time, "
                            "warmup, plateau (default: cosine, from the rate down to 0 over the epochs)")
    train.add_argument("--l2", type=float, metavar="LAMBDA", help="L2 weight penalty (default: 0.001)")
    train.add_argument("--epochs", type=int, help="default: 80")
    train.add_argument("--batch-size", type=int, metavar="N", help="default: 32; 0 for the whole set")
    train.add_argument("--test-size", type=float, metavar="FRACTION",
                       help="held-out test fraction (default: 0.2; 0 trains on everything, as for xor)")
    train.add_argument("--validation-split", type=float, metavar="FRACTION",
                       help="fraction of the training part used for validation")
    train.add_argument("--patience", type=int, metavar="EPOCHS",
                       help="stop after this many epochs without improvement and keep the best weights")
    train.add_argument("--scale", choices=["standard", "minmax", "none"], help="input scaling kept in the model "
                                                                              "(default: standard)")
    train.add_argument("--seed", type=int, help="seed for the split, the weights and the shuffling (default: 0)")
    train.add_argument("--output", "-o", metavar="MODEL", help="model file to write (default: model.axonal)")
    train.add_argument("--plot", metavar="FILE.png", help="loss-curve picture (default: next to the model file, "
                                                          "when matplotlib is installed)")
    train.add_argument("--no-plot", action="store_true", default=None, help="do not draw the loss curves")
    bar = train.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="always show the progress bar")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show it")

    evaluate = sub.add_parser("evaluate", help="report a model's metrics on labelled data")
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("data", metavar="DATA", help="a CSV file with the target column, or a bundled set")
    evaluate.add_argument("--target", metavar="COLUMN", help="default: the column the model was trained on")
    evaluate.add_argument("--delimiter", default=",", metavar="CHAR")

    predict = sub.add_parser("predict", help="write a model's predictions as CSV")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("data", metavar="DATA", help="a CSV file with the model's feature columns, or a bundled set")
    predict.add_argument("--output", "-o", metavar="FILE.csv", help="default: standard output")
    predict.add_argument("--delimiter", default=",", metavar="CHAR")

    info = sub.add_parser("info", help="describe a model file")
    info.add_argument("model", metavar="MODEL")

    plot = sub.add_parser("plot", help="draw a model's layers and connections (SVG or Graphviz DOT)",
                          description="Write a diagram of a model file: one box per layer, arrows for "
                                      "connections, dashed lines for gates.")
    plot.add_argument("model", metavar="MODEL")
    plot.add_argument("--format", choices=["svg", "dot"], default="svg", help="default: svg")
    plot.add_argument("--output", "-o", metavar="FILE", help="default: MODEL with the format's suffix")

    export = sub.add_parser("export", help="write a model as standalone Python (no numpy needed)",
                            description="Write a Python module with the model's weights inlined that needs only "
                                        "the standard library: predict(x) for one sample.")
    export.add_argument("model", metavar="MODEL")
    export.add_argument("--output", "-o", metavar="FILE.py", help="default: MODEL with the suffix .py")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        return {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict,
                "info": cmd_info, "plot": cmd_plot, "export": cmd_export}[args.command](args)
    except UsageError as exc:
        print(f"axonal: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("axonal: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `axonal info m.axonal | head -2`
        sys.stderr.close()
        return 0
    except MemoryError:
        print("axonal: error: out of memory (is the network or the data too large?)", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, ImportError, FloatingPointError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        if isinstance(exc, OSError) and exc.filename:
            message = f"{exc.filename}: {exc.strerror or exc}"
        print(f"axonal: error: {_one_line(message)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug of ours: still one line, with what to report
        print(f"axonal: error: unexpected {type(exc).__name__}: {_one_line(exc)} (please report this)",
              file=sys.stderr)
        return EXIT_USAGE


def _one_line(message) -> str:
    return " ".join(str(message).split())


# -- train ------------------------------------------------------------------------------
def cmd_train(args) -> int:
    import axonal
    from axonal import metrics

    options = _train_options(args)
    if options["task"]:
        return _train_task(options, _given(args))
    dataset = _load_training_data(options)
    classification = dataset.class_names is not None
    if classification and len(dataset.class_names) < 2:
        raise UsageError(f"the target {dataset.target_name!r} has a single class ({dataset.class_names[0]!r}); "
                         f"there is nothing to learn")
    _check_outputs(options)
    x_train, x_test, y_train, y_test = _split(dataset, options)

    net = _build_network(options, dataset)
    net.classes_ = [_label(c) for c in dataset.class_names] if classification else None
    n_out = len(dataset.class_names) if classification else 1
    print(f"data: {options['data']}: {dataset!r}")
    held_out = f"{len(x_test)} test samples" if options["test_size"] else "no held-out test set (--test-size 0)"
    print(f"{len(x_train)} training samples, {held_out}, {dataset.n_features} features, "
          + (f"{n_out} classes" if classification else f"regression target {dataset.target_name!r}"))
    print(net.summary())

    fit_options = dict(
        loss="softmax_cross_entropy" if classification else "mse",
        optimizer=axonal.optimizers.get(options["optimizer"], learning_rate=options["learning_rate"],
                                        **({"l2": options["l2"]} if options["l2"] else {})),
        epochs=options["epochs"], batch_size=options["batch_size"] or None, seed=options["seed"],
        schedule=_schedule(options),
        metrics=["accuracy"] if classification else ["r2"], progress=options["progress"],
        validation_split=options["validation_split"], patience=options["patience"],
    )
    history = net.fit(x_train, y_train, **fit_options)
    why = {"epochs": "all epochs run", "no_improvement": f"no improvement; best epoch {history.best_epoch} kept",
           "error": "error threshold reached"}.get(history.stop_reason, history.stop_reason)
    print(f"trained {len(history)} epochs ({why}); final training loss {history[-1]:.5g}")
    if not options["test_size"]:
        x_test, y_test = x_train, y_train
        print("(the scores below are on the training data: there is no held-out test set)")

    results = {}
    if classification:
        probabilities = net.predict_proba(x_test)
        predicted = probabilities.argmax(axis=1)
        results["test_accuracy"] = metrics.accuracy(y_test, predicted)
        precision, recall, f1 = metrics.precision_recall_f1(y_test, predicted, labels=list(range(n_out)))
        results.update(test_precision=float(precision), test_recall=float(recall), test_f1=float(f1))
        matrix = metrics.confusion_matrix(y_test, predicted, labels=list(range(n_out)))
        print(f"test accuracy: {results['test_accuracy']:.4f}   macro F1: {f1:.4f}")
        print("confusion matrix (rows: true class, columns: predicted):")
        print(metrics.format_confusion_matrix(matrix, [str(c) for c in dataset.class_names]))
    else:
        predicted = net.predict(x_test)[:, 0]
        results = {"test_mse": metrics.mean_squared_error(y_test, predicted),
                   "test_mae": metrics.mean_absolute_error(y_test, predicted),
                   "test_r2": metrics.r2_score(y_test, predicted)}
        print("test MSE: {test_mse:.5g}   MAE: {test_mae:.5g}   R²: {test_r2:.4f}".format(**results))

    metadata = {
        "data": options["data"], "target": dataset.target_name, "features": dataset.feature_names,
        "ignored": options["ignore"],
        "task": "classification" if classification else "regression",
        "training": {k: options[k] for k in ("hidden", "activation", "dropout", "optimizer", "learning_rate",
                                              "schedule", "l2", "epochs", "batch_size", "test_size", "seed", "scale",
                                              "target_type", "delimiter")},
        "epochs_trained": len(history), "stop_reason": history.stop_reason,
        "results": {k: round(float(v), 6) for k, v in results.items()},
    }
    axonal.io.save(net, options["output"], metadata=metadata)
    print(f"model written to {options['output']}")
    _maybe_plot(history, options)
    return 0


def _train_task(o, given) -> int:
    """``axonal train --task NAME``: a ready-made recurrent run (see axonal.task_recipes)."""
    import axonal
    from axonal import task_recipes
    _check_outputs(o)
    units = o["hidden_sizes"][0] if "hidden" in given and o["hidden_sizes"] else None
    print(f"task: {o['task']}, cell: {o['cell']}")
    net, history, results, extra = task_recipes.run(
        o["task"], units=units, epochs=o["epochs"] if "epochs" in given else None,
        learning_rate=o["learning_rate"] if "learning_rate" in given else None, cell=o["cell"], seed=o["seed"],
        progress=o["progress"])
    print(net.summary())
    print(f"trained {len(history)} epochs; final training loss {history[-1]:.5g}")
    for key, value in results.items():
        print(f"{key}: {value:.5g}" if isinstance(value, float) else f"{key}:\n{value}")
    metadata = {"task": o["task"], "cell": o["cell"], "seed": o["seed"], "epochs_trained": len(history),
                "results": {k: round(v, 6) for k, v in results.items() if isinstance(v, float)}, **extra}
    axonal.io.save(net, o["output"], metadata=metadata)
    print(f"model written to {o['output']}")
    _maybe_plot(history, o)
    return 0


def _train_options(args) -> dict:
    options = dict(DEFAULTS)
    if args.config:
        from_config = _read_config(args.config)
        options.update(from_config)
        args._config_keys = set(from_config)
    for key in DEFAULTS:
        value = getattr(args, key, None)
        if value is not None:
            options[key] = value
    if options["data"] == "xor" and "test_size" not in _given(args):
        options["test_size"] = 0.0  # four rows: nothing can be held out
    _check_train_options(options)
    return options


def _given(args) -> set:
    """Options set on the command line or in the config file."""
    given = {k for k in DEFAULTS if getattr(args, k, None) is not None}
    return given | set(getattr(args, "_config_keys", ()))


# name -> (kind, required?) for values read from a TOML file; the command line's types come from argparse
_KINDS = {
    "data": str, "target": str, "target_type": str, "delimiter": str, "hidden": (str, list, int), "activation": str,
    "dropout": float, "optimizer": str, "learning_rate": float, "schedule": str, "l2": float, "epochs": int,
    "batch_size": int, "test_size": float, "validation_split": float, "patience": int, "scale": str,
    "seed": int, "output": str, "plot": str, "no_plot": bool, "progress": bool, "ignore": (str, list),
    "task": str, "cell": str,
}


def _read_config(path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise UsageError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None
    if isinstance(raw.get("train"), dict):
        if set(raw) - {"train"}:
            raise UsageError(f"config file {path}: put every option in the [train] table, or none "
                             f"(found {', '.join(sorted(set(raw) - {'train'}))} outside it)")
        raw = raw["train"]
    options = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in _KINDS:
            raise UsageError(f"config file {path}: unknown option {key!r}; known: "
                             f"{', '.join(sorted(k.replace('_', '-') for k in _KINDS))}")
        kinds = _KINDS[name] if isinstance(_KINDS[name], tuple) else (_KINDS[name],)
        ok = any(isinstance(value, k) and not (isinstance(value, bool) and k is not bool) for k in kinds)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            wanted = " or ".join({str: "a string", int: "an integer", float: "a number", bool: "true or false",
                                  list: "a list"}[k] for k in kinds)
            raise UsageError(f"config file {path}: {key} must be {wanted}, got {value!r}")
        if name == "hidden" and isinstance(value, list):
            value = ",".join(str(v) for v in value)
        if name == "ignore" and isinstance(value, list):
            value = ",".join(str(v) for v in value)
        options[name] = value
    return options


def _check_train_options(o):
    def number(key, low, high, low_open=False, high_open=False, integer=False):
        value = o[key]
        label = "--" + key.replace("_", "-")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or (integer and value != int(value)):
            raise UsageError(f"{label} must be {'an integer' if integer else 'a finite number'}, got {value!r}")
        if value < low or (low_open and value == low) or value > high or (high_open and value == high):
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            raise UsageError(f"{label} must be in {left}{low}, {high}{right}, got {value!r}")

    number("epochs", 1, math.inf, integer=True)
    number("batch_size", 0, math.inf, integer=True)
    if o["patience"] is not None:
        number("patience", 1, math.inf, integer=True)
    number("test_size", 0, 1, high_open=True)
    if o["validation_split"] is not None:
        number("validation_split", 0, 1, low_open=True, high_open=True)
    number("dropout", 0, 1, high_open=True)
    number("learning_rate", 0, math.inf, low_open=True)
    number("l2", 0, math.inf)
    number("seed", 0, 2**63 - 1, integer=True)
    o["hidden_sizes"] = _hidden_sizes(o["hidden"])
    o["ignore_columns"] = [c.strip() for c in str(o["ignore"] or "").split(",") if c.strip()]
    for key, choices in (("scale", ("standard", "minmax", "none")), ("target_type", ("auto", "classification", "regression"))):
        if o[key] not in choices:
            raise UsageError(f"--{key.replace('_', '-')} must be {', '.join(choices)}; got {o[key]!r}")
    if not isinstance(o["delimiter"], str) or len(o["delimiter"]) != 1:
        raise UsageError(f"--delimiter must be one character, e.g. ';' or '\\t'; got {o['delimiter']!r}")
    if o["task"] is not None and o["task"] not in ("dsr", "erg", "timing", "adding", "copy", "text"):
        raise UsageError(f"unknown task {o['task']!r}; valid: dsr, erg, timing, adding, copy, text")
    if o["cell"] not in ("lstm", "gru", "simple_rnn"):
        raise UsageError(f"unknown cell {o['cell']!r}; valid: lstm, gru, simple_rnn")
    if o["data"] not in BUNDLED and o["task"] is None:
        if not Path(o["data"]).exists():
            raise UsageError(f"data file {o['data']} does not exist (or name a bundled set: {', '.join(BUNDLED)})")
        if o["target"] is None:
            raise UsageError(f"--target is required with --data {o['data']} (the CSV column to predict)")
    from axonal import activations, optimizers, schedules
    if str(o["optimizer"]).lower() not in optimizers.names():
        raise UsageError(f"unknown optimizer {o['optimizer']!r}; valid: {', '.join(optimizers.names())}")
    if o["schedule"] not in _SCHEDULES:
        raise UsageError(f"unknown schedule {o['schedule']!r}; valid: {', '.join(_SCHEDULES)}")
    schedules.get(_schedule(o), o["learning_rate"], epochs=o["epochs"])  # complete and valid
    try:
        activations.get(o["activation"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if o["plot"] is None and not o["no_plot"]:
        o["plot_default"] = True
        o["plot"] = str(Path(o["output"]).with_suffix("")) + "_loss.png"


# The schedules the command offers, each with settings that suit a run of `epochs` epochs.
_SCHEDULES = ("constant", "cosine", "step", "exponential", "inverse_time", "warmup", "plateau")


def _schedule(o):
    epochs, name = o["epochs"], o["schedule"]
    return {
        "constant": None,
        "cosine": {"name": "cosine", "epochs": epochs},                           # down to 0 at the end
        "step": {"name": "step_decay", "step_size": max(1, epochs // 3), "gamma": 0.1},
        "exponential": {"name": "exponential", "gamma": 0.01 ** (1 / epochs)},   # 1% of the rate at the end
        "inverse_time": {"name": "inverse_time", "decay": 9 / epochs},           # a tenth at the end
        "warmup": {"name": "warm_up", "epochs": max(1, epochs // 10),
                   "then": {"name": "cosine", "epochs": max(1, epochs - max(1, epochs // 10))}},
        "plateau": {"name": "reduce_on_plateau", "factor": 0.5, "patience": 5},
    }[name]


def _check_outputs(o):
    """Everything that could fail after training is checked before it."""
    for key in ("output",) + (("plot",) if o["plot"] else ()):
        target = Path(o[key])
        if target.is_dir():
            raise UsageError(f"--{key} {target} is a directory; give a file name")
        folder = target.parent
        if not folder.is_dir():
            raise UsageError(f"--{key} {target}: the directory {folder} does not exist")
        if not os.access(folder, os.W_OK):
            raise UsageError(f"--{key} {target}: the directory {folder} is not writable")
    if o["plot"] and not o.get("plot_default"):
        from axonal import plotting
        if not plotting.matplotlib_available():
            raise UsageError('--plot needs matplotlib: pip install "axonal[plot]"')


def _split(dataset, o):
    from axonal import data
    x, y = dataset.as_tuple()
    if not o["test_size"]:
        return x, x[:0], y, y[:0]
    classification = dataset.class_names is not None
    try:
        return data.train_test_split(x, y, o["test_size"], stratify=y if classification else None, seed=o["seed"])
    except ValueError as exc:
        hint = ""
        if classification and o["target_type"] == "auto" and all(isinstance(c, int) for c in dataset.class_names):
            hint = " (if the target is a number to predict, give --target-type regression)"
        raise UsageError(f"{_one_line(exc)}{hint}") from None


def _label(value):
    """A class label as the model file keeps it: strings and integers as they are, other numbers as text."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return str(value)


def _hidden_sizes(text):
    text = str(text).strip()
    if text in ("", "0"):
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--hidden must be sizes separated by commas, e.g. 64,32; got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise UsageError(f"--hidden sizes must be positive, got {text!r}")
    return sizes


def _load_training_data(o):
    from axonal import data
    if o["data"] in BUNDLED:
        return _bundled(o["data"])
    features = None
    if o["ignore_columns"]:
        header = data.read_header_row(o["data"], delimiter=o["delimiter"])
        unknown = [c for c in o["ignore_columns"] if c not in header]
        if unknown:
            raise UsageError(f"--ignore names columns {unknown} that {o['data']} does not have")
        features = [c for c in header if c != o["target"] and c not in o["ignore_columns"]]
    return data.load_csv(o["data"], o["target"], task=o["target_type"], delimiter=o["delimiter"],
                         features=features)


def _bundled(name):
    from axonal import data
    return {"digits": data.load_digits, "xor": data.load_xor, "regression": data.load_regression}[name]()


def _build_network(o, dataset):
    from axonal import Dense, Dropout, MinMaxScale, Sequential, Standardize
    layers = []
    if o["scale"] == "standard":
        layers.append(Standardize())
    elif o["scale"] == "minmax":
        layers.append(MinMaxScale())
    for size in o["hidden_sizes"]:
        layers.append(Dense(size, o["activation"]))
        if o["dropout"]:
            layers.append(Dropout(o["dropout"]))
    n_out = len(dataset.class_names) if dataset.class_names is not None else 1
    layers.append(Dense(n_out))
    return Sequential(layers, input_dim=dataset.n_features, seed=o["seed"])


def _maybe_plot(history, o):
    if o["no_plot"] or not o["plot"]:
        return
    from axonal import plotting
    if not plotting.matplotlib_available():
        print('(no loss plot: pip install "axonal[plot]" to get one)')
        return
    plotting.plot_history(history, o["plot"], title="axonal train")
    print(f"loss curves written to {o['plot']}")


# -- evaluate / predict / info -------------------------------------------------------------
def _load_model(path):
    from axonal import io as model_io
    if not Path(path).exists():
        raise UsageError(f"model file {path} does not exist")
    return model_io.load(path)


def _model_columns(net):
    """(feature names or None, target name or None) recorded by `axonal train`."""
    meta = getattr(net, "metadata_", None) or {}
    features = meta.get("features")
    return (features if isinstance(features, list) else None), meta.get("target")


def _features_of(net, path, delimiter, exclude=()):
    """The model's feature columns of a CSV file: by name, or (for a model saved from Python)
    every column but ``exclude``, in order."""
    from axonal import data
    features, _ = _model_columns(net)
    if features is None:
        header = data.read_header_row(path, delimiter=delimiter)
        features = [c for c in header if c not in exclude]
    return data.read_features(path, features, delimiter=delimiter)


def _bundled_for_model(net, name):
    """A bundled set; its held-out part when the model was trained on it by `axonal train`."""
    from axonal import data
    ds = _bundled(name)
    meta = getattr(net, "metadata_", None) or {}
    training = meta.get("training") or {}
    if meta.get("data") == name and training.get("test_size"):
        classification = ds.class_names is not None
        _, x_test, _, y_test = data.train_test_split(ds.x, ds.y, training["test_size"],
                                                     stratify=ds.y if classification else None,
                                                     seed=training.get("seed", 0))
        print(f"({name}: the {len(x_test)} samples held out when the model was trained)", file=sys.stderr)
        return x_test, y_test, ds
    return ds.x, ds.y, ds


def _labelled_data(net, data_arg, target, delimiter):
    """Features in the model's order and targets coded as the model's classes."""
    from axonal import data
    features, trained_target = _model_columns(net)
    if data_arg in BUNDLED:
        x, y, ds = _bundled_for_model(net, data_arg)
        labels = [ds.class_names[c] for c in y] if ds.class_names is not None else y
    else:
        target = target or trained_target
        if target is None:
            raise UsageError("--target is required: the model file does not name its target column")
        if not Path(data_arg).exists():
            raise UsageError(f"data file {data_arg} does not exist")
        task = "classification" if net.classes_ is not None else "regression"
        if features is None:
            header = data.read_header_row(data_arg, delimiter=delimiter)
            features = [c for c in header if c != target]
        ds = data.load_csv(data_arg, target, features=features, task=task, delimiter=delimiter)
        x = ds.x
        labels = [ds.class_names[c] for c in ds.y] if ds.class_names is not None else ds.y
    _check_feature_count(net, x, data_arg)
    if net.classes_ is None:
        return x, np.asarray(labels, dtype=np.float32)
    known = {str(c): i for i, c in enumerate(net.classes_)}
    as_text = [str(_label(v)) for v in labels]
    unknown = sorted({v for v in as_text if v not in known})
    if unknown:
        raise ValueError(f"{data_arg}: labels {unknown[:5]} are not classes of the model "
                         f"({', '.join(map(str, net.classes_))})")
    return x, np.array([known[v] for v in as_text], dtype=np.int64)


def _check_feature_count(net, x, where):
    if x.shape[1] != net.input_shape[0]:
        raise ValueError(f"{where} has {x.shape[1]} feature columns; the model takes {net.input_shape[0]}")


def _outputs(net, x):
    """Probabilities for a model trained on logits, plain outputs otherwise."""
    return net.predict_proba(x) if net.loss_ is not None else net.predict(x)


def cmd_evaluate(args) -> int:
    from axonal import metrics
    net = _load_model(args.model)
    x, y = _labelled_data(net, args.data, args.target, args.delimiter)
    outputs = _outputs(net, x)
    if net.classes_ is not None:
        predicted = outputs.argmax(axis=1)
        labels = list(range(len(net.classes_)))
        p, r, f1 = metrics.precision_recall_f1(y, predicted, labels=labels)
        print(f"{len(y)} samples   accuracy: {metrics.accuracy(y, predicted):.4f}   "
              f"macro precision: {p:.4f}   recall: {r:.4f}   F1: {f1:.4f}")
        print("confusion matrix (rows: true class, columns: predicted):")
        print(metrics.format_confusion_matrix(metrics.confusion_matrix(y, predicted, labels=labels),
                                              [str(c) for c in net.classes_]))
    else:
        predicted = outputs[:, 0]
        print(f"{len(y)} samples   MSE: {metrics.mean_squared_error(y, predicted):.5g}   "
              f"MAE: {metrics.mean_absolute_error(y, predicted):.5g}   R²: {metrics.r2_score(y, predicted):.4f}")
    return 0


def cmd_predict(args) -> int:
    net = _load_model(args.model)
    if args.output and Path(args.output).resolve() == Path(args.model).resolve():
        raise UsageError(f"--output {args.output} is the model file; choose another name")
    if args.data in BUNDLED:
        x = _bundled(args.data).x
    else:
        if not Path(args.data).exists():
            raise UsageError(f"data file {args.data} does not exist")
        _, target = _model_columns(net)
        x = _features_of(net, args.data, args.delimiter, exclude=(target,))
    _check_feature_count(net, x, args.data)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    outputs = _outputs(net, x)
    if net.classes_ is not None:
        writer.writerow(["prediction"] + [f"p_{c}" for c in net.classes_])
        for row in outputs:
            writer.writerow([net.classes_[int(row.argmax())]] + [f"{p:.6g}" for p in row])
    else:
        writer.writerow(["prediction"] if outputs.shape[1] == 1 else [f"prediction_{i}" for i in range(outputs.shape[1])])
        for row in outputs:
            writer.writerow([f"{v:.7g}" for v in row])
    if args.output:
        Path(args.output).write_text(out.getvalue(), encoding="utf-8")
        print(f"{len(x)} predictions written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(out.getvalue())
    return 0


def cmd_info(args) -> int:
    net = _load_model(args.model)
    from axonal import io as model_io
    header = model_io.read_header(args.model)
    meta = getattr(net, "metadata_", None) or {}
    print(f"{args.model}: axonal model file, written by axonal {header.get('axonal_version', '?')}")
    print(net.summary())
    if net.classes_ is not None:
        print(f"classes: {', '.join(map(str, net.classes_))}")
    if net.loss_ is not None:
        print(f"loss: {net.loss_.name}")
    if getattr(net, "optimizer_", None) is not None:
        print(f"optimizer: {net.optimizer_!r}, {net.optimizer_.iterations} steps")
    for key, value in meta.items():
        if isinstance(value, list) and len(value) > 8:
            value = ", ".join(map(str, value[:8])) + f", ... ({len(value)} in all)"
        print(f"{key}: {value}")
    return 0


# -- plot / export ---------------------------------------------------------------------------
def _output_for(args, suffix) -> str:
    """``--output``, or the model's path with ``suffix``; never the model file itself."""
    output = args.output or str(Path(args.model).with_suffix(suffix))
    if Path(output).resolve() == Path(args.model).resolve():
        raise UsageError(f"--output {output} is the model file; choose another name")
    if Path(output).is_dir():
        raise UsageError(f"--output {output} is a directory; give a file name")
    return output


def cmd_plot(args) -> int:
    from axonal import export
    net = _load_model(args.model)
    output = _output_for(args, f".{args.format}")
    export.save_diagram(net, output, format=args.format)
    print(output)
    return 0


def cmd_export(args) -> int:
    from axonal import export
    net = _load_model(args.model)
    output = _output_for(args, ".py")
    export.save_python(net, output)
    print(output)
    return 0


def _version():
    from axonal import __version__
    return __version__


if __name__ == "__main__":
    sys.exit(main())
