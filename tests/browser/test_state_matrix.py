"""The state matrix's map pages in Chromium (issue 21.1): the map and the reporting page are
drawn by streamlit-folium, which only renders in a browser, so the AppTest matrix
(tests/test_state_matrix.py) cannot see them. For the states a deployment passes through
that the other browser tests do not start from (an empty store, the police feed plus a report
filed today, a second municipality), each built through the product's own paths by the
matrix's ``build``: the public map, the reporting page for a viewer and a signed-in reporter
(the map chosen, its outline drawn), and the map for a signed-in analyst. No exception, no
error box, and a map that is drawn."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PAGE_TIMEOUT_MS, run_server
from tests.browser.test_map import MAP_FRAME
from tests.browser.test_pages import assert_no_exception, wait_until_rendered
from tests.browser.test_reporting import sign_in
from tests.test_state_matrix import ANALYST, PASSWORD, REPORTER, build

pytestmark = pytest.mark.browser

STATES = ("empty", "police+report", "second")
TITLES = {"karta": "Karta", "rapportera": "Rapportera en iakttagelse"}


@pytest.fixture(scope="module", params=STATES)
def deployment(request, browser, tmp_path_factory):
    state = build(request.param, tmp_path_factory.mktemp(request.param.replace("+", "-")))
    secrets = None
    if state.secrets:
        secrets = state.db.parent / "secrets.toml"
        lines = ["[kommuner]"]
        for name, codes in state.secrets["kommuner"].items():
            lines.append(f"{name} = [{', '.join(f'{c!r}' for c in codes)}]")
        secrets.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in state.env.items():
            mp.setenv(key, value)
        with run_server(state.db.parent, secrets) as url:
            yield state, url


def open_page(browser, deployment, path: str, width=1366, height=768):
    state, url = deployment
    query = "&".join(f"{k}={v}" for k, v in state.query.items())
    context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(f"{url}/{path}" + (f"?{query}" if query else ""))
    return context, page


def assert_map_drawn(page, deployment=None) -> None:
    """The map with the municipality's outline; on the map page of an empty store, the
    sentence that there is nothing yet instead."""
    if deployment is not None and deployment[0].name == "empty":
        expect(page.get_by_text("Det finns inga händelser ännu")).to_be_visible()
        assert page.locator(MAP_FRAME).count() == 0
        return
    frame = page.frame_locator(MAP_FRAME).first
    expect(frame.locator(".leaflet-container")).to_be_visible()
    expect(frame.locator("path.trygghet-outline").first).to_be_attached()


def test_the_public_map_in_every_state(browser, deployment):
    context, page = open_page(browser, deployment, "karta")
    try:
        wait_until_rendered(page, TITLES["karta"])
        assert_no_exception(page)
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        assert_map_drawn(page, deployment)
    finally:
        context.close()


def test_the_reporting_page_in_every_state(browser, deployment):
    context, phone = open_page(browser, deployment, "rapportera", 390, 844)
    try:
        wait_until_rendered(phone, TITLES["rapportera"])
        assert_no_exception(phone)
        sign_in(phone, REPORTER, password=PASSWORD)
        phone.get_by_role("tab", name="Ny rapport").wait_for()
        phone.get_by_text("Tryck på kartan", exact=True).click()
        wait_until_rendered(phone, TITLES["rapportera"])
        assert_no_exception(phone)
        assert_map_drawn(phone)
        phone.get_by_role("tab", name="Mina rapporter").click()
        assert_no_exception(phone)
    finally:
        context.close()


def test_the_analysts_map_in_every_state(browser, deployment):
    context, page = open_page(browser, deployment, "karta", 1920, 1080)
    try:
        wait_until_rendered(page, TITLES["karta"])
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Inloggning", exact=True).click()
        sign_in(page, ANALYST, sidebar, PASSWORD)
        expect(sidebar.get_by_text("Analytiker", exact=True)).to_be_visible()
        wait_until_rendered(page, TITLES["karta"])
        assert_no_exception(page)
        if deployment[0].name != "empty":  # analysts only
            expect(page.get_by_text("Visa enskilda händelser")).to_be_visible()
        assert_map_drawn(page, deployment)
    finally:
        context.close()
