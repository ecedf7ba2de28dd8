"""The map page through AppTest: true numbers, every view, the minimum for a hotspot analysis,
the cameras, the places table and its download, and points only for a signed-in analyst."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lib.config import load_municipality
from tests.test_pages import assert_ok, swedish

PAGE = "pages/karta.py"
PASSWORD = "ett långt lösenord"


@pytest.fixture
def page(open_app):
    def open_page(signed_in_password: str | None = None):
        return open_app(PAGE, signed_in_password)

    return open_page


def map_args(at) -> dict:
    """The arguments the page hands st_folium (what the browser receives)."""
    (component,) = [e for e in at.get("component_instance")]
    assert component.proto.component_name == "streamlit_folium.st_folium"
    return json.loads(component.proto.json_args)


def map_data(at) -> dict:
    script = map_args(at)["script"]
    start = script.index("var d = ") + len("var d = ")
    return json.loads(script[start : script.index(";\n", start)])


def on_the_map(sample: pd.DataFrame, start: str, end: str, **equal) -> pd.DataFrame:
    sensitive = load_municipality().sensitive_categories
    mask = sample["datum"].dt.normalize().between(pd.Timestamp(start), pd.Timestamp(end))
    mask &= sample["lat"].notna() & ~sample["kategori"].isin(sensitive)
    for column, value in equal.items():
        mask &= sample[column] == value
    return sample[mask]


def test_map_page_renders_true_numbers(page, sample_incidents):
    at = page()
    assert_ok(at)
    assert at.title[0].value == "Karta"
    assert any("Exempeldata" in w.value for w in at.warning)
    expected = on_the_map(sample_incidents, "2018-10-01", "2019-09-30")
    summary = at.markdown[0].value
    assert summary.startswith(f"{swedish(len(expected))} händelser med plats i urvalet")
    args = map_args(at)
    assert args["returned_objects"] == []  # panning and zooming never rerun the page
    assert args["js_links"] == ["../lib.ui.kartfiler/leaflet.js"]
    drawn = map_data(at)
    assert drawn["points"] == []
    places = at.dataframe[0].value
    # The busiest cell's count equals an independent count of the sample in that cell.
    from lib.figures import hotspots

    x, y = hotspots.project(expected["lat"].to_numpy(), expected["lon"].to_numpy())
    busiest = hotspots.grid_counts(x, y, 250)["n"].max()
    assert places.iloc[0]["Perioden"] == swedish(int(busiest))


@pytest.mark.parametrize(
    ("key", "value"),
    [("vy", "hotspots"), ("vy", "heat"), ("ruta", 500), ("ruta", 1000), ("omrade", "")],
)
def test_every_view_renders(page, key, value):
    at = page()
    widget = at.selectbox(key=key) if key in ("ruta", "omrade") else at.button_group(key=key)
    widget.set_value(value).run()
    assert_ok(at)
    drawn = map_data(at)
    if value == "heat":
        assert drawn["heat"] and drawn["cells"] == []
        assert map_args(at)["js_links"][-1].endswith("leaflet-heat.js")
    else:
        assert drawn["cells"]
    if value == "hotspots":
        assert {drawn["styles"][c[2]][0] for c in drawn["cells"]} <= {-3, -2, -1, 1, 2, 3}
        assert "Heta och kalla rutor" in drawn["legend_title"]
        # The page explains the test it ran.
        notes = " ".join(c.value for c in at.caption)
        assert "binomialtest" in notes and "Benjamini–Hochberg" in notes
        assert "mittpunkt ligger innanför kommungränsen" in notes


def test_incidents_outside_the_study_region_are_counted_on_the_page(page, sample_incidents):
    """An independent count: the sample's points whose 250 m cell centre lies outside
    Hallsberg's shipped outline (geopandas and shapely, not lib.figures.hotspots)."""
    import geopandas as gpd
    from shapely import contains_xy

    from lib.figures import hotspots

    year = on_the_map(sample_incidents, "2018-10-01", "2019-09-30")
    points = gpd.GeoSeries(gpd.points_from_xy(year["lon"], year["lat"]), crs=4326).to_crs(3006)
    outlines = gpd.read_file(hotspots.GEO_FILE)
    shape = outlines[outlines["id"] == "1861"].to_crs(3006).geometry.iloc[0]
    cx = (np.floor(points.x / 250) + 0.5) * 250
    cy = (np.floor(points.y / 250) + 0.5) * 250
    outside = int((~contains_xy(shape, cx.to_numpy(), cy.to_numpy())).sum())
    assert outside >= 3  # the sample scatters some of Hallsberg town's points over the border
    at = page()
    assert_ok(at)
    summary = at.markdown[0].value
    assert (
        f"{swedish(outside)} händelser ligger i rutor utanför kommungränsen och ingår inte i "
        "hotspot-analysen." in summary
    ), summary
    drawn = map_data(at)
    assert drawn["outline_label"].startswith("Kommungräns (förenklad")
    assert len(drawn["outline"]) == 69  # Hallsberg's shipped outline, not the config's ring


