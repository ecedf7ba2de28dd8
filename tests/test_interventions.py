"""lib.figures.interventions: matched calendar months, target/buffer/control areas, the ratio
of rate ratios against independent references (statsmodels' Poisson GLM, hypergeometric sums
by hand, Fisher's noncentral hypergeometric tails, R's fisher.test), the WDQ by hand and its
reading, coverage, and counts through the counter."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from scipy.stats import nchypergeom_fisher

from lib.figures import interventions as iv
from lib.figures.filters import Filters
from lib.figures.hotspots import unproject

X0, Y0 = 506_000.0, 6_547_000.0  # Hallsberg in SWEREF 99 TM metres


def place(start: str = "2019-03-01", radius: float = 200.0, **kw) -> iv.Intervention:
    lat, lon = unproject([X0], [Y0])
    return iv.Intervention(
        "K9", "Testkameran", dt.date.fromisoformat(start), float(lat[0]), float(lon[0]),
        radius_m=radius, **kw,
    )  # fmt: skip


def points(spec: list[tuple[float, float, str, int]], locality: str = "Hallsberg"):
    """Points frame rows: (east offset m, north offset m, day, how many)."""
    rows = []
    for dx, dy, day, n in spec:
        rows += [(X0 + dx, Y0 + dy, pd.Timestamp(day))] * n
    frame = pd.DataFrame(rows, columns=["x", "y", "day"])
    frame["locality"] = locality
    frame["category"] = "Skadegörelse"
    frame["source"] = "police"
    frame["key"] = 0.25  # exact in binary: sums of keys are exact
    return frame.sort_values("day", kind="stable").reset_index(drop=True)


def span_rows(first: str, last: str) -> list[tuple[float, float, str, int]]:
    """One incident far away on the first and the last day: the data's span."""
    return [(50_000, 0, first, 1), (50_000, 0, last, 1)]


# --- Months -----------------------------------------------------------------------------------


def month(text: str) -> int:
    year, mon = map(int, text.split("-"))
    return year * 12 + mon - 1


def test_a_start_mid_month_compares_the_whole_months_around_it():
    span = (dt.date(2017, 1, 1), dt.date(2020, 12, 31))
    m = iv.matched_months(dt.date(2019, 3, 15), 12, span=span)
    assert m.used == 12 and m.missing is None
    assert m.after[0] == month("2019-04") and m.after[-1] == month("2020-03")
    assert sorted(m.before) == list(range(month("2018-03"), month("2019-03")))
    assert all(a % 12 == b % 12 for a, b in zip(m.after, m.before, strict=True))
    # Starting on the 1st: that month is the first month after.
    m = iv.matched_months(dt.date(2019, 3, 1), 3, span=span)
    assert m.after == (month("2019-03"), month("2019-04"), month("2019-05"))
    assert m.before == (month("2018-03"), month("2018-04"), month("2018-05"))


def test_fewer_months_after_use_the_same_calendar_months_before():
    m = iv.matched_months(
        dt.date(2019, 3, 15), 12, span=(dt.date(2017, 1, 1), dt.date(2019, 9, 30))
    )
    assert m.used == 6 and m.asked == 12
    assert m.after == tuple(range(month("2019-04"), month("2019-10")))
    assert m.before == tuple(range(month("2018-04"), month("2018-10")))
    # A partly covered last month is left out, never counted as a short month.
    m = iv.matched_months(
        dt.date(2019, 3, 15), 12, span=(dt.date(2017, 1, 1), dt.date(2019, 9, 29))
    )
    assert m.used == 5


def test_no_months_when_the_data_do_not_reach_before_or_after():
    span = (dt.date(2018, 6, 1), dt.date(2019, 12, 31))
    late = iv.matched_months(dt.date(2020, 2, 1), 12, span=span)
    assert (late.used, late.missing) == (0, "after")
    early = iv.matched_months(dt.date(2018, 5, 1), 12, span=span)
    # After May 2018 there are months, but no calendar month a year earlier has data.
    assert (early.used, early.missing) == (0, "before")
    # Half-covered: June 2018 onwards before, so only the months from June pair up.
    half = iv.matched_months(dt.date(2019, 3, 1), 12, span=span)
    assert half.used == 7 and min(half.after) == month("2019-06")


