"""Streamlit's own frontend words in Swedish (lib.frontend.swedish_frontend): no English label,
placeholder or text from lib.app.frontend's lists is left on a real page, the Swedish ones are there
(so a Streamlit that changes a word fails here), and a label that React changes while the
page is in use (the password field's show/hide button) is put into Swedish again."""

from __future__ import annotations

import re

import pytest

from lib.app import frontend
from tests.browser.test_map import MAP_FRAME
from tests.browser.test_pages import PAGES, assert_no_exception, wait_until_rendered

try:
    from playwright.sync_api import expect
except ImportError:
    expect = None

pytestmark = pytest.mark.browser

SURVEY = """() => {
  const found = [];
  for (const a of ["aria-label", "title", "placeholder"])
    for (const e of document.querySelectorAll("[" + a + "]")) found.push(e.getAttribute(a));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) found.push(walker.currentNode.nodeValue.trim());
  return found;
}"""


def english(values: list[str]) -> set[str]:
    """The values that are one of Streamlit's English words in lib.app.frontend's lists."""
    words = set(frontend.FRONTEND_LABELS) | set(frontend.FRONTEND_TEXTS)
    patterns = [re.compile(p) for p in frontend.FRONTEND_PATTERNS]
    return {v for v in values if v in words or any(p.match(v) for p in patterns)}


def test_every_page_has_streamlits_words_in_swedish(open_page, app_url):
    page = open_page("/", 1366, 768)
    seen: list[str] = []
    for path, title in PAGES.values():
        page.goto(app_url + path)
        wait_until_rendered(page, title)
        assert_no_exception(page)
        values = page.evaluate(SURVEY)
        assert not english(values), (path, english(values))
        seen += values
    # The Swedish is there: each of these is on some page (the overview has most of them).
    for words in (
        "Sidor",
        "Sidomeny",
        "Fäll ihop sidomenyn",
        "Huvudmeny",
        "Länk till rubriken",
        "Hjälp om Händelser",
        "Ladda ner som CSV",
        "Sök",
        "Helskärm",
        "Visa eller dölj kolumner",
        "Hoppa till huvudinnehållet",
    ):
        assert words in seen, words
    page.goto(app_url + "/karta")
    wait_until_rendered(page, "Karta")
    expect(page.locator(MAP_FRAME).first).to_have_attribute("title", "Karta")
    assert page.evaluate("document.documentElement.lang") == "sv"


def test_a_label_react_changes_is_put_into_swedish_again(open_page):
    page = open_page("/data", 1366, 768)
    wait_until_rendered(page, "Data")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Inloggning", exact=True).click()
    show = sidebar.get_by_role("button", name="Visa lösenord")
    expect(show).to_be_visible()
    show.click()  # React now names the button "Hide password"
    expect(sidebar.get_by_role("button", name="Dölj lösenord")).to_be_visible()
    assert not english(page.evaluate(SURVEY))
