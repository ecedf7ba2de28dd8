"""Signals in Chromium (issue 22): a store built through the command line's import from the
made-up town of ``tests/trouble_data.py`` (four stable years and a burst of 12 incidents of
vandalism within 60 m in the last ten days). A signed-in analyst sees the alert with its
recurrence interval, its map and the incidents behind it on Ärenden and in the
Veckolägesbild for the burst's week, and on the BRÅ page; a viewer who is not signed in sees
no signal anywhere."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests import trouble_data as td
from tests.browser.conftest import (
    ANALYST_PASSWORD,
    PAGE_TIMEOUT_MS,
    REPO_ROOT,
    run_server,
    sign_in_as_analyst,
)
from tests.browser.test_pages import assert_no_exception, screenshot

pytestmark = pytest.mark.browser

HEADING = "Signaler: nya koncentrationer av händelser"
RECURRENCE = "En så stark signal ger slumpen ungefär en gång på 2,7 år"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


@pytest.fixture(scope="module")
def town_url(browser, tmp_path_factory):
    from lib.passwords import MIN_ITERATIONS, hash_password

    workdir = tmp_path_factory.mktemp("signaler")
    path = td.write_incidents(workdir / "handelser.csv", td.incidents())
    env = {**os.environ, "TRYGGHET_SAMPLE": "0"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lib.cli",
            "--db",
            str(workdir / "trygghet.db"),
            "import",
            str(path),
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        env=env,
    )
    secrets = workdir / "secrets.toml"
    hashed = hash_password(ANALYST_PASSWORD, MIN_ITERATIONS)
    secrets.write_text(f'[analyst]\nname = "Testanalytiker"\npassword_hash = "{hashed}"\n')
    with run_server(workdir, secrets) as url:
        yield url


def settled(page) -> None:
    page.wait_for_selector(IDLE)
    page.wait_for_timeout(1000)
    page.wait_for_selector(IDLE)


def analyst_page(browser, url: str, path: str, width: int = 1920, height: int = 1080):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(url + path)  # a page load is a new session: sign in on the page itself
    settled(page)
    sign_in_as_analyst(page)  # the shared helper: it clicks again when a click went missing
    settled(page)
    return context, page


def check_alert(page) -> None:
    """The alert in words, its table, its map and the incidents behind it."""
    expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
    alert = page.get_by_text(RECURRENCE)
    expect(alert).to_be_visible()
    assert "Hallsberg" in alert.inner_text()
    frame = page.locator("[data-testid='stMain'] iframe").last
    expect(frame).to_be_visible()
    # The alert's circle and its incidents are drawn (Leaflet paths in the map's frame).
    drawn = page.frame_locator("[data-testid='stMain'] iframe").last.locator("path")
    expect(drawn.first).to_be_attached()
    assert drawn.count() > td.BURST
    behind = page.get_by_test_id("stExpander").filter(has_text="Händelserna bakom signal 1")
    table = behind.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()  # open: the only alert's incidents are listed at once
    # One row per incident (the grid's rows, the header included), vandalism among them.
    rows = int(table.locator("[aria-rowcount]").first.get_attribute("aria-rowcount"))
    assert rows - 1 >= td.BURST
    assert table.get_by_text("Skadegörelse", exact=True).count() >= 1
    assert_no_exception(page)


def test_the_analyst_sees_the_signal_on_arenden(browser, town_url, artifacts):
    context, page = analyst_page(browser, town_url, "/arenden")
    try:
        expect(page.get_by_text("Läget till och med 30 november 2025")).to_be_visible()
        check_alert(page)
        screenshot(page, artifacts / "signaler-arenden-1920.png")
    finally:
        context.close()


def test_the_analyst_sees_the_signal_in_the_weekly_picture(browser, town_url, artifacts):
    week = td.END - dt.timedelta(days=td.END.weekday())
    context, page = analyst_page(browser, town_url, f"/veckolage?vecka={week.isoformat()}")
    try:
        check_alert(page)
        screenshot(page, artifacts / "signaler-veckolage-1920.png")
    finally:
        context.close()


def test_the_weekly_picture_of_an_earlier_week_has_no_alert(browser, town_url):
    context, page = analyst_page(browser, town_url, "/veckolage?vecka=2025-10-20")
    try:
        expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
        expect(page.get_by_text("Inga signaler till och med 26 oktober 2025")).to_be_visible()
        assert page.get_by_text(RECURRENCE).count() == 0
    finally:
        context.close()


def test_the_bra_page_shows_signals_only_to_a_signed_in_analyst(browser, town_url):
    # The BRÅ page has no sign-in box: sign in on Ärenden, then follow the menu (one session).
    context, page = analyst_page(browser, town_url, "/arenden")
    try:
        page.get_by_test_id("stSidebar").get_by_role("link", name="BRÅ-möte").click()
        settled(page)
        expect(page.get_by_role("heading", name=HEADING)).to_be_visible()
        expect(page.get_by_text(RECURRENCE)).to_be_visible()
        assert_no_exception(page)
    finally:
        context.close()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        for path in ("/mote", "/karta", "/"):
            page.goto(town_url + path)
            settled(page)
            assert_no_exception(page)
            assert page.get_by_text("Signaler").count() == 0, path
            assert page.get_by_text(RECURRENCE).count() == 0, path
    finally:
        context.close()
