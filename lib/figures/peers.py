"""Peer comparison: reported crimes per 100 000 inhabitants against a chosen group of
municipalities, judged with a funnel plot (Spiegelhalter 2005) rather than a league table.

Pure functions on the stored ``peers`` table (one row per region, year, period, category and
source); no Streamlit, no Swedish text (group names come from the municipality's
configuration, words from the catalogue).

The figures are published statistics of whole municipalities, not our incidents, so no counter
perturbs them; a suppressed value ('..') stays missing and its municipality is left out of the
funnel, never counted as zero.

Overdispersion (Spiegelhalter 2005, Statistics in Medicine 24:1185-1202, section 3.3 and 6):
municipalities differ by more than Poisson chance (for all reported crimes the winsorised
phi is about 25-34), so plain Poisson limits put almost every municipality "outside". We

1. compute each member's z-score against the pooled rate, z = (y - E) / sqrt(E);
2. winsorise the z-scores at their 10 % and 90 % points (numpy's linear quantiles): scores
   below the 10 % point are set to it, above the 90 % point to it;
3. estimate phi = mean of the winsorised z squared (the figure the page shows);
4. call the spread overdispersed only when I * phi exceeds the 95 % point of chi-squared with
   I - 1 degrees of freedom (I members; one degree spent on the pooled rate). Otherwise the
   limits stay the exact Poisson limits and the page says the spread is what chance gives.
   Winsorising makes this test robust: one real outlier among ordinary municipalities does
   not widen the limits and so cannot hide itself;
5. if overdispersed, widen with an ADDITIVE random effect, the DerSimonian-Laird moment
   estimator of the paper: tau^2 = (Q - (I - 1)) / (sum w - sum w^2 / sum w), w_i = 1 / s_i^2,
   s_i^2 = target * 100 000 / population_i (the Poisson variance of a rate per 100 000).
   Q = sum z^2 is taken WITHOUT winsorising. Deviation from the paper, which plugs the
   winsorised I * phi in: winsorising clips exactly the large municipalities whose z-scores
   carry the between-municipality variance, and in ``bench/calibration_funnel.py`` (gamma-
   Poisson null, phi about 25) that left 14 % of the county's municipalities and 16 % of 290
   outside the 95 % limits; with the unwinsorised Q it is 4-7 % (1 000 draws).

Additive AND multiplicative: the limits are the wider of the two on each side. Which model of
overdispersion holds is not known. If municipalities differ in their rates (a gamma random
effect, Var(y) = E + cv^2 E^2), the additive limits are right and a multiplicative phi alone
widens the small municipalities' limits far too much and the large ones' too little (the
largest of 290 outside in about 70 % of draws, 14 % of all outside). If instead every
municipality has the same variance ratio (a negative binomial with Var = phi E, the
multiplicative model), the additive limits alone are too narrow for the small
municipalities (13-16 % outside, the smallest up to a third of the time). The wider of
Spiegelhalter's two adjustments (multiplicative: the exact half-widths times sqrt(phi) with
the winsorised phi of step 3; additive: step 5) holds under either: in
``bench/calibration_funnel.py`` at most 4-8 % of municipalities fall outside the 95 % limits
under the gamma null and under the constant-phi null, for the county (12) and for 290
municipalities. The price is power: a real outlier must clear both. tau is kept RELATIVE to
the target (tau / target, the between-municipality coefficient of variation) and phi is a
ratio, so both carry over from the set they were estimated on to a group with another pooled
rate.

Few members: phi and tau from four z-scores say little. When the chosen group has fewer than
``MIN_FOR_DISPERSION`` (10) members with figures, the spread is estimated on the reference set
(every municipality with figures for that year and category among those the comparison
keeps, ``lib.config.regions``: the county's and any a group names) and applied to the group;
the result says which set it came from, and whether even that set was small.

Limits: the exact Poisson half-width on each side (appendix A.1.2, interpolated between
integer counts), (a) combined in quadrature with z * tau and (b) times sqrt(phi), whichever is
wider; with tau = 0 and phi = 1 the limits are exactly the Poisson ones, and for large counts
(a) becomes the paper's target +- z * sqrt(s_i^2 + tau^2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from lib.config import ComparisonGroup, Municipality, find_region, regions

PER = 100_000
LEVELS = (0.95, 0.998)  # the two funnels: about 2 and 3 standard deviations
VERDICT_LEVEL = LEVELS[0]  # a verdict is given outside the (adjusted) 95 % limits
WINSOR = 0.10  # winsorise z-scores at the 10 % and 90 % points
TEST_LEVEL = 0.95  # overdispersion is assumed only when the chi-squared test says so at 5 %
MIN_FOR_DISPERSION = 10  # fewer members: estimate the spread on the reference set

INSIDE, ABOVE, BELOW = "inside", "above", "below"  # catalogue: inom, över, under


@dataclass(frozen=True)
class Verdict:
    code: str  # INSIDE, ABOVE or BELOW: outside the adjusted 95 % limits
    rate: float
    group_rate: float
    beyond_998: bool = False  # also outside the adjusted 99.8 % limits
    z: float = float("nan")  # against Poisson variation alone
    z_adjusted: float = float("nan")  # against Poisson variation and the random effect


@dataclass(frozen=True)
class Dispersion:
    """Spiegelhalter's overdispersion estimate and the additive random effect it implies."""

    phi: float  # mean of the winsorised squared z-scores (shown)
    members: int  # I: municipalities it was estimated on
    statistic: float  # I * phi, the test statistic
    critical: float  # 95 % point of chi-squared with I - 1 degrees of freedom
    overdispersed: bool  # statistic > critical: the limits are widened
    q: float  # sum of the unwinsorised squared z-scores (Cochran's Q), for tau^2
    tau2: float  # between-municipality variance of rates per 100 000 (0 unless overdispersed)
    target: float  # the pooled rate of the set it was estimated on
    on_reference: bool = False  # estimated on the reference set, not on the group itself

    @property
    def tau_relative(self) -> float:
        """tau / target: the between-municipality coefficient of variation."""
        return float(np.sqrt(self.tau2) / self.target) if self.target > 0 else 0.0

    @property
    def small(self) -> bool:
        """Estimated on fewer members than ``MIN_FOR_DISPERSION``: uncertain."""
        return self.members < MIN_FOR_DISPERSION


