"""Which months each source covers, so that a month without data is "ingen data", never zero,
and so that no public figure carries an incident's date.

A file's coverage is the period it declares (given at import) or, failing that, the whole
months from its first to its last incident. Those two months are *partial*: a file exported
in the middle of a month ends in the middle of it, and nothing in the file tells where, so
their incidents are counted and shown (marked "ofullständig") but never compared. The months
between are *fully* covered. Reports made in the app cover every month from the first report
to the current one, the current month partly. A source's coverage is the union over its
files; a month covered fully by one file is full whatever another says.

Coverage is thus whole months: the public sees it, the months compared and the freshness of
sources in months only, and no coverage boundary is an incident's day.

Comparisons use day pairs (a day and the same day a year earlier) and, for each pair, only the
sources that fully cover both days: a source that covers only one of two compared periods is
left out of that comparison (and named in the note), and never turns the other sources' months
into "ingen data". A selection is described per day by a *signature*, the bitmask of the
selected sources fully covering that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Span = tuple[dt.date, dt.date]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return pd.Period(day, "M").end_time.date()


@dataclass(frozen=True)
class Coverage:
    # source code -> fully covered day intervals (inclusive, whole months), sorted, disjoint
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    # source code -> first days of the months it covers only partly (never also full)
    partial: dict[str, tuple[dt.date, ...]] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        return sorted(set(self.spans) | set(self.partial))

    def first_day(self) -> dt.date | None:
        starts = [s[0][0] for s in self.spans.values() if s]
        starts += [m[0] for m in self.partial.values() if m]
        return min(starts) if starts else None

    def last_day(self, sources: tuple[str, ...] = ()) -> dt.date | None:
        """The last fully covered day of the selected sources (all when empty)."""
        ends = [s[-1][1] for k, s in self.spans.items() if s and (not sources or k in sources)]
        return max(ends) if ends else None

    def last_any_day(self) -> dt.date | None:
        """The last day of any month covered, fully or partly."""
        ends = [s[-1][1] for s in self.spans.values() if s]
        ends += [month_end(m[-1]) for m in self.partial.values() if m]
        return max(ends) if ends else None

    def first_day_of(self, source: str) -> dt.date | None:
        """The first day of the first month a source covers, fully or partly."""
        days = [s[0] for s in self.spans.get(source, ())] + list(self.partial.get(source, ()))
        return min(days) if days else None

    def last_month_of(self, source: str) -> dt.date | None:
        """The first day of the last month a source covers, fully or partly."""
        ends = [month_start(s[1]) for s in self.spans.get(source, ())]
        ends += list(self.partial.get(source, ()))
        return max(ends) if ends else None

    def bit(self, source: str) -> int:
        return 1 << self.sources.index(source) if source in self.sources else 0

    def chosen(self, sources: tuple[str, ...] = ()) -> list[str]:
        """The selected sources this coverage knows (all when ``sources`` is empty)."""
        return [s for s in self.sources if not sources or s in sources]

    def day_signature(self, days, sources: tuple[str, ...] = ()) -> np.ndarray:
        """Bitmask per day of the selected sources (all when empty) fully covering it; 0 = no
        full coverage."""
        values = _ns(days)
        out = np.zeros(len(values), dtype=np.int64)
        for source in self.chosen(sources):
            for first, last in self.spans.get(source, ()):
                lo, hi = pd.Timestamp(first).value, pd.Timestamp(last).value
                out[(values >= lo) & (values <= hi)] |= self.bit(source)
        return out

    def partial_days(self, days, sources: tuple[str, ...] = ()) -> np.ndarray:
        """Per day: a selected source covers its month only partly."""
        index = pd.DatetimeIndex(pd.to_datetime(days))
        months = index.year.to_numpy() * 12 + index.month.to_numpy()  # vectorised, no Periods
        chosen = self.chosen(sources)
        wanted = [m.year * 12 + m.month for s in chosen for m in self.partial.get(s, ())]
        return np.isin(months, wanted)

    def days_between(
        self, start: dt.date, end: dt.date, sources: tuple[str, ...] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per day from ``start`` to ``end``: fully covered by a selected source
        (``day_signature`` > 0), and covered only partly (``partial_days``)."""
        days = pd.date_range(start, end, freq="D")
        return self.day_signature(days, sources) > 0, self.partial_days(days, sources)

    def remember(self, key: tuple, make):
        """``make()``, worked out once per ``key`` for this coverage (see ``REMEMBERED``):
        for what depends on the coverage, a period and sources but not on the localities or
        categories chosen. What it returns is shared: never to be changed."""
        memo = self.__dict__.get("_memo")
        if memo is None:
            memo = {}
            object.__setattr__(self, "_memo", memo)  # frozen: not a field, never compared
        if key in memo:
            return memo[key]
        value = make()
        if len(memo) >= REMEMBERED:
            memo.clear()
        memo[key] = value
        return value

    def month_signature(self, months: pd.PeriodIndex, sources: tuple[str, ...] = ()) -> np.ndarray:
        """Per month: the signature shared by all its days, 0 where no selected source fully
        covers any day, and -1 where coverage changes within the month."""
        out = np.empty(len(months), dtype=np.int64)
        for i, month in enumerate(months):
            days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
            signature = self.day_signature(days, sources)
            out[i] = signature[0] if (signature == signature[0]).all() else -1
        return out


