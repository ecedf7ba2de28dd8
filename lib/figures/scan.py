"""Early warning: the prospective space-time permutation scan statistic (Kulldorff, Heffernan,
Hartman, Assunção & Mostashari 2005, "A space-time permutation scan statistic for disease
outbreak detection", PLoS Medicine 2(3):e59), as SaTScan's prospective daily surveillance
runs it. Pure functions on arrays; no Streamlit, no Swedish text.

The question it answers: is there, right now, a place where the latest days hold more
incidents than that place's usual share of the municipality's incidents would give, by more
than chance? It needs no population and no map of land: each place's usual level and each
day's usual level come from the data themselves.

Method.

* **Study period.** The incidents of the ``study_days`` (365) days ending on the analysis day;
  N of them. Older incidents are not used: the margins follow a changing town.
* **Locations and centres.** Each incident is put in its ``cell_m`` (100 m) cell of SWEREF 99
  TM (EPSG:3006), and each cell with an incident is both a location and a candidate circle
  centre, as SaTScan does with a coordinates file of locations. Why cells rather than the
  incidents themselves: the work then grows with the number of places, not of incidents
  (five years of a town have many incidents at the same few hundred places), and 100 m is
  finer than the precision of most records (addresses, street segments), so a cluster of any
  size of 70 m or more is matched by a circle centred within 71 m of its own centre.
* **Cylinders.** A circle around a centre, of every radius up to ``max_radius_m`` (1000 m)
  at which another location enters (and never holding more than ``MAX_SHARE`` of the study
  period's incidents, SaTScan's default maximum spatial cluster size), times a window of the
  ``d`` latest days, d = 1 .. ``max_window_days`` (30), ending on the analysis day.
* **Expected count** of a cylinder: (incidents in the circle over the whole study period) x
  (incidents in the window over the whole municipality) / N: the space-time permutation
  model's expectation under no space-time interaction, Kulldorff et al. (2005) eq. 1.
* **Statistic.** Poisson generalised likelihood ratio, only for excess (c > E) and only for
  cylinders with at least ``MIN_CASES`` (2) incidents: LLR = c ln(c/E) + (N - c) ln((N - c) /
  (N - E)). The most likely cluster has the largest LLR.
* **Monte Carlo.** ``replications`` (999) data sets with the days permuted among the
  incidents (a seeded ``numpy.random.Generator``): this keeps both margins (every place's
  total and every day's total) and breaks only their interaction. Each replication's largest
  LLR over all cylinders forms the null distribution; a cluster's p-value is (1 + number of
  replications whose maximum is at least its LLR) / (replications + 1).
* **Secondary clusters** (SaTScan's "no geographical overlap"): after the most likely
  cluster, the best cylinder of every other centre in decreasing LLR, kept when its circle
  does not overlap any circle kept before (centre distance greater than the sum of the
  radii). Each is compared with the same distribution of replication maxima, which makes
  their p-values conservative, as in SaTScan.
* **Recurrence interval.** For an analysis run every day, RI = 1 / p days: how often chance
  alone would give a signal at least this strong (SaTScan's recurrence interval for daily
  prospective surveillance). With R replications p is at least 1 / (R + 1), so RI is at most
  R + 1 days (1000 with the default 999); to reach the default alert threshold
  ``ALERT_RI_DAYS`` (365) a cluster must be beaten by at most one replication (p <= 2/1000).
  Alerts need R >= 364 to be possible at all. For an analysis run weekly the interval in
  days would be 7 / p; the alert threshold here is on 1 / p, so run weekly it is stricter.
* **Early stop** (Besag & Clifford 1991, sequential Monte Carlo p-values; SaTScan's early
  termination): once ``stop_after`` (50) replications have beaten the most likely cluster,
  its p-value is at least 50 / 999 > 1 / 365, so no cluster of this analysis can be an alert
  and the remaining replications are skipped; p-values are then reported as stop_after / L
  (L replications run) and are estimates, not bounds. The alert flags are those of the full
  run. ``stop_after=None`` always runs every replication.

Not modelled: population shifts within the study period (the permutation model reads a place
whose share of incidents grows over the year as a cluster at its end), and the nature of
the incidents (all categories given count alike; scan one category by passing its rows).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

CELL_M = 100
MAX_RADIUS_M = 1000.0
MAX_WINDOW_DAYS = 30
STUDY_DAYS = 365
REPLICATIONS = 999
MIN_CASES = 2
MAX_SHARE = 0.5  # SaTScan's default maximum spatial cluster size: half the incidents
ALERT_RI_DAYS = 365  # alert when chance alone gives such a signal at most once a year
STOP_AFTER = 50
MAX_CLUSTERS = 10

COLUMNS = [
    "x",
    "y",
    "radius_m",
    "first_day",
    "last_day",
    "days",
    "observed",
    "expected",
    "llr",
    "p",
    "recurrence_days",
    "alert",
]


@dataclass(frozen=True)
class ScanResult:
    """The clusters of one analysis, most likely first (``COLUMNS``: centre x, y in SWEREF
    99 TM metres, radius_m, first_day and last_day of the window and its length in days,
    observed, expected, llr, p, recurrence_days, alert)."""

    clusters: pd.DataFrame
    analysis_day: object  # as given (a date or a day number)
    study_start: object  # first day of the study period, same kind
    events: int  # N: incidents in the study period with a position
    recent: int  # of them in the longest window
    replications: int  # replications run (fewer than asked after an early stop)
    stopped_early: bool
    cell_m: float = CELL_M

    @property
    def alerts(self) -> pd.DataFrame:
        return self.clusters[self.clusters["alert"]].reset_index(drop=True)


# --- Days --------------------------------------------------------------------------------------


def _day_numbers(day) -> tuple[np.ndarray, bool]:
    """Integer day numbers (days since 1970-01-01 for dates) and whether they were dates."""
    values = np.asarray(day)
    if values.dtype.kind in "iu":
        return values.astype(np.int64), False
    if values.dtype.kind == "f":
        return values.astype(np.int64), False
    stamps = pd.to_datetime(pd.Series(np.ravel(values)))
    numbers = stamps.dt.normalize().to_numpy("datetime64[D]").astype(np.int64)
    return numbers.reshape(values.shape), True


def _as_day(number: int, dates: bool):
    if not dates:
        return int(number)
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(number))


# --- Cylinders ---------------------------------------------------------------------------------


class Cylinders:
    """Every cylinder of one study period, ready to be scored for any assignment of days.

    Built once from the locations; ``best`` and ``maximum`` then take each incident's lag
    (analysis day minus its day, 0 = the analysis day). The circles of a centre are nested,
    so their counts are cumulative sums along the centre's cells sorted by distance. Only
    incidents inside the longest window change from one permutation to the next (both margins
    are fixed), so a replication touches only the (centre, cell) pairs of those incidents:
    a circle whose outermost cell holds no recent incident has the same count as a smaller
    circle and a larger expectation, so it can never be the best and is not scored."""

    def __init__(
        self,
        cell_x: np.ndarray,
        cell_y: np.ndarray,
        event_cell: np.ndarray,
        window_totals: np.ndarray,
        max_radius_m: float = MAX_RADIUS_M,
        cell_m: float = CELL_M,
    ):
        from scipy.spatial import cKDTree

        self.n = len(event_cell)
        self.event_cell = event_cell
        self.windows = len(window_totals)
        self.cell_x, self.cell_y = cell_x, cell_y
        cell_total = np.bincount(event_cell, minlength=len(cell_x)).astype(np.float64)
        points = np.column_stack([cell_x, cell_y])
        tree = cKDTree(points)
        pairs = tree.sparse_distance_matrix(tree, max_radius_m + 1e-6, output_type="ndarray")
        other = pairs["i"] != pairs["j"]
        centre, cell, dist = pairs["i"][other], pairs["j"][other], pairs["v"][other]
        # Each centre's own cell, once (whether or not the tree lists it).
        own = np.arange(len(cell_x))
        centre = np.concatenate([centre, own])
        cell = np.concatenate([cell, own])
        dist = np.round(np.concatenate([dist, np.zeros(len(own))]), 6)
        order = np.lexsort((cell, dist, centre))
        centre, cell, dist = centre[order], cell[order], dist[order]
        cum = np.cumsum(cell_total[cell])
        first = np.r_[True, centre[1:] != centre[:-1]]
        base = np.maximum.accumulate(np.where(first, np.r_[0.0, cum[:-1]], 0.0))
        within = cum - base
        # A circle holds every cell at its radius: cells tied in distance share the count of
        # the last of them.
        tie_end = np.r_[(centre[1:] != centre[:-1]) | (dist[1:] != dist[:-1]), True]
        last = np.flatnonzero(tie_end)
        circle = within[last[np.searchsorted(last, np.arange(len(within)))]]
        self.pair_centre, self.pair_cell, self.pair_dist = centre, cell, dist
        self.pair_nz = circle
        by_cell = np.argsort(cell, kind="stable")
        self.by_cell = by_cell
        self.cell_ptr = np.r_[0, np.cumsum(np.bincount(cell, minlength=len(cell_x)))]
        self.window_totals = np.asarray(window_totals, np.float64)
        self._tables(circle <= MAX_SHARE * self.n)

    def _tables(self, allowed: np.ndarray) -> None:
        """Per (pair, window) constants, so that a replication only gathers rows and does a
        few multiply-adds. With v = ln(1 - E/N) and T[c] = c ln c + (N - c) ln(1 - c/N),
        LLR = T[c] - N v + c (v - ln E): every term stays small (no difference of two
        N ln N), so single precision holds it to about 1e-4. T is hugely negative below
        ``MIN_CASES``; a pair whose circle is too large gets E = inf, never in excess."""
        n = self.n
        expected = self.pair_nz[:, None] * (self.window_totals[None, :] / n)
        expected[~allowed] = np.inf
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.log1p(-np.minimum(expected, n - 0.5) / n)
            # An empty window (E = 0) holds no incident: its slope is never used.
            slope = np.where(allowed[:, None] & (expected > 0), v - np.log(expected), 0.0)
        self.expected = np.ascontiguousarray(expected.T, np.float32)
        self.n_v = np.ascontiguousarray((n * v).T, np.float32)
        self.slope = np.ascontiguousarray(slope.T, np.float32)
        with np.errstate(divide="ignore", invalid="ignore"):
            counts = np.arange(n + 1, dtype=np.float64)
            table = counts * np.log(np.maximum(counts, 1)) + (n - counts) * np.log1p(
                -np.minimum(counts, n - 0.5) / n
            )
        table[:MIN_CASES] = -1e30  # finite: times a false mask it must give 0, not nan
        self.table = table.astype(np.float32)

    def _scores(self, lag: np.ndarray):
        """The rows scored (pair positions), and their LLR per window (rows x windows)."""
        w = self.windows
        recent = np.flatnonzero(lag < w)
        cells = self.event_cell[recent]
        starts = self.cell_ptr[cells]
        lengths = self.cell_ptr[cells + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros((w, 0), np.float32)
        offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        positions = self.by_cell[np.repeat(starts, lengths) + offsets]
        lags = np.repeat(lag[recent], lengths)
        present = np.zeros(len(self.pair_centre) + 1, np.int32)
        present[positions + 1] = 1
        rank = np.cumsum(present)
        rows = np.flatnonzero(present[1:])
        at = rank[positions + 1] - 1
        # (windows x rows): a window's counts are the previous window's plus one day.
        c = np.bincount(lags * len(rows) + at, minlength=len(rows) * w).reshape(w, len(rows))
        for d in range(1, w):
            c[d] += c[d - 1]
        # Counts accumulate along each centre's cells; a centre's first row takes back what
        # the centres before it added, so one cumulative sum serves them all.
        centres = self.pair_centre[rows]
        first = np.flatnonzero(np.r_[True, centres[1:] != centres[:-1]])
        if len(first) > 1:
            group_sums = np.add.reduceat(c, first, axis=1)
            c[:, first[1:]] -= group_sums[:, :-1]
        np.cumsum(c, axis=1, out=c)
        return rows, self._llr(rows, c)

    def _llr(self, rows: np.ndarray, c: np.ndarray) -> np.ndarray:
        """LLR (windows x rows) of the counts ``c``; 0 where not in excess."""
        llr = (
            self.table[c] - np.take(self.n_v, rows, axis=1) + c * np.take(self.slope, rows, axis=1)
        )
        return llr * (c > np.take(self.expected, rows, axis=1))

    def maximum(self, lag: np.ndarray) -> float:
        """The largest LLR over all cylinders for this assignment of lags."""
        _, llr = self._scores(lag)
        return max(float(llr.max()), 0.0) if llr.size else 0.0

    def best(self, lag: np.ndarray) -> pd.DataFrame:
        """Each centre's best cylinder with a positive LLR: centre, radius_m, days, observed,
        expected, llr (in double precision) and score (the single-precision LLR the
        replications are compared with), sorted by score descending."""
        rows, llr = self._scores(lag)
        columns = ["centre", "radius_m", "days", "observed", "expected", "llr", "score"]
        if not len(rows) or llr.max() <= 0:
            return pd.DataFrame(columns=columns)
        window = np.argmax(llr, axis=0)
        row_best = llr[window, np.arange(len(rows))]
        centres = self.pair_centre[rows]
        frame = pd.DataFrame({"row": rows, "centre": centres, "window": window, "llr": row_best})
        frame = frame[frame["llr"] > 0]
        frame = frame.sort_values(["llr", "row"], ascending=[False, True], kind="stable")
        frame = frame.drop_duplicates("centre")
        picked = frame["row"].to_numpy()
        days = frame["window"].to_numpy() + 1
        observed = self._observed(picked, days, lag)
        expected = self.pair_nz[picked] * self.window_totals[days - 1] / self.n
        return pd.DataFrame(
            {
                "centre": frame["centre"].to_numpy(),
                "radius_m": self.pair_dist[picked],
                "days": days,
                "observed": observed,
                "expected": expected,
                "llr": log_likelihood_ratio(observed, expected, self.n),
                "score": frame["llr"].to_numpy(),
            }
        ).reset_index(drop=True)

    def _observed(self, rows: np.ndarray, days: np.ndarray, lag: np.ndarray) -> np.ndarray:
        """Incidents inside each cylinder (circle of the pair row, window of days)."""
        out = np.zeros(len(rows), np.int64)
        for k, (row, d) in enumerate(zip(rows, days, strict=True)):
            inside = self.members(int(self.pair_centre[row]), float(self.pair_dist[row]))
            out[k] = int(np.sum(inside & (lag < d)))
        return out

    def members(self, centre: int, radius: float) -> np.ndarray:
        """Which incidents lie in the circle of ``radius`` around the centre cell."""
        dx = self.cell_x[self.event_cell] - self.cell_x[centre]
        dy = self.cell_y[self.event_cell] - self.cell_y[centre]
        return np.round(np.hypot(dx, dy), 6) <= radius


def log_likelihood_ratio(observed, expected, n: int) -> np.ndarray:
    """Kulldorff et al. (2005)'s Poisson GLR of a cylinder with ``observed`` incidents where
    ``expected`` were expected, of ``n`` in all: c ln(c/E) + (N - c) ln((N - c)/(N - E)) for
    c > E, else 0."""
    c = np.asarray(observed, float)
    e = np.asarray(expected, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(c > 0, c * np.log(c / e), 0.0)
        outside = np.where(n - c > 0, (n - c) * np.log((n - c) / (n - e)), 0.0)
    return np.where(c > e, inside + outside, 0.0)


# --- The scan ----------------------------------------------------------------------------------


def _locations(x: np.ndarray, y: np.ndarray, cell_m: float):
    """Each incident's cell (index into the unique cells) and the cells' centres."""
    ix = np.floor(x / cell_m).astype(np.int64)
    iy = np.floor(y / cell_m).astype(np.int64)
    keys, event_cell = np.unique(np.column_stack([ix, iy]), axis=0, return_inverse=True)
    centre_x = (keys[:, 0] + 0.5) * cell_m
    centre_y = (keys[:, 1] + 0.5) * cell_m
    return event_cell.ravel(), centre_x, centre_y


def prepare(
    x,
    y,
    day,
    analysis_day=None,
    *,
    study_days: int = STUDY_DAYS,
    max_radius_m: float = MAX_RADIUS_M,
    max_window_days: int = MAX_WINDOW_DAYS,
    cell_m: float = CELL_M,
):
    """The study period's incidents and their cylinders: (Cylinders or None, lags, kept mask,
    analysis day number, whether days were dates). None when fewer than ``MIN_CASES``
    incidents fall in the study period."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    days, dates = _day_numbers(day)
    if analysis_day is None:
        analysis = int(days.max()) if len(days) else 0
    else:
        analysis = int(_day_numbers([analysis_day])[0][0])
    lag = analysis - days
    kept = np.isfinite(x) & np.isfinite(y) & (lag >= 0) & (lag < study_days)
    lag = lag[kept]
    if kept.sum() < MIN_CASES:
        return None, lag, kept, analysis, dates
    event_cell, cx, cy = _locations(x[kept], y[kept], cell_m)
    totals = np.array([(lag < d).sum() for d in range(1, max_window_days + 1)], np.float64)
    cylinders = Cylinders(cx, cy, event_cell, totals, max_radius_m, cell_m)
    return cylinders, lag, kept, analysis, dates


