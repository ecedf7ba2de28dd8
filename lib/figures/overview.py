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
    keys: tuple[str, ...] | None = None,
) -> Overview:
    """The overview's figures; ``keys``: the fixed rows of the category table
    (``changes.change_table``)."""
    rows = changes.rows_of(cube, changes.periods(filters, coverage), filters)
    change = changes.change(cube, filters, muni, coverage, counter, rows)
    population, missing = muni.population_of(filters.localities, filters.midyear)
    rate = stats.rate(change.current_total, population) if population else None
    return Overview(
        filters=filters,
        change=change,
        rate=rate,
        missing_population=missing,
        categories=changes.change_table(
            cube, filters, muni, "category", coverage, counter, keys=keys, rows=rows
        ),
        monthly=trends.period_series(cube, filters, "M", coverage, counter),
    )


def source_freshness(
    cube: pd.DataFrame,
    coverage: Coverage,
    spans: pd.DataFrame,
    import_log: pd.DataFrame,
    counter: counting.Counter = counting.exact,
) -> pd.DataFrame:
    """Per source: its incidents (through the counter), the first and last month it covers
    (fully or partly: coverage is whole months, never an incident's day), and when it was
    last loaded (NaT for a source only ever reported in the app). ``spans``: each import's
    sources (columns import_id, source). Columns: source, incidents, first, last,
    last_import; most incidents first."""
    columns = ["source", "incidents", "first", "last", "last_import"]
    if cube.empty:
        return pd.DataFrame(columns=columns)
    counts = counting.tally(cube, cube["source"].astype(str).rename("source"), counter)
    when = pd.to_datetime(import_log.set_index("id")["imported_at"], utc=True)
    rows = []
    for source, n in counts.items():
        first = coverage.first_day_of(source)
        last = coverage.last_month_of(source)
        ids = spans.loc[spans["source"].astype(str) == source, "import_id"].astype(int)
        loaded = when.reindex([i for i in ids if i in when.index])
        rows.append((source, int(n), first, last, loaded.max() if len(loaded) else pd.NaT))
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["incidents", "source"], ascending=[False, True], ignore_index=True)
