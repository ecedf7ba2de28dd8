"""The municipality's own signal reporting (lib.est, lib.figures.signals): notes
refused for personal data, one report per submission id also under concurrency, merge,
actions, purge, the weekly picture against a hand count, files, and the statistics."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from lib.cli import main as cli
from lib.datamanager import incident_rows
from lib.est import cases as est_cases
from lib.est import files as est_files
from lib.est import tables as est_tables
from lib.figures import signals
from lib.store.store import Store

NOTE = "Sprejat på väggen vid cykelstället HEMLIG-ANTECKNING-42"
STATION = (59.0668, 15.1112)  # by Hallsbergs station (a named place in hallsberg.toml)


@pytest.fixture
def rstore(tmp_path) -> Store:
    return Store(str(tmp_path / "reports.db"))


def report(rstore, muni, sid, when, category="klotter", severity=1, note="", place=None,
           pin=STATION, reporter="Rita"):  # fmt: skip
    lat, lon = (None, None) if place else pin
    sub = est_cases.Submission(sid, category, when, severity, note, place, lat, lon, "Fritid")
    return est_cases.submit(rstore, muni, sub, reporter)


# --- personal data in notes (the corpus: tests/test_personal_data.py) --------------------------


def test_a_note_with_a_personal_number_is_refused_and_nothing_stored(rstore, muni):
    with pytest.raises(est_tables.ReportError) as refused:
        report(rstore, muni, "a", dt.datetime(2025, 5, 1, 12), note="Det var 811218-9876")
    assert refused.value.code == "text"
    assert [c.problems for c in refused.value.details["fields"]] == [("personal_number",)]
    assert "811218" not in refused.value.details["message"]
    assert est_cases.read_reports(rstore).empty


# --- reporting ---------------------------------------------------------------------------------


def test_a_report_is_stored_once_per_submission_id(rstore, muni):
    first = report(rstore, muni, "abc", dt.datetime(2025, 5, 1, 12), note=NOTE)
    again = report(rstore, muni, "abc", dt.datetime(2025, 5, 1, 12), note=NOTE)
    assert first.created and not again.created
    assert first.place == "Hallsbergs station" and first.locality == "Hallsberg"
    assert len(est_cases.read_reports(rstore)) == 1
    assert (est_cases.read_log(rstore)["event"] == "created").sum() == 1


def test_twenty_concurrent_submissions_each_sent_twice_are_stored_once(rstore, muni):
    """Twenty phones send at once, each with a double tap: twenty reports, no error."""
    errors, start = [], threading.Barrier(40)

    def send(i: int) -> None:
        start.wait()
        try:
            report(rstore, muni, f"sub-{i}", dt.datetime(2025, 5, 1, 12), reporter=f"R{i}")
        except Exception as exc:  # pragma: no cover - the failure the test is about
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i % 20,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = est_cases.read_reports(rstore)
    assert sorted(stored["id"]) == sorted(f"sub-{i}" for i in range(20))
    assert (est_cases.read_log(rstore)["event"] == "created").sum() == 20


def test_a_pin_outside_the_municipality_and_no_place_are_refused(rstore, muni):
    with pytest.raises(est_tables.ReportError, match="outside"):
        report(rstore, muni, "x", dt.datetime(2025, 5, 1), pin=(59.3, 18.0))
    with pytest.raises(est_tables.ReportError, match="no_place"):
        report(rstore, muni, "y", dt.datetime(2025, 5, 1), pin=(None, None))


def test_a_chosen_locality_has_no_point(rstore, muni):
    saved = report(rstore, muni, "p", dt.datetime(2025, 5, 1), place="Pålsboda")
    row = est_cases.read_reports(rstore).iloc[0]
    assert saved.place == "Pålsboda" and pd.isna(row["lat"])


def test_reports_are_incidents_of_the_municipal_source_without_notes(rstore, muni):
    report(rstore, muni, "a", dt.datetime(2025, 5, 1, 12), note=NOTE)
    report(rstore, muni, "b", dt.datetime(2025, 5, 2, 12), category="hot_personal")
    incidents = incident_rows(rstore)
    assert len(incidents) == 2
    assert set(incidents["source"]) == {"municipal_report"}
    assert set(incidents["category"]) == {"Klotter", "Hot mot personal"}
    assert incidents["description"].isna().all()
    assert not incidents.astype(str).apply(lambda c: c.str.contains("HEMLIG")).any().any()


def test_mine_lists_only_the_reporters_own(rstore, muni):
    report(rstore, muni, "a", dt.datetime(2025, 5, 1), reporter="Rita")
    report(rstore, muni, "b", dt.datetime(2025, 5, 1), reporter="Olle")
    assert list(est_cases.mine(rstore, "rita")["id"]) == ["a"]


# --- triage ------------------------------------------------------------------------------------


def test_a_merged_report_points_to_the_kept_one_and_is_not_counted(rstore, muni):
    for sid in "abc":
        report(rstore, muni, sid, dt.datetime(2025, 5, 1, 12))
    est_cases.merge(rstore, "b", "a", "Analytiker")
    est_cases.merge(rstore, "a", "c", "Analytiker")  # b, merged into a, follows a to c
    frame = est_cases.read_reports(rstore).set_index("id")
    assert frame.loc["a", "merged_into"] == "c" and frame.loc["b", "merged_into"] == "c"
    assert frame.loc["b", "status"] == "closed"
    assert len(incident_rows(rstore)) == 1
    with pytest.raises(est_tables.ReportError, match="merge_self"):
        est_cases.merge(rstore, "c", "c", "Analytiker")
    with pytest.raises(est_tables.ReportError, match="merge_into_merged"):
        est_cases.merge(rstore, "c", "a", "Analytiker")
    assert (est_cases.read_log(rstore)["event"] == "merged").sum() == 2


def test_actions_linked_and_done(rstore, muni):
    report(rstore, muni, "a", dt.datetime(2025, 5, 1, 12))
    action = est_cases.Action(
        "Ny belysning", "Gatuenheten", dt.date(2025, 5, 10), lat=59.067, lon=15.11
    )
    action_id = est_cases.add_action(rstore, muni, action, "Analytiker")
    est_cases.link(rstore, "a", action_id, "Analytiker")
    assert est_cases.read_reports(rstore).iloc[0]["status"] == "planned"
    est_cases.set_action_status(rstore, action_id, "done", "Analytiker")
    row = est_cases.mine(rstore, "Rita").iloc[0]
    assert (row["status"], row["action_title"], row["action_status"]) == (
        "done",
        "Ny belysning",
        "done",
    )
    placed = est_cases.actions_as_interventions(rstore)
    assert list(placed.columns) == ["id", "name", "lat", "lon", "installed_on", "radius_m"]
    assert placed.iloc[0]["installed_on"] == pd.Timestamp("2025-05-10")
    assert set(est_cases.read_log(rstore)["account"]) == {"Rita", "Analytiker"}


# --- retention ---------------------------------------------------------------------------------


def test_purge_removes_notes_and_reporters_after_the_retention_time(rstore, muni):
    report(rstore, muni, "old", dt.datetime(2025, 5, 1, 12), note=NOTE)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
    assert est_cases.purge(rstore, 365, "system", now=dt.datetime.now(dt.UTC)) == 0
    assert est_cases.purge(rstore, 365, "system", now=later) == 1
    row = est_cases.read_reports(rstore).iloc[0]
    assert pd.isna(row["note"]) and pd.isna(row["reporter"]) and row["category"] == "klotter"
    log = est_cases.read_log(rstore)
    assert "Rita" not in set(log["account"].dropna())
    assert est_cases.mine(rstore, "Rita").empty
    assert len(incident_rows(rstore)) == 1  # still counted
    assert est_cases.purge(rstore, 365, "system", now=later) == 0


def test_purge_runs_at_most_once_a_day(rstore, muni):
    day = dt.date(2025, 6, 1)
    assert est_cases.purge_if_due(rstore, 365, "system", day) == 0
    assert est_cases.purge_if_due(rstore, 365, "system", day) is None
    assert est_cases.purge_if_due(rstore, 365, "system", day + dt.timedelta(days=1)) == 0


def test_cli_purge(tmp_path, muni, capsys):
    db = tmp_path / "cli.db"
    store = Store(str(db))
    report(store, muni, "a", dt.datetime(2025, 5, 1, 12), note=NOTE)
    report(store, muni, "b", dt.datetime(2025, 5, 1, 12), note=NOTE)
    with store.engine.begin() as conn:  # "a" was made 400 days ago
        made = (dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).isoformat(timespec="seconds")
        conn.execute(
            est_tables.reports.update()
            .where(est_tables.reports.c.id == "a")
            .values(created_at=made)
        )
    assert cli(["--db", str(db), "purge"]) == 0
    assert capsys.readouterr().out.startswith("1 rapport rensad (äldre än 365 dagar)")
    notes = est_cases.read_reports(store).set_index("id")["note"]
    assert pd.isna(notes["a"]) and notes["b"] == NOTE


# --- the weekly picture and the tertial --------------------------------------------------------


def test_weekly_picture_against_a_hand_count(rstore, muni):
    monday = dt.date(2025, 5, 12)

    def at(days: int, hour: int = 12) -> dt.datetime:
        return dt.datetime.combine(monday + dt.timedelta(days=days), dt.time(hour))

    # this week: station klotter 2, station skadegörelse 1, Pålsboda klotter 1
    report(rstore, muni, "w1", at(0), "klotter")
    report(rstore, muni, "w2", at(6, 23), "klotter")  # Sunday evening: still this week
    report(rstore, muni, "w3", at(3), "skadegorelse", severity=3)
    report(rstore, muni, "w4", at(1), "klotter", place="Pålsboda")
    # previous four weeks: station klotter 3 (weeks -1, -1, -3), Pålsboda brand 1 (week -4)
    report(rstore, muni, "p1", at(-1), "klotter")
    report(rstore, muni, "p2", at(-7), "klotter")
    report(rstore, muni, "p3", at(-20), "klotter", severity=2)
    report(rstore, muni, "p4", at(-28), "brand", place="Pålsboda")
    # outside: five weeks back, and next week
    report(rstore, muni, "o1", at(-29), "brand", place="Pålsboda")
    report(rstore, muni, "o2", at(7), "klotter")
    frame = est_cases.live(est_cases.read_reports(rstore))
    p = signals.weekly_picture(frame, monday + dt.timedelta(days=2), previous=4)
    assert p.week == monday and (p.total, p.previous_total) == (4, 4)
    assert p.previous_mean == 1.0
    both = p.by_place_category.set_index(["place", "category"])
    assert both.loc[("Hallsbergs station", "klotter"), ["week", "previous"]].tolist() == [2, 3]
    assert both.loc[("Hallsbergs station", "skadegorelse"), ["week", "previous"]].tolist() == [1, 0]
    assert both.loc[("Pålsboda", "brand"), ["week", "previous"]].tolist() == [0, 1]
    assert both.loc[("Hallsbergs station", "klotter"), "change"] == pytest.approx(2 - 0.75)
    places = p.by_place.set_index("place")
    assert places.loc["Hallsbergs station", ["week", "previous"]].tolist() == [3, 3]
    assert places.loc["Pålsboda", ["week", "previous"]].tolist() == [1, 1]
    repeated = p.repeated.set_index("place")
    assert list(repeated.index) == ["Hallsbergs station"]  # 6 in the window; Pålsboda 2
    assert repeated.loc["Hallsbergs station", "reports"] == 6
    assert repeated.loc["Hallsbergs station", "weeks"] == 3  # weeks 0, -1 (days -1, -7), -3
    assert repeated.loc["Hallsbergs station", "serious"] == 1
    # tertial May–August: station w1 1, w2 1, w3 3, p1 1 (May 11), p2 1 (May 5), o2 1 (May 19)
    # = 6 reports, 8 points; p3 (April 22) is outside. Pålsboda: w4 = 1 report, 1 point (p4 and
    # o1 are in April).
    start, end = signals.tertial_of(monday)
    assert (start, end) == (dt.date(2025, 5, 1), dt.date(2025, 8, 31))
    ranking = signals.tertial_ranking(frame, start, end).set_index("place")
    assert ranking.loc["Hallsbergs station", ["rank", "reports", "score"]].tolist() == [1, 6, 8]
    assert ranking.loc["Pålsboda", ["rank", "reports", "score"]].tolist() == [2, 1, 1]


def test_tertials():
    assert signals.tertial_of(dt.date(2025, 1, 1)) == (dt.date(2025, 1, 1), dt.date(2025, 4, 30))
    assert signals.tertial_of(dt.date(2025, 12, 31)) == (
        dt.date(2025, 9, 1),
        dt.date(2025, 12, 31),
    )


def test_weekly_pdf_and_excel(rstore, muni):
    from lib.public import weekly

    report(rstore, muni, "a", dt.datetime(2025, 5, 12, 12), note=NOTE)
    frame = est_cases.live(est_cases.read_reports(rstore))
    p = signals.weekly_picture(frame, dt.date(2025, 5, 12))
    ranking = signals.tertial_ranking(frame, dt.date(2025, 5, 1), dt.date(2025, 8, 31))
    args = (p, {"klotter": "Klotter"}, est_cases.read_actions(rstore), ranking, "Tertial 2 2025")
    pdf = weekly.weekly_pdf(*args, "Hallsbergs kommun", dt.date(2025, 5, 16))
    assert pdf.startswith(b"%PDF") and b"HEMLIG" not in pdf
    workbook = weekly.weekly_excel(*args)
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None)
    assert len(sheets) == 6
    assert not any(s.astype(str).apply(lambda c: c.str.contains("HEMLIG")).any().any()
                   for s in sheets.values())  # fmt: skip


# --- files from other systems ------------------------------------------------------------------


def test_a_file_of_reports_imports_once_and_can_be_undone(rstore, muni):
    codes = {"ny": "new", "åtgärdad": "done"}
    text = (
        "id;datum;kategori;allvar;plats;lat;lon;anteckning;verksamhet;rapportör;status\n"
        "e1;2025-05-01 22:15;Klotter;2;Hallsbergs station;;;Klotter på perrongen;Fritid;;ny\n"
        "e2;2025-05-02;nedskrapning;1;;59,0650;15,1080;;Gata;;åtgärdad\n"
    )
    outcome = est_files.import_reports(rstore, muni, text.encode("utf-8"), "est.csv", "A", codes)
    assert outcome.ok and outcome.rows == 2
    frame = est_cases.read_reports(rstore).set_index("id")
    assert frame.loc["e2", "place"] == "Hallsbergs centrum" and frame.loc["e2", "status"] == "done"
    again = est_files.import_reports(rstore, muni, text.encode("utf-8"), "est.csv", "A", codes)
    assert not again.ok and again.errors[0][1] == "already_imported"
    assert rstore.undo(outcome.import_id, "A") == 2
    assert est_cases.read_reports(rstore).empty


def test_undoing_a_file_reopens_reports_merged_into_its_reports(rstore, muni):
    """A report made in the app, merged into one that came from a file: undoing the file
    must not leave it pointing at nothing, closed and uncounted."""
    text = "id;datum;kategori;allvar;plats\ne1;2025-05-01 22:15;Klotter;2;Hallsbergs station\n"
    outcome = est_files.import_reports(rstore, muni, text.encode("utf-8"), "est.csv", "A", {})
    assert outcome.ok
    report(rstore, muni, "app", dt.datetime(2025, 5, 1, 22, 30))
    est_cases.merge(rstore, "app", "e1", "Analytiker")
    assert len(incident_rows(rstore)) == 1  # the two count once
    rstore.undo(outcome.import_id, "A")
    frame = est_cases.read_reports(rstore).set_index("id")
    assert list(frame.index) == ["app"]
    assert pd.isna(frame.loc["app", "merged_into"]) and frame.loc["app", "status"] == "new"
    assert len(incident_rows(rstore)) == 1  # the signal still counts
    log = est_cases.read_log(rstore)
    reopened = log[log["event"] == "unmerged"]
    assert list(reopened["report_id"]) == ["app"]
    assert reopened["detail"].iloc[0] == f"inläsning {outcome.import_id} ångrades"


def test_a_file_with_bad_rows_is_refused_naming_them(rstore, muni):
    text = (
        "datum;kategori;anteckning\n"
        "2025-05-01;Klotter;ring 070-123 45 67\n"
        "i förrgår;Okänd;\n"
        "2025-05-03;Klotter;\n"
    )
    outcome = est_files.import_reports(rstore, muni, text.encode("utf-8"), "x.csv", "A", {})
    assert not outcome.ok
    codes = [(row, code) for row, code, _ in outcome.errors]
    assert (2, "text") in codes and (3, "bad_date") in codes and (3, "unknown_category") in codes
    assert (2, "no_place") in codes and (4, "no_place") in codes
    assert est_cases.read_reports(rstore).empty


def test_cli_imports_and_exports_reports(tmp_path, muni, capsys):
    db = tmp_path / "cli.db"
    source = tmp_path / "rapporter.csv"
    source.write_text(
        "datum;kategori;plats;anteckning\n2025-05-01 10:00;Brand;Vretstorp;Papperskorg\n",
        encoding="utf-8",
    )
    assert cli(["--db", str(db), "import", str(source), "--kind", "reports"]) == 0
    out = tmp_path / "ut.csv"
    assert cli(["--db", str(db), "export", str(out), "--kind", "reports"]) == 0
    exported = out.read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0].startswith("id;datum;kategori;allvar;plats")
    assert "Brand" in exported and "Papperskorg" in exported
    assert est_cases.read_log(Store(str(db)))["event"].tolist()[:2] == ["exported", "imported"]


# --- into the statistics -----------------------------------------------------------------------


def test_publish_counts_reports_and_never_shows_their_notes(tmp_path, muni):
    from lib.public.publish import load_data

    db = tmp_path / "pub.db"
    store = Store(str(db))
    month = dt.date(2025, 3, 1)
    for i in range(8):
        when = dt.datetime.combine(month + dt.timedelta(days=i), dt.time(12))
        report(store, muni, f"r{i}", when, note=NOTE)
    preset = next(p for p in load_data(store, muni)[0].presets() if p.span[0] == month)
    out = tmp_path / "pub"
    assert cli(["--db", str(db), "publish", str(out), "--period", preset.id]) == 0
    overview = json.loads((out / "oversikt.json").read_text(encoding="utf-8"))
    assert isinstance(overview["total"], int) and 6 <= overview["total"] <= 10  # cell-key noise
    for path in Path(out).iterdir():
        text = path.read_text(encoding="utf-8")
        assert "HEMLIG" not in text and "Rita" not in text
        assert str(STATION[0]) not in text
