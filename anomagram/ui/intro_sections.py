"""The sections of the Introduction page, top to bottom, each an idea with its live visual.

Interactive sections are ``st.fragment``s: moving a slider or picking a beat reruns that section
only, not the whole (chart-heavy) page. Widget values use ``persist_state="session"`` so a visitor
finds the page as they left it after visiting another page.
"""

from __future__ import annotations

import time
from functools import partial
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from anomagram import charts, metrics
from anomagram.data import CLASS_NAMES, SHORT_CLASS_NAMES
from anomagram.ui import intro_charts, intro_data, intro_specs
from anomagram.ui.common import resources
from anomagram.ui.common.tiles import confusion_caption, fmt, metric_tiles
from anomagram.ui.intro_model import model_or_defer
from anomagram.ui.streamlit_patches import is_fragment_rerun

SECTIONS = [
    ("try-it", "Try it"),
    ("draw", "Draw your own"),
    ("lesson", "How it works, step by step"),
]
PAGES = {
    "train": "pages/train.py",
    "experiments": "pages/experiments.py",
    "score": "pages/score.py",
}
FILTER_ALL = 0
RULE_COLORS = {"labels": "#222222", "mean_std": "#009E73", "percentile": "#CC79A7"}


def section_header(number: int, title: str, anchor: str) -> None:
    st.header(f"{number} · {title}", anchor=anchor, divider="gray")


def page_link(page: str, label: str, params: dict | None = None) -> None:
    """A link to another page with settings pre-filled through the query string.

    ``st.page_link`` navigates inside the session (nothing the visitor made is lost); it only
    knows pages registered with ``st.navigation``, so when this page runs alone (AppTest)
    a plain link stands in.
    """
    try:
        st.page_link(PAGES[page], label=label, query_params=params or None)
    except StreamlitAPIException:
        query = f"?{urlencode(params)}" if params else ""
        st.markdown(f"[{label}](/{page}{query})")


# --- hero ----------------------------------------------------------------------------------------


def hero() -> None:
    summary = resources.replay().summary
    table = resources.class_table()
    st.title("🫀 Anomagram: spotting unusual heartbeats")
    text, numbers = st.columns([1.7, 1], gap="large")
    with text:
        st.markdown(
            "An **autoencoder** is a small neural network that learns to squeeze a signal "
            "down to a few numbers and redraw it. Train it only on **normal** heartbeats and it "
            "becomes good at redrawing normal beats and bad at everything else, so **how badly "
            "it redraws a beat tells you how unusual that beat is**. This page walks through "
            "the idea with a model trained on real ECG recordings: click beats, draw your own, "
            "and watch the numbers move."
        )
        st.warning(
            "**Demonstration only, not for medical use.** Nothing here can diagnose anyone; "
            "it teaches a machine-learning technique with a public research dataset.",
            icon="⚠️",
        )
    with numbers:
        # One HTML block rather than four st.metric tiles: same look, but the tiles (their
        # own script chunk, help tooltips) cost ~0.4 s of the first screen (A/B: -10 %).
        intro_specs.show_html(
            intro_charts.stats_html(
                [
                    ("Heartbeats in ECG5000", f"{int(table['beats'].sum()):,}", ""),
                    ("Samples per beat", "140", ""),
                    ("Model AUC", f"{summary['auc']:.3f}", "1 is perfect, 0.5 a coin toss"),
                    ("Judged right", f"{summary['accuracy']:.1%}", "of 500 unseen test beats"),
                ]
            )
        )
    links = " · ".join(f"[{name}](#{anchor})" for anchor, name in SECTIONS)
    st.markdown(f"**On this page:** {links}")


# --- 1. try it -----------------------------------------------------------------------------------


def _filter_label(code: int) -> str:
    ts = intro_data.test_set()
    if code == FILTER_ALL:
        return f"All ({len(ts.classes)})"
    return f"{SHORT_CLASS_NAMES[code]} ({int((ts.classes == code).sum())})"


def _first_shown() -> int:
    state = st.session_state
    return intro_data.gallery_indices(
        state.get("intro_filter") or FILTER_ALL, state.get("intro_shuffle", 0)
    )[0]


