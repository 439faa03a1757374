"""The model composer and the training/data settings of the Train page.

The session's ``Spec`` (``state.get_spec``) is the only thing these widgets edit. Each widget's
value is seeded from the spec before it is drawn and every change goes back through
``update_spec``, so a spec arriving from elsewhere (a shared link, another page, Restore
defaults) shows up in the widgets, and the spec is mirrored to the URL's query string.
"""

from __future__ import annotations

import streamlit as st

from anomagram import charts
from anomagram.spec import (
    ABNORMAL_PCT_CHOICES,
    ACTIVATIONS,
    BATCH_SIZE_CHOICES,
    EPOCH_CHOICES,
    LEARNING_RATE_CHOICES,
    MAX_LATENT,
    MAX_LAYERS,
    MAX_UNITS,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    REGULARIZERS,
    TEST_SIZE_CHOICES,
    TRAIN_SIZE_CHOICES,
    Spec,
    SpecError,
)
from anomagram.ui.common.state import get_spec, set_spec

SPEC_FIELDS = tuple(Spec().to_dict())
EDITED_KEY = "train_spec_edited"
LINK_PROBLEMS_KEY = "train_link_problems"
EDIT_PROBLEMS_KEY = "train_edit_problems"

OPTIMIZER_LABELS = {
    "adam": "Adam",
    "adamax": "Adamax",
    "adadelta": "Adadelta",
    "rmsprop": "RMSprop",
    "momentum": "Momentum (0.9)",
    "sgd": "SGD",
}
REGULARIZER_LABELS = {"none": "None", "l1": "L1", "l2": "L2", "l1l2": "L1 + L2"}
REGULARIZER_RATE_CHOICES = (0.0001, 0.001, 0.01, 0.1)
ACTIVATION_LABELS = {
    "relu": "ReLU",
    "elu": "ELU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "linear": "linear (none)",
}
NEW_LAYER_UNITS = 3


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
            spec = Spec.from_query_params(url)
        except SpecError as exc:
            st.session_state[LINK_PROBLEMS_KEY] = exc.problems
        else:
            set_spec(spec)
            st.session_state.pop(LINK_PROBLEMS_KEY, None)
    write_query_params(spec)
    return spec


def write_query_params(spec: Spec) -> None:
    wanted = spec.to_query_params()
    params = st.query_params
    for name in SPEC_FIELDS:
        if name in wanted:
            if params.get(name) != wanted[name]:
                params[name] = wanted[name]
        elif name in params:
            del params[name]


def show_problems() -> None:
    link = st.session_state.get(LINK_PROBLEMS_KEY)
    if link:
        st.warning(
            "The settings in this link could not be used, so the current settings were kept:\n"
            + "\n".join(f"- {p}" for p in link),
            icon="⚠️",
        )
    edit = st.session_state.get(EDIT_PROBLEMS_KEY)
    if edit:
        st.error("That change was not applied:\n" + "\n".join(f"- {p}" for p in edit), icon="🚫")


# --- helpers -----------------------------------------------------------------------------------


def weight_count(spec: Spec) -> int:
    sizes = [140, *spec.hidden, spec.latent, *spec.hidden[::-1], 140]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))


def layer_path(spec: Spec) -> str:
    inner = [*spec.hidden, f"**{spec.latent}**", *spec.hidden[::-1]]
    return " → ".join(str(u) for u in (140, *inner, 140))


def _options(choices, current):
    """The offered choices plus the current value (a link may hold an in-between value)."""
    return sorted(set(choices) | {current})


def _seed(key: str, value) -> None:
    # Written before the widget is drawn, so the widget always shows the spec.
    st.session_state[key] = value


def _from_widget(field: str, key: str, cast=None) -> None:
    value = st.session_state.get(key)
    if value is None:
        return
    update_spec(**{field: cast(value) if cast else value})


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


def _restore_defaults() -> None:
    set_spec(Spec())
    st.session_state[EDITED_KEY] = True
    st.session_state.pop(EDIT_PROBLEMS_KEY, None)


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
                min_value=1,
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

    latent, act, out = st.columns(3)
    _seed("train_latent", int(spec.latent))
    latent.number_input(
        "Bottleneck (z)",
        min_value=1,
        max_value=MAX_LATENT,
        step=1,
        key="train_latent",
        on_change=_from_widget,
        args=("latent", "train_latent", int),
        help=(
            "How many numbers each beat is squeezed into. Small = strong compression; "
            f"1 to {MAX_LATENT}."
        ),
    )
    _seed("train_activation", spec.activation)
    act.selectbox(
        "Hidden activation",
        ACTIVATIONS,
        key="train_activation",
        format_func=ACTIVATION_LABELS.get,
        on_change=_from_widget,
        args=("activation", "train_activation"),
        help="The non-linearity inside each hidden layer.",
    )
    _seed("train_output_activation", spec.output_activation)
    out.selectbox(
        "Output activation",
        OUTPUT_ACTIVATIONS,
        key="train_output_activation",
        format_func=ACTIVATION_LABELS.get,
        on_change=_from_widget,
        args=("output_activation", "train_output_activation"),
        help="Sigmoid matches the beats' 0-1 scaling; linear lets outputs leave that range.",
    )

    st.vega_lite_chart(spec=charts.network_spec(spec.hidden, spec.latent), width="stretch")
    st.caption(f"{layer_path(spec)} · {weight_count(spec):,} trainable weights")


