"""The compiled recurrent cells (axonal.kernels.recurrent_cells) against the NumPy reference cells.

Every kind of cell, with and without masks, truncation, every-step output and a given
initial state, in float64 and float32, on both compiled variants (the per-step
kernels between BLAS products, and the whole loop in one kernel for small cells):
outputs, final states, parameter, input and initial-state gradients agree with the
NumPy path (float64 to 1e-12, float32 to 1e-5); the compiled path also passes the
finite-difference gradient check on its own.
"""

import importlib.util
import itertools

import numpy as np
import pytest

import axonal
from axonal import GRU, LSTM, SimpleRNN
from axonal.gradcheck import check_layer, compare, numerical_gradient

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed: there is no compiled path to compare")

KINDS = {
    "simple_rnn": lambda **kw: SimpleRNN(3, **kw),
    "simple_rnn_softplus": lambda **kw: SimpleRNN(3, "softplus", **kw),
    "lstm": lambda **kw: LSTM(3, **kw),
    "lstm_peepholes": lambda **kw: LSTM(3, peepholes=True, **kw),
    "gru": lambda **kw: GRU(3, **kw),
}
TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}
# (mask, truncate, return_sequences, initial_state): every combination
OPTIONS = list(itertools.product((False, True), (None, 2), (False, True), (False, True)))
MASK = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0], [1, 0, 1, 1, 0, 1]])


def built(kind, dtype=np.float64, seed=0, **options):
    layer = KINDS[kind](**options)
    layer.build((None, 2), np.random.default_rng(seed), dtype)
    rng = np.random.default_rng(seed + 1)
    for name, value in layer.params.items():  # non-zero peepholes and biases, so their terms count
        if name.startswith("peephole") or name.endswith("bias"):
            value[...] = rng.standard_normal(value.shape) * 0.5
    layer.input_grad_needed = True
    return layer


def run(layer, x, r, mask, state):
    """Forward and BPTT once; everything either path computes, as float64 copies."""
    y = layer.forward(x, training=True, mask=mask, initial_state=state)
    grad_x = layer.backward(r)
    found = {"output": y, "input gradient": grad_x}
    found.update({f"final state {i}": s for i, s in enumerate(layer.final_state)})
    found.update({f"initial state gradient {i}": g for i, g in enumerate(layer.initial_state_grad)})
    found.update({f"gradient {name}": g for name, g in layer.grads.items()})
    return {k: np.array(v, dtype=np.float64) for k, v in found.items()}


def agree(reference, compiled, tol):
    assert reference.keys() == compiled.keys()
    for key, expected in reference.items():
        scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
        np.testing.assert_allclose(compiled[key], expected, rtol=tol, atol=tol * scale, err_msg=key)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("masked, truncate, sequences, given_state", OPTIONS,
                         ids=[f"mask{int(m)}-trunc{t}-seq{int(s)}-state{int(g)}" for m, t, s, g in OPTIONS])
def test_compiled_cells_agree_with_the_numpy_cells(kind, dtype, masked, truncate, sequences, given_state):
    layer = built(kind, dtype, return_sequences=sequences, truncate=truncate)
    rng = np.random.default_rng(7)
    batch, steps = MASK.shape
    x = rng.standard_normal((batch, steps, 2)).astype(dtype)
    mask = MASK.astype(dtype) if masked else None
    state = tuple(rng.standard_normal((batch, 3)).astype(dtype) for _ in layer.state_names) if given_state else None
    r = rng.standard_normal((batch, steps, 3) if sequences else (batch, 3)).astype(dtype)
    with axonal.jit.using(False):
        assert layer._kernels() is None
        reference = run(layer, x, r, mask, state)
    with axonal.jit.using(True):
        assert layer._kernels() is not None  # the compiled path is the one taken
        for inside_limit in (10 ** 9, 0):  # the whole loop in one kernel, then per step between BLAS products
            layer.compiled_inside_limit = inside_limit
            agree(reference, run(layer, x, r, mask, state), TOLERANCE[dtype])


@needs_numba
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("inside_limit", [10 ** 9, 0], ids=["whole-loop", "per-step"])
def test_the_compiled_path_passes_the_gradient_check(kind, inside_limit):
    layer = built(kind, return_sequences=True)
    layer.compiled_inside_limit = inside_limit
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 6, 2))
    mask = MASK.astype(float)
    original = layer.forward
    layer.forward = lambda x, training=False: original(x, training=training, mask=mask)
    with axonal.jit.using(True):
        check_layer(layer, x)
        del layer.forward
        state = tuple(rng.standard_normal((4, 3)) for _ in layer.state_names)
        r = rng.standard_normal((4, 6, 3))
        layer.forward(x, training=True, initial_state=state, mask=mask)
        layer.backward(r)
        for s, grad in zip(state, layer.initial_state_grad):
            numeric = numerical_gradient(lambda: float(np.sum(layer.forward(x, initial_state=state, mask=mask) * r)),
                                         s)
            compare("initial state", numeric, grad)


@needs_numba
def test_stateful_stepping_and_truncation_on_the_compiled_path():
    # One step at a time, carrying the state, equals the whole sequence; truncation cuts the gradient exactly.
    with axonal.jit.using(True):
        for limit in (10 ** 9, 0):
            whole, stepper = built("lstm_peepholes", return_sequences=True), built("lstm_peepholes", stateful=True)
            whole.compiled_inside_limit = stepper.compiled_inside_limit = limit
            x = np.random.default_rng(4).standard_normal((2, 6, 2))
            expected = whole.forward(x)
            steps = [stepper.forward(x[:, t:t + 1]) for t in range(6)]
            np.testing.assert_allclose(np.stack(steps, axis=1), expected, rtol=1e-12)
            cut = built("gru", truncate=2)
            cut.compiled_inside_limit = limit
            cut.forward(x, training=True)
            grad_x = cut.backward(np.ones((2, 3)))
            assert np.abs(grad_x[:, 4:]).sum() > 0
            np.testing.assert_array_equal(grad_x[:, :4], 0)


@needs_numba
def test_a_softmax_cell_takes_the_numpy_path():
    layer = built("simple_rnn")
    layer.activation = axonal.activations.get("softmax")
    with axonal.jit.using(True):
        assert layer._kernels() is None


@needs_numba
def test_the_float32_tanh_of_the_kernels_is_within_a_few_ulp():
    import numba

    from axonal.kernels import recurrent_cells as kernels

    @numba.njit
    def apply(values, out):
        for k in range(values.shape[0]):
            out[k] = kernels._tanh(values[k])

    z = np.concatenate([np.linspace(-12, 12, 200_001), np.geomspace(1e-30, 1.0, 2001),
                        -np.geomspace(1e-30, 1.0, 2001)]).astype(np.float32)
    got = np.empty_like(z)
    apply(z, got)
    exact = np.tanh(z.astype(np.float64))
    assert np.max(np.abs(got - exact) / np.maximum(np.abs(exact), 1e-30)) < 1e-6
    special = np.array([np.nan, np.inf, -np.inf, 0.0], np.float32)
    out = np.empty_like(special)
    apply(special, out)
    assert np.isnan(out[0]) and out[1] == 1.0 and out[2] == -1.0 and out[3] == 0.0