def _on_filter() -> None:
    st.session_state["intro_shuffle"] = 0
    st.session_state["intro_beat"] = _first_shown()


def _on_shuffle() -> None:
    st.session_state["intro_shuffle"] = st.session_state.get("intro_shuffle", 0) + 1


def _on_gallery_click(chart_key: str) -> None:
    event = st.session_state.get(chart_key)
    try:
        points = event["selection"][intro_charts.GALLERY_SELECTION]
    except (KeyError, TypeError):
        return
    if points:
        st.session_state["intro_beat"] = int(points[0]["beat"])


@st.fragment
def try_it() -> None:
    state = st.session_state
    ts = intro_data.test_set()
    threshold = intro_data.shipped().threshold
    st.markdown(
        "Below are real heartbeats the model never saw while training. An **anomaly** here is "
        "any beat that is not a normal one: the four other classes are different kinds of "
        "premature or irregular beats. **Click a beat** to see how the model redraws it."
    )
    code = st.segmented_control(
        "Show test beats of class",
        options=[FILTER_ALL, 1, 2, 3, 4, 5],
        format_func=_filter_label,
        default=FILTER_ALL,
        required=True,
        key="intro_filter",
        on_change=_on_filter,
        persist_state="session",
    )
    code = FILTER_ALL if code is None else code
    shown = intro_data.gallery_indices(code, state.get("intro_shuffle", 0))
    choices = intro_data.members(code)
    if state.get("intro_beat") not in choices:
        state["intro_beat"] = shown[0]
    beat = int(state["intro_beat"])

    left, right = st.columns([1, 1.15], gap="large")
    with left:
        spec = intro_charts.gallery_spec(
            ts.scaled[shown],
            shown,
            ts.classes[shown],
            ts.flagged[shown],
            ts.errors[shown],
            selected=beat,
            frame=intro_data.frame(),
        )
        # A new key per selection: the chart starts with no selection, so clicking any panel
        # (even the one clicked last time) is a change that fires the callback.
        chart_key = f"intro_gallery_{code}_{state.get('intro_shuffle', 0)}_{beat}"
        intro_specs.show(
            spec,
            key=chart_key,
            on_select=partial(_on_gallery_click, chart_key),
            selection_mode=intro_charts.GALLERY_SELECTION,
        )
        intro_specs.show_html(
            "<div style='font-size:.85rem;color:#555'>Line colour: the true class<br>Dot: the "
            f"model's verdict, <span style='color:{charts.NORMAL_COLOR}'>●</span> normal or "
            f"<span style='color:{charts.ABNORMAL_COLOR}'>●</span> abnormal</div>"
        )
        row = st.container(horizontal=True, gap="small")
        # In a popover the picker is mounted only when opened, so the first screen does not
        # wait for the browser to fetch and run the selectbox's scripts (A/B: -11 %).
        with row.popover("🔢 Pick a beat by number", width="stretch"):
            st.selectbox(
                "Any test beat of this class",
                options=choices,
                format_func=lambda i: f"#{i} · {SHORT_CLASS_NAMES[int(ts.classes[i])]}",
                key="intro_beat",
                persist_state="session",
            )
        row.button("🔀 Other beats", key="intro_shuffle_btn", on_click=_on_shuffle, width="stretch")
    with right:
        _inference_panel(beat, threshold)


def _inference_panel(beat: int, threshold: float) -> None:
    ts = intro_data.test_set()
    true_class = int(ts.classes[beat])
    st.subheader(f"Test beat #{beat} · {CLASS_NAMES.get(true_class, '?')}")
    if not model_or_defer("The model's reconstruction"):
        intro_specs.show(intro_specs.beat_input(beat))
        return
    spec, error = intro_specs.beat(beat)
    intro_specs.show_html(intro_charts.verdict_html(error, threshold, true_class=true_class))
    intro_specs.show(spec)


# --- 3. how it works ----------------------------------------------------------------------------


