"""Test-session settings, loaded by pytest before anything imports NumPy.

The suite runs its BLAS on one thread: the learning tests train small recurrent
networks whose matrix products are too small to gain from a second thread, and
on a shared two-core machine a second BLAS thread waiting for a busy core can
slow them down many times over. A value already in the environment wins.
"""

import os

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
