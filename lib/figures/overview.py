"""Figures of the overview page: the selected period against the same period a year earlier.

Numbers only; the words are made in ``lib.public.views``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.config import Municipality
from lib.figures import changes, counting, stats, trends
from lib.figures.coverage import Coverage
from lib.figures.filters import Filters


@dataclass
class Overview:
    filters: Filters
    change: changes.Change
    rate: stats.Rate | None
    missing_population: list[str]
    categories: pd.DataFrame  # changes.change_table by category
    monthly: pd.DataFrame  # trends.period_series by month

    @property
    def total(self) -> int:
        return self.change.current_total


def compute(
    cube: pd.DataFrame,
    filters: Filters,
    muni: Municipality,
    coverage: Coverage | None = None,
    counter: counting.Counter = counting.exact,
) -> Overview:
    change = changes.change(cube, filters, muni, coverage, counter)
    population, missing = muni.population_of(filters.localities, filters.midyear)
    rate = stats.rate(change.current_total, population) if population else None
    return Overview(
        filters=filters,
        change=change,
        rate=rate,
        missing_population=missing,
        categories=changes.change_table(cube, filters, muni, "category", coverage, counter),
        monthly=trends.period_series(cube, filters, "M", coverage, counter),
    )


def source_freshness(
    incidents: pd.DataFrame, import_log: pd.DataFrame, counter: counting.Counter = counting.exact
) -> pd.DataFrame:
    """Per source: incidents stored (through the counter), first and last incident, and when
    it was last loaded."""
    if incidents.empty:
        return pd.DataFrame(columns=["source", "incidents", "first", "last", "last_import"])
    grouped = incidents.groupby("source", observed=True)
    table = pd.DataFrame(
        {
            "incidents": counting.tally(incidents, "source", counter),
            "first": grouped["occurred_at"].min(),
            "last": grouped["occurred_at"].max(),
            "import_id": grouped["import_id"].max(),
        }
    ).reset_index()
    when = import_log.set_index("id")["imported_at"]
    table["last_import"] = pd.to_datetime(table["import_id"].map(when), utc=True)
    return table.drop(columns="import_id").sort_values("incidents", ascending=False)