class FakeCoverage:
    """Month signatures as lib.figures.coverage gives them: 1 = the police, 0 = no data."""

    def __init__(self, signatures: dict[int, int]):
        self.signatures = signatures

    def month_signature(self, months: pd.PeriodIndex, sources=()) -> np.ndarray:
        return np.array([self.signatures.get(p.year * 12 + p.month - 1, 0) for p in months])


def test_coverage_decides_which_month_pairs_are_compared():
    sig = {m: 1 for m in range(month("2018-01"), month("2020-12"))}
    sig[month("2018-07")] = 0  # a gap in the feed
    sig[month("2019-08")] = 3  # another source joined for one month
    sig[month("2019-10")] = -1  # coverage changes within the month
    m = iv.matched_months(dt.date(2019, 3, 1), 12, FakeCoverage(sig))
    assert m.used == 9
    assert month("2019-07") not in m.after  # its partner month has no data
    assert month("2019-08") not in m.after and month("2019-10") not in m.after


def test_the_stores_coverage_class_plugs_in():
    coverage = pytest.importorskip("lib.figures.coverage")
    cov = coverage.Coverage({"police": ((dt.date(2018, 1, 1), dt.date(2019, 8, 20)),)})
    m = iv.matched_months(dt.date(2019, 3, 1), 12, cov, ("police",))
    assert m.used == 5 and min(m.before) == month("2018-03")


# --- The ratio of rate ratios ------------------------------------------------------------------


def glm_interaction(a_after, a_before, c_after, c_before):
    """exp(interaction) from a Poisson GLM with log link and area × period."""
    import statsmodels.api as sm

    y = np.array([a_after, a_before, c_after, c_before], float)
    target = np.array([1, 1, 0, 0])
    after = np.array([1, 0, 1, 0])
    x = np.column_stack([np.ones(4), target, after, target * after])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saturated: no residual degrees of freedom
        fit = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    return math.exp(fit.params[3])


def hypergeom_p(a_after, a_before, c_after, c_before):
    """Twice the smaller tail of A_after given the margins, summed by hand."""
    n_a, n_after, total = a_after + a_before, a_after + c_after, a_after + a_before
    total += c_after + c_before
    support = range(max(0, n_a + n_after - total), min(n_a, n_after) + 1)
    pmf = {
        k: math.comb(n_after, k) * math.comb(total - n_after, n_a - k) / math.comb(total, n_a)
        for k in support
    }
    lower = sum(v for k, v in pmf.items() if k <= a_after)
    upper = sum(v for k, v in pmf.items() if k >= a_after)
    return min(1.0, 2 * min(lower, upper))


@pytest.mark.parametrize(
    "table",
    [(20, 40, 1000, 1000), (12, 15, 300, 250), (30, 10, 500, 520), (3, 9, 40, 35)],
)
def test_ratio_matches_glm_and_hand_computed_tests(table):
    r = iv.ratio_of_rates(*table)
    a_a, a_b, c_a, c_b = table
    assert r.ratio == pytest.approx((a_a / a_b) / (c_a / c_b), rel=1e-12)
    assert r.ratio == pytest.approx(glm_interaction(*table), rel=1e-6)
    assert r.p_value == pytest.approx(hypergeom_p(*table), rel=1e-9)
    # Exact conditional interval: the tails of Fisher's noncentral hypergeometric at the
    # bounds are alpha/2 (found here by root finding, not by the library's own routine).
    n_a, n_after, total = a_a + a_b, a_a + c_a, sum(table)

    def tail_at_least(psi):
        return nchypergeom_fisher(total, n_after, n_a, psi).sf(a_a - 1) - 0.025

    def tail_at_most(psi):
        return nchypergeom_fisher(total, n_after, n_a, psi).cdf(a_a) - 0.025

    low = optimize.brentq(tail_at_least, 1e-6, 1e6, xtol=1e-12, rtol=1e-10)
    high = optimize.brentq(tail_at_most, 1e-6, 1e6, xtol=1e-12, rtol=1e-10)
    assert r.low == pytest.approx(low, rel=1e-4)
    assert r.high == pytest.approx(high, rel=1e-4)
    # Verdict and interval agree with the p-value.
    assert (r.verdict != "no_change") == (r.p_value < 0.05)
    assert r.verdict == ("decrease" if r.high < 1 else "increase" if r.low > 1 else "no_change")


