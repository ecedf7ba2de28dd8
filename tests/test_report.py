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
from lib.public.briefing import brief, method_notes
from lib.public.disclosure import Disclosure, public
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
    """Every word of the tables as the report prints them (headers and cells, the narrowest
    columns) comes out of the PDF whole: a word broken over two lines would come out as two
    pieces."""
    b = briefing(dt.date(2019, 6, 10), dt.date(2019, 9, 30))
    printed = report.report_categories(b.categories)
    # Long words in three of the printed columns: too long for an equal share of the width.
    columns = printed.columns
    long = {columns[i]: "Ordningsstörningsärenden" for i in (0, 2, len(columns) - 1)}
    b = dataclasses.replace(b, categories=b.categories.assign(**long))
    lines = pdf_lines(report.situation_report(b, made_on=dt.date(2025, 3, 2)))
    tokens = {w.strip("()[],.:;–") for line in lines for w in line.split()}
    words = set()
    frames = (
        report.report_categories(b.categories),
        report.report_places(b.hotspots),
        b.promise_status,
        b.sources,
    )
    for frame in frames:
        for value in [*frame.columns, *frame.astype(str).to_numpy().ravel()]:
            words |= {w.strip("()[],.:;–") for w in str(value).split()}
    words = {w for w in words if len(w) >= 5}
    assert "Ordningsstörningsärenden" in words and "Bedömning" in words
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


def test_screen_charts_label_at_most_seven_months():
    """On a phone (a plot about 300 px wide) twelve month names run together ("febmarsapr"):
    the pages' charts label at most seven months, the first of each year with its year."""
    for first, last in [
        (dt.date(2018, 10, 1), dt.date(2019, 9, 30)),
        (dt.date(2018, 10, 1), dt.date(2019, 10, 31)),
        (dt.date(2017, 10, 1), dt.date(2019, 9, 30)),
        (dt.date(2010, 1, 1), dt.date(2026, 8, 31)),
    ]:
        ticks = charts.tick_months(first, last, most=charts.SCREEN_TICKS)
        assert 2 <= len(ticks) <= charts.SCREEN_TICKS, (first, last, ticks)
        months = [m.year * 12 + m.month for m in ticks]
        steps = {b - a for a, b in zip(months, months[1:], strict=False)}
        assert len(steps) == 1  # evenly spaced
    b_year = charts.tick_text(
        charts.tick_months(dt.date(2018, 10, 1), dt.date(2019, 9, 30), charts.SCREEN_TICKS)
    )
    assert b_year == ["nov<br>2018", "jan<br>2019", "mars", "maj", "juli", "sep"]


def test_the_pages_charts_use_the_screen_ticks(briefing):
    b = briefing(dt.date(2018, 10, 1), dt.date(2019, 9, 30))
    fig = charts.series_figure(b.monthly, b.threshold)
    assert len(fig.layout.xaxis.tickvals) <= charts.SCREEN_TICKS


# --- Two pages --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def public_briefing(muni):
    incidents = generate_incidents(muni)
    incidents["import_id"] = 1
    incidents["key"] = record_keys(incidents["id"], b"test-secret")
    data = Data(
        daily_cube(incidents),
        timed_frame(incidents),
        sample_coverage(incidents),
        muni,
        muni.meetings,
    )
    d = public(muni.privacy_threshold, data.presets())

    def make(start: dt.date, end: dt.date):
        return brief(
            data,
            points_frame(incidents, muni),
            generate_activities(muni),
            promise_files.all_definitions(muni),
            Filters(start, end),
            d,
            sample=True,
        )

    make.presets = data.presets()
    return make


def pages_text(data: bytes) -> list[str]:
    return [
        re.sub(r"[ \u00a0\u202f]+", " ", page.extract_text())
        for page in PdfReader(io.BytesIO(data)).pages
    ]


