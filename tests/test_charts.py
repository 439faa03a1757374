"""Tests for the anomagram.charts package as a whole, and the helpers the per-module chart tests
(tests/test_charts_*.py) use to look inside a Vega-Lite dict: check the dicts, not pixels.

``chart.to_dict()`` validates against the Vega-Lite schema, so every ``spec(...)`` call also
asserts that the spec is valid.
"""

import ast
import subprocess
import sys
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

from anomagram import charts as C
from anomagram.data import SHORT_CLASS_NAMES

# --------------------------------------------------------------------------------------------
# Helpers to look inside a Vega-Lite dict
# --------------------------------------------------------------------------------------------


def spec(chart) -> dict:
    return chart.to_dict()  # validates against the Vega-Lite schema


def raw(chart) -> dict:
    """Unvalidated dict, for variants whose spec structure is already validated elsewhere.

    Altair's validation costs ~50 ms per chart; skipping it where it adds nothing keeps the
    file well under its time budget.
    """
    return chart.to_dict(validate=False)


def walk(obj):
    """Every dict nested anywhere in a spec."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v)


def datasets(d: dict) -> list[list[dict]]:
    out = list(d.get("datasets", {}).values())
    out += [sub["data"]["values"] for sub in walk(d) if "values" in sub.get("data", {})]
    return out


def n_rows(d: dict) -> int:
    return sum(len(rows) for rows in datasets(d))


def rows_with(d: dict, key: str) -> list[dict]:
    """All data rows (over all datasets) that carry ``key``."""
    return [r for rows in datasets(d) for r in rows if key in r]


def _lines_as_text(text) -> str:
    """A title of several lines (a list) read as one sentence."""
    return " ".join(text) if isinstance(text, list) else (text or "")


def title_text(d: dict) -> str:
    t = d.get("title")
    return _lines_as_text(t["text"] if isinstance(t, dict) else t)


def subtitle_text(d: dict) -> str:
    t = d.get("title")
    return _lines_as_text(t.get("subtitle")) if isinstance(t, dict) else ""


def axis_titles(d: dict) -> set[str]:
    titles = set()
    for sub in walk(d):
        enc = sub.get("encoding")
        if not isinstance(enc, dict):
            continue
        for ch in ("x", "y"):
            title = enc.get(ch, {}).get("title") if isinstance(enc.get(ch), dict) else None
            if title:
                # A multi-line title is a list of lines; read it as one sentence.
                titles.add(" ".join(title) if isinstance(title, list) else title)
    return titles


def with_mark(d: dict, mark: str) -> list[dict]:
    """Unit specs drawing ``mark``."""
    out = []
    for sub in walk(d):
        m = sub.get("mark")
        if m == mark or (isinstance(m, dict) and m.get("type") == mark):
            out.append(sub)
    return out


def mark_types(d: dict) -> list[str]:
    out = []
    for sub in walk(d):
        m = sub.get("mark")
        if isinstance(m, str):
            out.append(m)
        elif isinstance(m, dict) and "type" in m:
            out.append(m["type"])
    return out


def color_scales(d: dict) -> list[dict]:
    return [
        sub["encoding"]["color"]["scale"]
        for sub in walk(d)
        if isinstance(sub.get("encoding"), dict)
        and isinstance(sub["encoding"].get("color"), dict)
        and isinstance(sub["encoding"]["color"].get("scale"), dict)
    ]


def scale_of(d: dict, channel: str, field: str) -> dict:
    for sub in walk(d):
        enc = sub.get("encoding")
        ch = enc.get(channel) if isinstance(enc, dict) else None
        if isinstance(ch, dict) and ch.get("field") == field and "scale" in ch:
            return ch["scale"]
    raise AssertionError(f"no {channel} scale for field {field!r}")


def message_rows(d: dict) -> list[dict]:
    return rows_with(d, "message")


def assert_common(d: dict) -> None:
    """Rules every chart follows: a title, no fixed width (the app stretches charts)."""
    assert title_text(d).strip()
    assert not [sub for sub in walk(d) if "width" in sub]


# --------------------------------------------------------------------------------------------
# Module-level contract
# --------------------------------------------------------------------------------------------


def test_package_imports_no_streamlit_or_keras():
    for path in sorted(Path(C.__file__).parent.glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
        assert imported.isdisjoint({"streamlit", "keras", "tensorflow", "torch"}), (path, imported)


def test_importing_charts_does_not_import_sklearn():
    """scikit-learn takes seconds to import; the Introduction's first paint must not pay it."""
    code = "import sys, anomagram.charts; print('sklearn' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_package_reexports_the_names_the_app_uses():
    for name in C.__all__:
        assert getattr(C, name) is not None, name
    for name in (
        "NORMAL_COLOR",
        "ABNORMAL_COLOR",
        "CLASS_COLORS",
        "TEXT_COLOR",
        "SCALED_AMPLITUDE",
        "to_vega",
        "beat_chart",
        "beat_sparkline",
        "beats_by_class",
        "scaling_chart",
        "loss_chart",
        "error_histogram",
        "roc_chart",
        "latent_scatter",
        "confusion_matrix_chart",
        "per_class_chart",
        "sweep_chart",
        "network_spec",
    ):
        assert name in C.__all__, name
    # One place for the class names: anomagram.data.SHORT_CLASS_NAMES.
    assert not hasattr(C, "CLASS_NAMES")


