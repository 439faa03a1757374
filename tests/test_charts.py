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
import pandas as pd

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


def title_text(d: dict) -> str:
    t = d.get("title")
    return t["text"] if isinstance(t, dict) else (t or "")


def subtitle_text(d: dict) -> str:
    t = d.get("title")
    return t.get("subtitle", "") if isinstance(t, dict) else ""


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


def test_to_vega_keeps_the_spec_and_leaves_sizing_to_streamlit():
    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x=alt.X("a:Q"))
    d = C.to_vega(chart)
    assert d["mark"]["type"] == "bar" and d["encoding"]["x"]["field"] == "a"
    view = d.get("config", {}).get("view", {})
    assert "continuousWidth" not in view and "continuousHeight" not in view
    assert "height" not in d and "width" not in d
    assert C.to_vega(chart, 321)["height"] == 321
