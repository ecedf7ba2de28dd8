"""Statistics for small counts, as statistical offices do them. Pure functions, no Streamlit.

* Exact (Garwood) Poisson intervals for counts and rates.
* Rates from fewer than 20 events are flagged unreliable; none is shown below 3 events.
* A change is called an increase or a decrease only when a two-sample Poisson test says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import test_poisson_2indep

ALPHA = 0.05
MIN_RELIABLE = 20  # fewer events than this: the rate is flagged unreliable
MIN_SHOWN = 3  # fewer events than this: no rate is shown
# Above this many events in total the E-test is slow and the score test is as good.
LARGE_COUNTS = 5000

INCREASE, DECREASE, NO_CHANGE = "increase", "decrease", "no_change"


def poisson_ci(count: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact Garwood interval for a Poisson count: chi-square quantiles over two."""
    if count < 0:
        raise ValueError("count must be non-negative")
    low = 0.0 if count == 0 else stats.chi2.ppf(alpha / 2, 2 * count) / 2
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return float(low), float(high)


@dataclass(frozen=True)
class Rate:
    count: int
    population: int
    per: int
    value: float
    low: float
    high: float

    @property
    def shown(self) -> bool:
        return self.count >= MIN_SHOWN

    @property
    def reliable(self) -> bool:
        return self.count >= MIN_RELIABLE


def rate(count: int, population: int, per: int = 1000, alpha: float = ALPHA) -> Rate:
    """Events per ``per`` inhabitants with the exact interval of the count scaled alike."""
    if population <= 0:
        raise ValueError("population must be positive")
    low, high = poisson_ci(count, alpha)
    scale = per / population
    return Rate(count, population, per, count * scale, low * scale, high * scale)


@dataclass(frozen=True)
class Comparison:
    current: int
    previous: int
    p_value: float
    verdict: str  # INCREASE, DECREASE or NO_CHANGE

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def change_fraction(self) -> float | None:
        return None if self.previous == 0 else self.change / self.previous


def compare_counts(
    current: int,
    previous: int,
    exposure_current: float = 1.0,
    exposure_previous: float = 1.0,
    alpha: float = ALPHA,
) -> Comparison:
    """Two-sided test of equal Poisson rates (E-test of Krishnamoorthy and Thomson, as
    ``scipy.stats.poisson_means_test``; the score test for very large counts)."""
    if current < 0 or previous < 0:
        raise ValueError("counts must be non-negative")
    if current == 0 and previous == 0:
        return Comparison(0, 0, 1.0, NO_CHANGE)
    if current + previous > LARGE_COUNTS:
        p = test_poisson_2indep(
            current, exposure_current, previous, exposure_previous, method="score"
        ).pvalue
    else:
        p = stats.poisson_means_test(current, exposure_current, previous, exposure_previous).pvalue
    p = float(min(max(p, 0.0), 1.0))
    if p >= alpha or math.isnan(p):
        verdict = NO_CHANGE
    elif current / exposure_current > previous / exposure_previous:
        verdict = INCREASE
    else:
        verdict = DECREASE
    return Comparison(current, previous, p, verdict)


@dataclass(frozen=True)
class RateComparison:
    """Two periods' counts with their exposures (inhabitants × days), the rate ratio with its
    exact 95 % interval, and the verdict: an increase or a decrease only when the interval
    excludes 1, so the sentence, the badge and the table can never disagree."""

    current: int
    previous: int
    exposure_current: float
    exposure_previous: float
    ratio: float | None  # None when the previous rate is zero
    low: float
    high: float
    p_value: float
    verdict: str
    slack: int = 0  # how far the counts may be from the exact ones (see compare_rates)

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def change_fraction(self) -> float | None:
        """The rate ratio minus one: +0.2 is a rate 20 % higher."""
        return None if self.ratio is None else self.ratio - 1.0


def _rate_limits(current: int, previous: int, odds: float, share: float, alpha: float):
    """Exact interval for the rate ratio and the central two-sided p-value at RR = 1."""
    n = current + previous
    if n == 0:
        return 0.0, math.inf, 1.0
    # Clopper–Pearson limits for the share, as beta quantiles (what binomtest's "exact"
    # interval computes, without building a test object per call)
    # (scipy.special's functions directly: the distribution objects' argument checks cost
    # ten times the computation, and a page makes hundreds of these).
    lo_p = 0.0 if current == 0 else float(special.betaincinv(current, n - current + 1, alpha / 2))
    hi_p = (
        1.0 if current == n else float(special.betaincinv(current + 1, n - current, 1 - alpha / 2))
    )
    low = 0.0 if lo_p <= 0 else lo_p / (1 - lo_p) * odds
    high = math.inf if hi_p >= 1 else hi_p / (1 - hi_p) * odds
    upper_tail = 1.0 if current == 0 else float(special.bdtrc(current - 1, n, share))  # P(X ≥ c)
    lower_tail = float(special.bdtr(current, n, share))  # P(X ≤ c)
    return low, high, float(min(1.0, 2 * min(upper_tail, lower_tail)))