# --- training and data settings ----------------------------------------------------------------


def _setting(spec: Spec, widget, label: str, *options, field: str, cast=None, value=None, **kwargs):
    """Draw one spec setting: seeded from the spec, edits go back through ``update_spec``.

    The widget key is ``train_<field>``; ``value`` overrides what the spec holds (when the
    widget shows an equal option of another type, like 0 for 0.0).
    """
    key = f"train_{field}"
    _seed(key, getattr(spec, field) if value is None else value)
    args = (field, key) if cast is None else (field, key, cast)
    return widget(label, *options, key=key, on_change=_from_widget, args=args, **kwargs)


def _fmt_g(value) -> str:
    return f"{value:g}"


def parameters(spec: Spec) -> None:
    """Training and data settings: the original Anomagram's choices, plus the seed."""
    train_col, data_col = st.columns(2, gap="medium")
    with train_col:
        st.markdown("**Training**")
        _setting(
            spec,
            st.segmented_control,
            "Steps (epochs)",
            _options(EPOCH_CHOICES, spec.epochs),
            field="epochs",
            cast=int,
            required=True,
            help="Epochs per Train click; one step is one pass over the training beats.",
        )
        _setting(
            spec,
            st.selectbox,
            "Optimizer",
            OPTIMIZERS,
            field="optimizer",
            format_func=OPTIMIZER_LABELS.get,
            help="How the weights are nudged after each batch. Adam uses beta1 = 0.5.",
        )
        _setting(
            spec,
            st.selectbox,
            "Learning rate",
            _options(LEARNING_RATE_CHOICES, spec.learning_rate),
            field="learning_rate",
            cast=float,
            format_func=_fmt_g,
            help="Size of each weight update. Too large can make training diverge.",
        )
        _setting(
            spec,
            st.selectbox,
            "Batch size",
            _options(BATCH_SIZE_CHOICES, spec.batch_size),
            field="batch_size",
            cast=int,
            help="Beats per weight update. Smaller batches take longer per step.",
        )
        _setting(
            spec,
            st.selectbox,
            "Regularizer",
            REGULARIZERS,
            field="regularizer",
            format_func=REGULARIZER_LABELS.get,
            help="A penalty on large weights that can stop the model from overfitting.",
        )
        _setting(
            spec,
            st.selectbox,
            "Regularization rate",
            _options(REGULARIZER_RATE_CHOICES, spec.regularizer_rate),
            field="regularizer_rate",
            cast=float,
            format_func=_fmt_g,
            disabled=spec.regularizer == "none",
            help="How strongly large weights are penalised.",
        )

    with data_col:
        st.markdown("**Data**")
        _setting(
            spec,
            st.segmented_control,
            "Training beats",
            _options(TRAIN_SIZE_CHOICES, spec.train_size),
            field="train_size",
            cast=int,
            required=True,
            help="Beats the autoencoder learns from.",
        )
        _setting(
            spec,
            st.segmented_control,
            "Test beats",
            _options(TEST_SIZE_CHOICES, spec.test_size),
            field="test_size",
            cast=int,
            required=True,
            help="Held-out beats (normal and abnormal) used for every chart below.",
        )
        pct_options = _options(ABNORMAL_PCT_CHOICES, spec.abnormal_pct)
        _setting(
            spec,
            st.select_slider,
            "Abnormal beats mixed into training",
            pct_options,
            field="abnormal_pct",
            cast=float,
            value=_match(pct_options, spec.abnormal_pct),
            format_func=lambda v: f"{v:g} %",
            help=(
                "Autoencoders are meant to learn from normal beats only. Mix in abnormal ones "
                "to see how contamination hurts detection."
            ),
        )
        _setting(
            spec,
            st.number_input,
            "Seed",
            field="seed",
            cast=int,
            value=int(spec.seed),
            min_value=0,
            max_value=2**31 - 1,
            step=1,
            help="Fixes the data draw and the starting weights: same seed, same run.",
        )
        st.button(
            "↩️ Restore defaults",
            key="train_defaults",
            on_click=_restore_defaults,
            help="Go back to Anomagram's default settings.",
        )


def _match(options, value):
    """The option equal to ``value`` (0 and 0.0 are the same choice)."""
    for option in options:
        if option == value:
            return option
    return value