def how_it_works() -> None:
    spec = intro_data.shipped().spec
    sizes = " → ".join(str(u) for u in (140, *spec.hidden, spec.latent, *spec.hidden[::-1], 140))
    st.markdown(
        f"The pretrained model is a chain of small layers: **{sizes}** numbers. It is trained "
        "to output exactly what it was given, which sounds pointless until you notice the "
        "narrow middle."
    )
    intro_specs.show(intro_specs.network())
    enc, mid, dec = st.columns(3, gap="large")
    enc.markdown(
        "**Encoder** · squeezes the 140 samples of a beat through layers of "
        f"{' and '.join(str(u) for u in spec.hidden)} units. Each layer keeps a summary of "
        "what it received and throws detail away."
    )
    mid.markdown(
        f"**Bottleneck (z)** · just **{spec.latent} numbers** per beat. There is no room to "
        "store a whole beat, so training pushes the network to keep only what normal beats "
        "have in common."
    )
    dec.markdown(
        "**Decoder** · the mirror image: it expands the bottleneck back to 140 samples and "
        "draws its best guess of the original beat, the *reconstruction*."
    )
    st.markdown(
        "Training shows the network thousands of **normal** beats and nudges its weights to "
        "make the difference between input and reconstruction (the *mean squared error*) "
        "small. It never sees what an abnormal beat looks like. So when one arrives, the "
        "decoder still draws something normal-looking, the difference is large, and that "
        "**reconstruction error becomes the anomaly score**: above a chosen threshold, the "
        "beat is flagged."
    )
    if model_or_defer("The bottleneck map"):
        left, right = st.columns([1.4, 1], gap="large")
        with left:
            intro_specs.show(intro_specs.latent())
        right.markdown(
            "Each dot is one test beat, placed by its two bottleneck numbers. Here the dots "
            "almost fall on one line: the encoder found a single main direction for what "
            "varies between beats, with normal beats gathered at one end and most abnormal "
            "ones towards the other.\n\nThe model was trained without labels: the colours "
            "come from the dataset, not from the network."
        )


# --- 4. the data ---------------------------------------------------------------------------------


def the_data() -> None:
    table = resources.class_table()
    ts = intro_data.test_set()
    shipped = intro_data.shipped()
    total = int(table["beats"].sum())
    abnormal_share = float(table.loc[table["class"] != 1, "share"].sum())
    left, right = st.columns([1, 1.3], gap="large")
    with left:
        st.markdown(
            f"**ECG5000** holds **{total:,} heartbeats** cut from one long electrocardiogram "
            "recording of a patient with severe congestive heart failure. Every beat was "
            "stretched to the same length of **140 samples**, normalised, and labelled by "
            f"cardiologists with one of five classes. **{abnormal_share:.0%}** of the beats are "
            "not normal."
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Class": table["class"],
                    "Name": [SHORT_CLASS_NAMES[int(c)] for c in table["class"]],
                    "Beats": table["beats"],
                    "Share": table["share"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Share": st.column_config.ProgressColumn(
                    "Share", format="percent", min_value=0.0, max_value=1.0
                ),
            },
        )
        st.markdown(
            "The model is trained on normal beats only, and tested on 500 beats it has never "
            f"seen, {int(ts.abnormal.sum())} of them abnormal."
        )
        lo, hi = shipped.scaler.minimum, shipped.scaler.maximum
        st.markdown(
            "**Preparing the numbers: min-max scaling.** Before training, every value is "
            f"mapped into 0-1: the lowest value in the **training beats** ({lo:.2f}) becomes 0 "
            f"and the highest ({hi:.2f}) becomes 1. The network's last layer is a *sigmoid*, "
            "which can only output 0-1, so input and output live on the same scale. The two "
            "numbers come from the training beats only: test beats, uploads and your drawings "
            "are scaled with the same two numbers, so nothing about the test data leaks into "
            "training. Below, the same beat before and after."
        )
    with right:
        intro_specs.show(intro_specs.beats_by_class())
    example = int(np.flatnonzero(~ts.abnormal)[0])
    intro_specs.show(intro_specs.scaling(example))


# --- 5. replay -----------------------------------------------------------------------------------