def compare_rates(
    current: int,
    previous: int,
    exposure_current: float = 1.0,
    exposure_previous: float = 1.0,
    alpha: float = ALPHA,
    slack: int = 0,
) -> RateComparison:
    """Exact comparison of two Poisson rates. Given the n = current + previous events, the
    current count is binomial with share π = e₁·RR / (e₁·RR + e₂); the Clopper–Pearson
    interval for π gives the exact interval for the rate ratio RR, and the central two-sided
    p-value (twice the smaller tail at RR = 1) rejects exactly when that interval excludes 1.

    ``slack``: the counts are published counts that may be off the exact ones by up to this
    much (the public view's cell-key noise). The interval is then the union of the intervals
    of every pair of counts within ``slack`` (its ends come from the two extreme corners, as
    the lower limit grows with the current count and falls with the previous one), and the
    p-value the largest; a change is called only when it holds for every such pair, so the
    public never sees an increase that the exact counts do not give."""
    if current < 0 or previous < 0:
        raise ValueError("counts must be non-negative")
    if exposure_current <= 0 or exposure_previous <= 0:
        raise ValueError("exposures must be positive")
    odds = exposure_previous / exposure_current
    share = exposure_current / (exposure_current + exposure_previous)
    ratio = None if previous == 0 else (current / exposure_current) / (previous / exposure_previous)
    if current + previous == 0:
        return RateComparison(
            0, 0, exposure_current, exposure_previous, None, 0.0, math.inf, 1.0, NO_CHANGE, slack
        )
    low, high, p = _rate_limits(current, previous, odds, share, alpha)
    if slack:
        down = _rate_limits(max(current - slack, 0), previous + slack, odds, share, alpha)
        up = _rate_limits(current + slack, max(previous - slack, 0), odds, share, alpha)
        low, high, p = min(low, down[0]), max(high, up[1]), max(p, down[2], up[2])
    if low > 1:
        verdict = INCREASE
    elif high < 1:
        verdict = DECREASE
    else:
        verdict = NO_CHANGE
    return RateComparison(
        current, previous, exposure_current, exposure_previous, ratio, low, high, p, verdict, slack
    )


def adjust_rates(comparisons: list[RateComparison], alpha: float = ALPHA) -> list[RateComparison]:
    """Benjamini–Hochberg over a table of rate comparisons (one per category, say): a row
    keeps its verdict only when its adjusted p-value is below ``alpha``; the interval shown is
    then the simultaneous one (Benjamini–Yekutieli's FCR-adjusted level, alpha·R/m with R
    rows called changed), so a row's verdict and interval still agree."""
    if not comparisons:
        return []
    _, adjusted, _, _ = multipletests([c.p_value for c in comparisons], alpha, "fdr_bh")
    called = int(sum(q < alpha for q in adjusted))
    level = alpha * max(called, 1) / len(comparisons)
    out = []
    for c, q in zip(comparisons, adjusted, strict=True):
        wide = compare_rates(
            c.current, c.previous, c.exposure_current, c.exposure_previous, level, c.slack
        )
        verdict = wide.verdict if q < alpha else NO_CHANGE
        out.append(
            RateComparison(
                c.current,
                c.previous,
                c.exposure_current,
                c.exposure_previous,
                c.ratio,
                wide.low,
                wide.high,
                float(min(q, 1.0)),
                verdict,
                c.slack,
            )
        )
    return out


def adjust_for_many(comparisons: list[Comparison], alpha: float = ALPHA) -> list[Comparison]:
    """Verdicts for a table of simultaneous comparisons (one per category, say), with the
    false discovery rate controlled by Benjamini–Hochberg: among twenty categories one would
    otherwise be called changed by chance alone in an ordinary year. The p-values returned
    are the adjusted ones."""
    if not comparisons:
        return []
    _, adjusted, _, _ = multipletests([c.p_value for c in comparisons], alpha, "fdr_bh")
    out = []
    for c, q in zip(comparisons, adjusted, strict=True):
        q = float(min(q, 1.0))
        verdict = c.verdict if q < alpha else NO_CHANGE
        out.append(Comparison(c.current, c.previous, q, verdict))
    return out


# --- Control charts ---------------------------------------------------------------------------

# Tail probability of a 3-sigma limit on a normal curve: exact Poisson limits with the same
# false-alarm rate per side, instead of c̄ ± 3√c̄, which alarms far too often at small means.
CONTROL_TAIL = 0.00135


def control_limits(expected: float, tail: float = CONTROL_TAIL) -> tuple[int, int]:
    """Exact Poisson limits: counts below ``lower`` or above ``upper`` each occur with
    probability at most ``tail`` when the true mean is ``expected``."""
    if expected < 0:
        raise ValueError("expected must be non-negative")
    upper = int(stats.poisson.ppf(1 - tail, expected))
    lower = int(stats.poisson.ppf(tail, expected))
    # ppf gives the smallest k with cdf(k) >= q; below that k the cdf is < q, so counts
    # strictly below ``lower`` have total probability < tail.
    return lower, upper


