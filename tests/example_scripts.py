"""Loading the scripts of examples/ in tests (the folder is not a package)."""

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load(name):
    """Import examples/<name>.py as a module of its own."""
    spec = importlib.util.spec_from_file_location(f"axonal_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name, **arguments):
    """The example module and what its ``main(**arguments)`` returns."""
    module = load(name)
    return module, module.main(**arguments)
