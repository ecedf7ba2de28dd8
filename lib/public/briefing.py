"""The BRÅ meeting's material: one briefing per period, shared by the presentation view and
the PDF situation report ("lägesbild"), so both always show the same numbers.

It is made from the overview's public view with the viewer's disclosure rules; the PDF is
always made with the public rules (minutes are public documents), whoever asks for it.
No place finer than a map cell, no descriptions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from lib.config import Municipality
from lib.figures import baselines, counting, promises, stats
from lib.figures.filters import Filters, select
from lib.i18n import fmt_date, fmt_num, fmt_period, fmt_signed_pct, source_label, t
from lib.public import maps, views
from lib.public.disclosure import Disclosure, perturb

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
    # Changes too uncertain to size in the text ("Stöld: ingen säkerställd förändring
    # (skillnad +33 %, … −99 % till +727 500 %)"): their intervals, for the details.
    details: list[str] = field(default_factory=list)
    # The methods behind the numbers shown (codes of METHODS, in order): the report's method
    # note says exactly these, so it cannot name a test the pages do not use.
    methods: tuple[str, ...] = ()
    # Why the category table is empty: no data for the period, too small a selection to
    # break down (the detail rule), or no incident; None when it has rows.
    categories_note: str | None = None


# What each method code says in the method note (``method_notes``), in the note's order;
# "hotspots" is named by the baseline the places' hot and cold were tested against.
METHODS = ("change", "fdr", "uncertain", "rate", "hotspots", "noise", "threshold")


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
    uncertain = shown and views.too_uncertain(c.high, min(c.current, c.previous))
    if uncertain:
        change = t("change.metric_wide")
    else:
        change = fmt_signed_pct(c.ratio - 1, 0) if shown else "–"
    rate = view.extra["rate"]
    top, note, baseline = _hotspots(data, points, filters, muni, d)
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
    empty = view.extra["without_data"]
    details = _details(c if uncertain else None, categories, ov.categories)
    rate_shown = rate is not None and rate.shown
    called = _verdicts_shown(categories)
    methods = {
        "change": shown or called > 0,
        "fdr": called > 1,
        "uncertain": bool(details),
        "rate": rate_shown,
        "hotspots": baseline is not None,
        "noise": not d.exact,
        "threshold": not d.exact,
    }
    return Briefing(
        municipality=muni.display_name,
        filters=filters,
        period_text=fmt_period(filters.start, filters.end),
        previous_text=fmt_period(previous.start, previous.end),
        made_on=made_on or dt.date.today(),
        summary=view.sentences + view.notes,
        total="–" if empty else d.text(ov.total),
        previous_total="–" if c is None else d.text(c.previous),
        change=change,
        verdict=views.verdict_word(code),
        rate=fmt_num(rate.value, 1) if rate_shown else "–",
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
        details=details,
        methods=tuple(
            f"hotspots_{baseline}" if m == "hotspots" else m for m in METHODS if methods[m]
        ),
        categories_note=_categories_note(view, d) if categories.empty else None,
    )


def _categories_note(view: views.View, d: Disclosure) -> str:
    """Why a category table has no rows, in the words the overview uses."""
    if view.extra["without_data"]:
        return view.sentences[0]
    if view.extra["detail"] is not None:
        return views.detail_note(view.extra["detail"], d)
    return t("meeting.no_incidents")


def _verdicts_shown(categories: pd.DataFrame) -> int:
    """How many rows of the category table carry a verdict of the test (not "för få
    händelser", "dold" or "ingen data")."""
    column = t("col.verdict")
    if column not in categories:
        return 0
    tested = {views.verdict_word(v) for v in (stats.INCREASE, stats.DECREASE, stats.NO_CHANGE)}
    return int(categories[column].isin(tested).sum())


def _details(
    headline: stats.RateComparison | None, categories: pd.DataFrame, raw: pd.DataFrame
) -> list[str]:
    """The intervals of the changes shown as too uncertain to size: the headline's, and
    each category row's whose cell says so (only rows whose change the table shows, so no
    hidden count comes back through its interval)."""
    out = []
    if headline is not None:
        words = views.interval_words(headline)
        out.append(t("change.details_row", subject=t("meeting.fig_total"), change=words))
    column = t("col.change_ci")
    if column not in categories or raw is None or raw.empty:
        return out
    wide = set(categories.loc[categories[column] == t("change.short_wide"), categories.columns[0]])
    for r in raw.itertuples():
        name = views.row_label(str(r.key))
        if name not in wide:
            continue
        comparison = stats.RateComparison(
            r.current, r.previous, 1, 1, r.ratio, r.low, r.high, r.p_value, r.verdict
        )
        words = views.interval_words(comparison)
        out.append(t("change.details_row", subject=name, change=words))
    return out


def method_notes(b: Briefing) -> list[str]:
    """The method note, one sentence per method the briefing used (``Briefing.methods``)."""
    values = {
        "threshold": b.threshold,
        "few": views.FEW_EVENTS,
        "cell": HOTSPOT_CELL,
        "hot_few": maps.FEW_EVENTS,
        "slack": perturb.slack,
        "level": fmt_num(100 * (1 - stats.ALPHA), 0),
    }
    return [t(f"meeting.method_{m}", **values) for m in b.methods]


def _hotspots(
    data: views.Data, points: pd.DataFrame, filters: Filters, muni: Municipality, d: Disclosure
) -> tuple[pd.DataFrame | None, str, str | None]:
    """The top places as the map page's table shows them (cells, not points), the note under
    them, and the baseline their hot and cold classes were tested against (None when no
    cell was tested: the table then names none hot)."""
    fig = views.map_view(
        points, data.cube, filters, HOTSPOT_CELL, muni, d, data.coverage, data.off_map
    )
    if fig["top"].empty:
        if len(fig["localities"]):  # a feed without places: where it happens, per locality
            return fig["localities"].head(HOTSPOT_ROWS), t("meeting.hotspots_by_locality"), None
        return None, t("meeting.hotspots_none"), None
    note = (
        t("meeting.hotspots_note", cell=HOTSPOT_CELL)
        if fig["result"].enough
        else t("meeting.hotspots_too_few", n=d.text(fig["result"].incidents))
    )
    chosen = fig["baseline"].result if "baseline" in fig else None
    tested = chosen.baseline if chosen is not None and chosen.enough else None
    if tested == baselines.NONE:
        tested = None
    return fig["top_view"].head(HOTSPOT_ROWS), note, tested


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
