"""Imports under stress, with real processes on a real database (an SQLite file and a
PostgreSQL server): an import killed in the middle leaves no trace, two imports at the same
time both land, each intact, the same file imported twice at once lands once, and a second
process notices the new data version."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lib.ingest.loading import import_bytes, read_file
from lib.store.store import INSERT_CHUNK, Store
from tests.conftest import FIXTURES, ROOT, table_snapshot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")

# Run in a child process: import one file, reporting through stdout.
#   argv: db, csv path, mode ("hang" sleeps inside the transaction after the first chunk;
#   "together" reads, says READ, waits for the go file, then stores).
CHILD = r"""
import json, sys, time
from pathlib import Path
from lib.config import load_municipality
from lib.ingest.loading import read_file, store_result
from lib.store.store import Store

db, path, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
muni = load_municipality("hallsberg")
store = Store(db)
result = read_file(path.read_bytes(), "incidents", muni, path.name)
shares = []

def progress(share):
    shares.append(share)
    if mode == "hang" and share < 1:
        print("READY", flush=True)
        time.sleep(600)

if mode == "together":
    print("READ", flush=True)
    go = Path(sys.argv[4])
    deadline = time.time() + 120
    while not go.exists() and time.time() < deadline:
        time.sleep(0.01)
outcome = store_result(store, result, user=path.stem, progress=progress)
print(json.dumps({"ok": outcome.ok, "id": outcome.import_id, "rows": outcome.rows_added,
                  "messages": outcome.messages, "shares": shares}), flush=True)
