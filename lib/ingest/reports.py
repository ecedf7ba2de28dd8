"""The municipality's own signal reporting (EST: Effektiv samordning för trygghet): reports
from the services' reporters, their triage by analysts, the actions they lead to, and the
audit log of who created, changed, viewed or exported a report.

* A report's id is made by the reporter's session before it is sent (a submission id), and is
  the table's key: a double tap or a resent form stores the report once.
* Reports count as incidents of the source ``municipal_report`` (``as_incidents``), all but
  those merged into another; their notes and reporters' names never leave this module that
  way.
* Notes and reporters' names are removed after the municipality's retention time (``purge``).
* Actions (åtgärder, insatser) are dated and placed like cameras, so the intervention
  evaluation can read them (``actions_as_interventions``).

The tables are defined on the store's ``metadata`` (every row with its municipality) and
made on first use, so an existing store gets them without a migration step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import threading
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from lib.config import DATA_DIR, Locality, Municipality, known_categories
from lib.i18n import t
from lib.ingest import personal_data
from lib.ingest.store import (
    TABLES,
    TIME_FORMAT,
    UNDO_HOOKS,
    Store,
    imports,
    lock_writers,
    metadata,
)

STATUSES = ("new", "assessed", "planned", "done", "closed")
OPEN_STATUSES = ("new", "assessed", "planned")
ACTION_STATUSES = ("planned", "done")
SEVERITIES = (1, 2, 3)
NOTE_MAX = 1000
SNAP_METRES = 400  # a pin this close to a named place is reported at that place
IN_APP_IMPORT = 0  # reports made in the app belong to no file: one coverage span of their own
EVENTS = ("created", "changed", "viewed", "exported", "merged", "linked", "purged", "imported")


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

# A file of reports is an import like any other: undone through Store.undo.
TABLES.setdefault("reports", reports)


def _reopen_merged_into_removed(conn, store: Store, import_id: int) -> None:
    """Before an import of reports is undone: a report of another import (or made in the
    app) that was merged into one of the removed reports would point at nothing, closed and
    no longer counted, so its signal would vanish. It is opened again as new, for the
    analyst to look at, and the log says why."""
    removed = sa.select(reports.c.id).where(_mine(store, reports), reports.c.import_id == import_id)
    orphans = (
        conn.execute(
            sa.select(reports.c.id).where(
                _mine(store, reports),
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
        .where(_mine(store, reports), reports.c.id.in_(orphans))
        .values(merged_into=None, status="new", updated_at=_now())
    )
    for report_id in orphans:
        _log(conn, store, "unmerged", None, report_id, t("log.undone_import", id=import_id))


UNDO_HOOKS.setdefault("reports", _reopen_merged_into_removed)
OWN_TABLES = (reports, report_actions, report_log)


class ReportError(Exception):
    """A report or change refused for a reason the user can fix; ``code`` selects the
    Swedish message (``reports.error_<code>``)."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


# --- EST categories ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    incident_category: str
    hint: str = ""


def load_categories(path: Path | None = None) -> tuple[Category, ...]:
    """The EST categories (data/est_categories.toml), each mapped to a known incident
    category; a file naming an unknown one is an error for the operator."""
    path = path or DATA_DIR / "est_categories.toml"
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    known = known_categories()
    out = []
    for entry in raw.get("category", []):
        target = known.get(str(entry["incident_category"]).strip().lower())
        if target is None:
            raise ValueError(f"{path.name}: unknown incident category {entry['incident_category']}")
        out.append(Category(entry["id"], entry["label"], target, entry.get("hint", "")))
    return tuple(out)


def category_by_id(categories: tuple[Category, ...]) -> dict[str, Category]:
    return {c.id: c for c in categories}


def find_category(categories: tuple[Category, ...], text: str) -> Category | None:
    """A category by its id or label, ignoring case (for files from other systems)."""
    wanted = str(text).strip().lower()
    return next((c for c in categories if wanted in (c.id.lower(), c.label.lower())), None)


