"""Hot spots against a baseline that means something (issue 22.1). The land-based test of
``lib.figures.hotspots`` says where incidents concentrate per square metre, so a town is
always "hot"; the BRÅ's question is where it is worse than it should be. Two baselines:

* **own history** (``own_history``): the latest period's count in each cell against the same
  cell's counts in earlier periods of the same length (years). Expected for a cell = its share
  of all periods' incidents x the latest period's total: the space-time interaction of the
  cell x period table (the expected count of a log-linear independence model). A town that is
  evenly busy and stays so has no hot cell; a place that got worse has one.
* **residents** (``residents``): expected = the total x the cell's share of the population
  (SCB's open grid statistics, 250 m or 1 km squares): hot = more than the people living
  there would give.

Both work on per-cell counts as ``hotspots.grid_counts`` returns them (columns ix, iy, n, key;
cell index = floor(metres / cell) in SWEREF 99 TM), so they do not depend on how the counts
were read. Pass EXACT counts with their record keys (``grid_counts``' default counter) and the
counter the figures are for: as in ``hotspots.hotspots``, every cell count and every total is
published through the counter from its exact count and key, and a noisy counter's slack is
taken against the verdict (hot only where the test still holds at the published count minus
the slack, cold only at plus), so the public never sees a class the exact counts do not give.

The result is a ``BaselineResult``: a ``hotspots.HotspotResult`` (the same ``cells`` columns,
so the map draws it the same way: ``window`` is the tested count, ``window_cells`` 1,
``expected`` the baseline's expectation) plus the baseline used and, when none could be, why.
Cells are tested one by one, not in 3 x 3 windows: a baseline already says how busy a place
should be, and one cell (250 m) is the place the BRÅ acts on; the bench
(``bench.calibration_baselines``) shows the single-cell test holds its false-alarm target.
Classes, FDR and confidence levels are ``hotspots``' own: Benjamini-Hochberg at 90, 95 and
99 % (``hotspots.confidence_bins``), the cold side tested only where at least
``hotspots.MIN_EXPECTED`` are expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from lib.figures import counting, hotspots
from lib.figures.counting import Counter
from lib.figures.hotspots import HotspotResult

OWN_HISTORY, RESIDENTS, NONE = "own_history", "residents", "none"
# Why there is no baseline (the map says it in words from the catalogue).
TOO_FEW_YEARS = "too_few_years"  # fewer than MIN_EARLIER earlier periods
NO_POPULATION = "no_population"  # no population grid loaded
MIN_EARLIER = 2
COLUMNS = ["ix", "iy", "n", "window", "window_cells", "expected", "p", "bin"]


@dataclass(frozen=True)
class BaselineResult(HotspotResult):
    baseline: str = NONE  # OWN_HISTORY, RESIDENTS or NONE
    reason: str = ""  # with NONE: TOO_FEW_YEARS or NO_POPULATION
    periods: int = 0  # own history: earlier periods compared with
    unpopulated: int = 0  # residents: incidents in cells where nobody lives (not tested)


def _none(reason: str, incidents: int = 0) -> BaselineResult:
    return BaselineResult(
        pd.DataFrame(columns=COLUMNS), incidents, False, baseline=NONE, reason=reason
    )


def _published(n, key, counter: Counter) -> np.ndarray:
    return np.asarray(counter(np.asarray(n, np.int64), counting.cell_key(key)), dtype=np.int64)


def _total(n: np.ndarray, key: np.ndarray, counter: Counter) -> int:
    return int(_published([int(np.sum(n))], [float(np.sum(key))], counter)[0])


def _classes(direction, p_hot, p_cold, n, expected) -> np.ndarray:
    """hotspots' classes: hot needs a count in the cell, cold an expectation of at least
    MIN_EXPECTED (below it even an empty cell is no surprise)."""
    p = np.where(direction > 0, p_hot, np.where(direction < 0, p_cold, 1.0))
    eligible = np.where(direction > 0, n > 0, expected >= hotspots.MIN_EXPECTED)
    return p, hotspots.confidence_bins(direction, p, eligible)


# --- Own history -------------------------------------------------------------------------------


def _merge(latest: pd.DataFrame, earlier: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """One row per cell with any incident: n and key of the latest period, and of the earlier
    periods together (n_before, key_before)."""
    before = pd.concat([f[["ix", "iy", "n", "key"]] for f in earlier], ignore_index=True)
    before = before.groupby(["ix", "iy"], as_index=False)[["n", "key"]].sum()
    cells = latest[["ix", "iy", "n", "key"]].merge(
        before.rename(columns={"n": "n_before", "key": "key_before"}),
        on=["ix", "iy"],
        how="outer",
    )
    return cells.fillna(0).astype(
        {"ix": np.int64, "iy": np.int64, "n": np.int64, "n_before": np.int64}
    )


def interaction_p(latest, before, latest_total: int, all_total: int) -> tuple:
    """Exact conditional tests of a cell's latest count given its all-periods count
    (``latest`` + ``before``) and the table's margins: under no space-time interaction the
    latest count is hypergeometric (all_total incidents, latest_total of them in the latest
    period, the cell's all-periods count drawn): Fisher's exact test of the cell x period
    2 x 2 table. Returns (upper tail P(X >= latest), lower tail P(X <= latest))."""
    latest = np.asarray(latest, np.int64)
    cell_total = latest + np.asarray(before, np.int64)
    law = stats.hypergeom(all_total, latest_total, cell_total)
    return law.sf(latest - 1), law.cdf(latest)


def own_history(
    latest: pd.DataFrame,
    earlier: Sequence[pd.DataFrame],
    *,
    counter: Counter = counting.exact,
    min_incidents: int = hotspots.MIN_INCIDENTS,
) -> BaselineResult:
    """Hot and cold cells of the latest period against the same cells' earlier periods
    (``earlier``: one ``grid_counts`` frame per earlier period of the same length, e.g. the
    same 12 months of each earlier year). At least ``MIN_EARLIER`` (2) earlier periods are
    needed, else no baseline (reason TOO_FEW_YEARS); below ``min_incidents`` in the latest
    period nothing is tested.

    Test: conditional on each cell's count over all periods and on the periods' totals,
    ``interaction_p`` (hypergeometric, Fisher's exact test), one-sided in the direction the
    cell deviates: "worse than usual" and "better than usual" are two questions, each asked
    at its own level (a two-sided test would spend half the level on the side the map does
    not call "het", and found 25 extra incidents in one cell in only 68 % of maps). The
    family of the FDR correction is every cell with an incident in any period; under no
    change about 5 % of maps get a hot cell and about 5 % a cold one."""
    earlier = [f for f in earlier if f is not None]
    if len(earlier) < MIN_EARLIER:
        return _none(TOO_FEW_YEARS)
    cells = _merge(latest, earlier)
    slack = counting.slack(counter)
    n = _published(cells["n"], cells["key"], counter)
    before = _published(cells["n_before"], cells["key_before"], counter)
    latest_total = _total(cells["n"], cells["key"], counter)
    before_total = _total(cells["n_before"], cells["key_before"], counter)
    result = dict(baseline=OWN_HISTORY, periods=len(earlier))
    if latest_total < min_incidents or len(cells) < 2:
        return BaselineResult(pd.DataFrame(columns=COLUMNS), latest_total, False, **result)
    all_total = latest_total + before_total
    expected = (n + before) * latest_total / all_total
    # The worst tables the noise allows: the latest count and the earlier periods' count
    # (published as one cell of its own, from its exact count and key) each ``slack`` off.
    spread = slack
    low, high = np.maximum(n - slack, 0), n + slack
    p_hot, _ = interaction_p(low, before + spread, latest_total, all_total)
    _, p_cold = interaction_p(high, np.maximum(before - spread, 0), latest_total, all_total)
    p_hot = np.where(low > expected, p_hot, 1.0)
    p_cold = np.where(high < expected, p_cold, 1.0)
    p, bins = _classes(np.sign(n - expected), p_hot, p_cold, n, expected)
    frame = pd.DataFrame(
        {
            "ix": cells["ix"],
            "iy": cells["iy"],
            "n": n,
            "window": n,
            "window_cells": 1,
            "expected": expected,
            "p": p,
            "bin": bins,
        }
    )
    return BaselineResult(frame[COLUMNS], latest_total, True, region_cells=len(frame), **result)


def yearly_periods(
    points: pd.DataFrame, end, first_day, cell: int, years: int = 5
) -> list[pd.DataFrame]:
    """Exact ``grid_counts`` (with keys) of the 12-month periods ending on ``end``, ``end`` a
    year earlier and so on, latest first: only periods that begin on or after ``first_day``
    (the first day the data cover), at most ``years``. ``points``: x, y, day, key."""
    end = pd.Timestamp(end).normalize()
    first = pd.Timestamp(first_day).normalize()
    day = pd.to_datetime(points["day"]).dt.normalize()
    keys = points["key"] if "key" in points.columns else None
    out = []
    for k in range(years):
        # From the day after ``end``, so a period that ends on 28 February starts on 1 March
        # in leap years too.
        after = end + pd.Timedelta(days=1)
        start = after - pd.DateOffset(years=k + 1)
        stop = after - pd.DateOffset(years=k) - pd.Timedelta(days=1)
        if start < first:
            break
        rows = ((day >= start) & (day <= stop)).to_numpy()
        key = None if keys is None else keys.to_numpy()[rows]
        out.append(
            hotspots.grid_counts(
                points["x"].to_numpy()[rows], points["y"].to_numpy()[rows], cell, key=key
            )
        )
    return out


# --- Residents ---------------------------------------------------------------------------------


def _coarsen(counts: pd.DataFrame, cell: int, population_cell: int) -> pd.DataFrame:
    if population_cell == cell:
        return counts[["ix", "iy", "n", "key"]]
    if population_cell % cell:
        raise ValueError("the population grid's cells must be a multiple of the count cells")
    factor = population_cell // cell
    coarse = counts.assign(ix=counts["ix"] // factor, iy=counts["iy"] // factor)
    return coarse.groupby(["ix", "iy"], as_index=False)[["n", "key"]].sum()


def residents(
    counts: pd.DataFrame,
    population: pd.DataFrame | None,
    cell: int,
    population_cell: int | None = None,
    *,
    counter: Counter = counting.exact,
    min_incidents: int = hotspots.MIN_INCIDENTS,
) -> BaselineResult:
    """Hot and cold cells against the people living there: ``counts`` (exact ``grid_counts``
    at ``cell`` metres, with keys) against ``population`` (ix, iy, population at
    ``population_cell`` metres, default ``cell``; SCB's 250 m or 1 km squares). Counts on a
    finer grid are added up to the population's cells, and the result is on those cells.

    Expected for a cell = N x its share of the population, N the incidents in cells where
    people live; conditional on N the cell's count is Binomial(N, share), tested exactly with
    ``hotspots.binomial_p`` (two-sided where at least MIN_EXPECTED are expected).

    Cells with incidents but no residents (a station, a shopping area, an industrial estate,
    a road through the forest) have no per-resident expectation: any incident there is
    infinitely more than the residents give, and calling them all "hot" would repeat the
    land baseline's mistake. They are left out of the test (p nan, bin 0, expected 0), their
    incidents are not part of N, and their number is reported (``unpopulated``) so the map can
    say how many incidents happened where nobody lives."""
    if population is None or population.empty:
        return _none(NO_POPULATION)
    population_cell = population_cell or cell
    grid = _coarsen(counts, cell, population_cell)
    people = population.groupby(["ix", "iy"], as_index=False)["population"].sum()
    cells = people.merge(grid, on=["ix", "iy"], how="outer").fillna(
        {"population": 0.0, "n": 0, "key": 0.0}
    )
    cells = cells.astype({"ix": np.int64, "iy": np.int64, "n": np.int64})
    lived = cells["population"].to_numpy(float) > 0
    n = _published(cells["n"], cells["key"], counter)
    unpopulated = _total(cells["n"][~lived], cells["key"][~lived], counter)
    total = _total(cells["n"][lived], cells["key"][lived], counter)
    result = dict(baseline=RESIDENTS, unpopulated=unpopulated)
    if total < min_incidents or lived.sum() < 2:
        return BaselineResult(pd.DataFrame(columns=COLUMNS), total, False, **result)
    share = np.where(lived, cells["population"] / cells["population"][lived].sum(), 0.0)
    expected = total * share
    slack = counting.slack(counter)
    low, high = np.maximum(n - slack, 0), n + slack
    two = expected >= hotspots.MIN_EXPECTED
    p_hot = hotspots.binomial_p(low, total, share, two_sided=two)
    p_cold = hotspots.binomial_p(high, total, share, two_sided=two)
    p_hot = np.where(low > expected, p_hot, 1.0)
    p_cold = np.where(high < expected, p_cold, 1.0)
    direction = np.sign(n - expected)
    p = np.where(direction > 0, p_hot, np.where(direction < 0, p_cold, 1.0))
    eligible = np.where(direction > 0, n > 0, two)
    bins = np.zeros(len(cells), np.int8)
    bins[lived] = hotspots.confidence_bins(direction[lived], p[lived], eligible[lived])
    frame = pd.DataFrame(
        {
            "ix": cells["ix"],
            "iy": cells["iy"],
            "n": n,
            "window": n,
            "window_cells": 1,
            "expected": expected,
            "p": np.where(lived, p, np.nan),
            "bin": bins,
        }
    )
    return BaselineResult(
        frame[COLUMNS], total, True, outside=unpopulated, region_cells=int(lived.sum()), **result
    )
