"""Readable uncertainty (issue 21.8): a change whose interval is very wide (its upper bound
above +300 %) or one of whose periods has fewer than 20 events is not sized in a sentence or
a table cell, and its interval goes to the details; no hot-spot label claims a confidence
level for a cell of a handful of events."""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from lib.figures import hotspots, stats
from lib.figures.filters import Filters, daily_cube, timed_frame
from lib.figures.hotspots import points_frame
from lib.ingest import promise_files
from lib.ingest.sample import generate_activities, generate_incidents
from lib.public import maps, report, views
from lib.public.briefing import brief
from lib.public.disclosure import Disclosure, public
from lib.public.views import Data
from lib.store.store import record_keys
from tests.conftest import sample_coverage

# The example: "+33 % (−99 % till +727 500 %)". 4 against 3 events gives an interval
# of the same kind (its upper bound is far above +300 %).
SMALL = stats.compare_rates(4, 3)
LARGE = stats.compare_rates(400, 300)


def percents(text: str) -> list[str]:
    return re.findall(r"[+−-]?\d[\d\u00a0 ]*\u00a0?%", text)


def test_a_change_of_a_handful_of_events_is_not_sized():
    assert SMALL.high > views.WIDE_HIGH  # the interval reaches above +300 %
    words = views.change_words(SMALL)
    assert words == (
        "ingen säkerställd förändring – händelserna är för få för att säga hur stor förändringen är"
    )
    assert not percents(words)
    cell = views.short_change(SMALL.ratio, SMALL.low, SMALL.high, 3)
    assert cell == "för få händelser för att säga hur mycket" and not percents(cell)
    # The details keep the whole interval.
    details = views.interval_words(SMALL)
    assert "konfidensintervall" in details and len(percents(details)) == 4  # with "95 %"


def test_fewer_than_twenty_events_is_too_few_even_with_a_narrower_interval():
    """A period of 19 events: its rate is unreliable (the tables say "osäker (färre än 20
    händelser)"), so the change is not sized though its interval stays below +300 %."""
    c = stats.compare_rates(19, 25)
    assert c.high < views.WIDE_HIGH
    assert "för få för att säga" in views.change_words(c)
    assert views.short_change(c.ratio, c.low, c.high, 19) == t_short_wide()
    c = stats.compare_rates(20, 25)  # 20 events in each period at least
    assert "konfidensintervall" in views.change_words(c)
    assert views.short_change(c.ratio, c.low, c.high, 20) != t_short_wide()


def t_short_wide() -> str:
    from lib.i18n import t

    return t("change.short_wide")


def test_a_significant_change_of_few_events_keeps_its_direction():
    up = stats.compare_rates(30, 2)  # an increase, by how much nobody can say
    assert up.verdict == stats.INCREASE and up.high > views.WIDE_HIGH
    assert views.change_words(up) == "händelserna är för få för att säga hur stor ökningen är"
    down = stats.compare_rates(1, 17)  # a decrease, from 17 events to 1
    assert down.verdict == stats.DECREASE
    assert views.change_words(down) == (
        "händelserna är för få för att säga hur stor minskningen är"
    )


def test_a_change_of_many_events_is_sized_as_before():
    words = views.change_words(LARGE)
    assert words.startswith("ingen säkerställd förändring (skillnad +33") or words.startswith(
        "ökningen är 33"
    )
    assert "konfidensintervall" in words
    cell = views.short_change(LARGE.ratio, LARGE.low, LARGE.high, 300)
    assert cell.startswith("+33") and len(percents(cell)) == 3


def test_a_table_row_of_few_events_says_too_few_not_an_interval():
    """The public change table: a category of 4 against 3 events shows no interval."""
    table = pd.DataFrame(
        {
            "key": ["Klotter", "Stöld"],
            "current": [4, 400],
            "previous": [3, 300],
            "total": [4, 400],
            "ratio": [SMALL.ratio, LARGE.ratio],
            "low": [SMALL.low, LARGE.low],
            "high": [SMALL.high, LARGE.high],
            "p_value": [SMALL.p_value, LARGE.p_value],
            "verdict": [SMALL.verdict, LARGE.verdict],
            "rate": [1.0, 2.0],
            "rate_status": ["unreliable", "ok"],
        }
    )
    shown, _ = views.change_rows(table, "category", Disclosure(3, exact=True))
    cells = list(shown["Förändring (95 % KI)"])
    assert cells[0] == t_short_wide()
    assert cells[1].startswith("+33")


