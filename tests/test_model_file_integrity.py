"""Model files, format 2: every byte under the digest, one canonical form, bounded loading, clean saves."""

import hashlib
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import axonal
import axonal.synaptic.architect
from axonal import LSTM, Adam, BatchNorm, Dense, Sequential
from axonal.hopfield import Hopfield
from axonal.io import ModelFileError, limits, load, read_header, save, to_bytes, upgrade
from axonal.io.container import seal
from axonal.schedules import Cosine


# -- models of five kinds ---------------------------------------------------------------------------
def mlp_with_classes():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3)), rng.integers(0, 3, size=32)
    net = Sequential([Dense(6, "tanh"), Dense(3)], input_dim=3, seed=0)
    net.fit(x, y, loss="softmax_cross_entropy", optimizer=Adam(0.01), schedule=Cosine(epochs=4), epochs=2,
            batch_size=8)
    net.classes_ = ["setosa", "versicolor", "virginica"]
    return net


def batchnorm_mlp():
    rng = np.random.default_rng(1)
    net = Sequential([Dense(5, "relu"), BatchNorm(), Dense(1)], input_dim=2, seed=1)
    net.fit(rng.normal(size=(24, 2)), rng.normal(size=(24, 1)), epochs=2, batch_size=8)
    return net


def lstm_stack():
    return Sequential([LSTM(3, return_sequences=True, peepholes=True), LSTM(2), Dense(1)], input_dim=2, seed=2)


def graph_lstm():
    return axonal.synaptic.architect.LSTM(2, 3, 1)


def hopfield_memory():
    memory = Hopfield(12, thresholds=np.linspace(-0.1, 0.1, 12), seed=5)
    memory.store(np.random.default_rng(3).choice([-1.0, 1.0], size=(2, 12)))
    return memory


KINDS = {"mlp_with_classes": mlp_with_classes, "batchnorm_mlp": batchnorm_mlp, "lstm_stack": lstm_stack,
         "graph_lstm": graph_lstm, "hopfield": hopfield_memory}


def parts(blob: bytes):
    """``(tensor table, axonal header, data)`` of a file."""
    n = int.from_bytes(blob[:8], "little")
    outer = json.loads(blob[8:8 + n])
    return outer, json.loads(outer.pop("__metadata__")["axonal"]), blob[8 + n:]


