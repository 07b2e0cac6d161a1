"""A linear neuron that learns the price list of a fast-food restaurant.

The "Basics of Neural Networks" article motivates activation functions with a
neuron that does *not* need one: to estimate the cost of a meal, take a linear
neuron ``f(z) = z`` whose inputs are the numbers of burgers, fries and sodas and
whose weights are the prices of the items. Its output is then exactly the bill:

    price = burgers·w_burger + fries·w_fries + sodas·w_soda

(no bias: an empty order costs nothing, so ``Dense(1, use_bias=False)``).

Here the neuron is not told the prices; it is shown receipts -- orders and what
they cost -- and learns the prices with the delta rule, one receipt at a time
(online learning, ``batch_size=1``). For one receipt with inputs ``x``, target
``t`` and output ``y = w·x``, the error is ``E = ½·(t - y)²`` (the
``squared_error`` loss), and

    ∂E/∂w_i = -(t - y)·x_i,   so   w_i ← w_i + η·(t - y)·x_i.

Each receipt nudges every price in proportion to how many of that item were
ordered and to how wrong the bill was. The receipts are noise-free, so the
weights converge to the true prices.

Run it with ``python3 examples/meal_price.py``.
"""

from __future__ import annotations

import numpy as np

from axonal import SGD, Dense, Sequential

ITEMS = ("burger", "fries", "soda")
TRUE_PRICES = (5.0, 2.5, 1.5)


def make_orders(prices=TRUE_PRICES, n: int = 200, max_items: int = 4, seed: int = 0):
    """``n`` random orders (0..max_items of each item) and their exact bills."""
    rng = np.random.default_rng(seed)
    orders = rng.integers(0, max_items + 1, size=(n, len(prices))).astype(np.float32)
    bills = orders @ np.asarray(prices, dtype=np.float32)
    return orders, bills[:, None]


def main(prices=TRUE_PRICES, n: int = 200, learning_rate: float = 0.01, epochs: int = 200,
         seed: int = 0) -> dict:
    """Learn the prices from ``n`` receipts; return the learned and the true prices."""
    orders, bills = make_orders(prices, n, seed=seed)

    # A linear neuron with 3 inputs and no bias: its 3 weights are the prices.
    net = Sequential([Dense(1, use_bias=False, input_dim=3)], seed=seed)

    history = net.fit(
        orders, bills,
        loss="squared_error",                        # E = ½·(t - y)² per receipt
        optimizer=SGD(learning_rate=learning_rate),  # w ← w + η·(t - y)·x: the delta rule
        epochs=epochs,
        batch_size=1,                                # online: update after every receipt
        shuffle=True,
        seed=seed,                                   # the order receipts are shown in
        error=1e-9,                                  # stop once the bills are right to ~1e-4
    )

    learned = net.parameters()["layers.0.weight"][:, 0]
    test_order = np.array([[2, 1, 3]], dtype=np.float32)  # 2 burgers, 1 fries, 3 sodas
    return {
        "true_prices": dict(zip(ITEMS, map(float, prices))),
        "learned_prices": dict(zip(ITEMS, map(float, learned))),
        "max_price_error": float(np.max(np.abs(learned - np.asarray(prices)))),
        "epochs": history.epochs,
        "receipts_seen": history.epochs * n,
        "example_order": dict(zip(ITEMS, map(int, test_order[0]))),
        "example_bill": float(net.predict(test_order)[0, 0]),
        "example_true_bill": float(test_order[0] @ np.asarray(prices)),
    }


if __name__ == "__main__":
    r = main()
    print(f"learned from {r['receipts_seen']} receipts ({r['epochs']} passes over 200 orders, "
          f"one delta-rule update per receipt):")
    for item in ITEMS:
        print(f"  {item:<6}  learned {r['learned_prices'][item]:.4f}   true {r['true_prices'][item]:.2f}")
    print(f"largest price error: {r['max_price_error']:.1e}")
    order = ", ".join(f"{k} × {v}" for k, v in r["example_order"].items())
    print(f"the neuron prices the order ({order}) at {r['example_bill']:.4f}; "
          f"the true bill is {r['example_true_bill']:.2f}")
