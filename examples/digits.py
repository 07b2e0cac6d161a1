r"""Handwritten digits: a multilayer perceptron learns to read 8×8 images.

The articles' feed-forward network at work on a real task: the bundled UCI
digits (:func:`axonal.data.load_digits`, 1,797 images of 8×8 pixels with values
0..16, digits 0..9). Each image is 64 input neurons; one hidden layer of 64
neurons; 10 output neurons, one per digit::

    a   = relu(standardize(x)·W₁ + b₁)       hidden layer, (batch, 64)
    z   = a·W₂ + b₂                          one score per digit, (batch, 10)
    p_k = e^(z_k) / Σ_j e^(z_j)              softmax: the probability of digit k

Training minimises the cross-entropy ``E = -mean(ln p_label)`` by
backpropagation and Adam on mini-batches of 32. The fused softmax +
cross-entropy has the simple output delta ``∂E/∂z = (p - onehot(label)) / batch``,
which backpropagation carries into the hidden layer as
``δ₁ = (δ₂·W₂ᵀ) ⊙ relu'(z₁)``. ``Standardize`` learns each pixel's mean and
spread from the training images, so the model takes raw pixels.

A stratified 80/20 split keeps 359 images the network never sees while it
learns; their accuracy is the honest score (about 97 %).

Run it with ``python3 examples/digits.py``.
"""

from __future__ import annotations

from axonal import Adam, Dense, Sequential, Standardize
from axonal.data import load_digits, train_test_split
from axonal.metrics import accuracy, confusion_matrix


def build(seed: int = 0) -> Sequential:
    """64 pixels → standardize → 64 ReLU neurons → 10 digit scores."""
    return Sequential([Standardize(), Dense(64, "relu"), Dense(10)], input_dim=64, seed=seed)


def main(seed: int = 0, epochs: int = 30) -> dict:
    """Train on 80 % of the digits; return train and test accuracy and the confusion matrix."""
    x, y = load_digits().as_tuple()
    x_train, x_test, y_train, y_test = train_test_split(x, y, 0.2, stratify=y, seed=seed)
    net = build(seed)
    history = net.fit(x_train, y_train, loss="softmax_cross_entropy", optimizer=Adam(0.003),
                      epochs=epochs, batch_size=32, seed=seed, progress=False)
    predicted = net.predict_proba(x_test).argmax(axis=1)
    return {
        "train_samples": len(x_train),
        "test_samples": len(x_test),
        "epochs": history.epochs,
        "final_loss": float(history[-1]),
        "train_accuracy": accuracy(y_train, net.predict_proba(x_train)),
        "test_accuracy": accuracy(y_test, net.predict_proba(x_test)),
        "confusion": confusion_matrix(y_test, predicted, labels=list(range(10))),
        "example_image": x_test[0].reshape(8, 8),
        "example_label": int(y_test[0]),
        "example_prediction": int(predicted[0]),
    }


if __name__ == "__main__":
    r = main()
    print(f"64-64-10 MLP on the bundled digits: {r['train_samples']} training images, "
          f"{r['test_samples']} test images, {r['epochs']} epochs")
    print(f"train accuracy {r['train_accuracy']:.3f}   test accuracy {r['test_accuracy']:.3f}")
    print("confusion matrix on the test images (rows: true digit, columns: predicted):")
    print("     " + " ".join(f"{k:3d}" for k in range(10)))
    for k, row in enumerate(r["confusion"]):
        print(f"  {k}: " + " ".join(f"{v:3d}" for v in row))
    print(f"a test image (label {r['example_label']}, read as {r['example_prediction']}):")
    for row in r["example_image"]:
        print("   " + "".join(" .:-=+*#%@"[min(9, int(v) * 10 // 17)] * 2 for v in row))
