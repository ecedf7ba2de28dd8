"""Downloads are built when clicked: running a page (and rerunning it) never calls the export
builders; the files themselves are checked in tests/browser/test_downloads.py."""

from __future__ import annotations

import pytest

from lib.ingest import importers, loading
from lib.public import exports
from tests.conftest import analyst_sign_in
from tests.test_pages import assert_ok

PASSWORD = "ett långt lösenord"


@pytest.fixture
def calls(monkeypatch):
    """Every export builder replaced by a counting stand-in."""
    counted: list[str] = []

    def counting(name, real):
        def builder(*args, **kwargs):
            counted.append(name)
            return real(*args, **kwargs)

        return builder

    monkeypatch.setattr(exports, "csv_bytes", counting("csv", exports.csv_bytes))
    monkeypatch.setattr(exports, "excel_bytes", counting("excel", exports.excel_bytes))
    monkeypatch.setattr(importers, "to_swedish_csv", counting("export", importers.to_swedish_csv))
    monkeypatch.setattr(loading, "template_bytes", counting("template", loading.template_bytes))
    return counted


@pytest.mark.parametrize(
    "script", ["pages/utveckling.py", "pages/medborgarloftet.py", "pages/jamforelse.py"]
)
def test_a_page_run_and_rerun_builds_no_download(open_app, calls, script):
    at = open_app(script)
    assert_ok(at)
    assert at.get("download_button"), "the page offers no download"
    at.run()
    assert_ok(at)
    assert calls == []


def test_the_data_page_builds_no_export_until_clicked(open_app, calls):
    at = open_app("pages/data.py", PASSWORD)
    analyst_sign_in(at, PASSWORD)
    assert_ok(at)
    labels = [b.label for b in at.get("download_button")]
    assert any(label.startswith("Exportera") for label in labels), labels
    at.run()
    assert calls == []


def download_buttons_without_ignore(source: str) -> list[int]:
    """Lines of the ``download_button`` calls in ``source`` that do not pass
    ``on_click="ignore"``."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "download_button"
        ):
            ignore = [
                k
                for k in node.keywords
                if k.arg == "on_click"
                and isinstance(k.value, ast.Constant)
                and k.value.value == "ignore"
            ]
            if not ignore:
                found.append(node.lineno)
    return found


def test_no_download_button_reruns_the_page():
    """A download is built when clicked (a deferred file); with Streamlit's default
    on_click="rerun" the click also reran the page, and once in CI (two workers, a busy
    machine) the Excel export of Ärenden never arrived (tests/browser/test_report_hygiene.py).
    A download changes nothing on the page, so every button says on_click="ignore"."""
    from tests.conftest import ROOT

    sources = [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "lib").rglob("*.py"))]
    calls = 0
    for path in sources:
        text = path.read_text(encoding="utf-8")
        calls += text.count("download_button(")
        assert download_buttons_without_ignore(text) == [], path
    assert calls >= 12
    assert download_buttons_without_ignore('st.download_button("a", b"x")') == [1]
    assert download_buttons_without_ignore('c.download_button("a", on_click="rerun")') == [1]
