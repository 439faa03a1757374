"""The Introduction page, run headless with AppTest, plus its pure drawing helper.

The page is run on its own (not through streamlit_app.py), so links to other pages fall back
to plain links, and the drawing canvas returns its initial drawing.
"""

import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from common import drawing_to_signal  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from anomagram.signal import signal_to_drawing  # noqa: E402

PAGE = os.path.join(os.path.dirname(__file__), "..", "..", "pages", "introduction.py")
CHAPTER_KEY = "intro_chapter"
# Each lesson chapter and a chart title that shows it ran.
CHAPTERS = {
    3: ("3 · How it works", "What the bottleneck sees"),
    4: ("4 · The data", "Example heartbeats"),
    5: ("5 · Training replay", "Epoch 0"),
    6: ("6 · Choosing a threshold", None),
    7: ("7 · Accuracy is not enough", "ROC curve"),
    8: ("8 · Insights", None),
}


def _waiting(app: AppTest) -> bool:
    return any("appears in a moment" in i.value for i in app.info)


@pytest.fixture
def at():
    app = AppTest.from_file(PAGE, default_timeout=90)
    app.run()
    # On a cold process the page paints before Keras has loaded and polls for the model;
    # AppTest has no timer, so rerun as the poll would.
    deadline = time.monotonic() + 90
    while _waiting(app) and time.monotonic() < deadline:
        time.sleep(0.5)
        app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _title(spec: dict) -> str:
    title = spec.get("title")
    text = (title.get("text") if isinstance(title, dict) else title) or ""
    # A title of several lines is a list of lines.
    return " ".join(text) if isinstance(text, list) else text


def _chart(app: AppTest, prefix: str) -> dict:
    """The spec of the chart whose title starts with ``prefix``, with its data attached."""
    specs = []
    for chart in app.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        # Streamlit moves datasets out of the spec; keep their content hashes to compare.
        spec["_data"] = sorted(d.name for d in chart.proto.datasets) + [chart.proto.data.data]
        specs.append(spec)
    matches = [s for s in specs if _title(s).startswith(prefix)]
    assert matches, f"no chart titled {prefix!r}: {[_title(s) for s in specs]}"
    return matches[0]


def _html_blocks(app: AppTest) -> list[str]:
    return [h.proto.body for h in app.get("html")]


def _verdicts(app: AppTest) -> list[str]:
    return [b for b in _html_blocks(app) if "Verdict:" in b]


def _panel_title(app: AppTest) -> str:
    return next(h.value for h in app.subheader if h.value.startswith("Test beat #"))


def _metric(app: AppTest, label: str, nth: int = 0) -> str:
    return [m.value for m in app.metric if m.label == label][nth]


def _share(text: str) -> float:
    """A tile's share as a number, whether shown as "0.990" or in the app's "99.0 %"."""
    return float(text.rstrip(" %")) / 100 if text.endswith("%") else float(text)


def _open(app: AppTest, number: int) -> AppTest:
    """Open a lesson chapter as a click on its tab would."""
    app.session_state[CHAPTER_KEY] = CHAPTERS[number][0]
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _chapter_titles(app: AppTest) -> list[str]:
    return [h.value for h in app.subheader if not h.value.startswith("Test beat #")]


def test_first_screen_and_the_default_chapter_render(at):
    headers = [h.value for h in at.header]
    assert [h.split(" · ")[0] for h in headers[:2]] == ["1", "2"]
    assert len(headers) == 3 and "How it works" in headers[2]
    assert [t.label for t in at.tabs] == [label for label, _ in CHAPTERS.values()]
    assert not at.error
    # The disclaimer, once near the top: a line of the hero (no big warning box), and once
    # in the footer.
    assert not at.warning
    assert sum("not for medical use" in m.value for m in at.markdown) == 1
    assert sum("not for medical use" in c.value for c in at.caption) == 1
    stats = next(b for b in _html_blocks(at) if "intro-stats" in b)
    assert "Heartbeats" in stats and "in ECG5000" in stats and "5,000" in stats
    assert "Model AUC" in stats and "0.978" in stats
    assert "96.6 %" in stats  # shares in the app's one format
    # The model-dependent panels have filled in (no "loading" note left behind).
    assert not _waiting(at)
    assert len(_verdicts(at)) == 1  # the gallery's beat; the canvas starts empty
    assert any("Draw a heartbeat" in i.value for i in at.info)
    _chart(at, "Input and reconstruction")
    # Only the open chapter runs: the first one, not the replay of chapter 5.
    assert _chapter_titles(at) == ["How it works"]
    with pytest.raises(AssertionError, match="no chart titled"):
        _chart(at, "Epoch 0")


