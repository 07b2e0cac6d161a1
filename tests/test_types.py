"""The package type-checks: mypy, configured in pyproject.toml, finds no error in axonal/."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_finds_no_error_in_the_package():
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install '.[test]'")
    if not (ROOT / "pyproject.toml").exists() or not (ROOT / "axonal").is_dir():
        pytest.skip("the source tree is not beside the tests")
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Success: no issues found" in done.stdout
    assert (ROOT / "axonal" / "py.typed").exists()
