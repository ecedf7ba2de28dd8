"""The periods a viewer can choose: a fixed list made from the data, the promise periods and
the council's meeting dates.

Public figures are cell-key perturbed (``lib.public.disclosure``): the same records always get
the same small noise. That alone does not stop an averaging attack: with free dates a viewer
can ask hundreds of different periods that differ by one hidden month (1 January–31 March
minus 1 January–28 February, then 2 January–31 March minus 2 January–28 February, …), each
difference being the hidden count plus fresh noise, and the mean of many is the exact count.
The public therefore chooses among these presets only; their number grows with the months of
data and the meetings, not with the viewer's questions, so no cell can be asked about more
than a handful of times. Signed-in analysts may also choose any dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

# Kinds, in the order a viewer meets them.
LAST_12 = "last12"
THIS_YEAR = "this_year"
LAST_YEAR = "last_year"
MEETING = "meeting"
PROMISE = "promise"
YEAR = "year"
MONTH = "month"


@dataclass(frozen=True)
class Preset:
    id: str  # stable, used in the URL: "senaste-12", "ar-2024", "manad-2024-03", …
    kind: str
    start: dt.date
    end: dt.date  # inclusive
    # What the label needs besides the dates: the year, the month's first day, the promise
    # period's id or the meeting day.
    about: object = None

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        return self.start, self.end


def month_end(day: dt.date) -> dt.date:
    return pd.Period(day, "M").end_time.date()


def last_complete_month_end(last: dt.date) -> dt.date:
    """The last day of the latest month the data covers to its end."""
    end = month_end(last)
    return end if end == last else last.replace(day=1) - dt.timedelta(days=1)


def presets(
    first: dt.date | None,
    last: dt.date | None,
    promise_periods: Iterable = (),
    meetings: Iterable[dt.date] = (),
    today: dt.date | None = None,
) -> list[Preset]:
    """Every period a viewer can choose, the default (the latest 12 complete months) first.
    ``first``/``last`` are the first and last day with data; without data the list is made
    as if the data ended today."""
    today = today or dt.date.today()
    last = last or today
    first = min(first or last, last)
    out: list[Preset] = []
    end12 = last_complete_month_end(last)
    start12 = (pd.Period(end12, "M") - 11).start_time.date()
    out.append(Preset("senaste-12", LAST_12, start12, end12))
    out.append(Preset("i-ar", THIS_YEAR, dt.date(last.year, 1, 1), last, last.year))
    if first.year < last.year:
        year = last.year - 1
        out.append(
            Preset("forra-aret", LAST_YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), year)
        )
    for day in sorted({m for m in meetings if first <= m <= last}, reverse=True):
        out.append(Preset(f"mote-{day.isoformat()}", MEETING, day, last, day))
    for p in promise_periods:
        out.append(Preset(f"lofte-{p.id}", PROMISE, p.start, p.end, p.id))
    for year in range(last.year - 2, first.year - 1, -1):
        out.append(Preset(f"ar-{year}", YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), year))
    month = pd.Period(last, "M")
    while month >= pd.Period(first, "M"):
        start = month.start_time.date()
        end = min(month.end_time.date(), last)
        out.append(Preset(f"manad-{month.strftime('%Y-%m')}", MONTH, start, end, start))
        month -= 1
    return _unique(out)


def _unique(found: list[Preset]) -> list[Preset]:
    """One preset per span (the first, so 'i år' wins over the same span as a year); ids
    are unique by construction."""
    seen: set[tuple[dt.date, dt.date]] = set()
    out = []
    for p in found:
        if p.span not in seen:
            seen.add(p.span)
            out.append(p)
    return out


def find(choices: list[Preset], preset_id: str | None) -> Preset | None:
    return next((p for p in choices if p.id == preset_id), None)


def public_month_end(as_of: dt.date, period_end: dt.date) -> dt.date:
    """A day-by-day replay (the promise page's slider) shown to the public as of the last
    complete month: otherwise each day would be one more period to difference against."""
    if as_of >= period_end:
        return period_end
    end = month_end(as_of)
    return end if end == as_of else as_of.replace(day=1) - dt.timedelta(days=1)


def meeting_default(choices: list[Preset], within_days: int = 366) -> Preset:
    """The meeting view's default: since the latest meeting if that lies within a year of
    the data's end (an old meeting would make a years-long 'since the meeting'), otherwise
    the general default (the latest 12 months)."""
    latest = next((p for p in choices if p.kind == MEETING), None)
    if latest is not None and (latest.end - latest.start).days <= within_days:
        return latest
    return choices[0]