@pytest.mark.parametrize("number", sorted(CHAPTERS))
def test_every_chapter_renders_when_opened(at, number):
    label, chart = CHAPTERS[number]
    _open(at, number)
    assert _chapter_titles(at)[0] == label.split(" · ")[1]
    others = {other.split(" · ")[1] for n, (other, _) in CHAPTERS.items() if n != number}
    assert not others & set(_chapter_titles(at))  # only the open chapter ran
    assert not at.error and not _waiting(at)
    if chart:
        _chart(at, chart)
    if number == 3:
        diagrams = [
            json.loads(c.proto.spec).get("description", "") for c in at.get("vega_lite_chart")
        ]
        assert any(d.startswith("Autoencoder architecture: 140 → 7 → 3 → 2") for d in diagrams)
    if number == 8:
        links = " ".join(m.value for m in at.markdown)
        assert "/train?optimizer=sgd" in links
        assert "/experiments?param=abnormal_pct&values=0%2C10%2C30%2C50%2C70&seeds=3" in links


def test_next_button_opens_the_following_chapter(at):
    at.button(key="intro_next_3").click().run()
    assert _chapter_titles(at) == ["The data"]
    assert any("scrollIntoView" in h.proto.body for h in at.get("html"))  # back to the tabs
    at.run()  # and it stays open on the next rerun, without scrolling again
    assert _chapter_titles(at) == ["The data"]
    assert not any("scrollIntoView" in h.proto.body for h in at.get("html"))
    assert at.session_state[CHAPTER_KEY] == CHAPTERS[4][0]
    with pytest.raises(KeyError):
        at.button(key="intro_next_8")  # the last chapter has no "next"


def test_the_chapter_comes_back_after_visiting_another_page(at):
    from anomagram.ui.introduction.lesson import KEPT

    _open(at, 6)
    assert at.session_state[KEPT] == CHAPTERS[6][0]
    # Another page's run drops the tab's widget state; only the kept copy is left.
    del at.session_state[CHAPTER_KEY]
    at.run()
    assert _chapter_titles(at) == ["Choosing a threshold"]


def test_page_paints_before_the_model_is_loaded(at, monkeypatch):
    from anomagram.ui.introduction import page_data

    _open(at, 5)
    monkeypatch.setattr(page_data, "model_ready", lambda: False)
    at.run()
    assert not at.exception
    assert _waiting(at)
    assert not _verdicts(at)
    _chart(at, "Input beat")  # the picked beat, without its reconstruction yet
    _chart(at, "Epoch 0")  # the replay needs no model
    monkeypatch.undo()
    at.run()
    assert not _waiting(at) and len(_verdicts(at)) == 1


def test_class_filter_and_beat_choice_update_the_panel(at):
    first = _panel_title(at)
    at.segmented_control(key="intro_filter").set_value(3).run()
    assert not at.exception
    pvc = _panel_title(at)
    assert pvc != first and pvc.endswith("Premature ventricular contraction")
    options = at.selectbox(key="intro_beat").options
    assert len(options) == 10 and all("PVC" in o for o in options)

    other = next(o for o in options if o.split(" · ")[0] not in pvc)
    beat = int(other.split(" · ")[0].lstrip("#"))
    at.selectbox(key="intro_beat").set_value(beat).run()
    assert _panel_title(at).startswith(f"Test beat #{beat} ")
    assert len(_verdicts(at)) == 1
    assert "True label: <b>PVC</b>" in _verdicts(at)[0]


def test_replay_slider_changes_the_histogram(at):
    _open(at, 5)
    before = _chart(at, "Epoch 0")
    at.slider(key="intro_epoch").set_value(20).run()
    assert not at.exception
    after = _chart(at, "Epoch 20")
    assert before["_data"] != after["_data"]
    assert _metric(at, "Epoch") == "20 / 30"
    assert float(_metric(at, "AUC")) > 0.9


def test_play_runs_to_the_last_epoch(at):
    _open(at, 5)
    at.button(key="intro_play").click().run()
    assert not at.exception
    assert at.slider(key="intro_epoch").value == 30
    _chart(at, "Epoch 30")
    assert at.button(key="intro_play").label == "▶ Play"  # stopped at the end


