"""Disclosure control (``lib.public.disclosure``): the cell-key noise and the suppression
rules, against hand-worked values and a chi-square test of the noise distribution."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from lib.figures import counting
from lib.figures.counting import cell_key, exact, tally
from lib.public.disclosure import NOISE_P, Disclosure, perturb

counts = st.integers(0, 10_000)
keys = st.floats(0.0, 1.0, exclude_max=True, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(counts, keys), min_size=1, max_size=50))
def test_zero_stays_zero_never_negative_and_noise_within_two(cells):
    n = np.array([c for c, _ in cells])
    key = np.array([k for _, k in cells])
    out = perturb(n, key)
    assert (out[n == 0] == 0).all()
    assert (out >= 0).all()
    assert (np.abs(out - n) <= 2).all()
    # Counts of 3 and more are never pushed down to zero.
    assert (out[n >= 3] > 0).all()


def test_the_same_key_gives_the_same_noise():
    rng = np.random.default_rng(11)
    key = rng.random(1000)
    n = rng.integers(3, 500, 1000)
    first = perturb(n, key)
    assert (perturb(n, key) == first).all()
    # The noise depends on the key, not on the count: same key, other counts, same offset.
    assert (perturb(n + 100, key) - (n + 100) == first - n).all()
    # One cell at a time gives the same as the whole array.
    assert [int(perturb([a], [b])[0]) for a, b in zip(n[:50], key[:50], strict=True)] == list(
        first[:50]
    )


def test_noise_by_hand_at_the_table_edges():
    # Cumulative table 0.1, 0.3, 0.7, 0.9, 1.0 over the noise -2..+2.
    n = np.full(8, 10)
    key = np.array([0.0, 0.0999, 0.1001, 0.2999, 0.3001, 0.6999, 0.7001, 0.9999])
    assert (perturb(n, key) - n).tolist() == [-2, -2, -1, -1, 0, 0, 1, 2]


def test_noise_distribution_matches_the_table():
    rng = np.random.default_rng(2024)
    key = rng.random(20_000)
    noise = perturb(np.full(key.size, 50), key) - 50
    observed = np.array([(noise == v).sum() for v in (-2, -1, 0, 1, 2)])
    assert observed.sum() == key.size
    result = sps.chisquare(observed, NOISE_P * key.size)
    assert result.pvalue > 0.001
    # A wrong table (uniform noise) is rejected by the same test: the test can fail.
    assert sps.chisquare(observed, np.full(5, key.size / 5)).pvalue < 1e-6


def test_mean_noise_is_about_zero_away_from_zero():
    rng = np.random.default_rng(7)
    n = rng.integers(3, 1000, 20_000)
    noise = perturb(n, rng.random(n.size)) - n
    # Symmetric table: mean 0, variance 0.1·4·2 + 0.2·1·2 = 1.2.
    assert float(np.sum(NOISE_P * np.array([-2, -1, 0, 1, 2]))) == pytest.approx(0.0)
    assert abs(noise.mean()) < 4 * np.sqrt(1.2 / n.size)
    assert noise.var() == pytest.approx(1.2, rel=0.05)


def test_small_counts_are_biased_only_by_the_floor_at_zero():
    # A count of 1 cannot go to -1: the floor moves it up, never below 0, never to 0 from 3.
    key = np.linspace(0, 0.999, 1000)
    assert set(perturb(np.ones(1000, dtype=int), key).tolist()) == {0, 1, 2, 3}
    assert set(perturb(np.full(1000, 3), key).tolist()) == {1, 2, 3, 4, 5}


def test_counter_sums_record_keys_modulo_one():
    import pandas as pd

    rows = pd.DataFrame({"g": ["x", "x", "y"], "n": [1, 2, 4], "key": [0.6, 0.5, 0.05]})
    # x: 3 records, key (0.6 + 0.5) mod 1 = 0.1 -> noise -1; y: 4, key 0.05 -> noise -2.
    tallied = counting.tally(rows, "g", perturb)
    assert tallied.to_dict() == {"x": 2, "y": 2}
    assert counting.total(rows, perturb) == int(perturb([7], [0.15])[0]) == 6
    assert counting.tally(rows, "g").to_dict() == {"x": 3, "y": 4}


def test_hidden_and_text():
    public = Disclosure(3)
    assert [public.hidden(n) for n in (0, 1, 2, 3, None)] == [False, True, True, False, False]
    assert public.text(2) == "färre än 3" and public.text(0) == "0"
    assert public.text(1234) == "1\u00a0234"
    assert public.value(2) is None and public.value(7) == 7
    analyst = Disclosure(3, exact=True)
    assert not analyst.hidden(1) and analyst.text(1) == "1"
    assert analyst.counter is counting.exact and public.counter is perturb


def test_a_threshold_of_five_hides_four():
    five = Disclosure(5)
    assert five.hidden(4) and five.hidden(1) and not five.hidden(5) and not five.hidden(0)
    assert five.text(4) == "färre än 5"


def test_hide_margin_hides_a_second_cell():
    d = Disclosure(3)
    # One small cell: the smallest other non-zero cell goes too.
    assert d.hide_margin([10, 2, 0, 7, 30]) == [False, True, False, True, False]
    # Two small cells: nothing more is needed.
    assert d.hide_margin([10, 2, 1, 7]) == [False, True, True, False]
    # Nothing small: nothing hidden.
    assert d.hide_margin([10, 0, 7]) == [False, False, False]
    # One small cell and only zeros besides: zeros are shown (nothing to protect).
    assert d.hide_margin([0, 2, 0]) == [False, True, False]
    assert d.hide_margin([]) == []
    assert Disclosure(3, exact=True).hide_margin([1, 2, 5]) == [False, False, False]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=10), st.integers(2, 6))
def test_no_margin_has_exactly_one_hidden_non_zero_cell(cells, threshold):
    d = Disclosure(threshold)
    hide = d.hide_margin(cells)
    small = [0 < c < threshold for c in cells]
    assert all(h for h, s in zip(hide, small, strict=True) if s)  # every small cell hidden
    hidden_non_zero = sum(h and c > 0 for h, c in zip(hide, cells, strict=True))
    if any(small) and sum(c > 0 for c in cells) > 1:
        assert hidden_non_zero >= 2


def groupby_tally(rows, by, counter, weight="n"):
    """The reference: pandas' groupby, as ``tally`` was written before its numpy path."""
    frame = rows if weight in rows.columns else rows.assign(**{weight: 1})
    if "key" not in frame.columns:
        frame = frame.assign(key=0.0)
    grouped = frame.groupby(by, observed=True)[[weight, "key"]].sum()
    published = counter(grouped[weight].to_numpy(np.int64), cell_key(grouped["key"].to_numpy()))
    return pd.Series(np.asarray(published, dtype=np.int64), index=grouped.index, name=weight)


