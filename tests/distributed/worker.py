"""Run the cases of dp_cases.py as one data-parallel run per case; each rank writes its outcome.

    mpiexec -n 2 python tests/distributed/worker.py OUT_DIR CASE [CASE ...]

writes ``OUT_DIR/<case>.rank<r>.npz``, with ``calls.step``/``calls.epoch``: the
Allreduce calls this rank made, by purpose.
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(os.path.dirname(HERE)), HERE]   # this checkout's axonal, then dp_cases

import dp_cases

import axonal.distributed as distributed


def main(out_dir, names):
    for name in names:
        with distributed.using(True) as comm:
            if name == "resumed":
                result = dp_cases.resumed(os.path.join(out_dir, "run.ckpt"))
            else:
                result = getattr(dp_cases, name)()
        outcome = dp_cases.outcome(*result)
        outcome.update({f"calls.{k}": np.array(v) for k, v in comm.calls.items()})
        np.savez(os.path.join(out_dir, f"{name}.rank{comm.rank}.npz"), **outcome)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
