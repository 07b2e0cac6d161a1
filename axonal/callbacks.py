"""Callbacks: code the training loop calls at the end of every batch and epoch.

A callback overrides any of ``on_train_begin(info)``, ``on_batch_end(step, logs)``,
``on_epoch_end(epoch, logs)`` and ``on_train_end(history)``. ``on_batch_end`` and
``on_epoch_end`` may return ``True`` to stop training (``History.stop_reason`` is
then ``"callback"``). ``logs`` holds the numbers of that moment: ``loss``,
``learning_rate``, and after an epoch the validation loss and metrics.

* ``Every(n, do)``: Synaptic's ``schedule = {every, do}``: call ``do(info)`` every
  ``n`` epochs; ``do`` returning ``True`` aborts training.
* ``ProgressBar``: a tqdm bar over the epochs with loss, metrics and rate; silent
  when the output is not a terminal.
* ``EpochLogger``: one structured line per epoch (JSON), to a file or a stream.
* ``CSVLogger``: one row per epoch in a CSV file (Keras's name and columns).

Early stopping is a stop criterion (:class:`~axonal.stopping.NoImprovement`, or Keras's
:class:`~axonal.stopping.EarlyStopping`, which ``fit`` also takes among its callbacks).
"""

from __future__ import annotations

import csv
import json
import sys

from .names import csv_text
from .validation import positive_int

__all__ = ["Callback", "Every", "ProgressBar", "EpochLogger", "CSVLogger"]


class Callback:
    """Base class; every hook does nothing by default."""

    def on_train_begin(self, info: dict) -> None:
        """``info``: ``samples``, ``batch_size``, ``epochs``, ``steps_per_epoch``."""

    def on_batch_end(self, step: int, logs: dict) -> bool | None:
        return None

    def on_epoch_end(self, epoch: int, logs: dict) -> bool | None:
        return None

    def on_train_end(self, history) -> None:
        pass


class Every(Callback):
    """Call ``do(info)`` every ``every`` epochs; ``do`` returning ``True`` stops training.

    ``info`` is a dict with ``iterations`` (epochs done so far, as Synaptic counts
    them), ``error`` (the epoch's training loss), ``rate`` and every other logged value.
    """

    def __init__(self, every: int, do):
        self.every = positive_int(every, "Every", "every")
        if not callable(do):
            raise TypeError(f"Every: do must be callable, got {type(do).__name__}")
        self.do = do

    def on_epoch_end(self, epoch, logs):
        iterations = epoch + 1
        if iterations % self.every == 0:
            info = {**logs, "iterations": iterations, "error": logs["loss"], "rate": logs["learning_rate"]}
            return bool(self.do(info))
        return None


class ProgressBar(Callback):
    """A progress bar over the epochs (tqdm), showing loss, metrics and learning rate.

    ``enabled=None`` shows it only when ``file`` (standard error) is a terminal.
    """

    def __init__(self, enabled: bool | None = None, file=None, description: str = "training"):
        self.enabled, self.file, self.description = enabled, file, description
        self._bar = None

    def on_train_begin(self, info):
        from tqdm.auto import tqdm
        stream = self.file if self.file is not None else sys.stderr
        disable = None if self.enabled is None else not self.enabled
        if disable is None:
            disable = not (hasattr(stream, "isatty") and stream.isatty())
        self._bar = tqdm(total=info["epochs"], desc=self.description, unit="epoch", file=stream,
                         disable=disable, dynamic_ncols=True, leave=True)

    def on_epoch_end(self, epoch, logs):
        if self._bar is not None:
            shown = {k: _short(v) for k, v in logs.items() if k != "epoch"}
            self._bar.set_postfix(shown, refresh=False)
            self._bar.update(1)

    def on_train_end(self, history):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class EpochLogger(Callback):
    """Write one JSON object per epoch (``{"epoch": 1, "loss": ..., ...}``) to a path or stream."""

    def __init__(self, target=None):
        self.target = target if target is not None else sys.stdout
        self._stream = None

    def on_train_begin(self, info):
        if isinstance(self.target, (str, bytes)) or hasattr(self.target, "__fspath__"):
            self._stream = open(self.target, "a", encoding="utf-8")
        else:
            self._stream = self.target

    def on_epoch_end(self, epoch, logs):
        record = {"epoch": epoch + 1, **{k: v for k, v in logs.items() if k != "epoch"}}
        self._stream.write(json.dumps(record, sort_keys=True) + "\n")
        self._stream.flush()

    def on_train_end(self, history):
        if self._stream is not None and self._stream is not self.target:
            self._stream.close()
        self._stream = None


class CSVLogger(Callback):
    """Write ``epoch, loss, ...`` (every logged number, columns sorted by name) as one CSV row per
    epoch to ``filename``; ``append=True`` adds to an existing file without a second header.
    Column names are written as text cells (a leading ``=``, ``+``, ``-``, ``@`` gets a quote)."""

    def __init__(self, filename, separator: str = ",", append: bool = False):
        self.filename, self.separator, self.append = filename, separator, bool(append)
        self._file, self._writer, self._columns = None, None, None

    def on_train_begin(self, info):
        self._file = open(self.filename, "a" if self.append else "w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file, delimiter=self.separator)
        self._columns = None

    def on_epoch_end(self, epoch, logs):
        if self._columns is None:
            self._columns = sorted(k for k in logs if k != "epoch")
            if not (self.append and self._file.tell() > 0):
                self._writer.writerow(["epoch"] + [csv_text(k) for k in self._columns])
        self._writer.writerow([epoch + 1] + [logs.get(k, "") for k in self._columns])
        self._file.flush()

    def on_train_end(self, history):
        if self._file is not None:
            self._file.close()
        self._file = None


#: Keras callbacks axonal spells otherwise, and how
_KERAS = {"ModelCheckpoint": "fit(checkpoint=path, checkpoint_every=k) writes resumable checkpoints, and "
                             "axonal.save(net, path) the model",
          "ReduceLROnPlateau": "give fit a schedule (axonal.schedules) or a stop criterion",
          "TensorBoard": "use EpochLogger (JSON lines) or CSVLogger"}


def __getattr__(name):
    if name in _KERAS:
        raise ImportError(f"axonal.callbacks has no {name}: {_KERAS[name]}")   # what `from ... import` shows
    if name == "EarlyStopping":
        from .stopping import EarlyStopping
        return EarlyStopping
    raise AttributeError(f"module 'axonal.callbacks' has no attribute {name!r}")


def _short(value):
    return f"{value:.4g}" if isinstance(value, float) else value