# --- Places --------------------------------------------------------------------------------------


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two (lat, lon) points, equirectangular (fine within a municipality)."""
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6_371_000 * math.hypot(dlat, dlon)


def nearest(places: tuple[Locality, ...], lat: float, lon: float) -> tuple[Locality, float]:
    best = min(places, key=lambda p: metres((p.lat, p.lon), (lat, lon)))
    return best, metres((best.lat, best.lon), (lat, lon))


def place_names(muni: Municipality) -> list[str]:
    """What a reporter may choose instead of a pin: the named places, then the localities."""
    return [p.name for p in muni.report_places] + muni.locality_names


@dataclass(frozen=True)
class Where:
    place: str
    locality: str
    lat: float | None
    lon: float | None


def resolve_place(
    muni: Municipality, place: str | None, lat: float | None, lon: float | None
) -> Where:
    """A pin (kept, at its nearest locality, and at a named place within SNAP_METRES) or a
    chosen place (a named place keeps its point; a locality has none: the report counts for
    the locality, never at its centre)."""
    if lat is not None and lon is not None:
        if not muni.in_bbox(lat, lon):
            raise ReportError("outside")
        locality = nearest(muni.localities, lat, lon)[0].name if muni.localities else muni.name
        name = locality
        if muni.report_places:
            found, distance = nearest(muni.report_places, lat, lon)
            if distance <= SNAP_METRES:
                name = found.name
        return Where(name, locality, float(lat), float(lon))
    if place:
        named = next((p for p in muni.report_places if p.name == place), None)
        if named is not None:
            locality = nearest(muni.localities, named.lat, named.lon)[0].name
            return Where(named.name, locality, named.lat, named.lon)
        if place in muni.locality_names:
            return Where(place, place, None, None)
        raise ReportError("unknown_place")
    raise ReportError("no_place")


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_submission_id() -> str:
    return uuid.uuid4().hex


def _log(conn, store: Store, event: str, account: str | None, report_id=None, detail=None):
    conn.execute(
        report_log.insert().values(
            at=_now(),
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
    with store._writing() as conn:
        _log(conn, store, event, account, report_id, detail)


def _mine(store: Store, table: sa.Table):
    return table.c.municipality == store.municipality


# --- Reporting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    id: str
    category: str
    occurred_at: dt.datetime  # local wall time
    severity: int
    note: str = ""
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    service: str | None = None


@dataclass(frozen=True)
class Saved:
    id: str
    created: bool  # False: this submission was stored before (a double tap)
    place: str
    locality: str


def check_note(note: str | None) -> list[str]:
    """Personal data found in a note (``personal_data.problems``), and 'too_long'."""
    found = personal_data.problems(note)
    if note and len(note) > NOTE_MAX:
        found.append("too_long")
    return found


def _validate(sub: Submission, muni: Municipality, categories, now: dt.datetime) -> Where:
    if not sub.id or len(sub.id) > 64:
        raise ReportError("bad_id")
    if sub.category not in category_by_id(categories):
        raise ReportError("unknown_category")
    if sub.severity not in SEVERITIES:
        raise ReportError("bad_severity")
    if sub.occurred_at > now + dt.timedelta(minutes=10):
        raise ReportError("future")
    found = check_note(sub.note)
    if found:
        raise ReportError("note", problems=found)
    return resolve_place(muni, sub.place, sub.lat, sub.lon)


def submit(
    store: Store,
    muni: Municipality,
    sub: Submission,
    reporter: str,
    categories: tuple[Category, ...] | None = None,
    now: dt.datetime | None = None,
) -> Saved:
    """Store one report, exactly once per submission id: sent again (a double tap, a
    retried request), the stored one is returned and nothing is written."""
    categories = categories or load_categories()
    local_now = now or dt.datetime.now(dt.UTC).astimezone(_zone(muni)).replace(tzinfo=None)
    where = _validate(sub, muni, categories, local_now)
    ensure_tables(store)
    with store._writing() as conn:
        found = conn.execute(
            sa.select(reports.c.place, reports.c.locality).where(
                _mine(store, reports), reports.c.id == sub.id
            )
        ).first()
        if found is not None:
            return Saved(sub.id, False, found.place, found.locality)
        conn.execute(
            reports.insert().values(
                id=sub.id,
                created_at=_now(),
                occurred_at=sub.occurred_at.strftime(TIME_FORMAT),
                category=sub.category,
                severity=int(sub.severity),
                locality=where.locality,
                place=where.place,
                lat=where.lat,
                lon=where.lon,
                note=(sub.note or "").strip() or None,
                reporter=reporter,
                service=(sub.service or "").strip() or None,
                status="new",
                municipality=store.municipality,
            )
        )
        _log(conn, store, "created", reporter, sub.id, sub.category)
        store._bump(conn)
    return Saved(sub.id, True, where.place, where.locality)


def _zone(muni: Municipality):
    from zoneinfo import ZoneInfo

    return ZoneInfo(muni.timezone)


# --- Reading -------------------------------------------------------------------------------------


def read_reports(store: Store) -> pd.DataFrame:
    """Every report of the municipality, newest first, with its action's title, status and
    day (the analysts' view: notes and reporters included)."""
    ensure_tables(store)
    a = report_actions
    query = (
        sa.select(
            *[c for c in reports.columns if c.name != "municipality"],
            a.c.title.label("action_title"),
            a.c.status.label("action_status"),
            a.c.date.label("action_date"),
        )
        .select_from(
            reports.outerjoin(
                a, sa.and_(a.c.id == reports.c.action_id, a.c.municipality == store.municipality)
            )
        )
        .where(_mine(store, reports))
        .order_by(reports.c.occurred_at.desc(), reports.c.created_at.desc())
    )
    with store.engine.connect() as conn:
        frame = pd.read_sql_query(query, conn)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], format=TIME_FORMAT)
    frame["severity"] = frame["severity"].astype(int)
    for column in ("lat", "lon"):
        frame[column] = frame[column].astype(float)
    return frame


