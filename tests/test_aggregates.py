"""The store's aggregates (lib.store.aggregates) equal a recount from the incident rows, done
here by hand with plain pandas, after imports, a skipped overlap, undo, removing the sample,
a schema migration and a rebuild, on SQLite and PostgreSQL; and the data manager's frames are
the same counts as frames built from the rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from lib.datamanager import DataManager, incident_rows
from lib.figures.filters import daily_cube, timed_frame
from lib.geo import project
from lib.ingest.loading import import_bytes, seed_sample
from lib.store import aggregates, migrations
from lib.store.store import Store, WriteItem


def recount(store) -> dict[str, pd.DataFrame]:
    """Each aggregate, counted from the stored incident rows by hand (no lib code but the
    projection and the keys, which the aggregates must reproduce)."""
    rows = store.read_incidents()
    if rows.empty:
        return {name: pd.DataFrame() for name in ("days", "hours", "cells")}
    day = rows["occurred_at"].dt.strftime("%Y-%m-%d")
    base = pd.DataFrame(
        {
            "day": day,
            "locality": rows["locality"].astype(str),
            "category": rows["category"].astype(str),
            "source": rows["source"].astype(str),
            "key": rows["key"],
        }
    )
    placed = rows["lat"].notna() & rows["lon"].notna()
    dims = ["day", "locality", "category", "source"]
    days = (
        base.assign(placed=placed.to_numpy())
        .groupby([*dims, "placed"])
        .agg(n=("key", "size"), key=("key", "sum"))
    )
    known = rows["time_known"].astype(bool)
    hours = (
        base[known]
        .assign(hour=rows.loc[known, "occurred_at"].dt.hour)
        .groupby([*dims, "hour"])
        .agg(n=("key", "size"), key=("key", "sum"))
    )
    x, y = project(rows.loc[placed, "lat"].to_numpy(), rows.loc[placed, "lon"].to_numpy())
    cells = (
        base[placed.to_numpy()]
        .assign(cx=np.floor(x / 50).astype(int), cy=np.floor(y / 50).astype(int))
        .groupby([*dims, "cx", "cy"])
        .agg(n=("key", "size"), key=("key", "sum"))
    )
    return {"days": days, "hours": hours, "cells": cells}


def stored(store) -> dict[str, pd.DataFrame]:
    """The daily aggregate summed over imports, and the hour and cell counts the database
    makes from the rows' stored keys and cells, in the recount's shape."""
    dims = ["day", "locality", "category", "source"]
    first, last = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
    with store.engine.connect() as conn:
        table = aggregates.agg_days
        days = pd.DataFrame(
            conn.execute(sa.select(table).where(table.c.municipality == store.municipality))
            .mappings()
            .all()
        )
        hours = aggregates.read_hours(conn, store.municipality, first, last)
        cells = aggregates.read_cells(conn, store.municipality, first, last)
    out = {}
    if days.empty:
        out["days"] = pd.DataFrame()
    else:
        days["placed"] = days["placed"].astype(bool)
        out["days"] = days.groupby([*dims, "placed"]).agg(n=("n", "sum"), key=("key", "sum"))
    for name, frame, extra in (("hours", hours, ["hour"]), ("cells", cells, ["cx", "cy"])):
        if frame.empty:
            out[name] = pd.DataFrame()
            continue
        frame = frame.assign(day=frame["day"].dt.strftime("%Y-%m-%d"))
        out[name] = frame.groupby([*dims, *extra]).agg(n=("n", "sum"), key=("key", "sum"))
    return out


def assert_equal_to_recount(store) -> None:
    want, got = recount(store), stored(store)
    for name in ("days", "hours", "cells"):
        if want[name].empty:
            assert got[name].empty, name
            continue
        w = want[name].sort_index()
        g = got[name].sort_index()
        assert list(g.index) == list(w.index), name
        assert g["n"].astype(int).tolist() == w["n"].astype(int).tolist(), name
        assert np.allclose(g["key"].to_numpy(float), w["key"].to_numpy(float)), name


def test_aggregates_follow_imports_undo_and_the_sample(store, muni):
    seed_sample(store, muni)
    assert_equal_to_recount(store)
    extra = pd.DataFrame(
        {
            "id": ["x1", "x2", "x3"],
            "occurred_at": pd.to_datetime(
                ["2019-03-05 22:15", "2019-03-05 00:00", "2019-04-01 08:00"]
            ),
            "time_known": [True, False, True],
            "category": ["Skadegörelse", "Stöld", "Klotter"],
            "locality": ["Hallsberg", "Pålsboda", "Hallsberg"],
            "lat": [59.0671, None, 59.066],
            "lon": [15.1102, None, 15.111],
            "source": ["police", "police", "municipal_report"],
            "description": [None, None, None],
        }
    )
    first = store.write(WriteItem("incidents", extra, "extra.csv", "sha-extra"))
    assert_equal_to_recount(store)
    # An overlapping download: only the new row is stored, and only it is counted.
    overlap = pd.concat([extra.iloc[[0]], extra.iloc[[0]].assign(id="x4")], ignore_index=True)
    store.write(WriteItem("incidents", overlap, "again.csv", "sha-again", skip_existing=True))
    assert_equal_to_recount(store)
    store.undo(first)
    assert_equal_to_recount(store)
    store.remove_sample()
    assert_equal_to_recount(store)
    with store.engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.sum(aggregates.agg_days.c.n))).scalar()
    assert left == 1  # x4 alone


def test_a_file_from_the_cli_path_is_counted(store, muni, tmp_path):
    data = (
        "Datum;Kategori;Ort;Lat;Lon;Källa\r\n"
        "2024-03-05 kl 14.30;Skadegörelse;Hallsberg;59,0671;15,1102;Polisen\r\n"
        "2024-03-06;Stöld;Vretstorp;;;Polisen\r\n"
    ).encode("utf-8-sig")
    outcome = import_bytes(store, data, "incidents", muni, "fil.csv")
    assert outcome.ok, outcome.messages
    assert_equal_to_recount(store)


def test_migration_counts_an_older_store_and_a_rebuild_repairs(store, muni):
    seed_sample(store, muni)
    with store.engine.begin() as conn:  # a store from before version 3: no aggregates
        for table in aggregates.AGGREGATES:
            conn.execute(sa.delete(table))
        incidents = migrations.st.incidents
        conn.execute(sa.update(incidents).values(key=None, cx=None, cy=None))
        conn.execute(
            sa.update(migrations.st.meta)
            .where(migrations.st.meta.c.key == "schema_version")
            .values(value="2")
        )
    assert stored(store)["days"].empty
    assert migrations.upgrade(store.engine, muni.code) == [3, 4]  # 4: the text limits
    assert_equal_to_recount(store)
    with store.engine.begin() as conn:  # damaged: one row's count changed by hand
        conn.execute(sa.update(aggregates.agg_days).values(n=aggregates.agg_days.c.n + 1))
        aggregates.rebuild(conn, store.secret(), store.municipality)
    assert_equal_to_recount(store)


def test_the_data_manager_reads_the_same_counts_as_frames_from_rows(store, muni):
    seed_sample(store, muni)
    manager = DataManager(store, muni)
    version = manager.version()
    rows = incident_rows(store)
    want = daily_cube(rows).assign(day=lambda f: f["day"].astype("datetime64[ns]"))
    got = manager.cube(version)
    keys = ["day", "locality", "category", "source"]

    def norm(frame):
        out = frame.assign(**{c: frame[c].astype(str) for c in keys[1:]})
        out["day"] = pd.to_datetime(out["day"]).astype("datetime64[ns]")
        return out.sort_values(keys).reset_index(drop=True)

    w, g = norm(want), norm(got)
    assert w[keys].equals(g[keys]) and w["n"].tolist() == g["n"].tolist()
    assert np.allclose(w["key"], g["key"])
    start, end = dt.date(2019, 1, 1), dt.date(2019, 6, 30)
    timed = timed_frame(rows)
    timed = timed[(timed["day"] >= pd.Timestamp(start)) & (timed["day"] <= pd.Timestamp(end))]
    hours = manager.hours(version, start, end)
    assert int(hours["n"].sum()) == len(timed)
    by_cell = hours.groupby(["weekday", "hour"])["n"].sum()
    by_hand = timed.groupby(["weekday", "hour"]).size()
    assert by_cell.sort_index().tolist() == by_hand.sort_index().tolist()


def test_a_declared_period_is_the_files_coverage_and_migrate_rebuilds(tmp_path, muni, capsys):
    """``import --tacker FRÅN:TILL``: a guard company's four rows in May and July cover
    the whole declared period (no partial months); without it the file's first and last
    months are partial. ``migrate --rebuild`` recounts and says how many."""
    from lib.cli import main

    db = str(tmp_path / "s.db")
    rows = "id;datum;kategori;ort;källa\n" + "".join(
        f"g{i};{day} 02:00;Skadegörelse;Hallsberg;Väktare\n"
        for i, day in enumerate(["2025-05-03", "2025-05-20", "2025-07-02", "2025-07-28"])
    )
    path = tmp_path / "vakter.csv"
    path.write_text(rows, encoding="utf-8")
    args = ["--db", db, "import", str(path), "--kind", "incidents", "--tacker"]
    assert main([*args, "2025-05-01:2025-08-31"]) == 0
    store = Store(db)
    manager = DataManager(store, muni)
    coverage = manager.coverage(manager.version())
    assert coverage.spans["security_guard"] == ((dt.date(2025, 5, 1), dt.date(2025, 8, 31)),)
    assert "security_guard" not in coverage.partial
    with pytest.raises(SystemExit):
        main([*args, "2025-09-31:2025-10-01"])
    assert "är ingen period" in capsys.readouterr().err
    capsys.readouterr()
    assert main(["--db", db, "migrate", "--rebuild"]) == 0
    assert "räknades om från 4 händelser" in capsys.readouterr().out
    assert_equal_to_recount(store)
