"""axonal.data: bundled datasets, CSV and NumPy file reading, train/test and k-fold splits."""

import gzip
import hashlib
import zipfile
from importlib import resources

import numpy as np
import pytest

from axonal.data import (Dataset, kfold_indices, load_array, load_csv, load_digits, load_regression,
                         load_xor, train_test_split)

# Counts of each digit 0..9 in the 1,797-sample UCI test part (optdigits.tes).
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
# sha256 of the uint8 pixels followed by the uint8 labels, as read from the bundled file.
DIGITS_SHA256 = "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"
# sha256 of round(10·x) then round(10·y) as int64 for Auto MPG (every value has one decimal).
AUTO_MPG_SHA256 = "45de5450d6ab341ad09b2aeb017e1bba24e6a344557eb0e73f943026b76c7c98"


def fingerprint(*arrays):
    return hashlib.sha256(b"".join(a.tobytes() for a in arrays)).hexdigest()


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- bundled datasets ---------------------------------------------------------------------
def test_digits_shape_values_and_class_counts():
    digits = load_digits()
    x, y = digits.as_tuple()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and x.flags.c_contiguous
    assert y.shape == (1797,) and y.dtype == np.int64
    assert np.array_equal(x, np.round(x)) and x.min() == 0 and x.max() == 16
    assert digits.class_names == list(range(10)) and digits.n_classes == 10
    counts = np.bincount(y, minlength=10)
    assert counts.tolist() == DIGIT_COUNTS
    assert all(174 <= c <= 183 for c in counts) and counts.sum() == 1797
    assert digits.feature_names[:2] == ["pixel_0_0", "pixel_0_1"] and digits.feature_names[-1] == "pixel_7_7"
    assert digits.target_name == "digit"
    assert "10.24432/C50P49" in digits.description and "CC BY 4.0" in digits.description


def test_digits_numbers_are_exactly_the_recorded_ones():
    x, y = load_digits().as_tuple()
    assert fingerprint(x.astype(np.uint8), y.astype(np.uint8)) == DIGITS_SHA256
    # The images are digits: the corners are nearly always blank, the centre rarely.
    images = x.reshape(-1, 8, 8)
    assert images[:, 0, 0].mean() < 0.1 and images[:, 3:5, 3:5].mean() > 5


def test_digits_file_round_trips_through_csv(tmp_path):
    digits = load_digits()
    header = ",".join(digits.feature_names + [digits.target_name])
    table = np.column_stack([digits.x.astype(np.int64), digits.y])
    path = tmp_path / "digits_again.csv.gz"
    with gzip.open(path, "wt") as f:
        np.savetxt(f, table, fmt="%d", delimiter=",", header=header, comments="")
    again = load_csv(path, "digit", task="classification")
    np.testing.assert_array_equal(again.x, digits.x)
    np.testing.assert_array_equal(again.y, digits.y)
    assert again.feature_names == digits.feature_names and again.class_names == digits.class_names


def test_bundled_file_is_plain_gzip_csv_and_loads_afresh():
    resource = resources.files("axonal.data").joinpath("files").joinpath("digits.csv.gz")
    with resources.as_file(resource) as path, gzip.open(path, "rt") as f:
        assert f.readline().startswith("pixel_0_0,pixel_0_1,")
    a, b = load_digits(), load_digits()
    a.x[0, 0] = 99.0
    assert b.x[0, 0] == 0.0 and load_digits().x[0, 0] == 0.0


def test_digits_match_scikit_learn_when_it_is_installed():
    datasets = pytest.importorskip("sklearn.datasets")
    reference = datasets.load_digits()
    digits = load_digits()
    np.testing.assert_array_equal(digits.x, reference.data)
    np.testing.assert_array_equal(digits.y, reference.target)


