"""Presets: whole specs that round-trip through a link and the CLI, and do what they say."""

import pytest

from anomagram.cli import build_parser, spec_from_args
from anomagram.presets import PRESETS, matching_preset, preset_spec
from anomagram.spec import CHOSEN, FIELDS, Spec, value_text
from anomagram.training import DIVERGED, Trainer


def test_presets_are_listed_in_a_fixed_order_and_say_what_they_show():
    assert list(PRESETS) == ["default", "strong", "overfits", "diverges"]
    for key, preset in PRESETS.items():
        assert preset.key == key and preset.label
        assert preset.demonstrates.endswith(".") and preset.demonstrates.count(". ") == 0
        assert set(preset.changes) <= set(FIELDS) - {"seed"}
    assert preset_spec("default") == Spec()


@pytest.mark.parametrize("key", list(PRESETS))
def test_preset_spec_is_the_whole_spec_and_keeps_the_seed(key):
    tweaked = Spec(seed=7, epochs=3, hidden=(5,))
    spec = preset_spec(key, tweaked)
    assert spec == Spec(**PRESETS[key].changes, seed=7)
    assert preset_spec(key).seed == Spec().seed
    assert matching_preset(spec) == key
    assert matching_preset(spec.replace(seed=123)) == key


@pytest.mark.parametrize("key", list(PRESETS))
def test_preset_round_trips_through_the_url(key):
    spec = preset_spec(key, Spec(seed=4))
    back = Spec.from_query_params(spec.to_query_params())
    assert back == spec and matching_preset(back) == key


@pytest.mark.parametrize("key", list(PRESETS))
def test_preset_round_trips_through_cli_flags(key):
    spec = preset_spec(key, Spec(seed=4))
    flags = [a for name in CHOSEN for a in (FIELDS[name].flag, value_text(getattr(spec, name)))]
    assert spec_from_args(build_parser().parse_args(["train", *flags])) == spec


def test_other_specs_match_no_preset():
    assert matching_preset(Spec(epochs=31)) is None
    assert matching_preset(preset_spec("strong").replace(learning_rate=0.1)) is None


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(ValueError, match="choose one of default, strong, overfits, diverges"):
        preset_spec("turbo")


def test_diverges_preset_really_diverges(ecg):
    trainer = Trainer.create(preset_spec("diverges"), ecg)
    trainer.train()
    assert trainer.status == DIVERGED
    assert "diverged" in trainer.message


def _unseen_over_seen(spec, ecg) -> float:
    """How much worse the model reconstructs unseen normal beats than its training beats."""
    trainer = Trainer.create(spec, ecg)
    trainer.train()
    normal = ~trainer.prepared.test_is_abnormal
    return trainer.test_errors()[normal].mean() / trainer.train_errors().mean()


def test_overfits_preset_shows_a_gap_that_l2_closes(ecg):
    spec = preset_spec("overfits")
    assert _unseen_over_seen(spec, ecg) > 2.5  # about 1.1 when trained on the default 2500
    assert _unseen_over_seen(spec.replace(regularizer="l2"), ecg) < 1.5


def test_a_preset_keeps_the_data_it_is_applied_to():
    """Presets are recipes for the model and its training; the picked dataset stays."""
    base = Spec(dataset="ucr:ECG200", normal_class="-1", length=96, seed=4)
    strong = preset_spec("strong", base)
    assert (strong.dataset, strong.normal_class, strong.length, strong.seed) == (
        "ucr:ECG200",
        "-1",
        96,
        4,
    )
    assert matching_preset(strong) == "strong"
    assert preset_spec("default", base) == Spec(
        dataset="ucr:ECG200", normal_class="-1", length=96, seed=4
    )
