"""The shared filters (period, locality, category, source) and the day-sorted frames that
pages filter instead of the raw incidents, so a page's cost follows what it shows rather than
how many incidents are stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
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

    @property
    def midyear(self) -> int:
        """The calendar year of the period's midpoint (for population figures)."""
        return (self.start + (self.end - self.start) / 2).year

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
    """Incidents counted per day, locality, category and source (column ``n``), by day, with
    the sum of their record keys (column ``key``, see ``lib.figures.counting``)."""
    keyed = incidents.assign(day=incidents["occurred_at"].dt.normalize(), n=1)
    if "key" not in keyed.columns:
        keyed["key"] = 0.0
    cube = keyed.groupby(CUBE_KEYS, observed=True)[["n", "key"]].sum().reset_index()
    return cube[cube["n"] > 0].reset_index(drop=True)


def timed_frame(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents whose time of day is known, reduced to what time-of-day views need
    (day, weekday 0 = Monday, hour and the filter columns), sorted by day."""
    timed = incidents[incidents["time_known"]]
    stamp = timed["occurred_at"]
    frame = pd.DataFrame(
        {
            "day": stamp.dt.normalize(),
            "weekday": stamp.dt.day_of_week.astype(np.int8),
            "hour": stamp.dt.hour.astype(np.int8),
            "locality": timed["locality"],
            "category": timed["category"],
            "source": timed["source"],
            "key": timed["key"] if "key" in timed.columns else 0.0,
        }
    )
    return frame.sort_values("day", kind="stable").reset_index(drop=True)


def select(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of a frame with ``day`` matching the filters. A frame sorted by day is cut with
    a binary search first, so the cost follows the selection, not the whole frame."""
    lo, hi = pd.Timestamp(filters.start), pd.Timestamp(filters.end)
    days = frame["day"]
    if days.is_monotonic_increasing:
        frame = frame.iloc[days.searchsorted(lo, "left") : days.searchsorted(hi, "right")]
        mask = np.ones(len(frame), dtype=bool)
    else:
        mask = ((days >= lo) & (days <= hi)).to_numpy()
    for column, values in (
        ("locality", filters.localities),
        ("category", filters.categories),
        ("source", filters.sources),
    ):
        if values:
            mask &= frame[column].isin(values).to_numpy()
    return frame[mask]
