"""Sequence tasks for recurrent networks, one module per family.

The text corpus for character-level models is in :mod:`axonal.data.text`.

Every task returns NumPy float32 arrays shaped ``(batch, time, features)``: the
inputs ``x`` and the targets ``y``, plus a ``mask`` ``(batch, time)`` (1 = the step
is scored, 0 = it is not) for the tasks that score only some steps or pad
strings of different lengths. Every random draw comes from ``seed`` (an int or a
``numpy.random.Generator``; ``None`` draws fresh entropy), never from NumPy's
global random state, so the same seed gives the same arrays.

================================  ============================================================
task                              returns
================================  ============================================================
:func:`discrete_sequence_recall`  Synaptic's DSR: recall the targets hidden among
                                  distractors, in order, when prompted; ``x, y, mask``
:func:`embedded_reber_grammar`    embedded Reber strings, next-symbol sets as targets;
                                  ``x, y, mask``; :func:`embedded_reber_long_range` finds
                                  the step whose answer depends on the second symbol
:func:`timing_task`               Synaptic's timing task: hold 0.5 for as long as a pulse
                                  says; ``x, y``
:func:`adding_problem`            add the two marked values of a long sequence; ``x, y, mask``
:func:`copy_task`                 repeat a sequence of symbols after a delay; ``x, y, mask``
:func:`sine_wave`                 forecast the next values of a sine wave; ``x, y``
================================  ============================================================

Two kinds of mask. The embedded Reber strings differ in length, and their mask
marks padding: pass it as the ``mask=`` of a network or ``fit`` (recurrent layers
carry their state through the padded steps, and those steps are not scored). For
the other tasks every step is a real input and the mask only says which outputs
count (the recall steps of DSR with ``score="recall"`` and of the copy task, the
last step of the adding problem): use it to weight the loss per step, never as a
padding mask, which would make recurrent layers skip the steps it zeroes.

The three tasks of Synaptic's ``Trainer`` (``DSR``, ``ERG``, ``timingTask`` in its
``src/Trainer.js``) are generated as Synaptic defines them; where Synaptic has a slip
that changes the task, each docstring says what it is and what is done here instead.

Modules: :mod:`~axonal.data.sequences.recall` (DSR), :mod:`~axonal.data.sequences.reber`
(ERG), :mod:`~axonal.data.sequences.timing`, :mod:`~axonal.data.sequences.memory` (adding
problem, copy task), :mod:`~axonal.data.sequences.waves` (sine waves).
"""

from .memory import adding_problem, copy_task
from .reber import ERG_SYMBOLS, embedded_reber_grammar, embedded_reber_long_range, is_embedded_reber
from .recall import discrete_sequence_recall
from .timing import timing_task
from .waves import SINE_FREQUENCIES, sine_wave

__all__ = ["discrete_sequence_recall", "embedded_reber_grammar", "embedded_reber_long_range", "is_embedded_reber",
           "ERG_SYMBOLS", "timing_task", "adding_problem", "copy_task", "sine_wave", "SINE_FREQUENCIES"]
