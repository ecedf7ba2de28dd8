"""Reading analysts' files: Swedish Excel conventions, validation with Swedish reasons."""

import pandas as pd
import pytest

from lib.ingest import importers
from lib.ingest.importers import read_table
from tests.conftest import FIXTURES


def read(muni, data: bytes, **kw):
    return read_table(data, "incidents", muni, "test.csv", **kw)


def test_swedish_excel_cp1252(muni):
    result = read(muni, (FIXTURES / "excel_cp1252.csv").read_bytes())
    assert result.ok, result.errors
    rows = result.valid.set_index(result.valid["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"))
    first = rows.loc["2019-03-05 22:15"]
    assert first["category"] == "Skadegörelse"
    assert first["lat"] == pytest.approx(59.0671) and first["lon"] == pytest.approx(15.1102)
    assert first["description"] == "Krossad ruta vid Åsbro väg"
    assert bool(first["time_known"])
    # 15/3/2019 is day-first: 15 March; a date without a time has no known time.
    second = rows.loc["2019-03-15 00:00"]
    assert second["locality"] == "Pålsboda" and not bool(second["time_known"])
    assert second["source"] == "municipal_report"
    # Case-insensitive vocabulary, '..' is missing.
    third = rows.loc["2019-03-06 00:00"]
    assert (third["category"], third["locality"], third["source"]) == (
        "Stöld",
        "Östansjö",
        "police",
    )
    assert pd.isna(third["description"])


def test_utf8_bom_comma_with_english_headers(muni):
    result = read(muni, (FIXTURES / "utf8_bom_comma.csv").read_bytes())
    assert result.ok, result.errors
    assert list(result.valid["description"].fillna("")) == ["Cykel, blå", ""]
    assert result.valid["lat"].iloc[0] == pytest.approx(59.0675)


def test_broken_rows_get_swedish_reasons(muni):
    result = read(muni, (FIXTURES / "excel_broken.csv").read_bytes())
    messages = [e.message() for e in result.errors]
    assert len(result.valid) == 1
    assert result.rejected_rows == 4
    assert any(m.startswith("Rad 3, kolumn datum: ogiltigt datum ”2019-13-05”") for m in messages)
    assert any("Rad 4" in m and "omkastade" in m for m in messages)
    assert any("Rad 5" in m and "okänd kategori ”Nonsens”" in m for m in messages)
    assert any("Rad 6" in m and "framtiden" in m for m in messages)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "filen är tom"),
        (b"   \r\n", "filen är tom"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "inte en textfil"),
        ("datum;kategori;ort;källa\r\n".encode(), "rubrikrad men inga datarader"),
        ("kategori;ort\r\nStöld;Hallsberg\r\n".encode(), "kolumnen datum saknas"),
        (
            "datum;datum;kategori;ort;källa\r\n2019-01-01;2019-01-01;Stöld;Hallsberg;Polisen\r\n".encode(),
            "samma rubrik i flera kolumner: ”datum” i kolumn 1 och 2",
        ),
        (
            "datum;kategori;ort;källa\r\n2019-01-01;Stöld;Hallsberg;Polisen;x;y\r\n".encode(),
            "kunde inte läsas som CSV",
        ),
    ],
)
def test_file_level_problems(muni, data, expected):
    result = read(muni, data)
    assert result.file_failed
    assert expected in result.errors[0].reason
    assert result.valid.empty


def test_missing_source_column_needs_a_default(muni):
    data = "datum;kategori;ort\r\n2019-01-01;Stöld;Hallsberg\r\n".encode()
    assert read(muni, data).file_failed
    result = read(muni, data, default_source="security_guard")
    assert result.ok and result.valid["source"].tolist() == ["security_guard"]


def test_locality_from_coordinates_when_missing(muni):
    data = (
        "datum;kategori;ort;lat;lon;källa\r\n2019-01-01;Stöld;;59,064;15,339;Polisen\r\n".encode()
    )
    result = read(muni, data)
    assert result.ok and result.valid["locality"].tolist() == ["Pålsboda"]


