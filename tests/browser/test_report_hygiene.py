"""Input hygiene for EST end to end in Chromium (issue 24): a reporter on a 390 × 844 phone
sends a report with control characters and a right-to-left override (stored clean, the page
says what was removed), then one with 100 kB in the note and the service field (nothing over
a field's limit is stored) and one with an e-mail address in the service field (refused,
naming the field and the kind); the analyst then downloads "Ladda ner alla rapporter (Excel)"
on a store that also holds a row from before the gate, and gets every report. Then the rate
limit: the reporter's 21st report in an hour is refused with a message, and the analyst sees
on Ärenden that the limit stopped someone."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from lib.auth import Accounts
from lib.config import load_municipality
from lib.est import cases as est_cases
from lib.est import tables as est_tables
from lib.passwords import MIN_ITERATIONS, hash_password
from lib.store.store import Store
from tests.browser.conftest import PAGE_TIMEOUT_MS, run_server
from tests.browser.test_pages import assert_no_exception, screenshot, wait_until_rendered
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = pytest.mark.browser

HEADING = "Rapportera en iakttagelse"
NOTE_LABEL = "Beskriv kort (frivilligt)"
HIDDEN = "\x01\x07\x1b\u202e"  # three control characters and a right-to-left override


@pytest.fixture
def server(browser, tmp_path, monkeypatch):
    monkeypatch.setattr("lib.auth.hash_password", lambda pw: hash_password(pw, MIN_ITERATIONS))
    store = Store(str(tmp_path / "trygghet.db"))
    accounts = Accounts(store)
    accounts.create("Rita", "reporter", PASSWORD, "test", "Fritid", must_change=False)
    accounts.create("Alva", "analyst", PASSWORD, "test", must_change=False)
    with run_server(tmp_path) as url:
        yield url, store


def open_at(browser, url: str, width: int, height: int):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="sv-SE", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(url)
    return context, page


def reporter_phone(browser, url: str):
    context, phone = open_at(browser, url + "/rapportera", 390, 844)
    wait_until_rendered(phone, HEADING)
    sign_in(phone, "Rita")
    phone.get_by_role("tab", name="Ny rapport").wait_for()
    return context, phone


def fill_report(phone, note: str, service: str | None = None) -> None:
    """Klotter at Hallsbergs station (chosen from the list), the note and the service."""
    phone.get_by_label("Vad har du sett?").click()
    phone.get_by_role("option", name="Klotter").click()
    phone.get_by_text("Välj plats i listan").click()
    phone.get_by_label("Plats", exact=True).click()
    phone.get_by_role("option", name="Hallsbergs station").click()
    phone.get_by_role("textbox", name=NOTE_LABEL).fill(note)
    if service is not None:
        phone.get_by_role("textbox", name="Verksamhet").fill(service)
    phone.keyboard.press("Tab")
    wait_until_rendered(phone, HEADING)


def send(phone) -> None:
    phone.get_by_role("button", name="Skicka rapporten").click()


def ritas(store: Store):
    frame = est_cases.read_reports(store)
    return frame[frame["reporter"] == "Rita"].reset_index(drop=True)


def analyst_desk(browser, url: str, path: str = "/arenden"):
    context, desk = open_at(browser, url + path, 1920, 1080)
    desk.get_by_text("Inloggning", exact=True).first.click()
    sign_in(desk, "Alva", desk.locator("[data-testid='stSidebar']"))
    wait_until_rendered(desk, "Ärenden: inkomna rapporter")
    return context, desk


def test_hidden_characters_and_100_kb_fields_through_the_form_then_the_excel_export(
    server, browser, artifacts
):
    url, store = server
    context, phone = reporter_phone(browser, url)

    # Control characters and a right-to-left override: stored clean, and the page says so.
    fill_report(phone, f"Klotter{HIDDEN} på väggen", f"Fritid{HIDDEN[1]}")
    send(phone)
    phone.get_by_text("Tack! Rapporten är sparad.").wait_for()
    phone.get_by_text("Osynliga tecken togs bort innan rapporten sparades:").wait_for()
    shown = phone.locator("[data-testid='stMain']").inner_text()
    assert "Anteckningen: 4 osynliga tecken" in shown
    assert "Fältet Verksamhet: ett osynligt tecken" in shown
    assert_no_exception(phone)
    screenshot(phone, artifacts / "rapportera-osynliga-tecken-390x844.png")
    stored = ritas(store)
    assert stored[["note", "service"]].values.tolist() == [["Klotter på väggen", "Fritid"]]

    # 100 kB pasted into the note and the service field: the fields take at most their
    # limit (the form refuses a longer paste whole), and nothing longer is stored.
    phone.get_by_role("button", name="Rapportera något mer").click()
    wait_until_rendered(phone, HEADING)
    fill_report(phone, "x" * 100_000, "y" * 100_000)
    assert len(phone.get_by_role("textbox", name=NOTE_LABEL).input_value()) <= 1_000
    assert len(phone.get_by_role("textbox", name="Verksamhet").input_value()) <= 128
    screenshot(phone, artifacts / "rapportera-100kB-390x844.png")
    send(phone)
    phone.get_by_text("Tack! Rapporten är sparad.").wait_for()
    assert_no_exception(phone)
    stored = ritas(store)
    assert len(stored) == 2
    assert stored["note"].str.len().max() <= 1_000
    assert stored["service"].str.len().max() <= 128

    # Personal data in the service field: refused, naming the field and the kind only.
    phone.get_by_role("button", name="Rapportera något mer").click()
    wait_until_rendered(phone, HEADING)
    fill_report(phone, "Klotter på perrongen", "Fritid anna.berg (at) hallsberg.se")
    send(phone)
    refusal = phone.get_by_text("Fältet Verksamhet innehåller en e-postadress och sparades inte")
    refusal.wait_for()
    assert "anna.berg" not in phone.locator("[data-testid='stAlert']").first.inner_text()
    screenshot(phone, artifacts / "rapportera-epost-i-verksamhet-390x844.png")
    assert len(ritas(store)) == 2
    context.close()

    # A row from before the gate (an older store): control characters in its note.
    when = dt.datetime(2025, 5, 1, 12)
    sub = est_cases.Submission("gammal", "klotter", when, 1, "", "Hallsbergs station")
    est_cases.submit(store, load_municipality("hallsberg"), sub, "Olle")
    with store.engine.begin() as conn:
        conn.execute(
            est_tables.reports.update()
            .where(est_tables.reports.c.id == "gammal")
            .values(note=f"Gammal{HIDDEN}anteckning")
        )

    # The analyst's Excel export holds every report.
    desk_context, desk = analyst_desk(browser, url)
    desk.get_by_role("tab", name="Filer").click()
    # The uploader for reports from another system speaks Swedish, as on the Data page (the
    # shared widgets.swedish_uploader): its button read "Upload" before.
    zone = desk.get_by_test_id("stFileUploaderDropzone")
    zone.wait_for()
    shown = zone.evaluate(
        """z => [...z.querySelectorAll('p, span')].map(
            e => getComputedStyle(e, '::after').content).join(' ')"""
    )
    assert "Välj fil" in shown and "CSV, Excel (.xlsx)" in shown, shown
    button = zone.get_by_test_id("stBaseButton-secondary").locator("p")
    assert button.evaluate("p => getComputedStyle(p).fontSize") == "0px"
    with desk.expect_download(timeout=60_000) as download:
        desk.get_by_role("button", name="Ladda ner alla rapporter (Excel)").click()
    path = artifacts / "rapporter-export.xlsx"
    download.value.save_as(str(path))
    rows = list(openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows())
    header = [c.value for c in rows[0]]
    by_id = {r[0].value: dict(zip(header, [c.value for c in r], strict=True)) for r in rows[1:]}
    assert by_id["gammal"]["anteckning"] == "Gammal[U+0001][U+0007][U+001B][U+202E]anteckning"
    notes = [r["anteckning"] for r in by_id.values()]
    assert "Klotter på väggen" in notes
    assert len(by_id) == len(est_cases.read_reports(store))
    assert_no_exception(desk)
    screenshot(desk, artifacts / "arenden-filer-1920x1080.png")
    desk_context.close()


def test_the_rate_limit_stops_the_21st_report_in_an_hour(server, browser, artifacts):
    url, store = server
    muni = load_municipality("hallsberg")
    assert muni.report_rate_per_reporter == 20
    when = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    for i in range(19):  # nineteen sent from the phone a moment ago
        sub = est_cases.Submission(f"tidigare-{i}", "klotter", when, 1, "", "Hallsbergs station")
        est_cases.submit(store, muni, sub, "Rita")
    context, phone = reporter_phone(browser, url)
    fill_report(phone, "Den tjugonde")
    send(phone)
    phone.get_by_text("Tack! Rapporten är sparad.").wait_for()
    phone.get_by_role("button", name="Rapportera något mer").click()
    wait_until_rendered(phone, HEADING)
    fill_report(phone, "Den tjugoförsta")
    send(phone)
    phone.get_by_text("Du har skickat 20 rapporter de senaste 60 minuterna").wait_for()
    assert_no_exception(phone)
    screenshot(phone, artifacts / "rapportera-spärr-390x844.png")
    assert len(ritas(store)) == 20
    log = est_cases.read_log(store)
    assert log[log["event"] == "limited"]["account"].tolist() == ["Rita"]
    context.close()

    desk_context, desk = analyst_desk(browser, url)
    notice = desk.get_by_text("Spärren mot för många rapporter har slagit till 1 gång")
    expect(notice).to_be_visible()
    assert "Rita" in notice.inner_text()
    assert_no_exception(desk)
    screenshot(desk, artifacts / "arenden-spärr-1920x1080.png")
    desk_context.close()
