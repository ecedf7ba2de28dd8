"""The store's tables: one SQLAlchemy ``metadata`` for every table of every module (the EST
tables in ``lib.est.tables`` and the aggregates in ``lib.store.aggregates`` are defined on it
too), the import log, the kinds an import can hold, and the writers' lock.

Several municipalities can share one store: every row carries its municipality's code.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa

TIME_FORMAT = "%Y-%m-%d %H:%M"
DATE_FORMAT = "%Y-%m-%d"

metadata = sa.MetaData()

# The longest text, in characters, each free-text column may hold (issue 24). The app's input
# gate (lib.ingest.text_gate) refuses longer text with a Swedish message naming the field, and
# the database refuses it too, on SQLite (which ignores VARCHAR lengths) and PostgreSQL alike:
# a CHECK constraint ``ck_<table>_<column>_length`` on every table made since, and on a store
# from before, the same rule added by migration 4 (lib.store.migrations). Short names and
# titles keep their column's width; notes are what a phone user writes in a few minutes;
# an incident's description (a police report's free text) gets room for any real one and
# still fits an Excel cell (32 767) with space to spare.
TEXT_LIMITS: dict[str, dict[str, int]] = {
    "incidents": {"description": 10_000},
    "activities": {
        "kind": 128,
        "unit": 32,
        "responsible": 128,
        "note": 2_000,
        "evidence_url": 1_024,
    },
    "reports": {"note": 1_000, "place": 256, "service": 128, "reporter": 128},
    "report_actions": {"title": 256, "owner": 128, "place": 256, "note": 1_000},
}


def length_check_name(table: str, column: str) -> str:
    return f"ck_{table}_{column}_length"


def length_checks(table: str) -> list[sa.CheckConstraint]:
    """The length limits of a table's free-text columns as CHECK constraints (``length``
    counts characters on both databases)."""
    return [
        sa.CheckConstraint(f'length("{column}") <= {limit}', name=length_check_name(table, column))
        for column, limit in TEXT_LIMITS.get(table, {}).items()
    ]


# Advisory lock class on PostgreSQL ("tr"): writers of one municipality queue behind each
# other, as SQLite's BEGIN IMMEDIATE makes every writer queue; class 0 guards the schema.
LOCK_CLASS = 0x7472


def municipality_column(primary_key: bool = False) -> sa.Column:
    """The four-digit municipality code every row of a shared store carries."""
    return sa.Column("municipality", sa.String(4), nullable=False, primary_key=primary_key)


meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_at", sa.String(32), nullable=False),  # UTC, ISO 8601
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("file_name", sa.String(512), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("rows_added", sa.Integer, nullable=False),
    sa.Column("user", sa.String(128), nullable=False),
    sa.Column("is_sample", sa.Boolean, nullable=False, default=False),
    sa.Column("undone_at", sa.String(32)),
    sa.Column("undone_by", sa.String(128)),
    municipality_column(),
    # The period the file says it covers (ISO days), when it says: its coverage then is this
    # period, not the months of its first and last incident (``lib.figures.coverage``).
    sa.Column("covers_from", sa.String(10)),
    sa.Column("covers_to", sa.String(10)),
)
sa.Index("ix_imports_municipality", imports.c.municipality)
# The duplicate-file check held by the database itself: one live import of a file per kind
# and municipality, also when two processes store the same file at the same moment.
sa.Index(
    "uq_imports_live_file",
    imports.c.municipality,
    imports.c.kind,
    imports.c.sha256,
    unique=True,
    sqlite_where=imports.c.undone_at.is_(None),
    postgresql_where=imports.c.undone_at.is_(None),
)

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("occurred_at", sa.String(16), nullable=False),  # local wall time
    sa.Column("time_known", sa.Boolean, nullable=False),
    sa.Column("category", sa.String(128), nullable=False),
    sa.Column("locality", sa.String(128), nullable=False),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("description", sa.Text),
    *length_checks("incidents"),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    municipality_column(),
    # Worked out at import (lib.store.aggregates.derived): the record's key for the public
    # layer's noise, and its 50 m cell in SWEREF 99 TM (none without coordinates), so the
    # database can count any period per hour or per cell without the app reading rows.
    sa.Column("key", sa.Float),
    sa.Column("cx", sa.Integer),
    sa.Column("cy", sa.Integer),
    sa.PrimaryKeyConstraint("municipality", "id"),
)
# Pages count a municipality's days: by municipality, then time.
sa.Index("ix_incidents_time", incidents.c.municipality, incidents.c.occurred_at)

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("promise_id", sa.String(64), nullable=False),
    sa.Column("indicator_id", sa.String(64), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("kind", sa.String(128)),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("unit", sa.String(32)),
    sa.Column("locality", sa.String(128)),
    sa.Column("responsible", sa.String(128)),
    sa.Column("note", sa.Text),
    sa.Column("evidence_url", sa.String(1024)),
    *length_checks("activities"),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    municipality_column(),
    sa.PrimaryKeyConstraint("municipality", "id"),
)

cameras = sa.Table(
    "cameras",
    metadata,
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("name", sa.String(256), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("installed_on", sa.String(10)),
    sa.Column("radius_m", sa.Float),
    sa.Column("note", sa.Text),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    municipality_column(),
    sa.PrimaryKeyConstraint("municipality", "id"),
)

peers = sa.Table(
    "peers",
    metadata,
    sa.Column("id", sa.String(400), nullable=False),
    sa.Column("region_code", sa.String(8), nullable=False, index=True),
    sa.Column("region", sa.String(128), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("period", sa.String(32), nullable=False),
    sa.Column("category", sa.String(128), nullable=False),
    sa.Column("count", sa.Float),  # None: suppressed ('..') in the source
    sa.Column("rate", sa.Float),  # per 100 000 inhabitants, as the source gives it
    sa.Column("population", sa.Float),
    sa.Column("source", sa.String(128), nullable=False),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    municipality_column(),
    sa.PrimaryKeyConstraint("municipality", "id"),
)

surveys = sa.Table(
    "surveys",
    metadata,
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("locality", sa.String(128)),
    sa.Column("question", sa.String(512), nullable=False),
    sa.Column("share", sa.Float, nullable=False),  # per cent
    sa.Column("respondents", sa.Float, nullable=False),
    sa.Column("source", sa.String(128)),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    municipality_column(),
    sa.PrimaryKeyConstraint("municipality", "id"),
)

# The local crime-prevention council's (BRÅ's) meeting dates, entered in the app by analysts
# (each entry an undoable "import" of its own) or loaded with the sample data.
meetings = sa.Table(
    "meetings",
    metadata,
    sa.Column("id", sa.String(200), nullable=False),  # the day, ISO
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False, index=True),
    municipality_column(),
    sa.PrimaryKeyConstraint("municipality", "id"),
)

# Column mappings an analyst confirmed, remembered for the next file with the same header.
# Shared by the municipalities of a store: a header is a file format (the same systems'
# exports everywhere), and a remembered mapping is only preselected, never applied unseen.
mappings = sa.Table(
    "mappings",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("header", sa.String(64), primary_key=True),  # sha256 of the header row
    sa.Column("mapping", sa.Text, nullable=False),  # JSON: header as written -> column
    sa.Column("saved_at", sa.String(32), nullable=False),
)

# Value mappings an analyst confirmed ("Polis" means the source police), remembered for every
# later file of the kind.
value_mappings = sa.Table(
    "value_mappings",
    metadata,
    municipality_column(primary_key=True),  # a locality's spellings are one municipality's
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("column", sa.String(32), primary_key=True),
    sa.Column("file_value", sa.String(256), primary_key=True),
    sa.Column("known_value", sa.String(256), nullable=False),
    sa.Column("saved_at", sa.String(32), nullable=False),
)

TABLES = {
    "incidents": incidents,
    "activities": activities,
    "cameras": cameras,
    "peers": peers,
    "survey": surveys,
    "meetings": meetings,
}
# Work a kind needs done in the undo's transaction before its rows go (reports: the ones
# merged into a removed report are opened again); registered by the module owning the kind.
# (connection, the Store, import id); typed loosely so this module needs no Store.
UNDO_HOOKS: dict[str, Callable[[sa.Connection, object, int], None]] = {}
DATE_FIELDS = {"occurred_at": TIME_FORMAT, "date": DATE_FORMAT, "installed_on": DATE_FORMAT}


def municipality_code(value: str) -> str:
    """A four-digit municipality code as given (``0331``; ``331`` is read as ``0331``)."""
    code = str(value).strip().zfill(4)
    if not re.fullmatch(r"\d{4}", code):
        raise ValueError(f"not a municipality code: {value!r}")
    return code


def insert_missing(conn, table: sa.Table, **values) -> None:
    """Insert a row unless its key is there (two processes may both try)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases: no concurrent first start expected
        key = table.primary_key.columns.values()[0]
        if conn.execute(sa.select(key).where(key == values[key.name])).first() is None:
            conn.execute(table.insert().values(**values))
        return
    conn.execute(insert(table).values(**values).on_conflict_do_nothing())


