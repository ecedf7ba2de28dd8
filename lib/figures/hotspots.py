"""Where incidents concentrate: equal-area grid cells in SWEREF 99 TM (EPSG:3006), Getis-Ord
Gi* hot and cold spots with false-discovery-rate control, incidents near cameras before and
after installation, and the top places with their change. Pure functions on DataFrames.

Privacy: the analysis functions return true counts; the views at the end of this module and
lib.maps suppress what is below the threshold before anything is shown or downloaded.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from lib.config import Municipality
from lib.figures import stats
from lib.figures.filters import Filters, select
from lib.i18n import fmt_date, fmt_int, t
from lib.public.disclosure import count_text, is_suppressed

CRS = "EPSG:3006"  # SWEREF 99 TM: metres, equal area enough for 250 m cells in Sweden
CELL_SIZES = (250, 500, 1000)
DEFAULT_CELL = 250
# ArcGIS refuses a hotspot analysis below 30 incidents (BRIEF): noise, not hotspots.
MIN_INCIDENTS = 30
# ArcGIS's Gi_Bin: +-3 at 99 %, +-2 at 95 %, +-1 at 90 % confidence, after FDR correction.
CONFIDENCE_LEVELS = ((0.01, 3), (0.05, 2), (0.10, 1))
# Cells analysed around every cell with incidents, in cell steps: the zeros next to activity
# are what makes a cluster stand out; the empty forest far away would make every village hot.
STUDY_AREA_STEPS = 2


@cache
def _transformers():
    from pyproj import Transformer

    return (
        Transformer.from_crs("EPSG:4326", CRS, always_xy=True),
        Transformer.from_crs(CRS, "EPSG:4326", always_xy=True),
    )


def project(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees to SWEREF 99 TM metres (x east, y north)."""
    x, y = _transformers()[0].transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def unproject(x, y) -> tuple[np.ndarray, np.ndarray]:
    """SWEREF 99 TM metres to WGS84 (lat, lon)."""
    lon, lat = _transformers()[1].transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lat), np.asarray(lon)


# --- Points and the grid -----------------------------------------------------------------------


