"""Citizen promises ("medborgarlöften"): progress and status of the stored definitions
(``lib.promises.definitions``) as of any date, where activities happened, and the incident
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
# No activity is recorded for the promise at all: nothing can be said of it (an empty log
# is no evidence that nothing was done), never "not fulfilled".
NOT_RECORDED = "not_recorded"
# Activities are recorded but no target is set: what was done, without a verdict.
NO_TARGET = "no_target"


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


def recorded(definitions: pd.DataFrame, activities: pd.DataFrame, period_id: str) -> set[str]:
    """The promises of a period with any activity recorded within the period (on any day:
    replaying a day before the first one is judged by the usual rules)."""
    period = definitions[definitions["period_id"] == period_id]
    if period.empty:
        return set()
    start, end = period["period_start"].iloc[0], period["period_end"].iloc[0]
    chosen = period_activities(definitions, activities, period_id)
    inside = chosen[(chosen["date"] >= start) & (chosen["date"] <= end)]
    owner = period.dropna(subset=["indicator_id"]).set_index("indicator_id")["promise_id"]
    return set(inside["indicator_id"].map(owner).dropna())


def progress(
    definitions: pd.DataFrame,
    activities: pd.DataFrame,
    period_id: str,
    as_of: dt.date,
    with_activities: set[str] | None = None,
) -> pd.DataFrame:
    """One row per indicator of the period: done (activities within the period up to and
    including ``as_of``), target, expected by a steady pace, required (what being on pace
    takes, see ``required_by_pace``) and status: ``status`` for a promise with activities
    recorded (``with_activities``, by default those in ``activities``) and a target;
    NO_TARGET without a target; NOT_RECORDED for a promise with nothing recorded, or an
    indicator-less one."""
    rows = definitions[definitions["period_id"] == period_id].copy()
    if with_activities is None:
        with_activities = recorded(definitions, activities, period_id)
    done = counted(definitions, activities, period_id, as_of).groupby("indicator_id")["quantity"]
    rows["done"] = rows["indicator_id"].map(done.sum()).fillna(0.0)
    spans = [(r.target, r.period_start.date(), r.period_end.date()) for r in rows.itertuples()]
    targeted = [not math.isnan(span[0]) for span in spans]
    rows["expected"] = [
        expected_by_pace(*s, as_of) if k else math.nan for s, k in zip(spans, targeted, strict=True)
    ]
    rows["required"] = [
        required_by_pace(*s, as_of) if k else math.nan for s, k in zip(spans, targeted, strict=True)
    ]
    rows["status"] = [
        NOT_RECORDED
        if r.promise_id not in with_activities or pd.isna(r.indicator_id)
        else (status(r.done, *span, as_of) if has_target else NO_TARGET)
        for r, span, has_target in zip(rows.itertuples(), spans, targeted, strict=True)
    ]
    return rows.sort_values("number", kind="stable").reset_index(drop=True)


def standing(
    definitions: pd.DataFrame, activities: pd.DataFrame, period_id: str, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A period's progress rows as of a day and the activities that count then: what the
    promise page, the meeting view and the PDF all show (the follow-up table is made from
    both by ``lib.public.views.follow_up``)."""
    acts = counted(definitions, activities, period_id, as_of)
    kept = recorded(definitions, activities, period_id)
    rows = progress(definitions, acts, period_id, as_of, kept)
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
