"""Loading and running the scripts of examples/ in tests (the folder is not a package).

``load`` and ``run`` import a script in this process; ``run_commands`` runs scripts
the way their docstrings say, ``python3 examples/NAME.py [ARGS]`` from the
repository root, each in a child process of its own. The child's ``sys.path``
starts with examples/, never with the repository root, and ``PYTHONPATH`` is
cleared, so the child imports axonal as an installed package.
"""

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NAMES = tuple(sorted(path.stem for path in EXAMPLES.glob("*.py")))
COMMAND = re.compile(r"Run it with ``python3 (examples/\w+\.py)((?: \[[^\]`]+\])*)``")


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


def docstring(name) -> str:
    """The module docstring of examples/<name>.py, read without running the script."""
    return ast.get_docstring(ast.parse((EXAMPLES / f"{name}.py").read_text(encoding="utf-8"))) or ""


def command(name):
    """The command the docstring gives for running the script: its path and optional arguments.

    ``None`` when the docstring names no ``python3 examples/...`` command.
    """
    match = COMMAND.search(" ".join(docstring(name).split()))
    if match is None:
        return None
    return match.group(1), re.findall(r"\[([^\]]+)\]", match.group(2))


def run_commands(arguments: dict, timeout: float = 600) -> dict:
    """Run ``python3 examples/NAME.py *ARGS`` for every ``NAME: ARGS``, side by side.

    Returns ``NAME: CompletedProcess``; the scripts run from the repository root,
    with their own interpreter and no ``PYTHONPATH``.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    children = {name: subprocess.Popen([sys.executable, f"examples/{name}.py", *map(str, args)], cwd=ROOT, env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       encoding="utf-8")
                for name, args in arguments.items()}
    done = {}
    try:
        for name, child in children.items():
            out, err = child.communicate(timeout=timeout)
            done[name] = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.kill()
                child.wait()
    return done
