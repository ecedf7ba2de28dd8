"""Where incidents concentrate: equal-area grid cells in SWEREF 99 TM (EPSG:3006) on a fixed
study region (the municipality's cells), hot and cold spots by an exact window test with
false-discovery-rate control, and the top places with their change (cameras and other
dated actions: lib.figures.interventions). Pure functions on DataFrames; every count goes through a
``lib.figures.counting`` counter.

Privacy: the analysis functions return counts as the counter gives them; the views at the
end of this module and lib.public.maps suppress what is below the threshold before anything is
shown or downloaded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from lib import geo
from lib.config import Municipality
from lib.figures import counting, stats
from lib.figures.counting import Counter
from lib.figures.filters import daily_cube
from lib.geo import project, unproject

CELL_SIZES = (250, 500, 1000)
DEFAULT_CELL = 250
# ArcGIS refuses a hotspot analysis below 30 incidents (BRIEF): noise, not hotspots.
MIN_INCIDENTS = 30
# ArcGIS's Gi_Bin classes: +-3 at 99 %, +-2 at 95 %, +-1 at 90 % confidence, after FDR
# correction.
CONFIDENCE_LEVELS = ((0.01, 3), (0.05, 2), (0.10, 1))
# Expected window count below which "fewer than expected" is not tested: even an empty window
# has P(0) = exp(-expected) > 5 % there, so a cold cell could never be significant.
MIN_EXPECTED = 3.0


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


def off_map_cube(incidents: pd.DataFrame, muni: Municipality) -> pd.DataFrame:
    """The daily cube (``filters.daily_cube``) of the incidents the map cannot draw: those
    without coordinates (the police's open events give only the municipality and a
    locality) and those of sensitive categories. The map shows them per locality."""
    on_map = incidents["lat"].notna() & incidents["lon"].notna()
    on_map &= ~incidents["category"].isin(muni.sensitive_categories)
    return daily_cube(incidents[~on_map])


def grid_counts(
    x, y, cell: int, key=None, counter: Counter = counting.exact, weight=None
) -> pd.DataFrame:
    """Incidents per square cell through the counter: columns ix, iy (cell index =
    floor(metres / cell)), n (the counter's count of the cell) and key (the sum of the cell's
    record keys, ``key`` per point, 0 when not given). A point may stand for several records
    (``weight``, its count ``n``: the data manager's 50 m cells). Points without a finite
    position are left out, and so are cells the counter counts as 0."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keys = np.zeros(len(x)) if key is None else np.asarray(key, float)
    weights = np.ones(len(x)) if weight is None else np.asarray(weight, float)
    finite = np.isfinite(x) & np.isfinite(y)
    ix = np.floor(x[finite] / cell).astype(np.int64)
    iy = np.floor(y[finite] / cell).astype(np.int64)
    if len(ix) == 0:
        return pd.DataFrame(
            {"ix": np.zeros(0, np.int64), "iy": np.zeros(0, np.int64), "n": np.zeros(0, np.int64)}
        ).assign(key=np.zeros(0))
    # One integer code per cell: np.unique on one int column is several times faster than a
    # groupby on two.
    span = iy.max() - iy.min() + 1
    code = (ix - ix.min()) * span + (iy - iy.min())
    codes, inverse = np.unique(code, return_inverse=True)
    exact = np.bincount(inverse, weights=weights[finite], minlength=len(codes)).round()
    key_sum = np.bincount(inverse, weights=keys[finite], minlength=len(codes))
    n = np.asarray(counter(exact.astype(np.int64), counting.cell_key(key_sum)), dtype=np.int64)
    frame = pd.DataFrame(
        {"ix": codes // span + ix.min(), "iy": codes % span + iy.min(), "n": n, "key": key_sum}
    )
    return frame[frame["n"] > 0].reset_index(drop=True)


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


# --- The study region --------------------------------------------------------------------------

GEO_FILE = geo.MUNICIPALITIES_FILE  # every municipality's outline, by its code
# The shipped outlines are simplified to a few per cent of their vertices: off by up to a
# kilometre, enough to cut the edge of a town near the border (62 of the sample's
# incidents in the main town fell outside). The study region takes the outline widened by this.
SHIPPED_BUFFER_M = 1000


def _shipped_outline(code: str):
    """The municipality's polygon in the shipped outlines (``lib.geo``), in WGS84; None for
    a code not in the file."""
    return geo.outline(code)


def outline_source(muni: Municipality) -> str:
    """Where the municipality's outline comes from: "file" (an analyst's GeoJSON,
    ``outline_file``), "shipped" (``GEO_FILE``), "config" (the approximate ring) or "bbox"."""
    if muni.outline and not muni.outline_approximate:
        return "file"
    if _shipped_outline(str(muni.code)) is not None:
        return "shipped"
    return "config" if len(muni.outline) >= 3 else "bbox"


def outline_latlon(muni: Municipality) -> list[tuple[float, float]]:
    """The outline the study region is cut from, as (lat, lon) points (for the map): of a
    shipped multi-part outline, the largest part's outer ring."""
    source = outline_source(muni)
    if source == "shipped":
        shape = _shipped_outline(str(muni.code))
        parts = getattr(shape, "geoms", [shape])
        largest = max(parts, key=lambda g: g.area)
        return [(float(lat), float(lon)) for lon, lat, *_ in largest.exterior.coords]
    if source in ("file", "config"):
        return list(muni.outline)
    b = muni.bbox
    return [
        (b["lat_min"], b["lon_min"]),
        (b["lat_min"], b["lon_max"]),
        (b["lat_max"], b["lon_max"]),
        (b["lat_max"], b["lon_min"]),
    ]


@cache
def _outline_geometry(code: str, source: str, ring: tuple):
    """The outline in SWEREF 99 TM (the shipped polygon widened by ``SHIPPED_BUFFER_M``, else
    ``ring`` of (lat, lon))."""
    import shapely
    from shapely.geometry import Polygon

    if source == "shipped":
        forward = geo.transformers()[0]
        projected = shapely.transform(
            _shipped_outline(code),
            lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1])),
        )
        return projected.buffer(SHIPPED_BUFFER_M)
    x, y = project([p[0] for p in ring], [p[1] for p in ring])
    return Polygon(zip(x, y, strict=True))


