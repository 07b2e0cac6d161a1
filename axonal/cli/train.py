"""``axonal train``: a network trained on a table (a CSV file or a bundled set), scored and saved; in one
process, or data-parallel over the ranks of ``mpiexec`` (``--distributed``)."""

from __future__ import annotations

from .options import adapt_to_data, check_outputs, given, saved_options, schedule_spec, train_options
from .output import maybe_plot, one_line, say
from .parser import BUNDLED, UsageError
from .tasks import train_task

__all__ = ["cmd_train", "bundled", "label"]

#: The output layer's weights start at this fraction of their usual draw (see ``_build_network``).
OUTPUT_WEIGHT_SCALE = 0.1


def cmd_train(args) -> int:
    """``axonal train``: on a table, in this process or (``--distributed``) data-parallel over the ranks
    of ``mpiexec``, where every rank trains and rank 0 alone prints and writes the files."""
    try:
        options, problem = train_options(args), None
    except UsageError as exc:   # under --distributed, every rank must learn of it (a file missing on one node)
        if not getattr(args, "distributed", None):
            raise
        options, problem = None, exc
    if options is not None and options["task"]:
        return train_task(options, given(args))
    if options is not None and not options["distributed"]:
        return _cmd_train(args, options, root=True)
    import axonal.distributed as distributed
    from axonal.distributed.comm import mpi
    try:
        mpi()
    except ImportError:
        raise UsageError('--distributed needs mpi4py and an MPI library: pip install "axonal[mpi]"') from None
    with distributed.session(True) as comm:   # ranks > 0: no standard output, no axonal warnings
        _every_rank_ready(problem)
        return _cmd_train(args, options, root=comm.rank == 0)


def _every_rank_ready(problem) -> None:
    """Raise ``problem`` (this rank's exception, or ``None``) or another rank's, on every rank alike.

    One ``allgather`` of each rank's reason: a rank that cannot start (its data file, config or
    output folder missing on its node) stops every rank with its reason, where the others would
    otherwise wait for it in the first exchange of training.
    """
    from axonal.distributed import current
    reasons = current().allgather(None if problem is None else one_line(problem))
    if problem is not None:
        raise problem
    failed = [(rank, reason) for rank, reason in enumerate(reasons) if reason is not None]
    if failed:
        rank, reason = failed[0]
        raise UsageError(f"rank {rank} of the data-parallel run could not start: {reason}")


def _cmd_train(args, options, root: bool) -> int:
    """Train on the table ``options`` name; ``root``: this process prints and writes (rank 0, or the only
    process). In a data-parallel run every rank gets here with the same options and data, trains through
    the session's communicator, and checks that every rank ended with the same weights before rank 0
    writes the model file (atomically, as ever) and the plot; the other ranks return after the check."""
    import axonal
    from axonal import metrics

    show = say if root else _silent
    try:
        prepared, problem = _prepare(options), None
    except Exception as exc:
        if not options["distributed"]:
            raise
        prepared, problem = None, exc
    if options["distributed"]:
        _every_rank_ready(problem)
    dataset, (x_train, x_test, y_train, y_test), options, net = prepared
    classification = dataset.class_names is not None
    n_out = len(dataset.class_names) if classification else 1
    show(f"data: {options['data']}: {dataset!r}")
    held_out = f"{len(x_test)} test samples" if options["test_size"] else "no held-out test set (--test-size 0)"
    show(f"{len(x_train)} training samples, {held_out}, {dataset.n_features} features, "
          + (f"{n_out} classes" if classification else f"regression target {dataset.target_name!r}"))
    show(net.summary())

    fit_options = dict(
        loss="softmax_cross_entropy" if classification else "mse",
        optimizer=axonal.optimizers.get(options["optimizer"], learning_rate=options["learning_rate"],
                                        **({"l2": options["l2"]} if options["l2"] else {})),
        epochs=options["epochs"], batch_size=options["batch_size"] or None, seed=options["seed"],
        schedule=schedule_spec(options),
        metrics=["accuracy"] if classification else ["r2"], progress=options["progress"],
        validation_split=options["validation_split"], patience=options["patience"],
        checkpoint=options["checkpoint"], checkpoint_every=options["checkpoint_every"],
        resume=options.get("resume"),
    )
    net.metadata_ = {"train_options": saved_options(options)}  # what --resume continues with
    if classification:
        history = net.fit(x_train, y_train, **fit_options)
    else:  # trained on t' = (t - μ)/σ, then the output layer predicts μ + σ·ŷ'
        mean, scale = target_scale(y_train)
        history = net.fit(x_train, (y_train - mean) / scale, **fit_options)
        net.layers[-1].rescale_outputs(scale, mean)
    if options["distributed"]:
        from axonal.distributed import check_identical, current
        digest = check_identical(net)   # every rank holds rank 0's weights, or every rank fails here
        if not root:
            return 0
        size = current().size
        show(f"{size} ranks ended with identical weights (CRC-32 {digest:08x})" if size > 1 else
             f"one rank (no mpiexec): trained in this process alone (CRC-32 {digest:08x})")
    why = {"epochs": "all epochs run", "no_improvement": f"no improvement; best epoch {history.best_epoch} kept",
           "error": "error threshold reached"}.get(history.stop_reason, history.stop_reason)
    show(f"trained {len(history)} epochs ({why}); final training loss {history[-1]:.5g}"
        + ("" if classification else " (on the standardised target)"))
    if not options["test_size"]:
        x_test, y_test = x_train, y_train
        show("(the scores below are on the training data: there is no held-out test set)")

    results = {}
    if classification:
        probabilities = net.predict_proba(x_test)
        predicted = probabilities.argmax(axis=1)
        results["test_accuracy"] = metrics.accuracy(y_test, predicted)
        precision, recall, f1 = metrics.precision_recall_f1(y_test, predicted, labels=list(range(n_out)))
        results.update(test_precision=float(precision), test_recall=float(recall), test_f1=float(f1))
        matrix = metrics.confusion_matrix(y_test, predicted, labels=list(range(n_out)))
        show(f"test accuracy: {results['test_accuracy']:.4f}   macro F1: {f1:.4f}")
        show("confusion matrix (rows: true class, columns: predicted):")
        show(metrics.format_confusion_matrix(matrix, [str(c) for c in dataset.class_names]))
    else:
        predicted = net.predict(x_test)[:, 0]
        results = {"test_mse": metrics.mean_squared_error(y_test, predicted),
                   "test_mae": metrics.mean_absolute_error(y_test, predicted),
                   "test_r2": metrics.r2_score(y_test, predicted)}
        show("test MSE: {test_mse:.5g}   MAE: {test_mae:.5g}   R²: {test_r2:.4f}".format(**results))

    metadata = {
        "data": options["data"], "target": dataset.target_name, "features": dataset.feature_names,
        "ignored": options["ignore"], "columns": dataset.column_recipe,
        "task": "classification" if classification else "regression",
        "training": {k: options[k] for k in ("hidden", "activation", "dropout", "optimizer", "learning_rate",
                                              "schedule", "l2", "epochs", "batch_size", "test_size", "seed", "scale",
                                              "target_type", "delimiter")},
        "epochs_trained": len(history), "stop_reason": history.stop_reason,
        "results": {k: round(float(v), 6) for k, v in results.items()},
    }
    axonal.io.save(net, options["output"], metadata=metadata)
    show(f"model written to {options['output']}")
    maybe_plot(history, options)   # rank 0 (or the only process): the other ranks returned above
    return 0


