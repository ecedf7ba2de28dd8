"""The situation report's PDF: dated in Swedish time, a readable axis over long periods, and
no word cut in two; the charts' partial months and tick choices."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from lib.figures.filters import Filters, daily_cube, timed_frame
from lib.figures.hotspots import points_frame
from lib.ingest import promise_files
from lib.ingest.sample import generate_activities, generate_incidents
from lib.public import charts, report
from lib.public.briefing import brief
from lib.public.disclosure import Disclosure
from lib.public.views import Data
from lib.store.store import record_keys
from tests.conftest import sample_coverage


@pytest.fixture(scope="module")
def briefing(muni):
    incidents = generate_incidents(muni)
    incidents["import_id"] = 1
    incidents["key"] = record_keys(incidents["id"], b"test-secret")
    data = Data(daily_cube(incidents), timed_frame(incidents), sample_coverage(incidents), muni)

    def make(start: dt.date, end: dt.date):
        return brief(
            data,
            points_frame(incidents, muni),
            generate_activities(muni),
            promise_files.all_definitions(muni),
            Filters(start, end),
            Disclosure(muni.privacy_threshold, exact=True),
        )

    return make


def pdf_lines(data: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return [re.sub(r"[ \u00a0\u202f]+", " ", line).strip() for line in text.splitlines()]


def test_the_report_is_dated_in_swedish_time(briefing, monkeypatch):
    # 23.30 UTC on 1 March is 00.30 on 2 March in Stockholm (UTC+1).
    monkeypatch.setattr(report, "now", lambda: dt.datetime(2025, 3, 1, 23, 30, tzinfo=dt.UTC))
    assert report.local_day() == dt.date(2025, 3, 2)
    b = briefing(dt.date(2019, 6, 10), dt.date(2019, 9, 30))
    text = " ".join(pdf_lines(report.situation_report(b)))
    assert "Framtagen 2 mars 2025" in text


def test_no_word_is_split_across_lines(briefing):
    """Every word of the tables (headers and cells, the narrowest columns) comes out of the
    PDF whole: a word broken over two lines would come out as two pieces."""
    b = briefing(dt.date(2019, 6, 10), dt.date(2019, 9, 30))
    # Long words in three of the eight columns: too long for an equal share of the width.
    long = {b.categories.columns[i]: "Ordningsstörningsärenden" for i in (0, 4, 7)}
    b = dataclasses.replace(b, categories=b.categories.assign(**long))
    lines = pdf_lines(report.situation_report(b, made_on=dt.date(2025, 3, 2)))
    tokens = {w.strip("()[],.:;–") for line in lines for w in line.split()}
    words = set()
    for frame in (b.categories, b.hotspots, b.promise_status, b.sources):
        for value in [*frame.columns, *frame.astype(str).to_numpy().ravel()]:
            words |= {w.strip("()[],.:;–") for w in str(value).split()}
    words = {w for w in words if len(w) >= 5}
    assert "Tillförlitlighet" in words  # the longest header, in a narrow column
    missing = sorted(w for w in words if w not in tokens)
    assert not missing, missing
    assert not any(line.endswith("-") and line[-2:-1].isalpha() for line in lines)


def test_long_period_axis_labels_years_not_every_month():
    months = charts.tick_months(dt.date(2015, 1, 1), dt.date(2019, 12, 31))
    assert [m.month for m in months] == [1, 7] * 5  # every half year over five years
    text = charts.tick_text(charts.tick_months(dt.date(2012, 1, 1), dt.date(2019, 12, 31)))
    assert text == [str(y) for y in range(2012, 2020)]
    short = charts.tick_text(charts.tick_months(dt.date(2018, 10, 1), dt.date(2019, 9, 30)))
    assert short[:4] == ["okt<br>2018", "nov", "dec", "jan<br>2019"] and len(short) == 12


def test_partial_months_are_marked(briefing):
    b = briefing(dt.date(2019, 8, 26), dt.date(2019, 9, 30))
    fig = charts.series_figure(b.monthly, b.threshold)
    current = next(tr for tr in fig.data if tr.name == "Vald period")
    assert list(current.x) == ["aug 2019", "sep 2019"]
    assert list(current.marker.symbol) == ["circle-open", "circle"]
    assert "ofullständig: 6 av 31 dagar" in current.customdata[0]
    assert any(tr.name == "ofullständig månad" for tr in fig.data)
    assert len(fig.layout.shapes) == 1  # one band, behind August


def test_whole_months_are_not_marked(briefing):
    b = briefing(dt.date(2018, 10, 1), dt.date(2019, 9, 30))
    fig = charts.series_figure(b.monthly, b.threshold)
    assert not fig.layout.shapes
    assert not any(tr.name == "ofullständig månad" for tr in fig.data)
    assert pd.Series(fig.layout.xaxis.ticktext).str.contains("2019").any()
