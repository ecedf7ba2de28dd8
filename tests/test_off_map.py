"""Issue 14.3: incidents without coordinates (the police's open events give only a locality)
are shown per locality on the map, in its places table and on the meeting's "Var det händer",
through the public layer; the page says what the feed gives instead of advising another
period."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import load_municipality
from lib.figures import periods
from lib.figures.coverage import coverage_of
from lib.figures.filters import Filters, daily_cube, timed_frame
from lib.figures.hotspots import off_map_cube, points_frame
from lib.ingest.loading import import_bytes
from lib.public import views
from lib.public.disclosure import Disclosure, perturb, public
from lib.store.store import Store
from tests.conftest import ROOT, SHARED
from tests.test_page_map import map_data
from tests.test_pages import assert_ok

# Events in 2024 and 2025 without coordinates, as the feed has them: many in the main town,
# a handful in Pålsboda, one or two in Hjortkvarn (hidden in the public view).
PER_YEAR = {"Hallsberg": 40, "Pålsboda": 8, "Hjortkvarn": 2}
REAL = SHARED / "formats" / "polisen-events-orebro-lan-2023-2026.json"


def feed_csv() -> bytes:
    rows, i = ["id;datum;kategori;ort;källa"], 0
    for year in (2024, 2025):
        for place, n in PER_YEAR.items():
            for k in range(n):
                day = dt.date(year, 1, 1) + dt.timedelta(days=(k * 361) // n)
                rows.append(f"f{i};{day} 12:00;Stöld;{place};Polisens öppna händelser")
                i += 1
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(scope="module")
def feed_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("offmap") / "feed.db"
    outcome = import_bytes(Store(str(path)), feed_csv(), "incidents", load_municipality(), "f.csv")
    assert outcome.ok, outcome.messages
    return path


def figures(db, exact: bool):
    """The map's figures for this year as a viewer sees them (1 January to the end of the
    latest month the feed covers in full: its last month, cut by the download, is not),
    and the incidents of that period."""
    muni = load_municipality()
    incidents = Store(str(db)).read_incidents()
    data = views.Data(daily_cube(incidents), timed_frame(incidents), coverage_of(incidents), muni)
    d = Disclosure(3, exact=True) if exact else public(3, data.presets())
    f = Filters(*periods.find(data.presets(), "i-ar").span)
    off = off_map_cube(incidents, muni)
    fig = views.map_view(points_frame(incidents, muni), data.cube, f, 250, muni, d, None, off)
    assert f.start == dt.date(2025, 1, 1) and f.end == dt.date(2025, 11, 30)
    day = incidents["occurred_at"].dt.date
    return fig, incidents[(day >= f.start) & (day <= f.end)]


def published(year: pd.DataFrame) -> dict[str, int]:
    """Each locality's count as the public layer's noise publishes it (its record keys)."""
    grouped = year.groupby("locality", observed=True)["key"].agg(["size", "sum"])
    noisy = perturb(grouped["size"].to_numpy(), np.mod(grouped["sum"].to_numpy(), 1.0))
    return dict(zip(grouped.index.astype(str), noisy.tolist(), strict=True))


def test_an_analyst_sees_each_localitys_exact_count(feed_db):
    fig, period = figures(feed_db, exact=True)
    rows = fig["localities"].set_index("Ort")
    by_hand = period["locality"].astype(str).value_counts().to_dict()
    assert {k: int(v) for k, v in rows["Hela perioden"].items()} == by_hand


def test_the_public_sees_them_through_the_disclosure_rules(feed_db):
    fig, year = figures(feed_db, exact=False)
    assert fig["incidents"] == 0
    rows = fig["localities"].set_index("Ort")
    hidden = 0
    for place, n in published(year).items():
        shown, verdict = rows.at[place, "Hela perioden"], rows.at[place, "Bedömning"]
        if 0 < n < 3:
            hidden += 1
            assert shown == "färre än 3" and verdict == "för få händelser"
        elif shown != "dold":  # a second cell hidden beside a small one
            assert int(shown) == n
    in_period = int((year["locality"].astype(str) == "Hallsberg").sum())
    assert abs(int(rows.at["Hallsberg", "Hela perioden"]) - in_period) <= 2


def test_the_map_page_draws_a_symbol_per_locality(feed_db, monkeypatch):
    monkeypatch.setenv("TRYGGHET_DB", str(feed_db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("pages/karta.py").run()
    assert_ok(at)
    assert not any("Inga händelser" in i.value for i in at.info)
    assert any("saknar koordinater" in c.value for c in at.caption)
    drawn = map_data(at)
    labels = {row[3].split(":")[0]: row for row in drawn["off_map"]}
    # Hjortkvarn's one or two events may publish 0 (the noise), and then it has no circle.
    assert {"Hallsberg", "Pålsboda"} <= set(labels) <= set(PER_YEAR)
    for row in labels.values():  # a hidden count gets the smallest grey circle
        count = row[3].split(": ", 1)[1].split(" händelser")[0]
        hidden = not count.replace("\u00a0", "").isdigit()  # "färre än 3" or "dold"
        assert row[4] is hidden and (row[2] == 7) is hidden
    assert labels["Hallsberg"][2] > labels["Pålsboda"][2]
    # No cell to fit the map to: it opens on the whole outline it draws (the configured box
    # is smaller than the shipped outline, whose south then ran off the map).
    (south, west), (north, east) = drawn["bounds"]
    lats, lons = zip(*drawn["outline"], strict=True)
    e = 1e-5  # the outline is sent rounded to five decimals
    assert south <= min(lats) + e and north >= max(lats) - e
    assert west <= min(lons) + e and east >= max(lons) - e
    # The table lists every locality (a fixed list: a row must not say a locality holds such
    # an incident); a circle is drawn where the published count is above 0.
    table = at.dataframe[0].value
    assert set(table["Ort"]) == set(load_municipality().locality_names)
    drawn_places = set(table.loc[table["Hela perioden"] != "0", "Ort"])
    assert drawn_places == set(labels)


@pytest.mark.skipif(not REAL.is_file(), reason="the real police file is not available")
def test_the_real_police_feed_is_shown_by_locality(tmp_path, monkeypatch):
    db = tmp_path / "police.db"
    store = Store(str(db))
    data = REAL.read_bytes()
    assert import_bytes(store, data, None, load_municipality(), REAL.name).ok
    incidents = store.read_incidents()
    assert incidents["lat"].isna().all()  # the feed gives no coordinates
    monkeypatch.setenv("TRYGGHET_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("pages/karta.py").run()
    assert_ok(at)
    drawn = map_data(at)
    places = {row[3].split(":")[0] for row in drawn["off_map"]}
    last12 = incidents[incidents["occurred_at"].between("2025-08-01", "2026-08-01")]
    # A locality with one or two events may publish 0 (the noise) and then has no circle.
    assert places <= set(last12["locality"].astype(str)) and "Hallsberg" in places
    assert pd.Series(list(places)).isin(load_municipality().locality_names).all()
