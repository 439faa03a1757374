"""User-supplied text made safe to show in Streamlit's markdown.

Streamlit renders markdown in ``st.markdown``, ``st.caption``, ``st.error``/``warning``/
``info`` and in widget labels: a query value like ``[log in](http://evil)`` would become a
link and ``![t](http://evil/t.png)`` would make every visitor's browser fetch that address.
Everything a visitor can type - query values, file names, CSV cells, a model file's info - goes
through ``escape_markdown`` (or ``user_text`` for a value quoted inside our own message) before
it reaches one of those calls.
"""

from __future__ import annotations

import string
import unicodedata

# CommonMark lets a backslash escape any ASCII punctuation, which then shows as itself. Escaping
# all of it (not a hand-picked list) also covers Streamlit's own syntax: ``:red[...]`` colours,
# ``:material/icon:``, ``$...$`` LaTeX and the ``<...>`` HTML that markdown would otherwise drop.
_ESCAPES = str.maketrans({c: "\\" + c for c in string.punctuation})
MAX_SHOWN = 80


def _visible(char: str) -> str:
    # Control and format characters (newlines that start a new block, right-to-left overrides
    # that make a file name read backwards) become a plain space.
    return " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char


def escape_markdown(text: object) -> str:
    """``text`` as markdown that renders exactly as the characters it contains, on one line."""
    return "".join(_visible(c) for c in str(text)).translate(_ESCAPES)


def shorten(text: object, limit: int = MAX_SHOWN) -> str:
    """At most ``limit`` characters: a 100,000-character query value must not fill the page."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def user_text(text: object, limit: int = MAX_SHOWN) -> str:
    """A visitor's value, shortened and escaped, to quote inside one of our messages."""
    return escape_markdown(shorten(text, limit))
