"""What each public page shows, as data: the pages lay a ``View`` out, ``publish`` writes it
as JSON, and both go through the same code, so the open-data files are exactly what a viewer
sees. Every count is made by the figures with the viewer's counter (``Disclosure.counter``)
and every count, verdict and share passes the disclosure rules here before anyone sees it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib.config import DATA_DIR, Municipality, regions
from lib.figures import (
    baselines,
    changes,
    counting,
    hotspots,
    interventions,
    overview,
    peers,
    periods,
    promises,
    stats,
    trends,
)
from lib.figures.coverage import Coverage
from lib.figures.filters import Filters, select
from lib.i18n import (
    fmt_count,
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_month,
    fmt_month_short,
    fmt_num,
    fmt_pct,
    fmt_period,
    fmt_signed,
    fmt_signed_pct,
    source_label,
    t,
)
from lib.public import maps
from lib.public.disclosure import Disclosure

# Verdict codes of the figures -> the words a viewer reads (and ``publish`` writes).
VERDICT_WORDS = {
    stats.INCREASE: "verdict.increase",
    stats.DECREASE: "verdict.decrease",
    stats.NO_CHANGE: "verdict.no_change",
    changes.NO_DATA: "verdict.no_data",
    "too_few": "verdict.too_few",
    "hidden": "verdict.hidden",
}


def verdict_word(code: str) -> str:
    return t(VERDICT_WORDS[code])


CATEGORY_ROWS = 15  # categories a public table lists by name; the rest are one row


@dataclass(frozen=True)
class Data:
    """The shared, read-only frames a page is computed from. ``timed`` (incidents with a
    known hour) may be a frame or a loader of the days a selection needs (the data manager
    reads them from the store's aggregates only when a page asks)."""

    cube: pd.DataFrame
    timed: pd.DataFrame | Callable[[Filters, tuple], pd.DataFrame]
    coverage: Coverage | None
    muni: Municipality
    meetings: tuple = ()  # the council's meeting dates (``Store.meetings``)
    off_map: pd.DataFrame | None = None  # the cube of incidents the map cannot draw
    # The promise periods as stored (``lib.promises.definitions.Promises.periods``).
    promise_periods: tuple = ()
    # What the methods below work out from the frames, kept for every view made from them.
    _memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def categories(self, limit: int = CATEGORY_ROWS) -> tuple[str, ...]:
        """The fixed list a public category table shows (``changes.change_table``'s keys):
        the municipality's categories by how many incidents each has over all its data, at
        most ``limit`` (the rest are one row, "övriga kategorier"). The same for every
        selection, so a row never says that the selection holds such an incident."""
        if ("categories", limit) not in self._memo:
            if self.cube.empty:
                return ()
            totals = self.cube.groupby(self.cube["category"].astype(str))["n"].sum()
            ranked = totals.sort_values(ascending=False, kind="stable")
            self._memo["categories", limit] = tuple(sorted(ranked.index[:limit]))
        return self._memo["categories", limit]

    def timed_rows(self, f: Filters, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
        """The timed rows of the selection's period and the same period a year earlier,
        without the ``exclude``d categories (a loader counts them for the selection only)."""
        if isinstance(self.timed, pd.DataFrame):
            rows = self.timed
            return rows[~rows["category"].astype(str).isin(exclude)] if exclude else rows
        return self.timed(f, tuple(exclude))

    def span(self) -> tuple:
        """The first day with data and the last day of the latest month the main incident
        sources cover in full (``Municipality.main_sources``; any source when none of them
        is there), so a report filed today or a small source never moves the default
        period; (None, None) without data."""
        if self.coverage is not None and self.coverage.sources:
            main = tuple(s for s in self.muni.main_sources if s in self.coverage.sources)
            last = self.coverage.last_day(main) or self.coverage.last_day()
            return self.coverage.first_day(), last or self.coverage.last_any_day()
        if self.cube.empty:
            return None, None
        return self.cube["day"].min().date(), self.cube["day"].max().date()

    def presets(self, today=None) -> list[periods.Preset]:
        """The periods a viewer can choose (``lib.figures.periods``), the promise periods
        among them as the store holds them (``promise_periods``)."""
        first, last = self.span()
        return periods.presets(first, last, self.promise_periods, self.meetings, today)


@dataclass
class View:
    page: str
    filters: Filters
    total: int | str | None = None
    sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    verdicts: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # chart data and other page parts
    # Every chart's numbers as the page draws them (``series_records`` and friends), so the
    # open data hold every number a page shows.
    charts: dict[str, Any] = field(default_factory=dict)

    def verdict(self, subject: str, code_or_word: str) -> None:
        word = verdict_word(code_or_word) if code_or_word in VERDICT_WORDS else code_or_word
        self.verdicts.append({"subject": subject, "verdict": word})

    def as_json(self, compared: changes.Periods | None = None) -> dict:
        f = self.filters
        period = {"from": f.start.isoformat(), "to": f.end.isoformat()}
        if compared is not None:
            period["compared_from"] = compared.current.start.isoformat()
            period["compared_to"] = compared.current.end.isoformat()
            period["previous_from"] = compared.previous.start.isoformat()
            period["previous_to"] = compared.previous.end.isoformat()
            period["months_compared"] = compared.months_compared
        return {
            "page": self.page,
            "period": period,
            "filters": {
                "ort": list(f.localities),
                "kategori": list(f.categories),
                "kalla": list(f.sources),
            },
            "total": self.total,
            "sentences": self.sentences,
            "notes": self.notes,
            "tables": {name: records(frame) for name, frame in self.tables.items()},
            "charts": self.charts,
            "verdicts": self.verdicts,
        }


def records(frame: pd.DataFrame) -> list[dict]:
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def _plain(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else float(value)
    return value


# --- Charts as open data ----------------------------------------------------------------------


def series_records(points: pd.DataFrame, value: str = "n") -> list[dict]:
    """A series chart's points (``series_points``) as the page draws them: each bucket's
    count, or the hover text where it is a gap ("färre än 3", "ingen data"), so zero and small
    look the same in the files wherever they do on the page."""
    out = []
    for row in points.itertuples(index=False):
        shown = getattr(row, value)
        number = int(shown) if value == "n" and not pd.isna(shown) else _plain(shown)
        out.append(
            {
                "start": pd.Timestamp(row.start).date().isoformat(),
                "serie": row.series,
                value: row.hover if pd.isna(shown) else number,
                "ofullstandig": bool(getattr(row, "incomplete", False)),
            }
        )
    return out


def matrix_records(matrix: np.ndarray, threshold: int) -> list[dict]:
    """The weekday × hour matrix (``hours_matrix``) as the page draws it: a gap reads "färre
    än T" whatever it hides, zero included."""
    hidden = t("suppressed", threshold=threshold)
    return [
        {"veckodag": w, "timme": h, "antal": hidden if np.isnan(v) else int(v)}
        for (w, h), v in np.ndenumerate(np.asarray(matrix, dtype=float))
    ]


def control_records(chart: pd.DataFrame, threshold: int) -> list[dict]:
    """The unusual-months chart (``control_points``) as the page draws it."""
    hidden, no_data = t("suppressed", threshold=threshold), t("coverage.no_data_month")
    out = []
    for r in chart.itertuples(index=False):
        if pd.isna(r.n):
            count = no_data if r.status == trends.MONTH_NO_DATA else hidden
        else:
            count = int(r.n)
        out.append(
            {
                "kategori": str(r.category),
                "manad": pd.Timestamp(r.month).date().isoformat(),
                "antal": count,
                "vantat": _plain(r.expected),
                "nedre": _plain(r.lower),
                "ovre": _plain(r.upper),
            }
        )
    return out


def night_records(night, monthly: pd.DataFrame, d: Disclosure) -> dict:
    """The night share and its monthly line as the page shows them (None where withheld: the
    year before's share too, where any of its counts is hidden)."""
    shares = [
        {
            "manad": pd.Timestamp(r.month).date().isoformat(),
            "andel": _plain(r.share),
            "lag": _plain(r.low),
            "hog": _plain(r.high),
        }
        for r in monthly.itertuples(index=False)
    ]
    if night is None:
        return {"andel": None, "per_manad": shares}
    previous = night.previous_share
    counts = (
        night.previous_night,
        night.previous_timed - night.previous_night,
        night.previous_timed,
    )
    if any(d.fine(c) for c in counts):
        previous = None
    return {
        "andel": _plain(night.share),
        "lag": _plain(night.low),
        "hog": _plain(night.high),
        "aret_innan": _plain(previous),
        "forandring_procentenheter": (
            None if previous is None else round((night.share - previous) * 100)
        ),
        "per_manad": shares,
    }


# --- Changes in words --------------------------------------------------------------------------


# A change is too uncertain to size in words when its interval reaches above +300 % or one
# of its two periods has fewer than 20 events (a rate from fewer is unreliable: the BRIEF's
# rule, ``stats.MIN_RELIABLE``, the tables' "osäker (färre än 20 händelser)"): "+33 % (−99 %
# till +727 500 %)" says nothing a reader can use. The sentence then says so, and the
# interval goes to the details (``interval_words``).
WIDE_HIGH = 4.0  # the rate ratio's upper bound: +300 %
FEW_EVENTS = stats.MIN_RELIABLE


def too_uncertain(high: float | None, events: int | None = None) -> bool:
    """The interval's upper bound is above +300 % (or unbounded), or ``events`` (the
    smaller period's count, where known) is below 20."""
    wide = high is not None and not math.isnan(high) and high > WIDE_HIGH
    return wide or (events is not None and events < FEW_EVENTS)


def change_words(c: stats.RateComparison) -> str:
    """'ökningen är 20 % (95 % konfidensintervall 5–37 %)', from the rate ratio; where the
    change is too uncertain to size (``too_uncertain``), that there are too few events to
    say how large it is."""
    if c.current == 0 and c.previous == 0:
        return t("change.none_either")
    if c.ratio is None or (isinstance(c.ratio, float) and math.isnan(c.ratio)):
        return t("change.no_previous")
    if too_uncertain(c.high, min(c.current, c.previous)):
        wide = {stats.INCREASE: "increase", stats.DECREASE: "decrease"}
        return t(f"change.wide_{wide.get(c.verdict, 'no_change')}")
    return interval_words(c)


def interval_words(c: stats.RateComparison) -> str:
    """The change with its interval in words, however wide (the details of a change that
    ``change_words`` calls too uncertain to size)."""
    if c.ratio is None or (isinstance(c.ratio, float) and math.isnan(c.ratio)):
        return t("change.no_previous")
    if c.verdict == stats.INCREASE:
        return t(
            "change.increase",
            pct=_bound_pct(c.ratio - 1),
            low=_bound((c.low - 1) * 100),
            high=_upper_pct(c.high, signed=False),
        )
    if c.verdict == stats.DECREASE:
        return t(
            "change.decrease",
            pct=_bound_pct(1 - c.ratio),
            low=_bound((1 - c.high) * 100),
            high=fmt_pct(1 - c.low, 0),
        )
    return t(
        "change.no_change",
        pct=fmt_signed_pct(c.ratio - 1, 0),
        low=_signed_bound(c.low - 1),  # "−0,2 % till +14 %", not "0 % till": it reaches past 0
        high=_upper_pct(c.high, signed=True),
    )


def _decimals(percent: float) -> int:
    """Whole per cent, or as many decimals (up to three) as keep a bound that is not zero
    from printing as 0: the near end of a significant change's interval lies strictly
    beyond 0, and "+87 % (0 % till +265 %)" would read as no change."""
    decimals = 0
    while decimals < 3 and percent != 0 and round(abs(percent), decimals) == 0:
        decimals += 1
    return decimals


def _bound(percent: float) -> str:
    """The near end of a significant change's interval, unsigned ("5", "0,3")."""
    return fmt_num(percent, _decimals(percent))


def _bound_pct(fraction: float) -> str:
    """A change or interval end as an unsigned percentage ("20 %", "0,3 %")."""
    return f"{_bound(fraction * 100)}\u00a0%"


def _signed_bound(fraction: float) -> str:
    """A change's interval end as a signed percentage ("+5 %", "+0,3 %", "−12 %")."""
    return fmt_signed_pct(fraction, _decimals(fraction * 100))


def _upper_pct(high: float, signed: bool) -> str:
    if math.isinf(high):
        return "obegränsat"
    return _signed_bound(high - 1) if signed else _bound_pct(high - 1)


def short_change(ratio: float, low: float, high: float, events: int | None = None) -> str:
    """'+20 % (+5 till +37 %)' for a table cell; "för få händelser för att säga hur mycket"
    where the change is too uncertain to size (``too_uncertain``: ``events`` is the smaller
    of the two periods' counts, where known)."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "–"
    if too_uncertain(high, events):
        return t("change.short_wide")
    return short_interval(ratio, low, high)


def short_interval(ratio: float, low: float, high: float) -> str:
    """'+20 % (+5 till +37 %)' however wide (the details of a cell ``short_change`` calls
    too uncertain)."""
    return t(
        "change.short",
        pct=_signed_bound(ratio - 1),
        low=_signed_bound(low - 1),
        high=_upper_pct(high, signed=True),
    )


def without_data(change: changes.Change) -> bool:
    """No selected source covers any day of the chosen period: nothing is known about it
    (which is not zero events), e.g. a promise period before the first file, or an empty
    store."""
    p = change.periods
    if p.coverage is None:
        return False
    days = pd.date_range(p.chosen.start, p.chosen.end, freq="D")
    sources = p.chosen.sources
    covered = p.coverage.day_signature(days, sources).any()
    return not (covered or p.coverage.partial_days(days, sources).any())


def _compare_sentence(change: changes.Change, d: Disclosure) -> str:
    p = change.periods
    previous = fmt_period(p.previous.start, p.previous.end)
    if change.verdict == changes.NO_DATA:
        if without_data(change):
            period = fmt_period(p.chosen.start, p.chosen.end)
            return t("change.sentence_no_data_period", period=period)
        return t("change.sentence_no_data", previous=previous)
    c = change.comparison
    if d.any_hidden(c.current, c.previous, change.current_total):
        return t("change.sentence_too_few")
    key = {
        stats.INCREASE: "change.sentence_compare_increase",
        stats.DECREASE: "change.sentence_compare_decrease",
    }.get(c.verdict, "change.sentence_compare_none")
    return t(key, previous=previous, change=change_words(c))


def headline_verdict(change: changes.Change, d: Disclosure) -> str:
    if change.verdict == changes.NO_DATA:
        return changes.NO_DATA
    c = change.comparison
    if d.any_hidden(c.current, c.previous, change.current_total):
        return "too_few"
    return change.verdict


def coverage_notes(p: changes.Periods) -> list[str]:
    notes = []
    if p.year_by_year:
        notes.append(
            t("change.note_year_by_year", current=fmt_period(p.current.start, p.current.end))
        )
    if p.partial:
        notes.append(t("change.note_partial", months=p.months_compared, total=p.months_in_period))
    if p.left_out and not p.no_data:
        names = ", ".join(source_label(s) for s in p.left_out)
        notes.append(t("change.note_left_out", sources=names))
    return notes


# --- Tables -----------------------------------------------------------------------------------


def row_label(key: str) -> str:
    """A change table's row as the viewer reads it (the rest of a fixed list as one row)."""
    return t("change.other_categories") if key == changes.OTHER else key


def change_rows(table: pd.DataFrame, by: str, d: Disclosure) -> tuple[pd.DataFrame, list]:
    """A change table as the viewer sees it, and its verdicts. Small counts are hidden,
    with a second cell in a column where only one would be (so the column's margin cannot
    give it away), and a row with a hidden count gets no verdict and no change.

    Which rows there are is fixed before counting (``changes.change_table``'s keys: the
    municipality's categories, every locality), so no row is there because the selection
    holds an incident of it."""
    hide_total = d.hide_margin(list(table["total"]))
    hide_cur = d.hide_margin(list(table["current"]))
    hide_prev = d.hide_margin(list(table["previous"]))
    names = ["total_period", "compared_now", "previous", "change_ci", "verdict", "rate"]
    columns = [t(f"col.{by}"), *(t(f"col.{n}") for n in names), t("col.rate_status")]
    rows, verdicts = [], []
    for i, r in enumerate(table.itertuples()):
        primary = d.any_hidden(r.current, r.previous, r.total)
        secondary = hide_total[i] or hide_cur[i] or hide_prev[i]
        if r.verdict == changes.NO_DATA:
            code = changes.NO_DATA
        elif primary:
            code = "too_few"
        elif secondary:
            code = "hidden"
        else:
            code = r.verdict
        shown = code in (stats.INCREASE, stats.DECREASE, stats.NO_CHANGE)
        rows.append(
            (  # in the order of ``columns``
                row_label(str(r.key)),
                _cell(r.total, hide_total[i], d),
                _cell(r.current, hide_cur[i], d),
                _cell(r.previous, hide_prev[i], d),
                short_change(r.ratio, r.low, r.high, min(r.current, r.previous)) if shown else "–",
                verdict_word(code),
                fmt_num(r.rate, 1) if shown and not np.isnan(r.rate) else "–",
                t(f"rate.{r.rate_status}") if shown else "",
            )
        )
        verdicts.append({"subject": row_label(str(r.key)), "verdict": verdict_word(code)})
    return pd.DataFrame(rows, columns=columns), verdicts


def changed_sentences(table: pd.DataFrame, verdicts: list[dict], by: str) -> list[str]:
    """One sentence per row shown as a significant increase or decrease ("Skadegörelse ökade
    säkerställt – ökningen är …"), from a change table and its verdicts as shown."""
    called = (t("verdict.increase"), t("verdict.decrease"))
    shown = {v["subject"]: v["verdict"] for v in verdicts}  # rows left out have none
    out = []
    for row in table.itertuples():
        if shown.get(str(row.key)) not in called:
            continue
        direction = "up" if row.verdict == stats.INCREASE else "down"
        comparison = stats.RateComparison(
            row.current, row.previous, 1, 1, row.ratio, row.low, row.high, row.p_value, row.verdict
        )
        words = change_words(comparison)
        out.append(t(f"change.summary_{by}_{direction}", **{by: row.key}, change=words))
    return out


def _cell(n: int, hide: bool, d: Disclosure) -> str:
    """A count as shown: "färre än T" when small, "dold" when hidden only so that a margin
    cannot give a small one away (it is not small, so it must not say so)."""
    if hide and not d.hidden(n) and n > 0:
        return t("verdict.hidden")
    return d.text(n)


def series_points(series: pd.DataFrame, d: Disclosure, fine: bool = False) -> pd.DataFrame:
    """The monthly/weekly series for a chart: hidden counts and months without data become
    gaps (NaN) with a hover text saying why; nothing else reaches the browser. With ``fine``
    (a breakdown finer than a month, or a selection below the detail minimum) zero is
    hidden like a small count: zero and small must look the same (``Disclosure.fine``)."""
    out = series.copy()

    def hidden_count(n) -> bool:
        if pd.isna(n):
            return False
        return d.fine(int(n)) if fine else d.hidden(int(n))

    hidden = out["n"].map(hidden_count)
    below = d.fine_threshold if fine else d.threshold  # what a hidden count is below
    out["hover"] = [
        t("coverage.no_data_month")
        if pd.isna(n)
        else (t("suppressed", threshold=below) if h else fmt_num(n, 0))
        for n, h in zip(out["n"], hidden, strict=True)
    ]
    out["hidden_below"] = below
    out["n"] = out["n"].where(~hidden)
    if "rate" in out:
        out["rate"] = out["rate"].where(~hidden)
    return out


def sources_view(
    cube: pd.DataFrame,
    coverage: Coverage,
    spans: pd.DataFrame,
    import_log: pd.DataFrame,
    d: Disclosure,
    timezone: str,
) -> pd.DataFrame:
    """The data sources as the viewer may see them: the count of each, the months it covers
    and when it was last loaded. Coverage is whole months, never an incident's day; the
    public sees the months and the month of the last load only for a source whose count it
    sees (a small source's months would date its few incidents: every source listed has
    incidents, so a published 0 is a small count the noise took to zero)."""
    table = overview.source_freshness(cube, coverage, spans, import_log, d.counter)

    def span(first, last) -> str:
        if first is None or last is None:
            return "–"
        left = f"{fmt_month_short(first)} {first.year}"
        return t("sources.months", first=left, last=f"{fmt_month_short(last)} {last.year}")

    def loaded(stamp) -> str:
        if pd.isna(stamp):
            return t("sources.ongoing")
        local = pd.Timestamp(stamp).tz_convert(timezone)
        return fmt_datetime(local) if d.exact else f"{fmt_month_short(local)} {local.year}"

    shown = [d.exact or n >= d.threshold for n in table["incidents"]]
    return pd.DataFrame(
        {
            t("col.source"): table["source"].map(lambda s: source_label(str(s))),
            t("col.incidents"): table["incidents"].map(d.text),
            t("col.covers"): [
                span(a, b) if ok else "–"
                for a, b, ok in zip(table["first"], table["last"], shown, strict=True)
            ],
            t("col.last_import"): [
                loaded(w) if ok else "–" for w, ok in zip(table["last_import"], shown, strict=True)
            ],
        }
    )


# --- Pages ------------------------------------------------------------------------------------


def detail_note(reason: str | None, d: Disclosure) -> str | None:
    """Why the public does not see a breakdown of this selection, in Swedish."""
    if reason is None:
        return None
    return t(f"detail.{reason}", minimum=d.detail_minimum)


def overview_view(data: Data, f: Filters, d: Disclosure) -> View:
    d.admit(f)
    keys = None if d.exact or f.categories else data.categories()
    ov = overview.compute(data.cube, f, data.muni, data.coverage, d.counter, keys=keys)
    view = View(
        "oversikt", f, total=d.value(ov.total) if not d.hidden(ov.total) else d.text(ov.total)
    )
    reason = d.detail(ov.total)
    period = fmt_period(f.start, f.end)
    count = fmt_count(ov.total, d.text(ov.total))
    empty = without_data(ov.change)
    if not empty:  # "registrerades 0 händelser" would say the period was counted
        view.sentences.append(t("change.sentence_total", period=period, count=count))
    view.sentences.append(_compare_sentence(ov.change, d))
    headline = headline_verdict(ov.change, d)
    view.verdict(t("overview.metric_total"), headline)
    table, verdicts = change_rows(ov.categories, "category", d)
    if reason is None:
        view.tables["kategorier"] = table
        view.verdicts += verdicts
        room = max(5 - len(view.sentences), 0)
        view.sentences += changed_sentences(ov.categories, verdicts, "category")[:room]
    else:  # a list inside a small selection is detail: the monthly figure only
        view.tables["kategorier"] = table.iloc[0:0]
        if not empty:  # a period without data has nothing to break down
            view.notes.append(detail_note(reason, d))
    view.notes += coverage_notes(ov.change.periods)
    view.extra["overview"] = ov
    view.extra["headline"] = headline
    view.extra["detail"] = reason
    view.extra["without_data"] = empty
    view.extra["monthly"] = series_points(ov.monthly, d, fine=reason is not None)
    view.charts["manader"] = series_records(view.extra["monthly"])
    view.extra["rate"] = None if ov.rate is None or d.hidden(ov.total) else ov.rate
    c = ov.change.comparison
    if c is not None:  # the badge's two sides: the compared days and the year before
        view.charts["jamforelse"] = {
            "jamforda_dagar": d.value(c.current) if not d.hidden(c.current) else d.text(c.current),
            "aret_innan": d.value(c.previous) if not d.hidden(c.previous) else d.text(c.previous),
        }
    rate = view.extra["rate"]
    if rate is not None and rate.shown:
        view.charts["per_1000"] = {
            "varde": _plain(rate.value),
            "lag": _plain(rate.low),
            "hog": _plain(rate.high),
        }
    return view


def disclosed_night(night: trends.NightShare, d: Disclosure) -> trends.NightShare | None:
    """The night share only where the night count, the day count and the total are all
    shown, zero counting as small: a share of a small cell gives the cell back, and a share
    of 0 % or 100 % says that no incident of the selection happened by day (or by night)."""
    if night.timed == 0 or any(d.fine(c) for c in (night.night, night.day, night.timed)):
        return None
    return night


def night_points(monthly: pd.DataFrame, d: Disclosure) -> pd.DataFrame:
    """Monthly night shares for the chart: months whose night or day count is hidden (zero
    included, as in every breakdown finer than the monthly tables) carry no share and no
    interval."""
    out = monthly.copy()
    hidden = [
        any(d.fine(c) for c in (int(k), int(n) - int(k), int(n)))
        for k, n in zip(out["night"], out["timed"], strict=True)
    ]
    mask = pd.Series(hidden, index=out.index)
    for column in ("share", "low", "high"):
        out[column] = out[column].mask(mask)
    return out.drop(columns=["night", "timed"])


def hours_matrix(matrix: np.ndarray, d: Disclosure) -> np.ndarray:
    """The weekday × hour matrix for the browser: every cell below the threshold, zero
    included, is a gap that reads "färre än T" (the zeros' pattern would locate a lone
    incident)."""
    values = np.asarray(matrix, dtype=float)
    hidden = np.vectorize(d.fine)(matrix.astype(int)) if matrix.size else matrix.astype(bool)
    values[hidden] = np.nan
    return values


def control_points(chart: pd.DataFrame, d: Disclosure) -> pd.DataFrame:
    """The control chart for the browser: hidden counts and months without data are gaps."""
    out = chart.copy()
    hidden = out["n"].map(lambda n: d.hidden(int(n))) | (out["status"] == trends.MONTH_NO_DATA)
    out["n"] = out["n"].astype(float).mask(hidden)
    # With one baseline year the expected count is that year's (published) count of the
    # month: where that count is hidden, so is the expected line and its band.
    base_hidden = out["baseline_n"].map(lambda n: d.hidden(int(n)))
    for column in ("expected", "lower", "upper"):
        out[column] = out[column].astype(float).mask(base_hidden)
    return out


# --- Unusual months --------------------------------------------------------------------------


def unusual_view(flagged: pd.DataFrame, d: Disclosure) -> pd.DataFrame:
    """The flagged months as the public sees them (suppressed counts as text), each with the
    years it was compared with."""
    return pd.DataFrame(
        {
            t("col.category"): flagged["category"],
            t("trends.col_month"): flagged["month"].map(fmt_month),
            t("trends.col_observed"): flagged["n"].map(lambda n: d.text(int(n))),
            t("trends.col_expected"): [
                "–" if d.hidden(int(b)) else fmt_num(e, 1)
                for e, b in zip(flagged["expected"], flagged["baseline_n"], strict=True)
            ],
            t("trends.col_limits"): [
                "–" if d.hidden(int(b)) else _limits_text(lo, hi)
                for lo, hi, b in zip(
                    flagged["lower"], flagged["upper"], flagged["baseline_n"], strict=True
                )
            ],
            t("trends.col_baseline"): flagged["baseline_years"].map(years_text),
            t("trends.col_direction"): flagged["flag"].map(lambda d: t(f"trends.flag_{d}")),
        }
    )


def _limits_text(lower: float, upper: float) -> str:
    return "–" if np.isnan(lower) else f"{int(lower)}–{int(upper)}"


def years_text(years: tuple[int, ...]) -> str:
    """(2016, 2017, 2018) -> '2016–2018'; (2016, 2018) -> '2016 och 2018'; () -> '–'."""
    years = tuple(sorted(set(years)))
    if not years:
        return "–"
    if len(years) > 1 and years == tuple(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    if len(years) == 1:
        return str(years[0])
    return ", ".join(map(str, years[:-1])) + " och " + str(years[-1])


def baseline_notes(chart: pd.DataFrame) -> list[str]:
    """The sentences under the unusual-months chart: which years the months are compared
    with (all years any month of the period used), and how many months are not tested for
    want of data or of an earlier year with data."""
    months = chart.drop_duplicates("month")
    total = len(months)
    if total == 0:
        return []
    distinct = {years for years in months["baseline_years"] if years}
    used = sorted({y for years in distinct for y in years})
    if not used:
        notes = [t("trends.baseline_none")]
    elif len(distinct) == 1:
        notes = [t("trends.baseline_years", years=years_text(tuple(used)))]
    else:
        notes = [t("trends.baseline_years_mixed", years=years_text(tuple(used)))]
    no_data = int((months["status"] == trends.MONTH_NO_DATA).sum())
    no_base = int((months["status"] == trends.MONTH_NO_BASELINE).sum())
    if no_data:
        notes.append(t("trends.no_data_months", count=no_data, total=total))
    if no_base and used:
        notes.append(t("trends.baseline_partial", count=no_base, total=total))
    if (chart["status"] == trends.MONTH_TOO_FEW).any():
        notes.append(t("trends.too_few_note", min_expected=fmt_num(trends.MIN_EXPECTED_HIGH, 0)))
    return notes


FLAG_WORDS = {"high": "ovanligt många", "low": "ovanligt få"}


def trends_view(data: Data, f: Filters, d: Disclosure) -> View:
    """The trends page: the overview, change tables by category and locality, unusual
    months and time of day, each shown to the public only where the detail rule allows
    (``Disclosure.detail`` and ``time_detail``)."""
    base = overview_view(data, f, d)
    ov = base.extra["overview"]
    reason = base.extra["detail"]
    view = View("utveckling", f, total=base.total, sentences=list(base.sentences))
    view.notes = list(base.notes)
    view.verdicts.append(base.verdicts[0])
    view.tables["kategorier"] = base.tables["kategorier"]
    view.verdicts += [
        {"subject": f"{t('col.category')}: {v['subject']}", "verdict": v["verdict"]}
        for v in base.verdicts[1:]
    ]
    view.extra["overview"] = ov
    view.extra["monthly"] = base.extra["monthly"]
    view.extra["detail"] = reason
    view.charts["manader"] = base.charts["manader"]
    _places(view, data, f, d, reason)
    _unusual(view, data, f, d, reason)
    _time_of_day(view, data, f, d, d.time_detail(ov.total, f))
    weekly, fine, why, freq = series_view(data, f, d, "W")
    if why is None:
        view.charts["veckor"] = series_records(series_points(weekly, d, fine=fine))
    else:
        view.charts["veckor"] = {"visas_inte": detail_note(why, d)}
    return view


def _places(view: View, data: Data, f: Filters, d: Disclosure, reason: str | None) -> None:
    localities = changes.change_table(data.cube, f, data.muni, "locality", data.coverage, d.counter)
    table, by_place = change_rows(localities, "locality", d)
    if reason is not None:
        view.tables["orter"] = table.iloc[0:0]
        return
    view.tables["orter"] = table
    view.verdicts += [
        {"subject": f"{t('col.locality')}: {v['subject']}", "verdict": v["verdict"]}
        for v in by_place
    ]
    view.sentences += changed_sentences(localities, by_place, "locality")


def _unusual(view: View, data: Data, f: Filters, d: Disclosure, reason: str | None) -> None:
    # The charted categories are a list too: for the public the fixed vocabulary (a category
    # is never charted because the selection holds one of its incidents).
    keys = None if d.exact or f.categories else data.categories()
    chart = trends.control_chart(
        data.cube, f, coverage=data.coverage, counter=d.counter, categories=keys
    )
    flagged = trends.unusual_months(chart)
    # A flag beside a hidden count would tell it ("ovanligt få" against limits 2–27 can only
    # mean 1): such months are not listed in the public view; nor is any in a small selection.
    flagged = flagged.loc[_shown(flagged, d)].reset_index(drop=True)
    if reason is not None:
        flagged = flagged.iloc[0:0]
    view.extra["chart"] = control_points(chart, d)
    if reason is None:
        view.charts["kontroll"] = control_records(view.extra["chart"], d.threshold)
    view.extra["flagged"] = flagged
    view.extra["baseline_notes"] = baseline_notes(chart)
    view.tables["ovanliga_manader"] = unusual_view(flagged, d)
    for row in flagged.itertuples():
        view.verdict(f"{row.category}, {fmt_month(row.month)}", FLAG_WORDS[row.flag])
    if reason is not None:
        return
    if flagged.empty:
        view.sentences.append(t("trends.summary_no_unusual"))
    else:
        view.sentences.append(
            t(
                "trends.summary_unusual_count",
                count=len(flagged),
                months=t("trends.month_one" if len(flagged) == 1 else "trends.month_many"),
            )
        )


def _time_of_day(view: View, data: Data, f: Filters, d: Disclosure, reason: str | None) -> None:
    """Weekday × hour, the night share and its monthly line: for the public without the
    sensitive categories, only where the time-detail rule allows, zero hidden like small."""
    view.extra["time_detail"] = reason
    excluded = () if d.exact else tuple(sorted(d.sensitive))
    timed = data.timed_rows(f, excluded)
    if reason is not None:  # the rule withholds the detail: the columns only
        timed = timed.iloc[0:0]
    cube = d.time_rows(data.cube)
    night = trends.night_share(timed, cube, f, d.counter)
    view.extra["night_raw"] = night
    view.extra["night"] = disclosed_night(night, d) if reason is None else None
    view.extra["night_monthly"] = night_points(trends.night_share_by_month(timed, f, d.counter), d)
    view.extra["hours"] = hours_matrix(trends.weekday_hour(timed, f, d.counter), d)
    if reason is None:
        view.charts["veckodag_timme"] = matrix_records(view.extra["hours"], d.fine_threshold)
        view.charts["nattandel"] = night_records(
            view.extra["night"], view.extra["night_monthly"], d
        )
    else:
        view.charts["veckodag_timme"] = {"visas_inte": detail_note(reason, d)}
        view.verdict(t("trends.night_metric"), "too_few")
        return
    if not d.exact and d.sensitive:
        view.extra["time_note"] = t("detail.sensitive_left_out")
    shown = view.extra["night"]
    previous_hidden = any(
        d.fine(c)
        for c in (
            night.previous_night,
            night.previous_timed - night.previous_night,
            night.previous_timed,
        )
    )
    if shown is not None and not previous_hidden and night.previous_timed:
        view.sentences.append(
            t(
                "trends.summary_night",
                share=fmt_pct(shown.share, 0),
                previous=fmt_pct(night.previous_share, 0),
                verdict=t(f"verdict.{night.comparison.verdict}"),
            )
        )
        view.verdict(t("trends.night_metric"), night.comparison.verdict)
    else:
        view.verdict(t("trends.night_metric"), "too_few")


def series_view(data: Data, f: Filters, d: Disclosure, freq: str = "M"):
    """The series over time for the trends page's chart, monthly or weekly, as the viewer may
    see it: (points, reason). Weeks are a time breakdown: for the public only where the
    time-detail rule allows (otherwise the months, and ``reason`` says why), without the
    sensitive categories, zero hidden like small. Months follow the overview's rule."""
    total = counting.total(select(data.cube, f), d.counter)
    reason = d.time_detail(total, f) if freq == "W" else None
    if reason is not None:
        freq = "M"
    cube = d.time_rows(data.cube) if freq == "W" else data.cube
    series = trends.period_series(cube, f, freq, data.coverage, d.counter)
    fine = freq == "W" or d.detail(total) is not None
    return series, fine, reason, freq


# --- Map ---------------------------------------------------------------------------------------


def _shown(frame: pd.DataFrame, d: Disclosure) -> np.ndarray:
    """Rows whose count ``n`` the viewer may see (a boolean array, also for an empty frame)."""
    return np.array([not d.hidden(int(n)) for n in frame["n"]], dtype=bool)


def _n(points: pd.DataFrame) -> np.ndarray:
    """Each map point's count: the data manager's points are 50 m cells of ``n`` records."""
    return points["n"].to_numpy() if "n" in points.columns else np.ones(len(points), np.int64)


# --- Hot spots against a baseline (issue 22.1) -------------------------------------------------

BASELINE_YEARS = 5  # the latest 12 months and up to four earlier years
MIN_TESTED = hotspots.MIN_INCIDENTS  # below it in the tested period nothing is tested


@dataclass(frozen=True)
class Baseline:
    """What the map calls hot and cold, and against what: the test's result (``baselines``;
    its cells at ``cell`` metres, which is coarser than the map's when the population grid
    is), the baselines the data allow (for a choice), and the period tested with the years
    it was compared with (own history)."""

    result: baselines.BaselineResult
    cell: int
    available: tuple[str, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    earlier: int = 0  # own history: the earlier 12-month periods, the first from ``since``
    since: dt.date | None = None
    population_cell: int | None = None

    @property
    def kind(self) -> str:
        return self.result.baseline


def own_periods(points: pd.DataFrame, end: dt.date, first_day, cell: int) -> list[pd.DataFrame]:
    """Exact counts per cell (``grid_counts`` with keys, each point weighing its ``n``) of
    the 12-month periods ending on ``end``, ``end`` a year earlier and so on, latest first,
    as ``baselines.yearly_periods`` makes them for single incidents: only periods that begin
    on or after ``first_day``, at most ``BASELINE_YEARS``."""
    after = pd.Timestamp(end) + pd.Timedelta(days=1)
    first = pd.Timestamp(first_day)
    day = points["day"]
    out = []
    for k in range(BASELINE_YEARS):
        start = after - pd.DateOffset(years=k + 1)
        stop = after - pd.DateOffset(years=k) - pd.Timedelta(days=1)
        if start < first:
            break
        rows = points[((day >= start) & (day <= stop)).to_numpy()]
        out.append(hotspots.grid_counts(rows["x"], rows["y"], cell, rows["key"], weight=_n(rows)))
    return out


def _population_at(grid: pd.DataFrame, cell: int) -> tuple[pd.DataFrame, int]:
    """The population grid (``lib.store.population.read``) as (ix, iy, population) cells of
    the map's size when that is a multiple of the squares, else of the squares' own size."""
    size = int(grid["size_m"].iloc[0])
    test = cell if cell % size == 0 else size
    frame = pd.DataFrame(
        {
            "ix": grid["easting"].to_numpy(np.int64) // test,
            "iy": grid["northing"].to_numpy(np.int64) // test,
            "population": grid["population"].to_numpy(float),
        }
    )
    return frame.groupby(["ix", "iy"], as_index=False)["population"].sum(), test


def baseline_view(
    points: pd.DataFrame,
    f: Filters,
    cell: int,
    muni: Municipality,
    d: Disclosure,
    population: pd.DataFrame | None = None,
    choice: str | None = None,
) -> Baseline:
    """Hot and cold cells against the place's own history (the 12 months ending on the
    selection's last day against the same months of up to four earlier years, as far as
    the data go back) or against the residents (SCB's population grid, when one is loaded;
    the selection's incidents), through the viewer's counter (``lib.figures.baselines``).
    ``choice`` picks among those the data allow (default: own history, else residents);
    with neither, no cell is hot or cold and ``result.reason`` says why. Incidents outside
    the municipality's outline are left out, as from the land test (``hotspots``)."""
    region = hotspots.study_region(muni, cell)
    points = points[hotspots.in_region(points["x"], points["y"], cell, region)]
    every = Filters(dt.date(1900, 1, 1), f.end, f.localities, f.categories, f.sources)
    history = select(points, every)
    sources = select(points, Filters(dt.date(1900, 1, 1), f.end, sources=f.sources))
    found: dict[str, Baseline] = {}
    if len(sources):
        first = sources["day"].min()
        periods_found = own_periods(history, f.end, first, cell)
        latest, earlier = (periods_found[0], periods_found[1:]) if periods_found else (None, [])
        own = baselines.own_history(latest, earlier, counter=d.counter)
        if own.baseline == baselines.OWN_HISTORY:
            after = pd.Timestamp(f.end) + pd.Timedelta(days=1)
            earlier = len(periods_found) - 1
            start = (after - pd.DateOffset(years=1)).date()
            since = (after - pd.DateOffset(years=earlier + 1)).date()
            found[own.baseline] = Baseline(own, cell, (), start, f.end, earlier, since)
    if population is not None and not population.empty:
        people, test = _population_at(population, cell)
        now = select(points, f)
        counts = hotspots.grid_counts(now["x"], now["y"], cell, now["key"], weight=_n(now))
        result = baselines.residents(counts, people, cell, test, counter=d.counter)
        size = int(population["size_m"].iloc[0])
        found[result.baseline] = Baseline(result, test, (), f.start, f.end, population_cell=size)
    available = tuple(k for k in (baselines.OWN_HISTORY, baselines.RESIDENTS) if k in found)
    if not available:  # under two earlier years and no grid: nothing is called hot
        empty = pd.DataFrame(columns=baselines.COLUMNS)
        none = baselines.BaselineResult(
            empty, 0, False, baseline=baselines.NONE, reason=baselines.TOO_FEW_YEARS
        )
        return Baseline(none, cell, ())
    chosen = choice if choice in available else available[0]
    return dataclasses.replace(found[chosen], available=available)


def baseline_name(kind: str) -> str:
    """The baseline in words, as the map and ``karta.json`` name it."""
    return t(f"map.baseline_{kind}")


def baseline_sentence(b: Baseline, d: Disclosure) -> str:
    """What the map calls hot and cold, against what, and how many; or why nothing."""
    r = b.result
    if b.kind == baselines.NONE:
        return t("map.baseline_none_text")
    if b.kind == baselines.OWN_HISTORY:
        against = t(
            "map.baseline_own_against",
            start=fmt_date(b.start),
            end=fmt_date(b.end),
            n=b.earlier,
            since=fmt_date(b.since),
            until=fmt_date(b.start - dt.timedelta(days=1)),
        )
    else:
        against = t("map.baseline_residents_against", size=fmt_int(b.population_cell))
    if not r.enough:
        few = t("map.baseline_too_few", incidents=d.text(r.incidents), minimum=MIN_TESTED)
        return f"{against} {few}"
    bins = r.cells["bin"]
    hot, cold = int((bins > 0).sum()), int((bins < 0).sum())
    key = "map.baseline_found" if hot or cold else "map.baseline_found_none"
    text = against + " " + t(key, hot=fmt_int(hot), cold=fmt_int(cold))
    if b.kind == baselines.RESIDENTS and r.unpopulated:
        text += " " + t("map.baseline_unpopulated", n=d.text(r.unpopulated))
    return text


def baseline_table(b: Baseline) -> pd.DataFrame:
    """The baseline as one row of open data (``karta.json``): its code and name, the
    period tested, the years compared with, the population grid's squares, or why none."""
    return pd.DataFrame(
        {
            "baslinje": [b.kind],
            "namn": [baseline_name(b.kind)],
            "fran": [b.start.isoformat() if b.start else None],
            "till": [b.end.isoformat() if b.end else None],
            "tidigare_perioder": [b.earlier or None],
            "jamfors_med_fran": [b.since.isoformat() if b.since else None],
            "befolkningsrutor_m": [b.population_cell],
            "ruta_m": [b.cell],
            "varfor_ingen": [t(f"map.baseline_reason_{r}") if (r := b.result.reason) else None],
        }
    )


def map_view(
    points: pd.DataFrame,
    cube: pd.DataFrame,
    f: Filters,
    cell: int,
    muni: Municipality,
    d: Disclosure,
    coverage: Coverage | None = None,
    off_map: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    baseline: str | None = None,
) -> dict:
    """The map page's figures as the viewer may see them. Cells are counted through the
    viewer's counter (each cell's noise is its own, so a coarse cell minus its finer cells
    is noise, not a hidden cell); in the public view cells below the threshold are not drawn
    at all and not listed among the top places. Incidents that are not on the map (no place,
    or a sensitive category) are one count: published separately, the sensitive count would
    come back as the overview's total minus the map minus the missing ones.

    Hot and cold ("het", "kall") come from a baseline (``baseline_view``: the place's own
    history, or the residents where a population grid is loaded, ``population``): the
    result is ``baseline`` (a ``Baseline`` whose cells are those the viewer may see). The
    land-based test (``hotspots.hotspots``, uniform risk over the municipality's land) is
    ``result``: where incidents are, never drawn or named hot; its count of incidents
    outside the outline and whether there were enough to test are shown."""
    d.admit(f)
    counter = d.counter
    now = select(points, f)
    current = hotspots.grid_counts(now["x"], now["y"], cell, now["key"], counter, _n(now))
    before = select(points, f.previous_year())
    previous = hotspots.grid_counts(
        before["x"], before["y"], cell, before["key"], counter, _n(before)
    )
    region = hotspots.study_region(muni, cell)
    land = hotspots.hotspots(now, cell, region, counter=counter)
    chosen = baseline_view(points, f, cell, muni, d, population, baseline)
    result = chosen.result
    selected = select(cube, f)
    # Not on the map: the selection's records minus the map's, with their own cell key.
    outside = pd.DataFrame(
        {
            "n": [int(selected["n"].sum()) - int(_n(now).sum())],
            "key": [selected["key"].sum() - now["key"].sum()],
        }
    )
    excluded = counting.total(outside, counter)
    # The top places' hot and cold classes are the baseline's, on the map's own cells; a
    # baseline tested on coarser cells (1 km population squares) gives each its square's.
    same = result if chosen.cell == cell else dataclasses.replace(result, enough=False)
    top = hotspots.top_places(current, previous, same, cell, muni, slack=counting.slack(counter))
    if chosen.cell != cell and result.enough and len(top):
        factor = chosen.cell // cell
        parent = top[["ix", "iy"]] // factor
        bins = parent.merge(result.cells[["ix", "iy", "bin"]], on=["ix", "iy"], how="left")
        top["bin"] = bins["bin"].fillna(0).astype(int).to_numpy()
    p = changes.periods(f, coverage)
    if p.no_data or p.partial or p.year_by_year:
        top["verdict"] = changes.NO_DATA  # the cells' year-earlier counts are not comparable
    shown_counts = current.loc[_shown(current, d)]
    shown_cells = result.cells.loc[_shown(result.cells, d)]
    shown_land = land.cells.loc[_shown(land.cells, d)]
    shown_top = top.loc[_shown(top, d)].head(10)
    localities, locality_verdicts = off_map_rows(off_map, f, muni, d, coverage)
    return {
        "incidents": counting.total(now, counter),
        "excluded": excluded,
        "localities": localities,
        "locality_verdicts": locality_verdicts,
        "counts": shown_counts,
        "result": dataclasses.replace(land, cells=shown_land),
        "baseline": dataclasses.replace(
            chosen, result=dataclasses.replace(result, cells=shown_cells)
        ),
        "top": shown_top,
        "top_view": (
            maps.top_places_view(shown_top, cell, d, result.cells if same.enough else None)
            if len(shown_top)
            else pd.DataFrame()
        ),
    }


def map_summary(fig: dict, cell: int, d: Disclosure) -> str:
    """The map's sentence: incidents with a place, the cells drawn, and the hot spots (or
    why there are none). Hidden counts give no number of cells either: it would tell."""
    n = fig["incidents"]
    if d.hidden(n):
        parts = [t("map.summary_few", incidents=d.text(n))]
    else:
        parts = [
            t(
                "map.summary",
                incidents=fmt_int(n),
                cells=fmt_int(len(fig["counts"])),
                cell=fmt_int(cell),
            )
        ]
    parts.append(baseline_sentence(fig["baseline"], d))  # hot and cold: against what
    land = fig["result"]
    if land.outside:
        parts.append(t("map.outside_note", outside=d.text(land.outside)))
    return " ".join(parts)


def off_map_rows(
    off_map: pd.DataFrame | None,
    f: Filters,
    muni: Municipality,
    d: Disclosure,
    coverage: Coverage | None,
) -> tuple[pd.DataFrame, list]:
    """Incidents the map cannot draw (no coordinates, or a sensitive category), per locality:
    the trends page's change table for them, with its suppression, for the map's locality
    symbols and the places table. An analyst sees the localities with any such incident; the
    public sees every locality (a fixed list: a row must not say that the selection holds
    such an incident), and none in a selection below the detail minimum (a list of places
    inside a small selection is detail)."""
    if off_map is None or off_map.empty:
        return pd.DataFrame(), []
    if not d.exact:
        cube = select(off_map, f)
        if d.detail(counting.total(cube, d.counter)) is not None:
            return pd.DataFrame(), []
    table = changes.change_table(off_map, f, muni, "locality", coverage, d.counter)
    if d.exact or f.localities:
        table = table[(table["total"] > 0) | (table["current"] > 0) | (table["previous"] > 0)]
    if table.empty:
        return pd.DataFrame(), []
    return change_rows(table.reset_index(drop=True), "locality", d)


# --- Calibration (Om statistiken) -----------------------------------------------------------


CALIBRATION_FILE = DATA_DIR / "calibration.json"  # written by ``python -m bench.calibration``


def load_calibration(path=CALIBRATION_FILE) -> dict | None:
    """The last calibration run (run_on, command, rows), or None before the first."""
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def funnel_calibration(document: dict | None) -> str | None:
    """The funnel's false-alarm figures under both overdispersed nulls, in words, for the
    comparison page (None before a calibration run has measured them)."""
    rows = {r["measure"]: r for r in (document or {}).get("rows", []) if r["method"] == "funnel"}
    gamma, phi = rows.get("null_outside_95"), rows.get("null_outside_95_constant_phi")
    if gamma is None or phi is None:
        return None
    return t(
        "peers.funnel_calibration",
        gamma=fmt_pct(gamma["value"], 1),
        phi=fmt_pct(phi["value"], 1),
        target=fmt_pct(max(gamma["target"], phi["target"]), 0),
    )


def calibration_kind(row: dict) -> str:
    """'null' for a false-alarm row (the verdict on data where nothing happened), 'power'
    for a row that measures how often a real change is found."""
    return "null" if "null" in row["measure"] else "power"


def calibration_table(rows: list[dict]) -> pd.DataFrame:
    """Every row of ``data/calibration.json`` (``bench.calibration``) as the Om page shows
    it: the verdict, false alarm or power, what was simulated, the result with exact counts
    and in the public view (where measured), the target and whether it is met."""
    out = []
    for row in rows:
        sign = "≤" if row["direction"] == "max" else "≥"
        public = row.get("public")
        shown = t("about.public_none") if public is None else fmt_pct(public, 1)
        out.append(
            {
                t("about.col_method"): t(f"about.method_{row['method']}"),
                t("about.col_false_or_found"): t(f"about.kind_{calibration_kind(row)}"),
                t("about.col_what"): t(f"about.what_{row['measure']}"),
                t("about.col_exact"): fmt_pct(row["value"], 1),
                t("about.col_public"): shown,
                t("about.col_target"): f"{sign} {fmt_pct(row['target'], 0)}",
                t("about.col_met"): t("about.yes") if row["met"] else t("about.no"),
            }
        )
    return pd.DataFrame(out)


def calibration_meanings(rows: list[dict]) -> list[str]:
    """What each verdict's figures mean, in plain Swedish, once per verdict in the order
    the rows first name it."""
    methods = list(dict.fromkeys(row["method"] for row in rows))
    return [t(f"about.meaning_{m}") for m in methods]


def calibration_unmet(rows: list[dict]) -> str:
    """The targets not met, said plainly (or that all are)."""
    items = []
    for row in rows:
        if row["met"]:
            continue
        public = row.get("public")
        items.append(
            t(
                "about.calibration_unmet_item",
                method=t(f"about.method_{row['method']}"),
                what=t(f"about.what_{row['measure']}"),
                kind=t(f"about.kind_{calibration_kind(row)}"),
                value=fmt_pct(row["value"], 1),
                sign="högst" if row["direction"] == "max" else "minst",
                target=fmt_pct(row["target"], 0),
                public=""
                if public is None
                else t("about.calibration_unmet_public", public=fmt_pct(public, 1)),
            )
        )
    if not items:
        return t("about.calibration_all_met")
    return t("about.calibration_unmet", items=" ".join(items))


def signals_cadence(rows: list[dict]) -> str:
    """How often signals are computed and what that means for false alarms (the weekly
    calibration row's figure)."""
    weekly = next((r for r in rows if r["measure"] == "signals_null_years_without_alert"), None)
    value = fmt_pct(weekly["value"], 0) if weekly else "–"
    return t("about.signals_cadence", value=value)


# --- Promises ----------------------------------------------------------------------


def promised_words(r) -> str:
    """What was promised: 'Minst 4 st trygghetsvandringar', or the indicator alone when no
    target is set, or that the promise has no indicator."""
    if pd.isna(r.indicator_id):
        return t("promise.no_indicator")
    if pd.isna(r.target):
        return t("promise.promised_no_target", label=r.indicator_label)
    label = str(r.indicator_label).lower()
    return t("promise.promised_text", target=fmt_int(r.target), unit=r.unit, label=label)


def outcome_words_of(r, activities: pd.DataFrame) -> str:
    """What came of it: '5 st trygghetsvandringar' and where, or that nothing is
    recorded (never a zero that reads as nothing done)."""
    if r.status == promises.NOT_RECORDED:
        return "–"  # the status says why: a zero would read as nothing done
    places = activities[activities["indicator_id"] == r.indicator_id]
    by_place = places.groupby("locality")["quantity"].sum().sort_values(ascending=False)
    where_text = ", ".join(f"{loc} {fmt_num(q, 0)}" for loc, q in by_place.items())
    text = t(
        "promise.outcome_text",
        done=fmt_num(r.done, 0),
        unit=r.unit,
        label=str(r.indicator_label).lower(),
    )
    return f"{text} ({where_text})" if where_text else text


def follow_up(progress_rows: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """The table the police publish: promise, what we promised, what the outcome was, status."""
    rows = []
    for r in progress_rows.itertuples():
        rows.append(
            {
                t("promise.col_promise"): f"{r.number}. {r.text}",
                t("promise.col_promised"): promised_words(r),
                t("promise.col_outcome"): outcome_words_of(r, activities),
                t("promise.col_status"): t(f"promise.status_{r.status}"),
            }
        )
    columns = [t(f"promise.col_{c}") for c in ("promise", "promised", "outcome", "status")]
    return pd.DataFrame(rows, columns=columns)


def outcome_words(result, d: Disclosure) -> tuple[str, str]:
    """The promise's outcome sentence and verdict code, by the same rules as the overview."""
    change = result.change
    c = change.comparison
    code = headline_verdict(change, d)
    period = fmt_period(result.filters.start, result.filters.end)
    if code == changes.NO_DATA:
        return _compare_sentence(change, d), code
    text = t(
        "promise.outcome_compare",
        current=d.text(c.current),
        previous=d.text(c.previous),
        period=period,
        verdict=verdict_word(code),
    )
    if code in (stats.INCREASE, stats.DECREASE, stats.NO_CHANGE):
        text += " " + change_words(c).capitalize() + "."
    return text, code


PROMISE_STATUS_WORDS = "promise.status_{}"


def promises_view(
    data: Data,
    definitions: pd.DataFrame,
    activities: pd.DataFrame,
    period_id: str,
    as_of,
    d: Disclosure,
) -> View:
    """The promise page's status per indicator, its outcome verdicts and the follow-up table
    as of a day."""
    rows, acts = promises.standing(definitions, activities, period_id, as_of)
    first = rows.iloc[0] if len(rows) else None
    f = Filters(
        first["period_start"].date() if first is not None else as_of,
        as_of,
    )
    view = View("medborgarloftet", f)
    view.tables["uppfoljning"] = follow_up(rows, acts)
    for r in rows.itertuples():
        subject = r.indicator_label if pd.notna(r.indicator_id) else t("promise.no_indicator")
        view.verdict(f"{r.number}. {subject}", t(PROMISE_STATUS_WORDS.format(r.status)))
    outcomes = {}
    for number, group in rows.groupby("number", sort=True):
        promise = group.iloc[0]
        shown_as_of = (
            as_of if d.exact else periods.public_month_end(as_of, promise["period_end"].date())
        )
        result = promises.outcome(
            data.cube, promise, shown_as_of, data.muni, data.coverage, d.counter
        )
        if result is None:
            continue
        text, code = outcome_words(result, d)
        outcomes[number] = (result, text)
        view.verdict(f"{number}. {t('promise.outcome_heading')}", code)
        view.sentences.append(f"{number}. {text}")
    view.extra.update(rows=rows, activities=acts, outcomes=outcomes)
    return view


# --- Peer comparison ---------------------------------------------------------------------------


def verdict_sentence(
    muni: Municipality, own_row, group_rate: float, year: int, category: str
) -> str:
    beyond = "" if own_row.verdict == peers.INSIDE else "998" if own_row.beyond_998 else "95"
    return t(
        f"peers.verdict_{own_row.verdict}",
        municipality=muni.name,
        year=year,
        category=category.lower(),
        rate=fmt_num(own_row.rate_per_100k, 0),
        group=fmt_num(group_rate, 0),
        beyond=t(f"peers.beyond_{beyond}") if beyond else "",
    )


def group_label(muni: Municipality, group) -> str:
    return group.label or t("peers.group_county", county=muni.county)


def group_sentence(muni: Municipality, group, codes: list[str], present: pd.DataFrame) -> str:
    """Names the group honestly: the members besides the municipality when the group is a
    short list, else the group's name and how many municipalities have figures."""
    names = {r.code: r.name for r in regions()}
    others = [names.get(c, c) for c in codes if c != muni.code]
    if not group.county and len(others) <= 8:
        return t("peers.group_members", group=group_label(muni, group), members=", ".join(others))
    return t("peers.group_count", group=group_label(muni, group), n=len(present))


def dispersion_text(d: peers.Dispersion | None, members: int) -> str:
    if d is None:
        return ""
    phi = fmt_num(d.phi, 0 if d.phi >= 10 else 1)
    parts = [
        t("peers.dispersion_wide", phi=phi, tau=fmt_pct(d.tau_relative, 0))
        if d.overdispersed
        else t("peers.dispersion_plain", phi=phi)
    ]
    if d.on_reference:
        parts.append(t("peers.dispersion_reference", members=members, n=d.members))
    if d.small:
        parts.append(t("peers.dispersion_small", n=d.members))
    return " ".join(parts)


def funnel_table(points: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in points.sort_values("rate_per_100k", ascending=False).itertuples():
        rows.append(
            {
                t("peers.col_region"): r.region,
                t("peers.col_population"): fmt_int(r.pop),
                t("peers.col_count"): fmt_int(r.n),
                t("peers.col_rate"): fmt_num(r.rate_per_100k, 0),
                t("peers.col_limits"): f"{fmt_num(r.lower, 0)}–{fmt_num(r.upper, 0)}",
                t("peers.col_limits_998"): f"{fmt_num(r.lower_998, 0)}–{fmt_num(r.upper_998, 0)}",
                t("peers.col_verdict"): t(f"peers.short_{r.verdict}"),
            }
        )
    return pd.DataFrame(rows)


def peers_view(annual: pd.DataFrame, muni: Municipality, f: Filters) -> View:
    """The comparison page for the default group, all reported crimes, in the latest whole
    year up to the selection's end: published statistics of whole municipalities."""
    view = View("jamforelse", f)
    category = t("peers.all_crimes")
    own = annual[(annual["region_code"] == muni.code) & (annual["category"] == category)]
    years = sorted(y for y in own["year"].unique() if int(y) <= f.end.year)
    if not years:
        view.sentences.append(t("peers.no_data", municipality=muni.name))
        return view
    year = int(years[-1])
    group = peers.comparison_groups(muni)[0]
    codes = peers.group_codes(group, muni)
    result = peers.comparison(annual, year, category, codes)
    points = result.points if result is not None else pd.DataFrame(columns=["region_code"])
    view.sentences.append(group_sentence(muni, group, codes, points))
    view.extra["year"] = year
    mine = points[points["region_code"] == muni.code]
    if result is None or len(points) < 3 or mine.empty:
        view.sentences.append(t("peers.too_few", year=year))
        return view
    own_row = next(mine.itertuples())
    view.total = int(own_row.n)  # published statistics: not ours to suppress
    view.sentences.append(verdict_sentence(muni, own_row, result.group_rate, year, category))
    view.notes.append(dispersion_text(result.dispersion, len(points)))
    view.tables["kommuner"] = funnel_table(points)
    for r in points.itertuples():
        view.verdict(f"{r.region} {year}", t(f"peers.short_{r.verdict}"))
    return view


# --- Cameras and other dated interventions ----------------------------------------------------


def camera_view(found: list[interventions.Evaluation], d: Disclosure) -> pd.DataFrame:
    """One row per camera as shown: the months compared, the counts in the three areas, the
    change against the comparison area, the verdict and the displacement reading. A hidden
    count in the camera's area hides the change and verdict (they would give it away); a
    hidden count in the ring hides the displacement reading."""

    def shown(n: int | None) -> str:
        return "–" if n is None else d.text(n)

    def months(e: interventions.Evaluation) -> str:
        m = e.months
        if not m.used:
            return t("interventions.months_none", asked=m.asked)
        first = interventions.month_start(min(m.after))
        last = interventions.month_start(max(m.after))
        return t(
            "interventions.months_used",
            used=m.used,
            asked=m.asked,
            first=fmt_month(first),
            last=fmt_month(last),
        )

    def hidden_target(e: interventions.Evaluation) -> bool:
        """A hidden count in the target or the comparison area: the ratio of rate ratios
        (shown to the per cent) would give it back."""
        return d.any_hidden(e.target_before, e.target_after, e.control_before, e.control_after)

    def change(e: interventions.Evaluation) -> str:
        r = e.effect
        if r is None or r.ratio is None or math.isinf(r.ratio) or hidden_target(e):
            return "–"
        return short_change(r.ratio, r.low, r.high)

    def verdict(e: interventions.Evaluation) -> str:
        if e.verdict == interventions.NO_DATA:
            return t(f"interventions.no_data_{e.months.missing}")
        if hidden_target(e) and e.verdict != interventions.TOO_FEW:
            return t("verdict.hidden")
        return t(f"verdict.{e.verdict}")

    def displacement(e: interventions.Evaluation) -> str:
        if e.reading == interventions.UNDEFINED or hidden_target(e):
            return "–"
        if d.any_hidden(e.buffer_before, e.buffer_after):
            return t("verdict.hidden")
        return t(
            "interventions.wdq",
            reading=t(f"interventions.reading_{e.reading}"),
            value=fmt_signed(e.wdq, 2),
        )

    return pd.DataFrame(
        {
            t("interventions.col_camera"): [e.intervention.name for e in found],
            t("interventions.col_installed"): [fmt_date(e.intervention.start) for e in found],
            t("interventions.col_months"): [months(e) for e in found],
            t("interventions.col_target_before"): [shown(e.target_before) for e in found],
            t("interventions.col_target_after"): [shown(e.target_after) for e in found],
            t("interventions.col_buffer_before"): [shown(e.buffer_before) for e in found],
            t("interventions.col_buffer_after"): [shown(e.buffer_after) for e in found],
            t("interventions.col_control_before"): [shown(e.control_before) for e in found],
            t("interventions.col_control_after"): [shown(e.control_after) for e in found],
            t("interventions.col_change"): [change(e) for e in found],
            t("interventions.col_verdict"): [verdict(e) for e in found],
            t("interventions.col_displacement"): [displacement(e) for e in found],
        }
    )


def camera_verdicts(found: list[interventions.Evaluation], d: Disclosure) -> list[dict]:
    """One verdict per camera, by the rules of ``camera_view`` (no data before or after is
    "ingen data")."""
    table = camera_view(found, d)
    names = table[t("interventions.col_camera")]
    out = []
    for e, name, word in zip(found, names, table[t("interventions.col_verdict")], strict=True):
        if e.verdict == interventions.NO_DATA:
            word = t("verdict.no_data")
        out.append({"subject": str(name), "verdict": word})
    return out
