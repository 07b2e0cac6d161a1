"""The ``axonal`` command: train, evaluate, predict and inspect models from a shell.

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
import sys
from pathlib import Path

import numpy as np

EXIT_USAGE = 2
BUNDLED = ("digits", "xor", "regression")

# The default network for `axonal train`: reaches >= 97% test accuracy on the digits.
DEFAULTS = {
    "data": "digits", "target": None, "task": "auto", "hidden": "128,64", "activation": "relu",
    "dropout": 0.0, "optimizer": "adam", "learning_rate": 0.002, "schedule": "cosine", "l2": 0.001, "epochs": 80,
    "batch_size": 32, "test_size": 0.2, "validation_split": None, "patience": None, "scale": "standard",
    "seed": 0, "output": "model.axonal", "plot": None, "no_plot": False, "progress": None,
    "delimiter": ",",
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
    train.add_argument("--data", metavar="FILE.csv|NAME",
                       help=f"a CSV file with a header row, or a bundled set: {', '.join(BUNDLED)} (default: digits)")
    train.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    train.add_argument("--task", choices=["auto", "classification", "regression"],
                       help="what the target is (default: auto)")
    train.add_argument("--delimiter", metavar="CHAR", help="CSV field separator (default: ,)")
    train.add_argument("--hidden", metavar="N,N,...", help="hidden layer sizes, e.g. 64,32; 0 or '' for none "
                                                             "(default: 128,64)")
    train.add_argument("--activation", help="hidden activation (default: relu)")
    train.add_argument("--dropout", type=float, metavar="RATE", help="dropout after each hidden layer (default: 0)")
    train.add_argument("--optimizer", help="sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, rprop "
                                           "(default: adam)")
    train.add_argument("--learning-rate", type=float, metavar="RATE", help="default: 0.002")
    train.add_argument("--schedule", metavar="NAME",
                       help="learning-rate schedule: constant, cosine, exponential, inverse_time, step, "
                            "plateau (default: cosine, from the rate down to 0 over the epochs)")
    train.add_argument("--l2", type=float, metavar="LAMBDA", help="L2 weight penalty (default: 0.001)")
    train.add_argument("--epochs", type=int, help="default: 80")
    train.add_argument("--batch-size", type=int, metavar="N", help="default: 32; 0 for the whole set")
    train.add_argument("--test-size", type=float, metavar="FRACTION", help="held-out test fraction (default: 0.2)")
    train.add_argument("--validation-split", type=float, metavar="FRACTION",
                       help="fraction of the training part used for validation")
    train.add_argument("--patience", type=int, metavar="EPOCHS",
                       help="stop after this many epochs without improvement and keep the best weights")
    train.add_argument("--scale", choices=["standard", "minmax", "none"], help="input scaling kept in the model "
                                                                              "(default: standard)")
    train.add_argument("--seed", type=int, help="seed for the split, the weights and the shuffling (default: 0)")
    train.add_argument("--output", "-o", metavar="MODEL", help="model file to write (default: model.axonal)")
    train.add_argument("--plot", metavar="FILE.png", help="loss-curve picture (default: next to the model file)")
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
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        return {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict,
                "info": cmd_info}[args.command](args)
    except UsageError as exc:
        print(f"axonal: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("axonal: interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, ImportError, FloatingPointError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        if isinstance(exc, OSError) and exc.filename:
            message = f"{exc.filename}: {exc.strerror or exc}"
        print(f"axonal: error: {message}", file=sys.stderr)
        return EXIT_USAGE


# -- train ------------------------------------------------------------------------------
def cmd_train(args) -> int:
    import axonal
    from axonal import metrics

    options = _train_options(args)
    dataset = _load_training_data(options)
    classification = dataset.class_names is not None
    x, y = dataset.as_tuple()
    x_train, x_test, y_train, y_test = axonal.data.train_test_split(
        x, y, options["test_size"], stratify=y if classification else None, seed=options["seed"])

    net = _build_network(options, dataset)
    net.classes_ = list(dataset.class_names) if classification else None
    n_out = len(dataset.class_names) if classification else 1
    about = dataset.description.splitlines()[0] if dataset.description else repr(dataset)
    print(f"data: {about}")
    print(f"{len(x_train)} training and {len(x_test)} test samples, {dataset.n_features} features, "
          + (f"{n_out} classes" if classification else f"regression target {dataset.target_name!r}"))
    print(net.summary())

    fit_options = dict(
        loss="softmax_cross_entropy" if classification else "mse",
        optimizer=axonal.optimizers.get(options["optimizer"], learning_rate=options["learning_rate"],
                                        **({"l2": options["l2"]} if options["l2"] else {})),
        epochs=options["epochs"], batch_size=options["batch_size"] or None, seed=options["seed"],
        schedule=None if options["schedule"] in (None, "constant") else options["schedule"],
        metrics=["accuracy"] if classification else ["r2"], progress=options["progress"],
        validation_split=options["validation_split"], patience=options["patience"],
    )
    history = net.fit(x_train, y_train, **fit_options)
    print(f"trained {len(history)} epochs ({history.stop_reason}); final training loss {history[-1]:.5g}")

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
        "task": "classification" if classification else "regression",
        "training": {k: options[k] for k in ("hidden", "activation", "dropout", "optimizer", "learning_rate",
                                              "schedule", "l2", "epochs", "batch_size", "test_size", "seed", "scale")},
        "epochs_trained": len(history), "stop_reason": history.stop_reason,
        "results": {k: round(float(v), 6) for k, v in results.items()},
    }
    axonal.io.save(net, options["output"], metadata=metadata)
    print(f"model written to {options['output']}")
    _maybe_plot(history, options)
    return 0


def _train_options(args) -> dict:
    options = dict(DEFAULTS)
    if args.config:
        options.update(_read_config(args.config))
    for key in DEFAULTS:
        value = getattr(args, key, None)
        if value is not None:
            options[key] = value
    _check_train_options(options)
    return options


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
    table = raw.get("train", raw) if isinstance(raw.get("train"), dict) else raw
    options = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in DEFAULTS or name == "no_plot" and not isinstance(value, bool):
            raise UsageError(f"config file {path}: unknown option {key!r}; known: "
                             f"{', '.join(sorted(k.replace('_', '-') for k in DEFAULTS))}")
        if name == "hidden" and isinstance(value, list):
            value = ",".join(str(v) for v in value)
        options[name] = value
    return options


def _check_train_options(o):
    def positive_int(key):
        if isinstance(o[key], bool) or not isinstance(o[key], int) or o[key] < 1:
            raise UsageError(f"--{key.replace('_', '-')} must be a positive integer, got {o[key]!r}")

    positive_int("epochs")
    if not isinstance(o["batch_size"], int) or o["batch_size"] < 0:
        raise UsageError(f"--batch-size must be an integer >= 0, got {o['batch_size']!r}")
    if o["patience"] is not None:
        positive_int("patience")
    for key in ("test_size",):
        if not (isinstance(o[key], (int, float)) and 0 < o[key] < 1):
            raise UsageError(f"--test-size must be a fraction in (0, 1), got {o[key]!r}")
    if o["validation_split"] is not None and not (0 < o["validation_split"] < 1):
        raise UsageError(f"--validation-split must be a fraction in (0, 1), got {o['validation_split']!r}")
    if not (0 <= o["dropout"] < 1):
        raise UsageError(f"--dropout must be in [0, 1), got {o['dropout']!r}")
    if not (isinstance(o["learning_rate"], (int, float)) and o["learning_rate"] > 0):
        raise UsageError(f"--learning-rate must be a positive number, got {o['learning_rate']!r}")
    if not (isinstance(o["l2"], (int, float)) and o["l2"] >= 0):
        raise UsageError(f"--l2 must be a number >= 0, got {o['l2']!r}")
    o["hidden_sizes"] = _hidden_sizes(o["hidden"])
    if o["scale"] not in ("standard", "minmax", "none"):
        raise UsageError(f"--scale must be standard, minmax or none, got {o['scale']!r}")
    if o["data"] not in BUNDLED and o["target"] is None:
        raise UsageError(f"--target is required with --data {o['data']} (the CSV column to predict)")
    from axonal import activations, optimizers, schedules
    if str(o["schedule"]).lower() not in schedules.names() or o["schedule"] in ("from_callable", "rate_list"):
        raise UsageError(f"unknown schedule {o['schedule']!r}; valid: constant, cosine, exponential, "
                         f"inverse_time, step, plateau, warmup")
    if str(o["optimizer"]).lower() not in optimizers.names():
        raise UsageError(f"unknown optimizer {o['optimizer']!r}; valid: {', '.join(optimizers.names())}")
    try:
        activations.get(o["activation"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if o["plot"] is None and not o["no_plot"]:
        o["plot_default"] = True
        o["plot"] = str(Path(o["output"]).with_suffix("")) + "_loss.png"


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
    path = Path(o["data"])
    if not path.exists():
        raise UsageError(f"data file {path} does not exist (or name a bundled set: {', '.join(BUNDLED)})")
    return data.load_csv(path, o["target"], task=o["task"], delimiter=o["delimiter"])


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
        if not o.get("plot_default"):
            raise UsageError('--plot needs matplotlib: pip install "axonal[plot]"')
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


def _model_features(net):
    meta = getattr(net, "metadata_", None) or {}
    return meta.get("features"), meta.get("target")


def _labelled_data(net, data_arg, target, delimiter):
    """Features in the model's order and targets coded as the model's classes."""
    from axonal import data
    features, trained_target = _model_features(net)
    if data_arg in BUNDLED:
        ds = _bundled(data_arg)
    else:
        target = target or trained_target
        if target is None:
            raise UsageError("--target is required: the model file does not name its target column")
        if not Path(data_arg).exists():
            raise UsageError(f"data file {data_arg} does not exist")
        task = "classification" if net.classes_ is not None else "regression"
        ds = data.load_csv(data_arg, target, features=features, task=task, delimiter=delimiter)
    _check_feature_count(net, ds.x, data_arg)
    if net.classes_ is None:
        return ds.x, ds.y
    known = {str(c): i for i, c in enumerate(net.classes_)}
    labels = [str(ds.class_names[code]) for code in ds.y] if ds.class_names is not None else [str(v) for v in ds.y]
    unknown = sorted({label for label in labels if label not in known})
    if unknown:
        raise ValueError(f"{data_arg}: labels {unknown[:5]} are not classes of the model "
                         f"({', '.join(map(str, net.classes_))})")
    return ds.x, np.array([known[label] for label in labels], dtype=np.int64)


def _check_feature_count(net, x, where):
    if x.shape[1] != net.input_shape[0]:
        raise ValueError(f"{where} has {x.shape[1]} feature columns; the model takes {net.input_shape[0]}")


def cmd_evaluate(args) -> int:
    from axonal import metrics
    net = _load_model(args.model)
    x, y = _labelled_data(net, args.data, args.target, args.delimiter)
    if net.classes_ is not None:
        predicted = net.predict_proba(x).argmax(axis=1)
        labels = list(range(len(net.classes_)))
        p, r, f1 = metrics.precision_recall_f1(y, predicted, labels=labels)
        print(f"{len(y)} samples   accuracy: {metrics.accuracy(y, predicted):.4f}   "
              f"macro precision: {p:.4f}   recall: {r:.4f}   F1: {f1:.4f}")
        print("confusion matrix (rows: true class, columns: predicted):")
        print(metrics.format_confusion_matrix(metrics.confusion_matrix(y, predicted, labels=labels),
                                              [str(c) for c in net.classes_]))
    else:
        predicted = net.predict(x)[:, 0]
        print(f"{len(y)} samples   MSE: {metrics.mean_squared_error(y, predicted):.5g}   "
              f"MAE: {metrics.mean_absolute_error(y, predicted):.5g}   R²: {metrics.r2_score(y, predicted):.4f}")
    return 0


def cmd_predict(args) -> int:
    from axonal import data
    net = _load_model(args.model)
    features, _ = _model_features(net)
    if args.data in BUNDLED:
        x = _bundled(args.data).x
    else:
        if not Path(args.data).exists():
            raise UsageError(f"data file {args.data} does not exist")
        x = data.read_features(args.data, features, delimiter=args.delimiter)
    _check_feature_count(net, x, args.data)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if net.classes_ is not None:
        probabilities = net.predict_proba(x)
        writer.writerow(["prediction"] + [f"p_{c}" for c in net.classes_])
        for row in probabilities:
            writer.writerow([net.classes_[int(row.argmax())]] + [f"{p:.6g}" for p in row])
    else:
        outputs = net.predict(x)
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


def _version():
    from axonal import __version__
    return __version__


if __name__ == "__main__":
    sys.exit(main())
