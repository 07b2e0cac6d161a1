"""What a model file may ask for: every bound the loader checks before it spends memory or time.

A file is checked against these limits while only its header has been read, before
any array is allocated or any loop runs over something the file counts. A file over
a limit raises :class:`~axonal.io.ModelFileError` naming the limit (by the name of
its constant here) and the value the file asked for. The limits are far above what
any model axonal trains needs and low enough that the checks themselves stay fast:
a file under 16 MiB is refused or loaded within about a second and tens of megabytes.

======================  ==============  ===========================================================
limit                   value           what it bounds
======================  ==============  ===========================================================
MAX_HEADER_BYTES        8 MiB           the safetensors JSON header (the axonal header is inside it)
MAX_TENSORS             65,536          tensors in one file
MAX_TENSOR_NAME_CHARS   512             characters of one tensor name
MAX_NDIM                8               dimensions of one tensor
MAX_ELEMENTS            2**31           numbers in all tensors together (8 GiB of float32)
MAX_LAYERS              2,000           layer specs in the architecture, nested ones included
MAX_NESTING             16              containers inside containers (Residual, nested Sequential)
MAX_CLASSES             100,000         class labels of a classifier
MAX_LABEL_CHARS         1,000           characters of one string class label
MAX_ITERATIONS          2**53           optimizer steps recorded in a file
MAX_HOPFIELD_UNITS      46,340          units of a Hopfield memory (its weight matrix stays under
                                        MAX_ELEMENTS)
======================  ==============  ===========================================================

``MAX_FILE_BYTES`` follows from them: the 8-byte length prefix, the largest header and
``MAX_ELEMENTS`` float64 numbers. A larger file is refused before a byte of it is read.
"""

from __future__ import annotations

from ..class_labels import MAX_CLASSES, MAX_LABEL_CHARS

__all__ = ["MAX_HEADER_BYTES", "MAX_TENSORS", "MAX_TENSOR_NAME_CHARS", "MAX_NDIM", "MAX_ELEMENTS",
           "MAX_LAYERS", "MAX_NESTING", "MAX_CLASSES", "MAX_LABEL_CHARS", "MAX_ITERATIONS",
           "MAX_HOPFIELD_UNITS", "MAX_FILE_BYTES"]

MAX_HEADER_BYTES = 8 * 1024 * 1024
MAX_TENSORS = 65_536
MAX_TENSOR_NAME_CHARS = 512
MAX_NDIM = 8
MAX_ELEMENTS = 2**31
MAX_LAYERS = 2_000
MAX_NESTING = 16
MAX_ITERATIONS = 2**53
MAX_HOPFIELD_UNITS = 46_340
MAX_FILE_BYTES = 8 + MAX_HEADER_BYTES + 8 * MAX_ELEMENTS