def test_regression_set_is_auto_mpg():
    cars = load_regression()
    x, y = cars.as_tuple()
    assert x.shape == (392, 6) and x.dtype == np.float32 and y.shape == (392,) and y.dtype == np.float32
    assert cars.class_names is None and cars.n_classes is None and cars.target_name == "mpg"
    assert cars.feature_names == ["cylinders", "displacement", "horsepower", "weight", "acceleration",
                                  "model_year"]
    assert np.isfinite(x).all() and np.isfinite(y).all()
    assert fingerprint(np.round(x * 10).astype(np.int64), np.round(y * 10).astype(np.int64)) == AUTO_MPG_SHA256
    assert y.min() == 9.0 and abs(y.max() - 46.6) < 1e-5 and abs(y.mean(dtype=np.float64) - 23.4459) < 1e-4
    assert set(x[:, 0].tolist()) == {3, 4, 5, 6, 8}
    assert x[:, 5].min() == 70 and x[:, 5].max() == 82
    x0 = x[0].tolist()
    assert x0 == [8, 307, 130, 3504, 12, 70] and y[0] == 18  # chevrolet chevelle malibu
    # Heavier cars use more fuel: a strong negative correlation.
    assert np.corrcoef(x[:, 3], y)[0, 1] < -0.8
    assert "10.24432/C5859H" in cars.description and "CC BY 4.0" in cars.description


def test_regression_set_matches_vega_datasets_when_installed():
    vega = pytest.importorskip("vega_datasets")
    cars = vega.data.cars()
    cars = cars.dropna(subset=["Miles_per_Gallon", "Horsepower"])
    ours = load_regression()
    np.testing.assert_allclose(ours.y, cars["Miles_per_Gallon"].to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.x[:, 3], cars["Weight_in_lbs"].to_numpy(), rtol=1e-6)


def test_xor_truth_table():
    xor = load_xor()
    x, y = xor.as_tuple()
    assert x.dtype == np.float32 and x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.dtype == np.int64 and y.tolist() == (x[:, 0].astype(int) ^ x[:, 1].astype(int)).tolist()
    assert xor.class_names == [0, 1] and xor.feature_names == ["x1", "x2"]


def test_dataset_checks_its_fields():
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        Dataset([[1.0], [2.0]], [1.0], ["a"], "t")
    with pytest.raises(ValueError, match="2 feature names for 1 columns"):
        Dataset([[1.0], [2.0]], [1.0, 2.0], ["a", "b"], "t")
    with pytest.raises(ValueError, match=r"class codes must lie in 0..1"):
        Dataset([[1.0], [2.0]], [0, 2], ["a"], "t", class_names=["p", "q"])
    with pytest.raises(TypeError, match="must be integers"):
        Dataset([[1.0], [2.0]], [0.5, 1.0], ["a"], "t", class_names=["p", "q"])
    assert repr(Dataset([[1.0], [2.0]], [1.5, 2.5], ["a"], "t")) == \
        "Dataset(2 samples × 1 features, target 't': regression)"


# -- CSV: labels and targets ------------------------------------------------------------
def test_csv_string_labels_are_coded_in_sorted_order(tmp_path):
    path = write(tmp_path, "a,b,kind\n1,2,zebra\n3,4,ant\n5,6.5,zebra\n7,8,bee\n")
    ds = load_csv(path, "kind")
    assert ds.class_names == ["ant", "bee", "zebra"]
    assert ds.y.tolist() == [2, 0, 2, 1] and ds.y.dtype == np.int64
    assert ds.x.tolist() == [[1, 2], [3, 4], [5, 6.5], [7, 8]] and ds.x.dtype == np.float32
    assert ds.feature_names == ["a", "b"] and ds.target_name == "kind"


def test_csv_numeric_labels_sort_by_value_not_as_text(tmp_path):
    rows = "".join(f"{i},{label}\n" for i, label in enumerate([10, 2, 1, 10, 2, 1, 2, 10]))
    ds = load_csv(write(tmp_path, "f,label\n" + rows), "label")
    assert ds.class_names == [1, 2, 10]
    assert ds.y.tolist() == [2, 1, 0, 2, 1, 0, 1, 2]
    # "1" and "1.0" are the same class.
    ds = load_csv(write(tmp_path, "f,label\n0,1\n1,1.0\n2,0\n3,0\n", "b.csv"), "label")
    assert ds.class_names == [0, 1] and ds.y.tolist() == [1, 1, 0, 0]