def test_ratio_reproduces_rs_fisher_test_on_the_tea_tasting_table():
    # R: fisher.test(matrix(c(3, 1, 1, 3), 2)): p-value = 0.4857, 95 percent confidence
    # interval 0.2117329 621.9337505 (R's root finder stops early on the upper bound).
    r = iv.ratio_of_rates(3, 1, 1, 3)
    assert r.p_value == pytest.approx(0.4857, abs=5e-5)
    assert r.low == pytest.approx(0.2117329, rel=1e-4)
    assert r.high == pytest.approx(621.9337505, rel=0.01)
    assert r.verdict == "no_change"


def test_a_halving_against_a_flat_control_is_a_decrease():
    r = iv.ratio_of_rates(20, 40, 1000, 1000)
    assert r.ratio == 0.5 and r.verdict == "decrease" and r.high < 1
    assert r.change_fraction == pytest.approx(-0.5)
    # The same halving when the whole municipality halved is no effect at all.
    same = iv.ratio_of_rates(20, 40, 500, 1000)
    assert same.ratio == pytest.approx(1.0) and same.verdict == "no_change"


def test_treating_the_control_as_known_would_be_too_narrow():
    """The conditional binomial with the control's share plugged in ignores the control's own
    noise; the exact 2×2 interval is wider when the control is small."""
    from statsmodels.stats.proportion import proportion_confint

    a_a, a_b, c_a, c_b = 20, 40, 60, 50
    r = iv.ratio_of_rates(a_a, a_b, c_a, c_b)
    lo_p, hi_p = proportion_confint(a_a, a_a + a_b, method="beta")
    odds = c_b / c_a
    naive = (lo_p / (1 - lo_p) * odds, hi_p / (1 - hi_p) * odds)
    assert r.high - r.low > naive[1] - naive[0]


def test_edge_tables():
    zero = iv.ratio_of_rates(0, 0, 10, 12)
    assert zero.ratio is None and zero.verdict == "no_change" and zero.p_value == 1.0
    inf = iv.ratio_of_rates(12, 0, 100, 100)
    assert math.isinf(inf.ratio) and inf.high == math.inf and inf.verdict == "increase"
    with pytest.raises(ValueError):
        iv.ratio_of_rates(-1, 2, 3, 4)


def test_null_tables_rarely_give_a_verdict():
    """Quick calibration: equal rates before and after in both areas; the exact conditional
    test must call a change in at most 5 % of draws (it is conservative)."""
    rng = np.random.default_rng(11)
    calls = 0
    draws = 400
    for _ in range(draws):
        a = rng.poisson(15, 2)
        c = rng.poisson(300, 2)
        calls += iv.ratio_of_rates(int(a[0]), int(a[1]), int(c[0]), int(c[1])).verdict != (
            "no_change"
        )
    assert calls / draws <= 0.05


def test_adjusting_many_keeps_verdict_and_interval_in_agreement():
    rows = [iv.ratio_of_rates(20, 40, 1000, 1000), iv.ratio_of_rates(14, 20, 1000, 1000), None]
    adjusted = iv.adjust(rows)
    assert adjusted[2] is None
    first = adjusted[0]
    # statsmodels' BH by hand: p-values sorted, q = min over k >= i of p_k * m / k.
    p = sorted(r.p_value for r in rows[:2])
    assert first.p_value == pytest.approx(min(p[0] * 2, p[1]))
    # One row called changed of two: the interval is at level 0.05 * 1 / 2.
    assert first.level == pytest.approx(0.025)
    assert first.low < rows[0].low and first.high > rows[0].high
    for r in adjusted[:2]:
        assert (r.verdict != "no_change") == (r.high < 1 or r.low > 1)


# --- WDQ ---------------------------------------------------------------------------------------


