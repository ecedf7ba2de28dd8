"""Text encodings and NUL bytes: a file that mixes UTF-8 and Windows-1252 is refused naming
the line (never stored garbled as "Ã…tgÃ¤rd"), a NUL byte anywhere is refused, and pure
Windows-1252 and UTF-8 files still import."""

from __future__ import annotations

import pytest

from lib.ingest.importers import MixedEncoding, decode, read_raw, read_table
from lib.ingest.loading import import_bytes
from tests.conftest import FIXTURES, table_snapshot

HEADER = "datum;kategori;ort;källa;beskrivning\r\n"
ROW = "2019-01-01;Skadegörelse;Hallsberg;Polisen;Åtgärd: {n}\r\n"


def rows(n: int, start: int = 0) -> str:
    return "".join(ROW.format(n=i) for i in range(start, start + n))


def test_one_cp1252_byte_among_utf8_is_refused_naming_its_line(store, muni):
    data = (HEADER + rows(500)).encode() + rows(1, 500).encode("cp1252") + rows(3).encode()
    before = table_snapshot(store)
    outcome = import_bytes(store, data, "incidents", muni, "blandad.csv")
    text = "\n".join(outcome.messages)
    assert not outcome.ok and "rad 502 är inte UTF-8, men rad 1 är det" in text
    assert "Ã" not in store.read("incidents")["description"].fillna("").str.cat()
    assert table_snapshot(store) == before


def test_utf8_with_bom_and_a_cp1252_byte_is_mixed():
    with pytest.raises(MixedEncoding) as caught:
        decode(b"\xef\xbb\xbf" + HEADER.encode("ascii", "replace") + b"x;\xe5\r\n")
    assert "rad 2 är inte UTF-8, men rad 1 är det" in caught.value.message


def test_pure_cp1252_and_pure_utf8_still_import(muni):
    cp1252 = read_table((FIXTURES / "excel_cp1252.csv").read_bytes(), "incidents", muni, "a.csv")
    assert cp1252.ok and len(cp1252.valid) == 3
    text = HEADER + rows(3)
    for data in (text.encode("cp1252"), text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode()):
        result = read_table(data, "incidents", muni, "a.csv")
        assert result.ok, result.errors
        assert set(result.valid["description"]) == {"Åtgärd: 0", "Åtgärd: 1", "Åtgärd: 2"}


@pytest.mark.parametrize("line", [2, 300, 4500])
def test_a_nul_byte_anywhere_is_refused(store, muni, line):
    before_nul = (HEADER + rows(line - 2)).encode() + b"2019-01-01;Skadeg"
    data = before_nul + b"\x00" + ("örelse;Hallsberg;Polisen;x\r\n" + rows(500)).encode()
    where = len(before_nul)
    before = table_snapshot(store)
    outcome = import_bytes(store, data, "incidents", muni, "nul.csv")
    text_out = "\n".join(outcome.messages)
    assert not outcome.ok
    if where < 8192:  # among the first bytes: the file is not text at all
        assert "inte en textfil" in text_out
    else:
        assert f"NUL-tecken (nollbyte) på rad {line}" in text_out
    assert table_snapshot(store) == before


def test_nul_in_json_is_refused(muni):
    raw = read_raw(b'[{"id": 1}]' + b" " * 9000 + b"\x00", "a.json", muni)
    assert raw.problem and "NUL-tecken" in raw.problem


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_swedish_weekday_and_month_names_read_in_either_encoding(muni, encoding):
    """Dates written out in Swedish ('lördag 9 mars 2024 kl 23.40') keep their letters
    whatever the encoding, and read to the minute."""
    text = (
        HEADER
        + "lördag 9 mars 2024 kl 23.40;Skadegörelse;Hallsberg;Polisen;Åtgärd\r\n"
        + "söndag 10 mars 2024;Klotter;Hallsberg;Polisen;Öppet\r\n"
    )
    result = read_table(text.encode(encoding), "incidents", muni, "veckodagar.csv")
    assert result.ok, result.errors
    got = result.valid.sort_values("occurred_at")
    assert got["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-03-09 23:40",
        "2024-03-10 00:00",
    ]
    assert got["time_known"].tolist() == [True, False]