@dataclass(frozen=True)
class Comparison:
    """One year and category: the group's points with limits and verdicts."""

    points: pd.DataFrame  # region_code, region, n, pop, rate_per_100k, lower, upper, z, ...
    group_rate: float
    dispersion: Dispersion | None  # None: too few municipalities anywhere to estimate

    @property
    def tau_relative(self) -> float:
        d = self.dispersion
        return d.tau_relative if d is not None and d.overdispersed else 0.0

    @property
    def phi_width(self) -> float:
        """The multiplicative widening of the limits (1 unless overdispersed)."""
        d = self.dispersion
        return max(d.phi, 1.0) if d is not None and d.overdispersed else 1.0


# --- The comparison group -----------------------------------------------------------------


def comparison_groups(muni: Municipality) -> tuple[ComparisonGroup, ...]:
    """The groups a viewer may choose, the configured default first; without a
    ``[comparison]`` section, the county's municipalities (label left to the catalogue)."""
    groups = muni.comparison_groups or (ComparisonGroup("county", "", county=True),)
    first = [g for g in groups if g.id == muni.default_comparison]
    return tuple(first + [g for g in groups if g.id != muni.default_comparison])


def group_codes(group: ComparisonGroup, muni: Municipality) -> list[str]:
    """Codes of the group's municipalities, the municipality itself included: every
    municipality of the municipality's county for a county group, else the named members."""
    if group.county:
        codes = [
            r.code
            for r in regions(muni)
            if r.kind == "municipality" and r.county == muni.county_code
        ]
    else:
        found = (find_region(name, muni) for name in group.members)
        codes = [r.code for r in found if r is not None and r.kind == "municipality"]
    if muni.code not in codes:
        codes.insert(0, muni.code)
    return list(dict.fromkeys(codes))


