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
