"""The README's Python examples run as written and do what the text says."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_readme_python_blocks_run_each_on_its_own(tmp_path, monkeypatch, capsys):
    if not README.exists():
        pytest.skip("README.md is not beside the tests (installed without the source tree)")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 8
    monkeypatch.chdir(tmp_path)
    spaces = []
    for block in blocks:                      # each in a fresh namespace: every import it needs is in it
        namespace = {}
        exec(compile(block, str(README), "exec"), namespace)
        spaces.append(namespace)
    out = capsys.readouterr().out
    assert float(out.split("test accuracy")[1].split()[0]) >= 0.95
    digits = next(ns for ns in spaces if "x_test" in ns)
    assert digits["history"].stop_reason in ("no_improvement", "epochs")
    assert (tmp_path / "digits.axonal").exists() and (tmp_path / "run.ckpt").exists()
