"""The one model + training spec: every choice a user can make, validated, immutable.

Each setting is declared once, in ``FIELDS``: its type, default, bounds or allowed values, the
values the app offers, how its values read, its label and help, its command-line flag and
whether the Experiments page can sweep it. Validation, the dict and URL round trips, the CLI
options and the Train page's widgets are all read from that table (TensorFlow Playground's
``state.ts`` does the same), so adding a setting means one new ``Field`` and one ``Spec``
attribute.

A spec round-trips to a plain dict (saved inside a model file) and to flat string query
parameters (so a URL reproduces a setup).

Modules: ``setting`` (one setting: ``Field``, its parsing and problems) and ``table`` (``FIELDS``
and the names read from it); this module is the ``Spec`` itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from anomagram.data import SEQ_LEN
from anomagram.spec.setting import KINDS, Field, SpecError, value_text
from anomagram.spec.table import (
    ABNORMAL_PCT_CHOICES,
    ACTIVATIONS,
    BATCH_SIZE_CHOICES,
    CHOSEN,
    DATA_FIELDS,
    EPOCH_CHOICES,
    FIELDS,
    LEARNING_RATE_CHOICES,
    MAX_ABNORMAL_PCT,
    MAX_EPOCHS,
    MAX_LATENT,
    MAX_LAYERS,
    MAX_LENGTH,
    MAX_TEST_SIZE,
    MAX_TRAIN_SIZE,
    MAX_UNITS,
    MIN_LENGTH,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    REGULARIZER_RATE_CHOICES,
    REGULARIZERS,
    TEST_SIZE_CHOICES,
    TRAIN_SIZE_CHOICES,
)

__all__ = [
    "ABNORMAL_PCT_CHOICES",
    "ACTIVATIONS",
    "BATCH_SIZE_CHOICES",
    "CHOSEN",
    "DATA_FIELDS",
    "EPOCH_CHOICES",
    "FIELDS",
    "KINDS",
    "LEARNING_RATE_CHOICES",
    "MAX_ABNORMAL_PCT",
    "MAX_EPOCHS",
    "MAX_LATENT",
    "MAX_LAYERS",
    "MAX_LENGTH",
    "MAX_TEST_SIZE",
    "MAX_TRAIN_SIZE",
    "MAX_UNITS",
    "MIN_LENGTH",
    "OPTIMIZERS",
    "OUTPUT_ACTIVATIONS",
    "REGULARIZER_RATE_CHOICES",
    "REGULARIZERS",
    "TEST_SIZE_CHOICES",
    "TRAIN_SIZE_CHOICES",
    "Field",
    "Spec",
    "SpecError",
    "layer_path",
    "layer_sizes",
    "spec_problems",
    "value_text",
]


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
