"""File formats analysts really have, turned into plain string tables for the importer.

CSV is read in ``lib.importers``; this module adds Excel workbooks, the police's open-events
JSON and Kolada's JSON, and recognises which kind of data a table holds. Every reader returns
an all-string frame whose headers the importer maps like any CSV, so validation, previews and
error messages are the same whatever the format.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field

import pandas as pd

from lib.config import Municipality, find_region
from lib.i18n import fmt_int, fmt_rows, t
from lib.ingest.dates import SWEDISH_MONTHS
from lib.ingest.limits import COMMAND_LINE, Limits, json_problem, xlsx_problem
from lib.ingest.schemas import COLUMNS, header_map, swedish_headers

FORMATS = ("csv", "xlsx", "json")
# Entries of the police feed that are not one incident each.
NOT_INCIDENTS = re.compile(r"^(sammanfattning|uppdatering)\b", re.IGNORECASE)
# "21 augusti 11.30", "6 mars 7:05": the time the event happened, as the police name it.
NAME_TIME = re.compile(r"^\s*(\d{1,2}) ([a-zåäö]+) (\d{1,2})[.:](\d{2})\b", re.IGNORECASE)
FEED_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2})")
# Kolada's crime KPIs (per 100 000 inhabitants); other KPIs keep their id as the category.
KOLADA_KPIS = {
    "N07403": "Våldsbrott",
    "N07540": "Samtliga anmälda brott",
    "N07546": "Bostadsinbrott",
    "N07544": "Narkotikabrott",
}


@dataclass(frozen=True)
class Sheet:
    """One worksheet as the reader found it: its table's header as written (the first row,
    among the first few with something in them, that is a known kind's header; else the
    first such row), the header's line, the rows with something in them under it, and
    whether the header is a known kind's."""

    name: str
    header: tuple[str, ...] = ()
    header_row: int = 0
    rows: int = 0
    recognised: bool = False

    @property
    def table(self) -> bool:
        """Two named columns or more and rows under them: a cover page or a note is none."""
        return sum(bool(h) for h in self.header) >= 2 and self.rows > 0

    @property
    def shape(self) -> tuple[str, ...]:
        return tuple(h.lower() for h in self.header)


@dataclass
class Raw:
    """A file as a string table, or the reason it could not be read."""

    frame: pd.DataFrame | None = None
    header: list[str] = field(default_factory=list)
    problem: str | None = None
    kind: str | None = None  # recognised from the content (JSON formats), else None
    default_source: str | None = None
    notes: list[str] = field(default_factory=list)  # Swedish, what was left out and why
    # Where each row stands in the file when that is not its row number (the police feed:
    # the event's place in the list, from 1), for messages naming rows.
    positions: list[int] | None = None
    # An Excel workbook: every worksheet, the ones read into ``frame`` (in order), and whether
    # the analyst must choose (the sheets with tables have different headers).
    sheets: list[Sheet] = field(default_factory=list)
    chosen: tuple[str, ...] = ()
    needs_sheet: bool = False
    # Each row's line in its sheet and, when several sheets were read, the sheet: for
    # messages naming rows (None: row i of the frame is line i + 2 of the file).
    row_numbers: list[int] | None = None
    row_sheets: list[str] | None = None


def file_format(data: bytes, file_name: str) -> str:
    """'xlsx', 'json' or 'csv', from the content first and the name second."""
    name = file_name.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if name.endswith(".json") or stripped in (b"[", b"{"):
        return "json"
    return "csv"


# --- Excel ----------------------------------------------------------------------------------


def _cell_text(value) -> str:
    """An Excel cell as the text a person sees: dates without a time stay dates, whole
    numbers lose Excel's '.0', empty cells are empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_excel(
    data: bytes, limits: Limits | None = None, sheets: tuple[str, ...] | None = None
) -> Raw:
    """A workbook's table. Every worksheet is looked at: sheets without a table (a cover
    page, instructions) are left out with a note; the sheets with the same header are read
    together; sheets with different headers are not guessed between (``needs_sheet``).
    ``sheets`` names the sheets to read instead. The zip's sizes are checked before openpyxl
    opens it, each sheet's declared dimension is ignored (a 2 kB file may declare a million
    rows of 16 384 columns, and openpyxl pads every row to it), and rows, cells and sheets
    are counted, over the whole workbook, while they are read."""
    import openpyxl

    limits = limits or COMMAND_LINE
    problem = xlsx_problem(data, limits)
    if problem:
        return Raw(problem=problem)
    # openpyxl parses the workbook's XML parts lazily and raises whatever its XML parser or
    # zip reader raises on a damaged file (ParseError, BadZipFile, KeyError, …): any failure
    # to read an uploaded workbook is the file's fault and gets the same Swedish message.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            found, problem = _read_sheets(book.worksheets, limits)
        finally:
            book.close()
    except MemoryError:  # too big for the reading process's ceiling, not a damaged file
        raise
    except Exception:
        return Raw(problem=t("err.bad_excel"))
    if problem:
        return Raw(problem=problem)
    return _choose_sheets(found, sheets)


def _read_sheets(worksheets, limits: Limits):
    """[(Sheet, [(line, cells), …]), …] for every worksheet, or a limit's refusal."""
    if len(worksheets) > limits.max_sheets:
        return [], t(
            "err.too_many_sheets", count=fmt_int(len(worksheets)), limit=fmt_int(limits.max_sheets)
        )
    used = {"rows": 0, "cells": 0, "headers": 0}  # one budget for the whole workbook
    found = []
    for sheet in worksheets:
        used["headers"] += 1  # a header line per sheet is no data row
        if hasattr(sheet, "reset_dimensions"):  # read-only sheets; others are small
            sheet.reset_dimensions()
        rows, problem = _sheet_rows(sheet, limits, used)
        if problem:
            return [], problem
        found.append(_table(sheet.title, rows))
    return found, None


