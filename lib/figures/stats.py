"""Statistics for small counts, as statistical offices do them. Pure functions, no Streamlit.

* Exact (Garwood) Poisson intervals for counts and rates.
* Rates from fewer than 20 events are flagged unreliable; none is shown below 3 events.
* A change is called an increase or a decrease only when a two-sample Poisson test says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats
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


# --- Proportions --------------------------------------------------------------------------------


def proportion_ci(successes: int, trials: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact (Clopper–Pearson) interval for a proportion."""
    if trials == 0:
        return 0.0, 1.0
    ci = stats.binomtest(successes, trials).proportion_ci(1 - alpha, method="exact")
    return float(ci.low), float(ci.high)


def compare_proportions(k1: int, n1: int, k2: int, n2: int, alpha: float = ALPHA) -> Comparison:
    """Has a share (e.g. of night-time incidents) changed? Fisher's exact test; the verdict
    says whether the first share is higher or lower than the second. Counts are the k's."""
    if n1 == 0 or n2 == 0:
        return Comparison(k1, k2, 1.0, NO_CHANGE)
    p = float(stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue)
    if p >= alpha:
        verdict = NO_CHANGE
    else:
        verdict = INCREASE if k1 / n1 > k2 / n2 else DECREASE
    return Comparison(k1, k2, p, verdict)
