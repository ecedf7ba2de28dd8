"""Overview figures against an independent pandas computation on the sample file."""

import datetime as dt

import pandas as pd
import pytest

from lib.figures import overview, stats
from lib.figures.filters import Filters, daily_cube, select
from lib.ingest.sample import generate_incidents

PROMISE = Filters(dt.date(2018, 10, 1), dt.date(2019, 9, 30))


@pytest.fixture(scope="module")
def cube(muni):
    return daily_cube(generate_incidents(muni))


def pandas_count(sample, start, end, **equal):
    day = sample["datum"].dt.normalize()
    mask = day.between(pd.Timestamp(start), pd.Timestamp(end))
    for column, value in equal.items():
        mask &= sample[column] == value
    return int(mask.sum())


def test_totals_match_pandas(cube, muni, sample_incidents):
    ov = overview.compute(cube, PROMISE, muni)
    assert ov.total.current == pandas_count(sample_incidents, "2018-10-01", "2019-09-30")
    assert ov.total.previous == pandas_count(sample_incidents, "2017-10-01", "2018-09-30")
    assert ov.rate.value == pytest.approx(ov.total.current / 15_932 * 1000)


def test_locality_filter_and_population(cube, muni, sample_incidents):
    ov = overview.compute(cube, Filters(PROMISE.start, PROMISE.end, localities=("Pålsboda",)), muni)
    assert ov.total.current == pandas_count(
        sample_incidents, "2018-10-01", "2019-09-30", ort="Pålsboda"
    )
    assert ov.rate.population == 1_663


def test_category_table_matches_pandas(cube, muni, sample_incidents):
    table = overview.compute(cube, PROMISE, muni).categories.set_index("category")
    for category in ("Skadegörelse", "Stöld", "Narkotikabrott"):
        assert table.loc[category, "current"] == pandas_count(
            sample_incidents, "2018-10-01", "2019-09-30", kategori=category
        )
        assert table.loc[category, "previous"] == pandas_count(
            sample_incidents, "2017-10-01", "2018-09-30", kategori=category
        )
    assert table.loc["Skadegörelse", "verdict"] == stats.INCREASE
    assert table.loc["Stöld", "verdict"] == stats.NO_CHANGE


def test_monthly_series_sums_to_totals(cube, muni):
    ov = overview.compute(cube, PROMISE, muni)
    by_series = ov.monthly.groupby("series")["n"].sum()
    assert by_series["current"] == ov.total.current
    assert by_series["previous"] == ov.total.previous
    assert len(ov.monthly) == 24


def test_summary_sentences_are_true(cube, muni):
    ov = overview.compute(cube, PROMISE, muni)
    text = " ".join(ov.summary).replace("\u00a0", " ")
    assert f"registrerades {ov.total.current:,} händelser".replace(",", " ") in text
    assert "ingen säkerställd förändring" in text
    vandalism = ov.categories.set_index("category").loc["Skadegörelse"]
    assert f"Skadegörelse ökade (från {vandalism.previous} till {vandalism.current}" in text
    assert "Stöld ökade" not in text and "Stöld minskade" not in text


def test_small_counts_are_suppressed_everywhere(cube, muni):
    narrow = Filters(dt.date(2019, 1, 1), dt.date(2019, 1, 31), localities=("Hjortkvarn",))
    ov = overview.compute(cube, narrow, muni)
    shown = overview.category_display(ov.categories, threshold=3)
    for column in ("Perioden", "Året innan"):
        for value in shown[column]:
            assert value in {"färre än 3", "0"} or int(value.replace("\u00a0", "")) >= 3
    assert all(
        v == "–"
        for v, cur in zip(shown["Förändring"], shown["Perioden"], strict=True)
        if cur == "färre än 3"
    )
    for sentence in ov.summary:
        for small in ("registrerades 1 ", "registrerades 2 ", ": 1)", ": 2)"):
            assert small not in sentence


def test_empty_selection(cube, muni):
    ov = overview.compute(cube, Filters(dt.date(2030, 1, 1), dt.date(2030, 12, 31)), muni)
    assert ov.total == stats.Comparison(0, 0, 1.0, stats.NO_CHANGE)
    assert ov.categories.empty


def test_previous_year_of_a_leap_day():
    leap = Filters(dt.date(2020, 2, 29), dt.date(2020, 3, 31))
    assert leap.previous_year().start == dt.date(2019, 2, 28)


def test_unknown_population_gives_no_rate(cube, muni):
    ov = overview.compute(cube, Filters(PROMISE.start, PROMISE.end, localities=("Kumla",)), muni)
    assert ov.rate is None and ov.missing_population == ["Kumla"]


def test_select_on_the_cube_equals_filtering_incidents(muni):
    incidents = generate_incidents(muni)
    f = Filters(
        dt.date(2019, 3, 1),
        dt.date(2019, 5, 31),
        categories=("Klotter", "Stöld"),
        sources=("municipal_report",),
    )
    raw = incidents.assign(day=incidents["occurred_at"].dt.normalize())
    assert select(daily_cube(incidents), f)["n"].sum() == len(select(raw, f))
