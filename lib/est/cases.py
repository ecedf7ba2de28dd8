"""The EST case workflow: a report is submitted (once per submission id), read by analysts and
by its reporter, triaged (status, merge), linked to actions, and its note and reporter removed
after the retention time.

* Reports count as incidents of the source ``municipal_report`` (``as_incidents``), all but
  those merged into another; their notes and reporters' names never leave this module that
  way.
* Actions (åtgärder, insatser) are dated and placed like cameras, so the intervention
  evaluation can read them (``actions_as_interventions``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from lib.config import Municipality
from lib.est.tables import (
    ACTION_STATUSES,
    IN_APP_IMPORT,
    NOTE_MAX,
    OPEN_STATUSES,
    SEVERITIES,
    STATUSES,
    ReportError,
    ensure_tables,
    new_submission_id,
    now_utc,
    own,
    report_actions,
    report_log,
    reports,
    write_log,
)
from lib.est.vocabulary import Category, Where, category_by_id, load_categories, resolve_place
from lib.ingest import personal_data
from lib.store.store import Store
from lib.store.tables import TIME_FORMAT

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
    with store.writing() as conn:
        found = conn.execute(
            sa.select(reports.c.place, reports.c.locality).where(
                own(store, reports), reports.c.id == sub.id
            )
        ).first()
        if found is not None:
            return Saved(sub.id, False, found.place, found.locality)
        conn.execute(
            reports.insert().values(
                id=sub.id,
                created_at=now_utc(),
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
        write_log(conn, store, "created", reporter, sub.id, sub.category)
        store.bump_version(conn)
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
        .where(own(store, reports))
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
        own(store, reports), reports.c.merged_into.is_(None)
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
        .where(own(store, reports), reports.c.merged_into.is_(None))
        .group_by(reports.c.action_id)
        .subquery()
    )
    query = (
        sa.select(
            *[c for c in report_actions.columns if c.name != "municipality"],
            sa.func.coalesce(linked.c.reports, 0).label("reports"),
        )
        .select_from(report_actions.outerjoin(linked, linked.c.action_id == report_actions.c.id))
        .where(own(store, report_actions))
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
    ).where(own(store, report_log))
    if report_id is not None:
        query = query.where(report_log.c.report_id == report_id)
    with store.engine.connect() as conn:
        return pd.read_sql_query(query.order_by(report_log.c.id.desc()), conn)


# --- Triage --------------------------------------------------------------------------------------


def _report(conn, store: Store, report_id: str):
    row = conn.execute(
        sa.select(reports).where(own(store, reports), reports.c.id == report_id)
    ).first()
    if row is None:
        raise ReportError("unknown_report")
    return row


def set_status(store: Store, report_id: str, status: str, by: str) -> None:
    if status not in STATUSES:
        raise ReportError("bad_status")
    ensure_tables(store)
    with store.writing() as conn:
        row = _report(conn, store, report_id)
        if row.status == status:
            return
        conn.execute(
            reports.update()
            .where(own(store, reports), reports.c.id == report_id)
            .values(status=status, updated_at=now_utc())
        )
        write_log(conn, store, "changed", by, report_id, f"status {row.status} -> {status}")


def merge(store: Store, duplicate: str, keep: str, by: str) -> None:
    """``duplicate`` is the same signal as ``keep``: it points to the kept report (and so
    does anything merged into it before), is closed, and no longer counts."""
    if duplicate == keep:
        raise ReportError("merge_self")
    ensure_tables(store)
    with store.writing() as conn:
        _report(conn, store, duplicate)
        kept = _report(conn, store, keep)
        if kept.merged_into is not None:
            raise ReportError("merge_into_merged")
        now = now_utc()
        conn.execute(
            reports.update()
            .where(own(store, reports), reports.c.merged_into == duplicate)
            .values(merged_into=keep, updated_at=now)
        )
        conn.execute(
            reports.update()
            .where(own(store, reports), reports.c.id == duplicate)
            .values(merged_into=keep, status="closed", updated_at=now)
        )
        write_log(conn, store, "merged", by, duplicate, f"-> {keep}")
        store.bump_version(conn)


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
    with store.writing() as conn:
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
                created_at=now_utc(),
                created_by=by,
                municipality=store.municipality,
            )
        )
        write_log(conn, store, "changed", by, None, f"action {action_id} created")
        store.bump_version(conn)  # actions are evaluated on the map page, cached on the version
    return action_id


def link(store: Store, report_id: str, action_id: str | None, by: str) -> None:
    """Link a report to an action (None: unlink). A new or assessed report becomes
    'action planned', or 'done' when the action is."""
    ensure_tables(store)
    with store.writing() as conn:
        row = _report(conn, store, report_id)
        values = {"action_id": action_id, "updated_at": now_utc()}
        if action_id is not None:
            action = conn.execute(
                sa.select(report_actions.c.status).where(
                    own(store, report_actions), report_actions.c.id == action_id
                )
            ).first()
            if action is None:
                raise ReportError("unknown_action")
            if row.status in ("new", "assessed"):
                values["status"] = "done" if action.status == "done" else "planned"
        conn.execute(
            reports.update().where(own(store, reports), reports.c.id == report_id).values(values)
        )
        write_log(conn, store, "linked", by, report_id, action_id or "-")


def set_action_status(store: Store, action_id: str, status: str, by: str, day=None) -> None:
    """Set an action planned or done (with the day it was done); its open reports follow."""
    if status not in ACTION_STATUSES:
        raise ReportError("bad_status")
    ensure_tables(store)
    with store.writing() as conn:
        where = sa.and_(own(store, report_actions), report_actions.c.id == action_id)
        values = {"status": status, "updated_at": now_utc()}
        if day is not None:
            values["date"] = day.isoformat()
        if conn.execute(report_actions.update().where(where).values(values)).rowcount == 0:
            raise ReportError("unknown_action")
        if status == "done":
            conn.execute(
                reports.update()
                .where(
                    own(store, reports),
                    reports.c.action_id == action_id,
                    reports.c.status.in_(OPEN_STATUSES),
                )
                .values(status="done", updated_at=now_utc())
            )
        write_log(conn, store, "changed", by, None, f"action {action_id} {status}")


# --- Retention -----------------------------------------------------------------------------------


def purge(store: Store, retention_days: int, by: str, now: dt.datetime | None = None) -> int:
    """Remove the note and the reporter's name of every report made more than
    ``retention_days`` ago, and the reporter's name from those reports' audit entries;
    the report itself (what, where, when, status) stays for the statistics. Returns the
    number of reports purged."""
    ensure_tables(store)
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)
    stamp = cutoff.isoformat(timespec="seconds")
    with store.writing() as conn:
        due = conn.execute(
            sa.select(reports.c.id, reports.c.reporter).where(
                own(store, reports), reports.c.created_at < stamp, reports.c.purged_at.is_(None)
            )
        ).all()
        for report_id, reporter in due:
            conn.execute(
                report_log.update()
                .where(
                    own(store, report_log),
                    report_log.c.report_id == report_id,
                    report_log.c.account == reporter,
                )
                .values(account=None)
            )
        if due:
            conn.execute(
                reports.update()
                .where(reports.c.id.in_([r.id for r in due]), own(store, reports))
                .values(note=None, reporter=None, purged_at=now_utc())
            )
            write_log(conn, store, "purged", by, None, f"{len(due)} ({retention_days} d)")
    return len(due)


def purge_if_due(store: Store, retention_days: int, by: str, today: dt.date) -> int | None:
    """``purge`` at most once a day (the app calls it on its pages); None when already done
    today."""
    from lib.store.tables import meta

    key = f"reports_purged:{store.municipality}"
    with store.engine.connect() as conn:
        last = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
    if last == today.isoformat():
        return None
    count = purge(store, retention_days, by)
    with store.writing() as conn:
        conn.execute(sa.delete(meta).where(meta.c.key == key))
        conn.execute(meta.insert().values(key=key, value=today.isoformat()))
    return count
