"""Citizen-promise definitions: periods, promises and indicators, read from data files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from lib.config import Municipality
from lib.schemas import PROMISE_SCHEMA


def load_definitions(path: Path) -> pd.DataFrame:
    """One row per indicator of each promise in a period file, validated."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    rows = [
        {
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
        }
        for promise in raw["promises"]
        for indicator in promise["indicators"]
    ]
    return PROMISE_SCHEMA.validate(pd.DataFrame(rows))


def all_definitions(muni: Municipality) -> pd.DataFrame:
    """Definitions of every promise period configured for the municipality."""
    frames = [load_definitions(p.file) for p in muni.promise_periods]
    if not frames:
        return PROMISE_SCHEMA.validate(
            pd.DataFrame({c: pd.Series(dtype=object) for c in PROMISE_SCHEMA.columns})
        )
    return pd.concat(frames, ignore_index=True)
