"""Presentation mode on a 1920×1080 projector: no sidebar, body text of at least 28 px, one
view at a time with next/previous, and text contrast (WCAG) measured from computed styles."""

from __future__ import annotations

import pytest

from tests.browser.test_pages import assert_no_exception, screenshot, wait_until_rendered

try:
    from playwright.sync_api import expect
except ImportError:
    expect = None

pytestmark = pytest.mark.browser

VIEWS = [
    "Läget i siffror",
    "Utvecklingen månad för månad",
    "Var det händer",
    "Medborgarlöftet",
    "Sedan förra mötet",
]

# Relative luminance and contrast ratio as WCAG 2 defines them, over the computed colours of
# every visible text element (alpha composited over its nearest opaque background).
CONTRAST_JS = """
(selector) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lin = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const background = (el) => {
    let layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      const a = c.length > 3 ? c[3] : 1;
      if (a > 0) layers.push([c[0], c[1], c[2], a]);
      if (a >= 1) break;
    }
    let rgb = [255, 255, 255];
    const mix = (top, a, under) => top.map((v, i) => v * a + under[i] * (1 - a));
    for (const [r, g, b, a] of layers.reverse()) rgb = mix([r, g, b], a, rgb);
    return rgb;
  };
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    // A disabled control is exempt from WCAG's contrast rule, and must look disabled.
    if (el.closest("button:disabled")) continue;
    const s = getComputedStyle(el);
    const c = parse(s.color); const a = c.length > 3 ? c[3] : 1;
    const bg = background(el);
    const fg = [c[0] * a + bg[0] * (1 - a), c[1] * a + bg[1] * (1 - a), c[2] * a + bg[2] * (1 - a)];
    const [l1, l2] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    out.push({text: el.textContent.trim().slice(0, 40), ratio, size: parseFloat(s.fontSize)});
  }
  return out;
}
"""
TEXT = "[data-testid='stMain'] p, [data-testid='stMain'] li, [data-testid='stMain'] td"