def test_the_report_is_two_pages_in_the_order_of_the_issue(public_briefing, briefing):
    """Page 1: headline, key figures, the monthly chart; page 2: categories, places and the
    promise, with the method note. For a month, a year and an analyst's period."""
    month = next(p for p in public_briefing.presets if (p.end - p.start).days <= 31)
    year = next(p for p in public_briefing.presets if (p.end - p.start).days >= 364)
    cases = [
        public_briefing(month.start, month.end),
        public_briefing(year.start, year.end),
        briefing(dt.date(2019, 6, 10), dt.date(2019, 9, 30)),
    ]
    for b in cases:
        pdf = report.situation_report(b, made_on=dt.date(2025, 3, 2))
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 2, b.period_text
        assert all(p.mediabox.width == pytest.approx(595.3, abs=1) for p in reader.pages)  # A4
        one, two = pages_text(pdf)
        assert "Lägesbild – Hallsbergs kommun" in one and "Sida 1 av 2" in one
        assert all(label in one for label in ("Händelser", "Året innan", "Förändring"))
        assert "Utveckling" in one and len(reader.pages[0].images) == 1  # the chart
        assert b.summary[0].replace("\u00a0", " ")[:40] in one
        order = [two.index(h) for h in ("Kategorier", "Platser med flest", "Medborgarlöftet")]
        assert order == sorted(order)
        assert "Så är siffrorna gjorda" in two and "Sida 2 av 2" in two


def test_a_long_promise_table_still_fits_the_second_page(briefing):
    b = briefing(dt.date(2019, 6, 10), dt.date(2019, 9, 30))
    rows = pd.concat([b.promise_status] * 2, ignore_index=True)  # ten long rows
    long = dataclasses.replace(b, promise_status=rows)
    pdf = report.situation_report(long, made_on=dt.date(2025, 3, 2))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    text = pages_text(pdf)[1]
    assert text.count("Polisen lovar att synlighet") == 2


def test_the_method_note_says_the_methods_used(public_briefing, briefing):
    """The note is made from the methods behind the pages' numbers: exact intervals,
    Benjamini–Hochberg over the categories, the hot-spot test only where one ran (against
    the baseline it used), the noise only in the public version; never the "Poissontest …
    5 % signifikansnivå" of old."""
    year = next(p for p in public_briefing.presets if (p.end - p.start).days >= 364)
    b = public_briefing(year.start, year.end)
    assert {"change", "fdr", "noise", "threshold"} <= set(b.methods)
    note = " ".join(method_notes(b))
    for words in ("Clopper–Pearson", "Benjamini–Hochberg", "slumpbrus"):
        assert words in note, words
    two = pages_text(report.situation_report(b, made_on=dt.date(2025, 3, 2)))[1]
    assert "Benjamini–Hochberg" in two and "Clopper–Pearson" in two
    for text in (note, two):
        assert "Poissontest" not in text and "signifikansnivå" not in text
    # Hot and cold named only where a baseline was tested, by that baseline.
    hot = [m for m in b.methods if m.startswith("hotspots_")]
    named = b.hotspots is not None and b.hotspots["Hotspot"].str.startswith(("het", "kall")).any()
    assert bool(hot) == bool(named)
    if hot:
        own = hot == ["hotspots_own_history"]
        assert ("egen historia" if own else "de boende") in note
    exact = briefing(year.start, year.end)
    assert "noise" not in exact.methods and "slumpbrus" not in " ".join(method_notes(exact))
    # A made-up list of methods makes a note of exactly those sentences.
    only = dataclasses.replace(b, methods=("change", "threshold"))
    assert len(method_notes(only)) == 2
    assert "Benjamini" not in " ".join(method_notes(only))
    tested = dataclasses.replace(b, methods=("hotspots_own_history", "hotspots_residents"))
    own, residents = method_notes(tested)
    assert "egen historia" in own and "de boende" in residents
    assert "färre än 20 egna händelser" in own  # the few-event cells' label (issue 21.8)
