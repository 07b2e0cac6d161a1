"""The command line's grammar: commands, options and their defaults."""

from __future__ import annotations

import argparse

__all__ = ["build_parser", "DEFAULTS", "BUNDLED", "EXIT_USAGE", "UsageError"]

EXIT_USAGE = 2
BUNDLED = ("digits", "xor", "regression")

# The default network for `axonal train`: reaches >= 97% test accuracy on the digits. The options
# that are None here are chosen from the data (options.adapt_to_data): the epochs from a budget of
# optimizer updates, the learning rate from the depth, early stopping from the size.
DEFAULTS = {
    "data": "digits", "target": None, "target_type": "auto", "hidden": "128,64", "activation": "relu",
    "dropout": 0.0, "optimizer": "adam", "learning_rate": None, "schedule": "cosine", "l2": 0.001, "epochs": None,
    "batch_size": 32, "test_size": 0.2, "validation_split": None, "patience": None, "scale": "standard",
    "seed": 0, "output": "model.axonal", "plot": None, "no_plot": False, "progress": None,
    "delimiter": ",", "ignore": None, "task": None, "cell": "lstm", "checkpoint": None, "checkpoint_every": 1,
    "missing": "error", "categorical": "auto", "distributed": False,
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
    train.add_argument("--missing", choices=["error", "mean", "median", "drop"],
                       help="missing CSV cells (empty, NA, ?): refuse them, fill them with the column's mean or "
                            "median (categories: the most frequent, kept in the model), or drop their rows "
                            "(default: error)")
    train.add_argument("--categorical", metavar="auto|none|COL,COL",
                       help="CSV columns read as categories, one 0/1 feature each; auto: the columns that hold no "
                            "number (default: auto)")
    train.add_argument("--hidden", metavar="N,N,...", help="hidden layer sizes, e.g. 64,32; 0 or '' for none "
                                                             "(default: 128,64)")
    train.add_argument("--activation", help="hidden activation (default: relu)")
    train.add_argument("--dropout", type=float, metavar="RATE", help="dropout after each hidden layer (default: 0)")
    train.add_argument("--optimizer", help="sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, rprop "
                                           "(default: adam)")
    train.add_argument("--learning-rate", type=float, metavar="RATE",
                       help="default: 0.002 with hidden layers, 0.01 without (--hidden 0)")
    train.add_argument("--schedule", metavar="NAME",
                       help="learning-rate schedule: constant, cosine, step, exponential, inverse_time, "
                            "warmup, plateau (default: cosine, from the rate down to 0 over the epochs)")
    train.add_argument("--l2", type=float, metavar="LAMBDA", help="L2 weight penalty (default: 0.001)")
    train.add_argument("--epochs", type=int, help="default: from the data size, about 3600 optimizer updates "
                                                  "(80 epochs on the digits), 20 to 2000 epochs")
    train.add_argument("--batch-size", type=int, metavar="N", help="default: 32; 0 for the whole set")
    train.add_argument("--test-size", type=float, metavar="FRACTION",
                       help="held-out test fraction (default: 0.2; 0 trains on everything, as for xor)")
    train.add_argument("--validation-split", type=float, metavar="FRACTION",
                       help="fraction of the training part used for validation (default: 0.1, with --patience "
                            "max(10, epochs/10), from 2000 training samples on; else none)")
    train.add_argument("--patience", type=int, metavar="EPOCHS",
                       help="stop after this many epochs without improvement and keep the best weights")
    train.add_argument("--scale", choices=["standard", "minmax", "none"], help="input scaling kept in the model "
                                                                              "(default: standard)")
    train.add_argument("--seed", type=int, help="seed for the split, the weights and the shuffling (default: 0)")
    train.add_argument("--output", "-o", metavar="MODEL", help="model file to write (default: model.axonal)")
    train.add_argument("--checkpoint", metavar="FILE", help="write a checkpoint of the run after every "
                                                             "--checkpoint-every epochs (to continue with --resume)")
    train.add_argument("--checkpoint-every", type=int, metavar="EPOCHS", help="default: 1")
    train.add_argument("--resume", metavar="FILE", help="continue the run saved in this checkpoint, with the "
                                                         "options it was started with; the result is that of "
                                                         "an uninterrupted run")
    train.add_argument("--distributed", action="store_true", default=None,
                       help="train data-parallel over the ranks of mpiexec (mpiexec -n 4 axonal train ... "
                            "--distributed): each rank learns from its share of every batch, one Allreduce per "
                            "step; rank 0 alone prints and writes the files (needs pip install \"axonal[mpi]\")")
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

    diagnose = sub.add_parser("diagnose", help="say what may keep a model from learning, measured on data",
                              description="Measure a model on labelled data without training it: input scale, "
                                          "class balance, a feature equal to the target, a softmax applied twice, "
                                          "per-layer gradient norms, dead and saturated units, the loss against "
                                          "its chance level; print each problem with its fix.")
    diagnose.add_argument("model", metavar="MODEL")
    diagnose.add_argument("data", metavar="DATA", help="a CSV file with the target column, or a bundled set")
    diagnose.add_argument("--target", metavar="COLUMN", help="default: the column the model was trained on")
    diagnose.add_argument("--delimiter", default=",", metavar="CHAR")

    plot = sub.add_parser("plot", help="draw a model's layers and connections (SVG or Graphviz DOT)",
                          description="Write a diagram of a model file: one box per layer, arrows for "
                                      "connections, dashed lines for gates.")
    plot.add_argument("model", metavar="MODEL")
    plot.add_argument("--format", choices=["svg", "dot"], default="svg", help="default: svg")
    plot.add_argument("--output", "-o", metavar="FILE", help="default: MODEL with the format's suffix")

    export = sub.add_parser("export", help="write a model as standalone Python, ONNX or JavaScript",
                            description="Write a model for use without axonal. python (the default): a module "
                                        "with the weights inlined that needs only the standard library, "
                                        "predict(x) for one sample (and predict_proba, predict_class for a "
                                        "classifier); onnx: an ONNX model (needs pip install \"axonal[onnx]\"); "
                                        "js: a JavaScript module.")
    export.add_argument("model", metavar="MODEL")
    export.add_argument("--format", choices=["python", "onnx", "js"], default="python", help="default: python")
    export.add_argument("--output", "-o", metavar="FILE",
                        help="default: MODEL with the format's suffix (.py, .onnx, .js)")
    return parser


def _version():
    from .._version import __version__
    return __version__
