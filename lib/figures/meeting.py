"""The BRÅ meeting's material: one briefing per period, shared by the presentation view and
the PDF situation report ("lägesbild"), so both always show the same numbers.

Everything a viewer sees follows the public view's rules: counts below the privacy
threshold are suppressed, no place finer than a map cell, no descriptions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lib.config import Municipality
from lib.figures import hotspots, overview, promises
from lib.figures.filters import Filters, select
from lib.i18n import fmt_date, fmt_int, fmt_num, fmt_period, source_label, t
from lib.public.disclosure import count_text, is_suppressed

HOTSPOT_CELL = 250
HOTSPOT_ROWS = 5


@dataclass
class MeetingPeriod:
    start: dt.date
    end: dt.date
    since_meeting: dt.date | None  # the meeting the period starts at, if it does


def reference_day(data_end: dt.date | None, today: dt.date | None = None) -> dt.date:
    """'Today', but never after the last incident in the data: old data (the sample ends
    2019-09-30) still gets a meaningful default."""
    today = today or dt.date.today()
    return min(today, data_end) if data_end else today


def since_last_meeting(muni: Municipality, day: dt.date) -> MeetingPeriod:
    """From the last meeting before ``day`` to ``day``; without meetings, the 90 days up to
    ``day``."""
    earlier = [m for m in muni.meetings if m < day]
    if not earlier:
        return MeetingPeriod(day - dt.timedelta(days=89), day, None)
    return MeetingPeriod(earlier[-1], day, earlier[-1])


def meeting_choices(muni: Municipality, day: dt.date) -> list[MeetingPeriod]:
    """Every 'since the meeting of …' period up to ``day``, latest first."""
    return [MeetingPeriod(m, day, m) for m in reversed(muni.meetings) if m < day]


@dataclass
class Briefing:
    municipality: str
    filters: Filters
    period_text: str
    previous_text: str
    made_on: dt.date
    summary: list[str]
    total: str  # the count as shown (suppressed below the threshold)
    previous_total: str
    change: str  # "+12 %", or "–" when a count is suppressed
    verdict: str  # Swedish verdict of the Poisson test
    rate: str  # per 1 000 inhabitants, or "–"
    categories: pd.DataFrame  # public view: category, this period, previous, change, verdict
    monthly: pd.DataFrame  # start, series ("current"/"previous"), n
    hotspots: pd.DataFrame | None  # public view of the top places, or None with a reason
    hotspot_note: str
    promise_status: pd.DataFrame | None  # the follow-up table for the period's promises
    promise_heading: str
    sources: pd.DataFrame  # source, incidents in the period
    coverage_note: bool  # police open events included: say they are no crime statistics
    threshold: int
    sample: bool = False  # the store holds the fictional sample data: say so


def brief(
    cube: pd.DataFrame,
    points: pd.DataFrame,
    activities: pd.DataFrame,
    definitions: pd.DataFrame,
    filters: Filters,
    muni: Municipality,
    made_on: dt.date | None = None,
    sample: bool = False,
) -> Briefing:
    threshold = muni.privacy_threshold
    ov = overview.compute(cube, filters, muni)
    total = ov.total
    hidden = is_suppressed(total.current, threshold) or is_suppressed(total.previous, threshold)
    if hidden or total.change_fraction is None:
        change = "–"
    else:
        change = f"{total.change_fraction:+.0%}".replace("-", "\u2212").replace("%", "\u00a0%")
    rate = "–"
    if ov.rate is not None and ov.rate.shown:
        rate = fmt_num(ov.rate.value, 1)
    categories = overview.category_display(ov.categories, threshold, top=8)
    top, note = _hotspots(points, filters, muni)
    status, heading = _promise_status(definitions, activities, filters.end)
    in_period = select(cube, filters)
    by_source = in_period.groupby("source", observed=True)["n"].sum()
    by_source = by_source[by_source > 0].sort_values(ascending=False)
    sources = pd.DataFrame(
        {
            t("col.source"): [source_label(str(s)) for s in by_source.index],
            t("col.incidents"): [count_text(int(v), threshold) for v in by_source],
        }
    )
    included = filters.sources or tuple(map(str, by_source.index))
    return Briefing(
        municipality=muni.display_name,
        filters=filters,
        period_text=fmt_period(filters.start, filters.end),
        previous_text=fmt_period(ov.previous.start, ov.previous.end),
        made_on=made_on or dt.date.today(),
        summary=ov.summary,
        total=count_text(total.current, threshold),
        previous_total=count_text(total.previous, threshold),
        change=change,
        verdict=overview.verdict_text(total.verdict),
        rate=rate,
        categories=categories,
        monthly=ov.monthly,
        hotspots=top,
        hotspot_note=note,
        promise_status=status,
        promise_heading=heading,
        sources=sources,
        coverage_note="police_open_events" in included,
        threshold=threshold,
        sample=sample,
    )


def _hotspots(
    points: pd.DataFrame, filters: Filters, muni: Municipality
) -> tuple[pd.DataFrame | None, str]:
    """The top places as the map page's public table shows them (cells, not points), from
    the map's projected points (``hotspots.points_frame``)."""
    current = select(points, filters)
    previous = select(points, filters.previous_year())
    now = hotspots.grid_counts(current["x"], current["y"], HOTSPOT_CELL)
    before = hotspots.grid_counts(previous["x"], previous["y"], HOTSPOT_CELL)
    if now.empty:
        return None, t("meeting.hotspots_none")
    result = hotspots.hotspots(current, HOTSPOT_CELL, hotspots.study_region(muni, HOTSPOT_CELL))
    table = hotspots.top_places(now, before, result, HOTSPOT_CELL, muni, limit=HOTSPOT_ROWS)
    view = hotspots.top_places_view(table.head(HOTSPOT_ROWS), HOTSPOT_CELL, muni.privacy_threshold)
    note = (
        t("meeting.hotspots_note", cell=HOTSPOT_CELL)
        if result.enough
        else t("meeting.hotspots_too_few", n=fmt_int(result.incidents))
    )
    return view, note


def _promise_status(
    definitions: pd.DataFrame, activities: pd.DataFrame, day: dt.date
) -> tuple[pd.DataFrame | None, str]:
    """The follow-up table of the promise period that contains ``day`` (else the latest one
    that started before it), as of ``day``: the promise page's table for the same period
    and day (``promises.standing``), so both always show the same status."""
    if definitions.empty:
        return None, t("meeting.no_promise")
    periods = definitions.drop_duplicates("period_id")
    started = periods[periods["period_start"].dt.date <= day]
    if started.empty:
        return None, t("meeting.no_promise")
    running = started[started["period_end"].dt.date >= day]
    chosen = (running if not running.empty else started).iloc[-1]
    pid = chosen["period_id"]
    _, table = promises.standing(definitions, activities, pid, day)
    heading = t(
        "meeting.promise_heading",
        period=fmt_period(chosen["period_start"].date(), chosen["period_end"].date()),
        day=fmt_date(day),
    )
    return table, heading
