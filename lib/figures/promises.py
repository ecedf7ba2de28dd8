"""Citizen promises ("medborgarlöften"): definitions read from data files, progress and
status as of any date, the follow-up table, where activities happened, and the incident
outcome each promise is meant to move. Pure functions; no Streamlit."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from lib.config import Municipality
from lib.figures import changes, counting, stats
from lib.figures.coverage import Coverage
from lib.figures.filters import Filters

# Status codes; labels are ``promise.status_<code>`` in the catalogue.
FULFILLED, ON_PACE, BEHIND, NOT_STARTED, NOT_FULFILLED = (
    "fulfilled",
    "on_pace",
    "behind",
    "not_started",
    "not_fulfilled",
)


# --- Status ---------------------------------------------------------------------------------


def expected_by_pace(target: float, start: dt.date, end: dt.date, as_of: dt.date) -> float:
    """What a steady pace from the first to the last day would have reached by ``as_of``
    (inclusive)."""
    total = (end - start).days + 1
    elapsed = min(max((as_of - start).days + 1, 0), total)
    return target * elapsed / total


def required_by_pace(target: float, start: dt.date, end: dt.date, as_of: dt.date) -> float:
    """What must be done by ``as_of`` to be on pace: the steady pace, rounded down to whole
    units when the target is a whole number (four walks a year: the second walk is due on the
    day a steady pace reaches 2, not a day after it passes 1)."""
    expected = expected_by_pace(target, start, end, as_of)
    if float(target).is_integer():
        return float(math.floor(expected + 1e-9))  # 1e-9: 3 * 122 / 366 is 1, not 0.999…
    return expected


def status(done: float, target: float, start: dt.date, end: dt.date, as_of: dt.date) -> str:
    """The one status rule every page, the meeting view and the PDF show, in this order:

    1. the target is reached → fulfilled (whenever that is);
    2. the period is over – from its last day on, the day the slider ends at – and the target
       is missed → not fulfilled;
    3. the period has not begun, or nothing is done and a steady pace does not yet call for
       a first whole unit → not started;
    4. at least what a steady pace requires by then (whole units for whole-number targets)
       → on pace;
    5. otherwise behind: including nothing done once the first unit is due."""
    if done >= target:
        return FULFILLED
    if as_of >= end:
        return NOT_FULFILLED
    if as_of < start or (done <= 0 and expected_by_pace(target, start, end, as_of) < 1):
        return NOT_STARTED
    if done >= required_by_pace(target, start, end, as_of):
        return ON_PACE
    return BEHIND


def counted(
    definitions: pd.DataFrame, activities: pd.DataFrame, period_id: str, as_of: dt.date
) -> pd.DataFrame:
    """The activities that count for a period as of a day: of its indicators, dated within
    the period and on or before ``as_of``."""
    period = definitions[definitions["period_id"] == period_id]
    if period.empty:
        return activities.iloc[0:0]
    start, end = period["period_start"].iloc[0], period["period_end"].iloc[0]
    last = min(end, pd.Timestamp(as_of))
    chosen = period_activities(definitions, activities, period_id)
    return chosen[(chosen["date"] >= start) & (chosen["date"] <= last)]


def progress(
    definitions: pd.DataFrame, activities: pd.DataFrame, period_id: str, as_of: dt.date
) -> pd.DataFrame:
    """One row per indicator of the period: done (activities within the period up to and
    including ``as_of``), target, expected by a steady pace, required (what being on pace
    takes, see ``required_by_pace``) and status (``status``)."""
    rows = definitions[definitions["period_id"] == period_id].copy()
    done = counted(definitions, activities, period_id, as_of).groupby("indicator_id")["quantity"]
    rows["done"] = rows["indicator_id"].map(done.sum()).fillna(0.0)
    spans = [(r.target, r.period_start.date(), r.period_end.date()) for r in rows.itertuples()]
    rows["expected"] = [expected_by_pace(*span, as_of) for span in spans]
    rows["required"] = [required_by_pace(*span, as_of) for span in spans]
    rows["status"] = [status(d, *span, as_of) for d, span in zip(rows["done"], spans, strict=True)]
    return rows.sort_values("number", kind="stable").reset_index(drop=True)


def standing(
    definitions: pd.DataFrame, activities: pd.DataFrame, period_id: str, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A period's progress rows as of a day and the activities that count then: what the
    promise page, the meeting view and the PDF all show (the follow-up table is made from
    both by ``lib.public.views.follow_up``)."""
    acts = counted(definitions, activities, period_id, as_of)
    rows = progress(definitions, acts, period_id, as_of)
    return rows, acts


def period_activities(
    definitions: pd.DataFrame, activities: pd.DataFrame, period_id: str
) -> pd.DataFrame:
    ids = set(definitions.loc[definitions["period_id"] == period_id, "indicator_id"])
    return activities[activities["indicator_id"].isin(ids)].sort_values("date")


def where(activities: pd.DataFrame, muni: Municipality, indicators: list[str]) -> pd.DataFrame:
    """Activities of the given indicators per locality, every locality listed (zero = none)."""
    chosen = activities[activities["indicator_id"].isin(indicators)]
    table = chosen.pivot_table(
        index="locality", columns="indicator_id", values="quantity", aggfunc="sum", fill_value=0
    )
    return table.reindex(index=muni.locality_names, columns=indicators, fill_value=0)


# --- Outcome beside output --------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    filters: Filters
    change: changes.Change
    note: str


def outcome(
    cube: pd.DataFrame,
    promise: pd.Series,
    as_of: dt.date,
    muni: Municipality,
    coverage: Coverage | None = None,
    counter: counting.Counter = counting.exact,
) -> Outcome | None:
    """Incidents the promise is meant to move, from the period's start to ``as_of`` (at most
    its end), against the same dates a year earlier: the change of the overview and trends
    pages (rates per inhabitant, days covered in both periods)."""
    if not promise["outcome_categories"] and not promise["outcome_localities"]:
        return None
    start = promise["period_start"].date()
    end = min(promise["period_end"].date(), as_of)
    if end < start:
        return None
    f = Filters(
        start,
        end,
        localities=tuple(promise["outcome_localities"]),
        categories=tuple(promise["outcome_categories"]),
    )
    return Outcome(f, changes.change(cube, f, muni, coverage, counter), promise["outcome_note"])


def perceived_safety(surveys: pd.DataFrame) -> pd.DataFrame:
    """Survey results by question, place and year, with an exact 95 % interval for each share
    and a verdict against the same question's previous year (Fisher's exact test on the
    respondents, the shares read as per cent of them)."""
    columns = ["question", "locality", "year", "share", "low", "high", "respondents", "verdict"]
    if surveys.empty:
        return pd.DataFrame(columns=columns)
    data = surveys.copy()
    data["locality"] = data["locality"].fillna("")
    data["yes"] = (data["share"] / 100 * data["respondents"]).round().astype(int)
    data["respondents"] = data["respondents"].astype(int)
    data = data.sort_values(["question", "locality", "year"]).reset_index(drop=True)
    rows = []
    for _, group in data.groupby(["question", "locality"], sort=False):
        previous = None
        for r in group.itertuples():
            low, high = stats.proportion_ci(r.yes, r.respondents)
            verdict = None
            if previous is not None:
                verdict = stats.compare_proportions(
                    r.yes, r.respondents, previous.yes, previous.respondents
                ).verdict
            rows.append(
                (
                    r.question,
                    r.locality,
                    int(r.year),
                    r.share,
                    100 * low,
                    100 * high,
                    r.respondents,
                    verdict,
                )
            )
            previous = r
    return pd.DataFrame(rows, columns=columns)
