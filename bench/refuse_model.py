"""What refusing a hostile model file costs: the "units bomb" (goal: peak RSS increase <= 50 MB).

The bomb is the shipped pretrained model with one change: its ``config.json`` declares
2,000,000 units in the first encoder layer, while the weights file stays the small real one
(the file is ~80 kB). Keras, handed that config, allocated ~3.9 GB before refusing it.

Each measurement runs in a fresh subprocess that imports Keras first (a server has it loaded),
then reads its peak RSS (``ru_maxrss``) before and after ``load_detector`` refuses the file.
The CLI is checked the same way: ``anomagram score`` with the bomb must exit 2 with the message.

    python bench/refuse_model.py [--units 2000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRETRAINED = ROOT / "anomagram" / "assets" / "pretrained.keras"

MEASURE = """
import resource, sys
from anomagram.backend import keras_module
from anomagram.model import ModelFileError, load_detector

keras_module()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_detector(sys.argv[1])
    message = "LOADED"
except ModelFileError as exc:
    message = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) / 1024)
print(message)
"""

CLI = """
import resource, sys
from anomagram.cli import main

code = main(["score", sys.argv[1], "--model", sys.argv[2]])
print(code)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def units_bomb(source: Path, target: Path, units: int) -> Path:
    """A copy of ``source`` whose config.json gives the first encoder layer ``units`` units."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "config.json":
                config = json.loads(data)
                encoder = config["config"]["layers"][1]
                encoder["config"]["layers"][1]["config"]["units"] = units
                data = json.dumps(config).encode()
            dst.writestr(info.filename, data)
    return target


def run(code: str, *args: str) -> tuple[list[str], str]:
    """stdout lines and stderr of ``python -c code args``, in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    if out.returncode != 0:
        raise SystemExit(f"subprocess failed:\n{out.stderr[-2000:]}")
    return out.stdout.strip().splitlines(), out.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="anomagram-bomb-") as tmp:
        bomb = units_bomb(PRETRAINED, Path(tmp) / "bomb.keras", args.units)
        print(f"units bomb: {bomb.stat().st_size / 1e3:.0f} kB, first layer {args.units:,} units")
        increases = []
        for _ in range(args.repeats):
            (increase, message), _ = run(MEASURE, str(bomb))
            increases.append(float(increase))
        increases.sort()
        median = increases[len(increases) // 2]
        print(f"load_detector refused it: {message}")
        print(
            f"peak RSS increase while refusing: median {median:.1f} MB over {args.repeats} runs "
            f"(max {increases[-1]:.1f} MB; goal <= 50 MB) -> {'OK' if median <= 50 else 'FAIL'}"
        )

        beats = Path(tmp) / "beats.csv"
        beats.write_text("\n".join(",".join(["0.5"] * 140) for _ in range(3)) + "\n")
        (code, peak), stderr = run(CLI, str(beats), str(bomb))
        said = [line for line in stderr.splitlines() if "error:" in line]
        print(f"CLI score with the bomb: exit code {code}, peak RSS {float(peak):.0f} MB")
        print(f"  it said: {said[-1] if said else stderr.strip()[-300:]}")
        if code != "2" or "could not be loaded safely" not in stderr:
            raise SystemExit("FAIL: the CLI did not refuse the bomb with its message")


if __name__ == "__main__":
    main()
