"""Workload families, one module each. Every workload is ``fn(library, params) -> dict``.

A workload runs inside its own subprocess (bench/worker.py), after the library is
imported and its threads pinned; it warms up, measures, and returns plain numbers.
Import times (imports.py) are the exception: the runner starts a bare interpreter.
"""

from __future__ import annotations

import time


def timed(fn, *args, **kwargs):
    """``(seconds, result)`` of one call."""
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t0, result


def per_call_times(fn, calls: int) -> list:
    """Seconds taken by each of ``calls`` calls of ``fn()``."""
    clock = time.perf_counter_ns
    out = []
    for _ in range(calls):
        t0 = clock()
        fn()
        out.append((clock() - t0) * 1e-9)
    return out


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])


def registry() -> dict:
    """Workload name -> function (imported lazily, so a worker loads only what it runs)."""
    from .. import machine
    from . import digits, graph, mlp, online, rnn, xor
    from .online_tasks import KINDS
    return {
        "info": machine.library_info,
        "mlp_train": mlp.train,
        "mlp_ceiling": mlp.ceiling,
        "matmul_peak": mlp.matmul_peak,
        "mlp_infer": mlp.infer,
        "mlp_synaptic": mlp.synaptic,
        "digits": digits.run,
        "xor_steps": xor.steps,
        "xor_solve": xor.solve,
        "rnn_lstm": rnn.lstm,
        "rnn_gru": rnn.gru,
        "rnn_simple": rnn.simple,
        "rnn_peephole": rnn.peephole,
        "rnn_dsr": rnn.dsr,
        "graph_lstm": graph.lstm,
        "graph_dsr": graph.dsr,
        "graph_dsr_lstm_g": graph.dsr_lstm_g,
        **{name: online.workload(name) for name in KINDS},
    }
