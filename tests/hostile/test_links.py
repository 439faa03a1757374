"""Hostile links: every Spec setting and every Experiments parameter, with every hostile value.

The core (``Spec.from_query_params``, the Experiments link parser) is checked with every
combination; the pages with a cross-section, each in AppTest: no exception, a message, nothing
rendered as a link or image, the page's controls still there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from anomagram.spec import FIELDS, Spec, SpecError
from anomagram.ui.experiments import logic

from .corpus import MARKUP, NUMBERS, ODD, VALUES, is_marked, unsafe_markdown

PAGES = Path(__file__).resolve().parents[2] / "pages"
MESSAGE_KINDS = ("error", "warning", "info", "markdown", "caption", "success")


@pytest.mark.parametrize("name", list(FIELDS))
def test_every_setting_with_every_hostile_value_is_a_spec_or_a_spec_error(name):
    for value in VALUES:
        try:
            Spec.from_query_params({name: value})
        except SpecError as exc:
            assert exc.problems and all(p.strip() for p in exc.problems)
            # A message quotes at most a readable part of what was sent.
            assert all(len(p) <= 400 for p in exc.problems), (name, value[:40])


@pytest.mark.parametrize("param", [*logic.SWEEP_PARAMS, *MARKUP[:2], "", "a" * 100_000])
def test_every_experiment_link_is_read_or_explained(param):
    for values in VALUES:
        for seeds in ("3", "inf", "0", "99", "1e400", ""):
            linked, problems = logic.from_query({"param": param, "values": values, "seeds": seeds})
            assert linked.param in logic.SWEEP_PARAMS
            assert all(len(p) <= 400 for p in problems), (param[:40], values[:40], seeds)


def _texts(at: AppTest) -> list[str]:
    return [str(e.value) for kind in MESSAGE_KINDS for e in at.get(kind)]


def _check_page(at: AppTest, sent: str) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at)
    for text in texts:
        if is_marked(text):
            assert not unsafe_markdown(text), text[:300]
    # Nothing a visitor sent fills the page: the longest message stays readable.
    assert all(len(t) <= 2000 for t in texts), max(len(t) for t in texts)
    return texts


TRAIN_CASES = [
    *[("optimizer", v) for v in MARKUP],
    *[("hidden", v) for v in (*NUMBERS, *ODD)],
    *[("epochs", v) for v in NUMBERS],
    *[("learning_rate", v) for v in ("inf", "nan", "1e400", "-0.1", MARKUP[0])],
    *[("seed", v) for v in ("1e400", "inf", "-1", "9" * 5000)],
    *[("abnormal_pct", v) for v in ("41.62", "nan", "101", MARKUP[1])],
    ("activation", MARKUP[2]),
    ("regularizer", MARKUP[4]),
]


@pytest.mark.parametrize(("key", "value"), TRAIN_CASES, ids=lambda v: repr(v)[:30])
def test_train_page_survives_a_hostile_link(key, value):
    at = AppTest.from_file(str(PAGES / "train.py"), default_timeout=60)
    at.session_state["train_speed"] = "fast"
    at.query_params[key] = value
    at.run()
    _check_page(at, value)
    # The composer and the Train button are still there to use.
    assert any("Train" in b.label for b in at.button)
    assert isinstance(at.session_state["spec"], Spec)


EXPERIMENT_CASES = [
    *[{"param": v, "values": "1"} for v in MARKUP],
    *[{"param": "latent", "values": v} for v in (*NUMBERS, *ODD[:8])],
    *[{"param": "hidden", "values": v} for v in ("7,inf", "7,1e400", MARKUP[0], "7," * 5000)],
    *[{"param": "optimizer", "values": v} for v in MARKUP[:3]],
    {"param": "latent", "values": ",".join(str(i) for i in range(1, 65)), "seeds": "5"},
    {"param": "learning_rate", "values": ",".join(f"{i / 1000:g}" for i in range(1, 702))},
    *[{"param": "latent", "values": "2", "seeds": v} for v in ("inf", "1e400", "0", "-3", "99")],
]


@pytest.mark.parametrize("query", EXPERIMENT_CASES, ids=lambda q: repr(q)[:40])
def test_experiments_page_survives_a_hostile_link(query):
    at = AppTest.from_file(str(PAGES / "experiments.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    _check_page(at, str(query))
    assert at.button(key="exp_run") is not None