def mine(store: Store, reporter: str) -> pd.DataFrame:
    """A reporter's own reports with their status and the action taken (no one else's)."""
    frame = read_reports(store)
    own = frame[frame["reporter"].fillna("").str.lower() == reporter.lower()]
    return own.reset_index(drop=True)


def live(frame: pd.DataFrame) -> pd.DataFrame:
    """Reports that count: those not merged into another."""
    return frame[frame["merged_into"].isna()]


def as_incidents(store: Store, categories: tuple[Category, ...] | None = None) -> pd.DataFrame:
    """Reports as incidents of the source municipal_report (the incidents table's columns),
    merged ones left out. No note, no reporter: the description is empty."""
    ensure_tables(store)
    columns = ["id", "occurred_at", "category", "locality", "lat", "lon", "import_id"]
    query = sa.select(*(reports.c[c] for c in columns)).where(
        _mine(store, reports), reports.c.merged_into.is_(None)
    )
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
    by_id = category_by_id(categories or load_categories())
    return pd.DataFrame(
        {
            "id": "rapport:" + frame["id"].astype(str),
            "occurred_at": pd.to_datetime(frame["occurred_at"], format=TIME_FORMAT).astype(
                "datetime64[ns]"
            ),
            "time_known": True,
            "category": frame["category"].map(
                lambda c: by_id[c].incident_category if c in by_id else "Övrigt"
            ),
            "locality": frame["locality"].astype(str),
            "lat": frame["lat"].astype(float),
            "lon": frame["lon"].astype(float),
            "source": "municipal_report",
            "description": None,
            "import_id": frame["import_id"].fillna(IN_APP_IMPORT).astype(int),
        }
    )


def read_actions(store: Store) -> pd.DataFrame:
    """Every action with the number of (unmerged) reports linked to it."""
    ensure_tables(store)
    linked = (
        sa.select(reports.c.action_id, sa.func.count().label("reports"))
        .where(_mine(store, reports), reports.c.merged_into.is_(None))
        .group_by(reports.c.action_id)
        .subquery()
    )
    query = (
        sa.select(
            *[c for c in report_actions.columns if c.name != "municipality"],
            sa.func.coalesce(linked.c.reports, 0).label("reports"),
        )
        .select_from(report_actions.outerjoin(linked, linked.c.action_id == report_actions.c.id))
        .where(_mine(store, report_actions))
        .order_by(report_actions.c.date.desc())
    )
    with store.engine.connect() as conn:
        frame = pd.read_sql_query(query, conn)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame


