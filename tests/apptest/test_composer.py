"""AppTest of the composer alone: its settings widgets are generated from the spec's FIELDS."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from anomagram.presets import PRESETS, preset_spec
from anomagram.spec import CHOSEN, DATA_FIELDS, FIELDS, Spec, value_text
from anomagram.ui.train.composer import DATA, NETWORK, TRAINING, widget_kind
from anomagram.ui.train.data_panel import FIELD_WIDGETS

SETTINGS = (*NETWORK, *TRAINING, *DATA)


def _page():
    from anomagram.ui.common.state import get_spec
    from anomagram.ui.train import composer

    spec = composer.sync_query_params()
    composer.show_problems()
    composer.presets(spec)
    composer.preset_note(spec)
    composer.composer(spec)
    composer.parameters(get_spec())


def new_app(**query) -> AppTest:
    at = AppTest.from_function(_page, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(at: AppTest, name: str):
    return getattr(at, widget_kind(FIELDS[name]))(key=f"train_{name}")


def other_value(name: str):
    f = FIELDS[name]
    if not f.offered:
        return f.default + 1
    return next(v for v in f.offered if v != f.default)


def test_every_setting_but_the_layers_has_one_widget_drawn_from_the_table():
    # The data's own settings are the data panel's (tests/apptest/test_train_datasets.py), and
    # the length follows from the data: no widget edits it, no link holds it.
    assert sorted(SETTINGS) == sorted(n for n in CHOSEN if n != "hidden" and n not in DATA_FIELDS)
    assert sorted((*SETTINGS, *FIELD_WIDGETS, "hidden")) == sorted(CHOSEN)
    assert sorted(CHOSEN) == sorted(n for n in FIELDS if n != "length")
    assert FIELDS["length"].derived
    at = new_app()
    for name in SETTINGS:
        f, w = FIELDS[name], widget(at, name)
        assert w.label == f.label and w.help.startswith(f.help), name
        if widget_kind(f) != "number_input":
            assert list(w.options) == [f.display(v) for v in f.offered], name
    # The widget kinds the page has always had (browser tests find them by role).
    kinds = {name: widget_kind(FIELDS[name]) for name in SETTINGS}
    assert kinds["epochs"] == kinds["train_size"] == "segmented_control"
    assert kinds["batch_size"] == kinds["optimizer"] == "selectbox"
    assert kinds["abnormal_pct"] == "select_slider"
    assert kinds["latent"] == kinds["seed"] == "number_input"


@pytest.mark.parametrize("name", SETTINGS)
def test_each_widget_edits_the_spec_and_the_url(name):
    # The rate's widget is disabled until there is a regularizer to scale.
    before = {"regularizer": "l2"} if name == "regularizer_rate" else {}
    at = new_app(**before)
    value = other_value(name)
    widget(at, name).set_value(value).run()
    assert not at.exception
    assert getattr(at.session_state["spec"], name) == value
    url = {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert url == {**before, name: value_text(value)}


def test_a_link_value_between_the_offered_ones_is_shown_and_kept():
    at = new_app(epochs="7", learning_rate="0.05")
    assert widget(at, "epochs").value == 7 and "7" in widget(at, "epochs").options
    assert widget(at, "learning_rate").value == 0.05
    assert at.session_state["spec"] == Spec(epochs=7, learning_rate=0.05)


def test_the_rate_waits_for_a_regularizer():
    at = new_app()
    assert widget(at, "regularizer_rate").disabled
    widget(at, "regularizer").set_value("l2").run()
    assert not widget(at, "regularizer_rate").disabled


def url(at: AppTest) -> dict:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def presets_widget(at: AppTest):
    return at.segmented_control(key="train_preset_w")


def test_the_default_preset_is_highlighted_with_what_it_demonstrates():
    at = new_app()
    control = presets_widget(at)
    assert list(control.options) == [p.label for p in PRESETS.values()]
    assert control.value == "default"
    default = PRESETS["default"]
    assert any(c.value == f"**{default.label}** · {default.demonstrates}" for c in at.caption)


@pytest.mark.parametrize("key", [k for k in PRESETS if k != "default"])
def test_a_preset_sets_the_whole_spec_and_the_url_but_keeps_the_seed(key):
    at = new_app(seed="5", epochs="7", regularizer="l1")
    assert presets_widget(at).value is None  # edited settings match no preset
    assert any("no preset matches" in c.value for c in at.caption)
    presets_widget(at).set_value(key).run()
    assert not at.exception
    expected = preset_spec(key, Spec(seed=5))
    assert at.session_state["spec"] == expected and expected.seed == 5
    assert url(at) == expected.to_query_params()
    assert presets_widget(at).value == key
    assert any(c.value.endswith(PRESETS[key].demonstrates) for c in at.caption)
    # Every widget shows the preset's values.
    for name in SETTINGS:
        assert widget(at, name).value == getattr(expected, name), name
    units = [at.number_input(key=f"train_units_{i}").value for i in range(len(expected.hidden))]
    assert tuple(units) == expected.hidden
    # The seed is not part of a recipe; any other edit leaves it, and the highlight goes.
    widget(at, "seed").set_value(6).run()
    assert presets_widget(at).value == key
    epochs = next(v for v in FIELDS["epochs"].offered if v != expected.epochs)
    widget(at, "epochs").set_value(epochs).run()
    assert presets_widget(at).value is None


def test_a_link_to_a_preset_highlights_it():
    at = new_app(**preset_spec("strong").to_query_params())
    assert at.session_state["spec"] == preset_spec("strong")
    assert presets_widget(at).value == "strong"


def test_the_default_preset_restores_the_defaults():
    at = new_app(hidden="16,8", optimizer="sgd", abnormal_pct="30")
    presets_widget(at).set_value("default").run()
    assert at.session_state["spec"] == Spec()
    assert url(at) == {}
    assert widget(at, "regularizer").value == "none"