def test_a_replay_left_playing_stops_on_a_page_run_it_did_not_start(at):
    from anomagram.ui.introduction.replay import PLAYING

    _open(at, 5)
    at.slider(key="intro_epoch").set_value(12).run()
    at.session_state[PLAYING] = True  # as if the reader left mid-replay and came back
    at.run()
    assert not at.exception
    assert at.button(key="intro_play").label == "▶ Play"
    assert at.slider(key="intro_epoch").value == 12


def test_threshold_slider_changes_the_tiles(at):
    _open(at, 7)
    recall = _metric(at, "Recall")
    accuracy = _metric(at, "Accuracy")
    at.slider(key="intro_thr").set_value(0.008).run()
    assert not at.exception
    assert _metric(at, "Recall") != recall
    assert _metric(at, "Accuracy") != accuracy
    # A higher line misses more abnormal beats: recall falls.
    assert _share(_metric(at, "Recall")) < _share(recall)
    at.button(key="intro_thr_reset").click().run()
    assert _metric(at, "Recall") == recall


def test_chapters_6_and_7_agree_at_the_same_displayed_threshold(at):
    """Chapter 6 once showed recall 98.6 % at "0.0038" (it scored 0.003839) while chapter 7
    showed 0.990 at "0.0038" (it scored 0.003780): both now score what they display."""
    _open(at, 6)
    row = at.dataframe[-1].value.set_index("Strategy").loc["Best accuracy, 50 labels"]
    assert row["Threshold"] == round(row["Threshold"], 4)
    _open(at, 7)
    at.slider(key="intro_thr").set_value(float(row["Threshold"])).run()
    assert round(100 * _share(_metric(at, "Recall")), 1) == round(row["Recall"], 1)
    assert round(100 * _share(_metric(at, "Accuracy")), 1) == round(row["Accuracy"], 1)
    # The shipped threshold, shown as 0.0038, is scored as 0.0038.
    at.button(key="intro_thr_reset").click().run()
    assert at.slider(key="intro_thr").value == 0.0038


def test_label_free_thresholds_follow_their_sliders(at):
    _open(at, 6)
    table = at.dataframe[-1].value
    assert list(table["Strategy"]) == [
        "Best accuracy, 50 labels",
        "Mean + 2·std (no labels)",
        "95th percentile (no labels)",
    ]
    before = table.set_index("Strategy")["Threshold"]
    at.slider(key="intro_k").set_value(3.0).run()
    table = at.dataframe[-1].value.set_index("Strategy")["Threshold"]
    assert table["Mean + 3·std (no labels)"] > before["Mean + 2·std (no labels)"]


def test_loading_a_beat_into_the_canvas_scores_it(at):
    at.button(key="intro_draw_abnormal").click().run()
    assert not at.exception
    drawing = at.session_state["intro_drawing"]
    assert drawing and drawing["objects"]
    assert len(_verdicts(at)) == 2
    assert "your edit of test beat #" in _verdicts(at)[1]
    at.button(key="intro_draw_clear").click().run()
    assert len(_verdicts(at)) == 1
    assert any("Draw a heartbeat" in i.value for i in at.info)


# --- the drawing helper ------------------------------------------------------------------------


W, H = 440, 240


def _stroke(xs, ys):
    commands = [["M", float(xs[0]), float(ys[0])]]
    commands += [["L", float(x), float(y)] for x, y in zip(xs[1:], ys[1:], strict=True)]
    return {"type": "path", "path": commands}


def test_layered_signal_is_drawing_to_signal_for_one_stroke():
    from anomagram.ui.introduction.drawing import layered_signal

    beat = np.sin(np.linspace(0, 6, 140)) * 2 - 1
    drawing = signal_to_drawing(beat, W, H)
    assert np.array_equal(layered_signal(drawing, W, H), drawing_to_signal(drawing, W, H))
    assert layered_signal({"objects": []}, W, H) is None
    assert layered_signal(None, W, H) is None


