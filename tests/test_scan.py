"""The space-time permutation scan (lib.figures.scan) against a brute force over every cylinder
on small data, its p-values and recurrence intervals by hand, a planted outbreak, dates and
day numbers alike, the early stop, and a quick calibration under the permutation null."""

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from lib.figures import scan

CELL = scan.CELL_M


def small_data(seed: int, n: int = 70, days: int = 60, side: float = 1500.0):
    rng = np.random.default_rng(seed)
    x = 500_000 + rng.uniform(0, side, n)
    y = 6_500_000 + rng.uniform(0, side, n)
    day = rng.integers(0, days, n)
    return x, y, day


def brute_force(x, y, lag, max_radius, windows):
    """Every cylinder by loops: centres and locations are the incidents' 100 m cells, a circle
    holds the cells whose centres lie within its radius, radii are the distances to the
    cells; best (llr, observed, expected, centre x, y, radius, days)."""
    cx = (np.floor(x / CELL) + 0.5) * CELL
    cy = (np.floor(y / CELL) + 0.5) * CELL
    cells = sorted(set(zip(cx, cy, strict=True)))
    n = len(x)
    totals = [int(np.sum(lag < d)) for d in range(1, windows + 1)]
    best = (0.0,)
    for px, py in cells:
        distance = np.hypot(cx - px, cy - py)
        for r in sorted(set(np.round(distance[distance <= max_radius + 1e-6], 6))):
            inside = np.round(distance, 6) <= r
            nz = int(inside.sum())
            if nz > scan.MAX_SHARE * n:
                continue
            for d in range(1, windows + 1):
                c = int(np.sum(inside & (lag < d)))
                e = nz * totals[d - 1] / n
                if c < scan.MIN_CASES or c <= e:
                    continue
                llr = c * np.log(c / e) + (n - c) * np.log((n - c) / (n - e))
                if llr > best[0] + 1e-9:
                    best = (llr, c, e, px, py, r, d)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_most_likely_cluster_matches_a_brute_force_over_every_cylinder(seed):
    x, y, day = small_data(seed)
    analysis = 59
    lag = analysis - day
    llr, c, e, px, py, r, d = brute_force(x, y, lag, 500.0, 10)
    result = scan.scan(
        x,
        y,
        day,
        analysis,
        study_days=60,
        max_radius_m=500,
        max_window_days=10,
        replications=0,
    )
    top = result.clusters.iloc[0]
    assert top["llr"] == pytest.approx(llr, rel=1e-9)
    assert (top["observed"], top["expected"]) == (c, pytest.approx(e))
    assert (top["x"], top["y"], top["radius_m"], top["days"]) == (px, py, r, d)


def test_replication_maxima_match_the_brute_force_on_permuted_days():
    x, y, day = small_data(4, n=90)
    cylinders, lag, _, _, _ = scan.prepare(
        x, y, day, 59, study_days=60, max_radius_m=600, max_window_days=12
    )
    rng = np.random.default_rng(0)
    for _ in range(4):
        permuted = rng.permutation(lag)
        fast = cylinders.maximum(permuted)
        assert fast == pytest.approx(brute_force(x, y, permuted, 600.0, 12)[0], rel=2e-4)


def test_log_likelihood_ratio_by_hand():
    # 6 of 100 where 1.5 were expected: 6 ln 4 + 94 ln(94 / 98.5)
    expected = 6 * np.log(4) + 94 * np.log(94 / 98.5)
    assert scan.log_likelihood_ratio([6], [1.5], 100)[0] == pytest.approx(expected)
    assert scan.log_likelihood_ratio([1], [1.5], 100)[0] == 0.0  # deficit: not scored


def test_p_values_and_recurrence_by_hand():
    maxima = np.array([1.0, 2.0, 3.0, 4.0, 9.0] + [0.5] * 994)  # 999 replications
    p = scan.p_values([10.0, 9.0, 3.5, 0.1], maxima)
    assert p.tolist() == pytest.approx([1 / 1000, 2 / 1000, 3 / 1000, 1.0])
    # Besag-Clifford after an early stop: beaten / L
    assert scan.p_values([2.5], [3.0, 1.0, 4.0, 5.0], stopped=True)[0] == pytest.approx(3 / 4)


def outbreak_data(seed: int, planted: int = 10):
    """A year of 600 incidents over a town of some 8 km, plus ``planted`` within 150 m of one
    place in the last 14 days."""
    rng = np.random.default_rng(seed)
    n = 600
    x = 500_000 + rng.normal(0, 2000, n)
    y = 6_500_000 + rng.normal(0, 2000, n)
    day = rng.integers(0, 365, n)
    angle = rng.uniform(0, 2 * np.pi, planted)
    radius = 150 * np.sqrt(rng.random(planted))
    px = 500_700 + radius * np.cos(angle)
    py = 6_500_400 + radius * np.sin(angle)
    pday = 364 - rng.integers(0, 14, planted)
    return np.r_[x, px], np.r_[y, py], np.r_[day, pday]


