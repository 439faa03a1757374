import dataclasses
import math
import re

import pytest

from anomagram.data import SEQ_LEN
from anomagram.spec import CHOSEN, DATA_FIELDS, FIELDS, Spec, SpecError, value_text
from anomagram.sweep import SWEEP_PARAMS


def test_defaults_match_anomagram():
    s = Spec()
    assert s.hidden == (7, 3) and s.latent == 2
    assert (s.activation, s.output_activation) == ("relu", "sigmoid")
    assert (s.optimizer, s.learning_rate, s.batch_size, s.epochs) == ("adam", 0.01, 512, 30)
    assert (s.train_size, s.test_size, s.abnormal_pct, s.regularizer) == (2500, 500, 0.0, "none")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"hidden": (0, 3)}, "Hidden layer 1 needs between 1 and 256 units"),
        ({"hidden": (7, 300)}, "Hidden layer 2 needs between 1 and 256 units"),
        ({"hidden": ()}, "between 1 and 6 hidden layers"),
        ({"learning_rate": -0.1}, "learning rate must be a positive"),
        ({"learning_rate": float("nan")}, "learning rate must be a positive"),
        ({"optimizer": "adamw"}, "Unknown optimizer 'adamw'"),
        ({"regularizer": "dropout"}, "Unknown regularizer"),
        ({"latent": 0}, "latent size"),
        ({"epochs": 0}, r"steps \(epochs\) must be between 1 and 1000"),
        ({"abnormal_pct": 90}, "abnormal share"),
        ({"batch_size": 0}, "batch size"),
        ({"train_size": 5}, "training set"),
        ({"test_size": 1000}, "test set"),
        ({"seed": -1}, "seed"),
    ],
)
def test_invalid_values_have_readable_messages(changes, message):
    with pytest.raises(SpecError, match=message):
        Spec(**changes)


def test_several_problems_are_all_listed():
    with pytest.raises(SpecError) as info:
        Spec(hidden=(0,), optimizer="x", learning_rate=0)
    assert len(info.value.problems) == 3


def test_spec_is_immutable_and_hashable():
    s = Spec()
    with pytest.raises(AttributeError):
        s.latent = 3
    assert hash(s) == hash(Spec(hidden=[7, 3]))
    assert s.replace(latent=3).latent == 3


def test_dict_round_trip():
    s = Spec(hidden=(16, 8, 4), latent=3, optimizer="rmsprop", learning_rate=0.001, seed=7)
    d = s.to_dict()
    assert d["hidden"] == [16, 8, 4]
    assert Spec.from_dict(d) == s


def test_query_params_round_trip_and_only_differences():
    s = Spec(hidden=(16, 8), abnormal_pct=30, optimizer="sgd", learning_rate=0.1)
    q = s.to_query_params()
    assert q == {"hidden": "16,8", "optimizer": "sgd", "learning_rate": "0.1", "abnormal_pct": "30"}
    assert all(isinstance(v, str) for v in q.values())
    assert Spec.from_query_params(q) == s
    assert Spec.from_query_params({}) == Spec()
    assert Spec.from_query_params({"page": "x", "latent": ["2", "4"]}).latent == 4


@pytest.mark.parametrize(
    "params, message",
    [
        ({"hidden": "7,a"}, "whole numbers separated by commas"),
        ({"latent": "two"}, "Latent size must be a whole number"),
        ({"learning_rate": "fast"}, "Learning rate must be a number"),
        ({"epochs": "2.5"}, "whole number"),
    ],
)
def test_bad_query_params_raise_spec_error(params, message):
    with pytest.raises(SpecError, match=message):
        Spec.from_query_params(params)


def parser_of(f):
    """How a value of ``f`` arrives: a link for the fields a user chooses, a model file's dict
    for the derived ones (a link never carries those, see test_derived_fields_never_...)."""
    return Spec.from_dict if f.derived else Spec.from_query_params


@pytest.mark.parametrize("name", [n for n, f in FIELDS.items() if f.kind not in ("choice", "text")])
@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "1e400", "9" * 100_000, "7,1e400"])
def test_non_finite_and_huge_numbers_are_one_short_spec_error(name, text):
    """Every number a link, the CLI or a model file sends goes through anomagram.numbers."""
    f = FIELDS[name]
    with pytest.raises(SpecError) as info:
        parser_of(f)({name: text})
    (problem,) = info.value.problems
    assert problem.startswith(f.label) and problem.endswith(".") and len(problem) < 120


