"""Numba kernels: the loops NumPy cannot batch, compiled.

Each module here imports Numba and is imported only through :func:`axonal.jit.kernels`
(never by ``import axonal``). Every kernel implements equations whose NumPy
reference lives in the module named in its docstring, and the tests run both on the
same cases.
"""
