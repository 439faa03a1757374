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


def _option(name: str, f) -> tuple[list[str], object]:
    """The command line that sets field ``name`` to a value other than its default, and that
    value. The data options read like a user types them: a window cuts a CSV recording, and
    --normalise is a switch."""
    recording = ["--dataset", "rec.csv", "--window", "60"]
    special = {
        "dataset": (["--dataset", "ucr:ECG200"], "ucr:ECG200"),
        "normal_class": (["--normal-class", "-1"], "-1"),  # ECG200's labels are -1 and 1
        "window": (recording, 60),
        "stride": ([*recording, "--stride", "30"], 30),
        "normalise": ([*recording, "--normalise", "window"], "window"),
    }
    if name in special:
        return special[name]
    value = f.offered[-1] if f.offered else f.high
    if f.kind == "ints":
        value = (16, 8)
    return [f.flag, value_text(value)], value


def test_every_spec_field_has_an_option_in_train_and_sweep():
    parser = build_parser()
    base = {"train": ["train"], "sweep": ["sweep", "--param", "latent", "--values", "1"]}
    for command, argv in base.items():
        assert spec_from_args(parser.parse_args(argv)) == Spec()  # the table's defaults
        for name, f in FIELDS.items():
            if f.derived:
                # Follows from the data: no option (argparse refuses it: exit 2).
                with pytest.raises(SystemExit) as info:
                    parser.parse_args([*argv, f.flag, value_text(f.high)])
                assert info.value.code == 2, (command, f.flag)
                continue
            options, value = _option(name, f)
            spec = spec_from_args(parser.parse_args([*argv, *options]))
            assert getattr(spec, name) == value, (command, f.flag)


@pytest.mark.parametrize(
    "given, dataset",
    [
        ("ecg5000", "ecg5000"),
        ("ECG5000", "ecg5000"),
        ("ucr:ECG200", "ucr:ECG200"),
        ("UCR:ecg200", "ucr:ecg200"),  # the name's case is settled when it is loaded
        ("data/my beats.csv", "csv:my beats.csv"),
        ("~/x/recording.tsv", "csv:recording.tsv"),
        ("csv:windows.txt", "csv:windows.txt"),  # how a spec names a file: that file
        ("ECG200", "csv:ECG200"),  # a path, not a name: reading it says "did you mean"
    ],
)
def test_dataset_option_takes_names_and_paths(given, dataset):
    args = build_parser().parse_args(["train", "--dataset", given])
    assert spec_from_args(args).dataset == dataset


def test_stride_defaults_to_the_window_and_can_be_given(capsys):
    parser = build_parser()
    recording = ["train", "--dataset", "rec.csv", "--window", "60"]
    assert spec_from_args(parser.parse_args(recording)).stride == 60
    assert spec_from_args(parser.parse_args([*recording, "--stride", "15"])).stride == 15
    spec = spec_from_args(parser.parse_args([*recording, "--normalise"]))  # a switch
    assert (spec.window, spec.stride, spec.normalise) == (60, 60, "window")
    spec = spec_from_args(parser.parse_args([*recording, "--normalise", "none"]))
    assert spec.normalise == "none"
    # A window that is not a number is the one problem reported, not the stride copied from it.
    err = _one_line_error(capsys, ["train", "--dataset", "rec.csv", "--window", "1e400"])
    assert err.endswith("error: Window length must be a whole number, not '1e400'.\n")


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


# --- bring your own data (issue 15): every source end to end ------------------------------------


def _strict_json(text: str) -> dict:
    """JSON as a strict reader takes it: NaN or Infinity anywhere fails the test."""

    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON output")

    return json.loads(text, parse_constant=refuse)


def _recording(path: Path, *, n: int = 6000, labelled: bool = True, spikes: int = 25) -> Path:
    """A sine of period 60 with short spikes; the anomaly column flags the spiky samples."""
    rng = np.random.default_rng(0)
    values = np.sin(2 * np.pi * np.arange(n) / 60) + 0.05 * rng.standard_normal(n)
    anomaly = np.zeros(n, int)
    for start in rng.choice(np.arange(100, n - 100), spikes, replace=False):
        values[start : start + 3] += 4
        anomaly[start : start + 3] = 1
    if labelled:
        rows = [
            "time,value,anomaly",
            *(f"{i},{v:.4f},{a}" for i, (v, a) in enumerate(zip(values, anomaly, strict=True))),
        ]
    else:
        rows = [f"{v:.4f}" for v in values]  # no header: one column of values
    path.write_text("\n".join(rows) + "\n")
    return path


