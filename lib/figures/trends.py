"""Figures of the trends page ("Utveckling"): series over time, change tables by category
and by locality, unusual months on exact Poisson control charts, and time of day.

Pure functions on the day-sorted frames of ``lib.filters``; every number on the page is
computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.config import Municipality
from lib.figures import stats
from lib.figures.filters import Filters, select
from lib.i18n import fmt_month, fmt_num, fmt_pct, t
from lib.public.disclosure import count_text

NIGHT_HOURS = (22, 6)  # 22:00-05:59, when the municipality's security guards mostly work
RATE_PER = 1000

# Rate status codes; labels are ``rate.<status>`` in the catalogue.
RATE_OK, RATE_UNRELIABLE, RATE_TOO_FEW, RATE_NO_POPULATION = (
    "ok",
    "unreliable",
    "too_few",
    "no_population",
)


# --- Series over time -----------------------------------------------------------------------


def _bucket(days: pd.Series, freq: str) -> pd.Series:
    """Start of the month, or the Monday of the ISO week, for each day."""
    if freq == "M":
        return days.dt.to_period("M").dt.start_time
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def period_series(cube: pd.DataFrame, filters: Filters, freq: str = "M") -> pd.DataFrame:
    """Counts per month ('M') or week ('W') in the period and in the same period a year
    earlier, the earlier one moved onto the current calendar (weeks by 52 weeks, so weekdays
    line up). Columns: start, series ('current'/'previous'), n, days, year."""
    previous = filters.previous_year()
    shift = pd.DateOffset(years=1) if freq == "M" else pd.Timedelta(weeks=52)
    current_days = pd.Series(pd.date_range(filters.start, filters.end, freq="D"))
    starts = _bucket(current_days, freq).drop_duplicates().reset_index(drop=True)
    frames = []
    for series, f, offset in (("current", filters, None), ("previous", previous, shift)):
        rows = select(cube, f)
        counts = rows.groupby(_bucket(rows["day"], freq))["n"].sum()
        span = pd.Series(pd.date_range(f.start, f.end, freq="D"))
        days_in = span.groupby(_bucket(span, freq)).size()
        if offset is not None:
            counts.index = counts.index + offset
            days_in.index = days_in.index + offset
            counts, days_in = _snap(counts, starts, freq), _snap(days_in, starts, freq)
        frames.append(
            pd.DataFrame(
                {
                    "start": starts,
                    "series": series,
                    "n": counts.reindex(starts, fill_value=0).to_numpy(),
                    "days": days_in.reindex(starts, fill_value=0).to_numpy(),
                    "year": (starts - (offset if offset is not None else pd.Timedelta(0))).dt.year,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


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
    return series.assign(rate=series["n"] / series["year"].map(pops) * RATE_PER)


# --- Change tables ----------------------------------------------------------------------------


def change_table(
    cube: pd.DataFrame, filters: Filters, muni: Municipality, by: str = "category"
) -> pd.DataFrame:
    """One row per category or locality: counts in both periods, change, rate per 1 000 with
    its exact interval and status, and the verdict (Benjamini–Hochberg over the rows)."""
    previous = filters.previous_year()
    cur = select(cube, filters).groupby(by, observed=True)["n"].sum()
    prev = select(cube, previous).groupby(by, observed=True)["n"].sum()
    table = pd.concat([cur.rename("current"), prev.rename("previous")], axis=1)
    table = table.fillna(0).astype(int)
    if by == "locality" and not filters.localities:
        table = table.reindex(muni.locality_names, fill_value=0)  # a quiet place shows as 0
    table = table.rename_axis("key").reset_index()
    tests = stats.adjust_for_many(
        [
            stats.compare_counts(c, p, filters.days, previous.days)
            for c, p in zip(table["current"], table["previous"], strict=True)
        ]
    )
    table["change"] = table["current"] - table["previous"]
    table["change_pct"] = np.where(
        table["previous"] > 0,
        table["change"] / table["previous"].where(table["previous"] > 0),
        np.nan,
    )
    table["p_value"] = [c.p_value for c in tests]
    table["verdict"] = [c.verdict for c in tests]
    rates = [_rate_row(row, by, filters, muni) for row in table.itertuples()]
    columns = list(zip(*rates, strict=True)) if rates else [[], [], [], []]
    for name, values in zip(("rate", "rate_low", "rate_high", "rate_status"), columns, strict=True):
        table[name] = pd.Series(
            values, index=table.index, dtype=object if name == "rate_status" else float
        )
    return table.sort_values(
        ["current", "previous", "key"], ascending=[False, False, True], ignore_index=True
    )


def _rate_row(row, by: str, filters: Filters, muni: Municipality):
    localities = (row.key,) if by == "locality" else filters.localities
    population, _ = muni.population_of(localities, filters.midyear)
    if not population:
        return np.nan, np.nan, np.nan, RATE_NO_POPULATION
    r = stats.rate(int(row.current), population, RATE_PER)
    if not r.shown:
        return np.nan, np.nan, np.nan, RATE_TOO_FEW
    return r.value, r.low, r.high, RATE_OK if r.reliable else RATE_UNRELIABLE


# --- Unusual months ---------------------------------------------------------------------------


def control_chart(cube: pd.DataFrame, filters: Filters, baseline: Filters | None = None):
    """Monthly counts per category in the period against exact Poisson limits from a
    baseline (the previous year by default), the expected count scaled by the days of each
    month inside the period. Columns: category, month, n, expected, lower, upper, flag."""
    baseline = baseline or filters.previous_year()
    base = select(cube, baseline).groupby("category", observed=True)["n"].sum()
    per_day = base / baseline.days
    rows = select(cube, filters)
    months = pd.period_range(filters.start, filters.end, freq="M")
    days_in = pd.Series([_days_inside(m, filters) for m in months], index=months)
    counts = rows.groupby([rows["category"].astype(str), rows["day"].dt.to_period("M")])["n"].sum()
    categories = sorted(set(map(str, per_day.index)) | set(counts.index.get_level_values(0)))
    records = []
    for category in categories:
        rate = float(per_day.get(category, 0.0))
        for month in months:
            expected = rate * days_in[month]
            n = int(counts.get((category, month), 0))
            lower, upper = stats.control_limits(expected)
            records.append(
                (category, month.start_time, n, expected, lower, upper, stats.unusual(n, expected))
            )
    return pd.DataFrame(
        records, columns=["category", "month", "n", "expected", "lower", "upper", "flag"]
    )


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


def weekday_hour(timed: pd.DataFrame, filters: Filters) -> np.ndarray:
    """7 × 24 counts (Monday first, hour 0-23) of incidents with a known time."""
    rows = select(timed, filters)
    cells = rows["weekday"].to_numpy(np.int64) * 24 + rows["hour"].to_numpy(np.int64)
    return np.bincount(cells, minlength=7 * 24).reshape(7, 24)


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
    def share(self) -> float | None:
        return self.night / self.timed if self.timed else None

    @property
    def previous_share(self) -> float | None:
        return self.previous_night / self.previous_timed if self.previous_timed else None


def night_share(timed: pd.DataFrame, cube: pd.DataFrame, filters: Filters) -> NightShare:
    cur = select(timed, filters)
    prev = select(timed, filters.previous_year())
    night = int(is_night(cur["hour"].to_numpy()).sum())
    previous_night = int(is_night(prev["hour"].to_numpy()).sum())
    low, high = stats.proportion_ci(night, len(cur))
    return NightShare(
        night,
        len(cur),
        int(select(cube, filters)["n"].sum()),
        low,
        high,
        previous_night,
        len(prev),
        stats.compare_proportions(night, len(cur), previous_night, len(prev)),
    )


def night_share_by_month(timed: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Monthly night share with its exact interval, for the trend line."""
    rows = select(timed, filters)
    month = rows["day"].dt.to_period("M").dt.start_time
    grouped = pd.DataFrame({"month": month, "night": is_night(rows["hour"].to_numpy())})
    agg = grouped.groupby("month")["night"].agg(["sum", "count"]).reset_index()
    intervals = [
        stats.proportion_ci(int(k), int(n)) for k, n in zip(agg["sum"], agg["count"], strict=True)
    ]
    agg["share"] = agg["sum"] / agg["count"]
    agg["low"] = [low for low, _ in intervals]
    agg["high"] = [high for _, high in intervals]
    return agg.rename(columns={"sum": "night", "count": "timed"})