"""


def child(db: Path, csv: Path, mode: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(csv), mode, *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(proc: subprocess.Popen, expected: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if line.strip() == expected:
                return
            if line == "":  # the child ended without saying it
                break
        if proc.poll() is not None:
            break
    proc.kill()
    _, err = proc.communicate(timeout=30)
    pytest.fail(f"child never printed {expected!r}; stderr:\n{err}")


def incidents_csv(path: Path, rows: int, label: str, start: str = "2019-01-01") -> Path:
    """A Swedish incident file with ``rows`` distinct rows (distinct times and texts)."""
    times = pd.date_range(start, periods=rows, freq="7min")
    frame = pd.DataFrame(
        {
            "datum": times.strftime("%Y-%m-%d %H:%M"),
            "kategori": ["Stöld", "Skadegörelse", "Klotter", "Bråk"] * (rows // 4)
            + ["Stöld"] * (rows % 4),
            "ort": ["Hallsberg", "Pålsboda", "Vretstorp"] * (rows // 3)
            + ["Hallsberg"] * (rows % 3),
            "källa": "Polisen",
            "beskrivning": [f"{label} {i}" for i in range(rows)],
        }
    )
    path.write_bytes(frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8"))
    return path


STATE = (
    "select count(*) from incidents",
    "select count(*) from imports",
    "select value from meta where key = 'data_version:1861'",
)


def read_only_state(db: str) -> tuple[int, int, int]:
    """Incidents, imports and data version, read without taking any lock (an SQLite file
    opened read-only; PostgreSQL readers never wait for writers)."""
    if "://" not in db:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return tuple(int(conn.execute(sql).fetchone()[0]) for sql in STATE)
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return tuple(int(conn.exec_driver_sql(sql).scalar_one()) for sql in STATE)
    finally:
        engine.dispose()


def query(db: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(Store(db).url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def seed_small(store: Store, muni) -> int:
    outcome = import_bytes(
        store, (FIXTURES / "excel_cp1252.csv").read_bytes(), "incidents", muni, "excel.csv"
    )
    assert outcome.ok and outcome.rows_added == 3
    return outcome.import_id


def test_sigkill_during_import_leaves_the_store_as_before(tmp_path, muni, store_url):
    db = store_url
    store = Store(db)
    seed_small(store, muni)
    rows = 200_000
    assert rows > INSERT_CHUNK  # progress is reported (< 1) before the last chunk
    big = incidents_csv(tmp_path / "stor.csv", rows, "rad")
    before = table_snapshot(store)
    count, version = store.count("incidents"), store.data_version()
    log = store.import_log()

    proc = child(db, big, "hang")
    try:
        wait_for_line(proc, "READY")
        # The first chunk is inserted, the transaction open: readers still see the old data.
        assert read_only_state(db) == (count, len(log), version)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    after = Store(db)
    assert after.count("incidents") == count
    assert after.data_version() == version
    pd.testing.assert_frame_equal(after.import_log(), log)
    assert table_snapshot(after) == before
    if "://" not in db:
        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert query(db, "select count(*) from incidents") == [(count,)]
    assert query(db, "select count(*) from imports") == [(len(log),)]
    # The lock died with the process: the same file imports now, completely.
    outcome = import_bytes(after, big.read_bytes(), "incidents", muni, big.name)
    assert outcome.ok and outcome.rows_added == rows
    assert after.count("incidents") == count + rows
    assert after.data_version() > version


def test_opening_a_store_does_not_wait_for_a_running_import(tmp_path, muni, store_url):
    db = store_url
    seed_small(Store(db), muni)
    big = incidents_csv(tmp_path / "stor.csv", INSERT_CHUNK + 10_000, "rad")
    opened = threading.Event()
    failures: list[BaseException] = []

    def open_store() -> None:
        try:
            Store(db).engine.dispose()
            opened.set()
        except BaseException as exc:
            failures.append(exc)

    proc = child(db, big, "hang")
    try:
        wait_for_line(proc, "READY")
        opener = threading.Thread(target=open_store, daemon=True)
        opener.start()
        # The import holds the lock until it is killed: any bound far below that will do,
        # and a loaded CI machine needs room.
        in_time = opened.wait(timeout=30)
    finally:
        proc.kill()  # releases the lock, so the opener finishes either way
        proc.communicate(timeout=60)
    opener.join(timeout=90)
    assert not failures, failures
    assert in_time, "Store() waited for the import's write lock"


def _expected_ids(path: Path, muni) -> set[str]:
    result = read_file(path.read_bytes(), "incidents", muni, path.name)
    assert result.ok
    return set(result.valid["id"])


def _check_two_imports(db: str, muni, files, outcomes, seed_id, seed_ids) -> None:
    """Both stored, counts add up, distinct import ids, each row under its own import; undo
    of one removes exactly its rows."""
    store = Store(db)
    expected = {path: _expected_ids(path, muni) for path in files}
    assert not set.intersection(*expected.values())
    ids = [o["id"] for o in outcomes]
    assert len(set(ids)) == 2 and seed_id not in ids
    assert [o["rows"] for o in outcomes] == [len(expected[p]) for p in files]
    assert store.count("incidents") == len(seed_ids) + sum(len(v) for v in expected.values())
    per_import = dict(query(db, "select import_id, count(*) from incidents group by import_id"))
    logged = dict(query(db, "select id, rows_added from imports"))
    assert per_import == {seed_id: len(seed_ids), **{o["id"]: o["rows"] for o in outcomes}}
    assert logged == per_import
    stored = store.read("incidents")
    by_import = stored.groupby("import_id")["id"].apply(set).to_dict()
    for path, outcome in zip(files, outcomes, strict=True):
        assert by_import[outcome["id"]] == expected[path]
    assert by_import[seed_id] == seed_ids
    first, second = outcomes
    assert store.undo(first["id"]) == first["rows"]
    remaining = store.read("incidents")
    assert set(remaining["id"]) == seed_ids | expected[files[1]]
    assert set(remaining["import_id"]) == {seed_id, second["id"]}


def test_two_processes_import_at_the_same_time(tmp_path, muni, store_url):
    db = store_url
    store = Store(db)
    seed_id = seed_small(store, muni)
    seed_ids = set(store.read("incidents")["id"])
    version = store.data_version()
    files = [
        incidents_csv(tmp_path / "a.csv", 60_000, "fil A", start="2019-01-01"),
        incidents_csv(tmp_path / "b.csv", 45_000, "fil B", start="2020-06-01"),
    ]
    go = tmp_path / "go"
    procs = [child(db, path, "together", str(go)) for path in files]
    try:
        for proc in procs:
            wait_for_line(proc, "READ")
        go.touch()  # both have read and validated; now they write at once
        outcomes = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            outcomes.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=60)
    assert all(o["ok"] for o in outcomes), outcomes
    assert all(o["shares"] and o["shares"][-1] == 1.0 for o in outcomes)
    assert Store(db).data_version() >= version + 2
    _check_two_imports(db, muni, files, outcomes, seed_id, seed_ids)


def test_two_threads_with_their_own_store_import_at_the_same_time(tmp_path, muni, store_url):
    db = store_url
    seed_id = seed_small(Store(db), muni)
    seed_ids = set(Store(db).read("incidents")["id"])
    files = [
        incidents_csv(tmp_path / "c.csv", 30_000, "fil C", start="2019-01-01"),
        incidents_csv(tmp_path / "d.csv", 20_000, "fil D", start="2020-06-01"),
    ]
    results = [read_file(p.read_bytes(), "incidents", muni, p.name) for p in files]
    barrier = threading.Barrier(2)
    outcomes: list[dict | None] = [None, None]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        from lib.ingest.loading import store_result

        try:
            own = Store(db)
            barrier.wait(timeout=60)
            outcome = store_result(own, results[i], user=files[i].stem)
            outcomes[i] = {"ok": outcome.ok, "id": outcome.import_id, "rows": outcome.rows_added}
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert all(o and o["ok"] for o in outcomes), outcomes
    _check_two_imports(db, muni, files, outcomes, seed_id, seed_ids)


def _run_together(tmp_path, db: str, files: list[Path]) -> list[dict]:
    """One child per file; each reads and validates its file, then all store at once."""
    go = tmp_path / "go"
    procs = [child(db, path, "together", str(go)) for path in files]
    try:
        for proc in procs:
            wait_for_line(proc, "READ")
        go.touch()
        outcomes = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            outcomes.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=60)
    return outcomes


def test_the_same_file_from_two_processes_at_once_lands_once(tmp_path, muni, store_url):
    """Both processes have checked the log before either writes: the writers' lock (and the
    unique index on live files behind it) lets exactly one store the file; the other is
    told in Swedish that it is already imported, and nothing of it is stored twice."""
    db = store_url
    seed_small(Store(db), muni)
    same = incidents_csv(tmp_path / "samma.csv", 30_000, "samma")
    outcomes = _run_together(tmp_path, db, [same, same])
    assert sorted(o["ok"] for o in outcomes) == [False, True], outcomes
    stored = next(o for o in outcomes if o["ok"])
    refused = next(o for o in outcomes if not o["ok"])
    assert "redan inläst" in refused["messages"][0]
    assert f"import {stored['id']}" in refused["messages"][0]
    assert Store(db).count("incidents") == 3 + 30_000
    assert query(db, "select count(*) from imports where undone_at is null") == [(2,)]


WATCHER = r"""
import sys, time
from pathlib import Path
from lib.store.store import Store

store, go = Store(sys.argv[1]), Path(sys.argv[2])
print(store.data_version(), flush=True)
deadline = time.time() + 120
while not go.exists() and time.time() < deadline:
    time.sleep(0.01)
print(store.data_version(), flush=True)
"""


def test_a_second_process_notices_the_new_data_version(tmp_path, muni, store_url):
    """Another app process (here a child with its own Store) sees the version an import in
    this process made: its caches, keyed on the version, reload."""
    db = store_url
    Store(db)
    go = tmp_path / "go"
    proc = subprocess.Popen(
        [sys.executable, "-c", WATCHER, db, str(go)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        before = int(proc.stdout.readline())
        imported = seed_small(Store(db), muni)
        go.touch()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    after = int(out.strip())
    assert imported and after != before
    assert after == Store(db).data_version()
