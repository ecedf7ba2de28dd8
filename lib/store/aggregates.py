"""Aggregates of the incidents, kept in the store beside the rows they count, so that pages
read counts instead of incidents and their cost follows the calendar and the vocabulary
(days × localities × categories × sources), not the number of incidents stored.

* ``agg_days``: per import, day, locality, category, source and whether the incident has a
  place (coordinates): the count ``n`` and the sum of the records' keys ``key`` (the cell-key
  method of ``lib.public.disclosure``: a cell's key is the sum of its records' keys modulo 1,
  so sums of sums give any coarser cell its key).
* ``agg_hours``: the same per hour of the day, for incidents whose time of day is known.
* ``agg_cells``: per import, day and cell of ``CELL_M`` metres in SWEREF 99 TM, for incidents
  with a place: every map cell (250, 500, 1 000 m) and every camera's radius is read from
  whole cells of this grid. No exact coordinate leaves the incidents table this way.

Each row belongs to one import, so an undo removes exactly what its import added
(``remove``), the tables are written in the import's own transaction (``add``), and
``rebuild`` recounts everything from the incident rows (schema migration 3, or
``python -m lib.cli migrate --rebuild``). Reading sums over the imports (``read_days`` …).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lib.geo import project
from lib.store.tables import bulk_insert, metadata, municipality_column

CELL_M = 50  # metres: 250, 500 and 1 000 m map cells are whole multiples, aligned at 0
DAY = "%Y-%m-%d"
DIMENSIONS = ["locality", "category", "source"]


def _table(name: str, *columns: sa.Column) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        municipality_column(),
        sa.Column("import_id", sa.Integer, nullable=False),  # 0: the app's own reports
        sa.Column("day", sa.String(10), nullable=False),
        *columns,
        sa.Column("locality", sa.String(128), nullable=False),
        sa.Column("category", sa.String(128), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("key", sa.Float, nullable=False),
    )


agg_days = _table("agg_days", sa.Column("placed", sa.Boolean, nullable=False))
agg_hours = _table("agg_hours", sa.Column("hour", sa.SmallInteger, nullable=False))
agg_cells = _table(
    "agg_cells",
    sa.Column("cx", sa.Integer, nullable=False),
    sa.Column("cy", sa.Integer, nullable=False),
)
AGGREGATES = (agg_days, agg_hours, agg_cells)
for _agg in AGGREGATES:
    sa.Index(f"ix_{_agg.name}_import", _agg.c.municipality, _agg.c.import_id)
    sa.Index(f"ix_{_agg.name}_day", _agg.c.municipality, _agg.c.day)


def record_keys(ids: pd.Series, secret: bytes) -> np.ndarray:
    """A key in [0, 1) per record: the first 8 bytes of a keyed BLAKE2b hash of its id.
    Without the secret nobody can compute them, even knowing the ids (the police's are
    public), so nobody can undo the noise they fix."""
    out = np.empty(len(ids), dtype=float)
    key = secret[:64]
    for i, value in enumerate(ids.astype(str)):
        digest = hashlib.blake2b(value.encode(), key=key, digest_size=8).digest()
        out[i] = int.from_bytes(digest, "big") / 2.0**64
    return out


def frames(incidents: pd.DataFrame, keys: np.ndarray) -> dict[str, pd.DataFrame]:
    """The three aggregates of some incidents (the incidents table's columns; ``keys`` their
    record keys), each with the columns of its table but municipality and import id."""
    stamp = pd.to_datetime(incidents["occurred_at"])
    base = pd.DataFrame(
        {
            "day": stamp.dt.strftime(DAY).to_numpy(),
            **{c: incidents[c].astype(str).to_numpy() for c in DIMENSIONS},
            "n": 1,
            "key": np.asarray(keys, dtype=float),
        }
    )
    lat = pd.to_numeric(incidents["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(incidents["lon"], errors="coerce").to_numpy(float)
    placed = np.isfinite(lat) & np.isfinite(lon)
    days = _sum(base.assign(placed=placed), ["day", "placed", *DIMENSIONS])
    known = incidents["time_known"].astype(bool).to_numpy()
    hours = _sum(
        base[known].assign(hour=stamp.dt.hour.to_numpy()[known]), ["day", "hour", *DIMENSIONS]
    )
    x, y = project(lat[placed], lon[placed])
    cells = _sum(
        base[placed].assign(
            cx=np.floor(x / CELL_M).astype(np.int64), cy=np.floor(y / CELL_M).astype(np.int64)
        ),
        ["day", "cx", "cy", *DIMENSIONS],
    )
    return {"agg_days": days, "agg_hours": hours, "agg_cells": cells}


def _sum(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    summed = rows.groupby(by, sort=False, observed=True)[["n", "key"]].sum().reset_index()
    return summed.astype({"n": np.int64})


def add(conn, municipality: str, import_id: int, incidents: pd.DataFrame, secret: bytes) -> None:
    """Count one import's incidents into the aggregates (in the import's transaction)."""
    if incidents.empty:
        return
    built = frames(incidents, record_keys(incidents["id"], secret))
    for table in AGGREGATES:
        frame = built[table.name]
        names = [c.name for c in table.columns if c.name not in ("municipality", "import_id")]
        rows = list(frame[names].astype(object).itertuples(index=False, name=None))
        bulk_insert(conn, table, rows, municipality=municipality, import_id=import_id)


def remove(conn, municipality: str, import_id: int) -> None:
    """Take one import's counts out of the aggregates (in the undo's transaction)."""
    for table in AGGREGATES:
        conn.execute(
            sa.delete(table).where(
                table.c.municipality == municipality, table.c.import_id == import_id
            )
        )


def rebuild(conn, secret: bytes, municipality: str | None = None) -> int:
    """Recount the aggregates from the incident rows (of one municipality, or all); returns
    the number of incidents counted. Import by import, so memory follows the largest file."""
    from lib.store.tables import incidents

    mine = [] if municipality is None else [incidents.c.municipality == municipality]
    for table in AGGREGATES:
        where = [] if municipality is None else [table.c.municipality == municipality]
        conn.execute(sa.delete(table).where(*where))
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
        add(conn, code, int(import_id), frame, secret)
        counted += len(frame)
    return counted


# --- Reading: sums over the imports -------------------------------------------------------------


def _read(conn, table: sa.Table, municipality: str, keys: list[str], start=None, end=None):
    """The table summed over imports by ``keys``, for days in [start, end] when given."""
    where = [table.c.municipality == municipality]
    if start is not None:
        where.append(table.c.day >= start.strftime(DAY))
    if end is not None:
        where.append(table.c.day <= end.strftime(DAY))
    group = [table.c[k] for k in keys]
    query = (
        sa.select(*group, sa.func.sum(table.c.n).label("n"), sa.func.sum(table.c.key).label("key"))
        .where(*where)
        .group_by(*group)
    )
    frame = pd.DataFrame(conn.execute(query).all(), columns=[*keys, "n", "key"])
    return frame.astype({"n": np.int64, "key": float})


def read_days(conn, municipality: str) -> pd.DataFrame:
    """day (Timestamp), locality, category, source, placed, n, key."""
    frame = _read(conn, agg_days, municipality, ["day", "placed", *DIMENSIONS])
    return frame.assign(
        day=pd.to_datetime(frame["day"], format=DAY), placed=frame["placed"].astype(bool)
    )


def read_hours(conn, municipality: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """day (Timestamp), hour, locality, category, source, n, key, for days in [start, end]."""
    frame = _read(conn, agg_hours, municipality, ["day", "hour", *DIMENSIONS], start, end)
    return frame.assign(
        day=pd.to_datetime(frame["day"], format=DAY), hour=frame["hour"].astype(np.int8)
    )


def read_cells(conn, municipality: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """day (Timestamp), cx, cy, locality, category, source, n, key, for days in [start, end]."""
    frame = _read(conn, agg_cells, municipality, ["day", "cx", "cy", *DIMENSIONS], start, end)
    return frame.assign(day=pd.to_datetime(frame["day"], format=DAY))


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