def actions_as_interventions(store: Store) -> pd.DataFrame:
    """Placed actions in the cameras' shape (id, name, lat, lon, installed_on, radius_m), for
    the before/after evaluation of ``lib.figures.interventions``."""
    frame = read_actions(store)
    placed = frame[frame["lat"].notna() & frame["lon"].notna()]
    return pd.DataFrame(
        {
            "id": placed["id"],
            "name": placed["title"],
            "lat": placed["lat"].astype(float),
            "lon": placed["lon"].astype(float),
            "installed_on": placed["date"],
            "radius_m": placed["radius_m"].astype(float),
        }
    ).reset_index(drop=True)


def read_log(store: Store, report_id: str | None = None) -> pd.DataFrame:
    ensure_tables(store)
    query = sa.select(
        report_log.c.at,
        report_log.c.account,
        report_log.c.event,
        report_log.c.report_id,
        report_log.c.detail,
    ).where(_mine(store, report_log))
    if report_id is not None:
        query = query.where(report_log.c.report_id == report_id)
    with store.engine.connect() as conn:
        return pd.read_sql_query(query.order_by(report_log.c.id.desc()), conn)


# --- Triage --------------------------------------------------------------------------------------


def _report(conn, store: Store, report_id: str):
    row = conn.execute(
        sa.select(reports).where(_mine(store, reports), reports.c.id == report_id)
    ).first()
    if row is None:
        raise ReportError("unknown_report")
    return row


def set_status(store: Store, report_id: str, status: str, by: str) -> None:
    if status not in STATUSES:
        raise ReportError("bad_status")
    ensure_tables(store)
    with store._writing() as conn:
        row = _report(conn, store, report_id)
        if row.status == status:
            return
        conn.execute(
            reports.update()
            .where(_mine(store, reports), reports.c.id == report_id)
            .values(status=status, updated_at=_now())
        )
        _log(conn, store, "changed", by, report_id, f"status {row.status} -> {status}")


def merge(store: Store, duplicate: str, keep: str, by: str) -> None:
    """``duplicate`` is the same signal as ``keep``: it points to the kept report (and so
    does anything merged into it before), is closed, and no longer counts."""
    if duplicate == keep:
        raise ReportError("merge_self")
    ensure_tables(store)
    with store._writing() as conn:
        _report(conn, store, duplicate)
        kept = _report(conn, store, keep)
        if kept.merged_into is not None:
            raise ReportError("merge_into_merged")
        now = _now()
        conn.execute(
            reports.update()
            .where(_mine(store, reports), reports.c.merged_into == duplicate)
            .values(merged_into=keep, updated_at=now)
        )
        conn.execute(
            reports.update()
            .where(_mine(store, reports), reports.c.id == duplicate)
            .values(merged_into=keep, status="closed", updated_at=now)
        )
        _log(conn, store, "merged", by, duplicate, f"-> {keep}")
        store._bump(conn)


@dataclass(frozen=True)
class Action:
    title: str
    owner: str
    date: dt.date
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    note: str = ""
    radius_m: float = 300.0


def add_action(store: Store, muni: Municipality, action: Action, by: str) -> str:
    """A new planned action; returns its id."""
    if not action.title.strip() or not action.owner.strip():
        raise ReportError("action_incomplete")
    found = check_note(action.note)
    if found:
        raise ReportError("note", problems=found)
    where = resolve_place(muni, action.place, action.lat, action.lon)
    ensure_tables(store)
    action_id = new_submission_id()
    with store._writing() as conn:
        conn.execute(
            report_actions.insert().values(
                id=action_id,
                title=action.title.strip()[:256],
                owner=action.owner.strip()[:128],
                date=action.date.isoformat(),
                place=where.place,
                locality=where.locality,
                lat=where.lat,
                lon=where.lon,
                radius_m=float(action.radius_m),
                status="planned",
                note=action.note.strip() or None,
                created_at=_now(),
                created_by=by,
                municipality=store.municipality,
            )
        )
        _log(conn, store, "changed", by, None, f"action {action_id} created")
        store._bump(conn)  # actions are evaluated on the map page, cached on the version
    return action_id