# What a coverage works out for a period and sources (the matched days of a comparison, the
# covered days of a series) does not depend on the localities or categories chosen, and every
# new question a viewer asks reuses it: a coverage (one per data version, shared) remembers up
# to this many (``Coverage.remember``), then starts again.
REMEMBERED = 512


def read_only(values: np.ndarray) -> np.ndarray:
    """A copy of ``values`` that cannot be changed: what ``Coverage.remember`` shares."""
    values = np.array(values)
    values.flags.writeable = False
    return values


def _ns(days) -> np.ndarray:
    return pd.DatetimeIndex(pd.to_datetime(days)).normalize().as_unit("ns").asi8


def file_coverage(first: dt.date, last: dt.date, declared: Span | None = None):
    """(full span or None, partial months) of one file of one source: its declared period,
    else the months from its first to its last incident with those two months partial."""
    if declared is not None:
        return declared, ()
    head, tail = month_start(first), month_start(last)
    inner_first = (pd.Period(head, "M") + 1).start_time.date()
    inner_last = (pd.Period(tail, "M") - 1).end_time.date()
    full = (inner_first, inner_last) if inner_first <= inner_last else None
    return full, tuple(sorted({head, tail}))


def ongoing_coverage(first: dt.date, today: dt.date):
    """(full span or None, partial months) of a source that is still reporting (the app's own
    reports): whole months from the first report's, the current month partly."""
    current = month_start(today)
    full_last = current - dt.timedelta(days=1)
    full = (month_start(first), full_last) if month_start(first) <= full_last else None
    return full, (current,)


def from_imports(
    spans: pd.DataFrame,
    declared: dict[int, Span] | None = None,
    ongoing: tuple[int, ...] = (),
    today: dt.date | None = None,
) -> Coverage:
    """Coverage from each import's first and last day per source (columns import_id, source,
    first, last), the periods imports declared (import id -> span) and the imports that are
    still going on (the app's own reports, covering up to ``today``)."""
    declared = declared or {}
    full: dict[str, list[Span]] = {}
    part: dict[str, set[dt.date]] = {}
    for row in spans.itertuples(index=False):
        first, last = pd.Timestamp(row.first).date(), pd.Timestamp(row.last).date()
        if int(row.import_id) in ongoing:
            span, months = ongoing_coverage(first, today or dt.date.today())
        else:
            span, months = file_coverage(first, last, declared.get(int(row.import_id)))
        if span is not None:
            full.setdefault(str(row.source), []).append(span)
        part.setdefault(str(row.source), set()).update(months)
    joined = {s: _join(v) for s, v in full.items()}
    partial = {}
    for source, months in part.items():
        left = sorted(m for m in months if not _inside(m, joined.get(source, ())))
        if left:
            partial[source] = tuple(left)
    return Coverage(joined, partial)


def coverage_of(incidents: pd.DataFrame, declared: dict[int, Span] | None = None) -> Coverage:
    """Coverage from incident rows (columns import_id, source, occurred_at): each import's
    first and last day per source, then ``from_imports``."""
    if incidents.empty:
        return from_imports(pd.DataFrame(columns=["import_id", "source", "first", "last"]))
    days = incidents["occurred_at"].dt.normalize()
    keyed = pd.DataFrame(
        {"import_id": incidents["import_id"], "source": incidents["source"].astype(str), "d": days}
    )
    spans = keyed.groupby(["import_id", "source"])["d"].agg(["min", "max"]).reset_index()
    spans.columns = ["import_id", "source", "first", "last"]
    return from_imports(spans, declared)


