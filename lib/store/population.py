"""The population grid: SCB's open grid statistics (population per 250 m or 1 km square in
SWEREF 99 TM, EPSG:3006), the baseline for hot spots "against residents"
(``lib.figures.baselines.residents``).

One row per square with its municipality, written as an import of kind ``population_grid``
(so an import is undone like any other, ``Store.undo``). A store may hold several grids (a
newer year imported later): the map uses the latest import that is not undone. The table is
defined on the store's ``metadata`` and made on first use (``ensure_table``), so a store made
before it existed gets it without a migration.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lib.store.tables import TABLES, imports, lock_writers, metadata, municipality_column

KIND = "population_grid"
SIZES = (250, 1000)  # SCB's open grid statistics come in these two square sizes

grid = sa.Table(
    "population_grid",
    metadata,
    # SCB's square id (rutid, 13 digits), the size and the file: "5050006546000-1000-3f2a9c41d0"
    sa.Column("id", sa.String(40), nullable=False),
    sa.Column("easting", sa.Integer, nullable=False),  # the lower-left corner, metres
    sa.Column("northing", sa.Integer, nullable=False),
    sa.Column("size_m", sa.Integer, nullable=False),
    sa.Column("population", sa.Float, nullable=False),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    municipality_column(),
    sa.PrimaryKeyConstraint("municipality", "id"),
)
TABLES.setdefault(KIND, grid)

_made: set[str] = set()
_made_lock = threading.Lock()


def ensure_table(store) -> None:
    """Create the table in the store once per process (queued behind other writers)."""
    with _made_lock:
        if store.url in _made:
            return
        with store.engine.execution_options(write=True).begin() as conn:
            lock_writers(conn, 0)
            metadata.create_all(conn, tables=[grid], checkfirst=True)
        _made.add(store.url)


def read(store) -> pd.DataFrame:
    """The municipality's population grid in use: the squares of its latest live import of
    the kind (columns easting, northing, size_m, population; empty when none is loaded)."""
    ensure_table(store)
    latest = (
        sa.select(sa.func.max(imports.c.id))
        .where(
            store.own(imports),
            imports.c.kind == KIND,
            imports.c.undone_at.is_(None),
        )
        .scalar_subquery()
    )
    query = sa.select(grid.c.easting, grid.c.northing, grid.c.size_m, grid.c.population).where(
        store.own(grid), grid.c.import_id == latest
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(grid.c.id)).all()
    frame = pd.DataFrame(rows, columns=["easting", "northing", "size_m", "population"])
    return frame.astype(
        {"easting": np.int64, "northing": np.int64, "size_m": np.int64, "population": float}
    )


def cells(frame: pd.DataFrame) -> tuple[pd.DataFrame, int | None]:
    """The grid as ``lib.figures.baselines.residents`` takes it: (ix, iy, population at the
    squares' size, the size in metres), or (empty, None) without a grid."""
    if frame.empty:
        return pd.DataFrame(columns=["ix", "iy", "population"]), None
    size = int(frame["size_m"].iloc[0])
    return (
        pd.DataFrame(
            {
                "ix": frame["easting"].to_numpy(np.int64) // size,
                "iy": frame["northing"].to_numpy(np.int64) // size,
                "population": frame["population"].to_numpy(float),
            }
        ),
        size,
    )
