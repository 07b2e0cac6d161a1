"""Compiled kernels: Numba, loaded the first time a compiled path runs.

The NumPy code in each module is the reference implementation. Where NumPy cannot
batch the work (one sample at a time, one time step at a time, a handful of
neurons), the same equations are also written as Numba kernels in
:mod:`axonal.kernels`, which run the whole loop in one compiled call. This module
decides whether they are used and loads them:

* ``import axonal`` never imports Numba: :func:`kernels` imports it, and compiles
  (or loads from Numba's on-disk cache) a kernel module, the first time a path asks
  for one;
* ``AXONAL_JIT=0`` in the environment, or :func:`set_enabled(False) <set_enabled>`,
  or Numba not being installed, sends every path to the NumPy reference;
* :func:`using` switches for a block (the tests run both paths on the same cases).

Kernels are compiled with ``cache=True``: the machine code is written next to the
kernel module (or, where that folder is read-only, to Numba's per-user cache), so
a second process loads it instead of compiling. :func:`load_seconds` reports how
long each kernel module took to load in this process (compile time when cold).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import time
import weakref

__all__ = ["enabled", "set_enabled", "using", "kernels", "load_seconds", "available", "direct", "swapping"]

_override: bool | None = None
_available: bool | None = None
_from_environment: bool | None = None
_loaded: dict = {}
_seconds: dict = {}

#: Counts the calls of :func:`set_enabled` (and the ends of :func:`using` blocks). A one-step path
#: that checked :func:`enabled` when it prepared its compiled call compares this number per call
#: instead of asking again: the answer can change only when it does.
generation = 0


def available() -> bool:
    """Whether Numba is installed (found without importing it; looked up once)."""
    global _available
    if _available is None:
        _available = importlib.util.find_spec("numba") is not None
    return _available


def enabled() -> bool:
    """Whether compiled paths run: Numba is installed, ``AXONAL_JIT`` is not ``0`` (read once, at
    the first call), and :func:`set_enabled` has not turned them off. Cheap: paths ask it per step."""
    global _from_environment
    if _override is not None:
        return _override and available()
    if _from_environment is None:
        wanted = os.environ.get("AXONAL_JIT", "1").strip().lower() not in ("0", "false", "no", "off")
        _from_environment = wanted and available()
    return _from_environment


def set_enabled(value: bool | None) -> None:
    """Turn compiled paths on or off for this process; ``None`` goes back to ``AXONAL_JIT``."""
    global _override, generation
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"axonal.jit.set_enabled takes True, False or None, got {value!r}")
    _override = value
    generation += 1


@contextlib.contextmanager
def using(value: bool):
    """``with axonal.jit.using(False): ...`` runs the block on the NumPy reference paths."""
    global _override, generation
    saved = _override
    set_enabled(value)
    try:
        yield
    finally:
        _override = saved
        generation += 1


def kernels(name: str):
    """The kernel module ``axonal.kernels.<name>``, or ``None`` when compiled paths are off."""
    if not enabled():
        return None
    module = _loaded.get(name)
    if module is None:
        start = time.perf_counter()
        module = importlib.import_module(f"axonal.kernels.{name}")
        _loaded[name] = module
        _seconds[name] = time.perf_counter() - start
    return module


def load_seconds() -> dict:
    """Seconds each kernel module took to import in this process (Numba's first import included
    in the first one); compiling happens at a kernel's first call and is not counted here."""
    return dict(_seconds)


def direct(kernel, *args):
    """The machine code that ``kernel`` (a Numba dispatcher) runs for arguments of the types of ``args``,
    as a function to call directly, compiled (or loaded from the cache) now if it is not yet.

    A dispatcher works out the types of its arguments at every call to choose its compiled version
    (about 0.15 µs); a one-step path that calls the same kernel with the same types each time calls
    the version itself. That version does not check its arguments: the caller passes arrays of exactly
    the dtype, dimensions and layout of ``args`` (C-contiguous ones), and scalars of the same kinds.
    Where Numba does not offer the version this way, the dispatcher itself is returned."""
    import numba

    signature = tuple(numba.typeof(a) for a in args)
    try:
        kernel.compile(signature)
        return kernel.overloads[signature].entry_point
    except (AttributeError, KeyError, TypeError):
        return kernel


def swapping(owner, name: str, kernel):
    """A function for ``owner.<name>`` that calls ``kernel`` (a Numba dispatcher) once, compiling or
    loading it as any call does, then puts :func:`direct` of that call's arguments in its own place:
    later calls run the compiled version without the dispatcher. The caller's later arguments must
    have the types of the first call's (see :func:`direct`)."""
    held = weakref.ref(owner)       # no cycle through the owner: it is freed as soon as it is dropped

    def first(*args):
        result = kernel(*args)
        target = held()
        if target is not None:
            setattr(target, name, direct(kernel, *args))
        return result
    return first