def test_presentation_mode_on_a_projector(open_page, artifacts):
    page = open_page("/mote?presentation=1", 1920, 1080)
    wait_until_rendered(page, VIEWS[0])
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    texts = page.evaluate(CONTRAST_JS, TEXT + ", [data-testid='stCaptionContainer']")
    assert texts, "no body text found"
    small = [x for x in texts if x["size"] < 28]
    assert not small, small
    low = [x for x in texts if x["ratio"] < 7]  # AAA in presentation mode
    assert not low, low
    # The size the number is drawn at: its innermost element's (the public count carries
    # the cell-key noise, so the element is found by position, not by its text).
    number = page.get_by_test_id("stMetricValue").first
    innermost = (
        "e => { while (e.firstElementChild) e = e.firstElementChild;"
        " return parseFloat(getComputedStyle(e).fontSize); }"
    )
    assert float(number.evaluate(innermost)) >= 80
    for n, title in enumerate(VIEWS, start=1):
        wait_until_rendered(page, title)
        assert_no_exception(page)
        page.screenshot(path=str(artifacts / f"presentation-{n}-1920x1080.png"))
        if n < len(VIEWS):
            page.get_by_role("button", name="Nästa →").click()
    page.get_by_role("button", name="← Föregående").click()
    wait_until_rendered(page, VIEWS[-2])
    page.get_by_role("button", name="Avsluta presentationen").click()
    wait_until_rendered(page, "Lägesbild för BRÅ")
    expect(page.get_by_test_id("stSidebar")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/utveckling", "/mote"])
def test_text_contrast_meets_wcag_aa(open_page, path):
    page = open_page(path, 1366, 768)
    page.get_by_role("heading", level=1).first.wait_for(state="visible")
    wait_until_rendered(page, page.get_by_role("heading", level=1).first.inner_text())
    texts = page.evaluate(CONTRAST_JS, TEXT + ", [data-testid='stCaptionContainer']")
    assert texts
    low = [x for x in texts if x["ratio"] < 4.5]
    assert not low, low


def test_pdf_download_from_the_meeting_page(open_page, artifacts):
    page = open_page("/mote", 1366, 768)
    wait_until_rendered(page, "Lägesbild för BRÅ")
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner lägesbild (PDF)").click()
    path = artifacts / "lagesbild.pdf"
    download.value.save_as(str(path))
    assert path.read_bytes().startswith(b"%PDF")
    screenshot(page, artifacts / "mote-1366x768.png")


# Every visible text on the page, the charts' SVG text included, with its computed size.
TEXT_SIZES = """() => {
  const out = [];
  const roots = [document.querySelector('[data-testid="stMain"]'),
    ...document.querySelectorAll('[data-testid="stSelectboxVirtualDropdown"]')];
  for (const root of roots) {
    if (!root) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const e = n.parentElement;
      if (!e || !n.textContent.trim()) continue;
      const s = getComputedStyle(e);
      const r = e.getBoundingClientRect();
      if (!r.width || !r.height || s.visibility === "hidden" || s.display === "none") continue;
      if (e.closest("[aria-hidden=true], .modebar")) continue;
      out.push({text: n.textContent.trim().slice(0, 40), size: parseFloat(s.fontSize)});
    }
  }
  return out;
}"""

# The tables' widths against the main column's content width.
TABLE_WIDTHS = """() => {
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  const s = getComputedStyle(block);
  const inner = block.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  return [...document.querySelectorAll('[data-testid="stTable"] table')]
    .map((t) => t.getBoundingClientRect().width / inner);
}"""

WEEKLY_VIEWS = [
    "Veckan i korthet",
    "Per plats",
    "Upprepade signaler",
    "Öppna åtgärder",
    "Tertialet: områden efter behov",
]


def presented_weekly_picture(open_page):
    """The weekly EST picture on the projector: an analyst signs in, then presents."""
    from tests.browser.conftest import ANALYST_PASSWORD

    page = open_page("/veckolage", 1920, 1080)
    wait_until_rendered(page, "Veckolägesbild (EST)")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Inloggning", exact=True).click()
    sidebar.get_by_label("Lösenord", exact=True).fill(ANALYST_PASSWORD)
    sidebar.get_by_role("button", name="Logga in").click()
    toggle = page.get_by_text("Presentationsläge", exact=True)
    toggle.wait_for()  # shown to an analyst only
    toggle.click()
    wait_until_rendered(page, WEEKLY_VIEWS[0])
    return page


def assert_projector_text(page, views, artifacts, name):
    """Every view: no text under 28 px (the period picker and its open list included on
    the meeting page), tables across the whole width, the sidebar hidden."""
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    for n, title in enumerate(views, start=1):
        wait_until_rendered(page, title)
        assert_no_exception(page)
        if n == 2 and name == "mote":
            page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
        texts = page.evaluate(TEXT_SIZES)
        assert any(x["text"] == title for x in texts), texts[:5]
        small = [x for x in texts if x["size"] < 28]
        assert not small, (title, small)
        widths = page.evaluate(TABLE_WIDTHS)
        assert all(w > 0.97 for w in widths), (title, widths)
        page.screenshot(path=str(artifacts / f"{name}-projector-{n}-1920x1080.png"))
        if n < len(views):
            page.locator(".st-key-fram button").click()


def test_one_stylesheet_on_the_meeting_page(open_page, artifacts):
    page = open_page("/mote?presentation=1", 1920, 1080)
    wait_until_rendered(page, VIEWS[0])
    picker = page.get_by_test_id("stSelectbox").first.get_by_role("combobox")
    size = picker.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 28, size  # the period picker, which was about 12 px
    picker.click()
    page.get_by_role("option").first.wait_for()
    texts = page.evaluate(TEXT_SIZES)  # the open list's options among them
    options = page.get_by_role("option").all_inner_texts()
    listed = [x for x in texts if any(x["text"] == o.strip()[:40] for o in options)]
    assert listed and min(x["size"] for x in listed) >= 28, listed
    page.screenshot(path=str(artifacts / "mote-projector-period-1920x1080.png"))
    page.keyboard.press("Escape")
    assert_projector_text(page, VIEWS, artifacts, "mote")


def test_one_stylesheet_on_the_weekly_picture(open_page, artifacts):
    page = presented_weekly_picture(open_page)
    assert_projector_text(page, WEEKLY_VIEWS, artifacts, "veckolage")
