"""lib.figures.hotspots and lib.public.maps: the grid is exact and counts through the counter,
the study region is the municipality's, the exact window test matches scipy and finds a planted
cluster and little on uniform data (calibration), cameras compare equal windows, and nothing
below the privacy threshold, no unescaped data string and no CDN link ever reaches the map, the
tables or the downloads."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.figures import hotspots
from lib.public import exports, maps
from lib.public.disclosure import Disclosure

# A point in Hallsberg in SWEREF 99 TM metres; cells are counted from multiples of the size.
X0, Y0 = 506_000.0, 6_547_000.0
EVIL = "<img src=x onerror=alert(1)>"
ASSET_BASE = "../lib.app.map_assets.kartfiler/"


def points_at(xs, ys, days=None, category="Skadegörelse", description="Fiktiv."):
    """A points frame (as lib.hotspots.points_frame makes) at the given SWEREF positions."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    lat, lon = hotspots.unproject(xs, ys)
    day = pd.to_datetime(days if days is not None else ["2019-01-15"] * len(xs))
    return pd.DataFrame(
        {
            "day": day,
            "occurred_at": day + pd.Timedelta(hours=22),
            "locality": "Hallsberg",
            "category": category,
            "source": "police",
            "lat": lat,
            "lon": lon,
            "x": xs,
            "y": ys,
            "description": description,
        }
    ).sort_values("day", kind="stable")


def in_cells(multiplicities: dict[tuple[int, int], int], cell: int = 250):
    """Points (x, y arrays) at the centres of the given cells, ``n`` in each."""
    xs, ys = [], []
    for (i, j), n in multiplicities.items():
        xs += [(i + 0.5) * cell] * n
        ys += [(j + 0.5) * cell] * n
    return np.asarray(xs, float), np.asarray(ys, float)


def cells_from(multiplicities: dict[tuple[int, int], int], cell: int = 250) -> pd.DataFrame:
    """Counts per cell built from points placed inside the given cells."""
    return hotspots.grid_counts(*in_cells(multiplicities, cell), cell)


def hotspots_of(multiplicities, muni, cell: int = 250, min_incidents=hotspots.MIN_INCIDENTS):
    """The hotspot test of points placed in the given cells, on the municipality's region."""
    xs, ys = in_cells(multiplicities, cell)
    frame = pd.DataFrame({"x": xs, "y": ys})
    return hotspots.hotspots(frame, cell, hotspots.study_region(muni, cell), min_incidents)


# --- Grid ----------------------------------------------------------------------------------