def _replay_numbers(box, epoch: int) -> None:
    replay = resources.replay()
    errors, abnormal = replay.errors[epoch], replay.classes != 1
    auc = intro_data.replay_aucs()[epoch]
    with box.container():
        st.metric("Epoch", f"{epoch} / {replay.epochs}")
        st.metric(
            "AUC",
            fmt(auc),
            help="1: abnormal beats always have the larger error. 0.5: no better than chance. "
            "Below 0.5 the order is reversed; at epoch 0 all errors are nearly equal, so tiny "
            "differences decide it.",
        )
        st.metric("Mean error, normal", f"{errors[~abnormal].mean():.4f}")
        st.metric("Mean error, abnormal", f"{errors[abnormal].mean():.4f}")


@st.fragment
def training_replay() -> None:
    state = st.session_state
    replay = resources.replay()
    last = replay.epochs
    goto = state.pop("intro_replay_goto", None)
    if goto is not None:
        state["intro_epoch"] = goto
    elif "intro_epoch" not in state:
        state["intro_epoch"] = 0
    st.markdown(
        "While training the shipped model we recorded the error of each of the 500 test beats "
        "after every epoch (one pass over the training beats). Press **Play**: at epoch 0 the "
        "untrained network redraws every beat equally badly and the two colours sit in one "
        "pile. Within a few epochs the normal beats' errors shrink while the abnormal ones "
        "stay high, and the piles pull apart. That gap is what makes a threshold possible."
    )
    controls = st.columns([1, 6], vertical_alignment="bottom")
    play = controls[0].button("▶ Play", key="intro_play", type="primary", width="stretch")
    epoch = controls[1].slider("Epoch", 0, last, key="intro_epoch", persist_state="session")
    chart_col, numbers_col = st.columns([4, 1], gap="medium")
    chart_box, numbers_box = chart_col.empty(), numbers_col.empty()
    if not play:
        chart_box.vega_lite_chart(spec=intro_specs.replay_histogram(epoch), width="stretch")
        _replay_numbers(numbers_box, epoch)
        return
    start = 0 if epoch >= last else epoch
    for e in range(start, last + 1):
        chart_box.vega_lite_chart(spec=intro_specs.replay_histogram(e), width="stretch")
        _replay_numbers(numbers_box, e)
        time.sleep(0.12)
    state["intro_replay_goto"] = last
    # Move the slider to where the animation stopped (a widget cannot be set after it is drawn).
    st.rerun(scope="fragment" if is_fragment_rerun() else "app")


# --- 6. thresholds ------------------------------------------------------------------------------


@st.fragment
def thresholds() -> None:
    ts = intro_data.test_set()
    st.markdown(
        "The error is a score; a verdict needs a line. Where to draw it depends on what you "
        "know. **With a few labelled beats**, try every line and keep the one that gets most "
        "of them right. **Without labels**, look only at the errors on the training beats "
        "(which are assumed normal) and call anything much larger unusual: above their mean "
        "plus *k* standard deviations, or above a high percentile."
    )
    c1, c2, c3 = st.columns(3, gap="large")
    labelled = c1.select_slider(
        "Labelled beats you can afford",
        options=[10, 20, 50, 100, 200, 500],
        value=50,
        key="intro_labelled",
        persist_state="session",
        help="A random sample of the test beats whose true label you know.",
    )
    k = c2.slider("k (mean + k·std)", 0.5, 5.0, 2.0, 0.5, key="intro_k", persist_state="session")
    q = c3.slider("Percentile", 80.0, 99.5, 95.0, 0.5, key="intro_q", persist_state="session")
    sample = np.random.default_rng(7).permutation(len(ts.errors))[:labelled]
    rules = [
        (
            f"Best accuracy, {labelled} labels",
            metrics.best_accuracy_threshold(ts.abnormal[sample], ts.errors[sample]),
            RULE_COLORS["labels"],
            "yes",
        )
    ]
    if model_or_defer("The label-free thresholds"):
        train = intro_data.train_errors()
        rules += [
            (
                f"Mean + {k:g}·std (no labels)",
                metrics.mean_std_threshold(train, k),
                RULE_COLORS["mean_std"],
                "no",
            ),
            (
                f"{q:g}th percentile (no labels)",
                metrics.percentile_threshold(train, q),
                RULE_COLORS["percentile"],
                "no",
            ),
        ]
    rows = []
    for label, t, _, _ in rules:
        m = metrics.metrics_at(ts.abnormal, ts.errors, t)
        rows.append(
            {
                "Strategy": label,
                "Threshold": t,
                "Accuracy": 100 * m.accuracy,
                "Recall": 100 * m.recall,
                "False alarms": m.fp,
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "Strategy": st.column_config.TextColumn(width="medium"),
            "Threshold": st.column_config.NumberColumn(format="%.4f"),
            "Accuracy": st.column_config.NumberColumn(format="%.1f %%"),
            "Recall": st.column_config.NumberColumn(
                format="%.1f %%", help="Share of abnormal beats caught"
            ),
            "False alarms": st.column_config.NumberColumn(
                help=f"Normal beats flagged as abnormal (out of {int((~ts.abnormal).sum())})"
            ),
        },
    )
    st.caption(
        "Scored on all 500 test beats. Fewer labels make the best-accuracy line jumpier; the "
        "label-free lines move with k and the percentile, trading false alarms against "
        "missed beats."
    )
    intro_specs.show(
        intro_specs.threshold_rules(
            tuple((label, float(t), color) for label, t, color, _ in rules),
            float(np.percentile(ts.errors, 99.5)),
        )
    )


