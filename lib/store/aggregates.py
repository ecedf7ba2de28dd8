"""What the pages read instead of incidents, kept in the store beside the rows they count, so
that a page's cost follows the calendar and the vocabulary (days × localities × categories ×
sources), not the number of incidents stored.

* ``agg_days``: per import, day, locality, category, source and whether the incident has a
  place (coordinates): the count ``n`` and the sum of the records' keys ``key`` (the cell-key
  method of ``lib.public.disclosure``: a cell's key is the sum of its records' keys modulo 1,
  so sums of sums give any coarser cell its key). Every period figure (overview, trends,
  unusual months, promises, the meeting) is made from it; it is written in the import's own
  transaction (``add``) and each row belongs to one import, so an undo removes exactly what
  its import added (``remove``).
* Per hour of the day and per 50 m cell (``CELL_M``, SWEREF 99 TM: every map cell of 250, 500
  and 1 000 m and every camera's radius is read from whole cells of it) the counts are made
  by the database itself, for the days a page asks about (``read_hours``, ``read_cells``):
  each incident row carries its record key and its 50 m cell, worked out at import
  (``derived``). Kept as tables of their own, hour × day and cell × day aggregates hold
  nearly one row per incident at a town's density (a million incidents gave 0.6 and 0.9
  million rows), which doubled an import's cost and saved a page nothing.

No exact coordinate leaves the incidents table this way. ``rebuild`` recounts everything
from the incident rows (schema migration 3, or ``python -m lib.cli migrate --rebuild``).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lib.geo import project
from lib.store.tables import bulk_insert, incidents, metadata, municipality_column

CELL_M = 50  # metres: 250, 500 and 1 000 m map cells are whole multiples, aligned at 0
DAY = "%Y-%m-%d"
DIMENSIONS = ["locality", "category", "source"]

agg_days = sa.Table(
    "agg_days",
    metadata,
    municipality_column(),
    sa.Column("import_id", sa.Integer, nullable=False),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("placed", sa.Boolean, nullable=False),
    sa.Column("locality", sa.String(128), nullable=False),
    sa.Column("category", sa.String(128), nullable=False),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("key", sa.Float, nullable=False),
)
sa.Index("ix_agg_days_import", agg_days.c.municipality, agg_days.c.import_id)
sa.Index("ix_agg_days_day", agg_days.c.municipality, agg_days.c.day)
AGGREGATES = (agg_days,)


def record_keys(ids: pd.Series, secret: bytes) -> np.ndarray:
    """A key in [0, 1) per record: the first 8 bytes of a keyed BLAKE2b hash of its id.
    Without the secret nobody can compute them, even knowing the ids (the police's are
    public), so nobody can undo the noise they fix."""
    copy = hashlib.blake2b(key=secret[:64], digest_size=8).copy

    def digest(value: bytes) -> bytes:
        h = copy()  # the key's block is hashed once, not once per record
        h.update(value)
        return h.digest()

    # A plain list first: iterating an Arrow-backed series costs more than the hashing.
    raw = b"".join([digest(v.encode()) for v in ids.astype(str).tolist()])
    return np.frombuffer(raw, dtype=">u8").astype(np.float64) / 2.0**64


def derived(rows: pd.DataFrame, secret: bytes) -> pd.DataFrame:
    """What the store keeps on each incident row besides the file's columns: its record key
    and its 50 m cell (cx, cy; missing without coordinates)."""
    return cells_of(rows).assign(key=record_keys(rows["id"], secret))[["key", "cx", "cy"]]


def cells_of(rows: pd.DataFrame) -> pd.DataFrame:
    """Each row's 50 m cell (cx, cy), missing without coordinates."""
    lat = pd.to_numeric(rows["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(rows["lon"], errors="coerce").to_numpy(float)
    placed = np.isfinite(lat) & np.isfinite(lon)
    cx = pd.array(np.zeros(len(rows), dtype=np.int64), dtype="Int64")
    cy = cx.copy()
    if placed.any():
        x, y = project(lat[placed], lon[placed])
        cx[placed] = np.floor(x / CELL_M).astype(np.int64)
        cy[placed] = np.floor(y / CELL_M).astype(np.int64)
    cx[~placed] = pd.NA
    cy[~placed] = pd.NA
    return pd.DataFrame({"cx": cx, "cy": cy}, index=rows.index)


def days_frame(rows: pd.DataFrame, keys: np.ndarray) -> pd.DataFrame:
    """``agg_days``'s rows (but municipality and import id) for some incidents."""
    stamp = pd.to_datetime(rows["occurred_at"])
    lat = pd.to_numeric(rows["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(rows["lon"], errors="coerce").to_numpy(float)
    frame = pd.DataFrame(
        {
            # Grouped on the day's number; written as text once per group, not per record.
            "d": stamp.to_numpy().astype("datetime64[D]").astype(np.int64),
            "placed": np.isfinite(lat) & np.isfinite(lon),
            # Categoricals: grouping on their codes is several times faster than on text.
            **{c: rows[c].astype(str).astype("category") for c in DIMENSIONS},
            "n": 1,
            "key": np.asarray(keys, dtype=float),
        }
    )
    grouped = frame.groupby(["d", "placed", *DIMENSIONS], sort=False, observed=True)
    summed = grouped[["n", "key"]].sum().reset_index()
    for column in DIMENSIONS:
        summed[column] = summed[column].astype(str)
    days = np.datetime_as_string(summed["d"].to_numpy().astype("datetime64[D]"), unit="D")
    return (
        summed.drop(columns="d")
        .assign(day=days)
        .astype({"n": np.int64})[["day", "placed", *DIMENSIONS, "n", "key"]]
    )


def frames(rows: pd.DataFrame, keys: np.ndarray) -> dict[str, pd.DataFrame]:
    """All three aggregates of some incident-shaped rows, in memory (the app's own reports,
    which change with every triage, and tests): days as ``agg_days``, hours and cells as
    ``read_hours`` and ``read_cells`` give them."""
    keys = np.asarray(keys, dtype=float)
    stamp = pd.to_datetime(rows["occurred_at"])
    base = pd.DataFrame(
        {
            "day": stamp.dt.strftime(DAY).to_numpy(),
            **{c: rows[c].astype(str).to_numpy() for c in DIMENSIONS},
            "n": 1,
            "key": keys,
        }
    )
    known = rows["time_known"].astype(bool).to_numpy()
    hours = base[known].assign(hour=stamp.dt.hour.to_numpy()[known])
    cells = cells_of(rows)
    placed = cells["cx"].notna().to_numpy()
    at = base[placed].assign(
        cx=cells["cx"][placed].astype(np.int64).to_numpy(),
        cy=cells["cy"][placed].astype(np.int64).to_numpy(),
    )
    return {
        "agg_days": days_frame(rows, keys),
        "agg_hours": _sum(hours, ["day", "hour", *DIMENSIONS]),
        "agg_cells": _sum(at, ["day", "cx", "cy", *DIMENSIONS]),
    }


def _sum(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    summed = rows.groupby(by, sort=False, observed=True)[["n", "key"]].sum().reset_index()
    return summed.astype({"n": np.int64})


def add(conn, municipality: str, import_id: int, rows: pd.DataFrame, keys: np.ndarray) -> None:
    """Count one import's incidents into ``agg_days`` (in the import's transaction)."""
    if rows.empty:
        return
    frame = days_frame(rows, keys)
    names = [c.name for c in agg_days.columns if c.name not in ("municipality", "import_id")]
    columns = [frame[c].tolist() for c in names]
    bulk_insert(
        conn,
        agg_days,
        list(zip(*columns, strict=True)),
        municipality=municipality,
        import_id=import_id,
    )


def remove(conn, municipality: str, import_id: int) -> None:
    """Take one import's counts out of the aggregates (in the undo's transaction)."""
    conn.execute(
        sa.delete(agg_days).where(
            agg_days.c.municipality == municipality, agg_days.c.import_id == import_id
        )
    )


def rebuild(conn, secret: bytes, municipality: str | None = None) -> int:
    """Recount the aggregates from the incident rows (of one municipality, or all), and
    work out each row's key and cell again; returns the number of incidents counted. Import
    by import, so memory follows the largest file."""
    where_days = [] if municipality is None else [agg_days.c.municipality == municipality]
    conn.execute(sa.delete(agg_days).where(*where_days))
    mine = [] if municipality is None else [incidents.c.municipality == municipality]
    groups = conn.execute(
        sa.select(incidents.c.municipality, incidents.c.import_id)
        .where(*mine)
        .group_by(incidents.c.municipality, incidents.c.import_id)
    ).all()
    counted = 0
    columns = ["id", "occurred_at", "time_known", "lat", "lon", *DIMENSIONS]
    for code, import_id in groups:
        rows = conn.execute(
            sa.select(*(incidents.c[c] for c in columns)).where(
                incidents.c.municipality == code, incidents.c.import_id == import_id
            )
        ).all()
        frame = pd.DataFrame(rows, columns=columns)
        extra = derived(frame, secret)
        update = (
            sa.update(incidents)
            .where(incidents.c.municipality == code, incidents.c.id == sa.bindparam("rid"))
            .values(key=sa.bindparam("k"), cx=sa.bindparam("x"), cy=sa.bindparam("y"))
        )
        conn.execute(
            update,
            [
                {"rid": i, "k": float(k), "x": _int(x), "y": _int(y)}
                for i, k, x, y in zip(
                    frame["id"], extra["key"], extra["cx"], extra["cy"], strict=True
                )
            ],
        )
        add(conn, code, int(import_id), frame, extra["key"].to_numpy())
        counted += len(frame)
    return counted


def _int(value):
    return None if pd.isna(value) else int(value)


# --- Reading ------------------------------------------------------------------------------------


def read_days(conn, municipality: str) -> pd.DataFrame:
    """``agg_days`` summed over imports: day (Timestamp), placed, locality, category, source,
    n, key."""
    t = agg_days
    group = [t.c.day, t.c.placed, *(t.c[c] for c in DIMENSIONS)]
    query = (
        sa.select(*group, sa.func.sum(t.c.n), sa.func.sum(t.c.key))
        .where(t.c.municipality == municipality)
        .group_by(*group)
    )
    frame = pd.DataFrame(
        conn.execute(query).all(), columns=["day", "placed", *DIMENSIONS, "n", "key"]
    )
    return frame.astype({"n": np.int64, "key": float, "placed": bool}).assign(
        day=pd.to_datetime(frame["day"], format=DAY)
    )


def _grouped(conn, municipality: str, start: dt.date, end: dt.date, extra: list, where: list):
    """Incidents in [start, end] counted by day, ``extra`` and the dimensions, by the
    database (the day and hour are the stored wall time's text)."""
    t = incidents
    day = sa.func.substr(t.c.occurred_at, 1, 10)
    group = [day, *extra, *(t.c[c] for c in DIMENSIONS)]
    after = (end + dt.timedelta(days=1)).strftime(DAY)
    query = (
        sa.select(*group, sa.func.count(), sa.func.sum(t.c.key))
        .where(
            t.c.municipality == municipality,
            t.c.occurred_at >= start.strftime(DAY),
            t.c.occurred_at < after,
            *where,
        )
        .group_by(*group)
    )
    return conn.execute(query).all()


def read_hour_totals(
    conn,
    municipality: str,
    start: dt.date,
    end: dt.date,
    chosen: dict[str, tuple[str, ...]],
    exclude: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Incidents with a known time in [start, end] of the chosen localities, categories and
    sources (``chosen``: column -> values, empty for all), without the ``exclude``d
    categories, counted per day and hour only: day (Timestamp), hour, n, key. At most a row
    per hour of the period, however many incidents (the time-of-day figures of one
    selection)."""
    t = incidents
    hour = sa.cast(sa.func.substr(t.c.occurred_at, 12, 2), sa.Integer)
    where = [t.c.time_known.is_(True)]
    for column, values in chosen.items():
        if values:
            where.append(t.c[column].in_(list(values)))
    if exclude:
        where.append(t.c.category.not_in(list(exclude)))
    day = sa.func.substr(t.c.occurred_at, 1, 10)
    after = (end + dt.timedelta(days=1)).strftime(DAY)
    query = (
        sa.select(day, hour, sa.func.count(), sa.func.sum(t.c.key))
        .where(
            t.c.municipality == municipality,
            t.c.occurred_at >= start.strftime(DAY),
            t.c.occurred_at < after,
            *where,
        )
        .group_by(day, hour)
    )
    frame = pd.DataFrame(conn.execute(query).all(), columns=["day", "hour", "n", "key"])
    return frame.astype({"n": np.int64, "key": float, "hour": np.int8}).assign(
        day=pd.to_datetime(frame["day"], format=DAY)
    )


def read_hours(conn, municipality: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Incidents with a known time in [start, end] per day and hour: day (Timestamp), hour,
    locality, category, source, n, key."""
    hour = sa.cast(sa.func.substr(incidents.c.occurred_at, 12, 2), sa.Integer)
    rows = _grouped(conn, municipality, start, end, [hour], [incidents.c.time_known.is_(True)])
    frame = pd.DataFrame(rows, columns=["day", "hour", *DIMENSIONS, "n", "key"])
    return frame.astype({"n": np.int64, "key": float, "hour": np.int8}).assign(
        day=pd.to_datetime(frame["day"], format=DAY)
    )


def read_cells(conn, municipality: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Incidents with a place in [start, end] per day and 50 m cell: day (Timestamp), cx,
    cy, locality, category, source, n, key."""
    t = incidents
    rows = _grouped(conn, municipality, start, end, [t.c.cx, t.c.cy], [t.c.cx.is_not(None)])
    frame = pd.DataFrame(rows, columns=["day", "cx", "cy", *DIMENSIONS, "n", "key"])
    return frame.astype({"n": np.int64, "key": float, "cx": np.int64, "cy": np.int64}).assign(
        day=pd.to_datetime(frame["day"], format=DAY)
    )


def import_spans(conn, municipality: str) -> pd.DataFrame:
    """Each import's first and last day per source: import_id, source, first, last."""
    t = agg_days
    query = (
        sa.select(t.c.import_id, t.c.source, sa.func.min(t.c.day), sa.func.max(t.c.day))
        .where(t.c.municipality == municipality)
        .group_by(t.c.import_id, t.c.source)
    )
    frame = pd.DataFrame(
        conn.execute(query).all(), columns=["import_id", "source", "first", "last"]
    )
    for column in ("first", "last"):
        frame[column] = pd.to_datetime(frame[column], format=DAY)
    return frame
