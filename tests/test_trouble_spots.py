"""Trouble spots in front of the users (issue 22): hot and cold against a named baseline on
the map and in karta.json, the signals of the space-time scan (CLI, words, the incidents
behind each alert), repeats withheld from the public where the detail rule says so, the
calibration on Om statistiken and the funnel drawn with the limits the verdicts use.

The store is built through the product's own import path (``python -m lib.cli import``)
from the made-up town of ``tests/trouble_data.py``: four years of the same places at the
same rate, one 250 m cell with 30 more thefts in the latest year, and 12 incidents of
vandalism within 60 m in the last ten days. Places are checked against positions worked out
here with pyproj, not with the code under test."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3

import numpy as np
import pandas as pd
import pytest

from lib.config import load_municipality
from lib.i18n import fmt_pct
from tests import trouble_data as td
from tests.test_page_map import drawn_cells, map_data, summary
from tests.test_pages import assert_ok

LAST_12 = (dt.date(2024, 11, 1), dt.date(2025, 10, 31))  # the latest 12 complete months
JSON_KEYS = {
    "plats",
    "lat",
    "lon",
    "radie_m",
    "från",
    "till",
    "antal",
    "väntat",
    "återkomsttid_dagar",
    "kategorier",
}


def cli(*args: str) -> int:
    from lib.cli import main

    return main(list(args))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Stores made through the command line's import, once per module: ``full`` (four years
    and a population grid) and ``short`` (the last 600 days, no grid); copied per test."""
    folder = tmp_path_factory.mktemp("trouble")
    frame = td.incidents()
    incidents = td.write_incidents(folder / "handelser.csv", frame)
    grid = td.write_population(folder / "befolkning.csv", td.population(frame))
    first = td.END - dt.timedelta(days=600)
    recent = frame[pd.to_datetime(frame["datum"]).dt.date >= first]
    short_file = td.write_incidents(folder / "kort.csv", recent)
    mp = pytest.MonkeyPatch()
    mp.setenv("TRYGGHET_SAMPLE", "0")
    try:
        full, short = str(folder / "full.db"), str(folder / "short.db")
        assert cli("--db", full, "import", str(incidents), "--kind", "incidents") == 0
        assert cli("--db", full, "import", str(grid), "--kind", "befolkningsrutor") == 0
        assert cli("--db", short, "import", str(short_file), "--kind", "incidents") == 0
    finally:
        mp.undo()
    return {"full": full, "short": short, "frame": frame}


def copy_of(built, name: str, tmp_path) -> str:
    """A copy of a built store (SQLite's backup: the write-ahead log included)."""
    target = tmp_path / f"{name}.db"
    source, copy = sqlite3.connect(built[name]), sqlite3.connect(target)
    with source, copy:
        source.backup(copy)
    source.close()
    copy.close()
    return str(target)


@pytest.fixture
def open_map(built, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("TRYGGHET_SAMPLE", "0")

    def open_page(name: str = "full", hotspots: bool = True):
        monkeypatch.setenv("TRYGGHET_DB", copy_of(built, name, tmp_path))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=240)
        at.run()
        at.switch_page("pages/karta.py").run()
        assert_ok(at)
        keys = [b.key for b in at.get("button_group")]
        assert "vy" in keys, ([t.value for t in at.title], [i.value for i in at.info], keys)
        if hotspots:
            at.button_group(key="vy").set_value("hotspots").run()
        assert_ok(at)
        return at

    return open_page


def hot_cells(drawn: dict) -> set[tuple[int, int]]:
    return {k for k, (style, _) in drawn_cells(drawn, 250).items() if style > 0}


# --- Hot and cold against a baseline ------------------------------------------------------------


def test_map_names_own_history_and_finds_the_place_that_got_worse(open_map):
    at = open_map()
    text = summary(at)
    assert (
        "Het och kall jämfört med platsens egen historia: de tolv månaderna "
        "1 november 2024–31 oktober 2025 mot samma rutor de 2 tolvmånadersperioderna före "
        "(1 november 2022–31 oktober 2024)." in text
    ), text
    drawn = map_data(at)
    assert drawn["legend_title"] == "Het och kall mot platsens egen historia"
    hot = hot_cells(drawn)
    # The planted cell; an evenly busy town that stays so has (almost) nothing else.
    assert td.worse_cell() in hot and len(hot) <= 2, hot
    assert {style for style, _ in drawn_cells(drawn, 250).values()} <= {-4, -3, -2, -1, 1, 2, 3, 4}
    notes = " ".join(c.value for c in at.caption)
    assert "varje ruta jämförs med sig själv" in notes and "Benjamini–Hochberg" in notes


