"""EST reporting end to end in Chromium: a reporter on a 390 × 844 phone signs in, is refused
a note with a personal identity number, reports with a pin on the map and sees the report
under "Mina rapporter"; the analyst (1920 × 1080) opens it in the inbox and links it to a new
action, which the reporter then sees; a viewer's overview and ``publish`` count the reports
and never show the note."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from lib.auth import Accounts
from lib.config import load_municipality
from lib.est import cases as est_cases
from lib.i18n import t
from lib.passwords import MIN_ITERATIONS, hash_password
from lib.store.store import Store
from tests.browser.conftest import PAGE_TIMEOUT_MS, REPO_ROOT, run_server, submit_password
from tests.browser.test_pages import assert_no_exception, screenshot, wait_until_rendered

pytestmark = pytest.mark.browser

PASSWORD = "ett-långt-lösenord-2025"
MARKER = "HEMLIGNOTERING"
NEXT = t("meeting.next_view")


@pytest.fixture
def server(browser, tmp_path, monkeypatch):
    monkeypatch.setattr("lib.auth.hash_password", lambda pw: hash_password(pw, MIN_ITERATIONS))
    store = Store(str(tmp_path / "trygghet.db"))
    accounts = Accounts(store)
    accounts.create("Rita", "reporter", PASSWORD, "test", "Fritid", must_change=False)
    accounts.create("Alva", "analyst", PASSWORD, "test", must_change=False)
    with run_server(tmp_path) as url:
        yield url, store, tmp_path


def open_at(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(url)
    return context, page


def sign_in(page, name: str, scope=None, password: str = PASSWORD) -> None:
    """The name-and-password form (reporters, and analysts with accounts), in ``scope``."""
    scope = scope or page
    scope.get_by_label("Namn").fill(name)
    field = scope.get_by_label("Lösenord", exact=True)
    field.fill(password)
    submit_password(page, field, scope.get_by_role("button", name="Logga in"), password)


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).click()


def test_report_triage_and_statistics(server, browser, artifacts):
    url, store, workdir = server
    context, phone = open_at(browser, url + "/rapportera", 390, 844)
    wait_until_rendered(phone, "Rapportera en iakttagelse")
    # The app's first start seeded the demo, its reports included: count from there.
    before = set(est_cases.read_reports(store)["id"])
    screenshot(phone, artifacts / "rapportera-viewer-390x844.png")
    sign_in(phone, "Rita")
    phone.get_by_role("tab", name="Ny rapport").wait_for()
    choose(phone, "Vad har du sett?", "Klotter")
    phone.get_by_text("Tryck på kartan", exact=True).click()  # the list comes first
    phone.frame_locator("iframe").first.locator(".leaflet-container").click()
    phone.get_by_text("Markerad plats:").wait_for()
    phone.get_by_role("textbox", name="Beskriv kort (frivilligt)").fill("Han heter 811218-9876")
    phone.get_by_role("button", name="Skicka rapporten").click()
    phone.get_by_text("innehåller ett personnummer och sparades inte").wait_for()
    assert set(est_cases.read_reports(store)["id"]) == before
    phone.get_by_role("textbox", name="Beskriv kort (frivilligt)").fill(
        f"Klotter på väggen {MARKER}"
    )
    phone.keyboard.press("Tab")
    wait_until_rendered(phone, "Rapportera en iakttagelse")
    screenshot(phone, artifacts / "rapportera-form-390x844.png")
    phone.get_by_role("button", name="Skicka rapporten").click()
    phone.get_by_text("Tack! Rapporten är sparad.").wait_for()
    assert_no_exception(phone)
    stored = est_cases.read_reports(store)
    stored = stored[~stored["id"].isin(before)]
    assert len(stored) == 1 and stored.iloc[0]["reporter"] == "Rita"
    new_id = stored.iloc[0]["id"]
    assert stored.iloc[0]["lat"] == stored.iloc[0]["lat"]  # a pin, not NaN
    screenshot(phone, artifacts / "rapportera-saved-390x844.png")
    phone.get_by_role("tab", name="Mina rapporter").click()
    mine = phone.get_by_role("tabpanel", name="Mina rapporter")
    mine.get_by_text("ny", exact=True).wait_for()
    assert "Klotter" in mine.inner_text()
    screenshot(phone, artifacts / "rapportera-mina-390x844.png")

    # The analyst triages it on a desktop and links it to a new action.
    desk_context, desk = open_at(browser, url + "/arenden", 1920, 1080)
    desk.get_by_text("Inloggning", exact=True).first.click()
    sign_in(desk, "Alva", desk.locator("[data-testid='stSidebar']"))
    wait_until_rendered(desk, "Ärenden: inkomna rapporter")
    grid = desk.locator("[data-testid='stDataFrame']").first
    grid.click(position={"x": 18, "y": 35 + 17})  # the first row's (the newest) selection box
    desk.get_by_text("Vald rapport").wait_for()
    # The note arrives with the rerun that shows the chosen report: wait for it.
    expect(desk.locator("[data-testid='stText']").filter(has_text=MARKER).first).to_be_visible()
    desk.get_by_label("Vad görs?").fill("Sanera klottret")
    desk.get_by_role("button", name="Skapa åtgärd och koppla").click()
    wait_until_rendered(desk, "Ärenden: inkomna rapporter")
    assert_no_exception(desk)
    row = est_cases.read_reports(store).set_index("id").loc[new_id]
    assert row["status"] == "planned" and row["action_title"] == "Sanera klottret"
    screenshot(desk, artifacts / "arenden-1920x1080.png")
    events = set(est_cases.read_log(store)["event"])
    assert {"created", "viewed", "linked"} <= events

    # The reporter sees what became of it.
    phone.get_by_role("tab", name="Ny rapport").click()
    phone.get_by_role("button", name="Rapportera något mer").click()  # a rerun, same session
    wait_until_rendered(phone, "Rapportera en iakttagelse")
    phone.get_by_role("tab", name="Mina rapporter").click()
    phone.get_by_text("Åtgärd: Sanera klottret").wait_for()

    # The weekly picture for the meeting.
    desk.get_by_role("link", name="Veckolägesbild").click()  # in the app: the same session
    wait_until_rendered(desk, "Veckolägesbild (EST)")
    assert_no_exception(desk)
    assert desk.get_by_text("för kommunens analytiker").count() == 0
    screenshot(desk, artifacts / "veckolage-1920x1080.png")
    desk.get_by_text("Presentationsläge").click()  # same session: still signed in
    wait_until_rendered(desk, "Veckan i korthet")
    desk.screenshot(path=str(artifacts / "veckolage-presentation-1-1920x1080.png"))
    desk.get_by_role("button", name=NEXT).click()
    wait_until_rendered(desk, "Per plats")
    desk.screenshot(path=str(artifacts / "veckolage-presentation-1920x1080.png"))
    context.close()

    # A viewer's overview and publish count the reports (four more from the same day) and
    # never show the note.
    muni = load_municipality("hallsberg")
    when = stored.iloc[0]["occurred_at"].to_pydatetime()
    for i in range(4):
        sub = est_cases.Submission(f"extra{i}", "klotter", when, 1, MARKER, "Hallsbergs station")
        est_cases.submit(store, muni, sub, "Rita")
    viewer_context, viewer = open_at(browser, url + "/?period=i-ar", 1920, 1080)
    wait_until_rendered(viewer, "Trygghet i Hallsbergs kommun")
    assert_no_exception(viewer)
    shown = viewer.locator("[data-testid='stMain']").inner_text()
    counted = re.search(r"registrerades ([\d\u00a0 ]+) händelser", shown)  # 2026: reports
    assert counted, shown[:2000]
    assert int(re.sub(r"\D", "", counted.group(1))) >= 3 and MARKER not in shown  # noise: ±2
    viewer.goto(url + "/karta?period=i-ar")
    wait_until_rendered(viewer, "Karta")
    assert MARKER not in viewer.content()
    viewer_context.close()
    desk_context.close()
    out = workdir / "publicerat"
    done = subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(workdir / "trygghet.db"), "publish"]
        + [str(out), "--period", "i-ar", "--kalla", "municipal_report"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    overview = json.loads((out / "oversikt.json").read_text(encoding="utf-8"))
    assert isinstance(overview["total"], int) and overview["total"] >= 3
    for path in out.iterdir():
        assert MARKER not in path.read_text(encoding="utf-8")


# Boxes of the visible locality names, the outline's path and the scale, in the map's frame.
MAP_PARTS = """() => {
  const visible = (e) => e.offsetParent !== null && getComputedStyle(e).visibility !== "hidden";
  const box = (e) => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const map = document.querySelector(".leaflet-container").getBoundingClientRect();
  return {
    map: {left: map.left, right: map.right, top: map.top, bottom: map.bottom},
    labels: [...document.querySelectorAll(".trygghet-label")].filter(visible)
      .map((e) => ({text: e.textContent.trim(), box: box(e)})),
    outline: [...document.querySelectorAll("path.trygghet-outline")]
      .map((e) => e.getAttribute("d").length),
    scale: [...document.querySelectorAll(".leaflet-control-scale-line")]
      .map((e) => e.textContent.trim()),
    tiles: document.querySelectorAll("img.leaflet-tile").length,
  };
}"""


def overlapping(boxes: list[dict]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes)
        if i < j
        and a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    ]


def test_the_reporting_map_draws_outline_and_names_without_tiles(server, browser, artifacts):
    """On a phone with no background map configured: the list comes first; the map, once
    chosen, draws the municipality's outline, every locality's name (none over another) and
    a scale in metres, and asks nobody outside for anything."""
    url, _, _ = server
    context, phone = open_at(browser, url + "/rapportera", 390, 844)
    outside = []
    context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"),
        lambda route: (outside.append(route.request.url), route.abort()),
    )
    wait_until_rendered(phone, "Rapportera en iakttagelse")
    sign_in(phone, "Rita")
    phone.get_by_role("tab", name="Ny rapport").wait_for()
    expect(phone.get_by_role("radio", name="Välj plats i listan")).to_be_checked()
    expect(phone.get_by_label("Plats", exact=True)).to_be_visible()  # the list, no map yet
    phone.get_by_text("Tryck på kartan", exact=True).click()
    expect(phone.get_by_text("orange ring", exact=False)).to_be_visible()
    frame = phone.frame_locator("iframe").first
    frame.locator(".trygghet-label").first.wait_for()
    phone.wait_for_timeout(500)  # the names settle after the map's first layout
    parts = frame.locator("body").evaluate(MAP_PARTS)
    names = {label["text"] for label in parts["labels"]}
    muni = load_municipality("hallsberg")
    assert names == {loc.name for loc in muni.localities}, names
    assert not overlapping([label["box"] for label in parts["labels"]])
    m = parts["map"]
    for label in parts["labels"]:  # every name inside the map
        b = label["box"]
        assert b["left"] >= m["left"] and b["right"] <= m["right"], label
    assert parts["outline"] and max(parts["outline"]) > 200  # a drawn polygon, not a dot
    assert parts["scale"] and all("mi" not in s for s in parts["scale"]), parts["scale"]
    assert re.search(r"\d+ k?m", parts["scale"][0])
    assert parts["tiles"] == 0 and not outside, outside
    assert_no_exception(phone)
    screenshot(phone, artifacts / "rapportera-karta-390x844.png")
    context.close()
