"""Issue 20.7: ``publish`` is the whole public surface. For the same question (the default
public period, all localities, categories and sources), every number a public page sends to
the browser — metrics, table cells, the summary, every chart's values and hover texts, the
map's cells and locality circles — must be in the files ``publish`` writes. A number on a
page but not in the files fails the test, so open data and pages stay the same thing."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import load_municipality
from lib.figures.filters import Filters
from lib.public import publish
from lib.store.store import Store
from tests.conftest import ROOT
from tests.test_page_map import map_data
from tests.test_pages import assert_ok

NUMBER = re.compile(r"(?<![\w.,])[−+-]?\d{1,3}(?:[\u00a0 ]\d{3})*(?:,\d+)?(?![\w])")


def numbers_in(text: str) -> list[tuple[float, int]]:
    """Every number written in Swedish in a text, with its decimals (for rounding)."""
    out = []
    for token in NUMBER.findall(text):
        clean = token.replace("\u00a0", "").replace(" ", "").replace("−", "-").replace(",", ".")
        decimals = len(clean.split(".")[1]) if "." in clean else 0
        out.append((float(clean), decimals))
    return out


def decoded(values) -> list:
    """A plotly array as the browser gets it (plain list, or base64 binary data)."""
    if isinstance(values, dict) and "bdata" in values:
        raw = base64.b64decode(values["bdata"])
        array = np.frombuffer(raw, dtype=np.dtype(values["dtype"]))
        if "shape" in values:
            array = array.reshape([int(n) for n in str(values["shape"]).split(",")])
        return array.ravel().tolist()
    if isinstance(values, list):
        flat = []
        for v in values:
            flat += decoded(v) if isinstance(v, list | dict) else [v]
        return flat
    return [] if values is None else [values]


def page_numbers(at: AppTest) -> list[tuple[str, float, int]]:
    """(where, value, decimals) of every number the page shows as data."""
    found = []
    for m in at.metric:
        for text in (m.value, m.delta or ""):
            found += [("metric", v, d) for v, d in numbers_in(str(text))]
    for element in at.text:
        found += [("text", v, d) for v, d in numbers_in(element.value)]
    for frame in at.dataframe:
        for cell in frame.value.astype(str).to_numpy().ravel():
            found += [("table", v, d) for v, d in numbers_in(cell)]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            # A hidden bucket's marker stands at half the threshold it is below
            # (charts._hidden_traces): what it tells is that threshold, which the files
            # write as "färre än T" for the same bucket.
            scale = 2.0 if "(döljs)" in str(trace.get("name")) else 1.0
            for key in ("y", "z"):
                for v in decoded(trace.get(key)):
                    if isinstance(v, int | float) and np.isfinite(v):
                        found.append((f"chart {trace.get('name')}", scale * float(v), 6))
            for text in decoded(trace.get("customdata")):
                found += [("hover", v, d) for v, d in numbers_in(str(text))]
    return found


def file_numbers(documents: list[dict]) -> np.ndarray:
    """Every number in the files: the JSON numbers (shares also as per cent) and every number
    written inside their texts."""
    values: list[float] = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, bool) or node is None:
            return
        elif isinstance(node, int | float):
            values.extend([float(node), float(node) * 100])
        elif isinstance(node, str):
            values.extend(v for v, _ in numbers_in(node))

    for document in documents:
        walk(document)
    return np.array(values)


def missing(shown: list[tuple[str, float, int]], files: np.ndarray) -> list:
    """Numbers on the page that no number in the files rounds to."""
    out = []
    for where, value, decimals in shown:
        tolerance = 0.5 * 10.0**-decimals + 1e-9
        if not (np.abs(files - value) <= tolerance).any():
            out.append((where, value))
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A store started as the app starts (seeded through the product's own path) and its
    open data for the default public period."""
    root = tmp_path_factory.mktemp("surface")
    db = root / "app.db"
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    import os

    os.environ["TRYGGHET_DB"] = str(db)
    try:
        at.run()
    finally:
        del os.environ["TRYGGHET_DB"]
    muni = load_municipality()
    store = Store(str(db))
    data, points = publish.load_data(store, muni)
    f = Filters(*data.presets()[0].span)
    paths = publish.publish(store, muni, f, root / "files", loaded=(data, points))
    return db, {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in paths}


def open_page(db, monkeypatch, script: str) -> AppTest:
    monkeypatch.setenv("TRYGGHET_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    if script != "pages/oversikt.py":
        at.switch_page(script)
    at.run()
    assert_ok(at)
    return at


def test_the_overview_shows_nothing_the_files_lack(published, monkeypatch):
    db, files = published
    at = open_page(db, monkeypatch, "pages/oversikt.py")
    shown = page_numbers(at)
    assert len(shown) > 50  # metrics, the summary, two tables and the monthly chart
    assert missing(shown, file_numbers([files["oversikt"]])) == []


def test_the_trends_page_in_months_and_weeks_shows_nothing_the_files_lack(published, monkeypatch):
    db, files = published
    at = open_page(db, monkeypatch, "pages/utveckling.py")
    shown = page_numbers(at)
    at.radio(key="upplosning").set_value("W").run()
    assert_ok(at)
    weekly = page_numbers(at)
    assert len(weekly) > len(shown) - 20  # the weekly chart replaced the monthly one
    assert len(files["utveckling"]["charts"]["veckor"]) > 100
    assert missing(shown + weekly, file_numbers([files["utveckling"]])) == []


def test_the_map_shows_nothing_the_files_lack(published, monkeypatch):
    db, files = published
    at = open_page(db, monkeypatch, "pages/karta.py")
    shown = page_numbers(at)
    drawn = map_data(at)
    for style in drawn["styles"]:  # each cell's tooltip count
        shown += [("cell", v, d) for v, d in numbers_in(str(style[1]))]
    for row in drawn.get("off_map", []):
        shown += [("locality", v, d) for v, d in numbers_in(str(row[3]))]
    assert len(shown) > 20
    assert missing(shown, file_numbers([files["karta"]])) == []


def test_the_check_can_fail():
    """A number the files do not hold is found; rounding to the shown decimals is not."""
    files = file_numbers([{"a": 0.2959, "b": "1 827 händelser", "c": [114.53]}])
    shown = [("x", 30.0, 0), ("x", 1827.0, 0), ("x", 114.5, 1), ("x", 1828.0, 0)]
    assert missing(shown, files) == [("x", 1828.0)]