def test_csv_auto_rule_and_explicit_task(tmp_path):
    fractional = write(tmp_path, "f,t\n1,0.5\n2,1.5\n3,0.5\n4,1.5\n", "frac.csv")
    ds = load_csv(fractional, "t")
    assert ds.class_names is None and ds.y.dtype == np.float32 and ds.y.tolist() == [0.5, 1.5, 0.5, 1.5]
    forced = load_csv(fractional, "t", task="classification")
    assert forced.class_names == [0.5, 1.5] and forced.y.tolist() == [0, 1, 0, 1]

    # Whole numbers, all distinct: more distinct values than half the rows -> regression.
    distinct = write(tmp_path, "f,t\n" + "".join(f"{i},{i * 3}\n" for i in range(10)), "distinct.csv")
    assert load_csv(distinct, "t").class_names is None
    assert load_csv(distinct, "t", task="classification").n_classes == 10

    # More than max_classes distinct whole numbers -> regression; raise the limit -> classes.
    many = write(tmp_path, "f,t\n" + "".join(f"{i},{i % 25}\n" for i in range(100)), "many.csv")
    assert load_csv(many, "t").class_names is None
    assert load_csv(many, "t", max_classes=25).n_classes == 25

    few = write(tmp_path, "f,t\n" + "".join(f"{i},{i % 3}\n" for i in range(9)), "few.csv")
    assert load_csv(few, "t").class_names == [0, 1, 2]
    reg = load_csv(few, "t", task="regression")
    assert reg.class_names is None and reg.y.tolist() == [0, 1, 2] * 3


def test_csv_options_features_delimiter_gzip_quotes_blank_lines(tmp_path):
    text = "\ufeff x ; y ;label; z \n\n 1 ; 2 ; \"a;b\"; 3 \n4;5;c;6\n\n"
    path = write(tmp_path, text, "semi.csv")
    ds = load_csv(path, "label", delimiter=";", features=["z", "x"])
    assert ds.feature_names == ["z", "x"] and ds.x.tolist() == [[3, 1], [6, 4]]
    assert ds.class_names == ["a;b", "c"]
    gz = tmp_path / "semi.csv.gz"
    gz.write_bytes(gzip.compress(text.encode("utf-8")))
    again = load_csv(str(gz), "label", delimiter=";")
    assert again.feature_names == ["x", "y", "z"] and again.x.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert "semi.csv.gz" in again.description


# -- CSV: errors --------------------------------------------------------------------------
def test_csv_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_csv: .*nothere\.csv: no such file"):
        load_csv(tmp_path / "nothere.csv", "y")


