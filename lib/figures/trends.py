"""Figures of the trends page ("Utveckling"): series over time, change tables by category
and by locality, unusual months on exact Poisson control charts, and time of day.

Pure functions on the day-sorted frames of ``lib.filters``; every number on the page is
computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from lib.config import Municipality
from lib.figures import changes, counting, stats
from lib.figures.coverage import Coverage, read_only
from lib.figures.filters import Filters, select

NIGHT_HOURS = (22, 6)  # 22:00-05:59, when the municipality's security guards mostly work


# --- Series over time -----------------------------------------------------------------------


def _bucket(days: pd.Series, freq: str) -> pd.Series:
    """Start of the month, or the Monday of the ISO week, for each day."""
    if freq == "M":
        return days.dt.to_period("M").dt.start_time
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def period_series(
    cube: pd.DataFrame,
    filters: Filters,
    freq: str = "M",
    coverage: Coverage | None = None,
    counter: counting.Counter = counting.exact,
) -> pd.DataFrame:
    """Counts per month ('M') or week ('W') in the period and in the same period a year
    earlier, the earlier one moved onto the current calendar (weeks by 52 weeks, so weekdays
    line up). Columns: start, series ('current'/'previous'), n, days (days of the bucket in
    the period), covered (of those, days fully covered by the selected sources), incomplete
    (a selected source covers the bucket only partly: counted, marked, never compared), year.
    A bucket neither covered nor partly covered has n = NaN: "ingen data", never zero."""
    starts, calendar = _calendar(filters, freq, coverage)
    frames = []
    for series, f, offset in _sides(filters, freq):
        rows = select(cube, f)
        counts = counting.tally(rows, _bucket(rows["day"], freq), counter)
        if offset is not None:
            counts.index = counts.index + offset
            counts = _snap(counts, starts, freq)
        n = counts.reindex(starts, fill_value=0).astype(float)
        days, covered, partly, year = calendar[series]
        frames.append(
            pd.DataFrame(
                {
                    "start": starts,
                    "series": series,
                    "n": n.where((covered > 0) | (partly > 0)).to_numpy(),
                    "days": days.copy(),  # the calendar is shared: the frame owns its own
                    "covered": covered.copy(),
                    "incomplete": partly > 0,
                    "year": year.copy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _sides(filters: Filters, freq: str):
    """(series, filters, offset onto the current calendar) of the two sides of a series."""
    shift = pd.DateOffset(years=1) if freq == "M" else pd.Timedelta(weeks=52)
    return (("current", filters, None), ("previous", filters.previous_year(), shift))


def _calendar(filters: Filters, freq: str, coverage: Coverage | None):
    """The buckets of a series (their starts) and, per side, each bucket's days in the
    period, days fully covered, days covered partly and year: the same for every locality
    and category, so a coverage works it out once per period, sources and ``freq``."""

    def make():
        current_days = pd.Series(pd.date_range(filters.start, filters.end, freq="D"))
        starts = _bucket(current_days, freq).drop_duplicates().reset_index(drop=True)
        calendar = {}
        for series, f, offset in _sides(filters, freq):
            span = pd.Series(pd.date_range(f.start, f.end, freq="D"))
            if coverage is None:
                covered_flags = np.ones(len(span), dtype=bool)
                partly_flags = np.zeros(len(span), dtype=bool)
            else:
                covered_flags, partly_flags = coverage.days_between(f.start, f.end, f.sources)
            buckets = _bucket(span, freq)
            days_in = span.groupby(buckets).size()
            covered = pd.Series(covered_flags, index=span.index).groupby(buckets).sum()
            partly = pd.Series(partly_flags, index=span.index).groupby(buckets).sum()
            if offset is not None:
                for values in (days_in, covered, partly):
                    values.index = values.index + offset
                days_in, covered = _snap(days_in, starts, freq), _snap(covered, starts, freq)
                partly = _snap(partly, starts, freq)
            year = (starts - (offset if offset is not None else pd.Timedelta(0))).dt.year
            calendar[series] = tuple(
                read_only(a.to_numpy())
                for a in (
                    days_in.reindex(starts, fill_value=0),
                    covered.reindex(starts, fill_value=0),
                    partly.reindex(starts, fill_value=0),
                    year,
                )
            )
        return starts, calendar

    if coverage is None:
        return make()
    key = ("period_series", filters.start, filters.end, tuple(filters.sources), freq)
    return coverage.remember(key, make)


def _snap(values: pd.Series, starts: pd.Series, freq: str) -> pd.Series:
    """Shifted bucket starts onto the current calendar's bucket starts."""
    if freq == "M":
        values.index = values.index.to_period("M").start_time
    else:
        values.index = values.index - pd.to_timedelta(values.index.day_of_week, unit="D")
    return values.groupby(level=0).sum()


