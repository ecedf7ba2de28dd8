"""Every file format analysts bring, and every way such a file can be wrong.

Each bad input is imported for real (``import_bytes`` into a store that already holds a small
import) and must be refused with a clear Swedish message while the store stays exactly as it
was. The positive tests pin down what each format reads as; the property-based tests feed
random bytes and random CSV-shaped text to the readers, which must never raise.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import cli
from lib.config import load_municipality
from lib.ingest.formats import file_format, police_municipality, recognise_kind
from lib.ingest.importers import read_raw, read_table, to_swedish_csv
from lib.ingest.limits import COMMAND_LINE, UPLOAD, Limits
from lib.ingest.loading import (
    IMPORT_KINDS,
    import_bytes,
    read_file,
    template_bytes,
    template_rows,
    too_large,
)
from lib.ingest.promise_files import all_definitions
from lib.ingest.schemas import COLUMNS
from tests.conftest import FIXTURES, SHARED, table_snapshot

NOTHING_WRITTEN = "Inget sparades."
INCIDENT_HEADER = "datum;kategori;ort;källa"
POLICE_FILES = SHARED / "formats"
BIG_POLICE = POLICE_FILES / "polisen-events-orebro-lan-2023-2026.json"
SNAPSHOT_POLICE = POLICE_FILES / "polisen-events-snapshot-2026-08-22.json"


# --- helpers --------------------------------------------------------------------------------


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def snapshot(store) -> dict:
    """Everything the store holds (all five kinds), its log and data version."""
    snap = table_snapshot(store)
    for kind in ("peers", "survey"):
        snap[kind] = store.read(kind).astype(str).to_dict("records")
    snap["counts"] = {kind: store.count(kind) for kind in IMPORT_KINDS}
    return snap


@pytest.fixture
def seeded(store, muni):
    """A store that already holds one small import, so 'unchanged' is not trivially empty."""
    outcome = import_bytes(
        store, (FIXTURES / "excel_cp1252.csv").read_bytes(), "incidents", muni, "excel.csv"
    )
    assert outcome.ok and store.count("incidents") == 3
    return store


def refuse(store, muni, data: bytes, *keywords: str, kind="incidents", name="fil.csv", **kw):
    """Import ``data``; assert it is refused with every keyword in the Swedish messages and
    that the store is exactly as before. Returns the messages as one text."""
    before = snapshot(store)
    outcome = import_bytes(store, data, kind, muni, name, **kw)
    text = "\n".join(outcome.messages)
    assert not outcome.ok, text
    assert outcome.import_id is None and outcome.rows_added == 0
    assert outcome.messages[-1] == NOTHING_WRITTEN
    for keyword in keywords:
        assert keyword in text, f"{keyword!r} not in {text!r}"
    assert "Traceback" not in text
    assert snapshot(store) == before
    return text


def police_event(id_, when, name, type_, place, summary=""):
    return {
        "id": id_,
        "datetime": when,
        "name": name,
        "summary": summary,
        "url": f"/aktuellt/handelser/{id_}/",
        "type": type_,
        "location": {"name": place, "gps": "59.066667,15.116667"},
    }


# A hand-written police feed: every rule the reader applies has one event here.
POLICE_EVENTS = [
    # The name carries no time: the publication time is used, its hour written unpadded.
    police_event(
        9001,
        "2025-06-07 7:32:06 +02:00",
        "Trafikkontroll, Hallsberg",
        "Trafikkontroll",
        "Hallsberg",
        "Kontroll av tung trafik vid E20.",
    ),
    # County-level location (since 2025): the municipality is the end of the name; '.' time.
    police_event(
        9002,
        "2025-08-21 13:05:00 +02:00",
        "21 augusti 11.30, Skadegörelse, Hallsberg",
        "Skadegörelse",
        "Örebro län",
        "Klotter på en skola i Pålsboda.",
    ),
    police_event(
        9003,
        "2025-08-22 06:10:00 +02:00",
        "22 augusti 06.00, Sammanfattning natt, Hallsberg",
        "Sammanfattning natt",
        "Hallsberg",
        "Lugn natt i Hallsberg.",
    ),
    police_event(
        9004,
        "2025-08-22 09:00:00 +02:00",
        "22 augusti 08:15, Stöld, Örebro",
        "Stöld",
        "Örebro",
        "Cykelstöld i centrala Örebro.",
    ),
    police_event(
        9005,
        "2025-09-01 10:00:00 +02:00",
        "1 september 09:00, Stöld, Kumla",
        "Stöld",
        "Örebro län",
        "Stöld i Kumla.",
    ),
    # Happened on New Year's Eve, published in January: it belongs to the year before.
    police_event(
        9006,
        "2026-01-02 10:00:00 +01:00",
        "31 december 23:45, Brand, Hallsberg",
        "Brand",
        "Hallsberg",
        "Brand i ett förråd i Vretstorp.",
    ),
    # Unpadded hour in the name.
    police_event(
        9007,
        "2025-03-06 08:00:00 +01:00",
        "6 mars 7:05, Trafikolycka, Hallsberg",
        "Trafikolycka",
        "Hallsberg",
        "",
    ),
]
POLICE_EXPECTED = {
    "polisen-9001": ("2025-06-07 07:32", "Trafikkontroll", "Hallsberg"),
    "polisen-9002": ("2025-08-21 11:30", "Skadegörelse", "Pålsboda"),
    "polisen-9006": ("2025-12-31 23:45", "Brand", "Vretstorp"),
    "polisen-9007": ("2025-03-06 07:05", "Trafikolycka", "Hallsberg"),
}


def police_bytes(events, indent=None) -> bytes:
    return json.dumps(events, ensure_ascii=False, indent=indent).encode("utf-8")


# --- bad inputs: each refused with a Swedish message, nothing stored ---------------------------


def test_empty_file(seeded, muni):
    refuse(seeded, muni, b"", "tom")
    refuse(seeded, muni, b" \r\n\r\n", "tom")
    refuse(seeded, muni, b"   ", "tom")


def test_file_with_only_excel_bom_is_empty(seeded, muni):
    refuse(seeded, muni, b"\xef\xbb\xbf", "tom")  # Excel's "CSV UTF-8" of an empty sheet


def test_csv_starting_with_a_blank_line(seeded, muni):
    # Either read past the blank line or refuse it in Swedish; never crash.
    data = b"\r\n" + csv_bytes(INCIDENT_HEADER, "2019-01-01;Stöld;Hallsberg;Polisen")
    before = snapshot(seeded)
    outcome = import_bytes(seeded, data, "incidents", muni, "tomrad.csv")
    if not outcome.ok:
        assert outcome.messages[-1] == NOTHING_WRITTEN and snapshot(seeded) == before


def test_header_only(seeded, muni):
    refuse(seeded, muni, csv_bytes(INCIDENT_HEADER), "inga datarader")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4,  # gzip
        "datum;kategori;ort;källa\r\n".encode("utf-16"),  # a UTF-16 text is not our CSV either
    ],
    ids=["png", "gzip", "utf16"],
)
def test_binary_file_renamed_csv(seeded, muni, data):
    refuse(seeded, muni, data, "inte en textfil", name="bild.csv")


def test_zip_renamed_csv_is_treated_as_excel_and_refused(seeded, muni):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hej")
    refuse(seeded, muni, buffer.getvalue(), "Excel", name="arkiv.csv")


def test_wrong_delimiter_columns_not_found(seeded, muni):
    # A '|'-separated file: the whole header is one column, the required ones are missing.
    data = csv_bytes("datum|kategori|ort|källa", "2019-01-01|Stöld|Hallsberg|Polisen")
    refuse(seeded, muni, data, "saknas", "datum", "kategori")


def test_semicolon_header_with_comma_rows(seeded, muni):
    # The header says ';', the rows use ',': every row is one long, unreadable date.
    data = csv_bytes(INCIDENT_HEADER, "2019-01-01,Stöld,Hallsberg,Polisen")
    refuse(seeded, muni, data, "1 av 1 rad har fel", "Rad 2", "ogiltigt datum", "saknas")


def test_mixed_encodings_are_refused_naming_the_line(seeded, muni):
    """Part UTF-8, part Windows-1252 in one file: refused before anything is stored
    garbled ("StÃ¶ld"), naming the first line that is not UTF-8 and one that is."""
    variants = [
        # UTF-8 header and row, then a cp1252 row.
        (
            INCIDENT_HEADER.encode()
            + b"\r\n2019-01-01;St\xc3\xb6ld;Hallsberg;Polisen\r\n"
            + b"2019-01-02;St\xf6ld;P\xe5lsboda;Polisen\r\n",
            "rad 3 är inte UTF-8, men rad 1 är det",
        ),
        # ASCII header, cp1252 row, then UTF-8 row.
        (
            b"datum;kategori;ort;kalla\r\n2019-01-03;St\xf6ld;Hallsberg;Polisen\r\n"
            + "2019-01-04;Stöld;Östansjö;Polisen\r\n".encode(),
            "rad 2 är inte UTF-8, men rad 3 är det",
        ),
    ]
    for data, where in variants:
        raw = read_raw(data, "blandat.csv", muni)
        assert raw.problem and where in raw.problem and "blandar teckenkodningar" in raw.problem
        refuse(seeded, muni, data, where)


def test_missing_required_column(seeded, muni):
    data = csv_bytes("kategori;ort;källa", "Stöld;Hallsberg;Polisen")
    refuse(seeded, muni, data, "kolumnen datum saknas", "rubrikerna som finns: kategori")


def test_missing_source_column_without_a_default(seeded, muni):
    data = csv_bytes("datum;kategori;ort", "2019-01-01;Stöld;Hallsberg")
    refuse(seeded, muni, data, "kolumnen källa saknas")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "datum;datum;kategori;ort;källa",
            "samma rubrik i flera kolumner: ”datum” i kolumn 1 och 2",
        ),
        ("Datum;kategori;datum;ort;källa", "”Datum” i kolumn 1 och 3"),
        ("datum;tid;kategori;ort;källa", "kolumnerna ”datum” och ”tid” betyder båda"),
    ],
    ids=["same-name", "same-name-other-case", "two-aliases-of-one-column"],
)
def test_duplicate_column_names(seeded, muni, header, expected):
    data = csv_bytes(header, "2019-01-01;2019-01-01;Stöld;Hallsberg;Polisen")
    refuse(seeded, muni, data, expected)
    # The message names the duplicate and never calls a column missing that is there.
    result = read_table(data, None, muni, "dubbel.csv")
    assert [e.reason for e in result.errors if "saknas" in e.reason] == []


def test_dates_in_the_future(seeded, muni):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    data = csv_bytes(
        INCIDENT_HEADER,
        f"{future};Stöld;Hallsberg;Polisen",
        "2099-12-31 23:59;Stöld;Hallsberg;Polisen",
    )
    text = refuse(seeded, muni, data, "framtiden", "Rad 2", "Rad 3")
    assert future in text


def test_dates_before_1990(seeded, muni):
    data = csv_bytes(
        INCIDENT_HEADER,
        "1990-01-01;Stöld;Hallsberg;Polisen",  # the first day allowed
        "1989-12-31 23:59;Stöld;Hallsberg;Polisen",
    )
    text = refuse(seeded, muni, data, "1990", "Rad 3", "1 av 2 rader har fel")
    assert "Rad 2" not in text


def test_coordinates_swapped(seeded, muni):
    data = csv_bytes(
        "datum;kategori;ort;lat;lon;källa", "2019-01-01;Stöld;Hallsberg;15,110;59,067;Polisen"
    )
    refuse(seeded, muni, data, "omkastade", "Rad 2", "kolumn lat")


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("67,855", "20,225"), ("57,7", "11,97"), ("0", "0"), ("59,3", "18,07")],
    ids=["kiruna", "goteborg", "null-island", "stockholm"],
)
def test_coordinates_outside(seeded, muni, lat, lon):
    data = csv_bytes(
        "datum;kategori;ort;lat;lon;källa", f"2019-01-01;Stöld;Hallsberg;{lat};{lon};Polisen"
    )
    refuse(seeded, muni, data, "utanför", "Rad 2")


def _ten_thousand(broken_at: int) -> tuple[bytes, int]:
    lines = [
        f"2019-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d};Stöld;Hallsberg;"
        f"Polisen;rad {i}"
        for i in range(10_000)
    ]
    lines[broken_at] = "2019-02-30;Stöld;Hallsberg;Polisen;trasig rad"
    return csv_bytes(INCIDENT_HEADER + ";beskrivning", *lines), broken_at + 2


def test_ten_thousand_rows_one_broken_refuses_all(seeded, muni):
    data, row = _ten_thousand(broken_at=7_312)
    text = refuse(seeded, muni, data, "1 av 10\u00a0000 rader har fel", f"Rad {row}, kolumn datum")
    assert "2019-02-30" in text


def test_ten_thousand_rows_one_broken_skip_invalid_stores_the_rest(seeded, muni):
    data, row = _ten_thousand(broken_at=7_312)
    version = seeded.data_version()
    outcome = import_bytes(seeded, data, "incidents", muni, "stor.csv", skip_invalid=True)
    assert outcome.ok and outcome.rows_added == 9_999
    assert any(m.startswith(f"Rad {row}, kolumn datum") for m in outcome.messages)
    assert "1 rad med fel hoppades över." in outcome.messages
    assert seeded.count("incidents") == 3 + 9_999
    assert seeded.data_version() == version + 1
    stored = seeded.read("incidents")
    assert "trasig rad" not in set(stored["description"].dropna())


def test_formula_is_stored_as_text_and_exported_neutralised(seeded, muni, tmp_path):
    formula = '=HYPERLINK("http://x","y")'
    data = csv_bytes(
        INCIDENT_HEADER + ";beskrivning",
        f'2019-01-01;Stöld;Hallsberg;Polisen;"{formula.replace(chr(34), 2 * chr(34))}"',
    )
    outcome = import_bytes(seeded, data, "incidents", muni, "formel.csv")
    assert outcome.ok, outcome.messages
    stored = seeded.read("incidents")
    assert stored.loc[stored["import_id"] == outcome.import_id, "description"].tolist() == [formula]
    # The export (the library function and the command line's export) neutralises it.
    for exported in (
        to_swedish_csv(stored, "incidents"),
        _cli_export(seeded, tmp_path),
    ):
        frame = pd.read_csv(io.BytesIO(exported), sep=";", encoding="utf-8-sig", dtype=str)
        cells = [c for c in frame["beskrivning"].dropna() if "HYPERLINK" in c]
        assert "'" + formula in cells  # the seeded fixture has a formula of its own, too
        assert all(c.startswith("'=") for c in cells)
        assert not any(str(c).startswith("=") for c in frame.stack())


def _cli_export(store, tmp_path) -> bytes:
    out = tmp_path / "export.csv"
    db = store.url.removeprefix("sqlite:///")
    assert cli.main(["--db", db, "export", str(out)]) == 0
    return out.read_bytes()


def test_script_in_description_is_stored_verbatim(seeded, muni, tmp_path):
    script = "<script>alert(1)</script>"
    data = csv_bytes(
        INCIDENT_HEADER + ";beskrivning", f"2019-01-01;Stöld;Hallsberg;Polisen;{script}"
    )
    outcome = import_bytes(seeded, data, "incidents", muni, "html.csv")
    assert outcome.ok, outcome.messages
    stored = seeded.read("incidents")
    assert stored.loc[stored["import_id"] == outcome.import_id, "description"].tolist() == [script]
    exported = pd.read_csv(
        io.BytesIO(_cli_export(seeded, tmp_path)), sep=";", encoding="utf-8-sig", dtype=str
    )
    assert script in exported["beskrivning"].tolist()


def test_too_large_message():
    message = too_large(300 * 1024 * 1024)
    limit = COMMAND_LINE.max_file_mb
    assert message is not None and "300 MB" in message and f"{limit} MB" in message
    assert too_large(limit * 1024 * 1024) is None
    upload = too_large((UPLOAD.max_file_mb + 1) * 1024 * 1024, UPLOAD)
    assert upload is not None and f"{UPLOAD.max_file_mb} MB" in upload


def test_300_mb_file_on_the_command_line(seeded, tmp_path, capsys):
    path = tmp_path / "jättestor.csv"
    with open(path, "wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: costs no disk and is never read
    before = snapshot(seeded)
    db = seeded.url.removeprefix("sqlite:///")
    code = cli.main(["--db", db, "import", str(path), "--kind", "incidents", "--source", "police"])
    err = capsys.readouterr().err
    assert code == 2
    assert "300 MB" in err and "största tillåtna" in err and "Traceback" not in err
    assert snapshot(seeded) == before


def test_too_large_through_import_bytes(seeded, muni):
    data = csv_bytes(INCIDENT_HEADER, *["2019-01-01;Stöld;Hallsberg;Polisen"] * 40_000)
    assert len(data) > 1024 * 1024
    refuse(seeded, muni, data, "MB", "största tillåtna", limits=Limits(max_file_mb=1))


@pytest.mark.parametrize(
    "data",
    [b'[{"id": 1, "datetime": ', b"{'values': []}", b'[{"id": 1}]]', b"\xef\xbb\xbf{"],
    ids=["truncated", "single-quotes", "extra-bracket", "bom-and-brace"],
)
def test_invalid_json(seeded, muni, data):
    refuse(seeded, muni, data, "JSON", kind=None, name="handelser.json")


def test_invalid_json_names_the_line(seeded, muni):
    data = b'[\n  {"id": 1,\n   "name": "x",,\n  }\n]'
    refuse(seeded, muni, data, "inte giltig JSON", "rad 3", kind=None, name="h.json")


@pytest.mark.parametrize(
    "obj",
    [
        {"a": 1},
        [1, 2, 3],
        None,
        "text",
        [{"id": 1, "datetime": "2025-01-01 10:00:00", "name": "x"}],  # police-like, fields missing
        [{"id": 1, "datetime": "x", "name": "x", "type": "Stöld", "location": "Hallsberg"}],
        {"values": [{"municipality": "1861", "period": 2019}]},  # Kolada-like without kpi
        {"values": None},
    ],
    ids=[
        "dict",
        "numbers",
        "null",
        "string",
        "police-fields",
        "location-str",
        "no-kpi",
        "no-values",
    ],
)
def test_json_of_the_wrong_shape(seeded, muni, obj):
    text = refuse(
        seeded,
        muni,
        json.dumps(obj).encode(),
        "JSON-filen känns inte igen",
        kind=None,
        name="x.json",
    )
    assert "polisens öppna händelser" in text and "Kolada" in text


def test_json_with_nothing_to_read(seeded, muni):
    refuse(seeded, muni, b"[]", "tom", kind=None, name="x.json")
    refuse(seeded, muni, b'{"values": []}', "tom", kind=None, name="x.json")
    elsewhere = [e for e in POLICE_EVENTS if police_municipality(e) != "Hallsberg"]
    refuse(
        seeded,
        muni,
        police_bytes(elsewhere),
        "inga händelser för Hallsberg",
        kind=None,
        name="x.json",
    )
    kolada = {"values": [{"kpi": "N07403", "municipality": "0180", "period": 2019, "values": []}]}
    refuse(seeded, muni, json.dumps(kolada).encode(), "regions.toml", kind=None, name="k.json")


def test_police_json_imported_as_the_wrong_kind(seeded, muni):
    refuse(seeded, muni, police_bytes(POLICE_EVENTS), "valdes", kind="peers", name="p.json")


# --- bugs found while writing these tests, now fixed --------------------------------------------


def test_damaged_xlsx_is_refused_in_swedish(seeded, muni):
    good = _xlsx(pd.DataFrame({"datum": ["2019-01-01"], "kategori": ["Stöld"]}))
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b"<not xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    refuse(seeded, muni, buffer.getvalue(), "Excel", name="trasig.xlsx")


def test_kolada_with_non_object_values_is_refused_in_swedish(seeded, muni):
    obj = {"values": [{"kpi": "N07403", "municipality": "1861", "period": 2019, "values": [1, 2]}]}
    refuse(seeded, muni, json.dumps(obj).encode(), "JSON", kind=None, name="kolada.json")


def test_deeply_nested_json_is_refused_in_swedish(seeded, muni):
    data = b"[" * 100_000 + b"]" * 100_000
    refuse(seeded, muni, data, "JSON", kind=None, name="djup.json")


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("peers", csv_bytes("Kommun;År;Antal", "Hallsberg;2019;inf")),
        ("survey", csv_bytes("år;fråga;andel;antal svar", "2019;Trygg;50;Infinity")),
    ],
    ids=["peer-count", "survey-respondents"],
)
def test_infinity_is_not_a_number(seeded, muni, kind, data):
    refuse(seeded, muni, data, "ogiltigt tal", kind=kind, name="oandligt.csv")


# --- formats that must read right -------------------------------------------------------------


def test_swedish_excel_csv_cp1252(muni):
    data = csv_bytes(
        "Datum;Kategori;Ort;Lat;Lon;Källa;Beskrivning",
        "2019-03-05 22:15;Skadegörelse;Hallsberg;59,0671;15,1102;Polisen;Krossad ruta vid Åsbro"
        " väg",
        "5/3/2019;Klotter;pålsboda;;;Kommunens rapportering;Tag på vägg",
        "05.03.2019 07:30;stöld;Östansjö;;;polisen;..",
        encoding="cp1252",
    )
    assert data.count(b"\xe5") and b"\xc3" not in data  # really Windows-1252
    # 5/3/2019 reads both ways and no row tells which: the analyst is asked.
    asked = read_table(data, None, muni, "excel.csv")
    assert asked.needs_date_order and asked.ambiguous_date == "5/3/2019"
    result = read_table(data, None, muni, "excel.csv", date_order="dm")
    assert result.kind == "incidents" and result.ok, result.errors
    got = result.valid.sort_values("occurred_at").reset_index(drop=True)
    assert got["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2019-03-05 00:00",
        "2019-03-05 07:30",
        "2019-03-05 22:15",
    ]
    assert got["time_known"].tolist() == [False, True, True]
    assert got["category"].tolist() == ["Klotter", "Stöld", "Skadegörelse"]
    assert got["locality"].tolist() == ["Pålsboda", "Östansjö", "Hallsberg"]
    assert got["source"].tolist() == ["municipal_report", "police", "police"]
    assert got.at[2, "lat"] == pytest.approx(59.0671) and got.at[2, "lon"] == pytest.approx(15.1102)
    assert got.at[2, "description"] == "Krossad ruta vid Åsbro väg" and pd.isna(
        got.at[1, "description"]
    )


def test_swedish_excel_numbers_with_non_breaking_space_thousands(muni):
    data = csv_bytes(
        "Kommun;År;Antal;Per 100 000 inv.;Folkmängd",
        "Hallsberg;2019;2\xa0537;15\xa0902,3;15\xa0954",
        "Örebro;2019;12 345;8\xa0049,5;153 367",
        encoding="cp1252",
    )
    result = read_table(data, "peers", muni, "brå.csv")
    assert result.ok, result.errors
    got = result.valid.set_index("region_code")
    assert got.at["1861", "count"] == 2537 and got.at["1861", "rate"] == pytest.approx(15902.3)
    assert got.at["1861", "population"] == 15954
    assert got.at["1880", "count"] == 12345 and got.at["1880", "rate"] == pytest.approx(8049.5)


def _xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def test_xlsx_written_by_pandas(muni, store):
    frame = pd.DataFrame(
        {
            "datum": [
                pd.Timestamp("2019-03-05 22:15"),
                pd.Timestamp("2019-03-06"),
                dt.datetime(2019, 3, 7, 0, 0),
            ],
            "kategori": ["Skadegörelse", "Klotter", "Stöld"],
            "ort": ["Hallsberg", "Pålsboda", None],
            "lat": [59.0671, None, 59.138],
            "lon": [15.1102, None, 15.338],
            "källa": ["Polisen", "Kommunens rapportering", "Polisen"],
            "beskrivning": ["Krossad ruta", None, "Stöld ur bil"],
        }
    )
    data = _xlsx(frame)
    assert file_format(data, "data.xlsx") == "xlsx" == file_format(data, "utan-ändelse")
    result = read_table(data, None, muni, "data.xlsx")
    assert result.kind == "incidents" and result.ok, result.errors
    got = result.valid.reset_index(drop=True)
    assert got["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2019-03-05 22:15",
        "2019-03-06 00:00",
        "2019-03-07 00:00",
    ]
    assert got["time_known"].tolist() == [True, False, False]
    assert got["locality"].tolist() == ["Hallsberg", "Pålsboda", "Sköllersta"]  # nearest to coords
    assert got.at[0, "lat"] == pytest.approx(59.0671) and pd.isna(got.at[1, "lat"])
    assert got["source"].tolist() == ["police", "municipal_report", "police"]
    outcome = import_bytes(store, data, None, muni, "data.xlsx")
    assert outcome.ok and outcome.rows_added == 3
    assert store.read_incidents()["time_known"].tolist() == [True, False, False]


def test_xlsx_with_a_row_longer_than_the_header_is_refused(seeded, muni):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["datum", "kategori", "ort", "källa"])
    book.active.append(["2019-01-01", "Stöld", "Hallsberg", "Polisen", "överflödig"])
    buffer = io.BytesIO()
    book.save(buffer)
    refuse(seeded, muni, buffer.getvalue(), "fler ifyllda celler än rubrikraden", name="lang.xlsx")


def test_police_fixture_reads_exactly_the_expected_incidents(muni):
    result = read_table(police_bytes(POLICE_EVENTS), None, muni, "polisen.json")
    assert result.kind == "incidents" and result.ok, result.errors
    assert result.skip_existing
    got = result.valid.set_index("id")
    assert set(got.index) == set(POLICE_EXPECTED)
    for id_, (when, category, locality) in POLICE_EXPECTED.items():
        row = got.loc[id_]
        assert row["occurred_at"].strftime("%Y-%m-%d %H:%M") == when, id_
        assert (row["category"], row["locality"]) == (category, locality), id_
        assert bool(row["time_known"])
    assert set(got["source"]) == {"police_open_events"}
    assert got["lat"].isna().all() and got["lon"].isna().all()
    assert not got["category"].str.startswith("Sammanfattning").any()
    note = " ".join(result.notes)
    assert "4 av 7 poster gäller Hallsberg" in note
    assert "2 gällde andra kommuner" in note and "1 var sammanfattningar" in note


def test_police_same_content_twice_is_refused(store, muni):
    first = import_bytes(store, police_bytes(POLICE_EVENTS), None, muni, "polisen.json")
    assert first.ok and first.rows_added == 4
    before = snapshot(store)
    # Byte for byte the same file: refused as already imported.
    again = import_bytes(store, police_bytes(POLICE_EVENTS), None, muni, "polisen-igen.json")
    assert not again.ok and "redan inläst" in again.messages[0]
    # The same events downloaded again (other bytes, same ids): nothing new, nothing written.
    same = import_bytes(store, police_bytes(POLICE_EVENTS, indent=2), None, muni, "p2.json")
    assert not same.ok and "Alla rader finns redan" in same.messages[0]
    assert snapshot(store) == before


def test_police_overlapping_download_adds_only_new_ids(store, muni):
    first = import_bytes(store, police_bytes(POLICE_EVENTS[:4]), None, muni, "v1.json")
    assert first.ok and first.rows_added == 2  # 9001, 9002
    newer = POLICE_EVENTS[1:] + [
        police_event(
            9010,
            "2025-10-01 12:00:00 +02:00",
            "1 oktober 11:40, Inbrott, Hallsberg",
            "Inbrott",
            "Örebro län",
            "Inbrott i Sköllersta.",
        )
    ]
    second = import_bytes(store, police_bytes(newer), None, muni, "v2.json")
    assert second.ok and second.rows_added == 3  # 9006, 9007, 9010; 9002 was there
    assert "1 rad fanns redan i databasen och hoppades över." in second.messages
    stored = store.read("incidents")
    assert sorted(stored["id"]) == sorted([*POLICE_EXPECTED, "polisen-9010"])
    by_import = stored.groupby("import_id")["id"].apply(set).to_dict()
    assert by_import[first.import_id] == {"polisen-9001", "polisen-9002"}
    assert by_import[second.import_id] == {"polisen-9006", "polisen-9007", "polisen-9010"}


def _hallsberg_ids(events) -> set[str]:
    """Independent of lib: which events are Hallsberg's incidents."""
    ids = set()
    for e in events:
        place = e["location"]["name"]
        ours = place == "Hallsberg" or (place == "Örebro län" and e["name"].endswith(", Hallsberg"))
        if ours and not e["type"].startswith(("Sammanfattning", "Uppdatering")):
            ids.add(f"polisen-{e['id']}")
    return ids