def test_a_planted_outbreak_is_an_alert_near_its_place_and_null_data_are_not():
    x, y, day = outbreak_data(5)
    result = scan.scan(x, y, day, replications=199, rng=1)
    top = result.clusters.iloc[0]
    assert top["p"] == pytest.approx(1 / 200)  # beats every replication
    assert np.hypot(top["x"] - 500_700, top["y"] - 6_500_400) < 300
    assert top["observed"] >= 8 and top["days"] <= 16
    assert top["first_day"] >= 364 - top["days"] + 1 and top["last_day"] == 364
    inside = scan.members(result, 0, x, y, day)
    assert inside.sum() == top["observed"]
    x0, y0, day0 = outbreak_data(5, planted=0)
    calm = scan.scan(x0, y0, day0, replications=199, rng=1)
    assert calm.clusters.empty or calm.clusters["p"].iloc[0] > 0.01


def test_recurrence_interval_and_alert_follow_the_replications():
    x, y, day = outbreak_data(6)
    full = scan.scan(x, y, day, replications=999, rng=2, stop_after=None)
    top = full.clusters.iloc[0]
    assert top["recurrence_days"] == pytest.approx(1000.0)  # RI is at most R + 1 days
    assert full.clusters["alert"].dtype == bool and top["alert"]
    assert full.alerts.iloc[0]["llr"] == top["llr"]
    few = scan.scan(x, y, day, replications=199, rng=2, stop_after=None)
    assert few.clusters["recurrence_days"].iloc[0] == pytest.approx(200.0)
    assert not few.clusters["alert"].any()  # 199 replications cannot show once a year


def test_dates_and_day_numbers_give_the_same_clusters():
    x, y, day = small_data(7, n=120, days=200)
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(day, unit="D")
    by_number = scan.scan(x, y, day, replications=19, rng=3)
    by_date = scan.scan(x, y, dates, replications=19, rng=3)
    a, b = by_number.clusters, by_date.clusters
    assert a[["x", "y", "radius_m", "days", "observed", "p"]].equals(
        b[["x", "y", "radius_m", "days", "observed", "p"]]
    )
    assert by_date.analysis_day == dt.date(2019, 1, 1) + dt.timedelta(days=int(day.max()))
    assert b["last_day"].iloc[0] == by_date.analysis_day


def test_early_stop_changes_no_alert_and_saves_replications():
    for seed in (8, 9):
        x, y, day = outbreak_data(seed, planted=0 if seed == 8 else 10)
        full = scan.scan(x, y, day, replications=399, rng=4, stop_after=None)
        quick = scan.scan(x, y, day, replications=399, rng=4, stop_after=20)
        assert full.clusters["alert"].tolist() == quick.clusters["alert"].tolist()
        if quick.stopped_early:
            assert quick.replications < 399
            assert quick.clusters["p"].iloc[0] >= 20 / 399


def test_secondary_clusters_do_not_overlap():
    x, y, day = outbreak_data(10)
    result = scan.scan(x, y, day, replications=0)
    c = result.clusters
    assert len(c) > 1
    for i, j in itertools.combinations(range(len(c)), 2):
        gap = np.hypot(c["x"].iloc[i] - c["x"].iloc[j], c["y"].iloc[i] - c["y"].iloc[j])
        assert gap > c["radius_m"].iloc[i] + c["radius_m"].iloc[j]
    assert c["llr"].is_monotonic_decreasing


def test_too_few_incidents_give_no_clusters():
    result = scan.scan([500_000.0], [6_500_000.0], [3], replications=9)
    assert result.clusters.empty and result.events == 1


def test_quick_calibration_under_the_permutation_null():
    """Independent space and time: the most likely cluster's p-value is uniform, so about a
    tenth of analyses have p <= 0.1 (40 analyses, 99 replications each; a binomial 95 %
    range of 0-9)."""
    rng = np.random.default_rng(12)
    small = 0
    for k in range(40):
        n = 200
        x = 500_000 + rng.normal(0, 800, n)
        y = 6_500_000 + rng.normal(0, 800, n)
        day = rng.integers(0, 120, n)
        result = scan.scan(
            x,
            y,
            day,
            119,
            study_days=120,
            max_radius_m=400,
            max_window_days=7,
            replications=99,
            rng=k,
            stop_after=None,
        )
        small += bool(len(result.clusters)) and result.clusters["p"].iloc[0] <= 0.1
    assert small <= 9
