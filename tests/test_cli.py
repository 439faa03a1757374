import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
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


# --- non-finite numbers, outputs and inputs: one line, exit 2, before any work ------------------


def _one_line_error(capsys, argv) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert err.count("\n") == 1 and "Traceback" not in err and captured.out == "", err
    assert err.startswith(f"python -m anomagram {argv[0]}: error: ")
    return err


@pytest.mark.parametrize(
    "argv, word",
    [
        (["train", "--hidden", "inf"], "hidden"),
        (["train", "--hidden", "7,1e400"], "hidden"),
        (["train", "--epochs", "1e400"], "1e400"),
        (["train", "--epochs", "inf"], "inf"),
        (["train", "--seed", "1e400"], "1e400"),
        (["train", "--learning-rate", "nan"], "learning rate"),
        (["sweep", "--param", "latent", "--values", "inf"], "inf"),
        (["sweep", "--param", "hidden", "--values", "7,inf"], "inf"),
        (["sweep", "--param", "latent", "--values", "1", "--seeds", "1e400"], "seeds"),
    ],
)
def test_non_finite_numbers_end_with_one_line(capsys, argv, word):
    assert word in _one_line_error(capsys, argv).lower()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e400", "NaN", "abc", ""])
def test_score_threshold_must_be_finite_and_not_negative(capsys, value):
    # "--threshold=-inf": argparse would take a separate "-inf" for an option.
    err = _one_line_error(capsys, ["score", "x.csv", "--model", "m.keras", f"--threshold={value}"])
    assert f"--threshold must be a finite number of at least 0, like 0.02 (got '{value}')" in err


def test_score_threshold_zero_and_small_values_are_accepted():
    parser = build_parser()
    for text, value in [("0", 0.0), ("0.0125", 0.0125), ("2e-3", 0.002)]:
        args = parser.parse_args(["score", "x.csv", "--model", "m.keras", "--threshold", text])
        assert args.threshold == value


@pytest.fixture
def no_work(monkeypatch):
    """Training or loading a model fails the test: the checks must come first."""

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the arguments were checked")

    monkeypatch.setattr("anomagram.training.Trainer.create", forbidden)
    monkeypatch.setattr("anomagram.model.load_detector", forbidden)


def _unwritable_dir(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o555)
        return folder
    # root writes through any permission bits, but not into the kernel's /sys.
    if not Path("/sys").is_dir():
        pytest.skip("running as root without /sys: no directory root cannot write to")
    return Path("/sys")


@pytest.mark.parametrize(
    "flag, target, message",
    [
        ("--save", "model.txt", "the file name must end in .keras, like model.keras"),
        ("--save", "missing/m.keras", "missing does not exist; create it first"),
        ("--save", ".", "is a directory; give a file name, like model.keras"),
        ("--save", "UNWRITABLE/m.keras", "cannot write in"),
        ("--out", "missing/scores.csv", "missing does not exist; create it first"),
        ("--out", ".", "is a directory; give a file name, like scores.csv"),
        ("--out", "UNWRITABLE/scores.csv", "cannot write in"),
    ],
)
def test_outputs_are_checked_before_any_work(
    tmp_path, monkeypatch, capsys, no_work, flag, target, message
):
    monkeypatch.chdir(tmp_path)
    target = target.replace("UNWRITABLE", str(_unwritable_dir(tmp_path)))
    beats = tmp_path / "beats.csv"
    beats.write_text("0.5," * 20 + "0.5\n")
    if flag == "--save":
        argv = ["train", "--epochs", "500", "--save", target]
    else:
        argv = ["score", str(beats), "--model", "m.keras", "--out", target]
    start = time.perf_counter()
    err = _one_line_error(capsys, argv)
    assert time.perf_counter() - start < 1.0
    assert f"{flag} {target}" in err and message in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "read-only") == ["beats.csv"]


def test_huge_input_is_refused_by_its_size_without_reading_it(
    tmp_path, monkeypatch, capsys, no_work
):
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(10**9)  # sparse: a 1 GB file that takes no disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    err = _one_line_error(capsys, ["score", str(big), "--model", "m.keras"])
    assert "The file is 1000 MB, over the 5 MB limit; split it into smaller files" in err


