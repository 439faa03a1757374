"""The data a page trains on: built-in datasets by name (shared by every session), and the one
CSV a visitor uploaded (kept in their session only).

Pages ask :func:`dataset_for` with their ``Spec``; a ``csv:`` spec finds its bytes in the
session's upload (:func:`remember_upload`), so the Train and Experiments pages train on the
same file without uploading it twice. Links never carry a file's data.

Two files may share a name, so whatever is kept per dataset (a model, classic detectors' fits)
is keyed by :func:`data_id`: the spec's data settings plus, for a CSV, a digest of its bytes.
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


def is_csv(spec: Spec) -> bool:
    return spec.dataset.startswith(sources.CSV_PREFIX)


@st.cache_resource(show_spinner=False, max_entries=6)
def _builtin(dataset: str) -> Dataset:
    # One copy per process (read-only arrays), shared by every session that picks it; read
    # with the dataset's own normal class, which ``dataset_for`` then changes if asked.
    return sources.load(Spec(dataset=dataset))


def remember_upload(file_name: str, data: bytes) -> Upload:
    """Keep a visitor's CSV for this session (replacing an earlier one)."""
    upload = Upload(file_name, sources.csv_key(file_name), bytes(data), sources.fingerprint(data))
    st.session_state[UPLOAD_KEY] = upload
    st.session_state.pop(READ_KEY, None)
    return upload


def uploaded() -> Upload | None:
    upload = st.session_state.get(UPLOAD_KEY)
    return upload if isinstance(upload, Upload) else None


def _upload_for(spec: Spec) -> Upload | None:
    upload = uploaded()
    return upload if upload is not None and upload.key == spec.dataset else None


def base_dataset(spec: Spec) -> Dataset:
    """The dataset ``spec`` names with its own normal class (whatever ``normal_class`` says);
    raises ``sources.SourceError`` with what to do.

    A ``csv:`` spec reads the session's upload of that name (one reading is kept, so reruns
    and threshold moves never parse the file again)."""
    usual = spec.replace(normal_class="")
    if not is_csv(spec):
        return _builtin(spec.dataset)
    upload = _upload_for(spec)
    if upload is None:
        return sources.load(usual)  # raises: the data is not in the link
    wanted = (upload.fingerprint, usual.data_key)
    kept = st.session_state.get(READ_KEY)
    if kept is not None and kept[0] == wanted:
        return kept[1]
    ds = sources.load(usual, upload.data, upload.file_name)
    st.session_state[READ_KEY] = (wanted, ds)  # one at a time: a session holds one reading
    return ds


def dataset_for(spec: Spec) -> Dataset:
    """The dataset ``spec`` names, with its normal class; raises ``sources.SourceError``."""
    return sources.with_normal(base_dataset(spec), spec.normal_class)


def read_upload(spec: Spec, file_name: str, data: bytes) -> Dataset:
    """A new file read as ``spec`` says (its ``dataset`` is ignored), without keeping it:
    a file that cannot be used must not replace the session's upload."""
    return sources.load(spec.replace(dataset=sources.csv_key(file_name)), data, file_name)


def data_id(spec: Spec) -> tuple:
    """What identifies ``spec``'s data: its data settings and, for a CSV, the digest of the
    session's upload of that name (None when there is none)."""
    upload = _upload_for(spec) if is_csv(spec) else None
    return (*spec.data_key, upload.fingerprint if upload is not None else None)