def link(store: Store, report_id: str, action_id: str | None, by: str) -> None:
    """Link a report to an action (None: unlink). A new or assessed report becomes
    'action planned', or 'done' when the action is."""
    ensure_tables(store)
    with store._writing() as conn:
        row = _report(conn, store, report_id)
        values = {"action_id": action_id, "updated_at": _now()}
        if action_id is not None:
            action = conn.execute(
                sa.select(report_actions.c.status).where(
                    _mine(store, report_actions), report_actions.c.id == action_id
                )
            ).first()
            if action is None:
                raise ReportError("unknown_action")
            if row.status in ("new", "assessed"):
                values["status"] = "done" if action.status == "done" else "planned"
        conn.execute(
            reports.update().where(_mine(store, reports), reports.c.id == report_id).values(values)
        )
        _log(conn, store, "linked", by, report_id, action_id or "-")


def set_action_status(store: Store, action_id: str, status: str, by: str, day=None) -> None:
    """Set an action planned or done (with the day it was done); its open reports follow."""
    if status not in ACTION_STATUSES:
        raise ReportError("bad_status")
    ensure_tables(store)
    with store._writing() as conn:
        where = sa.and_(_mine(store, report_actions), report_actions.c.id == action_id)
        values = {"status": status, "updated_at": _now()}
        if day is not None:
            values["date"] = day.isoformat()
        if conn.execute(report_actions.update().where(where).values(values)).rowcount == 0:
            raise ReportError("unknown_action")
        if status == "done":
            conn.execute(
                reports.update()
                .where(
                    _mine(store, reports),
                    reports.c.action_id == action_id,
                    reports.c.status.in_(OPEN_STATUSES),
                )
                .values(status="done", updated_at=_now())
            )
        _log(conn, store, "changed", by, None, f"action {action_id} {status}")


# --- Retention -----------------------------------------------------------------------------------


def purge(store: Store, retention_days: int, by: str, now: dt.datetime | None = None) -> int:
    """Remove the note and the reporter's name of every report made more than
    ``retention_days`` ago, and the reporter's name from those reports' audit entries;
    the report itself (what, where, when, status) stays for the statistics. Returns the
    number of reports purged."""
    ensure_tables(store)
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)
    stamp = cutoff.isoformat(timespec="seconds")
    with store._writing() as conn:
        due = conn.execute(
            sa.select(reports.c.id, reports.c.reporter).where(
                _mine(store, reports), reports.c.created_at < stamp, reports.c.purged_at.is_(None)
            )
        ).all()
        for report_id, reporter in due:
            conn.execute(
                report_log.update()
                .where(
                    _mine(store, report_log),
                    report_log.c.report_id == report_id,
                    report_log.c.account == reporter,
                )
                .values(account=None)
            )
        if due:
            conn.execute(
                reports.update()
                .where(reports.c.id.in_([r.id for r in due]), _mine(store, reports))
                .values(note=None, reporter=None, purged_at=_now())
            )
            _log(conn, store, "purged", by, None, f"{len(due)} ({retention_days} d)")
    return len(due)


def purge_if_due(store: Store, retention_days: int, by: str, today: dt.date) -> int | None:
    """``purge`` at most once a day (the app calls it on its pages); None when already done
    today."""
    from lib.ingest.store import meta

    key = f"reports_purged:{store.municipality}"
    with store.engine.connect() as conn:
        last = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
    if last == today.isoformat():
        return None
    count = purge(store, retention_days, by)
    with store._writing() as conn:
        conn.execute(sa.delete(meta).where(meta.c.key == key))
        conn.execute(meta.insert().values(key=key, value=today.isoformat()))
    return count


# --- Files from and to other systems (--kind reports) --------------------------------------------

