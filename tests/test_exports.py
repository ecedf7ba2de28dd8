"""Exports that one row cannot break (lib/public/exports.py, issue 24.3): every value an old
store may hold is written to Excel and CSV, characters Excel cannot hold escaped, cells over
32 767 characters cut with a marker, formulas neutralised, odd objects as text; and a file
that still cannot be made is a file with a Swedish message, never a missing download. Before
issue 24 one control character in a note made openpyxl raise IllegalCharacterError, and the
analyst got no file at all."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lib.figures.signals import tertial_ranking, weekly_picture
from lib.public import exports, weekly

# Every character openpyxl refuses, and the rest that make trouble.
ILLEGAL = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
TROUBLE = ["\u202e", "\u2066", "\ud800", "\udfff", "\ufffe", "\uffff"]


def read_excel(data: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def read_csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str)


@pytest.mark.parametrize("char", list(ILLEGAL) + TROUBLE)
def test_every_character_excel_cannot_hold_is_escaped(char):
    # object: pandas' own string type cannot even hold a lone surrogate
    frame = pd.DataFrame({"anteckning": [f"före{char}efter", "vanlig"]}, dtype=object)
    expected = f"före[U+{ord(char):04X}]efter"
    assert read_excel(exports.excel_bytes(frame, "Ärenden"))[1] == [expected]
    assert read_csv(exports.csv_bytes(frame))["anteckning"].tolist() == [expected, "vanlig"]


def test_tabs_line_breaks_and_letters_stay_as_they_are():
    text = "rad ett\nrad två\tflik åäö 👨\u200d👩\u200d👧 ©"
    frame = pd.DataFrame({"anteckning": [text]})
    assert read_excel(exports.excel_bytes(frame, "x"))[1] == [text]


def test_a_cell_over_excels_limit_is_cut_with_a_marker():
    frame = pd.DataFrame({"verksamhet": ["x" * 100_000, "kort"], "n": [1, 2]})
    rows = read_excel(exports.excel_bytes(frame, "Rapporter"))
    cut = rows[1][0]
    assert len(cut) == exports.EXCEL_CELL_MAX
    assert cut.startswith("x" * 30_000)
    assert cut.endswith(
        "(avkortad: värdet har 100\u00a0000 tecken, en cell i Excel rymmer 32\u00a0767)"
    )
    assert rows[2] == ["kort", 2]
    assert len(read_csv(exports.csv_bytes(frame))["verksamhet"][0]) == exports.EXCEL_CELL_MAX


def test_formulas_are_still_neutralised():
    frame = pd.DataFrame({"a": ["=1+1", "+46", "-x", "@y", "\x01=2"], "b": [1, -2, 3, 4, 5]})
    rows = read_excel(exports.excel_bytes(frame, "x"))
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+46", "'-x", "'@y", "[U+0001]=2"]
    assert [r[1] for r in rows[1:]] == [1, -2, 3, 4, 5]  # numbers stay numbers


def test_odd_values_in_a_table_are_written_too():
    zone = "Europe/Stockholm"
    frame = pd.DataFrame(
        {
            "när": pd.to_datetime(["2025-05-01 10:00"]).tz_localize("UTC"),
            "objekt": [["en", "lista"]],
            "komplext": [complex(1, 2)],
            "oändligt": [float("inf")],
            "saknas": [None],
            "dag": [dt.date(2025, 5, 1)],
            "kategori": pd.Categorical(["a\x01"]),
            "heltal": np.array([7], dtype="int64"),
            "ja": [True],
            "mixad": pd.Series([pd.Timestamp("2025-05-01 12:00", tz=zone)], dtype=object),
        }
    )
    rows = read_excel(exports.excel_bytes(frame, "Tabell: [x]/y?"))
    assert rows[1][0] == dt.datetime(2025, 5, 1, 12, 0)  # local wall time
    assert rows[1][1] == "['en', 'lista']" and rows[1][2] == "(1+2j)"
    assert rows[1][6] == "a[U+0001]" and rows[1][7] == 7 and rows[1][8] is True
    assert rows[1][9] == dt.datetime(2025, 5, 1, 12, 0)
    assert read_csv(exports.csv_bytes(frame))["kategori"][0] == "a[U+0001]"


def test_column_names_and_sheet_names_are_made_safe():
    frame = pd.DataFrame({"=summa\x01": [1], 3: [2]})
    data = exports.workbook_bytes([("Per plats: vecka 12", frame), ("Per plats: vecka 12", frame)])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Per plats  vecka 12", "Per plats  vecka 12 (2)"]
    assert [c.value for c in next(book.active.iter_rows())] == ["'=summa[U+0001]", "3"]


def test_a_download_that_fails_is_a_file_with_a_swedish_message():
    def broken() -> bytes:
        raise RuntimeError("något oväntat")

    excel = exports.guarded(broken, "xlsx")()
    rows = read_excel(excel)
    assert rows[0] == ["Fel"] and rows[1][0].startswith("Filen kunde inte skapas (RuntimeError)")
    csv = read_csv(exports.guarded(broken, "csv")())
    assert csv.columns.tolist() == ["Fel"] and "kunde inte skapas" in csv["Fel"][0]
    assert exports.guarded(lambda: b"ok", "csv")() == b"ok"


def test_the_weekly_workbook_takes_any_place_name(muni):
    """Places and categories are the configuration's, but a table cell is a table cell."""
    reports = pd.DataFrame(
        {
            "id": ["a", "b"],
            "occurred_at": pd.to_datetime(["2025-05-05 12:00", "2025-05-06 12:00"]),
            "category": ["klotter", "klotter"],
            "severity": [1, 2],
            "place": ["=Torget\x01", "x" * 40_000],
            "locality": ["Hallsberg", "Hallsberg"],
            "merged_into": [None, None],
            "status": ["new", "new"],
        }
    )
    picture = weekly_picture(reports, dt.date(2025, 5, 5))
    ranking = tertial_ranking(reports, dt.date(2025, 5, 1), dt.date(2025, 8, 31))
    actions = pd.DataFrame(
        {
            "title": ["Sanera\x1b"],  # an action stored before the input gate
            "owner": ["Gata"],
            "date": pd.to_datetime(["2025-05-07"]),
            "place": ["Torget"],
            "status": ["planned"],
            "reports": [1],
        }
    )
    data = weekly.weekly_excel(picture, {"klotter": "Klotter"}, actions, ranking, "maj–aug")
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = [c.value for s in book.worksheets for r in s.iter_rows() for c in r]
    assert "'=Torget[U+0001]" in values and "Sanera[U+001B]" in values
    assert "Fel" not in book.sheetnames
