"""The real app in headless Chromium: every page renders in Swedish without exceptions, the key
number matches an independent count, and a URL reproduces a filtered view."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under CI=true, and says why
    expect = None

pytestmark = pytest.mark.browser

PROMISE_YEAR = (dt.date(2018, 10, 1), dt.date(2019, 9, 30))
BANNER = "Exempeldata – fiktiva händelser"
APP_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PAGES = {
    "oversikt": ("/", "Trygghet i Hallsbergs kommun"),
    "utveckling": ("/utveckling", "Utveckling"),
    "karta": ("/karta", "Karta"),
    "medborgarloftet": ("/medborgarloftet", "Medborgarlöftet"),
    "jamforelse": ("/jamforelse", "Jämförelse med andra kommuner"),
    "mote": ("/mote", "Lägesbild för BRÅ"),
    "data": ("/data", "Data"),
    "om": ("/om", "Om statistiken"),
}
NAV_NAMES = {  # where the navigation names a page differently from its heading
    "Trygghet i Hallsbergs kommun": "Översikt",
    "Jämförelse med andra kommuner": "Jämförelse",
    "Lägesbild för BRÅ": "BRÅ-möte",
}
VIEWPORTS = [(1366, 768), (1920, 1080)]


def wait_until_rendered(page, title: str | None) -> None:
    """Wait until the page's script has run to its end and stays finished.

    The state attribute reads "notRunning" for a moment before the first run starts, and
    between a first run and the rerun that URL-bound widgets may ask for, so first wait for
    the page's own title (any title when ``title`` is None), then for the state to read
    "notRunning" for a whole second.
    """
    if title is None:
        page.locator("h1").first.wait_for(state="visible")
    else:
        page.get_by_role("heading", level=1, name=title).wait_for(state="visible")
    quiet_checks = 0
    while quiet_checks < 5:
        page.wait_for_selector(APP_DONE)
        page.wait_for_timeout(250)
        quiet_checks = quiet_checks + 1 if page.locator(APP_DONE).count() else 0


def assert_no_exception(page) -> None:
    """No Streamlit exception box, and no error box from the front door's guard."""
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, "\n\n".join(exceptions.all_inner_texts())
    assert page.get_by_text("Något gick fel när sidan skulle visas").count() == 0


def expected_count(
    incidents: pd.DataFrame, start: dt.date, end: dt.date, locality: str | None = None
) -> int:
    """Incidents of the sample file from start to end inclusive, counted with plain pandas."""
    day = pd.to_datetime(incidents["datum"], format="ISO8601").dt.normalize()
    mask = (day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))
    if locality is not None:
        mask &= incidents["ort"] == locality
    return int(mask.sum())


def metric_value(page, label: str):
    """The value of the metric whose label is exactly ``label``."""
    label_locator = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    metric = page.get_by_test_id("stMetric").filter(has=label_locator)
    return metric.get_by_test_id("stMetricValue")


def expect_near(locator, expected: int, slack: int = 2) -> None:
    """A public count: the exact count plus the cell-key noise (at most ±2)."""
    expect(locator).to_have_text(re.compile(r"\d"))
    shown = int(re.sub(r"\D", "", locator.inner_text()))
    assert abs(shown - expected) <= slack, (shown, expected)


def selected_options(page, label: str):
    """The tags (chosen options) of the multiselect labelled ``label``."""
    combobox = page.get_by_role("combobox", name=label, exact=True)
    return page.get_by_test_id("stMultiSelect").filter(has=combobox).locator("[data-tag]")


def period_caption(page):
    return page.get_by_test_id("stCaptionContainer").filter(has_text="jämfört med")


