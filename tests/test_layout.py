"""The flow of the code: files come in through lib/ingest, numbers are made in lib/figures,
and only lib/public decides what a viewer sees. No import runs back up: ingest and figures
never import the public layer (nor Streamlit), and figures hold no Swedish text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parent.parent / "lib"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("layer", ["ingest", "figures"])
def test_no_import_runs_back_up(layer):
    for path in sorted((LIB / layer).glob("*.py")):
        bad = {m for m in imports(path) if m.startswith(("lib.public", "streamlit", "lib.ui"))}
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_figures_are_numbers_only():
    for path in sorted((LIB / "figures").glob("*.py")):
        assert not {m for m in imports(path) if m.startswith("lib.i18n")}, path.name


def test_only_ui_imports_streamlit():
    for path in sorted(LIB.rglob("*.py")):
        if path.name == "ui.py":
            continue
        assert not {m for m in imports(path) if m.startswith("streamlit")}, path.name


def test_the_check_can_fail(tmp_path):
    """The scanner sees an import of the public layer, also a relative-looking one."""
    sample = tmp_path / "x.py"
    sample.write_text("from lib.public import views\nimport lib.public.disclosure\n")
    assert {"lib.public", "lib.public.views", "lib.public.disclosure"} <= imports(sample)