def reference_codes(muni: Municipality | None = None) -> list[str]:
    """Every municipality peer figures are kept for: the set the spread is estimated on when
    the chosen group is too small."""
    return [r.code for r in regions(muni) if r.kind == "municipality"]


def comparison_group(muni: Municipality) -> list[str]:
    """Codes of the default group's municipalities."""
    groups = comparison_groups(muni)
    return group_codes(groups[0], muni) if groups else reference_codes(muni)


def peer_codes(muni: Municipality) -> list[str]:
    found = (find_region(name, muni) for name in muni.peers)
    return [r.code for r in found if r is not None and r.kind == "municipality"]


# --- The annual table ---------------------------------------------------------------------


def whole_years(peers: pd.DataFrame) -> pd.DataFrame:
    """Annual figures only (BRÅ's monthly rows are left out), one source per region, year and
    category: BRÅ's counts where there are both, since they carry the count itself. A
    suppressed value keeps ``n`` missing."""
    if peers.empty:
        return peers.assign(n=pd.Series(dtype=float), pop=pd.Series(dtype=float))
    annual = peers[peers["period"].str.lower().isin(["helår", "år", "helar"])].copy()
    population = {r.code: r.population for r in regions()}
    pop = annual["population"].copy()
    pop = pop.fillna(annual["region_code"].map(population))
    # A file with both the count and the rate (BRÅ's) gives the population it used: the
    # only one known for a municipality outside data/regions.toml.
    implied = (annual["count"] / annual["rate"] * PER).where(annual["rate"].gt(0)).round()
    pop = pop.fillna(implied)
    annual["pop"] = pop.astype(float)
    from_rate = annual["rate"] * annual["pop"] / PER
    annual["n"] = annual["count"].where(annual["count"].notna(), from_rate.round())
    annual["has_count"] = annual["count"].notna()
    annual = annual.sort_values(["has_count", "source"], ascending=[False, True])
    keys = ["region_code", "year", "category"]
    return annual.drop_duplicates(keys).sort_values(keys).reset_index(drop=True)


def rates(annual: pd.DataFrame) -> pd.DataFrame:
    """Rate per 100 000 from the count and population where both exist, else as given."""
    out = annual.copy()
    computed = out["n"] / out["pop"] * PER
    out["rate_per_100k"] = computed.where(out["n"].notna() & out["pop"].gt(0), out["rate"])
    return out


# --- Overdispersion -------------------------------------------------------------------------


def pooled_rate(counts: np.ndarray, populations: np.ndarray) -> float:
    return float(np.sum(counts) / np.sum(populations) * PER)


def z_scores(counts: np.ndarray, populations: np.ndarray, target: float) -> np.ndarray:
    """(y - E) / sqrt(E) with E = target * population / 100 000: Poisson z-scores."""
    expected = target * np.asarray(populations, dtype=float) / PER
    return (np.asarray(counts, dtype=float) - expected) / np.sqrt(expected)


def winsorise(z: np.ndarray, share: float = WINSOR) -> np.ndarray:
    """z-scores below the ``share`` point set to it, above the 1 - ``share`` point set to it
    (numpy's default linear quantiles)."""
    low, high = np.quantile(z, [share, 1 - share])
    return np.clip(z, low, high)