@cache
def _region_cells(code: str, source: str, ring: tuple, cell: int) -> pd.DataFrame:
    from shapely import contains_xy

    geometry = _outline_geometry(code, source, ring)
    x0, y0, x1, y1 = geometry.bounds
    ix, iy = np.meshgrid(
        np.arange(math.floor(x0 / cell), math.floor(x1 / cell) + 1, dtype=np.int64),
        np.arange(math.floor(y0 / cell), math.floor(y1 / cell) + 1, dtype=np.int64),
        indexing="ij",
    )
    ix, iy = ix.ravel(), iy.ravel()
    inside = contains_xy(geometry, (ix + 0.5) * cell, (iy + 0.5) * cell)
    region = pd.DataFrame({"ix": ix[inside], "iy": iy[inside]})
    return region.sort_values(["ix", "iy"]).reset_index(drop=True)


def study_region(muni: Municipality, cell: int) -> pd.DataFrame:
    """The fixed study region of the hotspot test: every grid cell (``cell`` metres, indexed
    as ``grid_counts`` does) whose centre lies inside the municipality's outline
    (``outline_source``: an analyst's GeoJSON first, else the shipped outline of the
    municipality code, else the config's ring, else its box). It depends on the municipality
    and the cell size only, never on where incidents happened. Columns ix, iy, sorted;
    cached per (code, cell). Treat the frame as read-only."""
    source = outline_source(muni)
    ring = () if source == "shipped" else tuple(outline_latlon(muni))
    return _region_cells(str(muni.code), source, ring, int(cell))


def _cell_code(ix, iy) -> np.ndarray:
    """One int64 per cell (SWEREF cell indexes are far below 2**31 in Sweden)."""
    return (np.asarray(ix, np.int64) << 32) + np.asarray(iy, np.int64)


