"""Sweden's municipalities and counties from the shipped outlines (``lib.geo``), the regions the
peer comparison keeps for a municipality (``lib.config.regions``), and no code that names a
municipality or a county."""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point

from lib import geo
from lib.config import COUNTRY, find_region, load_municipality, regions, sweden
from lib.figures import hotspots, peers

ROOT = Path(__file__).resolve().parent.parent


def test_all_290_municipalities_and_21_counties():
    places = geo.places()
    assert len(places) == 290 and all(re.fullmatch(r"\d{4}", c) for c in places)
    assert all(p.county_code == p.code[:2] for p in places.values())
    assert set(geo.counties()["code"]) == {p.county_code for p in places.values()}
    assert len(geo.counties()) == 21


def test_a_place_by_its_code():
    assert geo.place("1861").name == "Hallsberg" and geo.place(1861).county_code == "18"
    assert geo.place("331") == geo.place("0331") and geo.place("0331").name == "Heby"
    assert geo.place("9999") is None and geo.place("x") is None and geo.place("12345") is None


@pytest.mark.parametrize("code", ["1861", "0331", "0180", "2584", "0980"])
def test_the_point_and_box_hold_the_outline(code):
    shape, place, box = geo.outline(code), geo.place(code), geo.bbox(code)
    assert shape.contains(Point(place.lon, place.lat))
    lon0, lat0, lon1, lat1 = shape.bounds
    assert box["lat_min"] < lat0 and lat1 < box["lat_max"]
    assert box["lon_min"] < lon0 and lon1 < box["lon_max"]


def test_file_names_are_unique_ascii():
    slugs = [geo.slug(p) for p in geo.places().values()]
    assert len(set(slugs)) == 290 and all(re.fullmatch(r"[a-z0-9-]+", s) for s in slugs)
    assert geo.slug(geo.place("1880")) == "orebro"
    assert {geo.slug(geo.place("0305")), geo.slug(geo.place("0643"))} == {
        "habo-0305",
        "habo-0643",
    }


def test_a_configuration_needs_only_the_code(tmp_path):
    """Name, county, box, centre and outline follow from the code; the municipality code also
    selects its file."""
    path = tmp_path / "x.toml"
    path.write_text('code = "2584"\n', encoding="utf-8")
    muni = load_municipality(str(path))
    assert (muni.name, muni.county, muni.county_code) == ("Kiruna", "Norrbottens län", "25")
    assert muni.bbox == geo.bbox("2584") and hotspots.outline_source(muni) == "shipped"
    from lib.config import config_path

    assert config_path("1861").name == "hallsberg.toml"
    load_municipality.cache_clear()


def test_hallsberg_keeps_its_outline_and_study_region(muni):
    assert hotspots.outline_source(muni) == "shipped"
    assert len(hotspots.outline_latlon(muni)) == 69
    assert muni.county_code == "18" and muni.county == "Örebro län"


def test_study_region_of_another_county_lies_in_its_box(tmp_path):
    path = tmp_path / "heby.toml"
    path.write_text('code = "0331"\n', encoding="utf-8")
    heby = load_municipality(str(path))
    region = hotspots.study_region(heby, 1000)
    lat, lon = hotspots.cell_centres(region["ix"], region["iy"], 1000)
    b = heby.bbox
    assert len(region) > 1000  # Heby is about 1 200 km²
    assert lat.min() > b["lat_min"] and lat.max() < b["lat_max"]
    assert lon.min() > b["lon_min"] and lon.max() < b["lon_max"]
    load_municipality.cache_clear()


# --- Regions --------------------------------------------------------------------------------


def test_sweden_is_the_country_21_counties_and_290_municipalities():
    kinds = pd.Series([r.kind for r in sweden()]).value_counts().to_dict()
    assert kinds == {"country": 1, "county": 21, "municipality": 290}
    counties = [r for r in sweden() if r.kind == "county"]
    assert all(r.name.endswith(" län") for r in counties)
    assert next(r for r in sweden() if r.kind == "country").code == COUNTRY


def test_the_comparison_keeps_the_county_and_the_named_municipalities(muni, tmp_path):
    kept = {r.code for r in regions(muni)}
    assert kept == {COUNTRY, "18", *geo.county_municipalities("18")}
    assert find_region("Kiruna", muni) is None  # another county: left out
    assert find_region("0018", muni).name == "Örebro län"  # Kolada's county code
    # SKR's groups cross county borders: a named member elsewhere is kept.
    group = dataclasses.replace(muni.comparison_groups[0], members=("Hallsberg", "Kiruna"))
    wider = dataclasses.replace(muni, comparison_groups=(group,))
    assert find_region("Kiruna kommun", wider).code == "2584"
    assert peers.group_codes(group, wider) == ["1861", "2584"]


def test_the_county_group_follows_the_municipality(tmp_path):
    path = tmp_path / "heby.toml"
    path.write_text('code = "0331"\n', encoding="utf-8")
    heby = load_municipality(str(path))
    (group,) = peers.comparison_groups(heby)
    assert group.county and set(peers.group_codes(group, heby)) == set(
        geo.county_municipalities("03")
    )
    assert {r.code for r in regions(heby) if r.kind != "municipality"} == {COUNTRY, "03"}
    assert find_region("Region Uppsala", heby).code == "03"
    load_municipality.cache_clear()


def test_population_implied_by_count_and_rate():
    """A municipality outside data/regions.toml gets the population BRÅ's count and rate
    imply."""
    frame = pd.DataFrame(
        {
            "region_code": ["0331"],
            "region": ["Heby"],
            "year": [2019],
            "period": ["Helår"],
            "category": ["Samtliga"],
            "source": ["BRÅ"],
            "count": [1_400.0],
            "rate": [10_000.0],
            "population": [float("nan")],
        }
    )
    assert peers.whole_years(frame)["pop"].tolist() == [14_000.0]


# --- No code names a municipality or a county -----------------------------------------------

ALLOWED = {"Europe/Stockholm"}  # the time zone, not the municipality


def _names() -> re.Pattern:
    names = {p.name for p in geo.places().values()} | set(geo.counties()["name"])
    names |= {r.name for r in sweden()}
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(?<![\wåäöÅÄÖ])({alternatives})s?(?![\wåäöÅÄÖ])")


def literals(source: str) -> list[tuple[int, str]]:
    """Strings and comments of a Python source that name a municipality or a county, or are
    a municipality or county code."""
    pattern, codes = _names(), set(geo.places())
    county_codes = {r.code for r in sweden() if r.kind == "county"}
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.STRING, tokenize.COMMENT):
            continue
        text = tok.string
        for allowed in ALLOWED:
            text = text.replace(allowed, "")
        found += [(tok.start[0], m.group(1)) for m in pattern.finditer(text)]
        value = text.strip("\"'rbfu")
        if tok.type == tokenize.STRING and (value in codes or value in county_codes):
            found.append((tok.start[0], value))
    return found


def test_no_code_names_a_municipality_or_a_county():
    """Names and codes live in data/ and in the catalogue (lib/i18n.py), never in code."""
    files = [*(ROOT / "lib").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"]
    bad = {
        str(path.relative_to(ROOT)): hits
        for path in files
        if path.name != "i18n.py" and (hits := literals(path.read_text(encoding="utf-8")))
    }
    assert not bad


def test_the_literal_check_can_fail():
    sample = (
        'x = ["18", "00"]  # Örebro\ny = "Hallsbergs kommun"\nz = "0331"\ntz = "Europe/Stockholm"\n'
    )
    assert [hit for _, hit in literals(sample)] == ["18", "Örebro", "Hallsberg", "0331"]