@pytest.mark.parametrize(
    "params, message",
    [
        ({"epochs": "inf"}, "Steps (epochs) must be a whole number, not 'inf'."),
        ({"seed": "1e400"}, "Seed must be a whole number, not '1e400'."),
        ({"seed": "9" * 5000}, "Seed must be a whole number of at most 30 digits."),
        ({"learning_rate": "nan"}, "Learning rate must be a finite number, not 'nan'."),
        ({"abnormal_pct": "1e400"}, "must be a finite number, not '1e400'."),
        ({"hidden": "7,1e400"}, "like 7,3, not '7,1e400'."),
        ({"hidden": "7,inf"}, "like 7,3, not '7,inf'."),
        ({"hidden": 5}, "like 7,3, not 5."),
        ({"latent": True}, "Latent size must be a whole number, not True."),
        ({"latent": [2]}, "Latent size must be a whole number, not [2]."),
    ],
)
def test_hostile_numbers_get_the_numbers_message(params, message):
    with pytest.raises(SpecError) as info:
        Spec.from_dict(params)
    assert message in str(info.value)


def test_whole_numbers_are_read_exactly():
    assert Spec.from_query_params({"seed": "2147483647"}).seed == 2**31 - 1
    assert Spec.from_dict({"latent": 4.0, "hidden": [7.0, "3"]}).hidden == (7, 3)


def test_unknown_keys_in_dict_are_refused():
    with pytest.raises(SpecError, match="Unknown setting"):
        Spec.from_dict({"dropout": 0.5})


def test_architecture_key_ignores_data_and_learning_rate():
    a = Spec()
    assert (
        a.architecture_key == a.replace(seed=3, abnormal_pct=20, learning_rate=0.1).architecture_key
    )
    assert a.architecture_key != a.replace(hidden=(8,)).architecture_key
    # Which data does not change the network; its length (the input width) does.
    assert a.architecture_key == a.replace(dataset="ucr:ECG200", normal_class="-1").architecture_key
    assert a.architecture_key != a.replace(length=96).architecture_key


# --- the FIELDS table drives everything ----------------------------------------------------


# Valid text values beside the default, per text field: a new text field adds its own here.
TEXT_VALUES = {
    "dataset": ("ucr:ECG200", "csv:my recording.csv", "ucr:FordA", "csv:ü-data_2.tsv"),
    "normal_class": ("1", "-1", "normal", "Myocardial infarction", "N/A (ok)", "<b>x</b>"),
}
# Text a field's pattern refuses, per text field (control characters and sizes for all below).
BAD_TEXT = {
    "dataset": (
        "ECG200",  # a UCR name needs its ucr: prefix
        "ucr:",
        "ucr:ECG-200",
        "ucr:" + "A" * 65,
        "csv:",
        "csv:../../etc/passwd",
        "csv:a/b.csv",
        "http://127.0.0.1:1/x.csv",
        "ECG5000",
    ),
    "normal_class": ("n" * 41,),
}
TEXT_FIELDS = [n for n, f in FIELDS.items() if f.kind == "text"]


def context(name, value) -> dict:
    """The other settings a valid ``value`` of ``name`` needs: a window only cuts a CSV
    recording and needs a stride; a stride or per-window normalising needs a window."""
    recording = {"dataset": "csv:recording.csv"}
    if name == "window" and value:
        return {**recording, "stride": 1}
    if name == "stride" and value:
        return {**recording, "window": 16}
    if name == "normalise" and value != FIELDS["normalise"].default:
        return {**recording, "window": 16, "stride": 16}
    return {}


def with_context(name, value) -> dict:
    return {**context(name, value), name: value}


def other_value(f):
    """A valid value of field ``f`` that is not its default."""
    if f.kind == "ints":
        return (16, 8, 4)
    if f.kind == "text":
        return TEXT_VALUES[f.name][0]
    candidates = [*f.offered, f.high] if f.kind != "choice" else f.choices
    return next(v for v in candidates if v != f.default)


def bad_value(f):
    """A value of field ``f``'s type that breaks its bounds."""
    if f.kind == "choice":
        return "bogus"
    if f.kind == "ints":
        return ()
    if f.kind == "text":
        return BAD_TEXT[f.name][0]
    return f.high + 1


def test_every_text_field_has_values_to_test():
    assert set(TEXT_VALUES) == set(BAD_TEXT) == set(TEXT_FIELDS)
    for name in TEXT_FIELDS:
        f = FIELDS[name]
        assert f.pattern and f.example, name
        assert not f.problems(f.default), name  # the default matches its own pattern


