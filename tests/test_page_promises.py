"""The citizen-promise page through AppTest: status, replay, sign-in, recording and undo."""

import datetime as dt

import pytest

from lib.store.store import Store
from tests.conftest import analyst_sign_in
from tests.test_pages import assert_ok

PAGE = "pages/medborgarloftet.py"
PASSWORD = "ett långt lösenord"


@pytest.fixture
def page(open_app):
    def open_page(signed_in_password: str | None = None):
        return open_app(PAGE, signed_in_password)

    return open_page


def labelled(widgets, label):
    return next(w for w in widgets if w.label == label)


def sign_in(at, password=PASSWORD):
    return analyst_sign_in(at, password)


def metrics(at):
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_period_end_status_and_follow_up(page):
    at = page()
    assert_ok(at)
    assert at.title[0].value == "Medborgarlöftet"
    assert any("Exempeldata" in w.value for w in at.warning)
    shown = metrics(at)
    assert shown["Trygghetsvandringar"] == ("5 av 4 st", "uppfyllt")
    assert shown["Insatser mot narkotikabrottslighet"] == ("3 av 2 st", "uppfyllt")
    followup = at.dataframe[-1].value
    assert followup["Status"].tolist() == ["uppfyllt"] * 5
    assert any("Så sätts status" in m.value for m in at.markdown)
    assert any("Logga in som analytiker" in c.value for c in at.caption)


def test_replay_the_march_meeting(page):
    at = page()
    at.slider(key="per-2018-2019").set_value(dt.date(2019, 3, 15)).run()
    assert_ok(at)
    shown = metrics(at)
    assert shown["Trygghetsvandringar"] == ("2 av 4 st", "i fas")
    assert shown["Informationsmöten"][1] == "i fas"
    assert any("Läget visas per 15 mars 2019" in m.value for m in at.markdown)


def test_next_period_without_activities(page):
    """The demo's second period has no activities: every promise says nothing is recorded
    (not "ej uppfyllt", though the period ended years ago), and the period says it is the
    sample's."""
    at = page()
    at.selectbox(key="loftesperiod").set_value("2019-2021").run()
    assert_ok(at)
    assert any("Inga aktiviteter är registrerade" in i.value for i in at.info)
    assert any("hör till exempeldata" in c.value for c in at.caption)
    assert {delta for _, delta in metrics(at).values()} == {"ingen uppföljning registrerad"}
    followup = at.dataframe[-1].value
    assert set(followup["Status"]) == {"ingen uppföljning registrerad"}
    assert not any("ej uppfyllt" in str(v) for v in followup.to_numpy().ravel())


def test_without_activities_nothing_is_called_not_fulfilled(page):
    """Importing real data removes the demo's activities and targets: the real promise then
    shows its four points with "ingen uppföljning registrerad", never "0 av 240 timmar – ej
    uppfyllt", and the demo's second period is gone with the demo."""
    at = page()
    Store().remove_sample()
    at.run()
    assert_ok(at)
    assert not [s for s in at.selectbox if s.key == "loftesperiod"]  # one period left
    shown = metrics(at)
    assert set(shown) >= {"Fotpatrullering i centrum", "Trygghetsvandringar"}
    assert {delta for _, delta in shown.values()} == {"ingen uppföljning registrerad"}
    assert shown["Fotpatrullering i centrum"][0] == "–"  # no target, nothing recorded
    followup = at.dataframe[-1].value
    assert len(followup) == 5
    assert set(followup["Status"]) == {"ingen uppföljning registrerad"}
    assert "ej uppfyllt" not in "\n".join(map(str, followup.to_numpy().ravel()))
    assert not any("Exempeldata" in w.value for w in at.warning)


def test_not_fulfilled_needs_recorded_activities_and_an_ended_period(page):
    """On real data an analyst sets a target and records one walk: at the period's end the
    walks are "ej uppfyllt" (recorded, ended, missed), mid-period "efter plan"; promises
    with nothing recorded still say so."""
    at = sign_in(page(PASSWORD))
    Store().remove_sample()
    at.run()
    at.selectbox(key="andra_mal_matt").set_value(("trygghetsvandringar", "safety_walks"))
    at.text_input(key="andra_mal_varde").input("4")
    labelled(at.button, "Spara målet").click().run()
    assert_ok(at)
    assert any("Ändringen sparades" in s.value for s in at.success)
    labelled(at.selectbox, "Löfte och indikator").set_value("safety_walks")
    labelled(at.date_input, "Datum").set_value(dt.date(2018, 11, 20))
    labelled(at.button, "Spara aktivitet").click().run()
    at.run()
    assert_ok(at)
    shown = metrics(at)
    assert shown["Trygghetsvandringar"] == ("1 av 4 st", "ej uppfyllt")
    assert shown["Fotpatrullering i centrum"][1] == "ingen uppföljning registrerad"
    at.slider(key="per-2018-2019").set_value(dt.date(2019, 6, 1)).run()
    assert metrics(at)["Trygghetsvandringar"] == ("1 av 4 st", "efter plan")


