"""Run Synaptic 1.1.4 under node, so tests can compare axonal against it.

The harness is ``tests/synaptic/reference.js``: it reads one JSON command on stdin
and writes one JSON result on stdout (commands ``build``, ``run`` and ``trainer``;
see ``tests/synaptic/NOTES.md``). Synaptic itself is installed with::

    npm install --prefix tests/synaptic

Tests import this module as ``from synaptic_node import ...`` (tests/conftest.py
puts tests/ on sys.path) and mark themselves with ``@requires_synaptic`` so the
suite still passes where node or the npm package is missing.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SYNAPTIC_DIR = Path(__file__).resolve().parent / "synaptic"
REFERENCE_JS = SYNAPTIC_DIR / "reference.js"
SYNAPTIC_PACKAGE = SYNAPTIC_DIR / "node_modules" / "synaptic"
INSTALL_HINT = "npm install --prefix tests/synaptic"


def synaptic_available() -> bool:
    """True when ``node`` is on PATH and Synaptic is installed in tests/synaptic/node_modules."""
    return shutil.which("node") is not None and (SYNAPTIC_PACKAGE / "package.json").is_file()


def run_synaptic(command: dict, timeout: float = 120) -> dict:
    """Send one command to reference.js and return its parsed JSON result.

    Raises RuntimeError (with node's stderr) when node fails, times out or prints
    something that is not one JSON object.
    """
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(f"node is not on PATH; install Node.js, then run `{INSTALL_HINT}`")
    if not SYNAPTIC_PACKAGE.is_dir():
        raise RuntimeError(f"synaptic is not installed in {SYNAPTIC_PACKAGE.parent}; run `{INSTALL_HINT}`")
    try:
        proc = subprocess.run(
            [node, str(REFERENCE_JS)],
            input=json.dumps(command),
            capture_output=True,
            text=True,
            cwd=SYNAPTIC_DIR,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"reference.js timed out after {timeout}s (op={command.get('op')!r})") from exc
    if proc.returncode != 0:
        raise RuntimeError(
            f"reference.js failed with exit code {proc.returncode} (op={command.get('op')!r}):\n{proc.stderr.strip()}"
        )
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"reference.js printed no JSON result (op={command.get('op')!r}):\n"
            f"stdout: {proc.stdout[:2000]!r}\nstderr: {proc.stderr.strip()[:2000]}"
        ) from exc


requires_synaptic = pytest.mark.skipif(
    not synaptic_available(),
    reason=f"needs node and Synaptic 1.1.4 in tests/synaptic/node_modules: run `{INSTALL_HINT}`",
)