def estimate_dispersion(
    counts: np.ndarray, populations: np.ndarray, share: float = WINSOR
) -> Dispersion:
    """Winsorised phi and its chi-squared test, and the additive DerSimonian-Laird tau^2
    (from the unwinsorised Q) around the pooled rate; tau^2 is 0 unless the test says
    overdispersed."""
    counts = np.asarray(counts, dtype=float)
    populations = np.asarray(populations, dtype=float)
    target = pooled_rate(counts, populations)
    members = len(counts)
    z = z_scores(counts, populations, target)
    phi = float(np.mean(winsorise(z, share) ** 2))
    statistic = members * phi
    critical = float(stats.chi2.ppf(TEST_LEVEL, members - 1))
    overdispersed = bool(statistic > critical)
    q = float(np.sum(z**2))
    tau2 = 0.0
    if overdispersed and target > 0:
        w = populations / (target * PER)  # 1 / s_i^2, s_i^2 = target * PER / population
        tau2 = max(0.0, (q - (members - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return Dispersion(phi, members, statistic, critical, overdispersed, q, tau2, target)


# --- Limits and verdicts ------------------------------------------------------------------


def funnel_limits(
    group_rate: float,
    populations: np.ndarray,
    level: float,
    tau_relative: float = 0.0,
    phi: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits (rates per 100 000) around ``group_rate`` for each population: exact
    Poisson limits interpolated between integer counts as in Spiegelhalter (2005), appendix
    A.1.2, so the funnel is smooth rather than stepped. With a random effect
    (``tau_relative`` = tau / group rate) each half-width is combined in quadrature with
    z * tau; with ``phi`` > 1 it is also multiplied by sqrt(phi); the wider of the two is the
    limit (see the module's docstring)."""
    populations = np.asarray(populations, dtype=float)
    expected = group_rate * populations / PER
    exact_lower = _poisson_limit(expected, (1 - level) / 2) / populations * PER
    exact_upper = _poisson_limit(expected, 1 - (1 - level) / 2) / populations * PER
    lower, upper = exact_lower, exact_upper
    if tau_relative > 0:
        spread = stats.norm.ppf(1 - (1 - level) / 2) * tau_relative * group_rate
        lower = group_rate - np.hypot(group_rate - exact_lower, spread)
        upper = group_rate + np.hypot(exact_upper - group_rate, spread)
    if phi > 1:
        widen = np.sqrt(phi)
        lower = np.minimum(lower, group_rate - (group_rate - exact_lower) * widen)
        upper = np.maximum(upper, group_rate + (exact_upper - group_rate) * widen)
    return np.maximum(lower, 0.0), upper


def _poisson_limit(mean: np.ndarray, p: float) -> np.ndarray:
    """The p-quantile of Poisson(mean), made continuous: y_p minus the share of the step at
    y_p that lies beyond p."""
    y = stats.poisson.ppf(p, mean)
    at = stats.poisson.cdf(y, mean)
    below = stats.poisson.cdf(y - 1, mean)
    step = np.where(at > below, at - below, 1.0)
    alpha = (at - p) / step
    return np.maximum(y - alpha, 0.0)


def classify(
    counts: np.ndarray,
    populations: np.ndarray,
    group_rate: float,
    tau_relative: float = 0.0,
    level: float = VERDICT_LEVEL,
    phi: float = 1.0,
) -> np.ndarray:
    """ABOVE, BELOW or INSIDE for each municipality against the limits at ``level``."""
    populations = np.asarray(populations, dtype=float)
    rate = np.asarray(counts, dtype=float) / populations * PER
    lower, upper = funnel_limits(group_rate, populations, level, tau_relative, phi)
    return np.where(rate > upper, ABOVE, np.where(rate < lower, BELOW, INSIDE))


def verdict(
    count: float,
    population: float,
    group_rate: float,
    tau_relative: float = 0.0,
    phi: float = 1.0,
) -> Verdict:
    """Where one municipality's rate lies against the (adjusted) funnels around the group
    rate: a verdict only outside the 95 % limits, and whether also outside the 99.8 %.
    ``z_adjusted`` is against the larger of the two adjusted variances."""
    rate = count / population * PER
    (code,) = classify([count], [population], group_rate, tau_relative, LEVELS[0], phi)
    (strong,) = classify([count], [population], group_rate, tau_relative, LEVELS[1], phi)
    variance = group_rate * PER / population
    tau = tau_relative * group_rate
    adjusted = max(variance + tau**2, variance * max(phi, 1.0))
    return Verdict(
        str(code),
        rate,
        group_rate,
        beyond_998=bool(strong != INSIDE),
        z=(rate - group_rate) / np.sqrt(variance),
        z_adjusted=(rate - group_rate) / np.sqrt(adjusted),
    )


# --- The page's figures -------------------------------------------------------------------


def funnel_data(
    annual: pd.DataFrame, year: int, category: str, codes: list[str]
) -> tuple[pd.DataFrame, float | None]:
    """The municipalities among ``codes`` with figures for one year and category (suppressed
    ones left out), and their pooled rate (all counts over all inhabitants). None without
    data."""
    frame = annual[
        (annual["year"] == year)
        & (annual["category"] == category)
        & annual["region_code"].isin(codes)
        & annual["n"].notna()
        & annual["pop"].gt(0)
    ].copy()
    if frame.empty:
        return frame, None
    group_rate = float(frame["n"].sum() / frame["pop"].sum() * PER)
    frame["rate_per_100k"] = frame["n"] / frame["pop"] * PER
    return frame.reset_index(drop=True), group_rate


def comparison(
    annual: pd.DataFrame,
    year: int,
    category: str,
    codes: list[str],
    reference: list[str] | None = None,
    min_members: int = MIN_FOR_DISPERSION,
) -> Comparison | None:
    """The group's funnel for one year and category: limits widened for overdispersion
    estimated on the group, or on ``reference`` (default: every municipality with figures)
    when the group has fewer than ``min_members``. None without figures for the group."""
    points, group_rate = funnel_data(annual, year, category, codes)
    if group_rate is None:
        return None
    basis = points
    on_reference = False
    if len(points) < min_members:
        wider, _ = funnel_data(annual, year, category, reference or reference_codes())
        if len(wider) > len(points):
            basis, on_reference = wider, True
    dispersion = None
    if len(basis) >= 3:
        d = estimate_dispersion(basis["n"].to_numpy(), basis["pop"].to_numpy())
        dispersion = Dispersion(**{**d.__dict__, "on_reference": on_reference})
    result = Comparison(points, group_rate, dispersion)
    tau, phi = result.tau_relative, result.phi_width
    for level, suffix in ((LEVELS[0], ""), (LEVELS[1], "_998")):
        lower, upper = funnel_limits(group_rate, points["pop"].to_numpy(), level, tau, phi)
        points["lower" + suffix], points["upper" + suffix] = lower, upper
    pairs = zip(points["n"], points["pop"], strict=True)
    verdicts = [verdict(n, p, group_rate, tau, phi) for n, p in pairs]
    points["verdict"] = [v.code for v in verdicts]
    points["beyond_998"] = [v.beyond_998 for v in verdicts]
    points["z"] = [v.z for v in verdicts]
    points["z_adjusted"] = [v.z_adjusted for v in verdicts]
    return result


def funnel_curve(
    group_rate: float,
    populations: pd.Series,
    points: int = 120,
    tau_relative: float = 0.0,
    phi: float = 1.0,
) -> pd.DataFrame:
    """The funnel lines over the populations' range, for drawing (pass the comparison's
    ``tau_relative`` and ``phi_width``, so the lines are the limits the verdicts use)."""
    low = max(1.0, float(populations.min()) * 0.8)
    high = float(populations.max()) * 1.2
    pop = np.geomspace(low, high, points)
    out = pd.DataFrame({"population": pop})
    for level in LEVELS:
        lower, upper = funnel_limits(group_rate, pop, level, tau_relative, phi)
        out[f"lower_{level}"] = lower
        out[f"upper_{level}"] = upper
    return out


def trend(annual: pd.DataFrame, category: str, code: str, codes: list[str]) -> pd.DataFrame:
    """Per year: the municipality's rate, the group's median and middle-50 % band (the other
    municipalities of the group)."""
    data = rates(annual[annual["category"] == category])
    others = data[data["region_code"].isin([c for c in codes if c != code])]
    band = others.groupby("year")["rate_per_100k"].agg(
        median="median",
        q1=lambda s: s.quantile(0.25),
        q3=lambda s: s.quantile(0.75),
        municipalities="count",
    )
    own = data[data["region_code"] == code].set_index("year")["rate_per_100k"].rename("own")
    return band.join(own, how="outer").reset_index().sort_values("year")