def _windows(path: Path, *, rows: int = 240, length: int = 40) -> Path:
    """A CSV of windows labelled in words, the label first under a header."""
    rng = np.random.default_rng(1)
    lines = ["label," + ",".join(f"v{i}" for i in range(length))]
    for i in range(rows):
        label = "spike" if i % 6 == 0 else "normal"
        w = np.sin(np.linspace(0, 2 * np.pi, length)) + 0.05 * rng.standard_normal(length)
        if label == "spike":
            w[rng.integers(5, length - 5)] += 4
        lines.append(label + "," + ",".join(f"{v:.4f}" for v in w))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def ecg200_run(tmp_path_factory):
    """`train --dataset ucr:ECG200 --epochs 30 --json --save`, run once: (JSON, model file)."""
    model = tmp_path_factory.mktemp("ecg200") / "ecg200.keras"
    stdout = io.StringIO()
    argv = ["train", "--dataset", "ucr:ECG200", "--epochs", "30", "--json", "--save", str(model)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", stdout)
        assert main(argv) == 0
    return _strict_json(stdout.getvalue()), model


def test_train_on_a_ucr_dataset_by_name_reports_it_and_its_auc(ecg200_run):
    out, model = ecg200_run
    d = out["dataset"]
    assert (d["name"], d["key"], d["length"], d["rows"]) == ("ECG200", "ucr:ECG200", 96, 200)
    assert d["labelled"] and d["normal_class"] == "1" and d["counts"] == {"-1": 67, "1": 133}
    assert out["spec"]["dataset"] == "ucr:ECG200" and out["spec"]["length"] == 96
    assert 0.6 < out["auc"] <= 1 and out["threshold_strategy"] == "best_accuracy"
    # Per class in the dataset's own classes, not ECG5000's five.
    assert set(out["per_class"]) == {"-1", "1"}
    assert all(0 <= r["auc"] <= 1 for r in out["baselines"].values())
    # 200 beats cannot give the default 2,500 + 500: the notes say what the split took.
    assert any("Testing on 50" in note for note in out["notes"])
    assert model.exists()


def test_a_model_of_another_length_scores_rows_at_its_own_length(ecg200_run, tmp_path, capsys):
    from anomagram import sources

    _, model = ecg200_run
    x = sources.load(Spec(dataset="ucr:ECG200")).x
    for name, rows in [("own.csv", x[:10]), ("longer.csv", np.repeat(x[:10], 2, axis=1))]:
        beats = tmp_path / name
        beats.write_text("\n".join(",".join(f"{v:.5g}" for v in row) for row in rows) + "\n")
        out = tmp_path / f"{name}.scores"
        assert main(["score", str(beats), "--model", str(model), "--out", str(out)]) == 0
        assert len(out.read_text().splitlines()) == 11
        assert "10 beats scored" in capsys.readouterr().err


def _labelled_csv(path: Path, labels, rows, header: bool = False) -> Path:
    pairs = zip(labels, rows, strict=True)
    lines = [f"{label}," + ",".join(f"{v:.5g}" for v in x) for label, x in pairs]
    if header:
        lines.insert(0, "label," + ",".join(f"t{i}" for i in range(1, len(rows[0]) + 1)))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_score_reads_an_ecg200_models_labels_and_reports_accuracy(ecg200_run, tmp_path, capsys):
    from anomagram import metrics, sources
    from anomagram.model import load_detector

    _, model = ecg200_run
    detector = load_detector(model)
    data = sources.load(detector.spec)
    split = sources.split_for(detector.spec, data)  # the test rows this model never saw
    labels = [data.label_text[int(y)] for y in split.test_y]
    assert set(labels) == {"-1", "1"}
    beats = _labelled_csv(tmp_path / "ecg200.csv", labels, split.test_x)
    out = tmp_path / "scores.csv"
    capsys.readouterr()
    assert main(["score", str(beats), "--model", str(model), "--out", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    # The output keeps its columns; the label column repeats each row's label as the file
    # wrote it (-1, not the code 2 it was read as).
    table = out.read_text().splitlines()
    assert table[0] == "line,error,verdict,label" and len(table) == len(labels) + 1
    written = [int(line.split(",")[3]) for line in table[1:]]
    assert written == [int(label) for label in labels]
    errors = np.array([float(line.split(",")[1]) for line in table[1:]])
    truth = data.is_abnormal(split.test_y)
    m = metrics.metrics_at(truth, errors, detector.threshold)
    n = len(labels)
    assert f"labels      {n} beats labelled, read as ECG200's classes" in err
    assert (
        f"accuracy    {m.accuracy:.3f}   precision {m.precision:.3f}   recall {m.recall:.3f}   "
        f"F1 {m.f1:.3f}   AUC {metrics.auc(truth, errors):.3f}" in err
    )
    per_label = [line.split() for line in err if line.startswith("   ")]
    assert [row[:2] for row in per_label] == [["1", "Normal"], ["2", "Myocardial"]]
    assert per_label[0][-1] == str(int((~truth).sum())) and per_label[1][-1] == str(truth.sum())
    assert "(label -1)" in err[-2] and not any(line.startswith("warning") for line in err)
    assert err[-1].startswith(f"{n} beats scored, ")  # the summary stays the last line


def test_score_reads_words_and_scores_unknown_labels_for_an_ecg200_model(
    ecg200_run, tmp_path, capsys
):
    from anomagram import sources

    _, model = ecg200_run
    x = sources.load(Spec(dataset="ucr:ECG200")).x[:6]
    labels = ["normal", "abnormal", "Myocardial infarction", "-1.0", "2", "MI"]
    beats = _labelled_csv(tmp_path / "mixed.csv", labels, x, header=True)
    capsys.readouterr()
    assert main(["score", str(beats), "--model", str(model)]) == 0
    captured = capsys.readouterr()
    # Each label as the model's data writes it; "abnormal" (no class given) stays a word.
    assert [line.rsplit(",", 1)[1] for line in captured.out.splitlines()[1:]] == [
        "1",
        "abnormal",
        "-1",
        "-1",
        "",
        "",
    ]
    err = captured.err.splitlines()
    assert (
        "warning: 2 rows have a label that is none of ECG200's classes (1, -1, their names, "
        "normal, abnormal) ('2', 'MI'); they are scored without a label"
    ) in err
    assert (
        "labels      4 beats labelled, read as ECG200's classes; 2 beats without a readable "
        "label left out"
    ) in err
    assert any(line.split()[:2] == ["6", "abnormal"] for line in err)
    assert err[-1].startswith("6 beats scored, ")


def test_score_of_an_ecg5000_model_reads_labels_as_before_and_reports_accuracy(
    tmp_path, capsys, ecg
):
    beats = _labelled_csv(
        tmp_path / "ecg.csv", [int(c) for c in ecg.test_pool_y[:30]], ecg.test_pool_x[:30]
    )
    capsys.readouterr()
    assert main(["score", str(beats), "--model", _pretrained_model()]) == 0
    captured = capsys.readouterr()
    codes = [int(line.rsplit(",", 1)[1]) for line in captured.out.splitlines()[1:]]
    assert codes == [int(c) for c in ecg.test_pool_y[:30]]  # ECG5000's ids, as before
    err = captured.err.splitlines()
    assert "labels      30 beats labelled, read as ECG5000's classes" in err
    assert any(line.startswith("accuracy    ") for line in err)
    assert any(line.split()[:2] == ["1", "Normal,"] for line in err)


def test_train_on_a_csv_of_windows_with_labels_in_words(tmp_path, capsys):
    data = _windows(tmp_path / "windows.csv")
    argv = ["train", "--dataset", str(data), "--normal-class", "normal", "--epochs", "20"]
    assert main([*argv, "--json"]) == 0
    out = _strict_json(capsys.readouterr().out)
    d = out["dataset"]
    assert (d["name"], d["key"]) == ("windows.csv", "csv:windows.csv")
    assert (d["length"], d["rows"]) == (40, 240)
    assert d["counts"] == {"normal": 200, "spike": 40} and d["normal_class"] == "normal"
    assert out["spec"]["dataset"] == "csv:windows.csv" and out["spec"]["normal_class"] == "normal"
    assert set(out["per_class"]) == {"normal", "spike"}
    assert out["auc"] >= 0.9
    assert any("Labels were read from column 1" in note for note in out["notes"])


def test_train_on_a_recording_cut_into_windows(tmp_path, capsys, monkeypatch):
    from anomagram import sources

    data = _recording(tmp_path / "recording.csv")
    reads = []
    read_csv = sources.read_csv
    monkeypatch.setattr(sources, "read_csv", lambda *a: reads.append(a) or read_csv(*a))
    monkeypatch.setattr(sources, "load", lambda *a, **k: pytest.fail("loaded a second time"))
    argv = ["train", "--dataset", str(data), "--window", "60", "--stride", "30", "--epochs", "20"]
    assert main([*argv, "--json"]) == 0
    assert len(reads) == 1  # read once, before training, and handed to the trainer
    out = _strict_json(capsys.readouterr().out)
    d = out["dataset"]
    assert (d["length"], d["rows"], d["labelled"]) == (60, 199, True)  # (6000 - 60) // 30 + 1
    assert d["counts"]["1"] > 0 and d["normal_class"] == "0"
    assert (out["spec"]["window"], out["spec"]["stride"]) == (60, 30)
    assert out["auc"] >= 0.9  # the spiky windows have the highest errors


def test_the_readable_summary_names_the_data_its_classes_and_notes(tmp_path, capsys):
    data = _recording(tmp_path / "recording.csv")
    assert main(["train", "--dataset", str(data), "--window", "60", "--epochs", "5"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].startswith("dataset     recording.csv (csv:recording.csv): 100 windows of 60")
    assert lines[1].startswith("classes     0 Normal ") and " (normal), 1 Anomaly " in lines[1]
    assert "note        6,000 samples cut into 100 windows of 60 (a new one every 60)." in lines
    assert any(line.startswith("note        Testing on 25 windows") for line in lines)
    assert "detection rate per class:" in lines
    assert any(line.strip().startswith("1 Anomaly") for line in lines)
    assert "leaderboard on this split" in text


@pytest.mark.parametrize("json_output", [True, False])
def test_unlabelled_data_has_no_auc_and_says_why(tmp_path, capsys, json_output):
    data = _recording(tmp_path / "plain.csv", labelled=False)
    argv = ["train", "--dataset", str(data), "--window", "60", "--normalise", "--epochs", "5"]
    assert main([*argv, "--json"] if json_output else argv) == 0
    captured = capsys.readouterr()
    if json_output:
        out = _strict_json(captured.out)
        assert out["dataset"]["labelled"] is False and out["dataset"]["counts"] == {
            "unlabelled": 100
        }
        assert out["auc"] is None and out["baseline_pca_auc"] is None
        assert all(r["auc"] is None for r in out["baselines"].values())
        assert out["accuracy"] is None and out["confusion"] is None
        # Best accuracy needs labels: the threshold comes from the training errors.
        assert out["threshold_strategy"] == "percentile" and out["threshold"] > 0
        assert out["flagged"]["of"] == 25 and 0 <= out["flagged"]["count"] <= 25
    else:
        text = captured.out
        assert "classes     none: plain.csv has no labels" in text
        assert "AUC         none: nothing in plain.csv is labelled abnormal" in text
        assert "(percentile: best_accuracy needs labels, so the 95th percentile" in text
        assert "leaderboard" not in text and "nan" not in text.lower()


def test_sweep_on_a_ucr_dataset(capsys):
    argv = ["sweep", "--dataset", "ucr:ECG200", "--param", "latent", "--values", "2"]
    assert main([*argv, "--seeds", "1", "--epochs", "5", "--json"]) == 0
    out = _strict_json(capsys.readouterr().out)
    assert out["dataset"]["name"] == "ECG200" and out["base_spec"]["length"] == 96
    (row,) = out["rows"]
    assert 0 <= row["auc_mean"] <= 1


def test_datasets_lists_the_shipped_ucr_datasets(capsys):
    from anomagram import sources

    assert main(["datasets"]) == 0
    captured = capsys.readouterr()
    names = captured.out.splitlines()
    assert names[0] == "ecg5000" and "ucr:ECG200" in names and "ucr:FordA" in names
    assert names[1:] == [f"ucr:{n}" for n in sources.ucr_names()]
    assert "--dataset" in captured.err


def _ecg_windows(path: Path, labels: list, *, length: int = 20, edit=None) -> Path:
    rng = np.random.default_rng(2)
    rows = [[str(label), *(f"{v:.3f}" for v in rng.standard_normal(length))] for label in labels]
    if edit:
        edit(rows)
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    return path


def _set(row: int, column: int, text: str):
    def edit(rows):
        rows[row][column] = text

    return edit


# Each: the files to write in tmp_path, the command line and what its one line must say.
BAD_DATA = {
    "unknown UCR name": (
        {},
        ["--dataset", "ucr:NoSuchSet"],
        "There is no UCR dataset called 'NoSuchSet'",
    ),
    "a UCR name without its prefix": ({}, ["--dataset", "ECG200"], "did you mean ucr:ECG200?"),
    "a missing file": ({}, ["--dataset", "{tmp}/missing.csv"], "missing.csv': no such file"),
    "a directory": ({}, ["--dataset", "{tmp}"], "is not a file"),
    "one label only": (
        {"one.csv": lambda p: _ecg_windows(p, [1] * 40)},
        ["--dataset", "{tmp}/one.csv"],
        "Every row of one.csv has the label '1'",
    ),
    "rows of different lengths": (
        {"ragged.csv": lambda p: _ecg_windows(p, [1] * 30 + [2] * 10, edit=lambda r: r[5].pop())},
        ["--dataset", "{tmp}/ragged.csv"],
        "line 6: 20 cells where the other rows have 21",
    ),
    "a NaN cell": (
        {"nan.csv": lambda p: _ecg_windows(p, [1] * 30 + [2] * 10, edit=_set(7, 4, "NaN"))},
        ["--dataset", "{tmp}/nan.csv"],
        "line 8",
    ),
    "an infinite cell": (
        {"inf.csv": lambda p: _ecg_windows(p, [1] * 30 + [2] * 10, edit=_set(7, 4, "inf"))},
        ["--dataset", "{tmp}/inf.csv"],
        "line 8: 'inf' in column ",  # then "is not a finite number"
    ),
    "a recording shorter than one window": (
        {"short.csv": lambda p: p.write_text("\n".join(map(str, range(10))))},
        ["--dataset", "{tmp}/short.csv", "--window", "16"],
        "The recording has 10 samples, fewer than one window of 16",
    ),
    "a window longer than the recording": (
        {"rec.csv": lambda p: _recording(p, n=1000, spikes=3)},
        ["--dataset", "{tmp}/rec.csv", "--window", "5000"],
        "The recording has 1,000 samples, fewer than one window of 5000",
    ),
    "stride 0": (
        {"rec.csv": lambda p: _recording(p, n=1000, spikes=3)},
        ["--dataset", "{tmp}/rec.csv", "--window", "50", "--stride", "0"],
        "The stride must be at least 1 sample (got 0)",
    ),
    "window 5": (
        {"rec.csv": lambda p: _recording(p, n=1000, spikes=3)},
        ["--dataset", "{tmp}/rec.csv", "--window", "5"],
        "A window needs at least 16 samples (got 5)",
    ),
    "a stride without a window": ({}, ["--stride", "30"], "needs a window length"),
    "a window on a built-in dataset": (
        {},
        ["--dataset", "ucr:ECG200", "--window", "60"],
        "Only a CSV recording is cut into windows",
    ),
    "too few normal windows": (
        {"few.csv": lambda p: _recording(p, n=1000, spikes=12)},
        ["--dataset", "{tmp}/few.csv", "--window", "50"],
        # The data's usual normal class: refused by the split, with what is left to train on.
        "normal windows for training after the test draw; at least 20 are needed",
    ),
    "too few normal rows": (
        {"few_rows.csv": lambda p: _ecg_windows(p, [1] * 15 + [2] * 10)},
        ["--dataset", "{tmp}/few_rows.csv"],
        "normal windows for training after the test draw; at least 20 are needed",
    ),
    "a normal class the dataset does not have": (
        {},
        ["--dataset", "ucr:ECG200", "--normal-class", "7"],
        "ECG200 has no class '7'; its labels are -1, 1.",
    ),
}


@pytest.mark.parametrize("command", ["train", "sweep"])
@pytest.mark.parametrize("case", list(BAD_DATA))
def test_bad_data_is_one_line_and_nothing_is_trained(tmp_path, capsys, no_work, command, case):
    files, argv, message = BAD_DATA[case]
    for name, write in files.items():
        write(tmp_path / name)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if command == "sweep":
        argv = [*argv, "--param", "latent", "--values", "1"]
    err = _one_line_error(capsys, [command, *argv])
    assert message in err, err


def test_a_data_file_over_the_limit_is_refused_by_its_size_without_reading_it(
    tmp_path, monkeypatch, capsys, no_work
):
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(10_000_001)  # sparse: one byte over the limit, no disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    err = _one_line_error(capsys, ["train", "--dataset", str(big)])
    assert "big.csv' is 10.0 MB, over the 10 MB limit for data to train on" in err


def test_a_sweep_needs_labels(tmp_path, capsys, no_work):
    data = _recording(tmp_path / "plain.csv", n=3000, labelled=False)
    argv = ["sweep", "--dataset", str(data), "--window", "60", "--param", "latent", "--values", "1"]
    assert "plain.csv has no labels, and a sweep compares AUCs" in _one_line_error(capsys, argv)


def test_length_has_no_option(capsys):
    assert main(["train", "--length", "96"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --length 96" in err and len(err.splitlines()) == 1
