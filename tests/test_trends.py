"""Trends statistics against independent references and hand-worked values."""

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from bench import calibration_control
from lib.figures import changes, stats, trends
from lib.figures.coverage import Coverage
from lib.figures.filters import Filters, daily_cube, timed_frame
from lib.ingest.sample import END as SAMPLE_END
from lib.ingest.sample import START as SAMPLE_START
from lib.ingest.sample import generate_incidents
from lib.public import views
from lib.public.disclosure import Disclosure

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
    table = changes.change_table(cube, PROMISE, muni, "locality").set_index("key")
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
    assert hallsberg["rate_status"] == changes.RATE_OK


def test_rate_status_for_small_counts(cube, muni):
    table = changes.change_table(
        cube,
        Filters(dt.date(2019, 1, 1), dt.date(2019, 1, 31), localities=("Hjortkvarn",)),
        muni,
        "category",
    )
    for row in table.itertuples():
        if row.current < 3:
            assert row.rate_status == changes.RATE_TOO_FEW and np.isnan(row.rate)
        elif row.current < 20:
            assert row.rate_status == changes.RATE_UNRELIABLE


# --- unusual months ---------------------------------------------------------------------------


def sample_coverage(incidents):
    """The sample's sources cover 2017-10-01..2019-09-30."""
    return Coverage({str(s): ((SAMPLE_START, SAMPLE_END),) for s in incidents["source"].unique()})


def test_control_chart_against_hand_computation(cube, incidents):
    chart = trends.control_chart(cube, PROMISE, sample_coverage(incidents))
    row = chart[(chart["category"] == "Stöld") & (chart["month"] == "2019-02-01")].iloc[0]

    def stolen(first, last):
        mask = (cube["category"] == "Stöld") & (cube["day"] >= first) & (cube["day"] <= last)
        return int(cube[mask]["n"].sum())

    # February 2016 and 2017 lie before the sample starts: only 2018 is a usable year.
    base, feb = stolen("2018-02-01", "2018-02-28"), stolen("2019-02-01", "2019-02-28")
    assert row["baseline_years"] == (2018,)
    assert (row["n"], row["baseline_n"], row["days"], row["baseline_days"]) == (feb, base, 28, 28)
    assert row["expected"] == pytest.approx(base)
    p = min(
        sps.binomtest(feb, feb + base, 0.5, alternative="greater").pvalue,
        sps.binomtest(feb, feb + base, 0.5, alternative="less").pvalue,
    )
    assert row["p_value"] == pytest.approx(p)
    october = chart[chart["month"] == "2018-10-01"]
    assert set(october["baseline_years"]) == {(2017,)}


def test_planted_vandalism_rise_shows_as_unusual_months(cube, incidents):
    chart = trends.control_chart(cube, PROMISE, sample_coverage(incidents))
    flagged = trends.unusual_months(chart)
    assert (flagged["category"] == "Skadegörelse").any()
    assert set(flagged[flagged["category"] == "Skadegörelse"]["flag"]) == {"high"}


@pytest.mark.parametrize(
    ("x", "b", "d", "db"),
    [
        (0, 0, 31, 93),
        (1, 0, 31, 93),
        (7, 2, 31, 93),
        (36, 14, 31, 31),
        (0, 40, 30, 90),
        (12, 60, 10, 30),
        (5, 3, 29, 84),
    ],
)
def test_conditional_test_is_the_exact_binomial_test(x, b, d, db):
    high, low = stats.conditional_test(x, b, d, db)
    if x + b == 0:
        assert high == low == 1.0
        return
    share = d / (d + db)
    assert high == pytest.approx(sps.binomtest(x, x + b, share, alternative="greater").pvalue)
    assert low == pytest.approx(sps.binomtest(x, x + b, share, alternative="less").pvalue)


@pytest.mark.parametrize(
    ("b", "d", "db"),
    [
        (0, 31, 93),
        (2, 31, 93),
        (23, 31, 93),
        (60, 30, 90),
        (14, 31, 31),
        (150, 10, 30),
        (0, 31, 31),
    ],
)
def test_conditional_limits_by_scanning_binomtest(b, d, db):
    lower, upper = stats.conditional_limits(b, d, db)
    share = d / (d + db)
    xs = range(0, 400)
    high = [
        sps.binomtest(x, x + b, share, alternative="greater").pvalue if x + b else 1.0 for x in xs
    ]
    low = [sps.binomtest(x, x + b, share, alternative="less").pvalue if x + b else 1.0 for x in xs]
    tail = stats.CONTROL_TAIL
    assert upper[0] == max(x for x in xs if high[x] >= tail)
    assert lower[0] == min(x for x in xs if low[x] >= tail)


