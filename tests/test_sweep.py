import numpy as np
import pytest
from common import SMALL

from anomagram.compiled import CompiledPool
from anomagram.sweep import parse_values, plan, run_sweep, summarise


def test_parse_values_per_param():
    assert parse_values("abnormal_pct", "0, 10,30") == [0.0, 10.0, 30.0]
    assert parse_values("optimizer", "adam,sgd") == ["adam", "sgd"]
    assert parse_values("hidden", "7,3; 16,8") == [(7, 3), (16, 8)]
    with pytest.raises(ValueError, match="Cannot sweep"):
        parse_values("colour", "red")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        parse_values("optimizer", "adam,warp")
    with pytest.raises(ValueError, match="at least one"):
        parse_values("latent", " , ")


@pytest.mark.parametrize(
    "param, text, message",
    [
        ("latent", "inf", "Latent size must be a whole number, not 'inf'."),
        ("latent", "2,1e400", "Latent size must be a whole number, not '1e400'."),
        ("hidden", "7,inf", "Hidden layers must be whole numbers separated by commas, like 7,3, "),
        ("hidden", "7,3;7,1e400", "not '7,1e400'."),
        ("learning_rate", "0.1,nan", "Learning rate must be a finite number, not 'nan'."),
        ("latent", "9" * 100_000, "Latent size must be a whole number of at most 30 digits."),
        ("optimizer", "adam,sgd;x", "Unknown optimizer"),
        ("a" * 100_000, "1", "Cannot sweep 'aaaaaaaaaaaaaaaaaaaaaa…; choose one of"),
    ],
)
def test_parse_values_refuses_hostile_values_in_one_short_sentence(param, text, message):
    with pytest.raises(ValueError) as info:
        parse_values(param, text)
    assert message in str(info.value) and len(str(info.value)) < 200


def test_plan_orders_values_then_seeds():
    specs = plan(SMALL, "latent", [1, 2], 2)
    assert [(s.latent, s.seed) for s in specs] == [(1, 0), (1, 1), (2, 0), (2, 1)]


def test_sweep_runs_summarises_and_can_be_cancelled_and_resumed(ecg):
    calls = []

    def on_run(i, total, record):
        calls.append((i, total))
        return i < 2  # cancel after the second run

    records = run_sweep(SMALL, "abnormal_pct", [0.0, 50.0], 2, ecg=ecg, on_run=on_run)
    assert len(records) == 2 and calls == [(1, 4), (2, 4)]
    # A sweep told to stop drops the run in progress instead of recording it.
    stopped = run_sweep(
        SMALL, "abnormal_pct", [0.0, 50.0], 2, ecg=ecg, done=records, stop=lambda: True
    )
    assert stopped == records
    models = CompiledPool(4)
    records = run_sweep(SMALL, "abnormal_pct", [0.0, 50.0], 2, ecg=ecg, done=records, models=models)
    assert len(records) == 4 and len(models) == 1  # one architecture: one compiled model
    assert [r.value for r in records] == [0.0, 0.0, 50.0, 50.0]
    rows = summarise(records, [0.0, 50.0])
    assert [r["value"] for r in rows] == ["0", "50"]
    assert rows[0]["runs"] == 2
    assert np.isfinite(rows[0]["auc_mean"]) and rows[0]["auc_std"] >= 0
    assert 0.5 < rows[0]["baseline_auc_mean"] <= 1
