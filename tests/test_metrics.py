"""Metrics against hand-computed small cases (and scikit-learn when it is installed)."""

import numpy as np
import pytest

from axonal import metrics

# Three classes, eight samples. Per class (true count, predicted count, tp):
#   0: t=3, p=3, tp=2    1: t=3, p=2, tp=1    2: t=2, p=3, tp=2
T3 = np.array([0, 0, 0, 1, 1, 1, 2, 2])
P3 = np.array([0, 0, 1, 1, 2, 0, 2, 2])


# -- accuracy ------------------------------------------------------------------------------------
def test_accuracy_on_labels():
    assert metrics.accuracy(T3, P3) == 5 / 8


def test_accuracy_takes_argmax_of_scores_and_of_one_hot_targets():
    scores = np.array([[2.0, -1.0, 0.0], [0.1, 0.3, 0.2], [0.0, 0.0, 5.0], [1.0, 0.9, 0.0]])
    labels = np.array([0, 2, 2, 0])  # argmax of scores: 0, 1, 2, 0 → 3 of 4 right
    assert metrics.accuracy(labels, scores) == 0.75
    assert metrics.accuracy(np.eye(3)[labels], scores) == 0.75
    assert metrics.accuracy(np.eye(3)[labels], labels) == 1.0


def test_accuracy_thresholds_single_probabilities_at_one_half():
    t = np.array([[0.0], [1.0], [1.0], [0.0], [1.0]])
    p = np.array([[0.2], [0.51], [0.5], [0.49], [0.99]])  # 0.5 is not above 0.5: class 0
    assert metrics.accuracy(t, p) == 0.8
    assert metrics.accuracy(t.ravel(), p.ravel()) == 0.8
    assert metrics.accuracy(t.astype(bool), p) == 0.8


def test_accuracy_accepts_sign_labels():
    # a sign unit's −1/+1 outputs are labels, not probabilities
    assert metrics.accuracy([-1, 1, 1], np.array([[-1.0], [1.0], [-1.0]])) == pytest.approx(2 / 3)


def test_accuracy_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"y_true has shape \(4,\) but y_pred has shape \(3, 2\)"):
        metrics.accuracy([0, 1, 0, 1], np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 4\)"):
        metrics.accuracy(np.eye(3)[[0, 1]], np.zeros((2, 4)))


@pytest.mark.parametrize("y_true, y_pred, message", [
    ([0.5, 1.0], [0, 1], "y_true .* holds the non-integer 0.5 at row 0"),
    ([0, 1, 1], [0.2, 0.7, 2.0], r"y_pred .* 0\.2 at row 0 and 2\.0 at row 2"),
    (np.ones((2, 3)), np.zeros((2, 3)), "y_true row 0 sums to 3"),
    ([0, 1], [np.nan, 0.2], "y_pred contains nan at row 0"),
    ([], [], "no samples"),
    (np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), r"shape \(n,\) or \(n, k\)"),
])
def test_accuracy_rejects_what_it_cannot_read(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        metrics.accuracy(y_true, y_pred)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="y_true must be numeric"):
        metrics.accuracy(["cat", "dog"], [0, 1])


# -- confusion matrix ----------------------------------------------------------------------------
def test_confusion_matrix_rows_are_true_columns_predicted():
    expected = np.array([[2, 1, 0],
                         [1, 1, 1],
                         [0, 0, 2]])
    m = metrics.confusion_matrix(T3, P3)
    np.testing.assert_array_equal(m, expected)
    assert m.dtype == np.int64
    # asymmetric case: one true 0 predicted as 1 lands in row 0, column 1
    np.testing.assert_array_equal(metrics.confusion_matrix([0, 1], [1, 1]), [[0, 1], [0, 1]])


def test_confusion_matrix_labels_order_missing_classes_and_left_out_samples():
    m = metrics.confusion_matrix(T3, P3, labels=[2, 0, 1, 3])
    np.testing.assert_array_equal(m, [[2, 0, 0, 0], [0, 2, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0]])
    # samples with a label outside `labels` are left out
    np.testing.assert_array_equal(metrics.confusion_matrix(T3, P3, labels=[0, 1]), [[2, 1], [1, 1]])
    # labels come from both arrays by default
    np.testing.assert_array_equal(metrics.confusion_matrix([0, 0], [0, 4]), [[1, 1], [0, 0]])


def test_confusion_matrix_from_scores_and_one_hot():
    onehot = np.eye(3)[T3]
    scores = np.eye(3)[P3] * 0.8 + 0.1
    np.testing.assert_array_equal(metrics.confusion_matrix(onehot, scores),
                                  metrics.confusion_matrix(T3, P3))