def scan(
    x,
    y,
    day,
    analysis_day=None,
    *,
    study_days: int = STUDY_DAYS,
    max_radius_m: float = MAX_RADIUS_M,
    max_window_days: int = MAX_WINDOW_DAYS,
    replications: int = REPLICATIONS,
    rng: np.random.Generator | int | None = None,
    alert_ri_days: float = ALERT_RI_DAYS,
    stop_after: int | None = STOP_AFTER,
    cell_m: float = CELL_M,
    max_clusters: int = MAX_CLUSTERS,
) -> ScanResult:
    """The prospective space-time permutation scan of incidents at ``x``, ``y`` (SWEREF 99 TM
    metres) on ``day`` (dates or integer day numbers) as of ``analysis_day`` (default: the
    latest day), with the clusters' p-values, recurrence intervals and alert flags (method:
    the module's docstring). ``rng`` is a ``numpy.random.Generator`` or a seed."""
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    cylinders, lag, _, analysis, dates = prepare(
        x,
        y,
        day,
        analysis_day,
        study_days=study_days,
        max_radius_m=max_radius_m,
        max_window_days=max_window_days,
        cell_m=cell_m,
    )
    start = _as_day(analysis - study_days + 1, dates)
    n = int(len(lag))
    recent = int((lag < max_window_days).sum())
    if cylinders is None:
        empty = pd.DataFrame(columns=COLUMNS)
        return ScanResult(empty, _as_day(analysis, dates), start, n, recent, 0, False)
    found = _non_overlapping(cylinders.best(lag), cylinders, max_clusters)
    maxima, stopped = _replicate(cylinders, lag, found, replications, generator, stop_after)
    clusters = _report(found, cylinders, np.asarray(maxima), stopped, stop_after, alert_ri_days)
    clusters = _with_days(clusters, analysis, dates)
    analysed = _as_day(analysis, dates)
    return ScanResult(clusters, analysed, start, n, recent, len(maxima), stopped, cell_m)


