"""Shared fixtures: the municipality config, a fresh store per test, the sample data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.config import load_municipality
from lib.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def muni():
    return load_municipality("hallsberg")


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(str(tmp_path / "trygghet.db"))


@pytest.fixture(scope="session")
def sample_incidents() -> pd.DataFrame:
    """The committed sample file read with plain pandas: the independent reference."""
    frame = pd.read_csv(
        ROOT / "data/sample/incidents.csv",
        sep=";",
        encoding="utf-8-sig",
        decimal=",",
        dtype={"id": str},
    )
    frame["datum"] = pd.to_datetime(frame["datum"], format="mixed")
    return frame


def table_snapshot(store: Store) -> dict[str, list]:
    """Everything stored, in a comparable form, to prove a failed write changed nothing."""
    snapshot = {"version": [store.data_version()], "log": store.import_log().to_dict("records")}
    for kind in ("incidents", "activities", "cameras"):
        snapshot[kind] = store.read(kind).astype(str).to_dict("records")
    return snapshot