@pytest.mark.parametrize("labels, message", [([], "non-empty"), ([0, 0, 1], "repeat"), ([0.5, 1], "integers")])
def test_bad_labels_are_named(labels, message):
    with pytest.raises(ValueError, match=message):
        metrics.confusion_matrix(T3, P3, labels=labels)


# -- precision, recall, F1 -----------------------------------------------------------------------
def test_precision_recall_f1_per_class_by_hand():
    p, r, f = metrics.precision_recall_f1(T3, P3, average=None)
    np.testing.assert_allclose(p, [2 / 3, 1 / 2, 2 / 3])
    np.testing.assert_allclose(r, [2 / 3, 1 / 3, 2 / 2])
    np.testing.assert_allclose(f, [2 * 2 / (3 + 3), 2 * 1 / (3 + 2), 2 * 2 / (2 + 3)])
    # F1 is the harmonic mean where both are defined
    np.testing.assert_allclose(f, 2 * p * r / (p + r))


def test_macro_average_is_the_plain_mean_over_classes():
    p, r, f = metrics.precision_recall_f1(T3, P3)
    assert p == pytest.approx((2 / 3 + 1 / 2 + 2 / 3) / 3)
    assert r == pytest.approx((2 / 3 + 1 / 3 + 1) / 3)
    assert f == pytest.approx((4 / 6 + 2 / 5 + 4 / 5) / 3)
    assert all(isinstance(v, float) for v in (p, r, f))


def test_zero_division_gives_zero():
    # class 1 is never predicted (precision 0/0) and class 2 never occurs (recall 0/0)
    p, r, f = metrics.precision_recall_f1([0, 1, 1], [0, 0, 2], average=None)
    np.testing.assert_allclose(p, [1 / 2, 0.0, 0.0])
    np.testing.assert_allclose(r, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(f, [2 / 3, 0.0, 0.0])
    assert np.isfinite(p).all() and np.isfinite(r).all() and np.isfinite(f).all()


def test_labels_restrict_the_classes_but_not_the_counts():
    # scoring class 0 alone: its one false positive has true label 1 (outside labels) and still counts
    p, r, f = metrics.precision_recall_f1(T3, P3, labels=[0], average=None)
    np.testing.assert_allclose([p[0], r[0]], [2 / 3, 2 / 3])
    p, r, f = metrics.precision_recall_f1([0, 1], [0, 1], labels=[0, 1, 2], average=None)
    np.testing.assert_allclose(r, [1.0, 1.0, 0.0])


def test_average_must_be_macro_or_none():
    with pytest.raises(ValueError, match="average must be 'macro' or None, got 'micro'"):
        metrics.precision_recall_f1(T3, P3, average="micro")


# -- the CLI table -------------------------------------------------------------------------------
def test_format_confusion_matrix_is_an_aligned_table():
    text = metrics.format_confusion_matrix(np.array([[12, 0], [3, 105]]), ["no", "yes"])
    assert text == ("true \\ predicted  no  yes\n"
                    "              no  12    0\n"
                    "             yes   3  105")
    assert metrics.format_confusion_matrix([[1]]).splitlines() == ["true \\ predicted  0", "               0  1"]


def test_format_confusion_matrix_checks_its_arguments():
    with pytest.raises(ValueError, match=r"2 class names for a 3 × 3 matrix"):
        metrics.format_confusion_matrix(np.zeros((3, 3), dtype=int), ["a", "b"])
    with pytest.raises(ValueError, match=r"square.*\(2, 3\)"):
        metrics.format_confusion_matrix(np.zeros((2, 3), dtype=int))


# -- regression ----------------------------------------------------------------------------------
Y = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
Y_HAT = np.array([[1.5, 10.0], [2.0, 18.0], [2.0, 30.0], [4.0, 44.0]])


def test_mse_and_mae_average_over_samples_and_outputs():
    r = Y_HAT - Y  # 0.5, 0, 0, -2, -1, 0, 0, 4
    assert metrics.mean_squared_error(Y, Y_HAT) == pytest.approx((0.25 + 4 + 1 + 16) / 8)
    assert metrics.mean_absolute_error(Y, Y_HAT) == pytest.approx((0.5 + 2 + 1 + 4) / 8)
    assert metrics.mean_squared_error(Y, Y_HAT) == pytest.approx(np.mean(r ** 2))


def test_r2_is_the_uniform_average_over_outputs():
    # output 0: SS_tot = 5, SS_res = 0.25 + 1;  output 1: SS_tot = 500, SS_res = 4 + 16
    expected = ((1 - 1.25 / 5) + (1 - 20 / 500)) / 2
    assert metrics.r2_score(Y, Y_HAT) == pytest.approx(expected)
    assert metrics.r2_score(Y[:, 0], Y_HAT[:, 0]) == pytest.approx(0.75)
    assert metrics.r2_score(Y, Y) == 1.0
    assert metrics.r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) == 0.0  # the mean scores 0
    assert metrics.r2_score([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]) == pytest.approx(-3.0)


