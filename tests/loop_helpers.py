"""Callbacks and step rules the tests of the training loop share."""

from axonal.callbacks import Callback
from axonal.training.lstm_g import LSTMGStep


class Interrupt(Callback):
    """Stops the run with ``KeyboardInterrupt`` at the end of epoch ``epoch`` (after its checkpoint)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs):
        if epoch == self.epoch:
            raise KeyboardInterrupt


class Counting(LSTMGStep):
    """An LSTM-g step rule that counts the epochs it ran in one compiled call."""

    whole = 0

    def whole_epoch(self, feed, rng, loop, max_steps):
        done = super().whole_epoch(feed, rng, loop, max_steps)
        self.whole += done is not None
        return done


class Listener:
    """A batch callback: its presence makes the loop step batch by batch."""

    def on_batch_end(self, step, logs):
        return None