# --- What the public sees ---------------------------------------------------------------------


def change_view(table: pd.DataFrame, by: str, threshold: int) -> pd.DataFrame:
    """The change table with Swedish headers for the screen: numbers stay numbers (so the
    columns sort), and every count below the threshold, with what would reveal it, is
    removed (NaN, shown as "färre än …")."""
    hidden_cur = table["current"].between(1, threshold - 1)
    hidden_prev = table["previous"].between(1, threshold - 1)
    hidden_change = hidden_cur | hidden_prev
    interval = [
        "" if np.isnan(lo) else f"{fmt_num(lo, 1)}–{fmt_num(hi, 1)}"
        for lo, hi in zip(table["rate_low"], table["rate_high"], strict=True)
    ]
    return pd.DataFrame(
        {
            t(f"col.{by}"): table["key"].astype(str),
            t("col.current"): table["current"].mask(hidden_cur),
            t("col.previous"): table["previous"].mask(hidden_prev),
            t("col.change"): table["change"].mask(hidden_change),
            t("col.change_pct"): (table["change_pct"] * 100).mask(hidden_change),
            t("col.verdict"): table["verdict"].map(lambda v: t(f"verdict.{v}")),
            t("col.rate"): table["rate"],
            t("col.rate_ci"): interval,
            t("col.rate_status"): table["rate_status"].map(lambda s: t(f"rate.{s}")),
            t("col.p_value"): table["p_value"],
        }
    )