# Column, Swedish header, required: the same words in the template, the export and the README.
FILE_COLUMNS = (
    ("id", "id", False),
    ("occurred_at", "datum", True),
    ("category", "kategori", True),
    ("severity", "allvar", False),
    ("place", "plats", False),
    ("lat", "lat", False),
    ("lon", "lon", False),
    ("note", "anteckning", False),
    ("service", "verksamhet", False),
    ("reporter", "rapportör", False),
    ("status", "status", False),
)
HEADERS = {name: header for name, header, _ in FILE_COLUMNS}


def template_frame(categories: tuple[Category, ...], muni: Municipality) -> pd.DataFrame:
    """One example row under the Swedish headers, for the downloadable template."""
    place = place_names(muni)[0] if place_names(muni) else ""
    example = {
        "id": "",
        "occurred_at": "2025-03-05 22:15",
        "category": categories[0].label if categories else "",
        "severity": 2,
        "place": place,
        "lat": "",
        "lon": "",
        "note": "",
        "service": "",
        "reporter": "",
        "status": "ny",
    }
    return pd.DataFrame([{HEADERS[k]: v for k, v in example.items()}])


def export_frame(store: Store, by: str, status_label, category_label) -> pd.DataFrame:
    """Every report with the file's Swedish headers (labels through the given functions);
    logged as an export."""
    frame = read_reports(store)
    out = pd.DataFrame(
        {
            HEADERS["id"]: frame["id"],
            HEADERS["occurred_at"]: frame["occurred_at"].dt.strftime(TIME_FORMAT),
            HEADERS["category"]: frame["category"].map(category_label),
            HEADERS["severity"]: frame["severity"],
            HEADERS["place"]: frame["place"],
            HEADERS["lat"]: frame["lat"],
            HEADERS["lon"]: frame["lon"],
            HEADERS["note"]: frame["note"].fillna(""),
            HEADERS["service"]: frame["service"].fillna(""),
            HEADERS["reporter"]: frame["reporter"].fillna(""),
            HEADERS["status"]: frame["status"].map(status_label),
        }
    )
    log_event(store, "exported", by, None, f"{len(out)} rapporter")
    return out


@dataclass
class FileOutcome:
    ok: bool
    rows: int = 0
    import_id: int | None = None
    errors: list[tuple[int | None, str, dict]] = None  # (row, code, details)


def read_report_file(
    data: bytes,
    file_name: str,
    muni: Municipality,
    status_codes: dict[str, str],
    categories: tuple[Category, ...] | None = None,
) -> tuple[list[Submission], list[str | None], list[str | None], list[tuple]]:
    """A CSV or Excel file of reports -> submissions, their statuses and reporters, and the
    errors (row number as in the file, code, details). ``status_codes`` maps Swedish labels
    and codes (lower case) to status codes."""
    from lib.ingest.formats import file_format, read_excel
    from lib.ingest.importers import parse_dates, read_raw_table

    categories = categories or load_categories()
    if file_format(data, file_name) == "xlsx":
        raw = read_excel(data)
        frame, problem = raw.frame, raw.problem
    else:
        frame, _header, error = read_raw_table(data)
        problem = None if error is None else error.reason
    if problem is not None or frame is None:
        return [], [], [], [(None, "file", {"reason": problem or ""})]
    lower = {str(c).strip().lower(): c for c in frame.columns}
    missing = [h for n, h, req in FILE_COLUMNS if req and h not in lower]
    if missing:
        return [], [], [], [(None, "missing_columns", {"columns": ", ".join(missing)})]

    def column(name: str) -> pd.Series:
        header = HEADERS[name]
        if header in lower:
            return frame[lower[header]].astype(str).str.strip()
        return pd.Series("", index=frame.index)

    when, _known, bad_dates = parse_dates(column("occurred_at"))
    subs, statuses, reporters, errors = [], [], [], []
    for i, index in enumerate(frame.index):
        row_no = i + 2  # the header is row 1
        category = find_category(categories, column("category")[index])
        status_text = column("status")[index].lower()
        status = status_codes.get(status_text, "new") if status_text else "new"
        problems = []
        if bad_dates[index] or pd.isna(when[index]):
            problems.append(("bad_date", {}))
        if category is None:
            problems.append(("unknown_category", {"value": column("category")[index]}))
        severity_text = column("severity")[index] or "1"
        if severity_text not in {"1", "2", "3"}:
            problems.append(("bad_severity", {}))
        if status_text and status_text not in status_codes:
            problems.append(("bad_status", {}))
        note = column("note")[index]
        found = check_note(note)
        if found:
            problems.append(("note", {"problems": found}))
        lat, lon = _number(column("lat")[index]), _number(column("lon")[index])
        place = column("place")[index] or None
        try:
            resolve_place(muni, place, lat, lon)
        except ReportError as exc:
            problems.append((exc.code, {}))
        if problems:
            errors += [(row_no, code, details) for code, details in problems]
            continue
        given_id = column("id")[index]
        digest = hashlib.sha256(f"{file_name}\x1f{row_no}\x1f{given_id}".encode()).hexdigest()
        subs.append(
            Submission(
                id=given_id[:64] if given_id else digest[:32],
                category=category.id,
                occurred_at=when[index].to_pydatetime(),
                severity=int(severity_text),
                note=note,
                place=place,
                lat=lat,
                lon=lon,
                service=column("service")[index] or None,
            )
        )
        statuses.append(status)
        reporters.append(column("reporter")[index] or None)
    return subs, statuses, reporters, errors