def _replicate(cylinders, lag, found, replications, generator, stop_after):
    """The replications' maxima (none when there is no cluster to test) and whether they
    stopped early."""
    if found.empty:
        return np.zeros(0), False
    primary = float(found["score"].iloc[0])
    maxima = np.zeros(replications)
    beaten = 0
    for r in range(replications):
        maxima[r] = cylinders.maximum(generator.permutation(lag))
        beaten += maxima[r] >= primary
        if stop_after is not None and beaten >= stop_after:
            return maxima[: r + 1], True
    return maxima, False


def _non_overlapping(found: pd.DataFrame, cylinders: Cylinders, limit: int) -> pd.DataFrame:
    kept: list[int] = []
    cx, cy = cylinders.cell_x, cylinders.cell_y
    for k, row in enumerate(found.itertuples()):
        if len(kept) >= limit:
            break
        clear = all(
            math.hypot(
                cx[row.centre] - cx[found.at[j, "centre"]],
                cy[row.centre] - cy[found.at[j, "centre"]],
            )
            > row.radius_m + found.at[j, "radius_m"]
            for j in kept
        )
        if clear:
            kept.append(k)
    return found.loc[kept].reset_index(drop=True)


def p_values(llr, maxima, stopped: bool = False, stop_after: int | None = None) -> np.ndarray:
    """Monte Carlo p-values of ``llr`` against the replications' maxima: (1 + beaten) / (L +
    1) after a full run of L replications; after an early stop, Besag and Clifford's beaten /
    L."""
    llr = np.asarray(llr, float)
    maxima = np.sort(np.asarray(maxima, float))
    beaten = len(maxima) - np.searchsorted(maxima, llr, side="left")
    if stopped:
        return np.minimum(beaten / max(len(maxima), 1), 1.0)
    return (1 + beaten) / (len(maxima) + 1)


