"""Using a model file: ``axonal evaluate``, ``predict`` and ``info``."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np

from ..export.escape import csv_text
from ..names import printable
from .output import say
from .parser import BUNDLED, UsageError
from .train import bundled, label

__all__ = ["cmd_evaluate", "cmd_predict", "cmd_info", "load_model"]


def load_model(path, *, hopfield_ok: bool = False):
    """The network (or, with ``hopfield_ok``, the Hopfield memory) saved in ``path``."""
    from axonal import io as model_io
    from axonal.hopfield import Hopfield
    if not Path(path).exists():
        raise UsageError(f"model file {path} does not exist")
    model = model_io.load(path)
    if isinstance(model, Hopfield) and not hopfield_ok:
        raise UsageError(f"{path} holds a Hopfield memory, which recalls patterns rather than predicting "
                         f"from features; use axonal.load and its recall() from Python ('axonal info' "
                         f"describes it)")
    return model


def _model_columns(net):
    """(feature names or None, target name or None) recorded by `axonal train`."""
    meta = getattr(net, "metadata_", None) or {}
    features = meta.get("features")
    return (features if isinstance(features, list) else None), meta.get("target")


def _recipe(net):
    """How `axonal train` prepared the CSV columns (missing cells, categories), or None."""
    meta = getattr(net, "metadata_", None) or {}
    return meta.get("columns")


def _features_of(net, path, delimiter, exclude=()):
    """The model's feature columns of a CSV file: prepared as at training, by name, or (for a model
    saved from Python) every column but ``exclude``, in order."""
    from axonal import data
    if _recipe(net) is not None:
        return data.read_features(path, recipe=_recipe(net), delimiter=delimiter)
    features, _ = _model_columns(net)
    if features is None:
        header = data.read_header_row(path, delimiter=delimiter)
        features = [c for c in header if c not in exclude]
    return data.read_features(path, features, delimiter=delimiter)


def _bundled_for_model(net, name):
    """A bundled set; its held-out part when the model was trained on it by `axonal train`."""
    from axonal import data
    ds = bundled(name)
    meta = getattr(net, "metadata_", None) or {}
    training = meta.get("training") or {}
    if meta.get("data") == name and training.get("test_size"):
        classification = ds.class_names is not None
        _, x_test, _, y_test = data.train_test_split(ds.x, ds.y, training["test_size"],
                                                     stratify=ds.y if classification else None,
                                                     seed=training.get("seed", 0))
        say(f"({name}: the {len(x_test)} samples held out when the model was trained)", file=sys.stderr)
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
        recipe = _recipe(net)
        ds = data.load_csv(data_arg, target, features=None if recipe else features, task=task, delimiter=delimiter,
                           recipe=recipe)
        x = ds.x
        labels = [ds.class_names[c] for c in ds.y] if ds.class_names is not None else ds.y
    _check_feature_count(net, x, data_arg)
    if net.classes_ is None:
        return x, np.asarray(labels, dtype=np.float32)
    known = {str(c): i for i, c in enumerate(net.classes_)}
    as_text = [str(label(v)) for v in labels]
    unknown = sorted({v for v in as_text if v not in known})
    if unknown:
        raise ValueError(f"{data_arg}: labels {unknown[:5]} are not classes of the model "
                         f"({', '.join(map(str, net.classes_))})")
    return x, np.array([known[v] for v in as_text], dtype=np.int64)


def _check_feature_count(net, x, where):
    if x.shape[1] != net.input_shape[0]:
        raise ValueError(f"{where} has {x.shape[1]} feature columns; the model takes {net.input_shape[0]}")


def _outputs(net, x):
    """Probabilities for a model trained on logits, plain outputs otherwise; a classifier with one
    output and two classes (the output is the second class's probability) gets both columns."""
    has_link = net.loss_ is not None and getattr(net.loss_, "probabilities", False)
    outputs = net.predict_proba(x) if has_link else net.predict(x)
    if net.classes_ is not None and outputs.shape[1] == 1 and len(net.classes_) == 2:
        outputs = np.concatenate([1.0 - outputs, outputs], axis=1)
    return outputs


def cmd_evaluate(args) -> int:
    from axonal import metrics
    net = load_model(args.model)
    x, y = _labelled_data(net, args.data, args.target, args.delimiter)
    outputs = _outputs(net, x)
    if net.classes_ is not None:
        predicted = outputs.argmax(axis=1)
        labels = list(range(len(net.classes_)))
        p, r, f1 = metrics.precision_recall_f1(y, predicted, labels=labels)
        say(f"{len(y)} samples   accuracy: {metrics.accuracy(y, predicted):.4f}   "
              f"macro precision: {p:.4f}   recall: {r:.4f}   F1: {f1:.4f}")
        say("confusion matrix (rows: true class, columns: predicted):")
        say(metrics.format_confusion_matrix(metrics.confusion_matrix(y, predicted, labels=labels),
                                              [str(c) for c in net.classes_]))
    else:
        predicted = outputs[:, 0]
        say(f"{len(y)} samples   MSE: {metrics.mean_squared_error(y, predicted):.5g}   "
              f"MAE: {metrics.mean_absolute_error(y, predicted):.5g}   R²: {metrics.r2_score(y, predicted):.4f}")
    return 0


def cmd_predict(args) -> int:
    net = load_model(args.model)
    if args.output and Path(args.output).resolve() == Path(args.model).resolve():
        raise UsageError(f"--output {args.output} is the model file; choose another name")
    if args.data in BUNDLED:
        x = bundled(args.data).x
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
        # Class labels are text cells: escaped against formulas (and, on a terminal, control characters).
        text = csv_text if args.output else (lambda value: csv_text(printable(str(value), None)))
        labels = [label if isinstance(label, int) else text(label) for label in net.classes_]
        writer.writerow(["prediction"] + [text(f"p_{c}") for c in net.classes_])
        for row in outputs:
            writer.writerow([labels[int(row.argmax())]] + [f"{p:.6g}" for p in row])
    else:
        writer.writerow(["prediction"] if outputs.shape[1] == 1 else [f"prediction_{i}" for i in range(outputs.shape[1])])
        for row in outputs:
            writer.writerow([f"{v:.7g}" for v in row])
    if args.output:
        Path(args.output).write_text(out.getvalue(), encoding="utf-8")
        say(f"{len(x)} predictions written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(out.getvalue())
    return 0


def cmd_info(args) -> int:
    from axonal import io as model_io
    from axonal.hopfield import Hopfield
    net = load_model(args.model, hopfield_ok=True)
    header = model_io.read_header(args.model)
    if isinstance(net, Hopfield):
        say(f"{args.model}: axonal Hopfield memory, written by axonal {header.get('axonal_version', '?')}")
        say(f"{net.size} {net.units} units, {net.patterns_stored} patterns stored (capacity about "
            f"{net.capacity:.0f}, load factor {net.load_factor:.3f})")
        return 0
    meta = getattr(net, "metadata_", None) or {}
    say(f"{args.model}: axonal model file, written by axonal {header.get('axonal_version', '?')}")
    say(net.summary())
    if net.classes_ is not None:
        say(f"classes: {', '.join(map(str, net.classes_))}", limit=500)
    if net.loss_ is not None:
        say(f"loss: {net.loss_.name}")
    if getattr(net, "optimizer_", None) is not None:
        say(f"optimizer: {net.optimizer_!r}, {net.optimizer_.iterations} steps")
    for key, value in meta.items():
        if isinstance(value, list) and len(value) > 8:
            value = ", ".join(map(str, value[:8])) + f", ... ({len(value)} in all)"
        say(f"{key}: {value}", limit=500)
    return 0
