r"""How a few neurons multiply: the constructions of Lin, Tegmark and Rolnick.

"Why does deep and cheap learning work so well?" asks how a network that can
only form weighted sums and apply one fixed function can compute something as
simple as a product -- and answers with a figure: four neurons multiply two
arbitrary numbers, and a single neuron multiplies three bits. This script builds
both networks in axonal with hand-set weights (no training) and checks them.

(a) Four neurons multiply two numbers
-------------------------------------
Take a smooth activation σ and expand it around 0:

    σ(u) = σ(0) + σ'(0)·u + σ''(0)·u²/2 + σ'''(0)·u³/6 + σ''''(0)·u⁴/24 + ...

Adding σ(u) and σ(-u) cancels every odd power:

    σ(u) + σ(-u) = 2σ(0) + σ''(0)·u² + σ''''(0)·u⁴/12 + O(u⁶)

Put ``u = λ(x + y)`` in one pair of neurons and ``u = λ(x - y)`` in another and
subtract. The constants ``2σ(0)`` cancel too, and since
``(x + y)² - (x - y)² = 4xy``:

    σ(λ(x+y)) + σ(-λ(x+y)) - σ(λ(x-y)) - σ(-λ(x-y))
        = 4λ²σ''(0)·xy + (σ''''(0)/12)·λ⁴·[(x+y)⁴ - (x-y)⁴] + O(λ⁶)
        = 4λ²σ''(0)·xy + (2/3)·σ''''(0)·λ⁴·xy·(x² + y²) + O(λ⁶)

Divide by ``4λ²σ''(0)``:

    xy = [σ(λ(x+y)) + σ(-λ(x+y)) - σ(λ(x-y)) - σ(-λ(x-y))] / (4λ²σ''(0))
         - λ²·σ''''(0)/(6σ''(0))·xy·(x² + y²) + O(λ⁴)

So the product is exact up to an error of order λ², which vanishes as λ → 0.
As a network (axonal's ``Dense`` computes ``z = a·W + b`` with ``W`` of shape
``(inputs, neurons)``):

* hidden layer, 4 neurons with activation σ and no bias:
  ``W₀ = λ·[[1, -1,  1, -1],``
  ``        [1, -1, -1,  1]]``  so the hidden states are ``λ(x+y), -λ(x+y), λ(x-y), -λ(x-y)``;
* output, 1 linear neuron with no bias:
  ``W₁ = [1, 1, -1, -1]ᵀ / (4λ²σ''(0))``.

The identity needs ``σ''(0) ≠ 0``: the logistic sigmoid and tanh have
``σ''(0) = 0`` and do not work; ReLU is not smooth at 0. Softplus
``σ(z) = ln(1 + e^z)`` does: ``σ' = logistic``, ``σ''(0) = ¼``,
``σ'''(0) = 0`` and ``σ''''(0) = -⅛``. For softplus the leading error is
therefore ``-(λ²/12)·xy·(x² + y²)``, at most ``λ²/6`` in magnitude on
``[-1, 1]²`` (at the corners).

Shrinking λ trades truncation error for rounding error: the four hidden outputs
are each about ``ln 2 ≈ 0.69`` and the network recovers ``xy`` from a difference
of size ``λ²·xy``, so rounding errors of size ``ε`` are amplified by ``1/λ²``.
In float64 (``ε ≈ 1e-16``) λ = 0.001 is still far from that limit; in float32
(``ε ≈ 1e-7``) small λ breaks down, which the script shows too.

(b) One neuron multiplies three bits
------------------------------------
For bits ``x₁, x₂, x₃ ∈ {0, 1}`` the product is 1 only when all three are 1,
that is when ``x₁ + x₂ + x₃ = 3``; otherwise the sum is at most 2. A threshold
neuron with weights ``[1, 1, 1]`` and bias ``-2.5`` therefore computes it:

    x₁·x₂·x₃ = step(x₁ + x₂ + x₃ - 2.5)

A logistic neuron with the same weights scaled by ``k`` approximates the step:
its state is ``±0.5·k`` or below, so its output is within ``σ(-k/2) ≈ e^(-k/2)``
of the right bit.

Run it with ``python3 examples/multiplication.py``.
"""

from __future__ import annotations

import itertools

import numpy as np

from axonal import Dense, Sequential, activations

#: σ''(0) for softplus: σ'(z) = 1/(1 + e^(-z)) = s, σ''(z) = s·(1 - s) = ¼ at z = 0
SOFTPLUS_SECOND_DERIVATIVE_AT_0 = 0.25
#: the λ values whose error the script reports
LAMBDAS = (1.0, 0.3, 0.1, 0.03, 0.01, 0.001)