def test_too_few_incidents_says_so_instead_of_hotspots(page, sample_incidents):
    at = page()
    at.multiselect(key="ort").set_value(["Hjortkvarn"]).run()
    at.button_group(key="vy").set_value("hotspots").run()
    assert_ok(at)
    n = len(on_the_map(sample_incidents, "2018-10-01", "2019-09-30", ort="Hjortkvarn"))
    assert 0 < n < 30
    assert "För få händelser för hotspot-analys" in at.markdown[0].value
    # No Gi* classes are drawn: the map falls back to counts per cell.
    assert "Händelser per ruta" in map_data(at)["legend_title"]


def test_camera_k1_shows_its_planted_effect(page):
    at = page()
    cameras = next(d.value for d in at.dataframe if "Kamera" in d.value.columns)
    k1 = cameras.set_index("Kamera").loc["Stationsområdet"]
    assert k1["Bedömning"] == "minskning"
    # The sample ends in September 2019: March-September against the same months of 2018.
    assert k1["Jämförda månader efter"] == "7 av 12 (mars 2019–september 2019)"
    change = k1["Förändring jämfört med jämförelseområdet (95 % KI)"]
    assert change.startswith("\u2212") and " till " in change
    # Torget went up in May 2016, before the data begin: its year after has no data.
    torget = cameras.set_index("Kamera").loc["Torget"]
    assert torget["Bedömning"] == "ingen data efter" and torget["Före"] == "–"
    for row in cameras.itertuples(index=False):
        for value in row[3:9]:  # counts in the three areas
            assert value in ("–", "färre än 3") or int(value.replace("\u00a0", "")) >= 3


def test_places_table_and_download_hide_small_counts(page):
    at = page()
    at.multiselect(key="ort").set_value(["Pålsboda"]).run()
    assert_ok(at)
    places = at.dataframe[0].value
    counts = places["Perioden"].tolist() + places["Året innan"].tolist()
    for value in counts:
        assert value == "färre än 3" or int(value.replace("\u00a0", "")) >= 3
    assert any(b.label == "Ladda ner platserna (CSV)" for b in at.get("download_button"))


def test_points_only_for_a_signed_in_analyst(page):
    public = page()
    assert not [t for t in public.toggle if t.key == "punkter"]
    at = page(PASSWORD)
    at.sidebar.text_input[0].input(PASSWORD)
    at.sidebar.button[0].click().run()
    at.toggle(key="punkter").set_value(True).run()
    assert_ok(at)
    drawn = map_data(at)
    assert 0 < len(drawn["points"]) <= 5000
    assert map_args(at)["js_links"][-1].endswith("markercluster.js")
    sensitive = load_municipality().sensitive_categories
    popups = " ".join(p[2] for p in drawn["points"])
    assert not any(f"<b>{c}</b>" in popups for c in sensitive)
    lat = np.array([p[0] for p in drawn["points"]])
    assert np.all((lat > 58.8) & (lat < 59.3))


def test_a_tiny_selection_shows_no_small_number(page, sample_incidents):
    year = on_the_map(sample_incidents, "2018-10-01", "2019-09-30")
    counts = year.groupby(["ort", "kategori"]).size()
    place, category = counts[counts.isin([1, 2])].index[0]
    at = page()
    at.multiselect(key="ort").set_value([place]).run()
    at.multiselect(key="kategori").set_value([category]).run()
    assert_ok(at)
    summary = at.markdown[0].value
    assert summary.startswith("färre än 3 händelser med plats i urvalet.")
    assert "För få händelser för hotspot-analys: färre än 3 händelser" in summary
    before_minimum = summary.split("minst")[0].replace("färre än 3", "")
    assert not any(ch.isdigit() for ch in before_minimum), summary
