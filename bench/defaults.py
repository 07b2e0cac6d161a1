"""Defaults against scikit-learn on small tables: ``python -m bench.defaults [--quick] [--out FILE.json]``.

Every data set is split five times (``train_test_split(test_size=0.2, random_state=s)``, stratified
for classes, s = 0..4), and on each split every contestant is trained on the training part with
its defaults and scored on the test part (accuracy, or R²):

* ``axonal train``: the command line's path (``axonal.cli.main(["train", "--data", TRAIN.csv,
  "--target", "y", "--test-size", "0", ...])``, then the written model's predictions on the test
  part), with the default network and with ``--hidden 0`` (softmax or linear regression);
* ``NeuralNetClassifier()`` / ``NeuralNetRegressor()`` (:mod:`axonal.sklearn`), after a
  ``StandardScaler``;
* ``MLPClassifier()`` / ``MLPRegressor()`` after a ``StandardScaler`` (``random_state=s``);
* ``LogisticRegression(max_iter=1000)`` / ``Ridge()`` after a ``StandardScaler``.

Every set comes with scikit-learn or is generated (nothing is downloaded). The table printed is
the median score over the splits and the median training time of one fit (seconds, wall clock,
including the command line's reading of the CSV file).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import warnings

import numpy as np


def datasets(quick=False):
    """name -> (X, y, task)."""
    from sklearn import datasets as d
    sets = {
        "iris": (*d.load_iris(return_X_y=True), "classification"),
        "wine": (*d.load_wine(return_X_y=True), "classification"),
        "breast_cancer": (*d.load_breast_cancer(return_X_y=True), "classification"),
        "digits": (*d.load_digits(return_X_y=True), "classification"),
        "make_classification": (*d.make_classification(n_samples=3000, n_features=20, n_informative=8,
                                                        n_classes=3, random_state=0), "classification"),
        "diabetes": (*d.load_diabetes(return_X_y=True), "regression"),
        "friedman1": (*d.make_friedman1(n_samples=1000, noise=1.0, random_state=0), "regression"),
    }
    if quick:
        sets = {k: sets[k] for k in ("iris", "diabetes")}
    return sets


def _csv(path, X, y):
    header = ",".join([f"x{i}" for i in range(X.shape[1])] + ["y"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="", fmt="%.10g")


def _cli(X_train, y_train, X_test, task, seed, extra, folder):
    import axonal
    from axonal.cli import main
    train, model = os.path.join(folder, "train.csv"), os.path.join(folder, "model.axonal")
    _csv(train, X_train, y_train)
    args = ["train", "--data", train, "--target", "y", "--target-type", task, "--test-size", "0",
            "--seed", str(seed), "-o", model, "--no-plot", "--no-progress", *extra]
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        if main(args) != 0:
            raise RuntimeError(f"axonal train failed: {args}")
    net = axonal.io.load(model)
    out = net.predict(X_test.astype(np.float32))
    if task == "classification":
        return np.asarray(net.classes_)[out.argmax(axis=1)]
    return out[:, 0]


def contestants(task):
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from axonal.sklearn import NeuralNetClassifier, NeuralNetRegressor
    if task == "classification":
        return {
            "axonal train": lambda s, f: ("cli", []),
            "axonal train --hidden 0": lambda s, f: ("cli", ["--hidden", "0"]),
            "NeuralNetClassifier": lambda s, f: make_pipeline(StandardScaler(), NeuralNetClassifier(random_state=s)),
            "MLPClassifier": lambda s, f: make_pipeline(StandardScaler(), MLPClassifier(random_state=s)),
            "LogisticRegression": lambda s, f: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        }
    return {
        "axonal train": lambda s, f: ("cli", []),
        "axonal train --hidden 0": lambda s, f: ("cli", ["--hidden", "0"]),
        "NeuralNetRegressor": lambda s, f: make_pipeline(StandardScaler(), NeuralNetRegressor(random_state=s)),
        "MLPRegressor": lambda s, f: make_pipeline(StandardScaler(), MLPRegressor(random_state=s)),
        "Ridge": lambda s, f: make_pipeline(StandardScaler(), Ridge()),
    }


def run(quick=False, splits=5):
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, (X, y, task) in datasets(quick).items():
            row = results[name] = {"task": task, "rows": int(len(X)), "features": int(X.shape[1]), "scores": {},
                                   "seconds": {}}
            for seed in range(splits):
                X_train, X_test, y_train, y_test = train_test_split(
                    X, y, test_size=0.2, random_state=seed, stratify=y if task == "classification" else None)
                for label, make in contestants(task).items():
                    model = make(seed, folder)
                    start = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        if isinstance(model, tuple):
                            predicted = _cli(X_train, y_train, X_test, task, seed, model[1], folder)
                        else:
                            predicted = model.fit(X_train, y_train).predict(X_test)
                    row["seconds"].setdefault(label, []).append(time.perf_counter() - start)
                    score = accuracy_score(y_test, predicted) if task == "classification" else r2_score(y_test, predicted)
                    row["scores"].setdefault(label, []).append(float(score))
            print(name, {k: round(statistics.median(v), 4) for k, v in row["scores"].items()}, flush=True)
    return results


def table(results) -> str:
    lines = []
    for task, metric in (("classification", "accuracy"), ("regression", "R²")):
        rows = {k: v for k, v in results.items() if v["task"] == task}
        if not rows:
            continue
        labels = list(next(iter(rows.values()))["scores"])
        lines.append(f"| {task} set (rows × features) | " + " | ".join(labels) + " |")
        lines.append("|---|" + "---|" * len(labels))
        for name, row in rows.items():
            cells = [f"{statistics.median(row['scores'][k]):.3f} ({statistics.median(row['seconds'][k]):.2f} s)"
                     for k in labels]
            lines.append(f"| {name} ({row['rows']} × {row['features']}) | " + " | ".join(cells) + " |")
        lines.append(f"\nMedian test {metric} over five splits (median seconds per fit).\n")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.defaults", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two sets only")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--out", help="write the raw results as JSON")
    args = parser.parse_args(argv)
    results = run(args.quick, args.splits)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