# -- whole-file integrity -------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_flipped_header_byte_is_detected(tmp_path, kind):
    save(KINDS[kind](), tmp_path / "m.axonal")
    blob = (tmp_path / "m.axonal").read_bytes()
    load(tmp_path / "m.axonal")
    end = 8 + int.from_bytes(blob[:8], "little")
    # every byte of the prefix, the digest and the padding; a stride through the rest
    digest_at = blob.index(b'sha256\\":\\"') + 11
    positions = sorted(set(range(0, 8)) | set(range(digest_at, digest_at + 64)) | set(range(end - 8, end))
                       | set(range(8, end, max(1, (end - 8) // 250))))
    path = tmp_path / "flipped.axonal"
    detected = 0
    for position in positions:
        for mask in (0x01, 0x80):
            damaged = bytearray(blob)
            damaged[position] ^= mask
            path.write_bytes(bytes(damaged))
            with pytest.raises(ModelFileError):
                load(path)
            detected += 1
    assert detected == 2 * len(positions) >= 2 * 250


def test_a_flip_in_the_data_is_detected_before_the_tensors_are_read(tmp_path):
    path = tmp_path / "m.axonal"
    save(batchnorm_mlp(), path)
    blob = bytearray(path.read_bytes())
    blob[-3] ^= 0x04
    path.write_bytes(bytes(blob))
    for reader in (load, read_header):
        with pytest.raises(ModelFileError, match="does not match its sha256 checksum"):
            reader(path)


def test_a_valid_digest_over_a_non_canonical_header_is_refused(tmp_path):
    blob = to_bytes(lstm_stack())
    outer, inner, data = parts(blob)

    def with_digest(digest):  # spaces after separators: same JSON, other bytes
        text = json.dumps({"__metadata__": {"axonal": json.dumps({**inner, "sha256": digest}, sort_keys=True,
                                                                  separators=(",", ":"))}, **outer}).encode()
        return text + b" " * (-len(text) % 8)

    zeroed = with_digest("0" * 64)
    prefix = len(zeroed).to_bytes(8, "little")
    digest = hashlib.sha256(prefix + zeroed + data).hexdigest()
    path = tmp_path / "spaced.axonal"
    path.write_bytes(prefix + with_digest(digest) + data)
    with pytest.raises(ModelFileError, match="not in canonical form"):
        load(path)


def test_an_edit_that_is_not_resealed_is_refused(tmp_path):
    # What the loader of format 1 let through: a changed value in the header, still valid JSON.
    blob = to_bytes(lstm_stack())
    edited = blob.replace(b'\\"forget_bias\\":1.0', b'\\"forget_bias\\":9.0')
    assert len(edited) == len(blob) and edited != blob
    path = tmp_path / "edited.axonal"
    path.write_bytes(edited)
    with pytest.raises(ModelFileError, match="does not match its sha256 checksum"):
        load(path)


def _version_1_file(network, optimizer=None):
    """A file as format version 1 wrote it: safetensors' own layout, a digest of the tensors only."""
    import safetensors.numpy

    from axonal.io.upgrade import _tensors_digest
    _, inner, _ = parts(to_bytes(network, optimizer=optimizer))
    arrays = {name: value for name, value in load_arrays(network, optimizer).items()}
    for key in ("kind", "sha256", "feature_names"):   # fields version 1 never had
        inner.pop(key)
    inner.update(format_version=1, tensors_sha256=_tensors_digest(arrays))
    return safetensors.numpy.save(arrays, metadata={"axonal": json.dumps(inner, sort_keys=True)})


def load_arrays(network, optimizer):
    arrays = {f"params.{k}": v.copy() for k, v in network.parameters().items()}
    arrays.update({f"state.{k}": v.copy() for k, v in network.state_arrays().items()})
    if optimizer is not None:
        for slot, by_name in optimizer.state_dict()["slots"].items():
            arrays.update({f"optimizer.{slot}.{k}": np.asarray(v) for k, v in by_name.items()})
    return arrays


def test_version_1_files_are_refused_with_the_way_to_upgrade(tmp_path):
    net = mlp_with_classes()
    old, new = tmp_path / "old.axonal", tmp_path / "new.axonal"
    old.write_bytes(_version_1_file(net, net.optimizer_))
    with pytest.raises(ModelFileError, match=r"format version 1, .*axonal.io.upgrade\(old_path, new_path\)"):
        load(old)
    upgrade(old, new)
    again = load(new)
    assert again.classes_ == net.classes_ and again.optimizer_.iterations == net.optimizer_.iterations
    x = np.ones((2, 3))
    np.testing.assert_array_equal(again.predict(x), net.predict(x))
    with pytest.raises(ModelFileError, match="needs no upgrade"):
        upgrade(new, tmp_path / "again.axonal")
    damaged = bytearray(old.read_bytes())
    damaged[-2] ^= 0x10
    old.write_bytes(bytes(damaged))
    with pytest.raises(ModelFileError, match="do not match the header's checksum"):
        upgrade(old, tmp_path / "never.axonal")
    assert not (tmp_path / "never.axonal").exists()


# -- paths that are not regular files -----------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.axonal"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(_error_of(load, fifo)), daemon=True)
    reader.start()
    reader.join(timeout=20)
    assert outcome and isinstance(outcome[0], ModelFileError) and "is a FIFO" in str(outcome[0])


def test_a_directory_and_a_device_are_refused(tmp_path):
    assert "is a directory" in str(_error_of(load, tmp_path))
    if os.path.exists(os.devnull) and os.name == "posix":
        assert "is a device" in str(_error_of(read_header, os.devnull))


def _error_of(function, *args):
    try:
        function(*args)
    except Exception as exc:  # the test inspects which one
        return exc
    return None


# -- limits -------------------------------------------------------------------------------------------------
def _resealed(blob, change):
    outer, inner, data = parts(blob)
    change(inner, outer)
    return seal(inner, outer, data)


@pytest.mark.parametrize("change, fragment", [
    (lambda h, t: h["architecture"].update(layers=[{"class": "Dropout", "config": {}}] * (limits.MAX_LAYERS + 1)),
     f"more than MAX_LAYERS = {limits.MAX_LAYERS} layers"),
    (lambda h, t: h["architecture"]["layers"].__setitem__(0, _nested(limits.MAX_NESTING + 1)),
     f"nested more than MAX_NESTING = {limits.MAX_NESTING} deep"),
    (lambda h, t: h["optimizer"].update(iterations=2**60), "'optimizer' must be null or"),
    (lambda h, t: h.update(axonal_version="9" * 65), "'axonal_version' must be a string of at most 64"),
    (lambda h, t: t.update({"x" * (limits.MAX_TENSOR_NAME_CHARS + 1): {"dtype": "F32", "shape": [0],
                                                                      "data_offsets": [0, 0]}}),
     "MAX_TENSOR_NAME_CHARS"),
])
def test_headers_over_a_limit_name_it(tmp_path, change, fragment):
    net = mlp_with_classes()
    path = tmp_path / "bad.axonal"
    path.write_bytes(_resealed(to_bytes(net, optimizer=net.optimizer_), change))
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert fragment in str(info.value)


def _nested(depth):
    spec = {"class": "Dropout", "config": {}}
    for _ in range(depth):
        spec = {"class": "Residual", "config": {"block": spec}}
    return spec


def test_too_many_tensors_or_numbers_are_refused(tmp_path, monkeypatch):
    import axonal.io.container as container
    path = tmp_path / "m.axonal"
    save(batchnorm_mlp(), path)
    monkeypatch.setattr(container, "MAX_TENSORS", 3)
    with pytest.raises(ModelFileError, match="tensors exceed MAX_TENSORS = 3"):
        load(path)
    monkeypatch.setattr(container, "MAX_TENSORS", limits.MAX_TENSORS)
    monkeypatch.setattr(container, "MAX_ELEMENTS", 10)
    with pytest.raises(ModelFileError, match="MAX_ELEMENTS = 10"):
        load(path)


def test_a_huge_hopfield_header_is_refused_before_allocating(tmp_path):
    import tracemalloc
    blob = _resealed(to_bytes(hopfield_memory()), lambda h, t: h["hopfield"].update(size=limits.MAX_HOPFIELD_UNITS))
    path = tmp_path / "huge.axonal"
    path.write_bytes(blob)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"needs \(46340, 46340\)"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20


# -- class labels -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("classes, fragment", [
    (["only"], "1 class labels for 3 outputs"),
    (["a", "b", "a"], "'a' appears again at index 2"),
    (["a", "b", True], "got True (bool) at index 2"),
    (["a", "b", "c" * (limits.MAX_LABEL_CHARS + 1)], "MAX_LABEL_CHARS"),
])
def test_class_labels_that_do_not_fit_the_outputs_are_refused(tmp_path, classes, fragment):
    net = mlp_with_classes()
    path = tmp_path / "bad.axonal"
    path.write_bytes(_resealed(to_bytes(net), lambda h, t: h.update(classes=classes)))
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert "invalid classes" in str(info.value) and fragment in str(info.value)
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        net.classes_ = classes


def test_two_labels_for_one_logistic_output_make_a_binary_classifier(tmp_path):
    net = Sequential([Dense(2, "tanh"), Dense(1, "logistic")], input_dim=2, seed=0)
    net.classes_ = ["no", "yes"]
    save(net, tmp_path / "b.axonal")
    assert load(tmp_path / "b.axonal").classes_ == ["no", "yes"]
    with pytest.raises(ValueError, match="3 class labels for 1 outputs"):
        net.classes_ = ["a", "b", "c"]
    unbuilt = Sequential([Dense(2)])
    unbuilt.classes_ = ["a", "b", "c"]  # counted once the network has outputs
    unbuilt.build((4,))
    with pytest.raises(ValueError, match="save: 3 class labels for 2 outputs"):
        to_bytes(unbuilt)


# -- layer state checked at load ------------------------------------------------------------------------------------
def test_an_impossible_running_variance_is_refused_at_load(tmp_path):
    net = batchnorm_mlp()
    outer, inner, data = parts(to_bytes(net, optimizer=None))
    begin, _ = outer["state.layers.1.running_var"]["data_offsets"]
    data = bytearray(data)
    data[begin:begin + 4] = np.float32(-1.0).tobytes()
    path = tmp_path / "bad.axonal"
    path.write_bytes(seal(inner, outer, bytes(data)))
    with pytest.raises(ModelFileError, match=r"invalid layer state \(.*running_var is -1.0 at feature 0"):
        load(path)


# -- clean saves --------------------------------------------------------------------------------------------------
def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_save_sweeps_its_own_orphans_and_nothing_else(tmp_path):
    target = tmp_path / "m.axonal"
    old = time.time() - 60
    dead, alive = _dead_pid(), os.getppid()
    orphans = [f".m.axonal.axonal-tmp-{dead}-{'a' * 12}", f".m.axonal.axonal-tmp-{os.getpid()}-{'b' * 12}",
               f".m.axonal.axonal-tmp-{dead}-{'1' * 12}"]          # a writer killed a moment ago
    kept = [f".m.axonal.axonal-tmp-{alive}-{'c' * 12}",    # a live writer's
            f".m.axonal.axonal-tmp-{dead}-{'d' * 11}",     # not the exact pattern
            f".other.axonal.axonal-tmp-{dead}-{'e' * 12}",  # another target's
            f".m.axonal.axonal-tmp-{dead}-{'f' * 12}.bak", "m.axonal.axonal-tmp-1-" + "0" * 12, "notes.txt"]
    for name in orphans + kept:
        (tmp_path / name).write_bytes(b"partial")
        if "1" * 12 not in name:
            os.utime(tmp_path / name, (old, old))
    (tmp_path / f".m.axonal.axonal-tmp-{dead}-{'9' * 12}").mkdir()  # a directory is never removed
    os.utime(tmp_path / f".m.axonal.axonal-tmp-{dead}-{'9' * 12}", (old, old))

    save(batchnorm_mlp(), target)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(kept + ["m.axonal", f".m.axonal.axonal-tmp-{dead}-{'9' * 12}"])
    assert all((tmp_path / name).read_bytes() == b"partial" for name in kept)


def test_a_killed_save_leaves_an_orphan_that_the_next_save_removes(tmp_path):
    target = tmp_path / "m.axonal"
    script = ("import os, signal, axonal, axonal._files as f\n"
              "from axonal import Sequential, Dense\n"
              "real = os.fsync\n"
              "def die(fd): real(fd); os.kill(os.getpid(), signal.SIGKILL)\n"
              "os.fsync = die\n"
              f"axonal.save(Sequential([Dense(2, input_dim=3)], seed=0), {str(target)!r})\n")
    if os.name != "posix":
        pytest.skip("needs SIGKILL")
    subprocess.run([sys.executable, "-c", script], check=False, timeout=120)
    orphans = [p for p in tmp_path.iterdir() if ".axonal-tmp-" in p.name]
    assert len(orphans) == 1 and not target.exists()
    save(batchnorm_mlp(), target)
    assert [p.name for p in tmp_path.iterdir()] == ["m.axonal"]