@pytest.fixture(scope="module")
def real_police():
    if not (BIG_POLICE.is_file() and SNAPSHOT_POLICE.is_file()):
        pytest.skip(f"the real police files are not available ({POLICE_FILES})")
    return BIG_POLICE.read_bytes(), SNAPSHOT_POLICE.read_bytes()


def test_real_police_file_hallsberg(real_police, muni, store):
    big, _ = real_police
    events = json.loads(big)
    assert len(events) == 4153
    assert sum(e["location"]["name"] == "Hallsberg" for e in events) == 126
    county = [e for e in events if e["location"]["name"] == "Örebro län"]
    assert sum(e["name"].endswith(", Hallsberg") for e in county) == 30
    result = read_table(big, None, muni, BIG_POLICE.name)
    assert result.ok, result.errors[:5]
    assert len(result.valid) == 156
    assert set(result.valid["id"]) == _hallsberg_ids(events)
    assert not result.valid["category"].str.contains("Sammanfattning").any()
    outcome = import_bytes(store, big, None, muni, BIG_POLICE.name)
    assert outcome.ok and outcome.rows_added == 156 and store.count("incidents") == 156


def test_real_police_snapshot_after_the_big_file(real_police, muni, store):
    big, snap = real_police
    big_events, snap_events = json.loads(big), json.loads(snap)
    assert len(snap_events) == 500
    assert len({e["id"] for e in big_events} & {e["id"] for e in snap_events}) == 32
    assert import_bytes(store, big, None, muni, BIG_POLICE.name).ok
    new = _hallsberg_ids(snap_events) - _hallsberg_ids(big_events)
    before = snapshot(store)
    outcome = import_bytes(store, snap, None, muni, SNAPSHOT_POLICE.name)
    if new:
        assert outcome.ok and outcome.rows_added == len(new)
    else:  # every Hallsberg event of the snapshot is already stored
        assert not outcome.ok and "Alla rader finns redan" in outcome.messages[0]
        assert snapshot(store) == before
    assert set(store.read("incidents")["id"]) == _hallsberg_ids(big_events) | new


