"""The data a page trains on: built-in datasets by name (shared by every session), and the one
CSV a visitor uploaded (kept in their session only).

Pages ask :func:`dataset_for` with their ``Spec``; a ``csv:`` spec finds its bytes in the
session's upload (:func:`remember_upload`), so the Train and Experiments pages train on the
same file without uploading it twice. Links never carry a file's data.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from anomagram import sources
from anomagram.data import Dataset
from anomagram.spec import Spec

UPLOAD_KEY = "dataset_upload"  # the session's CSV (an Upload)
READ_KEY = "dataset_read"  # (fingerprint, data_key) -> Dataset: the last reading of that CSV


@dataclass(frozen=True)
class Upload:
    file_name: str
    key: str  # what a Spec's dataset holds for it: csv:<safe name>
    data: bytes
    fingerprint: str


@st.cache_resource(show_spinner=False, max_entries=6)
def _builtin(dataset: str, normal_class: str) -> Dataset:
    # One copy per process (read-only arrays), shared by every session that picks it.
    return sources.load(Spec(dataset=dataset, normal_class=normal_class))


def remember_upload(file_name: str, data: bytes) -> Upload:
    """Keep a visitor's CSV for this session (replacing an earlier one)."""
    upload = Upload(file_name, sources.csv_key(file_name), bytes(data), sources.fingerprint(data))
    st.session_state[UPLOAD_KEY] = upload
    st.session_state.pop(READ_KEY, None)
    return upload


def uploaded() -> Upload | None:
    upload = st.session_state.get(UPLOAD_KEY)
    return upload if isinstance(upload, Upload) else None


def dataset_for(spec: Spec) -> Dataset:
    """The dataset ``spec`` names; raises ``sources.SourceError`` with what to do.

    A ``csv:`` spec reads the session's upload of that name (one reading is kept, so reruns
    and threshold moves never parse the file again)."""
    if not spec.dataset.startswith(sources.CSV_PREFIX):
        return _builtin(spec.dataset, spec.normal_class)
    upload = uploaded()
    if upload is None or upload.key != spec.dataset:
        return sources.load(spec)  # raises: the data is not in the link
    wanted = (upload.fingerprint, spec.data_key)
    kept = st.session_state.get(READ_KEY)
    if kept is not None and kept[0] == wanted:
        return kept[1]
    ds = sources.load(spec, upload.data, upload.file_name)
    st.session_state[READ_KEY] = (wanted, ds)  # one at a time: a session holds one reading
    return ds
