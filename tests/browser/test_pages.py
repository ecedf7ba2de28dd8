"""The real app in headless Chromium: every page renders in Swedish without exceptions, the key
number matches an independent count, and a URL reproduces a filtered view."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
INCIDENTS_CSV = REPO_ROOT / "data" / "sample" / "incidents.csv"
PROMISE_YEAR = (dt.date(2018, 10, 1), dt.date(2019, 9, 30))
BANNER = "Exempeldata – fiktiva händelser"
APP_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PAGES = {
    "oversikt": ("/", "Trygghet i Hallsbergs kommun"),
    "om": ("/om", "Om statistiken"),
}
VIEWPORTS = [(1366, 768), (1920, 1080)]


def wait_until_rendered(page, title: str) -> None:
    """Wait until the page's script has run to its end.

    The state attribute reads "notRunning" for a moment before the first run starts, so first
    wait for the page's own title, then for the end of the run, and check again after a pause.
    """
    page.get_by_role("heading", level=1, name=title).wait_for(state="visible")
    for _ in range(3):
        page.wait_for_selector(APP_DONE)
        page.wait_for_timeout(500)
        if page.locator(APP_DONE).count():
            return
    page.wait_for_selector(APP_DONE)


def assert_no_exception(page) -> None:
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, "\n\n".join(exceptions.all_inner_texts())


def text(value: str) -> str:
    """Collapse every kind of whitespace (NBSP, narrow NBSP, newlines) into one space."""
    return re.sub(r"\s+", " ", value.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def swedish_int(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def expected_count(start: dt.date, end: dt.date, locality: str | None = None) -> int:
    """Incidents in the sample file from start to end inclusive, counted with plain pandas."""
    frame = pd.read_csv(INCIDENTS_CSV, sep=";", encoding="utf-8-sig", dtype=str)
    day = pd.to_datetime(frame["datum"], format="ISO8601").dt.normalize()
    mask = (day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))
    if locality is not None:
        mask &= frame["ort"] == locality
    return int(mask.sum())


def metric_value(page, label: str) -> str:
    """The value of the metric whose label is exactly ``label``."""
    values = [
        text(metric.locator("[data-testid='stMetricValue']").inner_text())
        for metric in page.locator("[data-testid='stMetric']").all()
        if text(metric.locator("[data-testid='stMetricLabel']").inner_text()) == label
    ]
    assert len(values) == 1, f"expected one metric labelled {label!r}, found {len(values)}"
    return values[0]


def selected_options(page, label: str) -> list[str]:
    """The chosen options of the multiselect labelled ``label`` (its tags, in order)."""
    widget = page.locator("[data-testid='stMultiSelect']").filter(
        has=page.get_by_role("combobox", name=label, exact=True)
    )
    assert widget.count() == 1, f"expected one multiselect labelled {label!r}"
    return [text(tag) for tag in widget.locator("[data-tag]").all_inner_texts()]


def captions(page) -> str:
    return text(" ".join(page.locator("[data-testid='stCaptionContainer']").all_inner_texts()))


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


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=lambda v: str(v))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_in_swedish(open_page, artifacts, name, width, height):
    path, title = PAGES[name]
    page = open_page(path, width, height)
    wait_until_rendered(page, title)
    if name == "oversikt":
        page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()

    assert_no_exception(page)
    assert page.locator("h1").first.inner_text().strip() == title
    assert page.get_by_text(BANNER).first.is_visible()
    screenshot(page, artifacts / f"{name}-{width}x{height}.png")
    assert_no_exception(page)


def test_key_number_matches_independent_count(open_page):
    page = open_page("/")
    wait_until_rendered(page, PAGES["oversikt"][1])
    assert_no_exception(page)
    assert "1 oktober 2018–30 september 2019" in captions(page)
    assert metric_value(page, "Händelser") == swedish_int(expected_count(*PROMISE_YEAR))


def test_url_locality_reproduces_view(open_page):
    page = open_page("/?" + urlencode({"ort": "Pålsboda"}))
    wait_until_rendered(page, PAGES["oversikt"][1])
    assert_no_exception(page)
    assert selected_options(page, "Ort") == ["Pålsboda"]
    expected = expected_count(*PROMISE_YEAR, locality="Pålsboda")
    assert metric_value(page, "Händelser") == swedish_int(expected)


def test_url_period_reproduces_view(open_page):
    start, end = dt.date(2019, 1, 1), dt.date(2019, 6, 30)
    page = open_page("/?" + urlencode([("period", start.isoformat()), ("period", end.isoformat())]))
    wait_until_rendered(page, PAGES["oversikt"][1])
    assert_no_exception(page)
    assert "1 januari 2019–30 juni 2019, jämfört med 1 januari 2018–30 juni 2018" in captions(page)
    assert metric_value(page, "Händelser") == swedish_int(expected_count(start, end))


def test_sidebar_navigation_to_about(open_page):
    page = open_page("/")
    wait_until_rendered(page, PAGES["oversikt"][1])
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Om statistiken").click()
    page.wait_for_url(re.compile(r"/om(\?|$)"))
    wait_until_rendered(page, PAGES["om"][1])
    assert_no_exception(page)
    assert page.get_by_text(BANNER).first.is_visible()
    assert page.get_by_text("Orter och befolkning").first.is_visible()