def _report(found, cylinders, maxima, stopped, stop_after, alert_ri_days) -> pd.DataFrame:
    p = p_values(found["score"].to_numpy(), maxima, stopped, stop_after)
    ri = 1.0 / p
    return pd.DataFrame(
        {
            "x": cylinders.cell_x[found["centre"].to_numpy(np.int64)],
            "y": cylinders.cell_y[found["centre"].to_numpy(np.int64)],
            "radius_m": found["radius_m"].to_numpy(float),
            "days": found["days"].to_numpy(np.int64),
            "observed": found["observed"].to_numpy(np.int64),
            "expected": found["expected"].to_numpy(float),
            "llr": found["llr"].to_numpy(float),
            "p": p,
            "recurrence_days": ri,
            "alert": (ri >= alert_ri_days) & (not stopped),
        }
    )


def _with_days(clusters: pd.DataFrame, analysis: int, dates: bool) -> pd.DataFrame:
    first = [_as_day(analysis - d + 1, dates) for d in clusters["days"]]
    clusters = clusters.assign(first_day=first, last_day=[_as_day(analysis, dates)] * len(first))
    return clusters[COLUMNS]


def members(result: ScanResult, cluster: int, x, y, day) -> np.ndarray:
    """Which of the incidents (the same x, y, day as given to ``scan``) lie in the cluster's
    cylinder: its circle (cell centres within the radius, as the scan counts them) and its
    window. For listing the incidents behind an alert."""
    row = result.clusters.iloc[cluster]
    x, y = np.asarray(x, float), np.asarray(y, float)
    days, _ = _day_numbers(day)
    first, _ = _day_numbers([row["first_day"]])
    last, _ = _day_numbers([row["last_day"]])
    cell = result.cell_m
    cx = (np.floor(x / cell) + 0.5) * cell
    cy = (np.floor(y / cell) + 0.5) * cell
    near = np.round(np.hypot(cx - row["x"], cy - row["y"]), 6) <= row["radius_m"]
    return near & (days >= first[0]) & (days <= last[0])