def test_an_analyst_keeps_the_promise_and_undoes_each_change(page):
    """A new period, a promise in it, an indicator with a target, a new target, the
    period's end moved; each one entry of the import log, each undone from the page."""
    from lib.promises import definitions

    at = sign_in(page(PASSWORD))
    at.date_input(key="ny_period_fran").set_value(dt.date(2024, 1, 1))
    at.date_input(key="ny_period_till").set_value(dt.date(2025, 12, 31))
    labelled(at.button, "Lägg till perioden").click().run()
    assert_ok(at)
    assert "2024-2025" in [p.id for p in definitions.read(Store()).periods]
    at.selectbox(key="loftesperiod").set_value("2024-2025").run()
    assert any("Inga löften är registrerade" in i.value for i in at.info)
    at.text_area(key="nytt_lofte_text").input("Polisen och kommunen håller trygghetsvandringar.")
    labelled(at.button, "Lägg till löftet").click().run()
    at.text_input(key="nytt_matt_namn").input("Trygghetsvandringar i Pålsboda")
    at.text_input(key="nytt_matt_mal").input("3")
    labelled(at.button, "Lägg till måttet").click().run()
    assert_ok(at)
    assert metrics(at)["Trygghetsvandringar i Pålsboda"] == (
        "mål 3 st",
        "ingen uppföljning registrerad",
    )
    at.text_input(key="andra_mal_varde").input("2,5")
    labelled(at.button, "Spara målet").click().run()
    at.date_input(key="periodens_sista").set_value(dt.date(2025, 6, 30))
    labelled(at.button, "Spara slutdatum").click().run()
    assert_ok(at)
    stored = definitions.read(Store())
    period = stored.period("2024-2025")
    assert period.end == dt.date(2025, 6, 30)
    assert stored.indicators("2024-2025")["target"].tolist() == [2.5]
    log = definitions.changes(Store())
    assert log["user"].tolist() == ["Testanalytiker"] * 5 + ["konfigurationen"]
    # Undo the latest four, newest first: the page shows each step back.
    for _ in range(4):
        next(b for b in at.button if b.label.startswith("Ångra: ")).click().run()
        assert_ok(at)
    stored = definitions.read(Store())
    assert stored.period("2024-2025").end == dt.date(2025, 12, 31)
    assert stored.of_period("2024-2025").empty
    next(b for b in at.button if b.label.startswith("Ångra: Ny löftesperiod")).click().run()
    assert_ok(at)
    assert definitions.read(Store()).period("2024-2025") is None


def test_a_refused_change_says_why_and_stores_nothing(page):
    from lib.promises import definitions

    at = sign_in(page(PASSWORD))
    before = definitions.read_rows(Store())
    at.text_input(key="andra_mal_varde").input("fyra")
    labelled(at.button, "Spara målet").click().run()
    assert not at.exception
    assert any("Målet måste vara ett tal större än noll" in e.value for e in at.error)
    assert len(definitions.read_rows(Store())) == len(before)


def test_sign_in_record_and_undo(page, tmp_path):
    at = page(PASSWORD)
    sign_in(at, "fel lösenord")
    assert any("Fel lösenord" in e.value for e in at.sidebar.error)
    assert not any(b.label == "Spara aktivitet" for b in at.button)
    sign_in(at)
    assert_ok(at)
    assert any("Testanalytiker" in m.value for m in at.sidebar.markdown)
    before = Store().count("activities")
    labelled(at.selectbox, "Löfte och indikator").set_value("safety_walks")
    labelled(at.selectbox, "Ort").set_value("Vretstorp")
    labelled(at.date_input, "Datum").set_value(dt.date(2019, 6, 1))
    labelled(at.text_input, "Aktivitet").input("Trygghetsvandring")
    labelled(at.button, "Spara aktivitet").click().run()
    assert_ok(at)
    assert any("Aktiviteten sparades" in s.value for s in at.success)
    store = Store()
    assert store.count("activities") == before + 1
    assert "Vretstorp" in store.read("activities")["locality"].tolist()
    log = store.import_log()
    assert (
        log.iloc[-1]["user"] == "Testanalytiker" and log.iloc[-1]["file_name"] == "formulär i appen"
    )
    undo = next(b for b in at.button if b.label.startswith("Ångra import"))
    undo.click().run()
    assert_ok(at)
    assert Store().count("activities") == before


def test_form_refuses_a_date_outside_the_period(page):
    at = sign_in(page(PASSWORD))
    before = Store().count("activities")
    labelled(at.selectbox, "Löfte och indikator").set_value("safety_walks")
    labelled(at.date_input, "Datum").set_value(dt.date(2020, 6, 1))
    labelled(at.button, "Spara aktivitet").click().run()
    assert not at.exception
    assert any("utanför löftesperioden" in e.value for e in at.error)
    assert Store().count("activities") == before


def test_without_sign_in_configured_nothing_can_be_written(page):
    at = page()
    assert not any(b.label == "Spara aktivitet" for b in at.button)
    # How to configure a sign-in is for the operator (README), never on a public page.
    assert not any("secrets.toml" in c.value for c in at.sidebar.caption)


def test_a_loaded_survey_appears_beside_the_promises(page):
    from lib.config import load_municipality
    from lib.ingest.loading import import_bytes

    at = page()
    survey = (
        "år;fråga;andel;antal svar\n"
        "2018;Trygg ute på kvällen;60;400\n"
        "2019;Trygg ute på kvällen;70;400\n"
    )
    outcome = import_bytes(Store(), survey.encode(), "survey", load_municipality(), "t.csv")
    assert outcome.ok
    at.run()
    assert_ok(at)
    assert any(h.value == "Upplevd trygghet" for h in at.subheader)
    table = at.dataframe[0].value
    assert table["Mot året innan"].tolist() == ["–", "högre, säkerställt"]
