"""The store: transactions, import log, undo, data version, first-start seeding."""

import sqlite3

import pandas as pd
import pytest

from lib.ingest.loading import ensure_initialised, import_bytes, seed_sample
from lib.store.store import Store, StoreError, WriteItem, database_url
from tests.conftest import FIXTURES, table_snapshot


def excel_bytes():
    return (FIXTURES / "excel_cp1252.csv").read_bytes()


def test_database_url_accepts_path_or_url(tmp_path, monkeypatch):
    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "sub" / "x.db"))
    assert database_url() == f"sqlite:///{tmp_path / 'sub' / 'x.db'}"
    assert (tmp_path / "sub").is_dir()
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_import_is_logged_with_hash_and_user(store, muni):
    outcome = import_bytes(store, excel_bytes(), "incidents", muni, "excel.csv", user="analytiker")
    assert outcome.ok and outcome.rows_added == 3
    log = store.import_log()
    row = log.iloc[-1]
    assert (row["file_name"], row["rows_added"], row["user"], row["kind"]) == (
        "excel.csv",
        3,
        "analytiker",
        "incidents",
    )
    import hashlib

    assert row["sha256"] == hashlib.sha256(excel_bytes()).hexdigest()
    assert pd.isna(row["undone_at"])


def test_every_write_changes_the_version(store, muni):
    v0 = store.data_version()
    outcome = import_bytes(store, excel_bytes(), "incidents", muni, "excel.csv")
    v1 = store.data_version()
    store.undo(outcome.import_id)
    assert v0 < v1 < store.data_version()


def test_same_file_twice_is_refused_and_changes_nothing(store, muni):
    import_bytes(store, excel_bytes(), "incidents", muni, "excel.csv")
    before = table_snapshot(store)
    again = import_bytes(store, excel_bytes(), "incidents", muni, "copy.csv")
    assert not again.ok and "redan inläst" in again.messages[0]
    assert table_snapshot(store) == before


def test_existing_ids_refuse_the_whole_file(store, muni):
    first = b"id;datum;kategori;ort;k\xe4lla\r\nA1;2019-01-01;St\xf6ld;Hallsberg;Polisen\r\n"
    second = first + b"A2;2019-01-02;St\xf6ld;Hallsberg;Polisen\r\n"
    assert import_bytes(store, first, "incidents", muni, "a.csv").ok
    before = table_snapshot(store)
    outcome = import_bytes(store, second, "incidents", muni, "b.csv")
    assert not outcome.ok and "finns redan" in outcome.messages[0]
    assert table_snapshot(store) == before


def test_undo_removes_exactly_that_import(store, muni):
    first = import_bytes(store, excel_bytes(), "incidents", muni, "excel.csv")
    second = import_bytes(
        store, (FIXTURES / "utf8_bom_comma.csv").read_bytes(), "incidents", muni, "utf8.csv"
    )
    assert store.undo(first.import_id) == 3
    remaining = store.read("incidents")
    assert set(remaining["import_id"]) == {second.import_id}
    with pytest.raises(StoreError) as info:
        store.undo(first.import_id)
    assert info.value.code == "already_undone"
    # After undo the same file may be imported again.
    assert import_bytes(store, excel_bytes(), "incidents", muni, "excel.csv").ok


def test_failed_batch_writes_nothing(store, muni):
    seed_sample(store, muni)
    before = table_snapshot(store)
    frame = store.read("incidents").head(2)  # ids that already exist
    good = store.read("cameras").assign(id=["X1", "X2", "X3"])
    with pytest.raises(StoreError):
        store.write_batch(
            [
                WriteItem("cameras", good, "ok.csv", "a" * 64),
                WriteItem("incidents", frame, "dup.csv", "b" * 64),
            ]
        )
    assert table_snapshot(store) == before


def test_round_trip_preserves_values(store, muni):
    outcome = import_bytes(store, excel_bytes(), "incidents", muni, "excel.csv")
    stored = store.read_incidents().sort_values("id").reset_index(drop=True)
    original = outcome.read.valid.sort_values("id").reset_index(drop=True)
    for column in ("id", "category", "locality", "source"):
        assert stored[column].astype(str).tolist() == original[column].astype(str).tolist()
    assert stored["occurred_at"].tolist() == original["occurred_at"].tolist()
    assert stored["time_known"].tolist() == original["time_known"].tolist()


def test_first_start_seeds_once_and_respects_undo(tmp_path, muni, sample_incidents):
    store = Store(str(tmp_path / "new.db"))
    ensure_initialised(store, muni)
    assert store.count("incidents") == len(sample_incidents)
    assert store.count("activities") > 0 and store.count("cameras") == 3
    assert store.sample_import_ids()
    for import_id in store.sample_import_ids():
        store.undo(import_id)
    ensure_initialised(store, muni)  # the analyst removed the sample data: keep it that way
    assert store.count("incidents") == 0


def test_store_is_a_real_sqlite_file(tmp_path, muni):
    path = tmp_path / "real.db"
    store = Store(str(path))
    import_bytes(store, excel_bytes(), "incidents", muni, "excel.csv")
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from incidents").fetchone()[0] == 3
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_progress_is_reported_per_chunk_up_to_done(store, muni, monkeypatch):
    import lib.store.store

    monkeypatch.setattr(lib.store.store, "INSERT_CHUNK", 2)
    rows = "\n".join(f"2019-01-0{d} 12:00;Klotter;Hallsberg;Polisen" for d in range(1, 6))
    shares = []
    outcome = import_bytes(
        store,
        f"datum;kategori;ort;källa\n{rows}\n".encode(),
        "incidents",
        muni,
        "fem.csv",
        progress=shares.append,
    )
    assert outcome.ok and outcome.rows_added == 5
    assert shares == [pytest.approx(0.4), pytest.approx(0.8), 1.0]


def test_a_new_store_file_is_readable_by_its_owner_only(tmp_path):
    """Incident places and descriptions are personal data: 0600 for the file and the WAL."""
    import stat

    path = tmp_path / "private.db"
    store = Store(str(path))
    store.secret()  # a write: the WAL and shared-memory files exist now
    for name in ("private.db", "private.db-wal", "private.db-shm"):
        file = tmp_path / name
        if file.exists():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