def screenshot(page, path: Path) -> None:
    """A full-page screenshot. Streamlit scrolls inside its main section rather than the
    document, so the viewport is made as tall as the content for the picture."""
    size = page.viewport_size
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const inner = main ? main.scrollHeight + main.getBoundingClientRect().top : 0;
            return Math.max(document.documentElement.scrollHeight, inner);
        }"""
    )
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": int(height) + 1})
        page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


# Every page at a laptop's width; the two whose layout changes most with the width (the
# overview's columns, the map's controls) at 1920 too. Every page at every size, in the
# states a deployment passes through: python -m tests.browser.screens.
RENDERS = [(name, *VIEWPORTS[0]) for name in PAGES]
RENDERS += [(name, *VIEWPORTS[1]) for name in ("oversikt", "karta")]


@pytest.mark.parametrize(("name", "width", "height"), RENDERS)
def test_page_renders_in_swedish(open_page, artifacts, name, width, height):
    path, title = PAGES[name]
    page = open_page(path, width, height)
    wait_until_rendered(page, title)
    if name == "oversikt":
        page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()

    assert_no_exception(page)
    expect(page.locator("h1")).to_have_text([title])
    expect(page.get_by_text(BANNER).first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    screenshot(page, artifacts / f"{name}-{width}x{height}.png")
    assert_no_exception(page)


def test_key_number_matches_independent_count(open_page, sample_incidents):
    page = open_page("/")
    wait_until_rendered(page, PAGES["oversikt"][1])
    assert_no_exception(page)
    expect(period_caption(page)).to_contain_text("1 oktober 2018–30 september 2019, jämfört")
    expected = expected_count(sample_incidents, *PROMISE_YEAR)
    expect_near(metric_value(page, "Händelser"), expected)


def test_url_locality_reproduces_view(open_page, sample_incidents):
    page = open_page("/?" + urlencode({"ort": "Pålsboda"}))
    wait_until_rendered(page, PAGES["oversikt"][1])
    assert_no_exception(page)
    # The public chooses one locality or all: a selectbox holding the link's choice.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name="Ort", exact=True)).to_have_value("Pålsboda")
    expected = expected_count(sample_incidents, *PROMISE_YEAR, locality="Pålsboda")
    expect_near(metric_value(page, "Händelser"), expected)


def test_url_period_reproduces_view(open_page, sample_incidents):
    start, end = dt.date(2019, 1, 1), dt.date(2019, 9, 30)  # "i år" on the sample data
    page = open_page("/?" + urlencode({"period": "i-ar"}))
    wait_until_rendered(page, PAGES["oversikt"][1])
    assert_no_exception(page)
    expect(period_caption(page)).to_have_text(
        "1 januari 2019–30 september 2019, jämfört med 1 januari 2018–30 september 2018"
    )
    expected = expected_count(sample_incidents, start, end)
    expect_near(metric_value(page, "Händelser"), expected)


def test_sidebar_navigation_to_about(open_page):
    page = open_page("/")
    wait_until_rendered(page, PAGES["oversikt"][1])
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Om statistiken").click()
    page.wait_for_url(re.compile(r"/om(\?|$)"))
    wait_until_rendered(page, PAGES["om"][1])
    assert_no_exception(page)
    expect(page.get_by_text(BANNER).first).to_be_visible()
    expect(page.get_by_role("heading", name="Orter och befolkning")).to_be_visible()


def test_first_visit_after_start_straight_to_a_subpage(browser, tmp_path):
    """Streamlit runs a `pages/` folder as an old-style app until st.navigation has run once
    in the process; the first visitor of a fresh server must still get the real app."""
    from tests.browser.conftest import run_server

    with run_server(tmp_path) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
        try:
            page = context.new_page()
            page.goto(url + "/om")
            wait_until_rendered(page, "Om statistiken")
            assert_no_exception(page)
            nav = page.locator("[data-testid='stSidebarNav']")
            # The old mode lists the files (dashboard, om, oversikt, …) as links instead.
            links = nav.get_by_role("link")
            expect(links).to_have_count(len(PAGES))
            for _, title in PAGES.values():
                name = NAV_NAMES.get(title, title)
                expect(nav.get_by_role("link", name=name)).to_be_visible()
        finally:
            context.close()


def test_trends_tabs_draw(open_page, artifacts):
    page = open_page("/utveckling", 1366, 768)
    wait_until_rendered(page, "Utveckling")
    tabs = ["Över tid", "Förändring", "Ovanliga månader", "Tid på dygnet"]
    for name in tabs:
        page.get_by_role("tab", name=name).click()
        panel = page.get_by_role("tabpanel", name=name)
        if name == "Förändring":
            expect(panel.get_by_text("Ladda ner Excel")).to_be_visible()
            expect(panel.locator("[data-testid='stDataFrame']")).to_be_visible()
        else:
            expect(panel.locator("[data-testid='stPlotlyChart'] .main-svg").first).to_be_visible()
        assert_no_exception(page)
        screenshot(page, artifacts / f"utveckling-{tabs.index(name)}-1366x768.png")


def test_promise_page_timeline_and_follow_up(open_page, artifacts):
    page = open_page("/medborgarloftet", 1920, 1080)
    wait_until_rendered(page, "Medborgarlöftet")
    expect(page.get_by_text("Exempeldata").first).to_be_visible()
    expect(metric_value(page, "Trygghetsvandringar")).to_have_text("5 av 4 st")
    expect(page.locator("[data-testid='stPlotlyChart'] .main-svg").first).to_be_visible()
    expect(page.get_by_text("Ladda ner Excel").first).to_be_visible()
    assert_no_exception(page)
    screenshot(page, artifacts / "medborgarloftet-timeline-1920x1080.png")


def test_analyst_signs_in_and_imports_a_swedish_excel_csv(open_page, artifacts, tmp_path):
    from tests.browser.conftest import sign_in_as_analyst

    page = open_page("/data", 1366, 768)
    wait_until_rendered(page, "Data")
    expect(page.get_by_text("Logga in som analytiker")).to_be_visible()
    sign_in_as_analyst(page)
    # Streamlit's uploader speaks English; the page replaces its words with Swedish ones.
    wait_until_rendered(page, "Data")
    shown = page.get_by_test_id("stFileUploaderDropzone").evaluate(
        """z => [...z.querySelectorAll('p, span')].map(
            e => getComputedStyle(e, '::after').content).join(' ')"""
    )
    from lib.ingest.limits import MAX_UPLOAD_MB

    assert "Välj fil" in shown and f"högst {MAX_UPLOAD_MB} MB" in shown, shown
    # And what a screen reader reads there: Swedish too (lib.app.frontend's lists).
    from tests.browser.test_swedish_frontend import SURVEY, english

    zone = page.get_by_test_id("stFileUploaderDropzone")
    expect(zone).to_contain_text(f"högst {MAX_UPLOAD_MB}MB per fil")
    values = page.evaluate(SURVEY)
    assert not english(values), english(values)
    csv = tmp_path / "export.csv"
    csv.write_bytes(
        (
            "datum;kategori;ort;källa\r\n"
            "2019-03-05 22:15;Skadegörelse;Hallsberg;Polisen\r\n"
            "2019-13-01;Klotter;Pålsboda;Kommunens rapportering\r\n"
        ).encode("cp1252")
    )
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(csv))
    expect(page.get_by_text("Kontroll före import")).to_be_visible()
    expect(metric_value(page, "Rader med fel")).to_have_text("1")
    assert_no_exception(page)
    screenshot(page, artifacts / "data-preview-1366x768.png")
    # Real data replaces the demo by default; this server's other tests need the sample, so
    # the analyst keeps it (the box is ticked until unticked).
    keep = page.get_by_role("checkbox", name=re.compile("Ta bort exempeldata i samma steg"))
    expect(keep).to_be_checked()
    keep.uncheck(force=True)
    expect(keep).not_to_be_checked()
    page.get_by_role("button", name="Spara 1 rad godkända").click()
    expect(page.get_by_text("1 rad lästes in från export.csv")).to_be_visible()
    assert_no_exception(page)


@pytest.mark.parametrize("path", ["/", "/utveckling", "/mote?presentation=1"])
def test_no_request_leaves_the_dashboard(open_page, app_url, path):
    """No CDN, font server or icon service: every request goes to the dashboard itself
    (GDPR, and meeting rooms without internet). Outside requests are recorded and refused."""
    page = open_page("/om", 1366, 768)  # a first page, then the one under test, routed
    outside = []

    def guard(route):
        if route.request.url.startswith(app_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    page.goto(app_url + path)
    page.get_by_role("heading", level=1).first.wait_for(state="visible")
    page.wait_for_timeout(1500)
    assert outside == []
