"""The tables of the municipality's own signal reporting (EST) and the audit log they share.

* A report's id is made by the reporter's session before it is sent (a submission id), and is
  the table's key: a double tap or a resent form stores the report once.
* A file of reports is an import like any other, undone through ``Store.undo``; before its
  rows go, reports merged into one of them are opened again (``reopen_merged_into_removed``).

The tables are defined on the store's ``metadata`` (every row with its municipality) and
made on first use (``ensure_tables``), so an existing store gets them without a migration.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import sqlalchemy as sa

from lib.i18n import t
from lib.store.store import Store
from lib.store.tables import TABLES, TEXT_LIMITS, UNDO_HOOKS, length_checks, lock_writers, metadata

STATUSES = ("new", "assessed", "planned", "done", "closed")
OPEN_STATUSES = ("new", "assessed", "planned")
ACTION_STATUSES = ("planned", "done")
SEVERITIES = (1, 2, 3)
NOTE_MAX = TEXT_LIMITS["reports"]["note"]  # the longest note (lib.store.tables.TEXT_LIMITS)
SNAP_METRES = 400  # a pin this close to a named place is reported at that place
IN_APP_IMPORT = 0  # reports made in the app belong to no file: one coverage span of their own
EVENTS = (
    "created",
    "changed",
    "viewed",
    "exported",
    "merged",
    "linked",
    "purged",
    "imported",
    "limited",  # a report refused by the rate limit (lib.est.cases.RateLimit)
)


def _municipality() -> sa.Column:
    return sa.Column("municipality", sa.String(4), nullable=False)


reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.String(64), nullable=False),  # the submission id the session made
    sa.Column("created_at", sa.String(32), nullable=False),  # UTC, ISO 8601
    sa.Column("occurred_at", sa.String(16), nullable=False),  # local wall time
    sa.Column("category", sa.String(64), nullable=False),  # an EST category id
    sa.Column("severity", sa.Integer, nullable=False),
    sa.Column("locality", sa.String(128), nullable=False),
    sa.Column("place", sa.String(256), nullable=False),
    sa.Column("lat", sa.Float),  # the pin (or a named place's point); never public
    sa.Column("lon", sa.Float),
    sa.Column("note", sa.Text),  # removed after the retention time
    sa.Column("reporter", sa.String(128)),  # removed after the retention time
    sa.Column("service", sa.String(128)),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("merged_into", sa.String(64)),
    sa.Column("action_id", sa.String(64)),
    sa.Column("updated_at", sa.String(32)),
    sa.Column("purged_at", sa.String(32)),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id")),  # None: made in the app
    _municipality(),
    sa.PrimaryKeyConstraint("municipality", "id"),
    *length_checks("reports"),
)
sa.Index("ix_reports_municipality_created", reports.c.municipality, reports.c.created_at)

report_actions = sa.Table(
    "report_actions",
    metadata,
    sa.Column("id", sa.String(64), nullable=False),
    sa.Column("title", sa.String(256), nullable=False),
    sa.Column("owner", sa.String(128), nullable=False),  # who is responsible
    sa.Column("date", sa.String(10), nullable=False),  # planned, then done, day
    sa.Column("place", sa.String(256), nullable=False),
    sa.Column("locality", sa.String(128), nullable=False),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("radius_m", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("updated_at", sa.String(32)),
    _municipality(),
    sa.PrimaryKeyConstraint("municipality", "id"),
    *length_checks("report_actions"),
)

report_log = sa.Table(
    "report_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),  # UTC, ISO 8601
    sa.Column("account", sa.String(128)),  # None once a purged report's reporter is removed
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("report_id", sa.String(64)),
    sa.Column("detail", sa.String(256)),
    _municipality(),
)
sa.Index("ix_report_log_municipality", report_log.c.municipality, report_log.c.id)

# Reports made in the app in the rate limit's window (lib.est.cases.RateLimit): when, and
# keyed hashes of the reporter's name and the client's address (never the name or the
# address themselves); rows older than the window are removed as new ones come.
report_rate = sa.Table(
    "report_rate",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),  # Unix seconds
    sa.Column("reporter", sa.String(64), nullable=False),
    sa.Column("client", sa.String(64)),  # None: the client's address is not known
    _municipality(),
)
sa.Index("ix_report_rate_municipality_at", report_rate.c.municipality, report_rate.c.at)

# A file of reports is an import like any other: undone through Store.undo.
TABLES.setdefault("reports", reports)


def _reopen_merged_into_removed(conn, store: Store, import_id: int) -> None:
    """Before an import of reports is undone: a report of another import (or made in the
    app) that was merged into one of the removed reports would point at nothing, closed and
    no longer counted, so its signal would vanish. It is opened again as new, for the
    analyst to look at, and the log says why."""
    removed = sa.select(reports.c.id).where(own(store, reports), reports.c.import_id == import_id)
    orphans = (
        conn.execute(
            sa.select(reports.c.id).where(
                own(store, reports),
                reports.c.merged_into.in_(removed),
                sa.or_(reports.c.import_id.is_(None), reports.c.import_id != import_id),
            )
        )
        .scalars()
        .all()
    )
    if not orphans:
        return
    conn.execute(
        reports.update()
        .where(own(store, reports), reports.c.id.in_(orphans))
        .values(merged_into=None, status="new", updated_at=now_utc())
    )
    for report_id in orphans:
        write_log(conn, store, "unmerged", None, report_id, t("log.undone_import", id=import_id))


UNDO_HOOKS.setdefault("reports", _reopen_merged_into_removed)
OWN_TABLES = (reports, report_actions, report_log, report_rate)


class ReportError(Exception):
    """A report or change refused for a reason the user can fix; ``code`` selects the
    Swedish message (``reports.error_<code>``)."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


# --- Making the tables ---------------------------------------------------------------------------

_made: set[str] = set()
_made_lock = threading.Lock()


def ensure_tables(store: Store) -> None:
    """Create this module's tables in the store once per process (queued behind other
    writers, so two processes starting together cannot race)."""
    key = store.url
    with _made_lock:
        if key in _made:
            return
        with store.engine.execution_options(write=True).begin() as conn:
            lock_writers(conn, 0)
            metadata.create_all(conn, tables=list(OWN_TABLES), checkfirst=True)
        _made.add(key)


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_submission_id() -> str:
    return uuid.uuid4().hex


def write_log(conn, store: Store, event: str, account: str | None, report_id=None, detail=None):
    conn.execute(
        report_log.insert().values(
            at=now_utc(),
            account=account,
            event=event,
            report_id=report_id,
            detail=None if detail is None else str(detail)[:256],
            municipality=store.municipality,
        )
    )


def log_event(store: Store, event: str, account: str | None, report_id=None, detail=None):
    """One entry of the audit log (e.g. 'viewed' or 'exported', which change nothing else)."""
    ensure_tables(store)
    with store.writing() as conn:
        write_log(conn, store, event, account, report_id, detail)


def own(store: Store, table: sa.Table):
    return table.c.municipality == store.municipality
