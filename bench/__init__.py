"""axonal's benchmark suite against PyTorch, scikit-learn and Synaptic: ``python -m bench``.

Not part of the installed package and not a dependency of it: the peers it compares
against are listed in bench/requirements.txt and bench/package.json.
"""
