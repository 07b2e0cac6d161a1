"""Saving and loading: one safetensors file per model, never pickle.

======================  =========================================================
module                  what it holds
======================  =========================================================
model_file              ``save``, ``load``, ``read_header``: the model file format
container               checks of the safetensors container before it is trusted
======================  =========================================================
"""

from .container import ModelFileError
from .model_file import FORMAT, FORMAT_VERSION, load, read_header, save, to_bytes

__all__ = ["save", "load", "read_header", "to_bytes", "ModelFileError", "FORMAT", "FORMAT_VERSION"]
