"""Dates and times as Swedish files write them (issue 21.5): every spelling a real file holds
is read to the minute, slash dates whose order no row settles are asked about once, and a
row that still is no date gets the per-row Swedish error with its line."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from lib.ingest.dates import both_readings
from lib.ingest.importers import parse_dates, read_table
from lib.ingest.loading import import_bytes

HEADER = "datum;kategori;ort;källa"


def csv(*dates: str) -> bytes:
    rows = [f"{d};Stöld;Hallsberg;Polisen" for d in dates]
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def minutes(values: pd.Series) -> list[str]:
    return values.dt.strftime("%Y-%m-%d %H:%M").tolist()


@pytest.mark.parametrize(
    ("text", "when", "timed"),
    [
        ("2024-03-05 kl 14.30", "2024-03-05 14:30", True),
        ("2024-03-05 kl. 14:30", "2024-03-05 14:30", True),
        ("2024-03-05, kl 14.30", "2024-03-05 14:30", True),
        ("2024-03-12 21.15", "2024-03-12 21:15", True),
        ("05.03.2024 kl 14.30", "2024-03-05 14:30", True),
        ("5/3/2024 14.30", "2024-03-05 14:30", True),
        ("5 mars 2024", "2024-03-05 00:00", False),
        ("5 MARS 2024 14:30", "2024-03-05 14:30", True),
        ("5 mar 2024", "2024-03-05 00:00", False),
        ("5 mar. 2024 kl 9.05", "2024-03-05 09:05", True),
        ("12 sept 2024", "2024-09-12 00:00", False),
        ("tisdag 5 mars 2024", "2024-03-05 00:00", False),
        ("5\u00a0mars\u00a02024", "2024-03-05 00:00", False),
        ("45356", "2024-03-05 00:00", False),
        ("45356.6041", "2024-03-05 14:29", True),
        ("45356,6041", "2024-03-05 14:29", True),
        ("2024-03-05T14:30:00.5", "2024-03-05 14:30", True),
    ],
)
def test_a_spelling_reads_to_the_minute(text, when, timed):
    values, known, bad = parse_dates(pd.Series([text]))
    assert not bad.iloc[0], text
    assert minutes(values) == [when]
    assert known.tolist() == [timed]


@pytest.mark.parametrize(
    "text",
    [
        "igår",
        "2024",
        "12345",
        "31/2/2024",
        "2024-03-05 kl 25.00",
        "2024-03-05 14.75",
        "5 mors 2024",
    ],
)
def test_what_is_no_date_stays_bad(text):
    values, known, bad = parse_dates(pd.Series([text, "2024-03-05 kl 14.30"]))
    assert bad.tolist() == [True, False]
    assert pd.isna(values.iloc[0]) and not known.iloc[0]


def test_a_whole_file_written_with_kl_imports(muni, store):
    """Issue 21.5: a file written 'kl 14.30' throughout imported nothing."""
    data = csv(*(f"2024-03-{d:02d} kl {d}.{d:02d}" for d in range(1, 11)))
    outcome = import_bytes(store, data, "incidents", muni, "kl.csv")
    assert outcome.ok, outcome.messages
    stored = store.read_incidents().sort_values("occurred_at")
    assert minutes(stored["occurred_at"])[:2] == ["2024-03-01 01:01", "2024-03-02 02:02"]
    assert stored["time_known"].all()


def test_a_row_that_is_no_date_gets_its_line(muni):
    result = read_table(
        csv("2024-03-05 kl 14.30", "2024-03-05 kl 25.00", "5 mars 2024"), "incidents", muni
    )
    assert len(result.valid) == 2
    assert [e.message() for e in result.errors] == [
        "Rad 3, kolumn datum: ogiltigt datum ”2024-03-05 kl 25.00” (använd t.ex. 2019-03-05 "
        "eller 2019-03-05 22:15)"
    ]


# --- day/month order ------------------------------------------------------------------------


def test_a_day_over_12_makes_the_file_day_first(muni):
    result = read_table(csv("5/3/2024", "25/3/2024 22.15"), "incidents", muni)
    assert result.ok and not result.needs_date_order and result.ambiguous_date is None
    assert sorted(minutes(result.valid["occurred_at"])) == ["2024-03-05 00:00", "2024-03-25 22:15"]


def test_a_month_position_over_12_makes_the_file_month_first(muni):
    result = read_table(csv("5/3/2024", "3/25/2024"), "incidents", muni)
    assert result.ok and not result.needs_date_order, result.errors
    assert sorted(minutes(result.valid["occurred_at"])) == ["2024-03-25 00:00", "2024-05-03 00:00"]


def test_an_ambiguous_file_asks_once_and_reads_as_answered(muni):
    data = csv("5/3/2024", "6/4/2024 kl 8.15", "2024-03-07")
    asked = read_table(data, "incidents", muni, "oklar.csv")
    assert asked.needs_date_order and asked.file_failed and asked.valid.empty
    assert asked.ambiguous_date == "5/3/2024"
    [error] = asked.errors
    assert "kolumnen datum" in error.reason and "dag/månad" in error.reason
    assert "månad/dag" in error.reason and "5/3/2024" in error.reason
    day_first = read_table(data, "incidents", muni, date_order="dm")
    assert day_first.ok and not day_first.needs_date_order
    assert day_first.ambiguous_date == "5/3/2024"  # the page keeps the question on screen
    assert sorted(minutes(day_first.valid["occurred_at"])) == [
        "2024-03-05 00:00",
        "2024-03-07 00:00",
        "2024-04-06 08:15",
    ]
    month_first = read_table(data, "incidents", muni, date_order="md")
    assert sorted(minutes(month_first.valid["occurred_at"])) == [
        "2024-03-07 00:00",
        "2024-05-03 00:00",
        "2024-06-04 08:15",
    ]


def test_equal_day_and_month_and_dot_dates_ask_nothing(muni):
    """5/5 reads the same both ways; 05.03.2024 is always day-first."""
    result = read_table(csv("5/5/2024", "05.03.2024 kl 14.30"), "incidents", muni)
    assert result.ok and not result.needs_date_order and result.ambiguous_date is None
    assert sorted(minutes(result.valid["occurred_at"])) == ["2024-03-05 14:30", "2024-05-05 00:00"]


def test_both_readings_name_the_two_dates():
    readings = both_readings("5/3/2024")
    assert readings["dm"] == pd.Timestamp("2024-03-05")
    assert readings["md"] == pd.Timestamp("2024-05-03")


# --- Excel ------------------------------------------------------------------------------------


def test_excel_dates_as_cells_serials_and_text(muni):
    """One date column as an Excel file really holds it: date cells (with seconds, and
    date-only), numbers where the cells were formatted as numbers, and typed text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["datum", "kategori", "ort", "källa"])
    for when in (
        dt.datetime(2024, 3, 5, 14, 30, 15),
        dt.datetime(2024, 3, 6),
        45356,
        45356.6041666667,
        "5 mars 2024 kl 14.30",
        "2024-03-12 21.15",
    ):
        sheet.append([when, "Stöld", "Hallsberg", "Polisen"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_table(buffer.getvalue(), "incidents", muni, "datum.xlsx")
    assert result.ok, result.errors
    got = result.valid.reset_index(drop=True)
    assert minutes(got["occurred_at"]) == [
        "2024-03-05 14:30",
        "2024-03-06 00:00",
        "2024-03-05 00:00",
        "2024-03-05 14:30",
        "2024-03-05 14:30",
        "2024-03-12 21:15",
    ]
    assert got["time_known"].tolist() == [True, False, False, True, True, True]