def test_palette_is_okabe_ito_and_consistent():
    assert C.NORMAL_COLOR == "#0072B2" and C.ABNORMAL_COLOR == "#D55E00"
    assert set(SHORT_CLASS_NAMES) == set(C.CLASS_COLORS) == {1, 2, 3, 4, 5}
    assert C.CLASS_COLORS == {
        1: "#0072B2",
        2: "#D55E00",
        3: "#CC79A7",
        4: "#E69F00",
        5: "#009E73",
    }
    assert C.CLASS_COLORS[1] == C.NORMAL_COLOR
    assert len(set(C.CLASS_COLORS.values())) == 5


def test_ecg5000_class_style_is_the_palette_above(ecg):
    assert {"ClassStyle", "OTHER_CLASS_COLOR"} <= set(C.__all__)
    style = C.ClassStyle.ecg5000()
    assert style.codes == (1, 2, 3, 4, 5)
    assert style.names == tuple(SHORT_CLASS_NAMES[k] for k in (1, 2, 3, 4, 5))
    assert style.colors == tuple(C.CLASS_COLORS[k] for k in (1, 2, 3, 4, 5))
    assert (style.normal, style.normal_name, style.unit) == (1, "Normal", "beats")
    assert style.name(3) == "PVC" and style.name("2") == "R-on-T PVC"
    assert style.name(9) == "Class 9" and style.name("x") == "Class x"
    # ECG5000 itself keeps it (its classes by id, not by size as other datasets' are).
    assert C.ClassStyle.of(ecg) == style


def _dataset(counts: dict[int, int], names: dict[int, str], normal: int, unit: str = "beats"):
    from anomagram.data import Dataset

    y = np.repeat(list(counts), list(counts.values()))
    return Dataset(
        name="test",
        key="csv:test.csv",
        x=np.zeros((len(y), 8), np.float32),
        y=y,
        class_names=names,
        label_text={c: str(c) for c in counts},
        normal=normal,
        origin="a test",
        unit=unit,
    )


def test_class_style_of_a_dataset_puts_normal_first_then_by_size():
    from anomagram.sources import load_ucr, with_normal

    ecg200 = load_ucr("ECG200")
    style = C.ClassStyle.of(ecg200)
    assert style.codes == (1, -1) and style.names == ("Normal", "Myocardial infarction")
    assert style.colors == (C.NORMAL_COLOR, C.CLASS_COLORS[2]) and style.normal == 1
    # Another normal class takes the first place and the normal colour.
    other = C.ClassStyle.of(with_normal(ecg200, "-1"))
    assert other.names == ("Myocardial infarction", "Normal") and other.normal == -1
    assert other.colors == (C.NORMAL_COLOR, C.CLASS_COLORS[2])
    # Beyond ECG5000's four abnormal colours, grey; the unit comes from the data.
    counts = {0: 50, 1: 5, 2: 40, 3: 30, 4: 20, 5: 10, 6: 1}
    many = C.ClassStyle.of(_dataset(counts, {c: f"c{c}" for c in counts}, 0, "windows"))
    assert many.codes == (0, 2, 3, 4, 5, 1, 6) and many.unit == "windows"
    palette = [C.CLASS_COLORS[k] for k in (2, 3, 4, 5)]
    assert list(many.colors) == [C.NORMAL_COLOR, *palette, C.OTHER_CLASS_COLOR, "#999999"]


def test_class_style_keeps_names_apart_and_refuses_a_mismatch():
    # Two labels of a file may read alike once named ("1" and "Class 1").
    style = C.ClassStyle.of(_dataset({1: 30, 2: 10}, {1: "Class 1", 2: "Class 1"}, 1))
    assert style.names == ("Class 1", "Class 1 (2)")
    with pytest.raises(ValueError):
        C.ClassStyle((1, 2), ("a",), ("#000", "#111"), 1)
    with pytest.raises(ValueError):
        C.ClassStyle((1, 2), ("a", "a"), ("#000", "#111"), 1)


def test_to_vega_keeps_the_spec_and_leaves_sizing_to_streamlit():
    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x=alt.X("a:Q"))
    d = C.to_vega(chart)
    assert d["mark"]["type"] == "bar" and d["encoding"]["x"]["field"] == "a"
    view = d.get("config", {}).get("view", {})
    assert "continuousWidth" not in view and "continuousHeight" not in view
    assert "height" not in d and "width" not in d
    assert C.to_vega(chart, 321)["height"] == 321


# --------------------------------------------------------------------------------------------
# Titles are never cut
# --------------------------------------------------------------------------------------------

