"""Checkpoints: a run of training written to a file, to be continued bit for bit after a kill.

A checkpoint holds the model (weights, running statistics) and everything the
loop needs to go on exactly as an uninterrupted run would: the optimizer's state,
every random generator's state (the shuffling and each Dropout layer), the
schedule's and the stop criteria's state, the epoch and step counters, the
best-weights copy and the ``History`` so far (:meth:`TrainingLoop.state`).

The file is written atomically after every ``checkpoint_every``-th epoch, so a
kill at any moment leaves the previous checkpoint or the new one, never a torn
file. The file format is the model file's checked container; this module only
asks for it through :func:`register_store`, which :mod:`axonal.io` calls, so the
training loop needs no file code of its own.

In a data-parallel run (:mod:`axonal.distributed`) every rank holds the same state,
so rank 0 alone writes, and every rank waits for the file before going on; every
rank reads it to resume.
"""

from __future__ import annotations

import os

import numpy as np

from ..nan_guard import layer_generators, stateful_layers

__all__ = ["register_store", "store_for", "Checkpointer"]

_STORE = None


def register_store(factory) -> None:
    """Make ``factory(path)`` the store of checkpoint files: an object with ``write(network, info, arrays)``
    and ``read(network) -> (info, arrays)`` (which also loads the network's weights and state)."""
    global _STORE
    _STORE = factory


def store_for(target):
    """The store for ``target``: a path (the registered file format) or an object that is already one."""
    if hasattr(target, "write") and hasattr(target, "read"):
        return target
    if not isinstance(target, (str, os.PathLike)):
        raise TypeError(f"fit: checkpoint and resume take a file path, got {type(target).__name__}")
    if _STORE is None:  # axonal.io registers itself when imported
        raise RuntimeError("fit: no checkpoint file format is registered; import axonal.io")
    return _STORE(target)


class Checkpointer:
    """What the loop calls after an epoch: gathers its state and the network's generators, writes them.

    ``fingerprint`` (JSON data describing the run: sample count, batch size, loss,
    optimizer) is stored and compared on resume, so a checkpoint is never continued
    by a different run.
    """

    def __init__(self, network, store, fingerprint: dict):
        self.network, self.store, self.fingerprint = network, store, fingerprint

    def __call__(self, loop) -> None:
        comm = getattr(loop.rule, "comm", None)
        if comm is not None and comm.size > 1:
            if comm.rank == 0:
                self._write(loop)
            comm.barrier()   # the file is complete before any rank goes on (and may resume from it)
        else:
            self._write(loop)

    def _write(self, loop) -> None:
        info, arrays = loop.state()
        info["generators"] = [rng.bit_generator.state for rng in layer_generators(self.network)]
        info["fingerprint"] = self.fingerprint
        info["carried"] = [_flatten(layer.carried_state, f"carried.{i}", arrays)
                           for i, layer in enumerate(stateful_layers(self.network))]
        self.store.write(self.network, info, arrays)

    @staticmethod
    def resume(loop, network, store, fingerprint: dict) -> None:
        """Load the network's weights and the loop's state from ``store``; refuse another run's checkpoint."""
        info, arrays = store.read(network)
        saved = info.get("fingerprint")
        if saved != fingerprint:
            changed = sorted(k for k in set(saved or {}) | set(fingerprint)
                             if (saved or {}).get(k) != fingerprint.get(k))
            raise ValueError(f"fit: the checkpoint belongs to another run: {', '.join(changed)} differ "
                             f"(checkpoint {({k: (saved or {}).get(k) for k in changed})!r:.300}, "
                             f"this run {({k: fingerprint.get(k) for k in changed})!r:.300})")
        generators = layer_generators(network)
        if len(info["generators"]) != len(generators):
            raise ValueError(f"fit: the checkpoint has {len(info['generators'])} layer generators; the network "
                             f"has {len(generators)}")
        for rng, state in zip(generators, info["generators"]):
            rng.bit_generator.state = state
        carriers = stateful_layers(network)
        carried = info.get("carried", [])
        if len(carried) != len(carriers):
            raise ValueError(f"fit: the checkpoint has {len(carried)} stateful layers; the network "
                             f"has {len(carriers)}")
        for layer, shape in zip(carriers, carried):
            layer.carried_state = _unflatten(shape, arrays)
        loop.load_state(info, arrays)


def _flatten(value, name: str, arrays: dict):
    """JSON data describing ``value`` (None, an array, or tuples and dicts of them), its arrays put in
    ``arrays`` under names starting with ``name``."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        arrays[name] = value
        return name
    if isinstance(value, (tuple, list)):
        return {"items": [_flatten(v, f"{name}.{i}", arrays) for i, v in enumerate(value)]}
    return {"keys": [[key, _flatten(v, f"{name}.{key}", arrays)] for key, v in value.items()]}


def _unflatten(shape, arrays: dict):
    """The value :func:`_flatten` described by ``shape``; a name that is not in ``arrays`` is refused."""
    if shape is None:
        return None
    if isinstance(shape, str):
        if shape not in arrays:
            raise ValueError(f"fit: the checkpoint's carried state names an array it does not hold: {shape!r:.100}")
        return arrays[shape]
    if isinstance(shape, dict) and isinstance(shape.get("items"), list):
        return tuple(_unflatten(item, arrays) for item in shape["items"])
    if isinstance(shape, dict) and isinstance(shape.get("keys"), list):
        return {key: _unflatten(item, arrays) for key, item in shape["keys"]}
    raise ValueError(f"fit: the checkpoint's carried state is malformed: {shape!r:.100}")
