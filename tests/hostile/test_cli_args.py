"""Hostile command lines: every one ends with one line on stderr and exit code 2, before any
training, reading or writing it cannot finish."""

from __future__ import annotations

import time

import pytest

from anomagram import cli
from anomagram.pretrained import ASSETS, MODEL_FILE

from .corpus import LINK

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
    return {"beats": str(beats), "big": str(big), "dir": str(d / "a_dir"), "junk": str(junk)}


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