def lock_writers(conn, key: int) -> None:
    """On PostgreSQL, queue behind other writers holding ``key`` until this transaction ends
    (SQLite's BEGIN IMMEDIATE already queues every writer)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_CLASS, key)))


# --- Sign-in (lib.auth): accounts, failed-attempt counters and the audit log -------------------

# Individual local accounts. ``name_key`` is the name in lower case: names are matched
# without regard to case, so "Anna" and "anna" cannot be two accounts.
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("name_key", sa.String(128), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # analyst | reporter
    sa.Column("service", sa.String(128)),  # the reporter's service (verksamhet), optional
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("must_change", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("changed_at", sa.String(32)),
)

# Failed sign-ins per account name and per client address; ``locked_until`` in Unix seconds.
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("scope", sa.String(16), primary_key=True),  # account | client
    sa.Column("key", sa.String(256), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.Float, nullable=False),
    sa.Column("locked_until", sa.Float, nullable=False),
)

# Every sign-in, failure, lockout, sign-out and account change; analysts read it in the app.
auth_log = sa.Table(
    "auth_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),  # UTC, ISO 8601
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("account", sa.String(128)),
    sa.Column("client", sa.String(64)),
    sa.Column("detail", sa.String(256)),
)


def bulk_insert(conn, table: sa.Table, records: list[tuple], **same) -> None:
    """Bulk insert below SQLAlchemy's per-row dicts, which cost more than the database's
    own work for a million rows: COPY on PostgreSQL, executemany at the driver level on
    SQLite. ``records`` hold the other columns in the table's order; ``same`` (municipality,
    import id) ends every row. The statement names its columns in that order (a compiled
    insert would list them in the table's, where municipality may come first)."""
    if not records:
        return
    names = [c.name for c in table.columns if c.name not in same]
    tail = [c.name for c in table.columns if c.name in same]
    names += tail
    ending = tuple(same[name] for name in tail)
    rows = [(*record, *ending) for record in records]
    if conn.dialect.name == "postgresql":
        quote = conn.dialect.identifier_preparer.quote
        sql = f"COPY {quote(table.name)} ({', '.join(map(quote, names))}) FROM STDIN"
        cursor = conn.connection.driver_connection.cursor()
        with cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    elif conn.dialect.paramstyle in ("qmark", "format"):
        quote = conn.dialect.identifier_preparer.quote
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        listed = ", ".join(map(quote, names))
        sql = (
            f"INSERT INTO {quote(table.name)} ({listed}) VALUES ({', '.join([mark] * len(names))})"
        )
        conn.exec_driver_sql(sql, rows)
    else:
        conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
