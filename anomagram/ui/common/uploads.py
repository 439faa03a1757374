"""The file uploaders' own size limit, set from the page's limit for that file."""

from __future__ import annotations

import streamlit as st


def widget_mb(limit_bytes: int) -> int:
    """The uploader's own limit for a page limit of ``limit_bytes``: the same whole MB.

    The browser then refuses a larger file itself, under the file and in our label's words
    ("File must be 5.0MB or smaller"; it counts 10⁶ bytes to the MB, measured with Streamlit
    1.67), before anything is sent, so the earlier upload and its results stay. The server
    counts MiB, a little more, so a request that skips the browser still meets the page's own
    check and its message. Never above the server's cap (``server.maxUploadSize``), which
    refuses any larger upload anyway.
    """
    return min(-(-limit_bytes // 1_000_000), int(st.get_option("server.maxUploadSize")))
