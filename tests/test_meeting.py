"""The BRÅ meeting: default periods from the meeting dates, the briefing's numbers, the PDF's
text (period, key figures as on the page, nothing suppressed or private) and the page."""

import datetime as dt
import io
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from lib.figures.filters import Filters, daily_cube, timed_frame
from lib.figures.hotspots import points_frame
from lib.i18n import fmt_int
from lib.ingest import promise_files
from lib.ingest.sample import generate_activities, generate_incidents
from lib.public import report
from lib.public.briefing import _promise_status, brief
from lib.public.disclosure import Disclosure, public
from lib.public.views import Data
from lib.store.store import Store, record_keys
from tests.conftest import ROOT, sample_coverage
from tests.test_pages import assert_ok
from tests.test_promises import demo_definitions

SECRET = "HEMLIG-BESKRIVNING-4711"
NOT_RECORDED = "ingen uppföljning registrerad"


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


@pytest.fixture(scope="module")
def sample(muni):
    incidents = generate_incidents(muni)
    incidents["import_id"] = 1
    incidents["key"] = record_keys(incidents["id"], b"test-secret")
    return incidents, generate_activities(muni), demo_definitions(muni)


def briefing(incidents, activities, definitions, filters, muni, exact=True, **kwargs):
    """The meeting briefing as the page makes it, exact (an analyst) or public."""
    data = Data(
        daily_cube(incidents),
        timed_frame(incidents),
        sample_coverage(incidents),
        muni,
        muni.meetings,
    )
    d = Disclosure(muni.privacy_threshold, exact=True) if exact else public(3, data.presets())
    points = points_frame(incidents, muni)
    return brief(data, points, activities, definitions, filters, d, **kwargs)


def test_briefing_counts_equal_an_independent_count(muni, sample):
    incidents, activities, definitions = sample
    filters = Filters(dt.date(2019, 6, 10), dt.date(2019, 9, 30))
    b = briefing(incidents, activities, definitions, filters, muni)
    day = incidents["occurred_at"].dt.normalize()
    now = ((day >= "2019-06-10") & (day <= "2019-09-30")).sum()
    before = ((day >= "2018-06-10") & (day <= "2018-09-30")).sum()
    assert b.total == fmt_int(now) and b.previous_total == fmt_int(before)
    assert b.period_text == "10 juni 2019–30 september 2019"
    assert b.promise_status is not None and len(b.promise_status) == 5


def test_pdf_has_the_period_key_figures_and_the_sample_warning(muni, sample):
    incidents, activities, definitions = sample
    filters = Filters(dt.date(2019, 6, 10), dt.date(2019, 9, 30))
    b = briefing(incidents, activities, definitions, filters, muni, exact=False, sample=True)
    data = report.situation_report(b)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Lägesbild – Hallsbergs kommun" in text
    assert "Period: 10 juni 2019–30 september 2019" in text
    assert "Exempeldata – fiktiva händelser" in text
    assert b.total.replace("\u00a0", " ") in text and b.rate in text
    assert "Medborgarlöftet" in text and "Källor" in text


def test_pdf_never_shows_a_small_count_or_a_description(muni):
    """A small, constructed period: every count is below the threshold."""
    rows = [
        ("2019-05-02 22:00", "Klotter", 59.0671, 15.1101),
        ("2019-05-03 23:00", "Klotter", 59.0672, 15.1102),
        ("2019-05-04 21:00", "Skadegörelse", 59.0673, 15.1103),
        ("2018-05-04 21:00", "Skadegörelse", 59.0673, 15.1103),
    ]
    incidents = pd.DataFrame(
        {
            "id": [f"x{i}" for i in range(len(rows))],
            "occurred_at": pd.to_datetime([r[0] for r in rows]),
            "time_known": True,
            "category": [r[1] for r in rows],
            "locality": "Hallsberg",
            "lat": [r[2] for r in rows],
            "lon": [r[3] for r in rows],
            "source": "municipal_report",
            "description": SECRET,
            "import_id": 1,
        }
    )
    incidents["key"] = record_keys(incidents["id"], b"test-secret")
    filters = Filters(dt.date(2019, 5, 1), dt.date(2019, 5, 31))  # the month preset of May
    empty = generate_activities(muni).iloc[0:0]
    definitions = promise_files.all_definitions(muni)
    b = briefing(incidents, empty, definitions, filters, muni, exact=False)
    text = pdf_text(report.situation_report(b))
    assert SECRET not in text
    assert "färre än 3" in text
    # Table cells come out one per line: no cell may be a count of 1 or 2.
    cells = [line.strip() for line in text.splitlines()]
    assert "1" not in cells and "2" not in cells
    categories = cells[cells.index("Kategorier") : cells.index("Platser med flest händelser")]
    # Below the detail minimum no list is shown (it would name a hidden incident's category),
    # and the report says why.
    assert "Klotter" not in categories and "Skadegörelse" not in categories
    assert "färre än 20 händelser" in " ".join(cells)
    assert "59,067" not in text and "15,110" not in text  # no positions


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def page(open_app):
    return open_app("pages/mote.py")