def test_real_police_snapshot_first_then_big_file(real_police, muni, store):
    big, snap = real_police
    first = import_bytes(store, snap, None, muni, SNAPSHOT_POLICE.name)
    assert first.ok
    snap_ids = _hallsberg_ids(json.loads(snap))
    assert first.rows_added == len(snap_ids) > 0
    second = import_bytes(store, big, None, muni, BIG_POLICE.name)
    big_ids = _hallsberg_ids(json.loads(big))
    assert second.ok and second.rows_added == len(big_ids - snap_ids)
    assert store.count("incidents") == len(big_ids | snap_ids) == 156


BRA_MUNICIPALITIES = (
    "\ufeffKommun;Antal;Per 100 000 inv.\r\n"
    "Hallsbergs kommun;2 537;15 902,3\r\n"
    "Örebro;12\u00a0345;8 049\r\n"
    "Laxå;..;1 234,5\r\n"
    "Lekeberg;-;-\r\n"
    "Kiruna;1 000;4 000\r\n"
).encode("utf-8")


def test_bra_municipality_csv_with_year(store, muni):
    assert BRA_MUNICIPALITIES.startswith(b"\xef\xbb\xbf") and b"\r\n" in BRA_MUNICIPALITIES
    result = read_table(BRA_MUNICIPALITIES, None, muni, "bra.csv", year=2019)
    assert result.kind == "peers" and result.ok, result.errors
    got = result.valid.set_index("region_code")
    assert sorted(got.index) == ["1814", "1860", "1861", "1880"]  # Kiruna left out
    assert got.at["1861", "region"] == "Hallsberg"
    assert got.at["1861", "count"] == 2537 and got.at["1861", "rate"] == pytest.approx(15902.3)
    assert got.at["1880", "count"] == 12345
    assert pd.isna(got.at["1860", "count"]) and got.at["1860", "rate"] == pytest.approx(1234.5)
    assert got.at["1814", "count"] == 0 and got.at["1814", "rate"] == 0
    assert set(got["year"]) == {2019}
    assert any("1 rad om kommuner utanför jämförelsen" in n for n in result.notes)
    outcome = import_bytes(store, BRA_MUNICIPALITIES, None, muni, "bra.csv", year=2019)
    assert outcome.ok and outcome.rows_added == 4
    assert any("utanför jämförelsen" in m for m in outcome.messages)
    stored = store.read("peers").set_index("region_code")
    assert pd.isna(stored.at["1860", "count"]) and stored.at["1861", "count"] == 2537