# --- 7. beyond accuracy --------------------------------------------------------------------------


def _reset_threshold() -> None:
    st.session_state["intro_thr"] = intro_data.shipped().threshold


@st.fragment
def beyond_accuracy() -> None:
    ts = intro_data.test_set()
    shipped_t = intro_data.shipped().threshold
    roc = intro_data.test_roc()
    lazy = metrics.metrics_at(ts.abnormal, ts.errors, np.inf)
    st.markdown(
        f"Imagine a lazy model that calls **every** beat normal. On our test beats it is "
        f"**{lazy.accuracy:.1%} accurate**, because {lazy.accuracy:.1%} of them are normal, "
        "and it catches **none** of the abnormal ones. The rarer the anomalies, the better "
        "such a useless model looks (with 1 % anomalies it scores 99 %). So we also ask: of "
        "the abnormal beats, how many were caught (**recall**)? Of the beats flagged, how many "
        "were really abnormal (**precision**)? Move the threshold and watch them pull against "
        "each other."
    )
    controls = st.columns([3.2, 2, 0.8], vertical_alignment="bottom", gap="medium")
    upper = float(np.percentile(ts.errors, 99.5))
    if "intro_thr" not in st.session_state:
        st.session_state["intro_thr"] = shipped_t
    threshold = controls[0].slider(
        "Threshold on the reconstruction error",
        0.0,
        round(upper, 4),
        step=0.0001,
        format="%.4f",
        key="intro_thr",
        persist_state="session",
    )
    beta = controls[1].segmented_control(
        "F-beta: β (weight of recall)",
        options=[0.5, 1.0, 2.0],
        format_func=lambda b: f"{b:g}",
        default=1.0,
        required=True,
        key="intro_beta",
        persist_state="session",
        help="F-beta blends precision and recall; β = 2 counts recall twice as much.",
    )
    controls[2].button(
        "Reset",
        key="intro_thr_reset",
        on_click=_reset_threshold,
        width="stretch",
        help="Back to the shipped model's threshold (best accuracy).",
    )
    beta = 1.0 if beta is None else float(beta)
    m = metrics.metrics_at(ts.abnormal, ts.errors, threshold, beta=beta)
    reference = metrics.metrics_at(ts.abnormal, ts.errors, shipped_t, beta=beta)
    metric_tiles(
        m,
        roc.auc,
        keys=("accuracy", "precision", "recall", "fbeta", "auc", "tpr", "tnr", "fpr", "fnr"),
        per_row=5,
        previous=reference,
    )
    st.caption(
        f"{confusion_caption(m)}. Arrows compare with the shipped threshold "
        f"({shipped_t:.4f}). AUC does not depend on the threshold: it sums up every possible one."
    )
    hist, roc_spec = intro_specs.threshold_views(float(threshold), upper)
    hist_col, roc_col = st.columns(2, gap="large")
    with hist_col:
        intro_specs.show(hist)
    with roc_col:
        intro_specs.show(roc_spec)


# --- 8. insights ---------------------------------------------------------------------------------