def test_wdq_by_hand_and_its_reading():
    # Target 40 -> 20, buffer 30 -> 36, control 1000 -> 1000:
    # success = 20/1000 - 40/1000 = -0.02, displacement = 36/1000 - 30/1000 = 0.006.
    assert iv.wdq(20, 40, 36, 30, 1000, 1000) == pytest.approx(-0.3)
    assert iv.wdq_reading(-0.3) == "displacement"
    # Buffer 30 -> 20: benefit spreads (0.01 / 0.02 = 0.5).
    assert iv.wdq(20, 40, 20, 30, 1000, 1000) == pytest.approx(0.5)
    # Buffer 30 -> 60 with control 1000 -> 800: success = 0.025 - 0.04, displacement
    # = 0.075 - 0.03 = 0.045; WDQ = 0.045 / -0.015 = -3: displacement outweighs the effect.
    assert iv.wdq(20, 40, 60, 30, 800, 1000) == pytest.approx(-3.0)
    readings = [iv.wdq_reading(v) for v in (2.0, 1.0, 0.4, 0.0, -0.5, -1.0, -1.5, None)]
    assert readings == [
        "diffusion_greater",
        "diffusion",
        "diffusion",
        "neither",
        "displacement",
        "displacement",
        "displacement_greater",
        "undefined",
    ]
    # No improvement in the target: nothing to weigh displacement against.
    assert iv.wdq(40, 40, 10, 30, 1000, 1000) is None
    assert iv.wdq(50, 40, 10, 30, 1000, 1000) is None
    assert iv.wdq(20, 40, 10, 30, 0, 1000) is None


# --- Evaluation on points ----------------------------------------------------------------------


def planted(after_target=20, before_target=40, buffer_after=36, buffer_before=30):
    """A camera on 1 March 2019; 12 months each side; control flat at 100 a month."""
    spec = span_rows("2017-01-01", "2020-06-30")
    spec += [(50, 0, "2018-06-10", before_target), (0, 120, "2019-06-10", after_target)]
    spec += [(400, 0, "2018-07-10", buffer_before), (0, -600, "2019-07-10", buffer_after)]
    spec += [(-3000, 0, "2018-05-05", 1000), (2500, 2500, "2019-09-05", 1000)]
    return points(spec)


def test_evaluation_counts_the_three_areas_in_matched_months():
    (e,) = iv.evaluate(planted(), [place()], adjust_many=False)
    assert e.months.used == 12
    assert (e.target_before, e.target_after) == (40, 20)
    assert (e.buffer_before, e.buffer_after) == (30, 36)
    assert (e.control_before, e.control_after) == (1000, 1000)
    assert e.verdict == "decrease" and e.effect.ratio == pytest.approx(0.5)
    assert e.wdq == pytest.approx(-0.3) and e.reading == "displacement"
    assert e.buffer.verdict == "no_change"
    # A narrower radius: the target's incidents fall into the buffer.
    (narrow,) = iv.evaluate(planted(), [place(radius=20)], adjust_many=False)
    assert narrow.target_before == 0 and narrow.buffer_before == 70
    assert narrow.verdict == "too_few" and narrow.reading == "undefined"


def test_too_few_no_data_and_the_filters():
    few = planted(after_target=3, before_target=6)
    (e,) = iv.evaluate(few, [place()], adjust_many=False)
    assert e.verdict == "too_few" and e.effect is None and e.target_before == 6
    (late,) = iv.evaluate(planted(), [place("2021-01-01")])
    assert late.verdict == "no_data" and late.months.missing == "after"
    assert late.target_before is None
    (early,) = iv.evaluate(planted(), [place("2016-06-01")])
    assert early.verdict == "no_data" and early.months.missing == "before"
    # Another category chosen: nothing counted.
    f = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31), categories=("Klotter",))
    (other,) = iv.evaluate(planted(), [place()], f)
    assert other.target_before == 0 and other.verdict == "too_few"


def test_the_control_area_follows_the_chosen_localities():
    pts = pd.concat([planted(), points([(9000, 0, "2018-05-05", 100)], "Pålsboda")])
    pts = pts.assign(locality=np.where(pts["x"] > X0 + 8000, "Pålsboda", "Hallsberg"))
    pts = pts.sort_values("day", kind="stable")
    (whole,) = iv.evaluate(pts, [place()])
    assert whole.control_before == 1100
    f = Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 31), localities=("Hallsberg",))
    (town,) = iv.evaluate(pts, [place()], f)
    assert town.control_before == 1000 and town.target_before == 40


