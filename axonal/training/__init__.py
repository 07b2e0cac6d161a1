"""Training: the one loop, its step rules, and ``fit``.

==============  ==================================================================
module          what it holds
==============  ==================================================================
loop            :class:`TrainingLoop`: the phases prepare, epoch, step, end of epoch,
                finish; :class:`StepRule`, the part that differs between algorithms
backprop        :class:`Backprop`: ∂E/∂p by backpropagation, then an optimizer step
compiled_dense  whole epochs of ``Backprop`` for dense stacks in one compiled call
lstm_g          :class:`LSTMGStep`: LSTM-g's online rule, one time step per step
batches         which samples each step sees; validation held out
checkpoint      a run written to a file and continued bit for bit
fit             :func:`fit`, what ``Sequential.fit`` runs
==============  ==================================================================

Stop criteria (:mod:`axonal.stopping`), schedules (:mod:`axonal.schedules`),
callbacks (:mod:`axonal.callbacks`), the NaN guard (:mod:`axonal.nan_guard`) and
:class:`~axonal.history.History` plug into the loop the same way for every rule.
"""

from ..history import History
from ..nan_guard import NonFiniteError
from ..targets import class_weights_to_sample_weights
from .backprop import Backprop
from .checkpoint import register_store
from .fit import fit
from .loop import StepRule, TrainingLoop

__all__ = ["fit", "TrainingLoop", "StepRule", "Backprop", "History", "NonFiniteError",
           "class_weights_to_sample_weights", "register_store"]