# -- (a) four neurons multiply two numbers ----------------------------------------------
def multiplier(lam: float, dtype: str = "float64") -> Sequential:
    """The 2 → 4 → 1 softplus network computing ``x·y`` up to ``O(λ²)``."""
    net = Sequential([Dense(4, "softplus", input_dim=2), Dense(1)], dtype=dtype)
    s2 = SOFTPLUS_SECOND_DERIVATIVE_AT_0
    net.set_weights({
        # hidden states: λ(x+y), -λ(x+y), λ(x-y), -λ(x-y)
        "layers.0.weight": lam * np.array([[1.0, -1.0, 1.0, -1.0],
                                           [1.0, -1.0, -1.0, 1.0]]),
        "layers.0.bias": np.zeros(4),
        # [σ(λ(x+y)) + σ(-λ(x+y)) - σ(λ(x-y)) - σ(-λ(x-y))] / (4λ²σ''(0))
        "layers.1.weight": np.array([[1.0], [1.0], [-1.0], [-1.0]]) / (4.0 * lam**2 * s2),
        "layers.1.bias": np.zeros(1),
    })
    return net


def grid(n: int = 41) -> np.ndarray:
    """All pairs ``(x, y)`` of an ``n × n`` grid on ``[-1, 1]²``, shape ``(n², 2)``."""
    ticks = np.linspace(-1.0, 1.0, n)
    return np.array(list(itertools.product(ticks, ticks)))


def max_error(lam: float, dtype: str = "float64", points: np.ndarray | None = None) -> float:
    """``max |net(x, y) - x·y|`` over the grid for the network built with ``λ``."""
    points = grid() if points is None else points
    exact = points[:, 0] * points[:, 1]
    approx = multiplier(lam, dtype).predict(points)[:, 0].astype(np.float64)
    return float(np.max(np.abs(approx - exact)))


def softplus_second_derivative_at_0(h: float = 1e-4) -> float:
    """σ''(0) of axonal's softplus by a central difference, to check the ¼ used above."""
    f = activations.get("softplus")
    z = np.array([[-h, 0.0, h]])
    lo, mid, hi = f(z)[0]
    return float((hi - 2.0 * mid + lo) / h**2)


# -- (b) one neuron multiplies three bits -----------------------------------------------
BITS = np.array(list(itertools.product([0, 1], repeat=3)), dtype=np.float32)


def three_bit_neuron(activation: str = "step", scale: float = 1.0) -> Sequential:
    """One neuron: ``f(scale·(x₁ + x₂ + x₃ - 2.5))``."""
    net = Sequential([Dense(1, activation, input_dim=3)])
    net.set_weights({"layers.0.weight": scale * np.ones((3, 1)),
                     "layers.0.bias": np.array([-2.5 * scale])})
    return net


def main(lambdas=LAMBDAS, logistic_scale: float = 20.0) -> dict:
    """Check both constructions; return their errors."""
    # (a) error over the grid, for each λ, in float64 (and float32 to show rounding)
    errors = {lam: max_error(lam) for lam in lambdas}
    errors32 = {lam: max_error(lam, "float32") for lam in lambdas}
    predicted = {lam: lam**2 / 6.0 for lam in lambdas}  # leading term, softplus, at x = y = ±1
    example = multiplier(0.01).predict(np.array([[0.7, -0.4], [0.5, 0.5]]))[:, 0]

    # (b) all 8 bit patterns
    products = BITS.prod(axis=1)
    step_out = three_bit_neuron("step").predict(BITS)[:, 0]
    logistic_out = three_bit_neuron("logistic", logistic_scale).predict(BITS)[:, 0]

    return {
        "softplus_second_derivative_at_0": softplus_second_derivative_at_0(),
        "max_error": errors,
        "max_error_float32": errors32,
        "predicted_max_error": predicted,
        "example_products": {"0.7*-0.4": float(example[0]), "0.5*0.5": float(example[1])},
        "bits": BITS.astype(int).tolist(),
        "bit_products": products.astype(int).tolist(),
        "step_outputs": step_out.astype(int).tolist(),
        "step_all_correct": bool(np.array_equal(step_out, products)),
        "logistic_scale": logistic_scale,
        "logistic_outputs": [float(v) for v in logistic_out],
        "logistic_max_error": float(np.max(np.abs(logistic_out - products))),
    }


if __name__ == "__main__":
    r = main()
    print("(a) four softplus neurons multiply x·y; max error over a 41×41 grid on [-1, 1]²")
    print(f"    σ''(0) of softplus by finite differences: {r['softplus_second_derivative_at_0']:.8f} (¼)")
    print("        λ     float64    λ²/6 (theory)   float32")
    for lam in r["max_error"]:
        print(f"    {lam:7.3f}  {r['max_error'][lam]:.3e}   {r['predicted_max_error'][lam]:.3e}     "
              f"{r['max_error_float32'][lam]:.3e}")
    ex = r["example_products"]
    print(f"    with λ = 0.01: 0.7·(-0.4) ≈ {ex['0.7*-0.4']:.8f},  0.5·0.5 ≈ {ex['0.5*0.5']:.8f}")
    print("(b) one neuron multiplies three bits: step(x1 + x2 + x3 - 2.5)")
    print(f"    bits      product  step   logistic (weights × {r['logistic_scale']:g})")
    for bits, p, s, l in zip(r["bits"], r["bit_products"], r["step_outputs"], r["logistic_outputs"]):
        print(f"    {bits}   {p}       {s}      {l:.6f}")
    verdict = "all 8 correct" if r["step_all_correct"] else "WRONG"
    print(f"    step neuron: {verdict}; logistic neuron within {r['logistic_max_error']:.1e} of every bit")