def test_a_later_stroke_replaces_the_line_under_it():
    from anomagram.ui.introduction.drawing import layered_signal

    flat = _stroke(np.linspace(0, W, 50), np.full(50, H / 2))  # value -1 everywhere
    bump = _stroke(np.linspace(W / 4, W / 2, 20), np.full(20, 0.0))  # value +2 in a quarter
    signal = layered_signal({"objects": [flat, bump]}, W, H)
    assert signal.shape == (140,)
    middle = slice(40, 65)
    assert np.allclose(signal[middle], 2.0)  # replaced, not averaged with the flat line
    assert np.allclose(signal[:30], -1.0) and np.allclose(signal[80:], -1.0)
    pooled = drawing_to_signal({"objects": [flat, bump]}, W, H)
    assert pooled[50] < 1.0  # what plain pooling would have shown


# The first paint and the Insights chapter, in a fresh interpreter: which scikit-learn modules
# did the page's own runs import? (ROC curves use sklearn.metrics, which is no estimator.)
_FIRST_PAINT = """
import json, sys
from anomagram.ui import streamlit_patches
streamlit_patches.install()
from anomagram.ui.common import resources
# The background warm-up loads Keras, then imports scikit-learn for the Train page: it is not
# part of the page's runs, and how soon it gets there depends on the machine.
resources.warm_up = lambda: None
from streamlit.testing.v1 import AppTest

ESTIMATORS = %r
loaded = lambda: sorted(m for m in sys.modules if m.startswith(ESTIMATORS))
at = AppTest.from_file(%r, default_timeout=120)
at.run()
first = loaded()
at.session_state[%r] = %r
at.run()
print(json.dumps({
    "first": first,
    "insights": loaded(),
    "errors": [str(e.value) for e in at.exception],
    "subheaders": [h.value for h in at.subheader],
}))
"""
ESTIMATOR_MODULES = (
    "sklearn.neighbors",
    "sklearn.svm",
    "sklearn.ensemble",
    "sklearn.decomposition",
)


def test_first_paint_and_insights_import_no_scikit_learn_estimator():
    import subprocess
    import sys

    code = _FIRST_PAINT % (ESTIMATOR_MODULES, PAGE, CHAPTER_KEY, CHAPTERS[8][0])
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert not out["errors"], out["errors"]
    assert "Insights" in out["subheaders"]  # the chapter really ran
    assert out["first"] == [] and out["insights"] == [], out


def _chart_rows(app: AppTest, prefix: str) -> list[dict]:
    """The data rows of the chart whose title starts with ``prefix``."""
    import pyarrow as pa

    for chart in app.get("vega_lite_chart"):
        if _title(json.loads(chart.proto.spec)).startswith(prefix):
            return [
                row
                for d in chart.proto.datasets
                for row in pa.ipc.open_stream(d.data.data).read_all().to_pylist()
            ]
    raise AssertionError(f"no chart titled {prefix!r}")


def test_insights_show_the_recorded_leaderboard_and_measured_numbers(at):
    from anomagram import baselines
    from anomagram.pretrained import load_leaderboard

    _open(at, 8)
    recorded = load_leaderboard()
    assert len(recorded) == len(baselines.DETECTORS) + 1
    rows = _chart_rows(at, "Leaderboard")
    rows.sort(key=lambda r: r["order"])
    assert [r["name"] for r in rows] == [r["name"] for r in recorded]
    aucs = [r["auc"] for r in rows]
    assert aucs == sorted(aucs, reverse=True)
    assert [r["name"] for r in rows if r["model"] == "Autoencoder"] == ["Autoencoder"]
    from anomagram.ui.introduction.insights import recorded_rows

    sentence = baselines.verdict(recorded_rows())
    text = " ".join(m.value for m in at.markdown)
    assert f"**{sentence}**" in text
    # Every card states the original's finding and our own measured number, with its links.
    assert text.count("*Anomagram found:*") == 4 and text.count("*We measured:*") == 4
    assert "0.770 ± 0.125 at 30 %" in text and "about 0.93" in text
    assert "/experiments?param=batch_size&values=16%2C64%2C256%2C1024&seeds=3" in text
    assert "/experiments?param=regularizer&values=none%2Cl1%2Cl2&seeds=3&preset=overfits" in text
    assert "worth it when the training data are not clean" in text


def test_the_presets_quoted_in_insights_are_the_ones_measured():
    from anomagram.presets import PRESETS
    from anomagram.ui.introduction.insights import MEASURED_PRESETS

    # If a preset changes, the numbers the Insights chapter quotes for it must be measured again.
    for key, changes in MEASURED_PRESETS.items():
        assert dict(PRESETS[key].changes) == changes, key
