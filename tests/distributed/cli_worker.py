"""``axonal train`` on every rank of ``mpiexec``, the way ``axonal train --distributed`` runs it.

    mpiexec -n 2 python tests/distributed/cli_worker.py OUT_DIR ARG ...

Runs ``axonal.cli.main(["train", ARG ...])`` inside ``axonal.distributed.session(True)``
(rank 0 alone prints). Rank 0 writes ``OUT_DIR/model.axonal``; until the command itself
leaves the files to rank 0, the other ranks write theirs to ``OUT_DIR/rank<r>.axonal``.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

import axonal.cli
import axonal.distributed as distributed


def main(out_dir, args):
    with distributed.session(True) as comm:
        model = "model.axonal" if comm.rank == 0 else f"rank{comm.rank}.axonal"
        code = axonal.cli.main(["train", *args, "--output", os.path.join(out_dir, model)])
    sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