def test_csv_missing_target_lists_the_columns(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n")
    with pytest.raises(ValueError, match=r"data\.csv has no column 'target'; its columns are 'a', 'b', 'label'$"):
        load_csv(path, "target")


def test_csv_wrong_delimiter_gets_a_hint(tmp_path):
    path = write(tmp_path, "a;b;label\n1;2;x\n")
    with pytest.raises(ValueError, match=r"its columns are 'a;b;label' \(is the delimiter ';'\? give delimiter=';'\)"):
        load_csv(path, "label")


def test_csv_non_numeric_feature_names_line_and_column(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n3,4,y\n5,five,x\n")
    with pytest.raises(ValueError, match=r"data\.csv, line 4, column 'b': 'five' is not a number \(a feature must"):
        load_csv(path, "label")


def test_csv_line_numbers_count_blank_lines(tmp_path):
    path = write(tmp_path, "a,label\n\n1,x\n\n?,y\n")
    with pytest.raises(ValueError, match=r"line 5, column 'a': missing value '\?'"):
        load_csv(path, "label")


def test_csv_ragged_rows(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n3,4,y,extra\n")
    with pytest.raises(ValueError, match=r"data\.csv, line 3 has 4 fields; the header has 3$"):
        load_csv(path, "label")
    path = write(tmp_path, "a,b,label\n1,2,x\n3,4\n", "short.csv")
    with pytest.raises(ValueError, match=r"short\.csv, line 3 has 2 fields; the header has 3$"):
        load_csv(path, "label")


def test_csv_empty_file_and_header_only(tmp_path):
    with pytest.raises(ValueError, match=r"empty\.csv is empty; expected a header row and data rows"):
        load_csv(write(tmp_path, "", "empty.csv"), "label")
    with pytest.raises(ValueError, match=r"blank\.csv is empty"):
        load_csv(write(tmp_path, "\n\n  \n", "blank.csv"), "label")
    with pytest.raises(ValueError, match=r"head\.csv has a header but no data rows"):
        load_csv(write(tmp_path, "a,label\n", "head.csv"), "label")


@pytest.mark.parametrize("cell, message", [
    ("", "missing value ''; remove the row, or give missing='mean'"),
    ("nan", "missing value 'nan'"),
    ("NaN", "missing value 'NaN'"),
    ("inf", "'inf' is not a number"),
])
def test_csv_missing_and_non_finite_feature_cells(tmp_path, cell, message):
    path = write(tmp_path, f"a,b,label\n1,2,x\n3,{cell},y\n")
    with pytest.raises(ValueError, match=rf"data\.csv, line 3, column 'b': {message}"):
        load_csv(path, "label")


def test_csv_missing_and_bad_targets(tmp_path):
    path = write(tmp_path, "a,label\n1,x\n2,\n")
    with pytest.raises(ValueError, match=r"line 3, column 'label': empty cell; every row needs a target"):
        load_csv(path, "label")
    path = write(tmp_path, "a,t\n1,2.5\n2,nan\n", "nan.csv")
    with pytest.raises(ValueError, match=r"line 3, column 't': 'nan' is not a finite number"):
        load_csv(path, "t")
    path = write(tmp_path, "a,t\n1,2.5\n2,3.5\n3,high\n", "text.csv")
    with pytest.raises(ValueError, match=r"line 4, column 't': 'high' is not a number \(a regression target"):
        load_csv(path, "t", task="regression")


def test_csv_header_and_option_errors(tmp_path):
    path = write(tmp_path, "a,a,label\n1,2,x\n")
    with pytest.raises(ValueError, match=r"line 1: the header names column 'a' twice"):
        load_csv(path, "label")
    path = write(tmp_path, "a,,label\n1,2,x\n", "noname.csv")
    with pytest.raises(ValueError, match=r"line 1: column 2 of the header has no name"):
        load_csv(path, "label")
    path = write(tmp_path, "a,b,label\n1,2,x\n3,4,y\n", "ok.csv")
    with pytest.raises(ValueError, match=r"has no feature column 'c'; its columns are 'a', 'b', 'label'"):
        load_csv(path, "label", features=["a", "c"])
    with pytest.raises(ValueError, match=r"the target column 'label' cannot also be a feature"):
        load_csv(path, "label", features=["a", "label"])
    with pytest.raises(ValueError, match=r"task must be one of 'auto', 'classification', 'regression', got 'class'"):
        load_csv(path, "label", task="class")
    with pytest.raises(ValueError, match=r"no feature columns besides the target"):
        load_csv(write(tmp_path, "label\nx\ny\n", "only.csv"), "label")


def test_csv_undecodable_and_not_gzip(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("a,label\n1,caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin\.csv is not utf-8-sig text .*give encoding="):
        load_csv(path, "label")
    assert load_csv(path, "label", encoding="latin-1").class_names == ["caf\u00e9"]
    fake = write(tmp_path, "a,label\n1,x\n", "fake.csv.gz")
    with pytest.raises(ValueError, match=r"fake\.csv\.gz is not a readable gzip file"):
        load_csv(fake, "label")


# -- NumPy files ---------------------------------------------------------------------------
def test_load_array_npy_and_npz(tmp_path):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.save(tmp_path / "a.npy", a)
    np.savez(tmp_path / "one.npz", only=a)
    np.savez_compressed(tmp_path / "two.npz", x=a, y=np.array([1, 2, 3]))
    loaded = load_array(tmp_path / "a.npy")
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, a)
    np.testing.assert_array_equal(load_array(str(tmp_path / "one.npz")), a)
    np.testing.assert_array_equal(load_array(tmp_path / "two.npz", key="y"), [1, 2, 3])
    with pytest.raises(ValueError, match=r"two\.npz holds 2 arrays \('x', 'y'\); choose one with key="):
        load_array(tmp_path / "two.npz")
    with pytest.raises(ValueError, match=r"two\.npz has no array 'z'; it holds 'x', 'y'"):
        load_array(tmp_path / "two.npz", key="z")
    with pytest.raises(ValueError, match=r"a\.npy holds a single array; key='x' applies to \.npz archives only"):
        load_array(tmp_path / "a.npy", key="x")


class _RunsCodeWhenUnpickled:
    def __reduce__(self):
        return (print, ("UNPICKLED",))


def test_load_array_refuses_pickled_objects_without_running_them(tmp_path, capsys):
    objects = np.array([_RunsCodeWhenUnpickled(), 1], dtype=object)
    np.save(tmp_path / "obj.npy", objects, allow_pickle=True)
    np.savez(tmp_path / "obj.npz", objects=objects)
    for name in ("obj.npy", "obj.npz"):
        with pytest.raises(ValueError, match=rf"{name.replace('.', '[.]')} holds Python objects.*pickle can run code"):
            load_array(tmp_path / name)
    assert "UNPICKLED" not in capsys.readouterr().out


def test_load_array_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_array: .*missing\.npy: no such file"):
        load_array(tmp_path / "missing.npy")
    with pytest.raises(ValueError, match=r"expected a \.npy or \.npz file, got '\.csv'"):
        load_array(write(tmp_path, "a\n1\n"))
    (tmp_path / "junk.npy").write_bytes(b"not numpy at all")
    with pytest.raises(ValueError, match=r"junk\.npy is not a NumPy file \(it starts with neither"):
        load_array(tmp_path / "junk.npy")
    with zipfile.ZipFile(tmp_path / "broken.npz", "w") as z:
        z.writestr("x.npy", b"garbage")
    with pytest.raises(ValueError, match=r"broken\.npz: member 'x' is not a \.npy array"):
        load_array(tmp_path / "broken.npz")
    (tmp_path / "cut.npy").write_bytes(b"\x93NUMPY\x01\x00")  # a header cut short
    with pytest.raises(ValueError, match=r"cut\.npy is not a readable NumPy file"):
        load_array(tmp_path / "cut.npy")
    with pytest.raises(ValueError, match=r"is not a file"):
        load_array(tmp_path)


# -- train_test_split ---------------------------------------------------------------------------
def test_split_sizes_pairing_and_coverage():
    x = np.arange(50).reshape(25, 2)
    y = np.arange(25) * 10
    x_train, x_test, y_train, y_test = train_test_split(x, y, 0.2, seed=1)
    assert len(x_test) == 5 and len(x_train) == 20
    np.testing.assert_array_equal(x_train[:, 0] * 5, y_train)  # rows stay paired
    np.testing.assert_array_equal(x_test[:, 0] * 5, y_test)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == y.tolist()
    assert len(train_test_split(x, y, 7, seed=1)[1]) == 7
    assert len(train_test_split(x, y, 0.3, seed=1)[1]) == 8  # 7.5 rounds to 8
    assert len(train_test_split(np.arange(10), np.arange(10), 0.3, seed=1)[1]) == 3


def test_split_same_seed_same_split_and_no_global_state():
    x, y = np.arange(100), np.arange(100)
    np.random.seed(123)
    first = train_test_split(x, y, seed=7)
    np.random.seed(456)
    second = train_test_split(x, y, seed=7)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], train_test_split(x, y, seed=8)[1])
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    train_test_split(x, y, seed=None)
    list(kfold_indices(100, 5, seed=None))
    assert np.array_equal(np.random.get_state()[1], before)
    gen_a, gen_b = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(train_test_split(x, y, seed=gen_a)[1], train_test_split(x, y, seed=gen_b)[1])


def test_stratified_split_keeps_class_proportions_within_one_sample():
    x, y = load_digits().as_tuple()
    counts = np.bincount(y)
    for test_size in (0.2, 0.25, 0.5, 300):
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size, stratify=y, seed=0)
        n_test = len(y_test)
        assert n_test == (test_size if isinstance(test_size, int) else int(test_size * len(y) + 0.5))
        test_counts = np.bincount(y_test, minlength=10)
        assert np.all(np.abs(test_counts - counts * n_test / len(y)) <= 1), test_counts
        np.testing.assert_array_equal(test_counts + np.bincount(y_train, minlength=10), counts)
    # Unstratified splits of this size usually miss the proportions by more than one.
    misses = 0
    for seed in range(10):
        y_test = train_test_split(x, y, 0.2, seed=seed)[3]
        misses += np.any(np.abs(np.bincount(y_test, minlength=10) - counts * 0.2) > 1)
    assert misses >= 5


