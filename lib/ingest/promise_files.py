"""Promise definitions: one TOML file per promise period, read and validated. Periods and
targets are data, never code (a municipality's next promise has other points and dates)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from lib.config import Municipality
from lib.i18n import t
from lib.ingest.schemas import PROMISE_SCHEMA


class PromiseFileError(Exception):
    """A promise definition file that cannot be used; the message is Swedish."""


def load_definitions(path: Path) -> pd.DataFrame:
    """One row per indicator of each promise in a period file, validated."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        rows = [
            _row(raw, promise, indicator)
            for promise in raw["promises"]
            for indicator in promise["indicators"]
        ]
        return PROMISE_SCHEMA.validate(pd.DataFrame(rows), lazy=True)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise PromiseFileError(t("promise.file_error", file=path.name, reason=repr(exc))) from exc
    except pa.errors.SchemaErrors as exc:
        case = exc.failure_cases.iloc[0]
        reason = (
            t(f"promise.check_{case['check']}", value=case["failure_case"])
            if case["check"] in ("target_not_positive", "period_order")
            else t("err.schema", value=case["failure_case"], check=case["check"])
        )
        raise PromiseFileError(t("promise.file_error", file=path.name, reason=reason)) from exc


def _row(raw: dict, promise: dict, indicator: dict) -> dict:
    outcome = promise.get("outcome", {})
    return {
        "period_id": raw["period"],
        "period_start": pd.Timestamp(raw["start"]),
        "period_end": pd.Timestamp(raw["end"]),
        "promise_id": promise["id"],
        "number": promise["number"],
        "text": promise["text"],
        "responsible": promise["responsible"],
        "indicator_id": indicator["id"],
        "indicator_label": indicator["label"],
        "target": indicator["target"],
        "unit": indicator["unit"],
        "targets_are_examples": raw.get("targets_are_examples", False),
        "texts_are_summaries": raw.get("texts_are_summaries", False),
        "outcome_categories": tuple(outcome.get("categories", ())),
        "outcome_localities": tuple(outcome.get("localities", ())),
        "outcome_note": outcome.get("note", ""),
    }


def all_definitions(muni: Municipality) -> pd.DataFrame:
    """Definitions of every promise period configured for the municipality."""
    frames = [load_definitions(p.file) for p in muni.promise_periods]
    if not frames:
        return pd.DataFrame(columns=list(PROMISE_SCHEMA.columns))
    return pd.concat(frames, ignore_index=True)
