"""The map page in headless Chromium with every request outside the dashboard blocked: the
map's iframe loads Leaflet from the dashboard itself and draws the grid; nothing but map
tiles is ever asked for outside, and with "ingen bakgrundskarta" not even those."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.browser.test_pages import assert_no_exception, screenshot, wait_until_rendered

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under CI=true, and says why
    expect = None

pytestmark = pytest.mark.browser

TITLE = "Karta"
MAP_FRAME = "iframe[src*='streamlit_folium']"
NO_TILES = {"bakgrund": "ingen bakgrundskarta"}  # URL-bound widgets keep their labels


def offline_page(browser, app_url: str, path: str, width: int = 1366, height: int = 768):
    """A page whose requests to anywhere but the dashboard are aborted; those from the map's
    iframe are recorded (test_pages checks that the rest of the app asks for nothing
    outside)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(app_url) or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            if "streamlit_folium" in r.request.frame.url:
                blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(app_url + path)
    return context, page, blocked


def grid_cells(page):
    frame = page.frame_locator(MAP_FRAME).first
    return frame.locator(".leaflet-overlay-pane path.trygghet-cell")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)], ids=str)
def test_map_draws_offline_with_tiles_the_only_outside_request(
    browser, app_url, artifacts, width, height
):
    # The background is off until asked for; a shared link may ask with a short word.
    context, page, blocked = offline_page(browser, app_url, "/karta?bakgrund=osm", width, height)
    try:
        wait_until_rendered(page, TITLE)
        expect(grid_cells(page).first).to_be_attached()
        assert grid_cells(page).count() > 50
        frame = page.frame_locator(MAP_FRAME).first
        expect(frame.locator(".trygghet-legend")).to_contain_text("Händelser per ruta")
        expect(frame.locator(".leaflet-overlay-pane path.trygghet-outline")).to_have_count(1)
        assert_no_exception(page)
        screenshot(page, artifacts / f"karta-map-{width}x{height}.png")
        outside = [u for u in blocked if "tile.openstreetmap.org" not in u]
        assert outside == [], outside  # no CDN, no fonts, no scripts from anywhere else
        assert blocked, "the map asked for no tiles: is the background map gone?"
    finally:
        context.close()


def test_no_background_map_means_no_outside_request(browser, app_url, artifacts):
    context, page, blocked = offline_page(
        browser, app_url, "/karta?" + urlencode({**NO_TILES, "vy": "Hotspots"})
    )
    try:
        wait_until_rendered(page, TITLE)
        frame = page.frame_locator(MAP_FRAME).first
        expect(grid_cells(page).first).to_be_attached()
        # The demo's two years give no baseline to call a cell hot against (no earlier
        # years, no population grid): the map keeps the counts and the page says why.
        expect(frame.locator(".trygghet-legend")).to_contain_text("Händelser per ruta")
        expect(page.get_by_text("Ingen ruta kallas het eller kall")).to_be_visible()
        expect(frame.locator(".leaflet-tile-pane img")).to_have_count(0)
        assert_no_exception(page)
        screenshot(page, artifacts / "karta-hotspots-1366x768.png")
        assert blocked == []
    finally:
        context.close()


def test_heat_map_draws_offline(browser, app_url, artifacts):
    context, page, blocked = offline_page(
        browser, app_url, "/karta?" + urlencode({**NO_TILES, "vy": "Värmekarta"})
    )
    try:
        wait_until_rendered(page, TITLE)
        frame = page.frame_locator(MAP_FRAME).first
        expect(frame.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
        assert_no_exception(page)
        screenshot(page, artifacts / "karta-heat-1366x768.png")
        assert blocked == []
    finally:
        context.close()
