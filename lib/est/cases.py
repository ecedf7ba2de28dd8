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
import hashlib
import time
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from lib.config import Municipality
from lib.est.tables import (
    ACTION_STATUSES,
    IN_APP_IMPORT,
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
    report_rate,
    reports,
    write_log,
)
from lib.est.vocabulary import Category, Where, category_by_id, load_categories, resolve_place
from lib.i18n import t
from lib.ingest import text_gate
from lib.ingest.text_gate import Checked
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
    # Swedish lines saying which fields lost invisible characters (lib.ingest.text_gate).
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateLimit:
    """How many reports the app takes in a window (``[reports]`` in the municipality's
    file): from one reporter, and from one client address (an office behind one address
    counts as one client). Zero turns a limit off. Reports read from a file are not counted."""

    per_reporter: int = 20
    per_client: int = 60
    minutes: int = 60

    @classmethod
    def of(cls, muni: Municipality) -> RateLimit:
        return cls(
            muni.report_rate_per_reporter, muni.report_rate_per_client, muni.report_rate_minutes
        )


def check_note(note: str | None) -> list[str]:
    """What the input gate finds in a note: 'too_long' or the kinds of personal data
    (``lib.ingest.text_gate``)."""
    return list(text_gate.check("report.note", note).problems)


def gate(values: dict[str, object]) -> dict[str, Checked]:
    """Free-text fields through the input gate (``lib.ingest.text_gate``): their cleaned
    texts, or ``ReportError('text')`` naming every field refused (too long, personal data)
    and the kind, never the value."""
    checked = {key: text_gate.check(key, value) for key, value in values.items()}
    refused = [c for c in checked.values() if c.problems]
    if refused:
        lines = [text_gate.problem_message(c) for c in refused]
        if any(p != "too_long" for c in refused for p in c.problems):
            lines.append(t("gate.advice"))
        raise ReportError("text", message=" ".join(lines), fields=refused)
    return checked


def notices(checked: dict[str, Checked]) -> tuple[str, ...]:
    """Swedish lines for the fields that lost invisible characters."""
    return tuple(m for c in checked.values() if (m := text_gate.removed_message(c)))


def _validate(
    sub: Submission, reporter: str, muni: Municipality, categories, now: dt.datetime
) -> tuple[Where, dict[str, Checked]]:
    if not sub.id or len(sub.id) > 64:
        raise ReportError("bad_id")
    if sub.category not in category_by_id(categories):
        raise ReportError("unknown_category")
    if sub.severity not in SEVERITIES:
        raise ReportError("bad_severity")
    if sub.occurred_at > now + dt.timedelta(minutes=10):
        raise ReportError("future")
    checked = gate(
        {
            "report.note": sub.note,
            "report.service": sub.service,
            "report.place": sub.place,
        }
    )
    # The reporter is the signed-in account, whose name the sign-in vouches for (an OIDC
    # analyst's is an e-mail address): cleaned and held to the limit, not searched.
    account = text_gate.check("report.reporter", reporter)
    if "too_long" in account.problems:
        raise ReportError("text", message=text_gate.problem_message(account), fields=[account])
    checked["report.reporter"] = account
    where = resolve_place(muni, checked["report.place"].text, sub.lat, sub.lon)
    return where, checked


def submit(
    store: Store,
    muni: Municipality,
    sub: Submission,
    reporter: str,
    categories: tuple[Category, ...] | None = None,
    now: dt.datetime | None = None,
    client: str | None = None,
    at: float | None = None,
) -> Saved:
    """Store one report, exactly once per submission id: sent again (a double tap, a
    retried request), the stored one is returned and nothing is written. Every free-text
    field passes the input gate first. A new report over the rate limit (``RateLimit``: per
    reporter, and per ``client`` address when it is known) is refused with
    ``ReportError('rate_limited')`` and the refusal logged (once per reporter and rule in
    a window); ``at`` is the time in Unix seconds (now)."""
    categories = categories or load_categories()
    local_now = now or dt.datetime.now(dt.UTC).astimezone(_zone(muni)).replace(tzinfo=None)
    where, checked = _validate(sub, reporter, muni, categories, local_now)
    reporter = checked["report.reporter"].text or reporter
    at = time.time() if at is None else at
    limit = RateLimit.of(muni)
    ensure_tables(store)
    keys = _rate_keys(store, reporter, client)
    refused = None
    with store.writing() as conn:
        found = conn.execute(
            sa.select(reports.c.place, reports.c.locality).where(
                own(store, reports), reports.c.id == sub.id
            )
        ).first()
        if found is not None:
            return Saved(sub.id, False, found.place, found.locality)
        scope = _over_limit(conn, store, limit, keys, at)
        if scope is not None:
            _log_limited(conn, store, limit, scope, reporter, at)
            refused = ReportError(
                "rate_limited", scope=scope, limit=limit_for(limit, scope), minutes=limit.minutes
            )
        else:
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
                    note=checked["report.note"].text,
                    reporter=reporter,
                    service=checked["report.service"].text,
                    status="new",
                    municipality=store.municipality,
                )
            )
            write_log(conn, store, "created", reporter, sub.id, sub.category)
            _count_submission(conn, store, limit, keys, at)
            store.bump_version(conn)
    if refused is not None:
        raise refused
    return Saved(sub.id, True, where.place, where.locality, notices(checked))


