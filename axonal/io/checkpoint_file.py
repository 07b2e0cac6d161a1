"""Checkpoint files: a model file of kind ``"checkpoint"`` that also holds a run of training.

Besides the network's weights and state, the header's ``run`` field holds
the loop's JSON state (counters, generator states, schedule and stop criteria,
History) and names the extra ``training.<name>`` tensors (optimizer slots, the
best-weights copy) with their shapes, which are checked like every other tensor
before anything is read. Written atomically by the training loop
(``fit(checkpoint=...)``); ``axonal.load`` on a checkpoint gives its network.
"""

from __future__ import annotations

import numpy as np

from .._files import write_atomically
from .container import fail, read_container
from .header import check_header
from .model_file import rebuild_network, to_bytes

__all__ = ["CheckpointFile"]


class CheckpointFile:
    """The store :func:`axonal.training.fit` writes checkpoints to and resumes from."""

    def __init__(self, path):
        self.path = path

    def write(self, network, state: dict, arrays: dict) -> None:
        """Write ``network`` with the training ``state`` and ``arrays``, replacing the file atomically."""
        blob = to_bytes(network, metadata=getattr(network, "metadata_", None), training=(state, arrays))
        write_atomically(self.path, blob, what="checkpoint")

    def read(self, network) -> tuple[dict, dict]:
        """Load the checkpoint's weights and state into ``network``; return ``(state, arrays)``.

        Raises ``ModelFileError`` for a file that is not a valid checkpoint and
        ``ValueError`` when it holds another architecture than ``network``.
        """
        header, tensors, data = read_container(self.path, with_data=True)
        if check_header(self.path, header) != "checkpoint":
            raise fail(self.path, "not a checkpoint", f"a model file of kind {header['kind']!r}; "
                                                      f"fit(resume=...) needs a file written by fit(checkpoint=...)")
        saved, arrays = rebuild_network(self.path, header, tensors, data)
        if saved.get_config() != network.get_config():
            raise ValueError(f"{self.path}: the checkpoint holds another architecture than the network being "
                             f"trained ({saved.describe()} against {network.describe()})")
        network.set_weights(saved.get_weights())
        extra = {name[len("training."):]: np.array(value) for name, value in arrays.items()
                 if name.startswith("training.")}
        return header["run"]["state"], extra
