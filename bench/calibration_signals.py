"""Calibration of the signals (``lib.figures.scan``, the prospective space-time permutation
scan), issue 22.2.

``python -m bench.calibration_signals [--years 60] [--bursts 60] [--seed 3] [--smoke]``.

Null: stable data with realistic clustering in space (``calibration_towns``: Hallsberg's
localities with streets and busy addresses and a rural background, the layout fixed, the same
every year, seasonal days the same everywhere), ``PER_YEAR`` (2 500) incidents a year. One
municipality-year is scanned as an EST group would: once a week (``ANALYSES`` = 52 analyses,
each with its own 365-day study period and 999 replications); a false alert is any cluster
with a recurrence interval of at least ``scan.ALERT_RI_DAYS`` (365) days. Target: at least 90 %
of municipality-years without one. Also reported: the share of single analyses with an alert
(by construction about 2 in 1 000 with 999 replications: p <= 2/1000 is the only way to reach
RI >= 365). Run daily, 365 analyses a year, chance alone gives about 365 x 0.002 = 0.7 alerts
a year: that is what a recurrence interval of a year means.

Power: the same data plus a burst of ``BURST`` (10) incidents within 150 m over the 14 days
ending on the analysis day, at a place where about 0.3 (0.15-0.6) incidents are expected in
that circle over 14 days. Raised: an alert whose circle's centre lies within 500 m of the
burst's centre. Target: at least 80 %.

Replications: the scan stops once its most likely cluster has been beaten by ``STOP`` (3)
replications (``stop_after``). Then its p-value over the full 999 would be at least 3/1000 >
1/365, so the alert flags are exactly those of the full run, at a fraction of the time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from bench import calibration_towns as towns
from lib.figures import scan

PER_YEAR = 2500
ANALYSES = 52  # weekly, as an EST group meets
BURST = 10
BURST_RADIUS = 150.0
BURST_DAYS = 14
BURST_EXPECTED = (0.15, 0.6)
PLACED_WITHIN = 500.0
STOP = 3
NULL_TARGET = 0.90
POWER_TARGET = 0.80
FIRST, LAST = dt.date(2017, 1, 1), dt.date(2018, 12, 31)


def _scan(data: pd.DataFrame, day, replications: int, seed) -> scan.ScanResult:
    return scan.scan(
        data["x"].to_numpy(),
        data["y"].to_numpy(),
        data["day"].to_numpy(),
        day,
        replications=replications,
        rng=seed,
        stop_after=STOP,
    )


def null_year(rng, analyses: int, replications: int) -> tuple[int, int]:
    """One municipality-year scanned weekly: (analyses with an alert, analyses run)."""
    plan = towns.layout(rng)
    data = towns.incidents(rng, plan, PER_YEAR, FIRST, LAST)
    last = pd.Timestamp(LAST)
    days = [last - pd.Timedelta(weeks=k) for k in range(analyses)]
    alerts = sum(bool(_scan(data, day, replications, rng).clusters["alert"].any()) for day in days)
    return alerts, len(days)


def burst_place(rng, plan, data: pd.DataFrame, last: dt.date = LAST) -> np.ndarray:
    """A place where 0.15-0.6 incidents are expected within 150 m over 14 days."""
    year = data[data["day"] > np.datetime64(last) - np.timedelta64(365, "D")]
    for _ in range(200):
        x, y = towns.places(rng, plan, 1)
        near = np.hypot(year["x"] - x[0], year["y"] - y[0]) <= BURST_RADIUS
        expected = near.sum() * BURST_DAYS / 365
        if BURST_EXPECTED[0] <= expected <= BURST_EXPECTED[1]:
            return np.array([x[0], y[0]])
    raise RuntimeError("no place with the burst's expected count")


def planted_burst(rng, centre: np.ndarray, last: dt.date = LAST) -> pd.DataFrame:
    """``BURST`` incidents uniform within 150 m of ``centre`` over the 14 days to ``last``."""
    angle = rng.uniform(0, 2 * np.pi, BURST)
    radius = BURST_RADIUS * np.sqrt(rng.random(BURST))
    return pd.DataFrame(
        {
            "x": centre[0] + radius * np.cos(angle),
            "y": centre[1] + radius * np.sin(angle),
            "day": np.datetime64(last)
            - rng.integers(0, BURST_DAYS, BURST).astype("timedelta64[D]"),
        }
    )


def burst(rng, replications: int) -> tuple[bool, float]:
    """One planted burst: (raised and placed within 500 m, distance of the nearest alert)."""
    plan = towns.layout(rng)
    data = towns.incidents(rng, plan, PER_YEAR, FIRST, LAST)
    centre = burst_place(rng, plan, data)
    planted = planted_burst(rng, centre)
    result = _scan(pd.concat([data, planted], ignore_index=True), LAST, replications, rng)
    alerts = result.alerts
    if alerts.empty:
        return False, float("inf")
    distance = float(np.min(np.hypot(alerts["x"] - centre[0], alerts["y"] - centre[1])))
    return distance <= PLACED_WITHIN, distance


def run(
    years: int = 60,
    bursts: int = 60,
    seed: int = 3,
    analyses: int = ANALYSES,
    replications: int = scan.REPLICATIONS,
) -> dict:
    rng = np.random.default_rng(seed)
    with_alert = analysed = alerted = 0
    for _ in range(years):
        alerts, n = null_year(rng, analyses, replications)
        with_alert += alerts > 0
        alerted += alerts
        analysed += n
    found = [burst(rng, replications) for _ in range(bursts)]
    return {
        "years": years,
        "analyses_per_year": analyses,
        "bursts": bursts,
        "seed": seed,
        "replications": replications,
        "per_year": PER_YEAR,
        "null_years_without_alert": 1 - with_alert / years if years else None,
        "null_analyses_with_alert": alerted / analysed if analysed else None,
        "burst_found": float(np.mean([f for f, _ in found])) if bursts else None,
        "burst_distance_median_m": float(np.median([d for _, d in found])) if bursts else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=60)
    parser.add_argument("--bursts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="one year, four analyses, seconds")
    args = parser.parse_args()
    began = time.perf_counter()
    if args.smoke:
        r = run(1, 1, args.seed, analyses=4, replications=99)
    else:
        r = run(args.years, args.bursts, args.seed)
    print(
        f"Signals: {r['years']} municipality-years of {PER_YEAR} incidents, scanned "
        f"{r['analyses_per_year']} times each ({r['replications']} replications), seed {r['seed']}"
    )
    print(
        f"  years without a false alert: {r['null_years_without_alert']:.1%} "
        f"(target >= {NULL_TARGET:.0%}); analyses with one: {r['null_analyses_with_alert']:.2%}"
    )
    print(
        f"  burst of {BURST} within {BURST_RADIUS:.0f} m over {BURST_DAYS} days raised within "
        f"{PLACED_WITHIN:.0f} m: {r['burst_found']:.1%} of {r['bursts']} (target >= "
        f"{POWER_TARGET:.0%}); median distance {r['burst_distance_median_m']:.0f} m"
    )
    print(f"  {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
