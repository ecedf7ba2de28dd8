"""Reading analysts' files into canonical, validated frames.

Nothing here writes: a read returns a ``ReadResult`` with the valid rows and a list of
problems in Swedish (row number as Excel shows it, column as the file names it, reason).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from lib import i18n
from lib.config import Municipality, find_region, known_categories
from lib.i18n import t
from lib.ingest import population_grid, text_gate, values
from lib.ingest.dates import read_dates
from lib.ingest.formats import (
    Raw,
    file_format,
    listing,
    read_excel,
    read_json,
    recognise_kind,
)
from lib.ingest.limits import COMMAND_LINE, Limits, line_number, nul_problem, text_problem
from lib.ingest.schemas import (
    COLUMNS,
    DATE_COLUMNS,
    NUMBER_COLUMNS,
    SOURCES,
    activity_schema,
    camera_schema,
    header_map,
    incident_schema,
    peer_schema,
    population_grid_schema,
    survey_schema,
    swedish_headers,
)

MISSING_MARKERS = {"", "..", "NA", "N/A", "n/a", "null", "NULL"}
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass
class RowError:
    row: int | None  # row number as a spreadsheet shows it (header is row 1); None: whole file
    column: str | None
    reason: str
    sheet: str | None = None  # the workbook's sheet, when rows of several sheets were read

    def message(self, file_name: str = "") -> str:
        if self.row is None:
            return t("import.file_error", file=file_name, reason=self.reason)
        column = self.column or "–"
        if self.sheet is not None:
            return t(
                "import.sheet_row_error",
                sheet=self.sheet,
                row=self.row,
                column=column,
                reason=self.reason,
            )
        return t("import.row_error", row=self.row, column=column, reason=self.reason)


@dataclass
class ReadResult:
    kind: str | None
    file_name: str
    sha256: str
    total_rows: int = 0
    valid: pd.DataFrame = field(default_factory=pd.DataFrame)
    errors: list[RowError] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    notes: list[str] = field(default_factory=list)  # Swedish: what was left out, not errors
    skip_existing: bool = False  # a feed (police open events): stored ids are left out
    # Values not known as they are written (column, value, rows, suggestion): lib.values.
    unknown_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    # A workbook: its sheets (lib.ingest.formats.Sheet), the ones read, and whether the
    # analyst must choose because sheets with tables have different headers.
    sheets: list = field(default_factory=list)
    chosen_sheets: tuple[str, ...] = ()
    needs_sheet: bool = False
    # A value of a date column that reads both as day/month and month/day when no row of the
    # file tells which (set whether or not an order was given); and whether the order is
    # still needed, which refuses the file until it is given.
    ambiguous_date: str | None = None
    needs_date_order: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_failed(self) -> bool:
        return any(e.row is None for e in self.errors)

    @property
    def rejected_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors if e.row is not None})


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Text and table detection -------------------------------------------------------------


# Bytes that are UTF-8 for a letter, a non-breaking space or typographic punctuation, but in
# Windows-1252 read "Ã…", "Â " or "â€": never Swedish text, so a file holding them and bytes
# that are not UTF-8 mixes the two encodings.
UTF8_MARKS = re.compile(rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xe2\x80[\x90-\xbf]")


class MixedEncoding(ValueError):
    """Part of a file is UTF-8 and part is not: reading it either way would store garbage."""

    def __init__(self, bad_line: int, utf8_line: int):
        super().__init__(f"line {bad_line} is not UTF-8, line {utf8_line} is")
        self.message = t("err.mixed_encoding", line=bad_line, utf8_line=utf8_line)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (every byte but five), else Latin-1.
    A file that is partly UTF-8 raises MixedEncoding naming the first line that is not."""
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    mark = UTF8_MARKS.search(body)
    if bom or mark:
        utf8_line = line_number(body, mark.start()) if mark else 1
        raise MixedEncoding(line_number(body, bad), utf8_line)
    for encoding in ("cp1252", "latin-1"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    return b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 20


_TOKENIZE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _csv_problem(exc: Exception) -> str:
    match = _TOKENIZE.search(str(exc))
    if match:
        expected, line, saw = match.groups()
        detail = t("err.detail_fields", line=line, saw=saw, expected=expected)
    elif isinstance(exc, pd.errors.ParserWarning):
        detail = t("err.detail_longer")
    else:
        detail = t("err.detail_unknown")
    return t("err.unreadable", detail=detail)


def read_raw_table(data: bytes) -> tuple[pd.DataFrame | None, list[str], RowError | None]:
    """Bytes -> all-string frame and the header as written; or a file-level error."""
    if not data.strip():
        return None, [], RowError(None, None, t("err.file_empty"))
    if looks_binary(data):
        return None, [], RowError(None, None, t("err.not_text"))
    try:
        text = decode(data)
    except MixedEncoding as exc:
        return None, [], RowError(None, None, exc.message)
    # Leading blank lines (and a BOM alone, Excel's "CSV UTF-8" of an empty sheet) are no
    # header: the header is the first line with something on it.
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = text.lstrip("\n \t")
    if not text.strip():
        return None, [], RowError(None, None, t("err.file_empty"))
    delimiter = sniff_delimiter(text)
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=delimiter))
    try:
        with warnings.catch_warnings():
            # A row longer than the header would silently lose data: make it an error.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=True,
                index_col=False,
            )
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        pd.errors.ParserWarning,
        ValueError,
        csv.Error,
    ) as exc:
        if "out of memory" in str(exc).lower():  # pandas' C parser under a memory ceiling
            raise MemoryError(str(exc)) from exc
        return None, header, RowError(None, None, _csv_problem(exc))
    frame.columns = [h.strip() for h in header]
    return frame, [h.strip() for h in header], None


