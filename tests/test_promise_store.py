"""Promises as data (issue 21.2): definitions in the store, loaded from the configuration
once, from a file, or changed in the app, every change one undoable entry of the import log;
the demo's targets and second period leave with the demo; the period presets follow the
stored promises; and nothing recorded reads "ingen uppföljning registrerad" on the page, the
projector and the PDF, never "ej uppfyllt"."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from lib.datamanager import DataManager
from lib.ingest import promise_files
from lib.ingest.loading import import_bytes, seed_sample
from lib.promises import definitions as defs
from lib.promises import files
from lib.public import exports
from lib.store.store import Store
from tests.test_pages import assert_ok

PERIOD = "2018-2019"


def sample_file(muni) -> pd.DataFrame:
    """The demo's promise file read with plain pandas: the independent reference."""
    path = muni.sample_files["promises"]
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str).fillna("")


def import_id_of(store: Store, kind: str) -> int:
    log = store.import_log()
    live = log[(log["kind"] == kind) & log["undone_at"].isna()]
    return int(live["id"].iloc[-1])


def test_the_configured_promise_is_stored_once(store, muni):
    first = defs.seed_configured(store, muni)
    assert first is not None
    current = defs.read(store)
    assert [p.id for p in current.periods] == [PERIOD]
    configured = promise_files.all_definitions(muni)
    assert current.definitions["indicator_id"].tolist() == configured["indicator_id"].tolist()
    assert current.definitions["text"].tolist() == configured["text"].tolist()
    assert current.definitions["target"].isna().all()  # the document gives no numbers
    assert defs.seed_configured(store, muni) is None
    store.undo(first)
    assert defs.read(store).periods == ()
    assert defs.seed_configured(store, muni) is None  # the analyst's undo stands


def test_the_demo_brings_targets_and_a_period_and_takes_them_away(store, muni):
    seed_sample(store, muni)
    current = defs.read(store)
    written = sample_file(muni)
    assert {(p.start.isoformat(), p.end.isoformat()) for p in current.periods} == set(
        zip(written["från"], written["till"], strict=True)
    )
    targets = current.indicators().set_index("indicator_id")["target"]
    for row in written.itertuples():
        assert targets[row.indikator] == float(row.mål)
    assert current.sample_periods == {"2019-2021"}
    store.remove_sample()
    after = defs.read(store)
    assert [p.id for p in after.periods] == [PERIOD]
    assert after.definitions["target"].isna().all()
    configured = promise_files.all_definitions(muni)
    assert after.definitions["text"].tolist() == configured["text"].tolist()


def test_presets_follow_the_stored_promises(store, muni):
    seed_sample(store, muni)
    manager = DataManager(store, muni)

    def promise_presets() -> set[tuple[dt.date, dt.date]]:
        return {p.span for p in manager.presets(manager.version()) if p.kind == "promise"}

    demo_period = (dt.date(2019, 11, 28), dt.date(2021, 5, 31))
    assert demo_period in promise_presets()
    defs.add_period(store, dt.date(2019, 1, 1), dt.date(2019, 6, 30), "Anna")
    assert (dt.date(2019, 1, 1), dt.date(2019, 6, 30)) in promise_presets()
    store.remove_sample()
    assert demo_period not in promise_presets()


def test_each_change_is_logged_and_undone_step_by_step(store, muni):
    defs.seed_configured(store, muni)
    snapshots = [defs.read(store).definitions]
    pid = defs.add_period(store, dt.date(2024, 1, 1), dt.date(2025, 12, 31), "Anna")
    snapshots.append(defs.read(store).definitions)
    promise = defs.add_promise(store, pid, "Fler trygghetsvandringar.", "joint", "Anna")
    snapshots.append(defs.read(store).definitions)
    indicator = defs.add_indicator(store, pid, promise, "Trygghetsvandringar", "st", 4, "Anna")
    assert indicator == "trygghetsvandringar"  # a name as an id, unique in the store
    snapshots.append(defs.read(store).definitions)
    defs.set_target(store, pid, promise, indicator, 6, "Anna")
    snapshots.append(defs.read(store).definitions)
    defs.remove_indicator(store, pid, promise, indicator, "Anna")
    snapshots.append(defs.read(store).definitions)
    defs.end_period(store, pid, dt.date(2025, 6, 30), "Anna")
    assert defs.read(store).period(pid).end == dt.date(2025, 6, 30)
    changes = defs.changes(store)
    assert changes["user"].tolist()[:6] == ["Anna"] * 6
    for import_id, expected in zip(changes["id"][:6], reversed(snapshots), strict=True):
        store.undo(int(import_id), user="Anna")
        pd.testing.assert_frame_equal(defs.read(store).definitions, expected)


