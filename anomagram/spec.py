"""The one model + training spec: every choice a user can make, validated, immutable.

It round-trips to a plain dict (saved inside a model file) and to flat string query
parameters (so a URL reproduces a setup, like TensorFlow Playground's state).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

OPTIMIZERS = ("adam", "adamax", "adadelta", "rmsprop", "momentum", "sgd")
REGULARIZERS = ("none", "l1", "l2", "l1l2")
ACTIVATIONS = ("relu", "elu", "tanh", "sigmoid", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "linear")
# The choices the UI offers (from the original Anomagram); the spec itself accepts any value
# within the limits below, so the CLI and sweeps can go between them.
EPOCH_CHOICES = (30, 50, 100)
BATCH_SIZE_CHOICES = (64, 128, 256, 512, 1024)
LEARNING_RATE_CHOICES = (0.0001, 0.001, 0.01, 0.1, 1.0, 10.0)
TRAIN_SIZE_CHOICES = (500, 1000, 2500)
TEST_SIZE_CHOICES = (100, 200, 500)
ABNORMAL_PCT_CHOICES = (0, 5, 10, 20, 30, 40, 50, 70)

MAX_LAYERS = 6
MAX_UNITS = 256
MAX_LATENT = 64
MAX_EPOCHS = 1000
MAX_TRAIN_SIZE = 4500
MAX_TEST_SIZE = 500
MAX_ABNORMAL_PCT = 70


class SpecError(ValueError):
    """One or more spec values are invalid; ``problems`` lists each in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class Spec:
    hidden: tuple[int, ...] = (7, 3)
    latent: int = 2
    activation: str = "relu"
    output_activation: str = "sigmoid"
    regularizer: str = "none"
    regularizer_rate: float = 0.001
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 512
    epochs: int = 30
    train_size: int = 2500
    test_size: int = 500
    abnormal_pct: float = 0.0
    seed: int = 0
    _: dataclasses.KW_ONLY
    validate: bool = field(default=True, repr=False, compare=False)

    def __post_init__(self):
        # Accept lists from JSON/UI and store a hashable tuple.
        object.__setattr__(self, "hidden", tuple(self.hidden))
        for name in ("regularizer_rate", "learning_rate", "abnormal_pct"):
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, name, float(value))
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
        )

    def describe(self) -> str:
        layers = " → ".join(str(u) for u in (140, *self.hidden, self.latent, *self.hidden[::-1]))
        return f"{layers} → 140, {self.optimizer} lr={self.learning_rate:g}"

    def replace(self, **changes) -> Spec:
        return dataclasses.replace(self, **changes)

    # --- round trips ---------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {f.name: _plain(getattr(self, f.name)) for f in _fields()}

    @classmethod
    def from_dict(cls, d: dict) -> Spec:
        unknown = set(d) - {f.name for f in _fields()}
        if unknown:
            raise SpecError([f"Unknown setting(s): {', '.join(sorted(unknown))}."])
        values, problems = {}, []
        for f in _fields():
            if f.name in d:
                try:
                    values[f.name] = _coerce(f.name, d[f.name])
                except ValueError as exc:
                    problems.append(str(exc))
        if problems:
            raise SpecError(problems)
        return cls(**values)

    def to_query_params(self) -> dict[str, str]:
        """Flat strings, only the values that differ from the defaults (short URLs)."""
        default = Spec()
        out = {}
        for f in _fields():
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                out[f.name] = _to_text(value)
        return out

    @classmethod
    def from_query_params(cls, params: dict[str, str | list[str]]) -> Spec:
        """Parse query parameters; unknown keys are ignored (other pages use the URL too)."""
        names = {f.name for f in _fields()}
        d = {}
        for key, raw in params.items():
            if key in names:
                d[key] = raw[-1] if isinstance(raw, list) else raw
        return cls.from_dict(d)


def _fields():
    return [f for f in fields(Spec) if f.name != "validate"]


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def _to_text(value) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


_INT_FIELDS = {"latent", "batch_size", "epochs", "train_size", "test_size", "seed"}
_FLOAT_FIELDS = {"regularizer_rate", "learning_rate", "abnormal_pct"}
_TEXT_FIELDS = {"activation", "output_activation", "regularizer", "optimizer"}
_LABELS = {
    "hidden": "Hidden layers",
    "latent": "Latent size",
    "batch_size": "Batch size",
    "epochs": "Steps (epochs)",
    "train_size": "Training set size",
    "test_size": "Test set size",
    "seed": "Seed",
    "regularizer_rate": "Regularization rate",
    "learning_rate": "Learning rate",
    "abnormal_pct": "Abnormal % in training data",
}