def insights() -> None:
    pca = intro_data.pca()
    auc = intro_data.test_roc().auc
    st.markdown(
        "What the original Anomagram found by experimenting, as experiments you can rerun "
        "here. Each link opens a page with the setting already filled in; results vary a "
        "little with the seed, which is why the Experiments page repeats runs."
    )
    cards = [
        (
            "Optimizers",
            "Adam usually reaches a low loss in far fewer epochs than plain SGD or Adadelta "
            "at the same learning rate.",
            [
                ("train", "Train with SGD", {"optimizer": "sgd"}),
                (
                    "experiments",
                    "Compare optimizers over 3 seeds",
                    {"param": "optimizer", "values": "adam,sgd,rmsprop,adadelta", "seeds": 3},
                ),
            ],
        ),
        (
            "Batch size",
            "Smaller batches mean more weight updates per epoch and more time, without a clear "
            "gain in how well the model separates the beats.",
            [
                ("train", "Train with batch size 64", {"batch_size": 64}),
                (
                    "experiments",
                    "Sweep batch sizes",
                    {"param": "batch_size", "values": "64,256,1024", "seeds": 3},
                ),
            ],
        ),
        (
            "Bigger models and regularisation",
            "A larger network can memorise its training beats (validation loss stops "
            "improving while training loss keeps falling); an L2 penalty on the weights helps.",
            [
                (
                    "train",
                    "Train a large model with L2",
                    {"hidden": "64,32,16", "regularizer": "l2"},
                ),
                (
                    "experiments",
                    "Compare regularisers",
                    {"param": "regularizer", "values": "none,l1,l2", "seeds": 3},
                ),
            ],
        ),
        (
            "Dirty training data",
            "The method assumes training beats are normal. Mix abnormal beats in and the model "
            "learns to redraw them too: the AUC falls as their share grows.",
            [
                ("train", "Train with 50 % abnormal beats", {"abnormal_pct": 50}),
                (
                    "experiments",
                    "Sweep the abnormal share",
                    {"param": "abnormal_pct", "values": "0,10,30,50,70", "seeds": 3},
                ),
            ],
        ),
    ]
    for row in (cards[:2], cards[2:]):
        cols = st.columns(2, gap="large")
        for col, (title, text, links) in zip(cols, row, strict=True):
            with col.container(border=True):
                st.markdown(f"**{title}** · {text}")
                for page, label, params in links:
                    page_link(page, f"→ {label}", params)

    st.subheader("When an autoencoder is not the right tool")
    latent = intro_data.shipped().spec.latent
    left, right = st.columns([1, 1], gap="large")
    with left:
        better = "higher" if pca.auc > auc else "lower"
        st.markdown(
            "Autoencoders shine when labels are scarce (they train on normal data only) and "
            "when anomalies come in kinds nobody has seen yet. But check a simpler model "
            f"first. On this very test set, plain **PCA** with {latent} components (a linear "
            f"squeeze and redraw, no training loop) scores an AUC {better} than the "
            "autoencoder's:"
        )
        a, b = st.columns(2)
        a.metric("Autoencoder AUC", f"{auc:.3f}", help="The pretrained model on the 500 test beats")
        b.metric(
            f"PCA ({latent} components) AUC",
            f"{pca.auc:.3f}",
            f"{pca.auc - auc:+.3f}",
            help="Reconstruction error of PCA fitted on the same training beats",
        )
        st.markdown(
            "For one short, well-aligned signal like a heartbeat, PCA, k-means, "
            "nearest-neighbour distances or a forecasting model such as ARIMA are often as "
            "good, faster and easier to explain. The Experiments page shows the PCA baseline "
            "next to every autoencoder it trains."
        )
    with right:
        st.markdown(
            "**Before using one in production**\n\n"
            "- **Stationary data**: the model learns what normal looked like in its training "
            "data. If the sensor, the patient or the process drifts, normal changes, and the "
            "model and threshold need retraining.\n"
            "- **Comparable windows**: signals must be cut into pieces that line up, here one "
            "beat of 140 samples, centred and normalised the same way as the training data.\n"
            "- **Monitoring**: watch the share of flagged inputs; a sudden change is as likely "
            "to mean drift as a wave of anomalies."
        )
        page_link("score", "→ Score your own beats with a model", None)
