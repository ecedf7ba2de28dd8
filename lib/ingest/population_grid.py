"""SCB's open grid statistics of population ("statistik på rutor"): population per square of
1 km or 250 m in SWEREF 99 TM (EPSG:3006), as a GeoPackage (SCB's own download, after
unzipping) or a CSV/Excel table. The baseline of hot spots against residents.

A square is named by SCB's square id (``rutid``, ``rutid_scb``, ``ruta``): 13 digits, the
easting (6 digits) then the northing (7 digits) of its lower-left corner in metres, e.g.
``4865006305250`` = E 486 500, N 6 305 250. Its size comes from the file's size column
(SCB's ``rutstorl``), else from the squares' geometry (a GeoPackage), else from the corners
(all on whole kilometres: 1 km; otherwise 250 m).

A grid is read whole or not at all: a square missing from a grid reads as "nobody lives
here", which would make the hot-spot test call its incidents "more than the residents give".
So any bad row refuses the file (``importers``' rules for the kind), as do a GeoPackage in
another coordinate system and squares of mixed sizes. Squares outside the municipality are
left out (SCB's files cover all of Sweden) and counted in a note.

This module holds the format's own pieces: reading a GeoPackage into the string table every
reader produces (``formats.Raw``), and decoding ids; the row rules live with the other kinds'
in ``lib.ingest.importers``.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd

from lib.config import Municipality
from lib.i18n import fmt_int, t
from lib.ingest.formats import Raw
from lib.ingest.limits import Limits
from lib.store.population import KIND, SIZES

EPSG = 3006
ID_DIGITS = 13  # easting (6) + northing (7)
# SWEREF 99 TM over Sweden: eastings and northings outside these cannot be a Swedish square.
EASTING = (180_000, 1_000_000)
NORTHING = (6_100_000, 7_700_000)
SIZE_HEADER = "rutstorlek"  # the size column a GeoPackage without one gets from its geometry
GEOPACKAGE_MAGIC = b"SQLite format 3\x00"

__all__ = [
    "KIND",
    "SIZES",
    "decode",
    "infer_size",
    "is_geopackage",
    "read_geopackage",
    "square_key",
]


def is_geopackage(data: bytes, file_name: str) -> bool:
    return data[:16] == GEOPACKAGE_MAGIC or file_name.lower().endswith(".gpkg")


def square_id(easting: int, northing: int) -> str:
    return f"{int(easting):06d}{int(northing):07d}"


def square_key(easting: int, northing: int, size: int, sha256: str) -> str:
    """A square's key in the store: SCB's id, the size and the file it came from
    ("5050006546000-1000-3f2a9c41d0")."""
    return f"{square_id(easting, northing)}-{int(size)}-{sha256[:10]}"


def decode(ids: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each id's lower-left corner (easting, northing in metres) and whether it decodes: 13
    digits (an id Excel wrote as a number, "4865006305250.0", is read too) naming a corner
    in Sweden."""
    text = ids.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    ok = text.str.fullmatch(rf"\d{{{ID_DIGITS}}}").fillna(False).to_numpy(bool)
    digits = text.where(pd.Series(ok, index=text.index), "0" * ID_DIGITS)
    easting = digits.str.slice(0, 6).astype(np.int64).to_numpy()
    northing = digits.str.slice(6).astype(np.int64).to_numpy()
    ok &= (easting >= EASTING[0]) & (easting < EASTING[1])
    ok &= (northing >= NORTHING[0]) & (northing < NORTHING[1])
    return easting, northing, ok


def infer_size(easting: np.ndarray, northing: np.ndarray) -> int:
    """The squares' size when the file does not say: 1 km when every corner lies on whole
    kilometres, else 250 m (SCB's two sizes)."""
    on_km = (np.asarray(easting) % 1000 == 0) & (np.asarray(northing) % 1000 == 0)
    return 1000 if len(on_km) and on_km.all() else 250


def size_words(sizes) -> str:
    """'250 m och 1 000 m'."""
    shown = [f"{fmt_int(s)} m" for s in sorted({int(s) for s in sizes})]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " och " + shown[-1]