def _inside(month: dt.date, spans: tuple[Span, ...]) -> bool:
    return any(a <= month and month_end(month) <= b for a, b in spans)


def _join(spans: list[Span]) -> tuple[Span, ...]:
    joined: list[list[dt.date]] = []
    for first, last in sorted(spans):
        if joined and first <= joined[-1][1] + dt.timedelta(days=1):
            joined[-1][1] = max(joined[-1][1], last)
        else:
            joined.append([first, last])
    return tuple((a, b) for a, b in joined)


@dataclass(frozen=True)
class Matched:
    """Day pairs that may be compared: ``current`` days, their ``previous`` partners, and per
    pair the bitmask of the selected sources fully covering both days (``sources``; None
    without coverage information: every source counts)."""

    current: pd.DatetimeIndex
    previous: pd.DatetimeIndex
    days_in_period: int
    sources: np.ndarray | None
    left_out: tuple[str, ...] = ()  # selected sources covering a day of either period but
    # not compared on every pair


def matched_days(
    coverage: Coverage | None,
    start: dt.date,
    end: dt.date,
    shift: pd.DateOffset,
    sources: tuple[str, ...] = (),
) -> Matched:
    """Days of [start, end] and their partners ``shift`` earlier that may be compared: the
    pairs where some selected source fully covers both days; each pair compares only those
    sources."""
    if coverage is None:
        current = pd.date_range(start, end, freq="D")
        return Matched(current, current - shift, len(current), None)
    key = ("matched_days", start, end, shift, tuple(sources))
    return coverage.remember(key, lambda: _matched(coverage, start, end, shift, sources))


def _matched(
    coverage: Coverage, start: dt.date, end: dt.date, shift, sources: tuple[str, ...]
) -> Matched:
    current = pd.date_range(start, end, freq="D")
    previous = current - shift
    now = coverage.day_signature(current, sources)
    then = coverage.day_signature(previous, sources)
    both = now & then
    keep = both > 0
    seen = now | then
    left = []
    for source in coverage.chosen(sources):
        bit = coverage.bit(source)
        partly = coverage.partial_days(current, (source,)) | coverage.partial_days(
            previous, (source,)
        )
        present = bool((seen & bit).any()) or bool(partly.any())
        always = bool(keep.any()) and bool(((both[keep] & bit) > 0).all())
        if present and not always:
            left.append(source)
    return Matched(current[keep], previous[keep], len(current), read_only(both[keep]), tuple(left))


def rows_on(
    frame: pd.DataFrame,
    days: pd.DatetimeIndex,
    masks: np.ndarray | None,
    coverage: Coverage | None,
) -> pd.DataFrame:
    """Rows of a day-sorted frame (columns day and source) on ``days`` whose source is in
    that day's mask (``Matched.sources``; None: every source)."""
    if len(days) == 0:
        return frame.iloc[0:0]
    days = pd.DatetimeIndex(days)
    rows = frame[frame["day"].isin(days)]
    if masks is None or coverage is None or rows.empty:
        return rows
    mask_of_day = pd.Series(np.asarray(masks, dtype=np.int64), index=days.normalize())
    if not mask_of_day.index.is_unique:  # two pairs share a partner (29 February)
        mask_of_day = mask_of_day.groupby(level=0).agg(lambda v: np.bitwise_or.reduce(v.to_numpy()))
    day_mask = mask_of_day.reindex(rows["day"].to_numpy()).to_numpy()
    bits = {s: coverage.bit(s) for s in coverage.sources}
    return rows[(day_mask & per_value(rows["source"], bits, 0)) > 0]


def per_value(column: pd.Series, lookup: dict, default) -> np.ndarray:
    """``lookup`` of each value of ``column`` as text (``default`` where it has none, a
    missing value included). A categorical column is looked up once per category and then
    taken by its codes: a page asks this of every selection, and turning each row into text
    was a tenth of a new question's work."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        table = [lookup.get(str(c), default) for c in column.cat.categories] + [default]
        return np.asarray(table)[column.cat.codes.to_numpy()]  # code -1 (missing): default
    return np.asarray([lookup.get(str(v), default) if pd.notna(v) else default for v in column])
