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


def boxes_overlap(a: dict, b: dict, gap: float = 0) -> bool:
    return (
        a["x"] < b["x"] + b["width"] + gap
        and b["x"] < a["x"] + a["width"] + gap
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_month_labels_do_not_run_together_on_a_phone(open_page, artifacts):
    """The overview's monthly chart at 390 px: no two month labels touch ("febmarsapr")."""
    page = open_page("/", *PHONE)
    wait_until_rendered(page, "Trygghet i Hallsbergs kommun")
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.locator(".xtick text").first.wait_for()
    chart.scroll_into_view_if_needed()
    labels = chart.locator(".xtick text")
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    assert len(boxes) >= 3, boxes
    touching = [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[i + 1 :], i + 1)
        if boxes_overlap(a, b, gap=4)
    ]
    assert not touching, (touching, boxes)
    page.screenshot(path=str(artifacts / "oversikt-diagram-390x844.png"))


def test_a_tables_toolbar_does_not_cover_the_heading_above_it(open_page, artifacts):
    """On a phone the heading above a table spans the screen: the table's toolbar (search,
    download, full screen) must take its own line, not lie over the heading."""
    page = open_page("/", *PHONE)
    wait_until_rendered(page, "Trygghet i Hallsbergs kommun")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    grid.hover()
    toolbar = page.locator("[data-testid='stElementToolbar']").first
    expect(toolbar).to_be_visible()
    heading = page.get_by_role("heading", name="Största kategorierna")
    box, above = toolbar.bounding_box(), heading.bounding_box()
    assert not boxes_overlap(box, above), (box, above)
    table = grid.bounding_box()
    assert box["y"] + box["height"] <= table["y"] + 1, (box, table)  # above the table too
    page.screenshot(path=str(artifacts / "oversikt-verktyg-390x844.png"))


# The map page's legend and names inside the map's frame (boxes relative to the frame).
MAP_BOXES = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, width: r.width, height: r.height}; };
  const shown = (e) => getComputedStyle(e).visibility !== "hidden" && e.offsetParent !== null;
  return {
    map: box(document.querySelector(".leaflet-container")),
    legend: box(document.querySelector(".trygghet-legend")),
    labels: [...document.querySelectorAll(".trygghet-label")].filter(shown).map(box),
  };
}"""


def test_the_map_legend_leaves_the_map_visible_on_a_phone(open_page, artifacts):
    """At 390 px the legend folds to its title (it covered a third of the map) and opens on a
    tap; the locality names never lie over each other."""
    page = open_page("/karta", *PHONE)
    wait_until_rendered(page, "Karta")
    frame = page.frame_locator(MAP_FRAME).first
    legend = frame.locator(".trygghet-legend")
    legend.wait_for()
    page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
    parts = frame.locator("body").evaluate(MAP_BOXES)
    m, lg = parts["map"], parts["legend"]
    share = lg["width"] * lg["height"] / (m["width"] * m["height"])
    assert share < 0.06, share
    for i, a in enumerate(parts["labels"]):
        for b in parts["labels"][i + 1 :]:
            assert not boxes_overlap(a, b), (a, b)
    page.screenshot(path=str(artifacts / "karta-teckenforklaring-390x844.png"))
    legend.locator(".trygghet-legend-toggle").click()
    expect(legend.locator(".trygghet-legend-body")).to_be_visible()
    opened = frame.locator("body").evaluate(MAP_BOXES)["legend"]
    assert opened["height"] > lg["height"]
    # Zoomed out to the whole municipality: several towns' names, none over another.
    for _ in range(2):
        frame.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(600)  # the zoom's animation, then the names are placed
    labels = frame.locator("body").evaluate(MAP_BOXES)["labels"]
    assert len(labels) >= 3, labels
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not boxes_overlap(a, b), (a, b)
    page.screenshot(path=str(artifacts / "karta-orter-390x844.png"))
