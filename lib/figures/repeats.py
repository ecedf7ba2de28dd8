"""Repeats ("upprepningar"): do incidents follow one another near in space and time more often
than chance gives? The Knox test for space-time interaction (Knox 1964; as near-repeat
analysis: Townsley, Homel & Chaseling 2003, Ratcliffe's Near Repeat Calculator, Steenbeek's
NearRepeat). Pure functions on arrays; no Streamlit, no Swedish text.

Method. Among the n incidents, a pair is *close* when the two lie within ``distance_m``
(200 m) of each other AND within ``days`` (14) days of each other (both bounds inclusive).
Under the null of no space-time interaction, which incident happened when is unrelated to
where, so the days are permuted among the incidents (``permutations``, 999, with a seeded
``numpy.random.Generator``) and the close pairs counted again each time. Reported:

* ``observed``: close pairs in the data;
* ``expected``: the mean close pairs over the permutations (Monte Carlo); the exact mean over
  all n! permutations is NS x NT / (n (n - 1) / 2), NS the pairs close in space and NT those
  close in time, given as ``expected_exact`` (the two agree to Monte Carlo error);
* ``ratio``: observed / expected ("2.1 times as common as chance");
* ``p``: one-sided, (1 + permutations with at least as many close pairs) / (permutations + 1),
  so never below 1 / (permutations + 1).

Why not pointpats' ``Knox``: it draws from numpy's global random state (not reproducible per
call and shared between a server's sessions) and counts each permutation in a Python loop over
the incidents (seconds per category at 999 permutations); this module counts with arrays over
the spatially close pairs only, the only pairs whose closeness in time can change. Its counts
agree with pointpats' (``tests/test_repeats.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DISTANCE_M = 200.0
DAYS = 14
PERMUTATIONS = 999
MONTHS = 12
# Pairs of time-permuted days handled per block: keeps memory at about 100 MB.
BLOCK = 4_000_000


@dataclass(frozen=True)
class Knox:
    events: int
    spatial_pairs: int  # NS: pairs within distance_m
    temporal_pairs: int  # NT: pairs within days
    observed: int  # close in both
    expected: float  # mean over the permutations
    expected_exact: float  # NS x NT / all pairs: the mean over every permutation
    ratio: float  # observed / expected (nan when nothing is expected)
    p: float
    permutations: int
    distance_m: float
    days: int


def _day_numbers(day) -> np.ndarray:
    values = np.asarray(day)
    if values.dtype.kind in "iuf":
        return values.astype(np.int64)
    stamps = pd.to_datetime(pd.Series(np.ravel(values)))
    return stamps.dt.normalize().to_numpy("datetime64[D]").astype(np.int64)


def close_in_space(x, y, distance_m: float = DISTANCE_M) -> np.ndarray:
    """The pairs (i < j) within ``distance_m`` metres, shape (pairs, 2)."""
    from scipy.spatial import cKDTree

    points = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    if len(points) < 2:
        return np.zeros((0, 2), np.int64)
    return cKDTree(points).query_pairs(distance_m, output_type="ndarray").astype(np.int64)


def temporal_pairs(days: np.ndarray, within: int) -> int:
    """Pairs of incidents at most ``within`` days apart."""
    ordered = np.sort(days)
    later = np.searchsorted(ordered, ordered + within, side="right")
    return int(np.sum(later - np.arange(len(ordered)) - 1))


def _close_counts(pairs: np.ndarray, days: np.ndarray, orders: np.ndarray, within: int):
    """Close pairs for each permutation of the days (rows of ``orders``)."""
    out = np.zeros(len(orders), np.int64)
    step = max(1, BLOCK // max(len(pairs), 1))
    for start in range(0, len(orders), step):
        permuted = days[orders[start : start + step]]
        gap = np.abs(permuted[:, pairs[:, 0]] - permuted[:, pairs[:, 1]])
        out[start : start + step] = np.sum(gap <= within, axis=1)
    return out


def knox(
    x,
    y,
    day,
    distance_m: float = DISTANCE_M,
    days: int = DAYS,
    permutations: int = PERMUTATIONS,
    rng: np.random.Generator | int | None = None,
) -> Knox:
    """The Knox test of incidents at ``x``, ``y`` (metres, SWEREF 99 TM) on ``day`` (dates or
    integer day numbers); see the module's docstring."""
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    t = _day_numbers(day)
    n = len(t)
    pairs = close_in_space(x, y, distance_m)
    observed = int(np.sum(np.abs(t[pairs[:, 0]] - t[pairs[:, 1]]) <= days)) if len(pairs) else 0
    nt = temporal_pairs(t, days)
    all_pairs = n * (n - 1) / 2
    exact = len(pairs) * nt / all_pairs if all_pairs else 0.0
    if permutations > 0 and len(pairs):
        orders = np.argsort(generator.random((permutations, n)), axis=1)
        counts = _close_counts(pairs, t, orders, days)
    else:
        counts = np.zeros(permutations, np.int64)
    expected = float(counts.mean()) if permutations > 0 else exact
    p = (1 + int(np.sum(counts >= observed))) / (permutations + 1)
    ratio = observed / expected if expected > 0 else float("nan")
    return Knox(
        n, len(pairs), nt, observed, expected, exact, ratio, p, permutations, distance_m, days
    )


def near_repeats(
    points: pd.DataFrame,
    as_of=None,
    months: int = MONTHS,
    distance_m: float = DISTANCE_M,
    days: int = DAYS,
    permutations: int = PERMUTATIONS,
    rng: np.random.Generator | int | None = None,
    min_events: int = 2,
) -> pd.DataFrame:
    """The Knox test per category over the ``months`` (12) months ending on ``as_of``
    (default: the latest day) of ``points`` (columns x, y, day, category). One row per
    category with at least ``min_events`` incidents: category and the fields of ``Knox``."""
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    frame = points[np.isfinite(points["x"]) & np.isfinite(points["y"])]
    day = pd.to_datetime(frame["day"]).dt.normalize()
    end = day.max() if as_of is None else pd.Timestamp(as_of)
    start = end - pd.DateOffset(months=months) + pd.Timedelta(days=1)
    frame = frame[(day >= start) & (day <= end)]
    rows = []
    for category, group in frame.groupby("category", sort=True, observed=True):
        if len(group) < min_events:
            continue
        result = knox(
            group["x"], group["y"], group["day"], distance_m, days, permutations, generator
        )
        rows.append({"category": category, **result.__dict__})
    columns = ["category", *Knox.__dataclass_fields__]
    return pd.DataFrame(rows, columns=columns)
