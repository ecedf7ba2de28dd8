"""Shared fixtures: the municipality config, a fresh store per test, the sample data, and the
app through Streamlit's AppTest on a fresh store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.config import load_municipality
from lib.passwords import MIN_ITERATIONS, hash_password
from lib.store.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def muni():
    return load_municipality("hallsberg")


@pytest.fixture
def open_app(tmp_path, monkeypatch):
    """Opens the app with AppTest on a fresh store (seeded on first run, as a user's is), on
    ``page`` if given. With ``password``, a local analyst sign-in is configured, and with
    ``sign_in`` the analyst signs in."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "app.db"))
    monkeypatch.chdir(ROOT)

    def open_page(page: str | None = None, password: str | None = None, sign_in: bool = False):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        if password:
            at.secrets["analyst"] = {
                "name": "Testanalytiker",
                "password_hash": hash_password(password, MIN_ITERATIONS),
            }
        at.run()
        if page:
            at.switch_page(page).run()
        if password and sign_in:
            analyst_sign_in(at, password)
        return at

    return open_page


def analyst_sign_in(at, password: str):
    """Type the password into the sidebar's sign-in form and submit it."""
    at.sidebar.text_input[0].input(password)
    at.sidebar.button[0].click().run()
    return at


# --- The store on SQLite and on PostgreSQL (issue 15.3-15.5) ----------------------------------


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL server of the session's own (tests/pg.py). Skipped where none can be
    started, except under CI (CI=true), where that is a failure."""
    import os

    from tests import pg

    try:
        cluster = pg.start()
    except pg.Unavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL must run in CI: {exc}")
        pytest.skip(f"no PostgreSQL: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A fresh, empty store's location: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "trygghet.db")
    return request.getfixturevalue("pg_cluster").new_database()


@pytest.fixture
def store(store_url) -> Store:
    return Store(store_url)


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


def preset_id(db, start: str, end: str) -> str:
    """The id of the public period preset spanning ``start``–``end`` in the store at ``db``
    (the public chooses periods from a fixed list, ``lib.figures.periods``)."""
    import datetime as dt

    from lib.figures import periods

    store = Store(str(db))
    days = store.read("incidents")["occurred_at"]
    first, last = (days.min().date(), days.max().date()) if len(days) else (None, None)
    choices = periods.presets(first, last, load_municipality().promise_periods, store.meetings())
    span = (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    found = [p.id for p in choices if p.span == span]
    assert found, f"{start}–{end} is no public period: {[p.span for p in choices][:8]}"
    return found[0]


def sample_coverage(incidents: pd.DataFrame):
    """Coverage of sample incidents as the app stores it: the sample declares the whole
    months it was generated for (``lib.ingest.loading.seed_sample``), so its first and last
    months are not partial."""
    from lib.figures.coverage import coverage_of
    from lib.ingest.sample import END, START

    declared = {int(i): (START.replace(day=1), END) for i in incidents["import_id"].unique()}
    return coverage_of(incidents, declared)
