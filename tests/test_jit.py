"""The switch between compiled kernels and the NumPy reference, and the shared activation kernels."""

import subprocess
import sys

import numpy as np
import pytest

import axonal
from axonal import activations, jit

needs_numba = pytest.mark.skipif(not jit.available(), reason="Numba is not installed")


def test_import_axonal_does_not_import_numba():
    code = "import sys, axonal; axonal.Sequential; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_import_axonal_leaves_the_edges_and_their_libraries_for_first_use():
    code = ("import sys, numpy; before = set(sys.modules); import axonal; axonal.Sequential; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    edges = {"axonal." + name for name in ("io", "data", "cli", "synaptic", "graph", "plotting", "export",
                                           "hopfield", "diagnostics", "sklearn", "schedules")}
    libraries = {"numba", "matplotlib", "safetensors", "tqdm", "json", "csv", "mpi4py", "onnx"}
    assert loaded & (edges | libraries) == set()
    assert "axonal.network" in loaded       # the listing is of what ``import axonal`` brought in


def test_the_environment_variable_and_the_switch_decide():
    code = "import axonal.jit as j; print(j.enabled(), j.kernels('activations') is None)"
    for value, expected in (("0", "False True"), ("off", "False True")):
        env = {"AXONAL_JIT": value, "PATH": ""}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        assert out.stdout.strip() == expected
    with jit.using(False):
        assert not jit.enabled() and jit.kernels("activations") is None
        with jit.using(True):
            assert jit.enabled() == jit.available()
        assert not jit.enabled()
    with pytest.raises(TypeError, match="set_enabled takes True, False or None"):
        jit.set_enabled("no")


@needs_numba
def test_kernels_are_loaded_once_and_timed():
    with jit.using(True):
        first = jit.kernels("activations")
        assert jit.kernels("activations") is first
    assert "activations" in jit.load_seconds()


def _every_activation():
    yield from (activations.get(name) for name in ("identity", "logistic", "tanh", "relu", "softplus", "gelu"))
    yield from (activations.LeakyReLU(0.2), activations.LeakyReLU(3.0), activations.ELU(0.7))
    yield from (activations.Step(), activations.Step(gradient="zero"), activations.Sign(),
                activations.Sign(gradient="zero"))


def _activation_kernels():
    """The activation kernels, loaded even where ``AXONAL_JIT=0`` turns the compiled paths off."""
    with jit.using(True):
        return jit.kernels("activations")


@needs_numba
@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_the_activation_kernels_compute_what_the_reference_computes(dtype, tolerance):
    from numba import njit

    kernels = _activation_kernels()

    @njit
    def apply(code, parameter, z, grad_y, y, grad_z):
        for i in range(z.shape[0]):
            y[i] = kernels.value(code, parameter, z[i])
            grad_z[i] = grad_y[i] * kernels.slope(code, parameter, z[i], y[i])

    @njit
    def apply_called(code, parameter, z, grad_y, y, grad_z):   # value_of and slope_of: the same, not inlined
        for i in range(z.shape[0]):
            y[i] = kernels.value_of(code, parameter, z[i])
            grad_z[i] = grad_y[i] * kernels.slope_of(code, parameter, z[i], y[i])

    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(scale=3.0, size=200), [0.0, -0.0, 40.0, -40.0, 1e-8]]).astype(dtype)
    grad_y = rng.normal(size=z.shape).astype(dtype)
    for act in _every_activation():
        code, parameter = kernels.encode(act)
        y, grad_z = np.empty_like(z), np.empty_like(z)
        apply(code, parameter, z, grad_y, y, grad_z)
        y_called, grad_z_called = np.empty_like(z), np.empty_like(z)
        apply_called(code, parameter, z, grad_y, y_called, grad_z_called)
        np.testing.assert_array_equal(y_called, y, err_msg=act.name)
        np.testing.assert_array_equal(grad_z_called, grad_z, err_msg=act.name)
        expected_y = act.forward(z[None])[0]
        np.testing.assert_allclose(y, expected_y, rtol=tolerance, atol=tolerance, err_msg=act.name)
        expected_grad = act.backward(grad_y[None], z[None], expected_y[None])[0]
        np.testing.assert_allclose(grad_z, expected_grad, rtol=tolerance, atol=tolerance, err_msg=act.name)


@needs_numba
def test_softmax_row_kernels_match_the_reference():
    kernels = _activation_kernels()
    rng = np.random.default_rng(1)
    z = rng.normal(scale=5.0, size=7)
    y = np.empty_like(z)
    kernels.softmax_row(z, y)
    np.testing.assert_allclose(y, activations.softmax(z[None])[0], rtol=1e-12)
    grad_y, grad_z = rng.normal(size=7), np.empty(7)
    kernels.softmax_vjp_row(grad_y, y, grad_z)
    reference = activations.Softmax().backward(grad_y[None], z[None], y[None])[0]
    np.testing.assert_allclose(grad_z, reference, rtol=1e-12, atol=1e-15)


@needs_numba
def test_an_activation_no_kernel_knows_is_left_to_numpy():
    class Cube(activations.Activation):
        name = "cube"

        def forward(self, z, out=None):
            return np.power(z, 3, out=out)

    kernels = _activation_kernels()
    assert kernels.encode(Cube()) is None
    assert kernels.encode(axonal.activations.get("softmax"))[0] == kernels.SOFTMAX


@needs_numba
def test_a_kernels_compiled_version_is_called_directly_after_a_first_call():
    """``jit.direct`` gives the compiled version a dispatcher runs for the arguments' types (or the
    dispatcher where there is none to give); ``jit.swapping`` calls the dispatcher once, then that
    version takes its place. Both compute what the dispatcher computes."""
    with jit.using(True):
        gain_of = jit.kernels("graph_step").gain_of      # γ of a neuron: flat[g0 + j] without gating lists
    no_lists = np.zeros(1, np.int64)

    class Holder:
        call = None

    for dtype in (np.float64, np.float32):
        flat = np.linspace(-2, 2, 5).astype(dtype)
        direct = jit.direct(gain_of, flat, 1, 2, no_lists, -1, 0, 3)
        assert direct is not gain_of and not hasattr(direct, "overloads")
        assert direct(flat, 1, 2, no_lists, -1, 0, 3) == gain_of(flat, 1, 2, no_lists, -1, 0, 3) == flat[4]
        holder = Holder()
        holder.call = first = jit.swapping(holder, "call", gain_of)
        assert holder.call(flat, 1, 2, no_lists, -1, 0, 1) == flat[2]
        assert holder.call is not first and not hasattr(holder.call, "overloads")
        assert holder.call(flat, 0, 2, no_lists, -1, 0, 1) == flat[1]

    class NotNumba:                      # no compiled versions to give: the object itself comes back
        def compile(self, signature):
            raise TypeError("not a dispatcher")
    odd = NotNumba()
    assert jit.direct(odd, 1.0) is odd
