"""The presets, the model composer and the training/data settings of the Train page.

The session's ``Spec`` (``state.get_spec``) is the only thing these widgets edit. Each widget's
value is seeded from the spec before it is drawn and every change goes back through
``update_spec``, so a spec arriving from elsewhere (a shared link, another page, Restore
defaults) shows up in the widgets, and the spec is mirrored to the URL's query string.
"""

from __future__ import annotations

import streamlit as st

from anomagram import charts
from anomagram.presets import PRESETS, matching_preset, preset_spec
from anomagram.spec import CHOSEN, FIELDS, MAX_LAYERS, MAX_UNITS, Field, Spec, SpecError
from anomagram.ui.common.state import get_spec, set_spec
from anomagram.ui.common.text import escape_markdown
from anomagram.ui.train import data_state

# The settings a link holds: the length follows from the data and is never in a URL.
SPEC_FIELDS = CHOSEN
EDITED_KEY = data_state.EDITED_KEY
LINK_PROBLEMS_KEY = "train_link_problems"
EDIT_PROBLEMS_KEY = "train_edit_problems"
PRESET_WIDGET = "train_preset_w"
NEW_LAYER_UNITS = 3

# Where each setting sits on the page; labels, choices and help come from the spec's FIELDS.
NETWORK = ("latent", "activation", "output_activation")  # one row under the layers
TRAINING = ("epochs", "optimizer", "learning_rate", "batch_size", "regularizer", "regularizer_rate")
DATA = ("train_size", "test_size", "abnormal_pct", "seed")


# --- the spec and the URL ----------------------------------------------------------------------


def update_spec(**changes) -> bool:
    """Apply widget changes to the session spec; invalid values are reported, not raised."""
    try:
        spec = get_spec().replace(**changes)
    except SpecError as exc:
        st.session_state[EDIT_PROBLEMS_KEY] = exc.problems
        return False
    set_spec(spec)
    st.session_state[EDITED_KEY] = True
    st.session_state.pop(EDIT_PROBLEMS_KEY, None)
    st.session_state.pop(LINK_PROBLEMS_KEY, None)
    return True


def sync_query_params() -> Spec:
    """Adopt spec settings from a link, then mirror the session spec into the URL.

    A URL holding spec fields that differ from the session spec came from outside (a shared
    link, the Introduction page), except right after our own widget edit, when the browser's
    URL simply lags one run behind.
    """
    spec = get_spec()
    edited = st.session_state.pop(EDITED_KEY, False)
    url = {k: v for k, v in st.query_params.to_dict().items() if k in SPEC_FIELDS}
    if url and not edited and url != spec.to_query_params():
        try:
            linked = Spec.from_query_params(url)
        except SpecError as exc:
            st.session_state[LINK_PROBLEMS_KEY] = exc.problems
        else:
            # The link's data if it loads (its length comes from the data), else the data the
            # page had: the data panel says why.
            spec = data_state.from_link(linked, spec)
            set_spec(spec)
            st.session_state.pop(LINK_PROBLEMS_KEY, None)
    write_query_params(spec)
    return spec


def write_query_params(spec: Spec) -> None:
    wanted = spec.to_query_params()
    params = st.query_params
    for name in FIELDS:  # a derived field (the length) that a link holds is dropped too
        if name in wanted:
            if params.get(name) != wanted[name]:
                params[name] = wanted[name]
        elif name in params:
            del params[name]


def show_problems() -> None:
    # A problem quotes what the link held: escaped, so it shows as text and never as markdown.
    link = st.session_state.get(LINK_PROBLEMS_KEY)
    if link:
        st.warning(
            "The settings in this link could not be used, so the current settings were kept:\n"
            + "\n".join(f"- {escape_markdown(p)}" for p in link),
            icon="⚠️",
        )
    edit = st.session_state.get(EDIT_PROBLEMS_KEY)
    if edit:
        st.error(
            "That change was not applied:\n" + "\n".join(f"- {escape_markdown(p)}" for p in edit),
            icon="🚫",
        )


# --- helpers -----------------------------------------------------------------------------------


def _options(choices, current):
    """The offered choices plus the current value (a link may hold an in-between value)."""
    return sorted(set(choices) | {current})


def _match(options, value):
    """The option equal to ``value`` (0 and 0.0 are the same choice)."""
    for option in options:
        if option == value:
            return option
    return value


def _seed(key: str, value) -> None:
    # Written before the widget is drawn, so the widget always shows the spec.
    st.session_state[key] = value


def _from_widget(name: str, key: str) -> None:
    value = st.session_state.get(key)
    if value is None:
        return
    update_spec(**{name: FIELDS[name].parse(value)})


def _set_units(index: int) -> None:
    value = st.session_state.get(f"train_units_{index}")
    if value is None:
        return
    hidden = list(get_spec().hidden)
    if index < len(hidden):
        hidden[index] = int(value)
        update_spec(hidden=tuple(hidden))


def _add_layer() -> None:
    hidden = get_spec().hidden
    if len(hidden) >= MAX_LAYERS:
        st.session_state[EDIT_PROBLEMS_KEY] = [
            f"An autoencoder here has at most {MAX_LAYERS} layers."
        ]
        return
    # The new layer goes next to the bottleneck and starts as narrow as the innermost one.
    update_spec(hidden=(*hidden, min(hidden[-1], NEW_LAYER_UNITS) if hidden else NEW_LAYER_UNITS))


