"""Hostile command lines: every one ends with one line on stderr and exit code 2, before any
training, reading or writing it cannot finish."""

from __future__ import annotations

import time

import pytest

from anomagram import cli
from anomagram.pretrained import ASSETS, MODEL_FILE

from .corpus import LINK, VALUES

MODEL = str(ASSETS / MODEL_FILE)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    beats = d / "beats.csv"
    beats.write_text("\n".join(",".join(["0.5"] * 140) for _ in range(3)))
    big = d / "big.csv"
    with open(big, "wb") as f:
        f.truncate(1_000_000_000)  # sparse: a gigabyte that costs no disk
    (d / "a_dir").mkdir()
    junk = d / "junk.keras"
    junk.write_bytes(b"PK\x03\x04 not a model")
    paths = {"beats": str(beats), "big": str(big), "dir": str(d / "a_dir"), "junk": str(junk)}
    return {**paths, **_data_files(d)}


def _data_files(d) -> dict[str, str]:
    """CSVs to train on, each wrong in one way (see the issue's list of bad input)."""
    row = ",".join(["0.5"] * 19)
    texts = {
        "one_label": "\n".join(f"1,{row},{i}" for i in range(40)),
        "ragged": "\n".join(f"{1 + i % 2},{row},{i}" for i in range(40)) + "\n1,0.5,0.5",
        "nan": "\n".join(f"{1 + i % 2},{row},{'NaN' if i == 7 else i}" for i in range(40)),
        "few_normal": "\n".join(f"{1 if i < 15 else 2},{row},{i}" for i in range(40)),
        "short": "\n".join(str(i) for i in range(10)),
        "recording": "value,anomaly\n"
        + "\n".join(f"{i % 7},{int(i % 50 == 0)}" for i in range(500)),
        "unlabelled": "\n".join(str(i % 7) for i in range(500)),
    }
    paths = {}
    for name, text in texts.items():
        path = d / f"{name}.csv"
        path.write_text(text + "\n")
        paths[name] = str(path)
    binary = d / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    paths["binary"] = str(binary)
    paths["missing"] = str(d / "missing.csv")
    return paths


CASES = [
    ["train", "--hidden", "inf"],
    ["train", "--hidden", "7,1e400"],
    ["train", "--hidden", "9" * 5000],
    ["train", "--epochs", "1e400"],
    ["train", "--epochs", "nan"],
    ["train", "--seed", "1e400"],
    ["train", "--learning-rate", "inf"],
    ["train", "--optimizer", LINK],
    ["train", "--preset", LINK],
    ["train", "--abnormal-pct", "-inf"],
    ["train", "--save", "model.txt"],
    ["train", "--save", "/nonexistent/dir/m.keras"],
    ["train", "--save", "{dir}"],
    ["sweep", "--param", "latent", "--values", "inf"],
    ["sweep", "--param", "hidden", "--values", "7,inf"],
    ["sweep", "--param", LINK, "--values", "1"],
    ["sweep", "--param", "latent", "--values", "a" * 100_000],
    ["score", "{beats}", "--model", "{junk}"],
    ["score", "{beats}", "--model", "/nonexistent.keras"],
    ["score", "{big}", "--model", MODEL],
    ["score", "{dir}", "--model", MODEL],
    ["score", "/nonexistent.csv", "--model", MODEL],
    ["score", "{beats}", "--model", MODEL, "--threshold", "nan"],
    ["score", "{beats}", "--model", MODEL, "--threshold", "1e400"],
    ["score", "{beats}", "--model", MODEL, "--threshold", "-1"],
    ["score", "{beats}", "--model", MODEL, "--out", "/nonexistent/dir/x.csv"],
    ["score", "{beats}", "--model", MODEL, "--out", "{dir}"],
    ["score", "{beats}", "--model", MODEL, "--label-column", "1e400"],
    ["no-such-command"],
    # --dataset and its options (issue 15): names, paths and files that cannot be used.
    ["train", "--dataset", "ucr:NoSuchSet"],
    ["train", "--dataset", "ucr:" + "A" * 100_000],
    ["train", "--dataset", "ucr:../../etc/passwd"],
    ["train", "--dataset", LINK],
    ["train", "--dataset", "a" * 100_000],
    ["train", "--dataset", "x\x00.csv"],
    ["train", "--dataset", "line\nbreak.csv"],
    ["train", "--dataset", ""],
    ["train", "--dataset", "{missing}"],
    ["train", "--dataset", "{big}"],
    ["train", "--dataset", "{dir}"],
    ["train", "--dataset", "{binary}"],
    ["train", "--dataset", "{one_label}"],
    ["train", "--dataset", "{ragged}"],
    ["train", "--dataset", "{nan}"],
    ["train", "--dataset", "{few_normal}"],
    ["train", "--dataset", "{few_normal}", "--normal-class", "3"],
    ["train", "--dataset", "{short}", "--window", "16"],
    ["train", "--dataset", "{recording}", "--window", "100000"],
    ["train", "--dataset", "{recording}", "--window", "1e400"],
    ["train", "--dataset", "{recording}", "--window", "5"],
    ["train", "--dataset", "{recording}", "--window", "50", "--stride", "0"],
    ["train", "--dataset", "{recording}", "--window", "50", "--stride", "inf"],
    ["train", "--dataset", "{recording}", "--stride", "50"],
    ["train", "--dataset", "{recording}", "--normalise"],
    ["train", "--dataset", "{unlabelled}", "--window", "50", "--abnormal-pct", "10"],
    ["train", "--dataset", "ucr:ECG200", "--window", "60"],
    ["train", "--dataset", "ucr:ECG200", "--normal-class", "7"],
    ["train", "--window", "60"],
    ["train", "--length", "96"],
    ["sweep", "--param", "latent", "--values", "1", "--dataset", "ucr:NoSuchSet"],
    ["sweep", "--param", "latent", "--values", "1", "--dataset", "{unlabelled}", "--window", "50"],
    ["sweep", "--param", "window", "--values", "60"],
    ["sweep", "--param", "length", "--values", "96"],
    ["datasets", "--details"],
]


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a)[:50])
def test_hostile_command_line_is_one_line_and_exit_2(argv, files, capsys):
    argv = [a.format(**files) if "{" in a and len(a) < 100 else a for a in argv]
    started = time.monotonic()
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (code, err[-500:])
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) <= 2, err[-1000:]  # argparse's usage line may precede its error line
    assert "Traceback" not in err and "error" in err
    assert len(lines[-1]) <= 400, lines[-1][:200]
    # Refused before any work: nothing trained, nothing read at length.
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("value", [v for v in VALUES if v.strip()], ids=lambda v: repr(v)[:30])
@pytest.mark.parametrize("option", ["--dataset", "--normal-class"])
def test_every_hostile_value_as_the_data_is_one_line_and_exit_2(option, value, capsys):
    """No hostile text names a dataset or one of ECG5000's classes (1-5)."""
    started = time.monotonic()
    code = cli.main(["train", f"{option}={value}"])
    err = capsys.readouterr().err
    assert code == 2, (code, err[-500:])
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err[-1000:]
    assert len(lines[0]) <= 400, lines[0][:200]
    assert time.monotonic() - started < 20