def test_map_with_a_population_grid_offers_the_residents(open_map):
    at = open_map()
    choice = at.radio(key="jamforelse")
    assert choice.options == ["platsens egen historia", "de boende"]
    choice.set_value("residents").run()
    assert_ok(at)
    text = summary(at)
    assert "Het och kall jämfört med de boende" in text and "per ruta om 250 m" in text, text
    drawn = map_data(at)
    assert drawn["legend_title"] == "Het och kall mot de boende"
    assert td.worse_cell() in hot_cells(drawn)
    notes = " ".join(c.value for c in at.caption)
    assert "andel av befolkningen" in notes


def test_without_two_earlier_years_or_a_grid_no_cell_is_hot(open_map):
    at = open_map("short")
    text = summary(at)
    assert "Ingen ruta kallas het eller kall" in text, text
    drawn = map_data(at)
    assert drawn["legend_title"].startswith("Händelser per ruta")
    assert all(style > 0 for style, _ in drawn_cells(drawn, 250).values())  # count classes
    assert not [r for r in at.radio if r.key == "jamforelse"]  # nothing to choose from


def test_the_heat_map_is_where_incidents_are_never_hot(open_map):
    at = open_map(hotspots=False)
    at.button_group(key="vy").set_value("heat").run()
    drawn = map_data(at)
    assert drawn["legend_title"].startswith("Var händelserna finns")
    assert "het" not in drawn["legend_title"].lower()


def test_karta_json_names_the_baseline(built, tmp_path):
    from lib.figures.filters import Filters
    from lib.public.publish import publish
    from lib.store.store import Store

    store = Store(copy_of(built, "full", tmp_path))
    muni = load_municipality()
    publish(store, muni, Filters(*LAST_12), tmp_path / "ut")
    document = json.loads((tmp_path / "ut" / "karta.json").read_text(encoding="utf-8"))
    (baseline,) = document["tables"]["baslinje"]
    assert baseline["baslinje"] == "own_history"
    assert baseline["namn"] == "platsens egen historia"
    assert (baseline["fran"], baseline["till"]) == ("2024-11-01", "2025-10-31")
    assert baseline["tidigare_perioder"] == 2 and baseline["varfor_ingen"] is None
    hot = [v for v in document["verdicts"] if v.get("verdict") == "het"]
    ix, iy = td.worse_cell()
    assert {v["baslinje"] for v in hot} == {"own_history"}
    assert f"N {int((iy + 0.5) * 250)} E {int((ix + 0.5) * 250)}" in {v["subject"] for v in hot}
    assert any("platsens egen historia" in s for s in document["sentences"])
    assert "signal" not in json.dumps(document, ensure_ascii=False).lower()  # never public


def test_karta_json_says_why_there_is_no_baseline(built, tmp_path):
    from lib.figures.filters import Filters
    from lib.public.publish import publish
    from lib.store.store import Store

    store = Store(copy_of(built, "short", tmp_path))
    publish(store, load_municipality(), Filters(*LAST_12), tmp_path / "ut")
    document = json.loads((tmp_path / "ut" / "karta.json").read_text(encoding="utf-8"))
    (baseline,) = document["tables"]["baslinje"]
    assert baseline["baslinje"] == "none"
    assert "två tidigare år" in baseline["varfor_ingen"]
    assert not [v for v in document["verdicts"] if v.get("verdict") in ("het", "kall")]


# --- Signals ----------------------------------------------------------------------------------


def metres(lat1, lon1, lat2, lon2) -> float:
    x, y = td.TO_SWEREF.transform([lon1, lon2], [lat1, lat2])
    return math.hypot(x[1] - x[0], y[1] - y[0])


