"""Fuzzing in the default test run: hostile model files, Synaptic JSON and names (tests/fuzzing.py).

The default run is 2,000 seeded cases in two child processes (about a minute on two
cores). The long mode runs any number, e.g. 50,000 (15 to 20 minutes)::

    AXONAL_FUZZ_CASES=50000 python3 -m pytest -p no:cacheprovider tests/test_fuzz.py
    python3 tests/fuzzing.py --cases 50000 --jobs 2       # the same, counts per outcome printed

Every case must end in the documented error or a correct load, within the bounds
the children run under (CPU time and peak memory per case, address space); a
failure is listed with its case id, which ``python3 tests/fuzzing.py --case ID``
reproduces.
"""

import collections
import os
import random

import pytest

import fuzz_checks as checks
import fuzz_corpus as corpus
import fuzz_mutators as mutators
import fuzzing

CASES = int(os.environ.get("AXONAL_FUZZ_CASES", "2000"))


def _failures(results) -> str:
    lines = [f"{r['id']}: {r['outcome']} -- {r.get('detail', '')[:160]!r}" for r in results if r["failure"]]
    shown = "\n".join(lines[:60]) + (f"\n... and {len(lines) - 60} more" if len(lines) > 60 else "")
    return (f"{len(lines)} of {len(results)} cases failed (reproduce one with "
            f"python3 tests/fuzzing.py --case ID --write case.bin):\n{shown}")


def test_plan_spreads_cases_over_every_kind_and_mutator_reproducibly():
    kinds = fuzzing.default_kinds()
    cases = fuzzing.plan(CASES, kinds)
    assert len(cases) == len(set(cases)) == CASES
    assert cases == fuzzing.plan(CASES, kinds)
    pairs = collections.Counter(c.rsplit("/", 1)[0] for c in cases)
    expected = {f"{k}/{m}" for k in kinds for m, _ in fuzzing.MODEL_PLAN} | \
               {f"{t}/{m}" for t, m, _ in fuzzing.OTHER_PLAN}
    assert set(pairs) == expected
    assert min(pairs.values()) >= 3
    # the first cases of a run already mix targets (the two children share the work evenly)
    assert len({c.split("/")[0] for c in cases[:100]}) == len(kinds) + 2


def test_a_case_is_rebuilt_from_its_id_alone():
    seeds, again = fuzzing.Seeds(), fuzzing.Seeds()  # as two children build them
    assert seeds.blobs == again.blobs
    for case in ("mlp/json_edit/3", "graph_lstm/structure/1", "lstm/tensor_table/5", "synaptic/syn_value/2"):
        assert seeds.data(case) == again.data(case), case
    assert seeds.data("mlp/flip/0") != seeds.data("mlp/flip/1")


@pytest.mark.slow
def test_each_bound_stops_a_case_and_names_it():
    # the burning child needs up to 3 s of CPU (whole seconds) before its limit stops it: on a loaded
    # machine that takes longer in wall time, so the stall bound leaves it room
    results = fuzzing.run(["selftest/burn/0", "selftest/memory/0", "selftest/abort/0", "selftest/sleep/0",
                           "mlp/flip/0"], jobs=1, stall_seconds=8)
    outcomes = {r["id"]: r["outcome"] for r in results}
    memory = next(r for r in results if r["id"] == "selftest/memory/0")
    assert outcomes["selftest/burn/0"].startswith("FAIL cpu-limit")
    assert outcomes["selftest/memory/0"].startswith("FAIL memory: over 200 MB")
    assert 290 <= memory["memory_mb"] <= 330
    assert outcomes["selftest/abort/0"] == "FAIL crash: killed by SIGABRT"
    assert outcomes["selftest/sleep/0"].startswith("FAIL hang")
    assert not outcomes["mlp/flip/0"].startswith("FAIL")  # a fresh child took the remaining case


def test_the_checks_catch_what_they_look_for():
    network = checks.export_networks()["sequential"]
    good = "import math\n\ndef predict(x):\n    return [0.0]\n"
    assert checks.check_python(good, network) is None
    assert "payload" in checks.check_python(good + f"globals()[{corpus.SENTINEL!r}]()\n", network)
    assert "identifier" in checks.check_python(good + f"{corpus.SENTINEL}()\n", network)
    assert "imports" in checks.check_python("import os\n" + good, network)
    assert "identifier" in checks.check_python(good + f"def {corpus.SENTINEL}():\n    pass\n", network)
    assert checks.check_dot('digraph "a" {\n  "x" -> "y";\n}\n') is None
    assert checks.check_dot('digraph "a\nb" {\n}\n') is not None
    assert checks.check_dot('digraph "a" {\n  x; __FUZZ_PWNED__;\n}\n') is not None
    assert checks.check_svg('<svg xmlns="http://www.w3.org/2000/svg"><text>a</text></svg>') is None
    assert checks.check_svg('<svg xmlns="http://www.w3.org/2000/svg"><text>a\x1b</text></svg>') is not None
    assert checks.check_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="x"/>') is not None
    assert checks.message_problem("path: corrupt model file (bad)") is None
    assert checks.message_problem("x" * 5000) is not None
    assert checks.message_problem("name '\x1b[2J'") is not None


def test_header_edits_stay_valid_json_and_signed_edits_carry_a_matching_digest():
    seeds = fuzzing.Seeds()
    rng = random.Random(1)
    for _ in range(20):
        edited = mutators.json_edit_signed(rng, seeds.blobs["mlp"])
        outer, _ = mutators.split(edited)
        assert "axonal" in outer["__metadata__"]
    assert mutators.resign(seeds.blobs["graph_lstm"]) == seeds.blobs["graph_lstm"]


@pytest.mark.slow
def test_hostile_names_never_become_code_markup_or_control_characters():
    assert len(corpus.HOSTILE_NAMES) >= 50
    rows = checks.name_sweep()
    counts = collections.Counter(" ".join(outcomes) for *_, outcomes, _ in rows)
    failed = [f"name {i} {corpus.HOSTILE_NAMES[i][:40]!r} on {key} holder {h}: {' '.join(outcomes)}"
              for i, key, h, outcomes, failed in rows if failed]
    print(f"{len(rows)} exports of {len(corpus.HOSTILE_NAMES)} names: {dict(counts)}")
    assert not failed, f"{len(failed)} of {len(rows)} exports failed:\n" + "\n".join(failed[:40])


@pytest.mark.slow
@pytest.mark.skipif(CASES < 1, reason="AXONAL_FUZZ_CASES=0")
def test_mutated_inputs_end_in_the_documented_error_or_a_correct_load():
    results = fuzzing.run(fuzzing.plan(CASES, fuzzing.default_kinds()), jobs=2)
    print(fuzzing.summary(results))
    assert len(results) == CASES
    assert not any(r["failure"] for r in results), _failures(results)
