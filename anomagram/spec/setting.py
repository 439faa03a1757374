"""One setting of the Spec, declared once: ``Field`` (its kind, default, bounds, offered values,
labels, help, flag) with its parsing and its problems in plain words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

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
