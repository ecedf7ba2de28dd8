"""The trends page through AppTest: tables equal independent pandas computations, filters
and options work, awkward selections give Swedish messages, never exceptions."""

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from lib.figures import trends
from lib.public import exports
from tests.conftest import ROOT
from tests.test_pages import assert_ok

PAGE = "pages/utveckling.py"


@pytest.fixture
def page(tmp_path, monkeypatch):
    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "app.db"))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    return at.switch_page(PAGE).run()


def year_counts(sample, column, start="2018-10-01", end="2019-09-30", **equal):
    day = sample["datum"].dt.normalize()
    mask = day.between(pd.Timestamp(start), pd.Timestamp(end))
    for key, value in equal.items():
        mask &= sample[key].isin(value)
    return sample[mask][column].value_counts()


def table_by_key(at):
    table = at.dataframe[0].value
    return table.set_index(table.columns[0])


def test_renders_with_true_change_table(page, sample_incidents):
    assert_ok(page)
    assert page.title[0].value == "Utveckling"
    assert any("Exempeldata" in w.value for w in page.warning)
    summary = page.markdown[0].value
    assert "Skadegörelse ökade" in summary and "på natten (22–06)" in summary
    table = table_by_key(page)
    current = year_counts(sample_incidents, "kategori")
    previous = year_counts(sample_incidents, "kategori", "2017-10-01", "2018-09-30")
    for category, row in table.iterrows():
        if pd.notna(row["Perioden"]):
            assert row["Perioden"] == current.get(category, 0)
        if pd.notna(row["Året innan"]):
            assert row["Året innan"] == previous.get(category, 0)
    assert table.loc["Skadegörelse", "Bedömning"] == "ökning"
    assert table.loc["Stöld", "Bedömning"] == "ingen säkerställd förändring"


def test_by_locality_and_filters(page, sample_incidents):
    page.radio(key="uppdelning").set_value("locality").run()
    assert_ok(page)
    table = table_by_key(page)
    assert set(table.index) == {
        "Hallsberg",
        "Pålsboda",
        "Sköllersta",
        "Vretstorp",
        "Östansjö",
        "Hjortkvarn",
    }
    current = year_counts(sample_incidents, "ort")
    assert table.loc["Hallsberg", "Perioden"] == current["Hallsberg"]
    page.multiselect(key="kategori").set_value(["Klotter", "Nedskräpning"]).run()
    assert_ok(page)
    table = table_by_key(page)
    current = year_counts(sample_incidents, "ort", kategori=["Klotter", "Nedskräpning"])
    assert table.loc["Hallsberg", "Perioden"] == current["Hallsberg"]


def test_weekly_rates_and_other_tabs(page):
    page.radio(key="upplosning").set_value("W").run()
    page.radio(key="matt").set_value("rate").run()
    assert_ok(page)
    assert page.selectbox(key="kontrollkategori").value == "Skadegörelse"
    unusual = page.dataframe[1].value
    assert set(unusual["Kategori"]) == {"Skadegörelse"}
    assert set(unusual["Avvikelse"]) == {"fler än normalt"}
    night = next(m for m in page.metric if m.label == "Andel på natten")
    assert night.value.endswith("%")


@pytest.mark.parametrize(
    "period",
    [
        (dt.date(2019, 6, 21), dt.date(2019, 6, 21)),  # a single day
        (dt.date(2016, 11, 1), dt.date(2016, 11, 30)),  # no data in either year
    ],
)
def test_awkward_periods(page, period):
    page.date_input(key="period").set_value(period).run()
    assert_ok(page)
    if period[0].year == 2016:
        assert any("Inga händelser matchar urvalet" in i.value for i in page.info)


def test_locality_without_population(tmp_path, monkeypatch):
    config = (ROOT / "data/hallsberg.toml").read_text(encoding="utf-8")
    config = config.replace('name = "Hjortkvarn"\npopulation = 234\n', 'name = "Hjortkvarn"\n')
    assert "population = 234" not in config
    (tmp_path / "utan.toml").write_text(
        config.replace('"sample/', f'"{ROOT}/data/sample/').replace(
            '"promises/', f'"{ROOT}/data/promises/'
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("TRYGGHET_KOMMUN", str(tmp_path / "utan.toml"))
    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "app.db"))
    monkeypatch.chdir(ROOT)
    from lib.config import load_municipality

    load_municipality.cache_clear()
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
        at.switch_page(PAGE).run()
        at.multiselect(key="ort").set_value(["Hjortkvarn"]).run()
        at.radio(key="matt").set_value("rate").run()
        assert_ok(at)
        assert any("Befolkningssiffra saknas för Hjortkvarn" in i.value for i in at.info)
        table = table_by_key(at)
        assert set(table["Tillförlitlighet"]) == {"befolkning saknas"}
    finally:
        load_municipality.cache_clear()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=12),
    st.integers(2, 6),
)
def test_change_table_never_reveals_small_counts(pairs, threshold):
    table = pd.DataFrame(
        {
            "key": [f"K{i}" for i in range(len(pairs))],
            "current": [c for c, _ in pairs],
            "previous": [p for _, p in pairs],
            "change": [c - p for c, p in pairs],
            "change_pct": [(c - p) / p if p else float("nan") for c, p in pairs],
            "rate": float("nan"),
            "rate_low": float("nan"),
            "rate_high": float("nan"),
            "rate_status": "too_few",
            "p_value": 1.0,
            "verdict": "no_change",
        }
    )
    view = trends.change_view(table, "category", threshold)
    for column in ("Perioden", "Året innan"):
        shown = view[column].dropna()
        assert not shown.between(1, threshold - 1).any()
    hidden = table["current"].between(1, threshold - 1) | table["previous"].between(
        1, threshold - 1
    )
    assert view["Förändring"][hidden].isna().all()
    download = trends.change_download(table, "category", threshold)
    text = exports.csv_bytes(download).decode("utf-8-sig")
    for line, (cur, prev) in zip(text.splitlines()[1:], pairs, strict=True):
        fields = line.split(";")
        for value, hidden_value in (
            (fields[1], 0 < cur < threshold),
            (fields[2], 0 < prev < threshold),
        ):
            assert (value == f"färre än {threshold}") == hidden_value


def test_excel_download_is_real_and_neutralised():
    frame = pd.DataFrame({"Kategori": ['=HYPERLINK("http://x")', "Stöld"], "Perioden": [5, 7]})
    book = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes(frame, "Förändring")))
    sheet = book["Förändring"]
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["B3"].value == 7
    assert exports.csv_bytes(frame).decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPER")