def test_a_municipality_bra_suppresses_whole_is_left_out_with_a_note(store, muni):
    """'..' for both the count and the rate: BRÅ gives no figure for the municipality that
    year. The file is not refused for it (issue 21's state matrix found it was)."""
    data = csv_bytes(
        "\ufeffKommun;Antal;Per 100 000 inv.", "Hallsberg;2 537;15 902,3", "Laxå;..;..", "Nora;-;-"
    )
    result = read_table(data, None, muni, "bra.csv", year=2019)
    assert result.ok, result.errors
    assert sorted(result.valid["region_code"]) == ["1861", "1884"]
    assert "1 rad där BRÅ inte redovisar någon siffra (”..”) lämnades utanför." in result.notes
    assert import_bytes(store, data, None, muni, "bra.csv", year=2019).rows_added == 2


def test_a_row_with_neither_count_nor_rate_is_one_error_naming_the_count(seeded, muni):
    data = csv_bytes("Kommun;Antal;Per 100 000 inv.", "Hallsberg;2 537;15 902,3", "Nora;;")
    text = refuse(seeded, muni, data, kind=None, name="bra.csv", year=2019)
    rows = [line for line in text.splitlines() if line.startswith("Rad 3")]
    assert rows == ["Rad 3, kolumn Antal: antal eller per 100 000 inv. behövs"], text


