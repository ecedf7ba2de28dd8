"""The fixed periods a viewer chooses from (hand-computed spans), the public layer's refusal
of any other question, and the meeting dates and sample mode in the store."""

import datetime as dt
from types import SimpleNamespace

import pytest

from lib.cli import main
from lib.figures import periods
from lib.figures.filters import Filters
from lib.ingest.loading import import_bytes, seed_sample
from lib.public.disclosure import Disclosure, NotPublic, public
from tests.conftest import FIXTURES

D = dt.date


def spans(choices):
    return {p.id: p.span for p in choices}


def test_presets_follow_the_data_not_the_promise_period():
    """A feed from 20 March 2023 to 26 August 2024 (not a month's end)."""
    promise = SimpleNamespace(id="2018-2019", start=D(2018, 10, 1), end=D(2019, 9, 30))
    choices = periods.presets(D(2023, 3, 20), D(2024, 8, 26), [promise], [D(2024, 6, 3)])
    found = spans(choices)
    assert choices[0].id == "senaste-12"
    assert found["senaste-12"] == (D(2023, 8, 1), D(2024, 7, 31))  # 12 complete months
    assert found["i-ar"] == (D(2024, 1, 1), D(2024, 8, 26))
    assert found["forra-aret"] == (D(2023, 1, 1), D(2023, 12, 31))
    assert found["mote-2024-06-03"] == (D(2024, 6, 3), D(2024, 8, 26))
    assert found["lofte-2018-2019"] == (D(2018, 10, 1), D(2019, 9, 30))
    assert found["manad-2024-08"] == (D(2024, 8, 1), D(2024, 8, 26))  # the partial month
    assert found["manad-2024-02"] == (D(2024, 2, 1), D(2024, 2, 29))
    assert found["manad-2023-03"] == (D(2023, 3, 1), D(2023, 3, 31))
    assert "manad-2023-02" not in found and not any(k.startswith("ar-") for k in found)
    assert len(found) == len(choices)  # ids unique


def test_a_month_end_counts_as_complete_and_equal_spans_are_offered_once():
    promise = SimpleNamespace(id="2018-2019", start=D(2018, 10, 1), end=D(2019, 9, 30))
    choices = periods.presets(D(2016, 1, 1), D(2019, 9, 30), [promise])
    found = spans(choices)
    assert found["senaste-12"] == (D(2018, 10, 1), D(2019, 9, 30))
    assert "lofte-2018-2019" not in found  # the same span as the default
    assert found["forra-aret"] == (D(2018, 1, 1), D(2018, 12, 31))
    assert found["ar-2017"] == (D(2017, 1, 1), D(2017, 12, 31))
    assert found["ar-2016"] == (D(2016, 1, 1), D(2016, 12, 31))
    assert len([p for p in choices if p.kind == periods.MONTH]) == 45


def test_meetings_outside_the_data_are_not_offered_and_an_old_one_is_not_the_default():
    choices = periods.presets(
        D(2019, 1, 1), D(2026, 10, 31), meetings=[D(2019, 8, 26), D(2027, 1, 1)]
    )
    found = spans(choices)
    assert "mote-2027-01-01" not in found
    assert found["mote-2019-08-26"] == (D(2019, 8, 26), D(2026, 10, 31))
    # Seven years 'since the meeting' is not what a council means: the default is 12 months.
    assert periods.meeting_default(choices).id == "senaste-12"
    recent = periods.presets(D(2019, 1, 1), D(2026, 10, 31), meetings=[D(2026, 9, 15)])
    assert periods.meeting_default(recent).id == "mote-2026-09-15"


def test_without_data_the_presets_end_today():
    choices = periods.presets(None, None, today=D(2026, 11, 26))
    assert spans(choices)["senaste-12"] == (D(2025, 11, 1), D(2026, 10, 31))


def test_the_promise_replay_is_public_by_whole_months():
    assert periods.public_month_end(D(2019, 3, 14), D(2019, 9, 30)) == D(2019, 2, 28)
    assert periods.public_month_end(D(2019, 3, 31), D(2019, 9, 30)) == D(2019, 3, 31)
    assert periods.public_month_end(D(2019, 9, 30), D(2019, 9, 30)) == D(2019, 9, 30)


def test_the_public_asks_only_fixed_tables_an_analyst_anything():
    choices = periods.presets(D(2023, 3, 20), D(2024, 8, 26))
    d = public(3, choices)
    year = Filters(D(2023, 1, 1), D(2023, 12, 31))
    assert d.admits(year)
    assert d.admits(Filters(D(2023, 1, 1), D(2023, 12, 31), ("Pålsboda",), ("Stöld",)))
    refused = [
        Filters(D(2023, 1, 1), D(2023, 12, 30)),  # free dates
        Filters(D(2023, 1, 1), D(2023, 12, 31), categories=("Stöld", "Rån")),
        Filters(D(2023, 1, 1), D(2023, 12, 31), localities=("Hallsberg", "Pålsboda")),
        Filters(D(2023, 1, 1), D(2023, 12, 31), sources=("police_open_events", "other")),
    ]
    for f in refused:
        assert not d.admits(f)
        with pytest.raises(NotPublic):
            d.admit(f)
    analyst = Disclosure(3, exact=True)
    assert all(analyst.admits(f) for f in refused)
    assert not Disclosure(3).admits(year)  # a public view without periods admits nothing