# --- Hot-spot labels ----------------------------------------------------------------------------


def hot_cells(counts: list[int], expected: list[float], bins: list[int]) -> pd.DataFrame:
    k = len(counts)
    return pd.DataFrame(
        {
            "ix": np.arange(k) + 26000,
            "iy": np.full(k, 26170),
            "n": counts,
            "window": [max(c, 30) for c in counts],
            "window_cells": 9,
            "expected": expected,
            "p": 1e-6,
            "bin": bins,
        }
    )


def test_no_hot_spot_label_claims_confidence_for_a_handful_of_events():
    cells = hot_cells([5, 25, 0, 0], [1.0, 1.0, 4.0, 40.0], [3, 3, -2, -3])
    assert list(maps.shown_bins(cells)) == [maps.FEW_HOT, 3, maps.FEW_COLD, -3]
    few = maps.bin_text(maps.FEW_HOT)
    assert "konfidens" not in few and few.startswith("het") and "färre än 20" in few
    assert "konfidens" not in maps.bin_text(maps.FEW_COLD)
    assert maps.bin_text(3) == "het, 99 % konfidens"


def test_the_map_names_few_event_cells_without_a_confidence_level(muni):
    cells = hot_cells([5, 6, 25], [1.0, 1.0, 1.0], [3, 3, 2])
    result = hotspots.HotspotResult(cells, 200, True)
    data = maps.map_data(cells[["ix", "iy", "n"]], 250, muni, "hotspots", result, threshold=1)
    legend = [text for _, text in data.legend]
    assert legend == [maps.bin_text(2), maps.bin_text(maps.FEW_HOT)]
    drawn = {c[2] for c in data.cells}  # style indexes
    classes = sorted({data.styles[i][0] for i in drawn})
    assert classes == [2, maps.FEW_HOT]
    assert data.colours[maps.FEW_HOT] not in (maps.GI_COLOURS[3], maps.GI_COLOURS[2])


def test_the_top_places_name_few_event_cells_as_the_map_does(muni):
    cells = hot_cells([5, 25], [1.0, 1.0], [3, 3])
    table = cells[["ix", "iy", "n"]].assign(
        place="Hallsberg", distance_m=200, direction="NV", previous=4, change=1, verdict="no_change"
    )
    table["bin"] = cells["bin"]
    shown = maps.top_places_view(table, 250, Disclosure(3, exact=True), cells)
    assert list(shown["Hotspot"]) == [maps.bin_text(maps.FEW_HOT), "het, 99 % konfidens"]


# --- The meeting's briefing and the PDF ---------------------------------------------------------


@pytest.fixture(scope="module")
def sample(muni):
    incidents = generate_incidents(muni)
    incidents["import_id"] = 1
    incidents["key"] = record_keys(incidents["id"], b"test-secret")
    data = Data(daily_cube(incidents), timed_frame(incidents), sample_coverage(incidents), muni, ())
    return incidents, data


def briefing(muni, sample, start, end):
    incidents, data = sample
    d = public(muni.privacy_threshold, data.presets())
    return brief(
        data,
        points_frame(incidents, muni),
        generate_activities(muni),
        promise_files.all_definitions(muni),
        Filters(start, end),
        d,
    )


def month_with_uncertain_rows(muni, sample):
    """The first month preset whose category table has a row too uncertain to size."""
    _, data = sample
    for preset in data.presets():
        if (preset.end - preset.start).days > 31:
            continue
        b = briefing(muni, sample, preset.start, preset.end)
        if b.details:
            return b
    pytest.fail("no month of the sample has a category of few events")