def test_bra_municipality_csv_without_year(seeded, muni):
    refuse(seeded, muni, BRA_MUNICIPALITIES, "ange vilket år", kind=None, name="bra.csv")


def test_bra_statistics_database_export(muni):
    data = csv_bytes(
        "Region;Brott;År;Period;Antal;/100 000 inv",
        "1861 Hallsberg;Samtliga brott;2026 prel.;Januari-juni;1 200;7 521,4",
        "Hallsberg;Samtliga brott;2025;Helår;2 537;15 902",
        "Örebro län;Bostadsinbrott;2025;Helår;..;123,4",
    )
    result = read_table(data, None, muni, "bra-db.csv")
    assert result.kind == "peers" and result.ok, result.errors
    got = result.valid.sort_values(["region_code", "year"]).reset_index(drop=True)
    records = got[["region_code", "year", "period", "category", "count", "rate"]].to_dict("records")
    assert records[0]["region_code"] == "18" and pd.isna(records[0]["count"])
    assert records[0]["rate"] == pytest.approx(123.4)
    assert [(r["region_code"], r["year"], r["period"]) for r in records[1:]] == [
        ("1861", 2025, "Helår"),
        ("1861", 2026, "Januari-juni"),
    ]
    assert records[2]["count"] == 1200 and records[2]["rate"] == pytest.approx(7521.4)


