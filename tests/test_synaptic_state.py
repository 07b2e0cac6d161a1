"""Synaptic's JSON state (each neuron's ``state``, ``old``, ``activation``), ``clear()`` and the online
learner continuing from the network's state, checked against Synaptic 1.1.4 under node.

``tests/synaptic/state/events.js`` runs one Synaptic network through a list of events (activate,
activate + propagate, ``clear()``, ``toJSON()``), so a test can take Synaptic's JSON in the middle
of a run and compare what axonal computes from it with what Synaptic computes next. Every case
runs on the NumPy and the compiled path (``axonal.jit.using``) and asks for 1e-12 in float64.
"""

import json
import shutil
import subprocess

import numpy as np
import pytest
from synaptic_node import SYNAPTIC_DIR, requires_synaptic

import axonal
from axonal.graph import Graph, GraphNetwork
from axonal.synaptic import SynapticJSONError, from_json, to_json

EVENTS_JS = SYNAPTIC_DIR / "state" / "events.js"
PATHS = pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "compiled"])


def events(command: dict) -> dict:
    """Run ``command`` through events.js: ``{"outputs", "jsons", "json_after"}``."""
    proc = subprocess.run([shutil.which("node"), str(EVENTS_JS)], input=json.dumps(command), capture_output=True,
                          text=True, cwd=SYNAPTIC_DIR, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"events.js failed:\n{proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def stream(n_in, n_out, steps, seed, learn=True):
    rng = np.random.default_rng(seed)
    return [{"input": rng.uniform(0, 1, n_in).tolist(),
             "target": rng.integers(0, 2, n_out).astype(float).tolist() if learn else None} for _ in range(steps)]


def watch(steps):
    return [dict(s, target=None) for s in steps]


def paths(compiled):
    if compiled and not axonal.jit.available():
        pytest.skip("the compiled path needs numba, which is not installed")
    return axonal.jit.using(compiled)


NETWORKS = {
    "lstm": ("LSTM", [2, 3, 1], {}),                                      # peepholes ALL_TO_ALL
    "lstm_deep": ("LSTM", [2, 2, 2, 1], {"hiddenToHidden": True, "outputToGates": True}),
    "perceptron": ("Perceptron", [2, 4, 3, 1], {}),
    "liquid": ("Liquid", [2, 8, 1], {"connections": 20, "gates": 6}),
}
LEARNERS = ["lstm", "lstm_deep", "perceptron"]   # Liquid: Synaptic's compiled propagate has the stale-sum bug


def trained(key, steps=40, seed=5):
    """Synaptic's network ``key`` trained online for ``steps`` steps: (its JSON then, its arguments)."""
    arch, sizes, options = NETWORKS[key]
    spec = {"arch": arch, "sizes": sizes, "options": options, "seed": seed}
    return spec, stream(sizes[0], sizes[-1], steps, seed=1)


@requires_synaptic
@PATHS
@pytest.mark.parametrize("key", list(NETWORKS))
def test_an_imported_trained_network_activates_as_synaptic_goes_on(key, compiled):
    """Synaptic trains, writes its JSON and goes on activating; the import gives those next outputs.
    A Liquid pool also needs its gains (not in the JSON): ``resume_gains`` takes them from the
    gaters' activations, as the running network holds them; Synaptic's own ``fromJSON`` sets 1."""
    spec, train = trained(key)
    sizes = spec["sizes"]
    after = watch(stream(sizes[0], sizes[-1], 12, seed=2))
    run = events(dict(spec, events=train + [{"json": True}] + after))
    mid, going_on = run["jsons"][0], np.array(run["outputs"][len(train):])
    assert any(n["state"] != 0 for n in mid["neurons"])
    reread = events({"json": mid, "events": after})                     # Synaptic's fromJSON of it
    with paths(compiled):
        net = from_json(mid)
        np.testing.assert_allclose([net.activate(s["input"]) for s in after], reread["outputs"], rtol=0, atol=1e-12)
        resumed = from_json(mid, resume_gains=True)
        np.testing.assert_allclose([resumed.activate(s["input"]) for s in after], going_on, rtol=0, atol=1e-12)
        fresh = from_json(mid, state=False)        # a recurrent network from zero: not where Synaptic was
        assert key == "perceptron" or np.abs(np.array([fresh.activate(s["input"]) for s in after]) - going_on).max() > 1e-6
    if key != "liquid":                                                 # gated before use: the gains never matter
        np.testing.assert_allclose(reread["outputs"], going_on, rtol=0, atol=1e-12)


@requires_synaptic
@PATHS
@pytest.mark.parametrize("key", LEARNERS)
def test_an_imported_trained_network_learns_on_as_synaptic_does(key, compiled):
    spec, train = trained(key)
    sizes = spec["sizes"]
    more = stream(sizes[0], sizes[-1], 25, seed=3)
    mid = events(dict(spec, events=train + [{"json": True}]))["jsons"][0]
    ref = events({"json": mid, "events": more})
    with paths(compiled):
        net = from_json(mid, in_order=False)         # LSTM-g traces layers, not neuron-by-neuron reads
        learner = net.online(0.1, rule="synaptic")
        ours = [learner.step(s["input"], s["target"]) for s in more]
    np.testing.assert_allclose(ours, ref["outputs"], rtol=0, atol=1e-12)
    after = from_json(ref["json_after"], in_order=False).get_weights()
    for name, value in net.get_weights().items():
        np.testing.assert_allclose(value, after[name], rtol=0, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(_neuron_state(to_json(net)), _neuron_state(ref["json_after"]), rtol=0, atol=1e-12)


def _neuron_state(data):
    return np.array([[n["state"], n["old"], n["activation"]] for n in data["neurons"]])


def _labels(data):
    return [n["layer"] for n in data["neurons"]]


def _synapses(data):
    return sorted((c["from"], c["to"], -1 if c["gater"] is None else c["gater"], c["weight"]) for c in data["connections"])


@requires_synaptic
@PATHS
@pytest.mark.parametrize("key", ["lstm", "lstm_deep", "liquid"])
def test_export_keeps_synaptics_layers_and_state_and_synaptic_goes_on_from_it(key, compiled):
    """Synaptic's JSON → axonal (layers split where a layer's neurons gate or read one another) →
    a few steps in axonal → export: Synaptic's own layer labels, and Synaptic's ``fromJSON`` of it
    activates as axonal goes on."""
    spec, train = trained(key)
    sizes = spec["sizes"]
    mid = events(dict(spec, events=train + [{"json": True}]))["jsons"][0]
    here, there = stream(sizes[0], sizes[-1], 5, seed=4, learn=False), stream(sizes[0], sizes[-1], 10, seed=6)
    with paths(compiled):
        net = from_json(mid, in_order=False)
        assert len(net.graph.nodes) > len({n["layer"] for n in mid["neurons"]}) or key == "lstm"
        for s in here:
            net.activate(s["input"])
        exported = to_json(net)
        assert _labels(exported) == _labels(mid)
        assert [(n["bias"], n["squash"]) for n in exported["neurons"]] == [(n["bias"], n["squash"])
                                                                           for n in mid["neurons"]]
        ref = events({"json": exported, "events": watch(there)})
        # the JSON has no gains and fromJSON sets them to 1: a Liquid pool, whose gaters run after
        # synapses they gate, goes on from there as its import does (an LSTM's gains never matter)
        going_on = from_json(exported, in_order=False) if key == "liquid" else net
        np.testing.assert_allclose([going_on.activate(s["input"]) for s in there], ref["outputs"], rtol=0,
                                   atol=1e-12)
    split = to_json(from_json(mid, in_order=False), merge_split=False)   # one Synaptic layer per graph layer
    assert _synapses(split) == _synapses(to_json(from_json(mid, in_order=False)))


@requires_synaptic
@pytest.mark.parametrize("key", list(NETWORKS))
def test_import_export_import_is_the_identity(key):
    spec, train = trained(key)
    mid = events(dict(spec, events=train + [{"json": True}]))["jsons"][0]
    for options in ({}, {"in_order": False}, {"split_layers": False}):
        net = from_json(mid, **options)
        once = to_json(net)
        for field in ("layer", "bias", "squash", "state", "old", "activation"):
            assert [n[field] for n in once["neurons"]] == [n[field] for n in mid["neurons"]], (options, field)
        assert _synapses(once) == _synapses(mid)
        again = from_json(json.dumps(once), **options)
        assert again.get_weights().keys() == net.get_weights().keys()
        for name, value in net.get_weights().items():
            np.testing.assert_array_equal(again.get_weights()[name], value)
        for part, layers in net.get_step_state().items():
            for i, value in layers.items():
                np.testing.assert_array_equal(again.get_step_state()[part][i], value)
        assert to_json(again) == once


@requires_synaptic
@PATHS
def test_clear_forgets_the_traces_but_not_the_state_as_synaptics_clear(compiled):
    spec, train = trained("lstm")
    before, after = train[:20], train[20:]
    ref = events(dict(spec, events=before + [{"json": True}, {"clear": True}, {"json": True}] + after))
    start = events(dict(spec, events=[{"json": True}]))["jsons"][0]
    with paths(compiled):
        net = from_json(start)
        learner = net.online(0.1, rule="synaptic")
        ours = [learner.step(s["input"], s["target"]) for s in before]
        held = to_json(net)
        traces = [v for k, v in learner.state_dict().items() if k.startswith(("trace.", "xtrace."))]
        assert any(np.abs(v).max() > 0 for v in traces)
        net.clear()
        assert to_json(net) == held                                     # state, old, activation kept
        assert all(np.abs(v).max() == 0 for k, v in learner.state_dict().items()
                   if k.startswith(("trace.", "xtrace.", "resp.")))
        ours += [learner.step(s["input"], s["target"]) for s in after]
    np.testing.assert_allclose(_neuron_state(held), _neuron_state(ref["jsons"][0]), rtol=0, atol=1e-12)
    assert _neuron_state(ref["jsons"][0]).tolist() == _neuron_state(ref["jsons"][1]).tolist()
    np.testing.assert_allclose(ours, ref["outputs"], rtol=0, atol=1e-12)
    # without clear() the traces carry on and the outputs differ
    kept = events(dict(spec, events=before + after))
    assert np.abs(np.array(kept["outputs"][20:]) - ref["outputs"][20:]).max() > 1e-9


@requires_synaptic
@PATHS
@pytest.mark.parametrize("key", ["lstm", "perceptron"])
def test_the_online_learner_goes_on_from_what_activate_left(key, compiled):
    """Synaptic: activate a while, then activate + propagate. axonal: ``net.activate`` the same inputs,
    then the learner's steps, in either order of making the learner (made first, it follows every
    activate and its traces are Synaptic's; made after, it starts from the state with traces 0, as
    Synaptic after ``clear()``)."""
    spec, _ = trained(key)
    sizes = spec["sizes"]
    look, learn = watch(stream(sizes[0], sizes[-1], 15, seed=7)), stream(sizes[0], sizes[-1], 20, seed=8)
    start = events(dict(spec, events=[{"json": True}]))["jsons"][0]
    ref = events(dict(spec, events=look + learn))
    cleared = events(dict(spec, events=look + [{"clear": True}] + learn))
    with paths(compiled):
        net = from_json(start)
        learner = net.online(0.1, rule="synaptic")
        seen = [net.activate(s["input"]) for s in look]
        ours = seen + [learner.step(s["input"], s["target"]) for s in learn]
        late = from_json(start)
        seen = [late.activate(s["input"]) for s in look]
        made_after = late.online(0.1, rule="synaptic")
        theirs = seen + [made_after.step(s["input"], s["target"]) for s in learn]
        # and back: the network's activate goes on from the learner's last step
        more = stream(sizes[0], sizes[-1], 5, seed=9, learn=False)
        again = [net.activate(s["input"]) for s in more]
    np.testing.assert_allclose(ours, ref["outputs"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(theirs, cleared["outputs"], rtol=0, atol=1e-12)
    tail = events(dict(spec, events=look + learn + watch(more)))
    np.testing.assert_allclose(again, tail["outputs"][-5:], rtol=0, atol=1e-12)


def _small_recurrent():
    g = Graph()
    x, h, y = g.layer("input", 2), g.layer("h", 3), g.layer("output", 1)
    x.project(h)
    h.project(h)
    h.project(y)
    return g


def test_the_numpy_and_compiled_paths_carry_the_same_state_both_ways():
    """Alternating ``activate``, learner steps, ``reset_state`` and ``clear`` gives the same outputs,
    state and weights on both paths (float64 1e-12)."""
    results = []
    for compiled in (False, True):
        if compiled and not axonal.jit.available():
            pytest.skip("the compiled path needs numba, which is not installed")
        with axonal.jit.using(compiled):
            net = GraphNetwork(_small_recurrent(), dtype="float64", seed=3)
            xs = np.random.default_rng(0).uniform(-1, 1, (30, 2))
            outs = [net.activate(x) for x in xs[:5]]
            learner = net.online(0.2, rule="synaptic")
            outs += [learner.step(x, [0.5]) for x in xs[5:12]]
            outs += [net.activate(x) for x in xs[12:15]]
            net.clear()
            outs += [learner.step(x, [0.2]) for x in xs[15:20]]
            state = net.get_step_state()
            net.reset_state()
            outs += [net.activate(x) for x in xs[20:25]]
            net.set_step_state(state)
            outs += [learner.step(x, [0.9]) for x in xs[25:]]
            results.append((np.array(outs), to_json(net), net.get_weights()))
    (a, ja, wa), (b, jb, wb) = results
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(_neuron_state(ja), _neuron_state(jb), rtol=0, atol=1e-12)
    for name in wa:
        np.testing.assert_allclose(wa[name], wb[name], rtol=0, atol=1e-12)


def test_reset_state_and_set_step_state_reach_the_learner():
    net = GraphNetwork(_small_recurrent(), dtype="float64", seed=1)
    xs = np.random.default_rng(2).uniform(-1, 1, (8, 2))
    learner = net.online(0.1)
    first = [learner.step(x) for x in xs]
    net.reset_state()                           # the learner starts afresh: the same outputs again
    np.testing.assert_array_equal([net.activate(x) for x in xs], first)
    state = net.get_step_state()
    ahead = [net.activate(x) for x in xs[:3]]
    net.set_step_state(state)
    np.testing.assert_array_equal([learner.step(x) for x in xs[:3]], ahead)
    learner.reset()
    assert net.get_step_state() is None
    with pytest.raises(ValueError, match=r"act\[1\] must be finite, of shape \(batch, 3\)"):
        net.set_step_state({"act": {1: np.zeros((1, 4))}})
    net.set_step_state({"act": {1: np.zeros((2, 3))}})          # two streams: the learner takes them
    with pytest.raises(ValueError, match="has 2 parallel sequences; got a batch of 1"):
        net.activate([0.0, 0.0])
    assert learner.step(np.zeros((2, 2))).shape == (2, 1)


def test_export_writes_the_current_state_and_refuses_a_batch():
    net = GraphNetwork(_small_recurrent(), dtype="float64", seed=0)
    assert {n["state"] for n in to_json(net)["neurons"]} == {0.0}
    for x in ([0.3, -0.2], [1.0, 0.5]):
        y = net.activate(x)
    data = to_json(net)
    assert [n["activation"] for n in data["neurons"][:2]] == [1.0, 0.5]
    assert data["neurons"][-1]["activation"] == pytest.approx(float(y[0]), abs=1e-15)
    state = net.get_step_state()
    np.testing.assert_array_equal(_neuron_state(data)[2:5].T, [state["state"][1][0], state["old"][1][0],
                                                                 state["act"][1][0]])
    np.testing.assert_array_equal(from_json(data).get_step_state()["act"][1], state["act"][1])
    net.reset_state()
    net.activate(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="batch of 2; Synaptic's JSON holds one stream"):
        to_json(net)


@pytest.mark.parametrize("field", ["state", "old", "activation"])
def test_a_bad_state_value_is_refused_naming_the_neuron_and_field(field):
    data = to_json(GraphNetwork(_small_recurrent(), dtype="float64", seed=0))
    for bad in (float("nan"), "1", None, True, 1e400):
        broken = json.loads(json.dumps(data))
        broken["neurons"][3][field] = bad
        with pytest.raises(SynapticJSONError, match=rf"neuron 3 has {field} .*a neuron's {field} is a finite number"):
            from_json(broken)
    absent = json.loads(json.dumps(data))
    del absent["neurons"][3][field]
    assert from_json(absent).get_step_state() is None        # absent reads as 0
    with pytest.raises(TypeError, match="state must be True or False"):
        from_json(data, state="yes")
