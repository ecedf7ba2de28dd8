"""The EST pages for each role with AppTest: a viewer is told to sign in, a reporter reports
and sees the report under "Mina rapporter" but never reaches triage or the weekly picture,
an analyst sees the inbox and the weekly picture."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.auth import Accounts
from lib.est import cases as est_cases
from lib.passwords import MIN_ITERATIONS
from lib.store.store import Store

PASSWORD = "ett-långt-lösenord-2025"
NOTE = "Klotter på perrongen HEMLIG-NOTERING"


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The app on a fresh store with a reporter (Rita, Fritid) and an analyst (Alva)."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    db = tmp_path / "app.db"
    monkeypatch.setenv("TRYGGHET_DB", str(db))
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("lib.auth.hash_password", lambda pw: _fast_hash(pw))
    store = Store(str(db))
    accounts = Accounts(store)
    accounts.create("Rita", "reporter", PASSWORD, "test", "Fritid", must_change=False)
    accounts.create("Alva", "analyst", PASSWORD, "test", must_change=False)

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.run()
        return at.switch_page(page).run()

    open_page.store = store
    return open_page


def demo_reports_with_status(label: str) -> int:
    """Reports of the demo's file (data/sample/reports.csv) with a status, as written."""
    import pandas as pd

    from lib.config import load_municipality

    path = load_municipality("hallsberg").sample_files["reports"]
    return int((pd.read_csv(path, sep=";", encoding="utf-8-sig")["status"] == label).sum())


def _fast_hash(password: str) -> str:
    from lib.passwords import hash_password

    return hash_password(password, MIN_ITERATIONS)


def sign_in(at, name: str, where=None):
    """Name and password into the sign-in form (the sidebar's, or the page's)."""
    box = where if where is not None else at.sidebar
    fields = {w.label: w for w in box.text_input}
    fields["Namn"].input(name)
    fields["Lösenord"].input(PASSWORD)
    next(b for b in box.button if b.label == "Logga in").click().run()
    assert not at.exception
    return at


def texts(at) -> str:
    parts = [e.value for e in (*at.markdown, *at.text, *at.caption, *at.info, *at.error)]
    parts += [e.value for e in (*at.success, *at.warning)]
    return "\n".join(map(str, parts))


def test_a_viewer_is_asked_to_sign_in_and_sees_no_form(app):
    at = app("pages/rapportera.py")
    assert not at.exception
    assert "Logga in med ditt konto" in texts(at)
    assert not [s for s in at.selectbox if s.label == "Vad har du sett?"]
    for page in ("pages/arenden.py", "pages/veckolage.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert "för kommunens analytiker" in texts(at)
        assert not at.dataframe and not at.tabs


def test_a_reporter_reports_and_sees_it_under_mina_rapporter(app):
    at = app("pages/rapportera.py")
    sign_in(at, "Rita", at)  # on the page itself: a phone's sidebar is folded away
    assert [t.label for t in at.tabs] == ["Ny rapport", "Mina rapporter"]
    assert at.text_input(key=next(w.key for w in at.text_input if w.label == "Verksamhet")).value
    next(s for s in at.selectbox if s.label == "Vad har du sett?").select("trasig_belysning").run()
    next(r for r in at.radio if r.label == "Var?").set_value("list").run()
    next(s for s in at.selectbox if s.label == "Plats").select("Hallsbergs centrum").run()
    next(r for r in at.radio if r.label == "Hur allvarligt?").set_value(2).run()
    at.text_area[0].input("Han heter 811218-9876").run()
    submit = next(b for b in at.button if b.label == "Skicka rapporten")
    before = len(est_cases.read_reports(app.store))  # the demo's reports are there
    submit.click().run()
    assert "innehåller ett personnummer och sparades inte" in texts(at)
    assert len(est_cases.read_reports(app.store)) == before
    at.text_area[0].input(NOTE).run()
    next(b for b in at.button if b.label == "Skicka rapporten").click().run()
    assert "Tack! Rapporten är sparad." in texts(at)
    assert "Otrygg plats: trasig belysning · Hallsbergs centrum" in texts(at)
    stored = est_cases.read_reports(app.store)
    assert len(stored) == before + 1
    row = stored[stored["reporter"] == "Rita"].iloc[0]
    assert (row["reporter"], row["service"], row["severity"]) == ("Rita", "Fritid", 2)
    mine = at.tabs[1]
    assert "Hallsbergs centrum" in "\n".join(t.value for t in mine.text)
    assert "ny" in "\n".join(m.value for m in mine.markdown)
    # a new report gets a new id; the saved one stays once
    next(b for b in at.button if b.label == "Rapportera något mer").click().run()
    assert next(s for s in at.selectbox if s.label == "Vad har du sett?").value is None
    assert len(est_cases.read_reports(app.store)) == before + 1


def test_a_reporter_cannot_reach_triage_nor_the_weekly_picture(app):
    from lib.config import load_municipality

    sub = est_cases.Submission("x1", "klotter", dt.datetime(2025, 5, 1, 12), 1, NOTE, "Pålsboda")
    est_cases.submit(app.store, load_municipality("hallsberg"), sub, "Olle")
    at = sign_in(app("pages/arenden.py"), "Rita")
    assert "för kommunens analytiker" in texts(at)
    assert not at.dataframe and not at.tabs and "HEMLIG" not in texts(at)
    at.switch_page("pages/veckolage.py").run()
    assert "för kommunens analytiker" in texts(at) and not at.metric
    at.switch_page("pages/rapportera.py").run()
    assert "HEMLIG" not in texts(at)  # someone else's report is not among hers
    assert "Du har inte skickat några rapporter ännu." in texts(at)


def test_an_analyst_sees_the_inbox_and_the_weekly_picture(app):
    from lib.config import load_municipality

    muni = load_municipality("hallsberg")
    today = dt.date.today()
    for i in range(3):
        when = dt.datetime.combine(today, dt.time(0, i))
        sub = est_cases.Submission(f"a{i}", "klotter", when, 3, NOTE, "Hallsbergs station")
        est_cases.submit(app.store, muni, sub, "Rita")
    at = sign_in(app("pages/arenden.py"), "Alva")
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Inkorg", "Åtgärder", "Filer", "Logg"]
    inbox = at.dataframe[0].value  # new reports: these three and the demo's new ones
    assert len(inbox) == 3 + demo_reports_with_status("ny")
    assert (inbox["Plats"] == "Hallsbergs station").sum() >= 3
    at.switch_page("pages/veckolage.py").run()
    assert not at.exception
    assert at.metric[0].value == "3"
    assert "Hallsbergs station" in str(at.dataframe[0].value)
    assert "HEMLIG" not in texts(at)
