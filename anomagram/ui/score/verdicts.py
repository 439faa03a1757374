"""The threshold fragment of the Score page: the slider, the counts, and the charts and metrics
that compare the verdicts with the user's labels. Moving the threshold reruns only this
fragment and never scores again."""

from __future__ import annotations

import streamlit as st

from anomagram import charts
from anomagram.metrics import metrics_at
from anomagram.ui.common.tiles import confusion_caption, metric_tiles, share
from anomagram.ui.score import logic, trained_on
from anomagram.ui.score.beats import CHART_HEIGHT, beat_by_beat


def _reset_threshold() -> None:
    st.session_state["score_threshold"] = st.session_state["score_scored"]["scored"].model_threshold


def _threshold_slider(current: dict, hi: float, step: float, number_format: str) -> float:
    scored: logic.Scored = current["scored"]
    if st.session_state.get("score_threshold_for") != current["key"]:
        # New results: start at the model's own threshold, with a fresh table selection.
        st.session_state["score_threshold"] = min(scored.model_threshold, hi)
        st.session_state["score_threshold_for"] = current["key"]
        st.session_state["score_result_no"] = st.session_state.get("score_result_no", 0) + 1
        st.session_state.pop("score_selected_line", None)
    st.session_state["score_threshold"] = min(
        max(float(st.session_state["score_threshold"]), 0.0), hi
    )
    c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
    threshold = c1.slider(
        "Threshold: a beat whose reconstruction error is above it is flagged abnormal",
        min_value=0.0,
        max_value=hi,
        step=step,
        format=number_format,
        key="score_threshold",
        persist_state="session",
        help="Moving it only re-labels the beats; nothing is scored again.",
    )
    c2.button(
        "↺ Reset",
        key="score_reset_threshold",
        help=f"Back to the model's own threshold, {scored.model_threshold:.5g}.",
        on_click=_reset_threshold,
        disabled=abs(threshold - scored.model_threshold) < step / 2,
        width="stretch",
    )
    return threshold


def _counts(current: dict, threshold: float, own: bool, flagged) -> None:
    scored: logic.Scored = current["scored"]
    # Rows that could not be read and beats the model could not score (see results._score).
    rejected = len(st.session_state["score_parsed_in_use"]["parsed"].rejected)
    rejected += len(current.get("unscored", ()))
    cols = st.columns(4)
    cols[0].metric("Beats scored", f"{scored.n:,}")
    cols[1].metric(
        "Flagged abnormal",
        f"{int(flagged.sum()):,}",
        f"{share(flagged.mean())} of the beats" if scored.n else None,
        delta_color="off",
        delta_arrow="off",
    )
    cols[2].metric("Rows not scored", f"{rejected:,}", help="Listed above, with the reason.")
    cols[3].metric(
        "Threshold",
        f"{threshold:.4g}",
        "the model's own" if own else f"model's own: {scored.model_threshold:.4g}",
        delta_color="off",
        delta_arrow="off",
        help=f"Scored with: {current['model']}.",
    )


def _against_labels(scored: logic.Scored, summary, threshold: float, own: bool) -> None:
    known = scored.labelled()
    left, right = st.columns(2, gap="large")
    with left:
        st.altair_chart(
            charts.error_histogram(
                scored.errors[known],
                scored.is_abnormal()[known],
                threshold=threshold,
                title="Reconstruction error of your labelled beats",
            ),
            width="stretch",
            key="score_hist",
            height=CHART_HEIGHT,
        )
        st.caption(
            "Each bar counts beats with a similar error, coloured by their label. Everything "
            "right of the dashed line is flagged abnormal."
        )
    with right:
        if scored.ecg5000_classes or scored.classes is not None:
            # The labels are ECG5000's classes or those of the model's dataset.
            style = None if scored.classes is None else trained_on.class_style(scored.classes)
            st.altair_chart(
                charts.per_class_chart(summary.per_class, summary.class_counts, classes=style),
                width="stretch",
                key="score_per_class",
                height=CHART_HEIGHT,
            )
        else:
            # A model of another dataset whose file does not describe its data: labels were
            # read as ECG5000's codes (1-5, "abnormal"; anomagram.upload), which are not its
            # classes, so there is nothing to chart: a table lists the codes found.
            st.markdown("**Flagged abnormal, by the label in your file**")
            st.dataframe(
                logic.per_class_table(summary, scored.class_names),
                hide_index=True,
                width="stretch",
            )
        notes = []
        if summary.abnormal_no_class:
            notes.append(
                f'{summary.abnormal_no_class} beats labelled only "abnormal" count in the '
                "metrics below but have no class bar."
            )
        if summary.unknown:
            notes.append(f"{summary.unknown} beats without a readable label are left out.")
        if notes:
            st.caption(" ".join(notes))

    st.markdown(f"**How the verdicts compare with your labels** ({summary.count:,} labelled beats)")
    previous = None
    if not own:
        previous = metrics_at(
            scored.is_abnormal()[known], scored.errors[known], scored.model_threshold
        )
    metric_tiles(summary.metrics, summary.auc, previous=previous)
    caption = confusion_caption(summary.metrics)
    if previous is not None:
        caption += " · the small numbers compare with the model's own threshold"
    st.caption(caption)


def _verdict_histogram(scored: logic.Scored, flagged, threshold: float) -> None:
    # Coloured by the model's verdict: the uploaded beats may have no true labels.
    chart = charts.error_histogram(
        scored.errors,
        flagged,
        threshold=threshold,
        title="Reconstruction error of your beats",
        legend_title="Verdict",
    )
    st.altair_chart(chart, width="stretch", key="score_hist", height=CHART_HEIGHT)
    st.caption(
        "Each bar counts beats with a similar error, coloured by verdict. Everything right "
        "of the dashed line is flagged abnormal: move the threshold to see the verdicts "
        f"change. Add a label column ({trained_on.label_examples(scored.classes)}) to also see "
        "accuracy, precision, recall and which classes get caught."
    )


@st.fragment
def results_fragment() -> None:
    current = st.session_state["score_scored"]
    scored: logic.Scored = current["scored"]
    hi, step, number_format = logic.slider_range(scored)
    threshold = _threshold_slider(current, hi, step, number_format)
    flagged = logic.verdicts(scored.errors, threshold)
    own = abs(threshold - scored.model_threshold) < step / 2
    _counts(current, threshold, own, flagged)
    summary = logic.label_summary(scored, threshold)
    if summary is not None:
        _against_labels(scored, summary, threshold, own)
    else:
        _verdict_histogram(scored, flagged, threshold)
    beat_by_beat(scored, threshold, hi, flagged)
