"""The same event twice in one file (overlapping downloads put together): an exact copy is
kept once and reported, copies that differ are conflicts rejected with both places named,
and the rest of the file stays importable."""

from __future__ import annotations

import json

import pytest

from lib.ingest.importers import read_table
from lib.ingest.loading import import_bytes
from tests.conftest import FIXTURES, SHARED, table_snapshot

REPEATS = FIXTURES / "police_repeats.json"
BIG_POLICE = SHARED / "formats" / "polisen-events-orebro-lan-2023-2026.json"


def test_exact_copies_are_kept_once_and_conflicts_are_named(muni):
    result = read_table(REPEATS.read_bytes(), None, muni, "polisen.json")
    assert sorted(result.valid["id"]) == ["polisen-7001", "polisen-7002", "polisen-7004"]
    assert "2 dubbletter i filen togs bort (samma id och samma innehåll)." in result.notes
    conflicts = [e.reason for e in result.errors]
    assert conflicts == [
        "händelsen ”polisen-7003” (post 3 i listan) finns också som post 6 med annat "
        "innehåll; ingen av dem lästes",
        "händelsen ”polisen-7003” (post 6 i listan) finns också som post 3 med annat "
        "innehåll; ingen av dem lästes",
    ]
    assert result.rejected_rows == 2 and not result.file_failed


def test_conflicts_refuse_the_file_unless_skip_invalid(store, muni):
    data = REPEATS.read_bytes()
    before = table_snapshot(store)
    refused = import_bytes(store, data, None, muni, "polisen.json")
    assert not refused.ok and refused.messages[-1] == "Inget sparades."
    assert any("polisen-7003" in m for m in refused.messages)
    assert table_snapshot(store) == before
    kept = import_bytes(store, data, None, muni, "polisen.json", skip_invalid=True)
    assert kept.ok and kept.rows_added == 3
    assert sorted(store.read("incidents")["id"]) == [
        "polisen-7001",
        "polisen-7002",
        "polisen-7004",
    ]
    assert any("2 dubbletter i filen togs bort" in m for m in kept.messages)


def test_a_csv_with_repeated_rows(muni):
    data = (
        "id;datum;kategori;ort;källa\r\n"
        + "A;2019-01-01;Stöld;Hallsberg;Polisen\r\n" * 3
        + "B;2019-01-02;Klotter;Hallsberg;Polisen\r\n"
        + "B;2019-01-02;Klotter;Pålsboda;Polisen\r\n"
    ).encode()
    result = read_table(data, "incidents", muni, "a.csv")
    assert result.valid["id"].tolist() == ["A"]
    assert "2 dubbletter i filen togs bort (samma id och samma innehåll)." in result.notes
    assert [(e.row, e.column) for e in result.errors] == [(5, "id"), (6, "id")]
    assert "rad 6" in result.errors[0].reason and "rad 5" in result.errors[1].reason


def test_rows_without_id_that_look_alike_are_both_kept(muni):
    """No id in the file: two identical rows may be two incidents (ids are made per row)."""
    data = ("datum;kategori;ort;källa\r\n" + "2019-01-01;Stöld;Hallsberg;Polisen\r\n" * 2).encode()
    result = read_table(data, "incidents", muni, "a.csv")
    assert len(result.valid) == 2 and result.ok and not result.notes


def test_real_police_file_with_an_overlapping_part_of_itself(muni, store):
    if not BIG_POLICE.is_file():
        pytest.skip(f"the real police file is not available ({BIG_POLICE})")
    events = json.loads(BIG_POLICE.read_bytes())
    overlap = events[1000:2500]
    both = json.dumps(events + overlap, ensure_ascii=False).encode()
    # Independent of lib: Hallsberg's incidents, and how many of them the overlap repeats.
    ours = {
        e["id"]
        for e in events
        if (
            e["location"]["name"] == "Hallsberg"
            or (e["location"]["name"] == "Örebro län" and e["name"].endswith(", Hallsberg"))
        )
        and not e["type"].startswith(("Sammanfattning", "Uppdatering"))
    }
    repeated = sum(e["id"] in ours for e in overlap)
    assert repeated > 0
    outcome = import_bytes(store, both, None, muni, "polisen-dubbel.json")
    assert outcome.ok, outcome.messages
    assert outcome.rows_added == len(ours)
    assert f"{repeated} dubbletter i filen togs bort (samma id och samma innehåll)." in (
        outcome.messages
    )
    assert set(store.read("incidents").query("import_id == @outcome.import_id")["id"]) == {
        f"polisen-{i}" for i in ours
    }