# --- Value parsing --------------------------------------------------------------------------


def clean_text(series: pd.Series) -> pd.Series:
    """Strip, map missing markers to NA and undo our own export's formula neutralising."""
    s = series.astype("string").str.strip()
    s = s.where(~s.isin(MISSING_MARKERS))
    quoted = s.str.match(r"^'[=+\-@]").fillna(False)
    return s.mask(quoted, s.str.slice(1))


def parse_numbers(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Swedish numbers ('1 234,5', non-breaking spaces, '..' missing) -> (float, bad mask)."""
    s = clean_text(series)
    normalised = (
        s.str.replace("\u00a0", "", regex=False)
        .str.replace("\u202f", "", regex=False)
        .str.replace(" ", "", regex=False)
        .str.replace("\u2212", "-", regex=False)
        .str.replace("%", "", regex=False)
        .str.replace(",", ".", regex=False)
    )
    numbers = pd.to_numeric(normalised, errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers))  # 'inf', 'Infinity': no number a person means
    bad = s.notna() & numbers.isna()
    return numbers, bad


def parse_dates(
    series: pd.Series, date_order: str | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates as Swedish files write them -> (timestamp, time known, bad mask); see
    lib.ingest.dates. Slash dates whose order the column cannot tell are read day-first
    unless ``date_order`` ('dm' or 'md') says otherwise."""
    dates = read_dates(clean_text(series), date_order)
    return dates.values, dates.time_known, dates.bad


# --- Reading one kind -----------------------------------------------------------------------


def suggest_mapping(header: list[str], kind: str) -> dict[str, str | None]:
    """Header as written -> canonical column (or None), from the alias table."""
    aliases = header_map(kind)
    return {h: aliases.get(h.strip().lower()) for h in header}


def duplicate_header_problem(header: list[str]) -> str | None:
    """The Swedish refusal of a header that names a column twice, naming it and where."""
    places: dict[str, list[int]] = {}
    for number, name in enumerate(header, start=1):  # linear: a thousand columns is allowed
        places.setdefault(name.strip().lower(), []).append(number)
    repeated = [(header[at[0] - 1].strip(), at) for at in places.values() if len(at) > 1]
    if not repeated:
        return None
    parts = [
        t(
            "err.duplicate_column",
            column=name or t("err.blank_header"),
            places=listing([str(n) for n in at]),
        )
        for name, at in repeated
    ]
    return t("err.duplicate_header", columns="; ".join(parts))


def _map_headers(
    header: list[str], kind: str, mapping: dict[str, str | None] | None = None
) -> tuple[dict[str, str], list[RowError]]:
    """Canonical name -> header as written, plus errors for a header naming a column twice
    and for two columns meaning the same. ``mapping`` (header -> canonical or None)
    overrides the alias table, e.g. from the data page's column mapping."""
    problem = duplicate_header_problem(header)
    if problem:
        return {}, [RowError(None, None, problem)]
    aliases = header_map(kind)
    found: dict[str, str] = {}
    meanings: dict[str, list[str]] = {}
    known = {spec.name for spec in COLUMNS[kind]}
    for raw in header:
        if mapping is not None and raw in mapping:
            canonical = mapping[raw] if mapping[raw] in known else None
        else:
            canonical = aliases.get(raw.strip().lower())
        if canonical is None:
            continue
        meanings.setdefault(canonical, []).append(raw)
        found.setdefault(canonical, raw)
    errors = [
        RowError(
            None,
            None,
            t(
                "err.same_meaning",
                columns=listing([f"”{r}”" for r in written]),
                field=t(f"field.{canonical}"),
            ),
        )
        for canonical, written in meanings.items()
        if len(written) > 1
    ]
    return found, errors


def _missing_required(found: dict[str, str], kind: str, header: list[str]) -> list[RowError]:
    headers = swedish_headers(kind)
    missing = [headers[s.name] for s in COLUMNS[kind] if s.required and s.name not in found]
    if not missing:
        return []
    reason = t("err.missing_columns", columns=", ".join(missing), found=", ".join(header) or "–")
    return [RowError(None, None, reason)]


class _Collector:
    """Collects row errors against the header names as the file wrote them, and the rows
    as the file numbers them (a workbook's sheet and line, see ``Raw.row_numbers``)."""

    def __init__(self, found: dict[str, str], kind: str, raw: Raw | None = None):
        self.errors: list[RowError] = []
        self.bad = set()
        self.headers = {**swedish_headers(kind), **found}
        self.lines = raw.row_numbers if raw is not None else None
        self.sheets = raw.row_sheets if raw is not None else None
        self.ambiguous: list[tuple[str, str]] = []  # (column as written, example value)

    def place(self, i) -> tuple[str | None, int]:
        """The sheet (None unless several were read) and line of the frame's row ``i``."""
        i = int(i)
        line = self.lines[i] if self.lines is not None else i + 2
        return (self.sheets[i] if self.sheets is not None else None), line

    def add(self, mask: pd.Series, column: str, reasons: pd.Series | str) -> None:
        rows = mask[mask.fillna(False)].index
        for i in rows:
            reason = reasons if isinstance(reasons, str) else reasons.loc[i]
            sheet, line = self.place(i)
            self.errors.append(RowError(line, self.headers.get(column, column), reason, sheet))
            self.bad.add(i)


def _parse_columns(
    raw: pd.DataFrame, found: dict[str, str], kind: str, errs: _Collector, date_order=None
):
    frame = pd.DataFrame(index=raw.index)
    for spec in COLUMNS[kind]:
        if spec.name not in found:
            continue
        col = raw[found[spec.name]]
        if spec.name in DATE_COLUMNS:
            dates = read_dates(clean_text(col), date_order)
            bad = dates.bad
            errs.add(bad, spec.name, col[bad].map(lambda v: t("err.bad_date", value=v)))
            if dates.ambiguous is not None:
                errs.ambiguous.append((found[spec.name], dates.ambiguous))
            frame[spec.name] = dates.values
            if spec.name == "occurred_at":
                frame["time_known"] = dates.time_known
        elif spec.name in NUMBER_COLUMNS:
            values, bad = parse_numbers(col)
            errs.add(bad, spec.name, col[bad].map(lambda v: t("err.bad_number", value=v)))
            frame[spec.name] = values
        else:
            frame[spec.name] = clean_text(col)
        if spec.required:
            errs.add(
                frame[spec.name].isna() & ~raw.index.isin(errs.bad), spec.name, t("err.required")
            )
    return frame


def _canonical(values: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """Case-insensitive match onto canonical spellings; unknown values are kept for the schema."""
    lowered = values.str.lower().str.strip()
    return lowered.map(vocabulary).fillna(values).astype("string")


def _nearest_locality(lat: float, lon: float, muni: Municipality) -> str:
    def dist(loc):
        return (loc.lat - lat) ** 2 + ((loc.lon - lon) * math.cos(math.radians(lat))) ** 2

    return min(muni.localities, key=dist).name


def _incident_rules(
    frame: pd.DataFrame, muni: Municipality, errs: _Collector, default_source, value_map=None
):
    for column, mapping in (value_map or {}).items():
        if column in frame and column in values.VALUE_COLUMNS:
            frame[column] = values.apply(frame[column], mapping)
    if "source" not in frame or frame["source"].isna().all():
        frame["source"] = frame.get("source", pd.Series(pd.NA, index=frame.index)).fillna(
            default_source or pd.NA
        )
    source_vocab = {code: code for code in SOURCES} | {
        i18n.source_label(code).lower(): code for code in SOURCES
    }
    frame["source"] = _canonical(frame["source"].astype("string"), source_vocab)
    errs.add(frame["source"].isna(), "source", t("err.required"))
    frame["category"] = _canonical(frame["category"], known_categories())
    for col in ("lat", "lon", "locality", "description", "id"):
        if col not in frame:
            frame[col] = pd.Series(np.nan if col in ("lat", "lon") else pd.NA, index=frame.index)
    _coordinate_rules(frame, muni, errs)
    locality_vocab = {name.lower(): name for name in muni.locality_names}
    frame["locality"] = _canonical(frame["locality"].astype("string"), locality_vocab)
    needs_place = frame["locality"].isna()
    has_coords = frame["lat"].notna() & frame["lon"].notna()
    for i in frame.index[needs_place & has_coords]:
        frame.loc[i, "locality"] = _nearest_locality(frame.at[i, "lat"], frame.at[i, "lon"], muni)
    errs.add(needs_place & ~has_coords, "locality", t("err.required"))
    frame["id"] = _fill_ids(frame)


def _coordinate_rules(frame: pd.DataFrame, muni: Municipality, errs: _Collector) -> None:
    lat, lon = frame["lat"], frame["lon"]
    errs.add(lat.isna() != lon.isna(), "lat", t("err.coords_partial"))
    both = lat.notna() & lon.notna()
    b = muni.bbox
    inside = lat.between(b["lat_min"], b["lat_max"]) & lon.between(b["lon_min"], b["lon_max"])
    swapped = lon.between(b["lat_min"], b["lat_max"]) & lat.between(b["lon_min"], b["lon_max"])

    def reason(key):
        return frame.apply(
            lambda r: t(key, lat=i18n.fmt_coord(r["lat"]), lon=i18n.fmt_coord(r["lon"])), axis=1
        )

    if (both & ~inside).any():
        errs.add(both & swapped, "lat", reason("err.coords_swapped"))
        errs.add(both & ~inside & ~swapped, "lat", reason("err.coords_outside"))


def _fill_ids(frame: pd.DataFrame) -> pd.Series:
    """Rows without an id get a stable one from their content, so re-imports are detected."""
    ids = frame["id"].astype("string")
    missing = ids.isna()
    if not missing.any():
        return ids
    content = frame.loc[
        missing, ["occurred_at", "category", "locality", "lat", "lon", "source", "description"]
    ].astype(str)
    content["nth"] = content.groupby(list(content.columns), dropna=False).cumcount().astype(str)
    hashed = pd.util.hash_pandas_object(content, index=False).map(lambda h: f"h{h:016x}")
    return ids.mask(missing, hashed.astype("string"))


def _activity_rules(frame, promises: pd.DataFrame, errs: _Collector, sha: str) -> None:
    """An activity belongs to an indicator of its promise and lies inside that promise's
    period; generated ids are unique per file so two files never collide."""
    generated = pd.Series([f"{sha[:10]}-{i + 2}" for i in frame.index], index=frame.index)
    if "id" not in frame:
        frame["id"] = generated.astype("string")
    else:  # blank cells in an id column (the template's) get one too
        frame["id"] = frame["id"].astype("string").fillna(generated)
    by_indicator = promises.set_index("indicator_id")
    known = frame["indicator_id"].isin(by_indicator.index) & frame["promise_id"].isin(
        set(promises["promise_id"])
    )
    for i in frame.index[known.fillna(False)]:
        spec = by_indicator.loc[frame.at[i, "indicator_id"]]
        if spec["promise_id"] != frame.at[i, "promise_id"]:
            reason = t(
                "err.indicator_not_in_promise",
                value=frame.at[i, "indicator_id"],
                promise=frame.at[i, "promise_id"],
            )
            errs.add(pd.Series([True], index=[i]), "indicator_id", reason)
            continue
        day = frame.at[i, "date"]
        if pd.notna(day) and not spec["period_start"] <= day <= spec["period_end"]:
            reason = t(
                "err.outside_period",
                value=day.date().isoformat(),
                start=spec["period_start"].date().isoformat(),
                end=spec["period_end"].date().isoformat(),
            )
            errs.add(pd.Series([True], index=[i]), "date", reason)
        if "unit" not in frame or pd.isna(frame.at[i, "unit"]):
            frame.loc[i, "unit"] = spec["unit"]


def _text_rules(frame: pd.DataFrame, kind: str, errs: _Collector, notes: list[str]) -> None:
    """The free-text columns (an incident's description, an activity's kind, unit,
    responsible, note and link) through the input gate (lib.ingest.text_gate): normalised,
    invisible characters removed (one note per column says in how many rows), a text over
    the column's limit refused naming the column, its limit and its length."""
    for column, key in text_gate.IMPORT_FIELDS[kind].items():
        if column not in frame:
            continue
        checked = text_gate.check_column(key, frame[column])
        frame[column] = checked.values
        too_long = checked.too_long
        if too_long.any():
            reasons = pd.Series("", index=frame.index, dtype="object")
            for i in frame.index[too_long]:
                reasons[i] = checked.too_long_reason(i)
            errs.add(too_long, column, reasons)
        note = checked.removed_note(errs.headers.get(column, column))
        if note:
            notes.append(note)


def _schema_for(kind: str, muni: Municipality, promises: pd.DataFrame | None) -> pa.DataFrameSchema:
    if kind == "incidents":
        return incident_schema(muni)
    if kind == "activities":
        return activity_schema(promises)
    if kind == "peers":
        return peer_schema()
    if kind == "survey":
        return survey_schema()
    if kind == population_grid.KIND:
        return population_grid_schema()
    return camera_schema()


_CHECK_MESSAGES = {
    "unknown_category": "err.unknown_category",
    "unknown_locality": "err.unknown_locality",
    "unknown_source": "err.unknown_source",
    "unknown_promise": "err.unknown_promise",
    "unknown_indicator": "err.unknown_indicator",
    "too_old": "err.too_old",
    "future_date": "err.future_date",
    "negative": "err.negative",
    "out_of_range": "err.out_of_range",
    "year_range": "err.year_range",
    "not_a_count": "err.not_a_count",
    "count_or_rate": "err.count_or_rate",
    "share_range": "err.share_range",
    "no_respondents": "err.no_respondents",
    "field_uniqueness": "err.duplicate_id",
    "not_nullable": "err.required",
}


# Row-wide checks and the column their one message names.
ROW_CHECK_COLUMNS = {"count_or_rate": "count"}


def _schema_reason(check: str, value, muni: Municipality) -> str:
    key = _CHECK_MESSAGES.get(check)
    if isinstance(value, pd.Timestamp):
        value = value.date().isoformat()
    if key is None:
        return t("err.schema", value=value, check=check)
    known = (
        ", ".join(muni.locality_names)
        if check == "unknown_locality"
        else ", ".join(i18n.source_label(s) for s in SOURCES[:3])
    )
    return t(key, value=value, known=known)


def _validate(frame, kind, muni, promises, errs: _Collector) -> pd.DataFrame:
    schema = _schema_for(kind, muni, promises)
    for column in schema.columns:
        if column not in frame:  # an optional column the file does not have
            missing = np.nan if column in NUMBER_COLUMNS else pd.NA
            frame[column] = pd.Series(missing, index=frame.index, dtype="object")
    clean = frame
    try:
        return schema.validate(frame, lazy=True)[list(schema.columns)]
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        # A check on the whole row fails once per column: one error for the row, named by
        # the column the check is about (the count, for "count or rate").
        whole_row = cases["schema_context"] == "DataFrameSchema"
        once = cases[whole_row].drop_duplicates(["index", "check"])
        once = once.assign(column=once["check"].map(ROW_CHECK_COLUMNS).fillna(once["column"]))
        for _, case in pd.concat([cases[~whole_row], once]).iterrows():
            i = int(case["index"])
            reason = _schema_reason(str(case["check"]), case["failure_case"], muni)
            errs.add(pd.Series([True], index=[i]), str(case["column"]), reason)
        clean = frame[~frame.index.isin(list(errs.bad))]
    try:
        return schema.validate(clean, lazy=True)[list(schema.columns)]
    except pa.errors.SchemaErrors as exc:  # a failure not tied to a row: refuse the file
        first = exc.failure_cases.iloc[0]
        reason = t("err.schema", value=first["failure_case"], check=first["check"])
        errs.errors.append(RowError(None, str(first["column"]), reason))
        return frame.iloc[0:0]


def value_texts(raw: pd.DataFrame, found: dict[str, str]) -> dict[str, pd.Series]:
    """The cleaned text of an incidents file's value columns (source, category, locality)."""
    return {c: clean_text(raw[found[c]]) for c in values.VALUE_COLUMNS if c in found}


def find_unknown_values(
    raw: Raw, kind: str | None, muni: Municipality, mapping: dict[str, str | None] | None = None
) -> pd.DataFrame:
    """The values of a parsed incidents file that are not known as written, before any
    value mapping (see lib.ingest.values.unknown_table); empty for other kinds."""
    if kind != "incidents" or raw.problem or raw.frame is None:
        return values.unknown_table({}, muni)
    found, errors = _map_headers(raw.header, kind, mapping)
    if errors:
        return values.unknown_table({}, muni)
    return values.unknown_table(value_texts(raw.frame, found), muni)


def _drop_repeats(
    frame: pd.DataFrame, errs: _Collector, positions: list[int] | None
) -> tuple[pd.DataFrame, int]:
    """Rows with the same id: an exact copy (overlapping downloads hold the same event twice)
    is kept once; copies that differ are conflicts, every one rejected naming the others, as
    rows of the file (or, for the police feed, as positions in its list). Returns the frame
    without the copies and how many were dropped."""
    if "id" not in frame or frame.empty:
        return frame, 0
    ids = frame["id"].astype("string")
    shared = ids.duplicated(keep=False) & ids.notna()
    if not shared.any():
        return frame, 0
    content = frame.astype(str)
    copies = content.duplicated(keep="first") & shared
    frame, ids = frame[~copies], ids[~copies]
    conflicting = ids.duplicated(keep=False) & ids.notna()

    def where(i) -> str:
        if positions is not None:
            return str(positions[i])
        sheet, line = errs.place(i)
        return str(line) if sheet is None else t("import.line_on_sheet", row=line, sheet=sheet)

    key = "err.conflicting_event" if positions is not None else "err.conflicting_id"
    for _, group in ids[conflicting].groupby(ids[conflicting]):
        for i in group.index:
            others = ", ".join(where(j) for j in group.index if j != i)
            reason = t(key, value=group.loc[i], rows=others, row=where(i))
            errs.add(pd.Series([True], index=[i]), "id", reason)
    return frame[~conflicting], int(copies.sum())


def read_raw(
    data: bytes,
    file_name: str,
    muni: Municipality,
    limits: Limits | None = None,
    sheets: tuple[str, ...] | None = None,
) -> Raw:
    """Any supported file (CSV, Excel, the police's or Kolada's JSON) as a string table, or
    the Swedish reason it cannot be read; every limit is checked before parsing. ``sheets``:
    the worksheets of a workbook to read (see lib.ingest.formats.read_excel)."""
    limits = limits or COMMAND_LINE
    if not data.strip():
        return Raw(problem=t("err.file_empty"))
    if file_name.lower().endswith(".zip"):  # SCB's downloads: the GeoPackage is inside
        return Raw(problem=t("grid.err_zip"))
    if population_grid.is_geopackage(data, file_name):
        return population_grid.read_geopackage(data, limits)
    fmt = file_format(data, file_name)
    if fmt == "xlsx":
        return read_excel(data, limits, tuple(sheets) if sheets else None)
    if sheets:
        return Raw(problem=t("err.sheet_not_excel"))
    if not looks_binary(data):
        problem = nul_problem(data)
        if problem:
            return Raw(problem=problem)
    if fmt == "json":
        return read_json(data, muni, limits)
    problem = text_problem(data, sniff_delimiter, limits)
    if problem:
        return Raw(problem=problem)
    frame, header, problem = read_raw_table(data)
    return Raw(frame, header, problem.reason if problem else None)


def read_table(
    data: bytes,
    kind: str | None,
    muni: Municipality,
    file_name: str = "",
    *,
    default_source: str | None = None,
    promises: pd.DataFrame | None = None,
    mapping: dict[str, str | None] | None = None,
    year: int | None = None,
    raw: Raw | None = None,
    limits: Limits | None = None,
    value_map: dict[str, dict[str, str]] | None = None,
    date_order: str | None = None,
    sheets: tuple[str, ...] | None = None,
) -> ReadResult:
    """Read and validate one file. ``kind`` is 'incidents', 'activities', 'cameras', 'peers'
    or 'survey', or None to recognise it from the content; ``mapping`` overrides the column
    mapping; ``year`` is the year of a peers file that has no year column (BRÅ's); ``raw``
    is the file already parsed (in a child process, or cached by the data page);
    ``value_map`` maps an incidents file's own words for sources, categories and localities
    (column -> value as written -> known value, see lib.ingest.values); ``date_order``
    ('dm' or 'md') reads slash dates whose order the file cannot tell; ``sheets`` names the
    worksheets of a workbook to read."""
    result = ReadResult(kind=kind, file_name=file_name, sha256=sha256_of(data))
    raw = raw if raw is not None else read_raw(data, file_name, muni, limits, sheets)
    result.notes = list(raw.notes)
    result.sheets, result.chosen_sheets = list(raw.sheets), raw.chosen
    result.needs_sheet = raw.needs_sheet
    if raw.problem:
        result.errors.append(RowError(None, None, raw.problem))
        return result
    header = result.header = raw.header
    duplicated = duplicate_header_problem(header)
    if duplicated:
        result.errors.append(RowError(None, None, duplicated))
        return result
    if raw.kind and kind and raw.kind != kind:
        reason = t("err.kind_mismatch", found=t(f"kind.{raw.kind}"), chosen=t(f"kind.{kind}"))
        result.errors.append(RowError(None, None, reason))
        return result
    kind = result.kind = kind or raw.kind or recognise_kind(header)
    if kind is None:
        result.errors.append(RowError(None, None, t("err.unknown_kind", found=", ".join(header))))
        return result
    default_source = default_source or raw.default_source
    result.skip_existing = raw.default_source == "police_open_events"
    found, header_errors = _map_headers(header, kind, mapping)
    result.mapping = found
    header_errors += _missing_required(found, kind, header)
    if kind == "incidents" and "source" not in found and default_source is None:
        header_errors.append(
            RowError(None, None, t("err.missing_columns", columns="källa", found=", ".join(header)))
        )
    if kind == "peers":
        header_errors += _peer_header_rules(found, header, year)
    if header_errors:
        result.errors.extend(header_errors)
        return result
    if raw.frame.empty:
        result.errors.append(RowError(None, None, t("err.header_only")))
        return result
    frame_in = raw.frame
    if kind == "peers":
        frame_in = _peer_raw_values(frame_in, found)
    result.total_rows = len(frame_in)
    errs = _Collector(found, kind, raw)
    frame = _parse_columns(frame_in, found, kind, errs, date_order)
    if errs.ambiguous:
        column, example = errs.ambiguous[0]
        result.ambiguous_date = example
        if date_order is None:  # the analyst decides; no row is judged on a guess
            result.needs_date_order = True
            reason = t("err.date_order", column=column, example=example)
            result.errors = [RowError(None, None, reason)]
            return result
    if kind in text_gate.IMPORT_FIELDS:
        _text_rules(frame, kind, errs, result.notes)
    if kind == "incidents":
        result.unknown_values = values.unknown_table(value_texts(frame_in, found), muni)
        _incident_rules(frame, muni, errs, default_source, value_map)
    if kind == "activities":
        if promises is None:  # a caller outside lib.loading: the municipality's promises
            from lib.ingest.promise_files import all_definitions

            promises = all_definitions(muni)
        _activity_rules(frame, promises, errs, result.sha256)
    if kind == "peers":
        ignored = _peer_rules(frame, errs, year, default_source)
        if ignored:
            result.notes.append(t("import.regions_ignored", count=i18n.fmt_rows(ignored)))
        suppressed = _peer_suppressed(frame_in, found) & frame["region_code"].notna()
        frame.loc[suppressed, "region_code"] = pd.NA  # left out below, like other regions
        if suppressed.any():
            count = i18n.fmt_rows(int(suppressed.sum()))
            result.notes.append(t("import.suppressed_left_out", count=count))
    if kind == "survey":
        _survey_rules(frame, default_source)
    if kind == population_grid.KIND:
        _grid_rules(frame, muni, errs, result)
    candidates = frame[~frame.index.isin(list(errs.bad))]
    if kind == "peers":
        candidates = candidates[candidates["region_code"].notna()]
    if kind == population_grid.KIND and "inside" in candidates:
        candidates = candidates[candidates["inside"]]
    candidates, repeated = _drop_repeats(candidates, errs, raw.positions)
    if repeated:
        result.notes.append(t("import.repeats_dropped", count=i18n.fmt_int(repeated)))
    result.valid = _validate(candidates, kind, muni, promises, errs)
    order = {name: i for i, name in enumerate(raw.chosen)}
    result.errors = sorted(
        errs.errors, key=lambda e: (order.get(e.sheet, 0), e.row or 0, e.column or "")
    )
    if kind == population_grid.KIND:
        _whole_grid(result)
    return result


# --- Peer statistics and surveys ------------------------------------------------------------


def _peer_header_rules(found: dict[str, str], header: list[str], year: int | None):
    errors = []
    if "count" not in found and "rate" not in found:
        reason = t(
            "err.missing_columns", columns="antal / per 100 000 inv.", found=", ".join(header)
        )
        errors.append(RowError(None, None, reason))
    if "year" not in found and year is None:
        errors.append(RowError(None, None, t("err.year_needed")))
    return errors


def _peer_raw_values(raw: pd.DataFrame, found: dict[str, str]) -> pd.DataFrame:
    """BRÅ's conventions on the text: '-' is zero (not missing), '..' is suppressed (missing,
    handled like every missing marker), and '2026 prel.' is the year 2026."""
    raw = raw.copy()
    for column in ("count", "rate", "population"):
        if column in found:
            values = raw[found[column]].str.strip()
            raw[found[column]] = values.mask(values.isin(["-", "\u2013"]), "0")
    if "year" in found:
        values = raw[found["year"]].str.strip()
        raw[found["year"]] = values.str.replace(r"^(\d{4})\s*prel\.?$", r"\1", regex=True)
    return raw


def _peer_suppressed(raw: pd.DataFrame, found: dict[str, str]) -> pd.Series:
    """Rows for which BRÅ gives no figure at all ('..' for the count and the rate, or for
    the one the file has): suppressed, not wrong; they are left out with a note."""
    columns = [found[c] for c in ("count", "rate") if c in found]
    marked = pd.Series(bool(columns), index=raw.index)
    for column in columns:
        marked &= raw[column].fillna("").str.strip().eq("..")
    return marked


def _peer_rules(frame: pd.DataFrame, errs: _Collector, year: int | None, source) -> int:
    """Regions to codes (rows for regions outside the comparison are left out, not errors);
    defaults for year, period, category and source; a stable id per region, year, period,
    category and source, so the same figures are never stored twice. Returns how many rows
    were left out."""
    if "year" not in frame or frame["year"].isna().all():
        frame["year"] = float(year) if year is not None else float("nan")
    regions = [find_region(r) if pd.notna(r) else None for r in frame["region"]]
    if "region_code" in frame:
        by_code = [find_region(c) if pd.notna(c) else None for c in frame["region_code"]]
        regions = [c or r for c, r in zip(by_code, regions, strict=True)]
    frame["region_code"] = pd.Series([r.code if r else pd.NA for r in regions], index=frame.index)
    frame["region"] = pd.Series([r.name if r else pd.NA for r in regions], index=frame.index)
    frame["region_code"] = frame["region_code"].astype("string")
    for column, default in (
        ("period", t("peers.whole_year")),
        ("category", t("peers.all_crimes")),
        ("source", source or "BRÅ"),
    ):
        values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index)
        frame[column] = values.astype("string").fillna(default)
    for column in ("count", "rate", "population"):
        if column not in frame:
            frame[column] = float("nan")
    keys = frame[["region_code", "year", "period", "category", "source"]]
    ids = [
        "|".join(
            str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in row
        ).lower()
        for row in keys.itertuples(index=False)
    ]
    frame["id"] = pd.Series(ids, index=frame.index, dtype="string")
    return int(frame["region_code"].isna().sum())


def _survey_rules(frame: pd.DataFrame, source) -> None:
    for column in ("locality", "source"):
        if column not in frame:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if source:
        frame["source"] = frame["source"].fillna(source)
    content = frame[["year", "locality", "question", "source"]].astype(str)
    hashed = pd.util.hash_pandas_object(content, index=False).map(lambda h: f"s{h:016x}")
    frame["id"] = hashed.astype("string")


# --- Population grids ----------------------------------------------------------------------


def _grid_rules(frame: pd.DataFrame, muni: Municipality, errs: _Collector, result) -> None:
    """Each square's corner from its id (and the corner columns, when the file has them, must
    agree), one size for the whole file (its size column, else the corners), every corner on
    SCB's grid of that size, and whether the square lies in the municipality (column
    ``inside``; the others are left out and counted in a note). A file of mixed sizes, or
    with no square in the municipality, is refused as a whole."""
    ids = frame["id"].astype("string")
    easting, northing, ok = population_grid.decode(ids)
    bad = pd.Series(~ok, index=frame.index) & ids.notna() & ~frame.index.isin(errs.bad)
    errs.add(bad, "id", ids.map(lambda v: t("grid.err_id", value=v)))
    for column, decoded in (("easting", easting), ("northing", northing)):
        if column in frame:
            given = frame[column]
            differs = given.notna() & (given != decoded) & pd.Series(ok, index=frame.index)
            errs.add(differs, column, given.map(lambda v: t("grid.err_corner", value=v)))
    frame["easting"], frame["northing"] = easting, northing
    usable = ok & ~frame.index.isin(errs.bad)
    given = frame["size_m"] if "size_m" in frame else pd.Series(np.nan, index=frame.index)
    sizes = set(given[usable & given.notna().to_numpy()].astype(int).tolist())
    if len(sizes) > 1:
        sizes_text = population_grid.size_words(sizes)
        errs.errors.append(RowError(None, None, t("grid.err_mixed_sizes", sizes=sizes_text)))
        return
    size = sizes.pop() if sizes else population_grid.infer_size(easting[usable], northing[usable])
    if size not in population_grid.SIZES:
        sizes_text = population_grid.size_words(population_grid.SIZES)
        problem = t("grid.err_size", size=i18n.fmt_int(size), sizes=sizes_text)
        errs.errors.append(RowError(None, None, problem))
        return
    off = pd.Series(usable & ((easting % size != 0) | (northing % size != 0)), index=frame.index)
    errs.add(off, "id", ids.map(lambda v: t("grid.err_off_grid", value=v, size=size)))
    frame["size_m"] = size
    # The stored key: SCB's id names only the corner (a 1 km square and the 250 m square in
    # its corner share it), and a newer year's grid names the same squares again, so the
    # key is the id, the size and the file: grids live side by side, the latest is used.
    pairs = zip(easting, northing, strict=True)
    keys = [population_grid.square_key(e, n, size, result.sha256) for e, n in pairs]
    frame["id"] = frame["id"].where(~pd.Series(usable, index=frame.index), keys)
    inside = population_grid.inside(easting, northing, size, muni)
    frame["inside"] = inside
    counted = usable & ~off.to_numpy()
    if counted.any() and not (inside & counted).any():
        problem = t("grid.err_outside_all", count=i18n.fmt_int(int(counted.sum())), name=muni.name)
        errs.errors.append(RowError(None, None, problem))
    elif (~inside & counted).any():
        outside = i18n.fmt_int(int((~inside & counted).sum()))
        result.notes.append(t("grid.note_outside", count=outside, name=muni.name))


def _whole_grid(result: ReadResult) -> None:
    """A grid is stored whole or not at all: any refused row refuses the file, naming the
    first rows (a missing square would read as nobody living there)."""
    rows = sorted({e.row for e in result.errors if e.row is not None})
    if not rows or result.file_failed:
        return
    named = ", ".join(str(r) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
    reason = t("grid.err_rows", count=i18n.fmt_int(len(rows)), rows=named)
    result.errors.insert(0, RowError(None, None, reason))


# --- Writing files for people ---------------------------------------------------------------


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col].astype("string")
            risky = s.str.startswith(FORMULA_PREFIXES).fillna(False)
            out[col] = s.mask(risky, "'" + s)
    return out


def excel_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The one Excel-friendly CSV writer: UTF-8 with BOM, ';' separator, decimal comma, CRLF,
    and text a spreadsheet would run as a formula neutralised."""
    text = neutralise_formulas(frame).to_csv(
        sep=";", index=False, decimal=",", lineterminator="\r\n"
    )
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def to_swedish_csv(frame: pd.DataFrame, kind: str) -> bytes:
    """Excel-friendly CSV: UTF-8 with BOM, ';' separator, decimal comma, Swedish headers."""
    headers = swedish_headers(kind)
    out = frame[[c for c in headers if c in frame.columns]].copy()
    if "source" in out:
        out["source"] = out["source"].astype(str).map(i18n.source_label)
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = format_dates(out[col], frame.get("time_known"))
    return excel_csv_bytes(out.rename(columns=headers))


def format_dates(values: pd.Series, time_known: pd.Series | None) -> pd.Series:
    """Dates as the analyst wrote them: with the time where it is known, else the date."""
    with_time = values.dt.strftime("%Y-%m-%d %H:%M")
    date_only = values.dt.strftime("%Y-%m-%d")
    if time_known is None:
        return date_only
    return with_time.where(time_known.astype(bool), date_only)
