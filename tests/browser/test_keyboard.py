"""The projector: a presenter's clicker (PageDown/PageUp) and the arrow keys step through the
views; every view fits 1920×1080 without scrolling; the disabled "Nästa" looks disabled."""

from __future__ import annotations

import pytest

from tests.browser.test_pages import assert_no_exception, wait_until_rendered
from tests.browser.test_presentation import VIEWS, WEEKLY_VIEWS, presented_weekly_picture

pytestmark = pytest.mark.browser

# Streamlit scrolls inside its main section, not the document: measure both.
HEIGHTS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return {document: document.scrollingElement.scrollHeight, main: main.scrollHeight};
}"""


def test_keys_step_forward_and_back(open_page):
    page = open_page("/mote?presentation=1", 1920, 1080)
    wait_until_rendered(page, VIEWS[0])
    for key, title in (
        ("ArrowRight", VIEWS[1]),
        ("PageDown", VIEWS[2]),
        ("ArrowLeft", VIEWS[1]),
        ("PageUp", VIEWS[0]),
    ):
        page.keyboard.press(key)
        wait_until_rendered(page, title)
        assert_no_exception(page)
    page.keyboard.press("PageUp")  # on the first view: nothing happens
    wait_until_rendered(page, VIEWS[0])


def test_keys_step_the_weekly_picture_too(open_page):
    """The weekly EST picture shares the meeting page's controls and keys."""
    page = presented_weekly_picture(open_page)
    for key, title in (
        ("ArrowRight", WEEKLY_VIEWS[1]),
        ("PageDown", WEEKLY_VIEWS[2]),
        ("ArrowLeft", WEEKLY_VIEWS[1]),
        ("PageUp", WEEKLY_VIEWS[0]),
    ):
        page.keyboard.press(key)
        wait_until_rendered(page, title)
        assert_no_exception(page)


@pytest.mark.parametrize("n", range(1, len(VIEWS) + 1))
def test_every_view_fits_the_projector(open_page, artifacts, n):
    page = open_page(f"/mote?presentation=1&vy={n}", 1920, 1080)
    wait_until_rendered(page, VIEWS[n - 1])
    if n == 2:
        page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / f"presentation-view-{n}-1920x1080.png"))
    heights = page.evaluate(HEIGHTS)
    assert heights["document"] <= 1080 and heights["main"] <= 1080, heights


def test_disabled_next_looks_disabled(open_page):
    page = open_page(f"/mote?presentation=1&vy={len(VIEWS)}", 1920, 1080)
    wait_until_rendered(page, VIEWS[-1])
    colours = """b => ({background: getComputedStyle(b).backgroundColor,
        text: getComputedStyle(b.querySelector('p') || b).color})"""
    last = page.locator(".st-key-fram button").evaluate(colours)
    page.locator(".st-key-bak button").click()
    wait_until_rendered(page, VIEWS[-2])
    enabled = page.locator(".st-key-fram button").evaluate(colours)
    assert page.locator(".st-key-fram button").is_enabled()
    assert last != enabled, (last, enabled)
    assert last["background"] != "rgb(0, 76, 120)"  # not the enabled button's blue
