"""The store: an SQLite file by default, PostgreSQL for a shared deployment (any SQLAlchemy
URL), written only in whole transactions, each recorded in the import log and undoable, with
a data version that changes on every write so readers know when to reload.

Several municipalities can share one store: every row carries its municipality's code, and a
``Store`` reads and writes only the rows of its own (``Store(url, municipality=code)``).
"""

from __future__ import annotations

import copy
import datetime as dt
import getpass
import hashlib
import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event

from lib.config import DATA_DIR
from lib.i18n import t
from lib.store import aggregates
from lib.store.aggregates import record_keys
from lib.store.tables import (
    DATE_FIELDS,
    TABLES,
    TIME_FORMAT,
    UNDO_HOOKS,
    bulk_insert,
    imports,
    insert_missing,
    lock_writers,
    mappings,
    meetings,
    meta,
    municipality_code,
    value_mappings,
)

DEFAULT_DB = DATA_DIR / "trygghet.db"
INSERT_CHUNK = 50_000


class StoreError(Exception):
    """A write refused for a reason the user can fix; ``code`` selects the Swedish message."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class WriteItem:
    kind: str
    frame: pd.DataFrame
    file_name: str
    sha256: str
    is_sample: bool = False
    # Rows whose id is already stored are left out instead of refusing the file: for feeds
    # downloaded again and again (the police's open events), where overlap is expected.
    skip_existing: bool = False
    # The period the file covers, when it says (first and last day); else its coverage is
    # the months of its first and last incident (``lib.figures.coverage``).
    covers: tuple[dt.date, dt.date] | None = None


def database_url(value: str | None = None) -> str:
    """TRYGGHET_DB as given: an SQLAlchemy URL, or a path to an SQLite file."""
    value = value or os.environ.get("TRYGGHET_DB") or str(DEFAULT_DB)
    if "://" in value:
        # PostgreSQL through psycopg 3 (the one driver in requirements.txt), also when the
        # URL names none.
        return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", value)
    path = Path(value).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return t("store.unknown_user")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _private_file(path: str | None) -> None:
    """The store holds incident places and descriptions (personal data about crime): an
    SQLite file is created readable by its owner only (0600; SQLite gives its -wal and -shm
    files the database file's mode). An existing file keeps the mode its owner gave it."""
    if not path or path == ":memory:" or Path(path).exists():
        return
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(descriptor)


def _sqlite_pragmas(engine: sa.Engine) -> None:
    """WAL lets pages read while an import writes; writers take the lock up front (BEGIN
    IMMEDIATE) so two imports queue instead of failing or interleaving."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        immediate = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def default_municipality() -> str:
    """The deployment's own municipality (TRYGGHET_KOMMUN), the store's default."""
    from lib.config import load_municipality

    return load_municipality().code


class Store:
    """One municipality's view of a store: ``Store(url, municipality=code)`` reads and
    writes only that municipality's rows (the configured one, TRYGGHET_KOMMUN, when none is
    given). ``for_municipality`` gives another municipality's view on the same connections.
    Opening a store creates or upgrades its schema (``lib.store.migrations``); an older
    store's rows go to ``owner`` (default: the configured municipality)."""

    def __init__(
        self, url: str | None = None, municipality: str | None = None, *, owner: str | None = None
    ):
        from lib.store.migrations import upgrade

        self.url = database_url(url)
        self.municipality = municipality_code(municipality or default_municipality())
        self.engine = sa.create_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            _private_file(self.engine.url.database)
            _sqlite_pragmas(self.engine)
        upgrade(self.engine, municipality_code(owner or default_municipality()))
        self.ensure_version()

    def for_municipality(self, municipality: str) -> Store:
        """The same store (and connection pool) seen as another municipality."""
        other = copy.copy(self)
        other.municipality = municipality_code(municipality)
        other.ensure_version()
        return other

    @property
    def _version_key(self) -> str:
        return f"data_version:{self.municipality}"

    def ensure_version(self) -> None:
        """A municipality seen for the first time gets its data version from the store's
        counter. Only then is anything written here: opening a store must not wait for an
        import that holds the write lock (the CLI, a second app process)."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(meta.c.value).where(meta.c.key == self._version_key))
            if found.first() is not None:
                return
        with self.engine.execution_options(write=True).begin() as conn:
            lock_writers(conn, 0)
            found = conn.execute(sa.select(meta.c.key).where(meta.c.key == self._version_key))
            if found.first() is None:
                self.bump_version(conn)

    @contextmanager
    def writing(self):
        """One write transaction; writers of the same municipality queue."""
        with self.engine.execution_options(write=True).begin() as conn:
            lock_writers(conn, int(self.municipality))
            yield conn

    # --- versions and log ---------------------------------------------------------------

    def data_version(self) -> int:
        """This municipality's data version. It changes on each of its writes and never on
        another municipality's; versions come from one counter for the whole store, so no
        two municipalities ever have the same one (a cache keyed on the store's URL and the
        version cannot mix them up)."""
        # One plain query on the pool's driver connection: pages ask several times a run, and
        # a SQLAlchemy connection's transaction (BEGIN, the events, the rollback) cost ten
        # times the query (0.28 against 0.03 ms, bench/load.py's profile).
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        sql = f"SELECT value FROM {meta.name} WHERE key = {mark}"
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(sql, (self._version_key,))
                row = cursor.fetchone()
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool (PostgreSQL: rolled back there)
        if row is None:
            raise LookupError(f"no data version for municipality {self.municipality}")
        return int(row[0])

    def bump_version(self, conn) -> None:
        """Take the next number of the store's counter as this municipality's version (the
        counter's row lock is held only from here to the commit)."""
        counter = meta.c.key == "version_counter"
        conn.execute(
            meta.update()
            .where(counter)
            .values(value=sa.cast(sa.cast(meta.c.value, sa.Integer) + 1, sa.String))
        )
        value = conn.execute(sa.select(meta.c.value).where(counter)).scalar_one()
        updated = conn.execute(
            meta.update().where(meta.c.key == self._version_key).values(value=value)
        )
        if updated.rowcount == 0:
            conn.execute(meta.insert().values(key=self._version_key, value=value))

    def own(self, table: sa.Table):
        return table.c.municipality == self.municipality

    def import_log(self) -> pd.DataFrame:
        columns = [c for c in imports.columns if c.name != "municipality"]
        query = sa.select(*columns).where(self.own(imports)).order_by(imports.c.id)
        with self.engine.connect() as conn:
            return pd.read_sql_query(query, conn)

    def is_initialised(self) -> bool:
        key = f"initialised:{self.municipality}"
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(meta.c.value).where(meta.c.key == key))
            return found.scalar_one_or_none() is not None

    # --- writing --------------------------------------------------------------------------

    def write(
        self,
        item: WriteItem,
        user: str | None = None,
        progress=None,
        replace_sample: bool = False,
    ) -> int:
        """Store one file's rows in one transaction; returns the import id. ``progress``,
        if given, is called with the share of rows stored so far (0..1)."""
        return self.write_batch([item], user, progress=progress, replace_sample=replace_sample)[0]

    def write_batch(
        self,
        items: list[WriteItem],
        user: str | None = None,
        mark_initialised: bool = False,
        progress=None,
        replace_sample: bool = False,
    ) -> list[int]:
        """Store several files atomically: all of them or, on any error, none. With
        ``replace_sample`` the sample data is removed in the same transaction (real data
        replaces the demo; see ``remove_sample``)."""
        user = user or current_user()
        secret = self.secret()  # made outside the write: it may need a write of its own
        try:
            with self.writing() as conn:
                if replace_sample:
                    self._remove_sample(conn, user)
                ids = [self._write_one(conn, item, user, secret, progress) for item in items]
                if mark_initialised:
                    self._mark_initialised(conn)
                self.bump_version(conn)
        except sa.exc.IntegrityError as exc:
            # Another process stored one of these files (or rows) between our check and our
            # insert, which the writers' lock rules out unless that process skipped it: the
            # database's own constraints then refuse, and we say why as the check would.
            for item in items:
                with self.engine.connect() as conn:
                    previous = self._previous(conn, item)
                if previous is not None:
                    when = previous.imported_at
                    raise StoreError("already_imported", id=previous.id, when=when) from exc
            raise
        return ids

    def _previous(self, conn, item: WriteItem):
        return conn.execute(
            sa.select(imports.c.id, imports.c.imported_at).where(
                self.own(imports),
                imports.c.sha256 == item.sha256,
                imports.c.kind == item.kind,
                imports.c.undone_at.is_(None),
            )
        ).first()

    def _write_one(self, conn, item: WriteItem, user: str, secret: bytes, progress=None) -> int:
        previous = self._previous(conn, item)
        if previous is not None:
            raise StoreError("already_imported", id=previous.id, when=previous.imported_at)
        table = TABLES[item.kind]
        frame = item.frame
        ids = frame["id"].astype(str)
        existing = self._existing_ids(conn, table, ids.tolist())
        if existing and item.skip_existing:
            frame = frame[~ids.isin(existing)]
            if frame.empty:
                raise StoreError("no_new_rows")
        elif existing:
            raise StoreError("existing_ids", ids=sorted(existing))
        if item.kind == "incidents":
            frame = frame.assign(**aggregates.derived(frame, secret))
        records = _records(frame, table)
        import_id = conn.execute(
            imports.insert().values(
                imported_at=_now(),
                kind=item.kind,
                file_name=item.file_name,
                sha256=item.sha256,
                rows_added=len(records),
                user=user,
                is_sample=item.is_sample,
                municipality=self.municipality,
                covers_from=item.covers[0].isoformat() if item.covers else None,
                covers_to=item.covers[1].isoformat() if item.covers else None,
            )
        ).inserted_primary_key[0]
        with _indexes_after(conn, table, len(records)):
            for start in range(0, len(records), INSERT_CHUNK):
                chunk = records[start : start + INSERT_CHUNK]
                bulk_insert(conn, table, chunk, municipality=self.municipality, import_id=import_id)
                if progress is not None:
                    progress(min(1.0, (start + INSERT_CHUNK) / len(records)))
        if item.kind == "incidents":
            aggregates.add(conn, self.municipality, int(import_id), frame, frame["key"].to_numpy())
        return int(import_id)

    # --- remembered column mappings ---------------------------------------------------------

    @staticmethod
    def _header_key(header: list[str]) -> str:
        return hashlib.sha256("\x1f".join(header).encode("utf-8")).hexdigest()

    def saved_mapping(self, kind: str, header: list[str]) -> dict[str, str | None] | None:
        """The mapping last confirmed for a file of this kind with exactly this header."""
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(mappings.c.mapping).where(
                    mappings.c.kind == kind, mappings.c.header == self._header_key(header)
                )
            ).scalar_one_or_none()
        return json.loads(found) if found else None

    def save_mapping(self, kind: str, header: list[str], mapping: dict[str, str | None]) -> None:
        key = self._header_key(header)
        with self.writing() as conn:
            conn.execute(
                sa.delete(mappings).where(mappings.c.kind == kind, mappings.c.header == key)
            )
            conn.execute(
                mappings.insert().values(
                    kind=kind,
                    header=key,
                    mapping=json.dumps(mapping, ensure_ascii=False),
                    saved_at=_now(),
                )
            )

    def _existing_ids(self, conn, table: sa.Table, ids: list[str]) -> set[str]:
        existing: set[str] = set()
        if conn.execute(sa.select(table.c.id).where(self.own(table)).limit(1)).first() is None:
            return existing  # a first import: nothing to look up id by id
        if conn.dialect.name == "postgresql":
            # One array parameter: a million ids as separate parameters cost psycopg more
            # than a minute of parsing (bench.tenants), an array a second.
            sql = f"SELECT id FROM {table.name} WHERE municipality = %s AND id = ANY(%s)"
            cursor = conn.connection.driver_connection.cursor()
            with cursor:
                cursor.execute(sql, (self.municipality, list(ids)))
                return {row[0] for row in cursor.fetchall()}
        qmark = conn.dialect.paramstyle == "qmark"  # SQLite: plain SQL, no per-chunk compile
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            if qmark:
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT id FROM {table.name} WHERE municipality = ? AND id IN ({marks})"
                found = conn.exec_driver_sql(sql, (self.municipality, *chunk))
            else:
                found = conn.execute(
                    sa.select(table.c.id).where(self.own(table), table.c.id.in_(chunk))
                )
            existing.update(found.scalars())
        return existing

    def _mark_initialised(self, conn) -> None:
        key = f"initialised:{self.municipality}"
        conn.execute(sa.delete(meta).where(meta.c.key == key))
        conn.execute(meta.insert().values(key=key, value=_now()))

    def mark_initialised(self) -> None:
        with self.writing() as conn:
            self._mark_initialised(conn)

    def undo(self, import_id: int, user: str | None = None) -> int:
        """Remove everything one of this municipality's imports added; returns the number of
        rows removed. Another municipality's import is unknown here."""
        with self.writing() as conn:
            row = conn.execute(
                sa.select(imports).where(imports.c.id == import_id, self.own(imports))
            ).first()
            if row is None:
                raise StoreError("unknown_import", id=import_id)
            if row.undone_at is not None:
                raise StoreError("already_undone", id=import_id)
            table = TABLES[row.kind]
            if row.kind in UNDO_HOOKS:
                UNDO_HOOKS[row.kind](conn, self, import_id)
            if row.kind == "incidents":
                aggregates.remove(conn, self.municipality, import_id)
            removed = conn.execute(
                sa.delete(table).where(table.c.import_id == import_id, self.own(table))
            )
            conn.execute(
                imports.update()
                .where(imports.c.id == import_id)
                .values(undone_at=_now(), undone_by=user or current_user())
            )
            self.bump_version(conn)
            return removed.rowcount

    # --- reading --------------------------------------------------------------------------

    def read(self, kind: str) -> pd.DataFrame:
        """This municipality's rows of one kind (without the municipality column)."""
        table = TABLES[kind]
        selected = [c for c in table.columns if c.name != "municipality"]
        # In key order on every database (SQLite's and PostgreSQL's own orders differ).
        query = sa.select(*selected).where(self.own(table)).order_by(table.c.id)
        # The code is four digits (municipality_code), safe as a literal.
        literal = {"literal_binds": True}
        sql = str(query.compile(dialect=self.engine.dialect, compile_kwargs=literal))
        with self.engine.connect() as conn:
            # Plain DB-API tuples: building a frame from SQLAlchemy Row objects is several
            # times slower for a million rows.
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql)
                rows = cursor.fetchall()
            finally:
                cursor.close()
        frame = pd.DataFrame.from_records(rows, columns=[c.name for c in selected])
        for column, fmt in DATE_FIELDS.items():
            if column in frame:
                frame[column] = pd.to_datetime(frame[column], format=fmt).astype("datetime64[ns]")
        for column in ("lat", "lon", "quantity", "radius_m", "count", "rate", "population"):
            if column in frame:
                frame[column] = frame[column].astype(float)
        return frame

    def secret(self) -> bytes:
        """The store's own random secret (made on first use, never shown): the disclosure
        layer's record keys are keyed on it, so nobody outside can reproduce them."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(meta.c.value).where(meta.c.key == "cell_key_secret"))
            value = found.scalar_one_or_none()
        if value is None:
            with self.writing() as conn:
                insert_missing(conn, meta, key="cell_key_secret", value=secrets.token_hex(32))
            return self.secret()
        return bytes.fromhex(value)

    def read_incidents(self, extra: pd.DataFrame | None = None) -> pd.DataFrame:
        """All stored incidents and the ``extra`` rows in the same columns (the signal reports,
        ``lib.est.cases.as_incidents``), with repeated text stored as categoricals to keep a
        large frame small, and each one's record key (``record_keys``)."""
        frame = self.read("incidents").drop(columns=["cx", "cy"])
        if extra is not None and len(extra):
            extra = extra.assign(key=record_keys(extra["id"], self.secret()))
            frame = pd.concat([frame, extra], ignore_index=True) if len(frame) else extra
        frame["key"] = frame["key"].astype(float)
        for column in ("category", "locality", "source"):
            frame[column] = frame[column].astype("category")
        frame["time_known"] = frame["time_known"].astype(bool)
        return frame

    def sample_import_ids(self) -> set[int]:
        log = self.import_log()
        live = log[log["is_sample"].astype(bool) & log["undone_at"].isna()]
        return set(live["id"].astype(int))

    def remove_sample(self, user: str | None = None) -> list[int]:
        """Undo every live import of the sample data in one transaction; returns their ids."""
        with self.writing() as conn:
            ids = self._remove_sample(conn, user or current_user())
            if ids:
                self.bump_version(conn)
        return ids

    def _remove_sample(self, conn, user: str) -> list[int]:
        live = conn.execute(
            sa.select(imports.c.id, imports.c.kind)
            .where(self.own(imports), imports.c.is_sample.is_(True), imports.c.undone_at.is_(None))
            .order_by(imports.c.id)
        ).all()
        for import_id, kind in live:
            table = TABLES[kind]
            if kind in UNDO_HOOKS:  # as Store.undo: reports merged into the demo's reopen
                UNDO_HOOKS[kind](conn, self, import_id)
            if kind == "incidents":
                aggregates.remove(conn, self.municipality, import_id)
            conn.execute(sa.delete(table).where(table.c.import_id == import_id, self.own(table)))
            conn.execute(
                imports.update()
                .where(imports.c.id == import_id)
                .values(undone_at=_now(), undone_by=user)
            )
        return [int(i) for i, _ in live]

    def meetings(self) -> tuple[dt.date, ...]:
        """The council's meeting dates, in order."""
        query = sa.select(meetings.c.date).where(self.own(meetings)).order_by(meetings.c.date)
        with self.engine.connect() as conn:
            return tuple(dt.date.fromisoformat(d) for d in conn.execute(query).scalars())

    def add_meeting(self, day: dt.date, user: str | None = None, note: str = "") -> int:
        """Record one meeting date as an undoable entry of the import log."""
        frame = pd.DataFrame(
            {"id": [day.isoformat()], "date": pd.to_datetime([day]), "note": [note or None]}
        )
        digest = hashlib.sha256(f"meeting {day.isoformat()}".encode()).hexdigest()
        item = WriteItem("meetings", frame, t("store.meeting_entry", day=day.isoformat()), digest)
        return self.write(item, user)

    def count(self, kind: str) -> int:
        table = TABLES[kind]
        query = sa.select(sa.func.count()).select_from(table).where(self.own(table))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    # --- remembered value mappings (lib.ingest.values) ------------------------------------

    def saved_value_map(self, kind: str) -> dict[str, dict[str, str]]:
        """column -> value as a file wrote it -> known value, as analysts confirmed them."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    value_mappings.c.column,
                    value_mappings.c.file_value,
                    value_mappings.c.known_value,
                ).where(value_mappings.c.kind == kind, self.own(value_mappings))
            ).all()
        found: dict[str, dict[str, str]] = {}
        for column, file_value, known in rows:
            found.setdefault(column, {})[file_value] = known
        return found

    def save_value_map(self, kind: str, value_map: dict[str, dict[str, str | None]]) -> None:
        """Remember each mapping; a value mapped to None is forgotten (left as an error)."""
        table = value_mappings
        with self.writing() as conn:
            for column, entries in value_map.items():
                for file_value, known in entries.items():
                    conn.execute(
                        sa.delete(table).where(
                            self.own(table),
                            table.c.kind == kind,
                            table.c.column == column,
                            table.c.file_value == file_value,
                        )
                    )
                    if known is not None:
                        conn.execute(
                            table.insert().values(
                                municipality=self.municipality,
                                kind=kind,
                                column=column,
                                file_value=file_value,
                                known_value=known,
                                saved_at=_now(),
                            )
                        )


def _records(frame: pd.DataFrame, table: sa.Table) -> list[tuple]:
    """A validated frame as plain tuples in the store's column order and formats (the id
    first), without the municipality and the import id. Built column by column as Python
    lists (a million rows in a fraction of a second; row-wise pandas took seconds)."""
    columns = [c.name for c in table.columns if c.name not in ("municipality", "import_id")]
    lists = []
    for column in columns:
        if column not in frame:
            lists.append([None] * len(frame))
            continue
        values = frame[column]
        missing = values.isna().to_numpy()
        if column in DATE_FIELDS:
            listed = _date_texts(values, DATE_FIELDS[column]).tolist()
        else:
            listed = values.astype(object).tolist()
        if missing.any():
            listed = [None if m else v for v, m in zip(listed, missing, strict=True)]
        lists.append(listed)
    return list(zip(*lists, strict=True))


def _date_texts(values: pd.Series, fmt: str) -> np.ndarray:
    """Dates as the store writes them (``TIME_FORMAT`` or ``DATE_FORMAT``), vectorised:
    numpy's ISO text with a space for the "T" is twice as fast as pandas' strftime."""
    unit = "m" if fmt == TIME_FORMAT else "D"
    text = np.datetime_as_string(values.to_numpy().astype(f"datetime64[{unit}]"), unit=unit)
    return np.char.replace(text, "T", " ") if unit == "m" else text


# A file this large is inserted with the table's secondary indexes dropped and built again
# after, in the same transaction: building an index once is several times cheaper than keeping
# it up to date row by row (a million incidents: 3.4 s against 11 s). SQLite only: there the
# writer holds the database anyway and readers keep their snapshot; on PostgreSQL dropping an
# index would lock the table against every other municipality's readers (COPY is fast there).
INDEXES_AFTER = 100_000


@contextmanager
def _indexes_after(conn, table: sa.Table, rows: int):
    if conn.dialect.name != "sqlite" or rows < INDEXES_AFTER:
        yield
        return
    kept = [index for index in table.indexes if not index.unique]
    for index in kept:
        index.drop(conn, checkfirst=True)
    yield
    for index in kept:
        index.create(conn, checkfirst=True)
