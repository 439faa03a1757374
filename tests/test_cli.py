import io
import json
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from anomagram import cli
from anomagram.cli import build_parser, main, spec_from_args
from anomagram.spec import FIELDS, Spec, value_text

FAST = ["--epochs", "2", "--train-size", "300", "--test-size", "100", "--batch-size", "128"]


def test_train_json_has_every_field(capsys, tmp_path):
    model = tmp_path / "m.keras"
    assert main(["train", *FAST, "--json", "--save", str(model)]) == 0
    out = json.loads(capsys.readouterr().out)  # exactly one JSON object on stdout
    for key in [
        "spec",
        "auc",
        "accuracy",
        "precision",
        "recall",
        "f1",
        "threshold",
        "threshold_strategy",
        "history",
        "per_class",
        "baseline_pca_auc",
        "seconds",
    ]:
        assert key in out
    assert len(out["history"]["loss"]) == 2 and len(out["history"]["val_loss"]) == 2
    assert set(out["seconds"]) >= {"total", "compile", "train"}
    assert set(out["per_class"]) == {"1", "2", "3", "4", "5"}
    assert out["spec"]["train_size"] == 300 and model.exists()


def test_train_text_summary_and_progress(capsys):
    assert main(["train", *FAST, "--threshold", "percentile"]) == 0
    captured = capsys.readouterr()
    assert "AUC" in captured.out and "percentile" in captured.out
    # stderr is not a terminal here: one progress line per epoch, no carriage returns.
    assert "\r" not in captured.err
    epochs = [line for line in captured.err.splitlines() if line.startswith("epoch")]
    assert [line.split()[1] for line in epochs] == ["1/2", "2/2"]
    assert captured.err.endswith("\n")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_redraws_one_line_on_a_terminal(monkeypatch):
    report = SimpleNamespace(epoch=3, target_epoch=30, loss=0.5, val_loss=0.25)
    for stream, expected in [
        (Terminal(), "\repoch    3/30  loss 0.50000  val 0.25000"),
        (io.StringIO(), "epoch    3/30  loss 0.50000  val 0.25000\n"),
    ]:
        monkeypatch.setattr(sys, "stderr", stream)
        cli._progress(True)(report)
        cli._progress(False)(report)
        assert stream.getvalue() == expected


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--hidden", "0,3"], "Hidden layer 1 needs"),
        (["train", "--optimizer", "warp"], "Unknown optimizer"),
        (["train", "--learning-rate", "-1"], "learning rate"),
        (["train", "--abnormal-pct", "99"], "abnormal share"),
        (["train", "--train-size", "4500"], "needs 4500 normal"),
        (["sweep", "--param", "colour", "--values", "1"], "Cannot sweep"),
        (["score", "missing.csv", "--model", "missing.keras"], "no such file"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_unknown_argument_exits_2(capsys):
    assert main(["train", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments" in err and "--help" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "argv, line",
    [
        (
            ["train", "--threshold", "bogus"],
            "python -m anomagram train: error: --threshold must be one of best_accuracy, "
            "best_f1, mean_std, percentile (got 'bogus')",
        ),
        (
            ["train", "--optimizer", "bogus"],
            "python -m anomagram train: error: Unknown optimizer 'bogus'; choose one of adam, "
            "adamax, adadelta, rmsprop, momentum, sgd.",
        ),
        (
            ["sweep", "--param", "latent", "--values", "1", "--seeds", "many"],
            "python -m anomagram sweep: error: --seeds: invalid int value: 'many' "
            "(see 'python -m anomagram sweep --help')",
        ),
        (
            ["train", "--latent", "two"],
            "python -m anomagram train: error: Latent size must be a whole number, not 'two'.",
        ),
    ],
)
def test_bad_values_end_with_one_line_and_no_usage_block(capsys, argv, line):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == line + "\n" and captured.out == ""


def test_every_spec_field_has_an_option_in_train_and_sweep():
    parser = build_parser()
    base = {"train": ["train"], "sweep": ["sweep", "--param", "latent", "--values", "1"]}
    for command, argv in base.items():
        assert spec_from_args(parser.parse_args(argv)) == Spec()  # the table's defaults
        for name, f in FIELDS.items():
            value = FIELDS[name].offered[-1] if f.offered else f.high
            if f.kind == "ints":
                value = (16, 8)
            args = parser.parse_args([*argv, f.flag, value_text(value)])
            assert getattr(spec_from_args(args), name) == value, (command, f.flag)


def test_sweep_json(capsys):
    argv = ["sweep", *FAST, "--param", "latent", "--values", "1,2", "--seeds", "1", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["value"] for r in out["rows"]] == ["1", "2"]
    assert all(0 <= r["auc_mean"] <= 1 for r in out["rows"])


def test_score_end_to_end_and_bad_files(tmp_path, capsys, ecg):
    model = tmp_path / "m.keras"
    assert main(["train", *FAST, "--save", str(model)]) == 0
    beats = tmp_path / "beats.csv"
    rows = [[int(c), *x] for c, x in zip(ecg.test_pool_y[:20], ecg.test_pool_x[:20], strict=True)]
    beats.write_text("\n".join(",".join(f"{v:g}" for v in r) for r in rows) + "\n")
    out = tmp_path / "scores.csv"
    capsys.readouterr()
    assert main(["score", str(beats), "--model", str(model), "--out", str(out)]) == 0
    lines = out.read_text().strip().splitlines()
    assert len(lines) == 21 and "error" in lines[0]
    assert "20 beats scored" in capsys.readouterr().err

    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02binary")
    assert main(["score", str(junk), "--model", str(model)]) == 2
    bad_model = tmp_path / "bad.keras"
    bad_model.write_text("nope")
    assert main(["score", str(beats), "--model", str(bad_model)]) == 2
    err = capsys.readouterr().err
    assert "not a .keras model file" in err and "Traceback" not in err


def test_module_entry_point_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "anomagram", "train", "--latent", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("python -m anomagram train: error: The latent size")
    assert np.char.count(proc.stderr, "\n") == 1
