"""Peer comparison: reported crimes per 100 000 inhabitants against similar municipalities,
judged with a funnel plot (Spiegelhalter 2005) rather than a league table.

Pure functions on the stored ``peers`` table (one row per region, year, period, category and
source); no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from lib.config import Municipality, regions

PER = 100_000
LEVELS = (0.95, 0.998)  # the two funnels: about 2 and 3 standard deviations

INSIDE, ABOVE, BELOW, ABOVE_95, BELOW_95 = "inside", "above", "below", "above_95", "below_95"


@dataclass(frozen=True)
class Verdict:
    code: str  # INSIDE, ABOVE_95, ABOVE (beyond 99.8 %), BELOW_95, BELOW
    rate: float
    group_rate: float


def comparison_group(muni: Municipality) -> list[str]:
    """Codes of the municipalities compared: every municipality in ``data/regions.toml``
    (the county's), which includes the config's peers."""
    return [r.code for r in regions() if r.kind == "municipality"]


def peer_codes(muni: Municipality) -> list[str]:
    by_name = {r.name.lower(): r.code for r in regions()}
    return [by_name[p.lower()] for p in muni.peers if p.lower() in by_name]


def whole_years(peers: pd.DataFrame) -> pd.DataFrame:
    """Annual figures only (BRÅ's monthly rows are left out), one source per region, year and
    category: BRÅ's counts where there are both, since they carry the count itself."""
    if peers.empty:
        return peers.assign(n=pd.Series(dtype=float), pop=pd.Series(dtype=float))
    annual = peers[peers["period"].str.lower().isin(["helår", "år", "helar"])].copy()
    population = {r.code: r.population for r in regions()}
    pop = annual["population"].copy()
    pop = pop.fillna(annual["region_code"].map(population))
    annual["pop"] = pop.astype(float)
    from_rate = annual["rate"] * annual["pop"] / PER
    annual["n"] = annual["count"].where(annual["count"].notna(), from_rate.round())
    annual["has_count"] = annual["count"].notna()
    annual = annual.sort_values(["has_count", "source"], ascending=[False, True])
    keys = ["region_code", "year", "category"]
    return annual.drop_duplicates(keys).sort_values(keys).reset_index(drop=True)


def rates(annual: pd.DataFrame) -> pd.DataFrame:
    """Rate per 100 000 from the count and population where both exist, else as given."""
    out = annual.copy()
    computed = out["n"] / out["pop"] * PER
    out["rate_per_100k"] = computed.where(out["n"].notna() & out["pop"].gt(0), out["rate"])
    return out


def funnel_limits(
    group_rate: float, populations: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson funnel limits (rates per 100 000) around ``group_rate`` for each
    population, interpolated between integer counts as in Spiegelhalter (2005), appendix A.1.2,
    so the funnel is smooth rather than stepped."""
    populations = np.asarray(populations, dtype=float)
    expected = group_rate * populations / PER
    lower = _poisson_limit(expected, (1 - level) / 2)
    upper = _poisson_limit(expected, 1 - (1 - level) / 2)
    return lower / populations * PER, upper / populations * PER


def _poisson_limit(mean: np.ndarray, p: float) -> np.ndarray:
    """The p-quantile of Poisson(mean), made continuous: y_p minus the share of the step at
    y_p that lies beyond p."""
    y = stats.poisson.ppf(p, mean)
    at = stats.poisson.cdf(y, mean)
    below = stats.poisson.cdf(y - 1, mean)
    step = np.where(at > below, at - below, 1.0)
    alpha = (at - p) / step
    return np.maximum(y - alpha, 0.0)


def verdict(count: float, population: float, group_rate: float) -> Verdict:
    """Where one municipality's rate lies against the funnels around the group rate."""
    rate = count / population * PER
    (lo95,), (hi95,) = funnel_limits(group_rate, np.array([population]), LEVELS[0])
    (lo998,), (hi998,) = funnel_limits(group_rate, np.array([population]), LEVELS[1])
    if rate > hi998:
        code = ABOVE
    elif rate > hi95:
        code = ABOVE_95
    elif rate < lo998:
        code = BELOW
    elif rate < lo95:
        code = BELOW_95
    else:
        code = INSIDE
    return Verdict(code, rate, group_rate)


def funnel_data(
    annual: pd.DataFrame, year: int, category: str, codes: list[str]
) -> tuple[pd.DataFrame, float | None]:
    """The group's municipalities for one year and category, with counts and populations,
    and the group rate (pooled: all counts over all inhabitants). None without data."""
    frame = annual[
        (annual["year"] == year)
        & (annual["category"] == category)
        & annual["region_code"].isin(codes)
        & annual["n"].notna()
        & annual["pop"].gt(0)
    ].copy()
    if frame.empty:
        return frame, None
    group_rate = float(frame["n"].sum() / frame["pop"].sum() * PER)
    frame["rate_per_100k"] = frame["n"] / frame["pop"] * PER
    return frame.reset_index(drop=True), group_rate


def funnel_curve(group_rate: float, populations: pd.Series, points: int = 120) -> pd.DataFrame:
    """The funnel lines over the populations' range, for drawing."""
    low = max(1.0, float(populations.min()) * 0.8)
    high = float(populations.max()) * 1.2
    pop = np.geomspace(low, high, points)
    out = pd.DataFrame({"population": pop})
    for level in LEVELS:
        lower, upper = funnel_limits(group_rate, pop, level)
        out[f"lower_{level}"] = lower
        out[f"upper_{level}"] = upper
    return out


def trend(annual: pd.DataFrame, category: str, code: str, codes: list[str]) -> pd.DataFrame:
    """Per year: the municipality's rate, the group's median and middle-50 % band (the other
    municipalities of the group)."""
    data = rates(annual[annual["category"] == category])
    others = data[data["region_code"].isin([c for c in codes if c != code])]
    band = others.groupby("year")["rate_per_100k"].agg(
        median="median",
        q1=lambda s: s.quantile(0.25),
        q3=lambda s: s.quantile(0.75),
        municipalities="count",
    )
    own = data[data["region_code"] == code].set_index("year")["rate_per_100k"].rename("own")
    return band.join(own, how="outer").reset_index().sort_values("year")
