"""Model files: exact round trips, atomic saves, and hostile files refused without running anything."""

import json
import os
import pickle

import numpy as np
import pytest

from axonal import (SGD, Adagrad, Adam, BatchNorm, Dense, Dropout, Residual, RMSprop, Rprop, Sequential,
                    Standardize)
from axonal.io import ModelFileError, load, read_header, save, to_bytes
from axonal.io.container import seal
from axonal.schedules import ReduceOnPlateau, WarmUp


# -- fixtures and helpers -------------------------------------------------------------------------
def data(n=48, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, size=(n, features))
    y = np.stack([np.sin(x[:, 0]) + x[:, 1], x[:, 2] * x[:, 3]], axis=1) / 4
    return x, y


def rich_network(dtype="float32", dropout=True):
    """Standardize (adapted by fit), Dense, Residual with and without projection, BatchNorm, Dropout.

    The dropout generator's position is not part of a model file, so networks that
    resume training exactly are built with ``dropout=False``.
    """
    return Sequential([
        Standardize(),
        Dense(8, "tanh"),
        Residual([Dense(8, "relu"), BatchNorm()]),
        BatchNorm(momentum=0.3),
        Residual([Dense(5, "elu")], projection=True),
        Dropout(0.2 if dropout else 0.0, seed=3),
        Dense(2),
    ], input_dim=4, dtype=dtype, seed=0)


def trained(dtype="float32", optimizer=None, epochs=3):
    net = rich_network(dtype)
    x, y = data()
    net.fit(x, y, optimizer=optimizer if optimizer is not None else Adam(0.01), epochs=epochs,
            batch_size=16, shuffle=False)
    return net


def assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert wa.keys() == wb.keys()
    for name in wa:
        assert wa[name].dtype == wb[name].dtype, name
        np.testing.assert_array_equal(wa[name], wb[name], err_msg=name)


def raw_file(header: dict, data_bytes: bytes = b"") -> bytes:
    """A safetensors file assembled by hand, with whatever header we like, not sealed."""
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + data_bytes


def sealed_file(header: dict, data_bytes: bytes = b"") -> bytes:
    """A file with whatever tensor table and axonal header we like, in canonical form with a valid
    digest: what an attacker who knows the format can write. The checks after the digest must hold."""
    header = dict(header)
    inner = json.loads(header.pop("__metadata__")["axonal"])
    return seal(inner, header, data_bytes)


def split(blob: bytes):
    """``(header dict, data bytes)`` of a safetensors file."""
    n = int.from_bytes(blob[:8], "little")
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def edit_axonal_header(blob: bytes, change) -> bytes:
    header, data_bytes = split(blob)
    inner = json.loads(header["__metadata__"]["axonal"])
    change(inner)
    header["__metadata__"]["axonal"] = json.dumps(inner)
    return sealed_file(header, data_bytes)


