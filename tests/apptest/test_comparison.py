"""AppTest of the Train page's "How does it compare?" panel and the ROC overlay choice."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from anomagram import baselines
from anomagram.spec import Spec
from anomagram.ui.common import detector_fits

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "train.py")
# A split no other test uses, so its detectors are fitted (and counted) here.
SPEC = Spec(train_size=400, test_size=120, batch_size=128, epochs=10, seed=11)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def chart(at: AppTest, title_start: str) -> tuple[dict, list]:
    """The spec and data tables of the chart whose title starts with ``title_start``."""
    import pyarrow as pa

    titles = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        text = spec.get("title", {}).get("text", "")
        text = " ".join(text) if isinstance(text, list) else str(text)
        titles.append(text)
        if text.startswith(title_start):
            tables = [
                pa.ipc.open_stream(d.data.data).read_all().to_pandas()
                for d in element.proto.datasets
            ]
            return spec, tables
    raise AssertionError(f"no chart titled {title_start!r}: {titles}")


def board(at: AppTest):
    _, (table,) = chart(at, "Leaderboard")
    return table.sort_values("order")


def fitting(at: AppTest) -> bool:
    return any("Fitting the classic detectors" in c.value for c in at.caption)


@pytest.fixture(scope="module")
def counted():
    """Every fit the page asked for in this module, by detector (they run in a background
    thread; the page's warm-up fits a PCA of its own, which is not one of them)."""
    calls: list[str] = []
    lock = threading.Lock()
    original = detector_fits._fit

    def counting(detector, *args, **kwargs):
        with lock:
            calls.append(detector)
        return original(detector, *args, **kwargs)

    detector_fits._fit = counting
    yield calls
    detector_fits._fit = original


@pytest.fixture(scope="module")
def trained(counted):
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["spec"] = SPEC
    at.session_state["train_speed"] = "fast"
    at.run()
    (go,) = [b for b in at.button if str(b.key).startswith("train_go_")]
    go.click().run()
    no_exception(at)
    # AppTest has no timer for the polling fragment: rerun the page as its ticks would.
    deadline = time.monotonic() + 60
    while fitting(at) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    no_exception(at)
    assert not fitting(at), "the detectors did not finish within a minute"
    return at


def test_the_leaderboard_lists_every_model_best_first_with_the_autoencoder_marked(trained):
    at = trained
    assert any(h.value == "⑤ How does it compare?" for h in at.subheader)
    table = board(at)
    names = list(table["name"])
    assert sorted(names) == sorted(["Autoencoder", *baselines.DETECTORS.values()])
    aucs = list(table["auc"])
    assert aucs == sorted(aucs, reverse=True)
    assert list(table.loc[table["model"] == "Autoencoder", "name"]) == ["Autoencoder"]
    assert (table.loc[table["name"] != "Autoencoder", "model"] == "Classic detector").all()
    assert all(label == f"{auc:.3f}" for label, auc in zip(table["label"], aucs, strict=True))
    # The sentence is the one baselines.verdict gives for these numbers.
    trainer = at.session_state["trainer"]
    ae = table.loc[table["name"] == "Autoencoder", "auc"].item()
    from anomagram import metrics

    assert ae == pytest.approx(
        metrics.auc(trainer.prepared.test_is_abnormal, trainer.last_report.test_errors), abs=1e-9
    )
    others = {
        key: table.loc[table["name"] == name, "auc"].item()
        for key, name in baselines.DETECTORS.items()
    }
    sentence = baselines.verdict(baselines.leaderboard(ae, others))
    assert any(m.value == f"**{sentence}**" for m in at.markdown), sentence


def test_each_detector_is_fitted_once_and_a_threshold_move_refits_nothing(trained, counted):
    at = trained
    assert sorted(counted) == sorted(baselines.DETECTORS)
    slider = at.slider(key="train_threshold_w")
    slider.set_value(slider.min + (slider.max - slider.min) * 0.3).run()
    no_exception(at)
    at.selectbox(key="train_strategy_w").select("best_f1").run()
    at.run()  # and a full page rerun
    no_exception(at)
    assert not fitting(at)
    assert sorted(counted) == sorted(baselines.DETECTORS)


def test_the_roc_chart_overlays_the_chosen_detector(trained):
    at = trained
    spec, _ = chart(at, "ROC curve")
    series = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert any(s.startswith("PCA (AUC ") for s in series), series  # the default
    at.selectbox(key="train_overlay_w").select("lof").run()
    no_exception(at)
    spec, _ = chart(at, "ROC curve")
    series = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    lof = board(at).set_index("name").loc["Local Outlier Factor", "auc"]
    assert f"LOF (AUC {lof:.3f})" in series, series
    at.selectbox(key="train_overlay_w").select("none").run()
    spec, _ = chart(at, "ROC curve")
    series = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert len(series) == 2 and series[0].startswith("Autoencoder"), series
    assert at.session_state["train_overlay"] == "none"


def test_detectors_still_fitting_say_so_and_fill_in_when_done(monkeypatch):
    release = threading.Event()
    original = detector_fits._fit

    def slow(detector, *args, **kwargs):
        if detector != "pca":
            release.wait(30)
        return original(detector, *args, **kwargs)

    monkeypatch.setattr(detector_fits, "_fit", slow)
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["spec"] = SPEC.replace(seed=12)
    at.session_state["train_speed"] = "fast"
    at.run()
    try:
        (go,) = [b for b in at.button if str(b.key).startswith("train_go_")]
        go.click().run()
        no_exception(at)
        table = board(at)
        waiting = table[table["auc"].isna()]
        assert set(waiting["label"]) == {"still fitting"} and len(waiting) >= 4
        assert list(table["name"])[-len(waiting) :] == list(waiting["name"])  # listed last
        assert fitting(at)
        assert not any("wins" in m.value or "tie" in m.value for m in at.markdown)
    finally:
        release.set()
    deadline = time.monotonic() + 60
    while fitting(at) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    no_exception(at)
    assert board(at)["auc"].notna().all()


# --- the Experiments page's reference lines ---------------------------------------------------

EXPERIMENTS = str(Path(__file__).resolve().parents[2] / "pages" / "experiments.py")
SWEEP_BASE = Spec(train_size=300, test_size=100, seed=20)


def finished_sweep(param: str, values: list, aucs: list[float]) -> AppTest:
    """The Experiments page showing a finished sweep of two seeds per value (made-up AUCs)."""
    from anomagram.sweep import RunRecord
    from anomagram.ui.experiments.job import SweepJob

    job = SweepJob(param, values, 2, SWEEP_BASE, status="done")
    records = [
        RunRecord(v, SWEEP_BASE.seed + s, auc, 0.9, 0.9, 0.9, 0.9, 0.95, 0.5, "completed")
        for v, auc in zip(values, aucs, strict=True)
        for s in range(2)
    ]
    at = AppTest.from_file(EXPERIMENTS, default_timeout=120)
    at.session_state["spec"] = SWEEP_BASE
    at.session_state["exp_job"] = job
    at.session_state["exp_records"] = records
    return at.run()


def reference_rows(at: AppTest):
    _, tables = chart(at, "AUC by")
    refs = [t for t in tables if "detector" in t.columns]
    return refs[0] if refs else None


def direct_auc(detector: str, **changes) -> float:
    from anomagram.training import prepare

    spec = SWEEP_BASE.replace(**changes)
    p = prepare(spec)
    result = baselines.fit_score(
        detector,
        p.train_scaled,
        p.test_scaled,
        p.test_is_abnormal,
        components=spec.latent,
        seed=spec.seed,
    )
    return result.auc


def test_reference_lines_are_fitted_only_when_asked_and_per_value_when_the_split_changes(
    counted,
):
    at = finished_sweep("abnormal_pct", [0.0, 30.0], [0.97, 0.8])
    no_exception(at)
    before = len(counted)
    assert reference_rows(at) is None  # nothing drawn, nothing fitted on page load
    at.run()
    assert len(counted) == before
    at.multiselect(key="exp_references").set_value(["knn", "iforest"]).run()
    no_exception(at)
    refs = reference_rows(at)
    assert set(refs["series"]) == {"k-nearest neighbours", "Isolation Forest"}
    assert list(refs.loc[refs["detector"] == "knn", "setting"]) == ["0 %", "30 %"]
    # The abnormal share changes the split: every value has its own splits, two seeds each.
    assert len(counted) - before == 2 * 2 * 2
    knn = refs[refs["detector"] == "knn"].set_index("setting")["auc"]
    for setting, pct in (("0 %", 0.0), ("30 %", 30.0)):
        mean = sum(direct_auc("knn", abnormal_pct=pct, seed=20 + s) for s in range(2)) / 2
        assert knn[setting] == pytest.approx(mean, abs=1e-3)
    text = " ".join(m.value for m in at.markdown)
    assert "changes which beats are in the split" in text
    at.run()  # a rerun reuses the fits
    assert len(counted) - before == 8


def test_reference_lines_are_flat_when_the_setting_leaves_the_split_alone(counted):
    at = finished_sweep("optimizer", ["adam", "sgd"], [0.6, 0.5])
    at.multiselect(key="exp_references").set_value(["lof"]).run()
    no_exception(at)
    refs = reference_rows(at)
    assert list(refs["setting"]) == ["Adam", "SGD"]
    assert refs["auc"].nunique() == 1  # one split per seed whatever the optimizer
    mean = sum(direct_auc("lof", seed=20 + s) for s in range(2)) / 2
    assert refs["auc"].iloc[0] == pytest.approx(mean, abs=1e-3)
    text = " ".join(m.value for m in at.markdown)
    assert "does not change the split, so each detector's line is flat" in text
    assert "Local Outlier Factor" in text and "for 2 of 2 values" in text
