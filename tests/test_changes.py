"""Changes between two periods (``lib.figures.changes``) and the exact rate comparison behind
them (``stats.compare_rates``), against independent references: Clopper–Pearson bounds from
beta quantiles, binomial tails from scipy, statsmodels' conditional test, Benjamini–Hochberg
from statsmodels, and plain pandas counts on the sample."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from lib.figures import changes, stats
from lib.figures.coverage import Coverage
from lib.figures.filters import Filters, daily_cube
from lib.ingest.sample import generate_incidents
from lib.public import views
from lib.public.disclosure import Disclosure

PROMISE = Filters(dt.date(2018, 10, 1), dt.date(2019, 9, 30))
ANALYST = Disclosure(3, exact=True)


# --- compare_rates ----------------------------------------------------------------------------


def hand_interval(x, n, e1, e2, alpha=0.05):
    """Clopper–Pearson for the share x/n from beta quantiles, turned into a rate ratio:
    RR = π/(1−π) · e2/e1."""
    lo = 0.0 if x == 0 else sps.beta.ppf(alpha / 2, x, n - x + 1)
    hi = 1.0 if x == n else sps.beta.ppf(1 - alpha / 2, x + 1, n - x)
    low = lo / (1 - lo) * e2 / e1
    high = math.inf if hi == 1.0 else hi / (1 - hi) * e2 / e1
    return low, high


def hand_p(x, n, e1, e2):
    share = e1 / (e1 + e2)
    upper = sum(sps.binom.pmf(k, n, share) for k in range(x, n + 1))
    lower = sum(sps.binom.pmf(k, n, share) for k in range(0, x + 1))
    return min(1.0, 2 * min(upper, lower))


CASES = [
    (6, 2, 1.0, 1.0),
    (30, 12, 365, 365),
    (120, 171, 365, 366),
    (0, 7, 1, 1),
    (7, 0, 2, 3),
    (44, 40, 2 * 15_990, 15_932),
    (1_100, 1_000, 1.1, 1.0),
    (336, 228, 5.8e6, 5.8e6),
]


@pytest.mark.parametrize(("cur", "prev", "e1", "e2"), CASES)
def test_interval_is_clopper_pearson_turned_into_a_ratio(cur, prev, e1, e2):
    result = stats.compare_rates(cur, prev, e1, e2)
    low, high = hand_interval(cur, cur + prev, e1, e2)
    assert result.low == pytest.approx(low, rel=1e-7, abs=1e-12)
    if math.isinf(high):
        assert math.isinf(result.high)
    else:
        assert result.high == pytest.approx(high, rel=1e-7)
    if prev:
        assert result.ratio == pytest.approx((cur / e1) / (prev / e2))
    else:
        assert result.ratio is None


@pytest.mark.parametrize(("cur", "prev", "e1", "e2"), CASES)
def test_p_value_is_twice_the_smaller_binomial_tail(cur, prev, e1, e2):
    result = stats.compare_rates(cur, prev, e1, e2)
    assert result.p_value == pytest.approx(hand_p(cur, cur + prev, e1, e2), rel=1e-7)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize(("cur", "prev", "e1", "e2"), CASES)
def test_tails_agree_with_statsmodels_conditional_test(cur, prev, e1, e2):
    # statsmodels' two-sided exact-cond p is the "minlike" one; its one-sided p-values are the
    # tails, and twice the smaller is the central p-value used here.
    larger = poisson_2indep(cur, e1, prev, e2, method="exact-cond", alternative="larger")
    smaller = poisson_2indep(cur, e1, prev, e2, method="exact-cond", alternative="smaller")
    central = min(1.0, 2 * min(larger.pvalue, smaller.pvalue))
    assert stats.compare_rates(cur, prev, e1, e2).p_value == pytest.approx(central, rel=1e-6)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 120),
    st.integers(0, 120),
    st.floats(0.2, 5.0),
)
def test_verdict_agrees_with_interval_and_p_value(cur, prev, e1):
    result = stats.compare_rates(cur, prev, e1, 1.0)
    if result.verdict == stats.INCREASE:
        assert result.low > 1 and result.p_value < 0.05
    elif result.verdict == stats.DECREASE:
        assert result.high < 1 and result.p_value < 0.05
    else:
        assert result.low <= 1 <= result.high
        # The central p-value rejects exactly when the exact interval excludes 1 (ties aside).
        assert result.p_value >= 0.05 - 1e-9


def test_population_growth_is_not_an_increase():
    # 1 100 against 1 000 events with 10 % more inhabitants: the same rate per inhabitant.
    with_population = stats.compare_rates(1_100, 1_000, 1.1, 1.0)
    assert with_population.ratio == pytest.approx(1.0)
    assert with_population.verdict == stats.NO_CHANGE
    # Without the population the same counts would be called an increase (p ≈ 0.029).
    assert hand_p(1_100, 2_100, 1.0, 1.0) < 0.05
    assert stats.compare_rates(1_100, 1_000).verdict == stats.INCREASE


def test_two_to_six_is_not_significant():
    result = stats.compare_rates(6, 2)
    # Binomial(8, 1/2): P(X >= 6) = 37/256, so the central p-value is 74/256.
    assert result.p_value == pytest.approx(74 / 256)
    assert result.verdict == stats.NO_CHANGE
    assert result.ratio == pytest.approx(3.0)


def test_nothing_in_either_period():
    result = stats.compare_rates(0, 0, 3.0, 2.0)
    assert result.verdict == stats.NO_CHANGE and result.p_value == 1.0 and result.ratio is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        stats.compare_rates(-1, 3)
    with pytest.raises(ValueError):
        stats.compare_rates(1, 3, 0.0, 1.0)


def test_benjamini_hochberg_over_a_table():
    pairs = [(40, 12), (25, 14), (20, 15), (9, 11)]
    adjusted = stats.adjust_rates([stats.compare_rates(c, p) for c, p in pairs])
    reject, q, _, _ = multipletests([hand_p(c, c + p, 1, 1) for c, p in pairs], 0.05, "fdr_bh")
    assert [a.p_value for a in adjusted] == pytest.approx(list(q), rel=1e-7)
    for a, called in zip(adjusted, reject, strict=True):
        assert (a.verdict != stats.NO_CHANGE) == bool(called)
        # A row called changed has an interval that excludes 1, and the reverse.
        assert (a.low > 1 or a.high < 1) == (a.verdict != stats.NO_CHANGE)
    assert stats.adjust_rates([]) == []


# --- periods ----------------------------------------------------------------------------------


def test_a_three_year_period_compares_its_last_twelve_months():
    p = changes.periods(Filters(dt.date(2016, 1, 1), dt.date(2018, 12, 31)), None)
    assert p.year_by_year
    assert (p.current.start, p.current.end) == (dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    assert (p.previous.start, p.previous.end) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert p.days_compared == 365 and not p.partial and not p.no_data


def test_a_year_is_compared_directly():
    p = changes.periods(PROMISE, None)
    assert not p.year_by_year
    assert (p.previous.start, p.previous.end) == (dt.date(2017, 10, 1), dt.date(2018, 9, 30))


dates = st.dates(dt.date(2015, 1, 1), dt.date(2026, 12, 31))


@settings(max_examples=300, deadline=None)
@given(dates, st.one_of(st.integers(0, 1500), st.sampled_from([363, 364, 365, 366])))
def test_comparison_never_overlaps_and_has_the_same_length(start, length):
    end = start + dt.timedelta(days=length)
    p = changes.periods(Filters(start, end), None)
    # What is compared lies inside the chosen period and ends with it.
    assert p.current.end == end and start <= p.current.start
    assert p.previous.end < p.current.start, (p.current, p.previous)
    # The same calendar days a year earlier: the length differs by at most a leap day.
    assert abs(p.previous.days - p.current.days) <= 1
    assert len(p.current_days) == p.current.days <= 366
    assert p.previous_days.min().date() == p.previous.start
    assert p.previous_days.max().date() == p.previous.end


def test_a_366_day_period_without_a_leap_day_does_not_overlap_its_comparison():
    # 1 June 2018 to 1 June 2019 is 366 days; a year earlier would end on 1 June 2018.
    p = changes.periods(Filters(dt.date(2018, 6, 1), dt.date(2019, 6, 1)), None)
    assert p.previous.end < p.current.start


def plain_cube(rows):
    """A cube from (day, category, locality, n) rows, source 'police'."""
    frame = pd.DataFrame(rows, columns=["day", "category", "locality", "n"])
    frame["day"] = pd.to_datetime(frame["day"])
    frame["source"] = "police"
    frame["key"] = 0.0
    return frame.sort_values("day", ignore_index=True)


def test_days_before_a_source_starts_are_not_compared(muni):
    # The source starts on 1 June 2018; the year 2019 can only be compared from 1 June.
    coverage = Coverage({"police": ((dt.date(2018, 6, 1), dt.date(2019, 12, 31)),)})
    cube = plain_cube(
        [
            ("2019-02-10", "Stöld", "Hallsberg", 50),  # no partner day with data: not compared
            ("2019-07-10", "Stöld", "Hallsberg", 12),
            ("2018-07-10", "Stöld", "Hallsberg", 10),
        ]
    )
    f = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    p = changes.periods(f, coverage)
    assert p.current_days.min() == pd.Timestamp("2019-06-01")
    assert p.days_compared == (dt.date(2019, 12, 31) - dt.date(2019, 6, 1)).days + 1 == 214
    assert p.partial and not p.no_data
    result = changes.change(cube, f, muni, coverage)
    assert result.current_total == 62  # the headline counts the whole period
    assert (result.comparison.current, result.comparison.previous) == (12, 10)
    assert result.comparison.exposure_current == 214 * 15_932
    assert result.comparison.exposure_previous == 214 * 15_954
    # Coverage is whole months: the note counts months, never days.
    assert "7 av periodens 12 månader" in " ".join(views.coverage_notes(p))


def test_no_covered_pair_gives_no_data(muni):
    coverage = Coverage({"police": ((dt.date(2019, 3, 1), dt.date(2019, 12, 31)),)})
    cube = plain_cube([("2019-05-10", "Stöld", "Hallsberg", 30)])
    f = Filters(dt.date(2019, 3, 1), dt.date(2019, 12, 31))
    result = changes.change(cube, f, muni, coverage)
    assert result.periods.no_data and result.verdict == changes.NO_DATA
    assert result.comparison is None and result.current_total == 30
    table = changes.change_table(cube, f, muni, "category", coverage)
    assert table["verdict"].tolist() == [changes.NO_DATA]
    assert table["p_value"].isna().all()


def test_a_source_not_selected_does_not_make_coverage(muni):
    # Guards cover both years, police only the later one: a police-only selection has no data.
    coverage = Coverage(
        {
            "police": ((dt.date(2019, 1, 1), dt.date(2019, 12, 31)),),
            "security_guard": ((dt.date(2018, 1, 1), dt.date(2019, 12, 31)),),
        }
    )
    cube = plain_cube([("2019-05-10", "Stöld", "Hallsberg", 30)])
    police = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31), sources=("police",))
    assert changes.change(cube, police, muni, coverage).verdict == changes.NO_DATA
    # All sources: the guards are compared (both years), the police left out and named; their
    # 30 incidents are in the headline count but not in the comparison.
    everyone = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    result = changes.change(cube, everyone, muni, coverage)
    assert result.current_total == 30
    assert (result.comparison.current, result.comparison.previous) == (0, 0)
    assert result.periods.left_out == ("police",)
    assert "Polisen ingår inte i jämförelsen" in " ".join(views.coverage_notes(result.periods))
    guards = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31), sources=("security_guard",))
    assert changes.change(cube, guards, muni, coverage).periods.days_compared == 365


def test_leap_day_sentence_and_verdict_agree(muni):
    # 28–29 February 2020 against 28 February 2019: 44 incidents in two days against 40 in one.
    # More incidents, but the rate per inhabitant and day fell by almost half.
    cube = plain_cube(
        [
            ("2019-02-28", "Stöld", "Hallsberg", 40),
            ("2020-02-28", "Stöld", "Hallsberg", 22),
            ("2020-02-29", "Stöld", "Hallsberg", 22),
        ]
    )
    f = Filters(dt.date(2020, 2, 28), dt.date(2020, 2, 29))
    result = changes.change(cube, f, muni)
    c = result.comparison
    assert (c.current, c.previous) == (44, 40)
    assert c.exposure_current == 2 * 15_990 and c.exposure_previous == 15_932
    ratio = (44 / (2 * 15_990)) / (40 / 15_932)
    assert c.ratio == pytest.approx(ratio)
    assert hand_p(44, 84, 2 * 15_990, 15_932) < 0.05
    assert result.verdict == stats.DECREASE
    view = views.overview_view(views.Data(cube, cube.iloc[0:0], None, muni), f, ANALYST)
    sentence = view.sentences[1]
    assert "minskat" in sentence and "minskningen är 45" in sentence
    assert "ökn" not in sentence and "fler" not in sentence
    assert view.verdicts[0]["verdict"] == "minskning"


# --- change_table on the sample ---------------------------------------------------------------


@pytest.fixture(scope="module")
def cube(muni):
    return daily_cube(generate_incidents(muni))


def pandas_counts(sample, column, start, end):
    day = sample["datum"].dt.normalize()
    return sample[day.between(pd.Timestamp(start), pd.Timestamp(end))][column].value_counts()


@pytest.mark.parametrize(("by", "column"), [("category", "kategori"), ("locality", "ort")])
def test_change_table_counts_match_pandas(cube, muni, sample_incidents, by, column):
    table = changes.change_table(cube, PROMISE, muni, by).set_index("key")
    current = pandas_counts(sample_incidents, column, "2018-10-01", "2019-09-30")
    previous = pandas_counts(sample_incidents, column, "2017-10-01", "2018-09-30")
    for key, row in table.iterrows():
        assert row["current"] == row["total"] == current.get(key, 0)
        assert row["previous"] == previous.get(key, 0)
    assert set(current.index) <= set(table.index)
    if by == "locality":
        assert sorted(table.index) == sorted(muni.locality_names)


def test_change_table_of_a_long_period_compares_the_last_year(cube, muni, sample_incidents):
    two_years = Filters(dt.date(2017, 10, 1), dt.date(2019, 9, 30))
    table = changes.change_table(cube, two_years, muni, "category").set_index("key")
    current = pandas_counts(sample_incidents, "kategori", "2018-10-01", "2019-09-30")
    previous = pandas_counts(sample_incidents, "kategori", "2017-10-01", "2018-09-30")
    whole = pandas_counts(sample_incidents, "kategori", "2017-10-01", "2019-09-30")
    for key, row in table.iterrows():
        assert (row["current"], row["previous"], row["total"]) == (
            current.get(key, 0),
            previous.get(key, 0),
            whole.get(key, 0),
        )


def test_change_table_statistics_by_hand(cube, muni, sample_incidents):
    table = changes.change_table(cube, PROMISE, muni, "category")
    # Exposure: inhabitant-days with each day's own year's population.
    e1 = 92 * 15_954 + 273 * 15_932  # Oct–Dec 2018, Jan–Sep 2019
    e2 = 92 * 15_932 + 273 * 15_954  # Oct–Dec 2017, Jan–Sep 2018
    pairs = zip(table["current"], table["previous"], strict=True)
    raw = [hand_p(c, c + p, e1, e2) for c, p in pairs]
    reject, q, _, _ = multipletests(raw, 0.05, "fdr_bh")
    assert table["p_value"].to_numpy() == pytest.approx(np.minimum(q, 1.0), rel=1e-6)
    ratio = (table["current"] / e1) / (table["previous"] / e2)
    assert table["ratio"].to_numpy() == pytest.approx(ratio.to_numpy())
    for row, called in zip(table.itertuples(), reject, strict=True):
        assert (row.verdict != stats.NO_CHANGE) == bool(called)
        if called:
            assert (row.verdict == stats.INCREASE) == (row.ratio > 1)
    vandalism = table.set_index("key").loc["Skadegörelse"]
    assert vandalism["verdict"] == stats.INCREASE
    assert vandalism["rate"] == pytest.approx(vandalism["total"] / 15_932 * 1000)


def test_exposure_by_hand(muni):
    days = pd.date_range("2018-12-30", "2019-01-02", freq="D")
    assert changes.exposure(muni, (), days) == 2 * 15_954 + 2 * 15_932
    assert changes.exposure(muni, ("Pålsboda",), days) == 4 * 1_663
    assert changes.exposure(muni, (), days[:0]) == 0.0


def test_a_public_verdict_holds_for_every_exact_count_the_noise_allows():
    """With the public view's slack, an increase or decrease is called only when every pair
    of counts within ±2 of the published ones gives the same verdict by the exact test
    (checked with scipy's binomial test and Clopper–Pearson interval, independently)."""
    from scipy.stats import binomtest

    def exact_verdict(c: int, p: int) -> str:
        if c + p == 0:
            return stats.NO_CHANGE
        ci = binomtest(c, c + p, 0.5).proportion_ci(0.95, method="exact")
        low = ci.low / (1 - ci.low) if ci.low < 1 else float("inf")
        high = ci.high / (1 - ci.high) if ci.high < 1 else float("inf")
        return stats.INCREASE if low > 1 else stats.DECREASE if high < 1 else stats.NO_CHANGE

    called = 0
    for published in [(c, p) for c in range(0, 40, 3) for p in range(0, 40, 3)]:
        public = stats.compare_rates(*published, slack=2)
        box = [
            exact_verdict(max(published[0] + a, 0), max(published[1] + b, 0))
            for a in range(-2, 3)
            for b in range(-2, 3)
        ]
        if public.verdict != stats.NO_CHANGE:
            called += 1
            assert set(box) == {public.verdict}, published
        assert public.low <= (stats.compare_rates(*published).low)
    assert called > 10  # the grid holds clear changes too
