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
    at = page()
    at.selectbox(key="loftesperiod").set_value("2019-2021").run()
    assert_ok(at)
    assert any("Inga aktiviteter är registrerade" in i.value for i in at.info)
    assert any("sammanfattningar" in c.value for c in at.caption)


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
