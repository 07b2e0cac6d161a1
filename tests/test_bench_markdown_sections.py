"""``python -m bench --report-only`` rewrites the sections its records produce and keeps the page's others.

The report runs on a temporary copy of BENCHMARKS.md and of bench/results (the records,
the hostile-file table and distributed.json), never on the repository's files. The
defaults table (pasted from ``python -m bench.defaults``) must survive word for word;
the data-parallel section is rebuilt from distributed.json, so a changed figure there
shows on the page; without that file, the page's data-parallel section is kept.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"

pytest.importorskip("bench.report", reason="the benchmark package is not importable from here")

from bench import distributed, markdown, report  # noqa: E402

FOREIGN = """## A section of another command

Its text, with a code block whose line looks like a heading:

```
## not a heading
python -m somewhere
```"""


def _body(page: str, heading: str) -> str:
    found = [body for h, body in markdown.sections(page) if h.startswith(heading)]
    assert len(found) == 1, (heading, [h for h, _ in markdown.sections(page)])
    return found[0]


@pytest.fixture
def copy(tmp_path, monkeypatch, capsys):
    """A page and results folder to publish into; ``publish()`` runs the report on them, returns the page."""
    for name in ("latest.jsonl", "load_bounds.md", "distributed.json"):
        if (RESULTS / name).exists():
            shutil.copy(RESULTS / name, tmp_path / name)
    page = tmp_path / "BENCHMARKS.md"
    page.write_text((REPO / "BENCHMARKS.md").read_text(encoding="utf-8") + "\n" + FOREIGN + "\n", encoding="utf-8")
    monkeypatch.setattr(report, "MARKDOWN", page)
    monkeypatch.setattr(report, "PLOT", tmp_path / "plot.png")
    monkeypatch.setattr(report, "plot", lambda summary, path: False)   # the plot is not what is tested here

    def publish() -> str:
        assert report.publish(tmp_path / "latest.jsonl", write_markdown=True) == 0
        capsys.readouterr()
        return page.read_text(encoding="utf-8")
    return tmp_path, publish


def test_the_defaults_section_and_other_commands_sections_survive(copy):
    folder, publish = copy
    before = (folder / "BENCHMARKS.md").read_text(encoding="utf-8")
    after = publish()
    for heading in ("Defaults on small tables", "A section of another command"):
        assert _body(after, heading) == _body(before, heading)
    assert "## not a heading" in _body(after, "A section of another command")
    for heading in markdown.OWNED[:3] + ("Targets", "What each library runs", "Data-parallel training over MPI"):
        _body(after, heading)   # each once
    assert publish() == after, "the report of its own page is that page"


def test_the_data_parallel_section_comes_from_its_results_file(copy):
    folder, publish = copy
    results = json.loads((folder / "distributed.json").read_text(encoding="utf-8"))
    assert _body(publish(), "Data-parallel training") == distributed.section(results)
    results["two"]["runs"][0]["samples_per_s"] = 12345.0
    (folder / "distributed.json").write_text(json.dumps(results), encoding="utf-8")
    rebuilt = _body(publish(), "Data-parallel training")
    assert rebuilt == distributed.section(results) and "| 12,345 |" in rebuilt


def test_without_its_results_file_the_data_parallel_section_is_kept(copy):
    folder, publish = copy
    before = _body((folder / "BENCHMARKS.md").read_text(encoding="utf-8"), "Data-parallel training")
    (folder / "distributed.json").unlink()
    assert _body(publish(), "Data-parallel training") == before


def test_bench_distributed_puts_its_section_in_place_of_the_old_one(tmp_path):
    results = json.loads((RESULTS / "distributed.json").read_text(encoding="utf-8"))
    page = tmp_path / "BENCHMARKS.md"
    page.write_text("# Benchmarks\n\n## Machine\n\nx\n\n## What each library runs\n\ny\n\n## Defaults\n\nz\n")
    distributed.write_section(results, page)
    assert [h for h, _ in markdown.sections(page.read_text())] == \
        ["", "Machine", "Data-parallel training over MPI", "What each library runs", "Defaults"]
    results["started"] = "later"
    distributed.write_section(results, page)
    text = page.read_text()
    assert text.count("## Data-parallel training over MPI") == 1 and "run started later" in text
