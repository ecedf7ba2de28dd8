"""Trends statistics against independent references and hand-worked values."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from lib.figures import stats, trends
from lib.figures.filters import Filters, daily_cube, timed_frame
from lib.ingest.sample import generate_incidents

PROMISE = Filters(dt.date(2018, 10, 1), dt.date(2019, 9, 30))


@pytest.fixture(scope="module")
def incidents(muni):
    return generate_incidents(muni)


@pytest.fixture(scope="module")
def cube(incidents):
    return daily_cube(incidents)


@pytest.fixture(scope="module")
def timed(incidents):
    return timed_frame(incidents)


# --- statistics ------------------------------------------------------------------------------


@pytest.mark.parametrize("mean", [0.3, 2.0, 10.0, 55.5])
def test_control_limits_are_exact_tails(mean):
    lower, upper = stats.control_limits(mean)
    assert sps.poisson.sf(upper, mean) <= stats.CONTROL_TAIL  # P(X > upper)
    assert sps.poisson.sf(upper - 1, mean) > stats.CONTROL_TAIL  # upper is the tightest
    if lower > 0:
        assert sps.poisson.cdf(lower - 1, mean) <= stats.CONTROL_TAIL  # P(X < lower)
        assert sps.poisson.cdf(lower, mean) > stats.CONTROL_TAIL


def test_control_limits_hand_values_and_small_means():
    # Mean 10: P(X >= 22) = 0.00072 and P(X >= 21) = 0.0016, so 21 is the last in-control count.
    assert stats.control_limits(10) == (2, 21)
    assert stats.unusual(22, 10) == "high" and stats.unusual(21, 10) is None
    assert stats.unusual(1, 10) == "low" and stats.unusual(2, 10) is None
    # c̄ ± 3√c̄ would call 3 incidents "unusual" at a mean of 0.5 (limit 2.6); exact limits do not.
    assert stats.unusual(3, 0.5) is None
    assert stats.unusual(0, 0.0) is None


@pytest.mark.parametrize("mean", [0.5, 1.5, 4.0])
def test_exact_limits_alarm_less_than_the_naive_ones(mean):
    _, upper = stats.control_limits(mean)
    exact_alarm = sps.poisson.sf(upper, mean)
    naive_alarm = sps.poisson.sf(np.floor(mean + 3 * np.sqrt(mean)), mean)
    assert exact_alarm <= stats.CONTROL_TAIL < naive_alarm  # c̄ + 3√c̄ alarms too often


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (120, 400), (400, 400)])
def test_proportion_interval_is_clopper_pearson(k, n):
    assert stats.proportion_ci(k, n) == pytest.approx(proportion_confint(k, n, method="beta"))


def test_compare_proportions_matches_fisher():
    result = stats.compare_proportions(150, 300, 100, 300)
    assert result.p_value == pytest.approx(sps.fisher_exact([[150, 150], [100, 200]]).pvalue)
    assert result.verdict == stats.INCREASE
    assert stats.compare_proportions(5, 10, 4, 10).verdict == stats.NO_CHANGE
    assert stats.compare_proportions(0, 0, 4, 10).verdict == stats.NO_CHANGE


# --- figures on the sample data --------------------------------------------------------------


def test_monthly_and_weekly_series_sum_to_the_period(cube):
    total = int(cube[(cube["day"] >= "2018-10-01") & (cube["day"] <= "2019-09-30")]["n"].sum())
    for freq in ("M", "W"):
        series = trends.period_series(cube, PROMISE, freq)
        assert series[series["series"] == "current"]["n"].sum() == total
    weekly = trends.period_series(cube, PROMISE, "W")
    assert (weekly["start"].dt.day_of_week == 0).all()  # weeks start on Monday
    prev = weekly[weekly["series"] == "previous"]
    previous_total = int(
        cube[(cube["day"] >= "2017-10-01") & (cube["day"] <= "2018-09-30")]["n"].sum()
    )
    # A year is 52 weeks and a day or two: at most the days beyond the axis are lost.
    assert previous_total - prev["n"].sum() <= 20


def test_rates_use_each_years_population(cube, muni):
    series = trends.add_rates(trends.period_series(cube, PROMISE, "M"), muni, ())
    first = series.iloc[0]  # October 2018, current series
    assert first["rate"] == pytest.approx(first["n"] / 15_954 * 1000)
    assert trends.add_rates(series, muni, ("Nowhere",)) is None


def test_change_table_by_locality_against_pandas(cube, muni, incidents):
    table = trends.change_table(cube, PROMISE, muni, "locality").set_index("key")
    assert list(sorted(table.index)) == sorted(muni.locality_names)
    year = incidents[incidents["occurred_at"].between("2018-10-01", "2019-09-30 23:59")]
    counts = year["locality"].value_counts()
    for name in muni.locality_names:
        assert table.loc[name, "current"] == counts.get(name, 0)
    hallsberg = table.loc["Hallsberg"]
    assert hallsberg["rate"] == pytest.approx(hallsberg["current"] / 8491 * 1000)
    low, high = stats.poisson_ci(int(hallsberg["current"]))
    assert (hallsberg["rate_low"], hallsberg["rate_high"]) == pytest.approx(
        (low / 8.491, high / 8.491)
    )
    assert hallsberg["rate_status"] == trends.RATE_OK


def test_rate_status_for_small_counts(cube, muni):
    table = trends.change_table(
        cube,
        Filters(dt.date(2019, 1, 1), dt.date(2019, 1, 31), localities=("Hjortkvarn",)),
        muni,
        "category",
    )
    for row in table.itertuples():
        if row.current < 3:
            assert row.rate_status == trends.RATE_TOO_FEW and np.isnan(row.rate)
        elif row.current < 20:
            assert row.rate_status == trends.RATE_UNRELIABLE


def test_control_chart_against_hand_computation(cube):
    chart = trends.control_chart(cube, PROMISE)
    row = chart[(chart["category"] == "Stöld") & (chart["month"] == "2019-02-01")].iloc[0]
    baseline = cube[
        (cube["category"] == "Stöld")
        & (cube["day"] >= "2017-10-01")
        & (cube["day"] <= "2018-09-30")
    ]["n"].sum()
    assert row["expected"] == pytest.approx(baseline / 365 * 28)
    assert (row["lower"], row["upper"]) == stats.control_limits(row["expected"])
    feb = cube[
        (cube["category"] == "Stöld")
        & (cube["day"] >= "2019-02-01")
        & (cube["day"] <= "2019-02-28")
    ]["n"].sum()
    assert row["n"] == feb


def test_planted_vandalism_rise_shows_as_unusual_months(cube):
    flagged = trends.unusual_months(trends.control_chart(cube, PROMISE))
    assert (flagged["category"] == "Skadegörelse").any()
    assert set(flagged[flagged["category"] == "Skadegörelse"]["flag"]) == {"high"}


def test_partial_month_expected_is_scaled(cube):
    short = Filters(dt.date(2019, 3, 10), dt.date(2019, 3, 19))
    chart = trends.control_chart(cube, short)
    assert chart["month"].nunique() == 1
    row = chart[chart["category"] == "Stöld"].iloc[0]
    base = cube[
        (cube["category"] == "Stöld")
        & (cube["day"] >= "2018-03-10")
        & (cube["day"] <= "2018-03-19")
    ]["n"].sum()
    assert row["expected"] == pytest.approx(base / 10 * 10)


def test_weekday_hour_matrix_against_pandas(timed, incidents):
    matrix = trends.weekday_hour(timed, PROMISE)
    year = incidents[
        incidents["time_known"] & incidents["occurred_at"].between("2018-10-01", "2019-09-30 23:59")
    ]
    expected = pd.crosstab(year["occurred_at"].dt.day_of_week, year["occurred_at"].dt.hour)
    expected = expected.reindex(index=range(7), columns=range(24), fill_value=0).to_numpy()
    np.testing.assert_array_equal(matrix, expected)


def test_night_share_against_pandas(timed, cube, incidents):
    share = trends.night_share(timed, cube, PROMISE)
    year = incidents[
        incidents["time_known"] & incidents["occurred_at"].between("2018-10-01", "2019-09-30 23:59")
    ]
    hour = year["occurred_at"].dt.hour
    assert share.night == int(((hour >= 22) | (hour < 6)).sum())
    assert share.timed == len(year)
    assert (share.low, share.high) == pytest.approx(
        proportion_confint(share.night, share.timed, method="beta")
    )
    monthly = trends.night_share_by_month(timed, PROMISE)
    assert monthly["night"].sum() == share.night and monthly["timed"].sum() == share.timed


def test_empty_and_single_day_periods(cube, timed, muni):
    empty = Filters(dt.date(2030, 1, 1), dt.date(2030, 1, 31))
    assert trends.change_table(cube, empty, muni, "category").empty
    assert trends.weekday_hour(timed, empty).sum() == 0
    assert trends.night_share(timed, cube, empty).share is None
    one_day = Filters(dt.date(2019, 6, 21), dt.date(2019, 6, 21))
    chart = trends.control_chart(cube, one_day)
    assert chart["month"].nunique() == 1
    assert trends.period_series(cube, one_day, "W")["days"].max() == 1


def test_night_share_by_month_of_an_empty_selection(timed):
    empty = trends.night_share_by_month(timed, Filters(dt.date(2030, 1, 1), dt.date(2030, 1, 31)))
    assert empty.empty and {"share", "low", "high"} <= set(empty.columns)
