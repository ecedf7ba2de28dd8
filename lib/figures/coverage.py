"""Which days each source covers, so that a month without data is "ingen data", never zero.

A source covers the days from the first to the last incident of each file it came in (each
import), joined where they meet or overlap: the police's open-event feed downloaded in March
2023 covers nothing before, and two downloads a year apart leave the year between them
uncovered. A selection (the sources a viewer picked, or all) is described per day by a
*signature*: the bitmask of the selected sources that cover that day. Two periods are only
compared over day pairs with the same non-zero signature, so a change in coverage never
reads as a change in incidents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Span = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Coverage:
    # source code -> covered day intervals (inclusive), sorted and disjoint
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        return sorted(self.spans)

    def first_day(self) -> dt.date | None:
        starts = [s[0][0] for s in self.spans.values() if s]
        return min(starts) if starts else None

    def last_day(self) -> dt.date | None:
        ends = [s[-1][1] for s in self.spans.values() if s]
        return max(ends) if ends else None

    def _bits(self, sources: tuple[str, ...]) -> list[tuple[int, tuple[Span, ...]]]:
        names = self.sources
        chosen = [s for s in names if not sources or s in sources]
        return [(1 << names.index(s), self.spans[s]) for s in chosen]

    def day_signature(self, days, sources: tuple[str, ...] = ()) -> np.ndarray:
        """Bitmask per day of the selected sources (all when empty) covering it; 0 = no
        data."""
        values = pd.DatetimeIndex(pd.to_datetime(days)).normalize().as_unit("ns").asi8
        out = np.zeros(len(values), dtype=np.int64)
        for bit, spans in self._bits(sources):
            for first, last in spans:
                lo, hi = pd.Timestamp(first).value, pd.Timestamp(last).value
                out[(values >= lo) & (values <= hi)] |= bit
        return out

    def month_signature(self, months: pd.PeriodIndex, sources: tuple[str, ...] = ()) -> np.ndarray:
        """Per month: the signature shared by all its days, 0 where no selected source covers
        any day, and -1 where coverage changes within the month (partly covered)."""
        out = np.empty(len(months), dtype=np.int64)
        for i, month in enumerate(months):
            days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
            signature = self.day_signature(days, sources)
            out[i] = signature[0] if (signature == signature[0]).all() else -1
        return out


def coverage_of(incidents: pd.DataFrame, declared: dict[str, tuple[Span, ...]] | None = None):
    """Coverage from the stored incidents: each import (one file) covers its own span, from
    its first to its last incident day, for every source it holds; a source's spans are
    joined where adjacent or overlapping. A source that reports rarely (security guards) is
    thus covered as long as the file it came in. ``declared`` spans (e.g. given at import for
    a file that covers a period with quiet days at its ends) are added."""
    spans: dict[str, list[Span]] = {}
    if not incidents.empty:
        days = incidents["occurred_at"].dt.normalize()
        by_import = days.groupby(incidents["import_id"]).agg(["min", "max"])
        pairs = incidents[["import_id", "source"]].astype({"source": str}).drop_duplicates()
        for import_id, source in pairs.itertuples(index=False):
            first, last = by_import.loc[import_id]
            spans.setdefault(source, []).append((first.date(), last.date()))
    for source, extra in (declared or {}).items():
        spans.setdefault(source, []).extend(extra)
    return Coverage({s: _join(v) for s, v in spans.items()})


def _join(spans: list[Span]) -> tuple[Span, ...]:
    joined: list[list[dt.date]] = []
    for first, last in sorted(spans):
        if joined and first <= joined[-1][1] + dt.timedelta(days=1):
            joined[-1][1] = max(joined[-1][1], last)
        else:
            joined.append([first, last])
    return tuple((a, b) for a, b in joined)


def matched_days(
    coverage: Coverage | None,
    start: dt.date,
    end: dt.date,
    shift: pd.DateOffset,
    sources: tuple[str, ...] = (),
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, int]:
    """Days of [start, end] and their partners ``shift`` earlier that may be compared: both
    covered by the same non-zero signature. Returns (current days, previous days, days in the
    period). Without coverage information every day matches."""
    current = pd.date_range(start, end, freq="D")
    previous = current - shift
    if coverage is None:
        return current, previous, len(current)
    now = coverage.day_signature(current, sources)
    then = coverage.day_signature(previous, sources)
    keep = (now == then) & (now > 0)
    return current[keep], previous[keep], len(current)