def test_zero_baseline_is_never_flagged_by_a_few_incidents():
    # Three quiet years, then one robbery (or five) in a month: no flag, "too few".
    for robberies in (1, 5):
        cube = day_cube([("Rån", "2019-03-14", robberies), ("Stöld", "2016-05-01", 1)])
        chart = trends.control_chart(cube, Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31)))
        march = chart[(chart["category"] == "Rån") & (chart["month"] == "2019-03-01")].iloc[0]
        assert march["flag"] is None and march["status"] == trends.MONTH_TOO_FEW
        assert march["expected"] == 0 and march["baseline_years"] == (2016, 2017, 2018)
        assert trends.unusual_months(chart).empty


SEASON = {m: (40 if m == 7 else 10) for m in range(1, 13)}


def seasonal_cube(years, july_last=40):
    """The same seasonal profile every year: 10 a month, 40 in July (the last year's July
    as given)."""
    rows = []
    for year in years:
        for month, count in SEASON.items():
            if year == years[-1] and month == 7:
                count = july_last
            rows += [("Stöld", f"{year}-{month:02d}-{1 + i % 28:02d}", 1) for i in range(count)]
    return day_cube(rows)


def test_july_against_the_same_seasonal_profile_is_not_flagged():
    cube = seasonal_cube([2016, 2017, 2018, 2019])
    year = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    chart = trends.control_chart(cube, year)
    july = chart[chart["month"] == "2019-07-01"].iloc[0]
    assert july["expected"] == pytest.approx(40) and july["flag"] is None
    assert trends.unusual_months(chart).empty
    # The old plug-in baseline (a year's average month, 17.5) would have called July high.
    assert stats.unusual(40, 210 / 12) == "high"


def test_planted_tripling_is_flagged():
    cube = seasonal_cube([2016, 2017, 2018, 2019], july_last=120)
    chart = trends.control_chart(cube, Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31)))
    flagged = trends.unusual_months(chart)
    assert list(flagged["month"]) == [pd.Timestamp("2019-07-01")]
    assert flagged["flag"].tolist() == ["high"]
    assert flagged["p_value"].iloc[0] == pytest.approx(
        sps.binomtest(120, 240, 31 / 124, alternative="greater").pvalue
    )
    assert flagged["lower"].iloc[0] <= 40 <= flagged["upper"].iloc[0] < 120


def test_a_drop_is_flagged_low_only_with_enough_expected():
    year = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    rows = [("Stöld", f"{y}-03-{1 + i % 28:02d}", 1) for y in (2016, 2017, 2018) for i in range(30)]
    chart = trends.control_chart(day_cube([*rows, ("Stöld", "2019-03-05", 5)]), year)
    march = chart[chart["month"] == "2019-03-01"].iloc[0]
    assert march["flag"] == "low" and march["expected"] == pytest.approx(30)
    assert march["p_value"] == pytest.approx(
        sps.binomtest(5, 95, 31 / 124, alternative="less").pvalue
    )
    # Seven a year before: even a month with none is not significantly low (0.75^21 = 0.0024).
    few = [("Stöld", f"{y}-03-{1 + i:02d}", 1) for y in (2016, 2017, 2018) for i in range(7)]
    chart = trends.control_chart(day_cube([*few, ("Stöld", "2019-05-01", 1)]), year)
    assert chart["flag"].isna().all()


def test_no_flag_without_coverage():
    cube = seasonal_cube([2016, 2017, 2018, 2019], july_last=120)
    year = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    # Only 2019 is covered: no month has a baseline, so nothing is flagged.
    only_now = Coverage({"s": ((dt.date(2019, 1, 1), dt.date(2019, 12, 31)),)})
    chart = trends.control_chart(cube, year, only_now)
    assert set(chart["status"]) == {trends.MONTH_NO_BASELINE}
    assert chart["flag"].isna().all() and chart["expected"].isna().all()
    assert chart["baseline_years"].map(len).max() == 0
    # Data from mid-July 2019 only: July is partly covered, earlier months have no data.
    late = Coverage(
        {
            "s": (
                (dt.date(2016, 1, 1), dt.date(2018, 12, 31)),
                (dt.date(2019, 7, 15), dt.date(2019, 12, 31)),
            )
        }
    )
    chart = trends.control_chart(cube, year, late)
    by_month = chart.set_index("month")["status"]
    assert by_month["2019-03-01"] == by_month["2019-07-01"] == trends.MONTH_NO_DATA
    assert by_month["2019-08-01"] == trends.MONTH_TESTED
    assert chart["flag"].isna().all()
    # A baseline year missing in the middle is left out, not counted as zero.
    gap = Coverage(
        {
            "s": (
                (dt.date(2016, 1, 1), dt.date(2016, 12, 31)),
                (dt.date(2018, 1, 1), dt.date(2019, 12, 31)),
            )
        }
    )
    chart = trends.control_chart(cube, year, gap)
    july = chart[chart["month"] == "2019-07-01"].iloc[0]
    assert july["baseline_years"] == (2016, 2018) and july["expected"] == pytest.approx(40)


