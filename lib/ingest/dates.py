"""Dates and times as Swedish files write them, read a whole column at a time.

ISO dates ('2024-03-05', '2024-03-05 14:30') take one fast pass. Whatever is left goes
through a few patterns, each applied to all remaining rows at once: '2024-03-05 kl 14.30',
'2024-03-12 21.15', day-first '05.03.2024', '5 mars 2024' and '5 mar 2024', slash dates
'5/3/2024', and Excel's serial numbers (45356, 45356.6041) that a date column holds when its
cells are formatted as numbers. A row no pattern reads is reported as bad, for the importer's
per-row message.

A slash date is day-first in Sweden but month-first in an American export; when no row of a
column settles it (a part over 12), the column is *ambiguous* and the caller asks the analyst.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DAY_FIRST, MONTH_FIRST = "dm", "md"
DATE_ORDERS = (DAY_FIRST, MONTH_FIRST)
SWEDISH_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        )
    )
}
# 'mar', 'mars', 'sept', 'okt': every start of a month's name of at least three letters.
MONTH_WORDS = {
    name[:n]: number for name, number in SWEDISH_MONTHS.items() for n in range(3, len(name) + 1)
}
# Excel counts days from 1899-12-30; serials outside 1970-2099 are no date a file means (a
# year '2024' or a count would otherwise read as a day in 1905).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
SERIAL_RANGE = (25_569, 73_050)
YEARS = (1800, 2200)  # beyond these a row is a bad date, not a date before 1990

ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$"
# The time after a date: '14:30', '14.30', 'kl 14.30', 'kl. 14:30', ', kl 9.05', 'T14:30:15'.
_TIME = (
    r"(?:(?:t|\s*,\s*|\s+)(?:kl\.?\s*)?"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,]\d+)?)?)?"
)
_WEEKDAY = r"(?:(?:måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag),?\s+)?(?:den\s+)?"
# RE2 patterns (pyarrow's regular expressions: no backreferences, so a date's two separators
# are captured and compared afterwards).
PATTERNS = {
    "ymd": rf"^(?P<y>\d{{4}})(?P<s1>[-/.])(?P<m>\d{{1,2}})(?P<s2>[-/.])(?P<d>\d{{1,2}}){_TIME}$",
    "dmy": rf"^(?P<d>\d{{1,2}})(?P<s1>[.-])(?P<m>\d{{1,2}})(?P<s2>[.-])(?P<y>\d{{4}}){_TIME}$",
    "named": (
        rf"^{_WEEKDAY}(?P<d>\d{{1,2}})\.?(?:\s+|-)(?P<mon>[a-zåäö]+)\.?(?:\s+|-)(?P<y>\d{{4}})"
        rf"{_TIME}$"
    ),
    "slash": rf"^(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<y>\d{{4}}){_TIME}$",
    "serial": r"^(?P<serial>\d{5}(?:[.,]\d+)?)$",
}


@dataclass
class Dates:
    """A column read as dates. ``ambiguous`` is a value showing that the column's slash dates
    read either way (day/month or month/day) when no order was given, else None."""

    values: pd.Series  # datetime64[ns], NaT where missing or bad
    time_known: pd.Series  # bool: the row gave a clock time
    bad: pd.Series  # bool: a value that is no date
    ambiguous: str | None = None


def read_dates(text: pd.Series, date_order: str | None = None) -> Dates:
    """``text``: a cleaned string column (NA for missing). ``date_order``: 'dm' or 'md' for
    slash dates, None to tell from the data (day-first when it cannot, with ``ambiguous``)."""
    values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    known = pd.Series(False, index=text.index)
    iso = text.str.match(ISO_DATE).fillna(False).astype(bool)
    if iso.any():
        parsed = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")
        hit = parsed.index[parsed.notna()]
        values.loc[hit] = parsed[parsed.notna()].astype("datetime64[ns]")
        known.loc[hit] = text[hit].str.len() > 10
    todo = text.notna() & values.isna()
    ambiguous = None
    if todo.any():
        # Each distinct spelling once (a date column repeats its values), then back to rows.
        codes, spellings = pd.factorize(text[todo])
        when, with_time, ambiguous = _read_spellings(pd.Series(spellings), date_order)
        rows = text.index[todo]
        values.loc[rows] = when.to_numpy()[codes]
        known.loc[rows] = with_time.to_numpy()[codes]
    bad = text.notna() & values.isna()
    return Dates(values, known & ~bad, bad, ambiguous)


def _read_spellings(spellings: pd.Series, date_order: str | None):
    """Distinct non-ISO values -> (timestamps, time given, ambiguous example): every pattern
    over all values it has not read yet."""
    when = np.full(len(spellings), np.datetime64("NaT"), dtype="datetime64[ns]")
    with_time = np.zeros(len(spellings), dtype=bool)
    ambiguous = None
    rest = pc.cast(pa.array(spellings.array), pa.string())
    rest = pc.replace_substring_regex(pc.utf8_lower(rest), "[\\s\u00a0\u202f]+", " ")
    rest = pc.utf8_trim_whitespace(rest)
    left = np.arange(len(spellings))  # positions of the values not read yet
    for family, pattern in PATTERNS.items():
        if not len(left):
            break
        parts, matched = _extract(rest, pattern, left)
        if parts.empty:
            continue
        if family == "slash":
            order, ambiguous = _slash_order(parts, spellings, date_order)
            stamps, timed = _slash(parts, order)
        elif family == "serial":
            stamps, timed = _serial(parts["serial"])
        else:
            stamps, timed = _assemble(parts, family)
        when[parts.index] = stamps.to_numpy(dtype="datetime64[ns]")
        with_time[parts.index] = timed.to_numpy(dtype=bool)
        rest, left = rest.filter(pa.array(~matched)), left[~matched]
    return pd.Series(when), pd.Series(with_time), ambiguous


def _extract(values: pa.Array, pattern: str, positions: np.ndarray):
    """The values that match, indexed by their ``positions``: their named groups (numbers as
    floats, NaN where a group is empty, month words as text), and which values matched."""
    found = pc.extract_regex(values, pattern)
    matched = found.is_valid()
    if "s1" in {f.name for f in found.type}:  # a date's two separators must be the same
        same = pc.equal(found.field("s1"), found.field("s2"))
        matched = pc.and_(matched, pc.fill_null(same, False))
    keep = np.asarray(matched.to_numpy(zero_copy_only=False), dtype=bool)
    if not keep.any():
        return pd.DataFrame(), keep
    found = found.filter(matched)
    columns = {}
    for name in (f.name for f in found.type):
        group = found.field(name)
        if name == "mon":
            columns[name] = group.to_numpy(zero_copy_only=False)
        elif name not in ("s1", "s2"):
            group = pc.replace_substring(group, ",", ".")
            group = pc.if_else(pc.equal(group, ""), pa.scalar(None, pa.string()), group)
            columns[name] = pc.cast(group, pa.float64()).to_numpy(zero_copy_only=False)
    return pd.DataFrame(columns, index=positions[keep]), keep


def _numbers(parts: pd.DataFrame, column: str) -> pd.Series:
    return parts[column] if column in parts else pd.Series(np.nan, index=parts.index)


def _assemble(parts: pd.DataFrame, family: str, day=None, month=None):
    """Timestamps from the extracted parts (NaT where no real date or time) and whether the
    row had a time."""
    if family == "named":
        month = parts["mon"].map(MONTH_WORDS).astype(float)
    day = _numbers(parts, "d") if day is None else day
    month = _numbers(parts, "m") if month is None else month
    year = _numbers(parts, "y")
    hour, minute = _numbers(parts, "H"), _numbers(parts, "M")
    second = _numbers(parts, "S").fillna(0)
    with_time = hour.notna()
    hour, minute = hour.fillna(0), minute.fillna(0)
    fine = month.notna() & year.between(*YEARS) & (hour < 24) & (minute < 60) & (second < 60)
    result = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[ns]")
    if fine.any():
        days = pd.to_datetime(
            pd.DataFrame({"year": year, "month": month, "day": day})[fine].astype(int),
            errors="coerce",
        )
        clock = pd.to_timedelta((hour * 3600 + minute * 60 + second)[fine].astype(int), unit="s")
        result.loc[fine[fine].index] = (days + clock).astype("datetime64[ns]")
    return result, with_time


def _slash_order(parts: pd.DataFrame, spellings: pd.Series, date_order: str | None):
    """The order of slash dates (the one given, else the one a part over 12 proves, else
    day-first) and, when the data cannot tell, a value that reads both ways."""
    first, second = _numbers(parts, "a"), _numbers(parts, "b")
    proven = None
    if (first > 12).any():
        proven = DAY_FIRST
    elif (second > 12).any():
        proven = MONTH_FIRST
    differ = first != second
    example = None
    if proven is None and differ.any():
        example = str(spellings.iloc[parts.index[differ.to_numpy()][0]])
    order = date_order if date_order in DATE_ORDERS else proven or DAY_FIRST
    return order, example


def _slash(parts: pd.DataFrame, order: str):
    first, second = _numbers(parts, "a"), _numbers(parts, "b")
    day, month = (first, second) if order == DAY_FIRST else (second, first)
    return _assemble(parts, "slash", day=day, month=month)


def _serial(number: pd.Series):
    """Excel's day numbers: the whole part is the day, the fraction the time of day."""
    inside = number.between(*SERIAL_RANGE)
    seconds = (number.where(inside) * 86_400).round()
    result = EXCEL_EPOCH + pd.to_timedelta(seconds, unit="s")
    return result.astype("datetime64[ns]"), (number % 1) > 0


def both_readings(example: str) -> dict[str, pd.Timestamp]:
    """A slash date read day-first and month-first ('dm', 'md' -> timestamp or NaT), for the
    question put to the analyst."""
    text = pd.Series([example], dtype="string")
    return {order: read_dates(text, order).values.iloc[0] for order in DATE_ORDERS}