def _coerce(name: str, value):
    """Turn a JSON or query-string value into the field's type, with a readable error."""
    label = _LABELS.get(name, name)
    if name == "hidden":
        if isinstance(value, str):
            parts = [p for p in value.replace(" ", "").split(",") if p]
        else:
            parts = list(value)
        try:
            return tuple(_to_int(p) for p in parts)
        except (TypeError, ValueError):
            raise ValueError(
                f"{label} must be whole numbers separated by commas, like 7,3."
            ) from None
    if name in _INT_FIELDS:
        try:
            return _to_int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{label} must be a whole number, not {value!r}.") from None
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{label} must be a number, not {value!r}.") from None
    if name in _TEXT_FIELDS:
        return str(value).strip().lower()
    return value


def _to_int(value) -> int:
    if isinstance(value, bool):
        raise ValueError("not a number")
    number = float(value)
    if number != int(number):
        raise ValueError("not whole")
    return int(number)


def _finite_positive(x: float) -> bool:
    return x == x and 0 < x < float("inf")


def spec_problems(spec: Spec) -> list[str]:
    """Every problem with a spec, in words a person understands (empty list = valid)."""
    p = []
    if not 1 <= len(spec.hidden) <= MAX_LAYERS:
        p.append(f"Use between 1 and {MAX_LAYERS} hidden layers (got {len(spec.hidden)}).")
    for i, units in enumerate(spec.hidden, start=1):
        if not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
            p.append(f"Hidden layer {i} needs between 1 and {MAX_UNITS} units (got {units}).")
    if not isinstance(spec.latent, int) or not 1 <= spec.latent <= MAX_LATENT:
        p.append(f"The latent size must be between 1 and {MAX_LATENT} (got {spec.latent}).")
    if spec.activation not in ACTIVATIONS:
        p.append(f"Unknown activation {spec.activation!r}; choose one of {', '.join(ACTIVATIONS)}.")
    if spec.output_activation not in OUTPUT_ACTIVATIONS:
        p.append(
            f"Unknown output activation {spec.output_activation!r}; "
            f"choose one of {', '.join(OUTPUT_ACTIVATIONS)}."
        )
    if spec.regularizer not in REGULARIZERS:
        p.append(
            f"Unknown regularizer {spec.regularizer!r}; choose one of {', '.join(REGULARIZERS)}."
        )
    if not (spec.regularizer_rate == spec.regularizer_rate and 0 <= spec.regularizer_rate <= 1):
        p.append(f"The regularization rate must be between 0 and 1 (got {spec.regularizer_rate}).")
    if spec.optimizer not in OPTIMIZERS:
        p.append(f"Unknown optimizer {spec.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
    if not _finite_positive(spec.learning_rate) or spec.learning_rate > 100:
        p.append(
            f"The learning rate must be a positive number up to 100 (got {spec.learning_rate})."
        )
    if not isinstance(spec.batch_size, int) or not 1 <= spec.batch_size <= 4096:
        p.append(f"The batch size must be between 1 and 4096 (got {spec.batch_size}).")
    if not isinstance(spec.epochs, int) or not 1 <= spec.epochs <= MAX_EPOCHS:
        p.append(f"Steps (epochs) must be between 1 and {MAX_EPOCHS} (got {spec.epochs}).")
    if not isinstance(spec.train_size, int) or not 10 <= spec.train_size <= MAX_TRAIN_SIZE:
        p.append(
            f"The training set needs between 10 and {MAX_TRAIN_SIZE} beats (got {spec.train_size})."
        )
    if not isinstance(spec.test_size, int) or not 10 <= spec.test_size <= MAX_TEST_SIZE:
        p.append(f"The test set needs between 10 and {MAX_TEST_SIZE} beats (got {spec.test_size}).")
    if not (spec.abnormal_pct == spec.abnormal_pct and 0 <= spec.abnormal_pct <= MAX_ABNORMAL_PCT):
        p.append(
            f"The abnormal share of training data must be between 0 and {MAX_ABNORMAL_PCT} % "
            f"(got {spec.abnormal_pct})."
        )
    if not isinstance(spec.seed, int) or not 0 <= spec.seed < 2**31:
        p.append(f"The seed must be a whole number from 0 to 2147483647 (got {spec.seed}).")
    return p