def _sheet_rows(sheet, limits: Limits, used: dict) -> tuple[list[list[str]], str | None]:
    rows = []
    for row in sheet.iter_rows(values_only=True):
        used["rows"] += 1
        if used["rows"] > limits.max_rows + used["headers"]:
            return [], t(
                "err.too_many_rows",
                count=fmt_int(used["rows"] - used["headers"]),
                limit=fmt_int(limits.max_rows),
            )
        if len(row) > limits.max_columns:
            return [], t(
                "err.too_many_columns", count=fmt_int(len(row)), limit=fmt_int(limits.max_columns)
            )
        used["cells"] += len(row)
        if used["cells"] > limits.max_cells:
            return [], t("err.too_many_cells", limit=fmt_int(limits.max_cells))
        rows.append([_cell_text(v) for v in row])
    return rows, None


HEADER_SEARCH_ROWS = 20  # a table's header may stand under a title and a few notes


def _table(name: str, rows: list[list[str]]):
    """The sheet's header and the rows with something in them under it, each with its line."""
    filled = [i for i, r in enumerate(rows) if any(r)]
    if not filled:
        return Sheet(name), []
    at, recognised = filled[0], False
    for i in filled[:HEADER_SEARCH_ROWS]:
        if recognise_kind(rows[i]) is not None:
            at, recognised = i, True
            break
    header = [h.strip() for h in rows[at]]
    while header and not header[-1]:
        header.pop()
    body = [(i + 1, rows[i]) for i in filled if i > at]
    return Sheet(name, tuple(header), at + 1, len(body), recognised), body


def _choose_sheets(found: list, sheets: tuple[str, ...] | None) -> Raw:
    """The sheets to read: those named, else those with a table (of a known kind, if any
    sheet has one) when they share one header; else the analyst must choose."""
    infos = [info for info, _ in found]
    bodies = {info.name: body for info, body in found}
    by_name = {info.name: info for info in infos}
    if sheets:
        missing = [name for name in sheets if name not in by_name]
        if missing:
            listed = ", ".join(quoted(i.name) for i in infos)
            return Raw(
                problem=t("err.sheet_missing", sheet=missing[0], sheets=listed), sheets=infos
            )
        chosen = [by_name[name] for name in dict.fromkeys(sheets)]
    else:
        tables = [i for i in infos if i.table]
        chosen = [i for i in tables if i.recognised] or tables
        if not chosen:  # no table anywhere: a known header without rows, for its refusal
            chosen = [i for i in infos if i.recognised][:1]
            if not chosen:
                if not any(i.header for i in infos):
                    return Raw(problem=t("err.file_empty"), sheets=infos)
                listed = ", ".join(quoted(i.name) for i in infos)
                return Raw(problem=t("err.no_table", sheets=listed), sheets=infos)
    if len({i.shape for i in chosen}) > 1:
        described = "; ".join(describe_sheet(i) for i in chosen)
        return Raw(problem=t("err.sheets_differ", sheets=described), sheets=infos, needs_sheet=True)
    return _sheets_frame(chosen, bodies, infos)


def _sheets_frame(chosen: list[Sheet], bodies: dict, infos: list[Sheet]) -> Raw:
    """The chosen sheets' rows under the first one's header, each row's line and sheet kept."""
    header = list(chosen[0].header)
    several = len(chosen) > 1
    body, lines, where = [], [], []
    for info in chosen:
        for line, cells in bodies[info.name]:
            if any(cells[len(header) :]):
                if len(infos) > 1:
                    problem = t("err.excel_longer_sheet", row=line, sheet=info.name)
                else:
                    problem = t("err.excel_longer", row=line)
                return Raw(problem=problem, sheets=infos)
            body.append((cells + [""] * len(header))[: len(header)])
            lines.append(line)
            if several:
                where.append(info.name)
    frame = pd.DataFrame(body, columns=header, dtype=str)
    return Raw(
        frame,
        header,
        notes=_sheet_notes(chosen, infos),
        sheets=infos,
        chosen=tuple(i.name for i in chosen),
        row_numbers=lines,
        row_sheets=where if several else None,
    )


