"""BLAS threads for loops of small matrix products.

A recurrent layer's time loop multiplies small matrices hundreds of times per
step. A second BLAS thread gains little on such products, and on a busy two-core
machine a thread waiting for a descheduled partner makes each of them many times
slower (measured here: 163 s instead of 4 s for one training run). The loops
therefore run their products on one BLAS thread; the large products before and
after the loop keep every thread. threadpoolctl does the switching (a few µs).
"""

from __future__ import annotations

import contextlib

_controller = None


def single_blas_thread():
    """A context in which BLAS calls use one thread (nothing happens without threadpoolctl)."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return contextlib.nullcontext()
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
