"""Learn a straight line ``Y = m·x + b`` with one linear neuron and gradient descent.

This is the worked example of the "Understanding Backward Propagation and
Gradient Descent" article. The model is ``Y = m·x + b``: a single neuron with
one input, weight ``m``, bias ``b`` and the identity activation ``f(z) = z``
(``Dense(1, input_dim=1)``). The error is the mean squared error

    E(m, b) = (1/N)·Σ_i (y_i - (m·x_i + b))²

whose partial derivatives are

    ∂E/∂m = -(2/N)·Σ_i x_i·(y_i - (m·x_i + b))
    ∂E/∂b = -(2/N)·Σ_i     (y_i - (m·x_i + b))

Gradient descent starts from random ``m`` and ``b`` and repeatedly steps against
the gradient, ``m ← m - η·∂E/∂m`` and ``b ← b - η·∂E/∂b``; the learning rate
``η`` sets the step size. ``E`` is a bowl (a convex quadratic) in ``(m, b)``, so
the descent walks to its single lowest point: the least-squares line.

With noise-free data that point is exactly the true ``(m, b)``; with noisy data
(``noise > 0``) it is the least-squares fit, which the script also computes in
closed form for comparison. The network runs in float64 so the parameters can be
recovered far below 1e-3.

Run it with ``python3 examples/linear_regression.py``.
"""

from __future__ import annotations

import numpy as np

from axonal import SGD, Dense, Sequential

TRUE_M, TRUE_B = 2.5, -1.0


def make_data(m: float = TRUE_M, b: float = TRUE_B, n: int = 100, noise: float = 0.0,
              seed: int = 0):
    """``n`` points ``x`` evenly spaced in [-1, 1] and ``y = m·x + b`` (+ Gaussian noise)."""
    x = np.linspace(-1.0, 1.0, n)[:, None]
    y = m * x + b
    if noise:
        y = y + noise * np.random.default_rng(seed).standard_normal(y.shape)
    return x, y


def main(m: float = TRUE_M, b: float = TRUE_B, n: int = 100, noise: float = 0.0,
         learning_rate: float = 0.2, epochs: int = 2000, seed: int = 0) -> dict:
    """Fit ``Y = m·x + b`` by gradient descent; return the learned and the true line."""
    x, y = make_data(m, b, n, noise, seed)

    # One linear neuron: z = x·w + b, f(z) = z. Its weight is m, its bias is b.
    net = Sequential([Dense(1, input_dim=1)], dtype="float64", seed=seed)
    start = {k: float(v.ravel()[0]) for k, v in net.parameters().items()}

    history = net.fit(
        x, y,
        loss="mse",                                  # E = (1/N)·Σ (y - (m·x + b))²
        optimizer=SGD(learning_rate=learning_rate),  # m ← m - η·∂E/∂m, b ← b - η·∂E/∂b
        epochs=epochs,
        batch_size=None,                             # the gradient over all N points
        shuffle=False,
        error=1e-14,                                 # stop once E is negligible
    )

    params = net.parameters()
    m_learned = float(params["layers.0.weight"][0, 0])
    b_learned = float(params["layers.0.bias"][0])

    # The bottom of the bowl in closed form (ordinary least squares), for comparison.
    design = np.hstack([x, np.ones_like(x)])
    (m_ls, b_ls), *_ = np.linalg.lstsq(design, y[:, 0], rcond=None)

    return {
        "true_m": m, "true_b": b, "noise": noise,
        "start_m": start["layers.0.weight"], "start_b": start["layers.0.bias"],
        "m": m_learned, "b": b_learned,
        "least_squares_m": float(m_ls), "least_squares_b": float(b_ls),
        "epochs": history.epochs,
        "mse": net.evaluate(x, y, loss="mse"),
    }


if __name__ == "__main__":
    r = main()
    print(f"data: {100} points of Y = {r['true_m']}·x + ({r['true_b']}), x in [-1, 1], "
          f"noise {r['noise']}")
    print(f"random start:  m = {r['start_m']:+.6f}, b = {r['start_b']:+.6f}")
    print(f"after {r['epochs']} epochs of gradient descent:  "
          f"m = {r['m']:+.6f}, b = {r['b']:+.6f}   (MSE {r['mse']:.2e})")
    print(f"least squares: m = {r['least_squares_m']:+.6f}, b = {r['least_squares_b']:+.6f}")
    print(f"errors: |m - {r['true_m']}| = {abs(r['m'] - r['true_m']):.1e}, "
          f"|b - ({r['true_b']})| = {abs(r['b'] - r['true_b']):.1e}")