def _prepare(options):
    """``(dataset, (x_train, x_test, y_train, y_test), options, net)``: the table read and split, the
    options the data decides filled in, the outputs checked and the network built."""
    dataset = _load_training_data(options)
    classification = dataset.class_names is not None
    if classification and len(dataset.class_names) < 2:
        raise UsageError(f"the target {dataset.target_name!r} has a single class ({dataset.class_names[0]!r}); "
                         f"there is nothing to learn")
    check_outputs(options)
    x_train, x_test, y_train, y_test = _split(dataset, options)
    options = adapt_to_data(options, len(x_train))
    net = _build_network(options, dataset, y_train)
    net.classes_ = [label(c) for c in dataset.class_names] if classification else None
    return dataset, (x_train, x_test, y_train, y_test), options, net


def _silent(*parts, **options) -> None:
    """What ranks other than 0 show: nothing."""


def target_scale(y):
    """``(μ, σ)`` of a regression target (σ = 1 for a constant one): the CLI trains on ``(y - μ)/σ``."""
    import numpy as np
    y = np.asarray(y, dtype=np.float64)
    scale = float(y.std())
    return float(y.mean()), (scale if scale > 0 else 1.0)


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
        raise UsageError(f"{one_line(exc)}{hint}") from None


def label(value):
    """A class label as the model file keeps it: strings and integers as they are, other numbers as text."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return str(value)


def _load_training_data(o):
    from axonal import data
    if o["data"] in BUNDLED:
        return bundled(o["data"])
    features = None
    if o["ignore_columns"]:
        header = data.read_header_row(o["data"], delimiter=o["delimiter"])
        unknown = [c for c in o["ignore_columns"] if c not in header]
        if unknown:
            raise UsageError(f"--ignore names columns {unknown} that {o['data']} does not have")
        features = [c for c in header if c != o["target"] and c not in o["ignore_columns"]]
    return data.load_csv(o["data"], o["target"], task=o["target_type"], delimiter=o["delimiter"],
                         features=features, missing=o["missing"], categorical=o["categorical_columns"])


def bundled(name):
    from axonal import data
    return {"digits": data.load_digits, "xor": data.load_xor, "regression": data.load_regression}[name]()


def _build_network(o, dataset, y_train):
    """The scaling layer, the hidden layers and a linear output layer that starts at chance: its
    bias at the log class priors (the mean target for regression) and its weights a tenth of their
    usual draw (zero without hidden layers: the convex problem's usual start), so the first loss is
    near the chance level (``ln K`` for K balanced classes), see
    :func:`axonal.initializers.start_at_chance`."""
    from axonal import Dense, Dropout, MinMaxScale, Sequential, Standardize
    from axonal.initializers import start_at_chance
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
    net = Sequential(layers, input_dim=dataset.n_features, seed=o["seed"])
    classification = dataset.class_names is not None
    t = y_train if classification else (y_train - target_scale(y_train)[0]) / target_scale(y_train)[1]
    start_at_chance(net.layers[-1], t, "softmax_cross_entropy" if classification else "mse",
                    weight_scale=OUTPUT_WEIGHT_SCALE if o["hidden_sizes"] else 0.0)
    return net