def test_baseline_needs_the_same_sources():
    cube = seasonal_cube([2016, 2017, 2018, 2019], july_last=120)
    year = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    # A second source joins in 2019: the months of 2019 are covered by more sources than
    # their baseline, so they are not compared ...
    coverage = Coverage(
        {
            "s": ((dt.date(2016, 1, 1), dt.date(2019, 12, 31)),),
            "t": ((dt.date(2019, 1, 1), dt.date(2019, 12, 31)),),
        }
    )
    chart = trends.control_chart(cube, year, coverage)
    assert set(chart["status"]) == {trends.MONTH_NO_BASELINE}
    # ... unless the viewer picks the source that covers every year.
    chart = trends.control_chart(cube, replace(year, sources=("s",)), coverage)
    assert chart["flag"].notna().sum() == 1


def test_partial_month_and_leap_day_exposure():
    cube = day_cube(
        [("Stöld", f"{y}-03-{d:02d}", 1) for y in (2016, 2017, 2018, 2019) for d in range(1, 31)]
    )
    short = trends.control_chart(cube, Filters(dt.date(2019, 3, 10), dt.date(2019, 3, 19)))
    row = short.iloc[0]
    assert (row["days"], row["baseline_days"], row["n"], row["baseline_n"]) == (10, 30, 10, 30)
    assert row["expected"] == pytest.approx(10)
    leap = day_cube(
        [("Stöld", f"{y}-02-{d:02d}", 1) for y in (2017, 2018, 2019) for d in range(1, 29)]
        + [("Stöld", "2020-02-10", 29)]
    )
    row = trends.control_chart(leap, Filters(dt.date(2020, 2, 1), dt.date(2020, 2, 29))).iloc[0]
    assert (row["days"], row["baseline_days"], row["baseline_n"]) == (29, 84, 84)
    assert row["expected"] == pytest.approx(29)  # 84 in 84 days, scaled to 29 days


def test_counts_go_through_the_counter():
    cube = seasonal_cube([2016, 2017, 2018, 2019])
    year = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    doubled = trends.control_chart(cube, year, counter=lambda n, key: 2 * np.asarray(n))
    exact = trends.control_chart(cube, year)
    assert (doubled["n"] == 2 * exact["n"]).all()
    assert (doubled["baseline_n"] == 2 * exact["baseline_n"]).all()


def test_baseline_notes_and_years_text():
    assert views.years_text((2016, 2017, 2018)) == "2016–2018"
    assert views.years_text((2018, 2016)) == "2016 och 2018"
    assert views.years_text((2015, 2017, 2018)) == "2015, 2017 och 2018"
    assert views.years_text(()) == "–"
    cube = seasonal_cube([2016, 2017, 2018, 2019])
    year = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    notes = views.baseline_notes(trends.control_chart(cube, year))
    assert notes == ["Jämfört med samma månad 2016–2018."]
    late = Coverage({"s": ((dt.date(2016, 1, 1), dt.date(2019, 10, 31)),)})
    notes = views.baseline_notes(trends.control_chart(cube, year, late))
    assert (
        notes[1]
        == "2 av 12 månader saknar data (eller har data bara en del av månaden) och prövas inte."
    )
    none = Coverage({"s": ((dt.date(2019, 1, 1), dt.date(2019, 12, 31)),)})
    notes = views.baseline_notes(trends.control_chart(cube, year, none))
    assert notes[0].startswith("Ingen månad i perioden har ett tidigare år")


def test_unusual_view_names_the_baseline_years():
    cube = seasonal_cube([2016, 2017, 2018, 2019], july_last=120)
    chart = trends.control_chart(cube, Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31)))
    view = views.unusual_view(trends.unusual_months(chart), Disclosure(3))
    assert view["Jämfört med"].tolist() == ["2016–2018"]
    assert view["Antal"].tolist() == ["120"]


def test_quick_calibration_of_unusual_months():
    result = calibration_control.run(draws=100, seed=5)  # 500 category-years per rate
    assert result["met"], result["false_flag"]
    assert max(result["false_flag"].values()) <= calibration_control.TARGET
    assert result["power"][3][200] >= 0.9  # a tripled month at 200 a year is found


def day_cube(rows):
    """A daily cube from (category, day, count) rows, one source 's'."""
    frame = pd.DataFrame(rows, columns=["category", "day", "n"])
    frame = frame.groupby(["category", "day"], as_index=False)["n"].sum()
    frame["day"] = pd.to_datetime(frame["day"])
    return frame.assign(locality="A", source="s", key=0.0).sort_values("day", ignore_index=True)


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
    assert changes.change_table(cube, empty, muni, "category").empty
    assert trends.weekday_hour(timed, empty).sum() == 0
    assert trends.night_share(timed, cube, empty).share is None
    one_day = Filters(dt.date(2019, 6, 21), dt.date(2019, 6, 21))
    chart = trends.control_chart(cube, one_day)
    assert chart["month"].nunique() == 1
    assert trends.period_series(cube, one_day, "W")["days"].max() == 1


def test_night_share_by_month_of_an_empty_selection(timed):
    empty = trends.night_share_by_month(timed, Filters(dt.date(2030, 1, 1), dt.date(2030, 1, 31)))
    assert empty.empty and {"share", "low", "high"} <= set(empty.columns)
