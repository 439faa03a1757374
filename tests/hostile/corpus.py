"""Hostile inputs, generated at test time: what a visitor of a public URL can send.

Every text below is something a link, a form, a file or a command line can carry. The tests
in this folder feed them to every entry point and assert the outcome: a clear message, no
traceback, the rest of the page still working, nothing the user made lost.
"""

from __future__ import annotations

# Hosts on port 1 of localhost: nothing listens there, and a test can look for the address
# in whatever the page shows to prove it was escaped, not rendered as a link or image.
LINK = "[click here to log in](http://127.0.0.1:1/login)"
IMAGE = "![t](http://127.0.0.1:1/track.png)"
MARKUP = (
    LINK,
    IMAGE,
    f"{LINK} {IMAGE}",
    "<img src=http://127.0.0.1:1/x.png onerror=alert(1)>",
    "<script>alert('127.0.0.1:1')</script>",
    ":red[127.0.0.1:1 alarm] :material/warning:",
    "$\\href{http://127.0.0.1:1}{x}$",
    "**127.0.0.1:1** _x_ `y` # z",
)
NUMBERS = (
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "NaN",
    "1e400",
    "-1e400",
    "1e-400",
    "9" * 5000,
    "0x10",
    "1_000",
    "1,5",
    "--1",
    "-7",
    "0",
    "2.5",
    "1e3",
    "true",
)
ODD = (
    "",
    " ",
    "\x00",
    "%00",
    "\u202e7,3",
    "😀",
    "7,,3",
    "7;3",
    "[7, 3]",
    "7," * 5000,
    "a" * 100_000,
    "7,1e400",
    "7,inf",
    "7,nan",
    "256,256,256,256,256,256,256",
)
VALUES = MARKUP + NUMBERS + ODD


def is_marked(text: str) -> bool:
    """Whether ``text`` carries one of the hostile addresses above."""
    return "127.0.0.1:1" in text


def unsafe_markdown(text: str) -> list[str]:
    """The constructs in ``text`` that Streamlit would render as a link, image or HTML."""
    found = []
    for needle in ("](http", "![", "<img", "<script", ":red[", "$\\href"):
        if needle in text:
            found.append(needle)
    return found