def test_a_change_that_cannot_be_made_is_refused_in_swedish(store, muni):
    defs.seed_configured(store, muni)
    before = len(defs.read_rows(store))
    with pytest.raises(defs.PromiseError) as found:
        defs.set_target(store, PERIOD, "trygghetsvandringar", "safety_walks", -1, "Anna")
    assert "större än noll" in found.value.message()
    with pytest.raises(defs.PromiseError):
        defs.add_period(store, dt.date(2025, 1, 1), dt.date(2024, 1, 1), "Anna")
    with pytest.raises(defs.PromiseError):
        defs.add_promise(store, PERIOD, "   ", "joint", "Anna")
    assert len(defs.read_rows(store)) == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_reads_back_and_an_edited_one_is_one_undoable_change(store, muni, kind):
    defs.seed_configured(store, muni)
    template = files.template_frame(defs.read(store), muni)

    def as_file(frame: pd.DataFrame) -> bytes:
        if kind == "csv":
            return exports.csv_bytes(frame)
        return exports.excel_bytes(frame, "Medborgarlöfte")

    unchanged = files.import_file(store, muni, as_file(template), f"mall.{kind}", "Anna")
    assert not unchanged.ok and "ändrar inget" in unchanged.messages[0]
    edited = template.copy()
    edited.loc[edited["indikator"] == "patrol_hours", "mål"] = "200"
    new = {c: "" for c in edited.columns} | {
        "från": "2020-01-01",
        "till": "2020-12-31",
        "nummer": "1",
        "lydelse": "Kommunen håller möten om grannsamverkan.",
        "ansvarig": "Kommunen",
        "mått": "Möten om grannsamverkan",
        "mål": "2",
        "enhet": "st",
        "kategorier": "Inbrott, Stöld/inbrott",
        "orter": "Pålsboda",
    }
    edited = pd.concat([edited, pd.DataFrame([new])], ignore_index=True)
    before = defs.read(store).definitions
    outcome = files.import_file(store, muni, as_file(edited), f"lofte.{kind}", "Anna")
    assert outcome.ok, outcome.messages
    after = defs.read(store)
    assert after.indicators().set_index("indicator_id").at["patrol_hours", "target"] == 200
    added = after.of_period("2020-2020").iloc[0]
    assert (added["responsible"], added["indicator_label"], added["target"]) == (
        "municipality",
        "Möten om grannsamverkan",
        2.0,
    )
    assert added["outcome_categories"] == ("Inbrott", "Stöld/inbrott")
    assert added["outcome_localities"] == ("Pålsboda",)
    store.undo(outcome.import_id)
    pd.testing.assert_frame_equal(defs.read(store).definitions, before)


def test_a_file_with_errors_names_each_row_and_stores_nothing(store, muni):
    defs.seed_configured(store, muni)
    before = len(defs.read_rows(store))
    text = "\r\n".join(
        [
            "från;till;nummer;lydelse;ansvarig;mått;mål;kategorier",
            "2024-13-01;2024-12-31;1;Löfte;Polisen;Vandringar;4;",
            "2024-01-01;2024-12-31;1;Löfte;Brandkåren;Vandringar;4;",
            "2024-01-01;2024-12-31;2;Löfte;Polisen;Möten;-1;",
            "2024-01-01;2024-12-31;3;Löfte;Polisen;Möten;2;Snöskottning",
            "2024-01-01;2024-12-31;4;;;Möten;2;",
        ]
    )
    outcome = files.import_file(store, muni, text.encode("utf-8"), "fel.csv", "Anna")
    assert not outcome.ok
    joined = "\n".join(outcome.messages)
    for row, words in [
        (2, "datum"),
        (3, "Brandkåren"),
        (4, "större än noll"),
        (5, "Snöskottning"),
    ]:
        assert f"Rad {row}: " in joined and words in joined, (row, joined)
    assert len(defs.read_rows(store)) == before
    missing = files.import_file(store, muni, b"nummer;lydelse\r\n1;x\r\n", "x.csv", "Anna")
    assert not missing.ok and "från" in missing.messages[0]