def change_download(table: pd.DataFrame, by: str, threshold: int) -> pd.DataFrame:
    """The same table for CSV/Excel: suppressed counts written as "färre än …", and the
    interval as two numeric columns."""
    view = change_view(table, by, threshold).drop(columns=t("col.rate_ci"))
    suppressed = t("suppressed", threshold=threshold)
    for column in (t("col.current"), t("col.previous")):
        view[column] = view[column].astype(object).where(view[column].notna(), suppressed)
    view.insert(7, t("col.rate_low"), table["rate_low"].round(2))
    view.insert(8, t("col.rate_high"), table["rate_high"].round(2))
    view[t("col.rate")] = view[t("col.rate")].round(2)
    view[t("col.change_pct")] = view[t("col.change_pct")].round(1)
    view[t("col.p_value")] = view[t("col.p_value")].round(4)
    return view


def p_text(p: float) -> str:
    return "< 0,001" if p < 0.001 else fmt_num(p, 3)


def summary(
    base: list[str],
    localities: pd.DataFrame,
    unusual: pd.DataFrame,
    night: NightShare,
    threshold: int,
) -> list[str]:
    """The overview's sentences plus localities, unusual months and night share; each
    sentence true for the numbers on the page, small counts never cited."""
    sentences = list(base)
    for row in localities[localities["verdict"] != stats.NO_CHANGE].itertuples():
        key = (
            "trends.summary_locality_up"
            if row.verdict == stats.INCREASE
            else ("trends.summary_locality_down")
        )
        sentences.append(
            t(
                key,
                locality=row.key,
                previous=count_text(row.previous, threshold),
                current=count_text(row.current, threshold),
            )
        )
    if unusual.empty:
        sentences.append(t("trends.summary_no_unusual"))
    else:
        first = unusual.iloc[0]
        sentences.append(
            t(
                "trends.summary_unusual",
                count=len(unusual),
                category=first["category"],
                month=fmt_month(first["month"]),
                n=count_text(int(first["n"]), threshold),
                expected=fmt_num(first["expected"], 0),
            )
        )
    if night.share is not None and night.timed >= threshold:
        previous = fmt_pct(night.previous_share, 0) if night.previous_share is not None else "–"
        sentences.append(
            t(
                "trends.summary_night",
                share=fmt_pct(night.share, 0),
                previous=previous,
                verdict=t(f"verdict.{night.comparison.verdict}"),
            )
        )
    return sentences


def unusual_view(flagged: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The flagged months as the public sees them (suppressed counts as text)."""
    return pd.DataFrame(
        {
            t("col.category"): flagged["category"],
            t("trends.col_month"): flagged["month"].map(fmt_month),
            t("trends.col_observed"): flagged["n"].map(lambda n: count_text(int(n), threshold)),
            t("trends.col_expected"): flagged["expected"].map(lambda e: fmt_num(e, 1)),
            t("trends.col_limits"): [
                f"{lo}–{hi}" for lo, hi in zip(flagged["lower"], flagged["upper"], strict=True)
            ],
            t("trends.col_direction"): flagged["flag"].map(lambda d: t(f"trends.flag_{d}")),
        }
    )
