"""Issue 14 in a real browser: a store holding only a police open-events feed (the real file
from ../shared/formats, skipped cleanly without it, and a feed of our own with the same
shape), no sample data. The overview opens on the data, the map shows the localities, an
analyst enters a meeting date on the BRÅ page and the page then counts from it; every page is
photographed at 1920×1080 and 390×844."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ANALYST_PASSWORD, REPO_ROOT, run_server, sign_in_as_analyst
from tests.browser.test_map import MAP_FRAME
from tests.browser.test_pages import PAGES as ALL_PAGES
from tests.browser.test_pages import assert_no_exception, screenshot, wait_until_rendered
from tests.conftest import SHARED

pytestmark = pytest.mark.browser
REAL = SHARED / "formats" / "polisen-events-orebro-lan-2023-2026.json"
# The viewer's pages (the data page needs a sign-in and is tested elsewhere).
PAGES = {k: v for k, v in ALL_PAGES.items() if k != "data"}
PLACES = ("Hallsberg", "Pålsboda", "Vretstorp", "Sköllersta")
TYPES = ("Stöld", "Skadegörelse", "Trafikolycka", "Misshandel", "Brand")


def own_feed() -> list[dict]:
    """Two years of events shaped like the police's feed: the municipality as the location,
    the locality only in the summary, no place of its own."""
    events, day, i = [], dt.date(2024, 9, 3), 0
    while day <= dt.date(2026, 8, 28):
        place, kind = PLACES[i % len(PLACES) if i % 3 else 0], TYPES[i % len(TYPES)]
        events.append(
            {
                "id": 900000 + i,
                "datetime": f"{day.isoformat()} 14:05:00 +02:00",
                "name": f"{day.day:02d} {day.month}, {kind}, Hallsberg",
                "summary": f"{kind} i {place}.",
                "url": f"/aktuellt/handelser/{i}",
                "type": kind,
                "location": {"name": "Hallsberg", "gps": "59.066471,15.110507"},
            }
        )
        day += dt.timedelta(days=3 + i % 4)
        i += 1
    return events


def feed_file(kind: str, directory):
    if kind == "police":
        if not REAL.is_file():
            pytest.skip(f"the real police file is not available ({REAL})")
        return REAL
    path = directory / "egen-hamtning.json"
    path.write_text(json.dumps(own_feed(), ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["police", "own"])
def feed_url(request, browser, tmp_path_factory):
    from lib.passwords import MIN_ITERATIONS, hash_password

    workdir = tmp_path_factory.mktemp(f"feed-{request.param}")
    path = feed_file(request.param, workdir)
    db = workdir / "trygghet.db"
    subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(db), "import", str(path)],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    secrets = workdir / "secrets.toml"
    hashed = hash_password(ANALYST_PASSWORD, MIN_ITERATIONS)
    secrets.write_text(f'[analyst]\nname = "Testanalytiker"\npassword_hash = "{hashed}"\n')
    with run_server(workdir, secrets) as url:
        yield request.param, url


def open_at(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return context, page


def test_the_overview_opens_on_the_feeds_latest_months(browser, feed_url, artifacts):
    kind, url = feed_url
    context, page = open_at(browser, url, 1920, 1080)
    try:
        wait_until_rendered(page, PAGES["oversikt"][1])
        assert_no_exception(page)
        expect(page.get_by_text("Inga händelser matchar urvalet")).to_have_count(0)
        expect(page.get_by_text("Exempeldata")).to_have_count(0)
        # The latest 12 complete months of the feed, not the 2018 promise year.
        expect(page.get_by_text("1 augusti 2025–31 juli 2026").first).to_be_visible()
        expect(page.get_by_text("registrerades").first).to_be_visible()
        screenshot(page, artifacts / f"real-{kind}-oversikt-opens-1920x1080.png")
    finally:
        context.close()


def test_the_map_shows_the_localities(browser, feed_url, artifacts):
    kind, url = feed_url
    context, page = open_at(browser, url + "/karta", 1920, 1080)
    try:
        wait_until_rendered(page, "Karta")
        assert_no_exception(page)
        frame = page.frame_locator(MAP_FRAME).first
        circles = frame.locator("path.trygghet-off-map")
        expect(circles.first).to_be_visible()
        assert circles.count() >= 2
        expect(frame.locator(".trygghet-legend")).to_contain_text("utan exakt plats")
        expect(page.get_by_text("Orter: händelser utan exakt plats")).to_be_visible()
        screenshot(page, artifacts / f"real-{kind}-karta-localities-1920x1080.png")
    finally:
        context.close()


def test_a_meeting_date_entered_in_the_app_sets_the_bra_period(browser, feed_url, artifacts):
    kind, url = feed_url
    context, page = open_at(browser, url + "/data", 1366, 900)
    try:
        wait_until_rendered(page, "Data")
        sign_in_as_analyst(page)
        # Through the navigation: a new page load would be a new session (signed out).
        page.get_by_test_id("stSidebarNav").get_by_text("BRÅ-möte").click()
        wait_until_rendered(page, "Lägesbild för BRÅ")
        page.get_by_test_id("stExpander").get_by_text("BRÅ:s mötesdatum").click()
        # Streamlit's date field: a year, a month and a day segment (named in Swedish by
        # lib.app.frontend.swedish_frontend), typed in turn.
        page.get_by_role("spinbutton", name="år, Mötesdag").click()
        page.keyboard.type("2026")
        page.get_by_role("spinbutton", name="månad, Mötesdag").click()
        page.keyboard.type("06")
        month = page.get_by_role("spinbutton", name="månad, Mötesdag")
        expect(month).to_have_attribute("aria-valuetext", "06 – juni")  # read out in Swedish
        page.get_by_role("spinbutton", name="dag, Mötesdag").click()
        page.keyboard.type("15")
        page.get_by_role("button", name="Lägg till mötesdatum").click()
        expect(page.get_by_text("Mötesdatumet 15 juni 2026 sparades")).to_be_visible()
        wait_until_rendered(page, "Lägesbild för BRÅ")
        period = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
        expect(period.locator("input")).to_have_value(re.compile("Sedan mötet 15 juni 2026"))
        expect(page.get_by_text("15 juni 2026–").first).to_be_visible()
        assert_no_exception(page)
        screenshot(page, artifacts / f"real-{kind}-mote-since-meeting-1366.png")
    finally:
        context.close()


# One screen per feed, the two together covering a projector's and a phone's (every page at
# every size, in the states a deployment passes through: python -m tests.browser.screens).
SCREENS = {"police": (1920, 1080), "own": (390, 844)}


def test_every_page_on_real_data(browser, feed_url, artifacts):
    kind, url = feed_url
    width, height = SCREENS[kind]
    context, page = open_at(browser, url, width, height)
    try:
        for name, (path, title) in PAGES.items():
            page.goto(url + path)
            wait_until_rendered(page, title)
            assert_no_exception(page)
            expect(page.get_by_text("Exempeldata")).to_have_count(0)
            screenshot(page, artifacts / f"real-{kind}-{name}-{width}x{height}.png")
    finally:
        context.close()