def test_page_defaults_to_since_the_last_meeting_and_offers_the_pdf(page):
    at = page
    assert_ok(at)
    assert at.selectbox(key="motesperiod").value == "mote-2019-08-26"
    assert [s.value for s in at.subheader] == [
        "Läget i siffror",
        "Utvecklingen månad för månad",
        "Var det händer",
        "Medborgarlöftet",
        "Sedan förra mötet",
    ]
    incidents = pd.read_csv(ROOT / "data/sample/incidents.csv", sep=";", encoding="utf-8-sig")
    day = pd.to_datetime(incidents["datum"], format="ISO8601").dt.normalize()
    expected = ((day >= "2019-08-26") & (day <= "2019-09-30")).sum()
    shown = {m.label: m.value for m in at.metric}["Händelser"]
    assert abs(int(shown.replace("\u00a0", "")) - expected) <= 2  # the public view's noise
    assert any(b.label == "Ladda ner lägesbild (PDF)" for b in at.get("download_button"))


def test_presentation_mode_steps_through_every_view(page):
    at = page
    at.query_params["presentation"] = "1"
    at.run()
    titles = []
    for step in range(5):
        assert_ok(at)
        titles.append(at.title[0].value)
        if step < 4:
            next(b for b in at.button if b.label == "Nästa →").click().run()
    assert titles == [
        "Läget i siffror",
        "Utvecklingen månad för månad",
        "Var det händer",
        "Medborgarlöftet",
        "Sedan förra mötet",
    ]
    assert next(b for b in at.button if b.label == "Nästa →").disabled


def test_a_period_without_data(page):
    at = page
    at.selectbox(key="motesperiod").set_value("lofte-2019-2021").run()
    assert_ok(at)


# --- Promise status: the meeting shows what the promise page shows -----------------------------


def test_promise_page_and_meeting_agree_on_status(open_app, sample):
    definitions = sample[2]
    at = open_app("pages/medborgarloftet.py")
    activities = Store().read("activities")  # what the page reads
    cases = [
        # (period, day on the page's slider, last day of the meeting's period, statuses)
        # 15 March 2019: 100 of 240 patrol hours against a pace of 109.2.
        ("2018-2019", dt.date(2019, 3, 15), dt.date(2019, 3, 15), {"i fas", "efter plan"}),
        ("2018-2019", dt.date(2019, 9, 30), dt.date(2019, 9, 30), {"uppfyllt"}),
        # No activities in the sample: nothing is recorded, on every day and after the end
        # (never "ej uppfyllt": an empty log is no evidence that nothing was done).
        ("2019-2021", dt.date(2021, 5, 31), dt.date(2021, 5, 31), {NOT_RECORDED}),
        ("2019-2021", dt.date(2021, 5, 31), dt.date(2021, 9, 1), {NOT_RECORDED}),
        ("2019-2021", dt.date(2020, 6, 1), dt.date(2020, 6, 1), {NOT_RECORDED}),
    ]
    for period, day, meeting_day, statuses in cases:
        at.selectbox(key="loftesperiod").set_value(period).run()
        at.slider(key=f"per-{period}").set_value(day).run()
        assert_ok(at)
        shown = next(d.value for d in at.dataframe if "Status" in d.value.columns)
        # The briefing's table (``Briefing.promise_status``, on the projector and in the PDF)
        # for a meeting period ending on ``meeting_day``.
        briefed, _ = _promise_status(definitions, activities, meeting_day)
        assert set(shown["Status"]) == statuses, (period, day)
        pd.testing.assert_frame_equal(briefed.reset_index(drop=True), shown.reset_index(drop=True))


def test_an_ended_promise_is_shown_as_it_ended(muni, sample):
    """Years after the last promise period, the meeting shows its final standing, and says
    the promise no longer runs (not "läget per" a day in 2026)."""
    _, activities, definitions = sample
    table, heading = _promise_status(definitions, activities, dt.date(2026, 8, 21))
    assert heading.startswith("Inget medborgarlöfte gäller nu")
    assert "31 maj 2021" in heading and "2026" not in heading
    same, _ = _promise_status(definitions, activities, dt.date(2021, 5, 31))
    assert table.equals(same)
