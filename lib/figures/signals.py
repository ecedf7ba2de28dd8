"""The numbers of the EST weekly situation picture (veckolägesbild) and the tertial ranking,
from the municipality's own signal reports (``lib.est``), merged reports already
left out by the caller.

* The week is an ISO week, Monday to Sunday, in local time. It is set against the
  ``previous`` weeks before it: their total and their mean per week.
* A place has *repeated signals* when it has at least ``REPEAT_MIN`` reports in the window
  of the week and the weeks before it.
* The tertial ranking (January–April, May–August, September–December) orders places by
  need: the *score* is the sum of the reports' severity weights (1, 2 and 3 for severity
  1, 2 and 3: one serious signal weighs as three minor ones); ties by the number of
  reports, then by the number of serious ones, then by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

PREVIOUS_WEEKS = 4
REPEAT_MIN = 3
SEVERITY_WEIGHT = {1: 1, 2: 2, 3: 3}


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def tertial_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s tertial."""
    first_month = 1 + 4 * ((day.month - 1) // 4)
    start = dt.date(day.year, first_month, 1)
    end = dt.date(day.year + 1, 1, 1) if first_month == 9 else dt.date(day.year, first_month + 4, 1)
    return start, end - dt.timedelta(days=1)


def _between(frame: pd.DataFrame, start: dt.date, end_exclusive: dt.date) -> pd.DataFrame:
    when = frame["occurred_at"]
    return frame[(when >= pd.Timestamp(start)) & (when < pd.Timestamp(end_exclusive))]


@dataclass(frozen=True)
class WeeklyPicture:
    week: dt.date  # its Monday
    previous: int  # weeks compared against
    total: int
    previous_total: int
    by_place_category: pd.DataFrame  # place, category, week, previous, previous_mean, change
    by_place: pd.DataFrame
    by_category: pd.DataFrame
    repeated: pd.DataFrame  # place, reports, weeks, serious, categories (list)

    @property
    def previous_mean(self) -> float:
        return self.previous_total / self.previous if self.previous else 0.0


def _compare(this: pd.DataFrame, before: pd.DataFrame, keys: list[str], weeks: int):
    now = this.groupby(keys).size().rename("week")
    then = before.groupby(keys).size().rename("previous")
    table = pd.concat([now, then], axis=1).fillna(0).astype(int).reset_index()
    if table.empty:
        return pd.DataFrame(columns=[*keys, "week", "previous", "previous_mean", "change"])
    table["previous_mean"] = table["previous"] / weeks
    table["change"] = table["week"] - table["previous_mean"]
    order = ["week", "previous", *keys]
    return table.sort_values(order, ascending=[False, False, *[True] * len(keys)]).reset_index(
        drop=True
    )


def weekly_picture(
    frame: pd.DataFrame, week: dt.date, previous: int = PREVIOUS_WEEKS, repeat_min=REPEAT_MIN
) -> WeeklyPicture:
    """The week starting ``week`` (a Monday) against the ``previous`` weeks before it."""
    week = week_start(week)
    end = week + dt.timedelta(days=7)
    first = week - dt.timedelta(days=7 * previous)
    this = _between(frame, week, end)
    before = _between(frame, first, week)
    window = _between(frame, first, end)
    return WeeklyPicture(
        week=week,
        previous=previous,
        total=len(this),
        previous_total=len(before),
        by_place_category=_compare(this, before, ["place", "category"], previous),
        by_place=_compare(this, before, ["place"], previous),
        by_category=_compare(this, before, ["category"], previous),
        repeated=repeated_places(window, repeat_min),
    )


def repeated_places(window: pd.DataFrame, minimum: int = REPEAT_MIN) -> pd.DataFrame:
    """Places with at least ``minimum`` reports in the window: how many, in how many
    different weeks, how many serious (severity 3), and their categories (most frequent
    first)."""
    columns = ["place", "reports", "weeks", "serious", "categories"]
    if window.empty:
        return pd.DataFrame(columns=columns)
    weeks = window["occurred_at"].dt.to_period("W-SUN")
    rows = []
    for place, group in window.groupby("place"):
        if len(group) < minimum:
            continue
        rows.append(
            {
                "place": place,
                "reports": len(group),
                "weeks": weeks[group.index].nunique(),
                "serious": int((group["severity"] == 3).sum()),
                "categories": list(group["category"].value_counts().index),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["reports", "place"], ascending=[False, True]).reset_index(drop=True)


def tertial_ranking(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Places ranked by need over [start, end]: rank, place, reports, serious, score."""
    columns = ["rank", "place", "reports", "serious", "score"]
    chosen = _between(frame, start, end + dt.timedelta(days=1))
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    weights = chosen["severity"].map(SEVERITY_WEIGHT).fillna(1)
    table = (
        pd.DataFrame(
            {
                "place": chosen["place"],
                "reports": 1,
                "serious": (chosen["severity"] == 3).astype(int),
                "score": weights.astype(int),
            }
        )
        .groupby("place", as_index=False)
        .sum()
        .sort_values(
            ["score", "reports", "serious", "place"], ascending=[False, False, False, True]
        )
        .reset_index(drop=True)
    )
    table.insert(0, "rank", range(1, len(table) + 1))
    return table[columns]
