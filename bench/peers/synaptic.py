"""Run a Synaptic measurement in node (bench/peers/synaptic.js) and read its JSON answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

SCRIPT = Path(__file__).with_name("synaptic.js")


def run_node(spec: dict, files: dict | None = None, timeout: float = 900) -> dict:
    """Write ``spec`` to a file, run the node script on it, return the object it prints.

    ``files`` maps a spec key to bytes: each is written beside the spec and the key
    set to its path.
    """
    with tempfile.TemporaryDirectory(prefix="bench-synaptic-") as tmp:
        spec = dict(spec)
        for key, data in (files or {}).items():
            spec[key] = str(Path(tmp) / key)
            Path(spec[key]).write_bytes(data)
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        proc = subprocess.run([shutil.which("node"), str(SCRIPT), str(spec_path)],
                              capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"node {SCRIPT.name} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def weights_to_lists(weights: dict) -> dict:
    return {name: array.tolist() for name, array in weights.items()}