def test_stratified_split_small_classes_and_one_hot_labels():
    y = np.array(["a"] * 8 + ["b"] * 2)
    _, _, y_train, y_test = train_test_split(np.arange(10), y, 0.2, stratify=y, seed=0)
    assert sorted(y_test.tolist()) == ["a", "b"] and sorted(y_train.tolist()).count("b") == 1
    one_hot = np.eye(3)[[0, 0, 0, 1, 1, 1, 2, 2, 2]]
    _, _, _, t = train_test_split(np.arange(9), one_hot, 3, stratify=one_hot, seed=0)
    assert t.sum(axis=0).tolist() == [1, 1, 1]


def test_split_errors():
    x, y = np.arange(10), np.array([0] * 9 + [1])
    with pytest.raises(ValueError, match=r"class 1 has 1 sample; a stratified split needs at least 2 per class"):
        train_test_split(x, y, stratify=y, seed=0)
    y = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
    with pytest.raises(ValueError, match=r"2 test and 8 training samples cannot hold every one of 5 classes"):
        train_test_split(x, y, 0.2, stratify=y, seed=0)
    with pytest.raises(ValueError, match=r"x has 10 samples but y has 9"):
        train_test_split(x, y[:9])
    with pytest.raises(ValueError, match=r"stratify must hold one label per sample, shape \(10,\)"):
        train_test_split(x, y, stratify=y[:5])
    for bad in (0, 10, 0.0, 1.0, 1.5, -0.2, True, "0.2"):
        with pytest.raises(ValueError, match="test_size"):
            train_test_split(x, y, bad)
    with pytest.raises(ValueError, match=r"test_size=0.01 of 10 samples leaves no test samples"):
        train_test_split(x, y, 0.01)