def test_kolada_json_takes_the_total_for_both_sexes(muni, store):
    obj = {
        "count": 3,
        "values": [
            {
                "kpi": "N07403",
                "municipality": "1861",
                "period": 2019,
                "values": [
                    {"count": 1, "gender": "K", "status": "", "value": 401.2},
                    {"count": 1, "gender": "T", "status": "", "value": 812.5},
                    {"count": 1, "gender": "M", "status": "", "value": 1220.0},
                ],
            },
            {
                "kpi": "N07540",
                "municipality": "1880",
                "period": 2019,
                "values": [{"count": 1, "gender": "T", "status": "", "value": 14000.0}],
            },
            {"kpi": "N07403", "municipality": "0180", "period": 2019, "values": []},
        ],
    }
    data = json.dumps(obj).encode()
    result = read_table(data, None, muni, "kolada.json")
    assert result.kind == "peers" and result.ok, result.errors
    got = result.valid.set_index("region_code")
    assert got.at["1861", "rate"] == pytest.approx(812.5)
    assert got.at["1861", "category"] == "Våldsbrott"
    assert got.at["1861", "source"] == "Kolada N07403"
    assert got.at["1880", "category"] == "Samtliga anmälda brott"
    assert pd.isna(got.at["1861", "count"]) and set(got["year"]) == {2019}
    assert any("utanför jämförelsen" in n for n in result.notes)  # Stockholm left out
    assert import_bytes(store, data, None, muni, "kolada.json").rows_added == 2


