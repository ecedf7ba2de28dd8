"""Changes between two periods, done so that coverage and population cannot pass for a change.

* The comparison period has the chosen period's length: the same calendar days a year
  earlier. A period longer than a year would overlap its own comparison, so it is compared
  year by year: the headline compares its last twelve months with the twelve before.
* Only day pairs some selected source fully covers in both periods count, and on each pair only
  those sources (``lib.figures.coverage``): a source covering one of the periods only is left
  out and named; where no pair is left the verdict is "ingen data".
* Rates are per inhabitant with each period's own year's population, times the days compared;
  the change is the rate ratio with its exact 95 % interval (``stats.compare_rates``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.config import Municipality
from lib.figures import counting, stats
from lib.figures.coverage import Coverage, Matched, matched_days, per_value, rows_on
from lib.figures.filters import Filters, select

NO_DATA = "no_data"
OTHER = "__other__"  # the row of every category outside a fixed list (``change_table``)
YEAR = pd.DateOffset(years=1)
LONGEST_DIRECT = 366  # days; longer periods are compared year by year


@dataclass(frozen=True)
class Periods:
    chosen: Filters  # what the viewer picked
    current: Filters  # what is compared (the last twelve months of a long period)
    previous: Filters
    matched: Matched  # the day pairs compared, and the sources compared on each
    year_by_year: bool
    coverage: Coverage | None = None

    @property
    def current_days(self) -> pd.DatetimeIndex:
        return self.matched.current

    @property
    def previous_days(self) -> pd.DatetimeIndex:
        """The partners, each once (29 February's and 28 February's are the same day)."""
        return self.matched.previous.unique()

    @property
    def left_out(self) -> tuple[str, ...]:
        """Selected sources left out of the comparison on some or all days."""
        return self.matched.left_out

    @property
    def days_compared(self) -> int:
        return len(self.current_days)

    @property
    def months_compared(self) -> int:
        """Months of the compared period with a day compared (coverage is whole months)."""
        return len(set(self.current_days.to_period("M")))

    @property
    def months_in_period(self) -> int:
        return len(pd.period_range(self.current.start, self.current.end, freq="M"))

    @property
    def days_in_period(self) -> int:
        return self.current.days

    @property
    def partial(self) -> bool:
        return 0 < self.days_compared < self.days_in_period

    @property
    def no_data(self) -> bool:
        return self.days_compared == 0


def _shift(filters: Filters, start: dt.date, end: dt.date) -> Filters:
    return Filters(start, end, filters.localities, filters.categories, filters.sources)


def periods(filters: Filters, coverage: Coverage | None) -> Periods:
    current = filters
    # Longer than a year, or a year and a day without a leap day (1 June to 1 June), whose
    # comparison a year earlier would end on its own first day.
    long = filters.days > LONGEST_DIRECT or filters.previous_year().end >= filters.start
    if long:
        first = (pd.Timestamp(filters.end) - YEAR + pd.Timedelta(days=1)).date()
        current = _shift(filters, first, filters.end)
    previous = current.previous_year()
    matched = matched_days(coverage, current.start, current.end, YEAR, filters.sources)
    return Periods(filters, current, previous, matched, long, coverage)


def compared_rows(frame: pd.DataFrame, p: Periods, filters: Filters, side: str) -> pd.DataFrame:
    """The rows of a day-sorted frame that the comparison counts on one side ('current' or
    'previous'): on the matched days, of the sources compared on each."""
    days = p.matched.current if side == "current" else p.matched.previous
    if len(days) == 0:
        return frame.iloc[0:0]
    span = Filters(
        days.min().date(),
        days.max().date(),
        filters.localities,
        filters.categories,
        filters.sources,
    )
    return rows_on(select(frame, span), days, p.matched.sources, p.coverage)


def exposure(muni: Municipality, localities: tuple[str, ...], days: pd.DatetimeIndex) -> float:
    """Inhabitant-days: each day's own year's population (days alone when a selected
    locality has no population figure: the ratio of rates is then per day)."""
    if len(days) == 0:
        return 0.0
    total = 0.0
    for year, count in pd.Series(days.year).value_counts().items():
        population, _ = muni.population_of(localities, int(year))
        total += (population or 1) * int(count)
    return total


@dataclass(frozen=True)
class Change:
    periods: Periods
    comparison: stats.RateComparison | None  # None: no data to compare
    verdict: str  # stats.INCREASE, DECREASE, NO_CHANGE or NO_DATA
    current_total: int  # the whole chosen period (as the headline count shows it)


@dataclass(frozen=True)
class Rows:
    """The rows of a selection a comparison counts: on each side's matched days
    (``compared_rows``), and the whole chosen period."""

    current: pd.DataFrame
    previous: pd.DataFrame
    whole: pd.DataFrame


def rows_of(cube: pd.DataFrame, p: Periods, filters: Filters) -> Rows:
    """The selection's rows, cut once for the change and its tables (``change``,
    ``change_table``)."""
    return Rows(
        compared_rows(cube, p, filters, "current"),
        compared_rows(cube, p, filters, "previous"),
        select(cube, filters),
    )


def change(
    cube: pd.DataFrame,
    filters: Filters,
    muni: Municipality,
    coverage: Coverage | None = None,
    counter: counting.Counter = counting.exact,
    rows: Rows | None = None,
) -> Change:
    """The selection's change; ``rows``: its rows already cut (``rows_of``)."""
    p = periods(filters, coverage)
    rows = rows if rows is not None else rows_of(cube, p, filters)
    current_total = counting.total(rows.whole, counter)
    if p.no_data:
        return Change(p, None, NO_DATA, current_total)
    cur = counting.total(rows.current, counter)
    prev = counting.total(rows.previous, counter)
    comparison = stats.compare_rates(
        cur,
        prev,
        exposure(muni, filters.localities, p.current_days),
        exposure(muni, filters.localities, p.previous_days),
        slack=counting.slack(counter),
    )
    return Change(p, comparison, comparison.verdict, current_total)


