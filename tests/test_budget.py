"""The work budget: cost estimates, per-run and per-sweep checks, limits from the environment."""

from __future__ import annotations

import logging

import pytest
from common import COSTLY_LINK
from hypothesis import given, settings
from hypothesis import strategies as st

from anomagram import budget
from anomagram.budget import Limits, check_run, check_sweep, load_limits
from anomagram.spec import BATCH_SIZE_CHOICES, FIELDS, Spec

HOSTILE = COSTLY_LINK
DEFAULTS = Limits()

specs = st.builds(
    Spec,
    hidden=st.lists(st.integers(1, 255), min_size=1, max_size=5).map(tuple),
    latent=st.integers(1, 63),
    batch_size=st.sampled_from(BATCH_SIZE_CHOICES),
    epochs=st.integers(1, 999),
    train_size=st.integers(10, 4000),
    test_size=st.integers(10, 499),
)


@settings(max_examples=200, deadline=None)
@given(specs, st.sampled_from(["units", "layers", "latent", "epochs", "train", "test"]))
def test_the_estimate_grows_with_every_dimension(spec, dimension):
    bigger = {
        "units": lambda s: s.replace(hidden=(s.hidden[0] + 1, *s.hidden[1:])),
        "layers": lambda s: s.replace(hidden=(*s.hidden, s.hidden[-1])),
        "latent": lambda s: s.replace(latent=s.latent + 1),
        "epochs": lambda s: s.replace(epochs=s.epochs + 1),
        # One more batch: within a batch the padded work stays the same (checked below).
        "train": lambda s: s.replace(train_size=min(s.train_size + s.batch_size, 4500)),
        "test": lambda s: s.replace(test_size=s.test_size + 1),
    }[dimension](spec)
    assert budget.run_seconds(bigger) > budget.run_seconds(spec)
    one_more_beat = spec.replace(train_size=spec.train_size + 1)
    assert budget.run_seconds(one_more_beat) >= budget.run_seconds(spec)