def _sheet_notes(chosen: list[Sheet], infos: list[Sheet]) -> list[str]:
    """What became of every sheet of a workbook with more than one, in Swedish."""
    if len(infos) < 2:
        return []
    notes = []
    if len(chosen) > 1:
        names = listing([quoted(i.name) for i in chosen])
        rows = fmt_rows(sum(i.rows for i in chosen))
        notes.append(t("import.sheets_together", sheets=names, rows=rows))
    any_known = any(i.recognised for i in chosen)
    others = [i for i in infos if i not in chosen]
    also = [i for i in others if i.table and (i.recognised or not any_known)]
    skipped = [i for i in others if i not in also]
    if also:
        listed = "; ".join(describe_sheet(i) for i in also)
        notes.append(t("import.sheets_not_read", sheets=listed))
    if skipped:
        notes.append(t("import.sheets_skipped", sheets=listing([quoted(i.name) for i in skipped])))
    return notes


def quoted(name: str) -> str:
    return f"”{name}”"


def listing(items: list[str]) -> str:
    """'a', 'a och b', 'a, b och c'."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + t("import.list_and") + items[-1]


def describe_sheet(sheet: Sheet, columns: int = 5) -> str:
    """'”Kameror” (id, namn, lat, lon; 3 rader)': a sheet as a message names it."""
    shown = [h for h in sheet.header if h][:columns]
    more = ", …" if sum(bool(h) for h in sheet.header) > columns else ""
    return t(
        "import.sheet_described",
        sheet=quoted(sheet.name),
        header=", ".join(shown) + more,
        rows=fmt_rows(sheet.rows),
    )


def sheet_choices(sheets: list[Sheet]) -> list[tuple[str, ...]]:
    """What an analyst may read from a workbook: each group of sheets with the same header
    (the default when there is one), then every sheet with something in it on its own."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for sheet in sheets:
        if sheet.table:
            groups.setdefault(sheet.shape, []).append(sheet.name)
    together = [tuple(names) for names in groups.values() if len(names) > 1]
    return together + [(s.name,) for s in sheets if s.header]


# --- JSON -----------------------------------------------------------------------------------


