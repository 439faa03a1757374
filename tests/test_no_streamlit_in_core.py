"""Only anomagram/ui/ may import Streamlit: the core is shared with the CLI and the benchmarks,
and must keep working (and stay cheap to import) without a Streamlit session."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "anomagram"
UI = PACKAGE / "ui"


def _forbidden(module: str) -> bool:
    top = module.split(".")[0]
    # Streamlit components (streamlit_drawable_canvas, ...) import Streamlit, and so does the UI.
    ui = module == "anomagram.ui" or module.startswith("anomagram.ui.")
    return top == "streamlit" or top.startswith("streamlit_") or ui


def _imported_modules(node: ast.AST, package: list[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:  # relative: resolve against the importing file's package
        base = package[: len(package) - node.level + 1]
        module = ".".join([*base, *([node.module] if node.module else [])])
    else:
        module = node.module or ""
    # ``from anomagram import ui`` imports the module anomagram.ui.
    return [module, *(f"{module}.{alias.name}" for alias in node.names)]


def forbidden_imports(source: str, package: str = "anomagram") -> list[int]:
    """Line numbers of every import of Streamlit (or of the UI), at any depth in the file."""
    parts = package.split(".")
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if any(_forbidden(m) for m in _imported_modules(node, parts))
    ]


def core_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if UI not in p.parents)


def _package_of(path: Path) -> str:
    return ".".join(["anomagram", *path.parent.relative_to(PACKAGE).parts])


def test_the_core_is_found():
    names = {p.relative_to(PACKAGE).as_posix() for p in core_files()}
    assert {"model.py", "training.py", "upload/__init__.py", "charts/__init__.py"} <= names
    assert not any(name.startswith("ui/") for name in names)


@pytest.mark.parametrize("path", core_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_streamlit_import_outside_ui(path):
    found = forbidden_imports(path.read_text(encoding="utf-8"), _package_of(path))
    assert found == [], f"{path.relative_to(PACKAGE)} imports streamlit on line(s) {found}"


@pytest.mark.parametrize(
    "source",
    [
        "import streamlit",
        "import streamlit as st",
        "import os, streamlit.components.v1",
        "from streamlit import session_state",
        "from streamlit.runtime import exists",
        "import streamlit_drawable_canvas",
        "def f():\n    import streamlit as st\n    return st",
        "class C:\n    def m(self):\n        if x:\n            from streamlit import cache_data",
        "try:\n    import streamlit\nexcept ImportError:\n    pass",
        "from anomagram.ui import streamlit_patches",
        "from anomagram import ui",
        "from .ui.common import state",
    ],
)
def test_the_check_finds_every_form(source):
    assert forbidden_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "import mystreamlit",
        "from anomagram import signal, upload",
        "from anomagram.uikit import x",
        "from . import streamlit_free",
    ],
)
def test_the_check_ignores_lookalikes(source):
    assert forbidden_imports(source) == []


def test_relative_imports_resolve_from_the_importing_package():
    assert forbidden_imports("from ..ui import state", "anomagram.charts")
    assert forbidden_imports("from ..charts import style", "anomagram.upload") == []