# Widths Chromium rendered for these lines in Streamlit's theme (SVG getComputedTextLength).
MEASURED_PX = [
    ("Training progress: loss per epoch", 16, True, 226),
    ("Reconstruction error of test beats · epoch 30", 16, True, 302),
    ("ROC curve: Autoencoder (AUC 0.978)", 16, True, 249),
    ("Bottleneck (latent) space of test beats", 16, True, 258),
    ("Each panel overlays a few real beats of one class.", 12, False, 243),
    ("Dots: mean over repeated runs; bars: +- 1 standard deviation.", 12, False, 303),
    ("500 beats; darker = more beats", 12, False, 153),
]


def test_text_width_estimate_matches_chromium():
    from anomagram.charts.style import text_px

    for text, size, bold, measured in MEASURED_PX:
        assert abs(text_px(text, size, bold) - measured) <= 0.02 * measured, text


def _all_builders() -> dict:
    """Every builder (not the Introduction's, tested in its own file) with long dynamic parts."""
    rng = np.random.default_rng(0)
    n = 2500
    y = rng.choice([1, 2, 3, 4, 5], size=n)
    errors = rng.gamma(2, 0.01, n)
    errors[:3] = np.nan  # adds the "invalid values ignored" line
    sweep = pd.DataFrame(
        {
            "value": ["0 %", "30 %"],
            "auc_mean": [0.9, 0.8],
            "auc_std": [0.01, 0.02],
            "runs": [3, 3],
            "baseline_auc_mean": [0.8, 0.7],
        }
    )
    beat = rng.random(140)
    return {
        "loss": C.loss_chart(range(1, 101), np.ones(100), np.ones(100), total_epochs=1000),
        "histogram": C.error_histogram(errors, y != 1, threshold=0.02),
        "roc": C.roc_chart([0, 0.5, 1], [0, 0.9, 1], 0.9, baseline=([0, 1], [0, 1], 0.5)),
        "latent": C.latent_scatter(rng.normal(size=(n, 16)), y),
        "confusion": C.confusion_matrix_chart(10000, 2000, 30000, 400),
        "per_class": C.per_class_chart(
            {c: 0.5 for c in range(1, 6)}, {c: 1000 for c in range(1, 6)}
        ),
        "beat": C.beat_chart(beat, beat * 0.9),
        "beats_by_class": C.beats_by_class(rng.random((50, 140)), np.repeat([1, 2, 3, 4, 5], 10)),
        "scaling": C.scaling_chart(beat * 3, beat),
        "sweep": C.sweep_chart(sweep, param_title="Abnormal share of training data"),
        "sweep_one_seed": C.sweep_chart(
            sweep.assign(auc_std=0.0, runs=1), param_title="Latent size"
        ),
        "network": C.network_spec([64, 32, 16], 8),
    }


def _title_lines(d: dict) -> list[tuple[str, float, bool]]:
    """(line, font px, bold) of every title and subtitle line anywhere in a spec."""
    from anomagram.charts.style import SUBTITLE_FONT_PX, TITLE_FONT_PX

    out = []
    for sub in walk(d):
        t = sub.get("title")
        if not isinstance(t, dict) or "text" not in t:
            continue
        bold = t.get("fontWeight", "bold") != "normal"
        for key, size in (
            ("text", t.get("fontSize", TITLE_FONT_PX)),
            ("subtitle", SUBTITLE_FONT_PX),
        ):
            lines = t.get(key) or []
            for line in [lines] if isinstance(lines, str) else lines:
                out.append((line, size, bold and key == "text"))
    return out


def test_every_title_and_subtitle_line_fits_a_phone():
    """Vega-Lite ends a line that does not fit with "…" (at 390 px a line may be ~315 px)."""
    from anomagram.charts.style import TITLE_LINE_PX, text_px

    for name, chart in _all_builders().items():
        d = chart if isinstance(chart, dict) else raw(chart)
        lines = _title_lines(d)
        assert lines, name
        for line, size, bold in lines:
            assert text_px(line, size, bold) <= TITLE_LINE_PX, (name, line)
            assert "…" not in line and "+-" not in line, (name, line)


def test_title_breaks_long_lines_at_spaces():
    from anomagram.charts.style import TITLE_LINE_PX, _title, text_px

    long = "word " * 40
    t = _title("A title", long.strip()).to_dict()
    assert isinstance(t["subtitle"], list) and len(t["subtitle"]) > 1
    assert all(text_px(line, 12) <= TITLE_LINE_PX for line in t["subtitle"])
    assert " ".join(t["subtitle"]) == long.strip()
    assert _title("Short", ["one", "two"]).to_dict()["subtitle"] == ["one", "two"]
    assert _title("Short").to_dict() == {"text": "Short", "anchor": "start"}


def test_the_error_histogram_names_unlabelled_windows_as_such():
    errors = np.linspace(0.0, 1.0, 50)
    chart = C.error_histogram(
        errors, np.zeros(50, bool), threshold=0.5, unit="windows", labelled=False
    )
    text = str(chart.to_dict())
    assert "Reconstruction error of test windows" in text
    assert "50 windows, none labelled" in text
    assert "Unlabelled" in text and "'Normal'" not in text
    # The ECG5000 default is unchanged.
    default = str(C.error_histogram(errors, errors > 0.9).to_dict())
    assert "Reconstruction error of test beats" in default
    assert "45 normal and 5 abnormal beats" in default
