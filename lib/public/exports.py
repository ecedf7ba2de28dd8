"""Downloads for people: CSV that Swedish Excel opens correctly, and real Excel files.
Text that a spreadsheet would run as a formula is neutralised in both."""

from __future__ import annotations

import io

import pandas as pd

from lib.ingest.importers import excel_csv_bytes, neutralise_formulas


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, ';' separator, decimal comma: what Excel in Swedish expects."""
    return excel_csv_bytes(frame)


def excel_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_formulas(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
    return buffer.getvalue()