def in_region(x, y, cell: int, region: pd.DataFrame) -> np.ndarray:
    """Whether each point (SWEREF metres) lies in a cell of ``region``."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    finite = np.isfinite(x) & np.isfinite(y)
    codes = np.sort(_cell_code(region["ix"], region["iy"]))
    out = np.zeros(len(x), dtype=bool)
    if len(codes) == 0 or not finite.any():
        return out
    point = _cell_code(np.floor(x[finite] / cell), np.floor(y[finite] / cell))
    at = np.minimum(np.searchsorted(codes, point), len(codes) - 1)
    out[finite] = codes[at] == point
    return out


# --- The exact window test ---------------------------------------------------------------------


def binomial_p(x, trials: int, prob, two_sided=True) -> np.ndarray:
    """Exact binomial p-values of the counts ``x`` out of ``trials`` with success probability
    ``prob`` (arrays broadcast together; ``two_sided`` may be an array too).

    Two-sided as ``scipy.stats.binomtest`` (the "minlike" rule): the probability of every
    outcome no more likely than the one observed (with scipy's relative tolerance of 1e-7).
    One-sided: the upper tail P(X >= x). Vectorised: the map has thousands of cells but only a
    few distinct probabilities (the number of cells in a window), so each distinct
    probability gets one table of p-values over the outcomes that carry any probability mass
    (mean +- 40 standard deviations + 40); beyond it, the p-value is the tail beyond x."""
    from scipy.stats import binom

    x, prob, two = np.broadcast_arrays(
        np.asarray(x, np.int64), np.asarray(prob, float), np.asarray(two_sided, bool)
    )
    out = np.ones(x.shape, dtype=float)
    n = int(trials)
    for q in np.unique(prob):
        at = prob == q
        k = x[at]
        upper = binom.sf(k - 1, n, q)
        p = upper.copy()
        sided = two[at]
        if sided.any() and 0 < q < 1:
            mean, sd = n * q, math.sqrt(n * q * (1 - q))
            lo = max(0, math.floor(mean - 40 * sd - 40))
            hi = min(n, math.ceil(mean + 40 * sd + 40))
            support = np.arange(lo, hi + 1)
            pmf = binom.pmf(support, n, q)
            ordered = np.sort(pmf)
            mass = np.cumsum(ordered)
            inside = (k >= lo) & (k <= hi)
            d = pmf[np.clip(k - lo, 0, hi - lo)] * (1 + 1e-7)
            idx = np.searchsorted(ordered, d, side="right")
            table = np.where(idx > 0, mass[np.maximum(idx - 1, 0)], 0.0)
            far = np.where(k < lo, binom.cdf(k, n, q), upper)
            both = np.where(inside, table, far)
            both = np.where(k == mean, 1.0, both)
            p = np.where(sided, both, upper)
        out[at] = np.minimum(p, 1.0)
    return out


def benjamini_hochberg(p: np.ndarray, alpha: float) -> np.ndarray:
    """Which hypotheses the Benjamini-Hochberg step-up procedure rejects at FDR ``alpha``."""
    p = np.asarray(p, float)
    m = len(p)
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    passed = np.nonzero(p[order] <= alpha * np.arange(1, m + 1) / m)[0]
    out = np.zeros(m, dtype=bool)
    if len(passed):
        out[order[: passed[-1] + 1]] = True
    return out


def confidence_bins(direction: np.ndarray, p: np.ndarray, eligible=None) -> np.ndarray:
    """ArcGIS-style classes: +-3/2/1 for 99/95/90 % confidence, each level
    Benjamini-Hochberg-corrected over all cells, signed by ``direction`` (positive = more
    than expected = hot). ``eligible`` (default all) marks the cells that may be classed at
    all; the others stay in the family (they were tested) but get 0."""
    p = np.asarray(p, float)
    bins = np.zeros(len(p), dtype=np.int8)
    for alpha, level in sorted(CONFIDENCE_LEVELS, key=lambda c: -c[0]):
        bins[benjamini_hochberg(p, alpha)] = level
    if eligible is not None:
        bins[~np.asarray(eligible, bool)] = 0
    return np.where(np.asarray(direction) < 0, -bins, bins).astype(np.int8)


@dataclass(frozen=True)
class HotspotResult:
    # Every cell of the study region: ix, iy, n (its own count), window (count in the cell and
    # its neighbours inside the region), window_cells, expected (window count expected under
    # uniform risk), p (exact), bin (-3..3).
    cells: pd.DataFrame
    incidents: int  # N: incidents in the study region (as counted)
    enough: bool  # False: fewer than MIN_INCIDENTS in the region, nothing was tested
    outside: int = 0  # incidents left out: their cell's centre lies outside the region
    region_cells: int = 0

    def significant(self) -> pd.DataFrame:
        return self.cells[self.cells["bin"] != 0]


def _window_sums(ix: np.ndarray, iy: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each cell (ix, iy), the sum of ``values`` over the cell and its eight neighbours
    among the cells given (a 3 x 3 box sum on a raster of the region's bounding box)."""
    if len(ix) == 0:
        return np.zeros(0, dtype=values.dtype)
    x0, y0 = ix.min(), iy.min()
    raster = np.zeros((ix.max() - x0 + 3, iy.max() - y0 + 3), dtype=values.dtype)
    raster[ix - x0 + 1, iy - y0 + 1] = values
    box = np.zeros_like(raster)
    w, h = raster.shape
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            box[1 : w - 1, 1 : h - 1] += raster[1 + dx : w - 1 + dx, 1 + dy : h - 1 + dy]
    return box[ix - x0 + 1, iy - y0 + 1]


def hotspots(
    points: pd.DataFrame,
    cell: int,
    region: pd.DataFrame,
    min_incidents: int = MIN_INCIDENTS,
    *,
    counter: Counter = counting.exact,
) -> HotspotResult:
    """Hot and cold spots of ``points`` (x, y in SWEREF 99 TM and the records' ``key``) on
    the fixed study region ``region`` (``study_region``): an exact window test per cell,
    Benjamini-Hochberg-corrected at 90, 95 and 99 % confidence (ArcGIS's classes).

    Region. The cells whose centre lies inside the municipality's outline, the same whatever
    the data. Incidents in cells outside it are left out (``outside``). A ring grown around
    the data (the previous design, two cells around every cell with incidents) set the
    reference rate from the data themselves: with little padding every busy village was
    "hot", and under complete spatial randomness 51-92 % of maps showed a hot cell.

    Counts. Each region cell's count, each window's count and N come from the counter, each
    as a cell of its own (its key the sum of its records' keys), so the public view's classes
    follow from counts it could publish; a window's count is not the sum of nine noisy cells
    (that noise, up to ±18, painted every null map hot). With a noisy counter the test takes
    its slack: hot only where the window is still significant at its count minus the slack,
    cold only at its count plus the slack, so the public never sees a class the exact counts
    do not give.

    Test. A cell's window is the cell and its eight neighbours that lie in the region (Gi*'s
    binary weights with a distance band of one cell). Conditional on N, under the null of
    uniform risk over the region each incident falls in the window with probability
    window_cells / region_cells, so the window count is Binomial(N, window_cells /
    region_cells): exact at any count, where Gi*'s normal approximation is not (with a mean
    of half an incident per window, a z-score of 3 is far likelier than 0.3 %). The p-value
    is two-sided (scipy's binomtest rule) where the expected window count is at least
    ``MIN_EXPECTED`` (3); below it, even an empty window cannot be significant (P(0) =
    exp(-expected) > 5 %), so only "more than expected" is tested, one-sided. Every region
    cell is one hypothesis in the Benjamini-Hochberg family at each level.

    Classes. Hot: the window holds significantly more than expected and the cell itself holds
    at least one incident (a cell that is empty is not painted because its neighbour is
    busy; the neighbour is painted). Cold: significantly fewer, and only where the expected
    count is at least ``MIN_EXPECTED``. Below ``min_incidents`` (30, ArcGIS's minimum) in the
    region, nothing is tested ("too few incidents").

    What "hot" means. The null is uniform risk per unit of land, so towns (where people live)
    are nearly always hot and forest and fields cold once there are enough incidents: the
    classes say where incidents concentrate, not that the risk per inhabitant is higher. A
    population-weighted null would need a population grid the project does not have.

    Calibration: ``python -m bench.calibration_hotspots`` (600 points uniform over the sample
    municipality's region at 250 m; figures in the README and on the "Om statistiken" page)."""
    total_cells = len(region)
    columns = ["ix", "iy", "n", "window", "window_cells", "expected", "p", "bin"]
    x = points["x"].to_numpy(float) if len(points) else np.zeros(0)
    y = points["y"].to_numpy(float) if len(points) else np.zeros(0)
    inside = in_region(x, y, cell, region)
    keys = points["key"].to_numpy(float) if "key" in points.columns else np.zeros(len(points))
    weights = points["n"].to_numpy(float) if "n" in points.columns else np.ones(len(points))
    outside_rows = pd.DataFrame({"n": weights[~inside].astype(np.int64), "key": keys[~inside]})
    outside = counting.total(outside_rows, counter) if len(outside_rows) else 0
    counts = grid_counts(x[inside], y[inside], cell, key=keys[inside], weight=weights[inside])
    area = region[["ix", "iy"]].merge(counts[["ix", "iy", "n", "key"]], on=["ix", "iy"], how="left")
    exact_n = area["n"].fillna(0).to_numpy(np.int64)
    key = area["key"].fillna(0.0).to_numpy(float)
    n = np.asarray(counter(exact_n, counting.cell_key(key)), dtype=np.int64)
    total = counting.total(pd.DataFrame({"n": [int(exact_n.sum())], "key": [key.sum()]}), counter)
    if total < min_incidents or total_cells < 2:
        empty = pd.DataFrame(columns=columns)
        return HotspotResult(empty, total, False, outside, total_cells)
    ix, iy = area["ix"].to_numpy(np.int64), area["iy"].to_numpy(np.int64)
    # A window is a cell of its own: its count is published with its own key (the sum of its
    # records' keys), not as the sum of nine noisy cells, and tested with the counter's slack
    # (hot only if still significant at the published count minus the slack, cold at plus).
    exact_window = _window_sums(ix, iy, exact_n)
    window_key = counting.cell_key(_window_sums(ix, iy, key))
    window = np.asarray(counter(exact_window, window_key), dtype=np.int64)
    window_cells = _window_sums(ix, iy, np.ones(len(ix), dtype=np.int64))
    prob = window_cells / total_cells
    expected = total * prob
    testable_low = expected >= MIN_EXPECTED
    slack = counting.slack(counter)
    low_end, high_end = np.maximum(window - slack, 0), window + slack
    p_hot = binomial_p(low_end, total, prob, two_sided=testable_low)
    p_cold = binomial_p(high_end, total, prob, two_sided=testable_low)
    direction = np.sign(window - expected)
    p = np.where(
        direction > 0,
        np.where(low_end > expected, p_hot, 1.0),
        np.where(high_end < expected, p_cold, 1.0),
    )
    eligible = np.where(direction > 0, n > 0, testable_low)
    cells = area.drop(columns="key").assign(
        n=n,
        window=window,
        window_cells=window_cells,
        expected=expected,
        p=p,
        bin=confidence_bins(direction, p, eligible),
    )
    return HotspotResult(cells[columns], total, True, outside, total_cells)


# --- Top places --------------------------------------------------------------------------------


def top_places(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    result: HotspotResult,
    cell: int,
    muni: Municipality,
    limit: int = 10,
    slack: int = 0,
) -> pd.DataFrame:
    """The ``limit`` cells with most incidents, plus the ``limit`` strongest hot spots, with
    the count in the same period a year earlier and the verdict of the Poisson test (adjusted
    for the number of places compared). ``current`` and ``previous`` are ``grid_counts``
    through the same counter, whose ``counting.slack`` is ``slack``. Columns: ix, iy, place,
    distance_m, direction, n, previous, change, p_value, verdict, bin."""
    top = current.nlargest(limit, "n", keep="first")[["ix", "iy"]]
    if result.enough:
        hot = result.cells[result.cells["bin"] > 0]
        hot = hot.sort_values(["p", "window"], ascending=[True, False], kind="stable")
        top = pd.concat([top, hot.head(limit)[["ix", "iy"]]]).drop_duplicates()
    table = top.merge(current[["ix", "iy", "n"]], on=["ix", "iy"], how="left")
    table = table.merge(
        previous[["ix", "iy", "n"]].rename(columns={"n": "previous"}), on=["ix", "iy"], how="left"
    ).fillna({"n": 0, "previous": 0})
    table[["n", "previous"]] = table[["n", "previous"]].astype(np.int64)
    bins = result.cells[["ix", "iy", "bin"]] if result.enough else None
    table["bin"] = (
        table.merge(bins, on=["ix", "iy"], how="left")["bin"].fillna(0).astype(int).to_numpy()
        if bins is not None
        else 0
    )
    comparisons = stats.adjust_rates(
        [
            stats.compare_rates(int(a), int(b), slack=slack)
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
    table = table.sort_values(["n", "bin"], ascending=False, kind="stable")
    return table[[*order, "p_value", "verdict", "bin"]].reset_index(drop=True)


def cell_id(ix: int, iy: int, cell: int) -> str:
    """A stable cell reference an analyst can look up in GIS: the cell's centre in
    SWEREF 99 TM metres, northing first, as Swedish maps write it."""
    return f"N {int((iy + 0.5) * cell)} E {int((ix + 0.5) * cell)}"


def clamp_cell(cell: int) -> int:
    return cell if cell in CELL_SIZES else DEFAULT_CELL


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x, y = project([lat1, lat2], [lon1, lon2])
    return math.hypot(x[1] - x[0], y[1] - y[0])
