"""The documented limits of a graph blueprint, checked before anything is allocated.

A blueprint read from a file or from Synaptic's JSON asks for layers, neurons,
connections and gates; each request is sized from the numbers it states and
compared with these limits *before* any array or loop proportional to it, so a
few bytes of config cannot ask for gigabytes. Every error names the limit hit.

==================  ===============  ===================================================
limit               value            what it counts
==================  ===============  ===================================================
MAX_LAYERS          20,000           layers of one graph
MAX_UNITS           1,000,000        neurons of one layer
MAX_CONNECTIONS     20,000           connections of one graph (a self-connection is one)
MAX_GATES           20,000           gated connections of one graph
MAX_WEIGHTS         268,435,456      values of all connections' weight arrays together
                                     (``2**28``: 1 GiB as float32)
==================  ===============  ===================================================

>>> from axonal.graph.limits import check_limit
>>> check_limit("MAX_LAYERS", 10, "graph: layers")
10
>>> check_limit("MAX_UNITS", 2_000_000, "graph: layer 'big' neurons")
Traceback (most recent call last):
...
ValueError: graph: layer 'big' neurons: 2000000 exceeds the limit MAX_UNITS = 1000000
"""

from __future__ import annotations

__all__ = ["LIMITS", "MAX_CONNECTIONS", "MAX_GATES", "MAX_LAYERS", "MAX_UNITS", "MAX_WEIGHTS", "check_limit"]

MAX_LAYERS = 20_000       # a blueprint of this size builds in about a second; more is refused
MAX_UNITS = 1_000_000
MAX_CONNECTIONS = 20_000
MAX_GATES = 20_000
MAX_WEIGHTS = 2 ** 28

LIMITS = {"MAX_LAYERS": MAX_LAYERS, "MAX_UNITS": MAX_UNITS, "MAX_CONNECTIONS": MAX_CONNECTIONS,
          "MAX_GATES": MAX_GATES, "MAX_WEIGHTS": MAX_WEIGHTS}


def check_limit(limit: str, value: int, what: str) -> int:
    """Return ``value`` if it is at most the limit named ``limit``, else raise ``ValueError``
    saying ``what`` asked for how much and which limit it exceeds."""
    bound = LIMITS[limit]
    if value > bound:
        raise ValueError(f"{what}: {value} exceeds the limit {limit} = {bound}")
    return value
