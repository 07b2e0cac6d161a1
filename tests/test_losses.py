"""Loss values against plain formulas, reduction conventions, weights and target checks."""

import numpy as np
import pytest

from axonal import losses

PRED = np.array([[0.2, 1.5], [-0.7, 0.1], [2.0, -1.0]])
TRUE = np.array([[0.0, 1.0], [0.0, 0.0], [1.5, -2.0]])


def test_mse_is_mean_over_all_elements_without_half():
    assert losses.get("mse").value(PRED, TRUE) == pytest.approx(np.mean((PRED - TRUE) ** 2))


def test_squared_error_is_the_articles_half_sum_per_sample():
    expected = np.mean(0.5 * np.sum((TRUE - PRED) ** 2, axis=1))
    assert losses.get("squared_error").value(PRED, TRUE) == pytest.approx(expected)
    # its gradient is the delta rule's output error (ŷ - t), averaged over the batch
    np.testing.assert_allclose(losses.get("squared_error").grad(PRED, TRUE), (PRED - TRUE) / 3)


def test_mae_and_huber_values():
    assert losses.get("mae").value(PRED, TRUE) == pytest.approx(np.mean(np.abs(PRED - TRUE)))
    r = np.abs(PRED - TRUE)
    huber = np.where(r <= 1.0, 0.5 * r**2, r - 0.5)
    assert losses.Huber(1.0).value(PRED, TRUE) == pytest.approx(huber.mean())


def test_binary_cross_entropy_on_probabilities_and_on_logits_agree():
    z = np.array([[-3.0, 0.5], [2.0, 0.0]])
    t = np.array([[0.0, 1.0], [1.0, 0.0]])
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert losses.get("binary_cross_entropy").value(p, t) == pytest.approx(expected)
    assert losses.get("binary_cross_entropy_logits").value(z, t) == pytest.approx(expected)
    np.testing.assert_allclose(losses.get("bce_logits").link(z), p)


def test_logit_losses_are_stable_at_extremes():
    z = np.array([[1000.0, -1000.0, 0.0]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        v = losses.get("softmax_cross_entropy").value(z, np.array([1]))
        g = losses.get("softmax_cross_entropy").grad(z, np.array([1]))
        b = losses.get("binary_cross_entropy_logits").value(z, np.array([[1.0, 0.0, 1.0]], dtype=np.float32))
    assert v == pytest.approx(2000.0) and np.isfinite(g).all() and np.isfinite(b)


def test_softmax_cross_entropy_gradient_is_p_minus_t_and_labels_equal_one_hot():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    labels = np.array([2, 0])
    onehot = np.eye(3)[labels]
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    loss = losses.get("cross_entropy")
    assert loss.value(z, labels) == pytest.approx(-np.mean(np.log(p[[0, 1], labels])))
    assert loss.value(z, labels) == pytest.approx(loss.value(z, onehot))
    np.testing.assert_allclose(loss.grad(z, labels), (p - onehot) / 2)


def test_weight_k_counts_as_k_copies():
    # E with weights (1, 3, 1) equals E on the set with row 1 written three times.
    for name in ["mse", "mae", "huber", "squared_error", "binary_cross_entropy_logits"]:
        loss = losses.get(name)
        weighted = loss.value(PRED, TRUE, sample_weight=[1, 3, 1])
        rows = [0, 1, 1, 1, 2]
        assert weighted == pytest.approx(loss.value(PRED[rows], TRUE[rows])), name
        g_w = loss.grad(PRED, TRUE, sample_weight=[1, 3, 1])
        g_dup = loss.grad(PRED[rows], TRUE[rows])
        np.testing.assert_allclose(g_w[1], g_dup[1:4].sum(axis=0), err_msg=name)


def test_target_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"targets have shape \(3, 3\).*2 output"):
        losses.get("mse").value(PRED, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="class label 5 at row 1 is outside 0..2"):
        losses.get("softmax_cross_entropy").value(np.zeros((2, 3)), np.array([0, 5]))
    with pytest.raises(ValueError, match="row 0 sums to 2"):
        losses.get("softmax_cross_entropy").value(np.zeros((1, 2)), np.array([[1.0, 1.0]]))
    with pytest.raises(ValueError, match="sample_weight has 2 entries for a batch of 3"):
        losses.get("mse").value(PRED, TRUE, sample_weight=[1, 2])
    with pytest.raises(ValueError, match="unknown loss 'msq'.*valid names:.*mse"):
        losses.get("msq")


def test_one_output_accepts_flat_targets():
    pred = np.array([[0.5], [1.0]])
    assert losses.get("mse").value(pred, [0.0, 1.0]) == pytest.approx(0.125)


def test_the_training_form_agrees_with_value_and_grad_for_every_loss():
    from cases import loss_cases
    for name, cases in loss_cases().items():
        for loss, y_pred, y_true, weight in cases:
            t = loss.prepare_targets(y_true, y_pred.shape[1], y_pred.dtype)
            w = None if weight is None else np.asarray(weight, dtype=np.float64)
            value, grad = loss.value_and_grad(y_pred.copy(), t, w, out=np.empty_like(y_pred))
            assert value == pytest.approx(loss.value(y_pred, y_true, sample_weight=weight), rel=1e-12), name
            np.testing.assert_allclose(grad, loss.grad(y_pred, y_true, sample_weight=weight), rtol=1e-12,
                                       atol=1e-15, err_msg=name)