def first_tensor(header):
    return min((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"])


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "model.axonal"
    save(trained(), path, metadata={"note": "good"})
    return path


def assert_refused(path, *fragments):
    """load and read_header both raise one ModelFileError, one line, naming the file."""
    for reader in (load, read_header):
        with pytest.raises(ModelFileError) as info:
            reader(path)
        message = str(info.value)
        assert message.startswith(f"{path}: "), message
        assert "\n" not in message
        for fragment in fragments:
            assert fragment in message, message
    assert isinstance(info.value, ValueError)


# -- round trips -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_gives_bit_identical_predictions(tmp_path, dtype):
    net = trained(dtype)
    x, _ = data(n=20, seed=1)
    bn = net.layers[3]
    assert not np.all(bn.state["running_mean"] == 0) and not np.all(bn.state["running_var"] == 1)
    assert net.layers[0].adapted

    save(net, tmp_path / "m.axonal")
    loaded = load(tmp_path / "m.axonal")

    assert loaded.dtype == np.dtype(dtype)
    assert loaded.get_config() == net.get_config()
    assert_same_weights(net, loaded)
    assert loaded.layers[0].adapted
    expected = net.predict(x)
    got = loaded.predict(x)
    assert got.dtype == expected.dtype
    assert got.tobytes() == expected.tobytes()
    assert loaded.loss_.get_config() == net.loss_.get_config()


def test_save_load_save_is_byte_identical(tmp_path):
    opt = Adam(0.02, l2=1e-4, clip_value=5.0)
    net = trained(optimizer=opt)
    net.classes_ = ["cat", "dog"]
    first, second = tmp_path / "first.axonal", tmp_path / "second.axonal"
    save(net, first, optimizer=opt, metadata={"data": {"rows": 48, "ratio": 0.1}, "tags": ["a", "é"]})
    save(load(first), second)  # optimizer, metadata: taken from the loaded network's attributes
    assert first.read_bytes() == second.read_bytes()
    loaded = load(second)
    without_optimizer = to_bytes(loaded, optimizer=None, metadata=loaded.metadata_)
    assert without_optimizer != second.read_bytes() and len(without_optimizer) < len(second.read_bytes())


@pytest.mark.parametrize("make", [lambda: Adam(0.01), lambda: SGD(0.05, momentum=0.9, nesterov=True),
                                  lambda: RMSprop(0.005), lambda: Adagrad(0.05), lambda: Rprop(),
                                  lambda: SGD(0.05)])
def test_training_continues_after_load_as_if_never_saved(tmp_path, make):
    x, y = data()
    batch = None if make().name == "rprop" else 16
    net = rich_network(dropout=False)
    opt = make()
    net.fit(x, y, optimizer=opt, epochs=3, batch_size=batch, shuffle=False)
    save(net, tmp_path / "m.axonal", optimizer=opt)

    net.fit(x, y, optimizer=opt, epochs=3, batch_size=batch, shuffle=False)
    resumed = load(tmp_path / "m.axonal")
    assert type(resumed.optimizer_) is type(opt)
    assert resumed.optimizer_.get_config() == opt.get_config()
    resumed.fit(x, y, optimizer=resumed.optimizer_, epochs=3, batch_size=batch, shuffle=False)

    assert resumed.optimizer_.iterations == opt.iterations
    assert_same_weights(net, resumed)


def test_a_fresh_optimizer_lost_its_state_would_be_caught():
    # The test above can fail: restarting Adam from zero moments changes the weights.
    x, y = data()
    a, b = rich_network(dropout=False), rich_network(dropout=False)
    opt = Adam(0.01)
    a.fit(x, y, optimizer=opt, epochs=2, batch_size=16, shuffle=False)
    b.set_weights(a.get_weights())
    a.fit(x, y, optimizer=opt, epochs=1, batch_size=16, shuffle=False)
    b.fit(x, y, optimizer=Adam(0.01), epochs=1, batch_size=16, shuffle=False)
    assert any(not np.array_equal(a.get_weights()[k], b.get_weights()[k]) for k in a.get_weights())


def test_optimizer_defaults_to_the_networks_and_none_leaves_it_out(tmp_path):
    opt = Adam(0.01)
    net = trained(optimizer=opt)
    net.optimizer_ = opt
    save(net, tmp_path / "with.axonal")
    save(net, tmp_path / "without.axonal", optimizer=None)
    assert read_header(tmp_path / "with.axonal")["optimizer"]["slots"] == ["m", "v"]
    assert read_header(tmp_path / "without.axonal")["optimizer"] is None
    assert load(tmp_path / "without.axonal").optimizer_ is None
    assert not any(k.startswith("optimizer.") for k in read_header(tmp_path / "without.axonal")["tensors"])


def test_an_optimizer_that_never_stepped_round_trips_fresh(tmp_path):
    net = rich_network()
    save(net, tmp_path / "a.axonal", optimizer=Adam(0.003))
    loaded = load(tmp_path / "a.axonal")
    assert loaded.optimizer_.iterations == 0 and loaded.optimizer_.learning_rate == 0.003
    assert loaded.loss_ is None and loaded.classes_ is None and loaded.metadata_ == {}
    save(loaded, tmp_path / "b.axonal")
    assert (tmp_path / "a.axonal").read_bytes() == (tmp_path / "b.axonal").read_bytes()


def test_optimizer_state_of_another_network_is_refused(tmp_path):
    opt = Adam(0.01)
    trained(optimizer=opt)
    other = Sequential([Dense(2, input_dim=4)], seed=0)
    with pytest.raises(ValueError, match="belongs to a network with other parameters"):
        save(other, tmp_path / "m.axonal", optimizer=opt)
    assert not (tmp_path / "m.axonal").exists()


def test_classes_and_metadata_round_trip(tmp_path):
    net = rich_network()
    for classes in (["setosa", "versicolor"], np.array([3, 7]), None):
        net.classes_ = classes
        metadata = {"author": "me", "n": 3, "scores": [0.5, 1e-300, -2.0], "nested": {"ok": True, "none": None}}
        save(net, tmp_path / "m.axonal", metadata=metadata)
        loaded = load(tmp_path / "m.axonal")
        assert loaded.classes_ == (None if classes is None else list(classes))
        assert loaded.classes_ is None or all(type(c) in (int, str) for c in loaded.classes_)
        assert loaded.metadata_ == metadata


@pytest.mark.parametrize("metadata, fragment", [
    ({"when": {1, 2}}, "metadata['when'] is a set"),
    ({"x": float("nan")}, "metadata['x'] is nan"),
    ({"deep": [1, {"f": object()}]}, "metadata['deep'][1]['f'] is a object"),
    ({3: "three"}, "key 3"),
    ({"arr": np.array([1.0, np.inf])}, "is inf"),
])
def test_metadata_that_is_not_json_is_refused_before_writing(tmp_path, metadata, fragment):
    with pytest.raises(ValueError, match="metadata must be JSON data") as info:
        save(rich_network(), tmp_path / "m.axonal", metadata=metadata)
    assert fragment in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_class_labels_must_be_strings_or_integers(tmp_path):
    net = rich_network()
    with pytest.raises(ValueError, match="class labels must be strings or integers, got 0.5 .* at index 0"):
        net.classes_ = [0.5, 1.5]
    assert net.classes_ is None


def test_unbuilt_network_cannot_be_saved(tmp_path):
    with pytest.raises(ValueError, match="not built yet"):
        save(Sequential([Dense(2)]), tmp_path / "m.axonal")


def test_read_header_summarises_without_building(good_file):
    header = read_header(good_file)
    assert header["format"] == "axonal.model" and header["format_version"] == 2
    assert header["architecture"]["layers"][0]["class"] == "Standardize"
    assert header["loss"] == {"name": "mse"} and header["metadata"] == {"note": "good"}
    assert header["tensors"]["params.layers.1.weight"] == {"dtype": "F32", "shape": [4, 8]}
    assert header["tensors"]["state.layers.3.running_mean"] == {"dtype": "F32", "shape": [8]}
    assert header["tensors"]["state.layers.0.shift"] == {"dtype": "F32", "shape": [4]}
    # The optimizer that trained the network came along by default, with its state.
    assert header["optimizer"]["name"] == "adam" and header["optimizer"]["iterations"] == 9
    assert header["tensors"]["optimizer.v.layers.1.weight"] == {"dtype": "F32", "shape": [4, 8]}
    assert header["schedule"] is None and header["classes"] is None


def test_header_is_one_canonical_json_key(good_file):
    header, _ = split(good_file.read_bytes())
    assert list(header["__metadata__"]) == ["axonal"]
    text = header["__metadata__"]["axonal"]
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


# -- schedules ------------------------------------------------------------------------------------------
def test_schedule_config_and_state_round_trip(tmp_path):
    x, y = data()
    net = rich_network(dropout=False)
    schedule = WarmUp(2, then=ReduceOnPlateau(factor=0.5, patience=1))
    net.fit(x, y, optimizer=Adam(0.05), schedule=schedule, epochs=8, batch_size=16, shuffle=False)
    state = net.schedule_.state_dict()
    assert state["then"]["best"] is not None  # it has learned something worth saving

    save(net, tmp_path / "m.axonal")  # optimizer and schedule: the network's
    loaded = load(tmp_path / "m.axonal")
    assert isinstance(loaded.schedule_, WarmUp)
    assert loaded.schedule_.get_config() == net.schedule_.get_config()
    assert loaded.schedule_.state_dict() == state
    save(loaded, tmp_path / "again.axonal")
    assert (tmp_path / "m.axonal").read_bytes() == (tmp_path / "again.axonal").read_bytes()

    # Resuming with the saved optimizer and schedule trains exactly as the original does.
    net.fit(x, y, optimizer=net.optimizer_, schedule=net.schedule_, epochs=4, batch_size=16, shuffle=False)
    loaded.fit(x, y, optimizer=loaded.optimizer_, schedule=loaded.schedule_, epochs=4, batch_size=16,
               shuffle=False)
    assert loaded.schedule_.state_dict() == net.schedule_.state_dict()
    assert_same_weights(net, loaded)


def test_a_schedule_that_is_a_function_is_left_out_with_a_warning(tmp_path):
    from axonal.schedules import FromCallable
    x, y = data()
    net = rich_network()
    net.fit(x, y, optimizer=SGD(0.01), schedule=lambda epoch, error: 0.01 / (epoch + 1), epochs=2)
    with pytest.warns(UserWarning, match="cannot be stored; the model is saved without it"):
        save(net, tmp_path / "m.axonal")
    assert load(tmp_path / "m.axonal").schedule_ is None
    with pytest.raises(ValueError, match="cannot be stored in a model file .*pass schedule=None"):
        save(net, tmp_path / "n.axonal", schedule=FromCallable(lambda e, err: 0.1))  # asked for explicitly
    assert not (tmp_path / "n.axonal").exists()


@pytest.mark.parametrize("schedule, fragment", [
    ({"config": {"name": "from_callable", "fn": "os.system"}, "state": {}}, "invalid schedule (from_callable:"),
    ({"config": {"name": "subprocess"}, "state": {}}, "invalid schedule (unknown schedule 'subprocess'"),
    ({"config": {"name": "reduce_on_plateau", "base_rate": 0.1}, "state": {"rate": "x"}},
     "invalid schedule state (ReduceOnPlateau: state must have keys"),
    ({"config": {"name": "constant"}, "state": []}, "'schedule' must be null or {config, state}"),
])
def test_hostile_schedules_are_refused(tmp_path, good_file, schedule, fragment):
    path = tmp_path / "bad.axonal"
    path.write_bytes(edit_axonal_header(good_file.read_bytes(), lambda h: h.update(schedule=schedule)))
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert fragment in str(info.value)


# -- atomic saving ----------------------------------------------------------------------------------------
def failing(exc):
    def fail(*args, **kwargs):
        raise exc
    return fail


@pytest.mark.parametrize("target, exc", [
    ("replace", OSError(28, "No space left on device")),
    ("fsync", OSError(5, "Input/output error")),
    ("replace", KeyboardInterrupt()),
])
def test_interrupted_save_leaves_the_previous_file_untouched(good_file, monkeypatch, target, exc):
    before = good_file.read_bytes()
    net = trained(epochs=1)
    monkeypatch.setattr(os, target, failing(exc))
    with pytest.raises(type(exc)) as info:
        save(net, good_file)
    monkeypatch.undo()
    if isinstance(exc, OSError):
        assert str(good_file) in str(info.value)
    assert good_file.read_bytes() == before
    assert [p.name for p in good_file.parent.iterdir()] == [good_file.name]  # no temporary file left
    assert load(good_file).metadata_ == {"note": "good"}


def test_failed_write_leaves_no_file_when_there_was_none(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "replace", failing(OSError(13, "Permission denied")))
    with pytest.raises(PermissionError, match="model.axonal"):
        save(rich_network(), tmp_path / "model.axonal")
    assert list(tmp_path.iterdir()) == []


def test_save_to_a_missing_directory_names_the_path(tmp_path):
    target = tmp_path / "no" / "such" / "model.axonal"
    with pytest.raises(FileNotFoundError) as info:
        save(rich_network(), target)
    assert str(target) in str(info.value)


def test_saving_onto_a_directory_names_the_path(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(OSError) as info:
        save(rich_network(), tmp_path / "taken")
    assert str(tmp_path / "taken") in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


# -- hostile and broken files ---------------------------------------------------------------------------
class Trap:
    """Unpickling this creates the marker file: proof that something executed."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def no_unpickling(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the loader tried to unpickle")
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(np, "load", refuse)


def test_a_pickle_payload_is_refused_and_never_runs(tmp_path, good_file):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Trap(str(marker)))
    assert not marker.exists()
    # The payload as a whole file, and hidden inside an otherwise well-formed model file.
    (tmp_path / "pickle.axonal").write_bytes(payload)
    header, body = split(good_file.read_bytes())
    header["evil"] = {"dtype": "U8", "shape": [len(payload)],
                      "data_offsets": [len(body), len(body) + len(payload)]}
    (tmp_path / "smuggled.axonal").write_bytes(sealed_file(header, body + payload))
    whole = len(payload) // 4 * 4
    header["evil"] = {"dtype": "F32", "shape": [whole // 4], "data_offsets": [len(body), len(body) + whole]}
    (tmp_path / "extra.axonal").write_bytes(sealed_file(header, body + payload[:whole]))

    assert_refused(tmp_path / "pickle.axonal", "not an axonal model file")
    assert_refused(tmp_path / "smuggled.axonal", "'U8' is not allowed")
    with pytest.raises(ModelFileError, match="unexpected 1 tensor: 'evil'"):
        load(tmp_path / "extra.axonal")
    assert not marker.exists()
    pickle.loads(payload)  # the trap is real: unpickling it does create the marker
    assert marker.exists()


def test_loading_never_calls_pickle_or_numpy_load(good_file, no_unpickling):
    assert load(good_file).metadata_ == {"note": "good"}


def test_header_length_larger_than_the_file(tmp_path, no_unpickling):
    path = tmp_path / "bad.axonal"
    path.write_bytes((9 * 10**18).to_bytes(8, "little") + b"{}" * 600)
    assert_refused(path, "not an axonal model file (header length 9000000000000000000 exceeds file size 1208)")


def test_oversized_header(tmp_path, no_unpickling):
    from axonal.io.limits import MAX_HEADER_BYTES
    path = tmp_path / "bad.axonal"
    size = MAX_HEADER_BYTES + 1024 * 1024
    with open(path, "wb") as f:  # sparse: cheap to make
        f.write((size - 8).to_bytes(8, "little"))
        f.seek(size - 1)
        f.write(b" ")
    assert_refused(path, f"exceeds the limit of {MAX_HEADER_BYTES} bytes (MAX_HEADER_BYTES)")


@pytest.mark.parametrize("prefix, fragment", [
    (b"", "too short"),
    (b"\x01\x00\x00\x00\x00\x00\x00\x00{", "too short for a JSON object"),
    (b"\x04\x00\x00\x00\x00\x00\x00\x00\xff\xfe{}", "not UTF-8"),
    (b"\x04\x00\x00\x00\x00\x00\x00\x00[1] ", "not an object"),
    (b"\x04\x00\x00\x00\x00\x00\x00\x00{\"a\"", "invalid JSON"),
])
def test_malformed_containers(tmp_path, prefix, fragment):
    path = tmp_path / "bad.axonal"
    path.write_bytes(prefix)
    assert_refused(path, fragment)


def test_json_tricks_are_refused(tmp_path, good_file):
    header, body = split(good_file.read_bytes())
    text = json.dumps(header)
    name = first_tensor(header)
    duplicated = text[:-1] + ", " + json.dumps(name) + ": " + json.dumps(header[name]) + "}"
    path = tmp_path / "dup.axonal"
    path.write_bytes(len(duplicated).to_bytes(8, "little") + duplicated.encode() + body)
    assert_refused(path, "appears twice")
    deep = "[" * 100000 + "]" * 100000
    path.write_bytes(len(deep).to_bytes(8, "little") + deep.encode())
    assert_refused(path, "nested too deeply")
    inner = header["__metadata__"]["axonal"]
    header["__metadata__"]["axonal"] = inner.replace('"metadata":{', '"metadata":{"x":NaN,')
    path.write_bytes(raw_file(header, body))
    assert_refused(path, "not in canonical form")
    path.write_bytes(hand_sealed(header, body))  # canonical bytes, a valid digest, and a NaN
    assert_refused(path, "NaN is not valid JSON")


def hand_sealed(header: dict, body: bytes) -> bytes:
    """Canonical bytes and a correct digest around any axonal header text, even one ``seal`` cannot write."""
    import hashlib
    text = header["__metadata__"]["axonal"]
    stored = json.loads(text)["sha256"]

    def encoded(digest):
        outer = {**header, "__metadata__": {"axonal": text.replace(stored, digest)}}
        raw = json.dumps(outer, sort_keys=True, separators=(",", ":")).encode()
        return raw + b" " * (-len(raw) % 8)

    prefix = len(encoded("0" * 64)).to_bytes(8, "little")
    digest = hashlib.sha256(prefix + encoded("0" * 64) + body).hexdigest()
    return prefix + encoded(digest) + body


def test_overlapping_tensor_offsets(tmp_path, good_file):
    header, body = split(good_file.read_bytes())
    names = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"])
    a, b = names[0], names[1]
    begin = header[a]["data_offsets"][0]
    size_b = header[b]["data_offsets"][1] - header[b]["data_offsets"][0]
    header[b]["data_offsets"] = [begin, begin + size_b]  # b now starts where a starts
    path = tmp_path / "bad.axonal"
    path.write_bytes(sealed_file(header, body))
    assert_refused(path, "overlaps the tensor before it")


def test_gap_or_trailing_bytes_in_the_data_region(tmp_path, good_file):
    header, body = split(good_file.read_bytes())
    path = tmp_path / "bad.axonal"
    path.write_bytes(sealed_file(header, body + b"\0\0\0\0"))
    assert_refused(path, f"cover {len(body)} bytes but the data region holds {len(body) + 4}")
    last = max((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"])
    header[last]["data_offsets"] = [o + 4 for o in header[last]["data_offsets"]]
    path.write_bytes(sealed_file(header, body + b"\0\0\0\0"))
    assert_refused(path, "leaves a gap")


@pytest.mark.parametrize("dtype, fragment", [
    ("I64", "dtype 'I64' is not allowed"),
    ("U8", "dtype 'U8' is not allowed"),
    ("F16", "dtype 'F16' is not allowed"),
    (7, "dtype 7 is not allowed"),
])
def test_wrong_dtype(tmp_path, good_file, dtype, fragment):
    header, body = split(good_file.read_bytes())
    header[first_tensor(header)]["dtype"] = dtype
    path = tmp_path / "bad.axonal"
    path.write_bytes(sealed_file(header, body))
    assert_refused(path, fragment)


def test_float64_tensor_in_a_float32_network(tmp_path, good_file):
    header, body = split(good_file.read_bytes())
    name = "params.layers.6.bias"  # shape (2,): 8 bytes as F32, 16 as F64; rewrite it as F64 at the end
    begin, end = header[name]["data_offsets"]
    values = np.frombuffer(body[begin:end], dtype="<f4").astype("<f8").tobytes()
    body = body[:begin] + body[end:]
    for entry in (v for k, v in header.items() if k != "__metadata__"):
        if entry["data_offsets"][0] >= end:
            entry["data_offsets"] = [o - (end - begin) for o in entry["data_offsets"]]
    header[name] = {"dtype": "F64", "shape": [2], "data_offsets": [len(body), len(body) + 16]}
    path = tmp_path / "bad.axonal"
    path.write_bytes(sealed_file(header, body + values))
    read_header(path)  # a well-formed container ...
    with pytest.raises(ModelFileError, match="params.layers.6.bias is F64; the F32 network needs F32"):
        load(path)  # ... that does not fit the architecture


@pytest.mark.parametrize("shape, fragment", [
    ([3, 3], "span"),
    ([-1, 8], "non-negative integers"),
    ([4.0, 8], "non-negative integers"),
    ("4x8", "non-negative integers"),
    ([1] * 9, "at most 8"),
])
def test_shape_offset_mismatch(tmp_path, good_file, shape, fragment):
    header, body = split(good_file.read_bytes())
    header["params.layers.1.weight"]["shape"] = shape
    path = tmp_path / "bad.axonal"
    path.write_bytes(sealed_file(header, body))
    assert_refused(path, "params.layers.1.weight", fragment)


@pytest.mark.parametrize("offsets", [[10, 2], [0], [0, 2**70], "0-8", [-8, 0]])
def test_malformed_data_offsets(tmp_path, good_file, offsets):
    header, body = split(good_file.read_bytes())
    header["params.layers.1.weight"]["data_offsets"] = offsets
    path = tmp_path / "bad.axonal"
    path.write_bytes(sealed_file(header, body))
    assert_refused(path, "params.layers.1.weight")


def test_a_consistent_shape_that_does_not_fit_the_architecture(tmp_path, good_file):
    header, body = split(good_file.read_bytes())
    header["params.layers.1.weight"]["shape"] = [8, 4]  # same byte count, transposed
    path = tmp_path / "bad.axonal"
    path.write_bytes(sealed_file(header, body))
    read_header(path)
    with pytest.raises(ModelFileError, match=r"params.layers.1.weight has shape \(8, 4\); .* needs \(4, 8\)"):
        load(path)


def test_unknown_layer_class_in_the_architecture(tmp_path, good_file, no_unpickling):
    def evil(header):
        header["architecture"]["layers"][1]["class"] = "os.system"
    path = tmp_path / "bad.axonal"
    path.write_bytes(edit_axonal_header(good_file.read_bytes(), evil))
    read_header(path)  # the header is well-formed; building it is what fails
    with pytest.raises(ModelFileError, match=r"invalid architecture \(layer 1: unknown layer 'os.system'"):
        load(path)

    def nested(header):
        header["architecture"]["layers"][2]["config"]["block"]["config"]["layers"][0]["class"] = "__import__"
    path.write_bytes(edit_axonal_header(good_file.read_bytes(), nested))
    with pytest.raises(ModelFileError, match="unknown layer '__import__'"):
        load(path)


@pytest.mark.parametrize("change, fragment", [
    (lambda h: h.update(format="pickle"), "not an axonal model file (the header does not name the format"),
    (lambda h: h.update(format_version=3), "unsupported model file (format version 3; "),
    (lambda h: h.update(format_version="1"), "format_version '1' is not a positive integer"),
    (lambda h: h.pop("classes"), "header fields missing ['classes']"),
    (lambda h: h.update(extra=1), "unexpected ['extra']"),
    (lambda h: h.update(classes=[{"a": 1}]), "invalid classes (classes: class labels must be strings or integers"),
    (lambda h: h.update(classes="ab"), "'classes' must be null or a list"),
    (lambda h: h.update(optimizer={"name": "adam"}), "'optimizer' must be null or"),
    (lambda h: h.update(architecture=[]), "'architecture' must be an object"),
])
def test_bad_axonal_headers(tmp_path, good_file, change, fragment):
    path = tmp_path / "bad.axonal"
    path.write_bytes(edit_axonal_header(good_file.read_bytes(), change))
    assert_refused(path, fragment)


@pytest.mark.parametrize("change, fragment", [
    (lambda h: h.update(loss={"name": "eval"}), "invalid loss (unknown loss 'eval'"),
    (lambda h: h.update(loss={"name": "huber", "delta": -1}), "invalid loss (huber: delta must be > 0"),
    (lambda h: h.update(optimizer={"name": "exec", "config": {}, "iterations": 1, "slots": []}),
     "invalid optimizer (unknown optimizer 'exec'"),
    (lambda h: h.update(optimizer={"name": "adam", "config": {"lr": 1}, "iterations": 1, "slots": []}),
     "invalid optimizer (adam:"),
    (lambda h: h["architecture"]["layers"][1]["config"].update(activation="system"), "invalid architecture"),
    (lambda h: h["architecture"]["layers"][1]["config"].update(units=10**12), "invalid architecture"),
    (lambda h: h["architecture"]["layers"][-1]["config"].update(units=10**12),
     "the architecture needs (5, 1000000000000)"),
    (lambda h: h["architecture"].update(input_dim=10**9), "the architecture needs (1000000000,)"),
    (lambda h: h["architecture"]["layers"][6]["config"].update(units=3),
     "has shape (5, 2); the architecture needs (5, 3)"),
    (lambda h: h["architecture"]["layers"][6]["config"].update(use_bias=False),
     "unexpected 3 tensors: 'params.layers.6.bias', 'optimizer.m"),
    (lambda h: h["architecture"]["layers"].append({"class": "LayerNorm"}),
     "missing 6 tensors: 'params.layers.7.bias', 'params.layers.7.gain', 'optimizer.m"),
])
def test_headers_that_do_not_build(tmp_path, good_file, change, fragment):
    # Checked against the network's plan before anything is allocated: refused at once, in little memory.
    path = tmp_path / "bad.axonal"
    path.write_bytes(edit_axonal_header(good_file.read_bytes(), change))
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert fragment in str(info.value)


def test_optimizer_slots_must_match_the_tensors(tmp_path):
    opt = Adam(0.01)
    net = trained(optimizer=opt)
    blob = to_bytes(net, optimizer=opt)
    path = tmp_path / "bad.axonal"
    path.write_bytes(edit_axonal_header(blob, lambda h: h["optimizer"].update(slots=["m"])))
    with pytest.raises(ModelFileError, match="adam has slots"):
        load(path)
    path.write_bytes(edit_axonal_header(blob, lambda h: h["optimizer"].update(slots=[])))
    with pytest.raises(ModelFileError, match="unexpected 26 tensors: 'optimizer.m.layers"):
        load(path)
    path.write_bytes(edit_axonal_header(blob, lambda h: h["optimizer"].update(name="sgd", config={})))
    with pytest.raises(ModelFileError, match="sgd has slots"):
        load(path)


def test_plain_safetensors_file_is_not_a_model(tmp_path):
    import safetensors.numpy
    path = tmp_path / "weights.safetensors"
    path.write_bytes(safetensors.numpy.save({"w": np.zeros(3, dtype=np.float32)}))
    assert_refused(path, "without the 'axonal' header")
    path.write_bytes(safetensors.numpy.save({"w": np.zeros(3, dtype=np.float32)},
                                            metadata={"axonal": "{}", "other": "x"}))
    assert_refused(path, "unexpected metadata keys ['other']")


def test_truncated_files_are_refused_at_every_cut(tmp_path, good_file, no_unpickling):
    blob = good_file.read_bytes()
    n = int.from_bytes(blob[:8], "little")
    cuts = sorted({0, 1, 7, 8, 9, n // 2, n + 7, n + 8, n + 9, (n + len(blob)) // 2, len(blob) - 1})
    path = tmp_path / "cut.axonal"
    for cut in cuts:
        path.write_bytes(blob[:cut])
        assert_refused(path)


def test_random_bytes_are_refused(tmp_path, no_unpickling):
    path = tmp_path / "noise.axonal"
    rng = np.random.default_rng(0)
    for size in (0, 5, 8, 9, 64, 4096, 100_000):
        path.write_bytes(rng.bytes(size))
        assert_refused(path)
    # Random bytes behind a plausible length prefix.
    body = rng.bytes(1000)
    path.write_bytes((500).to_bytes(8, "little") + body)
    assert_refused(path)


def test_flipped_bytes_never_escape_as_another_error(tmp_path, good_file, no_unpickling):
    blob = bytearray(good_file.read_bytes())
    n = int.from_bytes(blob[:8], "little")
    rng = np.random.default_rng(1)
    path = tmp_path / "flipped.axonal"
    for position in rng.integers(0, 8 + n, size=60):
        damaged = bytearray(blob)
        damaged[position] ^= 0xFF
        path.write_bytes(bytes(damaged))
        try:
            load(path)  # some flips (inside a float in a string, say) leave a valid file
        except ModelFileError as exc:
            assert str(exc).startswith(f"{path}: ")


def _json_paths(node, prefix=()):
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _json_paths(value, prefix + (i,))


def _replaced(root, path, value):
    root = json.loads(json.dumps(root))
    node = root
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return root


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # input_dim=-1 reaches sqrt
def test_every_header_field_replaced_by_junk_loads_or_raises_model_file_error(tmp_path, no_unpickling):
    opt = Adam(0.01)
    net = trained(optimizer=opt)
    net.classes_ = ["a", "b"]
    blob = to_bytes(net, optimizer=opt, schedule=ReduceOnPlateau(base_rate=0.1), metadata={"k": [1, {"z": 2}]})
    header, body = split(blob)
    inner = json.loads(header["__metadata__"]["axonal"])
    junk = [None, [], {}, "x", -1, 0, 1.5, True, 10**30, [[1]], {"class": "Dense"}]
    path = tmp_path / "bad.axonal"
    cases = 0
    for field in _json_paths(inner):
        for value in junk:
            header["__metadata__"]["axonal"] = json.dumps(_replaced(inner, field, value))
            path.write_bytes(sealed_file(header, body))
            try:
                load(path).predict(np.zeros((1, 4)))
            except ModelFileError:
                pass
            cases += 1
    assert cases > 1000


def test_a_header_asking_for_a_huge_network_is_refused_before_allocating(tmp_path):
    import tracemalloc

    from axonal import Dense, Sequential
    small = Sequential([Dense(2, input_dim=3)], seed=0)
    path = tmp_path / "huge.axonal"
    save(small, path)

    def huge(h):  # 50 layers of 4096 x 4096 float64: 6.7 GB if the loader built it first
        h["architecture"]["input_dim"] = 4096
        h["architecture"]["dtype"] = "float64"
        h["architecture"]["layers"] = [{"class": "Dense", "config": {"units": 4096}} for _ in range(50)]

    path.write_bytes(edit_axonal_header(path.read_bytes(), huge))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="missing 98 tensors"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20


def test_a_flipped_byte_in_the_tensor_data_is_caught(tmp_path, good_file):
    blob = bytearray(good_file.read_bytes())
    blob[-5] ^= 0x01  # inside the last tensor's bytes
    bad = tmp_path / "flipped.axonal"
    bad.write_bytes(bytes(blob))
    with pytest.raises(ModelFileError, match="does not match its sha256 checksum"):
        load(bad)


def test_non_finite_weights_are_never_written(tmp_path):
    from axonal import Dense, Sequential
    net = Sequential([Dense(2, input_dim=3)], seed=0)
    net.parameters()["layers.0.bias"][0] = np.nan
    with pytest.raises(ValueError, match="layers.0.bias contains NaN or Inf"):
        save(net, tmp_path / "nan.axonal")
    assert not (tmp_path / "nan.axonal").exists()
