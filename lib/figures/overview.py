"""Figures of the overview page: the selected period against the same period a year earlier.

Every number on the page is computed here, from the daily count cube.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from lib.config import Municipality
from lib.figures import stats, trends
from lib.figures.filters import Filters, select
from lib.i18n import fmt_int, fmt_month, fmt_pct, fmt_period, t
from lib.public.disclosure import count_text, is_suppressed

VERDICT_KEYS = {
    stats.INCREASE: "verdict.increase",
    stats.DECREASE: "verdict.decrease",
    stats.NO_CHANGE: "verdict.no_change",
}


@dataclass
class Overview:
    filters: Filters
    previous: Filters
    total: stats.Comparison
    rate: stats.Rate | None
    missing_population: list[str]
    categories: pd.DataFrame  # category, current, previous, p_value, verdict (all numeric)
    monthly: pd.DataFrame  # start (first day, current period's calendar), series, n
    summary: list[str] = field(default_factory=list)


def compute(cube: pd.DataFrame, filters: Filters, muni: Municipality) -> Overview:
    previous = filters.previous_year()
    cur, prev = select(cube, filters), select(cube, previous)
    total = stats.compare_counts(
        int(cur["n"].sum()), int(prev["n"].sum()), filters.days, previous.days
    )
    population, missing = muni.population_of(filters.localities, filters.midyear)
    rate = stats.rate(total.current, population) if population else None
    categories = trends.change_table(cube, filters, muni, "category")
    monthly = trends.period_series(cube, filters, "M")
    overview = Overview(
        filters=filters,
        previous=previous,
        total=total,
        rate=rate,
        missing_population=missing,
        categories=categories.rename(columns={"key": "category"}),
        monthly=monthly,
    )
    overview.summary = summary_sentences(overview, muni.privacy_threshold)
    return overview


# --- Words ---------------------------------------------------------------------------------


def verdict_text(verdict: str) -> str:
    return t(VERDICT_KEYS[verdict])


def summary_sentences(ov: Overview, threshold: int) -> list[str]:
    """Plain Swedish sentences, each true for the numbers shown (suppression respected)."""
    period = fmt_period(ov.filters.start, ov.filters.end)
    total = ov.total
    current = count_text(total.current, threshold)
    if is_suppressed(total.current, threshold) or is_suppressed(total.previous, threshold):
        # Small counts: no percentages, which would reveal them.
        return [
            t(
                "overview.summary_total_suppressed",
                period=period,
                current=current,
                previous=count_text(total.previous, threshold),
                verdict=verdict_text(total.verdict),
            )
        ]
    if total.previous == 0:
        sentences = [t("overview.summary_total_no_previous", period=period, current=current)]
    elif total.change == 0:
        sentences = [t("overview.summary_total_same", period=period, current=current)]
    else:
        word = t("overview.more") if total.change > 0 else t("overview.fewer")
        sentences = [
            t(
                "overview.summary_total",
                period=period,
                current=current,
                change=f"{fmt_pct(abs(total.change_fraction), 0)} {word}",
                previous=fmt_int(total.previous),
                verdict=verdict_text(total.verdict),
            )
        ]
    significant = ov.categories[ov.categories["verdict"] != stats.NO_CHANGE]
    significant = significant.sort_values("p_value").head(3)
    for row in significant.itertuples():
        key = (
            "overview.summary_category_up"
            if row.verdict == stats.INCREASE
            else "overview.summary_category_down"
        )
        sentences.append(
            t(
                key,
                category=row.category,
                previous=count_text(row.previous, threshold),
                current=count_text(row.current, threshold),
            )
        )
    if significant.empty and len(ov.categories) > 1:
        sentences.append(t("overview.summary_no_significant"))
    return sentences


def signed(number: int) -> str:
    """+108, −32 (a real minus sign), 0."""
    return "0" if number == 0 else f"{number:+,d}".replace(",", "\u00a0").replace("-", "\u2212")


def category_display(table: pd.DataFrame, threshold: int, top: int = 6) -> pd.DataFrame:
    """The top categories as the public sees them: Swedish headers, suppressed small counts."""
    rows = []
    for row in table.head(top).itertuples():
        hidden = is_suppressed(row.current, threshold) or is_suppressed(row.previous, threshold)
        change = "–" if hidden else signed(row.current - row.previous)
        rows.append(
            {
                t("col.category"): row.category,
                t("col.current"): count_text(row.current, threshold),
                t("col.previous"): count_text(row.previous, threshold),
                t("col.change"): change,
                t("col.verdict"): verdict_text(row.verdict),
            }
        )
    return pd.DataFrame(rows)


def month_label(month: dt.date) -> str:
    return fmt_month(month)


def source_freshness(incidents: pd.DataFrame, import_log: pd.DataFrame) -> pd.DataFrame:
    """Per source: incidents stored, first and last incident, and when it was last loaded."""
    if incidents.empty:
        return pd.DataFrame(columns=["source", "incidents", "first", "last", "last_import"])
    grouped = incidents.groupby("source", observed=True)
    table = pd.DataFrame(
        {
            "incidents": grouped.size(),
            "first": grouped["occurred_at"].min(),
            "last": grouped["occurred_at"].max(),
            "import_id": grouped["import_id"].max(),
        }
    ).reset_index()
    when = import_log.set_index("id")["imported_at"]
    table["last_import"] = pd.to_datetime(table["import_id"].map(when), utc=True)
    return table.drop(columns="import_id").sort_values("incidents", ascending=False)
