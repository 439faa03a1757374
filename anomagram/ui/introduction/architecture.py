"""Chapter 3 of the lesson, "How it works": the network's layers, and the bottleneck map."""

from __future__ import annotations

import streamlit as st

from anomagram import charts
from anomagram.data import SEQ_LEN
from anomagram.ui.introduction import page_data
from anomagram.ui.introduction.model_loading import model_or_defer
from anomagram.ui.introduction.views import show


@st.cache_data(show_spinner=False)
def network_spec() -> dict:
    spec = page_data.shipped().spec
    return charts.network_spec(spec.hidden, spec.latent)


@st.cache_data(show_spinner=False)
def latent_spec() -> dict:
    chart = charts.latent_scatter(
        page_data.test_latent(),
        page_data.test_set().classes,
        title="What the bottleneck sees: the 2 numbers of each test beat",
    )
    return charts.to_vega(chart, 340)


def how_it_works() -> None:
    spec = page_data.shipped().spec
    sizes = spec.layer_path()
    st.markdown(
        f"The pretrained model is a chain of small layers: **{sizes}** numbers. It is trained "
        "to output exactly what it was given, which sounds pointless until you notice the "
        "narrow middle."
    )
    show(network_spec())
    enc, mid, dec = st.columns(3, gap="large")
    enc.markdown(
        f"**Encoder** · squeezes the {SEQ_LEN} samples of a beat through layers of "
        f"{' and '.join(str(u) for u in spec.hidden)} units. Each layer keeps a summary of "
        "what it received and throws detail away."
    )
    mid.markdown(
        f"**Bottleneck (z)** · just **{spec.latent} numbers** per beat. There is no room to "
        "store a whole beat, so training pushes the network to keep only what normal beats "
        "have in common."
    )
    dec.markdown(
        f"**Decoder** · the mirror image: it expands the bottleneck back to {SEQ_LEN} samples "
        "and draws its best guess of the original beat, the *reconstruction*."
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
            show(latent_spec())
        right.markdown(
            "Each dot is one test beat, placed by its two bottleneck numbers. Here the dots "
            "almost fall on one line: the encoder found a single main direction for what "
            "varies between beats, with normal beats gathered at one end and most abnormal "
            "ones towards the other.\n\nThe model was trained without labels: the colours "
            "come from the dataset, not from the network."
        )