# -- kfold_indices ------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, k, shuffle", [(10, 3, True), (10, 3, False), (7, 7, True), (1797, 5, True)])
def test_kfold_tests_every_index_exactly_once(n, k, shuffle):
    folds = list(kfold_indices(n, k, shuffle=shuffle, seed=0))
    assert len(folds) == k
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(n))
    sizes = [len(test) for _, test in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, test in folds:
        assert train.dtype == np.int64 and test.dtype == np.int64
        assert np.array_equal(np.union1d(train, test), np.arange(n)) and not np.intersect1d(train, test).size
        assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)


def test_kfold_without_shuffle_is_contiguous_and_seeds_repeat():
    assert [t.tolist() for _, t in kfold_indices(7, 3, shuffle=False)] == [[0, 1, 2], [3, 4], [5, 6]]
    a = [t.tolist() for _, t in kfold_indices(50, 5, seed=4)]
    b = [t.tolist() for _, t in kfold_indices(50, 5, seed=4)]
    c = [t.tolist() for _, t in kfold_indices(50, 5, seed=5)]
    assert a == b and a != c


def test_stratified_kfold_spreads_each_class_evenly():
    y = load_digits().y
    folds = list(kfold_indices(len(y), 5, seed=0, stratify=y))
    per_fold = np.array([np.bincount(y[test], minlength=10) for _, test in folds])
    assert np.all(per_fold.max(axis=0) - per_fold.min(axis=0) <= 1)
    np.testing.assert_array_equal(per_fold.sum(axis=0), np.bincount(y))
    assert sorted(np.concatenate([t for _, t in folds]).tolist()) == list(range(len(y)))
    unshuffled = [t.tolist() for _, t in kfold_indices(6, 2, shuffle=False, stratify=[1, 0, 1, 0, 1, 0])]
    assert unshuffled == [[1, 2, 5], [0, 3, 4]]  # class 0 = 1, 3, 5 then class 1 = 0, 2, 4, dealt in turn


def test_kfold_errors_at_the_call():
    with pytest.raises(ValueError, match=r"k must be an integer with 2 <= k <= n = 4, got 5"):
        kfold_indices(4, 5)
    with pytest.raises(ValueError, match=r"k must be an integer"):
        kfold_indices(10, 1)
    with pytest.raises(ValueError, match=r"n must be an integer number of samples >= 2, got 1"):
        kfold_indices(1, 2)
    with pytest.raises(ValueError, match=r"class 'b' has 2 samples, fewer than k = 3 folds"):
        kfold_indices(8, 3, stratify=list("aaaaaabb"))
    with pytest.raises(ValueError, match=r"stratify must hold one label per sample"):
        kfold_indices(8, 2, stratify=[0, 1])