def test_every_spec_attribute_has_exactly_one_field_and_its_default():
    names = [a.name for a in dataclasses.fields(Spec) if a.name != "validate"]
    assert names == list(FIELDS)
    assert all(name == f.name for name, f in FIELDS.items())
    default = Spec()
    for name, f in FIELDS.items():
        assert getattr(default, name) == f.default, name
        assert f.label and f.help and f.flag == "--" + name.replace("_", "-")


def test_sweepable_fields_are_the_sweep_parameters():
    assert {name for name, f in FIELDS.items() if f.sweepable} == set(SWEEP_PARAMS)


@pytest.mark.parametrize("name", list(FIELDS))
def test_every_field_round_trips_through_dict_and_url(name):
    f = FIELDS[name]
    values = with_context(name, other_value(f))
    spec = Spec(**values)
    assert Spec.from_dict(spec.to_dict()) == spec
    query = spec.to_query_params()
    if f.derived:
        # Kept in model files (to_dict, above), never in links: the data decides it.
        assert query == {}
        assert Spec.from_query_params({name: value_text(values[name])}) == Spec()
    else:
        assert query == {k: value_text(v) for k, v in values.items()}
        assert Spec.from_query_params(query) == spec


@pytest.mark.parametrize("name", list(FIELDS))
def test_a_bad_value_of_every_field_names_its_label(name):
    f = FIELDS[name]
    with pytest.raises(SpecError) as info:
        Spec(**{name: bad_value(f)})
    (problem,) = info.value.problems
    assert f.label.lower() in problem.lower(), problem
    if f.kind in ("int", "float"):
        with pytest.raises(SpecError, match=f"^{re.escape(f.label)} must be"):
            parser_of(f)({name: "many"})


@pytest.mark.parametrize("name", [n for n, f in FIELDS.items() if f.kind in ("int", "float")])
def test_numbers_out_of_bounds_at_both_ends_and_not_finite_are_refused(name):
    f = FIELDS[name]
    around = context(name, f.high)  # what makes an in-bounds value valid
    too_small = f.low if f.positive else f.low - 1
    for value in (too_small, f.high + 1, math.nan, math.inf):
        if f.kind == "int" and not math.isfinite(value):
            with pytest.raises(SpecError, match="whole number"):
                Spec.from_dict({**around, name: value})
        else:
            with pytest.raises(SpecError, match="must be"):
                Spec(**{**around, name: value})
    Spec(**with_context(name, f.high))
    if not f.positive:
        Spec(**with_context(name, f.low))


# --- text fields: the dataset and its normal class -----------------------------------------------

HOSTILE_TEXT = (
    "a\x00b",  # control characters, inside (the ends are stripped)
    "1\n2",
    "\x1b[31mred",
    "tab\there",
    "x\x7fy",
    "a" * 10_000,
)


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_every_text_value_offered_round_trips(name):
    for text in TEXT_VALUES[name]:
        spec = Spec.from_query_params({name: text})
        assert getattr(spec, name) == text
        assert Spec.from_query_params(spec.to_query_params()) == spec
        assert Spec.from_dict(spec.to_dict()) == spec
    first = TEXT_VALUES[name][0]
    assert getattr(Spec.from_query_params({name: f"  {first}  "}), name) == first  # stripped


@pytest.mark.parametrize("name", TEXT_FIELDS)
@pytest.mark.parametrize("kind", ["pattern", "hostile"])
def test_text_that_does_not_match_is_one_short_problem(name, kind):
    f = FIELDS[name]
    for text in BAD_TEXT[name] if kind == "pattern" else HOSTILE_TEXT:
        for parse in (Spec.from_query_params, Spec.from_dict):
            with pytest.raises(SpecError) as info:
                parse({name: text})
            (problem,) = info.value.problems
            assert problem.startswith(f"{f.label} ") and f.example in problem, problem
            # The value is quoted escaped and cut short, never pasted whole.
            assert len(problem) < 300 and "\n" not in problem and "\x00" not in problem


@pytest.mark.parametrize("name", TEXT_FIELDS)
@pytest.mark.parametrize("value", [None, True, [1], ["ucr:ECG200"], {"a": 1}, ("x",)])
def test_text_fields_refuse_json_values_that_are_not_text(name, value):
    with pytest.raises(SpecError) as info:
        Spec.from_dict({name: value})
    (problem,) = info.value.problems
    assert problem.startswith(f"{FIELDS[name].label} must be text, not "), problem


def test_a_number_in_a_model_file_is_read_as_its_text():
    assert Spec.from_dict({"normal_class": 1}).normal_class == "1"
    assert Spec.from_dict({"normal_class": -1}).normal_class == "-1"


