"""The area under the ROC curve: how well scores rank positive samples above negative ones."""

from __future__ import annotations

import numpy as np

from ._arrays import _as_array, _to_labels

__all__ = ["roc_auc"]


def _binary_auc(positive, score) -> float | None:
    """``AUC = (Σ ranks of the positives - P(P+1)/2) / (P·N)`` (Mann-Whitney), tied scores taking
    their mean rank; ``None`` when one side is empty."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    values, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mean_rank = first + (counts + 1) / 2.0               # ranks 1..n, ties averaged
    rank_sum = float(mean_rank[inverse][positive].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def roc_auc(y_true, y_score) -> float:
    """The area under the ROC curve: the probability that a random positive sample scores above a
    random negative one (ties count one half).

    ``y_score`` (n,) or (n, 1): the score of class 1 (two classes); (n, k): a score per class,
    and the result is the mean of each class's one-against-the-rest AUC over the classes that
    occur in ``y_true`` with some sample outside them (macro average). ``y_true``: labels, or
    one-hot rows. Scores may be probabilities or logits of a single output (the ranking is the
    same); with several outputs give probabilities (``predict_proba``).

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    where = "roc_auc"
    scores = _as_array(y_score, where, "y_score").astype(np.float64)
    labels = _to_labels(_as_array(y_true, where, "y_true"), where, "y_true")
    if scores.shape[0] != labels.shape[0]:
        raise ValueError(f"{where}: y_true has {labels.shape[0]} samples but y_score has {scores.shape[0]}")
    if scores.ndim == 1 or scores.shape[1] == 1:
        areas = [_binary_auc(labels == 1, scores.reshape(-1))]
    elif scores.shape[1] == 2:
        areas = [_binary_auc(labels == 1, scores[:, 1])]
    else:
        areas = [_binary_auc(labels == k, scores[:, k]) for k in range(scores.shape[1])]
    found = [a for a in areas if a is not None]
    if not found:
        raise ValueError(f"{where}: y_true needs samples of at least two classes to rank")
    return float(np.mean(found))