def _number(text: str) -> float | None:
    text = str(text).strip().replace(",", ".")
    if not text or text in ("..", "nan"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def import_reports(
    store: Store,
    muni: Municipality,
    data: bytes,
    file_name: str,
    by: str,
    status_codes: dict[str, str],
    skip_invalid: bool = False,
) -> FileOutcome:
    """Store a file's reports in one transaction, as one undoable entry of the import log
    (kind 'reports'); nothing when a row is invalid unless ``skip_invalid``, nothing when
    the same file was imported or one of its ids is already stored."""
    subs, statuses, reporters, errors = read_report_file(data, file_name, muni, status_codes)
    if errors and (not skip_invalid or not subs):
        return FileOutcome(False, errors=errors)
    ensure_tables(store)
    sha = hashlib.sha256(data).hexdigest()
    with store._writing() as conn:
        previous = conn.execute(
            sa.select(imports.c.id).where(
                imports.c.municipality == store.municipality,
                imports.c.kind == "reports",
                imports.c.sha256 == sha,
                imports.c.undone_at.is_(None),
            )
        ).first()
        if previous is not None:
            return FileOutcome(False, errors=[(None, "already_imported", {"id": previous.id})])
        taken = set(
            conn.execute(
                sa.select(reports.c.id).where(
                    _mine(store, reports), reports.c.id.in_([s.id for s in subs])
                )
            ).scalars()
        )
        if taken:
            shown = ", ".join(sorted(taken)[:5])
            return FileOutcome(False, errors=[(None, "existing_ids", {"ids": shown})])
        import_id = conn.execute(
            imports.insert().values(
                imported_at=_now(),
                kind="reports",
                file_name=file_name,
                sha256=sha,
                rows_added=len(subs),
                user=by,
                is_sample=False,
                municipality=store.municipality,
            )
        ).inserted_primary_key[0]
        now = _now()
        rows = []
        for sub, status, reporter in zip(subs, statuses, reporters, strict=True):
            where = resolve_place(muni, sub.place, sub.lat, sub.lon)
            rows.append(
                dict(
                    id=sub.id,
                    created_at=now,
                    occurred_at=sub.occurred_at.strftime(TIME_FORMAT),
                    category=sub.category,
                    severity=sub.severity,
                    locality=where.locality,
                    place=where.place,
                    lat=where.lat,
                    lon=where.lon,
                    note=sub.note or None,
                    reporter=reporter,
                    service=sub.service,
                    status=status,
                    import_id=import_id,
                    municipality=store.municipality,
                )
            )
        conn.execute(reports.insert(), rows)
        _log(conn, store, "imported", by, None, f"{file_name} ({len(rows)})")
        store._bump(conn)
    return FileOutcome(True, rows=len(subs), import_id=int(import_id), errors=errors)