def test_survey_csv(muni, store):
    data = csv_bytes(
        "År;Område;Fråga;Andel %;Antal svar;Källa",
        "2019;Hallsberg;Känner sig trygg utomhus en sen kväll;62,5;312;Polisens trygghetsmätning",
        "2019;;Oro för brott;18,0;1\u00a0204;Polisens trygghetsmätning",
    )
    result = read_table(data, None, muni, "enkät.csv")
    assert result.kind == "survey" and result.ok, result.errors
    got = result.valid.reset_index(drop=True)
    assert got["share"].tolist() == [62.5, 18.0]
    assert got["respondents"].tolist() == [312, 1204]
    assert got.at[0, "locality"] == "Hallsberg" and pd.isna(got.at[1, "locality"])
    assert import_bytes(store, data, None, muni, "enkät.csv").rows_added == 2


def test_survey_share_over_100_is_refused(seeded, muni):
    data = csv_bytes("år;fråga;andel;antal svar", "2019;Trygg;125;300")
    refuse(seeded, muni, data, "mellan 0 och 100", kind=None, name="enkät.csv")


@pytest.mark.parametrize("kind", IMPORT_KINDS)
def test_every_template_reads_back_as_its_kind(muni, kind):
    data = template_bytes(kind, muni)
    header = read_raw(data, f"mall-{kind}.csv", muni).header
    assert recognise_kind(header) == kind
    result = read_file(data, None, muni, f"mall-{kind}.csv")
    assert result.kind == kind
    assert result.errors == [] and len(result.valid) == 1


UNUSUAL = csv_bytes(
    "Händelsedatum;Typ av händelse;Område;Rapportör", "2019-03-05 22:15;Stöld;Pålsboda;Polisen"
)
UNUSUAL_MAPPING = {
    "Händelsedatum": "occurred_at",
    "Typ av händelse": "category",
    "Område": "locality",
    "Rapportör": "source",
}


def test_column_mapping(muni, store):
    assert read_table(UNUSUAL, None, muni, "x.csv").file_failed  # kind not recognised
    without = read_table(UNUSUAL, "incidents", muni, "x.csv")
    assert without.file_failed and "saknas" in without.errors[0].reason
    result = read_table(UNUSUAL, "incidents", muni, "x.csv", mapping=UNUSUAL_MAPPING)
    assert result.ok, result.errors
    row = result.valid.iloc[0]
    assert row["occurred_at"] == pd.Timestamp("2019-03-05 22:15")
    assert (row["category"], row["locality"], row["source"]) == ("Stöld", "Pålsboda", "police")
    # A column mapped to nothing is ignored, even if its name is a known alias.
    ignored = read_table(
        UNUSUAL, "incidents", muni, "x.csv", mapping={**UNUSUAL_MAPPING, "Område": None}
    )
    assert [(e.row, e.column, e.reason) for e in ignored.errors] == [(2, "ort", "värde saknas")]
    header = result.header
    store.save_mapping("incidents", header, UNUSUAL_MAPPING)
    assert store.saved_mapping("incidents", header) == UNUSUAL_MAPPING
    assert store.saved_mapping("incidents", [*header, "Extra"]) is None
    assert store.saved_mapping("incidents", header[::-1]) is None
    assert store.saved_mapping("peers", header) is None
    outcome = import_bytes(store, UNUSUAL, "incidents", muni, "x.csv", mapping=UNUSUAL_MAPPING)
    assert outcome.ok and outcome.rows_added == 1


# --- property-based ------------------------------------------------------------------------

KINDS_OR_NONE = [None, *IMPORT_KINDS]
PROPERTY = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def promises(muni):
    return all_definitions(muni)


