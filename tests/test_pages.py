"""Every page through Streamlit's AppTest: renders in Swedish, no exception, and the numbers
on screen equal an independent pandas computation on the sample file."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.ingest.store import Store
from tests.conftest import ROOT

NBSP = "\u00a0"


def swedish(n: int) -> str:
    return f"{n:,}".replace(",", NBSP)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "app.db"))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)


def assert_ok(at):
    """No exception, and no error box (the front door turns exceptions into one)."""
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def count(sample, start, end, **equal):
    mask = sample["datum"].dt.normalize().between(pd.Timestamp(start), pd.Timestamp(end))
    for column, value in equal.items():
        mask &= sample[column].isin(value if isinstance(value, list) else [value])
    return int(mask.sum())


def test_overview_renders_with_banner_and_true_numbers(app, sample_incidents):
    at = app.run()
    assert_ok(at)
    assert at.title[0].value == "Trygghet i Hallsbergs kommun"
    assert any("Exempeldata – fiktiva händelser" in w.value for w in at.warning)
    expected = count(sample_incidents, "2018-10-01", "2019-09-30")
    assert metric(at, "Händelser").value == swedish(expected)
    assert f"registrerades {swedish(expected)} händelser" in at.markdown[0].value
    table = at.dataframe[0].value
    top = table.iloc[0]
    assert top["Perioden"] == swedish(
        count(sample_incidents, "2018-10-01", "2019-09-30", kategori=top["Kategori"])
    )


def test_filters_change_the_numbers(app, sample_incidents):
    at = app.run()
    at.multiselect(key="ort").set_value(["Pålsboda", "Östansjö"]).run()
    assert_ok(at)
    expected = count(sample_incidents, "2018-10-01", "2019-09-30", ort=["Pålsboda", "Östansjö"])
    assert metric(at, "Händelser").value == swedish(expected)
    at.multiselect(key="kalla").set_value(["municipal_report"]).run()
    expected = count(
        sample_incidents,
        "2018-10-01",
        "2019-09-30",
        ort=["Pålsboda", "Östansjö"],
        källa="Kommunens rapportering",
    )
    assert metric(at, "Händelser").value == swedish(expected)


def test_period_from_the_url(app, sample_incidents):
    app.query_params["period"] = ["2019-01-01", "2019-06-30"]
    at = app.run()
    assert_ok(at)
    assert "1 januari 2019–30 juni 2019" in at.caption[0].value
    expected = count(sample_incidents, "2019-01-01", "2019-06-30")
    assert metric(at, "Händelser").value == swedish(expected)


def test_small_selection_is_suppressed(app, sample_incidents):
    promise_year = sample_incidents[sample_incidents["datum"].between("2018-10-01", "2019-10-01")]
    counts = promise_year.groupby(["ort", "kategori"]).size()
    place, category = counts[counts.isin([1, 2])].index[0]
    at = app.run()
    at.multiselect(key="ort").set_value([place]).run()
    at.multiselect(key="kategori").set_value([category]).run()
    assert_ok(at)
    assert metric(at, "Händelser").value == "färre än 3"
    assert metric(at, "Händelser").delta == ""
    assert "registrerades färre än 3 händelser" in at.markdown[0].value
    shown = at.dataframe[0].value
    assert shown.loc[0, "Perioden"] == "färre än 3"


def test_incomplete_period_asks_for_both_dates(app):
    at = app.run()
    at.date_input(key="period").set_value((pd.Timestamp("2019-01-01").date(),)).run()
    assert_ok(at)
    assert any("Välj både första och sista dag" in i.value for i in at.info)


def test_empty_selection_message(app):
    at = app.run()
    at.date_input(key="period").set_value(
        (pd.Timestamp("2017-01-01").date(), pd.Timestamp("2017-01-31").date())
    ).run()
    assert_ok(at)
    assert any("Inga händelser matchar urvalet" in i.value for i in at.info)


def test_empty_store_explains_how_to_load_data(tmp_path, monkeypatch):
    db = tmp_path / "empty.db"
    Store(str(db)).mark_initialised()  # an analyst's store without sample data
    monkeypatch.setenv("TRYGGHET_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert_ok(at)
    assert any("inga händelser i databasen" in i.value for i in at.info)
    assert not at.warning  # no sample data, so no sample banner


def test_about_page(app):
    at = app.run()
    at.switch_page("pages/om.py").run()
    assert_ok(at)
    assert at.title[0].value == "Om statistiken"
    assert any("Exempeldata" in w.value for w in at.warning)
    localities = at.dataframe[0].value
    assert localities.iloc[0].tolist() == ["Hallsberg", f"8{NBSP}491", "nej"]
    log = at.dataframe[1].value
    assert log["Rader"].tolist()[0] == swedish(3539)


def test_writes_elsewhere_show_up_without_restart(app, tmp_path, sample_incidents):
    at = app.run()
    before = metric(at, "Händelser").value
    store = Store()  # same TRYGGHET_DB, as the CLI would open it
    store.undo(min(store.sample_import_ids()))
    at.run()
    assert before and not at.metric
    assert any("inga händelser i databasen" in i.value for i in at.info)


def test_unexpected_error_is_swedish_without_traceback(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("lib.figures.overview.compute", broken)
    at = app.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Något gick fel när sidan skulle visas. Felet har loggats på servern; försök igen eller "
        "kontakta den som förvaltar dashboarden."
    ]
    assert not any("Traceback" in m.value or "boom" in m.value for m in at.markdown)