def points_frame(incidents: pd.DataFrame, muni: Municipality) -> pd.DataFrame:
    """Incidents that have a place and are no sensitive category, reduced to what the map
    needs and sorted by day (so ``lib.figures.filters.select`` cuts it by binary search)."""
    keep = incidents["lat"].notna() & incidents["lon"].notna()
    keep &= ~incidents["category"].isin(muni.sensitive_categories)
    rows = incidents[keep]
    x, y = project(rows["lat"].to_numpy(), rows["lon"].to_numpy())
    frame = pd.DataFrame(
        {
            "day": rows["occurred_at"].dt.normalize().to_numpy(),
            "occurred_at": rows["occurred_at"].to_numpy(),
            "locality": rows["locality"].to_numpy(),
            "category": rows["category"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "lat": rows["lat"].to_numpy(),
            "lon": rows["lon"].to_numpy(),
            "x": x.astype(np.float32),
            "y": y.astype(np.float32),
            "description": rows["description"].to_numpy(),
            "key": rows["key"].to_numpy() if "key" in rows.columns else 0.0,
        }
    )
    return frame.sort_values("day", kind="stable").reset_index(drop=True)


def grid_counts(x, y, cell: int) -> pd.DataFrame:
    """Incidents per square cell: columns ix, iy (cell index = floor(metres / cell)) and n.
    Points without a finite position are left out."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    finite = np.isfinite(x) & np.isfinite(y)
    ix = np.floor(x[finite] / cell).astype(np.int64)
    iy = np.floor(y[finite] / cell).astype(np.int64)
    if len(ix) == 0:
        return pd.DataFrame({"ix": [], "iy": [], "n": []}, dtype=np.int64)
    # One integer key per cell: a groupby on one int column is several times faster than on two.
    key = (ix - ix.min()) * (iy.max() - iy.min() + 1) + (iy - iy.min())
    keys, n = np.unique(key, return_counts=True)
    span = iy.max() - iy.min() + 1
    return pd.DataFrame(
        {"ix": keys // span + ix.min(), "iy": keys % span + iy.min(), "n": n.astype(np.int64)}
    )


def cell_corners(ix, iy, cell: int) -> np.ndarray:
    """The four corners of each cell as (lat, lon), shape (cells, 4, 2): SW, SE, NE, NW."""
    ix, iy = np.asarray(ix, float), np.asarray(iy, float)
    xs = np.stack([ix, ix + 1, ix + 1, ix], axis=1) * cell
    ys = np.stack([iy, iy, iy + 1, iy + 1], axis=1) * cell
    lat, lon = unproject(xs.ravel(), ys.ravel())
    return np.stack([lat, lon], axis=1).reshape(len(ix), 4, 2)


def cell_centres(ix, iy, cell: int) -> tuple[np.ndarray, np.ndarray]:
    """Centre of each cell as (lat, lon)."""
    return unproject((np.asarray(ix, float) + 0.5) * cell, (np.asarray(iy, float) + 0.5) * cell)


DIRECTIONS = ("N", "NO", "O", "SO", "S", "SV", "V", "NV")


def place_names(ix, iy, cell: int, muni: Municipality) -> list[tuple[str, int, str]]:
    """For each cell: the nearest locality, the distance in metres from its centre (rounded
    to 50 m) and the compass direction from it, for labels such as "Storby, 300 m SO"."""
    if not muni.localities or len(ix) == 0:
        return [("", 0, "")] * len(ix)
    lx, ly = project([loc.lat for loc in muni.localities], [loc.lon for loc in muni.localities])
    cx = (np.asarray(ix, float) + 0.5) * cell
    cy = (np.asarray(iy, float) + 0.5) * cell
    dx, dy = cx[:, None] - lx[None, :], cy[:, None] - ly[None, :]
    nearest = np.argmin(dx**2 + dy**2, axis=1)
    rows = np.arange(len(cx))
    ex, ny = dx[rows, nearest], dy[rows, nearest]
    metres = np.round(np.hypot(ex, ny) / 50) * 50
    sector = np.round(np.degrees(np.arctan2(ex, ny)) / 45).astype(int) % 8
    return [
        (muni.localities[k].name, int(m), DIRECTIONS[s])
        for k, m, s in zip(nearest, metres, sector, strict=True)
    ]


# --- Getis-Ord Gi* -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HotspotResult:
    cells: pd.DataFrame  # ix, iy, n, z, p, gi_bin (-3..3) over the study area
    incidents: int
    enough: bool  # False: fewer than MIN_INCIDENTS, nothing was tested

    def significant(self) -> pd.DataFrame:
        return self.cells[self.cells["gi_bin"] != 0]


def study_area(counts: pd.DataFrame, steps: int = STUDY_AREA_STEPS) -> pd.DataFrame:
    """The cells with incidents and every cell within ``steps`` of one, with zeros filled in."""
    offsets = np.arange(-steps, steps + 1)
    ox, oy = np.meshgrid(offsets, offsets)
    ix = (counts["ix"].to_numpy()[:, None] + ox.ravel()[None, :]).ravel()
    iy = (counts["iy"].to_numpy()[:, None] + oy.ravel()[None, :]).ravel()
    area = pd.DataFrame({"ix": ix, "iy": iy}).drop_duplicates()
    area = area.merge(counts[["ix", "iy", "n"]], on=["ix", "iy"], how="left")
    area["n"] = area["n"].fillna(0).astype(np.int64)
    return area.sort_values(["ix", "iy"]).reset_index(drop=True)


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-values of Gi* z-scores (``alternative="two-sided"``)."""
    from scipy.stats import norm

    return 2 * norm.sf(np.abs(z))


def confidence_bins(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS-style Gi_Bin: +-3/2/1 for 99/95/90 % confidence, each level FDR-corrected
    (Benjamini-Hochberg, as ``esda.fdr``), signed by the z-score (positive = hot)."""
    from esda import fdr

    bins = np.zeros(len(p), dtype=np.int8)
    for alpha, level in sorted(CONFIDENCE_LEVELS, key=lambda c: -c[0]):
        cutoff = fdr(p, alpha)
        bins[p <= cutoff] = level
    return np.where(z < 0, -bins, bins).astype(np.int8)


def hotspots(
    counts: pd.DataFrame,
    cell: int,
    min_incidents: int = MIN_INCIDENTS,
) -> HotspotResult:
    """Getis-Ord Gi* over the study area around the cells with incidents, binary
    distance-band weights reaching the eight surrounding cells (and the cell itself), two-sided
    p-values from the Gi* z-scores, FDR-corrected confidence classes: ArcGIS's Hot Spot
    Analysis.

    Gi*'s z-score is standardised with the exact mean and variance of Gi* under random
    permutation of the counts over the cells (Getis and Ord), so its normal p-value
    approximates a total-permutation test without the floor of 1/(permutations + 1) that
    would put the 99 % class out of reach once FDR divides by hundreds of cells.
    Why not esda's own permutation inference (tried first): its conditional permutations hold a
    cell's own count fixed and shuffle only the neighbours, so a cell that is itself the
    cluster is not found; on the planted cluster of test_gi_star_finds_a_planted_cluster (60
    incidents in one cell among ones and zeros) that cell got p = 0.09 from the permutation
    z (``z_sim``), while lone single incidents got p < 0.001, i.e. hot at 99 %."""
    total = int(counts["n"].sum()) if len(counts) else 0
    empty = pd.DataFrame(columns=["ix", "iy", "n", "z", "p", "gi_bin"])
    if total < min_incidents or len(counts) < 2:
        return HotspotResult(empty, total, False)
    from esda import G_Local
    from libpysal.weights import DistanceBand

    area = study_area(counts)
    centres = np.column_stack([area["ix"], area["iy"]]).astype(float) * cell
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands in a sparse study area
        weights = DistanceBand(centres, threshold=cell * 1.5, binary=True, silence_warnings=True)
        gi = G_Local(area["n"].to_numpy(float), weights, transform="B", star=True, permutations=0)
    z = np.nan_to_num(np.asarray(gi.Zs, float))
    p = two_sided_p(z)
    cells = area.assign(z=z, p=p, gi_bin=confidence_bins(z, p))
    return HotspotResult(cells, total, True)


# --- Cameras -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraWindow:
    camera: str
    name: str
    installed: dt.date
    radius_m: float
    days: int  # length of each window (shorter than asked when the data end sooner)
    before: int | None  # None: the data do not reach back a whole window
    after: int | None
    comparison: stats.Comparison | None


def near(points: pd.DataFrame, lat: float, lon: float, radius_m: float) -> np.ndarray:
    x, y = project([lat], [lon])
    return (points["x"].to_numpy(float) - x[0]) ** 2 + (
        points["y"].to_numpy(float) - y[0]
    ) ** 2 <= radius_m**2


def camera_windows(
    points: pd.DataFrame,
    cameras: pd.DataFrame,
    filters: Filters,
    window_days: int = 365,
    radius_m: float | None = None,
) -> list[CameraWindow]:
    """Incidents within each camera's radius (or ``radius_m``) in equal windows before and
    after installation, for the filters' localities, categories and sources (not its period:
    the windows are the period). The verdicts of all cameras are adjusted together."""
    if points.empty:
        return []
    first, last = points["day"].min().date(), points["day"].max().date()
    out = []
    for cam in cameras.itertuples():
        if pd.isna(cam.installed_on):
            continue
        installed = pd.Timestamp(cam.installed_on).date()
        radius = float(radius_m or cam.radius_m or 200)
        days = min(window_days, (last - installed).days + 1)
        if days <= 0:
            out.append(CameraWindow(cam.id, cam.name, installed, radius, 0, None, None, None))
            continue
        start = installed - dt.timedelta(days=days)
        around = points[near(points, cam.lat, cam.lon, radius)]

        def count(lo: dt.date, hi: dt.date, around=around) -> int:
            window = Filters(lo, hi, filters.localities, filters.categories, filters.sources)
            return len(select(around, window))

        # A window the data do not cover is unknown, not zero.
        after = (
            count(installed, installed + dt.timedelta(days=days - 1))
            if installed >= first
            else None
        )
        before = count(start, installed - dt.timedelta(days=1)) if start >= first else None
        known = before is not None and after is not None
        comparison = stats.compare_counts(after, before) if known else None
        out.append(
            CameraWindow(cam.id, cam.name, installed, radius, days, before, after, comparison)
        )
    tested = [w for w in out if w.comparison is not None]
    adjusted = iter(stats.adjust_for_many([w.comparison for w in tested]))
    return [
        CameraWindow(**{**w.__dict__, "comparison": next(adjusted)}) if w.comparison else w
        for w in out
    ]


# --- Top places --------------------------------------------------------------------------------


def top_places(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    result: HotspotResult,
    cell: int,
    muni: Municipality,
    limit: int = 10,
) -> pd.DataFrame:
    """The ``limit`` cells with most incidents, plus the ``limit`` strongest hot spots, with
    the count in the same period a year earlier and the verdict of the Poisson test (adjusted
    for the number of places compared). Columns: ix, iy, place, distance_m, direction, n,
    previous, change, p_value, verdict, gi_bin."""
    top = current.nlargest(limit, "n", keep="first")[["ix", "iy"]]
    if result.enough:
        hot = result.cells[result.cells["gi_bin"] > 0].nlargest(limit, "z")[["ix", "iy"]]
        top = pd.concat([top, hot]).drop_duplicates()
    table = top.merge(current, on=["ix", "iy"], how="left")
    table = table.merge(
        previous.rename(columns={"n": "previous"}), on=["ix", "iy"], how="left"
    ).fillna({"n": 0, "previous": 0})
    table[["n", "previous"]] = table[["n", "previous"]].astype(np.int64)
    bins = result.cells[["ix", "iy", "gi_bin"]] if result.enough else None
    table["gi_bin"] = (
        table.merge(bins, on=["ix", "iy"], how="left")["gi_bin"].fillna(0).astype(int).to_numpy()
        if bins is not None
        else 0
    )
    comparisons = stats.adjust_for_many(
        [
            stats.compare_counts(int(a), int(b))
            for a, b in zip(table["n"], table["previous"], strict=True)
        ]
    )
    names = place_names(table["ix"], table["iy"], cell, muni)
    table["place"] = [n[0] for n in names]
    table["distance_m"] = [n[1] for n in names]
    table["direction"] = [n[2] for n in names]
    table["change"] = table["n"] - table["previous"]
    table["p_value"] = [c.p_value for c in comparisons]
    table["verdict"] = [c.verdict for c in comparisons]
    order = ["ix", "iy", "place", "distance_m", "direction", "n", "previous", "change"]
    table = table.sort_values(["n", "gi_bin"], ascending=False, kind="stable")
    return table[[*order, "p_value", "verdict", "gi_bin"]].reset_index(drop=True)


def cell_id(ix: int, iy: int, cell: int) -> str:
    """A stable cell reference an analyst can look up in GIS: the cell's centre in
    SWEREF 99 TM metres, northing first, as Swedish maps write it."""
    return f"N {int((iy + 0.5) * cell)} E {int((ix + 0.5) * cell)}"


def clamp_cell(cell: int) -> int:
    return cell if cell in CELL_SIZES else DEFAULT_CELL


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x, y = project([lat1, lat2], [lon1, lon2])
    return math.hypot(x[1] - x[0], y[1] - y[0])


# --- Tables as shown (and downloaded) ----------------------------------------------------------


def place_text(locality: str, distance_m: int, direction: str) -> str:
    if distance_m < 100:
        return t("map.place_centre", locality=locality)
    return t("map.place", locality=locality, distance=fmt_int(distance_m), direction=direction)


def gi_text(gi_bin: int) -> str:
    return t(f"map.gi_bin_{gi_bin}".replace("-", "minus"))


def top_places_view(table: pd.DataFrame, cell: int, threshold: int) -> pd.DataFrame:
    """The top places for people and downloads: counts below the threshold as "färre än 3",
    and no change where either count is hidden (the difference would give it away)."""
    hidden = table["n"].map(lambda v: is_suppressed(int(v), threshold)) | table["previous"].map(
        lambda v: is_suppressed(int(v), threshold)
    )
    change = [
        "–" if h else f"{'+' if c > 0 else ''}{fmt_int(c)}".replace("-", "−")
        for c, h in zip(table["change"], hidden, strict=True)
    ]
    return pd.DataFrame(
        {
            t("col.place"): [
                place_text(*row)
                for row in table[["place", "distance_m", "direction"]].itertuples(index=False)
            ],
            t("col.cell"): [cell_id(a, b, cell) for a, b in table[["ix", "iy"]].to_numpy()],
            t("col.current"): [count_text(int(v), threshold) for v in table["n"]],
            t("col.previous"): [count_text(int(v), threshold) for v in table["previous"]],
            t("col.change"): change,
            t("col.verdict"): [t(f"verdict.{v}") for v in table["verdict"]],
            t("col.hotspot"): [gi_text(int(b)) for b in table["gi_bin"]],
        }
    )


def camera_view(windows: list[CameraWindow], threshold: int) -> pd.DataFrame:
    def shown(n: int | None) -> str:
        return "–" if n is None else count_text(n, threshold)

    def verdict(w: CameraWindow) -> str:
        if w.days <= 0:
            return t("map.camera_not_yet")
        if w.comparison is None:
            return t("map.camera_no_before")
        return t(f"verdict.{w.comparison.verdict}")

    return pd.DataFrame(
        {
            t("col.camera"): [w.name for w in windows],
            t("col.installed"): [fmt_date(w.installed) for w in windows],
            t("col.window"): [
                t("map.window_days", days=fmt_int(w.days)) if w.days > 0 else "–" for w in windows
            ],
            t("col.before"): [shown(w.before) for w in windows],
            t("col.after"): [shown(w.after) for w in windows],
            t("col.verdict"): [verdict(w) for w in windows],
        }
    )
