"""Statistics against independent references: scipy, statsmodels and hand-worked values."""

import math

import pytest
from scipy import stats as sps
from statsmodels.stats import rates as sm_rates

from lib.figures import stats


def test_zero_count_upper_limit_is_3_689():
    low, high = stats.poisson_ci(0)
    assert low == 0
    assert high == pytest.approx(3.689, abs=5e-4)


@pytest.mark.parametrize("k", [1, 2, 5, 19, 20, 137, 2500])
def test_garwood_interval_matches_gamma_quantiles(k):
    # Independent route: the exact interval as gamma quantiles (Garwood 1936).
    low, high = stats.poisson_ci(k)
    assert low == pytest.approx(sps.gamma.ppf(0.025, k), rel=1e-9)
    assert high == pytest.approx(sps.gamma.ppf(0.975, k + 1), rel=1e-9)


def test_garwood_interval_hand_values():
    # Tabulated exact 95 % limits for k = 1: 0.0253, 5.572; k = 10: 4.795, 18.390.
    assert stats.poisson_ci(1) == pytest.approx((0.0253, 5.5716), abs=5e-4)
    assert stats.poisson_ci(10) == pytest.approx((4.7954, 18.3904), abs=5e-4)


def test_interval_covers_at_least_nominal_probability():
    # Exact intervals are conservative: coverage >= 95 % for any true mean.
    for mu in (0.5, 2.0, 7.5, 30.0):
        ks = range(0, int(mu * 5 + 30))
        coverage = sum(
            sps.poisson.pmf(k, mu)
            for k in ks
            if stats.poisson_ci(k)[0] <= mu <= stats.poisson_ci(k)[1]
        )
        assert coverage >= 0.95


def test_rate_scales_count_and_interval():
    r = stats.rate(16, 15_932, per=1000)
    assert r.value == pytest.approx(16 / 15.932)
    low, high = stats.poisson_ci(16)
    assert (r.low, r.high) == pytest.approx((low / 15.932, high / 15.932))
    assert r.shown and not r.reliable


@pytest.mark.parametrize(
    ("count", "shown", "reliable"),
    [(2, False, False), (3, True, False), (19, True, False), (20, True, True)],
)
def test_rate_flags_small_counts(count, shown, reliable):
    r = stats.rate(count, 10_000)
    assert (r.shown, r.reliable) == (shown, reliable)


def test_rate_rejects_missing_population():
    with pytest.raises(ValueError):
        stats.rate(5, 0)


def test_two_to_six_is_not_significant():
    result = stats.compare_counts(6, 2)
    assert result.p_value == pytest.approx(0.18, abs=0.01)
    assert result.verdict == stats.NO_CHANGE


def test_comparison_matches_scipy_e_test():
    for cur, prev, n1, n2 in [(30, 12, 365, 365), (120, 171, 365, 366), (0, 7, 1, 1)]:
        ours = stats.compare_counts(cur, prev, n1, n2)
        assert ours.p_value == pytest.approx(sps.poisson_means_test(cur, n1, prev, n2).pvalue)


def test_large_counts_use_score_test():
    ours = stats.compare_counts(21_000, 20_000)
    reference = sm_rates.test_poisson_2indep(21_000, 1, 20_000, 1, method="score").pvalue
    assert ours.p_value == pytest.approx(reference)
    assert ours.verdict == stats.INCREASE


def test_verdict_direction_and_equal_zero():
    assert stats.compare_counts(171, 120).verdict == stats.INCREASE
    assert stats.compare_counts(120, 171).verdict == stats.DECREASE
    assert stats.compare_counts(0, 0) == stats.Comparison(0, 0, 1.0, stats.NO_CHANGE)


def test_exposure_matters():
    # 40 in 365 days against 20 in 182.5 days is the same rate: no change.
    assert stats.compare_counts(40, 20, 365, 182.5).verdict == stats.NO_CHANGE


def test_change_fraction():
    assert stats.compare_counts(6, 4).change_fraction == pytest.approx(0.5)
    assert stats.compare_counts(6, 0).change_fraction is None
    assert math.isclose(stats.compare_counts(3, 6).change, -3)


def test_many_comparisons_are_adjusted_benjamini_hochberg():
    # Hand-worked: p = 0.01, 0.04, 0.03, 0.2 -> q = 0.04, 0.0533, 0.0533, 0.2.
    raw = [stats.Comparison(10, 2, p, stats.INCREASE) for p in (0.01, 0.04, 0.03, 0.2)]
    adjusted = stats.adjust_for_many(raw)
    assert [c.p_value for c in adjusted] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert [c.verdict for c in adjusted] == [stats.INCREASE] + [stats.NO_CHANGE] * 3
    assert stats.adjust_for_many([]) == []