def test_other_actions_during_the_months_leave_the_control_area():
    lat, lon = unproject([X0 - 3000], [Y0])
    other = iv.Intervention("K8", "Annan", dt.date(2019, 5, 1), float(lat[0]), float(lon[0]))
    first, second = iv.evaluate(planted(), [place(), other], adjust_many=False)
    assert first.control_before == 0 and first.verdict == "too_few"  # all 1000 were there
    far = iv.Intervention("K7", "Senare", dt.date(2022, 5, 1), other.lat, other.lon)
    first, _ = iv.evaluate(planted(), [place(), far], adjust_many=False)
    assert first.control_before == 1000  # starting long after: no reason to take it out


def test_a_polygon_target():
    lat, lon = unproject(
        np.array([X0 - 100, X0 + 100, X0 + 100, X0 - 100]),
        np.array([Y0 - 150, Y0 - 150, Y0 + 150, Y0 + 150]),
    )
    square = iv.Intervention(
        "I1",
        "Insats",
        dt.date(2019, 3, 1),
        polygon=tuple(zip(lat, lon, strict=True)),
        radius_m=0,
        kind="insats",
    )
    pts = points([(50, 0, "2019-04-02", 3), (0, 120, "2019-04-02", 2), (150, 0, "2019-04-02", 4)])
    d = iv.distances(pts, square)
    assert d[:5] == pytest.approx(0.0, abs=1e-3)
    assert d[5:] == pytest.approx(50.0, abs=0.5)
    assert (iv.areas(pts, square, 500) == iv.BUFFER).sum() == 4
    with pytest.raises(ValueError):
        iv.Intervention("I2", "Utan plats", dt.date(2019, 1, 1))


def test_counts_go_through_the_counter():
    seen = []

    def plus_one(n, key):
        seen.append((n.copy(), key.copy()))
        return np.where(n > 0, n + 1, 0)

    (e,) = iv.evaluate(planted(), [place()], counter=plus_one, adjust_many=False)
    assert (e.target_before, e.target_after, e.control_after) == (41, 21, 1001)
    assert e.effect.ratio == pytest.approx((21 / 41) / (1001 / 1001))
    # Cell keys are the sums of the records' keys modulo 1: 30 records of 0.25 -> 0.5.
    keys = {int(n[0]): float(k[0]) for n, k in seen}
    assert keys[30] == 0.5 and keys[40] == 0.0 and keys[36] == 0.0


def test_cameras_become_interventions():
    cams = pd.DataFrame(
        {
            "id": ["K1", "K2"],
            "name": ["Station", "Utan datum"],
            "lat": [59.06, 59.07],
            "lon": [15.11, 15.12],
            "installed_on": [pd.Timestamp("2019-03-01"), pd.NaT],
            "radius_m": [np.nan, 150.0],
        }
    )
    (k1,) = iv.from_cameras(cams)
    assert (k1.id, k1.start, k1.radius_m, k1.kind) == ("K1", dt.date(2019, 3, 1), 200.0, "camera")
    (k1,) = iv.from_cameras(cams, radius_m=300)
    assert k1.radius_m == 300


def test_public_camera_verdicts_hold_for_every_table_the_noise_allows():
    """With the public view's slack the verdict must agree with every table within ±2 of the
    published counts (each table's exact conditional interval from scipy, checked over the
    whole box, not just the corners the code uses)."""
    import itertools

    from scipy.stats.contingency import odds_ratio

    def verdict(table):
        a_a, a_b, c_a, c_b = table
        if min(a_a + a_b, c_a + c_b, a_a + c_a, a_b + c_b) == 0:
            return "no_change"
        ci = odds_ratio([[a_a, a_b], [c_a, c_b]], kind="conditional").confidence_interval(0.95)
        return "increase" if ci.low > 1 else "decrease" if ci.high < 1 else "no_change"

    called = 0
    tables = [(12, 30, 300, 280), (40, 20, 300, 310), (25, 24, 610, 640), (8, 30, 90, 80)]
    for published in tables:
        public = iv.ratio_of_rates(*published, slack=2)
        if public.verdict == "no_change":
            continue
        called += 1
        for offsets in itertools.product(range(-2, 3), repeat=4):
            table = tuple(max(v + o, 0) for v, o in zip(published, offsets, strict=True))
            assert verdict(table) == public.verdict, (published, table)
    assert called >= 2
