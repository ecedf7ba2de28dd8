"""Every sheet of an Excel workbook is looked at (issue 21.4): sheets of the same shape are read
together, a cover page or instructions are left out with a note naming them, sheets of
different shapes are never guessed between, and no row is ever silently left behind. The
workbooks are built here with openpyxl, as Excel saves them."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl

from lib.ingest.formats import read_excel, sheet_choices
from lib.ingest.importers import read_table
from lib.ingest.limits import UPLOAD, Limits
from lib.ingest.loading import import_bytes, parse_file

HEADER = ["datum", "kategori", "ort", "källa"]
NOTHING_WRITTEN = "Inget sparades."


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    """An .xlsx with the given sheets, in order: (name, rows)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def incidents(month: int, n: int, start: int = 1) -> list[list]:
    return [HEADER] + [
        [f"2024-{month:02d}-{d:02d} 12:00", "Stöld", "Hallsberg", "Polisen"]
        for d in range(start, start + n)
    ]


COVER = [
    ["Händelser i Hallsbergs kommun 2024"],
    [],
    ["Sammanställd av säkerhetssamordnaren"],
    ["Uppdaterad", "2024-03-31"],
]
CAMERAS = [
    ["id", "namn", "lat", "lon", "radie_m"],
    ["K1", "Torget", "59,067", "15,11", "100"],
    ["K2", "Stationen", "59,065", "15,109", "150"],
]


def test_two_sheets_of_the_same_shape_are_read_together(muni, store):
    """Issue 21.4: data on two sheets imported the first (4 of 9 rows) without a word."""
    data = workbook(("Januari", incidents(1, 4)), ("Februari", incidents(2, 5)))
    result = read_table(data, None, muni, "två.xlsx")
    assert result.kind == "incidents" and result.ok, result.errors
    assert result.total_rows == 9 and len(result.valid) == 9
    assert result.chosen_sheets == ("Januari", "Februari")
    assert any("”Januari” och ”Februari”" in n and "9 rader" in n for n in result.notes)
    outcome = import_bytes(store, data, None, muni, "två.xlsx")
    assert outcome.ok and outcome.rows_added == 9 and store.count("incidents") == 9


def test_a_cover_sheet_is_left_out_and_named(muni):
    """Issue 21.4: data behind a cover page was refused ('välj typ av data')."""
    data = workbook(("Försättsblad", COVER), ("Data", incidents(3, 4)))
    result = read_table(data, None, muni, "rapport.xlsx")
    assert result.kind == "incidents" and result.ok, result.errors
    assert len(result.valid) == 4 and result.chosen_sheets == ("Data",)
    assert any("inte lästes in" in n and "”Försättsblad”" in n for n in result.notes)


def test_title_lines_above_the_header_and_lines_as_excel_numbers_them(muni):
    """A sheet whose table starts under a title: the header is found, and a refused row is
    named by its line in the sheet (blank lines counted, as Excel shows them)."""
    rows = [
        ["Händelser mars 2024"],
        [],
        *incidents(3, 2),
        [],
        ["igår", "Stöld", "Hallsberg", "Polisen"],
    ]
    result = read_table(workbook(("Mars", rows)), None, muni, "titel.xlsx")
    assert result.kind == "incidents" and len(result.valid) == 2
    assert [e.message() for e in result.errors] == [
        "Rad 7, kolumn datum: ogiltigt datum ”igår” (använd t.ex. 2019-03-05 eller "
        "2019-03-05 22:15)"
    ]


def test_rows_of_several_sheets_are_named_by_sheet_and_line(muni):
    bad = ["igår", "Stöld", "Hallsberg", "Polisen"]
    data = workbook(("Jan", [*incidents(1, 2), bad]), ("Feb", [*incidents(2, 1), bad]))
    result = read_table(data, None, muni, "fel.xlsx")
    assert result.rejected_rows == 2 and len(result.valid) == 3
    assert [(e.sheet, e.row) for e in result.errors] == [("Jan", 4), ("Feb", 3)]
    assert result.errors[1].message().startswith("Blad Feb, rad 3, kolumn datum: ogiltigt datum")


def test_sheets_of_different_shapes_are_not_guessed_between(muni, store):
    data = workbook(("Händelser", incidents(1, 4)), ("Kameror", CAMERAS))
    before = store.data_version()
    outcome = import_bytes(store, data, None, muni, "blandat.xlsx")
    assert not outcome.ok and outcome.messages[-1] == NOTHING_WRITTEN
    text = " ".join(outcome.messages)
    assert "olika rubriker" in text
    assert "”Händelser” (datum, kategori, ort, källa; 4 rader)" in text
    assert "”Kameror” (id, namn, lat, lon, radie_m; 2 rader)" in text
    assert outcome.read.needs_sheet and store.data_version() == before
    # Named, one sheet is read and the other is named as not read.
    chosen = import_bytes(store, data, None, muni, "blandat.xlsx", sheets=("Kameror",))
    assert chosen.ok and chosen.rows_added == 2 and store.count("cameras") == 2
    assert any("”Händelser” (datum" in m and "inte lästes in" in m for m in chosen.messages)


