"""``axonal train``'s options: from the command line and a TOML file, checked before any work."""

from __future__ import annotations

import math
import os
from pathlib import Path

from .parser import BUNDLED, DEFAULTS, UsageError

__all__ = ["train_options", "given", "schedule_spec", "check_outputs", "saved_options", "adapt_to_data"]

#: Training samples from which a default run holds out a validation part and stops early.
EARLY_STOPPING_FROM = 2000

#: Options that say how a run is carried out, not what it learns: left out of the options a model
#: file or checkpoint keeps (a data-parallel run writes the file a single process writes).
NOT_SAVED = ("distributed",)


def train_options(args) -> dict:
    if getattr(args, "resume", None):
        return _resumed_options(args)
    options = dict(DEFAULTS)
    if args.config:
        from_config = _read_config(args.config)
        options.update(from_config)
        args._config_keys = set(from_config)
    for key in DEFAULTS:
        value = getattr(args, key, None)
        if value is not None:
            options[key] = value
    if options["data"] == "xor" and "test_size" not in given(args):
        options["test_size"] = 0.0  # four rows: nothing can be held out
    _check_train_options(options)
    return options


def _resumed_options(args) -> dict:
    """``--resume FILE``: the options the run in FILE was started with (kept in its metadata)."""
    from axonal import io as model_io
    others = sorted(given(args) - {"progress", "checkpoint", "distributed"})
    if others or args.config:
        shown = ", ".join("--" + k.replace("_", "-") for k in others) or "--config"
        raise UsageError(f"--resume continues the run saved in {args.resume} with the options it was started "
                         f"with; do not give {shown}")
    if not Path(args.resume).exists():
        raise UsageError(f"checkpoint {args.resume} does not exist")
    header = model_io.read_header(args.resume)
    saved = header["metadata"].get("train_options") if header["kind"] == "checkpoint" else None
    if not isinstance(saved, dict) or set(saved) != set(DEFAULTS) - set(NOT_SAVED):
        raise UsageError(f"{args.resume} is not a checkpoint written by 'axonal train --checkpoint'")
    options = dict(saved, distributed=bool(getattr(args, "distributed", None)))
    options["checkpoint"] = args.checkpoint or options["checkpoint"] or args.resume
    if args.progress is not None:
        options["progress"] = args.progress
    _check_train_options(options)
    options["resume"] = args.resume
    return options


def given(args) -> set:
    """Options set on the command line or in the config file."""
    given = {k for k in DEFAULTS if getattr(args, k, None) is not None}
    return given | set(getattr(args, "_config_keys", ()))


# name -> (kind, required?) for values read from a TOML file; the command line's types come from argparse
_KINDS = {
    "data": str, "target": str, "target_type": str, "delimiter": str, "hidden": (str, list, int), "activation": str,
    "dropout": float, "optimizer": str, "learning_rate": float, "schedule": str, "l2": float, "epochs": int,
    "batch_size": int, "test_size": float, "validation_split": float, "patience": int, "scale": str,
    "seed": int, "output": str, "plot": str, "no_plot": bool, "progress": bool, "ignore": (str, list),
    "task": str, "cell": str, "checkpoint": str, "checkpoint_every": int, "missing": str, "categorical": (str, list),
    "distributed": bool,
}


