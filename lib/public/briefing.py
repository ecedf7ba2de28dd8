"""The BRÅ meeting's material: one briefing per period, shared by the presentation view and
the PDF situation report ("lägesbild"), so both always show the same numbers.

It is made from the overview's public view with the viewer's disclosure rules; the PDF is
always made with the public rules (minutes are public documents), whoever asks for it.
No place finer than a map cell, no descriptions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lib.config import Municipality
from lib.figures import counting, promises
from lib.figures.filters import Filters, select
from lib.i18n import fmt_date, fmt_num, fmt_period, fmt_signed_pct, source_label, t
from lib.public import views
from lib.public.disclosure import Disclosure

HOTSPOT_CELL = 250
HOTSPOT_ROWS = 5


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
    data: views.Data,
    points: pd.DataFrame,
    activities: pd.DataFrame,
    definitions: pd.DataFrame,
    filters: Filters,
    d: Disclosure,
    made_on: dt.date | None = None,
    sample: bool = False,
) -> Briefing:
    muni = data.muni
    view = views.overview_view(data, filters, d)
    ov = view.extra["overview"]
    c, code = ov.change.comparison, view.extra["headline"]
    shown = code in ("increase", "decrease", "no_change") and c.ratio is not None
    change = fmt_signed_pct(c.ratio - 1, 0) if shown else "–"
    rate = view.extra["rate"]
    top, note = _hotspots(data, points, filters, muni, d)
    status, heading = _promise_status(definitions, activities, filters.end)
    by_source = counting.tally(select(data.cube, filters), "source", d.counter)
    by_source = by_source[by_source > 0].sort_values(ascending=False)
    sources = pd.DataFrame(
        {
            t("col.source"): [source_label(str(s)) for s in by_source.index],
            t("col.incidents"): [d.text(int(v)) for v in by_source],
        }
    )
    included = filters.sources or tuple(map(str, by_source.index))
    previous = ov.change.periods.previous
    categories = view.tables["kategorier"].head(8)
    return Briefing(
        municipality=muni.display_name,
        filters=filters,
        period_text=fmt_period(filters.start, filters.end),
        previous_text=fmt_period(previous.start, previous.end),
        made_on=made_on or dt.date.today(),
        summary=view.sentences + view.notes,
        total=d.text(ov.total),
        previous_total="–" if c is None else d.text(c.previous),
        change=change,
        verdict=views.verdict_word(code),
        rate="–" if rate is None or not rate.shown else fmt_num(rate.value, 1),
        categories=categories,
        monthly=view.extra["monthly"],
        hotspots=top,
        hotspot_note=note,
        promise_status=status,
        promise_heading=heading,
        sources=sources,
        coverage_note="police_open_events" in included,
        threshold=d.threshold,
        sample=sample,
    )


def _hotspots(
    data: views.Data, points: pd.DataFrame, filters: Filters, muni: Municipality, d: Disclosure
) -> tuple[pd.DataFrame | None, str]:
    """The top places as the map page's table shows them (cells, not points)."""
    fig = views.map_view(
        points, data.cube, filters, HOTSPOT_CELL, muni, d, data.coverage, data.off_map
    )
    if fig["top"].empty:
        if len(fig["localities"]):  # a feed without places: where it happens, per locality
            return fig["localities"].head(HOTSPOT_ROWS), t("meeting.hotspots_by_locality")
        return None, t("meeting.hotspots_none")
    note = (
        t("meeting.hotspots_note", cell=HOTSPOT_CELL)
        if fig["result"].enough
        else t("meeting.hotspots_too_few", n=d.text(fig["result"].incidents))
    )
    return fig["top_view"].head(HOTSPOT_ROWS), note


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
    # A promise that has ended is shown as it ended, and says so: its status "as of" a day
    # years later would read as a promise still running.
    end = chosen["period_end"].date()
    as_of = min(day, end)
    rows, counted = promises.standing(definitions, activities, pid, as_of)
    table = views.follow_up(rows, counted)
    key = "meeting.promise_heading" if running.size else "meeting.promise_heading_ended"
    period = fmt_period(chosen["period_start"].date(), end)
    return table, t(key, period=period, day=fmt_date(as_of))