def test_meeting_dates_are_logged_and_undoable(store):
    first = store.add_meeting(D(2024, 5, 6), user="Ana")
    store.add_meeting(D(2024, 2, 5), user="Ana")
    assert store.meetings() == (D(2024, 2, 5), D(2024, 5, 6))
    log = store.import_log().set_index("id")
    assert log.at[first, "kind"] == "meetings" and log.at[first, "user"] == "Ana"
    store.undo(first, user="Ana")
    assert store.meetings() == (D(2024, 2, 5),)
    store.add_meeting(D(2024, 5, 6), user="Ana")  # may be entered again after an undo
    assert store.meetings() == (D(2024, 2, 5), D(2024, 5, 6))


def test_the_sample_brings_its_meetings_and_real_data_replaces_it_in_one_step(store, muni):
    seed_sample(store, muni)
    assert store.meetings() == muni.meetings and store.count("incidents") > 1000
    version = store.data_version()
    data = (FIXTURES / "utf8_bom_comma.csv").read_bytes()
    outcome = import_bytes(store, data, "incidents", muni, "egen.csv", replace_sample=True)
    assert outcome.ok, outcome.messages
    assert any("Exempeldata togs bort" in m for m in outcome.messages)
    assert store.meetings() == () and not store.sample_import_ids()
    assert store.count("incidents") == outcome.rows_added
    assert store.data_version() == version + 1  # one transaction


def test_a_failed_import_keeps_the_sample(store, muni):
    seed_sample(store, muni)
    before = store.count("incidents")
    outcome = import_bytes(
        store, b"nonsens;x\n1;2\n", "incidents", muni, "x.csv", replace_sample=True
    )
    assert not outcome.ok
    assert store.count("incidents") == before and store.sample_import_ids()


def test_cli_sample_remove_and_load(tmp_path, capsys):
    db = str(tmp_path / "s.db")
    assert main(["--db", db, "sample", "load"]) == 0
    assert main(["--db", db, "sample", "remove"]) == 0
    assert "Exempeldata togs bort" in capsys.readouterr().out
    assert main(["--db", db, "sample", "remove"]) == 0
    assert "inga exempeldata" in capsys.readouterr().out
    assert main(["--db", db, "sample", "load"]) == 0


def test_cli_import_tells_that_the_sample_went(tmp_path, capsys):
    db = str(tmp_path / "s.db")
    assert main(["--db", db, "seed"]) == 0
    path = FIXTURES / "utf8_bom_comma.csv"
    assert main(["--db", db, "import", str(path), "--kind", "incidents"]) == 0
    assert "Exempeldata togs bort i samma steg" in capsys.readouterr().out


def test_the_default_period_follows_the_main_sources_not_a_report_filed_today(store, muni):
    """Issue 21.3: a police feed that ends on 21 August 2026 and one report filed in the app
    today. The default period is the latest month the feed covers in full (July 2026), not
    a period that runs to this month; the report's source (in-app reporting) and a small
    guard file never move it. Built through the product's own paths."""
    import datetime as dt

    from lib.datamanager import DataManager
    from lib.est import cases
    from lib.est.vocabulary import load_categories
    from lib.ingest.loading import import_bytes

    rows = ["id;datum;kategori;ort;källa"]
    day, i = dt.date(2025, 3, 14), 0
    while day <= dt.date(2026, 8, 21):
        rows.append(f"f{i};{day} 12:00;Stöld;Hallsberg;Polisens öppna händelser")
        day += dt.timedelta(days=3)
        i += 1
    rows.append(f"f{i};2026-08-21 09:00;Stöld;Hallsberg;Polisens öppna händelser")
    assert import_bytes(store, ("\n".join(rows) + "\n").encode(), "incidents", muni, "f.csv").ok
    guards = "id;datum;kategori;ort;källa\ng1;2026-10-02 02:00;Skadegörelse;Hallsberg;Väktare\n"
    assert import_bytes(store, guards.encode(), "incidents", muni, "g.csv").ok
    category = load_categories()[0].id
    now = dt.datetime.now().replace(second=0, microsecond=0)
    seen = now - dt.timedelta(hours=1)  # yesterday in the first hour after midnight
    sub = cases.Submission("r1", category, seen, 1, place="Hallsberg")
    cases.submit(store, muni, sub, "Rapportör", now=now)
    manager = DataManager(store, muni)
    version = manager.version()
    assert manager.cube(version)["day"].max().date() == seen.date()  # the report is counted
    default = manager.presets(version)[0]
    assert (default.start, default.end) == (dt.date(2025, 8, 1), dt.date(2026, 7, 31))