def unusual(count: int, expected: float, tail: float = CONTROL_TAIL) -> str | None:
    """'high', 'low' or None for a count against its exact Poisson control limits."""
    lower, upper = control_limits(expected, tail)
    if count > upper:
        return "high"
    if count < lower:
        return "low"
    return None


def conditional_test(count, baseline, days, baseline_days) -> tuple[np.ndarray, np.ndarray]:
    """One-sided exact p-values of a count against a baseline count that is itself a Poisson
    observation (conditional binomial test): with equal daily rates, ``count`` given
    ``count + baseline`` is Binomial(count + baseline, days / (days + baseline_days)).
    Returns (P(X >= count), P(X <= count)) under that binomial; vectorised."""
    x = np.asarray(count, dtype=np.int64)
    b = np.asarray(baseline, dtype=np.int64)
    share = np.asarray(days, dtype=float) / (
        np.asarray(days, dtype=float) + np.asarray(baseline_days, dtype=float)
    )
    return stats.binom.sf(x - 1, x + b, share), stats.binom.cdf(x, x + b, share)


def conditional_limits(
    baseline, days, baseline_days, tail: float = CONTROL_TAIL
) -> tuple[np.ndarray, np.ndarray]:
    """The in-control counts of ``conditional_test``: counts below ``lower`` have
    P(X <= count) < tail and counts above ``upper`` have P(X >= count) < tail. Both
    p-values are monotone in the count (adding one to X and to X + B can only lower the
    upper tail and raise the lower one), so the limits are found by bisection."""
    b = np.atleast_1d(np.asarray(baseline, dtype=np.int64))
    d = np.broadcast_to(np.asarray(days, dtype=float), b.shape)
    db = np.broadcast_to(np.asarray(baseline_days, dtype=float), b.shape)

    def high(x):
        return conditional_test(x, b, d, db)[0]

    def low(x):
        return conditional_test(x, b, d, db)[1]

    # Upper: largest x with P(X >= x) >= tail. x = 0 is always in control.
    out = np.ceil(2 * b * d / db + 20).astype(np.int64)
    while (grow := high(out) >= tail).any():
        out = np.where(grow, out * 2, out)
    inside = np.zeros_like(b)
    while (open_ := out - inside > 1).any():
        mid = (inside + out) // 2
        ok = high(mid) >= tail
        inside = np.where(open_ & ok, mid, inside)
        out = np.where(open_ & ~ok, mid, out)
    upper = inside
    # Lower: smallest x with P(X <= x) >= tail; the upper limit is in control from below.
    below = np.full_like(b, -1)
    fine = upper.copy()
    while (open_ := fine - below > 1).any():
        mid = (below + fine) // 2
        ok = low(mid) >= tail
        fine = np.where(open_ & ok, mid, fine)
        below = np.where(open_ & ~ok, mid, below)
    return fine, upper


# --- Proportions --------------------------------------------------------------------------------


def proportion_ci(successes: int, trials: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact (Clopper–Pearson) interval for a proportion."""
    if trials == 0:
        return 0.0, 1.0
    ci = stats.binomtest(successes, trials).proportion_ci(1 - alpha, method="exact")
    return float(ci.low), float(ci.high)


def compare_proportions(
    k1: int, n1: int, k2: int, n2: int, alpha: float = ALPHA, slack: int = 0
) -> Comparison:
    """Has a share (e.g. of night-time incidents) changed? Fisher's exact test; the verdict
    says whether the first share is higher or lower than the second. Counts are the k's.

    ``slack``: the four counts are published counts, each possibly off the exact one by up to
    this (``counting.slack``). A change is then called only if it is significant at the
    corner of that box least favourable to it (the share that rose at its lowest, the other
    at its highest), so the public never sees a verdict the exact counts do not give; the
    p-value reported is that corner's."""
    if n1 == 0 or n2 == 0:
        return Comparison(k1, k2, 1.0, NO_CHANGE)
    p = _fisher(k1, n1, k2, n2)
    if p >= alpha:
        return Comparison(k1, k2, p, NO_CHANGE)
    up = k1 / n1 > k2 / n2
    if slack:
        s = slack
        if up:  # night share 1 at its lowest (fewer night, more day), share 2 at its highest
            p = _fisher(max(k1 - s, 0), n1 + s, k2 + s, max(n2 - s, k2 + s))
        else:
            p = _fisher(k1 + s, max(n1 - s, k1 + s), max(k2 - s, 0), n2 + s)
        if p >= alpha:
            return Comparison(k1, k2, p, NO_CHANGE)
    return Comparison(k1, k2, p, INCREASE if up else DECREASE)


def _fisher(k1: int, n1: int, k2: int, n2: int) -> float:
    return float(stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue)
