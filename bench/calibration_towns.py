"""Simulated incidents with realistic clustering in space, for the calibration of the space-time
verdicts (signals, repeats, hot spots against own history): towns, streets and busy addresses
of Hallsberg's localities plus a thin rural background, the same every year.

A ``Layout`` is one municipality: each locality of ``data/hallsberg.toml`` becomes a disc of
radius 300 m x sqrt(population / 1000) around its centre, with random straight streets through
it (one per 500 inhabitants, at least three) and busy addresses (one per 2 000 inhabitants, at
least one; a station, a square, a school). An incident falls in a locality with probability
proportional to its population (80 % of all), and there on a street (60 %, 15 m either side),
at a busy address (25 %, 30 m around it) or anywhere in the disc (15 %); the other 20 % fall
uniformly over the municipality's land (its 250 m study region). Days are uniform over the
period with a seasonal swing (July 1.6 times January), the same everywhere: space and time are
independent, the null of the space-time verdicts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from lib.config import load_municipality
from lib.figures import hotspots

TOWN_SHARE = 0.80
STREET, ADDRESS = 0.60, 0.25  # of a town's incidents; the rest anywhere in its disc
STREET_SD, ADDRESS_SD = 15.0, 30.0
REGION_CELL = 250


@dataclass(frozen=True)
class Layout:
    centres: np.ndarray  # (towns, 2) metres
    radii: np.ndarray  # (towns,)
    weights: np.ndarray  # (towns,) share of the town incidents
    streets: tuple[np.ndarray, ...]  # per town: (k, 4) segments x0, y0, x1, y1
    addresses: tuple[np.ndarray, ...]  # per town: (k, 2)
    region: pd.DataFrame  # 250 m cells ix, iy of the municipality's land


@cache
def _localities():
    muni = load_municipality("hallsberg")
    x, y = hotspots.project(
        [loc.lat for loc in muni.localities], [loc.lon for loc in muni.localities]
    )
    pops = np.array([float(loc.population or 200) for loc in muni.localities])
    return np.column_stack([x, y]), pops, hotspots.study_region(muni, REGION_CELL)


def _in_disc(rng, centre, radius, k):
    angle = rng.uniform(0, 2 * np.pi, k)
    r = radius * np.sqrt(rng.random(k))
    return centre + np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def layout(rng: np.random.Generator) -> Layout:
    """One municipality's streets and busy addresses (Hallsberg's localities)."""
    centres, pops, region = _localities()
    radii = 300.0 * np.sqrt(pops / 1000.0)
    streets, addresses = [], []
    for centre, radius, pop in zip(centres, radii, pops, strict=True):
        k = max(3, int(pop // 500))
        mid = _in_disc(rng, centre, radius * 0.8, k)
        angle = rng.uniform(0, np.pi, k)
        half = rng.uniform(0.3, 0.8, k) * radius
        dx, dy = half * np.cos(angle), half * np.sin(angle)
        streets.append(
            np.column_stack([mid[:, 0] - dx, mid[:, 1] - dy, mid[:, 0] + dx, mid[:, 1] + dy])
        )
        addresses.append(_in_disc(rng, centre, radius * 0.7, max(1, int(pop // 2000))))
    return Layout(centres, radii, pops / pops.sum(), tuple(streets), tuple(addresses), region)


def places(rng: np.random.Generator, plan: Layout, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` incidents' positions (SWEREF 99 TM metres) from the layout's fixed intensity."""
    xy = np.zeros((n, 2))
    rural = rng.random(n) >= TOWN_SHARE
    cells = plan.region
    pick = rng.integers(0, len(cells), int(rural.sum()))
    xy[rural, 0] = (cells["ix"].to_numpy()[pick] + rng.random(len(pick))) * REGION_CELL
    xy[rural, 1] = (cells["iy"].to_numpy()[pick] + rng.random(len(pick))) * REGION_CELL
    town_rows = np.flatnonzero(~rural)
    town = rng.choice(len(plan.weights), len(town_rows), p=plan.weights)
    kind = rng.random(len(town_rows))
    for t in range(len(plan.weights)):
        mine = town == t
        rows, what = town_rows[mine], kind[mine]
        street = rows[what < STREET]
        seg = plan.streets[t][rng.integers(0, len(plan.streets[t]), len(street))]
        along = rng.random(len(street))[:, None]
        xy[street] = seg[:, :2] + along * (seg[:, 2:] - seg[:, :2])
        xy[street] += rng.normal(0, STREET_SD, (len(street), 2))
        address = rows[(what >= STREET) & (what < STREET + ADDRESS)]
        spot = plan.addresses[t][rng.integers(0, len(plan.addresses[t]), len(address))]
        xy[address] = spot + rng.normal(0, ADDRESS_SD, (len(address), 2))
        anywhere = rows[what >= STREET + ADDRESS]
        xy[anywhere] = _in_disc(rng, plan.centres[t], plan.radii[t], len(anywhere))
    return xy[:, 0], xy[:, 1]


def seasonal_days(rng: np.random.Generator, first: dt.date, last: dt.date, n: int) -> np.ndarray:
    """``n`` days (numpy datetime64[D]) between ``first`` and ``last``, more in summer."""
    days = pd.date_range(first, last, freq="D")
    weight = 1.0 + 0.23 * np.cos(2 * np.pi * (days.day_of_year.to_numpy() - 196) / 365.25)
    pick = rng.choice(len(days), n, p=weight / weight.sum())
    return np.sort(days.to_numpy("datetime64[D]")[pick])


def incidents(
    rng: np.random.Generator, plan: Layout, per_year: float, first: dt.date, last: dt.date
) -> pd.DataFrame:
    """A Poisson number of incidents (``per_year`` a year) over the period: x, y, day."""
    years = ((last - first).days + 1) / 365.25
    n = int(rng.poisson(per_year * years))
    x, y = places(rng, plan, n)
    day = seasonal_days(rng, first, last, n)
    return pd.DataFrame({"x": x, "y": y, "day": rng.permutation(day)})
