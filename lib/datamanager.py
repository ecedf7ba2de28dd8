"""The data manager: the one place pages, ``publish`` and the PDF get their numbers from.

It reads one municipality's aggregates from the store (``lib.store.aggregates``: counts per
day, per hour and per 50 m cell), adds the municipality's own signal reports (counted the same
way, in memory: they change with every triage), and caches what it read and the views made
from it under explicit keys: the data version (which changes on every write to the
municipality, ``Store.data_version``), and for a view its page, filters and disclosure rules.
Nothing it returns may be changed in place: every caller shares it.

Incident rows are read only where a page lists incidents (``incident_rows``: analysts' views
and EST cases), never to draw a figure.

Where a number on a page is made: the page asks ``DataManager.view``; the view is made in
``lib.public.views`` (what the viewer may see) from figures in ``lib.figures`` (the
statistics), on the frames this module reads.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd

from lib.config import Municipality
from lib.est.cases import as_incidents
from lib.est.tables import IN_APP_IMPORT
from lib.figures import coverage as cov
from lib.geo import unproject
from lib.promises.definitions import Promises
from lib.promises.definitions import read as read_promises
from lib.store import aggregates, population
from lib.store.aggregates import CELL_M, DIMENSIONS, record_keys
from lib.store.store import Store
from lib.store.tables import imports

VIEWS = 128  # views kept per municipality (each a few tables and a chart's points)


def incident_rows(store: Store) -> pd.DataFrame:
    """Every incident of the municipality, its own signal reports included, with record keys
    (for pages that list incidents, and for tests that recount the aggregates)."""
    return store.read_incidents(as_incidents(store))


class _Cache:
    """A small thread-safe LRU of computed values; entries of an older data version go as
    soon as a newer one is asked for (the version is the key's first element)."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.version = None

    def get(self, key: tuple, make: Callable[[], object]):
        with self.lock:
            if key[0] != self.version:
                self.entries = OrderedDict(
                    (k, v) for k, v in self.entries.items() if k[0] == key[0]
                )
                self.version = key[0]
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = make()  # outside the lock: two sessions may both make it, never wait on each other
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


class DataManager:
    """One municipality's numbers from one store. Every method takes the data version it
    answers for (``version()``), so a cached answer can never be one of older data."""

    def __init__(self, store: Store, muni: Municipality):
        self.store = store
        self.muni = muni
        self._frames = _Cache(32)
        self._views = _Cache(VIEWS)

    def version(self) -> int:
        return self.store.data_version()

    def _cached(self, version: int, name: str, make: Callable[[], object], *key: Hashable):
        return self._frames.get((version, name, *key), make)

    # --- the municipality's own reports, counted like an import ---------------------------

    def _reports(self, version: int) -> dict[str, pd.DataFrame]:
        def make():
            rows = as_incidents(self.store)
            if rows.empty:
                return {}
            built = aggregates.frames(rows, record_keys(rows["id"], self.store.secret()))
            spans = rows.assign(day=rows["occurred_at"].dt.normalize()).groupby(
                ["import_id", "source"]
            )["day"]
            built["spans"] = spans.agg(["min", "max"]).reset_index()
            built["spans"].columns = ["import_id", "source", "first", "last"]
            return built

        return self._cached(version, "reports", make)

    def _with_reports(self, version: int, name: str, stored: pd.DataFrame, keep=None):
        extra = self._reports(version).get(name)
        if extra is None or extra.empty:
            return stored
        extra = extra.assign(day=pd.to_datetime(extra["day"], format=aggregates.DAY))
        if keep is not None:
            extra = extra[keep(extra)]
        return pd.concat([stored, extra[stored.columns]], ignore_index=True)

    # --- frames -----------------------------------------------------------------------------

    def days(self, version: int) -> pd.DataFrame:
        """Counts per day, locality, category, source and placed (has coordinates)."""

        def make():
            with self.store.engine.connect() as conn:
                stored = aggregates.read_days(conn, self.store.municipality)
            frame = self._with_reports(version, "agg_days", stored)
            keys = ["day", *DIMENSIONS, "placed"]
            frame = frame.groupby(keys, observed=True, sort=True)[["n", "key"]].sum().reset_index()
            return _compact(frame)

        return self._cached(version, "days", make)

    def cube(self, version: int) -> pd.DataFrame:
        """The daily cube every figure filters (``lib.figures.filters``): day, locality,
        category, source, n, key, sorted by day."""

        def make():
            days = self.days(version)
            keys = ["day", *DIMENSIONS]
            cube = days.groupby(keys, observed=True, sort=True)[["n", "key"]].sum().reset_index()
            return _compact(cube[cube["n"] > 0].reset_index(drop=True))

        return self._cached(version, "cube", make)

    def off_map(self, version: int) -> pd.DataFrame:
        """The cube of incidents the map cannot draw: without a place, or of a sensitive
        category (shown per locality)."""

        def make():
            days = self.days(version)
            sensitive = days["category"].astype(str).isin(self.muni.sensitive_categories)
            rows = days[~days["placed"] | sensitive]
            keys = ["day", *DIMENSIONS]
            cube = rows.groupby(keys, observed=True, sort=True)[["n", "key"]].sum().reset_index()
            return _compact(cube[cube["n"] > 0].reset_index(drop=True))

        return self._cached(version, "off_map", make)

    def hours(self, version: int, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Incidents with a known time per day and hour in [start, end] (the time-of-day
        figures' ``timed`` frame): day, weekday, hour, locality, category, source, n, key."""

        def make():
            with self.store.engine.connect() as conn:
                stored = aggregates.read_hours(conn, self.store.municipality, start, end)

            def inside(frame):
                return (frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))

            frame = self._with_reports(version, "agg_hours", stored, inside)
            frame = frame.sort_values("day", kind="stable").reset_index(drop=True)
            frame["weekday"] = frame["day"].dt.day_of_week.astype(np.int8)
            return _compact(frame)

        return self._cached(version, "hours", make, start, end)

    def selection_hours(self, version: int, f, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
        """The time-of-day rows of one selection (``f``: its period and the same a year
        earlier, its localities, categories and sources), without the ``exclude``d categories,
        counted per day and hour by the database: the same columns as ``hours``, the
        selection's values in the filter columns (so ``lib.figures.filters.select`` keeps
        every row). Bounded by the hours of the period, not by the incidents."""
        start, end = f.previous_year().start, f.end
        chosen = {"locality": f.localities, "category": f.categories, "source": f.sources}

        def make():
            with self.store.engine.connect() as conn:
                stored = aggregates.read_hour_totals(
                    conn, self.store.municipality, start, end, chosen, exclude
                )

            def chosen_rows(rows):  # the in-app reports' hours of the same selection
                keep = (rows["day"] >= pd.Timestamp(start)) & (rows["day"] <= pd.Timestamp(end))
                for column, values in chosen.items():
                    if values:
                        keep &= rows[column].isin(values)
                return keep & ~rows["category"].isin(exclude)

            frame = self._with_reports(version, "agg_hours", stored, chosen_rows)
            if len(frame) > len(stored):  # reports added: one row per day and hour again
                frame = frame.groupby(["day", "hour"], as_index=False)[["n", "key"]].sum()
            frame = frame.sort_values("day", kind="stable").reset_index(drop=True)
            frame["weekday"] = frame["day"].dt.day_of_week.astype(np.int8)
            frame["hour"] = frame["hour"].astype(np.int8)
            for column, values in chosen.items():
                frame[column] = values[0] if values else ""
            return frame

        return self._cached(version, "selection_hours", make, f, tuple(sorted(exclude)))

    def cells(self, version: int, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Incidents with a place per day and 50 m cell in [start, end], sensitive categories
        left out (the map's ``points``, each row weighing ``n``): day, x, y (the cell's
        centre in SWEREF 99 TM), lat, lon, locality, category, source, n, key."""

        def make():
            with self.store.engine.connect() as conn:
                stored = aggregates.read_cells(conn, self.store.municipality, start, end)

            def inside(frame):
                return (frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))

            frame = self._with_reports(version, "agg_cells", stored, inside)
            frame = frame[~frame["category"].astype(str).isin(self.muni.sensitive_categories)]
            frame = frame.sort_values("day", kind="stable").reset_index(drop=True)
            x = (frame["cx"].to_numpy(float) + 0.5) * CELL_M
            y = (frame["cy"].to_numpy(float) + 0.5) * CELL_M
            lat, lon = unproject(x, y)
            frame = frame.assign(x=x.astype(np.float32), y=y.astype(np.float32), lat=lat, lon=lon)
            return _compact(frame.drop(columns=["cx", "cy"]))

        return self._cached(version, "cells", make, start, end)

    # --- trouble spots (issue 22): residents, signals, repeats -------------------------------

    def population(self, version: int) -> pd.DataFrame:
        """The population grid in use (SCB's squares, ``lib.store.population.read``):
        easting, northing, size_m, population; empty when none is loaded."""
        return self._cached(version, "population", lambda: population.read(self.store))

    def latest_day(self, version: int) -> dt.date | None:
        """The latest day with any incident (the day signals are computed as of)."""
        cube = self.cube(version)
        return None if cube.empty else cube["day"].max().date()

    def placed_cells(self, version: int, start: dt.date, end: dt.date) -> pd.DataFrame:
        """As ``cells``, every category included (sensitive ones too): for figures only a
        signed-in analyst sees and that never draw a place (near-repeat tests)."""

        def make():
            with self.store.engine.connect() as conn:
                stored = aggregates.read_cells(conn, self.store.municipality, start, end)

            def inside(frame):
                return (frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))

            frame = self._with_reports(version, "agg_cells", stored, inside)
            x = (frame["cx"].to_numpy(float) + 0.5) * CELL_M
            y = (frame["cy"].to_numpy(float) + 0.5) * CELL_M
            frame = frame.assign(x=x, y=y).drop(columns=["cx", "cy"])
            return _compact(frame.sort_values("day", kind="stable").reset_index(drop=True))

        return self._cached(version, "placed_cells", make, start, end)

    def signals(self, version: int, day: dt.date):
        """The prospective space-time scan (``lib.figures.scan``) as of ``day``: the
        incidents with a place of the 365 days ending on it (``cells``, one row per incident,
        so sensitive categories are left out as on the map), all categories together. The
        Monte Carlo draws are seeded from the day, so the same data and day always give the
        same signals. Returns (ScanResult, the incidents scanned: x, y, day, category)."""
        from lib.figures import scan

        def make():
            start = day - dt.timedelta(days=scan.STUDY_DAYS - 1)
            points = incidents_of(self.cells(version, start, day))
            rng = np.random.default_rng(day.toordinal())
            found = scan.scan(points["x"], points["y"], points["day"], day, rng=rng)
            return found, points

        return self._cached(version, "signals", make, day)

    def repeats(
        self, version: int, end: dt.date, localities=(), sources=(), sensitive: bool = False
    ) -> pd.DataFrame:
        """The near-repeat (Knox) test per category over the 12 months ending on ``end``
        (``lib.figures.repeats.near_repeats``), of the incidents with a place in the given
        localities and sources (all when empty); sensitive categories only when asked (for
        an analyst). Permutations seeded from the day."""
        from lib.figures import repeats

        def make():
            start = (pd.Timestamp(end) - pd.DateOffset(months=repeats.MONTHS)).date()
            cells = (self.placed_cells if sensitive else self.cells)(version, start, end)
            if localities:
                cells = cells[cells["locality"].isin(localities)]
            if sources:
                cells = cells[cells["source"].isin(sources)]
            points = incidents_of(cells)
            rng = np.random.default_rng(end.toordinal())
            return repeats.near_repeats(points, end, rng=rng)

        return self._cached(version, "repeats", make, end, localities, sources, sensitive)

    def coverage(self, version: int, today: dt.date | None = None) -> cov.Coverage:
        """Which months each source covers (``lib.figures.coverage``)."""
        today = today or dt.date.today()

        def make():
            with self.store.engine.connect() as conn:
                declared = self._declared(conn)
            spans = self.import_spans(version)
            return cov.from_imports(spans, declared, ongoing=(IN_APP_IMPORT,), today=today)

        return self._cached(version, "coverage", make, today)

    def import_spans(self, version: int) -> pd.DataFrame:
        """Each import's first and last day per source (the app's reports as import 0):
        import_id, source, first, last. For coverage only: never shown as days."""

        def make():
            with self.store.engine.connect() as conn:
                spans = aggregates.import_spans(conn, self.store.municipality)
            extra = self._reports(version).get("spans")
            if extra is not None and len(extra):
                spans = pd.concat([spans, extra], ignore_index=True)
            return spans

        return self._cached(version, "spans", make)

    def _declared(self, conn) -> dict[int, tuple[dt.date, dt.date]]:
        import sqlalchemy as sa

        rows = conn.execute(
            sa.select(imports.c.id, imports.c.covers_from, imports.c.covers_to).where(
                self.store.own(imports),
                imports.c.undone_at.is_(None),
                imports.c.covers_from.is_not(None),
            )
        ).all()
        return {
            int(i): (dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for i, a, b in rows if b
        }

    def meetings(self, version: int) -> tuple[dt.date, ...]:
        return self._cached(version, "meetings", self.store.meetings)

    def promises(self, version: int) -> Promises:
        """The promise definitions as the store holds them (periods, promises, indicators
        and targets; ``lib.promises.definitions``)."""
        return self._cached(version, "promises", lambda: read_promises(self.store))

    def import_log(self, version: int) -> pd.DataFrame:
        return self._cached(version, "import_log", self.store.import_log)

    def has_sample(self, version: int) -> bool:
        return self._cached(version, "has_sample", lambda: bool(self.store.sample_import_ids()))

    # --- what the public layer computes views from -------------------------------------------

    def data(self, version: int, today: dt.date | None = None):
        """The frames every view is computed from (``lib.public.views.Data``)."""
        from lib.public.views import Data

        today = today or dt.date.today()

        def make():
            return Data(
                self.cube(version),
                lambda f, exclude=(): self.selection_hours(version, f, exclude),
                self.coverage(version, today),
                self.muni,
                self.meetings(version),
                self.off_map(version),
                self.promises(version).periods,
            )

        return self._cached(version, "data", make, today)

    def presets(self, version: int, today: dt.date | None = None) -> list:
        """The periods anyone may choose (``lib.figures.periods``), the default first."""
        today = today or dt.date.today()
        return self._cached(
            version, "presets", lambda: self.data(version, today).presets(today), today
        )

    def view(self, version: int, page: str, make: Callable[[], object], *key: Hashable):
        """A page's view (or any figure made for it), made once per data version and key
        (filters, disclosure rules, options), shared by every session."""
        return self._views.get((version, page, *key), make)


def incidents_of(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per incident from rows that each count ``n`` incidents at a 50 m cell's
    centre (``DataManager.cells``): x, y (float), day, category, for the tests that need one
    row per incident (the space-time scan, the Knox test)."""
    n = cells["n"].to_numpy(np.int64)
    return pd.DataFrame(
        {
            "x": np.repeat(cells["x"].to_numpy(float), n),
            "y": np.repeat(cells["y"].to_numpy(float), n),
            "day": np.repeat(cells["day"].to_numpy(), n),
            "category": np.repeat(cells["category"].astype(str).to_numpy(), n),
        }
    )


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Repeated text as categoricals: a large shared frame stays small."""
    for column in DIMENSIONS:
        if column in frame and frame[column].dtype != "category":
            frame[column] = frame[column].astype("category")
    return frame
