"""Sweden's municipalities and counties as shipped in ``data/geo/``: a municipality's name,
county, outline, a point inside it and its bounding box, all from its four-digit code.

The outlines are okfse/sweden-geojson's simplification of Valmyndigheten's borders (see
``data/geo/README.md``): good for an outline, a study region and a map's extent, off by up
to about a kilometre, so never used to decide on which side of a border an address lies.
Every read is cached: the files are part of the program, not data that changes while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
MUNICIPALITIES_FILE = GEO_DIR / "swedish_municipalities.geojson"
COUNTIES_FILE = GEO_DIR / "swedish_regions.geojson"
# A box drawn from the simplified outline is widened by this (degrees, about 2 km north-south)
# so an incident just inside the real border is not rejected as outside the municipality.
BBOX_MARGIN_DEG = 0.02


@dataclass(frozen=True)
class Place:
    """One municipality as the shipped outlines describe it."""

    code: str  # four digits, e.g. "0331"
    name: str  # as the outlines spell it, without "kommun"
    county_code: str  # two digits, the first two of the municipality code
    lat: float  # a point inside the municipality (not the centroid, which may lie outside)
    lon: float


def _ascii(name: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
    text = name.lower().translate(table)
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


def slug(place: Place) -> str:
    """A file name for the municipality's configuration: its name in lower-case ASCII
    ("xby"), with the code added where two names fold to the same letters (two
    municipalities whose names differ only by a ring on the a get "name-code")."""
    base = _ascii(place.name)
    twins = [p for p in places().values() if _ascii(p.name) == base]
    return base if len(twins) == 1 else f"{base}-{place.code}"


def normalise_code(text: str | int) -> str | None:
    """A municipality code as four digits ("331" and "0331" are the same); None when ``text``
    is not one to four digits."""
    text = str(text).strip()
    return text.zfill(4) if text.isdigit() and len(text) <= 4 else None


@cache
def municipalities():
    """All municipalities: GeoDataFrame with code, name, county_code, lat, lon, geometry
    (WGS 84), sorted by code."""
    import geopandas as gpd

    frame = gpd.read_file(MUNICIPALITIES_FILE)
    points = frame["geo_point_2d"].map(_lat_lon)
    out = gpd.GeoDataFrame(
        {
            "code": frame["id"].astype(str).str.zfill(4),
            "name": frame["kom_namn"].astype(str),
            "county_code": frame["lan_code"].astype(str).str.zfill(2),
            "lat": [p[0] for p in points],
            "lon": [p[1] for p in points],
        },
        geometry=frame.geometry.values,
        crs=frame.crs,
    )
    return out.sort_values("code").reset_index(drop=True)


def _lat_lon(value) -> tuple[float, float]:
    """``geo_point_2d`` is [lat, lon] (a list, or its JSON text in some readers)."""
    if isinstance(value, str):
        import json

        value = json.loads(value)
    if isinstance(value, dict):
        return float(value["lat"]), float(value["lon"])
    return float(value[0]), float(value[1])


@cache
def counties():
    """All counties: GeoDataFrame with code (two digits), name (the short name in the file,
    without "län"; the official one is in ``data/regions.toml``) and geometry."""
    import geopandas as gpd

    frame = gpd.read_file(COUNTIES_FILE)
    return gpd.GeoDataFrame(
        {"code": frame["l_id"].astype(int).astype(str).str.zfill(2), "name": frame["name"]},
        geometry=frame.geometry.values,
        crs=frame.crs,
    ).sort_values("code", ignore_index=True)


@cache
def places() -> dict[str, Place]:
    """Every municipality by its code."""
    return {
        r.code: Place(r.code, r.name, r.county_code, float(r.lat), float(r.lon))
        for r in municipalities().itertuples()
    }


def place(code: str | int) -> Place | None:
    """The municipality with this code; None for an unknown code."""
    normal = normalise_code(code)
    return places().get(normal) if normal else None


@cache
def outline(code: str):
    """The municipality's outline (a shapely Polygon or MultiPolygon, WGS 84 lon/lat); None
    for a code not in the file."""
    frame = municipalities()
    match = frame[frame["code"] == normalise_code(code)]
    return match.geometry.union_all() if len(match) else None


def bbox(code: str, margin: float = BBOX_MARGIN_DEG) -> dict[str, float] | None:
    """The outline's bounding box widened by ``margin`` degrees and rounded outwards to two
    decimals, as the configuration writes it; None for an unknown code."""
    shape = outline(code)
    if shape is None:
        return None
    import math

    lon0, lat0, lon1, lat1 = shape.bounds
    return {
        "lat_min": math.floor((lat0 - margin) * 100) / 100,
        "lat_max": math.ceil((lat1 + margin) * 100) / 100,
        "lon_min": math.floor((lon0 - margin) * 100) / 100,
        "lon_max": math.ceil((lon1 + margin) * 100) / 100,
    }


def county_municipalities(county_code: str) -> list[str]:
    """Codes of the county's municipalities, sorted."""
    return [p.code for p in places().values() if p.county_code == county_code]


# --- SWEREF 99 TM --------------------------------------------------------------------------------

CRS = "EPSG:3006"  # SWEREF 99 TM: metres, equal area enough for 50-1 000 m cells in Sweden


@cache
def transformers():
    """(WGS84 to SWEREF 99 TM, SWEREF 99 TM to WGS84), made once per process."""
    from pyproj import Transformer

    return (
        Transformer.from_crs("EPSG:4326", CRS, always_xy=True),
        Transformer.from_crs(CRS, "EPSG:4326", always_xy=True),
    )


def project(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees to SWEREF 99 TM metres (x east, y north)."""
    x, y = transformers()[0].transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def unproject(x, y) -> tuple[np.ndarray, np.ndarray]:
    """SWEREF 99 TM metres to WGS84 (lat, lon)."""
    lon, lat = transformers()[1].transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lat), np.asarray(lon)