# --- GeoPackage ---------------------------------------------------------------------------------


def _text(values: pd.Series) -> pd.Series:
    """A column as the text a person sees: whole numbers without '.0', missing as ''."""

    def one(v) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return values.map(one).astype(object)


def _crs_problem(crs) -> str | None:
    from pyproj import CRS

    if not crs:
        return t("grid.err_crs", found=t("grid.crs_none"), epsg=EPSG)
    try:
        epsg = CRS.from_user_input(crs).to_epsg()
    except Exception:  # an unreadable definition is not SWEREF 99 TM either
        epsg = None
    if epsg == EPSG:
        return None
    return t("grid.err_crs", found=f"EPSG:{epsg}" if epsg else str(crs)[:60], epsg=EPSG)


def _squares(bounds: pd.DataFrame) -> tuple[np.ndarray | None, str | None]:
    """Each geometry's side, or the problem: every geometry must be a square of one of SCB's
    sizes, all of the same size."""
    width = (bounds["maxx"] - bounds["minx"]).to_numpy(float)
    height = (bounds["maxy"] - bounds["miny"]).to_numpy(float)
    if not np.all(np.isfinite(width)) or np.any(np.abs(width - height) > 0.5):
        return None, t("grid.err_not_squares")
    side = np.round(width).astype(np.int64)
    if len(set(side.tolist())) > 1:
        return None, t("grid.err_mixed_sizes", sizes=size_words(side))
    if len(side) and int(side[0]) not in SIZES:
        return None, t("grid.err_size", size=fmt_int(int(side[0])), sizes=size_words(SIZES))
    return side, None


def read_geopackage(data: bytes, limits: Limits) -> Raw:
    """A GeoPackage's first layer as a string table (its attribute columns; plus the squares'
    size from the geometry when no column gives it), or the Swedish reason it cannot be
    read: not a GeoPackage, no layer, too many rows, another coordinate system than SWEREF
    99 TM, geometries that are not squares of one SCB size."""
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL's note on the in-memory file's name
        try:
            layers = pyogrio.list_layers(io.BytesIO(data))
        except Exception:
            return Raw(problem=t("grid.err_gpkg"))
        if len(layers) == 0:
            return Raw(problem=t("grid.err_no_layer"))
        layer = str(layers[0][0])
        try:
            info = pyogrio.read_info(io.BytesIO(data), layer=layer)
        except Exception:
            return Raw(problem=t("grid.err_gpkg"))
        features = int(info.get("features") or 0)
        if features > limits.max_rows:
            limit = fmt_int(limits.max_rows)
            return Raw(problem=t("err.too_many_rows", count=fmt_int(features), limit=limit))
        problem = _crs_problem(info.get("crs"))
        if problem:
            return Raw(problem=problem)
        try:
            frame = pyogrio.read_dataframe(io.BytesIO(data), layer=layer)
        except Exception:
            return Raw(problem=t("grid.err_gpkg"))
    notes = [t("grid.note_layer", layer=layer, layers=len(layers))] if len(layers) > 1 else []
    geometry = frame.geometry if hasattr(frame, "geometry") and "geometry" in frame else None
    table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    table = pd.DataFrame({c: _text(table[c]) for c in table.columns}, index=table.index)
    if geometry is not None and len(frame):
        side, problem = _squares(geometry.bounds)
        if problem:
            return Raw(problem=problem)
        known = {h.strip().lower() for h in table.columns}
        if not known & {"rutstorl", "rutstorlek", "size_m", "storlek"}:
            table[SIZE_HEADER] = [str(int(s)) for s in side]
    header = [str(c) for c in table.columns]
    return Raw(table.reset_index(drop=True), header, None, notes=notes)


def inside(easting, northing, size: int, muni: Municipality) -> np.ndarray:
    """Squares whose centre lies in the municipality's study region (the cells the map's
    tests use, ``lib.figures.hotspots.study_region``)."""
    from lib.figures import hotspots

    region = hotspots.study_region(muni, size)
    x = np.asarray(easting, float) + size / 2
    y = np.asarray(northing, float) + size / 2
    return hotspots.in_region(x, y, size, region)
