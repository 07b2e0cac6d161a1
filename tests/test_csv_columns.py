"""CSV tables as they come: missing cells, category columns and identifiers, prepared at training and
again, the same way, at prediction."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from axonal.advice import AxonalWarning
from axonal.data import load_csv, read_features


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def people(tmp_path, n=300, seed=0):
    """A class that depends on a number and a category; 5% of ages and colours missing; an id column."""
    rng = np.random.default_rng(seed)
    rows = ["id,age,colour,height,label"]
    for i in range(n):
        age, colour, height = rng.normal(40, 10), rng.choice(["red", "green", "blue"]), rng.normal(170, 10)
        label = "yes" if (age > 40) ^ (colour == "red") else "no"
        rows.append(f"{1000 + i},{'' if rng.random() < 0.05 else f'{age:.1f}'},"
                    f"{'NA' if rng.random() < 0.05 else colour},{height:.1f},{label}")
    return write(tmp_path, "\n".join(rows) + "\n", "people.csv")


def test_missing_cells_are_refused_filled_or_dropped(tmp_path):
    path = write(tmp_path, "a,b,label\n1,red,x\n,blue,y\n3,?,x\n5,red,y\n")
    with pytest.raises(ValueError, match=r"line 3, column 'a': missing value ''.*missing='mean'"):
        load_csv(path, "label")
    mean = load_csv(path, "label", missing="mean")
    assert mean.feature_names == ["a", "b=blue", "b=red"]
    assert mean.x[:, 0].tolist() == [1, 3, 3, 5]                          # the mean of 1, 3, 5
    assert mean.x[2, 1:].tolist() == [0, 1]                               # '?' became the most frequent, red
    assert mean.column_recipe[0] == {"name": "a", "kind": "number", "fill": 3.0}
    assert load_csv(path, "label", missing="median").x[1, 0] == 3
    dropped = load_csv(path, "label", missing="drop")
    assert len(dropped.x) == 2 and dropped.y.tolist() == [0, 1]


def test_categories_and_typos(tmp_path):
    typo = write(tmp_path, "a,label\n1,x\n2,y\nthree,x\n", "typo.csv")
    with pytest.raises(ValueError, match=r"line 4, column 'a': 'three' is not a number \(a feature must be numeric"):
        load_csv(typo, "label")
    as_codes = load_csv(write(tmp_path, "zip,label\n1000,x\n2000,y\n1000,y\n", "zip.csv"), "label",
                        categorical=["zip"])
    assert as_codes.feature_names == ["zip=1000", "zip=2000"]


def test_an_identifier_column_is_named_with_the_way_to_leave_it_out(tmp_path):
    path = people(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_csv(path, "label", missing="mean")
    messages = [str(w.message) for w in caught if issubclass(w.category, AxonalWarning)]
    assert len(messages) == 1 and "column 'id'" in messages[0] and "--ignore id" in messages[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", AxonalWarning)
        load_csv(path, "label", missing="mean", features=["age", "colour", "height"])


def test_prediction_prepares_the_columns_as_training_did(tmp_path):
    trained = load_csv(people(tmp_path), "label", missing="mean", features=["age", "colour", "height"])
    new = write(tmp_path, "height,colour,age,id\n170,red,50,1\n160,blue,,2\n", "new.csv")
    x = read_features(new, recipe=trained.column_recipe)
    fill = trained.column_recipe[0]["fill"]
    np.testing.assert_allclose(x, [[50, 0, 0, 1, 170], [fill, 1, 0, 0, 160]], rtol=1e-6)
    with pytest.raises(ValueError, match=r"line 2, column 'colour': category 'purple' was not in the training"):
        read_features(write(tmp_path, "height,colour,age\n170,purple,50\n", "bad.csv"), recipe=trained.column_recipe)
    strict = load_csv(write(tmp_path, "a,label\n1,x\n2,y\n", "strict.csv"), "label")
    with pytest.raises(ValueError, match="trained without filling it"):
        read_features(write(tmp_path, "a\n\n1\nNA\n", "gap.csv"), recipe=strict.column_recipe)
    with pytest.raises(ValueError, match="recipe entry 0 is not a valid"):
        read_features(new, recipe=[{"name": "age", "kind": "number", "fill": "=cmd"}])


def test_the_command_line_trains_on_a_raw_table_and_predicts_from_another(tmp_path):
    path = people(tmp_path)
    model = tmp_path / "p.axonal"
    run = [sys.executable, "-m", "axonal"]
    done = subprocess.run(run + ["train", "--data", str(path), "--target", "label", "--missing", "mean", "--ignore",
                                 "id", "--epochs", "60", "--output", str(model), "--no-plot"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    accuracy = float(done.stdout.split("test accuracy:")[1].split()[0])
    assert accuracy >= 0.9
    new = write(tmp_path, "height,colour,age,id\n170,red,50,1\n160,blue,,2\n180,green,30,3\n", "new.csv")
    out = subprocess.run(run + ["predict", str(model), str(new)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [line.split(",")[0] for line in out.stdout.strip().splitlines()[1:]][::2] == ["no", "no"]
