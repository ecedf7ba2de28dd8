"""Calibration of the unusual-month flags (``lib.figures.trends.control_chart``).

``python -m bench.calibration_control [--draws 1000] [--seed 11] [--smoke]`` (from the repo root).

Null: stationary seasonal Poisson series. Each draw simulates four calendar years
(2015–2018) of daily counts for categories with yearly rates from 1 to 200, each with the
same seasonal profile every year (July about four times February), and runs the real
``control_chart`` on 2018 with the default baseline (the same month of 2015–2017). The
figure is the share of category-years with at least one flagged month, per rate level; the
target (issue 11) is at most 5 % per category and year.

Power: in the same draws, extra categories get one month of 2018 (May) multiplied by 2 or 3;
the figure is the share of those planted months flagged 'high', per rate level.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from lib.figures import trends
from lib.figures.filters import Filters

RATES = (1, 3, 10, 30, 100, 200)  # incidents per year
REPLICATES = 5  # null categories per rate level in each draw
FACTORS = (2, 3)  # planted effects
PLANTED_MONTH = 5
FIRST, LAST = dt.date(2015, 1, 1), dt.date(2018, 12, 31)
EVALUATED = Filters(dt.date(2018, 1, 1), dt.date(2018, 12, 31))
TARGET = 0.05


def seasonal_profile(months: np.ndarray) -> np.ndarray:
    """Relative level of each calendar month (1-12): peak in July, trough in January."""
    return 1.0 + 0.6 * np.cos(2 * np.pi * (months - 7) / 12)


def _categories() -> list[tuple[str, float, int]]:
    """(name, yearly rate, planted factor; 1 = null)."""
    null = [(f"null-{r}-{i}", r, 1) for r in RATES for i in range(REPLICATES)]
    planted = [(f"x{f}-{r}", r, f) for f in FACTORS for r in RATES]
    return null + planted


def simulate(rng: np.random.Generator) -> pd.DataFrame:
    """One draw of the daily cube (day, locality, category, source, n, key), sorted by day."""
    days = pd.date_range(FIRST, LAST, freq="D")
    month = days.month.to_numpy()
    profile = seasonal_profile(month)
    profile = profile / profile.mean()  # a year's days average 1, so rate is per year
    planted_days = (days.year == 2018) & (month == PLANTED_MONTH)
    specs = _categories()
    rates = np.array([r for _, r, _ in specs])[:, None] / 365.25 * profile[None, :]
    factors = np.array([f for _, _, f in specs], dtype=float)[:, None]
    rates = np.where(planted_days[None, :], rates * factors, rates)
    counts = rng.poisson(rates)
    cat, day = np.nonzero(counts)
    names = np.array([name for name, _, _ in specs], dtype=object)
    return pd.DataFrame(
        {
            "day": days[day],
            "locality": "A",
            "category": names[cat],
            "source": "s",
            "n": counts[cat, day],
            "key": 0.0,
        }
    ).sort_values("day", kind="stable", ignore_index=True)


def run(draws: int = 1000, seed: int = 11, public: bool = False) -> dict:
    """Shares over ``draws`` simulated years: null category-years with any flag (and any
    'high' flag) per rate level, and planted months flagged 'high' per factor and rate.
    ``public``: counted as the public view counts (records with random keys, the cell-key
    counter), so the flags are those a viewer sees."""
    from lib.figures import counting
    from lib.public.disclosure import perturb

    counter = perturb if public else counting.exact
    rng = np.random.default_rng(seed)
    any_flag = {r: 0 for r in RATES}
    any_high = {r: 0 for r in RATES}
    found = {f: {r: 0 for r in RATES} for f in FACTORS}
    planted = pd.Timestamp(2018, PLANTED_MONTH, 1)
    for _ in range(draws):
        cube = simulate(rng)
        if public:  # a day's records' keys sum to a uniform number modulo 1
            cube["key"] = rng.random(len(cube))
        chart = trends.control_chart(cube, EVALUATED, counter=counter)
        flagged = chart[chart["flag"].notna()]
        for r in RATES:
            for i in range(REPLICATES):
                rows = flagged[flagged["category"] == f"null-{r}-{i}"]
                any_flag[r] += not rows.empty
                any_high[r] += bool((rows["flag"] == "high").any())
        hits = flagged[(flagged["month"] == planted) & (flagged["flag"] == "high")]
        hit_names = set(hits["category"])
        for f in FACTORS:
            for r in RATES:
                found[f][r] += f"x{f}-{r}" in hit_names
    years = draws * REPLICATES
    false_flag = {r: any_flag[r] / years for r in RATES}
    return {
        "draws": draws,
        "seed": seed,
        "category_years_per_rate": years,
        "false_flag": false_flag,
        "false_flag_high": {r: any_high[r] / years for r in RATES},
        "power": {f: {r: found[f][r] / draws for r in RATES} for f in FACTORS},
        "target": TARGET,
        "met": max(false_flag.values()) <= TARGET,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--smoke", action="store_true", help="3 draws, seconds (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.draws = 3
    began = time.perf_counter()
    result = run(args.draws, args.seed)
    took = time.perf_counter() - began
    print(f"Unusual months, {result['draws']} draws (seed {result['seed']}), {took:.0f} s")
    print(f"{result['category_years_per_rate']} null category-years per rate level")
    print("| rate/year | any flag | any 'high' | power x2 (one month) | power x3 (one month) |")
    print("|---:|---:|---:|---:|---:|")
    for r in RATES:
        print(
            f"| {r} | {result['false_flag'][r]:.1%} | {result['false_flag_high'][r]:.1%} "
            f"| {result['power'][2][r]:.1%} | {result['power'][3][r]:.1%} |"
        )
    verdict = "met" if result["met"] else "NOT met"
    print(f"Target: at most {TARGET:.0%} of null category-years with any flag: {verdict}.")


if __name__ == "__main__":
    main()