def pdf_pages(data: bytes) -> list[str]:
    return [
        re.sub(r"[ \u00a0\u202f]+", " ", p.extract_text())
        for p in PdfReader(io.BytesIO(data)).pages
    ]


def test_the_briefing_moves_wide_intervals_to_the_details(muni, sample):
    b = month_with_uncertain_rows(muni, sample)
    wide = t_short_wide()
    column = b.categories["Förändring (95 % KI)"]
    names = set(b.categories.loc[column == wide, b.categories.columns[0]])
    assert names
    # One detail line per such row, with its interval; none for a row sized in the table.
    subjects = {line.split(":")[0] for line in b.details}
    assert names <= subjects
    assert all("konfidensintervall" in line for line in b.details)
    assert "uncertain" in b.methods
    pages = pdf_pages(report.situation_report(b, made_on=dt.date(2025, 3, 2)))
    assert len(pages) == 2
    assert "Detaljer: osäkra förändringar" in pages[1]
    # No interval above +300 % anywhere but in the details.
    body = pages[0] + pages[1].split("Detaljer: osäkra förändringar")[0]
    for text in re.findall(r"\+(\d[\d ]*) %", body):
        assert int(text.replace(" ", "")) <= 300, text


def test_the_headline_of_few_events_is_not_sized(muni, sample):
    """A small category in a month: the key figure says "osäker", not a percentage, and the
    details give its interval."""
    incidents, data = sample
    d = public(muni.privacy_threshold, data.presets())
    month = next(p for p in data.presets() if (p.end - p.start).days <= 31)
    for category in ("Vårdslös körning", "Rån", "Klotter", "Narkotikabrott"):
        b = brief(
            data,
            points_frame(incidents, muni),
            generate_activities(muni),
            promise_files.all_definitions(muni),
            Filters(month.start, month.end, categories=(category,)),
            d,
        )
        if b.change == "osäker":
            break
    else:
        pytest.fail("no small category in the month")
    assert b.details[0].startswith("Händelser: ") and "konfidensintervall" in b.details[0]
    text = " ".join(pdf_pages(report.situation_report(b, made_on=dt.date(2025, 3, 2))))
    assert "osäker" in text


@pytest.mark.parametrize(
    ("low", "high", "near", "far"),
    [
        (1.003, 3.65, "+0,3\u00a0%", "+265\u00a0%"),  # an increase whose interval barely clears 0
        (1.0004, 1.5, "+0,04\u00a0%", "+50\u00a0%"),
        (0.42, 0.996, "\u22120,4\u00a0%", "\u221258\u00a0%"),  # a decrease, its near end
    ],
)
def test_the_near_end_of_a_significant_interval_never_prints_as_zero(low, high, near, far):
    """The CI run of 2026-12-06 drew "+87 % (0 % till +265 %)" for a called increase: its
    lower bound, 1.003, rounded to whole per cent. A bound beyond 0 keeps the decimals that
    show it is beyond 0, in the cell and in the sentence."""
    ratio = (low * high) ** 0.5
    cell = views.short_change(ratio, low, high, 100)
    assert near in cell and far in cell, cell
    verdict = stats.INCREASE if low > 1 else stats.DECREASE
    comparison = stats.RateComparison(100, 60, 1, 1, ratio, low, high, 0.01, verdict)
    words = views.interval_words(comparison)  # "… (95 % konfidensintervall 0,3–265 %)"
    number = near.strip("+\u2212\u00a0%")
    assert f"konfidensintervall {number}\u2013" in words, words


def test_a_no_change_interval_that_barely_reaches_past_zero_says_so():
    """ "ingen säkerställd förändring (skillnad +7 %, 95 % konfidensintervall 0 % till +14 %)"
    read as if the interval stopped at 0; its end, −0,2 %, is shown."""
    c = stats.RateComparison(1827, 1711, 1, 1, 1.068, 0.998, 1.14, 0.06, stats.NO_CHANGE)
    words = views.interval_words(c)
    assert "konfidensintervall \u22120,2\u00a0% till +14\u00a0%" in words, words
