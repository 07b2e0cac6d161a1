"""The documentation site builds without a warning, and its Python examples run as written.

The site is ``mkdocs.yml`` and ``docs/`` (MkDocs, the Material theme, mkdocstrings for the API
reference). ``mkdocs build --strict`` turns every warning into an error: a broken link, a page
missing from the navigation, or a docstring the reference cannot render.

Every ```` ```python ```` block of the home page, the tutorial and the guides runs on its own,
in a fresh namespace, in an empty working folder: each block holds every import it needs. A
block whose first line is ``# continued`` is the exception: it runs in the namespace of the
block before it on the same page (the page says so). Shell commands sit in ```` ```console ````
blocks and are not run. The examples assert what their text claims; the training runs are
short (few epochs, small data) so that the whole set takes tens of seconds.
"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CONFIG = ROOT / "mkdocs.yml"
CONTINUED = "# continued"


def _site_sources_or_skip():
    if not CONFIG.exists() or not DOCS.is_dir():
        pytest.skip("mkdocs.yml and docs/ are not beside the tests (installed without the source tree)")


def _pages_with_code():
    if not DOCS.is_dir():
        return []
    pages = [DOCS / "index.md", *sorted((DOCS / "tutorial").glob("*.md")), *sorted((DOCS / "guides").glob("*.md"))]
    return [page for page in pages if page.exists() and python_blocks(page.read_text(encoding="utf-8"))]


def python_blocks(text: str) -> list[str]:
    """The bodies of the page's ```` ```python ```` fences, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)


def test_site_builds_strict(tmp_path):
    _site_sources_or_skip()
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install '.[docs]' to build the site)")
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(CONFIG),
                             "-d", str(site)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    for page in ("index.html", "tutorial/10-lstm/index.html", "guides/saving/index.html",
                 "reference/network/index.html", "changelog/index.html"):
        assert (site / page).exists(), page
    reference = (site / "reference" / "network" / "index.html").read_text(encoding="utf-8")
    assert "predict_proba" in reference                 # rendered from the docstrings
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "0.2.0" in changelog                         # CHANGELOG.md included


def test_every_page_is_in_the_navigation_and_the_tutorial_states_its_equations():
    _site_sources_or_skip()
    listed = set(re.findall(r"^\s*-\s*(?:[^:\n]+:\s*)?(\S+\.md)\s*$", CONFIG.read_text(encoding="utf-8"), re.M))
    for page in sorted(DOCS.rglob("*.md")):
        name = page.relative_to(DOCS).as_posix()
        assert name in listed, f"docs/{name} is not in the nav of mkdocs.yml"
    tutorial = sorted((DOCS / "tutorial").glob("[0-9][0-9]-*.md"))
    assert len(tutorial) >= 13
    for page in tutorial:
        text = page.read_text(encoding="utf-8")
        assert "\\[" in text, f"{page.name}: no displayed equation"
        assert python_blocks(text), f"{page.name}: no runnable example"


@pytest.mark.slow
@pytest.mark.parametrize("page", _pages_with_code(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_python_blocks_run_each_on_its_own(page, tmp_path, monkeypatch):
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    namespace = None
    for number, block in enumerate(blocks, 1):
        if block.startswith(CONTINUED):
            assert namespace is not None, f"{page.name}: block {number} continues, but nothing came before it"
        else:
            namespace = {"__name__": f"docs_{page.stem}_{number}"}
        exec(compile(block, f"{page.relative_to(ROOT)} (block {number})", "exec"), namespace)
