"""The BRÅ meeting's periods: since which meeting, up to which day. The briefing itself (what
the projector and the PDF show) is made in ``lib.public.briefing``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lib.config import Municipality


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
