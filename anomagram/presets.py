"""Named starting points for the composer and the CLI: each sets the whole Spec but the seed.

Each preset is a set of changes to the defaults and one sentence saying what it shows; the
numbers behind those sentences were measured on the default split (``bench/compare.py`` for
"strong").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from anomagram.spec import DATA_FIELDS, Spec


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    demonstrates: str  # one sentence, shown beside the preset
    changes: Mapping[str, object]  # spec fields that differ from the defaults


def _presets(*declared: Preset) -> Mapping[str, Preset]:
    return MappingProxyType({p.key: p for p in declared})


PRESETS: Mapping[str, Preset] = _presets(
    Preset(
        key="default",
        label="Anomagram default",
        demonstrates="The original Anomagram's small 7-3-2 network: it learns in about half a "
        "second, and every classic detector but Isolation Forest scores higher on its split.",
        changes=MappingProxyType({}),
    ),
    # bench/find_strong.py: 64 units and a bottleneck of 8 learn the normal beats far better
    # than 7-3-2; a learning rate of 0.003 keeps Adam (beta1 = 0.5) from the loss spikes it
    # has at 0.01, and batches of 1024 make the AUC flat from epoch 200 to 400 (0.9955-0.9961).
    Preset(
        key="strong",
        label="Strong",
        demonstrates="A wider network with a bottleneck of 8, trained 250 epochs in big "
        "batches (1 to 1.5 s): it beats PCA, nearest neighbours, the One-Class SVM and "
        "Isolation Forest, and only Local Outlier Factor stays ahead, because of one odd "
        "beat labelled normal whose deep dip comes at the end instead of the start.",
        changes=MappingProxyType(
            {
                "hidden": (64,),
                "latent": 8,
                "learning_rate": 0.003,
                "batch_size": 1024,
                "epochs": 250,
            }
        ),
    ),
    # Measured (seeds 0-2): reconstruction error of unseen normal beats 3.2-4.0 times that of
    # the 50 training beats (1.1 with the default's 2500 beats); L2 at 0.001 brings it to 1.1-1.3.
    Preset(
        key="overfits",
        label="Overfits",
        demonstrates="A 256-128 network learning from only 50 beats without a regularizer: "
        "the training loss ends far below the validation loss, and adding L2 closes the gap, "
        "though by fitting the training beats worse rather than the new ones better.",
        changes=MappingProxyType(
            {
                "hidden": (256, 128),
                "latent": 4,
                "learning_rate": 0.001,
                "train_size": 50,
                "batch_size": 10,
                "epochs": 300,
            }
        ),
    ),
    # Without non-linear layers nothing can switch off: with ReLU the same learning rate only
    # kills the units and the loss flattens out instead of blowing up.
    Preset(
        key="diverges",
        label="Diverges",
        demonstrates="Plain SGD with a learning rate of 10 on a network of linear layers: the "
        "weights blow up in the first epoch and training stops with the model rolled back.",
        changes=MappingProxyType(
            {
                "activation": "linear",
                "output_activation": "linear",
                "optimizer": "sgd",
                "learning_rate": 10.0,
            }
        ),
    ),
)


def preset_names() -> str:
    return ", ".join(PRESETS)


def preset_spec(key: str, base: Spec | None = None) -> Spec:
    """The whole spec of preset ``key``: the defaults with its changes, ``base``'s seed and data
    kept (a preset is a recipe for the model and its training, on whatever data is picked)."""
    if key not in PRESETS:
        raise ValueError(f"Unknown preset {key!r}; choose one of {preset_names()}.")
    base = Spec() if base is None else base
    kept = {name: getattr(base, name) for name in ("seed", *DATA_FIELDS)}
    return Spec(**{**PRESETS[key].changes, **kept})


def matching_preset(spec: Spec) -> str | None:
    """Which preset ``spec`` is, ignoring its seed and data (``None`` once any other setting
    differs)."""
    return next((key for key in PRESETS if preset_spec(key, spec) == spec), None)