def test_cli_signaler_json_shape_and_the_planted_burst(built, tmp_path, capsys):
    db = copy_of(built, "full", tmp_path)
    assert cli("--db", db, "signaler", "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert isinstance(found, list) and len(found) == 1
    (alert,) = found
    assert set(alert) == JSON_KEYS
    assert alert["plats"] == "Hallsberg"
    bx, by = td.burst_xy()
    lon, lat = td.FROM_SWEREF.transform(bx, by)
    assert metres(alert["lat"], alert["lon"], lat, lon) <= 500
    first, last = dt.date.fromisoformat(alert["från"]), dt.date.fromisoformat(alert["till"])
    assert last == td.END and 1 <= (last - first).days + 1 <= 30
    assert alert["antal"] >= td.BURST > alert["väntat"] * 2
    assert alert["återkomsttid_dagar"] >= 365
    categories = alert["kategorier"]
    assert all(set(c) == {"kategori", "antal"} for c in categories)
    assert sum(c["antal"] for c in categories) == alert["antal"]
    assert categories[0]["kategori"] == "Skadegörelse" and categories[0]["antal"] >= td.BURST
    # The same data and day give the same signals (the draws are seeded from the day).
    assert cli("--db", db, "signaler", "--json", "--per", td.END.isoformat()) == 0
    assert json.loads(capsys.readouterr().out) == found


def test_cli_signaler_in_words_and_before_the_burst(built, tmp_path, capsys):
    db = copy_of(built, "full", tmp_path)
    assert cli("--db", db, "signaler") == 0
    out = capsys.readouterr().out
    assert "Läget till och med 2025-11-30" in out
    assert "En så stark signal ger slumpen ungefär en gång på 2,7 år" in out
    assert cli("--db", db, "signaler", "--json", "--per", "2025-10-31") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_the_incidents_behind_an_alert_are_as_many_as_it_counts(built, tmp_path):
    from lib.datamanager import DataManager, incident_rows
    from lib.public import alerts
    from lib.store.store import Store

    muni = load_municipality()
    store = Store(copy_of(built, "full", tmp_path))
    manager = DataManager(store, muni)
    result, points = manager.signals(manager.version(), td.END)
    found = alerts.signals(result, points, muni)
    (record,) = found.records
    rows = alerts.incidents_behind(found, 0, incident_rows(store), muni)
    assert len(rows) == record["antal"]
    assert (rows["Kategori"] == "Skadegörelse").sum() >= td.BURST
    for lat, lon in zip(rows["lat"], rows["lon"], strict=True):
        # within the circle (counted by 100 m cell centres: at most 71 m more)
        assert metres(lat, lon, record["lat"], record["lon"]) <= record["radie_m"] + 71
    sentence = alerts.sentence(record, found.replications, muni)
    assert sentence.startswith("Hallsberg, ") and "ungefär en gång på 2,7 år" in sentence


# --- Repeats -------------------------------------------------------------------------------------


def knox_table(rows: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"category": c, "events": n, "observed": 9, "expected": 3.0, "ratio": r, "p": p}
            for c, n, r, p in rows
        ]
    )


def test_public_repeats_leave_out_sensitive_and_small_categories():
    from lib.public import alerts
    from lib.public.disclosure import Disclosure, public

    found = knox_table(
        [("Stöld", 60, 3.0, 0.001), ("Sexualbrott", 40, 2.0, 0.002), ("Brand", 12, 2.5, 0.001)]
    )
    # Published counts of the 12 months: 60 thefts, 12 fires (below the minimum of 20).
    cells = pd.DataFrame(
        {
            "category": ["Stöld", "Brand", "Sexualbrott"],
            "n": [60, 12, 40],
            "key": [0.5, 0.5, 0.5],
        }
    )
    viewer = public(3, detail_minimum=20, sensitive={"Sexualbrott"})
    table, sentences, notes = alerts.repeats_view(found, cells, viewer, analyst=False)
    assert table["Kategori"].tolist() == ["Stöld"]
    assert "Par nära i tid och rum" not in table.columns  # never the pairs for the public
    # nor the p-value: in three decimals it moved with one incident's day (channel 10)
    assert "p-värde" not in table.columns
    assert any("minst 20 händelser" in n for n in notes)
    assert sentences == [
        "Stöld: att två händelser inträffar inom 200 m och 14 dagar från varandra är "
        "3,0 gånger vanligare än slumpen ger."
    ]
    analyst = Disclosure(3, exact=True, sensitive=frozenset({"Sexualbrott"}))
    table, sentences, notes = alerts.repeats_view(found, cells, analyst, analyst=True)
    assert table["Kategori"].tolist() == ["Stöld", "Sexualbrott", "Brand"]
    assert table["Par nära i tid och rum"].tolist() == ["9", "9", "9"]
    assert table["p-värde"].tolist() == ["0,001", "0,002", "0,001"]
    assert notes == [] and len(sentences) == 3
    assert sentences[0].endswith("vanligare än slumpen ger (p = 0,001).")


def test_repeats_of_the_planted_burst_are_more_than_chance(built, tmp_path):
    from lib.datamanager import DataManager
    from lib.figures.filters import Filters
    from lib.public import alerts
    from lib.public.disclosure import for_municipality
    from lib.store.store import Store

    muni = load_municipality()
    manager = DataManager(Store(copy_of(built, "full", tmp_path)), muni)
    version = manager.version()
    found = manager.repeats(version, td.END)
    vandalism = found.set_index("category").loc["Skadegörelse"]
    assert vandalism["p"] <= 0.01 and vandalism["ratio"] > 1.5
    d = for_municipality(muni)
    start = dt.date(2024, 12, 1)
    points = manager.cells(version, dt.date(2020, 1, 1), td.END)
    table, sentences, _ = alerts.repeats_for(found, points, Filters(start, td.END), d)
    assert any(s.startswith("Skadegörelse: att två händelser") for s in sentences), sentences


