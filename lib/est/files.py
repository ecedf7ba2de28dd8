"""Files of reports from and to other systems (``--kind reports``): the template, the export
and the import, which goes through the store's import log like any other file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from lib.config import Municipality
from lib.est.cases import Submission, read_reports
from lib.est.tables import (
    ReportError,
    ensure_tables,
    log_event,
    now_utc,
    own,
    reports,
    write_log,
)
from lib.est.vocabulary import (
    Category,
    find_category,
    load_categories,
    place_names,
    resolve_place,
)
from lib.i18n import t
from lib.ingest import text_gate
from lib.store.store import Store
from lib.store.tables import TIME_FORMAT, imports

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
    # (row, code, details): why rows were refused, and after a successful import the
    # notices too (invisible characters removed, code 'removed'); each is said in Swedish
    # by t(f"report.error_{code}", **details).
    errors: list[tuple[int | None, str, dict]] = None


@dataclass
class ReadReports:
    """A file of reports read: the submissions, their statuses and reporters, the rows
    refused (row as in the file, code, details) and the notices for rows the input gate
    cleaned (same shape, code 'removed')."""

    subs: list[Submission] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    reporters: list[str | None] = field(default_factory=list)
    errors: list[tuple] = field(default_factory=list)
    notices: list[tuple] = field(default_factory=list)


# The file's free-text columns and their fields in the input gate (lib.ingest.text_gate).
GATED = (
    ("note", "report.note"),
    ("place", "report.place"),
    ("service", "report.service"),
    ("reporter", "report.reporter"),
)


def read_report_file(
    data: bytes,
    file_name: str,
    muni: Municipality,
    status_codes: dict[str, str],
    categories: tuple[Category, ...] | None = None,
) -> tuple[list[Submission], list[str | None], list[str | None], list[tuple]]:
    """A CSV or Excel file of reports -> submissions, their statuses and reporters, and the
    errors (row number as in the file, code, details). ``status_codes`` maps Swedish labels
    and codes (lower case) to status codes. (``read_checked`` also gives the notices.)"""
    read = read_checked(data, file_name, muni, status_codes, categories)
    return read.subs, read.statuses, read.reporters, read.errors


def read_checked(
    data: bytes,
    file_name: str,
    muni: Municipality,
    status_codes: dict[str, str],
    categories: tuple[Category, ...] | None = None,
) -> ReadReports:
    """``read_report_file`` with the notices. Every free-text column (note, place, service,
    reporter) passes the input gate: a row whose text is too long or holds personal data is
    refused, naming the column and the kind; invisible characters are removed and a notice
    says so."""
    from lib.ingest.formats import file_format, read_excel
    from lib.ingest.importers import parse_dates, read_raw_table

    categories = categories or load_categories()
    out = ReadReports()
    if file_format(data, file_name) == "xlsx":
        raw = read_excel(data)
        frame, problem = raw.frame, raw.problem
    else:
        frame, _header, error = read_raw_table(data)
        problem = None if error is None else error.reason
    if problem is not None or frame is None:
        out.errors.append((None, "file", {"reason": problem or ""}))
        return out
    lower = {str(c).strip().lower(): c for c in frame.columns}
    missing = [h for n, h, req in FILE_COLUMNS if req and h not in lower]
    if missing:
        out.errors.append((None, "missing_columns", {"columns": ", ".join(missing)}))
        return out

    def column(name: str) -> pd.Series:
        header = HEADERS[name]
        if header in lower:
            return frame[lower[header]].astype(str).str.strip()
        return pd.Series("", index=frame.index)

    columns = {name: column(name) for name in HEADERS}  # each read once, not once a row
    when, _known, bad_dates = parse_dates(columns["occurred_at"])
    for i, index in enumerate(frame.index):
        row_no = i + 2  # the header is row 1
        category = find_category(categories, columns["category"][index])
        status_text = columns["status"][index].lower()
        status = status_codes.get(status_text, "new") if status_text else "new"
        problems = []
        if bad_dates[index] or pd.isna(when[index]):
            problems.append(("bad_date", {}))
        if category is None:
            problems.append(("unknown_category", {"value": columns["category"][index]}))
        severity_text = columns["severity"][index] or "1"
        if severity_text not in {"1", "2", "3"}:
            problems.append(("bad_severity", {}))
        if status_text and status_text not in status_codes:
            problems.append(("bad_status", {}))
        texts = {}
        for name, key in GATED:
            checked = text_gate.check(key, columns[name][index])
            label = t("gate.column", column=HEADERS[name])
            texts[name] = checked.text
            if checked.problems:
                message = text_gate.problem_message(checked, label)
                problems.append(("text", {"message": message}))
            elif checked.removed:
                out.notices.append(
                    (row_no, "removed", {"message": text_gate.removed_message(checked, label)})
                )
        lat, lon = _number(columns["lat"][index]), _number(columns["lon"][index])
        place = texts["place"]
        try:
            resolve_place(muni, place, lat, lon)
        except ReportError as exc:
            problems.append((exc.code, {}))
        if problems:
            out.errors += [(row_no, code, details) for code, details in problems]
            continue
        given_id = columns["id"][index]
        digest = hashlib.sha256(f"{file_name}\x1f{row_no}\x1f{given_id}".encode()).hexdigest()
        out.subs.append(
            Submission(
                id=given_id[:64] if given_id else digest[:32],
                category=category.id,
                occurred_at=when[index].to_pydatetime(),
                severity=int(severity_text),
                note=texts["note"] or "",
                place=place,
                lat=lat,
                lon=lon,
                service=texts["service"],
            )
        )
        out.statuses.append(status)
        out.reporters.append(texts["reporter"])
    return out


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
    read = read_checked(data, file_name, muni, status_codes)
    subs, statuses, reporters, errors = read.subs, read.statuses, read.reporters, read.errors
    if errors and (not skip_invalid or not subs):
        return FileOutcome(False, errors=errors)
    ensure_tables(store)
    sha = hashlib.sha256(data).hexdigest()
    with store.writing() as conn:
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
                    own(store, reports), reports.c.id.in_([s.id for s in subs])
                )
            ).scalars()
        )
        if taken:
            shown = ", ".join(sorted(taken)[:5])
            return FileOutcome(False, errors=[(None, "existing_ids", {"ids": shown})])
        import_id = conn.execute(
            imports.insert().values(
                imported_at=now_utc(),
                kind="reports",
                file_name=file_name,
                sha256=sha,
                rows_added=len(subs),
                user=by,
                is_sample=False,
                municipality=store.municipality,
            )
        ).inserted_primary_key[0]
        now = now_utc()
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
        write_log(conn, store, "imported", by, None, f"{file_name} ({len(rows)})")
        store.bump_version(conn)
    return FileOutcome(
        True, rows=len(subs), import_id=int(import_id), errors=[*errors, *read.notices]
    )