def test_coordinates_outside_and_partial(muni):
    data = (
        "datum;kategori;ort;lat;lon;källa\r\n"
        "2019-01-01;Stöld;Hallsberg;57,7;11,9;Polisen\r\n"
        "2019-01-01;Stöld;Hallsberg;59,06;;Polisen\r\n"
    ).encode()
    reasons = [e.reason for e in read(muni, data).errors]
    assert any("utanför kommunen" in r for r in reasons)
    assert any("både lat och lon" in r for r in reasons)


def test_duplicate_ids_in_file(muni):
    data = (
        "id;datum;kategori;ort;källa\r\nA;2019-01-01;Stöld;Hallsberg;Polisen\r\n"
        "A;2019-01-02;Stöld;Hallsberg;Polisen\r\n"
    ).encode()
    result = read(muni, data)
    assert result.valid.empty
    assert [(e.row, e.reason) for e in result.errors] == [
        (2, "id ”A” finns också på rad 3 med annat innehåll; ingen av raderna lästes"),
        (3, "id ”A” finns också på rad 2 med annat innehåll; ingen av raderna lästes"),
    ]


def test_generated_ids_are_stable_and_distinguish_identical_rows(muni):
    data = (
        "datum;kategori;ort;källa\r\n2019-01-01 10:00;Stöld;Hallsberg;Polisen\r\n"
        "2019-01-01 10:00;Stöld;Hallsberg;Polisen\r\n"
    ).encode()
    first, second = read(muni, data), read(muni, data)
    assert first.valid["id"].tolist() == second.valid["id"].tolist()
    assert first.valid["id"].nunique() == 2


def test_export_neutralises_formulas_and_round_trips(muni):
    source = read(muni, (FIXTURES / "excel_cp1252.csv").read_bytes()).valid
    exported = importers.to_swedish_csv(source, "incidents")
    assert exported.startswith(b"\xef\xbb\xbf")
    assert b"'=HYPERLINK" in exported and b";=HYPERLINK" not in exported
    assert b"59,0671" in exported
    again = read(muni, exported).valid
    pd.testing.assert_frame_equal(
        again.sort_values("id").reset_index(drop=True),
        source.sort_values("id").reset_index(drop=True),
        check_dtype=False,
    )


@pytest.mark.parametrize(
    ("text", "number"),
    [("1 234,5", 1234.5), ("1\u00a0234", 1234.0), ("−3,5", -3.5), ("..", None), ("", None)],
)
def test_swedish_numbers(text, number):
    values, bad = importers.parse_numbers(pd.Series([text]))
    assert not bad.iloc[0]
    assert pd.isna(values.iloc[0]) if number is None else values.iloc[0] == number


def test_dates_with_and_without_time():
    values, known, bad = importers.parse_dates(
        pd.Series(["2019-03-05", "2019-03-05 22:15", "5/3/2019", "2019-03-05T07:32:06", "igår"])
    )
    assert values.dt.strftime("%Y-%m-%d %H:%M").tolist()[:4] == [
        "2019-03-05 00:00",
        "2019-03-05 22:15",
        "2019-03-05 00:00",
        "2019-03-05 07:32",
    ]
    assert known.tolist() == [False, True, False, True, False]
    assert bad.tolist() == [False, False, False, False, True]


def test_column_table_is_complete_and_unambiguous():
    from lib.ingest.schemas import COLUMNS, header_map

    for kind, specs in COLUMNS.items():
        assert all(spec.label for spec in specs)  # every column has a Swedish label
        targets: dict[str, set[str]] = {}
        for spec in specs:
            for alias in (spec.name, spec.header, *spec.aliases):
                targets.setdefault(alias.lower(), set()).add(spec.name)
        ambiguous = {alias: names for alias, names in targets.items() if len(names) > 1}
        assert not ambiguous, f"{kind}: {ambiguous}"
        assert all(header_map(kind)[spec.header] == spec.name for spec in specs)
