"""A phone (390×844): the change table's verdict column and the map are on screen without
sideways scrolling; /oversikt is the overview, not Streamlit's "Page not found", and a link to
a page that does not exist gets that box in Swedish."""

from __future__ import annotations

import pytest

from tests.browser.test_map import MAP_FRAME
from tests.browser.test_pages import PAGES, assert_no_exception, screenshot, wait_until_rendered

try:
    from playwright.sync_api import expect
except ImportError:
    expect = None

pytestmark = pytest.mark.browser
PHONE = (390, 844)


def test_verdict_column_is_on_a_phone_screen(open_page, artifacts):
    page = open_page("/utveckling", *PHONE)
    wait_until_rendered(page, "Utveckling")
    page.get_by_role("tab", name="Förändring").click()
    panel = page.get_by_role("tabpanel", name="Förändring")
    grid = panel.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    # The grid draws on a canvas; its accessible table lists the columns it has drawn in
    # view (it is virtualised: the ones off to the right are not listed).
    headers = grid.locator("th[role='columnheader']")
    expect(headers.first).to_be_attached()
    shown = [h.strip() for h in headers.all_text_contents()]
    assert shown[:2] == ["Kategori", "Bedömning"], shown
    assert "Tillförlitlighet" not in shown, shown  # proof that only columns in view are listed
    box = grid.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], box
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE[0]
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / "utveckling-forandring-390x844.png"))


def test_map_starts_on_the_first_phone_screen(open_page, artifacts):
    page = open_page("/karta", *PHONE)
    wait_until_rendered(page, "Karta")
    frame = page.locator(MAP_FRAME).first
    frame.wait_for()
    box = frame.bounding_box()
    assert box is not None and box["y"] < PHONE[1] - 100, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], box
    assert_no_exception(page)
    page.screenshot(path=str(artifacts / "karta-390x844.png"))


def test_oversikt_by_name_is_the_overview(open_page, artifacts):
    page = open_page("/oversikt?ort=P%C3%A5lsboda", 1366, 768)
    wait_until_rendered(page, PAGES["oversikt"][1])
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("dialog").count() == 0
    assert "ort=P%C3%A5lsboda" in page.url  # the link's filters came along
    assert_no_exception(page)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Översikt")).to_have_attribute("aria-current", "page")
    screenshot(page, artifacts / "oversikt-by-name-1366x768.png")


def test_a_link_to_no_page_says_so_in_swedish(open_page, artifacts):
    """Streamlit's own box for an unknown page, with the catalogue's words in it: fails when
    Streamlit changes its words (lib.app.frontend.FRONTEND_TEXTS) or the box."""
    page = open_page("/kartan?ort=P%C3%A5lsboda", *PHONE)
    wait_until_rendered(page, PAGES["oversikt"][1])
    box = page.get_by_role("dialog")
    expect(box.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
    expect(box).to_contain_text("Översikten visas i stället.")
    expect(box.get_by_role("button", name="Stäng")).to_be_visible()
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("Running the app's main page").count() == 0
    assert page.evaluate("document.documentElement.lang") == "sv"
    screenshot(page, artifacts / "sidan-finns-inte-390x844.png")
    box.get_by_role("button", name="Stäng").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
