"""Hostile CSV and model files: every one gets a clear message, never a traceback, and the
Score page keeps the beats and model the visitor had before."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from anomagram.ui.score.state import OWN
from anomagram.upload import MAX_BYTES, ParsedBeats, UploadError, parse_beats

from .corpus import IMAGE, LINK, MARKUP, is_marked, unsafe_markdown

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "score.py")
RNG = np.random.default_rng(0)


def _beats(n: int = 3, length: int = 140) -> list[str]:
    return [",".join(f"{v:.4f}" for v in RNG.normal(size=length)) for _ in range(n)]


GOOD = "\n".join(_beats(4))
CSV_CASES: dict[str, bytes | str] = {
    "empty": b"",
    "blank lines": "\n\n  \n\t\n",
    "bom only": b"\xef\xbb\xbf",
    "binary": bytes(range(256)) * 40,
    "zip archive": b"PK\x03\x04" + b"\x00" * 2000,
    "null bytes": "1,2,3\x00,4\n" * 20,
    "header only": ",".join(f"t{i}" for i in range(140)),
    "one column": "\n".join(str(i) for i in range(200)),
    "too short rows": "1,2,3\n4,5,6\n",
    "ragged rows": "\n".join(b[: 40 * (i + 1)] for i, b in enumerate(_beats(5))),
    "nan cell": GOOD + "\n" + ",".join(["nan"] + ["0.1"] * 139),
    "inf cell": GOOD + "\n" + ",".join(["0.1"] * 70 + ["inf"] + ["0.1"] * 69),
    "overflow cell": GOOD + "\n" + ",".join(["1e400"] * 140),
    "huge finite cells": "\n".join(",".join(["1e300"] * 140) for _ in range(3)),
    "text cells": "\n".join(",".join(["abc"] * 140) for _ in range(3)),
    "markdown cells": "\n".join(",".join([LINK] + ["0.5"] * 139) for _ in range(3)),
    "markdown header": ",".join([IMAGE] * 140) + "\n" + GOOD,
    "html cells": "\n".join(",".join([MARKUP[3]] * 140) for _ in range(3)),
    "one huge line": "1" * (MAX_BYTES - 10),
    "over the size limit": "0.1," * (MAX_BYTES // 4 + 10),
    "too many rows": "\n".join(["0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1"] * 10_050),
    "many columns": ",".join(["0.5"] * 100_000),
    "cr line endings": GOOD.replace("\n", "\r"),
    "mixed delimiters": GOOD.replace(",", ";", 200),
    "quotes unbalanced": '"0.1,0.2' + GOOD,
    "ambiguous decimal commas": "\n".join(",".join(["0,5"] * 70) for _ in range(3)),
    "thousands commas": "\n".join(",".join(['"1,234"'] * 140) for _ in range(3)),
    "utf16 no bom": GOOD.encode("utf-16-le"),
    "utf16 with bom": GOOD.encode("utf-16"),
    "latin1 header": ("é," * 139 + "é\n" + GOOD).encode("latin-1"),
    "negative labels": "\n".join("-3," + b for b in _beats(3)),
    "label words": "\n".join(
        f"{word},{beat}" for word, beat in zip(("normal", LINK, "x"), _beats(3), strict=True)
    ),
    "right to left override": "\u202e" + GOOD,
    "emoji": "😀," * 139 + "😀\n" + GOOD,
    "single value": "0.5",
    "only delimiters": ",,,,,,,,\n;;;;;;\n",
    "deep quotes": '"' * 5000 + "1" + '"' * 5000,
    "scientific extremes": "\n".join(",".join(["1e-320"] * 140) for _ in range(3)),
    "negative zero": "\n".join(",".join(["-0"] * 140) for _ in range(3)),
    "constant beats": "\n".join(",".join(["3"] * 140) for _ in range(3)),
}


def _check_message(text: str) -> None:
    assert text.strip() and "Traceback" not in text
    assert len(text) <= 600, text[:200]


@pytest.mark.parametrize("name", list(CSV_CASES))
def test_every_hostile_csv_is_parsed_or_refused_with_a_sentence(name):
    try:
        parsed = parse_beats(CSV_CASES[name])
    except UploadError as exc:
        _check_message(str(exc))
        return
    assert isinstance(parsed, ParsedBeats)
    assert np.isfinite(parsed.beats).all()
    for row in parsed.rejected:
        _check_message(row.reason)
    for warning in parsed.warnings:
        _check_message(warning)


def _score_app() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    at.file_uploader(key="score_file").set_value(("mine.csv", GOOD.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    return at


def _page_texts(at: AppTest) -> list[str]:
    kinds = ("error", "warning", "info", "markdown", "caption", "success")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def _assert_page_ok(at: AppTest) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    texts = _page_texts(at)
    for text in texts:
        if is_marked(text):
            assert not unsafe_markdown(text), text[:300]
    return texts


PAGE_CSV_CASES = [
    "binary",
    "nan cell",
    "markdown cells",
    "markdown header",
    "over the size limit",
    "too many rows",
    "one column",
    "ambiguous decimal commas",
    "html cells",
    "label words",
]


@pytest.mark.parametrize("name", PAGE_CSV_CASES)
def test_score_page_keeps_earlier_results_after_a_hostile_csv(name):
    at = _score_app()
    data = CSV_CASES[name]
    data = data if isinstance(data, bytes) else data.encode()
    at.file_uploader(key="score_file").set_value((f"{LINK}.csv", data, "text/csv")).run()
    texts = _assert_page_ok(at)
    if at.error:
        # Refused: the beats scored before are still on the page, said to be the earlier file's.
        assert any(m.label == "Beats scored" for m in at.metric)
        assert any("mine.csv" in t.replace("\\", "") for t in texts)
    else:
        assert any(m.label == "Beats scored" for m in at.metric)


# --- model files -----------------------------------------------------------------------------


def _rewrite(data: bytes, entry: str, edit) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            dst.writestr(name, edit(content) if name == entry else content)
    return out.getvalue()


def _meta(edit):
    def apply(content: bytes) -> bytes:
        meta = json.loads(content)
        edit(meta)
        return json.dumps(meta).encode()

    return lambda data: _rewrite(data, "anomagram.json", apply)


def _config_units(units: int):
    def apply(content: bytes) -> bytes:
        return content.replace(b'"units": 7', f'"units": {units}'.encode(), 1)

    return lambda data: _rewrite(data, "config.json", apply)


MODEL_CASES = {
    "units bomb": _config_units(2_000_000),
    "threshold nan": _meta(lambda m: m.update(threshold="nan")),
    "threshold negative": _meta(lambda m: m.update(threshold=-1)),
    "hidden inf": _meta(lambda m: m["spec"].update(hidden="inf")),
    "scaler span tiny": _meta(lambda m: m.update(scaler={"min": 0.0, "max": 1e-300})),
    "markdown info": _meta(lambda m: m.update(info={"threshold_strategy": LINK, "auc": IMAGE})),
    "nested brackets": lambda data: _rewrite(
        data, "anomagram.json", lambda c: b"[" * 100_000 + b"]" * 100_000
    ),
    "not a zip": lambda data: b"not a model at all " * 100,
    "truncated": lambda data: data[: len(data) // 2],
}


@pytest.mark.parametrize("name", list(MODEL_CASES))
def test_score_page_keeps_its_model_after_a_hostile_model_file(name, pretrained_bytes):
    at = _score_app()
    at.radio(key="score_model_choice").set_value(OWN).run()
    at.file_uploader(key="score_model_file").set_value(
        ("good.keras", pretrained_bytes, "application/octet-stream")
    ).run()
    assert not at.error and any(m.label == "Beats scored" for m in at.metric)
    hostile = MODEL_CASES[name](pretrained_bytes)
    at.file_uploader(key="score_model_file").set_value(
        (f"{IMAGE}.keras", hostile, "application/octet-stream")
    ).run()
    texts = _assert_page_ok(at)
    # Either refused with a sentence, or (info fields) used with the markup shown as text.
    assert at.error or name == "markdown info", texts[:5]
    # The beats are still scored, by the earlier model if this one was refused.
    assert any(m.label == "Beats scored" for m in at.metric)
    if at.error:
        errors = [str(e.value).replace("\\", "") for e in at.error]
        assert any("Still scoring with good.keras" in e for e in errors)