def _remove_layer() -> None:
    hidden = get_spec().hidden
    if len(hidden) <= 1:
        st.session_state[EDIT_PROBLEMS_KEY] = ["The encoder needs at least one hidden layer."]
        return
    update_spec(hidden=hidden[:-1])


def _on_preset() -> None:
    key = st.session_state.get(PRESET_WIDGET)
    if key is None:
        return
    # The whole spec but the seed: a preset is a recipe, the seed only picks one run of it.
    set_spec(preset_spec(key, get_spec()))
    st.session_state[EDITED_KEY] = True
    st.session_state.pop(EDIT_PROBLEMS_KEY, None)
    st.session_state.pop(LINK_PROBLEMS_KEY, None)


# --- presets -----------------------------------------------------------------------------------


def presets(spec: Spec) -> None:
    """Named recipes, one click each; the one the settings match is highlighted."""
    _seed(PRESET_WIDGET, matching_preset(spec))
    st.segmented_control(
        "Start from a preset",
        list(PRESETS),
        format_func=lambda key: PRESETS[key].label,
        key=PRESET_WIDGET,
        on_change=_on_preset,
        required=True,
        help="Each preset sets every setting below except the seed:\n\n"
        + "\n\n".join(f"**{p.label}**: {p.demonstrates}" for p in PRESETS.values()),
    )


def preset_note(spec: Spec) -> None:
    """One line under the presets: what the chosen one demonstrates, or that none matches."""
    current = matching_preset(spec)
    if current is None:
        st.caption(
            "Your own settings: no preset matches them. Pick one to start again from a recipe."
        )
    else:
        st.caption(f"**{PRESETS[current].label}** · {PRESETS[current].demonstrates}")


# --- the composer ------------------------------------------------------------------------------


def composer(spec: Spec) -> None:
    """Hidden layers with +/- controls, the bottleneck, activations and the live diagram."""
    st.markdown("**Encoder layers** · the decoder mirrors them in reverse")
    per_row = 3
    for start in range(0, len(spec.hidden), per_row):
        cols = st.columns(per_row)
        for i in range(start, min(start + per_row, len(spec.hidden))):
            key = f"train_units_{i}"
            _seed(key, int(spec.hidden[i]))
            cols[i - start].number_input(
                f"Layer {i + 1} units",
                min_value=FIELDS["hidden"].low,
                max_value=MAX_UNITS,
                step=1,
                key=key,
                on_change=_set_units,
                args=(i,),
                help=f"Neurons in encoder layer {i + 1} (1 to {MAX_UNITS}).",
            )

    add, remove = st.columns(2)
    full, single = len(spec.hidden) >= MAX_LAYERS, len(spec.hidden) <= 1
    add.button(
        "➕ Add layer",
        key="train_add_layer",
        on_click=_add_layer,
        disabled=full,
        width="stretch",
        help=f"Add a layer next to the bottleneck (up to {MAX_LAYERS}).",
    )
    remove.button(
        "➖ Remove layer",
        key="train_remove_layer",
        on_click=_remove_layer,
        disabled=single,
        width="stretch",
        help="Remove the layer next to the bottleneck.",
    )
    if full:
        st.caption(f"Maximum of {MAX_LAYERS} layers reached.")
    elif single:
        st.caption("One hidden layer is the minimum.")

    for column, name in zip(st.columns(len(NETWORK)), NETWORK, strict=True):
        setting(spec, name, column)

    st.vega_lite_chart(
        spec=charts.network_spec(spec.hidden, spec.latent, input_size=spec.length),
        width="stretch",
    )
    st.caption(f"{spec.layer_path(mark_latent='**')} · {spec.weight_count:,} trainable weights")


# --- training and data settings ----------------------------------------------------------------


def widget_kind(f: Field) -> str:
    """The Streamlit widget for a field: free numbers get a number box, a few numbers buttons,
    a percentage a slider (it reads as a scale), and every longer list a drop-down."""
    if not f.offered:
        return "number_input"
    if f.kind != "choice" and len(f.offered) <= 3:
        return "segmented_control"
    return "select_slider" if f.unit == "%" else "selectbox"


def setting(spec: Spec, name: str, container=st):
    """Draw the widget of spec field ``name`` (key ``train_<name>``), seeded from the spec.

    Every edit goes back through ``update_spec``, which refuses and reports invalid values.
    """
    f, key, value = FIELDS[name], f"train_{name}", getattr(spec, name)
    kind = widget_kind(f)
    common = {
        "key": key,
        "on_change": _from_widget,
        "args": (name, key),
        # The rate means nothing without a penalty to scale.
        "disabled": name == "regularizer_rate" and spec.regularizer == "none",
    }
    if kind == "number_input":
        _seed(key, value)
        return container.number_input(
            f.label,
            min_value=f.low,
            max_value=f.high,
            step=1,
            help=f"{f.help} From {f.bounds_text()}.",
            **common,
        )
    options = f.offered if f.kind == "choice" else _options(f.offered, value)
    _seed(key, _match(options, value))
    if kind == "segmented_control":
        common["required"] = True
    widget = getattr(container, kind)
    return widget(f.label, options, format_func=f.display, help=f.help, **common)


def parameters(spec: Spec) -> None:
    """Training and data settings: the original Anomagram's choices, plus the seed."""
    train_col, data_col = st.columns(2, gap="medium")
    with train_col:
        st.markdown("**Training**")
        for name in TRAINING:
            setting(spec, name)
    with data_col:
        st.markdown("**Data**")
        for name in DATA:
            setting(spec, name)
