"""Sections 3-8 of the Introduction: the lesson, one chapter (tab) at a time, and the list of
chapters (``CHAPTERS``) with the module that draws each.

Only the open chapter runs: drawing all six (nine charts, a diagram, two data grids) would keep
the browser busy for seconds before the gallery and canvas at the top answered clicks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from anomagram.ui.introduction.accuracy import beyond_accuracy
from anomagram.ui.introduction.architecture import how_it_works
from anomagram.ui.introduction.dataset import the_data
from anomagram.ui.introduction.insights import insights
from anomagram.ui.introduction.replay import training_replay
from anomagram.ui.introduction.thresholds import thresholds

KEY = "intro_chapter"
# Tab state is widget state, which Streamlit drops while another page is shown; this copy
# brings the visitor back to the chapter they were reading.
KEPT = "intro_chapter_kept"
SCROLL = "intro_chapter_scroll"
# After "Next" the new chapter replaces a longer one and the browser keeps its scroll
# offset, which would leave the reader somewhere in the middle (or at the end) of it. One
# smooth scroll was not enough: while the chapters swap, the browser's scroll anchoring moves
# the page again (it ended up ~400 px past the tabs). So the script scrolls the lesson's top
# into place on every frame until nothing has moved for 0.4 s (at most 2 s), and gives up at
# once if the reader scrolls.
_SCROLL_TO_TABS = """<script>/* {label} */(() => {{
  const start = performance.now();
  let settled = start, quit = false;
  for (const e of ["wheel", "touchstart", "keydown"])
    addEventListener(e, () => {{ quit = true; }}, {{once: true, passive: true}});
  const step = () => {{
    const lesson = document.getElementById("lesson");
    if (quit || !lesson) return;
    const before = lesson.getBoundingClientRect().top;
    lesson.scrollIntoView({{block: "start"}});  // a no-op once it is in place
    if (Math.abs(lesson.getBoundingClientRect().top - before) > 1) settled = performance.now();
    const now = performance.now();
    if (now - settled < 400 && now - start < 2000) requestAnimationFrame(step);
  }};
  requestAnimationFrame(step);
}})();</script>"""


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    anchor: str
    render: Callable[[], None]

    @property
    def label(self) -> str:
        return f"{self.number} · {self.title}"


CHAPTERS = (
    Chapter(3, "How it works", "how-it-works", how_it_works),
    Chapter(4, "The data", "the-data", the_data),
    Chapter(5, "Training replay", "training-replay", training_replay),
    Chapter(6, "Choosing a threshold", "thresholds", thresholds),
    Chapter(7, "Accuracy is not enough", "beyond-accuracy", beyond_accuracy),
    Chapter(8, "Insights", "insights", insights),
)
LABELS = tuple(c.label for c in CHAPTERS)


def _open(label: str) -> None:
    st.session_state[KEY] = label
    st.session_state[KEPT] = label
    st.session_state[SCROLL] = True


def open_chapter() -> str:
    """The label of the chapter to show: the one picked last, else the first."""
    kept = st.session_state.get(KEY) or st.session_state.get(KEPT)
    return kept if kept in LABELS else LABELS[0]


def lesson() -> None:
    st.header("How it works, step by step", anchor="lesson", divider="gray")
    st.markdown(
        "Six short chapters explain what you just tried: the network, the data, how it "
        "learns, where to draw the line between normal and abnormal, how to judge it, and "
        "when to use something simpler. Each pairs the idea with a live view of the data or "
        "the model."
    )
    default = open_chapter()
    tabs = st.tabs(list(LABELS), key=KEY, default=default, on_change="rerun")
    if st.session_state.pop(SCROLL, False):
        # Our own constant script, no user input in it.
        st.html(_SCROLL_TO_TABS.format(label=default), unsafe_allow_javascript=True)
    for i, (chapter, tab) in enumerate(zip(CHAPTERS, tabs, strict=True)):
        if not tab.open:
            continue
        st.session_state[KEPT] = chapter.label
        with tab:
            st.subheader(chapter.title, anchor=chapter.anchor)
            chapter.render()
            if i + 1 < len(CHAPTERS):
                following = CHAPTERS[i + 1]
                st.button(
                    f"Next: {following.label} →",
                    key=f"intro_next_{chapter.number}",
                    on_click=_open,
                    args=(following.label,),
                )
