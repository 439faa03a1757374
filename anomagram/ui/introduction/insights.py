"""Chapter 8 of the lesson, "Insights": what the original Anomagram found, as experiments one
link away, and when an autoencoder is not the right tool (the PCA baseline)."""

from __future__ import annotations

import streamlit as st

from anomagram.data import SEQ_LEN
from anomagram.ui.common.navigation import page_link
from anomagram.ui.introduction import page_data

# (title, finding, [(page, link label, query params the page starts from)]).
CARDS = [
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
            ("train", "Train a large model with L2", {"hidden": "64,32,16", "regularizer": "l2"}),
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


def insights() -> None:
    st.markdown(
        "What the original Anomagram found by experimenting, as experiments you can rerun "
        "here. Each link opens a page with the setting already filled in; results vary a "
        "little with the seed, which is why the Experiments page repeats runs."
    )
    for row in (CARDS[:2], CARDS[2:]):
        cols = st.columns(2, gap="large")
        for col, (title, text, links) in zip(cols, row, strict=True):
            with col.container(border=True):
                st.markdown(f"**{title}** · {text}")
                for page, label, params in links:
                    page_link(page, f"→ {label}", params=params)
    _not_the_right_tool()


def _not_the_right_tool() -> None:
    pca = page_data.pca()
    auc = page_data.test_roc().auc
    st.subheader("When an autoencoder is not the right tool")
    latent = page_data.shipped().spec.latent
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
            f"beat of {SEQ_LEN} samples, centred and normalised the same way as the training "
            "data.\n"
            "- **Monitoring**: watch the share of flagged inputs; a sudden change is as likely "
            "to mean drift as a wave of anomalies."
        )
        page_link("score", "→ Score your own beats with a model")