# --- Om statistiken and the funnel ---------------------------------------------------------------


def test_about_page_shows_every_calibration_row_and_the_targets_not_met(open_app):
    from lib.public.views import load_calibration

    rows = load_calibration()["rows"]
    at = open_app("pages/om.py")
    assert_ok(at)
    table = next(d.value for d in at.dataframe if "Exakta tal" in d.value.columns)
    assert len(table) == len(rows)
    assert set(table["Slag"]) == {"falsklarm", "upptäckt"}
    for row, (_, shown) in zip(rows, table.iterrows(), strict=True):
        assert shown["Exakta tal"] == fmt_pct(row["value"], 1)
        public = row.get("public")
        assert shown["Öppen vy"] == ("–" if public is None else fmt_pct(public, 1))
    texts = " ".join(m.value for m in at.markdown)
    assert "Mål som inte nås" in texts
    by_measure = {r["measure"]: r for r in rows}
    camera = fmt_pct(by_measure["interventions_halving_found"]["value"], 1)
    small = fmt_pct(by_measure["power_30_x1.5"]["value"], 1)
    assert (camera, small) == ("63,5\u00a0%", "36,6\u00a0%")
    assert f"halvering inom 200 m från en kamera: upptäckt {camera}" in texts
    assert f"ökning med hälften från 30 händelser om året: upptäckt {small}" in texts
    weekly = fmt_pct(by_measure["signals_null_years_without_alert"]["value"], 0)
    assert "ett falsklarm per år (0,7)" in texts and f"var {weekly} av" in texts


def plotly_array(values) -> np.ndarray:
    """A trace's numbers as Plotly sends them: a list, or a typed array in base64."""
    import base64

    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), np.dtype(values["dtype"]))
    return np.asarray(values, float)


def test_funnel_is_drawn_with_the_limits_the_verdicts_use(open_app):
    """The county group in 2018 is overdispersed: the drawn 95 % line at each
    municipality's population is the table's limit, and it is the phi-widened one (without
    phi the line would lie below the table's limit somewhere)."""
    from lib.figures import peers
    from lib.store.store import Store

    at = open_app("pages/jamforelse.py")
    at.selectbox(key="grupp").set_value("lan").run()
    at.selectbox(key="ar").set_value(2018).run()
    assert_ok(at)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    upper = next(
        tr for tr in figure["data"] if tr.get("name", "").startswith("95") and tr.get("showlegend")
    )
    x, y = np.log(plotly_array(upper["x"])), plotly_array(upper["y"])
    muni = load_municipality()
    group = next(g for g in peers.comparison_groups(muni) if g.id == "lan")
    annual = peers.whole_years(Store().read("peers"))
    category = at.selectbox(key="brott").value
    result = peers.comparison(annual, 2018, category, peers.group_codes(group, muni))
    assert result.phi_width > 1
    table = at.dataframe[0].value
    widened = 0
    for _, row in table.iterrows():
        pop = float(row["Invånare"].replace("\u00a0", ""))
        limit = row["95 %-gränser"].split("–")[1]
        shown_upper = float(limit.replace("\u00a0", "").replace(",", "."))
        drawn = float(np.interp(np.log(pop), x, y))
        # (the line is drawn through 120 points: within 0.1 %)
        assert abs(drawn - shown_upper) <= 0.001 * shown_upper, (row["Kommun"], drawn, shown_upper)
        tau_only = peers.funnel_limits(
            result.group_rate, np.array([pop]), 0.95, result.tau_relative
        )[1][0]
        widened += shown_upper > tau_only * 1.002  # beyond the drawing tolerance
    assert widened > 0


def test_under_a_year_of_data_has_no_baseline_and_no_error(built, tmp_path):
    """Data that do not cover even the latest 12 months: no period to test at all."""
    from lib.datamanager import DataManager
    from lib.figures.filters import Filters
    from lib.public import views
    from lib.public.disclosure import Disclosure
    from lib.store.store import Store

    muni = load_municipality()
    manager = DataManager(Store(copy_of(built, "short", tmp_path)), muni)
    points = manager.cells(manager.version(), dt.date(2025, 6, 1), td.END)
    found = views.baseline_view(points, Filters(*LAST_12), 250, muni, Disclosure(3, exact=True))
    assert found.kind == "none" and found.available == ()
    assert "Ingen ruta kallas het eller kall" in views.baseline_sentence(found, Disclosure(3))