def check_shape(result, muni, promises) -> None:
    """A read either reports errors, or every valid row satisfies its kind's contract."""
    from lib.ingest.importers import _schema_for

    assert result.kind is None or result.kind in COLUMNS
    assert all(e.reason and isinstance(e.reason, str) for e in result.errors)
    if result.valid.empty:
        return
    assert result.kind in COLUMNS
    schema = _schema_for(result.kind, muni, promises)
    assert list(result.valid.columns) == list(schema.columns)
    schema.validate(result.valid)  # raises on any row breaking the contract
    assert result.valid["id"].is_unique
    assert len(result.valid) + result.rejected_rows <= max(result.total_rows, len(result.valid))


@PROPERTY
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=500).map(lambda b: b"\xef\xbb\xbf" + b),
        st.binary(max_size=500).map(lambda b: b"[" + b),
    ),
    name=st.sampled_from(["f.csv", "f.json", "f.xlsx", "f.txt", "f"]),
    kind=st.sampled_from(KINDS_OR_NONE),
)
def test_random_bytes_never_raise(muni, promises, data, name, kind):
    raw = read_raw(data, name, muni)
    assert raw.problem is None or isinstance(raw.problem, str)
    result = read_table(data, kind, muni, name, promises=promises, year=2019)
    check_shape(result, muni, promises)


CELL_SAMPLES = [
    "2019-03-05",
    "2019-03-05 22:15",
    "5/3/2019",
    "2019-02-30",
    "1989-01-01",
    "2099-01-01",
    "1 234,5",
    "..",
    "-",
    "",
    "inf",
    "Hallsberg",
    "Pålsboda",
    "Stöld",
    "Polisen",
    "59,06",
    "15,11",
    "2019",
    "2026 prel.",
    "1861",
    "'=1",
    "=1+1",
    "\u00a0",
    '"',
]
CELL = st.one_of(st.text(max_size=12), st.sampled_from(CELL_SAMPLES))
HEADER = st.sampled_from(
    [
        "datum",
        "kategori",
        "ort",
        "källa",
        "lat",
        "lon",
        "id",
        "beskrivning",
        "löfte",
        "indikator",
        "antal",
        "namn",
        "kommun",
        "år",
        "per 100 000 inv.",
        "fråga",
        "andel",
        "antal svar",
        "Region",
        "tid",
    ]
) | st.text(max_size=8)


@st.composite
def csv_rows(draw):
    if draw(st.booleans()):  # a real kind's columns, in any order, some left out
        kind = draw(st.sampled_from(list(COLUMNS)))
        names = [spec.header for spec in COLUMNS[kind]]
        header = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    else:
        header = draw(st.lists(HEADER, min_size=1, max_size=6))
    width = len(header)
    # Rows may be one field longer than the header: a classic broken export.
    body = draw(st.lists(st.lists(CELL, min_size=width, max_size=width + 1), max_size=6))
    return [header, *body]


@PROPERTY
@given(
    rows=csv_rows(),
    sep=st.sampled_from([";", ",", "\t"]),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    kind=st.sampled_from(KINDS_OR_NONE),
)
def test_random_csv_text_never_raises(muni, promises, rows, sep, newline, encoding, kind):
    text = newline.join(sep.join(row) for row in rows)
    data = text.encode(encoding, errors="replace")
    result = read_table(data, kind, muni, "f.csv", promises=promises, year=2019)
    check_shape(result, muni, promises)


@st.composite
def kind_tables(draw):
    """A file of one kind: its template's good values, some cells swapped for plausible or
    random bad ones, columns in any order."""
    kind = draw(st.sampled_from(list(COLUMNS)))
    good = template_rows(kind, load_municipality("hallsberg"))
    specs = draw(st.permutations(COLUMNS[kind]))
    rows = []
    for i in range(draw(st.integers(1, 4))):
        clean = draw(st.booleans())
        row = []
        for spec in specs:
            value = good.get(spec.name, "")
            if spec.name == "id" and value:
                value = f"{value}-{i}"
            if not clean:
                value = draw(st.sampled_from([value] * 4 + CELL_SAMPLES) | st.text(max_size=8))
            row.append(value.replace(";", ","))
        rows.append(row)
    return kind, [[spec.header for spec in specs], *rows]


@PROPERTY
@given(table=kind_tables(), tell_kind=st.booleans())
def test_random_files_of_each_kind_are_errors_or_valid_rows(muni, promises, table, tell_kind):
    kind, rows = table
    data = "\r\n".join(";".join(row) for row in rows).encode("utf-8")
    result = read_table(
        data, kind if tell_kind else None, muni, "f.csv", promises=promises, year=2019
    )
    check_shape(result, muni, promises)
    assert result.errors or not result.valid.empty or result.notes


@PROPERTY
@given(
    events=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.integers(1, 50),
                "datetime": st.sampled_from(
                    [
                        "2025-06-07 7:32:06 +02:00",
                        "2026-01-02 10:00:00 +01:00",
                        "x",
                        "2025-13-01 10:00",
                    ]
                ),
                "name": st.sampled_from(
                    [
                        "21 augusti 11.30, Stöld, Hallsberg",
                        "31 december 23:45, Brand, Hallsberg",
                        "31 februari 10:00, Stöld, Hallsberg",
                        "Stöld, Kumla",
                        "",
                    ]
                )
                | st.text(max_size=20),
                "type": st.sampled_from(["Stöld", "Brand", "Sammanfattning natt", "Okänd typ"]),
                "location": st.fixed_dictionaries(
                    {"name": st.sampled_from(["Hallsberg", "Örebro län", "Kumla", ""])}
                ),
            },
            optional={"summary": st.text(max_size=30) | st.none()},
        ),
        min_size=1,
        max_size=8,
    )
)
def test_random_police_feeds_never_raise(muni, promises, events):
    result = read_table(police_bytes(events), None, muni, "p.json", promises=promises)
    check_shape(result, muni, promises)
    if not result.valid.empty:
        assert result.valid["id"].str.startswith("polisen-").all()
        assert set(result.valid["source"]) == {"police_open_events"}