def read_json(data: bytes, muni: Municipality, limits: Limits | None = None) -> Raw:
    problem = json_problem(data, limits or COMMAND_LINE)
    if problem:
        return Raw(problem=problem)
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except RecursionError:  # nested deeper than the parser's stack allows
        return Raw(problem=t("err.bad_json", line="–"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        return Raw(problem=t("err.bad_json", line=line or "–"))
    if isinstance(obj, list) and obj and all(_is_police_event(e) for e in obj):
        return police_events(obj, muni)
    values = obj.get("values") if isinstance(obj, dict) else None
    if (
        isinstance(values, list)
        and values
        and all(isinstance(v, dict) and "kpi" in v for v in values)
    ):
        return kolada(obj)
    if obj == [] or (isinstance(obj, dict) and obj.get("values") == []):
        return Raw(problem=t("err.file_empty"))
    return Raw(problem=t("err.json_shape"))


def _is_police_event(entry) -> bool:
    return (
        isinstance(entry, dict)
        and {"id", "datetime", "name", "type", "location"} <= entry.keys()
        and isinstance(entry["location"], dict)
    )


def police_municipality(event: dict) -> str:
    """The municipality an event belongs to: ``location.name``, or, where that is the county
    (as the police file some events since about 2025), the last part of the event's name."""
    place = str(event["location"].get("name", "")).strip()
    if place.lower().endswith(" län"):
        return str(event["name"]).rsplit(",", 1)[-1].strip()
    return place


def police_time(event: dict) -> str | None:
    """When it happened, as 'YYYY-MM-DD HH:MM' local time: the day and time in the event's
    name ('21 augusti 11.30'), the year from the publication time (a December event
    published in January belongs to the year before); else the publication time itself."""
    published = FEED_TIME.match(str(event["datetime"]).strip())
    named = NAME_TIME.match(str(event["name"]))
    if published is None:
        return None
    year, month = int(published.group(1)), int(published.group(2))
    if named and named.group(2).lower() in SWEDISH_MONTHS:
        day, name_month = int(named.group(1)), SWEDISH_MONTHS[named.group(2).lower()]
        hour, minute = int(named.group(3)), int(named.group(4))
        event_year = year - 1 if name_month > month else year
        try:
            return dt.datetime(event_year, name_month, day, hour, minute).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            pass
    hour, minute = int(published.group(4)), int(published.group(5))
    return f"{published.group(1)}-{published.group(2)}-{published.group(3)} {hour:02d}:{minute:02d}"


def _locality_in(text: str, muni: Municipality) -> str:
    """A locality the summary names ('… i Byn'); the feed's coordinates are only the
    municipality's centre, so without a name the event goes to the main locality."""
    for loc in sorted(muni.localities, key=lambda loc: -len(loc.name)):
        if re.search(rf"\b{re.escape(loc.name)}\b", text, re.IGNORECASE):
            return loc.name
    return max(muni.localities, key=lambda loc: loc.population or 0).name


def police_events(events: list[dict], muni: Municipality) -> Raw:
    """The municipality's events as an incidents table. Summaries ("Sammanfattning natt")
    and updates bundle or repeat other events and are left out, as are other municipalities'
    events; ids are the police's own, so overlapping downloads add nothing twice."""
    rows, positions, summaries, elsewhere = [], [], 0, 0
    for position, event in enumerate(events, start=1):
        if police_municipality(event).lower() != muni.name.lower():
            elsewhere += 1
            continue
        if NOT_INCIDENTS.match(str(event["type"]).strip()):
            summaries += 1
            continue
        summary = str(event.get("summary") or "").strip()
        positions.append(position)
        rows.append(
            {
                "id": f"polisen-{event['id']}",
                "occurred_at": police_time(event) or "",
                "category": str(event["type"]).strip(),
                "locality": _locality_in(summary, muni),
                "description": summary,
            }
        )
    notes = [
        t(
            "import.police_notes",
            kept=len(rows),
            total=len(events),
            elsewhere=elsewhere,
            summaries=summaries,
            municipality=muni.name,
        )
    ]
    frame = _swedish_frame(
        rows, "incidents", ["id", "occurred_at", "category", "locality", "description"]
    )
    header = list(frame.columns)
    if frame.empty:
        return Raw(problem=t("err.police_none", municipality=muni.name), notes=notes)
    return Raw(
        frame,
        header,
        kind="incidents",
        default_source="police_open_events",
        notes=notes,
        positions=positions,
    )


def kolada(obj: dict) -> Raw:
    """Kolada's ``{"values": [{"kpi", "municipality", "period", "values": [...]}]}`` as a
    peers table: the total for both sexes (gender 'T'), as a rate per 100 000 inhabitants."""
    rows, ignored = [], 0
    for entry in obj["values"]:
        region = find_region(str(entry.get("municipality", "")))
        if region is None:
            ignored += 1
            continue
        values = entry.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            return Raw(problem=t("err.json_shape"))
        totals = [v for v in values if v.get("gender", "T") == "T"]
        value = totals[0].get("value") if totals else None
        if value is not None and not isinstance(value, (int, float)):
            return Raw(problem=t("err.json_shape"))
        kpi = str(entry["kpi"])
        rows.append(
            {
                "region_code": region.code,
                "region": region.name,
                "year": str(entry.get("period", "")),
                "category": KOLADA_KPIS.get(kpi, kpi),
                "rate": "" if value is None else str(value),
                "source": "Kolada " + kpi,
            }
        )
    notes = [t("import.regions_ignored", count=fmt_rows(ignored))] if ignored else []
    frame = _swedish_frame(
        rows, "peers", ["region_code", "region", "year", "category", "rate", "source"]
    )
    header = list(frame.columns)
    if frame.empty:
        return Raw(problem=t("err.no_known_regions"), notes=notes)
    return Raw(frame, header, kind="peers", notes=notes)


def _swedish_frame(rows: list[dict], kind: str, columns: list[str]) -> pd.DataFrame:
    """A table built from a JSON file, headed as the kind's template is (Swedish), so the
    data page's column mapping names its columns as it names every file's."""
    headers = swedish_headers(kind)
    frame = pd.DataFrame(rows, columns=columns, dtype=str)
    return frame.rename(columns={c: headers[c] for c in columns})


# --- Recognising the kind -------------------------------------------------------------------


def recognise_kind(header: list[str]) -> str | None:
    """The kind whose required columns the header has, preferring the most columns
    recognised; None when no kind fits."""
    best, best_score = None, 0
    for kind in COLUMNS:
        aliases = header_map(kind)
        found = {aliases[h.strip().lower()] for h in header if h.strip().lower() in aliases}
        required = {c.name for c in COLUMNS[kind] if c.required}
        if kind == "peers":
            required |= {"count"} if "rate" not in found else set()
        if not required <= found:
            continue
        score = len(found)
        if score > best_score:
            best, best_score = kind, score
    return best
