"""Downloads for people: CSV that Swedish Excel opens correctly, and real Excel files, that
one row cannot break (issue 24.3).

Every stored value is written, as Excel can hold it:

* text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) gets an apostrophe;
* characters an Excel file cannot hold (C0 controls but tab and line breaks, lone
  surrogates, U+FFFE/U+FFFF) and the bidirectional overrides and isolates, which would show
  a cell's text in another order than it is stored, are written as ``[U+001B]``;
* a text longer than an Excel cell holds (32 767 characters) is cut, ending in a marker that
  says how long the value is;
* dates with a time zone are written as local wall time, and any other object as its text.

The same goes for CSV (it is made for Excel too). A download whose file still cannot be made
gives a file of the same kind holding a Swedish message (``guarded``): never a missing
download, and the error is logged.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import numbers
import re
from collections.abc import Callable

import pandas as pd

from lib.i18n import fmt_int, t
from lib.ingest.importers import FORMULA_PREFIXES, excel_csv_bytes

LOG = logging.getLogger(__name__)
EXCEL_CELL_MAX = 32_767  # characters in one cell
EXCEL_SHEET_MAX = 31  # characters in a sheet's name
_ESCAPED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 controls an Excel file cannot hold
    "\ud800-\udfff\ufffe\uffff"  # lone surrogates and noncharacters: not XML
    "\u202a-\u202e\u2066-\u2069]"  # bidirectional embeddings, overrides and isolates
)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
TIME_ZONE = "Europe/Stockholm"


def cell_text(value: str, limit: int = EXCEL_CELL_MAX) -> str:
    """One text as a cell holds it: escaped characters, formula neutralised, cut with a
    marker when longer than the cell."""
    text = _ESCAPED.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    if len(text) > limit:
        marker = t("export.cut", length=fmt_int(len(value)), limit=fmt_int(limit))
        text = text[: limit - len(marker)] + marker
    return text


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return value
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, complex):
        return cell_text(str(value))
    if isinstance(value, bool | numbers.Number):
        if isinstance(value, float) and math.isinf(value):
            return str(value)
        return value
    if isinstance(value, pd.Timestamp | dt.datetime):
        if value.tzinfo is not None:
            value = pd.Timestamp(value).tz_convert(TIME_ZONE).tz_localize(None)
        return value
    if isinstance(value, dt.date | dt.time):
        return value
    return cell_text(str(value))


def excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` that any spreadsheet writer can write whole (see the module)."""
    out = frame.copy()
    out.columns = [_cell(c) if isinstance(c, str) else cell_text(str(c)) for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            converted = column.dt.tz_convert(TIME_ZONE).dt.tz_localize(None)
        elif (
            column.dtype == object
            or pd.api.types.is_string_dtype(column.dtype)
            or isinstance(column.dtype, pd.CategoricalDtype)
        ):
            converted = column.astype(object).map(_cell)
        else:
            continue
        out.isetitem(position, converted)
    return out


def sheet_name(name: str) -> str:
    """A name Excel takes for a sheet: no []:*?/\\, at most 31 characters, not empty."""
    cleaned = _SHEET_FORBIDDEN.sub(" ", _ESCAPED.sub("", name)).strip().strip("'")
    return cleaned[:EXCEL_SHEET_MAX] or "Blad1"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, ';' separator, decimal comma: what Excel in Swedish expects."""
    return excel_csv_bytes(excel_safe(frame))


def excel_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    return workbook_bytes([(sheet, frame)])


def workbook_bytes(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    """An Excel workbook, one sheet per (name, table); names made unique."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets:
            base = name_ = sheet_name(name)
            number = 2
            while name_.lower() in used:
                suffix = f" ({number})"
                name_ = base[: EXCEL_SHEET_MAX - len(suffix)] + suffix
                number += 1
            used.add(name_.lower())
            excel_safe(frame).to_excel(writer, sheet_name=name_, index=False)
    return buffer.getvalue()


# --- A download that cannot go missing --------------------------------------------------------


def failure_bytes(kind: str, reason: str) -> bytes:
    """A file of the asked kind ('csv' or 'xlsx') holding the Swedish message."""
    message = pd.DataFrame({t("export.failed_sheet"): [t("export.failed", reason=reason)]})
    if kind == "xlsx":
        return excel_bytes(message, t("export.failed_sheet"))
    return csv_bytes(message)


def guarded(build: Callable[[], bytes], kind: str) -> Callable[[], bytes]:
    """``build`` for a download button: if the file cannot be made, the error is logged and
    the download is a file of the same kind with a Swedish message instead."""

    def run() -> bytes:
        try:
            return build()
        except Exception as exc:  # any failure: the user gets a message, never nothing
            LOG.exception("a download could not be made")
            return failure_bytes(kind, type(exc).__name__)

    return run
