"""bench/perf_map.py: the map ``perf`` reads to name compiled kernel functions."""

from __future__ import annotations

import os

import pytest

from bench.perf_map import perf_map, readable


def test_mangled_names_become_dotted_names():
    assert readable("_ZN6axonal7kernels6lstm_g11activate_atB2v2B40c8tJTIeFIjxE5ArrayI") == \
        "axonal.kernels.lstm_g.activate_at"
    assert readable("_ZN8__main__3addB2v1E") == "__main__.add"
    assert readable("exp@GLIBC_2.2.5") == "exp@GLIBC_2.2.5"


def test_the_map_lists_each_compiled_function_once_with_its_range():
    numba = pytest.importorskip("numba")

    @numba.njit(cache=False)
    def scaled_sum(values, factor):
        total = 0.0
        for v in values:
            total += v * factor
        return total

    assert scaled_sum(__import__("numpy").arange(4.0), 2.0) == 12.0
    count = perf_map([scaled_sum])
    path = f"/tmp/perf-{os.getpid()}.map"
    try:
        rows = [line.split(" ", 2) for line in open(path, encoding="ascii").read().splitlines()]
    finally:
        os.unlink(path)
    assert len(rows) == count >= 1
    starts = [int(start, 16) for start, _, _ in rows]
    assert starts == sorted(set(starts)) and all(int(size, 16) > 0 for _, size, _ in rows)
    assert any(name.endswith("scaled_sum") for _, _, name in rows)
