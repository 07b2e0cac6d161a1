"""Class labels of a classifier: one per output, all different, strings or integers.

Labels are data: any text is allowed (it is escaped wherever it is shown or written),
but its length and the number of labels are bounded.
"""

from __future__ import annotations

import numpy as np

__all__ = ["class_labels", "label_codes", "is_text_labels", "MAX_CLASSES", "MAX_LABEL_CHARS"]

#: the most class labels a classifier may have
MAX_CLASSES = 100_000
#: the most characters of one string label
MAX_LABEL_CHARS = 1_000


def class_labels(classes, outputs: int | None, where: str) -> list | None:
    """``classes`` as a list of labels, checked; ``None`` stays ``None``.

    Labels are strings (at most ``MAX_LABEL_CHARS`` characters, any text: they are
    data) or integers, all different, at most ``MAX_CLASSES`` of them. A network with
    ``outputs`` output units needs one label per output, except that a single
    (logistic) output is a binary classifier with two labels: the output is the
    probability of the second. ``outputs=None`` (an unbuilt network) skips the count.
    Raises ``ValueError`` naming ``where`` and the offending label.
    """
    if classes is None:
        return None
    if isinstance(classes, (str, bytes, dict)) or not hasattr(classes, "__len__"):
        raise ValueError(f"{where}: classes must be a list of labels, got a {type(classes).__name__}")
    if len(classes) > MAX_CLASSES:
        raise ValueError(f"{where}: {len(classes)} class labels exceed MAX_CLASSES = {MAX_CLASSES}")
    labels = [c.item() if isinstance(c, np.generic) else c for c in list(classes)]
    for i, label in enumerate(labels):
        if isinstance(label, bool) or not isinstance(label, (str, int)):
            raise ValueError(f"{where}: class labels must be strings or integers, got {label!r:.40} "
                             f"({type(label).__name__}) at index {i}")
        if isinstance(label, str) and len(label) > MAX_LABEL_CHARS:
            raise ValueError(f"{where}: class label {i} has {len(label)} characters; "
                             f"MAX_LABEL_CHARS = {MAX_LABEL_CHARS}")
    if len({(type(c), c) for c in labels}) != len(labels):
        seen: set = set()
        i, dup = next((i, c) for i, c in enumerate(labels) if (type(c), c) in seen or seen.add((type(c), c)))  # type: ignore[func-returns-value]
        raise ValueError(f"{where}: class labels must be unique; {dup!r:.60} appears again at index {i}")
    if outputs is not None and len(labels) != outputs and not (outputs == 1 and len(labels) == 2):
        raise ValueError(f"{where}: {len(labels)} class labels for {outputs} outputs; a classifier needs one "
                         f"label per output (or two for a single logistic output)")
    return labels


def is_text_labels(y) -> bool:
    """Whether targets hold labels that are not numbers (strings, or objects such as ``str``)."""
    return np.asarray(y).dtype.kind in "USO"


def label_codes(y, classes, n_outputs: int, where: str):
    """Text labels ``y`` (any shape) as class codes ``0..K-1`` by their place in ``classes``;
    with ``classes=None`` the sorted distinct labels become the classes (one per output, or two
    for a single logistic output). Returns ``(codes int64, classes)``; a label outside
    ``classes`` is a ``ValueError`` naming it."""
    y = np.asarray(y)
    flat = [v.item() if isinstance(v, np.generic) else v for v in y.reshape(-1).tolist()]
    if classes is None:
        try:
            classes = sorted(set(flat))
        except TypeError:
            raise ValueError(f"{where}: class labels must be all strings or all integers") from None
        wanted = 2 if n_outputs == 1 else n_outputs
        if len(classes) > wanted:
            raise ValueError(f"{where}: y holds {len(classes)} classes ({', '.join(map(repr, classes[:5]))}"
                             f"{', ...' if len(classes) > 5 else ''}) but the network has {n_outputs} "
                             f"output(s); give the output layer {len(classes)} units")
        classes = class_labels(classes, None, where)
    index = {label: k for k, label in enumerate(classes)}
    codes = np.fromiter((index.get(v, -1) for v in flat), dtype=np.int64, count=len(flat))
    if (codes < 0).any():
        unknown = sorted({repr(v) for v, c in zip(flat, codes) if c < 0})
        raise ValueError(f"{where}: labels {', '.join(unknown[:5])} are not among the classes "
                         f"{list(classes)[:10]!r:.200}")
    return codes.reshape(y.shape), list(classes)
