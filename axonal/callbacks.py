"""Callbacks: code the training loop calls at the end of every batch and epoch.

A callback overrides any of ``on_train_begin(info)``, ``on_batch_end(step, logs)``,
``on_epoch_end(epoch, logs)`` and ``on_train_end(history)``. ``on_batch_end`` and
``on_epoch_end`` may return ``True`` to stop training (``History.stop_reason`` is
then ``"callback"``). ``logs`` holds the numbers of that moment: ``loss``,
``learning_rate``, and after an epoch the validation loss and metrics.

* ``Every(n, do)``: Synaptic's ``schedule = {every, do}``: call ``do(info)`` every
  ``n`` epochs; ``do`` returning ``True`` aborts training.
* ``ProgressBar``: on a terminal a tqdm bar over the epochs that keeps the loss and
  validation numbers readable at 80 columns; elsewhere (a log, CI) one plain line at
  most per epoch and per few seconds, so short runs write nothing.
* ``EpochLogger``: one structured line per epoch (JSON), to a file or a stream.
* ``CSVLogger``: one row per epoch in a CSV file (Keras's name and columns).

Early stopping is a stop criterion (:class:`~axonal.stopping.NoImprovement`, or Keras's
:class:`~axonal.stopping.EarlyStopping`, which ``fit`` also takes among its callbacks).
"""

from __future__ import annotations

import shutil
import sys
import time

from .names import csv_text
from .validation import positive_int

__all__ = ["Callback", "Every", "ProgressBar", "EpochLogger", "CSVLogger"]


class Callback:
    """Base class; every hook does nothing by default."""

    #: Whether the callback is content to see only the last of several epochs a compiled rule learnt
    #: in one call (a display); such a callback does not keep the loop from running them so.
    sees_the_last_epoch_only = False

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
        import json     # on first use: ``import axonal`` stays lean

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
        import csv      # on first use: ``import axonal`` stays lean

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


#: shorter names for the line: logged name -> shown name
_SHORT = {"learning_rate": "lr", "accuracy": "acc", "val_accuracy": "val_acc"}
#: seconds between two plain lines
EVERY = 5.0
#: the narrowest bar on a terminal
MIN_BAR = 8


def _ordered(logs: dict, digits: int = 4) -> list[tuple[str, str]]:
    """``(shown name, value)`` most useful first: loss, validation numbers, other numbers, the rate."""
    def rank(name):
        order = {"loss": 0, "val_loss": 1, "learning_rate": 4}
        return order.get(name, 2 if name.startswith("val_") else 3)
    names = sorted((k for k in logs if k != "epoch"), key=lambda k: (rank(k), k))
    return [(_SHORT.get(k, k), f"{logs[k]:.{digits}g}" if isinstance(logs[k], float) else str(logs[k]))
            for k in names]


def _fixed_width(description: str, total) -> int:
    """Columns of the bar's line other than the numbers and the bar: ``desc n/N `` ``|`` ``| h:mm:ss<h:mm:ss``."""
    return len(description) + 2 * len(str(total or 0)) + 4 + 2 + 15


class ProgressBar(Callback):
    """Progress over the epochs: a bar on a terminal, plain lines elsewhere (see the module docstring).
    When several epochs are learnt in one compiled call it is told of the last one.

    Parameters
    ----------
    enabled : bool or None
        ``False``: silent. ``None`` or ``True``: a bar when ``file`` is a terminal, else lines.
        The bar's numbers show 3 significant digits, the lines' 4.
    file : stream, default standard error
    description : str
    every : float
        Seconds between two plain lines.
    """

    sees_the_last_epoch_only = True

    def __init__(self, enabled: bool | None = None, file=None, description: str = "training", every: float = EVERY):
        self.enabled, self.file, self.description, self.every = enabled, file, description, float(every)
        self._bar, self._lines = None, False

    def on_train_begin(self, info):
        self._stream = self.file if self.file is not None else sys.stderr
        self._total, self._start = info.get("epochs"), time.monotonic()
        self._last, self._written, self._epoch_written = self._start, False, None
        self._bar, self._lines = None, False
        if self.enabled is False:
            return
        if hasattr(self._stream, "isatty") and self._stream.isatty():
            from tqdm.auto import tqdm
            self._width = shutil.get_terminal_size((80, 24)).columns
            self._bar = tqdm(total=self._total, desc=self.description, unit="epoch", file=self._stream,
                             leave=True, ncols=self._width, bar_format=self._format(""))
        else:
            self._lines = True

    def _format(self, shown: str) -> str:
        """tqdm's line: description, count, the numbers, then a bar as wide as what is left, then times."""
        bar = max(MIN_BAR, min(40, self._width - _fixed_width(self.description, self._total) - len(shown)))
        return "{desc} {n_fmt}/{total_fmt} " + shown.replace("{", "{{").replace("}", "}}") + \
            " |{bar:" + str(bar) + "}| {elapsed}<{remaining}"

    def on_epoch_end(self, epoch, logs):
        if self._bar is not None:
            room = self._width - _fixed_width(self.description, self._total) - MIN_BAR
            shown = ""
            for name, value in _ordered(logs, digits=3):
                piece = f"{name}={value}"
                if len(shown) + len(piece) + 1 > room:
                    break
                shown += (" " if shown else "") + piece
            self._bar.bar_format = self._format(shown)
            self._bar.update(epoch + 1 - self._bar.n)
        elif self._lines:
            now = time.monotonic()
            last = self._total is not None and epoch + 1 >= self._total
            if now - self._last >= self.every or (last and self._written):
                self._line(epoch, _ordered(logs))
                self._last = now

    def _line(self, epoch, items):
        count = f"{epoch + 1}/{self._total}" if self._total else str(epoch + 1)
        self._stream.write(f"{self.description} epoch {count}  " + "  ".join(f"{n} {v}" for n, v in items) + "\n")
        self._stream.flush()
        self._written = True
        self._epoch_written = epoch

    def on_train_end(self, history):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._lines and self._written and history.loss and self._epoch_written != len(history.loss) - 1:
            logs = {"loss": history.loss[-1]}      # the run stopped early: its last epoch
            logs.update({"val_loss": history.val_loss[-1]} if history.val_loss else {})
            logs.update({k: v[-1] for k, v in history.metrics.items() if v})
            self._line(len(history.loss) - 1, _ordered(logs))
        self._lines = False