def test_derived_fields_never_come_from_or_go_to_a_link():
    derived = [n for n, f in FIELDS.items() if f.derived]
    assert derived == ["length"] and set(CHOSEN) == set(FIELDS) - {"length"}
    spec = Spec(length=96)
    assert spec.to_dict()["length"] == 96 and Spec.from_dict(spec.to_dict()).length == 96
    assert spec.to_query_params() == {}
    # A link that names it, even with nonsense, is read as if it did not.
    for text in ("96", "inf", "0", "a" * 10_000):
        assert Spec.from_query_params({"length": text}) == Spec()
    with pytest.raises(SpecError, match="samples per beat must be between 16 and 1024"):
        Spec.from_dict({"length": 15})


def test_the_data_fields_are_what_decides_the_data():
    """DATA_FIELDS (which presets keep and pages load data by) are exactly the fields that
    change ``data_key``, plus the derived length."""
    base = Spec()
    changes_data = {
        name
        for name in CHOSEN
        if Spec(**with_context(name, other_value(FIELDS[name]))).data_key != base.data_key
    }
    assert changes_data | {"length"} == set(DATA_FIELDS)


# --- a recording's window settings only make sense together --------------------------------------

RECORDING = {"dataset": "csv:recording.csv"}


@pytest.mark.parametrize("window", [1, 2, 8, 15])
def test_a_window_shorter_than_the_shortest_input_is_refused(window):
    with pytest.raises(SpecError, match=f"at least 16 samples \\(got {window}\\)"):
        Spec(**RECORDING, window=window, stride=1)


def test_the_shortest_window_is_accepted_with_any_stride():
    for stride in (1, 16, 100_000):
        assert Spec(**RECORDING, window=16, stride=stride).stride == stride
    assert Spec(**RECORDING, window=60, stride=30, normalise="window").normalise == "window"


@pytest.mark.parametrize(
    "values, message",
    [
        ({**RECORDING, "window": 60, "stride": 0}, r"stride must be at least 1 sample \(got 0\)"),
        ({**RECORDING, "stride": 30}, "needs a window length"),
        ({"stride": 30}, "needs a window length"),
        ({**RECORDING, "normalise": "window"}, "needs a window length"),
        ({"window": 60, "stride": 30}, "Only a CSV recording is cut into windows"),
        ({"dataset": "ucr:ECG200", "window": 60, "stride": 60}, "Only a CSV recording"),
    ],
)
def test_window_settings_that_do_not_go_together_are_refused(values, message):
    for parse in (Spec.from_dict, Spec.from_query_params):
        with pytest.raises(SpecError, match=message) as info:
            parse({k: value_text(v) for k, v in values.items()})
        assert len(info.value.problems) == 1


def test_the_module_constants_are_read_from_the_table():
    from anomagram import spec as s

    assert s.OPTIMIZERS is FIELDS["optimizer"].choices
    assert FIELDS["hidden"].max_items == s.MAX_LAYERS and FIELDS["hidden"].high == s.MAX_UNITS
    assert s.LEARNING_RATE_CHOICES is FIELDS["learning_rate"].offered
    # Every offered value is one the spec accepts (with what it needs beside it).
    for name, f in FIELDS.items():
        for value in f.offered:
            Spec(**with_context(name, value))


def test_display_labels_of_values():
    assert FIELDS["optimizer"].display("momentum") == "Momentum (0.9)"
    assert FIELDS["regularizer"].display("l1l2") == "L1 + L2"
    assert FIELDS["abnormal_pct"].display(5.0) == "5 %"
    assert FIELDS["learning_rate"].display(0.0001) == "0.0001"
    assert all(c in f.value_labels for f in FIELDS.values() if f.value_labels for c in f.choices)


def test_layer_path_is_the_one_description_of_the_architecture():
    spec = Spec(hidden=(7, 3), latent=2)
    assert spec.layer_path() == f"{SEQ_LEN} → 7 → 3 → 2 → 3 → 7 → {SEQ_LEN}"
    assert spec.layer_path(mark_latent="**") == "140 → 7 → 3 → **2** → 3 → 7 → 140"
    assert spec.describe() == "140 → 7 → 3 → 2 → 3 → 7 → 140, adam lr=0.01"
    assert spec.layer_sizes() == (140, 7, 3, 2, 3, 7, 140)
    # The width is the data's: an ECG200 model's beats have 96 samples.
    assert spec.replace(length=96).layer_path() == "96 → 7 → 3 → 2 → 3 → 7 → 96"
    assert spec.replace(length=96).weight_count < spec.weight_count