def test_one_sheet_of_a_same_shaped_pair_is_read_alone_and_the_other_named(muni):
    data = workbook(("Jan", incidents(1, 4)), ("Feb", incidents(2, 5)))
    result = read_table(data, None, muni, "val.xlsx", sheets=("Feb",))
    assert result.ok and len(result.valid) == 5 and result.chosen_sheets == ("Feb",)
    assert any("”Jan”" in n and "inte lästes in" in n for n in result.notes)


def test_sheets_named_that_differ_or_do_not_exist_are_refused(muni):
    data = workbook(("Händelser", incidents(1, 2)), ("Kameror", CAMERAS))
    differ = read_table(data, None, muni, "x.xlsx", sheets=("Händelser", "Kameror"))
    assert differ.file_failed and "olika rubriker" in differ.errors[0].reason
    missing = read_table(data, None, muni, "x.xlsx", sheets=("Mars",))
    assert missing.file_failed
    assert missing.errors[0].reason == (
        "bladet ”Mars” finns inte i arbetsboken (bladen: ”Händelser”, ”Kameror”)"
    )
    csv = "datum;kategori;ort;källa\r\n2024-01-01;Stöld;Hallsberg;Polisen\r\n".encode()
    not_excel = read_table(csv, None, muni, "x.csv", sheets=("Händelser",))
    assert "bara väljas i en Excel-arbetsbok" in not_excel.errors[0].reason


def test_a_workbook_without_a_table_says_so(muni):
    result = read_table(workbook(("Försättsblad", COVER), ("Blad2", [])), None, muni, "tom.xlsx")
    assert result.file_failed
    assert result.errors[0].reason == (
        "arbetsboken har ingen tabell: inget blad har en rubrikrad med minst två kolumner och "
        "rader under den (bladen: ”Försättsblad”, ”Blad2”)"
    )
    header_only = read_table(workbook(("Data", [HEADER])), None, muni, "rubrik.xlsx")
    assert header_only.errors[0].reason == "filen har rubrikrad men inga datarader"


def test_the_choices_a_page_offers():
    data = workbook(
        ("Försättsblad", COVER),
        ("Jan", incidents(1, 4)),
        ("Feb", incidents(2, 5)),
        ("Kameror", CAMERAS),
        ("Tomt", []),
    )
    raw = read_excel(data)
    assert raw.needs_sheet  # two shapes of known kinds
    assert [s.name for s in raw.sheets] == ["Försättsblad", "Jan", "Feb", "Kameror", "Tomt"]
    assert [s.rows for s in raw.sheets] == [2, 4, 5, 2, 0]
    assert sheet_choices(raw.sheets) == [
        ("Jan", "Feb"),
        ("Försättsblad",),
        ("Jan",),
        ("Feb",),
        ("Kameror",),
    ]


# --- the hardened reading, for every sheet -----------------------------------------------------


def test_every_sheet_is_read_in_the_child_process(muni):
    data = workbook(("Försättsblad", COVER), ("Jan", incidents(1, 4)), ("Feb", incidents(2, 5)))
    raw = parse_file(data, "barn.xlsx", muni, UPLOAD)
    assert raw.problem is None and len(raw.frame) == 9
    assert raw.chosen == ("Jan", "Feb") and raw.row_sheets[-1] == "Feb"
    one = parse_file(data, "barn.xlsx", muni, UPLOAD, ("Feb",))
    assert len(one.frame) == 5 and one.row_numbers == [2, 3, 4, 5, 6]


def test_limits_count_over_the_whole_workbook():
    """Two sheets each under the cell limit are together over it; sheets are counted."""
    data = workbook(("Jan", incidents(1, 4)), ("Feb", incidents(2, 4)))  # 20 cells each
    assert read_excel(data, Limits(max_file_mb=10, max_cells=30)).problem == (
        "filen har fler än 30 celler (rader gånger kolumner). Dela upp filen."
    )
    assert read_excel(data, Limits(max_file_mb=10, max_rows=8)).problem is None  # 4 + 4 rows
    too_many = read_excel(data, Limits(max_file_mb=10, max_rows=7)).problem
    assert too_many == "filen har 8 rader; högst 7 kan läsas. Dela upp filen."
    many = read_excel(data, Limits(max_file_mb=10, max_sheets=1)).problem
    assert many == "arbetsboken har 2 blad; högst 1 kan läsas"


def test_a_huge_declared_dimension_on_a_second_sheet_is_ignored(muni):
    """The bomb protection holds for every sheet: a sheet declaring a million rows of
    16 384 columns is read as the few cells it has."""
    data = workbook(("Jan", incidents(1, 2)), ("Feb", incidents(2, 2)))

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                body, found = re.subn(
                    rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:XFD1048576"', body
                )
                assert found == 1
            dst.writestr(item, body)
    raw = parse_file(out.getvalue(), "bomb.xlsx", muni, UPLOAD)
    assert raw.problem is None and len(raw.frame) == 4


def test_a_longer_row_on_a_sheet_is_refused_naming_it(muni):
    long_row = ["2024-01-05", "Stöld", "Hallsberg", "Polisen", "överflödig"]
    data = workbook(("Jan", incidents(1, 2)), ("Feb", [*incidents(2, 2), long_row]))
    result = read_table(data, None, muni, "lang.xlsx")
    assert result.errors[0].reason == (
        "rad 4 på bladet ”Feb” har fler ifyllda celler än rubrikraden"
    )
