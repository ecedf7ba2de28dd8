"""The shared filters (period, locality, category, source) and the daily count cube that
pages filter instead of the raw incidents, so a page's cost follows what it shows rather than
how many incidents are stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

CUBE_KEYS = ["day", "locality", "category", "source"]


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    localities: tuple[str, ...] = ()  # empty means all
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous_year(self) -> Filters:
        """The same calendar period one year earlier (29 February becomes 28 February)."""
        shift = pd.DateOffset(years=1)
        return Filters(
            (pd.Timestamp(self.start) - shift).date(),
            (pd.Timestamp(self.end) - shift).date(),
            self.localities,
            self.categories,
            self.sources,
        )


def daily_cube(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents counted per day, locality, category and source (column ``n``)."""
    keyed = incidents.assign(day=incidents["occurred_at"].dt.normalize())
    cube = keyed.groupby(CUBE_KEYS, observed=True).size().rename("n").reset_index()
    return cube[cube["n"] > 0].reset_index(drop=True)


def select(cube: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of a cube (or of incidents, with ``day``) matching the filters."""
    mask = (cube["day"] >= pd.Timestamp(filters.start)) & (cube["day"] <= pd.Timestamp(filters.end))
    for column, values in (
        ("locality", filters.localities),
        ("category", filters.categories),
        ("source", filters.sources),
    ):
        if values:
            mask &= cube[column].isin(values)
    return cube[mask]