def test_grid_counts_are_exact_on_constructed_points():
    xs = [X0 + 10, X0 + 240, X0 + 250, X0 + 499.9, X0 - 0.1, np.nan]
    ys = [Y0 + 10, Y0 + 100, Y0 + 10, Y0 + 249.9, Y0 + 10, Y0]
    counts = hotspots.grid_counts(xs, ys, 250).set_index(["ix", "iy"])["n"].to_dict()
    i, j = int(X0 // 250), int(Y0 // 250)
    # A point on a cell's west edge belongs to that cell; one just west of it to the next.
    assert counts == {(i, j): 2, (i + 1, j): 2, (i - 1, j): 1}


def test_projection_round_trip_and_cell_size_in_metres():
    lat, lon = 59.067, 15.110  # Hallsberg
    x, y = hotspots.project([lat], [lon])
    back = hotspots.unproject(x, y)
    assert back[0][0] == pytest.approx(lat, abs=1e-9)
    assert back[1][0] == pytest.approx(lon, abs=1e-9)
    corners = hotspots.cell_corners([x[0] // 250], [y[0] // 250], 250)[0]
    sw, se = corners[0], corners[1]
    assert hotspots.metres_between(*sw, *se) == pytest.approx(250, abs=0.01)


def test_points_frame_leaves_out_sensitive_categories_and_missing_places(muni):
    incidents = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(["2019-01-01 22:00"] * 3),
            "category": ["Skadegörelse", "Sexualbrott", "Stöld"],
            "locality": ["Hallsberg"] * 3,
            "lat": [59.067, 59.067, np.nan],
            "lon": [15.110, 15.110, np.nan],
            "source": ["police"] * 3,
            "description": [None] * 3,
        }
    )
    frame = hotspots.points_frame(incidents, muni)
    assert frame["category"].tolist() == ["Skadegörelse"]


# --- Study region ----------------------------------------------------------------------------


def test_study_region_is_the_municipality_not_the_data(muni):
    region = hotspots.study_region(muni, 250)
    # Hallsberg's outline is about 680 km2, widened by 1 km for the coarse simplification:
    # the widened area by an independent geopandas computation (250 m cells are 0.0625 km2).
    import geopandas as gpd

    outlines = gpd.read_file(hotspots.GEO_FILE)
    shape = outlines[outlines["id"] == "1861"].to_crs(3006).geometry.iloc[0]
    assert shape.area / 1e6 == pytest.approx(680, rel=0.02)
    widened = shape.buffer(hotspots.SHIPPED_BUFFER_M)
    assert len(region) * 0.0625 == pytest.approx(widened.area / 1e6, rel=0.02)
    assert len(hotspots.study_region(muni, 1000)) == pytest.approx(widened.area / 1e6, rel=0.05)
    x, y = hotspots.project([59.067, 59.2745, 59.0638], [15.110, 15.2134, 15.3378])
    # Hallsberg town and Pålsboda are inside; Örebro city (the next municipality) is not.
    assert hotspots.in_region(x, y, 250, region).tolist() == [True, False, True]
    # Cell centres decide: every region cell's centre lies inside the widened outline.
    from shapely import contains_xy

    centres = ((region["ix"] + 0.5) * 250, (region["iy"] + 0.5) * 250)
    assert contains_xy(widened, *centres).all()
    # The same region whatever the data: it is a function of the municipality and cell only.
    assert hotspots.study_region(muni, 250) is region


def test_points_outside_the_region_are_left_out_and_counted(muni):
    region = hotspots.study_region(muni, 250)
    xs, ys = in_cells({(int(X0 // 250) + i, int(Y0 // 250)): 1 for i in range(30)})
    ox, oy = hotspots.project([59.2745] * 5, [15.2134] * 5)  # Örebro: outside
    frame = pd.DataFrame({"x": np.r_[xs, ox], "y": np.r_[ys, oy]})
    result = hotspots.hotspots(frame, 250, region)
    assert (result.incidents, result.outside, result.enough) == (30, 5, True)
    assert len(result.cells) == len(region) == result.region_cells
    few = hotspots.hotspots(frame.iloc[1:], 250, region)  # 29 inside: too few to test
    assert (few.incidents, few.outside, few.enough) == (29, 5, False)


# --- The exact window test ---------------------------------------------------------------------


def test_binomial_p_values_match_scipy_binomtest():
    from scipy.stats import binomtest

    rng = np.random.default_rng(3)
    cases = [(0, 600, 9 / 10891), (7, 600, 9 / 10891), (1, 30, 4 / 25), (15, 615, 9 / 10891)]
    for _ in range(300):
        n = int(rng.integers(1, 3000))
        q = float(rng.integers(1, 10)) / float(rng.integers(9, 20000))
        cases.append((int(rng.integers(0, min(n, int(3 * n * q) + 12) + 1)), n, q))
    for x, n, q in cases:
        two = hotspots.binomial_p([x], n, [q])[0]
        assert two == pytest.approx(binomtest(x, n, q).pvalue, rel=1e-9, abs=1e-300)
        one = hotspots.binomial_p([x], n, [q], two_sided=False)[0]
        expected = binomtest(x, n, q, alternative="greater").pvalue
        assert one == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_benjamini_hochberg_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(5)
    for _ in range(50):
        p = np.concatenate([rng.uniform(size=200), rng.uniform(0, 1e-3, rng.integers(0, 20))])
        for alpha in (0.10, 0.05, 0.01):
            expected = multipletests(p, alpha=alpha, method="fdr_bh")[0]
            assert (hotspots.benjamini_hochberg(p, alpha) == expected).all()


def test_confidence_bins_follow_fdr_and_sign():
    p = np.array([1e-6, 1e-6, 0.02, 0.5, 0.9, 1e-6])
    direction = np.array([1, -1, 1, 1, -1, 1])
    bins = hotspots.confidence_bins(direction, p)
    assert bins.tolist()[:2] == [3, -3] and bins[5] == 3
    assert bins[3] == 0 and bins[4] == 0
    # 0.02 is the 4th smallest of 6: BH at 5 % lets it through (0.02 <= 0.05 * 4 / 6), at 1 %
    # not (0.02 > 0.01 * 4 / 6).
    assert bins[2] == 2
    eligible = np.array([True, False, True, True, True, True])
    assert hotspots.confidence_bins(direction, p, eligible)[1] == 0


def block(i0: int, j0: int, size: int) -> pd.DataFrame:
    """A square region of size x size cells."""
    ii, jj = np.meshgrid(np.arange(i0, i0 + size), np.arange(j0, j0 + size), indexing="ij")
    return pd.DataFrame({"ix": ii.ravel(), "iy": jj.ravel()})


def test_window_counts_and_p_values_by_hand():
    from scipy.stats import binomtest

    i0, j0 = int(X0 // 250), int(Y0 // 250)
    region = block(i0, j0, 5)  # 25 cells
    counts = {(i0, j0): 10, (i0 + 1, j0): 5, (i0 + 4, j0 + 4): 3}
    counts |= {(i0 + 2, j0 + k): 3 for k in range(5)}  # 33 in all
    xs, ys = in_cells(counts)
    result = hotspots.hotspots(pd.DataFrame({"x": xs, "y": ys}), 250, region)
    cells = result.cells.set_index(["ix", "iy"])
    assert result.incidents == 33
    corner = cells.loc[(i0, j0)]
    # The corner's window: itself and 3 neighbours in the region; 10 + 5 + 0 + 0.
    assert (corner["window"], corner["window_cells"]) == (15, 4)
    assert corner["expected"] == pytest.approx(33 * 4 / 25)
    assert corner["p"] == pytest.approx(binomtest(15, 33, 4 / 25).pvalue, rel=1e-9)
    middle = cells.loc[(i0 + 2, j0 + 2)]  # 3 of the column in its window, 9 cells
    assert (middle["window"], middle["window_cells"]) == (9, 9)
    assert middle["p"] == pytest.approx(binomtest(9, 33, 9 / 25).pvalue, rel=1e-9)
    edge = cells.loc[(i0 + 3, j0)]  # 6 cells, 3 + 3 of the column; expects 7.9: two-sided
    assert (edge["window"], edge["window_cells"]) == (6, 6)
    assert edge["p"] == pytest.approx(binomtest(6, 33, 6 / 25).pvalue, rel=1e-9)


def test_a_planted_cluster_is_hot_and_only_cells_with_incidents_are_painted(muni):
    rng = np.random.default_rng(1)
    region = hotspots.study_region(muni, 250)
    pick = rng.integers(0, len(region), 600)
    xs = (region["ix"].to_numpy()[pick] + rng.random(600)) * 250
    ys = (region["iy"].to_numpy()[pick] + rng.random(600)) * 250
    ci, cj = int(X0 // 250) + 10, int(Y0 // 250)
    xs = np.r_[xs, (ci + rng.random(15)) * 250]  # 15 incidents in one 250 m cell
    ys = np.r_[ys, (cj + rng.random(15)) * 250]
    result = hotspots.hotspots(pd.DataFrame({"x": xs, "y": ys}), 250, region)
    cells = result.cells.set_index(["ix", "iy"])
    assert cells.loc[(ci, cj), "bin"] == 3
    hot = result.cells[result.cells["bin"] > 0]
    assert (hot["n"] >= 1).all()  # a hot cell always holds an incident itself
    assert ((hot["ix"] - ci).abs() <= 1).all() and ((hot["iy"] - cj).abs() <= 1).all()
    assert not (result.cells["bin"] < 0).any()  # 600 over 10 891 cells: nothing can be cold


def test_cold_only_where_enough_is_expected():
    i0, j0 = int(X0 // 250), int(Y0 // 250)
    region = block(i0, j0, 12)  # 144 cells
    # 1 440 incidents spread evenly over all but a 3 x 3 empty block: the block's middle
    # expects 1 440 * 9 / 144 = 90 in its window and sees none.
    empty = {(i0 + 5 + a, j0 + 5 + b) for a in range(3) for b in range(3)}
    full = {(i, j): 11 for i, j in zip(region["ix"], region["iy"], strict=True)}
    counts = {c: n for c, n in full.items() if c not in empty}
    xs, ys = in_cells(counts)
    result = hotspots.hotspots(pd.DataFrame({"x": xs, "y": ys}), 250, region)
    assert result.cells.set_index(["ix", "iy"]).loc[(i0 + 6, j0 + 6), "bin"] == -3
    # The same pattern with one incident in every fourth cell: the empty window expects
    # fewer than 3 and is not tested for "fewer", so nothing is cold.
    sparse = {c: 1 for c in list(counts)[::4]}  # 34: the window expects 34 * 9 / 144 = 2.1
    xs, ys = in_cells(sparse)
    thin = hotspots.hotspots(pd.DataFrame({"x": xs, "y": ys}), 250, region)
    assert thin.enough and not (thin.cells["bin"] < 0).any()


def test_counts_come_from_the_counter(muni):
    """The grid, N and the test use the counter's counts: here one that adds 2 to every
    non-empty cell whose key is above a half, so a wrong path would show. N is a cell of its
    own (all 36 incidents, keys summing to 7.8, so key 0.8: 38), not the sum of the cells'
    noisy counts (3 + 11 × 5 = 58)."""

    def counter(n, key):
        return np.where(np.asarray(n) > 0, np.asarray(n) + 2 * (np.asarray(key) > 0.5), 0)

    region = hotspots.study_region(muni, 250)
    xs, ys = in_cells({(int(X0 // 250) + i, int(Y0 // 250)): 3 for i in range(12)})
    keys = np.tile([0.3, 0.3, 0.1], 12)  # cells with key 0.7: + 2 each
    keys[:3] = [0.0, 0.0, 0.1]  # the first cell: key 0.1, unchanged
    frame = pd.DataFrame({"x": xs, "y": ys, "key": keys})
    grid = hotspots.grid_counts(xs, ys, 250, keys, counter)
    assert sorted(grid["n"]) == [3] + [5] * 11
    result = hotspots.hotspots(frame, 250, region, counter=counter)
    assert result.incidents == 36 + 2
    shown = result.cells[result.cells["n"] > 0]
    merged = shown.merge(grid, on=["ix", "iy"], suffixes=("", "_grid"))
    assert (merged["n"] == merged["n_grid"]).all() and len(merged) == 12


def test_calibration_quick():
    """The calibration of bench/calibration_hotspots.py, 150 draws with a fixed seed: at most
    10 % of null maps with a hot cell at 95 %, a planted cluster found in at least 80 %."""
    from bench import calibration_hotspots

    r = calibration_hotspots.run(150, seed=11)
    assert r["null_any_hot_95"] <= 0.10, r
    assert r["planted_found_hot_95"] >= 0.80, r
    assert r["null_mean_false_hot_95"] < 0.5, r


# --- Cameras -------------------------------------------------------------------------------


def camera(installed: str, radius: float = 200.0) -> pd.DataFrame:
    lat, lon = hotspots.unproject([X0], [Y0])
    return pd.DataFrame(
        {
            "id": ["K9"],
            "name": ["Testkameran"],
            "lat": lat,
            "lon": lon,
            "installed_on": [pd.Timestamp(installed)],
            "radius_m": [radius],
        }
    )


# --- Top places ----------------------------------------------------------------------------


def test_top_places_compare_with_the_year_before_and_hide_small_counts(muni):
    i, j = int(X0 // 250), int(Y0 // 250)
    current = cells_from({(i, j): 40, (i + 1, j): 2, (i + 5, j): 10})
    previous = cells_from({(i, j): 10, (i + 1, j): 9, (i + 5, j): 1})
    counts = {(i, j): 40, (i + 1, j): 2, (i + 5, j): 10}
    result = hotspots_of(counts, muni, min_incidents=1000)  # not tested: too few
    table = hotspots.top_places(current, previous, result, 250, muni)
    assert table[["n", "previous"]].values.tolist() == [[40, 10], [10, 1], [2, 9]]
    assert table["verdict"].tolist()[0] == "increase"
    view = maps.top_places_view(table, 250, Disclosure(3))
    assert view["Perioden"].tolist() == ["40", "10", "färre än 3"]
    assert view["Året innan"].tolist() == ["10", "färre än 3", "9"]
    assert view["Förändring"].tolist() == ["+30", "–", "–"]
    assert view["Plats"].iloc[0].startswith("Hallsberg")


# --- The map: privacy, escaping, offline ---------------------------------------------------


def script_data(html: str) -> dict:
    """The JSON the map script draws from, read back from the generated HTML."""
    match = re.search(r"var d = (\{.*?\});\n", html, re.DOTALL)
    assert match, "no map data in the HTML"
    return json.loads(match.group(1))


NUMBER = re.compile(r"\d[\d\u00a0]*")


def assert_nothing_below_threshold(labels: list[str], threshold: int) -> None:
    for label in labels:
        if label.startswith("färre än"):
            assert label == f"färre än {threshold}"
            continue
        numbers = [int(n.replace("\u00a0", "")) for n in NUMBER.findall(label)]
        assert numbers and all(n == 0 or n >= threshold for n in numbers), label


cell_counts = st.dictionaries(
    st.tuples(st.integers(2020, 2040), st.integers(26180, 26200)),
    st.integers(1, 8),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(current=cell_counts, previous=cell_counts, threshold=st.integers(2, 5))
def test_no_count_below_the_threshold_leaks(muni, current, previous, threshold):
    muni = type(muni)(**{**muni.__dict__, "privacy_threshold": threshold})
    now, before = cells_from(current), cells_from(previous)
    result = hotspots_of(current, muni)
    for view in maps.VIEWS:
        data = maps.map_data(now, 250, muni, view, result)
        drawn = script_data(maps.map_html(maps.build_map(data, ASSET_BASE)))
        assert_nothing_below_threshold([label for _, label in drawn["styles"]], threshold)
        assert all(w >= threshold for _, _, w in drawn["heat"])
        assert drawn["points"] == []  # the public view has no points at all
        # Every suppressed cell says so, and every shown count is the true one.
        truth = dict(zip(zip(now["ix"], now["iy"], strict=True), now["n"], strict=True))
        shown = {(c[0], c[1]): drawn["styles"][c[2]][1] for c in drawn["cells"]}
        assert len(shown) == len(drawn["cells"])
        if view == "grid":
            assert_nothing_below_threshold([text for _, text in drawn["legend"]], threshold)
            expected = sorted(maps.count_label(int(n), threshold) for n in truth.values())
            assert sorted(shown.values()) == expected
    table = hotspots.top_places(now, before, result, 250, muni)
    view = maps.top_places_view(table, 250, Disclosure(threshold))
    for column in ("Perioden", "Året innan"):
        assert_nothing_below_threshold([v for v in view[column] if v != "–"], threshold)
    # A change between two shown counts reveals nothing more (4 -> 3 is "−1"); a change
    # beside a suppressed count would give it away, so it must be hidden.
    for now_text, before_text, change in view[["Perioden", "Året innan", "Förändring"]].values:
        if now_text.startswith("färre") or before_text.startswith("färre"):
            assert change == "–", (now_text, before_text, change)
    text = exports.csv_bytes(view).decode("utf-8-sig")
    for row in text.splitlines()[1:]:
        fields = row.split(";")
        assert_nothing_below_threshold([v for v in fields[2:4] if v != "–"], threshold)
        if any(v.startswith("färre") for v in fields[2:4]):
            assert fields[4] == "–", row


def test_data_strings_are_escaped_in_the_map_html(muni):
    muni = type(muni)(
        **{**muni.__dict__, "localities": (type(muni.localities[0])(EVIL, 59.067, 15.11),)}
    )
    pts = points_at([X0 + 10, X0 + 20, X0 + 30], [Y0] * 3, category=EVIL, description=EVIL)
    cams = camera("2019-01-01").assign(name=EVIL)
    counts = hotspots.grid_counts(pts["x"], pts["y"], 250)
    data = maps.map_data(counts, 250, muni, "grid", cameras=cams, points=pts)
    html = maps.map_html(maps.build_map(data, ASSET_BASE))
    assert EVIL not in html
    assert "onerror=alert(1)>" not in html and "<img" not in html
    drawn = script_data(html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in drawn["points"][0][2]
    assert drawn["localities"][0][2] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "&lt;img" in drawn["cameras"][0][3]
    # Nothing can end the script early either.
    assert "</script" not in json.dumps(drawn).lower().replace("\\u003c/script", "")


def test_map_links_its_libraries_from_the_dashboard_only(muni):
    counts = cells_from({(2030, 26190): 5})
    for view in maps.VIEWS:
        data = maps.map_data(counts, 250, muni, view, points=points_at([X0], [Y0]))
        html = maps.map_html(maps.build_map(data, ASSET_BASE, tiles=False))
        links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
        assert links and all(link.startswith(ASSET_BASE) for link in links), links
        assert "https://" not in html.replace("https://leafletjs.com", "")
        for link in links:
            assert (maps.asset_dir() / link.removeprefix(ASSET_BASE)).stat().st_size > 500
    with_tiles = maps.map_html(maps.build_map(maps.map_data(counts, 250, muni), ASSET_BASE))
    assert "tile.openstreetmap.org" in with_tiles


def test_an_analysts_geojson_outline_replaces_the_approximate_one(tmp_path):
    from lib.config import load_municipality

    ring = [[15.0, 59.0], [15.2, 59.0], [15.2, 59.1], [15.0, 59.0]]  # GeoJSON: lon, lat
    geometry = {"type": "Polygon", "coordinates": [ring]}
    feature = {"type": "Feature", "geometry": geometry, "properties": {}}
    collection = {"type": "FeatureCollection", "features": [feature]}
    (tmp_path / "grans.geojson").write_text(json.dumps(collection), encoding="utf-8")
    (tmp_path / "kommun.toml").write_text(
        'name = "Test"\ncode = "9999"\noutline_file = "grans.geojson"\n'
        "bbox = { lat_min = 58.9, lat_max = 59.2, lon_min = 14.9, lon_max = 15.3 }\n",
        encoding="utf-8",
    )
    muni = load_municipality(str(tmp_path / "kommun.toml"))
    assert muni.outline[:2] == ((59.0, 15.0), (59.0, 15.2)) and not muni.outline_approximate
    data = maps.map_data(cells_from({(2030, 26190): 5}), 250, muni)
    assert data.outline_label == "Kommungräns" and data.outline[1] == [59.0, 15.2]


def test_library_files_come_from_the_installed_package_and_come_back(tmp_path, monkeypatch):
    monkeypatch.setattr(maps.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(maps, "_assets", None)
    folder = maps.asset_dir()
    assert folder.parent == tmp_path
    assert "Leaflet 1.9" in (folder / "leaflet.js").read_text(encoding="utf-8")
    (folder / "leaflet.js").unlink()  # a cleaned-up /tmp while the server runs
    again = maps.asset_dir()  # a new private folder (tests/test_map_assets.py)
    assert again.parent == tmp_path and (again / "leaflet.js").stat().st_size > 100_000