def test_tally_by_one_key_equals_pandas_groupby():
    """``tally`` by one column or Series (numpy's bincount) gives what pandas' groupby gives:
    the same groups in the same order (a categorical's in its categories' order, unused
    categories left out), missing keys left out, a Series aligned on the index, the same
    published counts through the public counter."""
    rng = np.random.default_rng(7)
    size = 400
    rows = pd.DataFrame(
        {
            "category": pd.Categorical(
                rng.choice(["Stöld", "Rån", None], size, p=[0.6, 0.3, 0.1]),
                categories=["Skadegörelse", "Stöld", "Rån"],  # one never used, not sorted
            ),
            "locality": pd.array(rng.choice(["Vretstorp", "Hallsberg", "Pålsboda"], size), "str"),
            "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, size), "D"),
            "n": rng.integers(1, 4, size),
            "key": rng.random(size),
        },
        index=rng.permutation(size) + 1000,  # not 0..n-1
    )
    counter = Disclosure(3).counter
    months = rows["day"].dt.to_period("M").dt.start_time.rename("month")
    shuffled = months.sample(frac=1.0, random_state=1)  # another order: aligned on the index
    for frame in (rows, rows.drop(columns="n"), rows.drop(columns="key"), rows.iloc[0:0]):
        for by in ("category", "locality", "day", months.loc[frame.index], shuffled):
            for count in (counter, exact):
                got = tally(frame, by, count)
                pd.testing.assert_series_equal(got, groupby_tally(frame, by, count))
    assert list(tally(rows, "category").index) == ["Stöld", "Rån"]  # categories' order