# --- The rate limit ------------------------------------------------------------------------------


def limit_for(limit: RateLimit, scope: str) -> int:
    return limit.per_reporter if scope == "reporter" else limit.per_client


def _rate_keys(store: Store, reporter: str, client: str | None) -> tuple[str, str | None]:
    """Keyed hashes of the reporter's name (any case) and the client's address: the rate
    table never holds either."""

    def key(kind: bytes, value: str) -> str:
        digest = hashlib.blake2b(
            value.encode("utf-8"), key=store.secret()[:64], person=b"report-rate" + kind
        )
        return digest.hexdigest()[:64]

    return key(b"r", reporter.lower()), (key(b"c", client) if client else None)


def _over_limit(conn, store: Store, limit: RateLimit, keys, at: float) -> str | None:
    """'reporter' or 'client' when one more report would pass that limit, else None."""
    since = at - limit.minutes * 60
    recent = sa.and_(own(store, report_rate), report_rate.c.at > since)
    for scope, column, key, most in (
        ("reporter", report_rate.c.reporter, keys[0], limit.per_reporter),
        ("client", report_rate.c.client, keys[1], limit.per_client),
    ):
        if most <= 0 or key is None:
            continue
        count = conn.execute(
            sa.select(sa.func.count()).select_from(report_rate).where(recent, column == key)
        ).scalar_one()
        if count >= most:
            return scope
    return None


def _count_submission(conn, store: Store, limit: RateLimit, keys, at: float) -> None:
    conn.execute(
        report_rate.insert().values(
            at=at, reporter=keys[0], client=keys[1], municipality=store.municipality
        )
    )
    conn.execute(
        report_rate.delete().where(
            own(store, report_rate), report_rate.c.at <= at - max(limit.minutes, 1) * 60
        )
    )


def _log_limited(conn, store: Store, limit: RateLimit, scope: str, reporter: str, at: float):
    """The audit log's entry for a refusal, once per reporter and rule in a window (a
    script sending on could otherwise fill the log instead of the inbox)."""
    detail = t(f"log.limited_{scope}", limit=limit_for(limit, scope), minutes=limit.minutes)
    since = dt.datetime.fromtimestamp(at - limit.minutes * 60, dt.UTC)
    logged = conn.execute(
        sa.select(report_log.c.id).where(
            own(store, report_log),
            report_log.c.event == "limited",
            report_log.c.account == reporter,
            report_log.c.detail == detail,
            report_log.c.at > since.isoformat(timespec="seconds"),
        )
    ).first()
    if logged is None:
        write_log(conn, store, "limited", reporter, None, detail)


def limited_recently(store: Store, days: int = 7, now: dt.datetime | None = None) -> pd.DataFrame:
    """The rate limit's refusals in the audit log of the last ``days`` (newest first): when,
    who, which rule. What an analyst sees on the Ärenden page."""
    log = read_log(store)
    since = ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)).isoformat(
        timespec="seconds"
    )
    return log[(log["event"] == "limited") & (log["at"] > since)].reset_index(drop=True)


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
    """A new planned action; returns its id (``add_action_told`` also says which fields
    lost invisible characters)."""
    return add_action_told(store, muni, action, by)[0]


def add_action_told(
    store: Store, muni: Municipality, action: Action, by: str
) -> tuple[str, tuple[str, ...]]:
    """A new planned action, its free-text fields through the input gate: its id, and
    Swedish lines for the fields that lost invisible characters."""
    checked = gate(
        {
            "action.title": action.title,
            "action.owner": action.owner,
            "action.place": action.place,
            "action.note": action.note,
        }
    )
    title, owner = checked["action.title"].text, checked["action.owner"].text
    if not title or not owner:
        raise ReportError("action_incomplete")
    where = resolve_place(muni, checked["action.place"].text, action.lat, action.lon)
    ensure_tables(store)
    action_id = new_submission_id()
    with store.writing() as conn:
        conn.execute(
            report_actions.insert().values(
                id=action_id,
                title=title,
                owner=owner,
                date=action.date.isoformat(),
                place=where.place,
                locality=where.locality,
                lat=where.lat,
                lon=where.lon,
                radius_m=float(action.radius_m),
                status="planned",
                note=checked["action.note"].text,
                created_at=now_utc(),
                created_by=by,
                municipality=store.municipality,
            )
        )
        write_log(conn, store, "changed", by, None, f"action {action_id} created")
        store.bump_version(conn)  # actions are evaluated on the map page, cached on the version
    return action_id, notices(checked)


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