def change_table(
    cube: pd.DataFrame,
    filters: Filters,
    muni: Municipality,
    by: str = "category",
    coverage: Coverage | None = None,
    counter: counting.Counter = counting.exact,
    keys: tuple[str, ...] | None = None,
    rows: Rows | None = None,
) -> pd.DataFrame:
    """One row per category or locality: counts compared in both periods, the rate ratio with
    its interval and verdict (Benjamini–Hochberg over the rows), and the rate per 1 000 in the
    chosen period with its exact interval and status. Columns: key, current, previous,
    ratio, low, high, p_value, verdict, total (the chosen period), rate, rate_low, rate_high,
    rate_status.

    ``keys`` fixes the rows (a vocabulary, not what the selection holds): every key gets a
    row, zero or not, and the rest are counted together as one row ``OTHER``; without it a
    row is every value with incidents (localities: every locality). ``rows``: the selection's
    rows already cut (``rows_of``)."""
    p = periods(filters, coverage)
    rows = rows if rows is not None else rows_of(cube, p, filters)

    def grouped(frame: pd.DataFrame) -> pd.DataFrame:
        if keys is None:
            return frame
        # Each value as text, or OTHER where it is none of the keys (a missing one too).
        named = {key: key for key in keys}
        return frame.assign(**{by: per_value(frame[by], named, OTHER)})

    cur = counting.tally(grouped(rows.current), by, counter)
    prev = counting.tally(grouped(rows.previous), by, counter)
    whole = counting.tally(grouped(rows.whole), by, counter)
    table = pd.concat(
        [cur.rename("current"), prev.rename("previous"), whole.rename("total")], axis=1
    )
    table = table.fillna(0).astype(int)
    if keys is not None:
        table = table.reindex([*keys, OTHER], fill_value=0)
    elif by == "locality" and not filters.localities:
        table = table.reindex(muni.locality_names, fill_value=0)  # a quiet place shows as 0
    table = table.rename_axis("key").reset_index()
    table["key"] = table["key"].astype(str)
    if p.no_data:
        tests = [None] * len(table)
    else:
        exposures: dict[tuple[str, ...], tuple[float, float]] = {}  # one per set of localities

        def exposed(key: str) -> tuple[float, float]:
            places = _localities(by, key, filters)
            if places not in exposures:
                exposures[places] = (
                    exposure(muni, places, p.current_days),
                    exposure(muni, places, p.previous_days),
                )
            return exposures[places]

        raw = [
            stats.compare_rates(c, v, *exposed(key), slack=counting.slack(counter))
            for key, c, v in zip(table["key"], table["current"], table["previous"], strict=True)
        ]
        tests = stats.adjust_rates(raw)
    table["ratio"] = [np.nan if c is None or c.ratio is None else c.ratio for c in tests]
    table["low"] = [np.nan if c is None else c.low for c in tests]
    table["high"] = [np.nan if c is None else c.high for c in tests]
    table["p_value"] = [np.nan if c is None else c.p_value for c in tests]
    table["verdict"] = [NO_DATA if c is None else c.verdict for c in tests]
    rates = [
        _rate_row(key, n, by, filters, muni)
        for key, n in zip(table["key"], table["total"], strict=True)
    ]
    for i, name in enumerate(("rate", "rate_low", "rate_high")):
        table[name] = pd.Series([r[i] for r in rates], index=table.index, dtype=float)
    table["rate_status"] = pd.Series([r[3] for r in rates], index=table.index, dtype=object)
    return table.sort_values(
        ["total", "current", "key"], ascending=[False, False, True], ignore_index=True
    )


def _localities(by: str, key: str, filters: Filters) -> tuple[str, ...]:
    return (key,) if by == "locality" else filters.localities


RATE_PER = 1000
# Rate status codes; labels are ``rate.<status>`` in the catalogue.
RATE_OK, RATE_UNRELIABLE, RATE_TOO_FEW, RATE_NO_POPULATION = (
    "ok",
    "unreliable",
    "too_few",
    "no_population",
)


def _rate_row(key: str, n: int, by: str, filters: Filters, muni: Municipality):
    population, _ = muni.population_of(_localities(by, key, filters), filters.midyear)
    if not population:
        return np.nan, np.nan, np.nan, RATE_NO_POPULATION
    r = stats.rate(int(n), population, RATE_PER)
    if not r.shown:
        return np.nan, np.nan, np.nan, RATE_TOO_FEW
    return r.value, r.low, r.high, RATE_OK if r.reliable else RATE_UNRELIABLE
