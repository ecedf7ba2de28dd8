"""The demo's signal reports (issue 21.11): fictional and labelled, stored with the sample
data as an import of kind 'reports', counted as incidents of "Kommunens rapportering", gone
with the demo; the weekly picture opens on the latest week with reports. Expectations come
from the demo's file, so the demo can grow."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib.datamanager import DataManager
from lib.est import cases as est_cases
from lib.figures import signals
from lib.ingest.loading import seed_sample
from lib.store.store import Store
from tests.test_page_reports import app, sign_in  # noqa: F401 (app is a fixture)


def demo_reports(muni) -> pd.DataFrame:
    """data/sample/reports.csv read with plain pandas: the independent reference."""
    frame = pd.read_csv(muni.sample_files["reports"], sep=";", encoding="utf-8-sig", dtype=str)
    frame["datum"] = pd.to_datetime(frame["datum"], format="%Y-%m-%d %H:%M")
    return frame


@pytest.fixture
def seeded(tmp_path, muni) -> Store:
    store = Store(str(tmp_path / "demo.db"))
    seed_sample(store, muni)
    return store


def test_the_demo_has_labelled_reports_counted_as_municipal_reports(seeded, muni):
    written = demo_reports(muni)
    stored = est_cases.read_reports(seeded)
    assert sorted(stored["id"]) == sorted(written["id"])
    assert stored["note"].str.startswith("Exempel: ").all()  # fictional, and says so
    assert stored["reporter"].str.startswith("Exempelrapportör").all()
    log = seeded.import_log().set_index("id")
    assert set(log.loc[stored["import_id"].astype(int), "is_sample"]) == {True}
    manager = DataManager(seeded, muni)
    cube = manager.cube(manager.version())
    reports = cube[cube["source"] == "municipal_report"]
    start, end = written["datum"].min().normalize(), written["datum"].max().normalize()
    in_span = reports[(reports["day"] >= start) & (reports["day"] <= end)]
    assert int(in_span["n"].sum()) == len(written)  # every report, once
    # The default period still follows the police data, not the reports after it.
    first, last = manager.data(manager.version()).span()
    assert last < written["datum"].min().date()


def test_the_reports_leave_with_the_demo(seeded, muni):
    """remove_sample takes the reports; one of the analyst's own, merged into a demo report,
    is opened again rather than left pointing at nothing."""
    own = est_cases.Submission("eget", "klotter", dt.datetime(2019, 11, 20, 12), 1, "", "Pålsboda")
    est_cases.submit(seeded, muni, own, "Rita")
    est_cases.merge(seeded, "eget", demo_reports(muni)["id"].iloc[-1], "Alva")
    seeded.remove_sample()
    left = est_cases.read_reports(seeded)
    assert left["id"].tolist() == ["eget"]
    assert left.iloc[0]["status"] == "new" and pd.isna(left.iloc[0]["merged_into"])
    manager = DataManager(seeded, muni)
    cube = manager.cube(manager.version())
    assert int(cube["n"].sum()) == 1


def test_undoing_the_demos_reports_alone(seeded, muni):
    log = seeded.import_log()
    import_id = int(log.loc[log["kind"] == "reports", "id"].iloc[0])
    assert seeded.undo(import_id) == len(demo_reports(muni))
    assert est_cases.read_reports(seeded).empty


def test_the_weekly_picture_opens_on_the_latest_week_with_reports(app, muni):  # noqa: F811
    written = demo_reports(muni)
    latest = signals.week_start(written["datum"].max().date())
    in_week = written[written["datum"].dt.date.between(latest, latest + dt.timedelta(days=6))]
    at = sign_in(app("pages/veckolage.py"), "Alva")
    assert not at.exception
    week = latest.isocalendar().week
    assert any(f"Vecka {week}" in s.value for s in at.subheader), [s.value for s in at.subheader]
    assert at.metric[0].value == str(len(in_week))
    assert at.date_input[0].value == latest
    assert len(in_week) > 0 and latest < signals.week_start(dt.date.today())


def test_the_command_line_removes_the_demo_with_its_reports(tmp_path, muni):
    """``sample remove`` from the command line, which never opens the reporting pages."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    db = str(tmp_path / "cli.db")

    def cli(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "lib.cli", "--db", db, *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert cli("seed").returncode == 0
    assert len(est_cases.read_reports(Store(db))) == len(demo_reports(muni))
    removed = cli("sample", "remove")
    assert removed.returncode == 0, removed.stderr
    assert est_cases.read_reports(Store(db)).empty