def test_r2_of_a_constant_target_is_one_when_exact_else_zero():
    assert metrics.r2_score([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]) == 1.0
    assert metrics.r2_score([2.0, 2.0, 2.0], [2.0, 2.5, 2.0]) == 0.0
    # a constant column beside an ordinary one: (1 + 0.5)/2 and (0 + 0.5)/2
    t = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0]])
    p = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 2.0]])
    assert metrics.r2_score(t, p) == pytest.approx(0.75)
    p[0, 0] = 6.0
    assert metrics.r2_score(t, p) == pytest.approx(0.25)


def test_regression_shapes():
    column = np.array([[1.0], [2.0], [3.0]])
    assert metrics.mean_squared_error(column.ravel(), column) == 0.0  # (n,) and (n, 1) are one shape
    with pytest.raises(ValueError, match=r"y_true has shape \(4, 2\) but y_pred has shape \(4,\)"):
        metrics.mean_absolute_error(Y, Y[:, 0])
    with pytest.raises(ValueError, match=r"y_true has shape \(3,\) but y_pred has shape \(4,\)"):
        metrics.r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="at least 2 samples"):
        metrics.r2_score([1.0], [1.0])
    with pytest.raises(ValueError, match="y_pred contains inf at row 1"):
        metrics.mean_squared_error([1.0, 2.0], [1.0, np.inf])


# -- registry ------------------------------------------------------------------------------------
def test_registry_names_and_directions():
    expected = {"accuracy": True, "precision": True, "recall": True, "f1": True,
                "mse": False, "mae": False, "r2": True}
    for name, higher in expected.items():
        m = metrics.get(name)
        assert m.name == name and m.greater_is_better is higher
    assert metrics.get("mean_squared_error") is metrics.get("mse")
    assert metrics.get("F1") is metrics.get("f1")
    assert set(expected) <= set(metrics.names())


def test_registry_entries_compute_their_function():
    assert metrics.get("accuracy")(T3, P3) == 5 / 8
    p, r, f = metrics.precision_recall_f1(T3, P3)
    by_name = tuple(metrics.get(name)(T3, P3) for name in ("precision", "recall", "f1"))
    assert by_name == (p, r, f)
    assert metrics.get("mse")(Y, Y_HAT) == metrics.mean_squared_error(Y, Y_HAT)
    assert metrics.get("mae")(Y, Y_HAT) == metrics.mean_absolute_error(Y, Y_HAT)
    assert metrics.get("r2")(Y, Y_HAT) == metrics.r2_score(Y, Y_HAT)
    assert type(metrics.get("accuracy")(T3, P3)) is float


def test_unknown_metric_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown metric 'top5'; valid names: .*accuracy.*f1.*mse.*r2"):
        metrics.get("top5")
    with pytest.raises(TypeError, match="metric must be a name or a Metric"):
        metrics.get(3)
    m = metrics.Metric("half", lambda t, p: 0.5, True)
    assert metrics.get(m) is m


# -- against scikit-learn, when it is installed ----------------------------------------------------
def test_against_scikit_learn():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    t = rng.integers(0, 4, 200)
    p = np.where(rng.random(200) < 0.6, t, rng.integers(0, 5, 200))  # class 4 is only ever predicted
    assert metrics.accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p))
    np.testing.assert_array_equal(metrics.confusion_matrix(t, p), skm.confusion_matrix(t, p))
    np.testing.assert_array_equal(metrics.confusion_matrix(t, p, labels=[3, 1]),
                                  skm.confusion_matrix(t, p, labels=[3, 1]))
    for average in ("macro", None):
        for labels in (None, [0, 2, 4]):
            ours = metrics.precision_recall_f1(t, p, average=average, labels=labels)
            theirs = skm.precision_recall_fscore_support(t, p, average=average, labels=labels,
                                                         zero_division=0)[:3]
            np.testing.assert_allclose(ours, theirs)
    y = rng.standard_normal((50, 3))
    y_hat = y + 0.3 * rng.standard_normal((50, 3))
    y[:, 2] = 1.0  # a constant target column
    assert metrics.mean_squared_error(y, y_hat) == pytest.approx(skm.mean_squared_error(y, y_hat))
    assert metrics.mean_absolute_error(y, y_hat) == pytest.approx(skm.mean_absolute_error(y, y_hat))
    assert metrics.r2_score(y, y_hat) == pytest.approx(skm.r2_score(y, y_hat))