@settings(max_examples=100, deadline=None)
@given(specs, st.integers(1, 8))
def test_halving_the_batch_size_never_makes_a_run_cheaper(spec, batches):
    # Same beats, twice the steps: each step pays its overhead. (With a last partial batch
    # the padding can make a larger batch dearer, as it really is, so whole batches here.)
    spec = spec.replace(train_size=min(spec.batch_size * batches, 4096))
    half = spec.replace(batch_size=spec.batch_size // 2)
    assert budget.run_seconds(half) > budget.run_seconds(spec)


def test_the_default_run_and_the_default_sweep_fit_easily():
    assert check_run(Spec(), DEFAULTS) is None
    assert budget.run_seconds(Spec()) < 2
    sweep = ("abnormal_pct", [0.0, 10.0, 30.0, 50.0, 70.0], 3)
    assert check_sweep(Spec(), *sweep, limits=DEFAULTS) is None
    assert budget.sweep_seconds(Spec(), *sweep) < 60


def test_the_hostile_link_is_refused_with_the_most_epochs_that_fit():
    spec = Spec.from_query_params(HOSTILE)
    problem = check_run(spec, DEFAULTS)
    assert problem is not None and problem.setting == "epochs"
    assert problem.estimate > 20 * 60  # tens of minutes (the issue measured 1.7 h)
    nearest = problem.nearest
    assert nearest == spec.replace(epochs=nearest.epochs)  # only the epochs change
    assert check_run(nearest, DEFAULTS) is None
    assert check_run(nearest.replace(epochs=nearest.epochs + 1), DEFAULTS) is not None
    # The largest allowed run takes the limit (a minute on the reference machine), give or
    # take one epoch.
    assert 60 - budget.epoch_seconds(nearest) < budget.run_seconds(nearest) <= 60
    assert "steps (epochs)" in problem.message
    assert f"to {nearest.epochs} or fewer" in problem.message
    assert "limit of 1 min per run" in problem.message
    assert problem.changes(spec) == {"epochs": nearest.epochs}
    assert problem.fix_text(spec) == f"Set steps (epochs) to {nearest.epochs}"


def test_when_not_even_one_epoch_fits_a_larger_batch_is_offered():
    spec = Spec.from_query_params(HOSTILE)
    at_64 = budget.epoch_seconds(spec.replace(batch_size=64))
    # Room for 1.5 epochs at batch 64, far less than one epoch at batches 1..32.
    limits = Limits(run_seconds=budget.RUN_SECONDS + 1.5 * at_64)
    problem = check_run(spec, limits)
    assert problem.setting == "batch_size"
    assert problem.nearest == spec.replace(batch_size=64, epochs=1)
    assert check_run(problem.nearest, limits) is None
    assert "raise batch size to 64 and lower steps (epochs) to 1" in problem.message
    assert problem.fix_text(spec) == "Set batch size to 64 and steps (epochs) to 1"


def test_when_nothing_fits_the_message_says_what_to_make_smaller():
    spec = Spec.from_query_params(HOSTILE)
    problem = check_run(spec, Limits(run_seconds=budget.RUN_SECONDS / 2))
    assert problem.nearest is None and problem.changes(spec) == {} and not problem.fix_text(spec)
    assert "fewer or narrower hidden layers" in problem.message


def test_the_issues_sweep_link_is_refused_for_its_number_of_runs():
    values = [i / 10 for i in range(701)]  # 0 to 70 % in steps of 0.1
    problem = check_sweep(Spec(), "abnormal_pct", values, 5, limits=DEFAULTS)
    assert problem.setting == "runs"
    assert "3,505 training runs" in problem.message and "limit of 200" in problem.message
    assert check_sweep(Spec(), "abnormal_pct", values[:40], 5, limits=DEFAULTS) is None


def test_a_sweep_over_the_time_limit_is_refused_with_its_estimate():
    # Each run just fits the per-run limit; 15 of them do not fit ten minutes.
    base = Spec.from_query_params(HOSTILE)
    base = check_run(base, DEFAULTS).nearest
    values = [0.0, 10.0, 20.0, 30.0, 40.0]
    problem = check_sweep(base, "abnormal_pct", values, 3, limits=DEFAULTS)
    assert problem.setting == "seconds" and problem.estimate > 600
    assert "limit of 10 min" in problem.message
    assert budget.duration(problem.estimate) in problem.message
    assert check_sweep(base, "abnormal_pct", values[:2], 3, limits=DEFAULTS) is None


def test_a_sweep_value_whose_run_is_over_the_limit_is_named():
    base = Spec(hidden=(256,) * 6, latent=64, train_size=4500, abnormal_pct=41.62, epochs=100)
    problem = check_sweep(base, "batch_size", [1024, 1], 1, limits=DEFAULTS)
    assert problem.setting == "epochs"
    assert problem.message.startswith("With batch size 1 one run would take")
    # Values that make no valid spec are the form's to report, not the budget's.
    assert check_sweep(Spec(), "train_size", [99999], 1, limits=DEFAULTS) is None


def test_limits_come_from_the_environment_and_secrets_win():
    env = {
        "ANOMAGRAM_MAX_RUN_SECONDS": "30",
        "ANOMAGRAM_MAX_SWEEP_RUNS": "50",
        "ANOMAGRAM_MAX_SWEEP_SECONDS": " 120.5 ",
        "ANOMAGRAM_MAX_TRAININGS": "4",
    }
    assert load_limits(env) == Limits(30.0, 50, 120.5, 4)
    secrets = {"ANOMAGRAM_MAX_RUN_SECONDS": 45, "ANOMAGRAM_MAX_TRAININGS": 1}  # TOML numbers
    assert load_limits(env, secrets) == Limits(45.0, 50, 120.5, 1)
    assert load_limits({}) == DEFAULTS
    assert DEFAULTS.trainings == budget.available_cores() >= 1
    assert (DEFAULTS.run_seconds, DEFAULTS.sweep_runs, DEFAULTS.sweep_seconds) == (60, 200, 600)


@pytest.mark.parametrize("name", sorted(budget.ENV_VARS.values()))
@pytest.mark.parametrize("bad", ["abc", "inf", "-inf", "nan", "-1", "0", "1e400", "2.5x", True])
def test_a_bad_limit_falls_back_to_its_default_with_a_warning(name, bad, caplog):
    with caplog.at_level(logging.WARNING, logger="anomagram.budget"):
        limits = load_limits({}, {name: bad})
    assert limits == DEFAULTS
    assert name in caplog.text and "using the default" in caplog.text


def test_a_count_must_be_whole_but_seconds_may_have_fractions(caplog):
    with caplog.at_level(logging.WARNING, logger="anomagram.budget"):
        limits = load_limits(
            {"ANOMAGRAM_MAX_SWEEP_RUNS": "2.5", "ANOMAGRAM_MAX_RUN_SECONDS": "2.5"}
        )
    assert limits.sweep_runs == DEFAULTS.sweep_runs and limits.run_seconds == 2.5
    assert "ANOMAGRAM_MAX_SWEEP_RUNS" in caplog.text and "whole number" in caplog.text
    assert load_limits({"ANOMAGRAM_MAX_TRAININGS": "3.0"}).trainings == 3


def test_an_empty_variable_means_unset():
    assert load_limits({"ANOMAGRAM_MAX_RUN_SECONDS": "  "}) == DEFAULTS


def test_durations_and_limits_read_in_words():
    assert budget.duration(3) == "under 10 s"
    assert budget.duration(45) == "about 45 s"
    assert budget.duration(2700) == "about 45.0 min"
    assert budget.duration(6100) == "about 1.7 h"
    assert budget.duration(float("inf")) == "a while"
    assert budget.limit_text(45) == "45 s"
    assert budget.limit_text(60) == "1 min"
    assert budget.limit_text(600) == "10 min"
    assert budget.limit_text(90) == "1.5 min"


def test_weights_are_counted_like_keras_counts_them():
    from anomagram.model import build_autoencoder

    spec = Spec(hidden=(16, 8), latent=3)
    assert spec.weight_count == build_autoencoder(spec).count_params()
    assert FIELDS["epochs"].high >= budget.max_epochs(Spec(), DEFAULTS) > 100
