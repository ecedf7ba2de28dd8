"""The configured citizen promise: one TOML file per promise period, read and checked. These
files are where a municipality's promise comes from the first time; from then on the promise
lives in the store (``lib.promises.definitions``), where analysts change it. Periods and
targets are data, never code (a municipality's next promise has other points and dates)."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pandas as pd

from lib.config import Municipality
from lib.i18n import t

RESPONSIBLE = ("police", "municipality", "joint")
COLUMNS = (
    "period_id",
    "period_start",
    "period_end",
    "promise_id",
    "number",
    "text",
    "responsible",
    "indicator_id",
    "indicator_label",
    "target",
    "unit",
    "outcome_categories",
    "outcome_localities",
    "outcome_note",
)


class PromiseFileError(Exception):
    """A promise definition file that cannot be used; the message is Swedish."""


def load_definitions(path: Path) -> pd.DataFrame:
    """One row per indicator of each promise in a period file (a promise without indicators
    is one row without one); a target is optional (the document may give none)."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        rows = []
        for promise in raw["promises"]:
            indicators = promise.get("indicators") or [None]
            rows += [_row(raw, promise, indicator) for indicator in indicators]
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise PromiseFileError(t("promise.file_error", file=path.name, reason=repr(exc))) from exc
    reason = _problem(frame)
    if reason:
        raise PromiseFileError(t("promise.file_error", file=path.name, reason=reason))
    return frame


def _problem(frame: pd.DataFrame) -> str | None:
    for r in frame.itertuples():
        if r.period_end < r.period_start:
            return t("promise.check_period_order")
        if not math.isnan(r.target) and not r.target > 0:
            return t("promise.check_target_not_positive", value=r.target)
        if r.responsible not in RESPONSIBLE or not str(r.text).strip() or int(r.number) < 1:
            return t("err.schema", value=f"{r.number}. {r.text}", check=r.responsible)
    ids = frame["indicator_id"].dropna()
    if ids.duplicated().any():
        return t("err.schema", value=ids[ids.duplicated()].iloc[0], check="unique")
    return None


def _row(raw: dict, promise: dict, indicator: dict | None) -> dict:
    outcome = promise.get("outcome", {})
    indicator = indicator or {}
    target = indicator.get("target")
    return {
        "period_id": str(raw["period"]),
        "period_start": pd.Timestamp(raw["start"]),
        "period_end": pd.Timestamp(raw["end"]),
        "promise_id": str(promise["id"]),
        "number": int(promise["number"]),
        "text": str(promise["text"]),
        "responsible": str(promise["responsible"]),
        "indicator_id": indicator.get("id"),
        "indicator_label": indicator.get("label"),
        "target": float(target) if target is not None else math.nan,
        "unit": indicator.get("unit"),
        "outcome_categories": tuple(outcome.get("categories", ())),
        "outcome_localities": tuple(outcome.get("localities", ())),
        "outcome_note": outcome.get("note", ""),
    }


def all_definitions(muni: Municipality) -> pd.DataFrame:
    """Definitions of every promise period configured for the municipality (what the store
    starts with; pages read the store's)."""
    frames = [load_definitions(p.file) for p in muni.promise_periods if p.file is not None]
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)
