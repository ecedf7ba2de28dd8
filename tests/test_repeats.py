"""The Knox near-repeat test (lib.figures.repeats): pair counts by hand on a tiny set, the
counts and exact expectation against pointpats, the permutation mean and p-value, per
category over 12 months, and a quick calibration (null and a planted near-repeat)."""

import itertools

import numpy as np
import pandas as pd
import pytest

from lib.figures import repeats


def tiny():
    # a b c within 200 m of each other; d 1 km away. Days: a 0, b 10, c 30, d 5.
    x = np.array([0.0, 150.0, 100.0, 1000.0])
    y = np.array([0.0, 0.0, 150.0, 0.0])
    day = np.array([0, 10, 30, 5])
    return x, y, day


def test_pair_counts_by_hand():
    x, y, day = tiny()
    result = repeats.knox(x, y, day, distance_m=200, days=14, permutations=0)
    # in space: a-b (150 m), a-c (180 m), b-c (158 m); a-d, b-d, c-d are far: NS = 3
    # in time (<= 14 days): a-b (10), a-d (5), b-d (5): NT = 3; close in both: a-b only
    assert (result.spatial_pairs, result.temporal_pairs, result.observed) == (3, 3, 1)
    assert result.expected_exact == pytest.approx(3 * 3 / 6)
    # bounds are inclusive: a-b at exactly 150 m and 10 days
    edge = repeats.knox(x, y, day, distance_m=150, days=10, permutations=0)
    assert (edge.spatial_pairs, edge.observed) == (1, 1)


def test_exact_permutation_distribution_on_the_tiny_set():
    """All 24 orders of the four days: the mean is NS NT / pairs, and the p-value of the
    Monte Carlo test approaches the share of orders with at least as many close pairs."""
    x, y, day = tiny()
    pairs = repeats.close_in_space(x, y, 200)
    counts = [
        int(np.sum(np.abs(np.array(p)[pairs[:, 0]] - np.array(p)[pairs[:, 1]]) <= 14))
        for p in itertools.permutations(day)
    ]
    assert np.mean(counts) == pytest.approx(1.5)
    share = np.mean(np.array(counts) >= 1)
    result = repeats.knox(x, y, day, permutations=4999, rng=1)
    assert result.expected == pytest.approx(1.5, abs=0.05)
    assert result.p == pytest.approx(share, abs=0.02)


def test_counts_agree_with_pointpats():
    spacetime = pytest.importorskip("pointpats.spacetime")
    rng = np.random.default_rng(3)
    n = 250
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    day = rng.integers(0, 365, n)
    ours = repeats.knox(x, y, day, 200, 14, permutations=0)
    theirs = spacetime.Knox(np.column_stack([x, y]), day[:, None].astype(float), 200, 14, 0)
    assert ours.observed == theirs.nst
    assert ours.spatial_pairs == theirs.observed[0].sum()
    assert ours.expected_exact == pytest.approx(theirs.expected[0, 0])


def near_repeat_data(rng, n=150, followers=0):
    """Burglaries uniform over a 4 km town over a year; ``followers`` of them each get a
    repeat within 100 m and 7 days."""
    x, y = rng.uniform(0, 4000, n), rng.uniform(0, 4000, n)
    day = rng.integers(0, 365, n)
    lead = rng.choice(n, followers, replace=False)
    angle = rng.uniform(0, 2 * np.pi, followers)
    fx = x[lead] + 100 * np.cos(angle)
    fy = y[lead] + 100 * np.sin(angle)
    fday = day[lead] + rng.integers(1, 8, followers)
    return np.r_[x, fx], np.r_[y, fy], np.r_[day, fday]


def test_quick_calibration_null_and_planted():
    rng = np.random.default_rng(7)
    null_hits = sum(
        repeats.knox(*near_repeat_data(rng), permutations=99, rng=k).p <= 0.05 for k in range(60)
    )
    assert null_hits <= 8  # 5 % of 60 is 3; binomial 99.5 % point is 8
    found = [
        repeats.knox(*near_repeat_data(rng, followers=15), permutations=99, rng=k)
        for k in range(20)
    ]
    assert sum(r.p <= 0.05 for r in found) >= 16
    assert np.median([r.ratio for r in found]) > 2


def test_per_category_over_the_latest_twelve_months():
    rng = np.random.default_rng(11)
    x, y, day = near_repeat_data(rng, followers=20)
    burglary = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "day": pd.Timestamp("2019-01-01") + pd.to_timedelta(day, unit="D"),
            "category": "Inbrott",
        }
    )
    old = burglary.assign(day=burglary["day"] - pd.Timedelta(days=800))  # outside 12 months
    other = burglary.head(1).assign(category="Rån")  # too few to test
    frame = pd.concat([burglary, old, other], ignore_index=True)
    table = repeats.near_repeats(frame, permutations=99, rng=1)
    assert table["category"].tolist() == ["Inbrott"]
    row = table.iloc[0]
    in_year = burglary["day"] >= burglary["day"].max() - pd.DateOffset(months=12) + pd.Timedelta(
        days=1
    )
    assert row["events"] == int(in_year.sum())
    assert row["ratio"] > 1.5 and row["p"] <= 0.05