def add_rates(series: pd.DataFrame, muni: Municipality, localities: tuple[str, ...]):
    """Per 1 000 inhabitants, each bucket with its own year's population. None when a
    selected locality has no population figure."""
    pops = {}
    for year in series["year"].unique():
        pop, missing = muni.population_of(localities, int(year))
        if missing:
            return None
        pops[int(year)] = pop
    return series.assign(rate=series["n"] / series["year"].map(pops) * changes.RATE_PER)


# --- Unusual months ---------------------------------------------------------------------------


# Years of the same calendar month that form a month's baseline, when covered by data.
CONTROL_YEARS = 3
# A month is called unusually high only when its expected count is at least this. The exact
# test keeps false flags at its nominal rate whatever the expected count, but below one
# incident a month a "high" month is a handful of incidents, and real incidents come in
# episodes (one series of break-ins, one night of vandalism) that a Poisson test counts as
# independent events: a council should not act on that. "Low" needs no such rule: the exact
# test cannot call a month low unless even zero incidents would be significant, which takes
# an expected count of about 6.6 or more (a baseline of 23 over three years).
MIN_EXPECTED_HIGH = 1.0

# Month status codes; labels are ``trends.month_<status>`` in the catalogue.
MONTH_TESTED, MONTH_TOO_FEW, MONTH_NO_BASELINE, MONTH_NO_DATA = (
    "tested",
    "too_few",
    "no_baseline",
    "no_data",
)

CHART_COLUMNS = [
    "category",
    "month",
    "n",
    "expected",
    "lower",
    "upper",
    "flag",
    "p_value",
    "status",
    "days",
    "baseline_n",
    "baseline_days",
    "baseline_years",
]


