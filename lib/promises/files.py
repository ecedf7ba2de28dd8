"""A file of promise definitions (CSV or Excel, Swedish headers): the template the promise
page offers (the promises as they stand, ready to edit), reading one back with every problem
named by row, and storing it as one undoable entry of the import log.

A row is one indicator of a promise (or a promise without indicators). Rows of one promise
share its period and number; the promise's wording, who is responsible and the incidents it
is meant to move may be written on one of them only, and left empty for a promise already
stored (it keeps what it has). An indicator's name, unit and target are as the row says: an
empty target is no target.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field

import pandas as pd

from lib.config import Municipality, known_categories
from lib.i18n import fmt_int, t
from lib.ingest.schemas import ColumnSpec
from lib.promises import definitions as defs
from lib.store.store import Store, StoreError

# The same words as the activities file where they mean the same: "löfte" and "indikator" are
# the ids an activity names, "enhet" its unit, "ansvarig" who is responsible.
COLUMNS = (
    ColumnSpec("period_start", "från", ("start", "period från"), required=True),
    ColumnSpec("period_end", "till", ("slut", "period till"), required=True),
    ColumnSpec("number", "nummer", ("nr", "löftesnummer"), required=True),
    ColumnSpec("promise_id", "löfte", ("lofte", "löftes-id")),
    ColumnSpec("text", "lydelse", ("löftestext", "text")),
    ColumnSpec("responsible", "ansvarig", ("av",)),
    ColumnSpec("indicator_id", "indikator", ("indikator-id",)),
    ColumnSpec("indicator_label", "mått", ("matt", "indikatornamn", "vad räknas")),
    ColumnSpec("target", "mål", ("mal", "målvärde")),
    ColumnSpec("unit", "enhet", ()),
    ColumnSpec("outcome_categories", "kategorier", ("händelsekategorier",)),
    ColumnSpec("outcome_localities", "orter", ("ort",)),
    ColumnSpec("outcome_note", "kommentar", ("anteckning",)),
)
HEADERS = {c.name: c.header for c in COLUMNS}
LIST_SEPARATOR = ","  # between categories (or localities) in one cell
# A promise's own cells: written on one of its rows, or kept from the stored promise.
PROMISE_FIELDS = ("text", "responsible", "outcome_categories", "outcome_localities", "outcome_note")


def responsible_words() -> dict[str, str]:
    """Swedish word (lower case) or code -> code."""
    words = {t(f"promise.responsible_{code}").lower(): code for code in defs.RESPONSIBLE}
    return words | {code: code for code in defs.RESPONSIBLE}


def template_frame(current: defs.Promises, muni: Municipality) -> pd.DataFrame:
    """The promises as they stand under the file's Swedish headers (one example row when
    there are none), so an analyst edits the file and reads it back."""
    rows = []
    for r in current.definitions.itertuples():
        target = "" if pd.isna(r.target) else _number_text(r.target)
        rows.append(
            {
                "period_start": r.period_start.date().isoformat(),
                "period_end": r.period_end.date().isoformat(),
                "number": int(r.number),
                "promise_id": r.promise_id,
                "text": r.text,
                "responsible": t(f"promise.responsible_{r.responsible}"),
                "indicator_id": "" if pd.isna(r.indicator_id) else r.indicator_id,
                "indicator_label": "" if pd.isna(r.indicator_label) else r.indicator_label,
                "target": target,
                "unit": "" if pd.isna(r.unit) else r.unit,
                "outcome_categories": f"{LIST_SEPARATOR} ".join(r.outcome_categories),
                "outcome_localities": f"{LIST_SEPARATOR} ".join(r.outcome_localities),
                "outcome_note": r.outcome_note or "",
            }
        )
    if not rows:
        today = dt.date.today()
        rows.append(
            {
                "period_start": today.replace(month=1, day=1).isoformat(),
                "period_end": today.replace(month=12, day=31).isoformat(),
                "number": 1,
                "text": t("promise.template_text"),
                "responsible": t("promise.responsible_joint"),
                "indicator_label": t("promise.template_label"),
                "target": "4",
                "unit": t("promise.default_unit"),
                "outcome_localities": muni.locality_names[0] if muni.locality_names else "",
            }
        )
    frame = pd.DataFrame(rows, columns=list(HEADERS), dtype=object).fillna("")
    return frame.rename(columns=HEADERS)


def _number_text(value: float) -> str:
    return fmt_int(value) if float(value).is_integer() else str(value).replace(".", ",")


@dataclass
class Read:
    """A file read against the promises as they stand: the rows to store, or the problems
    (row number as in the file, the header being row 1; None for the whole file)."""

    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    periods: int = 0
    promises: int = 0
    indicators: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def messages(self) -> list[str]:
        return [
            t("promise.file_row_error", row=row, reason=reason) if row else reason
            for row, reason in self.errors
        ]


def _table(data: bytes, file_name: str) -> tuple[pd.DataFrame | None, str | None]:
    from lib.ingest.formats import file_format, read_excel
    from lib.ingest.importers import read_raw_table
    from lib.ingest.limits import COMMAND_LINE, too_large

    problem = too_large(len(data), COMMAND_LINE)
    if problem:
        return None, problem
    if file_format(data, file_name) == "xlsx":
        raw = read_excel(data)
        return raw.frame, raw.problem
    frame, _header, error = read_raw_table(data)
    return frame, None if error is None else error.reason


def read_file(data: bytes, file_name: str, muni: Municipality, current: defs.Promises) -> Read:
    """A CSV or Excel file of definitions -> the rows of new versions to store."""
    out = Read()
    frame, problem = _table(data, file_name)
    if problem is not None or frame is None:
        out.errors.append((None, problem or t("err.file_empty")))
        return out
    names = {}
    for header in frame.columns:
        key = str(header).strip().lower()
        spec = next((c for c in COLUMNS if key == c.header or key in c.aliases), None)
        if spec is not None and spec.name not in names:
            names[spec.name] = header
    missing = [c.header for c in COLUMNS if c.required and c.name not in names]
    if missing:
        out.errors.append((None, t("promise.file_missing", columns=", ".join(missing))))
        return out
    cells = pd.DataFrame(
        {
            name: frame[names[name]].astype(str).str.strip() if name in names else ""
            for name in HEADERS
        }
    ).replace({"nan": "", "None": ""})
    _Reader(muni, current, out).read(cells)
    return out


class _Reader:
    """Turns the file's cells into versions, resolving periods, promises and indicators
    against the ones stored."""

    def __init__(self, muni: Municipality, current: defs.Promises, out: Read):
        self.muni, self.current, self.out = muni, current, out
        self.categories = known_categories()
        self.responsible = responsible_words()
        self.periods: dict[str, tuple[dt.date, dt.date]] = {}
        self.promises: dict[tuple[str, str], dict] = {}
        self.indicators: dict[tuple[str, str, str], dict] = {}
        stored = current.definitions
        self.taken_indicators = set(stored["indicator_id"].dropna())
        self.taken_promises = set(stored["promise_id"].dropna())

    def fail(self, row: int, code: str, **details) -> None:
        self.out.errors.append((row, t(f"promise.file_{code}", **details)))

    def read(self, cells: pd.DataFrame) -> None:
        from lib.ingest.importers import parse_dates

        starts = parse_dates(cells["period_start"])
        ends = parse_dates(cells["period_end"])
        for i, index in enumerate(cells.index):
            row_no = i + 2
            start, end = starts[0][index], ends[0][index]
            if pd.isna(start) or pd.isna(end) or starts[2][index] or ends[2][index]:
                self.fail(row_no, "bad_date")
                continue
            start, end = start.date(), end.date()
            if end < start:
                self.fail(row_no, "period_order")
                continue
            self.row(row_no, cells.loc[index], start, end)
        if not self.out.errors:
            self.finish()

    def period_id(self, row: int, start: dt.date, end: dt.date) -> str | None:
        stored = next((p for p in self.current.periods if p.start == start), None)
        period_id = stored.id if stored else None
        if period_id is None:
            known = next((k for k, (s, _) in self.periods.items() if s == start), None)
            taken = {p.id for p in self.current.periods} | set(self.periods)
            period_id = known or defs.unique(f"{start.year}-{end.year}", taken)
        if self.periods.get(period_id, (start, end)) != (start, end):
            self.fail(row, "period_differs")
            return None
        self.periods[period_id] = (start, end)
        return period_id

    def row(self, row: int, cell: pd.Series, start: dt.date, end: dt.date) -> None:
        period_id = self.period_id(row, start, end)
        if period_id is None:
            return
        try:
            number = int(float(cell["number"].replace(",", ".")))
        except ValueError:
            number = 0
        if number < 1:
            self.fail(row, "bad_number", value=cell["number"])
            return
        promise_id = self.promise(row, cell, period_id, number)
        if promise_id is None or not (cell["indicator_label"] or cell["indicator_id"]):
            return
        self.indicator(row, cell, period_id, promise_id)

    def promise(self, row: int, cell: pd.Series, period_id: str, number: int) -> str | None:
        stored = self.current.of_period(period_id)
        promise_id = cell["promise_id"][:64] or self.promise_by_number(stored, period_id, number)
        mine = stored[stored["promise_id"] == promise_id]
        entry = self.promises.setdefault(
            (period_id, promise_id), {"number": number, "row": row, "stored": mine}
        )
        stored_number = int(mine["number"].iloc[0]) if len(mine) else number
        if entry["number"] != number or stored_number != number:
            self.fail(row, "number_differs", value=promise_id)
            return None
        self.taken_promises.add(promise_id)
        for name in PROMISE_FIELDS:
            value = self.value(row, name, cell[name])
            if value is None or value == "":
                continue
            if entry.get(name) not in (None, value):
                self.fail(row, "promise_differs", column=HEADERS[name], number=number)
                return None
            entry[name] = value
        return promise_id

    def promise_by_number(self, stored: pd.DataFrame, period_id: str, number: int) -> str:
        """The stored promise with this number, one read earlier in the file, or a new id."""
        same = stored[stored["number"] == number]
        if len(same):
            return same["promise_id"].iloc[0]
        earlier = next(
            (
                pid
                for (per, pid), e in self.promises.items()
                if per == period_id and e["number"] == number
            ),
            None,
        )
        return earlier or defs.unique(f"{period_id}-{number}", self.taken_promises)

    def value(self, row: int, name: str, text: str):
        """A promise's cell as stored; None for a cell that cannot be read (an error)."""
        if not text:
            return ""
        if name == "responsible":
            code = self.responsible.get(text.lower())
            if code is None:
                self.fail(row, "bad_responsible", value=text)
            return code
        if name in ("outcome_categories", "outcome_localities"):
            parts = tuple(p.strip() for p in text.split(LIST_SEPARATOR) if p.strip())
            if name == "outcome_categories":
                found = tuple(self.categories.get(p.lower()) for p in parts)
                unknown = [p for p, f in zip(parts, found, strict=True) if f is None]
                if unknown:
                    self.fail(row, "unknown_category", value=", ".join(unknown))
                    return None
                return found
            unknown = [p for p in parts if p not in self.muni.locality_names]
            if unknown:
                self.fail(row, "unknown_locality", value=", ".join(unknown))
                return None
            return parts
        limit = defs.TEXT_MAX
        if len(text) > limit:
            self.fail(row, "too_long", column=HEADERS[name], limit=limit)
            return None
        return " ".join(text.split())

    def indicator(self, row: int, cell: pd.Series, period_id: str, promise_id: str) -> None:
        stored = self.current.indicators(period_id)
        stored = stored[stored["promise_id"] == promise_id]
        label = " ".join(cell["indicator_label"].split())
        if cell["indicator_id"]:
            indicator_id = cell["indicator_id"][:64]
            elsewhere = self.current.indicators()
            elsewhere = elsewhere[elsewhere["indicator_id"] == indicator_id]
            if len(elsewhere) and elsewhere["promise_id"].iloc[0] != promise_id:
                self.fail(row, "indicator_elsewhere", value=indicator_id)
                return
            label = label or (elsewhere["indicator_label"].iloc[0] if len(elsewhere) else "")
        else:
            same = stored[stored["indicator_label"].str.lower() == label.lower()]
            indicator_id = (
                same["indicator_id"].iloc[0]
                if len(same)
                else defs.unique(defs.slug(label), self.taken_indicators)
            )
        if not label or len(label) > defs.LABEL_MAX:
            self.fail(row, "bad_label", limit=defs.LABEL_MAX)
            return
        target = None
        if cell["target"]:
            try:
                target = float(
                    cell["target"].replace("\u00a0", "").replace(" ", "").replace(",", ".")
                )
            except ValueError:
                target = math.nan
            if not math.isfinite(target) or target <= 0:
                self.fail(row, "bad_target", value=cell["target"])
                return
        unit = " ".join(cell["unit"].split())[: defs.UNIT_MAX] or t("promise.default_unit")
        key = (period_id, promise_id, indicator_id)
        if key in self.indicators:
            self.fail(row, "indicator_twice", value=label)
            return
        self.taken_indicators.add(indicator_id)
        self.indicators[key] = defs.indicator_row(
            period_id, promise_id, indicator_id, label, unit, target
        )

    @staticmethod
    def kept(entry: dict, old: pd.Series | None, name: str):
        """What the file says for a promise's cell, else what the stored promise has."""
        value = entry.get(name)
        if value not in (None, "", ()):
            return value
        return None if old is None else old[name]

    def finish(self) -> None:
        rows = [defs.period_row(pid, *span) for pid, span in self.periods.items()]
        for (period_id, promise_id), entry in self.promises.items():
            old = entry["stored"].iloc[0] if len(entry["stored"]) else None
            kept = {name: self.kept(entry, old, name) for name in PROMISE_FIELDS}
            if not kept["text"]:
                self.fail(entry["row"], "no_text", number=entry["number"])
                continue
            if not kept["responsible"]:
                self.fail(entry["row"], "no_responsible", number=entry["number"])
                continue
            rows.append(
                defs.promise_row(
                    period_id,
                    promise_id,
                    entry["number"],
                    kept["text"],
                    kept["responsible"],
                    tuple(kept["outcome_categories"] or ()),
                    tuple(kept["outcome_localities"] or ()),
                    kept["outcome_note"] or "",
                )
            )
        rows += list(self.indicators.values())
        if self.out.errors:
            return
        # Only what the file changes is stored: a row as it stands is no new version (the
        # sample's example targets are versions of the configured promise's indicators, not
        # of its periods and wording).
        stored = {_key(r): r for r in defs.rows_from_definitions(self.current.definitions)}
        rows = [r for r in rows if stored.get(_key(r)) != r]
        if not rows:
            self.out.errors.append((None, t("promise.file_nothing_new")))
            return
        self.out.rows = rows
        self.out.periods = len(self.periods)
        self.out.promises = len(self.promises)
        self.out.indicators = len(self.indicators)


def _key(row: dict) -> tuple:
    return row["level"], row["period_id"], row["promise_id"], row["indicator_id"]


@dataclass
class Outcome:
    ok: bool
    import_id: int | None = None
    messages: list[str] = field(default_factory=list)


def import_file(
    store: Store,
    muni: Municipality,
    data: bytes,
    file_name: str,
    user: str,
) -> Outcome:
    """Read a file against the stored promises and store it as one change, or nothing."""
    read = read_file(data, file_name, muni, defs.read(store))
    if not read.ok:
        return Outcome(False, messages=read.messages() or [t("import.no_valid_rows")])
    digest = hashlib.sha256(data).hexdigest()
    try:
        import_id = defs.write(store, read.rows, file_name, user, digest=digest)
    except StoreError as err:
        if err.code == "already_imported":
            return Outcome(False, messages=[t("import.already_imported", **err.details)])
        raise
    said = t(
        "promise.file_imported",
        periods=read.periods,
        promises=read.promises,
        indicators=read.indicators,
        id=import_id,
    )
    return Outcome(True, import_id, [said])