def _read_config(path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
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
        kinds: tuple = _KINDS[name] if isinstance(_KINDS[name], tuple) else (_KINDS[name],)  # type: ignore[assignment]
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

    if o["epochs"] is not None:
        number("epochs", 1, math.inf, integer=True)
    number("checkpoint_every", 1, math.inf, integer=True)
    if o["task"] is not None and o["checkpoint"]:
        raise UsageError("--checkpoint and --resume are for training on a table; --task runs a fixed recipe")
    if o["task"] is not None and o["distributed"]:
        raise UsageError("--distributed is for training on a table (--data); --task runs a fixed single-process "
                         "recipe that generates its own sequences in batches of 32 and scores itself on fresh "
                         "ones: run it without --distributed")
    number("batch_size", 0, math.inf, integer=True)
    if o["patience"] is not None:
        number("patience", 1, math.inf, integer=True)
    number("test_size", 0, 1, high_open=True)
    if o["validation_split"] is not None:
        number("validation_split", 0, 1, low_open=True, high_open=True)
    number("dropout", 0, 1, high_open=True)
    if o["learning_rate"] is not None:
        number("learning_rate", 0, math.inf, low_open=True)
    number("l2", 0, math.inf)
    number("seed", 0, 2**63 - 1, integer=True)
    o["hidden_sizes"] = _hidden_sizes(o["hidden"])
    o["ignore_columns"] = [c.strip() for c in str(o["ignore"] or "").split(",") if c.strip()]
    if isinstance(o["categorical"], list) or o["categorical"] not in ("auto", "none"):
        named = o["categorical"] if isinstance(o["categorical"], list) else str(o["categorical"]).split(",")
        o["categorical_columns"] = [str(c).strip() for c in named if str(c).strip()]
    else:
        o["categorical_columns"] = o["categorical"]
    if o["missing"] not in ("error", "mean", "median", "drop"):
        raise UsageError(f"--missing must be error, mean, median or drop; got {o['missing']!r}")
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
    sample = dict(o, epochs=o["epochs"] or 80)
    schedules.get(schedule_spec(sample), o["learning_rate"] or 0.002, epochs=sample["epochs"])  # complete and valid
    try:
        activations.get(o["activation"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if o["plot"] is None and not o["no_plot"]:
        o["plot_default"] = True
        o["plot"] = str(Path(o["output"]).with_suffix("")) + "_loss.png"


# The schedules the command offers, each with settings that suit a run of `epochs` epochs.
_SCHEDULES = ("constant", "cosine", "step", "exponential", "inverse_time", "warmup", "plateau")


def schedule_spec(o):
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


def adapt_to_data(o, n_train: int) -> dict:
    """The options left to the data (None in ``DEFAULTS``), chosen for ``n_train`` training samples.

    * ``epochs``: a budget of 3600 optimizer updates, ``⌈3600 / ⌈n_fit / batch⌉⌉`` epochs in
      [20, 2000] (``n_fit``: the samples left after validation; :func:`axonal.training.fit.budget_epochs`),
      so a 150-row table gets as many updates as the digits do (80 epochs of 45 batches), not 320;
    * ``learning_rate``: 0.002 for a network with hidden layers (Adam), 0.01 for a single layer
      (softmax or linear regression: a convex loss on standardised inputs, which a larger step
      reaches in the same budget);
    * ``validation_split`` 0.1 and ``patience`` ``max(10, epochs // 10)``, restoring the best
      weights, from ``EARLY_STOPPING_FROM`` training samples on (a validation part of 200 or more
      samples measures the loss well enough to stop on it; on less, the noise would stop early).

    Returns the options with those filled in (the others as given).
    """
    o = dict(o)
    if o["learning_rate"] is None:
        o["learning_rate"] = 0.002 if o["hidden_sizes"] else 0.01
    if o["validation_split"] is None and o["patience"] is None and n_train >= EARLY_STOPPING_FROM:
        o["validation_split"] = 0.1
    n_fit = n_train - int(n_train * o["validation_split"]) if o["validation_split"] else n_train
    if o["epochs"] is None:
        from axonal.training.fit import budget_epochs
        o["epochs"] = budget_epochs(n_fit, o["batch_size"] or None)
    if o["validation_split"] and o["patience"] is None and n_train >= EARLY_STOPPING_FROM:
        o["patience"] = max(10, o["epochs"] // 10)
    return o


def check_outputs(o):
    """Everything that could fail after training is checked before it."""
    for key in ("output",) + (("plot",) if o["plot"] else ()) + (("checkpoint",) if o.get("checkpoint") else ()):
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


def saved_options(o) -> dict:
    """The options as given (before defaults were derived), kept in checkpoints for ``--resume``
    (without :data:`NOT_SAVED`: ``--distributed`` changes how the run is carried out, not its file)."""
    saved = {k: o[k] for k in DEFAULTS if k not in NOT_SAVED}
    if o.get("plot_default"):
        saved["plot"] = None
    return saved
