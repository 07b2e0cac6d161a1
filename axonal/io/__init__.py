"""Saving and loading: one safetensors file per model, never pickle.

======================  =========================================================
module                  what it holds
======================  =========================================================
model_file              ``save``, ``load``, ``read_header``: the model file format
container               the canonical container, its whole-file digest and checks
header                  the axonal header's fields by kind, and the sizes it asks for
limits                  every bound a file is checked against before allocation
jsondata                values written into a header: plain JSON, checked
hopfield_file           a Hopfield memory in a model file
upgrade                 ``upgrade``: version-1 files converted to the current format
checkpoint_file         checkpoints of a run of training (``fit(checkpoint=...)``)
======================  =========================================================
"""

from . import limits
from .container import FORMAT, FORMAT_VERSION, ModelFileError
from .model_file import load, read_header, save, to_bytes
from .upgrade import upgrade
from .checkpoint_file import CheckpointFile
from ..training import register_store

register_store(CheckpointFile)

__all__ = ["save", "load", "read_header", "to_bytes", "upgrade", "ModelFileError", "FORMAT", "FORMAT_VERSION",
           "limits", "CheckpointFile"]