def control_chart(
    cube: pd.DataFrame,
    filters: Filters,
    coverage: Coverage | None = None,
    counter: counting.Counter = counting.exact,
    years: int = CONTROL_YEARS,
    categories: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Each category's count in each month of the period against the same calendar month of
    up to ``years`` earlier years (the same days of it when the period cuts the month).
    ``categories`` fixes the charted categories (a vocabulary: each gets its months, zero
    or not, and no other is charted); without it, every category with incidents.

    Only earlier months covered by the same selected sources as the month itself form its
    baseline (``coverage``; None means every day is covered); a month without data, or
    with coverage changing within it, is never flagged, and a month without any usable
    earlier year is reported as having no baseline. The test carries the baseline's own
    uncertainty: with equal daily rates the month's count X given X + B (B the baseline
    count over its days) is binomial, and the month is flagged 'high' or 'low' when the
    one-sided exact p-value is below ``stats.CONTROL_TAIL`` (0.135 %, the tail of a 3-sigma
    limit). Per category and year at most 12 × 2 × 0.135 % ≈ 3 % of flags are false, and
    a seasonal pattern is compared with itself. 'high' also needs ``MIN_EXPECTED_HIGH``.

    Columns: category, month (first day), n, expected (B scaled to the month's days), lower
    and upper (the in-control counts given B; NaN when not tested), flag ('high', 'low' or
    None), p_value (the smaller one-sided p), status (``MONTH_*``), days, baseline_n,
    baseline_days, baseline_years (tuple of the calendar years used)."""
    months = pd.period_range(filters.start, filters.end, freq="M")
    lags = range(years + 1)  # 0 = the period itself, k = the same days k years earlier
    shifted = [_shifted(filters, k) for k in lags]
    days = np.array(
        [[_days_inside(m - 12 * k, shifted[k]) for k in lags] for m in months], dtype=float
    ).reshape(len(months), years + 1)
    if categories is not None:
        cube = cube[cube["category"].astype(str).isin(categories)]
    found, table = _month_counts(cube, shifted, months, counter)
    if categories is None:
        categories = found
    else:  # every listed category, in order, zeros for those without incidents
        categories = sorted(categories)
        fixed = np.zeros((len(categories), *table.shape[1:]), dtype=table.dtype)
        for i, name in enumerate(found):
            fixed[categories.index(name)] = table[i]
        table = fixed
    usable = _usable(months, years, coverage, filters.sources)  # (month, k - 1)
    covered = _covered(months, coverage, filters.sources)

    shape = table.shape[:2]  # (category, month)
    n = table[:, :, 0]
    # The baseline is a cell of its own (all its records, one key), not the sum of the
    # earlier months' counts: summed, the expected line would give back a hidden month as
    # the baseline minus the other months as shown.
    base_n = _baseline_counts(cube, shifted, months, usable, categories, counter)
    cur_days = np.broadcast_to(days[:, 0], shape)
    base_days = np.broadcast_to((days[:, 1:] * usable).sum(axis=1), shape)
    has_base = np.broadcast_to(usable.any(axis=1), shape)
    safe_days = np.where(has_base, base_days, 1.0)
    expected = np.where(has_base, base_n * cur_days / safe_days, np.nan)
    p_high, p_low = stats.conditional_test(n, base_n, cur_days, safe_days)
    status = np.select(
        [~np.broadcast_to(covered, shape), ~has_base, expected < MIN_EXPECTED_HIGH],
        [MONTH_NO_DATA, MONTH_NO_BASELINE, MONTH_TOO_FEW],
        MONTH_TESTED,
    )
    tested = status == MONTH_TESTED
    flag = np.full(shape, None, dtype=object)
    flag[tested & (p_low < stats.CONTROL_TAIL)] = "low"
    flag[tested & (p_high < stats.CONTROL_TAIL)] = "high"
    lower, upper = np.full(shape, np.nan), np.full(shape, np.nan)
    if tested.any():
        lower[tested], upper[tested] = stats.conditional_limits(
            base_n[tested], cur_days[tested], base_days[tested]
        )
    years_of = [
        tuple(m.year - k for k in range(years, 0, -1) if usable[i, k - 1])
        for i, m in enumerate(months)
    ]
    month_of = np.tile(np.arange(len(months)), len(categories))
    return pd.DataFrame(
        {
            "category": np.repeat(np.array(categories, dtype=object), len(months)),
            "month": months.start_time[month_of],
            "n": n.ravel(),
            "expected": expected.ravel(),
            "lower": lower.ravel(),
            "upper": upper.ravel(),
            "flag": flag.ravel(),
            "p_value": np.minimum(p_high, p_low).ravel(),
            "status": status.ravel(),
            "days": cur_days.ravel().astype(np.int64),
            "baseline_n": base_n.ravel(),
            "baseline_days": base_days.ravel().astype(np.int64),
            "baseline_years": [years_of[i] for i in month_of],
        },
        columns=CHART_COLUMNS,
    )


def _month_counts(
    cube: pd.DataFrame, shifted: list[Filters], months: pd.PeriodIndex, counter
) -> tuple[list[str], np.ndarray]:
    """Categories and counts (category, month of the period, k) of the period's days k years
    earlier, through the counter: one published cell per category and (shifted) month."""
    first = months[0].ordinal if len(months) else 0
    counts = {}
    for k, f in enumerate(shifted):
        rows = select(cube, f)
        if rows.empty:
            continue
        day = rows["day"]
        # Months since 1970-01 (a monthly Period's ordinal), moved k years on, from the first.
        slot = (day.dt.year - 1970) * 12 + day.dt.month - 1 + 12 * k - first
        counts[k] = counting.tally(
            rows, [rows["category"].astype(str).rename("category"), slot.rename("slot")], counter
        )
    categories = sorted({c for series in counts.values() for c in series.index.unique(0)})
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(months), len(shifted)), dtype=np.int64)
    for k, series in counts.items():
        rows_at = [index[c] for c in series.index.get_level_values(0)]
        table[rows_at, series.index.get_level_values(1).to_numpy(np.int64), k] = series.to_numpy()
    return categories, table


def _baseline_counts(
    cube: pd.DataFrame,
    shifted: list[Filters],
    months: pd.PeriodIndex,
    usable: np.ndarray,
    categories: list[str],
    counter,
) -> np.ndarray:
    """(category, month) → the count of the usable earlier months together, through the
    counter as one cell."""
    first = months[0].ordinal if len(months) else 0
    parts = []
    for k in range(1, len(shifted)):
        rows = select(cube, shifted[k])
        if rows.empty:
            continue
        day = rows["day"]
        slot = ((day.dt.year - 1970) * 12 + day.dt.month - 1 + 12 * k - first).to_numpy()
        keep = usable[slot, k - 1]
        parts.append(rows[keep].assign(slot=slot[keep]))
    out = np.zeros((len(categories), len(months)), dtype=np.int64)
    if not parts:
        return out
    rows = pd.concat(parts, ignore_index=True)
    counts = counting.tally(
        rows, [rows["category"].astype(str).rename("category"), rows["slot"]], counter
    )
    index = {c: i for i, c in enumerate(categories)}
    at = [index[c] for c in counts.index.get_level_values(0)]
    out[at, counts.index.get_level_values(1).to_numpy(np.int64)] = counts.to_numpy()
    return out


def _shifted(filters: Filters, years: int) -> Filters:
    """The same selection ``years`` earlier (29 February becomes 28 February)."""
    shift = pd.DateOffset(years=years)
    return replace(
        filters,
        start=(pd.Timestamp(filters.start) - shift).date(),
        end=(pd.Timestamp(filters.end) - shift).date(),
    )


def _usable(months: pd.PeriodIndex, years: int, coverage, sources) -> np.ndarray:
    """(month, k - 1) → may the same month k years earlier be part of the baseline: covered
    by exactly the same selected sources as the month itself, and by at least one."""
    if coverage is None:
        return np.ones((len(months), years), dtype=bool)
    now = coverage.month_signature(months, sources)
    earlier = np.array(
        [coverage.month_signature(months - 12 * k, sources) for k in range(1, years + 1)]
    ).reshape(years, len(months))
    return (now[:, None] == earlier.T) & (now[:, None] > 0)


def _covered(months: pd.PeriodIndex, coverage, sources) -> np.ndarray:
    if coverage is None:
        return np.ones(len(months), dtype=bool)
    return coverage.month_signature(months, sources) > 0


def _days_inside(month: pd.Period, filters: Filters) -> int:
    first = max(month.start_time.date(), filters.start)
    last = min(month.end_time.date(), filters.end)
    return max((last - first).days + 1, 0)


def unusual_months(chart: pd.DataFrame) -> pd.DataFrame:
    """The flagged months, most surprising first (largest relative deviation)."""
    flagged = chart[chart["flag"].notna()].copy()
    flagged["ratio"] = (flagged["n"] + 0.5) / (flagged["expected"] + 0.5)
    flagged["surprise"] = np.abs(np.log(flagged["ratio"]))
    return flagged.sort_values("surprise", ascending=False, ignore_index=True)


# --- Time of day ------------------------------------------------------------------------------


def weekday_hour(
    timed: pd.DataFrame, filters: Filters, counter: counting.Counter = counting.exact
) -> np.ndarray:
    """7 × 24 counts (Monday first, hour 0-23) of incidents with a known time."""
    rows = select(timed, filters)
    cells = rows["weekday"].to_numpy(np.int64) * 24 + rows["hour"].to_numpy(np.int64)
    counts = counting.tally(rows.assign(cell=cells), "cell", counter)
    matrix = np.zeros(7 * 24, dtype=np.int64)
    matrix[counts.index.to_numpy(np.int64)] = counts.to_numpy()
    return matrix.reshape(7, 24)


def is_night(hours: np.ndarray) -> np.ndarray:
    start, end = NIGHT_HOURS
    return (hours >= start) | (hours < end)


@dataclass(frozen=True)
class NightShare:
    night: int
    timed: int  # incidents with a known time
    total: int  # all incidents in the selection, for the share with a known time
    low: float
    high: float
    previous_night: int
    previous_timed: int
    comparison: stats.Comparison  # night share now against a year earlier (Fisher)

    @property
    def day(self) -> int:
        return self.timed - self.night

    @property
    def share(self) -> float | None:
        return self.night / self.timed if self.timed else None

    @property
    def previous_share(self) -> float | None:
        return self.previous_night / self.previous_timed if self.previous_timed else None


def _night_and_timed(rows: pd.DataFrame, counter: counting.Counter) -> tuple[int, int]:
    night = rows[is_night(rows["hour"].to_numpy())]
    timed = counting.total(rows, counter)
    return min(counting.total(night, counter), timed), timed


def night_share(
    timed: pd.DataFrame,
    cube: pd.DataFrame,
    filters: Filters,
    counter: counting.Counter = counting.exact,
) -> NightShare:
    night, n = _night_and_timed(select(timed, filters), counter)
    previous_night, previous_n = _night_and_timed(select(timed, filters.previous_year()), counter)
    low, high = stats.proportion_ci(night, n)
    return NightShare(
        night,
        n,
        counting.total(select(cube, filters), counter),
        low,
        high,
        previous_night,
        previous_n,
        stats.compare_proportions(
            night, n, previous_night, previous_n, slack=counting.slack(counter)
        ),
    )


def night_share_by_month(
    timed: pd.DataFrame, filters: Filters, counter: counting.Counter = counting.exact
) -> pd.DataFrame:
    """Monthly night share with its exact interval, for the trend line. Columns: month,
    night, timed, share, low, high."""
    rows = select(timed, filters)
    month = rows["day"].dt.to_period("M").dt.start_time
    night_rows = rows[is_night(rows["hour"].to_numpy())]
    timed_n = counting.tally(rows, month, counter)
    night_n = counting.tally(night_rows, month.loc[night_rows.index], counter)
    agg = pd.DataFrame({"timed": timed_n, "night": night_n.reindex(timed_n.index, fill_value=0)})
    agg["night"] = np.minimum(agg["night"], agg["timed"])
    agg = agg.rename_axis("month").reset_index()
    intervals = [
        stats.proportion_ci(int(k), int(n)) for k, n in zip(agg["night"], agg["timed"], strict=True)
    ]
    agg["share"] = agg["night"] / agg["timed"].where(agg["timed"] > 0)
    agg["low"] = [low for low, _ in intervals]
    agg["high"] = [high for _, high in intervals]
    return agg[["month", "night", "timed", "share", "low", "high"]]