def test_a_new_promise_without_wording_is_refused(store, muni):
    defs.seed_configured(store, muni)
    text = "från;till;nummer;mått;mål\r\n2024-01-01;2024-12-31;1;Möten;2\r\n"
    outcome = files.import_file(store, muni, text.encode("utf-8"), "x.csv", "Anna")
    assert not outcome.ok and "saknar lydelse" in outcome.messages[0]


def test_activities_are_checked_against_the_stored_promises(store, muni):
    pid = defs.add_period(store, dt.date(2024, 1, 1), dt.date(2024, 12, 31), "Anna")
    promise = defs.add_promise(store, pid, "Trygghetsvandringar i alla orter.", "joint", "Anna")
    indicator = defs.add_indicator(store, pid, promise, "Vandringar", "st", 6, "Anna")

    def activities(day: str) -> bytes:
        header = "löfte;indikator;datum;aktivitet;antal;ort"
        return f"{header}\r\n{promise};{indicator};{day};Vandring;1;Pålsboda\r\n".encode()

    done = import_bytes(store, activities("2024-03-01"), "activities", muni, "a.csv")
    assert done.ok, done.messages
    late = import_bytes(store, activities("2025-03-01"), "activities", muni, "b.csv")
    assert not late.ok and any("utanför löftesperioden" in m for m in late.messages)


# --- Nothing recorded: "ingen uppföljning registrerad", on the projector and in the PDF -------


def briefing_of(store: Store, muni, activities: pd.DataFrame):
    from lib.figures.filters import Filters
    from lib.public.briefing import brief
    from lib.public.disclosure import for_municipality
    from lib.public.publish import load_data

    data, points = load_data(store, muni)
    manager = DataManager(store, muni)
    definitions = manager.promises(manager.version()).definitions
    d = for_municipality(muni, data.presets())
    filters = Filters(dt.date(2019, 8, 26), dt.date(2019, 9, 30))
    return brief(data, points, activities, definitions, filters, d, dt.date(2026, 1, 1))


def pdf_text(b) -> str:
    from pypdf import PdfReader

    from lib.public.report import situation_report

    pdf = PdfReader(io.BytesIO(situation_report(b, made_on=dt.date(2026, 1, 1))))
    return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)


def test_the_briefing_and_pdf_say_nothing_is_recorded_not_not_fulfilled(tmp_path, muni):
    """The demo's targets with its activities undone (as when real data replaces them): an
    ended promise with nothing recorded is not "ej uppfyllt"; with one walk recorded, the
    walks are."""
    store = Store(str(tmp_path / "b.db"))
    seed_sample(store, muni)
    store.undo(import_id_of(store, "activities"))
    b = briefing_of(store, muni, store.read("activities"))
    assert set(b.promise_status["Status"]) == {"ingen uppföljning registrerad"}
    text = pdf_text(b)
    assert "ingen uppföljning registrerad" in text and "ej uppfyllt" not in text
    walk = pd.DataFrame(
        {
            "id": ["w"],
            "promise_id": ["trygghetsvandringar"],
            "indicator_id": ["safety_walks"],
            "date": [pd.Timestamp("2019-05-01")],
            "quantity": [1.0],
            "locality": ["Pålsboda"],
        }
    )
    b = briefing_of(store, muni, walk)
    status = b.promise_status.set_index(b.promise_status.columns[1])["Status"]
    assert status["Minst 4 st trygghetsvandringar"] == "ej uppfyllt"
    assert "ej uppfyllt" in pdf_text(b)


def test_the_projector_says_nothing_is_recorded(open_app):
    at = open_app("pages/mote.py")
    store = Store()
    store.undo(import_id_of(store, "activities"))
    at.query_params["presentation"] = "1"
    at.query_params["vy"] = "4"
    at.run()
    assert_ok(at)
    assert at.title[0].value == "Medborgarlöftet"
    shown = at.table[0].value
    cells = "\n".join(map(str, shown.to_numpy().ravel()))
    assert "ingen uppföljning registrerad" in cells and "ej uppfyllt" not in cells
