"""Overview figures against an independent pandas computation on the sample file."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lib.figures import counting, overview, stats
from lib.figures.filters import Filters, daily_cube, select
from lib.ingest.sample import generate_incidents
from lib.public import views
from lib.public.disclosure import Disclosure, public

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
    current = pandas_count(sample_incidents, "2018-10-01", "2019-09-30")
    previous = pandas_count(sample_incidents, "2017-10-01", "2018-09-30")
    assert ov.total == current
    assert (ov.change.comparison.current, ov.change.comparison.previous) == (current, previous)
    assert ov.rate.value == pytest.approx(current / 15_932 * 1000)
    # The rate ratio per inhabitant-day, each day with its own year's population.
    e1 = 92 * 15_954 + 273 * 15_932
    e2 = 92 * 15_932 + 273 * 15_954
    assert ov.change.comparison.ratio == pytest.approx((current / e1) / (previous / e2))


def test_locality_filter_and_population(cube, muni, sample_incidents):
    ov = overview.compute(cube, Filters(PROMISE.start, PROMISE.end, localities=("Pålsboda",)), muni)
    assert ov.total == pandas_count(sample_incidents, "2018-10-01", "2019-09-30", ort="Pålsboda")
    assert ov.rate.population == 1_663
    assert ov.change.comparison.exposure_current == 365 * 1_663


def test_category_table_matches_pandas(cube, muni, sample_incidents):
    table = overview.compute(cube, PROMISE, muni).categories.set_index("key")
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
    assert by_series["current"] == ov.total == ov.change.comparison.current
    assert by_series["previous"] == ov.change.comparison.previous
    assert len(ov.monthly) == 24


def test_summary_sentences_are_true(cube, muni, sample_incidents):
    data = views.Data(cube, cube.iloc[0:0], None, muni)
    view = views.overview_view(data, PROMISE, Disclosure(3, exact=True))
    text = " ".join(view.sentences).replace("\u00a0", " ")
    expected = pandas_count(sample_incidents, "2018-10-01", "2019-09-30")
    assert f"registrerades {expected:,} händelser".replace(",", " ") in text
    ov = view.extra["overview"]
    assert ov.change.verdict == stats.NO_CHANGE
    assert "(1 oktober 2017–30 september 2018): ingen säkerställd förändring" in text
    assert view.verdicts[0]["verdict"] == "ingen säkerställd förändring"
    assert "Skadegörelse ökade säkerställt – ökningen är 47 %" in text
    assert "Stöld ökade" not in text and "Stöld minskade" not in text
    # The table and the sentences call the same categories changed.
    changed = ov.categories[ov.categories["verdict"] != stats.NO_CHANGE]
    for row in changed.itertuples():
        word = "ökade" if row.verdict == stats.INCREASE else "minskade"
        assert f"{row.key} {word} säkerställt" in text


def keyed_cube(muni):
    incidents = generate_incidents(muni)
    rng = np.random.default_rng(5)
    return daily_cube(incidents.assign(key=rng.random(len(incidents))))


def test_a_small_selection_shows_no_list_and_says_why(muni):
    """Below the detail minimum the public sees the monthly figure and no category list (a
    list inside a small selection names the category of a hidden incident), and the note
    says why; no sentence carries a count below the threshold."""
    cube = keyed_cube(muni)
    narrow = Filters(dt.date(2019, 1, 1), dt.date(2019, 1, 31), localities=("Hjortkvarn",))
    data = views.Data(cube, cube.iloc[0:0], None, muni)
    d = public(3, data.presets(), detail_minimum=20)
    view = views.overview_view(data, narrow, d)
    assert counting.total(select(cube, narrow), d.counter) < 20  # the data triggers the rule
    assert view.tables["kategorier"].empty
    assert any("färre än 20 händelser" in note for note in view.notes)
    for sentence in view.sentences:
        for tiny in ("registrerades 1 ", "registrerades 2 ", ": 1)", ": 2)"):
            assert tiny not in sentence
    # The analyst sees the list.
    exact = views.overview_view(data, narrow, Disclosure(3, exact=True))
    assert not exact.tables["kategorier"].empty


def test_small_counts_are_suppressed_in_a_list(muni):
    cube = keyed_cube(muni)
    month = Filters(dt.date(2019, 1, 1), dt.date(2019, 1, 31))
    data = views.Data(cube, cube.iloc[0:0], None, muni)
    view = views.overview_view(data, month, public(3, data.presets()))
    shown = view.tables["kategorier"]
    assert len(shown) > 0
    small = 0
    for column in ("Hela perioden", "Jämförda dagar", "Året innan"):
        for value in shown[column]:
            small += value == "färre än 3"
            assert value in {"färre än 3", "dold", "0"} or int(value.replace("\u00a0", "")) >= 3
    assert small > 0
    for row in shown.itertuples(index=False):
        if "färre än 3" in row or "dold" in row:
            assert row[4] == "–" and row[5] in {"för få händelser", "dold"}


def test_a_public_list_is_the_municipalitys_categories_whatever_the_selection(muni):
    """The public category table lists a fixed vocabulary (the 15 categories with the most
    incidents over all the data, worked out here by hand, and one row for the rest), never
    "the categories with incidents here": a row cannot say that the selection holds one."""
    incidents = generate_incidents(muni)
    incidents["key"] = np.random.default_rng(5).random(len(incidents))
    cube = daily_cube(incidents)
    data = views.Data(cube, cube.iloc[0:0], None, muni)
    d = public(3, data.presets(), detail_minimum=20)
    ranked = incidents["category"].astype(str).value_counts()
    fixed = set(ranked.index[:15]) | ({"Övriga kategorier"} if len(ranked) > 15 else set())
    shown_any = 0
    for place in (None, *muni.locality_names):
        f = Filters(dt.date(2019, 9, 1), dt.date(2019, 9, 30), (place,) if place else ())
        view = views.overview_view(data, f, d)
        shown = view.tables["kategorier"]
        if view.extra["detail"] is None:
            assert set(shown["Kategori"]) == fixed, place
            shown_any += 1
        else:
            assert shown.empty, place
    assert shown_any > 0


def test_empty_selection(cube, muni):
    ov = overview.compute(cube, Filters(dt.date(2030, 1, 1), dt.date(2030, 12, 31)), muni)
    assert ov.total == 0
    c = ov.change.comparison
    assert (c.current, c.previous, c.verdict) == (0, 0, stats.NO_CHANGE)
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