def test_score_input_that_is_not_a_file(tmp_path, capsys):
    err = _one_line_error(capsys, ["score", str(tmp_path), "--model", "m.keras"])
    assert "is not a file; give the CSV file of beats to score" in err


def _pretrained_model() -> str:
    from anomagram.pretrained import ASSETS, MODEL_FILE

    return str(ASSETS / MODEL_FILE)


def test_score_says_which_beats_could_not_be_scored(tmp_path, capsys, ecg):
    beats = tmp_path / "beats.csv"
    rows = [list(x) for x in ecg.test_pool_x[:3]]
    # Values near 1e25 pass the reader (under 1e30) but overflow the model's float32 error.
    rows.append([1e25 * (i % 7) for i in range(140)])
    beats.write_text("\n".join(",".join(f"{v:g}" for v in r) for r in rows) + "\nabc,1\n")
    out = tmp_path / "scores.csv"
    argv = ["score", str(beats), "--model", _pretrained_model(), "--no-znorm", "--out", str(out)]
    assert main(argv) == 0
    table = out.read_text().splitlines()
    assert table[4] == "4,,could not be scored"
    assert [line.split(",")[2] for line in table[1:4]] == ["normal"] * 3
    err = capsys.readouterr().err.splitlines()
    assert "line 5 could not be read: column 1 ('abc') is not a number" in err
    assert (
        "line 4 could not be scored: the model's reconstruction error is not a finite number"
        in (err)
    )
    assert err[-1].startswith("3 beats scored, 0 flagged abnormal (threshold ")
    assert err[-1].endswith("; 1 could not be scored by the model; 1 row could not be read.")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a disk always full")
def test_score_write_failure_is_one_line(tmp_path, capsys, ecg):
    beats = tmp_path / "beats.csv"
    beats.write_text("\n".join(",".join(f"{v:g}" for v in x) for x in ecg.test_pool_x[:2]))
    err = _one_line_error(
        capsys, ["score", str(beats), "--model", _pretrained_model(), "--out", "/dev/full"]
    )
    # root passes the probe and the write fails; anyone else is refused at the probe.
    assert "--out /dev/full: could not write it" in err or "--out /dev/full: cannot write" in err


# --- presets and the classic detectors (issue 14) ----------------------------------------------


def test_train_preset_sets_the_base_spec_and_flags_override_it(capsys):
    from anomagram.baselines import DETECTORS
    from anomagram.presets import preset_spec

    assert main(["train", "--preset", "strong", *FAST, "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = preset_spec("strong").replace(
        epochs=2, train_size=300, test_size=100, batch_size=128, seed=3
    )
    assert Spec.from_dict(out["spec"]) == expected
    assert list(out["baselines"]) == list(DETECTORS)
    for record in out["baselines"].values():
        assert set(record) == {"auc", "seconds"}
        assert 0.5 < record["auc"] <= 1 and record["seconds"] >= 0
    assert out["baseline_pca_auc"] == out["baselines"]["pca"]["auc"]


def test_train_text_prints_the_leaderboard_with_the_model_marked(capsys):
    assert main(["train", *FAST]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("leaderboard on this split (AUC, seconds to fit):")
    board = lines[start + 1 : start + 7]
    assert [line.split(".")[0].strip() for line in board] == ["1", "2", "3", "4", "5", "6"]
    assert sum("<- this model" in line for line in board) == 1
    assert any("Local Outlier Factor" in line for line in board)
    assert "wins on this split" in lines[start + 7] or "tie on this split" in lines[start + 7]


def test_sweep_preset_sets_the_base_spec(capsys):
    from anomagram.presets import preset_spec

    argv = ["sweep", "--preset", "overfits", "--param", "latent", "--values", "2", "--seeds", "1"]
    assert main([*argv, "--epochs", "1", "--test-size", "50", "--json"]) == 0
    base = Spec.from_dict(json.loads(capsys.readouterr().out)["base_spec"])
    assert base == preset_spec("overfits").replace(epochs=1, test_size=50)


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_unknown_preset_is_one_line_listing_the_presets(capsys, command):
    err = _one_line_error(capsys, [command, "--preset", "turbo"])
    assert "--preset must be one of default, strong, overfits, diverges (got 'turbo')" in err
